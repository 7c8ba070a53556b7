// The device side of GpuTransformer (kernels/transformer_cuda.cu), called from the host side
// (host/model/transformer_gpu.cpp). Plain C++: the host side is compiled by g++ with OpenMP,
// which the host round trip of a non-exact all-reduce uses.
#pragma once
#include <functional>
#include <vector>

#include "kernels/model_weights.hpp"
#include "kernels/tp_plan.hpp"

namespace airtp::gpu {

struct DeviceModel;

// Uploads the weights and the RoPE tables ([pos][head_dim / 2]).
DeviceModel* create_model(const ModelWeights& w, const std::vector<float>& rope_cos, const std::vector<float>& rope_sin);
void destroy_model(DeviceModel* m);

// What the forward pass does with the N partial blocks of a non-exact all-reduce: parts are
// N x (B x T x dim) floats in host memory, red receives B x T x dim.
using HostReduce = std::function<void(int layer, int which, const float* parts, float* red)>;

// tokens B x T, lens[b] in 1..T (checked by the caller). host_reduce == nullptr: the exact sum
// on the device, and ref2 (when not null, B x 2 n_layers) receives each sequence's squared norm
// of every exact sum over its own rows. logits: B x T x vocab, host memory.
void forward(DeviceModel* m, const int* tokens, int B, int T, const int* lens, const TpPlan& plan,
             const HostReduce* host_reduce, float* logits, double* ref2);

// Activation floats on the device per token row of a forward call with N partial blocks and
// batch length T (the budget of GpuTransformer::max_batch).
long floats_per_row(const ModelConfig& c, int n_dev, int T);

}  // namespace airtp::gpu
