// CPU forward pass of a LLaMA-family model (RMSNorm, RoPE on consecutive pairs within each
// head as llama2.c and llama.cpp's `llama` do, or on halves (NEOX, `qwen2`), grouped-query
// attention, optional Q/K/V biases, SwiGLU MLP), split by tensor parallelism according to a
// TpPlan with every all-reduce put through an AllReduce scheme. The matrix products run on
// host/model/gemm_cpu.hpp (AVX2 + FMA when the CPU has it), single-threaded per sequence.
//
// One code path serves scoring and generation: forward() runs the tokens at positions
// [pos0, pos0 + T) against a KV cache that holds positions [0, pos0). Scoring a whole
// sequence is forward(pos0 = 0, T = length); generation is a prefill then T = 1 steps.
//
// The column-parallel parts (Q/K/V, gate/up) give every device exactly the columns it would
// compute itself, so they are computed once for all devices; the row-parallel parts (the
// attention output projection and the MLP down projection) are computed per device from its
// heads and neurons, and those N partial blocks go through the all-reduce.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "host/model/allreduce.hpp"
#include "host/model/tp_split.hpp"
#include "kernels/model_weights.hpp"

namespace airtp {

// RoPE rotation tables [pos][head_dim / 2] for positions 0..seq_len-1, in the single-precision
// formula of llama2.c (shared by the CPU and the CUDA forward so both rotate identically).
void rope_tables(const ModelConfig& c, std::vector<float>& cos_out, std::vector<float>& sin_out);

struct KvCache {
  int max_len = 0, kv_dim = 0, n_layers = 0;
  std::vector<float> k, v;  // [layer][pos][kv_dim]
};

// Squared error and squared reference norm of every all-reduce, by (layer, which).
struct ReduceStats {
  std::vector<double> err2, ref2;  // [layer * 2 + which]
  void reset(int n_layers) { err2.assign(2 * n_layers, 0.0); ref2.assign(2 * n_layers, 0.0); }
};

// One all-reduce of a forward pass (CPU and the GPU's host round trip): `out` receives the
// scheme's sum of the n_dev blocks (rows x dim, row-major); `stats`, when given, accumulates at
// [2 ctx.layer + ctx.which] the squared error against the exact sum and the exact sum's squared
// norm (in double). A non-finite result is a NumericalError naming the scheme and the layer.
void reduce_checked(const AllReduce& ar, const float* const* parts, int n_dev, int rows, int dim,
                    const AllReduceContext& ctx, float* out, ReduceStats* stats);

class Transformer {
 public:
  explicit Transformer(const ModelWeights& w);
  const ModelConfig& cfg() const { return w_.cfg; }
  const ModelWeights& weights() const { return w_; }

  KvCache make_cache(int max_len) const;

  // logits receives T x vocab floats (row t predicts the token after position pos0 + t).
  // stats, when given, accumulates each all-reduce's error against the exact sum.
  void forward(const int* tokens, int T, int pos0, KvCache& cache, const TpPlan& plan, const AllReduce& ar,
               const AllReduceContext& ctx, float* logits, ReduceStats* stats = nullptr) const;

  // Unsplit, exact: logits of a whole sequence (T x vocab).
  std::vector<float> logits(const std::vector<int>& tokens) const;

  // Greedy decoding: feeds the prompt, then appends argmax tokens until `steps` new tokens
  // or the context is full (stops early at BOS/EOS, as llama2.c does at BOS).
  std::vector<int> generate_greedy(const std::vector<int>& prompt, int steps, const TpPlan& plan, const AllReduce& ar,
                                   uint64_t realization = 0, int stop_token = 1) const;

 private:
  const ModelWeights& w_;
  std::vector<float> rope_cos_, rope_sin_;  // [pos][head_dim / 2]
};

// One item of a batch: a token sequence under one realization.
struct BatchItem {
  const std::vector<int>* tokens;
  uint64_t sequence;
  uint64_t realization;
};

// Full-sequence evaluation of many items at once (OpenMP over items, dynamic schedule). The
// sink runs on the worker thread with the item's logits (T x vocab) and its all-reduce
// statistics; it must only write to per-item storage. Results do not depend on the thread
// count: each item is computed independently and deterministically.
void run_batch(const Transformer& model, const std::vector<BatchItem>& items, const TpPlan& plan, const AllReduce& ar,
               const std::function<void(size_t item, const float* logits, int T, const ReduceStats& stats)>& sink);

}  // namespace airtp
