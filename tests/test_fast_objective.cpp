// The fast solver's objective at fixed sizes (kernels/fast_objective.cuh,
// fast_objective_fixed: the CPU's SSE2/NEON build and, where the CPU has it, the AVX2 + FMA
// build) against the general implementation fast_objective_any, which the GPU runs: same
// value and gradient to rounding, the same singular cases, on random channels and designs
// for every specialised size and device counts that do and do not fill the vector lanes.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "kernels/fast_objective.cuh"

using namespace airtp;

namespace {

struct Problem {
  int N, nr, nt, L;
  std::vector<cplx> hbuf, gbuf;
  std::vector<double> E;
  std::vector<CMat> H;
  CMat G;
  Problem(int N_, int nr_, int nt_, int L_, uint64_t seed) : N(N_), nr(nr_), nt(nt_), L(L_) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> g;
    hbuf.resize((size_t)N * nr * nt);
    gbuf.resize((size_t)nr * L);
    for (auto& z : hbuf) z = cplx(g(rng), g(rng));
    for (auto& z : gbuf) z = cplx(g(rng), g(rng));
    for (int n = 0; n < N; ++n) {
      H.push_back(CMat{hbuf.data() + (size_t)n * nr * nt, nr, nt, 1});
      E.push_back(0.5 + 0.3 * n);  // unequal budgets move the active device around
    }
    G = CMat{gbuf.data(), nr, L, 1};
  }
};

using Objective = std::function<double(const CMat*, int, const double*, double, const CMat&, const CMat*)>;

double reference(const Problem& q, double p, const CMat* grad) {
  std::vector<cplx> w((size_t)2 * q.nt * q.L + 3 * q.L * q.L);
  Scratch s{w.data(), 1};
  FastWork fw{s.take(q.nt, q.L), s.take(q.nt, q.L), s.take(q.L, q.L), s.take(q.L, q.L), s.take(q.L, q.L)};
  return fast_objective_any(q.H.data(), q.N, q.E.data(), p, q.G, grad, fw);
}

// Value and gradient of `f` against the reference on one problem.
void expect_matches(const Problem& q, double p, const Objective& f, const char* variant) {
  std::vector<cplx> g1((size_t)q.nr * q.L), g2(g1.size());
  const CMat grad1{g1.data(), q.nr, q.L, 1}, grad2{g2.data(), q.nr, q.L, 1};
  const double ref = reference(q, p, &grad1);
  const double got = f(q.H.data(), q.N, q.E.data(), p, q.G, &grad2);
  const std::string where = std::string(variant) + " N=" + std::to_string(q.N) + " nr=" + std::to_string(q.nr) +
                            " nt=" + std::to_string(q.nt) + " p=" + std::to_string(p);
  ASSERT_TRUE(std::isfinite(ref)) << where;
  // phi is a log, so its error is absolute; square N_r = L cases can make M_n
  // ill-conditioned, which costs a few digits in either implementation.
  const double tol = 1e-10 * (1 + std::fabs(ref));
  EXPECT_NEAR(got, ref, tol) << where;
  // Gradient error relative to its size, or to the scale 2 / ||G|| of its terms where it
  // vanishes (N_r = L = 1: phi does not depend on G at all).
  double diff = 0, norm = 0, g2norm = 0;
  for (size_t i = 0; i < g1.size(); ++i) {
    diff += norm2(g1[i] - g2[i]);
    norm += norm2(g1[i]);
    g2norm += norm2(q.gbuf[i]);
  }
  EXPECT_LE(std::sqrt(diff), 1e-9 * std::fmax(std::sqrt(norm), 2 / std::sqrt(g2norm))) << where << " (gradient)";
  // Without a gradient: the same value.
  EXPECT_NEAR(f(q.H.data(), q.N, q.E.data(), p, q.G, nullptr), ref, tol) << where;
}

