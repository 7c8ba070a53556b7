// Helpers shared by the sub-commands: list flags ("2,4,8") and the run-info of result files.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>
#include "host/io/result_file.hpp"
#include "kernels/backend.hpp"

namespace airtp {

// Parses "a,b,c" (also "a:b:step" for numbers) into a list; InputError naming the flag.
std::vector<double> parse_double_list(const std::string& flag, const std::string& text);
std::vector<int> parse_int_list(const std::string& flag, const std::string& text);

// The run description every result file carries.
RunInfo run_info(const std::string& kind, const std::string& config_toml, uint64_t seed, Backend b);

}  // namespace airtp
