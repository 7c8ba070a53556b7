// The `airtp latency` sweep (SPEC §6, §8 figure 5): model shapes x assignments x bandwidths x
// transmit powers x schemes x N, for the scenario's devices, written to group "latency".
#pragma once
#include <string>
#include <vector>

#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/latency/latency.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"

namespace airtp {

struct LatencyConfig {
  Scenario scenario;
  RunSettings run;
  std::vector<std::string> models{"llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b"};
  std::vector<std::string> schemes{"aircomp", "digital", "fdma", "centralised"};
  long context_len = 512;
  double bytes_per_param = 0;  // 0: each model's own
  std::vector<int> digital_bits{8};
  LatencyParams params;  // radio: digital streams and downlink; the rest comes from the scenario
  LatencyConfig();
};

void add_latency_fields(FieldTable& t, LatencyConfig& c);
void validate(const LatencyConfig& c);
// Runs the sweep and writes every dataset into `out`; the table on stderr unless quiet.
void run_latency(const LatencyConfig& c, ResultFile& out);

}  // namespace airtp
