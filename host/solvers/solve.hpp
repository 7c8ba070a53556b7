// One entry point for transceiver design over a batch of realizations, used by every consumer
// (MSE sweeps, the solver comparison, the accuracy simulation, the assignment loop). All solvers
// see the same channels: realization r of an AlphaParams is always the same draw (and, with
// imperfect CSI, the same estimate, which is what the design sees). alpha is +inf for an
// outage (rank-deficient channel, failed SDP), never NaN.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <vector>
#include "host/solvers/sdr.hpp"
#include "kernels/backend.hpp"

namespace airtp {

enum class Solver { eigen, random, fast, sdr };

// "eigen", "random", "fast" or "sdr"; InputError naming `field` otherwise.
Solver parse_solver(const std::string& name, const std::string& field = "solver (--solver)");
const char* solver_name(Solver s);
const std::vector<std::string>& solver_names();

struct SolverOptions {
  int draws = 100;      // sdr: Gaussian randomization candidates
  int fast_starts = 1;  // fast: eigen start + (fast_starts - 1) random starts
  int fast_iters = 20;  // fast: L-BFGS iterations per smoothing stage
};

// alpha (and the misalignment of imperfect CSI, when `misalignment` is non-null) of
// realizations first .. first+count-1 with the given solver. eigen, random and fast run through
// the kernels on backend b; sdr runs on the host (worker processes) whatever b is.
void solve_alpha_batch(Backend b, const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                       double* alpha, double* misalignment = nullptr);

// The transceivers themselves: for each realization its alpha, misalignment (may be null) and G
// (n_rx x L, column-major, ||G||_F = 1; zeros for an outage), G holding count * n_rx * L
// entries. Runs on the host, through the same kernel code as the CPU backend, so alpha matches
// solve_alpha_batch(Backend::cpu, ...) exactly.
void solve_designs(const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count, double* alpha,
                   double* misalignment, std::complex<double>* G);

// Valid lower bound on min_G alpha(G) per realization (SDP on what the design sees); +inf when it fails.
void lower_bound_batch(const AlphaParams& p, uint64_t first, long count, double* out);

// Realization `real` of p as host matrices: the true channels, or (estimate = true) what the
// design sees.
ChannelSet channel_set(const AlphaParams& p, uint64_t real, bool estimate = false);

}  // namespace airtp
