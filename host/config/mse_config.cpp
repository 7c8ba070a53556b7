#include "host/config/mse_config.hpp"

#include <cmath>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/config/toml_read.hpp"
#include "host/solvers/solve.hpp"
#include "kernels/common.cuh"

namespace airtp {

static void read_mse_config(const toml::table& root, const std::string& path, MseConfig& c) {
  TomlReader r(path, root);
  std::string command;
  r.get("command", command);
  if (!command.empty() && command != "mse") r.fail("command", "is '" + command + "', expected 'mse'");
  r.get("seed", c.seed);
  r.get("backend", c.backend);
  r.get("realizations", c.realizations);
  r.get("solver", c.solver);
  r.get("schemes", c.schemes);
  r.get("digital.bits", c.digital_bits);
  r.get("digital.block", c.digital_block);
  r.get("channel.devices", c.devices);
  r.get("channel.n_rx", c.n_rx);
  r.get("channel.n_tx", c.n_tx);
  r.get("channel.streams", c.streams);
  r.get("channel.k_factor_db", c.k_factor_db);
  r.get("noise.mode", c.noise_mode);
  r.get("noise.snr_db", c.snr_db);
  r.get("noise.tx_power_dbm", c.tx_power_dbm);
  r.get("noise.bandwidth_hz", c.bandwidth_hz);
  r.get("noise.noise_density_dbm_hz", c.noise_density_dbm_hz);
  r.get("noise.path_loss_db_at_1m", c.path_loss_db_at_1m);
  r.get("noise.path_loss_exponent", c.path_loss_exponent);
  r.get("noise.distance_min_m", c.distance_min_m);
  r.get("noise.distance_max_m", c.distance_max_m);
  r.get("output.percentiles", c.percentiles);
  r.reject_unknown();
}

void load_mse_config(const std::string& path, MseConfig& c) { read_mse_config(parse_toml_file(path), path, c); }

void parse_mse_config_text(const std::string& text, const std::string& source, MseConfig& c) {
  read_mse_config(parse_toml_text(text, source), source, c);
}

static void need(bool ok, const std::string& field, const std::string& flag, const std::string& what) {
  if (!ok) throw InputError(field + " (" + flag + "): " + what);
}

template <class T>
static std::string show(const T& v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

MseScheme parse_scheme(const std::string& entry, const std::string& default_solver) {
  const size_t colon = entry.find(':');
  MseScheme s{entry.substr(0, colon), colon == std::string::npos ? default_solver : entry.substr(colon + 1)};
  if (s.kind != "aircomp" && s.kind != "fdma" && s.kind != "digital")
    throw InputError("schemes (--schemes): unknown scheme '" + entry +
                     "' (expected aircomp, fdma or digital; aircomp:SOLVER or fdma:SOLVER for another receive design)");
  if (s.kind == "digital") {
    if (colon != std::string::npos)
      throw InputError("schemes (--schemes): 'digital' takes no solver, got '" + entry +
                       "' (its bit widths are [digital] bits / --bits)");
    s.solver.clear();
    return s;
  }
  if (s.solver != "eigen" && s.solver != "random" && s.solver != "fast" && s.solver != "sdr")
    throw InputError("schemes (--schemes): unknown solver '" + s.solver + "' in '" + entry +
                     "' (expected eigen, random, fast or sdr)");
  return s;
}

void validate(const MseConfig& c) {
  parse_solver(c.solver);  // InputError naming --solver
  need(!c.schemes.empty(), "schemes", "--schemes", "must name at least one of aircomp, fdma, digital");
  for (size_t i = 0; i < c.schemes.size(); ++i) {
    const MseScheme a = parse_scheme(c.schemes[i], c.solver);
    for (size_t j = 0; j < i; ++j) {
      const MseScheme b = parse_scheme(c.schemes[j], c.solver);
      need(a.kind != b.kind || a.solver != b.solver, "schemes", "--schemes",
           "'" + c.schemes[i] + "' repeats '" + c.schemes[j] + "' (solver = \"" + c.solver + "\")");
    }
  }
  need(!c.digital_bits.empty(), "digital.bits", "--bits", "must list at least one bit width");
  for (size_t i = 0; i < c.digital_bits.size(); ++i) {
    const int q = c.digital_bits[i];
    need(q >= 1 && q <= 24, "digital.bits", "--bits", "each Q must be between 1 and 24 bits, got " + show(q));
    for (size_t j = 0; j < i; ++j)
      need(c.digital_bits[j] != q, "digital.bits", "--bits", "lists " + show(q) + " bits twice");
  }
  need(c.digital_block >= 1 && c.digital_block <= (1 << 20), "digital.block", "--block",
       "must be between 1 and 2^20 symbols, got " + show(c.digital_block));
  need(c.backend == "auto" || c.backend == "cpu" || c.backend == "cuda", "backend", "--backend",
       "must be auto, cpu or cuda, got '" + c.backend + "'");
  need(c.realizations >= 1 && c.realizations <= (1L << 34), "realizations", "--realizations",
       "must be between 1 and 2^34, got " + show(c.realizations));
  for (int n : c.devices)
    need(n >= 1 && n <= kMaxDevices, "channel.devices", "--devices",
         "each N must be between 1 and " + show(kMaxDevices) + ", got " + show(n));
  for (int n : c.n_rx)
    need(n >= 1 && n <= kMaxRx, "channel.n_rx", "--n-rx", "each N_r must be between 1 and " + show(kMaxRx) + ", got " + show(n));
  for (int n : c.n_tx)
    need(n >= 1 && n <= kMaxTx, "channel.n_tx", "--n-tx", "each N_t must be between 1 and " + show(kMaxTx) + ", got " + show(n));
  for (int l : c.streams)
    need(l >= 0 && l <= kMaxStreams, "channel.streams", "--streams",
         "each L must be between 1 and " + show(kMaxStreams) + " (0 means L = N_t), got " + show(l));
  for (int nr : c.n_rx)
    for (int nt : c.n_tx)
      for (int l : c.streams) {
        const int L = l ? l : nt;
        need(L <= nr, "channel.streams", "--streams",
             "L = " + show(L) + " streams need at least as many receive antennas, but N_r = " + show(nr));
      }
  for (double k : c.k_factor_db)
    need(!std::isnan(k) && k <= 60, "channel.k_factor_db", "--k-db", "must be a number <= 60 dB (-inf for Rayleigh), got " + show(k));
  need(c.noise_mode == "normalised" || c.noise_mode == "physical", "noise.mode", "--noise-mode",
       "must be normalised or physical, got '" + c.noise_mode + "'");
  for (double s : c.snr_db) need(std::isfinite(s) && std::fabs(s) <= 200, "noise.snr_db", "--snr-db", "must be finite dB values within +-200, got " + show(s));
  for (double p : c.tx_power_dbm)
    need(std::isfinite(p) && std::fabs(p) <= 200, "noise.tx_power_dbm", "--tx-power-dbm", "must be finite dBm values, got " + show(p));
  need(std::isfinite(c.bandwidth_hz) && c.bandwidth_hz > 0, "noise.bandwidth_hz", "--bandwidth", "must be > 0 Hz, got " + show(c.bandwidth_hz));
  need(std::isfinite(c.noise_density_dbm_hz), "noise.noise_density_dbm_hz", "--noise-density", "must be finite");
  need(std::isfinite(c.path_loss_db_at_1m), "noise.path_loss_db_at_1m", "--path-loss-db", "must be finite");
  need(std::isfinite(c.path_loss_exponent) && c.path_loss_exponent >= 0 && c.path_loss_exponent <= 10,
       "noise.path_loss_exponent", "--path-loss-exponent", "must be between 0 and 10");
  need(std::isfinite(c.distance_min_m) && c.distance_min_m > 0 && c.distance_max_m >= c.distance_min_m &&
           std::isfinite(c.distance_max_m),
       "noise.distance_min_m/distance_max_m", "--distance", "need 0 < min <= max metres");
  for (double p : c.percentiles)
    need(p >= 0 && p <= 100, "output.percentiles", "--percentiles", "must lie in [0, 100], got " + show(p));
}

template <class T>
static std::string list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    if constexpr (std::is_floating_point_v<T>)
      s += exact_double(v[i]);
    else
      s += std::to_string(v[i]);
  }
  return s + "]";
}

