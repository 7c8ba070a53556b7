// Device side of GpuTransformer: the weights in GPU memory and the forward pass of a batch,
// cuBLAS for every matrix product and kernels/transformer_ops.cu for the rest. The steps and
// the tensor-parallel split follow Transformer::forward (host/model/transformer.cpp).
//
// cuBLAS is column-major; a row-major matrix [rows][cols] is the column-major matrix
// [cols][rows], so every product Y = X W^T of row-major matrices is computed as the
// column-major Y^T = W^T(col) X^T(col): gemm(OP_T, OP_N) with W as the first operand.
#include "kernels/cublas_loader.hpp"
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "kernels/transformer_device.hpp"
#include "kernels/exact_sum_gpu.hpp"
#include "kernels/transformer_ops.cuh"

namespace airtp::gpu {

namespace {

void check_cublas(cublasStatus_t st, const char* what) {
  if (st != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + " failed: cuBLAS status " + std::to_string((int)st));
}

// Device memory of T elements that grows on demand (contents are not kept when it grows).
template <class T>
struct DeviceBuf {
  T* p = nullptr;
  size_t n = 0;
  DeviceBuf() = default;
  DeviceBuf(DeviceBuf&& o) noexcept : p(o.p), n(o.n) { o.p = nullptr, o.n = 0; }  // for std::vector<LayerBufs>
  DeviceBuf(const DeviceBuf&) = delete;
  DeviceBuf& operator=(const DeviceBuf&) = delete;
  ~DeviceBuf() { cudaFree(p); }
  void reserve(size_t want) {
    if (want <= n) return;
    cudaFree(p);
    p = nullptr;
    n = 0;
    check_cuda(cudaMalloc(&p, want * sizeof(T)), "cudaMalloc");
    n = want;
  }
  void upload(const std::vector<T>& v) {
    reserve(std::max<size_t>(v.size(), 1));
    check_cuda(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy (weights)");
  }
};

// Pinned host memory (fast copies for the host round trip), grows on demand.
struct PinnedBuf {
  float* p = nullptr;
  size_t n = 0;
  ~PinnedBuf() { cudaFreeHost(p); }
  void reserve(size_t want) {
    if (want <= n) return;
    cudaFreeHost(p);
    p = nullptr;
    n = 0;
    check_cuda(cudaMallocHost(&p, want * sizeof(float)), "cudaMallocHost");
    n = want;
  }
};

struct LayerBufs {
  DeviceBuf<float> attn_norm, wq, wk, wv, wo, ffn_norm, w1, w2, w3;
};

}  // namespace

struct DeviceModel {
  ModelConfig cfg;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  std::vector<LayerBufs> layers;
  DeviceBuf<float> tok_embedding, final_norm, classifier, rope_cos, rope_sin;
  // Activations of the current batch (M = B x T rows).
  DeviceBuf<int> tokens, lens;
  DeviceBuf<float> x, xn, q, k, v, att, h1, h3, parts, red, scores, logits;
  DeviceBuf<double> ref2;
  PinnedBuf parts_host, red_host;

