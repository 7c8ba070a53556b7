#include "host/assign/devices.hpp"

#include <cmath>
#include <sstream>

#include "host/channel/topology.hpp"
#include "host/common/errors.hpp"
#include "kernels/common.cuh"

namespace airtp {

// [ours] Rough profiles sized for the bundled stories260K (s_tot = 45312 parameters per
// layer, L_0 = 32 symbols): computation takes a sizeable share of each device's per-all-reduce
// budget, so m trades computation energy against transmit energy. Override any field in the
// config for other models.
AssignDevice device_preset(const std::string& name, const std::string& field) {
  AssignDevice d;
  d.name = name;
  if (name == "phone") {
    d.flops = 2e12, d.memory_bytes = 4e9, d.energy_per_param = 3e-11, d.energy_budget = 1e-6, d.distance_m = 40;
  } else if (name == "laptop") {
    d.flops = 1e13, d.memory_bytes = 16e9, d.energy_per_param = 6e-11, d.energy_budget = 3e-6, d.distance_m = 60;
  } else if (name == "jetson") {
    d.flops = 5e12, d.memory_bytes = 8e9, d.energy_per_param = 4e-11, d.energy_budget = 2e-6, d.distance_m = 50;
  } else {
    throw InputError(field + ": unknown device preset '" + name + "' (expected phone, laptop or jetson)");
  }
  return d;
}

static std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<AssignDevice> parse_device_mix(const std::string& mix, const std::string& field) {
  std::vector<AssignDevice> out;
  std::stringstream ss(mix);
  std::string term;
  while (std::getline(ss, term, '+')) {
    term = trim(term);
    long count = 1;
    const size_t star = term.find('*');
    if (star != std::string::npos) {
      const std::string c = trim(term.substr(0, star));
      size_t used = 0;
      try {
        count = std::stol(c, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != c.size() || count < 1 || count > kMaxDevices)
        throw InputError(field + ": bad count '" + c + "' in '" + mix + "' (expected e.g. 2*phone+laptop)");
      term = trim(term.substr(star + 1));
    }
    if (term.empty()) throw InputError(field + ": empty term in '" + mix + "'");
    for (long i = 0; i < count; ++i) out.push_back(device_preset(term, field));
  }
  if (out.empty()) throw InputError(field + ": no devices in '" + mix + "'");
  if ((int)out.size() > kMaxDevices)
    throw InputError(field + ": " + std::to_string(out.size()) + " devices, at most " + std::to_string(kMaxDevices));
  return out;
}

static void need(bool ok, const std::string& field, const std::string& what) {
  if (!ok) throw InputError(field + ": " + what);
}

void validate(const AssignDevice& d, const std::string& f) {
  need(std::isfinite(d.flops) && d.flops > 0, f + ".flops", "must be > 0 FLOP/s");
  need(std::isfinite(d.memory_bytes) && d.memory_bytes > 0, f + ".memory_bytes", "must be > 0 bytes");
  need(std::isfinite(d.energy_per_param) && d.energy_per_param >= 0, f + ".energy_per_param", "must be >= 0 J");
  need(std::isfinite(d.energy_budget) && d.energy_budget > 0, f + ".energy_budget", "must be > 0 J");
  need(std::isfinite(d.distance_m) && d.distance_m > 0, f + ".distance_m", "must be > 0 m");
  need(std::isfinite(d.path_loss_db) && d.path_loss_db <= 400, f + ".path_loss_db", "must be a finite dB value (< 0: from distance)");
  need(d.n_tx >= 1 && d.n_tx <= kMaxTx, f + ".n_tx", "must be between 1 and " + std::to_string(kMaxTx));
}

double SplitShape::layer_params() const {
  const double head_dim = (double)dim / heads, kv_dim = kv_heads * head_dim;
  return 2.0 * dim * dim + 2.0 * dim * kv_dim + 3.0 * dim * (double)hidden;
}

SplitShape model_shape(const std::string& name, const std::string& field) {
  SplitShape s;
  s.name = name;
  // Public configurations (config.json of each model); fp16 weights for the LLaMA shapes.
  auto set = [&](int dim, int hidden, int layers, int heads, int kv) {
    s.dim = dim, s.hidden = hidden, s.layers = layers, s.heads = heads, s.kv_heads = kv, s.bytes_per_param = 2;
  };
  if (name == "stories260K") return s;
  if (name == "llama2-7b") set(4096, 11008, 32, 32, 32);
  else if (name == "llama2-13b") set(5120, 13824, 40, 40, 40);
  else if (name == "llama2-70b") set(8192, 28672, 80, 64, 8);
  else if (name == "llama3-8b") set(4096, 14336, 32, 32, 8);
  else if (name == "llama3-70b") set(8192, 28672, 80, 64, 8);
  else
    throw InputError(field + ": unknown model '" + name +
                     "' (expected stories260K, llama2-7b, llama2-13b, llama2-70b, llama3-8b, llama3-70b, or custom)");
  return s;
}

void validate(const SplitShape& s, const std::string& f) {
  need(s.dim >= 1, f + ".dim", "must be >= 1");
  need(s.hidden >= 1, f + ".hidden", "must be >= 1");
  need(s.layers >= 1, f + ".layers", "must be >= 1");
  need(s.heads >= 1 && s.dim % s.heads == 0, f + ".heads", "must be >= 1 and divide dim");
  need(s.kv_heads >= 1 && s.heads % s.kv_heads == 0, f + ".kv_heads", "must be >= 1 and divide heads");
  need(s.bytes_per_param >= 1 && s.bytes_per_param <= 8, f + ".bytes_per_param", "must be between 1 and 8");
}

double AssignScenario::sigma2() const { return dbm_to_watt(noise_density_dbm_hz); }

double AssignScenario::beta(int n) const {
  const AssignDevice& d = devices[n];
  if (d.path_loss_db >= 0) return db_to_lin(-d.path_loss_db);
  return db_to_lin(-path_loss_db_at_1m) * std::pow(d.distance_m, -path_loss_exponent);
}

double AssignScenario::residual_energy(int n, double m_n) const {
  const AssignDevice& d = devices[n];
  return d.energy_budget - d.energy_per_param * m_n * model.layer_params();
}

void validate(const AssignScenario& s) {
  need(s.n() >= 1 && s.n() <= kMaxDevices, "devices", "need 1 to " + std::to_string(kMaxDevices) + " devices");
  for (int n = 0; n < s.n(); ++n) {
    validate(s.devices[n], "device[" + std::to_string(n) + "]");
    need(s.devices[n].n_tx == s.devices[0].n_tx, "device[" + std::to_string(n) + "].n_tx",
         "all devices must have the same N_t (the batched kernels take one), device[0] has " +
             std::to_string(s.devices[0].n_tx));
  }
  validate(s.model, "model");
  need(s.n_rx >= 1 && s.n_rx <= kMaxRx, "channel.n_rx", "must be between 1 and " + std::to_string(kMaxRx));
  need(s.streams >= 0 && s.streams <= kMaxStreams, "channel.streams", "must be between 0 (L = N_t) and " + std::to_string(kMaxStreams));
  need(s.L() <= s.n_rx, "channel.streams", "L = " + std::to_string(s.L()) + " needs at least as many receive antennas");
  need(s.L() <= s.n_tx(), "channel.streams", "L = " + std::to_string(s.L()) + " needs at least as many transmit antennas (N_t = " + std::to_string(s.n_tx()) + ")");
  need(s.tokens >= 1, "model.tokens", "must be >= 1");
  need(!std::isnan(s.k_factor_db) && s.k_factor_db <= 60, "channel.k_factor_db", "must be <= 60 dB (-inf: Rayleigh)");
  need(std::isfinite(s.noise_density_dbm_hz), "noise.noise_density_dbm_hz", "must be finite");
  need(std::isfinite(s.path_loss_db_at_1m), "noise.path_loss_db_at_1m", "must be finite");
  need(std::isfinite(s.path_loss_exponent) && s.path_loss_exponent >= 0, "noise.path_loss_exponent", "must be >= 0");
}

}  // namespace airtp
