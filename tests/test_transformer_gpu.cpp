// The CUDA forward (host/model/transformer_gpu.hpp) against the CPU Transformer on the bundled
// model: logits and all-reduce statistics for exact splits, a quantized scheme and a scheme
// that depends on every field of the all-reduce context (host round trip). The GPU cases skip
// without a GPU; the host round trip, the constructor's error and `airtp ppl --backend cuda`'s
// input error run everywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "kernels/backend.hpp"
#include "host/model/transformer_gpu.hpp"
#include "tests/cli_runner.hpp"
#include "tests/bundled_model.hpp"

using namespace airtp;

namespace {

using Bundled = model_test::BundledStories;
using model_test::bundled;
// Built on first use, so only GPU cases pay for it.
const GpuTransformer& gpu_model() {
  static GpuTransformer g(bundled().w);
  return g;
}

// The exact sum plus a small offset that depends on the layer, the all-reduce, the sequence,
// the realization and the position of each row: a scheme whose result shows whether every
// field of the context reached it. Continuous in its input, so CPU and GPU agree to rounding.
class ContextShift : public AllReduce {
 public:
  std::string name() const override { return "context-shift"; }
  void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& c,
              float* out) const override {
    ExactAllReduce().reduce(parts, n_dev, rows, dim, c, out);
    for (int r = 0; r < rows; ++r) {
      const long key = c.layer * 7L + c.which * 3L + (long)c.sequence * 5L + (long)c.realization * 11L + c.pos0 + r;
      const float shift = 1e-3f * (float)(key % 13) / 13.0f;
      for (int i = 0; i < dim; ++i) out[(long)r * dim + i] += (i % 2 ? shift : -shift);
    }
  }
};

// Returns NaN: the forward must throw NumericalError.
class NanScheme : public AllReduce {
 public:
  std::string name() const override { return "nan"; }
  void reduce(const float* const*, int, int rows, int dim, const AllReduceContext&, float* out) const override {
    std::fill(out, out + (long)rows * dim, std::nanf(""));
  }
};

double rel_err(const float* a, const float* b, size_t n) {
  double e = 0, r = 0;
  for (size_t i = 0; i < n; ++i) {
    e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    r += (double)b[i] * b[i];
  }
  return std::sqrt(e / r);
}

struct Scored {
  std::vector<std::vector<float>> logits;  // per sequence, T x vocab
  std::vector<ReduceStats> stats;
};

Scored cpu_scores(const TpPlan& plan, const AllReduce& ar, uint64_t realization) {
  const Bundled& b = bundled();
  Scored s;
  for (size_t i = 0; i < b.seqs.size(); ++i) {
    const std::vector<int>& seq = b.seqs[i];
    KvCache cache = b.cpu.make_cache((int)seq.size());
    AllReduceContext ctx;
    ctx.sequence = i;
    ctx.realization = realization;
    std::vector<float> out(seq.size() * b.w.cfg.vocab_size);
    ReduceStats st;
    b.cpu.forward(seq.data(), (int)seq.size(), 0, cache, plan, ar, ctx, out.data(), &st);
    s.logits.push_back(std::move(out));
    s.stats.push_back(st);
  }
  return s;
}

// All sequences in one GPU call, padded to the longest.
Scored gpu_scores(const TpPlan& plan, const AllReduce& ar, uint64_t realization) {
  const Bundled& b = bundled();
  const int B = (int)b.seqs.size(), V = b.w.cfg.vocab_size;
  int T = 0;
  for (const auto& s : b.seqs) T = std::max(T, (int)s.size());
  std::vector<int> tokens((size_t)B * T, 0), lens(B);
  std::vector<AllReduceContext> ctx(B);
  for (int i = 0; i < B; ++i) {
    std::copy(b.seqs[i].begin(), b.seqs[i].end(), tokens.begin() + (size_t)i * T);
    lens[i] = (int)b.seqs[i].size();
    ctx[i].sequence = i;
    ctx[i].realization = realization;
  }
  std::vector<float> logits((size_t)B * T * V);
  Scored s;
  s.stats.resize(B);
  gpu_model().forward(tokens.data(), B, T, lens.data(), plan, ar, ctx.data(), logits.data(), s.stats.data());
  for (int i = 0; i < B; ++i) {
    const float* p = logits.data() + (size_t)i * T * V;
    s.logits.emplace_back(p, p + (size_t)lens[i] * V);
  }
  return s;
}

void expect_stats_near(const ReduceStats& gpu, const ReduceStats& cpu, double ref_tol, double err_tol,
                       const std::string& what) {
  ASSERT_EQ(gpu.err2.size(), cpu.err2.size()) << what;
  for (size_t q = 0; q < cpu.err2.size(); ++q) {
    EXPECT_NEAR(gpu.ref2[q], cpu.ref2[q], ref_tol * cpu.ref2[q]) << what << " all-reduce " << q;
    EXPECT_NEAR(gpu.err2[q], cpu.err2[q], err_tol * cpu.err2[q] + 1e-30) << what << " all-reduce " << q;
  }
}

