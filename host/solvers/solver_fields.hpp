// The transceiver design's fields, the same in every command:
//   solver                     --solver        eigen | random | fast | sdr (default fast)
//   solver_options.draws       --draws         sdr: Gaussian randomization candidates
//   solver_options.fast_starts --fast-starts   fast: starts (eigen + random)
//   solver_options.fast_iters  --fast-iters    fast: L-BFGS iterations per smoothing stage
#pragma once
#include <string>

#include "host/config/fields.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

void add_solver_fields(FieldTable& t, std::string& solver, SolverOptions& o);
// The options alone (commands that compare several solvers).
void add_solver_option_fields(FieldTable& t, SolverOptions& o);

}  // namespace airtp
