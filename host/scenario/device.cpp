#include "host/scenario/device.hpp"

#include <cmath>
#include <sstream>

#include "host/common/errors.hpp"
#include "kernels/params.hpp"

namespace airtp {

// [ours] Rough profiles. "generic" is the homogeneous device of the latency model (115 GFLOP/s
// sustained on decoding, 80 GB, no computation energy charged). phone / laptop / jetson are
// sized for the bundled stories260K (s_tot = 45,312 parameters per layer, L_0 = 32 symbols):
// at 20 dBm over a 1 MHz band an all-reduce's airtime is worth 0.8 uJ, and computing a whole
// layer costs a phone 1.36 uJ, a laptop 0.91 uJ and a Jetson 1.13 uJ, so the computation
// takes a sizeable part of each budget and m trades computation energy against transmit
// energy. For larger models scale energy_per_param down (or give energy_budget).
Device device_preset(const std::string& name, const std::string& field) {
  Device d;
  d.preset = name;
  if (name == "generic") {
    return d;
  } else if (name == "phone") {
    d.flops = 2e12, d.memory_bytes = 4e9, d.energy_per_param = 3e-11, d.distance_m = 40;
  } else if (name == "laptop") {
    d.flops = 1e13, d.memory_bytes = 16e9, d.energy_per_param = 2e-11, d.distance_m = 60;
  } else if (name == "jetson") {
    d.flops = 5e12, d.memory_bytes = 8e9, d.energy_per_param = 2.5e-11, d.distance_m = 50;
  } else {
    throw InputError(field + ": unknown device preset '" + name + "' (expected generic, phone, laptop or jetson)");
  }
  return d;
}

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> n{"generic", "phone", "laptop", "jetson"};
  return n;
}

static std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<Device> parse_device_mix(const std::string& mix, const std::string& field) {
  std::vector<Device> out;
  const std::string whole = trim(mix);
  if (!whole.empty() && (whole.front() == '+' || whole.back() == '+'))
    throw InputError(field + ": empty term in '" + mix + "'");
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
    if ((int)out.size() > kMaxDevices)
      throw InputError(field + ": more than " + std::to_string(kMaxDevices) + " devices in '" + mix + "'");
  }
  if (out.empty()) throw InputError(field + ": no devices in '" + mix + "'");
  return out;
}

static void need(bool ok, const std::string& field, const std::string& what) {
  if (!ok) throw InputError(field + ": " + what);
}

void validate(const Device& d, const std::string& f) {
  need(std::isfinite(d.flops) && d.flops > 0 && d.flops <= 1e20, f + ".flops", "must be > 0 and <= 1e20 FLOP/s");
  need(std::isfinite(d.memory_bytes) && d.memory_bytes > 0 && d.memory_bytes <= 1e18, f + ".memory_bytes",
       "must be > 0 and <= 1e18 bytes");
  need(std::isfinite(d.energy_per_param) && d.energy_per_param >= 0 && d.energy_per_param <= 1,
       f + ".energy_per_param", "must be between 0 and 1 J per parameter");
  need(std::isfinite(d.energy_budget) && d.energy_budget >= 0 && d.energy_budget <= 1e6, f + ".energy_budget",
       "must be between 0 (from the transmit power) and 1e6 J");
  need(std::isfinite(d.distance_m) && (d.distance_m < 0 || (d.distance_m > 0 && d.distance_m <= 1e7)),
       f + ".distance_m", "must be > 0 and <= 1e7 m (or absent: drawn per topology)");
  need(std::isfinite(d.path_loss_db) && d.path_loss_db <= 400, f + ".path_loss_db",
       "must be a finite dB value up to 400 (absent: from the distance)");
  need(d.n_tx >= 0 && d.n_tx <= kMaxTx, f + ".n_tx", "must be between 1 and " + std::to_string(kMaxTx));
  for (const auto& [a, name] : {std::pair{d.aoa_deg, ".aoa_deg"}, std::pair{d.aod_deg, ".aod_deg"}})
    if (a) need(std::isfinite(*a) && *a >= -90 && *a <= 90, f + name, "must be between -90 and 90 degrees");
}

}  // namespace airtp
