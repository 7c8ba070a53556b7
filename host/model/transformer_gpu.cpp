// Host side of GpuTransformer (host/model/transformer_gpu.hpp): input checks, the choice between
// the on-device exact sum and the host round trip of other schemes, batching for
// run_batch_gpu. Compiled by g++ in every build; without the CUDA backend the constructors
// throw, as kernels/batch_cpu.cpp's require_cuda does for the batched kernels.
#include "host/model/transformer_gpu.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "host/common/errors.hpp"
#include "kernels/backend.hpp"
#include "kernels/transformer_device.hpp"

namespace airtp {

void reduce_blocks_on_host(const AllReduce& ar, const float* parts, int N, int B, int T, int dim, const int* lens,
                           const AllReduceContext* ctx, int layer, int which, float* red, ReduceStats* stats) {
  const long block = (long)B * T * dim;
  FirstError err;
#pragma omp parallel for schedule(dynamic, 1)
  for (int b = 0; b < B; ++b) {
    try {
      const long off = (long)b * T * dim, n = (long)lens[b] * dim;
      std::vector<const float*> pp(N);
      for (int d = 0; d < N; ++d) pp[d] = parts + d * block + off;
      AllReduceContext c = ctx[b];
      c.layer = layer;
      c.which = which;
      c.pos0 = 0;
      float* out = red + off;
      reduce_checked(ar, pp.data(), N, lens[b], dim, c, out, stats ? &stats[b] : nullptr);
      std::fill(out + n, out + (long)T * dim, 0.f);  // padding rows add nothing
    } catch (const std::exception& e) {
      err.record(e);
    }
  }
  err.rethrow();
}

namespace {
// Features of ModelWeights the CUDA kernels do not implement (yet): an InputError in every
// build, so the choice of backend never changes what a model is refused for.
void refuse_unsupported(const ModelWeights& w) {
  if (w.has_qkv_bias() || w.cfg.rope_neox)
    throw InputError("model '" + w.cfg.name + "': the CUDA forward does not implement Q/K/V biases and the NEOX " +
                     "rotary layout (qwen2); run it on the CPU backend");
}
}  // namespace

#ifdef AIRTP_HAVE_CUDA

GpuTransformer::GpuTransformer(const ModelWeights& w) : w_(w) {
  refuse_unsupported(w);
  if (cuda_device_count() == 0) throw std::runtime_error("the CUDA backend found no GPU");
  std::vector<float> cs, sn;
  rope_tables(w.cfg, cs, sn);
  dev_ = gpu::create_model(w, cs, sn);
}

GpuTransformer::~GpuTransformer() { gpu::destroy_model(dev_); }

int GpuTransformer::max_batch(int T, int n_dev) const {
  // Activations of about 1 GiB per call: large batches keep the GPU busy; more gains little.
  const long budget = (1L << 30) / (long)sizeof(float);
  const long rows = budget / gpu::floats_per_row(w_.cfg, std::max(1, n_dev), std::max(1, T));
  return (int)std::clamp(rows / std::max(1, T), 1L, 1024L);
}

void GpuTransformer::forward(const int* tokens, int B, int T, const int* lens, const TpPlan& plan, const AllReduce& ar,
                             const AllReduceContext* ctx, float* logits, ReduceStats* stats) const {
  const ModelConfig& c = w_.cfg;
  if (B <= 0 || T <= 0 || T > c.seq_len)
    throw InputError("forward (CUDA): " + std::to_string(B) + " sequences of " + std::to_string(T) +
                     " tokens do not fit the context of " + std::to_string(c.seq_len));
  if (plan.n_dev < 1 || (int)plan.dev.size() != plan.n_dev)
    throw InputError("forward (CUDA): the split plan has no devices");
  std::vector<int> all_t;
  if (!lens) {
    all_t.assign(B, T);
    lens = all_t.data();
  }
  for (int b = 0; b < B; ++b)
    if (lens[b] < 1 || lens[b] > T)
      throw InputError("forward (CUDA): sequence length " + std::to_string(lens[b]) + " not in 1.." + std::to_string(T));
  for (long i = 0; i < (long)B * T; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocab_size)
      throw InputError("forward: token id " + std::to_string(tokens[i]) + " out of range");
  const int nL = c.n_layers;
  if (stats)
    for (int b = 0; b < B; ++b)
      if ((int)stats[b].err2.size() != 2 * nL) stats[b].reset(nL);

  if (dynamic_cast<const ExactAllReduce*>(&ar)) {
    // Exact sums are error-free by definition (err2 = 0); only their norms are measured.
    std::vector<double> ref2(stats ? (size_t)B * 2 * nL : 0);
    gpu::forward(dev_, tokens, B, T, lens, plan, nullptr, logits, stats ? ref2.data() : nullptr);
    if (stats)
      for (int b = 0; b < B; ++b)
        for (int q = 0; q < 2 * nL; ++q) stats[b].ref2[q] += ref2[(size_t)b * 2 * nL + q];
    return;
  }
  const gpu::HostReduce round_trip = [&](int layer, int which, const float* parts, float* red) {
    reduce_blocks_on_host(ar, parts, plan.n_dev, B, T, c.dim, lens, ctx, layer, which, red, stats);
  };
  gpu::forward(dev_, tokens, B, T, lens, plan, &round_trip, logits, nullptr);
}

// ExactSumGpu is defined with its kernel in kernels/transformer_cuda.cu.

#else  // no CUDA backend in this binary

GpuTransformer::GpuTransformer(const ModelWeights& w) : w_(w) {
  refuse_unsupported(w);
  throw std::runtime_error("the CUDA backend is not built into this binary");
}
GpuTransformer::~GpuTransformer() = default;
int GpuTransformer::max_batch(int, int) const { return 1; }
void GpuTransformer::forward(const int*, int, int, const int*, const TpPlan&, const AllReduce&, const AllReduceContext*,
                             float*, ReduceStats*) const {
  throw std::runtime_error("the CUDA backend is not built into this binary");
}

ExactSumGpu::ExactSumGpu(int n_dev, long n) : n_dev_(n_dev), n_(n) {
  throw std::runtime_error("the CUDA backend is not built into this binary");
}
ExactSumGpu::~ExactSumGpu() = default;
void ExactSumGpu::upload(const float*) {}
double ExactSumGpu::time(int) { return 0; }
void ExactSumGpu::download(float*) const {}

#endif

void run_batch_gpu(const GpuTransformer& model, const std::vector<BatchItem>& items, const TpPlan& plan,
                   const AllReduce& ar,
                   const std::function<void(size_t, const float*, int, const ReduceStats&)>& sink) {
  const ModelConfig& c = model.cfg();
  const int V = c.vocab_size;
  // Longest first, so each batch pads its sequences to a similar length.
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return items[a].tokens->size() > items[b].tokens->size(); });
  std::vector<int> tokens, lens;
  std::vector<AllReduceContext> ctx;
  std::vector<ReduceStats> stats;
  std::vector<float> logits;
  for (size_t i0 = 0; i0 < order.size();) {
    const int T = (int)items[order[i0]].tokens->size();
    if (T <= 0) throw InputError("forward: empty token sequence");
    const int B = (int)std::min<size_t>(model.max_batch(T, plan.n_dev), order.size() - i0);
    tokens.assign((size_t)B * T, 0);  // token 0 pads: any valid id does
    lens.resize(B);
    ctx.assign(B, AllReduceContext{});
    stats.resize(B);
    for (int b = 0; b < B; ++b) {
      const BatchItem& it = items[order[i0 + b]];
      std::copy(it.tokens->begin(), it.tokens->end(), tokens.begin() + (size_t)b * T);
      lens[b] = (int)it.tokens->size();
      ctx[b].realization = it.realization;
      ctx[b].sequence = it.sequence;
      stats[b].reset(c.n_layers);
    }
    logits.resize((size_t)B * T * V);
    model.forward(tokens.data(), B, T, lens.data(), plan, ar, ctx.data(), logits.data(), stats.data());
    // The sinks (log-softmax and scoring in ppl) are host work: run them in parallel.
    FirstError err;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < B; ++b) {
      try {
        sink(order[i0 + b], logits.data() + (size_t)b * T * V, lens[b], stats[b]);
      } catch (const std::exception& e) {
        err.record(e);
      }
    }
    err.rethrow();
    i0 += B;
  }
}

}  // namespace airtp
