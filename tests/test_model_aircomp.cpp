// AirComp and FDMA all-reduces of the accuracy simulation: measured error against the closed
// form sigma^2 alpha / L per symbol (alpha recomputed independently for every link), with
// perfect and imperfect CSI, reproducibility, and the perplexity of the bundled model versus SNR.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/allreduce_air.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "host/model/tp_split.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {

// N generic devices, N_r = 20, N_t = L = 4, K = 3 dB, the bundled model's payload (dim 64:
// L_0 = 32 symbols in 8 slots), normalised SNRs.
Link link_for(int N, std::vector<double> snr, double csi_nmse = 0) {
  Scenario s;
  s.seed = 11;
  s.n_devices = {N};
  s.snr_db = std::move(snr);
  s.csi_nmse = {csi_nmse};
  return make_link(s, link_points(s).at(0));
}

AirSetup setup(const Link& link, int positions, bool literal, size_t level = 0) {
  AirSetup a;
  a.link = &link;
  a.level = level;
  a.solver = Solver::eigen;
  a.max_pos = positions;
  a.seq_len = positions;
  a.n_layers = 2;
  a.n_realizations = 2;
  a.literal_noise = literal;
  return a;
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

// alpha and misalignment of the designs of channel indices [c, c + count) of link group g,
// solved anew.
std::vector<AlphaOut> alpha_of_links(const AirAllReduceBase& ar, bool fdma, uint64_t c, long count, int g) {
  const AirSetup& s = ar.setup();
  AlphaParams p = alpha_params(*s.link, s.level);
  if (fdma) p = fdma_subband(p, g);
  std::vector<double> a((size_t)count), m((size_t)count);
  solve_alpha_batch(Backend::cpu, p, s.solver, s.solver_options, c, count, a.data(), m.data());
  std::vector<AlphaOut> o;
  for (long i = 0; i < count; ++i) o.push_back({a[i], m[i]});
  return o;
}

// Measured squared error over all rows divided by its expectation: per row L_0 / L slots of
// sigma^2 alpha + misalignment (AirComp; FDMA adds one such term per device link with that
// device's scale, here 1), at realization 1, layer 1, the MLP all-reduce.
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
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < dim; ++i) {
      double s = 0;
      for (int n = 0; n < N; ++n) s += parts[n][(size_t)r * dim + i];
      err += (out[(size_t)r * dim + i] - s) * (out[(size_t)r * dim + i] - s);
    }
  // Coherence "token": the rows' channels are consecutive indices.
  EXPECT_EQ(ar.channel_index(1, rows - 1, 1, 1), ar.channel_index(1, 0, 1, 1) + (uint64_t)rows - 1);
  for (int g = 0; g < (fdma ? N : 1); ++g)
    for (const AlphaOut& a : alpha_of_links(ar, fdma, ar.channel_index(1, 0, 1, 1), rows, g))
      expect += (double)(dim / 2) / ar.streams() * (ar.sigma2() * a.alpha + a.misalignment);
  return err / expect;
}

}  // namespace

TEST(ModelAirComp, MeasuredErrorMatchesClosedForm) {
  // 400 rows x 32 symbols: the ratio's relative standard error is about 1/sqrt(12800) ~ 0.9 %.
  for (bool literal : {true, false}) {
    for (int N : {2, 8}) {
      const Link link = link_for(N, {10});
      const AirCompAllReduce ar(setup(link, 400, literal));
      EXPECT_EQ(ar.outages(), 0);
      EXPECT_EQ(ar.n_links(), 2 * 400);
      EXPECT_NEAR(error_ratio(ar, false, N, 400, 64), 1.0, 0.05) << "N " << N << " literal " << literal;
      const FdmaAllReduce fd(setup(link, 400, literal));
      EXPECT_EQ(fd.n_links(), 2 * 400 * N);
      EXPECT_NEAR(error_ratio(fd, true, N, 400, 64), 1.0, 0.05) << "FDMA N " << N << " literal " << literal;
    }
  }
}

