// Fast receive-beamformer optimisation for one realization (SPEC §4, solver 2), shared by
// both backends. Minimises the scale-invariant objective
//   J(G) = tr(G^H G) * max_n f_n(G),   f_n = tr(M_n^{-1}) / E_n,   M_n = G^H H_n H_n^H G,
// whose value at ||G||_F = 1 is exactly alpha(G). The max is replaced by a p-norm smooth
// maximum, minimised in log form
//   phi_p(G) = log tr(G^H G) + (1/p) log sum_n f_n^p,
// with p raised in stages (8, 32, 128) so that early stages see a smooth landscape and the
// last is within a factor N^{1/p} of the true max. Each stage runs L-BFGS with Armijo
// backtracking from the previous stage's point. Starts: the top-L eigenvectors of
// sum_n H_n H_n^H (what the eigen design returns) and random Gaussian matrices; the design
// with the best exact alpha (trace form, not the smooth surrogate) is kept.
//
// The objective and its gradient are in kernels/fast_objective.cuh.
#pragma once
#include "kernels/fast_objective.cuh"
#include "kernels/linalg.cuh"
#include "kernels/rng.cuh"

namespace airtp {

constexpr int kFastMemory = 5;  // L-BFGS pairs kept
constexpr int kFastStages = 3;

// FastOptions is in kernels/params.hpp.

// Complex scratch elements fast_design needs beyond H and the output G.
AIRTP_INLINE long fast_scratch_size(int n_rx, int n_tx, int L) {
  return (long)(6 + 2 * kFastMemory) * n_rx * L + 2L * n_tx * L + 3L * L * L;
}

// L-BFGS works on matrices as vectors. A CMat's elements sit at p[k * es], k = r + c rows,
// so these run as one loop over k; on the CPU (es = 1) that is a contiguous run of doubles
// the compiler vectorizes (the two-loop recursion calls them ~25 times per iteration).

// Real inner product Re tr(A^H B) of two matrices of equal shape.
AIRTP_ALWAYS_INLINE double rdot(const CMat& A, const CMat& B) {
  const long n = A.size();
  double s = 0;
  if (A.es == 1 && B.es == 1) {  // 16 partial sums: independent add chains, then one total
    const double* x = &A.p[0].re;
    const double* y = &B.p[0].re;
    double part[16] = {};
    long k = 0;
    for (; k + 16 <= 2 * n; k += 16)
      for (int j = 0; j < 16; ++j) part[j] += x[k + j] * y[k + j];
    for (; k < 2 * n; ++k) part[0] += x[k] * y[k];
    for (int w = 8; w >= 1; w /= 2)
      for (int j = 0; j < w; ++j) part[j] += part[j + w];
    return part[0];
  }
  for (long k = 0; k < n; ++k) s += cmulc(A.p[k * A.es], B.p[k * B.es]).re;
  return s;
}

AIRTP_ALWAYS_INLINE void copy_mat(const CMat& dst, const CMat& src) {
  const long n = src.size();
  if (dst.es == 1 && src.es == 1) {
    double* y = &dst.p[0].re;
    const double* x = &src.p[0].re;
    AIRTP_SIMD
    for (long k = 0; k < 2 * n; ++k) y[k] = x[k];
    return;
  }
  for (long k = 0; k < n; ++k) dst.p[k * dst.es] = src.p[k * src.es];
}

// D = A + a B (D may be A or B).
AIRTP_ALWAYS_INLINE void add_scaled(const CMat& D, const CMat& A, double a, const CMat& B) {
  const long n = A.size();
  if (D.es == 1 && A.es == 1 && B.es == 1) {
    double* d = &D.p[0].re;
    const double* x = &A.p[0].re;
    const double* y = &B.p[0].re;
    AIRTP_SIMD
    for (long k = 0; k < 2 * n; ++k) d[k] = x[k] + a * y[k];
    return;
  }
  for (long k = 0; k < n; ++k) D.p[k * D.es] = A.p[k * A.es] + a * B.p[k * B.es];
}


// Exact alpha of G after normalising it to ||G||_F = 1 (in place). +inf for an outage.
AIRTP_ALWAYS_INLINE double fast_exact_alpha(const CMat* H, int n_dev, const double* E, const CMat& G,
                                            const FastWork& w) {
  const double g2 = frob2(G);
  if (!(g2 > 0) || !(g2 < 1e300)) return INFINITY;
  scale(G, 1.0 / sqrt(g2));
  return fast_objective(H, n_dev, E, kExactAlpha, G, nullptr, w);
}

// L-BFGS on phi_p from G (modified in place). S, Yv: kFastMemory matrices each (n_rx x L);
// grad, gnew, dir, Gt: n_rx x L.
AIRTP_ALWAYS_INLINE void fast_lbfgs(const CMat* H, int n_dev, const double* E, double p, int iters, const CMat& G,
                             const CMat* S, const CMat* Yv, const CMat& grad, const CMat& gnew, const CMat& dir,
                             const CMat& Gt, const FastWork& w) {
  double phi = fast_objective(H, n_dev, E, p, G, &grad, w);
  if (!(phi < INFINITY)) return;
  double rho[kFastMemory], yy[kFastMemory], alf[kFastMemory];  // 1 / s.y, y.y of each pair
  int stored = 0, head = 0;  // ring buffer: newest pair at (head - 1)
  for (int it = 0; it < iters; ++it) {
    // Two-loop recursion: dir = H_k grad; the step is -dir.
    copy_mat(dir, grad);
    for (int j = 0; j < stored; ++j) {
      const int k = (head - 1 - j + kFastMemory) % kFastMemory;
      alf[k] = rho[k] * rdot(S[k], dir);
      add_scaled(dir, dir, -alf[k], Yv[k]);
    }
    double gamma;
    if (stored > 0) {
      const int k = (head - 1 + kFastMemory) % kFastMemory;
      gamma = 1.0 / (rho[k] * yy[k]);  // s.y / y.y
    } else {
      // First step: move G (unit scale) by about 5% of its norm.
      gamma = 0.05 * sqrt(rdot(G, G) / fmax(rdot(grad, grad), 1e-300));
    }
    scale(dir, gamma);
    for (int j = stored - 1; j >= 0; --j) {
      const int k = (head - 1 - j + kFastMemory) % kFastMemory;
      const double beta = rho[k] * rdot(Yv[k], dir);
      add_scaled(dir, dir, alf[k] - beta, S[k]);
    }
    double slope = -rdot(grad, dir);  // of the step -dir
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      stored = 0;
      copy_mat(dir, grad);
      scale(dir, 0.05 * sqrt(rdot(G, G) / fmax(rdot(grad, grad), 1e-300)));
      slope = -rdot(grad, dir);
      if (!(slope < 0)) return;
    }
    // Armijo backtracking.
    double t = 1.0, phit = INFINITY;
    bool ok = false;
    for (int bt = 0; bt < 30; ++bt) {
      add_scaled(Gt, G, -t, dir);  // the step is -dir (dir holds H_k grad)
      phit = fast_objective(H, n_dev, E, p, Gt, &gnew, w);
      if (phit <= phi + 1e-4 * t * slope) { ok = true; break; }
      t *= 0.5;
    }
    if (!ok) return;
    // New pair s = Gt - G, y = gnew - grad.
    const int k = head;
    add_scaled(S[k], Gt, -1.0, G);
    add_scaled(Yv[k], gnew, -1.0, grad);
    const double sy = rdot(S[k], Yv[k]);
    yy[k] = rdot(Yv[k], Yv[k]);
    if (sy > 1e-16 * sqrt(rdot(S[k], S[k]) * yy[k])) {
      rho[k] = 1.0 / sy;
      head = (head + 1) % kFastMemory;
      if (stored < kFastMemory) ++stored;
    }
    const double gain = phi - phit;
    copy_mat(G, Gt);
    copy_mat(grad, gnew);
    phi = phit;
    if (gain < 1e-9) return;  // relative change of the objective (it is a log) below 1e-9
  }
}

