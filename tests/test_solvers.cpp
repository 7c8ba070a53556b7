// Transceiver solvers (SPEC §4): the SDR reference through CSDP, the trace lower bound, the
// fast batched solver, and the solve_alpha_batch entry point.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <complex>
#include <vector>

#include "host/common/errors.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {
namespace {

AlphaParams make_params(int N, int nr, int nt, int L, double k_db, uint64_t seed) {
  AlphaParams p;
  p.ch.n_dev = N;
  p.ch.n_rx = nr;
  p.ch.n_tx = nt;
  p.n_streams = L;
  p.ch.k_factor = std::pow(10.0, k_db / 10.0);
  for (int n = 0; n < N; ++n) {
    p.ch.beta[n] = 1.0;
    p.ch.theta[n] = -1.2 + 2.4 * (n + 0.5) / N;
    p.ch.phi[n] = 0.37 * n;
    p.slot_energy[n] = 0.5 + 0.25 * n;  // unequal budgets so the max is not symmetric
  }
  p.ch.key = {seed, 0, kRngChannel};
  p.design_key = {seed, 0, kRngDesign};
  return p;
}

// N = 1, N_t = L: closed form of the paper's SDP
//   min tr(X) s.t. H^H X H >= c I,  c = L / E,  H of full column rank.
// Projecting X onto range(H) (projector P) keeps H^H X H and does not raise tr(X), so take
// X = P X P. Any such X is X = H (H^H H)^{-1} W (H^H H)^{-1} H^H with W = H^H X H >= c I, and
//   tr(X) = tr(W (H^H H)^{-1}) = c tr((H^H H)^{-1}) + tr((W - c I)(H^H H)^{-1})
//         >= c tr((H^H H)^{-1}),
// with equality at W = c I. So the optimum is (L / E) tr((H^H H)^{-1}).
TEST(Sdr, SingleDeviceMatchesClosedForm) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const AlphaParams p = make_params(1, 8, 3, 3, 3.0, seed);
    const ChannelSet c = channel_set(p, 0);
    const SdpSolution s = sdr_relaxation(c);
    ASSERT_TRUE(s.ok) << "CSDP status " << s.csdp_status;
    const double expect = c.L / c.E[0] * (c.H[0].adjoint() * c.H[0]).inverse().trace().real();
    EXPECT_NEAR(s.value, expect, 1e-6 * expect) << "seed " << seed;
    // X* is feasible: H^H X H - c I is positive semidefinite up to solver accuracy.
    const Eigen::MatrixXcd W = c.H[0].adjoint() * s.X * c.H[0];
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> es(W);
    EXPECT_GT(es.eigenvalues().minCoeff(), c.L / c.E[0] * (1 - 1e-6));
  }
}

// N = 1 closed form of the lower bound: min tr(X) s.t. tr(X Q) >= b is attained by X on the
// top eigenvector of Q, value b / lambda_max(Q), b = L^2 / E.
TEST(LowerBound, SingleDeviceMatchesClosedForm) {
  const AlphaParams p = make_params(1, 10, 4, 4, 0.0, 7);
  const ChannelSet c = channel_set(p, 3);
  const SdpSolution s = alpha_lower_bound(c);
  ASSERT_TRUE(s.ok);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> es(c.H[0] * c.H[0].adjoint());
  const double expect = double(c.L) * c.L / c.E[0] / es.eigenvalues().maxCoeff();
  EXPECT_NEAR(s.value, expect, 1e-6 * expect);
}

