#include "host/common/command_line.hpp"

namespace airtp {

static std::string& stored() {
  static std::string s;
  return s;
}

void set_command_line(int argc, const char* const* argv) {
  std::string& s = stored();
  s.clear();
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
}

const std::string& command_line() { return stored(); }

}  // namespace airtp
