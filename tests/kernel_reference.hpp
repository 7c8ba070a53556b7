// Independent CPU references for the kernels, written with Eigen (LAPACK-grade eigensolver,
// LU inverses) rather than the kernels' own small linear algebra.
#pragma once
#include <Eigen/Dense>
#include <vector>
#include "kernels/alpha.cuh"

namespace airtp::ref {

using MatC = Eigen::MatrixXcd;

// Channels of realization `real` (the draw itself is the definition shared by both sides;
// its statistics are checked separately in test_channel.cpp).
inline std::vector<MatC> channels(const ChannelParams& p, uint64_t real) {
  std::vector<MatC> H;
  std::vector<cplx> buf((size_t)p.n_rx * p.n_tx);
  for (int n = 0; n < p.n_dev; ++n) {
    CMat view{buf.data(), p.n_rx, p.n_tx, 1};
    gen_channel(p, real, n, view);
    MatC h(p.n_rx, p.n_tx);
    for (int t = 0; t < p.n_tx; ++t)
      for (int r = 0; r < p.n_rx; ++r) h(r, t) = {view(r, t).re, view(r, t).im};
    H.push_back(h);
  }
  return H;
}

// alpha(G) = max_n tr((G^H Q_n G)^{-1}) / E_n with explicit inverses; +inf if singular.
inline double alpha(const std::vector<MatC>& H, const MatC& G, const double* E) {
  double a = 0;
  for (size_t n = 0; n < H.size(); ++n) {
    const MatC M = G.adjoint() * H[n] * H[n].adjoint() * G;
    Eigen::SelfAdjointEigenSolver<MatC> es(M);
    const double lmax = es.eigenvalues().maxCoeff();
    if (!(es.eigenvalues().minCoeff() > 1e-11 * lmax)) return INFINITY;
    a = std::max(a, (es.eigenvalues().cwiseInverse().sum()) / E[n]);
  }
  return a;
}

// The eigen design: top-L eigenvectors of sum_n H_n H_n^H, scaled to ||G||_F = 1.
inline MatC eigen_design(const std::vector<MatC>& H, int L) {
  MatC Q = MatC::Zero(H[0].rows(), H[0].rows());
  for (auto& h : H) Q += h * h.adjoint();
  Eigen::SelfAdjointEigenSolver<MatC> es(Q);  // ascending eigenvalues
  return es.eigenvectors().rightCols(L) / std::sqrt((double)L);
}

inline MatC random_design(const RngKey& key, uint64_t real, int nr, int L) {
  MatC G(nr, L);
  for (int c = 0; c < L; ++c)
    for (int r = 0; r < nr; ++r) {
      const cplx z = cnormal(key, real, (uint64_t)c * nr + r);
      G(r, c) = {z.re, z.im};
    }
  return G / G.norm();
}

}  // namespace airtp::ref
