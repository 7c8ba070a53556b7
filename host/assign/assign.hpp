// The model assignment experiment behind `airtp assign` (SPEC §5, §8 figure 3): SSCA over the
// scenario's devices and link (one point: every axis single-valued), the convergence curve on
// independent validation channels, the final m and its rounded split, and the baselines
// (uniform m, m proportional to compute speed, m proportional to memory) on the same channels.
// The result's assign/final_m is what `--m FILE` of the other commands reads.
#pragma once
#include <string>

#include "host/assign/ssca.hpp"
#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

struct AssignConfig {
  Scenario scenario;
  RunSettings run;
  std::string solver = "fast";
  SolverOptions solver_options;
  SscaOptions ssca;
  AssignConfig();
};

void add_assign_fields(FieldTable& t, AssignConfig& c);

// The single link SSCA optimises (InputError when an axis has several values).
Link assign_link(const AssignConfig& c);

// Runs SSCA (checkpointed through `ckpt`), writes group "assign" of the result file and
// returns the final m.
std::vector<double> run_assign(const AssignConfig& c, Backend b, const Checkpoint* ckpt, ResultFile& out);

}  // namespace airtp
