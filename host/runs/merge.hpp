// `airtp merge`: combines the shard files of one run into the result file the unsharded
// run would have written (same datasets, bit for bit: the samples are the same and the
// command's own finaliser summarises them).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "host/io/result_file.hpp"
#include "host/runs/samples.hpp"

namespace airtp {

// Turns the full samples of a run (realizations [0, total)) into its result datasets.
using Finalizer = std::function<void(const std::string& config_toml, const SampleSet& samples, ResultFile& out)>;

// Checks the shards (one per index 0..n-1, same kind, config fingerprint, seed, backend and
// count) and writes the merged result to `output`. InputError naming the file and problem
// on a missing, duplicate or mismatched shard. `finalizer_for(kind)` returns an empty
// function for a kind that cannot be merged.
void merge_shards(const std::string& output, const std::vector<std::string>& shards, const std::string& command_line,
                  const std::function<Finalizer(const std::string& kind)>& finalizer_for);

}  // namespace airtp
