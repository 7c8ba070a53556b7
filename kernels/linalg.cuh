// Small dense complex linear algebra for one realization, shared by both backends.
// Sizes are tiny (N_r <= 128, L <= 16): plain loops, no blocking.
#pragma once
#include "kernels/common.cuh"

namespace airtp {

AIRTP_INLINE void set_zero(const CMat& A) {
  for (int c = 0; c < A.cols; ++c)
    for (int r = 0; r < A.rows; ++r) A(r, c) = cplx(0, 0);
}

// Q += H H^H (Hermitian: computes the upper triangle, then mirrors).
AIRTP_INLINE void add_gram(const CMat& Q, const CMat& H) {
  for (int j = 0; j < H.rows; ++j)
    for (int i = 0; i <= j; ++i) {
      cplx s(0, 0);
      for (int t = 0; t < H.cols; ++t) s += H(i, t) * conj(H(j, t));
      Q(i, j) += s;
    }
}
AIRTP_INLINE void mirror_upper(const CMat& Q) {
  for (int j = 0; j < Q.rows; ++j) {
    Q(j, j) = cplx(Q(j, j).re, 0);
    for (int i = 0; i < j; ++i) Q(j, i) = conj(Q(i, j));
  }
}

// C = A B (plain product).
AIRTP_INLINE void matmul(const CMat& C, const CMat& A, const CMat& B) {
  for (int c = 0; c < B.cols; ++c)
    for (int r = 0; r < A.rows; ++r) {
      cplx s(0, 0);
      for (int k = 0; k < A.cols; ++k) s += A(r, k) * B(k, c);
      C(r, c) = s;
    }
}

// C = A^H B.
AIRTP_INLINE void matmul_ah(const CMat& C, const CMat& A, const CMat& B) {
  for (int c = 0; c < B.cols; ++c)
    for (int r = 0; r < A.cols; ++r) {
      cplx s(0, 0);
      for (int k = 0; k < A.rows; ++k) s += cmulc(A(k, r), B(k, c));
      C(r, c) = s;
    }
}

AIRTP_INLINE double frob2(const CMat& A) {
  double s = 0;
  for (int c = 0; c < A.cols; ++c)
    for (int r = 0; r < A.rows; ++r) s += norm2(A(r, c));
  return s;
}

AIRTP_INLINE void scale(const CMat& A, double s) {
  if (A.es == 1) {  // contiguous (the CPU): one vectorizable run of doubles
    double* x = &A.p[0].re;
    AIRTP_SIMD
    for (long k = 0; k < 2 * A.size(); ++k) x[k] *= s;
    return;
  }
  for (int c = 0; c < A.cols; ++c)
    for (int r = 0; r < A.rows; ++r) A(r, c) = s * A(r, c);
}

// Orthonormalises the columns of X in place (modified Gram-Schmidt, applied twice for
// stability). A column that vanishes is replaced by a unit vector, so X always ends with
// orthonormal columns.
AIRTP_INLINE void orthonormalize(const CMat& X) {
  for (int k = 0; k < X.cols; ++k) {
    for (int pass = 0; pass < 2; ++pass)
      for (int j = 0; j < k; ++j) {
        cplx d(0, 0);
        for (int r = 0; r < X.rows; ++r) d += cmulc(X(r, j), X(r, k));
        for (int r = 0; r < X.rows; ++r) X(r, k) -= d * X(r, j);
      }
    double nrm = 0;
    for (int r = 0; r < X.rows; ++r) nrm += norm2(X(r, k));
    nrm = sqrt(nrm);
    if (!(nrm > 1e-150)) {
      // Degenerate column: restart from the first unit vector that survives projection.
      for (int e = 0; e < X.rows; ++e) {
        for (int r = 0; r < X.rows; ++r) X(r, k) = cplx(r == (e + k) % X.rows ? 1.0 : 0.0, 0);
        for (int pass = 0; pass < 2; ++pass)
          for (int j = 0; j < k; ++j) {
            cplx d(0, 0);
            for (int r = 0; r < X.rows; ++r) d += cmulc(X(r, j), X(r, k));
            for (int r = 0; r < X.rows; ++r) X(r, k) -= d * X(r, j);
          }
        nrm = 0;
        for (int r = 0; r < X.rows; ++r) nrm += norm2(X(r, k));
        nrm = sqrt(nrm);
        if (nrm > 1e-3) break;
      }
    }
    const double inv = 1.0 / nrm;
    for (int r = 0; r < X.rows; ++r) X(r, k) = inv * X(r, k);
  }
}

// Relative pivot below which a Hermitian positive semidefinite matrix counts as singular:
// such a realization is an outage (the zero-forcing precoder does not exist).
constexpr double kSingularPivot = 1e-12;

// In-place Cholesky M = Lc Lc^H of a Hermitian positive definite matrix (lower triangle
// holds Lc). Returns false when M is singular or numerically so.
AIRTP_INLINE bool cholesky(const CMat& M) {
  const int n = M.rows;
  double dmax = 0;
  for (int i = 0; i < n; ++i) dmax = fmax(dmax, M(i, i).re);
  if (!(dmax > 0) || !(dmax < INFINITY)) return false;
  for (int j = 0; j < n; ++j) {
    double d = M(j, j).re;
    for (int k = 0; k < j; ++k) d -= norm2(M(j, k));
    if (!(d > kSingularPivot * dmax)) return false;
    const double l = sqrt(d);
    M(j, j) = cplx(l, 0);
    const double inv = 1.0 / l;
    for (int i = j + 1; i < n; ++i) {
      cplx s = M(i, j);
      for (int k = 0; k < j; ++k) s -= M(i, k) * conj(M(j, k));
      M(i, j) = inv * s;
    }
  }
  return true;
}

// tr(M^{-1}) for Hermitian positive definite M, destroying M. Uses
// M^{-1} = Lc^{-H} Lc^{-1}, so tr(M^{-1}) = ||Lc^{-1}||_F^2, one forward substitution per
// unit vector. Returns +inf when M is singular.
AIRTP_INLINE double trace_inverse(const CMat& M) {
  if (!cholesky(M)) return INFINITY;
  const int n = M.rows;
  double tr = 0;
  cplx y[kMaxStreams];
  for (int j = 0; j < n; ++j) {  // column j of Lc^{-1}: solve Lc y = e_j (y_i = 0 for i < j)
    for (int i = j; i < n; ++i) {
      cplx s(i == j ? 1.0 : 0.0, 0);
      for (int k = j; k < i; ++k) s -= M(i, k) * y[k];
      y[i] = (1.0 / M(i, i).re) * s;
      tr += norm2(y[i]);
    }
  }
  return tr;
}

// Inverse of a Hermitian positive definite matrix (n <= kMaxStreams) into Minv; destroys M.
// Returns false when M is singular.
AIRTP_INLINE bool hpd_inverse(const CMat& M, const CMat& Minv) {
  if (!cholesky(M)) return false;
  const int n = M.rows;
  // Minv = Lc^{-H} Lc^{-1}: first W = Lc^{-1} into Minv's lower triangle column by column.
  cplx y[kMaxStreams];
  set_zero(Minv);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) y[i] = cplx(0, 0);
    for (int i = j; i < n; ++i) {
      cplx s(i == j ? 1.0 : 0.0, 0);
      for (int k = j; k < i; ++k) s -= M(i, k) * y[k];
      y[i] = (1.0 / M(i, i).re) * s;
    }
    for (int i = 0; i < n; ++i) Minv(i, j) = y[i];
  }
  // Minv = W^H W, computed into M (its Cholesky factor is no longer needed).
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) {
      cplx s(0, 0);
      for (int k = 0; k < n; ++k) s += cmulc(Minv(k, r), Minv(k, c));
      M(r, c) = s;
    }
  for (int c = 0; c < n; ++c)
    for (int r = 0; r < n; ++r) Minv(r, c) = M(r, c);
  return true;
}

}  // namespace airtp
