// The transmission-MSE Monte Carlo sweep behind `airtp mse`: for every channel configuration
// (N, N_r, N_t, L, K) draw R realizations, design the receive beamformer, compute alpha in
// closed form, and summarise MSE = sigma^2 alpha at every noise level. Besides AirComp the
// sweep can run the baselines of SPEC §8 figure 1 on the same realizations (MseConfig::
// schemes): uncoded FDMA and the quantization error of the digital all-reduce.
#pragma once
#include <string>
#include <vector>
#include "host/config/mse_config.hpp"
#include "host/io/result_file.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/samples.hpp"
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

// One curve of the sweep: an entry of MseConfig::schemes (digital: one per bit width).
struct MseCurve {
  std::string kind;    // aircomp | fdma | digital
  std::string solver;  // receive design (analog schemes), "" for digital
  int bits = 0;        // digital: Q; 0 otherwise
  std::string sample;  // name of its per-realization samples in a SampleSet
  std::string label;   // e.g. "aircomp (eigen)", "digital (8 bits)"
  // True for AirComp with the config's `solver`: it also fills the datasets mse/* and alpha/*
  // that predate schemes (same names, shapes and values as before).
  bool legacy = false;
};
std::vector<MseCurve> mse_curves(const MseConfig& c);

// alpha of realizations [first, first + count) at one configuration point, with unit
// per-slot energy (MSE at a noise level is sigma^2 alpha / E). +inf marks an outage.
void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, uint64_t first, long count, double* out);
// The same with another receive design than c.solver.
void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, const std::string& solver, uint64_t first,
                  long count, double* out);

// Uncoded FDMA: sum_n alpha_n of realizations [first, first + count), alpha_n the design of
// `solver` for device n alone (its own channel H_n of the realization, unit per-slot energy),
// so MSE = sigma^2 sum_n alpha_n / E. +inf when some device is in outage.
void point_fdma_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, const std::string& solver,
                       uint64_t first, long count, double* out);

// Digital all-reduce: quantization MSE of the sum per slot of L symbols for every bit width of
// c.digital_bits, out[q] receiving count values for bits c.digital_bits[q]. Independent of the
// noise level and of the channel. Runs on the host (OpenMP), whatever the backend.
void point_digital(const MseConfig& c, const MseConfigPoint& pt, uint64_t first, long count,
                   const std::vector<double*>& out);

// The samples of every curve (MseCurve::sample; AirComp with c.solver is "alpha") of
// realizations [begin, end) at every configuration point. With a
// checkpoint, finished blocks are loaded from it and new ones saved to it.
SampleSet mse_samples(const MseConfig& c, Backend b, uint64_t begin, uint64_t end, const Checkpoint* ckpt, bool quiet);

// Summarises the samples of all realizations [0, R) into the result datasets.
void write_mse_results(const MseConfig& c, const SampleSet& samples, ResultFile& out);

// The same from a resolved TOML text (what `airtp merge` calls for shards of kind "mse").
void finalize_mse(const std::string& config_toml, const SampleSet& samples, ResultFile& out);

// Runs the whole sweep and writes it into `out` (datasets under /mse and /axes).
void run_mse_sweep(const MseConfig& c, Backend b, ResultFile& out, bool quiet);

}  // namespace airtp
