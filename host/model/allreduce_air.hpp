// Analog all-reduces over a simulated multi-antenna channel (SPEC §2-§4), using the kernels'
// channel draw, eigen receive design and zero-forcing precoders as host functions.
//
// Payload (SPEC §3): each row (token) of a device's partial block is one all-reduce payload;
// consecutive real pairs become one complex symbol, L_0 = ceil(dim/2) symbols sent in
// ceil(L_0/L) slots of L streams (the last slot zero-padded).
//
// AirComp: one common scale v per all-reduce (the largest per-device RMS of the complex
// symbols), s_n = z_n / v, and per slot s_hat = A^H (sum_n H_n B_n s_n + w), estimate
// v * unpack(s_hat). Uncoded FDMA: each device sends over its own sub-band through a
// single-device zero-forcing link (eigen design of its own channel), with its own scale and
// its own receiver noise; the server adds the N estimates.
//
// Noise is in the normalised SNR mode (beta_n = 1, per-slot transmit energy 1,
// sigma^2 = 10^(-SNR/10)). Channels: realization r of the batch follows one channel
// trajectory; by default the channel changes per token position (all all-reduces of that
// token's forward step share it) or, optionally, per all-reduce. Every sequence evaluated
// under realization r sees the same trajectory, so transceivers are designed once per
// (realization, position[, layer, which]) and cached; the noise is drawn per sequence.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "host/model/allreduce.hpp"
#include "kernels/solver_fast.cuh"

namespace airtp {

enum class Coherence { per_token, per_allreduce };

struct AirOptions {
  int n_dev = 1;
  int n_rx = 20;       // N_r
  int n_tx = 4;        // N_t
  int streams = 0;     // L (0: N_t)
  double k_db = 3.0;   // Rician K in dB (-inf or a very negative value: Rayleigh)
  double snr_db = 10;  // normalised SNR
  uint64_t seed = 1;
  Coherence coherence = Coherence::per_token;
  int n_layers = 1;
  int max_pos = 1;             // positions 0..max_pos-1 get channels
  int n_realizations = 1;      // realizations 0..n-1 get channels
  // Noise after the receive beamformer: "literal" draws w (N_r per slot) and applies A^H;
  // otherwise the same-distribution CN(0, sigma^2 A^H A) vector is drawn directly (L per slot).
  bool literal_noise = true;
  // Receive design: the eigen design, or the fast solver started from it (kernels/solver_fast.cuh).
  bool fast_design = false;
  FastOptions fast{};
};

// One designed link: what the server sees of each device per slot.
struct AirLink {
  std::vector<std::complex<float>> E;   // [n][L x L] = A^H H_n B_n (identity up to rounding under ZF)
  std::vector<std::complex<float>> AH;  // L x N_r receive combiner A^H (literal noise)
  std::vector<std::complex<float>> C;   // L x L lower factor of A^H A (projected noise)
  double alpha = 0;                     // MSE = sigma^2 alpha per slot (sum over streams)
  bool outage = false;
};

class AirAllReduceBase : public AllReduce {
 public:
  explicit AirAllReduceBase(const AirOptions& o, bool fdma);
  const AirOptions& options() const { return o_; }
  double sigma2() const { return sigma2_; }
  // Mean over cached links of alpha (per device link for FDMA), outages excluded, and the outage count.
  double mean_alpha() const;
  long outages() const;
  long n_links() const { return (long)links_.size(); }
  // The link serving an all-reduce (g: device for FDMA, 0 for AirComp).
  const AirLink& link(uint64_t realization, int pos, int layer, int which, int g = 0) const {
    return links_[link_index(realization, pos, layer, which) + g];
  }
  int streams() const { return L_; }
  void reduce(const float* const* parts, int n_dev, int rows, int dim, const AllReduceContext& ctx,
              float* out) const override;

 protected:
  size_t link_index(uint64_t realization, int pos, int layer, int which) const;
  AirOptions o_;
  bool fdma_;
  int L_;
  double sigma2_;
  double theta_[64], phi_[64];
  // AirComp: one link per channel index; FDMA: n_dev links per channel index.
  std::vector<AirLink> links_;
};

class AirCompAllReduce : public AirAllReduceBase {
 public:
  explicit AirCompAllReduce(const AirOptions& o) : AirAllReduceBase(o, false) {}
  std::string name() const override { return "aircomp"; }
};

class FdmaAllReduce : public AirAllReduceBase {
 public:
  explicit FdmaAllReduce(const AirOptions& o) : AirAllReduceBase(o, true) {}
  std::string name() const override { return "fdma"; }
};

}  // namespace airtp
