// From scenario numbers to the per-device channel parameters the kernels take: path loss from
// distances, line-of-sight angles, the Rician K factor, noise power and per-slot energy.
#pragma once
#include <cstdint>
#include "kernels/channel.cuh"

namespace airtp {

struct Geometry {
  bool physical = false;          // false: beta_n = 1 (normalised SNR mode)
  double path_loss_db_at_1m = 30; // C_0 in dB at d_0 = 1 m
  double path_loss_exponent = 3;  // kappa
  double distance_min_m = 20, distance_max_m = 100;
};

// Channel parameters of N devices for one topology. Angles of arrival and departure are
// uniform in [-pi/2, pi/2), distances uniform in [min, max]; both are drawn once per
// topology from (seed, kRngTopology), so device n has the same geometry whatever N is.
ChannelParams make_channel(int n_dev, int n_rx, int n_tx, double k_factor_db, uint64_t seed, const Geometry& g);

// dB helpers.
inline double db_to_lin(double db) { return std::pow(10.0, db / 10.0); }
inline double dbm_to_watt(double dbm) { return std::pow(10.0, (dbm - 30.0) / 10.0); }

}  // namespace airtp
