// Rician block-fading channels with half-wavelength uniform linear arrays (SPEC §2):
//   H_n = sqrt(beta_n) ( sqrt(K/(K+1)) a_r(theta_n) a_t(phi_n)^H + sqrt(1/(K+1)) W_n ),
// W_n i.i.d. CN(0,1). K = 0 is Rayleigh. beta_n, theta_n, phi_n are fixed per topology;
// W_n is drawn per realization from the counter-based generator. ChannelParams is in
// kernels/params.hpp.
//
// A device with fewer antennas than the matrices' n_tx (ChannelParams::n_tx_dev) has zero
// columns there: its zero-forcing precoder then puts nothing on antennas it lacks.
//
// Imperfect CSI: the transceiver design sees H^_n = H_n + E_n, E_n i.i.d. CN(0, nmse beta_n)
// on the device's antennas, drawn from its own key (kRngCsiError) with the same indices as
// W_n, so the estimate of a realization is the same in every command.
#pragma once
#include "kernels/common.cuh"
#include "kernels/rng.cuh"

namespace airtp {

// Element k of a half-wavelength ULA steering vector: exp(j pi k sin(angle)).
AIRTP_INLINE cplx ula(int k, double angle) { return expj(3.141592653589793 * k * sin(angle)); }

// Antennas device n really has.
AIRTP_INLINE int device_antennas(const ChannelParams& p, int n) {
  const int a = p.n_tx_dev[n];
  return a > 0 && a < p.n_tx ? a : p.n_tx;
}

// Index of the first draw of device n's channel (the same for W_n and E_n).
AIRTP_INLINE uint64_t channel_draw_base(const ChannelParams& p, int n) {
  return (uint64_t)(n + p.first_device) * p.n_rx * p.n_tx;
}

// Draws H_n (n_rx x n_tx) of device n for realization `real` into H.
AIRTP_ALWAYS_INLINE void gen_channel(const ChannelParams& p, uint64_t real, int n, const CMat& H) {
  const double los = sqrt(p.k_factor / (p.k_factor + 1.0));
  const double nlos = sqrt(1.0 / (p.k_factor + 1.0));
  const double amp = sqrt(p.beta[n]);
  const uint64_t base = channel_draw_base(p, n);
  const int nt = device_antennas(p, n);
  // Steering vectors are computed once per antenna, not per entry: sin/cos are most of the
  // cost of drawing a channel at the paper's sizes.
  cplx at[kMaxTx];
  for (int t = 0; t < nt; ++t) at[t] = conj(ula(t, p.phi[n]));
  for (int r = 0; r < p.n_rx; ++r) {
    const cplx ar = los > 0 ? ula(r, p.theta[n]) : cplx(0, 0);
    for (int t = 0; t < nt; ++t) {
      const cplx w = cnormal(p.key, real, base + (uint64_t)t * p.n_rx + r);
      cplx h = nlos * w;
      if (los > 0) h += los * (ar * at[t]);
      H(r, t) = amp * h;
    }
    for (int t = nt; t < p.n_tx; ++t) H(r, t) = cplx(0, 0);
  }
}

// The estimate the design sees: Hhat = H + E (H drawn by gen_channel for the same n, real).
AIRTP_ALWAYS_INLINE void gen_estimate(const ChannelParams& p, uint64_t real, int n, const CMat& H, const CMat& Hhat) {
  const double sd = sqrt(p.csi_nmse * p.beta[n]);
  const uint64_t base = channel_draw_base(p, n);
  const int nt = device_antennas(p, n);
  for (int t = 0; t < p.n_tx; ++t)
    for (int r = 0; r < p.n_rx; ++r) {
      if (t < nt) {
        Hhat(r, t) = H(r, t) + sd * cnormal(p.csi_key, real, base + (uint64_t)t * p.n_rx + r);
      } else {
        Hhat(r, t) = cplx(0, 0);
      }
    }
}

}  // namespace airtp
