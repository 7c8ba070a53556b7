// One entry point for transceiver design over a batch of realizations, used by every consumer
// (MSE sweeps, the accuracy simulation, the assignment loop). All solvers see the same
// channels: realization r of an AlphaParams is always gen_channel(p.ch, r, n, .).
// alpha is +inf for an outage (rank-deficient channel, failed SDP), never NaN.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <vector>
#include "host/solvers/sdr.hpp"
#include "kernels/backend.hpp"

namespace airtp {

enum class Solver { eigen, random, fast, sdr };

// "eigen", "random", "fast" or "sdr"; InputError naming --solver otherwise.
Solver parse_solver(const std::string& name);
const char* solver_name(Solver s);

struct SolverOptions {
  int draws = 100;        // sdr: Gaussian randomization candidates
  int fast_starts = 2;    // fast: eigen start + (fast_starts - 1) random starts
  int fast_iters = 20;    // fast: L-BFGS iterations per smoothing stage
};

// Throws InputError (naming the option) when an option is out of range.
void validate(const SolverOptions& o);

// alpha of realizations first .. first+count-1 with the given solver. eigen, random and fast
// run through alpha_batch on backend b; sdr runs on the host (OpenMP over realizations)
// whatever b is.
void solve_alpha_batch(Backend b, const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                       double* alpha_out);

// The transceivers themselves: for each realization its alpha and G (n_rx x L, column-major,
// ||G||_F = 1; zeros for an outage), G_out holding count * n_rx * L entries. Runs on the host
// with OpenMP, through the same kernel code as the CPU backend, so alpha matches
// solve_alpha_batch(Backend::cpu, ...) exactly.
void solve_designs(const AlphaParams& p, Solver s, const SolverOptions& o, uint64_t first, long count,
                   double* alpha_out, std::complex<double>* G_out);

// Valid lower bound on min_G alpha(G) per realization (SDP, host); +inf when it fails.
void lower_bound_batch(const AlphaParams& p, uint64_t first, long count, double* out);

// Realization `real` of p as host matrices (for the SDP solvers and for saving channels).
ChannelSet channel_set(const AlphaParams& p, uint64_t real);

}  // namespace airtp
