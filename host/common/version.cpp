#include "host/common/version.hpp"
namespace airtp {
const char* code_version() { return AIRTP_VERSION " (" AIRTP_GIT_VERSION ")"; }
}  // namespace airtp
