// The solver comparison behind `airtp compare` (SPEC §4, §8 figure 2): every transceiver solver
// on identical channels at every link point of the scenario, with the exact MSE of each, its
// ratio to SDR + randomization and to the SDP lower bound, its win rate against SDR and its time
// per realization; optionally the channels themselves and every solver's per-realization alpha.
#pragma once
#include <string>
#include <vector>

#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/runs/engine.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

struct CompareConfig {
  Scenario scenario;
  RunSettings run;
  std::vector<std::string> solvers{"eigen", "fast", "sdr"};
  SolverOptions solver_options;
  bool lower_bound = true;
  bool save_channels = false;
  CompareConfig();
};

void add_compare_fields(FieldTable& t, CompareConfig& c);

struct CompareExperiment {
  std::vector<Link> links;
  RunPlan plan;
};
CompareExperiment make_compare(const CompareConfig& c, Backend b);
void write_compare(const CompareConfig& c, const CompareExperiment& e, const SampleSet& s, ResultFile& out, bool quiet);
void finalize_compare(const std::string& config_toml, const SampleSet& s, ResultFile& out);

}  // namespace airtp
