// Reading values back from airtp result files that a user names as inputs (e.g. `--m
// results/assign.h5`). The file is parsed in a child process (libhdf5 is not safe against
// corrupt files) and only the numbers come back; every problem is an InputError naming the
// file and the field.
#pragma once
#include <string>
#include <vector>

namespace airtp {

// The final assignment m of an `airtp assign` result file (dataset assign/final_m).
std::vector<double> read_assignment_file(const std::string& path, const std::string& field);

// A double dataset of a result file of kind `kind` ("" = any kind).
std::vector<double> read_result_doubles(const std::string& path, const std::string& kind, const std::string& dataset,
                                        const std::string& field);

}  // namespace airtp
