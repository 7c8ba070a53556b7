// alpha(G) and the closed-form MSE of zero-forcing AirComp for one channel realization
// (SPEC §4). With A = sqrt(alpha) G, ||G||_F = 1, and ZF precoders
//   B_n = (A^H H_n)^H (A^H H_n H_n^H A)^{-1},
// the per-slot error is A^H w, so MSE = sigma^2 tr(A^H A) = sigma^2 alpha. Each device's
// energy over the L_0/L slots of one all-reduce, (L_0/L) tr(B_n B_n^H) = (L_0/L)
// tr(M_n^{-1}) / alpha with M_n = G^H H_n H_n^H G, must stay within its budget c_n, hence
//   alpha(G) = max_n tr(M_n^{-1}) / E_n,   E_n = c_n L / L_0 (energy per slot).
#pragma once
#include "kernels/channel.cuh"
#include "kernels/design.cuh"
#include "kernels/linalg.cuh"
#include "kernels/solver_fast.cuh"

namespace airtp {

// AlphaParams and AlphaOut are in kernels/params.hpp.

// Complex scratch elements one realization needs.
AIRTP_INLINE long alpha_scratch_size(const AlphaParams& p) {
  const long nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams, N = p.ch.n_dev;
  long base = N * nr * nt + 2 * nr * nr + 3 * nr + nr * L + nt * L + L * L;
  if (p.ch.csi_nmse > 0) base += N * nr * nt + 2 * nt * L + 3 * L * L;  // true channels, misalignment work
  return p.design == kDesignFast ? base + fast_scratch_size((int)nr, (int)nt, (int)L) : base;
}

// alpha(G) of a given design G for channels H[0..N-1]; +inf when some M_n is singular
// (an outage). F (n_tx x L) and M (L x L) are scratch. Also reports the active device.
AIRTP_INLINE double alpha_of(const CMat* H, int n_dev, const double* slot_energy, const CMat& G,
                             const CMat& F, const CMat& M, int* active = nullptr) {
  double a = 0;
  int arg = -1;
  for (int n = 0; n < n_dev; ++n) {
    matmul_ah(F, H[n], G);  // F = H_n^H G
    matmul_ah(M, F, F);     // M = G^H H_n H_n^H G
    const double t = trace_inverse(M) / slot_energy[n];
    if (!(t <= 1e300)) return INFINITY;
    if (t > a) { a = t; arg = n; }
  }
  if (active) *active = arg;
  return a;
}

// Misalignment of zero-forcing precoders computed from the estimates Hd while the signal goes
// through Ht (imperfect CSI): sum_n ||A^H Ht_n B_n - I||_F^2 with B_n the ZF precoder of A on
// Hd_n. A^H Ht_n B_n does not change when A is scaled (B_n scales inversely), so G stands for A.
// +inf when some G^H Hd_n Hd_n^H G is singular. F, Fh (n_tx x L), M, Minv, D (L x L) scratch.
AIRTP_INLINE double csi_misalignment(const CMat* Ht, const CMat* Hd, int n_dev, const CMat& G, const CMat& F,
                                     const CMat& Fh, const CMat& M, const CMat& Minv, const CMat& D) {
  double mis = 0;
  const int L = G.cols;
  for (int n = 0; n < n_dev; ++n) {
    matmul_ah(Fh, Hd[n], G);  // Fh = Hd_n^H G
    matmul_ah(M, Fh, Fh);
    if (!hpd_inverse(M, Minv)) return INFINITY;
    matmul_ah(F, Ht[n], G);  // F = Ht_n^H G
    // D = F^H Fh Minv = (A^H Ht_n B_n), compared with I.
    matmul_ah(M, F, Fh);
    matmul(D, M, Minv);
    for (int j = 0; j < L; ++j)
      for (int i = 0; i < L; ++i) mis += norm2(D(i, j) - cplx(i == j ? 1.0 : 0.0, 0));
  }
  return mis;
}

// Draws realization `real`, designs G on the channels the design sees, and returns alpha
// (+inf for an outage) with the misalignment of imperfect CSI (0 when perfect). On return the
// scratch holds the design's channels Hd[0..N-1] followed by G and, with imperfect CSI, the
// true channels Ht[0..N-1] (otherwise Ht[n] = Hd[n]); the signal simulation uses both.
AIRTP_ALWAYS_INLINE AlphaOut alpha_realization_body(const AlphaParams& p, uint64_t real, Scratch& ws, CMat* Hd,
                                                    CMat& G, CMat* Ht) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams;
  const bool csi = p.ch.csi_nmse > 0;
  for (int n = 0; n < N; ++n) Hd[n] = ws.take(nr, nt);
  G = ws.take(nr, L);
  for (int n = 0; n < N; ++n) {
    if (csi) {
      Ht[n] = ws.take(nr, nt);
      gen_channel(p.ch, real, n, Ht[n]);
      gen_estimate(p.ch, real, n, Ht[n], Hd[n]);
    } else {
      gen_channel(p.ch, real, n, Hd[n]);
      Ht[n] = Hd[n];
    }
  }
  CMat Q = ws.take(nr, nr), V = ws.take(nr, nr), W = ws.take(nr, 3);
  CMat F = ws.take(nt, L), M = ws.take(L, L);
  double alpha;
  if (p.design == kDesignRandom) {
    random_design(p.design_key, real, G);
    alpha = alpha_of(Hd, N, p.slot_energy, G, F, M);
  } else {
    set_zero(Q);
    for (int n = 0; n < N; ++n) add_gram(Q, Hd[n]);
    mirror_upper(Q);
    if (!top_subspace(Q, G, V, W)) return AlphaOut{INFINITY, 0};
    scale(G, 1.0 / sqrt((double)L));
    // The fast design starts from the eigen design and keeps the best exact alpha it sees.
    alpha = p.design == kDesignFast ? fast_design(Hd, N, p.slot_energy, p.fast, p.design_key, real, G, ws)
                                    : alpha_of(Hd, N, p.slot_energy, G, F, M);
  }
  if (!csi || !(alpha < INFINITY)) return AlphaOut{alpha, 0};
  CMat Fh = ws.take(nt, L), F2 = ws.take(nt, L), Minv = ws.take(L, L), D = ws.take(L, L), M2 = ws.take(L, L);
  return AlphaOut{alpha, csi_misalignment(Ht, Hd, N, G, F2, Fh, M2, Minv, D)};
}

