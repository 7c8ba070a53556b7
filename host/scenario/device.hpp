// Edge devices (SPEC §1): what each one computes, stores, spends and where it stands. A device
// comes from a named preset with any field overridden; a preset mix "2*phone+laptop+jetson"
// names several. Fields left "from the scenario" (negative distance, zero antennas, no energy
// budget) take the scenario's value: distances drawn per topology, N_t from channel.n_tx, the
// budget from the transmit power (host/scenario/scenario.hpp).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace airtp {

struct Device {
  std::string preset = "generic";  // preset it came from ("custom" when none)
  double flops = 115e9;            // f_n, FLOP/s (latency; the compute-proportional split)
  double memory_bytes = 80e9;      // M_n (memory cap m_n x split bytes <= M_n)
  double energy_per_param = 0;     // e_n, J per parameter of its share per all-reduce (SPEC §4)
  double energy_budget = 0;        // P_n^max, J per all-reduce; 0: P_tx x the all-reduce's airtime
  double distance_m = -1;          // to the server; < 0: drawn per topology in [min, max]
  double path_loss_db = -1;        // >= 0: beta_n = 10^(-path_loss_db/10), the distance ignored
  int n_tx = 0;                    // N_t; 0: the scenario's channel.n_tx
  std::optional<double> aoa_deg;   // line-of-sight angle of arrival at the server; unset: drawn
  std::optional<double> aod_deg;   // angle of departure at the device; unset: drawn
};

// "generic", "phone", "laptop", "jetson" ([ours], see device.cpp); InputError naming `field`.
Device device_preset(const std::string& name, const std::string& field);
const std::vector<std::string>& preset_names();
// "2*phone+laptop+jetson" -> four devices; InputError naming `field` on a bad term.
std::vector<Device> parse_device_mix(const std::string& mix, const std::string& field);
// Checks one device; InputError naming `field` (e.g. "device[2].energy_budget").
void validate(const Device& d, const std::string& field);

}  // namespace airtp
