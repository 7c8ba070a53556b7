// Sub-command registry of the airtp command line: each experiments/cmd_*.cpp registers
// itself at start-up, so adding a command touches no other file.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "host/common/command_line.hpp"
#include "host/runs/merge.hpp"

namespace airtp {

struct Command {
  std::string name, help;
  // Adds the options to `sub` and returns the action to run once parsing succeeded.
  std::function<std::function<int()>(CLI::App& sub)> setup;
  // For commands that support --shard: summarises merged samples (`airtp merge`); the
  // shard files name their command as their kind. Empty: the command has no shards.
  Finalizer finalize = {};
};

// The registered command called `name`, or nullptr.
const Command* find_command(const std::string& name);

std::vector<Command>& command_registry();
bool register_command(Command c);


}  // namespace airtp
