// Where a run may write its result, checked before any computation: nothing a user owns is
// destroyed. The output must not be an input of the same run, a directory, or an existing file
// that is not a regular file (a device such as /dev/null, a FIFO, a socket); its folder must be
// writable (or creatable). An existing regular result file, or a symlink, is replaced
// atomically when the run commits (never written through).
#pragma once
#include <string>
#include <vector>

namespace airtp {

// InputError "<flag> '<path>': <what is wrong>" (exit 2).
void check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       const std::string& flag = "--output");

}  // namespace airtp