template <int NT, int L>
std::vector<std::pair<const char*, Objective>> variants() {
  std::vector<std::pair<const char*, Objective>> v;
  v.push_back({"vec16", [](const CMat* H, int n, const double* E, double p, const CMat& G, const CMat* g) {
                 return fast_objective_fixed<NT, L, 16>(H, n, E, p, G, g);
               }});
#if defined(AIRTP_FAST_AVX2)
  if (cpu_avx2_fma())
    v.push_back({"avx2", [](const CMat* H, int n, const double* E, double p, const CMat& G, const CMat* g) {
                   return fast_objective_avx2<NT, L>(H, n, E, p, G, g);
                 }});
#endif
  return v;
}

template <int NT, int L>
void check_size() {
  uint64_t seed = 100 * NT;
  for (const auto& [name, f] : variants<NT, L>())
    for (int N : {1, 2, 3, 5, 8, 13, 32})
      for (int nr : {L, 20, 33})
        for (double p : {8.0, 128.0}) {
          const Problem q(N, nr, NT, L, ++seed);
          expect_matches(q, p, f, name);
        }
}

TEST(FastObjective, FixedSizesMatchTheGeneralImplementation) {
  check_size<1, 1>();
  check_size<2, 2>();
  check_size<4, 4>();
  check_size<8, 8>();
}

// What the solver sees through fast_objective (the dispatcher) is the reference too.
TEST(FastObjective, DispatcherMatchesTheGeneralImplementation) {
  const Problem q(8, 20, 4, 4, 7);
  expect_matches(q, 32.0, [](const CMat* H, int n, const double* E, double p, const CMat& G, const CMat* g) {
    std::vector<cplx> w(5 * 16);  // FastWork: five 4 x 4 matrices
    Scratch s{w.data(), 1};
    FastWork fw{s.take(4, 4), s.take(4, 4), s.take(4, 4), s.take(4, 4), s.take(4, 4)};
    return fast_objective(H, n, E, p, G, g, fw);
  }, "dispatch");
}

// A device whose M_n is singular (its channel is zero, or G has two equal columns) makes
// the objective +inf in every implementation; so does a zero G.
TEST(FastObjective, SingularCasesAreInfiniteEverywhere) {
  for (const auto& [name, f] : variants<4, 4>()) {
    Problem zero_channel(5, 20, 4, 4, 11);
    for (int r = 0; r < 20; ++r)
      for (int a = 0; a < 4; ++a) zero_channel.H[3](r, a) = cplx(0, 0);
    Problem equal_columns(8, 20, 4, 4, 12);
    for (int r = 0; r < 20; ++r) equal_columns.G(r, 2) = equal_columns.G(r, 1);
    Problem zero_design(8, 20, 4, 4, 13);
    for (auto& z : zero_design.gbuf) z = cplx(0, 0);
    for (const Problem* q : {&zero_channel, &equal_columns, &zero_design}) {
      EXPECT_EQ(reference(*q, 8.0, nullptr), INFINITY) << name;
      EXPECT_EQ(f(q->H.data(), q->N, q->E.data(), 8.0, q->G, nullptr), INFINITY) << name;
    }
  }
}

}  // namespace

namespace {

// p = kExactAlpha: max_n tr(M_n^{-1}) / E_n, checked against trace_inverse (Cholesky and
// forward substitution, kernels/linalg.cuh) on each device's M_n built by plain products.
TEST(FastObjective, ExactAlphaModeIsTheTraceForm) {
  for (int N : {1, 3, 8, 13}) {
    const Problem q(N, 20, 4, 4, 500 + N);
    std::vector<cplx> fb(16), mb(16);
    const CMat F{fb.data(), 4, 4, 1}, M{mb.data(), 4, 4, 1};
    double want = 0;
    for (int n = 0; n < N; ++n) {
      matmul_ah(F, q.H[n], q.G);
      matmul_ah(M, F, F);
      want = std::fmax(want, trace_inverse(M) / q.E[n]);
    }
    EXPECT_NEAR(reference(q, kExactAlpha, nullptr), want, 1e-12 * want) << "N=" << N;
    for (const auto& [name, f] : variants<4, 4>())
      EXPECT_NEAR(f(q.H.data(), q.N, q.E.data(), kExactAlpha, q.G, nullptr), want, 1e-12 * want) << name << " N=" << N;
  }
}

}  // namespace
