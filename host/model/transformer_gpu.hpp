// CUDA forward pass of the transformer (cuBLAS GEMMs, small kernels for the rest), with the
// CPU Transformer (host/model/transformer.hpp) as its reference: same split, same all-reduce
// schemes, logits equal to rounding. Plain C++ header: no CUDA types, so host code and the
// build without CUDA include it too (there every constructor throws).
//
// A batch of B sequences is evaluated at once, each from position 0 (full-sequence causal
// scoring, no KV cache). Sequences shorter than the batch length T are padded: causal
// attention never lets a row see later positions, so padding does not change a sequence's
// rows, and the all-reduce schemes are handed only a sequence's own rows.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "host/model/allreduce.hpp"
#include "kernels/exact_sum_gpu.hpp"
#include "host/model/tp_split.hpp"
#include "host/model/transformer.hpp"
#include "kernels/model_weights.hpp"

namespace airtp {

namespace gpu {
struct DeviceModel;  // kernels/transformer_cuda.cu
}

class GpuTransformer {
 public:
  // Uploads the weights (float32) to the current CUDA device. Throws std::runtime_error when
  // this binary has no CUDA backend or no GPU is visible, InputError for a model with Q/K/V
  // biases or the NEOX rotary layout (qwen2: CPU forward only). `w` must outlive the object.
  explicit GpuTransformer(const ModelWeights& w);
  ~GpuTransformer();
  GpuTransformer(const GpuTransformer&) = delete;
  GpuTransformer& operator=(const GpuTransformer&) = delete;

  const ModelConfig& cfg() const { return w_.cfg; }

  // tokens: B x T (row-major); lens[b] in 1..T is sequence b's length (nullptr: all T), rows
  // past it are padding (any valid token id). ctx[b] gives the realization and sequence id of
  // sequence b (layer, which and pos0 are set here). logits receives B x T x vocab floats
  // (rows past lens[b] are unspecified). stats, when given, points at B ReduceStats that
  // accumulate each all-reduce's error against the exact sum over the sequence's own rows.
  // An ExactAllReduce is summed on the device; any other scheme gets the partial blocks on the
  // host, one call of ar.reduce per sequence. One call at a time per object (not thread-safe).
  void forward(const int* tokens, int B, int T, const int* lens, const TpPlan& plan, const AllReduce& ar,
               const AllReduceContext* ctx, float* logits, ReduceStats* stats = nullptr) const;

  // Sequences of length T that fit one forward call under the activation memory budget.
  int max_batch(int T, int n_dev) const;

 private:
  const ModelWeights& w_;
  gpu::DeviceModel* dev_ = nullptr;
};

// run_batch (host/model/transformer.hpp) on the GPU: same items, same sink contract (the sink
// may run on several host threads at once and must only write to per-item storage). Items are
// sorted by length and batched, so sinks are not called in item order.
void run_batch_gpu(const GpuTransformer& model, const std::vector<BatchItem>& items, const TpPlan& plan,
                   const AllReduce& ar,
                   const std::function<void(size_t item, const float* logits, int T, const ReduceStats& stats)>& sink);

// The host round trip of a non-exact scheme: parts holds N blocks of B x T x dim (device n's
// block at parts + n * B * T * dim); each sequence's first lens[b] rows go through one
// ar.reduce call with ctx[b] (layer and which set, pos0 = 0); red receives B x T x dim with the
// padding rows zero. Accumulates stats (B of them, or nullptr) like the CPU forward and throws
// NumericalError on a non-finite result. Sequences run in parallel (OpenMP).
void reduce_blocks_on_host(const AllReduce& ar, const float* parts, int n_dev, int B, int T, int dim, const int* lens,
                           const AllReduceContext* ctx, int layer, int which, float* red, ReduceStats* stats);

}  // namespace airtp