#if defined(AIRTP_FAST_AVX2)
// The channel draw and the designs built for AVX2 + FMA too (see fast_objective_avx2).
__attribute__((target("avx2,fma"))) inline AlphaOut alpha_realization_avx2(const AlphaParams& p, uint64_t real,
                                                                          Scratch& ws, CMat* Hd, CMat& G, CMat* Ht) {
  return alpha_realization_body(p, real, ws, Hd, G, Ht);
}
#endif

AIRTP_INLINE AlphaOut alpha_realization(const AlphaParams& p, uint64_t real, Scratch& ws, CMat* Hd, CMat& G, CMat* Ht) {
#if defined(AIRTP_FAST_AVX2)
  if (ws.es == 1 && cpu_avx2_fma()) return alpha_realization_avx2(p, real, ws, Hd, G, Ht);
#endif
  return alpha_realization_body(p, real, ws, Hd, G, Ht);
}

// Batch functor: realization `first + i` (i < chunk), scratch slot i, result into out[i].
struct AlphaFunctor {
  AlphaParams p;
  cplx* ws;
  long per;    // scratch elements per realization
  long chunk;  // realizations in flight (scratch slots)
  int layout;  // ScratchLayout
  uint64_t first;
  AlphaOut* out;
  AIRTP_HD void operator()(long i) const {
    Scratch s = scratch_for(ws, i, per, chunk, layout);
    CMat Hd[kMaxDevices], Ht[kMaxDevices];
    CMat G;
    out[i] = alpha_realization(p, first + (uint64_t)i, s, Hd, G, Ht);
  }
};

}  // namespace airtp