// Optimised G (n_rx x L, ||G||_F = 1) for channels H[0..n_dev-1]; returns its exact alpha,
// +inf when no start gives an invertible M_n for every device (an outage). G0 holds the
// eigen start on entry (the caller computes it). `real` and `key` seed the random starts.
AIRTP_ALWAYS_INLINE double fast_design_body(const CMat* H, int n_dev, const double* E, const FastOptions& o,
                                            const RngKey& key, uint64_t real, const CMat& G, Scratch& ws) {
  const int nr = G.rows, L = G.cols, nt = H[0].cols;
  CMat best = ws.take(nr, L), X = ws.take(nr, L), grad = ws.take(nr, L), gnew = ws.take(nr, L);
  CMat dir = ws.take(nr, L), Gt = ws.take(nr, L);
  CMat S[kFastMemory], Yv[kFastMemory];
  for (int k = 0; k < kFastMemory; ++k) { S[k] = ws.take(nr, L); Yv[k] = ws.take(nr, L); }
  FastWork w{ws.take(nt, L), ws.take(nt, L), ws.take(L, L), ws.take(L, L), ws.take(L, L)};
  const double pstage[kFastStages] = {8.0, 32.0, 128.0};

  double best_alpha = INFINITY;
  copy_mat(best, G);
  const int starts = o.starts < 1 ? 1 : o.starts;
  for (int s = 0; s < starts; ++s) {
    if (s == 0) {
      copy_mat(X, G);
    } else {  // random start s: its own block of draws, disjoint from the random design's
      const uint64_t base = ((uint64_t)s << 32);
      for (int c = 0; c < L; ++c)
        for (int r = 0; r < nr; ++r) X(r, c) = cnormal(key, real, base + (uint64_t)c * nr + r);
    }
    double a = fast_exact_alpha(H, n_dev, E, X, w);
    if (a < best_alpha) { best_alpha = a; copy_mat(best, X); }
    if (!(a < INFINITY)) continue;  // singular start: nothing to descend from
    for (int st = 0; st < kFastStages; ++st) {
      fast_lbfgs(H, n_dev, E, pstage[st], o.iters, X, S, Yv, grad, gnew, dir, Gt, w);
      a = fast_exact_alpha(H, n_dev, E, X, w);  // also renormalises X for the next stage
      if (a < best_alpha) { best_alpha = a; copy_mat(best, X); }
    }
  }
  copy_mat(G, best);
  return best_alpha;
}

#if defined(AIRTP_FAST_AVX2)
// The whole optimisation built for AVX2 + FMA (see fast_objective_avx2): the L-BFGS vector
// updates and the exact alpha vectorize 4-wide too.
__attribute__((target("avx2,fma"))) inline double fast_design_avx2(const CMat* H, int n_dev, const double* E,
                                                                  const FastOptions& o, const RngKey& key,
                                                                  uint64_t real, const CMat& G, Scratch& ws) {
  return fast_design_body(H, n_dev, E, o, key, real, G, ws);
}
#endif

AIRTP_INLINE double fast_design(const CMat* H, int n_dev, const double* E, const FastOptions& o, const RngKey& key,
                                uint64_t real, const CMat& G, Scratch& ws) {
#if defined(AIRTP_FAST_AVX2)
  if (cpu_avx2_fma()) return fast_design_avx2(H, n_dev, E, o, key, real, G, ws);
#endif
  return fast_design_body(H, n_dev, E, o, key, real, G, ws);
}

}  // namespace airtp
