#include "host/common/version.hpp"

#include <string>

namespace airtp {
const char* code_version() {
  static const std::string v = std::string(AIRTP_VERSION) + " (" + git_version() + ")";
  return v.c_str();
}
}  // namespace airtp
