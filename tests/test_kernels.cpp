// One harness for every batched kernel on every backend that is built: each result is
// compared with an independent CPU reference (tests/kernel_reference.hpp) by normalised
// error. CUDA cases are skipped where no GPU is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "kernels/backend.hpp"
#include "tests/kernel_reference.hpp"
#include "tests/link_helpers.hpp"

using namespace airtp;

namespace {

struct Case {
  const char* name;
  int N, nr, nt, L;
  double k_db;
  int design;
};

AlphaParams params_of(const Case& c) { return test::params_of(c.N, c.nr, c.nt, c.L, c.k_db, 7, c.design); }

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
// realization is an outage (+inf), counted, never NaN. (The scenario refuses such a link;
// the kernels must still survive it.)
TEST(AlphaKernelOutage, RankDeficientIsOutage) {
  const Case c{"rank", 3, 8, 2, 2, 0.0, kDesignEigen};
  AlphaParams p = params_of(c);
  p.n_streams = 4;
  std::vector<double> a(50);
  alpha_batch(Backend::cpu, p, 0, 50, a.data());
  for (double x : a) {
    EXPECT_FALSE(std::isnan(x));
    EXPECT_TRUE(std::isinf(x));
  }
}

// ---- the host API of the CPU backend (kernels/backend.hpp) -------------------------------

namespace {

using MatC = Eigen::MatrixXcd;

// Realization `r` of a batch from channel_batch_cpu / design_batch_cpu as Eigen matrices.
std::vector<MatC> matrices(const std::vector<std::complex<double>>& H, long r, int N, int nr, int nt) {
  std::vector<MatC> out;
  for (int n = 0; n < N; ++n)
    out.push_back(Eigen::Map<const MatC>(H.data() + ((size_t)r * N + n) * nr * nt, nr, nt));
  return out;
}

// Misalignment of ZF precoders built on the estimates: sum_n ||A^H H_n B_n - I||_F^2 with
// B_n = F (F^H F)^{-1}, F = Hhat_n^H A (explicit Eigen inverses; A = G, the scale cancels).
double ref_misalignment(const std::vector<MatC>& H, const std::vector<MatC>& Hh, const MatC& G) {
  double m = 0;
  const long L = G.cols();
  for (size_t n = 0; n < H.size(); ++n) {
    const MatC F = Hh[n].adjoint() * G;
    const MatC B = F * (F.adjoint() * F).inverse();
    m += (G.adjoint() * H[n] * B - MatC::Identity(L, L)).squaredNorm();
  }
  return m;
}

}  // namespace

// design_batch_cpu returns the designs alpha_batch scores, bit for bit, and G with unit norm;
// device_terms_cpu's f_n(G) and exact_alpha_cpu reproduce alpha = max_n f_n / E_n.
TEST(HostApi, DesignsTermsAndExactAlphaAgree) {
  for (int design : {kDesignEigen, kDesignRandom, kDesignFast}) {
    const AlphaParams p = test::params_of(3, 8, 2, 2, 3.0, 17, design);
    const long R = 40;
    const int N = 3, nr = 8, nt = 2, L = 2;
    std::vector<double> a(R), b(R), mis(R), f(R * N);
    std::vector<std::complex<double>> G(R * nr * L), H(R * N * nr * nt);
    alpha_batch(Backend::cpu, p, 5, R, a.data());
    design_batch_cpu(p, 5, R, b.data(), mis.data(), G.data());
    device_terms_cpu(p, G.data(), 5, R, f.data());
    channel_batch_cpu(p.ch, 5, R, H.data(), nullptr);
    for (long i = 0; i < R; ++i) {
      EXPECT_EQ(a[i], b[i]) << "design " << design << " realization " << i;
      EXPECT_EQ(mis[i], 0.0) << "perfect CSI has no misalignment";
      const Eigen::Map<const MatC> Gi(G.data() + i * nr * L, nr, L);
      EXPECT_NEAR(Gi.norm(), 1.0, 1e-12);
      double mx = 0;
      for (int n = 0; n < N; ++n) mx = std::max(mx, f[i * N + n] / p.slot_energy[n]);
      EXPECT_NEAR(mx, a[i], 1e-12 * a[i]);
      EXPECT_NEAR(exact_alpha_cpu(H.data() + (size_t)i * N * nr * nt, N, nr, nt, p.slot_energy, G.data() + i * nr * L, L),
                  a[i], 1e-12 * a[i]);
      // And against the Eigen reference on the same G.
      EXPECT_NEAR(ref::alpha(matrices(H, i, N, nr, nt), MatC(Gi), p.slot_energy), a[i], 1e-9 * a[i]);
    }
  }
}

// Imperfect CSI (SPEC §2): every design sees H + E. alpha is the design's on the estimates,
// the misalignment that of its ZF precoders on the true channels, both against Eigen.
TEST(HostApi, ImperfectCsiDesignSeesTheEstimate) {
  for (int design : {kDesignEigen, kDesignFast}) {
    AlphaParams p = test::params_of(3, 8, 2, 2, 3.0, 19, design);
    p.ch.csi_nmse = 0.1;
    const int N = 3, nr = 8, nt = 2, L = 2;
    const long R = 30;
    std::vector<double> a(R), mis(R), mis_b(R), aa(R);
    std::vector<std::complex<double>> G(R * nr * L), H(R * N * nr * nt), Hh(R * N * nr * nt);
    design_batch_cpu(p, 0, R, a.data(), mis.data(), G.data());
    alpha_batch(Backend::cpu, p, 0, R, aa.data(), mis_b.data());
    channel_batch_cpu(p.ch, 0, R, H.data(), Hh.data());
    int finite = 0;
    for (long i = 0; i < R; ++i) {
      ASSERT_EQ(a[i], aa[i]);
      ASSERT_EQ(mis[i], mis_b[i]);
      if (!std::isfinite(a[i])) continue;
      ++finite;
      const Eigen::Map<const MatC> Gi(G.data() + i * nr * L, nr, L);
      const auto Ht = matrices(H, i, N, nr, nt), Hd = matrices(Hh, i, N, nr, nt);
      EXPECT_NEAR(ref::alpha(Hd, MatC(Gi), p.slot_energy), a[i], 1e-9 * a[i]) << "alpha is on the estimates";
      if (design == kDesignEigen) {
        const MatC Ge = ref::eigen_design(Hd, L);  // the eigen design of the estimates
        EXPECT_NEAR(ref::alpha(Hd, Ge, p.slot_energy), a[i], 1e-6 * a[i]);
      }
      const double m = ref_misalignment(Ht, Hd, MatC(Gi));
      EXPECT_GT(mis[i], 0.0);
      EXPECT_NEAR(mis[i], m, 1e-9 * m + 1e-14);
      EXPECT_NEAR(misalignment_cpu(H.data() + (size_t)i * N * nr * nt, Hh.data() + (size_t)i * N * nr * nt, N, nr, nt,
                                   G.data() + i * nr * L, L),
                  m, 1e-9 * m + 1e-14);
    }
    EXPECT_GT(finite, R / 2);
  }
}

// The signal-level simulation with imperfect CSI: the precoders come from the estimates, the
// symbols go through the true channels, and the empirical MSE matches sigma^2 alpha +
// misalignment. The error is CN(0, S) with tr S = sigma^2 alpha + misalignment, so one slot's
// ||e||^2 has variance tr(S^2) <= (tr S)^2: 5 standard errors are at most 5 mse / sqrt(slots).
TEST_P(SimKernel, ImperfectCsiMatchesSigma2AlphaPlusMisalignment) {
  const Backend b = GetParam();
  if (b == Backend::cuda && cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU";
  for (double nmse : {0.02, 0.2}) {
    AlphaParams p = test::params_of(3, 10, 2, 2, 3.0, 23, kDesignEigen);
    p.ch.csi_nmse = nmse;
    const double s2 = 0.05;
    const int S = 4000;
    const long R = 8;
    std::vector<SimResult> res(R);
    sim_batch(b, p, s2, S, RngKey{3, 0, kRngSymbols}, RngKey{3, 0, kRngNoise}, 0, R, res.data());
    std::vector<double> alpha(R), mis(R);
    alpha_batch(Backend::cpu, p, 0, R, alpha.data(), mis.data());
    for (long i = 0; i < R; ++i) {
      ASSERT_TRUE(std::isfinite(res[i].alpha));
      EXPECT_NEAR(res[i].alpha, alpha[i], 1e-9 * alpha[i]);
      EXPECT_NEAR(res[i].misalignment, mis[i], 1e-9 * mis[i]);
      EXPECT_GT(res[i].misalignment, 0.0);
      const double closed = s2 * res[i].alpha + res[i].misalignment;
      EXPECT_NEAR(res[i].emp_mse, closed, 5 * closed / std::sqrt((double)S)) << "nmse " << nmse << " realization " << i;
      // The misalignment is not negligible here: sigma^2 alpha alone would be off.
      if (nmse == 0.2) EXPECT_GT(res[i].misalignment, 10 * closed / std::sqrt((double)S));
      // The precoders are built (and their energy spent) on the estimates: still exactly the budget.
      EXPECT_NEAR(res[i].energy_ratio, 1.0, 1e-9);
    }
  }
}

// csi_nmse = 0 is perfect CSI exactly: the same alpha and no misalignment.
TEST(HostApi, ZeroCsiErrorIsPerfectCsiExactly) {
  AlphaParams p = test::params_of(4, 8, 2, 2, 0.0, 29, kDesignFast);
  std::vector<double> a(50), m(50, -1), a0(50);
  alpha_batch(Backend::cpu, p, 0, 50, a.data(), m.data());
  p.ch.csi_nmse = 0.0;
  p.ch.csi_key.seed = 12345;  // the CSI key is not used at all
  alpha_batch(Backend::cpu, p, 0, 50, a0.data());
  EXPECT_EQ(a, a0);
  EXPECT_EQ(m, std::vector<double>(50, 0.0));
}

// link_batch_cpu (the accuracy simulation's links): A^H H_n B_n is the identity under perfect
// CSI, A^H is sqrt(alpha) G^H and C C^H = A^H A; with imperfect CSI the deviation of A^H H_n B_n
// from I is the misalignment.
TEST(HostApi, LinksOfTheAccuracySimulation) {
  for (double nmse : {0.0, 0.1}) {
    AlphaParams p = test::params_of(2, 6, 2, 2, 3.0, 31, kDesignEigen);
    p.ch.csi_nmse = nmse;
    const int N = 2, nr = 6, L = 2;
    const long R = 10;
    std::vector<double> a(R), mis(R);
    std::vector<std::complex<double>> G(R * nr * L);
    design_batch_cpu(p, 0, R, a.data(), mis.data(), G.data());
    std::vector<std::complex<float>> E(R * N * L * L), AH(R * L * nr), C(R * L * L);
    std::vector<unsigned char> out(R, 9);
    link_batch_cpu(p, a.data(), G.data(), 0, R, LinkArrays{E.data(), AH.data(), C.data(), out.data()});
    for (long i = 0; i < R; ++i) {
      ASSERT_EQ(out[i], 0);
      double dev = 0;
      for (int n = 0; n < N; ++n)
        for (int r = 0; r < L; ++r)
          for (int c = 0; c < L; ++c) {
            const std::complex<double> e(E[((i * N + n) * L + r) * L + c]);
            dev += std::norm(e - std::complex<double>(r == c ? 1.0 : 0.0, 0.0));
          }
      if (nmse == 0) EXPECT_LT(dev, 1e-8);
      else EXPECT_NEAR(dev, mis[i], 1e-3 * mis[i]);  // single precision
      const Eigen::Map<const MatC> Gi(G.data() + i * nr * L, nr, L);
      const MatC A = std::sqrt(a[i]) * Gi;
      Eigen::MatrixXcd Cm(L, L);
      for (int r = 0; r < L; ++r)
        for (int c = 0; c < L; ++c) Cm(r, c) = std::complex<double>(C[(i * L + r) * L + c]);
      EXPECT_LT((Cm * Cm.adjoint() - A.adjoint() * A).norm(), 1e-5 * (A.adjoint() * A).norm());
      for (int l = 0; l < L; ++l)
        for (int r = 0; r < nr; ++r)
          EXPECT_NEAR(std::abs(std::complex<double>(AH[(i * L + l) * nr + r]) - std::conj(A(r, l))), 0.0,
                      1e-6 * std::abs(A(r, l)) + 1e-9);
    }
    // A design with alpha = +inf (an outage) has no link.
    std::vector<double> inf(1, INFINITY);
    link_batch_cpu(p, inf.data(), G.data(), 0, 1, LinkArrays{E.data(), AH.data(), C.data(), out.data()});
    EXPECT_EQ(out[0], 1);
  }
}
