// Accuracy of noisy tensor-parallel inference (SPEC §7): perplexity, KL divergence to the
// clean model, same-top-1 rate and per-all-reduce NMSE, each with a standard error.
//
// Texts become token sequences by the protocols of host/model/text_protocol.hpp ("stories",
// "windows"). The clean reference is the unsplit model with exact sums.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "host/model/text_protocol.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/transformer.hpp"

namespace airtp {

// An undefined value is flagged, not NaN: mean_ok = false when the ratio's denominator is 0;
// se_ok = false with fewer than 2 units (the standard error of one sample is undefined). Units
// are stories, for the clean and the noisy scores alike: a story's realizations are pooled.
struct Estimate {
  double mean = 0, se = 0;
  bool mean_ok = true, se_ok = true;
};

struct CleanScore {
  long n_sequences = 0, n_tokens = 0;
  Estimate nll;  // nats per scored token
  Estimate ppl;
};

struct NoisyScore {
  long n_items = 0;                 // realizations x sequences
  Estimate nll, ppl;                // noisy model
  Estimate nll_increase;            // noisy minus clean, paired per item
  Estimate kl;                      // KL(P_clean || P_noisy), nats per scored token
  Estimate top1;                    // fraction of scored positions whose argmax matches the clean one
  std::vector<Estimate> nmse;       // [layer * 2 + which]: sum of squared errors / sum of squared exact sums
};

class GpuTransformer;  // host/model/transformer_gpu.hpp

// Scores the clean model once, then each scheme over n_realizations x sequences items.
// Sequences are processed in chunks so memory stays bounded; results do not depend on the
// chunk size or the thread count. `progress` (optional) is called after each chunk with the
// sequences scored so far. With `gpu` (the same weights on the GPU) the forward passes run
// there (run_batch_gpu); the scores then equal the CPU ones to float rounding.
void evaluate_ppl(const Transformer& model, const std::vector<std::vector<int>>& seqs, const TpPlan& plan,
                  const std::vector<const AllReduce*>& schemes, int n_realizations, CleanScore& clean,
                  std::vector<NoisyScore>& noisy, const std::function<void(long)>& progress = {},
                  const GpuTransformer* gpu = nullptr);

// Ratio estimator sum(a)/sum(b) with its delta-method standard error over independent units.
Estimate ratio_estimate(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace airtp
