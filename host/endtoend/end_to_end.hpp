// The end-to-end experiment (SPEC §8 figure 6), the paper's claim in one run: heterogeneous
// devices -> model assignment by SSCA -> transmission MSE -> model accuracy -> latency per
// token, all on one scenario and written to one file (groups assign, mse, ppl, latency, the
// same schemas as the single commands).
//
// The assignment axis names "ssca" for the m this run's SSCA finds (run at the lowest transmit
// power of the axis, where the energy caps are tightest, so that m is feasible at every power),
// next to baselines such as "uniform" and "compute"; every scheme is evaluated with every m.
#pragma once
#include <string>
#include <vector>

#include "host/assign/ssca.hpp"
#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/model/ppl_run.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"

namespace airtp {

struct EndToEndConfig {
  Scenario scenario;
  RunSettings run;
  AccuracyOptions acc;  // the solver, coherence and noise draw of every phase
  SscaOptions ssca;
  std::vector<std::string> schemes{"aircomp", "digital", "fdma"};
  std::vector<int> digital_bits{8};
  long mse_realizations = 2000;
  long ppl_realizations = 2;
  std::string text = "data/tinystories/tinystories-valid-sample.txt";
  long max_stories = 20;
  long context_len = 512;  // latency: cached positions attended over
  EndToEndConfig();
};

void add_end_to_end_fields(FieldTable& t, EndToEndConfig& c);

// Runs the four phases (each checkpointed beside the output: OUTPUT.<phase>.ckpt/) and writes
// them into `out`. `inputs` of the run are checked against the output beforehand by the caller.
void run_end_to_end(const EndToEndConfig& c, const std::string& config_toml, Backend b, ResultFile& out);

}  // namespace airtp