void expect_gpu_matches_cpu(const TpPlan& plan, const AllReduce& ar, uint64_t realization, double err_tol,
                            const std::string& what) {
  const Scored c = cpu_scores(plan, ar, realization), g = gpu_scores(plan, ar, realization);
  for (size_t i = 0; i < c.logits.size(); ++i) {
    ASSERT_EQ(g.logits[i].size(), c.logits[i].size());
    EXPECT_LE(rel_err(g.logits[i].data(), c.logits[i].data(), c.logits[i].size()), 1e-4)
        << what << ", sequence " << i << " of " << c.logits[i].size() / bundled().w.cfg.vocab_size << " tokens";
    expect_stats_near(g.stats[i], c.stats[i], 1e-4, err_tol, what + ", sequence " + std::to_string(i));
  }
}

}  // namespace

// ---- without a GPU ----------------------------------------------------------------------

TEST(GpuTransformer, ConstructorWithoutGpuThrows) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present";
  try {
    GpuTransformer g(bundled().w);
    FAIL() << "constructed without a GPU";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA backend"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ExactSumGpu(2, 16), std::runtime_error);
}

TEST(GpuTransformer, PplBackendCudaWithoutGpuIsAnInputError) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present";
  const test::CliResult r = test::run_airtp("ppl --backend cuda --max-stories 1 -q");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--backend"), std::string::npos) << r.output;
  const test::CliResult bad = test::run_airtp("ppl --backend tpu --max-stories 1 -q");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--backend"), std::string::npos) << bad.output;
}

// The host round trip on its own (no GPU involved): one reduce call per sequence over its own
// rows with its context, padding rows zero, statistics as the CPU forward keeps them.
TEST(GpuTransformer, HostRoundTripReducesEachSequenceOnItsOwnRows) {
  const int N = 3, B = 3, T = 5, dim = 8;
  const std::vector<int> lens{5, 2, 4};
  std::mt19937 rng(7);
  std::normal_distribution<float> nd;
  std::vector<float> parts((size_t)N * B * T * dim);
  for (float& x : parts) x = nd(rng);
  std::vector<AllReduceContext> ctx(B);
  for (int b = 0; b < B; ++b) ctx[b].sequence = 10 + b, ctx[b].realization = 3 * b;
  const ContextShift ar;
  std::vector<float> red((size_t)B * T * dim, -1.f);
  std::vector<ReduceStats> stats(B);
  for (ReduceStats& s : stats) s.reset(2);
  reduce_blocks_on_host(ar, parts.data(), N, B, T, dim, lens.data(), ctx.data(), 1, 1, red.data(), stats.data());
  for (int b = 0; b < B; ++b) {
    const long off = (long)b * T * dim, block = (long)B * T * dim;
    const float* pp[N] = {parts.data() + off, parts.data() + block + off, parts.data() + 2 * block + off};
    AllReduceContext c = ctx[b];
    c.layer = 1, c.which = 1, c.pos0 = 0;
    std::vector<float> want((size_t)lens[b] * dim), exact((size_t)lens[b] * dim);
    ar.reduce(pp, N, lens[b], dim, c, want.data());
    ExactAllReduce().reduce(pp, N, lens[b], dim, c, exact.data());
    double e2 = 0, r2 = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(red[off + i], want[i]) << "sequence " << b << " value " << i;
      e2 += ((double)want[i] - exact[i]) * ((double)want[i] - exact[i]);
      r2 += (double)exact[i] * exact[i];
    }
    for (long i = (long)lens[b] * dim; i < (long)T * dim; ++i) EXPECT_EQ(red[off + i], 0.f) << "padding of " << b;
    EXPECT_NEAR(stats[b].err2[3], e2, 1e-5 * e2);
    EXPECT_NEAR(stats[b].ref2[3], r2, 1e-6 * r2);
    EXPECT_EQ(stats[b].err2[0], 0.0);
  }
  EXPECT_THROW(reduce_blocks_on_host(NanScheme(), parts.data(), N, B, T, dim, lens.data(), ctx.data(), 0, 0,
                                     red.data(), nullptr),
               NumericalError);
}

// ---- on the GPU -------------------------------------------------------------------------

TEST(GpuTransformer, ExactSplitsMatchCpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  for (int N : {1, 2, 4, 8}) {
    const TpPlan plan = make_tp_plan(bundled().w.cfg, std::vector<double>(N, 1.0 / N));
    expect_gpu_matches_cpu(plan, ExactAllReduce(), 0, 0.0, "exact N = " + std::to_string(N));
  }
  // An uneven split with an idle device (no heads, no neurons) on the device path.
  const TpPlan uneven = make_tp_plan(bundled().w.cfg, {0.75, 0.25, 0.0});
  expect_gpu_matches_cpu(uneven, ExactAllReduce(), 0, 0.0, "exact uneven");
}