  ~DeviceModel() {
    if (blas) cublas().destroy(blas);
    if (stream) cudaStreamDestroy(stream);
  }
  const float* output_matrix() const { return classifier.n ? classifier.p : tok_embedding.p; }
};

namespace {

// Y[M][out] = alpha X[M][k] W[out][k]^T (row-major, row strides ldx, ldw, ldy).
void gemm_xwt(cublasHandle_t h, int M, int out, int k, const float* X, int ldx, const float* W, int ldw, float* Y,
              int ldy, const char* what) {
  const float one = 1.0f, zero = 0.0f;
  check_cublas(cublas().sgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, out, M, k, &one, W, ldw, X, ldx, &zero, Y, ldy), what);
}

void sync(DeviceModel& m) { check_cuda(cudaStreamSynchronize(m.stream), "cudaStreamSynchronize"); }

// Causal attention of every query head over its KV head, per head batched over the B
// sequences: scores = (Q_h K_kvh^T) / sqrt(hs), softmax, att_h = scores V_kvh.
void attention(DeviceModel& m, int B, int T) {
  const ModelConfig& c = m.cfg;
  const int dim = c.dim, hs = c.head_dim(), kvd = c.n_kv_heads * hs, group = c.n_heads / c.n_kv_heads;
  const float scale = 1.0f / std::sqrt((float)hs), one = 1.0f, zero = 0.0f;
  const long sq = (long)T * dim, sk = (long)T * kvd, ss = (long)T * T;
  for (int h = 0; h < c.n_heads; ++h) {
    const int kvh = h / group;
    // scores_b[t][p] = scale * q_b[t] . k_b[p]   (row-major T x T per sequence)
    check_cublas(cublas().sgemm_strided_batched(m.blas, CUBLAS_OP_T, CUBLAS_OP_N, T, T, hs, &scale, m.k.p + kvh * hs, kvd,
                                           sk, m.q.p + h * hs, dim, sq, &zero, m.scores.p, T, ss, B),
                 "cublasSgemmStridedBatched (attention scores)");
    launch_causal_softmax(m.scores.p, B, T, m.stream);
    // att_b[t][h*hs + i] = sum_p scores_b[t][p] v_b[p][kvh*hs + i]
    check_cublas(cublas().sgemm_strided_batched(m.blas, CUBLAS_OP_N, CUBLAS_OP_N, hs, T, T, &one, m.v.p + kvh * hs, kvd, sk,
                                           m.scores.p, T, ss, &zero, m.att.p + h * hs, dim, sq, B),
                 "cublasSgemmStridedBatched (attention values)");
  }
}

// The all-reduce of the N partial blocks in m.parts into the residual stream x.
void all_reduce(DeviceModel& m, int B, int T, int n_dev, int layer, int which, const HostReduce* host_reduce,
                bool want_ref2) {
  const long n = (long)B * T * m.cfg.dim;
  if (!host_reduce) {
    if (!want_ref2) {
      launch_sum_partials(m.parts.p, n_dev, n, m.x.p, true, m.stream);
      return;
    }
    launch_sum_partials(m.parts.p, n_dev, n, m.red.p, false, m.stream);
    launch_seq_sumsq(m.red.p, m.lens.p, B, T, m.cfg.dim, m.ref2.p + 2 * layer + which, 2 * m.cfg.n_layers, m.stream);
    launch_add(m.x.p, m.red.p, n, m.stream);
    return;
  }
  check_cuda(cudaMemcpyAsync(m.parts_host.p, m.parts.p, n_dev * n * sizeof(float), cudaMemcpyDeviceToHost, m.stream),
             "cudaMemcpyAsync (partial blocks to host)");
  sync(m);
  (*host_reduce)(layer, which, m.parts_host.p, m.red_host.p);
  check_cuda(cudaMemcpyAsync(m.red.p, m.red_host.p, n * sizeof(float), cudaMemcpyHostToDevice, m.stream),
             "cudaMemcpyAsync (all-reduce result to device)");
  launch_add(m.x.p, m.red.p, n, m.stream);
}

void reserve(DeviceModel& m, int B, int T, int n_dev, bool host_round_trip) {
  const ModelConfig& c = m.cfg;
  const size_t M = (size_t)B * T, kvd = (size_t)c.n_kv_heads * c.head_dim();
  m.tokens.reserve(M);
  m.lens.reserve(B);
  for (DeviceBuf<float>* b : {&m.x, &m.xn, &m.q, &m.att, &m.red}) b->reserve(M * c.dim);
  m.k.reserve(M * kvd);
  m.v.reserve(M * kvd);
  m.h1.reserve(M * c.hidden_dim);
  m.h3.reserve(M * c.hidden_dim);
  m.parts.reserve(M * c.dim * n_dev);
  m.scores.reserve(M * T);
  m.logits.reserve(M * c.vocab_size);
  m.ref2.reserve((size_t)B * 2 * c.n_layers);
  if (host_round_trip) {
    m.parts_host.reserve(M * c.dim * n_dev);
    m.red_host.reserve(M * c.dim);
  }
}

}  // namespace

DeviceModel* create_model(const ModelWeights& w, const std::vector<float>& rope_cos, const std::vector<float>& rope_sin) {
  auto m = std::make_unique<DeviceModel>();
  m->cfg = w.cfg;
  check_cuda(cudaStreamCreate(&m->stream), "cudaStreamCreate");
  check_cublas(cublas().create(&m->blas), "cublasCreate");
  check_cublas(cublas().set_stream(m->blas, m->stream), "cublasSetStream");
  // Plain FP32 products: the default math mode never uses TF32 tensor cores for SGEMM (that
  // takes CUBLAS_TF32_TENSOR_OP_MATH), so the logits match the CPU forward to float rounding.
  check_cublas(cublas().set_math_mode(m->blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  m->layers.resize(w.layers.size());
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const LayerWeights& L = w.layers[l];
    LayerBufs& D = m->layers[l];
    D.attn_norm.upload(L.attn_norm), D.wq.upload(L.wq), D.wk.upload(L.wk), D.wv.upload(L.wv), D.wo.upload(L.wo);
    D.ffn_norm.upload(L.ffn_norm), D.w1.upload(L.w1), D.w2.upload(L.w2), D.w3.upload(L.w3);
  }
  m->tok_embedding.upload(w.tok_embedding);
  m->final_norm.upload(w.final_norm);
  if (!w.classifier.empty()) m->classifier.upload(w.classifier);
  m->rope_cos.upload(rope_cos);
  m->rope_sin.upload(rope_sin);
  return m.release();
}

void destroy_model(DeviceModel* m) { delete m; }

long floats_per_row(const ModelConfig& c, int n_dev, int T) {
  const long kvd = (long)c.n_kv_heads * c.head_dim();
  return 5L * c.dim + 2 * kvd + 2L * c.hidden_dim + (long)n_dev * c.dim + T + c.vocab_size;
}

void forward(DeviceModel* mp, const int* tokens, int B, int T, const int* lens, const TpPlan& plan,
             const HostReduce* host_reduce, float* logits, double* ref2) {
  DeviceModel& m = *mp;
  const ModelConfig& c = m.cfg;
  const int dim = c.dim, hs = c.head_dim(), kvd = c.n_kv_heads * hs, hid = c.hidden_dim, N = plan.n_dev;
  const int M = B * T;
  reserve(m, B, T, N, host_reduce != nullptr);
  check_cuda(cudaMemcpyAsync(m.tokens.p, tokens, (size_t)M * sizeof(int), cudaMemcpyHostToDevice, m.stream),
             "cudaMemcpyAsync (tokens)");
  check_cuda(cudaMemcpyAsync(m.lens.p, lens, (size_t)B * sizeof(int), cudaMemcpyHostToDevice, m.stream),
             "cudaMemcpyAsync (lengths)");
  launch_embed(m.tokens.p, m.tok_embedding.p, M, dim, m.x.p, m.stream);
  const long block = (long)M * dim;
  for (int l = 0; l < c.n_layers; ++l) {
    const LayerBufs& L = m.layers[l];
    launch_rmsnorm(m.x.p, L.attn_norm.p, M, dim, c.norm_eps, m.xn.p, m.stream);
    gemm_xwt(m.blas, M, dim, dim, m.xn.p, dim, L.wq.p, dim, m.q.p, dim, "cublasSgemm (wq)");
    gemm_xwt(m.blas, M, kvd, dim, m.xn.p, dim, L.wk.p, dim, m.k.p, kvd, "cublasSgemm (wk)");
    gemm_xwt(m.blas, M, kvd, dim, m.xn.p, dim, L.wv.p, dim, m.v.p, kvd, "cublasSgemm (wv)");
    launch_rope(m.q.p, m.k.p, m.rope_cos.p, m.rope_sin.p, M, T, dim, kvd, hs, m.stream);
    attention(m, B, T);
    // Row-parallel output projection: device n multiplies its heads' columns of att and wo.
    for (int n = 0; n < N; ++n) {
      const DeviceShard& d = plan.dev[n];
      float* part = m.parts.p + n * block;
      if (d.n_q_heads == 0) {
        check_cuda(cudaMemsetAsync(part, 0, block * sizeof(float), m.stream), "cudaMemsetAsync (empty shard)");
        continue;
      }
      gemm_xwt(m.blas, M, dim, d.n_q_heads * hs, m.att.p + d.q_head0 * hs, dim, L.wo.p + d.q_head0 * hs, dim, part,
               dim, "cublasSgemm (wo shard)");
    }
    all_reduce(m, B, T, N, l, 0, host_reduce, ref2 != nullptr);

    launch_rmsnorm(m.x.p, L.ffn_norm.p, M, dim, c.norm_eps, m.xn.p, m.stream);
    gemm_xwt(m.blas, M, hid, dim, m.xn.p, dim, L.w1.p, dim, m.h1.p, hid, "cublasSgemm (w1)");
    gemm_xwt(m.blas, M, hid, dim, m.xn.p, dim, L.w3.p, dim, m.h3.p, hid, "cublasSgemm (w3)");
    launch_swiglu(m.h1.p, m.h3.p, (long)M * hid, m.stream);
    // Row-parallel down projection: device n multiplies its neurons' columns of h1 and w2.
    for (int n = 0; n < N; ++n) {
      const DeviceShard& d = plan.dev[n];
      float* part = m.parts.p + n * block;
      if (d.n_hid == 0) {
        check_cuda(cudaMemsetAsync(part, 0, block * sizeof(float), m.stream), "cudaMemsetAsync (empty shard)");
        continue;
      }
      gemm_xwt(m.blas, M, dim, d.n_hid, m.h1.p + d.hid0, hid, L.w2.p + d.hid0, hid, part, dim,
               "cublasSgemm (w2 shard)");
    }
    all_reduce(m, B, T, N, l, 1, host_reduce, ref2 != nullptr);
  }
  launch_rmsnorm(m.x.p, m.final_norm.p, M, dim, c.norm_eps, m.xn.p, m.stream);
  gemm_xwt(m.blas, M, c.vocab_size, dim, m.xn.p, dim, m.output_matrix(), dim, m.logits.p, c.vocab_size,
           "cublasSgemm (output)");
  check_cuda(cudaMemcpyAsync(logits, m.logits.p, (size_t)M * c.vocab_size * sizeof(float), cudaMemcpyDeviceToHost,
                             m.stream),
             "cudaMemcpyAsync (logits to host)");
  if (ref2 && !host_reduce)
    check_cuda(cudaMemcpyAsync(ref2, m.ref2.p, (size_t)B * 2 * c.n_layers * sizeof(double), cudaMemcpyDeviceToHost,
                               m.stream),
               "cudaMemcpyAsync (all-reduce norms to host)");
  sync(m);
}

}  // namespace airtp::gpu

namespace airtp {

// ---- ExactSumGpu: the all-reduce kernel alone --------------------------------------------

ExactSumGpu::ExactSumGpu(int n_dev, long n) : n_dev_(n_dev), n_(n) {
  if (n_dev < 1 || n < 1) throw std::runtime_error("ExactSumGpu: need at least one block of one float");
  gpu::check_cuda(cudaMalloc(&parts_, (size_t)n_dev * n * sizeof(float)), "cudaMalloc (partial blocks)");
  if (cudaMalloc(&out_, (size_t)n * sizeof(float)) != cudaSuccess) {
    cudaFree(parts_);
    throw std::runtime_error("cudaMalloc (sum) failed");
  }
}

ExactSumGpu::~ExactSumGpu() {
  cudaFree(parts_);
  cudaFree(out_);
}

void ExactSumGpu::upload(const float* parts) {
  gpu::check_cuda(cudaMemcpy(parts_, parts, (size_t)n_dev_ * n_ * sizeof(float), cudaMemcpyHostToDevice),
                  "cudaMemcpy (partial blocks)");
}

double ExactSumGpu::time(int reps) {
  cudaEvent_t start, stop;
  gpu::check_cuda(cudaEventCreate(&start), "cudaEventCreate");
  gpu::check_cuda(cudaEventCreate(&stop), "cudaEventCreate");
  float ms = 0;
  try {
    gpu::check_cuda(cudaEventRecord(start), "cudaEventRecord");
    for (int r = 0; r < reps; ++r) gpu::launch_sum_partials(parts_, n_dev_, n_, out_, false, nullptr);
    gpu::check_cuda(cudaEventRecord(stop), "cudaEventRecord");
    gpu::check_cuda(cudaEventSynchronize(stop), "cudaEventSynchronize");
    gpu::check_cuda(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
  } catch (...) {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    throw;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return 1e-3 * ms / std::max(1, reps);
}

void ExactSumGpu::download(float* out) const {
  gpu::check_cuda(cudaMemcpy(out, out_, (size_t)n_ * sizeof(float), cudaMemcpyDeviceToHost), "cudaMemcpy (sum)");
}

}  // namespace airtp
