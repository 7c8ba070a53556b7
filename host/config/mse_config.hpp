// Configuration of a transmission-MSE sweep (`airtp mse`): from a TOML file, overridden by
// flags, validated with errors that name the field. Every list is a sweep axis.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace airtp {

struct MseConfig {
  uint64_t seed = 1;
  std::string backend = "auto";   // auto | cpu | cuda
  long realizations = 4096;       // channel realizations per point
  std::string solver = "eigen";   // receive-beamformer design (see --solver)
  // Curves of the sweep (--schemes), each one of
  //   "aircomp"  over-the-air sum, MSE = sigma^2 alpha(G), G from `solver`;
  //   "fdma"     uncoded FDMA: every device alone on its own sub-band, the receive design of
  //              `solver` for that device alone, MSE = sigma^2 sum_n alpha_n (N x the airtime);
  //   "digital"  Q-bit quantization of each device's symbols, error-free transmission: the
  //              quantization error of the sum, one curve per entry of digital_bits.
  // "aircomp:SOLVER" / "fdma:SOLVER" use another receive design than `solver` (e.g.
  // "aircomp:fast" next to solver = "eigen"). Default: AirComp alone, as before schemes existed.
  std::vector<std::string> schemes{"aircomp"};
  std::vector<int> digital_bits{8};  // Q, bits per real part ([digital] bits, --bits)
  int digital_block = 64;            // symbols per device sharing one quantizer range ([digital] block, --block)

  // Channel configuration axes (the sweep is their Cartesian product).
  std::vector<int> devices{2, 4, 8};   // N
  std::vector<int> n_rx{20};           // N_r
  std::vector<int> n_tx{4};            // N_t
  std::vector<int> streams{0};         // L; 0 means L = N_t
  std::vector<double> k_factor_db{3.0};  // Rician K in dB; -inf (or "rayleigh") is Rayleigh

  // Noise: "normalised" (beta_n = 1, per-slot energy 1, SNR axis) or "physical".
  std::string noise_mode = "normalised";
  std::vector<double> snr_db{0, 5, 10, 15, 20};  // normalised mode axis
  // Physical mode [ours]: transmit power axis, bandwidth, noise density, path loss
  // beta = C_0 (d/d_0)^-kappa with d_0 = 1 m, distances uniform in [min, max] per topology.
  std::vector<double> tx_power_dbm{0, 10, 20};
  double bandwidth_hz = 1e6;
  double noise_density_dbm_hz = -174;
  double path_loss_db_at_1m = 30;
  double path_loss_exponent = 3.0;
  double distance_min_m = 20, distance_max_m = 100;

  std::vector<double> percentiles{5, 25, 50, 75, 95};

  // Resolved configuration as TOML (recorded in the result file).
  std::string to_toml() const;
};

// One entry of MseConfig::schemes, resolved: kind "aircomp", "fdma" or "digital"; solver is
// the receive design of an analog scheme ("" for digital).
struct MseScheme {
  std::string kind, solver;
};
// Parses an entry ("aircomp", "fdma:fast", "digital", ...); InputError naming schemes
// (--schemes) for an unknown scheme or solver.
MseScheme parse_scheme(const std::string& entry, const std::string& default_solver);

// Reads a TOML file into cfg (fields absent from the file keep their values). Throws
// InputError naming the file and the field on any problem, including unknown keys.
void load_mse_config(const std::string& path, MseConfig& cfg);

// The same from TOML text (e.g. the config recorded in a shard file); `source` names it in errors.
void parse_mse_config_text(const std::string& text, const std::string& source, MseConfig& cfg);

// Checks every value; throws InputError naming the field (and its flag) on the first problem.
void validate(const MseConfig& cfg);

}  // namespace airtp