TEST(GpuTransformer, DigitalMatchesCpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  // 16 bits: a value within rounding of a quantizer threshold may land on the other level on
  // the GPU; at 16 bits such a flip moves it by 2^-15 of its row's range, far below the
  // 1e-4 tolerance (at 8 bits a few flips per sequence could exceed it). err2 then agrees to
  // about 1e-3.
  const TpPlan plan = make_tp_plan(bundled().w.cfg, std::vector<double>(4, 0.25));
  expect_gpu_matches_cpu(plan, DigitalAllReduce(16), 0, 1e-2, "digital 16 bits N = 4");
}

TEST(GpuTransformer, ContextDependentSchemeMatchesCpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  for (int N : {2, 8}) {
    const TpPlan plan = make_tp_plan(bundled().w.cfg, std::vector<double>(N, 1.0 / N));
    expect_gpu_matches_cpu(plan, ContextShift(), 5, 1e-3, "context shift N = " + std::to_string(N));
  }
}

TEST(GpuTransformer, NonFiniteAllReduceThrows) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  const TpPlan plan = make_tp_plan(bundled().w.cfg, {0.5, 0.5});
  EXPECT_THROW(gpu_scores(plan, NanScheme(), 0), NumericalError);
  // The model is usable after the error.
  expect_gpu_matches_cpu(plan, ExactAllReduce(), 0, 0.0, "exact after an error");
}

TEST(GpuTransformer, RunBatchGpuMatchesRunBatch) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  const Bundled& b = bundled();
  const TpPlan plan = make_tp_plan(b.w.cfg, std::vector<double>(4, 0.25));
  std::vector<BatchItem> items;
  for (uint64_t r = 0; r < 2; ++r)
    for (size_t s = 0; s < b.seqs.size(); ++s) items.push_back({&b.seqs[s], s, r});
  const ContextShift ar;
  std::vector<std::vector<float>> cpu_lg(items.size()), gpu_lg(items.size());
  std::vector<ReduceStats> cpu_st(items.size()), gpu_st(items.size());
  run_batch(b.cpu, items, plan, ar, [&](size_t i, const float* lg, int T, const ReduceStats& st) {
    cpu_lg[i].assign(lg, lg + (size_t)T * b.w.cfg.vocab_size);
    cpu_st[i] = st;
  });
  run_batch_gpu(gpu_model(), items, plan, ar, [&](size_t i, const float* lg, int T, const ReduceStats& st) {
    gpu_lg[i].assign(lg, lg + (size_t)T * b.w.cfg.vocab_size);
    gpu_st[i] = st;
  });
  for (size_t i = 0; i < items.size(); ++i) {
    ASSERT_EQ(gpu_lg[i].size(), cpu_lg[i].size()) << "item " << i;
    EXPECT_LE(rel_err(gpu_lg[i].data(), cpu_lg[i].data(), cpu_lg[i].size()), 1e-4) << "item " << i;
    expect_stats_near(gpu_st[i], cpu_st[i], 1e-4, 1e-3, "item " + std::to_string(i));
  }
}

TEST(GpuTransformer, ExactSumKernelEqualsHostSum) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  std::mt19937 rng(3);
  std::normal_distribution<float> nd;
  for (auto [N, n] : std::vector<std::pair<int, long>>{{1, 7}, {3, 1001}, {8, 4096}}) {  // odd n: scalar kernel; 4096: float4
    std::vector<float> parts((size_t)N * n), got(n), want(n);
    for (float& x : parts) x = nd(rng);
    std::vector<const float*> pp(N);
    for (int d = 0; d < N; ++d) pp[d] = parts.data() + (size_t)d * n;
    ExactAllReduce().reduce(pp.data(), N, 1, (int)n, {}, want.data());
    ExactSumGpu sum(N, n);
    sum.upload(parts.data());
    EXPECT_GT(sum.time(2), 0.0);
    sum.download(got.data());
    for (long i = 0; i < n; ++i) ASSERT_EQ(got[i], want[i]) << "N = " << N << ", n = " << n << ", index " << i;
  }
}

#ifdef AIRTP_HAVE_CUDA
#include <cstdio>
#include <fstream>
#include <sstream>

#include "kernels/cublas_loader.hpp"

// cuBLAS is opened on first use instead of linked (kernels/cublas_loader.hpp): the airtp binary
// does not list it, and the loader finds it with every function the GPU forward calls. Needs
// no GPU: opening the library does not touch the device.
TEST(CublasLoader, NotLinkedAndOpenedOnFirstUse) {
  std::string deps;
  if (FILE* p = popen("ldd '" AIRTP_BINARY "' 2>&1", "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) deps += buf;
    pclose(p);
  }
  ASSERT_NE(deps.find("libcudart"), std::string::npos) << deps;  // ldd worked on the CUDA build
  EXPECT_EQ(deps.find("libcublas"), std::string::npos) << deps;
  const gpu::CublasApi& api = gpu::cublas();
  EXPECT_TRUE(api.create && api.destroy && api.set_stream && api.set_math_mode && api.sgemm &&
              api.sgemm_strided_batched);
  std::ifstream maps("/proc/self/maps");
  std::stringstream ss;
  ss << maps.rdbuf();
  EXPECT_NE(ss.str().find("libcublas.so"), std::string::npos);
}
#endif