static std::string quoted_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";  // entries are validated names
  return s + "]";
}

std::string MseConfig::to_toml() const {
  std::ostringstream o;
  o << "command = \"mse\"\nseed = " << seed << "\nbackend = \"" << backend << "\"\nrealizations = " << realizations
    << "\nsolver = \"" << solver << "\"\nschemes = " << quoted_list(schemes) << "\n\n[channel]\ndevices = " << list(devices) << "\nn_rx = " << list(n_rx)
    << "\nn_tx = " << list(n_tx) << "\nstreams = " << list(streams) << "\nk_factor_db = " << list(k_factor_db)
    << "\n\n[noise]\nmode = \"" << noise_mode << "\"\nsnr_db = " << list(snr_db)
    << "\ntx_power_dbm = " << list(tx_power_dbm) << "\nbandwidth_hz = " << exact_double(bandwidth_hz)
    << "\nnoise_density_dbm_hz = " << exact_double(noise_density_dbm_hz)
    << "\npath_loss_db_at_1m = " << exact_double(path_loss_db_at_1m)
    << "\npath_loss_exponent = " << exact_double(path_loss_exponent)
    << "\ndistance_min_m = " << exact_double(distance_min_m) << "\ndistance_max_m = " << exact_double(distance_max_m)
    << "\n\n[digital]\nbits = " << list(digital_bits) << "\nblock = " << digital_block
    << "\n\n[output]\npercentiles = " << list(percentiles) << "\n";
  return o.str();
}

}  // namespace airtp
