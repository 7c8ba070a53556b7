// Signal-level AirComp for one realization (SPEC §3): every device sends unit-power symbols
// through its zero-forcing precoder, the server applies A^H to the superposition plus noise,
//   s_hat = A^H sum_n H_n B_n s_n + A^H w,  w ~ CN(0, sigma^2 I),
// and the error s_hat - sum_n s_n is measured symbol by symbol. Its empirical mean square
// must match sigma^2 alpha (plus the misalignment with imperfect CSI: the precoders come from
// the estimates, the signal goes through the true channels); the test derives the tolerance
// from the sample size.
#pragma once
#include "kernels/alpha.cuh"

namespace airtp {

// Zero-forcing precoders for A = sqrt(alpha) G: B_n = F (F^H F)^{-1} with F = H_n^H A.
// B must hold n_dev matrices (n_tx x L); F and M (L x L) and Minv are scratch.
// Returns false if some M_n is singular.
AIRTP_INLINE bool zf_precoders(const CMat* H, int n_dev, const CMat& A, CMat* B, const CMat& F, const CMat& M,
                               const CMat& Minv) {
  for (int n = 0; n < n_dev; ++n) {
    matmul_ah(F, H[n], A);
    matmul_ah(M, F, F);
    if (!hpd_inverse(M, Minv)) return false;
    matmul(B[n], F, Minv);
  }
  return true;
}

// SimResult is in kernels/params.hpp.

AIRTP_INLINE long sim_scratch_size(const AlphaParams& p) {
  const long nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams, N = p.ch.n_dev;
  return alpha_scratch_size(p) + N * nt * L + nr * L + 2 * L * L + nt * L + nr + nt;
}

AIRTP_INLINE SimResult sim_realization(const AlphaParams& p, double sigma2, int n_slots, uint64_t real,
                                       const RngKey& sym_key, const RngKey& noise_key, Scratch& ws) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams;
  CMat Hd[kMaxDevices], Ht[kMaxDevices], B[kMaxDevices], G;
  SimResult res{INFINITY, INFINITY, 0, INFINITY};
  const AlphaOut ao = alpha_realization(p, real, ws, Hd, G, Ht);
  const double alpha = ao.alpha;
  res.alpha = alpha;
  res.misalignment = ao.misalignment;
  if (!(alpha <= 1e300)) return res;
  for (int n = 0; n < N; ++n) B[n] = ws.take(nt, L);
  CMat A = ws.take(nr, L), F = ws.take(nt, L), M = ws.take(L, L), Minv = ws.take(L, L);
  CMat y = ws.take(nr, 1), x = ws.take(nt, 1);
  for (int l = 0; l < L; ++l)
    for (int r = 0; r < nr; ++r) A(r, l) = sqrt(alpha) * G(r, l);
  if (!zf_precoders(Hd, N, A, B, F, M, Minv)) return res;  // from what the design sees
  double ratio = 0;
  for (int n = 0; n < N; ++n) ratio = fmax(ratio, frob2(B[n]) / p.slot_energy[n]);
  res.energy_ratio = ratio;
  const double sd = sqrt(sigma2);
  double acc = 0;
  for (int t = 0; t < n_slots; ++t) {
    for (int r = 0; r < nr; ++r) y(r, 0) = sd * cnormal(noise_key, real, (uint64_t)t * nr + r);
    cplx target[kMaxStreams];
    for (int l = 0; l < L; ++l) target[l] = cplx(0, 0);
    for (int n = 0; n < N; ++n) {
      cplx s[kMaxStreams];
      for (int l = 0; l < L; ++l) {
        s[l] = cnormal(sym_key, real, ((uint64_t)t * N + n) * L + l);
        target[l] += s[l];
      }
      for (int a = 0; a < nt; ++a) {  // x = B_n s_n
        cplx v(0, 0);
        for (int l = 0; l < L; ++l) v += B[n](a, l) * s[l];
        x(a, 0) = v;
      }
      for (int r = 0; r < nr; ++r) {  // y += H_n x, through the true channel
        cplx v(0, 0);
        for (int a = 0; a < nt; ++a) v += Ht[n](r, a) * x(a, 0);
        y(r, 0) += v;
      }
    }
    for (int l = 0; l < L; ++l) {  // s_hat = A^H y
      cplx v(0, 0);
      for (int r = 0; r < nr; ++r) v += cmulc(A(r, l), y(r, 0));
      acc += norm2(v - target[l]);
    }
  }
  res.emp_mse = acc / n_slots;
  return res;
}

struct SimFunctor {
  AlphaParams p;
  double sigma2;
  int n_slots;
  RngKey sym_key, noise_key;
  cplx* ws;
  long per, chunk;
  int layout;  // ScratchLayout
  uint64_t first;
  SimResult* out;
  AIRTP_HD void operator()(long i) const {
    Scratch s = scratch_for(ws, i, per, chunk, layout);
    out[i] = sim_realization(p, sigma2, n_slots, first + (uint64_t)i, sym_key, noise_key, s);
  }
};

}  // namespace airtp
