// airtp run CONFIG [flags]: runs the sub-command the config names in `command = "..."`,
// as if `airtp <command> CONFIG [flags]` had been typed. Every command that takes a config
// file as its first positional argument plugs in without code here.
#include <toml++/toml.h>

#include "experiments/commands.hpp"
#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"

namespace airtp {
namespace {

int run_config(const std::string& config, const std::vector<std::string>& extra) {
  toml::table root;
  try {
    root = toml::parse(read_input_file(config, "config", kMaxConfigBytes), config);
  } catch (const toml::parse_error& e) {
    throw InputError("config '" + config + "' line " + std::to_string(e.source().begin.line) + ", column " +
                     std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  const auto name = root["command"].value<std::string>();
  if (!name) throw InputError("config '" + config + "': command: missing (e.g. command = \"mse\")");
  const Command* c = find_command(*name);
  if (!c || *name == "run" || *name == "merge") {
    std::string known;
    for (const Command& k : command_registry())
      if (k.name != "run" && k.name != "merge") known += (known.empty() ? "" : ", ") + k.name;
    throw InputError("config '" + config + "': command: '" + *name + "' is not a command of this airtp (known: " + known + ")");
  }
  CLI::App app{c->help, c->name};
  const std::function<int()> action = c->setup(app);
  // CLI11 takes a vector of arguments in reverse order.
  std::vector<std::string> args(extra.rbegin(), extra.rend());
  args.push_back(config);
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw InputError("run " + config + " (" + c->name + "): " + e.what());
  }
  return action();
}

const bool registered = register_command({"run", "Run the command a TOML config names (command = \"...\"); extra flags pass through",
                                          [](CLI::App& sub) -> std::function<int()> {
  // Every argument is passed through; the config is found among them (flags may come before
  // it): the first ending in ".toml", else the first that is neither a flag nor a flag's value.
  sub.allow_extras();
  CLI::App* s = &sub;
  return [s] {
    std::vector<std::string> args = s->remaining();
    size_t k = args.size();
    for (size_t i = 0; i < args.size() && k == args.size(); ++i)
      if (args[i].size() > 5 && args[i].ends_with(".toml")) k = i;
    for (size_t i = 0; i < args.size() && k == args.size(); ++i)
      if (!args[i].starts_with("-") && (i == 0 || !args[i - 1].starts_with("-") || args[i - 1] == "-q" ||
                                        args[i - 1] == "--quiet" || args[i - 1] == "--resume" || args[i - 1] == "--fresh"))
        k = i;
    if (k == args.size()) throw InputError("run: no config file given (airtp run CONFIG.toml [flags])");
    const std::string config = args[k];
    args.erase(args.begin() + (long)k);
    return run_config(config, args);
  };
}});

}  // namespace
}  // namespace airtp
