// The parameters the batched kernels take, as plain structs: what host code fills in and hands
// to the entry points of kernels/backend.hpp. No device math here (that lives in the .cuh
// files), so host translation units that include this compile none of it.
#pragma once
#include <cstdint>

#include "kernels/hd.hpp"

namespace airtp {

// Compile-time upper limits: per-realization scratch is sized from the runtime sizes, but
// parameters travel to the GPU by value, so per-device arrays need a fixed bound.
constexpr int kMaxDevices = 32;
constexpr int kMaxRx = 128;
constexpr int kMaxTx = 16;
constexpr int kMaxStreams = 16;

// A complex number in double precision (operators in kernels/common.cuh). std::complex is not
// usable in device code without libcu++'s variant; this keeps both backends on the exact same
// arithmetic.
struct cplx {
  double re, im;
  AIRTP_INLINE cplx() : re(0), im(0) {}
  AIRTP_INLINE cplx(double r, double i = 0) : re(r), im(i) {}
};

// What a stream of random draws is for; part of the counter so that purposes never overlap.
enum RngPurpose : uint32_t {
  kRngChannel = 1,   // small-scale fading W_n
  kRngDesign = 2,    // random receive beamformers, solver restarts, SDR randomization
  kRngSymbols = 3,   // payload symbols (signal-level simulation, digital quantization error)
  kRngNoise = 4,     // receiver noise
  kRngTopology = 5,  // distances and angles drawn once per topology
  kRngCsiError = 6,  // channel-estimation error E_n (imperfect CSI)
};

struct RngKey {
  uint64_t seed;
  uint32_t stream;   // e.g. training vs validation channels of the assignment
  uint32_t purpose;  // RngPurpose
};

// Rician block-fading channels of one topology (kernels/channel.cuh).
struct ChannelParams {
  int n_dev = 1;        // N
  int n_rx = 1;         // N_r (server antennas)
  int n_tx = 1;         // N_t of the channel matrices: the largest of the devices'
  double k_factor = 0;  // Rician K, linear (0: Rayleigh)
  double beta[kMaxDevices];   // large-scale gain of each device
  double theta[kMaxDevices];  // angle of arrival at the server (rad)
  double phi[kMaxDevices];    // angle of departure at the device (rad)
  // Antennas of each device (<= n_tx; 0 means n_tx): the columns of H_n beyond them are zero,
  // so a device with fewer antennas is the same problem with zero channel there.
  int n_tx_dev[kMaxDevices] = {};
  RngKey key{0, 0, kRngChannel};
  // Device n is drawn as device first_device + n of the topology's random numbers. 0 except
  // for a sub-problem that holds one device of a larger set (an FDMA sub-band: H_n alone, the
  // same matrix the N-device problem sees; beta/theta/phi[0] then hold that device's values).
  int first_device = 0;
  // Imperfect CSI (SPEC §2): the design sees H_n + E_n, E_n i.i.d. CN(0, csi_nmse beta_n) per
  // antenna pair (NMSE relative to E|h|^2 = beta_n); the transmission uses H_n. 0: perfect.
  double csi_nmse = 0;
  RngKey csi_key{0, 0, kRngCsiError};
};

// Receive-beamformer designs that the kernels compute themselves (sdr runs on the host).
enum Design : int { kDesignEigen = 0, kDesignRandom = 1, kDesignFast = 2 };

struct FastOptions {
  int starts = 1;  // 1 = eigen start only; each further start is a random matrix
  int iters = 20;  // L-BFGS iterations per smoothing stage (upper bound)
};

// One batch of realizations that share a channel configuration (kernels/alpha.cuh).
struct AlphaParams {
  ChannelParams ch;
  int n_streams = 1;                // L
  int design = kDesignEigen;        // Design
  double slot_energy[kMaxDevices];  // E_n = c_n L / L_0 (energy per slot)
  RngKey design_key{0, 0, kRngDesign};
  FastOptions fast;                 // used by kDesignFast only
};

// Per realization: alpha(G) of the design (+inf: outage) and, with imperfect CSI, the
// misalignment sum_n ||A^H H_n B_n - I||_F^2 of the zero-forcing precoders computed from the
// estimates (0 with perfect CSI). MSE = sigma^2 alpha + misalignment.
struct AlphaOut {
  double alpha;
  double misalignment;
};

// The signal-level check of one realization (kernels/aircomp_sim.cuh).
struct SimResult {
  double emp_mse;       // mean over slots of ||s_hat - sum s_n||^2 (sum over the L streams)
  double alpha;         // closed-form alpha; MSE = sigma^2 alpha + misalignment
  double misalignment;  // 0 with perfect CSI
  double energy_ratio;  // max_n tr(B_n B_n^H) / E_n: 1 when the energy constraint is tight
};

// ---- the noisy all-reduce of the accuracy simulation (kernels/air_reduce.cuh) ----------

// Single-precision complex for the link matrices and symbols (std::complex<float>'s layout).
struct cfloat {
  float re, im;
};

// What one row's all-reduce needs besides the partial rows.
struct AirRowParams {
  int n_dev;        // N
  int dim;          // reals per row
  int L;            // streams
  int n_rx;         // N_r (literal noise draws per slot)
  int fdma;         // 1: uncoded FDMA (N single-device links), 0: AirComp (one N-device link)
  int literal;      // 1: w at every antenna then A^H; 0: noise drawn already projected
  float noise_sd;   // sigma
  RngKey noise_key;  // (seed, realization, kRngNoise)
  uint64_t sequence; // noise is keyed by the sequence id, not by the batch position
  uint64_t noise_base;  // first draw block of this all-reduce: ((pos n_layers + layer) 2 + which)
};

// Links of the row's channel index, as link_realization writes them: AirComp one link (E: N x
// L x L, M: L x n_rx or L x L, outage), FDMA N consecutive single-device links.
struct AirRowLinks {
  const cfloat* E;
  const cfloat* M;
  const unsigned char* outage;
};

}  // namespace airtp
