// The transmission-MSE Monte Carlo sweep behind `airtp mse`: for every channel configuration
// (N, N_r, N_t, L, K) draw R realizations, design the receive beamformer, compute alpha in
// closed form, and summarise MSE = sigma^2 alpha at every noise level.
#pragma once
#include <string>
#include <vector>
#include "host/config/mse_config.hpp"
#include "host/io/result_file.hpp"
#include "kernels/backend.hpp"

namespace airtp {

struct MseConfigPoint {
  int devices, n_rx, n_tx, streams;
  double k_factor_db;
};

// The Cartesian product of the channel axes, in a fixed order (devices outermost).
std::vector<MseConfigPoint> channel_points(const MseConfig& c);

// Noise variance and per-slot energy of noise level j (SNR or transmit power).
struct NoiseLevel {
  double sigma2;       // noise energy per symbol
  double slot_energy;  // E_n, the same for every device
};
std::vector<NoiseLevel> noise_levels(const MseConfig& c);

// alpha of realizations [first, first + count) at one configuration point, with unit
// per-slot energy (MSE at a noise level is sigma^2 alpha / E). +inf marks an outage.
void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, uint64_t first, long count, double* out);

// Runs the whole sweep and writes it into `out` (datasets under /mse and /axes).
void run_mse_sweep(const MseConfig& c, Backend b, ResultFile& out, bool quiet);

}  // namespace airtp