// Imperfect CSI: the links are designed on the estimates and the error adds the misalignment
// of their precoders on the true channels, at every SNR.
TEST(ModelAirComp, ImperfectCsiErrorIsSigma2AlphaPlusMisalignment) {
  const Link link = link_for(3, {20}, 0.05);
  const AirCompAllReduce ar(setup(link, 300, true));
  EXPECT_NEAR(error_ratio(ar, false, 3, 300, 64), 1.0, 0.06);
  const FdmaAllReduce fd(setup(link, 300, false));
  EXPECT_NEAR(error_ratio(fd, true, 3, 300, 64), 1.0, 0.06);
}

TEST(ModelAirComp, HighSnrIsNearlyExactAndOddDimsWork) {
  const Link link = link_for(3, {120});
  const AirCompAllReduce ar(setup(link, 4, true));
  const int dim = 7;  // odd: the last symbol carries one real value
  const auto parts = unit_rms_parts(3, 4, dim, 9);
  std::vector<const float*> pp{parts[0].data(), parts[1].data(), parts[2].data()};
  std::vector<float> out(4 * dim);
  ar.reduce(pp.data(), 3, 4, dim, AllReduceContext{}, out.data());
  for (int i = 0; i < 4 * dim; ++i) EXPECT_NEAR(out[i], parts[0][i] + parts[1][i] + parts[2][i], 1e-4);
}

TEST(ModelAirComp, ReproducibleAndThreadCountIndependent) {
  const Link link = link_for(4, {5});
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const AirCompAllReduce a1(setup(link, 50, true));
  omp_set_num_threads(2);
  const AirCompAllReduce a2(setup(link, 50, true));
  omp_set_num_threads(saved);
  EXPECT_EQ(a1.mean_alpha(), a2.mean_alpha());
  // The designed links are those of solve_alpha_batch on the same channel indices.
  double sum = 0, designed = 0, outages = 0, want = 0;
  a1.realization_stats(1, sum, designed, outages);
  EXPECT_EQ(designed + outages, 50);
  for (const AlphaOut& a : alpha_of_links(a1, false, a1.channel_index(1, 0, 0, 0), 50, 0)) want += a.alpha;
  EXPECT_NEAR(sum, want, 1e-12 * want);
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
  // Coherence "token": every all-reduce of a token sees that token's channel, realization r
  // position p being channel r x seq_len + p; "allreduce": one channel per all-reduce.
  EXPECT_EQ(a1.channel_index(0, 7, 0, 0), a1.channel_index(0, 7, 1, 1));
  EXPECT_EQ(a1.channel_index(1, 7, 0, 0), 50u + 7u);
  AirSetup s = setup(link, 50, true);
  s.coherence = Coherence::per_allreduce;
  const AirCompAllReduce a3(s);
  EXPECT_NE(a3.channel_index(0, 7, 0, 0), a3.channel_index(0, 7, 1, 1));
  EXPECT_EQ(a3.n_links(), 2 * 50 * 2 * 2);
  c.realization = 2;  // outside the prepared grid
  EXPECT_THROW(a1.reduce(pp.data(), 4, 50, 64, c, o3.data()), InputError);
}

TEST(ModelAirComp, PerplexityDegradesMonotonicallyAsSnrFalls) {
  const ModelWeights w = load_llama2c(model_test::model_path());
  const Tokenizer tok = Tokenizer::load_llama2c(model_test::tokenizer_path(), 512);
  const auto seqs = load_story_tokens(model_test::tinystories_path(), tok, 512, 12);
  const Transformer model(w);
  const TpPlan p = make_tp_plan(w.cfg, std::vector<double>(4, 0.25));
  int maxlen = 0;
  for (auto& s : seqs) maxlen = std::max(maxlen, (int)s.size());
  const std::vector<double> snr{10, 25, 40, 80};
  const Link link = link_for(4, snr);
  std::vector<std::unique_ptr<AirCompAllReduce>> ars;
  std::vector<const AllReduce*> ptr;
  for (size_t j = 0; j < snr.size(); ++j) {
    AirSetup s = setup(link, maxlen, false, j);
    s.n_layers = w.cfg.n_layers;
    s.seq_len = w.cfg.seq_len;
    ars.push_back(std::make_unique<AirCompAllReduce>(s));
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