TEST(LowerBound, NeverAboveAnySolver) {
  SolverOptions o;
  o.draws = 30;
  o.fast_starts = 3;  // exercise the random starts too
  const struct { int N, nr, nt, L; double k_db; } cases[] = {
      {1, 6, 2, 2, 0.0}, {2, 8, 2, 2, 3.0}, {3, 10, 3, 3, 10.0}, {4, 8, 2, 2, -100.0}, {2, 12, 4, 3, 3.0}};
  int checked = 0;
  for (const auto& k : cases) {
    const AlphaParams p = make_params(k.N, k.nr, k.nt, k.L, k.k_db, 11 + checked);
    const long R = 6;
    std::vector<double> lb(R);
    lower_bound_batch(p, 0, R, lb.data());
    for (Solver s : {Solver::eigen, Solver::random, Solver::fast, Solver::sdr}) {
      std::vector<double> a(R);
      solve_alpha_batch(Backend::cpu, p, s, o, 0, R, a.data());
      for (long i = 0; i < R; ++i) {
        ASSERT_TRUE(std::isfinite(lb[i])) << "lower bound failed, case N=" << k.N;
        ASSERT_FALSE(std::isnan(a[i]));
        EXPECT_LE(lb[i], a[i] * (1 + 1e-6)) << solver_name(s) << " N=" << k.N << " realization " << i;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 5 * 6 * 4);
}

// The paper's setting: the fast solver's exact MSE is at most SDR + randomization's on at
// least 95% of realizations, with median ratio below 1; and never worse than its own eigen
// start.
TEST(FastSolver, BeatsSdrAtPaperSetting) {
  SolverOptions o;  // defaults: 100 draws
  for (int N : {2, 4, 8}) {
    const long R = N == 8 ? 20 : 30;
    const AlphaParams p = make_params(N, 20, 4, 4, 3.0, 100 + N);
    std::vector<double> fast(R), sdr(R), eig(R);
    solve_alpha_batch(Backend::cpu, p, Solver::fast, o, 0, R, fast.data());
    solve_alpha_batch(Backend::cpu, p, Solver::sdr, o, 0, R, sdr.data());
    solve_alpha_batch(Backend::cpu, p, Solver::eigen, o, 0, R, eig.data());
    std::vector<double> ratio(R);
    long wins = 0;
    for (long i = 0; i < R; ++i) {
      ASSERT_TRUE(std::isfinite(fast[i]) && std::isfinite(sdr[i])) << "N=" << N << " realization " << i;
      ratio[i] = fast[i] / sdr[i];
      wins += fast[i] <= sdr[i] ? 1 : 0;
      EXPECT_LE(fast[i], eig[i] * (1 + 1e-12));
    }
    std::sort(ratio.begin(), ratio.end());
    EXPECT_GE(wins, (long)std::ceil(0.95 * R)) << "N=" << N;
    EXPECT_LT(ratio[R / 2], 1.0) << "N=" << N;
  }
}

// The transceivers returned by solve_designs reproduce their alpha under an independent
// evaluation (Eigen, explicit inverse), and match solve_alpha_batch on the CPU backend.
TEST(SolveDesigns, TransceiversReproduceAlpha) {
  const AlphaParams p = make_params(3, 12, 2, 2, 3.0, 5);
  SolverOptions o;
  o.draws = 20;
  o.fast_starts = 2;
  const long R = 5;
  const int nr = p.ch.n_rx, L = p.n_streams;
  for (Solver s : {Solver::eigen, Solver::random, Solver::fast, Solver::sdr}) {
    std::vector<double> a(R), b(R);
    std::vector<std::complex<double>> G((size_t)R * nr * L);
    solve_designs(p, s, o, 0, R, a.data(), nullptr, G.data());
    solve_alpha_batch(Backend::cpu, p, s, o, 0, R, b.data());
    for (long i = 0; i < R; ++i) {
      const ChannelSet c = channel_set(p, i);
      Eigen::Map<const Eigen::MatrixXcd> Gi(G.data() + i * nr * L, nr, L);
      EXPECT_NEAR(Gi.norm(), 1.0, 1e-12);
      double ref = 0;
      for (size_t n = 0; n < c.H.size(); ++n) {
        const Eigen::MatrixXcd M = Gi.adjoint() * c.H[n] * c.H[n].adjoint() * Gi;
        ref = std::max(ref, M.inverse().trace().real() / c.E[n]);
      }
      EXPECT_NEAR(a[i], ref, 1e-9 * ref) << solver_name(s);
      EXPECT_DOUBLE_EQ(a[i], b[i]) << solver_name(s);
    }
  }
}

// Rank-deficient channels (N_t < L: every G^H Q_n G is singular) and a dead device
// (H_n = 0, the SDP is infeasible) are outages: +inf, never NaN, never a crash.
TEST(Outage, RankDeficientAndDeadChannels) {
  SolverOptions o;
  o.draws = 10;
  const long R = 4;
  AlphaParams thin = make_params(2, 8, 2, 4, 3.0, 9);
  AlphaParams dead = make_params(2, 8, 2, 2, 3.0, 9);
  dead.ch.beta[1] = 0.0;
  for (const AlphaParams* p : {&thin, &dead})
    for (Solver s : {Solver::eigen, Solver::random, Solver::fast, Solver::sdr}) {
      std::vector<double> a(R, 0.0);
      solve_alpha_batch(Backend::cpu, *p, s, o, 0, R, a.data());
      for (double x : a) EXPECT_TRUE(std::isinf(x) && x > 0) << solver_name(s) << " gave " << x;
    }
  const SdpSolution s = sdr_relaxation(channel_set(dead, 0));
  EXPECT_FALSE(s.ok);
}

TEST(Solve, ParseSolver) {
  EXPECT_EQ(parse_solver("fast"), Solver::fast);
  EXPECT_EQ(parse_solver("sdr"), Solver::sdr);
  EXPECT_EQ(parse_solver("eigen"), Solver::eigen);
  EXPECT_EQ(parse_solver("random"), Solver::random);
  try {
    parse_solver("sdp");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--solver"), std::string::npos);
  }
}

// Same seed, same numbers: the GPU runs the same kernel source. The eigen design is a fixed
// sequence of operations and agrees to rounding; the fast solver's line search can branch
// differently on rounding-level differences, so it must agree to 1e-6 on nearly all
// realizations and never differ by more than 5%.
TEST(FastSolver, CpuAndCudaAgree) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no GPU";
  const AlphaParams p = make_params(4, 20, 4, 4, 3.0, 21);
  SolverOptions o;
  const long R = 512;
  std::vector<double> c(R), g(R);
  solve_alpha_batch(Backend::cpu, p, Solver::eigen, o, 0, R, c.data());
  solve_alpha_batch(Backend::cuda, p, Solver::eigen, o, 0, R, g.data());
  for (long i = 0; i < R; ++i) EXPECT_NEAR(c[i], g[i], 1e-9 * c[i]);
  solve_alpha_batch(Backend::cpu, p, Solver::fast, o, 0, R, c.data());
  solve_alpha_batch(Backend::cuda, p, Solver::fast, o, 0, R, g.data());
  long close = 0;
  for (long i = 0; i < R; ++i) {
    close += std::fabs(c[i] - g[i]) <= 1e-6 * c[i] ? 1 : 0;
    EXPECT_NEAR(c[i], g[i], 0.05 * c[i]);
  }
  EXPECT_GE(close, (long)(0.95 * R));
}

}  // namespace
}  // namespace airtp

// The compare command end to end: the solvers run on the same channels and a bad solver name
// or option is an input error (exit code 2).
namespace airtp {
namespace {
int run_cli(const std::string& args) {
  const std::string cmd = std::string(AIRTP_BINARY) + " " + args + " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
TEST(CompareCli, RunsAndBadSolverIsInputError) {
  const std::string dir = ::testing::TempDir();
  const std::string out = dir + "/compare_cli.h5";
  EXPECT_EQ(run_cli("compare -N 2,3 --n-rx 8,12 --n-tx 2 --realizations 2 --solvers eigen,fast,sdr --draws 10 -q -o " + out), 0);
  EXPECT_EQ(std::system(("test -s " + out).c_str()), 0);
  EXPECT_EQ(run_cli("compare --solvers fast,sdp -q -o " + dir + "/bad.h5"), 2);
  EXPECT_EQ(run_cli("compare --draws -1 -q -o " + dir + "/bad.h5"), 2);
}
}  // namespace
}  // namespace airtp
