// AirComp and FDMA all-reduces: measured error against the closed form sigma^2 alpha / L per
// symbol, reproducibility, and the perplexity of the bundled model versus SNR.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/allreduce_air.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {
AirOptions options(int N, double snr, int positions, bool literal) {
  AirOptions o;
  o.n_dev = N;
  o.snr_db = snr;
  o.max_pos = positions;
  o.n_layers = 2;
  o.n_realizations = 2;
  o.literal_noise = literal;
  o.seed = 11;
  return o;
}

// Rows whose complex symbols have exactly unit RMS on every device, so the common scale is 1.
std::vector<std::vector<float>> unit_rms_parts(int N, int rows, int dim, unsigned seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d;
  std::vector<std::vector<float>> p(N, std::vector<float>((size_t)rows * dim));
  for (auto& b : p)
    for (int r = 0; r < rows; ++r) {
      double e = 0;
      for (int i = 0; i < dim; ++i) e += (double)(b[(size_t)r * dim + i] = d(g)) * b[(size_t)r * dim + i];
      const float s = (float)std::sqrt((dim / 2) / e);
      for (int i = 0; i < dim; ++i) b[(size_t)r * dim + i] *= s;
    }
  return p;
}

// Measured squared error over all rows divided by its expectation sum_rows L0 sigma^2 alpha / L
// (AirComp; FDMA adds one such term per device link with that device's scale, here 1).
double error_ratio(const AirAllReduceBase& ar, bool fdma, int N, int rows, int dim) {
  const auto parts = unit_rms_parts(N, rows, dim, 5);
  std::vector<const float*> pp;
  for (auto& b : parts) pp.push_back(b.data());
  std::vector<float> out((size_t)rows * dim);
  AllReduceContext ctx;
  ctx.realization = 1;
  ctx.layer = 1;
  ctx.which = 1;
  ctx.sequence = 3;
  ar.reduce(pp.data(), N, rows, dim, ctx, out.data());
  double err = 0, expect = 0;
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < dim; ++i) {
      double s = 0;
      for (int n = 0; n < N; ++n) s += parts[n][(size_t)r * dim + i];
      err += (out[(size_t)r * dim + i] - s) * (out[(size_t)r * dim + i] - s);
    }
    for (int g = 0; g < (fdma ? N : 1); ++g)
      expect += (dim / 2) * ar.sigma2() * ar.link(1, r, 1, 1, g).alpha / ar.streams();
  }
  return err / expect;
}
}  // namespace

TEST(ModelAirComp, MeasuredErrorMatchesClosedForm) {
  // 400 rows x 32 symbols: the ratio's relative standard error is about 1/sqrt(12800) ~ 0.9 %.
  for (bool literal : {true, false}) {
    for (int N : {2, 8}) {
      const AirCompAllReduce ar(options(N, 10, 400, literal));
      EXPECT_EQ(ar.outages(), 0);
      EXPECT_NEAR(error_ratio(ar, false, N, 400, 64), 1.0, 0.05) << "N " << N << " literal " << literal;
      const FdmaAllReduce fd(options(N, 10, 400, literal));
      EXPECT_NEAR(error_ratio(fd, true, N, 400, 64), 1.0, 0.05) << "FDMA N " << N << " literal " << literal;
    }
  }
}

TEST(ModelAirComp, HighSnrIsNearlyExactAndOddDimsWork) {
  const AirCompAllReduce ar(options(3, 120, 4, true));
  const int dim = 7;  // odd: the last symbol carries one real value
  const auto parts = unit_rms_parts(3, 4, dim, 9);
  std::vector<const float*> pp{parts[0].data(), parts[1].data(), parts[2].data()};
  std::vector<float> out(4 * dim);
  ar.reduce(pp.data(), 3, 4, dim, AllReduceContext{}, out.data());
  for (int i = 0; i < 4 * dim; ++i) EXPECT_NEAR(out[i], parts[0][i] + parts[1][i] + parts[2][i], 1e-4);
}

