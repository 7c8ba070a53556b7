// The paper's transceiver design (SPEC §4, solver 1): semidefinite relaxation solved by CSDP,
// then Gaussian randomization scored by the exact alpha. Also the valid lower bound on alpha.
// CPU only. Units follow kernels/alpha.cuh: G is n_rx x L with ||G||_F = 1, E_n is the
// per-slot energy budget, alpha(G) = max_n tr((G^H Q_n G)^{-1}) / E_n.
#pragma once
#include <complex>
#include <cstdint>
#include <vector>
#include <Eigen/Dense>
#include "kernels/params.hpp"

namespace airtp {

// One realization's channels H_n (n_rx x n_tx each) and budgets.
struct ChannelSet {
  std::vector<Eigen::MatrixXcd> H;
  std::vector<double> E;  // slot energies E_n
  int L = 1;              // streams
};

// Outcome of one SDP solve. ok = false for an outage: CSDP reported infeasibility or
// numerical trouble, or the data were degenerate; value and X are then meaningless.
struct SdpSolution {
  bool ok = false;
  int csdp_status = -1;  // easy_sdp's return code (0 = success, 3 = reduced accuracy)
  double value = 0;      // optimal tr(X)
  Eigen::MatrixXcd X;    // n_rx x n_rx Hermitian PSD
};

// The paper's SDP: min tr(X) s.t. H_n^H X H_n >= (L / E_n) I, X >= 0 (complex Hermitian).
SdpSolution sdr_relaxation(const ChannelSet& c);

// Valid lower bound on min_G alpha(G): min tr(X) s.t. tr(H_n^H X H_n) >= L^2 / E_n, X >= 0.
SdpSolution alpha_lower_bound(const ChannelSet& c);

struct SdrResult {
  bool ok = false;        // false: outage (SDP failed or no candidate had a finite alpha)
  int csdp_status = -1;
  double sdp_value = 0;   // the relaxation's value (not a bound on alpha)
  double alpha = 0;       // exact alpha of the best candidate (+inf for an outage)
  Eigen::MatrixXcd G;     // best candidate, n_rx x L, ||G||_F = 1
};

// SDR plus randomization: `draws` candidates whose columns are drawn from CN(0, X*), plus the
// top-L eigenvectors of X*; each is normalised and scored by its exact alpha; the best is kept.
// Draws come from `key` at realization `real`, so results do not depend on the thread count.
SdrResult sdr_design(const ChannelSet& c, int draws, const RngKey& key, uint64_t real);

// Exact alpha of G (normalised internally), +inf when some G^H Q_n G is singular.
double exact_alpha(const ChannelSet& c, const Eigen::MatrixXcd& G);

}  // namespace airtp
