// One harness for every batched kernel on every backend that is built: each result is
// compared with an independent CPU reference (tests/kernel_reference.hpp) by normalised
// error. CUDA cases are skipped where no GPU is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "host/channel/topology.hpp"
#include "kernels/backend.hpp"
#include "tests/kernel_reference.hpp"

using namespace airtp;

namespace {

struct Case {
  const char* name;
  int N, nr, nt, L;
  double k_db;
  int design;
};

AlphaParams params_of(const Case& c) {
  AlphaParams p;
  p.ch = make_channel(c.N, c.nr, c.nt, c.k_db, 7, Geometry{});
  p.n_streams = c.L;
  p.design = c.design;
  p.design_key = RngKey{7, 0, kRngDesign};
  for (int n = 0; n < c.N; ++n) p.slot_energy[n] = 0.5 + 0.25 * n;  // unequal budgets
  return p;
}

const Case kCases[] = {
    {"eigen_N8_Nr20_Nt4", 8, 20, 4, 4, 3.0, kDesignEigen},
    {"eigen_N2_Nr20_Nt4", 2, 20, 4, 4, 3.0, kDesignEigen},
    {"eigen_N4_Nr8_Nt2_L2_rayleigh", 4, 8, 2, 2, -INFINITY, kDesignEigen},
    {"eigen_N1_Nr4_Nt1_L1", 1, 4, 1, 1, 10.0, kDesignEigen},
    {"random_N4_Nr16_Nt4", 4, 16, 4, 4, 0.0, kDesignRandom},
};

std::vector<Backend> backends() {
  std::vector<Backend> b{Backend::cpu};
  if (cuda_built()) b.push_back(Backend::cuda);
  return b;
}

// Median and maximum relative error over realizations whose reference is finite; both sides
// must agree on which realizations are outages.
void compare(const std::vector<double>& got, const std::vector<double>& want, double med_tol, double max_tol) {
  std::vector<double> rel;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::isfinite(got[i]), std::isfinite(want[i])) << "outage mismatch at realization " << i;
    if (std::isfinite(want[i])) rel.push_back(std::fabs(got[i] - want[i]) / want[i]);
  }
  ASSERT_FALSE(rel.empty());
  std::sort(rel.begin(), rel.end());
  EXPECT_LT(rel[rel.size() / 2], med_tol);
  EXPECT_LT(rel.back(), max_tol);
}

}  // namespace

class AlphaKernel : public ::testing::TestWithParam<std::tuple<Case, Backend>> {};

TEST_P(AlphaKernel, MatchesEigenReference) {
  const auto [c, b] = GetParam();
  if (b == Backend::cuda && cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU";
  const AlphaParams p = params_of(c);
  const long R = 200;
  const uint64_t first = 1000;  // not starting at 0: the counter offset must be honoured
  std::vector<double> got(R), want(R);
  alpha_batch(b, p, first, R, got.data());
  for (long i = 0; i < R; ++i) {
    const auto H = ref::channels(p.ch, first + i);
    const auto G = c.design == kDesignEigen ? ref::eigen_design(H, c.L) : ref::random_design(p.design_key, first + i, c.nr, c.L);
    want[i] = ref::alpha(H, G, p.slot_energy);
  }
  // The eigen design is iterative (subspace iteration): near-degenerate eigenvalue gaps
  // converge slowly, hence a looser bound on the worst realization than on the median.
  compare(got, want, 1e-9, c.design == kDesignEigen ? 1e-4 : 1e-9);
}

TEST_P(AlphaKernel, SameOnEveryBackendAndChunking) {
  const auto [c, b] = GetParam();
  if (b == Backend::cuda && cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU";
  const AlphaParams p = params_of(c);
  std::vector<double> whole(300), cpu(300), parts(300);
  alpha_batch(b, p, 0, 300, whole.data());
  alpha_batch(Backend::cpu, p, 0, 300, cpu.data());
  alpha_batch(b, p, 0, 123, parts.data());  // realization i is the same whatever the batch
  alpha_batch(b, p, 123, 177, parts.data() + 123);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(whole[i], parts[i]) << i;
    if (std::isfinite(cpu[i])) {
      EXPECT_NEAR(whole[i], cpu[i], 1e-9 * cpu[i]) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, AlphaKernel, ::testing::Combine(::testing::ValuesIn(kCases), ::testing::ValuesIn(backends())),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" + backend_name(std::get<1>(info.param));
                         });

// The signal-level simulation: empirical MSE over random unit-power symbols and noise must
// match sigma^2 alpha. With ZF the error is A^H w, w ~ CN(0, s2 I); ||A^H w||^2 is a sum of
// independent exponentials with means s2 * lambda_i(A^H A), so one slot has variance
// s2^2 sum lambda_i^2 <= (s2 alpha)^2: the standard error of S slots is at most
// s2 alpha / sqrt(S). We allow 5 of them.
class SimKernel : public ::testing::TestWithParam<Backend> {};

TEST_P(SimKernel, EmpiricalMseMatchesClosedForm) {
  const Backend b = GetParam();
  if (b == Backend::cuda && cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU";
  const Case c{"sim", 4, 12, 2, 2, 3.0, kDesignEigen};
  const AlphaParams p = params_of(c);
  const double s2 = 0.05;
  const int S = 4000;
  const long R = 8;
  std::vector<SimResult> res(R);
  sim_batch(b, p, s2, S, RngKey{3, 0, kRngSymbols}, RngKey{3, 0, kRngNoise}, 0, R, res.data());
  std::vector<double> alpha(R);
  alpha_batch(Backend::cpu, p, 0, R, alpha.data());
  for (long i = 0; i < R; ++i) {
    ASSERT_TRUE(std::isfinite(res[i].alpha));
    EXPECT_NEAR(res[i].alpha, alpha[i], 1e-9 * alpha[i]);
    const double closed = s2 * res[i].alpha;
    EXPECT_NEAR(res[i].emp_mse, closed, 5 * closed / std::sqrt((double)S)) << "realization " << i;
    // The most constrained device spends exactly its energy budget, the others less.
    EXPECT_NEAR(res[i].energy_ratio, 1.0, 1e-9);
  }
  if (b == Backend::cuda) {  // identical draws: the CPU backend gives the same numbers
    std::vector<SimResult> cpu(R);
    sim_batch(Backend::cpu, p, s2, S, RngKey{3, 0, kRngSymbols}, RngKey{3, 0, kRngNoise}, 0, R, cpu.data());
    for (long i = 0; i < R; ++i) EXPECT_NEAR(res[i].emp_mse, cpu[i].emp_mse, 1e-9 * cpu[i].emp_mse);
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, SimKernel, ::testing::ValuesIn(backends()),
                         [](const auto& info) { return std::string(backend_name(info.param)); });

// With fewer device antennas than streams, M_n = G^H H_n H_n^H G has rank N_t < L: every
// realization is an outage (+inf), counted, never NaN.
TEST(AlphaKernelOutage, RankDeficientIsOutage) {
  const Case c{"rank", 3, 8, 2, 4, 0.0, kDesignEigen};
  const AlphaParams p = params_of(c);
  std::vector<double> a(50);
  alpha_batch(Backend::cpu, p, 0, 50, a.data());
  for (double x : a) {
    EXPECT_FALSE(std::isnan(x));
    EXPECT_TRUE(std::isinf(x));
  }
}
