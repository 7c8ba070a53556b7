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
// Gradient (real gradient, 2 x the Wirtinger derivative d/dG*):
//   d log tr(G^H G)       -> 2 G / tr(G^H G)
//   d log tr(M_n^{-1})    -> -2 H_n F_n M_n^{-2} / tr(M_n^{-1}),  F_n = H_n^H G
// and the smooth max weights the per-device terms by w_n = f_n^p / sum_m f_m^p, accumulated
// in one pass with a running log-sum-exp so that no device's terms are computed twice.
#pragma once
#include "kernels/linalg.cuh"
#include "kernels/rng.cuh"

namespace airtp {

constexpr int kFastMemory = 5;  // L-BFGS pairs kept
constexpr int kFastStages = 3;

struct FastOptions {
  int starts = 1;       // 1 = eigen start only; each further start is a random matrix
  int iters = 20;       // L-BFGS iterations per smoothing stage (upper bound)
};

// Complex scratch elements fast_design needs beyond H and the output G.
AIRTP_INLINE long fast_scratch_size(int n_rx, int n_tx, int L) {
  return (long)(6 + 2 * kFastMemory) * n_rx * L + 2L * n_tx * L + 3L * L * L;
}

// Real inner product Re tr(A^H B) of two matrices of equal shape.
AIRTP_INLINE double rdot(const CMat& A, const CMat& B) {
  double s = 0;
  for (int c = 0; c < A.cols; ++c)
    for (int r = 0; r < A.rows; ++r) s += cmulc(A(r, c), B(r, c)).re;
  return s;
}

AIRTP_INLINE void copy_mat(const CMat& dst, const CMat& src) {
  for (int c = 0; c < src.cols; ++c)
    for (int r = 0; r < src.rows; ++r) dst(r, c) = src(r, c);
}

// Y += a X
AIRTP_INLINE void axpy(const CMat& Y, double a, const CMat& X) {
  for (int c = 0; c < X.cols; ++c)
    for (int r = 0; r < X.rows; ++r) Y(r, c) += a * X(r, c);
}

// C = A^H B for contiguous (es = 1) matrices. Each entry is two real dot products over the
// interleaved (re, im) storage: Re = sum x_re y_re + x_im y_im, Im = sum x_re y_im - x_im y_re,
// which the compiler vectorizes (the GPU's interleaved layout takes matmul_ah instead).
AIRTP_INLINE void matmul_ah_flat(const CMat& C, const CMat& A, const CMat& B) {
  const int n = A.rows;
  for (int c = 0; c < B.cols; ++c)
    for (int r = 0; r < A.cols; ++r) {
      const double* x = &A(0, r).re;
      const double* y = &B(0, c).re;
      double re = 0, im = 0;
      AIRTP_SIMD_REDUCE(re, im)
      for (int k = 0; k < n; ++k) {
        re += x[2 * k] * y[2 * k] + x[2 * k + 1] * y[2 * k + 1];
        im += x[2 * k] * y[2 * k + 1] - x[2 * k + 1] * y[2 * k];
      }
      C(r, c) = cplx(re, im);
    }
}

// Per-device work matrices of the objective.
struct FastWork {
  CMat F, FM;        // n_tx x L
  CMat M, Minv, M2;  // L x L
};

// phi_p(G) and, when grad is non-null, its real gradient. Returns +inf when some M_n is
// singular (the line search then backtracks).
AIRTP_INLINE double fast_objective(const CMat* H, int n_dev, const double* E, double p, const CMat& G,
                                   const CMat* grad, const FastWork& w) {
  const int L = G.cols, nr = G.rows, nt = w.F.rows;
  const double g2 = frob2(G);
  if (!(g2 > 0)) return INFINITY;
  double gref = -INFINITY, wsum = 0;  // sum_n exp(p (g_n - gref)), g_n = log f_n
  if (grad) set_zero(*grad);
  // Contiguous storage (the CPU layout): the two big products run as vectorized loops.
  const bool flat = G.es == 1 && H[0].es == 1 && w.F.es == 1 && (!grad || grad->es == 1);
  for (int n = 0; n < n_dev; ++n) {
    if (flat)
      matmul_ah_flat(w.F, H[n], G);
    else
      matmul_ah(w.F, H[n], G);
    matmul_ah(w.M, w.F, w.F);
    if (!hpd_inverse(w.M, w.Minv)) return INFINITY;
    double tr = 0;
    for (int i = 0; i < L; ++i) tr += w.Minv(i, i).re;
    if (!(tr > 0) || !(tr < 1e300)) return INFINITY;
    const double g = log(tr / E[n]);
    double wn;
    if (g > gref) {  // new reference: rescale what was accumulated
      const double r = gref == -INFINITY ? 0.0 : exp(p * (gref - g));
      wsum *= r;
      if (grad) scale(*grad, r);
      gref = g;
      wn = 1.0;
    } else {
      wn = exp(p * (g - gref));
    }
    wsum += wn;
    // A device whose weight is below 1e-16 of the largest cannot move the gradient.
    if (grad && wn > 1e-16) {
      matmul(w.M2, w.Minv, w.Minv);  // M^{-2}
      matmul(w.FM, w.F, w.M2);       // F M^{-2}
      const double c = wn / tr;
      if (flat) {  // grad(:, l) += (c FM(a, l)) H_n(:, a), an axpy down each contiguous column
        for (int l = 0; l < L; ++l)
          for (int a = 0; a < nt; ++a) {
            const cplx f = c * w.FM(a, l);
            double* g = &(*grad)(0, l).re;
            const double* h = &H[n](0, a).re;
            AIRTP_SIMD
            for (int r = 0; r < nr; ++r) {
              g[2 * r] += f.re * h[2 * r] - f.im * h[2 * r + 1];
              g[2 * r + 1] += f.re * h[2 * r + 1] + f.im * h[2 * r];
            }
          }
      } else {
        for (int l = 0; l < L; ++l)
          for (int r = 0; r < nr; ++r) {
            cplx s(0, 0);
            for (int a = 0; a < nt; ++a) s += H[n](r, a) * w.FM(a, l);
            (*grad)(r, l) += c * s;
          }
      }
    }
  }
  if (grad) {
    // grad = 2 G / ||G||^2 - 2 (sum_n w_n H_n F_n M_n^{-2} / tr_n) / sum_n w_n
    const double a = -2.0 / wsum, b = 2.0 / g2;
    for (int l = 0; l < L; ++l)
      for (int r = 0; r < nr; ++r) (*grad)(r, l) = a * (*grad)(r, l) + b * G(r, l);
  }
  return log(g2) + gref + log(wsum) / p;
}

// Exact alpha of G after normalising it to ||G||_F = 1 (in place). +inf for an outage.
AIRTP_INLINE double fast_exact_alpha(const CMat* H, int n_dev, const double* E, const CMat& G, const FastWork& w) {
  const double g2 = frob2(G);
  if (!(g2 > 0) || !(g2 < 1e300)) return INFINITY;
  scale(G, 1.0 / sqrt(g2));
  double a = 0;
  for (int n = 0; n < n_dev; ++n) {
    matmul_ah(w.F, H[n], G);
    matmul_ah(w.M, w.F, w.F);
    const double t = trace_inverse(w.M) / E[n];
    if (!(t <= 1e300)) return INFINITY;
    a = fmax(a, t);
  }
  return a;
}

// L-BFGS on phi_p from G (modified in place). S, Yv: kFastMemory matrices each (n_rx x L);
// grad, gnew, dir, Gt: n_rx x L.
AIRTP_INLINE void fast_lbfgs(const CMat* H, int n_dev, const double* E, double p, int iters, const CMat& G,
                             const CMat* S, const CMat* Yv, const CMat& grad, const CMat& gnew, const CMat& dir,
                             const CMat& Gt, const FastWork& w) {
  double phi = fast_objective(H, n_dev, E, p, G, &grad, w);
  if (!(phi < INFINITY)) return;
  double rho[kFastMemory], alf[kFastMemory];
  int stored = 0, head = 0;  // ring buffer: newest pair at (head - 1)
  for (int it = 0; it < iters; ++it) {
    // Two-loop recursion: dir = -H_k grad.
    copy_mat(dir, grad);
    for (int j = 0; j < stored; ++j) {
      const int k = (head - 1 - j + kFastMemory) % kFastMemory;
      alf[k] = rho[k] * rdot(S[k], dir);
      axpy(dir, -alf[k], Yv[k]);
    }
    double gamma;
    if (stored > 0) {
      const int k = (head - 1 + kFastMemory) % kFastMemory;
      gamma = rdot(S[k], Yv[k]) / rdot(Yv[k], Yv[k]);
    } else {
      // First step: move G (unit scale) by about 5% of its norm.
      gamma = 0.05 * sqrt(frob2(G) / fmax(rdot(grad, grad), 1e-300));
    }
    scale(dir, gamma);
    for (int j = stored - 1; j >= 0; --j) {
      const int k = (head - 1 - j + kFastMemory) % kFastMemory;
      const double beta = rho[k] * rdot(Yv[k], dir);
      axpy(dir, alf[k] - beta, S[k]);
    }
    scale(dir, -1.0);
    double slope = rdot(grad, dir);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      stored = 0;
      copy_mat(dir, grad);
      scale(dir, -0.05 * sqrt(frob2(G) / fmax(rdot(grad, grad), 1e-300)));
      slope = rdot(grad, dir);
      if (!(slope < 0)) return;
    }
    // Armijo backtracking.
    double t = 1.0, phit = INFINITY;
    bool ok = false;
    for (int bt = 0; bt < 30; ++bt) {
      copy_mat(Gt, G);
      axpy(Gt, t, dir);
      phit = fast_objective(H, n_dev, E, p, Gt, &gnew, w);
      if (phit <= phi + 1e-4 * t * slope) { ok = true; break; }
      t *= 0.5;
    }
    if (!ok) return;
    // New pair s = Gt - G, y = gnew - grad.
    const int k = head;
    for (int l = 0; l < G.cols; ++l)
      for (int r = 0; r < G.rows; ++r) {
        S[k](r, l) = Gt(r, l) - G(r, l);
        Yv[k](r, l) = gnew(r, l) - grad(r, l);
      }
    const double sy = rdot(S[k], Yv[k]);
    if (sy > 1e-16 * sqrt(rdot(S[k], S[k]) * rdot(Yv[k], Yv[k]))) {
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
AIRTP_INLINE double fast_design(const CMat* H, int n_dev, const double* E, const FastOptions& o, const RngKey& key,
                                uint64_t real, const CMat& G, Scratch& ws) {
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

}  // namespace airtp
