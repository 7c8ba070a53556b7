// The transmission-MSE experiment behind `airtp mse` (SPEC §8 figure 1): for every link point
// of the scenario (N, m, N_r, N_t, L, K, CSI error) draw realizations, design the receive
// beamformer, and summarise the MSE of the estimated sum at every noise level, for AirComp and
// its baselines on the same realizations: uncoded FDMA and the quantization error of the
// digital all-reduce. The model share m enters every device's energy per slot (SPEC §4).
//
// Per realization: AirComp's MSE = sigma^2 alpha(G) + misalignment (0 with perfect CSI);
// FDMA's = sigma^2 sum_n alpha_n + sum_n misalignment_n, each device designed alone on its own
// sub-band (the N = 1 problem on H_n, same energy per slot); digital's = L * mean over a block of
// |sum_n (q(s_n) - s_n)|^2 with CN(0, 1) symbols, per slot of L symbols like the analog curves.
#pragma once
#include <string>
#include <vector>

#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/runs/engine.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"
#include "host/scenario/scheme_spec.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

struct MseConfig {
  Scenario scenario;
  RunSettings run;
  std::string solver = "fast";
  SolverOptions solver_options;
  std::vector<std::string> schemes{"aircomp"};
  std::vector<int> digital_bits{8};  // Q per real part, one curve each
  int digital_block = 64;            // symbols per device sharing one quantizer range
  std::vector<double> percentiles{5, 25, 50, 75, 95};
  MseConfig();
};

// The command's field table (scenario, run, solver and its own fields), bound to c.
void add_mse_fields(FieldTable& t, MseConfig& c);

// One curve of the results.
struct MseCurve {
  SchemeSpec scheme;
  int bits = 0;        // digital: Q
  std::string label;   // "aircomp (fast)", "digital (8 bits)", ...
  std::string job;     // the engine job that computes it
};

// The experiment of a resolved config: its curves, links (one per grid point, checked: an
// impossible point is an InputError before any work) and the engine plan.
struct MseExperiment {
  std::vector<MseCurve> curves;
  std::vector<Link> links;
  size_t width = 1;  // samples per realization of the analog jobs: 1, or one per noise level
  RunPlan plan;
};
MseExperiment make_mse(const MseConfig& c, Backend b);

// Summaries of the complete samples into group "mse" of the result file.
void write_mse(const MseConfig& c, const MseExperiment& e, const SampleSet& s, ResultFile& out);

// `airtp merge` of mse shards: rebuilds the experiment from the recorded config.
void finalize_mse(const std::string& config_toml, const SampleSet& s, ResultFile& out);

}  // namespace airtp
