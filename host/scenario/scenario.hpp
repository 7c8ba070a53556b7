// One scenario for every experiment (SPEC §1-§5): the devices, the link (N_r, N_t, L, Rician K,
// the line-of-sight angle law, path loss), the noise (normalised SNR, or physical transmit
// power, bandwidth and noise density), the CSI error, the model whose all-reduces are sent and
// the model assignment m. `mse`, `compare`, `assign`, `ppl`, `generate` and `latency` all read
// it (from TOML and the same flags, host/scenario/scenario_fields.hpp) and all build their
// channels through make_link(), so the same seed and scenario give bit-identical channels in
// every command.
//
// Energy [paper, SPEC §4]: device n spends e_n m_n s_tot on computing its share of a layer and
// the rest of its budget P_n^max on the L_0 / L slots of one all-reduce, so its energy per slot
// is E_n(m) = c_n(m) L / L_0 with c_n(m) = P_n^max - e_n m_n s_tot > 0. [ours] P_n^max is the
// device's energy_budget when one is given, otherwise what its transmitter spends at the
// transmit power P over the all-reduce's airtime: P_n^max = P ceil(L_0 / L) / B.
//   physical mode:   sigma^2 = N_0 F (noise density times noise figure, J per symbol),
//                    beta_n from the path loss, E_n in joules per slot;
//   normalised mode: beta_n = 1, sigma^2 = 10^(-SNR/10), E_n = c_n(m) / P_n^max (1 for a device
//                    that computes for free), P evaluated at the single noise.tx_power_dbm.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/scenario/device.hpp"
#include "host/runs/axis.hpp"
#include "host/scenario/model_shape.hpp"
#include "kernels/params.hpp"

namespace airtp {

struct Scenario {
  uint64_t seed = 1;
  // Devices: a preset mix, or [[device]] tables (device_tables non-empty). With one device
  // defined it stands for every device of any N; otherwise N takes the first N.
  std::string devices = "generic";
  std::vector<Device> device_tables;
  // Sweep axes (every list is one dimension of the result).
  std::vector<int> n_devices{4};
  std::vector<std::string> m{"uniform"};  // assignment specs, see resolve_assignment
  std::vector<int> n_rx{20};
  std::vector<int> n_tx{4};               // for devices without their own n_tx
  std::vector<int> streams{0};            // L; 0: the smallest N_t of the devices
  std::vector<double> k_db{3.0};          // Rician K in dB; -inf: Rayleigh
  std::vector<double> csi_nmse{0.0};      // NMSE of the channel estimate the design sees; 0: perfect
  std::string noise_mode = "normalised";  // normalised | physical
  std::vector<double> snr_db{0, 5, 10, 15, 20};  // normalised mode axis
  std::vector<double> tx_power_dbm{20};          // physical mode axis
  // Scalars.
  double angle_max_deg = 90;  // line-of-sight angles uniform in [-a, a)
  double path_loss_db_at_1m = 30, path_loss_exponent = 3;
  double distance_min_m = 20, distance_max_m = 100;  // drawn distances (physical mode)
  double bandwidth_hz = 1e6;
  std::vector<double> bandwidth_axis{5e6};  // `latency` sweeps the bandwidth (ScenarioParts::bandwidth_axis)
  double noise_density_dbm_hz = -174, noise_figure_db = 7;
  std::string model = "stories260K";  // built-in shape or model file: s_tot and L_0
  // Assignments computed within the run and named in `m` (e.g. "ssca" in `airtp e2e`).
  std::map<std::string, std::vector<double>> named_m;
  int tokens_per_step = 1;            // tokens per forward step: L_0 = ceil(tokens x dim / 2)

