// Small CUDA kernels of the transformer forward (kernels/transformer_ops.cu): everything but
// the matrix products, which are cuBLAS. Each launcher checks the launch and throws
// std::runtime_error naming the kernel. All arrays are device memory, row-major.
#pragma once
#include <cuda_runtime.h>

namespace airtp::gpu {

// Throws std::runtime_error("<what> failed: <CUDA error>") unless e is cudaSuccess.
void check_cuda(cudaError_t e, const char* what);

// x[r] = emb[tokens[r]] for rows r < rows (token ids checked by the caller).
void launch_embed(const int* tokens, const float* emb, int rows, int dim, float* x, cudaStream_t s);

// out[r] = x[r] * g / sqrt(mean(x[r]^2) + eps), as host/model/transformer.cpp's rmsnorm.
void launch_rmsnorm(const float* x, const float* g, int rows, int dim, float eps, float* out, cudaStream_t s);

// RoPE on consecutive pairs within each head of q (rows x dim) and k (rows x kvd); row r sits
// at position r % T. cos/sin: [pos][head_dim / 2].
void launch_rope(float* q, float* k, const float* cos_t, const float* sin_t, int rows, int T, int dim, int kvd,
                 int head_dim, cudaStream_t s);

// Causal softmax of B score blocks T x T in place: row t keeps positions 0..t, the rest is 0.
void launch_causal_softmax(float* scores, int B, int T, cudaStream_t s);

// h1 = silu(h1) * h3 over n values.
void launch_swiglu(float* h1, const float* h3, long n, cudaStream_t s);

// The exact all-reduce: r = parts[0] + parts[1] + ... (in device order, as ExactAllReduce)
// over n floats, the N blocks back to back (block d at parts + d * n). accumulate: out += r,
// else out = r.
void launch_sum_partials(const float* parts, int n_dev, long n, float* out, bool accumulate, cudaStream_t s);

// x += y over n values.
void launch_add(float* x, const float* y, long n, cudaStream_t s);

// out[b * out_stride] = sum of squares (double) of the first lens[b] rows (of dim floats) of
// block b (T x dim) of y, for b < B. Deterministic: one thread block per sequence.
void launch_seq_sumsq(const float* y, const int* lens, int B, int T, int dim, double* out, int out_stride,
                      cudaStream_t s);

}  // namespace airtp::gpu
