// Shard files: what one `--shard i/n` piece of a run writes. A ResultFile of kind "shard"
// holding the per-realization samples it computed (for every sample stream and grid point:
// the first realization, the count and the values) and, as root attributes, everything a
// merge must check: the kind of run it is a piece of, the config fingerprint, seed, backend,
// shard index and count.
#pragma once
#include <cstdint>
#include <string>

#include "host/io/result_file.hpp"
#include "host/runs/samples.hpp"
#include "host/runs/shard.hpp"

namespace airtp {

struct ShardHeader {
  std::string shard_of;     // kind of the run this is a piece of ("mse", ...)
  std::string fingerprint;  // config_fingerprint of the resolved TOML
  std::string config_toml, backend, device;
  uint64_t seed = 0;
  int index = 0, count = 1;
};

// Writes the header attributes and the samples into `f` (created with kind "shard").
void write_shard(ResultFile& f, const ShardHeader& h, const SampleSet& s);

// Convenience for commands: the header of shard `spec` of a run.
ShardHeader make_shard_header(const std::string& shard_of, const std::string& config_toml, uint64_t seed,
                              const std::string& backend, const ShardSpec& spec);

struct ShardContents {
  ShardHeader header;
  SampleSet samples;
};
// Reads a shard file (in a child process: libhdf5 is not safe against corrupt files);
// InputError naming the file when it is missing, corrupt or not a shard file.
ShardContents read_shard(const std::string& path);

}  // namespace airtp
