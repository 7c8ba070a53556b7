// Model assignment by stochastic successive convex approximation (SPEC §5): the long timescale.
// Per iteration tau: a fresh channel mini-batch (realizations tau*B .. tau*B+B-1 of the
// training stream), the short-timescale solver at m^tau, recursive averages (rho^tau) of the
// objective and its gradient in m, the quadratic surrogate minimised exactly over the feasible
// set, then m <- (1 - gamma^tau) m + gamma^tau m_hat. The objective is also measured on an
// independent validation set (another RNG stream): that is the convergence curve.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "host/runs/checkpoint.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/solve.hpp"
#include "kernels/backend.hpp"

namespace airtp {

// RNG streams of the channel key: training mini-batches and validation never share draws.
constexpr uint32_t kStreamTrain = 0;
constexpr uint32_t kStreamValidation = 1;

// Upper bounds on m_n: memory (m_n * model bytes <= M_n) and energy (c_n(m) >= margin P_n^max,
// the strict c_n > 0 with a margin so that alpha stays finite). The feasible set is the
// simplex capped by these bounds; InputError naming each device and its binding constraint
// when the caps sum to less than 1.
struct FeasibleSet {
  std::vector<double> cap, memory_cap, energy_cap;
};
FeasibleSet feasible_set(const Link& link, double energy_margin);
// True when m is under the caps and (simplex) sums to 1 (within tol). A rounded split with
// replicated KV heads sums to more than 1: check it with simplex = false.
bool is_feasible(const std::vector<double>& m, const FeasibleSet& f, double tol = 1e-9, bool simplex = true);

// Euclidean projection of y onto {sum m = 1, 0 <= m_n <= cap_n}: m_n = clip(y_n - lambda,
// 0, cap_n), lambda found exactly by locating it between sorted breakpoints and solving the
// linear piece (no iterative tolerance). Requires sum cap >= 1.
std::vector<double> project_capped_simplex(const std::vector<double>& y, const std::vector<double>& cap);

// argmin over the feasible set of g^T (m - m0) + curvature ||m - m0||^2.
std::vector<double> minimise_surrogate(const std::vector<double>& m0, const std::vector<double>& grad, double curvature,
                                       const std::vector<double>& cap);

// Kernel parameters of the link at assignment m: its channels, per-slot energies E_n(m),
// channel and design keys on the given stream.
AlphaParams assign_params(const Link& link, const std::vector<double>& m, uint32_t stream);

// Sample mean of alpha over realizations [first, first+count) of the training stream at m and
// the sample mean of d alpha / d m: per realization only the active device n* (the one
// attaining the max in alpha) moves, d alpha / d m_{n*} = alpha e_{n*} s_tot / c_{n*}
// (smooth_p = 0; exact for a design G that does not depend on m). A minimax-optimised G (the
// fast solver) equalises several devices, whose tie the hard rule breaks arbitrarily;
// smooth_p > 0 spreads the derivative over the devices with weights (f_n / f_max)^p / sum,
// the gradient of the p-norm smoothed max the fast solver ends on (p = 128).
// Outages are left out (counted in outages).
struct SampleGrad {
  double alpha = 0;
  std::vector<double> grad;
  long used = 0, outages = 0;
};
SampleGrad sample_alpha_grad(const Link& link, const std::vector<double>& m, Solver solver, const SolverOptions& o,
                             uint64_t first, long count, double smooth_p = 0);

// Mean transmission MSE (sigma^2 alpha) over the validation realizations [0, count).
// Undefined values are flagged, never NaN/Inf: an infeasible m or a validation set of outages
// only has no mse (mse_ok = false, mse = 0); one usable realization has no stderr.
struct Level {
  double mse = 0, stderr_ = 0;
  long outages = 0;
  bool feasible = true;  // false: m violates a cap (mse_ok and stderr_ok are then false)
  bool mse_ok = true, stderr_ok = true;
};
Level validation_level(Backend b, const Link& link, const std::vector<double>& m, Solver solver,
                       const SolverOptions& o, long count, const FeasibleSet& f, bool simplex = true);

struct SscaOptions {
  int iterations = 100;
  long batch = 64;             // realizations per mini-batch
  long validation = 256;       // validation realizations
  int validate_every = 1;      // iterations between validation points (the last one always)
  double rho_scale = 1, rho_exp = 0.6;      // rho^tau = rho_scale / (tau+1)^rho_exp
  double gamma_scale = 1, gamma_exp = 0.9;  // gamma^tau = gamma_scale / (tau+1)^gamma_exp
  // The surrogate's quadratic weight (objective normalised to 1 at m^0). 1 keeps the first
  // (gamma = 1) step off the simplex's vertices with the presets' computation energies (the
  // normalised gradient e_n s_tot / c_n is about 3); 0.3 overshot there (tests/test_assign.cpp).
  double curvature = 1.0;
  double energy_margin = 1e-3; // c_n >= margin * P_n^max
  double smooth_p = 128;       // gradient weights over devices (0: active device only)
  std::vector<double> m0;      // start; empty: uniform projected onto the feasible set
};
// Step-size conditions of SPEC §5: exponents in (0.5, 1], gamma_exp > rho_exp, scales in (0, 1].
void validate(const SscaOptions& o);

struct SscaTrace {
  std::vector<double> m;               // (iterations+1) x N: m^0 .. m^T
  std::vector<double> rho, gamma;      // per iteration
  std::vector<double> sample_alpha;    // mini-batch mean alpha at m^tau
  std::vector<double> surrogate_value; // recursive average of the (normalised) objective
  std::vector<double> grad_avg;        // iterations x N, recursive gradient average (normalised)
  std::vector<int64_t> val_iter;       // iterations where the validation objective was measured
  std::vector<double> val_mse, val_stderr;  // 0 where undefined (see val_mse_ok, val_stderr_ok)
  std::vector<char> val_mse_ok, val_stderr_ok;
  std::vector<int64_t> val_outages;
  double alpha_ref = 0;                // normalisation: mini-batch mean alpha at m^0
  std::vector<double> final_m;
};

// Runs SSCA on the engine's sequential loop (run_sequence): progress on stderr unless quiet;
// with a checkpoint, every finished iteration is saved (its steps, averages, m and validation
// levels: all the state the next iteration needs) and the iterations found there are replayed
// instead of recomputed, so a run killed at any moment resumes to the same trace.
SscaTrace run_ssca(Backend b, const Link& link, Solver solver, const SolverOptions& so, const SscaOptions& o,
                   bool quiet, const Checkpoint* ckpt = nullptr);

}  // namespace airtp
