// Accuracy of noisy tensor-parallel inference (SPEC §7): perplexity, KL divergence to the
// clean model, same-top-1 rate and per-all-reduce NMSE, each with a standard error.
//
// The unit of work is a row per (realization, sequence): the sums over the sequence's scored
// positions of the noisy model's NLL, of NLL minus the clean model's, of KL(P_clean || P_noisy),
// of same-top-1 hits, the count of scored tokens, the clean NLL, and every all-reduce's squared
// error and squared exact sum. Rows are what the experiment engine stores (so shards, resumes
// and early stopping combine them), and the estimates follow from them: the R realizations of a
// sequence share its text, so they are pooled into one unit and the standard errors are over
// sequences (cluster-robust ratio estimators), for the clean and the noisy scores alike.
//
// Position t predicts token t + 1; a sequence is scored from position score_from - 1 on (the
// "stories" protocol: BOS + tokens, score_from = 1, every token after the first).
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
// se_ok = false with fewer than 2 units (the standard error of one sample is undefined).
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

// The fields of a row, and their number for a model of n_layers.
struct RowField {
  static constexpr int nll = 0, nll_increase = 1, kl = 2, top1 = 3, count = 4, clean_nll = 5, err2 = 6;
  static int ref2(int n_layers) { return 6 + 2 * n_layers; }
};
int row_width(int n_layers);

class GpuTransformer;  // host/model/transformer_gpu.hpp

// Rows of realizations [first, first + count) of every sequence under `scheme`:
// rows[(r * S + s) * row_width + f]. The clean model runs once per chunk of sequences.
// `score_from` (empty: 1 for every sequence) gives each sequence's first scored token.
// `progress` (optional) gets the fraction done. With `gpu` the forward passes run there.
void score_rows(const Transformer& model, const std::vector<std::vector<int>>& seqs, const std::vector<int>& score_from,
                const TpPlan& plan, const AllReduce& scheme, uint64_t first, long count, double* rows,
                const std::function<void(double)>& progress = {}, const GpuTransformer* gpu = nullptr);

// The estimates from R x S rows (the realizations pooled per sequence).
void summarize_rows(const double* rows, long R, long S, int n_layers, CleanScore& clean, NoisyScore& noisy);

// The relative standard error of the noisy perplexity (= the standard error of the mean NLL,
// by the delta method) from R x S rows; +inf when undefined.
double ppl_rse(const double* rows, long R, long S, int n_layers);

// Scores the clean model once, then each scheme over n_realizations x sequences items.
void evaluate_ppl(const Transformer& model, const std::vector<std::vector<int>>& seqs, const TpPlan& plan,
                  const std::vector<const AllReduce*>& schemes, int n_realizations, CleanScore& clean,
                  std::vector<NoisyScore>& noisy, const std::function<void(long)>& progress = {},
                  const GpuTransformer* gpu = nullptr);

// Ratio estimator sum(a)/sum(b) with its delta-method standard error over independent units.
Estimate ratio_estimate(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace airtp
