// The `airtp latency` sweep: model shapes x device mixes x bandwidths x schemes x N, written to
// one result file. Configuration from TOML (experiments/configs/latency.toml) and flags.
#pragma once
#include <string>
#include <vector>
#include "host/latency/latency.hpp"

namespace airtp {

class ResultFile;

// Per-device numbers of one device mix; each list has one entry (same for every device) or
// at least max N entries (device n uses entry n).
struct DeviceMix {
  std::string name = "homogeneous";
  std::vector<double> gflops{115};
  std::vector<double> memory_gb{80};
  std::vector<double> power_dbm{20};
  std::vector<double> distance_m{50, 100, 150, 200, 250, 300, 350, 400};
  // The first n devices; InputError naming the mix if a list is too short or a value bad.
  std::vector<DeviceProfile> devices(int n) const;
};

struct LatencyConfig {
  std::vector<std::string> models{"llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b"};
  std::vector<std::string> model_files;  // llama2.c checkpoints (header read only)
  std::vector<int> n_devices{1, 2, 4, 8};
  std::vector<std::string> schemes{"aircomp", "digital", "fdma", "centralised"};
  std::vector<double> bandwidth_mhz{5};
  std::vector<double> m;  // assignment for N = m.size(); empty: uniform
  double bytes_per_param = 2;
  LatencyParams params;  // params.radio.bandwidth_hz is swept by bandwidth_mhz
  std::vector<DeviceMix> mixes{DeviceMix{}};

  std::string to_toml() const;
};

// Reads a TOML file into c (keys absent keep their defaults); InputError naming the file and
// the field for a syntax error, a wrong type or an unknown key.
void load_latency_config(const std::string& path, LatencyConfig& c);
// InputError naming the field for any bad value.
void validate(const LatencyConfig& c);

// Runs the sweep and writes every dataset into `out` (not committed).
void run_latency_sweep(const LatencyConfig& c, ResultFile& out, bool quiet);

}  // namespace airtp
