// Configuration of `airtp assign`: devices (a preset mix or a TOML list of tables), model
// shape, channel, solver and SSCA schedule; TOML file overridden by flags, errors name the field.
#pragma once
#include <cstdint>
#include <string>
#include "host/assign/devices.hpp"
#include "host/assign/ssca.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

struct AssignConfig {
  uint64_t seed = 1;
  std::string backend = "auto";
  std::string solver = "fast";
  SolverOptions solver_options;
  std::string device_mix = "2*phone+laptop+jetson";  // used when the file has no [[device]] list
  AssignScenario scenario;
  SscaOptions ssca;
  std::string to_toml() const;
};

// Reads the TOML file into c. Devices: `devices = "2*phone+laptop"` or a list of tables
// [[device]] with `preset` and any field overridden (flops, memory_bytes, energy_per_param,
// energy_budget, distance_m, path_loss_db, n_tx). Model: model.name plus optional dim, hidden,
// layers, heads, kv_heads, bytes_per_param, tokens.
void load_assign_config(const std::string& path, AssignConfig& c);

// Resolves the device mix if no list was given, then validates everything.
void finalize(AssignConfig& c);

}  // namespace airtp
