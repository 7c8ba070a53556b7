#include "experiments/cli_util.hpp"

#include <cmath>
#include <sstream>

#include "experiments/commands.hpp"
#include "host/common/errors.hpp"

namespace airtp {

static double to_double(const std::string& flag, const std::string& s) {
  if (s == "-inf" || s == "rayleigh") return -INFINITY;
  size_t used = 0;
  double v;
  try {
    v = std::stod(s, &used);
  } catch (...) {
    throw InputError(flag + ": '" + s + "' is not a number");
  }
  if (used != s.size() || std::isnan(v)) throw InputError(flag + ": '" + s + "' is not a number");
  return v;
}

std::vector<double> parse_double_list(const std::string& flag, const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t c1 = item.find(':', 1);
    if (c1 != std::string::npos) {  // start:stop:step
      const size_t c2 = item.find(':', c1 + 1);
      if (c2 == std::string::npos) throw InputError(flag + ": range '" + item + "' must be start:stop:step");
      const double a = to_double(flag, item.substr(0, c1)), b = to_double(flag, item.substr(c1 + 1, c2 - c1 - 1)),
                   st = to_double(flag, item.substr(c2 + 1));
      if (!(st > 0) || !std::isfinite(a) || !std::isfinite(b) || b < a || (b - a) / st > 1e6)
        throw InputError(flag + ": range '" + item + "' needs start <= stop and a positive step");
      for (long k = 0; a + k * st <= b + 1e-9 * st; ++k) out.push_back(a + k * st);
    } else {
      out.push_back(to_double(flag, item));
    }
  }
  if (out.empty()) throw InputError(flag + ": empty list");
  return out;
}

std::vector<int> parse_int_list(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  for (double v : parse_double_list(flag, text)) {
    if (v != std::floor(v) || std::fabs(v) > 1e9) throw InputError(flag + ": '" + text + "' must list whole numbers");
    out.push_back((int)v);
  }
  return out;
}

RunInfo run_info(const std::string& kind, const std::string& config_toml, uint64_t seed, Backend b) {
  return RunInfo{command_line(), config_toml, seed, backend_name(b), device_description(b), kind};
}

}  // namespace airtp