TEST(ModelAirComp, ReproducibleAndThreadCountIndependent) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const AirCompAllReduce a1(options(4, 5, 50, true));
  omp_set_num_threads(2);
  const AirCompAllReduce a2(options(4, 5, 50, true));
  omp_set_num_threads(saved);
  for (int pos = 0; pos < 50; ++pos) ASSERT_EQ(a1.link(1, pos, 0, 0).alpha, a2.link(1, pos, 0, 0).alpha);
  const auto parts = unit_rms_parts(4, 50, 64, 1);
  std::vector<const float*> pp;
  for (auto& b : parts) pp.push_back(b.data());
  std::vector<float> o1(50 * 64), o2(50 * 64), o3(50 * 64);
  AllReduceContext c;
  c.realization = 1;
  a1.reduce(pp.data(), 4, 50, 64, c, o1.data());
  a2.reduce(pp.data(), 4, 50, 64, c, o2.data());
  EXPECT_EQ(o1, o2);
  c.sequence = 1;  // another sequence draws other noise
  a1.reduce(pp.data(), 4, 50, 64, c, o3.data());
  EXPECT_NE(o1, o3);
  // The per-token coherence: the two all-reduces of a layer see the same channel.
  EXPECT_EQ(a1.link(0, 7, 0, 0).alpha, a1.link(0, 7, 1, 1).alpha);
  AirOptions o = options(4, 5, 50, true);
  o.coherence = Coherence::per_allreduce;
  const AirCompAllReduce a3(o);
  EXPECT_NE(a3.link(0, 7, 0, 0).alpha, a3.link(0, 7, 1, 1).alpha);
  EXPECT_THROW(a1.link(2, 0, 0, 0), InputError);  // outside the prepared grid
}

TEST(ModelAirComp, PerplexityDegradesMonotonicallyAsSnrFalls) {
  const ModelWeights w = load_llama2c(model_test::model_path());
  const Tokenizer tok = Tokenizer::load_llama2c(model_test::tokenizer_path(), 512);
  const auto seqs = load_story_tokens(model_test::tinystories_path(), tok, 512, 12);
  const Transformer model(w);
  const TpPlan p = make_tp_plan(w.cfg, std::vector<double>(4, 0.25));
  int maxlen = 0;
  for (auto& s : seqs) maxlen = std::max(maxlen, (int)s.size());
  std::vector<double> snr{10, 25, 40, 80};
  std::vector<std::unique_ptr<AirCompAllReduce>> ars;
  std::vector<const AllReduce*> ptr;
  for (double s : snr) {
    AirOptions o = options(4, s, maxlen, false);
    o.n_layers = w.cfg.n_layers;
    ars.push_back(std::make_unique<AirCompAllReduce>(o));
    ptr.push_back(ars.back().get());
  }
  CleanScore clean;
  std::vector<NoisyScore> r;
  evaluate_ppl(model, seqs, p, ptr, 2, clean, r);
  for (size_t i = 0; i + 1 < snr.size(); ++i) {
    const double margin = 3 * std::hypot(r[i].nll_increase.se, r[i + 1].nll_increase.se);
    EXPECT_GT(r[i].nll_increase.mean, r[i + 1].nll_increase.mean + margin) << snr[i] << " dB";
    EXPECT_GT(r[i].kl.mean, r[i + 1].kl.mean + 3 * std::hypot(r[i].kl.se, r[i + 1].kl.se)) << snr[i] << " dB";
    EXPECT_LT(r[i].top1.mean, r[i + 1].top1.mean) << snr[i] << " dB";
    EXPECT_GT(r[i].nmse[0].mean, 10 * r[i + 1].nmse[0].mean) << snr[i] << " dB";
  }
  // At 80 dB the noisy model is the clean one within the statistical error and a 0.1 % margin.
  EXPECT_LT(std::fabs(r.back().ppl.mean - clean.ppl.mean), 3 * r.back().ppl.se + 1e-3 * clean.ppl.mean);
  EXPECT_LT(r.back().kl.mean, 1e-4);
  EXPECT_GT(r.back().top1.mean, 0.99);
}
