// One AirComp link of the accuracy simulation, from a receive design (alpha, G): A =
// sqrt(alpha) G, zero-forcing precoders B_n computed from the channels the design sees (the
// estimates under imperfect CSI), and what the server then receives from the true channels,
// E_n = A^H H_n B_n (the identity under perfect CSI), with the combiner A^H for literal noise
// and the lower Cholesky factor of A^H A for noise drawn already projected. Shared by both
// backends; the accuracy simulation applies the result to every slot of an all-reduce.
#pragma once
#include "kernels/aircomp_sim.cuh"

namespace airtp {

AIRTP_INLINE long link_scratch_size(const AlphaParams& p) {
  const long nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams, N = p.ch.n_dev;
  return 2 * N * nr * nt + nr * L + N * nt * L + nt * L + 3 * L * L;
}

// Fills realization `real`'s link: E (N x L x L), AH (L x n_rx) and C (L x L), row-major, in
// single precision. Returns false when no link exists (outage: no design, or a singular
// matrix on the way).
template <class CF>
AIRTP_INLINE bool link_realization(const AlphaParams& p, uint64_t real, double alpha, const cplx* G_in, Scratch& ws,
                                   CF* E_out, CF* AH_out, CF* C_out) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams;
  if (!(alpha < INFINITY) || !(alpha > 0)) return false;
  CMat Hd[kMaxDevices], Ht[kMaxDevices], B[kMaxDevices];
  const bool csi = p.ch.csi_nmse > 0;
  for (int n = 0; n < N; ++n) {
    Hd[n] = ws.take(nr, nt);
    Ht[n] = ws.take(nr, nt);
    gen_channel(p.ch, real, n, Ht[n]);
    if (csi) {
      gen_estimate(p.ch, real, n, Ht[n], Hd[n]);
    } else {
      for (int t = 0; t < nt; ++t)
        for (int r = 0; r < nr; ++r) Hd[n](r, t) = Ht[n](r, t);
    }
  }
  CMat A = ws.take(nr, L);
  for (int n = 0; n < N; ++n) B[n] = ws.take(nt, L);
  CMat F = ws.take(nt, L), M = ws.take(L, L), Minv = ws.take(L, L), E = ws.take(L, L);
  const double s = sqrt(alpha);
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) A(r, l) = s * G_in[l * nr + r];
  if (!zf_precoders(Hd, N, A, B, F, M, Minv)) return false;
  for (int n = 0; n < N; ++n) {
    matmul_ah(F, Ht[n], A);  // F = H_n^H A, so F^H = A^H H_n
    matmul_ah(E, F, B[n]);   // E = A^H H_n B_n
    for (int i = 0; i < L; ++i)
      for (int j = 0; j < L; ++j) E_out[((long)n * L + i) * L + j] = CF((float)E(i, j).re, (float)E(i, j).im);
  }
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) AH_out[(long)l * nr + r] = CF((float)A(r, l).re, (float)-A(r, l).im);
  matmul_ah(M, A, A);
  if (!cholesky(M)) return false;
  for (int i = 0; i < L; ++i)
    for (int j = 0; j < L; ++j) C_out[(long)i * L + j] = j <= i ? CF((float)M(i, j).re, (float)M(i, j).im) : CF(0.f, 0.f);
  return true;
}

}  // namespace airtp
