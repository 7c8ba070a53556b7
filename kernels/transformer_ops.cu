// Small CUDA kernels of the transformer forward (declared in kernels/transformer_ops.cuh).
// Float formulas follow host/model/transformer.cpp so the CUDA logits equal the CPU ones to
// rounding (precise expf / sqrtf: no fast-math intrinsics).
#include "kernels/transformer_ops.cuh"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace airtp::gpu {

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(e));
}

namespace {

constexpr int kThreads = 256;

// Grid size for a grid-stride loop over n items: enough blocks to fill the GPU, never 0.
int grid_for(long n) { return (int)std::max(1L, std::min((n + kThreads - 1) / kThreads, 65535L * 8)); }

template <class T>
__device__ T warp_sum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the thread block (blockDim.x a multiple of 32, at most 1024); every thread gets it.
template <class T>
__device__ T block_sum(T v) {
  __shared__ T part[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, n_warps = blockDim.x / 32;
  v = warp_sum(v);
  __syncthreads();  // part[] may still be read by a previous call
  if (lane == 0) part[warp] = v;
  __syncthreads();
  v = lane < n_warps ? part[lane] : T(0);
  return warp_sum(v);
}

__global__ void embed_kernel(const int* tokens, const float* emb, int rows, int dim, float* x) {
  const long n = (long)rows * dim;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
    const long r = i / dim;
    x[i] = emb[(long)tokens[r] * dim + (i - r * dim)];
  }
}

// One thread block per row.
__global__ void rmsnorm_kernel(const float* x, const float* g, int dim, float eps, float* out) {
  const float* xr = x + (long)blockIdx.x * dim;
  float* orow = out + (long)blockIdx.x * dim;
  float ss = 0.f;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) ss += xr[i] * xr[i];
  ss = block_sum(ss) / (float)dim + eps;
  const float inv = 1.0f / sqrtf(ss);
  for (int i = threadIdx.x; i < dim; i += blockDim.x) orow[i] = xr[i] * g[i] * inv;
}

// One thread per (row, pair of q); k shares the pair index while it lies within kvd.
__global__ void rope_kernel(float* q, float* k, const float* cos_t, const float* sin_t, int rows, int T, int dim,
                            int kvd, int hs) {
  const int half_dim = dim / 2, half = hs / 2;
  const long n = (long)rows * half_dim;
  for (long idx = blockIdx.x * (long)blockDim.x + threadIdx.x; idx < n; idx += (long)gridDim.x * blockDim.x) {
    const long r = idx / half_dim;
    const int i = 2 * (int)(idx - r * half_dim);  // even column
    const int j = (i % hs) / 2;
    const long p = (r % T) * half + j;
    const float c = cos_t[p], s = sin_t[p];
    float* qp = q + r * dim + i;
    const float q0 = qp[0], q1 = qp[1];
    qp[0] = q0 * c - q1 * s;
    qp[1] = q0 * s + q1 * c;
    if (i < kvd) {
      float* kp = k + r * kvd + i;
      const float k0 = kp[0], k1 = kp[1];
      kp[0] = k0 * c - k1 * s;
      kp[1] = k0 * s + k1 * c;
    }
  }
}

// One warp per score row.
__global__ void causal_softmax_kernel(float* scores, long n_rows, int T) {
  const long row = blockIdx.x * (long)(blockDim.x / 32) + threadIdx.x / 32;
  if (row >= n_rows) return;
  const int lane = threadIdx.x % 32, nv = (int)(row % T) + 1;
  float* r = scores + row * T;
  float mx = -INFINITY;
  for (int p = lane; p < nv; p += 32) mx = fmaxf(mx, r[p]);
  mx = warp_max(mx);
  float sum = 0.f;
  for (int p = lane; p < nv; p += 32) {
    const float e = expf(r[p] - mx);
    r[p] = e;
    sum += e;
  }
  sum = warp_sum(sum);
  for (int p = lane; p < T; p += 32) r[p] = p < nv ? r[p] / sum : 0.f;
}

__global__ void swiglu_kernel(float* h1, const float* h3, long n) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
    const float a = h1[i];
    h1[i] = a / (1.0f + expf(-a)) * h3[i];
  }
}

