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

// sqrt(a^2 + b^2) without overflow or underflow: the plain formula where the squares are
// safe, a scaled one where they are not. libm's hypot is several times slower (it rounds
// correctly), and the QL sweeps below call this ~1,000 times per realization.
AIRTP_INLINE double fast_hypot(double a, double b) {
  const double m = fmax(fabs(a), fabs(b));
  if (m > 1e-150 && m < 1e150) return sqrt(a * a + b * b);
  if (!(m > 0) || m == INFINITY) return m;  // 0, inf (or NaN, which propagates)
  const double x = a / m, y = b / m;
  return m * sqrt(x * x + y * y);
}

// Implicit QL with Wilkinson shifts on a real symmetric tridiagonal matrix (diagonal d,
// off-diagonal e[i] coupling i and i+1), accumulating the rotations into the real matrix Z
// (kept in the real parts of Zc). On return d holds the eigenvalues. Returns false if some
// eigenvalue failed to converge.
AIRTP_INLINE bool tridiagonal_ql(int n, double* d, double* e, const CMat& Zc) {
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) Zc(r, c) = cplx(r == c ? 1.0 : 0.0, 0);
  if (n > 0) e[n - 1] = 0;
  for (int l = 0; l < n; ++l) {
    for (int iter = 0;; ++iter) {
      int m = l;
      for (; m < n - 1; ++m) {
        const double dd = fabs(d[m]) + fabs(d[m + 1]);
        if (fabs(e[m]) <= 1e-16 * dd) break;
      }
      if (m == l) break;
      if (iter == 60) return false;
      double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
      double r = fast_hypot(g, 1.0);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      double s = 1, c = 1, p = 0;
      int i = m - 1;
      for (; i >= l; --i) {
        const double f = s * e[i], b = c * e[i];
        r = fast_hypot(f, g);
        e[i + 1] = r;
        if (r == 0) {  // underflow: split the matrix here and start over
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2.0 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (int k = 0; k < n; ++k) {
          const double zk1 = Zc(k, i + 1).re, zk = Zc(k, i).re;
          Zc(k, i + 1).re = s * zk + c * zk1;
          Zc(k, i).re = c * zk - s * zk1;
        }
      }
      if (r == 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return true;
}

// Orthonormal basis X (n x L) of the dominant L-dimensional eigenspace of the Hermitian PSD
// matrix Q (destroyed), by Householder reduction to tridiagonal form (reflector vectors kept
// in Q's lower part), implicit QL on the real tridiagonal, and back-transformation of only
// the L wanted eigenvectors. Exact to rounding even when eigenvalue gaps are small, unlike
// subspace iteration, and ~5x cheaper than cyclic Jacobi at N_r = 20.
// V (n x n) and W (n x 3) are scratch. Returns false if QL did not converge.
AIRTP_INLINE bool top_subspace(const CMat& Q, const CMat& X, const CMat& V, const CMat& W) {
  const int n = Q.rows, L = X.cols;
  // W column 0: (d, e) in (re, im); column 1: complex subdiagonal; column 2: phases.
  for (int k = 0; k + 2 < n; ++k) {
    const int m = n - k - 1;  // length of the column below the diagonal
    double sigma2 = 0;
    for (int i = 0; i < m; ++i) sigma2 += norm2(Q(k + 1 + i, k));
    const double sigma = sqrt(sigma2);
    const cplx x0 = Q(k + 1, k);
    const double ax0 = sqrt(norm2(x0));
    if (!(sigma > 1e-300) || sigma - ax0 <= 1e-16 * sigma) {
      // Already tridiagonal in this column: no reflection (marked by a zero vector).
      W(k, 1) = x0;
      for (int i = 0; i < m; ++i) Q(k + 1 + i, k) = cplx(0, 0);
      continue;
    }
    const cplx ph = ax0 > 0 ? (1.0 / ax0) * x0 : cplx(1, 0);
    const cplx alpha = -sigma * ph;  // H x = alpha e_1
    W(k, 1) = alpha;
    Q(k + 1, k) = x0 - alpha;
    const double vn = 1.0 / sqrt(2.0 * sigma * (sigma + ax0));  // ||x - alpha e_1||
    for (int i = 0; i < m; ++i) Q(k + 1 + i, k) = vn * Q(k + 1 + i, k);
    // Trailing block B = Q[k+1.., k+1..] (lower triangle used): B <- B - 2 v q^H - 2 q v^H,
    // p = B v, K = v^H p, q = p - K v. p goes into W column 2 temporarily.
    double K = 0;
    for (int i = 0; i < m; ++i) {
      cplx acc(0, 0);
      for (int j = 0; j < m; ++j) {
        const cplx bij = j <= i ? Q(k + 1 + i, k + 1 + j) : conj(Q(k + 1 + j, k + 1 + i));
        acc += bij * Q(k + 1 + j, k);
      }
      W(k + 1 + i, 2) = acc;
      K += cmulc(Q(k + 1 + i, k), acc).re;
    }
    for (int i = 0; i < m; ++i) W(k + 1 + i, 2) -= K * Q(k + 1 + i, k);
    for (int j = 0; j < m; ++j)
      for (int i = j; i < m; ++i) {
        const cplx vi = Q(k + 1 + i, k), vj = Q(k + 1 + j, k);
        const cplx qi = W(k + 1 + i, 2), qj = W(k + 1 + j, 2);
        Q(k + 1 + i, k + 1 + j) -= 2.0 * (vi * conj(qj) + qi * conj(vj));
      }
  }
  double d[kMaxRx], e[kMaxRx];
  for (int k = 0; k < n; ++k) d[k] = Q(k, k).re;
  if (n >= 2) W(n - 2, 1) = Q(n - 1, n - 2);
  // Make the subdiagonal real: T = D T_real D^H with delta_{k+1} = delta_k e_k / |e_k|.
  W(0, 2) = cplx(1, 0);
  for (int k = 0; k + 1 < n; ++k) {
    const cplx ek = W(k, 1);
    const double a = sqrt(norm2(ek));
    e[k] = a;
    W(k + 1, 2) = a > 0 ? W(k, 2) * ((1.0 / a) * ek) : W(k, 2);
  }
  if (!tridiagonal_ql(n, d, e, V)) return false;
  int pick[kMaxStreams];
  for (int l = 0; l < L; ++l) {  // the L largest eigenvalues, by repeated selection
    int best = 0;
    double bv = -INFINITY;
    for (int i = 0; i < n; ++i) {
      bool used = false;
      for (int mm = 0; mm < l; ++mm) used = used || pick[mm] == i;
      if (!used && d[i] > bv) { bv = d[i]; best = i; }
    }
    pick[l] = best;
    // x = H_0 H_1 ... H_{n-3} D z: apply the reflectors last to first.
    for (int r = 0; r < n; ++r) X(r, l) = V(r, best).re * W(r, 2);
    for (int k = n - 3; k >= 0; --k) {
      cplx dot(0, 0);
      for (int i = k + 1; i < n; ++i) dot += cmulc(Q(i, k), X(i, l));
      for (int i = k + 1; i < n; ++i) X(i, l) -= 2.0 * (Q(i, k) * dot);
    }
  }
  return true;
}

// Random design: i.i.d. CN(0,1) entries normalised to unit Frobenius norm.
AIRTP_INLINE void random_design(const RngKey& key, uint64_t real, const CMat& G) {
  for (int c = 0; c < G.cols; ++c)
    for (int r = 0; r < G.rows; ++r) G(r, c) = cnormal(key, real, (uint64_t)c * G.rows + r);
  scale(G, 1.0 / sqrt(frob2(G)));
}

}  // namespace airtp
