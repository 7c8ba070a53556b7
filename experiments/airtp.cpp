// airtp: simulate tensor-parallel LLM inference whose all-reduces go over the air.
#include <csignal>
#include <iostream>
#include <new>
#include "experiments/commands.hpp"
#include "host/common/errors.hpp"
#include "host/common/version.hpp"

namespace airtp {

std::vector<Command>& command_registry() {
  static std::vector<Command> r;
  return r;
}
bool register_command(Command c) {
  command_registry().push_back(std::move(c));
  return true;
}
const Command* find_command(const std::string& name) {
  for (const Command& c : command_registry())
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace airtp

int main(int argc, char** argv) {
  using namespace airtp;
  set_command_line(argc, argv);
  // Past a file-size limit (ulimit -f) a write must fail with EFBIG, reported as an I/O error
  // that removes the temporary file, not kill the process and leave it behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"airtp: over-the-air tensor-parallel LLM inference simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(code_version()));
  std::function<int()> action;
  for (auto& c : command_registry()) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    auto act = c.setup(*sub);
    sub->final_callback([&action, act] { action = act; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  try {
    return action ? action() : 2;
  } catch (const InputError& e) {
    std::cerr << "airtp: error: " << e.what() << "\n";
    return 2;
  } catch (const NumericalError& e) {
    std::cerr << "airtp: numerical error: " << e.what() << "\n";
    return 3;
  } catch (const IoError& e) {
    std::cerr << "airtp: I/O error: " << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "airtp: error: out of memory: the run needs more memory than this machine gives it; reduce its "
                 "realizations, points or model (or raise AIRTP_MEMORY_LIMIT if that is set too low)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "airtp: failed: " << e.what() << "\n";
    return 1;
  }
}
