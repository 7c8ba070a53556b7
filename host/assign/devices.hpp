// Heterogeneous edge devices and the model they share (SPEC §1, §4, §5): device profiles with
// named presets and mixes, model shapes, and the per-slot energy the kernels take for a given
// assignment m: E_n(m) = c_n(m) L / L_0 with c_n(m) = P_n^max - e_n m_n s_tot.
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct AssignDevice {
  std::string name;             // preset it came from (or "custom")
  double flops = 0;             // f_n, FLOP/s (latency only; recorded for the compute baseline)
  double memory_bytes = 0;      // M_n
  double energy_per_param = 0;  // e_n, J per parameter per forward step
  double energy_budget = 0;     // P_n^max, J per all-reduce (computation + transmission)
  double distance_m = 50;       // path loss beta_n = C_0 d^-kappa, unless path_loss_db is set
  double path_loss_db = -1;     // >= 0: beta_n = 10^(-path_loss_db/10), distance ignored
  int n_tx = 4;                 // N_t (the kernels need one N_t shared by all devices)
};

// "phone", "laptop", "jetson" ([ours] rough defaults, see devices.cpp); InputError naming
// `field` otherwise.
AssignDevice device_preset(const std::string& name, const std::string& field);
// "2*phone+laptop+jetson" -> four profiles; InputError naming `field` on a bad term.
std::vector<AssignDevice> parse_device_mix(const std::string& mix, const std::string& field);
// Checks one profile; InputError naming `field` (e.g. "device[2].energy_budget").
void validate(const AssignDevice& d, const std::string& field);

// Decoder-only transformer shape (LLaMA-style: gated MLP, grouped-query attention).
struct SplitShape {
  std::string name = "stories260K";
  int dim = 64, hidden = 172, layers = 5, heads = 8, kv_heads = 4;
  int bytes_per_param = 4;  // float32 weights
  // Parameters of one layer that tensor parallelism splits: Q, K, V, O and gate, up, down.
  double layer_params() const;
  // Bytes of all split layers (what m_n of the model costs in memory).
  double split_bytes() const { return layer_params() * layers * bytes_per_param; }
};
// stories260K (default), llama2-7b, llama2-13b, llama2-70b, llama3-8b, llama3-70b.
SplitShape model_shape(const std::string& name, const std::string& field);
void validate(const SplitShape& s, const std::string& field);

// Everything the energy and memory constraints need.
struct AssignScenario {
  std::vector<AssignDevice> devices;
  SplitShape model;
  int n_rx = 20;
  int streams = 0;      // L; 0 means L = N_t
  int tokens = 1;       // tokens per forward step (1: one generated token)
  double k_factor_db = 3;
  double noise_density_dbm_hz = -174;  // noise energy per symbol = N_0 (symbol time 1/B)
  double path_loss_db_at_1m = 30, path_loss_exponent = 3;

  int n() const { return (int)devices.size(); }
  int n_tx() const { return devices.empty() ? 1 : devices[0].n_tx; }
  int L() const { return streams > 0 ? streams : n_tx(); }
  // Complex symbols per all-reduce per device: ceil(tokens * dim / 2).
  long l0() const { return ((long)tokens * model.dim + 1) / 2; }
  double sigma2() const;
  double beta(int n) const;
  // c_n(m) = P_n^max - e_n m_n s_tot (J left for transmission).
  double residual_energy(int n, double m_n) const;
  // E_n(m) = c_n(m) L / L_0: the per-slot energy of the kernels' AlphaParams.
  double slot_energy(int n, double m_n) const { return residual_energy(n, m_n) * L() / (double)l0(); }
};

// Checks devices, model and channel numbers; InputError naming the field.
void validate(const AssignScenario& s);

}  // namespace airtp
