// Receive-beamformer designs G (n_rx x L, ||G||_F = 1) that need no optimisation:
//  - eigen:  top-L eigenvectors of Q = sum_n H_n H_n^H (the signal subspace);
//  - random: i.i.d. CN(0,1) entries, normalised;
//  - fast:   the eigen design refined by the batched optimiser of kernels/solver_fast.cuh.
// alpha(G) depends on G only through span(G) and its scale (tr(M_n^{-1}) is invariant under
// G -> G U for unitary U), so an orthonormal basis of the top-L subspace is all we need.
#pragma once
#include "kernels/common.cuh"
#include "kernels/linalg.cuh"
#include "kernels/rng.cuh"

namespace airtp {

enum Design : int { kDesignEigen = 0, kDesignRandom = 1, kDesignFast = 2 };

// Top-L invariant subspace of the Hermitian PSD matrix Q by subspace iteration on P = Q^2
// (squaring doubles the convergence rate (lambda_{L+1}/lambda_L)^2 per step, cheaply). Stops
// when the captured energy tr(X^H P X) no longer grows. X receives orthonormal columns.
// P and Y are scratch of sizes n x n and n x L.
AIRTP_INLINE void top_subspace(const CMat& Q, const CMat& X, const CMat& P, const CMat& Y, int max_iter = 60) {
  const int n = Q.rows, L = X.cols;
  double tr = 0;
  for (int i = 0; i < n; ++i) tr += Q(i, i).re;
  const double s = tr > 0 ? 1.0 / tr : 1.0;
  // P = (sQ)^2, Hermitian: upper triangle then mirror.
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i) {
      cplx acc(0, 0);
      for (int k = 0; k < n; ++k) acc += Q(i, k) * Q(k, j);
      P(i, j) = (s * s) * acc;
    }
  mirror_upper(P);
  // Start from the L columns of P with the largest diagonal entries (a column of P lies
  // mostly in the dominant subspace), chosen by repeated selection.
  int pick[kMaxStreams];
  for (int l = 0; l < L; ++l) {
    int best = 0;
    double bv = -1;
    for (int i = 0; i < n; ++i) {
      bool used = false;
      for (int m = 0; m < l; ++m) used = used || pick[m] == i;
      if (!used && P(i, i).re > bv) { bv = P(i, i).re; best = i; }
    }
    pick[l] = best;
    for (int r = 0; r < n; ++r) X(r, l) = P(r, best);
  }
  orthonormalize(X);
  double prev = -1;
  for (int it = 0; it < max_iter; ++it) {
    matmul(Y, P, X);
    double e = 0;
    for (int l = 0; l < L; ++l)
      for (int r = 0; r < n; ++r) e += cmulc(X(r, l), Y(r, l)).re;
    if (it > 0 && e - prev <= 1e-13 * e) break;
    prev = e;
    for (int l = 0; l < L; ++l)
      for (int r = 0; r < n; ++r) X(r, l) = Y(r, l);
    orthonormalize(X);
  }
}

// Random design: i.i.d. CN(0,1) entries normalised to unit Frobenius norm.
AIRTP_INLINE void random_design(const RngKey& key, uint64_t real, const CMat& G) {
  for (int c = 0; c < G.cols; ++c)
    for (int r = 0; r < G.rows; ++r) G(r, c) = cnormal(key, real, (uint64_t)c * G.rows + r);
  scale(G, 1.0 / sqrt(frob2(G)));
}

}  // namespace airtp
