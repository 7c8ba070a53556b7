// Latency of one generated token under tensor parallelism over N devices (SPEC §6):
//   T_token = sum over layers [ max_n m_n F_layer / f_n + 2 (T_uplink + T_downlink) ] + unsplit,
// for four ways of doing the all-reduce: AirComp, digital (OFDMA + Q-bit quantisation),
// uncoded FDMA and centralised (one device, no all-reduce). Everything here is closed-form;
// the functions for each term are exposed so each can be checked by hand.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "host/scenario/model_shape.hpp"
#include "host/scenario/scenario.hpp"

namespace airtp {

enum class Scheme { AirComp, Digital, Fdma, Centralised };
const std::vector<Scheme>& all_schemes();
std::string scheme_name(Scheme s);          // "aircomp", "digital", "fdma", "centralised"
Scheme parse_scheme(const std::string& s);  // InputError listing the names

struct DeviceProfile {
  double flops = 115e9;        // f_n, sustained FLOP/s on this workload
  double memory_bytes = 80e9;  // M_n
  double power_dbm = 20;       // uplink transmit power (digital uplink rate)
  double distance_m = 100;     // to the server (path loss)
};

struct RadioParams {
  double bandwidth_hz = 5e6;            // uplink B (AirComp symbol rate; split B/N for OFDMA)
  int streams = 4;                      // L, parallel AirComp streams (default N_t)
  double noise_density_dbm_hz = -174;   // thermal noise density
  double noise_figure_db = 7;           // receiver noise figure
  double path_loss_db_at_1m = 30;       // C_0 (as a loss) at d_0 = 1 m
  double path_loss_exponent = 3;        // kappa
  int quant_bits = 8;                   // Q, digital uplink bits per real value
  // Spatial streams a device sends on its digital sub-band; default = streams (same N_t
  // antennas as AirComp uses), the fair comparison.
  int digital_streams = 4;
  // Downlink: the server broadcasts the all-reduce result digitally, error-free. Its rate is
  // downlink_rate_bps if positive, otherwise the Shannon rate to the farthest participating
  // device at downlink_bandwidth_hz and downlink_power_dbm.
  double downlink_bandwidth_hz = 40e6;
  double downlink_power_dbm = 23;
  int downlink_bits = 8;  // bits per real value broadcast
  double downlink_rate_bps = 0;
};

struct LatencyParams {
  RadioParams radio;
  int64_t context_len = 512;  // cached positions attended over per token
  int64_t tokens = 1;         // tokens per forward step (1: decoding); all-reduce payload = tokens x dim
};

struct TokenLatency {
  bool feasible = false;
  std::string reason;        // why not feasible
  double compute_s = 0;      // layers' split compute plus the unsplit parts
  double uplink_s = 0;       // all layers, both all-reduces
  double downlink_s = 0;
  double total_s = 0;
  int participants = 0;      // devices with m_n > 0 (centralised: 1)
};

// ---- the terms, one function each ----------------------------------------
// (db_to_linear and dbm_to_watt come from host/scenario/scenario.hpp.)
// Linear power gain beta = C_0 (d / 1 m)^-kappa; InputError if d <= 0.
double path_gain(const RadioParams& r, double distance_m);
// Noise power in W over `bandwidth_hz` including the noise figure.
double noise_power_w(const RadioParams& r, double bandwidth_hz);
// bandwidth x log2(1 + snr) in bit/s.
double shannon_rate_bps(double bandwidth_hz, double snr_linear);
// L_0 = ceil(numel / 2): consecutive real pairs become one complex symbol.
int64_t symbols_per_allreduce(int64_t numel);
// AirComp uplink airtime ceil(L_0 / L) / B; independent of N.
double aircomp_airtime_s(int64_t l0, int streams, double bandwidth_hz);
// Uncoded FDMA: N orthogonal sub-bands of B/N, i.e. N x the AirComp airtime.
double fdma_airtime_s(int64_t l0, int streams, double bandwidth_hz, int n_devices);
// Digital OFDMA uplink: each device gets B/N and sends 2 L_0 Q bits at its Shannon rate
// (power_dbm, distance_m); the slowest device sets the time.
double digital_uplink_s(int64_t l0, const std::vector<DeviceProfile>& devs, const RadioParams& r);
// Digital broadcast of numel values to every participant (rate to the farthest one).
double downlink_s(int64_t numel, const std::vector<DeviceProfile>& devs, const RadioParams& r);
// max_n m_n F / f_n.
double split_compute_s(double flops, const std::vector<double>& m, const std::vector<DeviceProfile>& devs);
// m_n x model_bytes <= M_n for every n.
bool fits_memory(double model_bytes, const std::vector<double>& m, const std::vector<DeviceProfile>& devs);

// Uniform assignment 1/N.
std::vector<double> uniform_assignment(int n);
// InputError naming `what` unless m has n entries, all finite and >= 0, summing to 1 (1e-6).
void validate_assignment(const std::vector<double>& m, int n, const std::string& what);

// ---- the whole token -------------------------------------------------------
// `devs` are the N active devices, m their shares (empty: uniform). With one participant no
// all-reduce is needed: every scheme reduces to local compute. Centralised runs the whole
// model on the fastest of `devs` whose memory holds it; infeasible if none does. The unsplit
// parts run on the fastest participant.
TokenLatency token_latency(const ModelShape& s, Scheme scheme, const std::vector<DeviceProfile>& devs,
                           const std::vector<double>& m, const LatencyParams& p);

}  // namespace airtp