  bool physical() const { return noise_mode == "physical"; }
  // The noise axis of the mode: its name, unit and values.
  std::string noise_axis() const { return physical() ? "tx_power_dbm" : "snr_db"; }
  const std::vector<double>& noise_values() const { return physical() ? tx_power_dbm : snr_db; }
  // The devices of an N-device point (InputError when fewer are defined).
  std::vector<Device> devices_for(int n) const;
};

// Checks what no single point reveals: the device list, the modes, the model; InputError naming
// the field and flag. make_link checks the rest (per point: antennas, streams, assignment).
void validate(const Scenario& s);

// One value of every channel axis: one link configuration of the sweep.
struct LinkPoint {
  int n_devices = 1;
  int m_index = 0;  // index into Scenario::m
  int n_rx = 20, n_tx = 4, streams = 0;
  double k_db = 3, csi_nmse = 0;
};
// The Cartesian product of the channel axes, in the order n_devices (outermost), m, n_rx,
// n_tx, streams, k_db, csi_nmse.
std::vector<LinkPoint> link_points(const Scenario& s);

// The link axes as result dimensions, in link_points order: n_devices, assignment, n_rx, n_tx,
// streams, k_factor (linear K: Rayleigh's -inf dB is 0), csi_nmse.
std::vector<Axis> link_axes(const Scenario& s);
// The noise axis of the mode: snr_db [dB] or tx_power_dbm [dBm].
Axis noise_axis(const Scenario& s);

// Everything the kernels and the accuracy simulation need about one link point.
struct Link {
  LinkPoint point;
  std::vector<Device> devices;
  std::vector<double> m;  // the assignment, on the simplex
  std::string m_spec;     // as given
  ModelShape shape;
  int L = 1;              // streams
  long l0 = 1;            // complex symbols per device per all-reduce
  long slots = 1;         // ceil(L_0 / L)
  double airtime_s = 0;   // slots / B
  ChannelParams ch;       // topology, K, CSI (key stream 0)
  // Per level of the noise axis: the noise energy per symbol and each device's energy per slot.
  std::vector<double> sigma2;
  std::vector<std::vector<double>> slot_energy;  // [level][device]
  std::vector<std::vector<double>> budget;       // [level][device]: P_n^max [J] (normalised: at the reference power)
  // True when every level's energies are one factor times level 0's: one design serves all
  // levels (alpha_j = alpha_0 / scale[j]); false when the computation energy makes the split
  // between devices change with the power (physical mode with e_n m_n > 0).
  bool scalable = true;
  std::vector<double> scale;
  bool physical = false;
};

// Builds the link of a point; InputError naming the field (and the device and constraint) for
// an impossible point: antennas, streams, an assignment that breaks a memory cap or leaves a
// device no energy to transmit (c_n <= 0) at some level.
// check_assignment = false skips the assignment's memory and energy checks (the assignment
// loop, which works with caps instead).
Link make_link(const Scenario& s, const LinkPoint& pt, bool check_assignment = true);

// Each device's energy per slot under another assignment m at `level` (the assignment loop);
// the caller keeps m within the caps, so every c_n(m) > 0.
std::vector<double> slot_energies(const Link& link, const std::vector<double>& m, size_t level);
// c_n(m) = P_n^max - e_n m_n s_tot at `level` [J].
double residual_energy(const Link& link, int n, double m_n, size_t level);

// Kernel parameters of a link at noise level `level`, channels and design draws on `stream`
// (0 everywhere; the assignment's validation channels use 1).
AlphaParams alpha_params(const Link& link, size_t level, uint32_t stream = 0);

// Uncoded FDMA sub-band n of a link's parameters: the N = 1 problem on H_n, the same channel
// draw and energy per slot, design draws on stream + n (device 0's are AirComp's).
AlphaParams fdma_subband(const AlphaParams& all, int n);

// The assignment a spec names for n devices: "uniform", "compute" (m proportional to FLOP/s),
// "memory" (to memory), "a,b,c" (explicit shares, normalised when they sum to 1 within 1e-6),
// or the path of an `airtp assign` result file (its final m). InputError naming `field`.
// `named` (optional) holds assignments computed within the run, looked up first.
std::vector<double> resolve_assignment(const std::string& spec, const std::vector<Device>& devices,
                                       const std::string& field,
                                       const std::map<std::string, std::vector<double>>* named = nullptr);

// Distance of device n (its own, or drawn for the topology in [distance_min_m, distance_max_m]).
double device_distance(const Scenario& s, const Device& d, int n);

// The files a scenario may read, for the output-path check (an output must not be one of
// them): the model and every assignment given as a file.
std::vector<std::string> scenario_input_files(const Scenario& s);

// c_n(m) = P_n^max - e_n m_n s_tot (J left for transmission) and the energy checks, exposed for
// the assignment loop and the tests.
double computation_energy(const Device& d, double m_n, const ModelShape& shape);

// dB helpers.
double db_to_linear(double db);
double dbm_to_watt(double dbm);

}  // namespace airtp
