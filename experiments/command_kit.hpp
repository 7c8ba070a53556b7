// What every sub-command does the same way: its fields come from one table (config file first,
// then the flags given), and its action runs once parsing succeeded.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "experiments/commands.hpp"
#include "host/config/fields.hpp"
#include "host/scenario/scenario_fields.hpp"

namespace airtp {

// Reads `config` (when given) into the table, then applies the flags that were given.
inline void load_fields(FieldTable& t, const std::string& config) {
  if (!config.empty()) t.read_file(config);
  t.apply_flags();
}
inline void load_fields(FieldTable& t, const std::string& config, Scenario& s) {
  load_fields(t, config);
  resolve_scenario(t, s);
}

// The config file (when given) and the scenario's input files, for the output-path check.
inline std::vector<std::string> with_config(const std::string& config, std::vector<std::string> files) {
  files.insert(files.begin(), config);
  return files;
}

// The positional config argument every configurable command takes.
inline void add_config_argument(CLI::App& sub, std::string& config) {
  sub.add_option("config", config, "TOML config file (flags given on the command line override it)");
}

}  // namespace airtp
