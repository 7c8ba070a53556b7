// The command line as typed, recorded in every result file.
#pragma once
#include <string>

namespace airtp {

void set_command_line(int argc, const char* const* argv);
const std::string& command_line();

}  // namespace airtp