// float4 path of the all-reduce: n4 groups of 4 floats, every block 16-byte aligned.
__global__ void sum_partials4_kernel(const float4* parts, int n_dev, long n4, float4* out, bool accumulate) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n4; i += (long)gridDim.x * blockDim.x) {
    float4 r = parts[i];
#pragma unroll 4
    for (int d = 1; d < n_dev; ++d) {
      const float4 p = parts[(long)d * n4 + i];
      r.x += p.x, r.y += p.y, r.z += p.z, r.w += p.w;
    }
    if (accumulate) {
      const float4 o = out[i];
      r.x = o.x + r.x, r.y = o.y + r.y, r.z = o.z + r.z, r.w = o.w + r.w;
    }
    out[i] = r;
  }
}

__global__ void sum_partials_kernel(const float* parts, int n_dev, long n, float* out, bool accumulate) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
    float r = parts[i];
    for (int d = 1; d < n_dev; ++d) r += parts[(long)d * n + i];
    out[i] = accumulate ? out[i] + r : r;
  }
}

__global__ void add_kernel(float* x, const float* y, long n) {
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) x[i] += y[i];
}

// One thread block per sequence; fixed reduction order, so the result is reproducible.
__global__ void seq_sumsq_kernel(const float* y, const int* lens, int T, int dim, double* out, int out_stride) {
  const int b = blockIdx.x;
  const float* blk = y + (long)b * T * dim;
  const long n = (long)lens[b] * dim;
  double s = 0;
  for (long i = threadIdx.x; i < n; i += blockDim.x) s += (double)blk[i] * (double)blk[i];
  s = block_sum(s);
  if (threadIdx.x == 0) out[(long)b * out_stride] = s;
}

void check_launch(const char* kernel) { check_cuda(cudaGetLastError(), kernel); }

}  // namespace

void launch_embed(const int* tokens, const float* emb, int rows, int dim, float* x, cudaStream_t s) {
  embed_kernel<<<grid_for((long)rows * dim), kThreads, 0, s>>>(tokens, emb, rows, dim, x);
  check_launch("embed_kernel");
}

void launch_rmsnorm(const float* x, const float* g, int rows, int dim, float eps, float* out, cudaStream_t s) {
  const int threads = std::min(kThreads, std::max(32, (dim + 31) / 32 * 32));
  rmsnorm_kernel<<<rows, threads, 0, s>>>(x, g, dim, eps, out);
  check_launch("rmsnorm_kernel");
}

void launch_rope(float* q, float* k, const float* cos_t, const float* sin_t, int rows, int T, int dim, int kvd,
                 int head_dim, cudaStream_t s) {
  rope_kernel<<<grid_for((long)rows * dim / 2), kThreads, 0, s>>>(q, k, cos_t, sin_t, rows, T, dim, kvd, head_dim);
  check_launch("rope_kernel");
}

void launch_causal_softmax(float* scores, int B, int T, cudaStream_t s) {
  const long rows = (long)B * T;
  const int warps = kThreads / 32;
  causal_softmax_kernel<<<(unsigned)((rows + warps - 1) / warps), kThreads, 0, s>>>(scores, rows, T);
  check_launch("causal_softmax_kernel");
}

void launch_swiglu(float* h1, const float* h3, long n, cudaStream_t s) {
  swiglu_kernel<<<grid_for(n), kThreads, 0, s>>>(h1, h3, n);
  check_launch("swiglu_kernel");
}

void launch_sum_partials(const float* parts, int n_dev, long n, float* out, bool accumulate, cudaStream_t s) {
  const bool aligned = n % 4 == 0 && (size_t)parts % 16 == 0 && (size_t)out % 16 == 0;
  if (aligned) {
    sum_partials4_kernel<<<grid_for(n / 4), kThreads, 0, s>>>(reinterpret_cast<const float4*>(parts), n_dev, n / 4,
                                                               reinterpret_cast<float4*>(out), accumulate);
    check_launch("sum_partials4_kernel");
  } else {
    sum_partials_kernel<<<grid_for(n), kThreads, 0, s>>>(parts, n_dev, n, out, accumulate);
    check_launch("sum_partials_kernel");
  }
}

void launch_add(float* x, const float* y, long n, cudaStream_t s) {
  add_kernel<<<grid_for(n), kThreads, 0, s>>>(x, y, n);
  check_launch("add_kernel");
}

void launch_seq_sumsq(const float* y, const int* lens, int B, int T, int dim, double* out, int out_stride,
                      cudaStream_t s) {
  seq_sumsq_kernel<<<B, kThreads, 0, s>>>(y, lens, T, dim, out, out_stride);
  check_launch("seq_sumsq_kernel");
}

}  // namespace airtp::gpu
