// Rician block-fading channels with half-wavelength uniform linear arrays (SPEC §2):
//   H_n = sqrt(beta_n) ( sqrt(K/(K+1)) a_r(theta_n) a_t(phi_n)^H + sqrt(1/(K+1)) W_n ),
// W_n i.i.d. CN(0,1). K = 0 is Rayleigh. beta_n, theta_n, phi_n are fixed per topology;
// W_n is drawn per realization from the counter-based generator.
#pragma once
#include "kernels/common.cuh"
#include "kernels/rng.cuh"

namespace airtp {

struct ChannelParams {
  int n_dev = 1;       // N
  int n_rx = 1;        // N_r (server antennas)
  int n_tx = 1;        // N_t (antennas per device)
  double k_factor = 0; // Rician K, linear
  double beta[kMaxDevices];   // large-scale gain of each device
  double theta[kMaxDevices];  // angle of arrival at the server (rad)
  double phi[kMaxDevices];    // angle of departure at the device (rad)
  RngKey key{0, 0, kRngChannel};
  // Device n is drawn as device first_device + n of the topology's random numbers. 0 except
  // for a sub-problem that holds one device of a larger set (an FDMA sub-band: H_n alone, the
  // same matrix the N-device problem sees; beta/theta/phi[0] then hold that device's values).
  int first_device = 0;
};

// Element k of a half-wavelength ULA steering vector: exp(j pi k sin(angle)).
AIRTP_INLINE cplx ula(int k, double angle) { return expj(3.141592653589793 * k * sin(angle)); }

// Draws H_n (n_rx x n_tx) of device n for realization `real` into H.
AIRTP_INLINE void gen_channel(const ChannelParams& p, uint64_t real, int n, const CMat& H) {
  const double los = sqrt(p.k_factor / (p.k_factor + 1.0));
  const double nlos = sqrt(1.0 / (p.k_factor + 1.0));
  const double amp = sqrt(p.beta[n]);
  const uint64_t base = (uint64_t)(n + p.first_device) * p.n_rx * p.n_tx;
  // Steering vectors are computed once per antenna, not per entry: sin/cos are most of the
  // cost of drawing a channel at the paper's sizes.
  cplx at[kMaxTx];
  for (int t = 0; t < p.n_tx; ++t) at[t] = conj(ula(t, p.phi[n]));
  for (int r = 0; r < p.n_rx; ++r) {
    const cplx ar = los > 0 ? ula(r, p.theta[n]) : cplx(0, 0);
    for (int t = 0; t < p.n_tx; ++t) {
      const cplx w = cnormal(p.key, real, base + (uint64_t)t * p.n_rx + r);
      cplx h = nlos * w;
      if (los > 0) h += los * (ar * at[t]);
      H(r, t) = amp * h;
    }
  }
}

}  // namespace airtp
