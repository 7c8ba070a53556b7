// Analog all-reduces over the scenario's simulated multi-antenna channel (SPEC §2-§4), as the
// accuracy simulation applies them to the transformer's activations.
//
// Payload (SPEC §3): each row (token) of a device's partial block is one all-reduce payload;
// consecutive real pairs become one complex symbol, L_0 = ceil(dim/2) symbols sent in
// ceil(L_0/L) slots of L streams (the last slot zero-padded).
//
// AirComp: one common scale v per all-reduce (the largest per-device RMS of the complex
// symbols), s_n = z_n / v, and per slot s_hat = A^H (sum_n H_n B_n s_n + w), estimate
// v * unpack(s_hat). Uncoded FDMA: each device sends over its own sub-band through a
// single-device zero-forcing link (the design of its own channel), with its own scale and its
// own receiver noise; the server adds the N estimates.
//
// Channels come from the scenario's link (host/scenario/scenario.hpp: the same topology, draws
// and energies as every other command) and the designs from the one solver dispatch
// (host/solvers/solve.hpp): eigen, random, fast or sdr. Channel index of realization r at token
// position pos (coherence "token": one realization per generated token, shared by its
// all-reduces) is r * seq_len + pos; with coherence "allreduce" it is
// (r * seq_len + pos) * 2 n_layers + 2 layer + which. So realization i of `airtp compare` at the
// same link point is the channel of realization 0 at position i here. Every sequence
// evaluated under realization r sees the same trajectory, so links are designed once per
// (realization, position[, layer, which]); the noise is drawn per sequence.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "host/model/allreduce.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

enum class Coherence { per_token, per_allreduce };

// What an analog all-reduce needs: the link point, the noise level, the design, and the grid
// of channels it serves (realizations [first_realization, + n_realizations), positions
// [0, max_pos)).
struct AirSetup {
  const Link* link = nullptr;
  size_t level = 0;  // index on the scenario's noise axis
  Solver solver = Solver::fast;
  SolverOptions solver_options;
  Coherence coherence = Coherence::per_token;
  // Noise after the receive beamformer: literal draws w (N_r per slot) and applies A^H;
  // otherwise the same-distribution CN(0, sigma^2 A^H A) vector is drawn directly (L per slot).
  bool literal_noise = true;
  int n_layers = 1;
  int seq_len = 1;  // the model's context: the stride of channel indices between realizations
  int max_pos = 1;  // positions 0..max_pos-1 get channels
  uint64_t first_realization = 0;
  int n_realizations = 1;
};

class AirAllReduceBase : public AllReduce {
 public:
  AirAllReduceBase(const AirSetup& s, bool fdma);
  const AirSetup& setup() const { return s_; }
  double sigma2() const { return sigma2_; }
  // Mean over designed links of alpha (per device link for FDMA), outages excluded, and the outage count.
  double mean_alpha() const;
  long outages() const;
  long n_links() const { return (long)alpha_.size(); }
  // Over the links of realization first_realization + ri: the sum of alpha of the designed
  // links, their number, and the outages.
  void realization_stats(int ri, double& sum_alpha, double& designed, double& outages) const;
  // Channel index (the scenario's realization index) of an all-reduce.
  uint64_t channel_index(uint64_t realization, int pos, int layer, int which) const;
  int streams() const { return L_; }
  void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
              float* out) const override;

 protected:
  size_t link_slot(uint64_t realization, int pos, int layer, int which) const;
  AirSetup s_;
  bool fdma_;
  int L_, N_, nr_;
  double sigma2_;
  uint64_t seed_;
  // Links, flat: one per channel index of the grid (AirComp) or N per channel index (FDMA).
  std::vector<std::complex<float>> E_, AH_, C_;
  std::vector<double> alpha_;
  std::vector<unsigned char> outage_;
};

class AirCompAllReduce : public AirAllReduceBase {
 public:
  explicit AirCompAllReduce(const AirSetup& s) : AirAllReduceBase(s, false) {}
  std::string name() const override { return "aircomp"; }
};

class FdmaAllReduce : public AirAllReduceBase {
 public:
  explicit FdmaAllReduce(const AirSetup& s) : AirAllReduceBase(s, true) {}
  std::string name() const override { return "fdma"; }
};

}  // namespace airtp
