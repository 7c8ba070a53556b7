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

// Parameters of one batch of realizations that share a channel configuration.
struct AlphaParams {
  ChannelParams ch;
  int n_streams = 1;                 // L
  int design = kDesignEigen;         // Design
  double slot_energy[kMaxDevices];   // E_n = c_n L / L_0
  RngKey design_key{0, 0, kRngDesign};
  FastOptions fast;                  // used by kDesignFast only
};

// Complex scratch elements one realization needs.
AIRTP_INLINE long alpha_scratch_size(const AlphaParams& p) {
  const long nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams, N = p.ch.n_dev;
  const long base = N * nr * nt + 2 * nr * nr + 3 * nr + nr * L + nt * L + L * L;
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

// Draws realization `real`, designs G, returns alpha (or +inf for an outage).
// On return the scratch holds H_0..H_{N-1} followed by G (used by the signal simulation).
AIRTP_ALWAYS_INLINE double alpha_realization_body(const AlphaParams& p, uint64_t real, Scratch& ws, CMat* H, CMat& G) {
  const int N = p.ch.n_dev, nr = p.ch.n_rx, nt = p.ch.n_tx, L = p.n_streams;
  for (int n = 0; n < N; ++n) {
    H[n] = ws.take(nr, nt);
    gen_channel(p.ch, real, n, H[n]);
  }
  G = ws.take(nr, L);
  CMat Q = ws.take(nr, nr), V = ws.take(nr, nr), W = ws.take(nr, 3);
  CMat F = ws.take(nt, L), M = ws.take(L, L);
  if (p.design == kDesignRandom) {
    random_design(p.design_key, real, G);
  } else {
    set_zero(Q);
    for (int n = 0; n < N; ++n) add_gram(Q, H[n]);
    mirror_upper(Q);
    if (!top_subspace(Q, G, V, W)) return INFINITY;
    scale(G, 1.0 / sqrt((double)L));
    // The fast design starts from the eigen design and keeps the best exact alpha it sees.
    if (p.design == kDesignFast) return fast_design(H, N, p.slot_energy, p.fast, p.design_key, real, G, ws);
  }
  return alpha_of(H, N, p.slot_energy, G, F, M);
}

#if defined(AIRTP_FAST_AVX2)
// The channel draw and the designs built for AVX2 + FMA too (see fast_objective_avx2).
__attribute__((target("avx2,fma"))) inline double alpha_realization_avx2(const AlphaParams& p, uint64_t real,
                                                                        Scratch& ws, CMat* H, CMat& G) {
  return alpha_realization_body(p, real, ws, H, G);
}
#endif

AIRTP_INLINE double alpha_realization(const AlphaParams& p, uint64_t real, Scratch& ws, CMat* H, CMat& G) {
#if defined(AIRTP_FAST_AVX2)
  if (ws.es == 1 && cpu_avx2_fma()) return alpha_realization_avx2(p, real, ws, H, G);
#endif
  return alpha_realization_body(p, real, ws, H, G);
}

// Batch functor: realization `first + i` (i < chunk), scratch slot i, result into out[i].
struct AlphaFunctor {
  AlphaParams p;
  cplx* ws;
  long per;         // scratch elements per realization
  long chunk;       // realizations in flight (scratch slots)
  int layout;      // ScratchLayout
  uint64_t first;
  double* out;
  AIRTP_HD void operator()(long i) const {
    Scratch s = scratch_for(ws, i, per, chunk, layout);
    CMat H[kMaxDevices];
    CMat G;
    out[i] = alpha_realization(p, first + (uint64_t)i, s, H, G);
  }
};

}  // namespace airtp
