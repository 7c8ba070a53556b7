#include "host/solvers/solver_fields.hpp"

namespace airtp {

void add_solver_fields(FieldTable& t, std::string& solver, SolverOptions& o) {
  t.add("solver", "--solver", &solver, "",
        "receive-beamformer design: fast (our batched optimiser), sdr (the paper's SDR + randomization), eigen or "
        "random (baselines)")
      .one_of(solver_names());
  add_solver_option_fields(t, o);
}

void add_solver_option_fields(FieldTable& t, SolverOptions& o) {
  t.add("solver_options.draws", "--draws", &o.draws, "candidates", "sdr: Gaussian randomization candidates").range(0, 100000);
  t.add("solver_options.fast_starts", "--fast-starts", &o.fast_starts, "starts",
        "fast: starts (the eigen design plus random ones)")
      .range(1, 64);
  t.add("solver_options.fast_iters", "--fast-iters", &o.fast_iters, "iterations", "fast: L-BFGS iterations per smoothing stage")
      .range(1, 10000);
}

}  // namespace airtp
