// Splitting a sweep into n independent pieces (`--shard i/n`): piece i takes the fixed
// realization range [R i / n, R (i + 1) / n) of every point. Random draws are keyed by
// (seed, realization), so the pieces are independent and their union is the unsharded run.
#pragma once
#include <cstdint>
#include <string>

namespace airtp {

struct ShardSpec {
  int index = 0, count = 1;
  bool given = false;  // --shard was passed: write a shard file, not a result file
};

// Parses "i/n" (0 <= i < n); InputError naming `flag` otherwise.
ShardSpec parse_shard(const std::string& flag, const std::string& text);

struct RealizationRange {
  uint64_t begin, end;
};
RealizationRange shard_range(const ShardSpec& s, uint64_t total);

// Identifies a configuration: FNV-1a 64 of the resolved TOML text, as 16 hex digits.
std::string config_fingerprint(const std::string& config_toml);

// The run a checkpoint folder belongs to (a resume refuses any other):
// "<kind> config <fingerprint> shard i/n file|result backend <backend>".
std::string run_identity(const std::string& kind, const std::string& config_toml, const ShardSpec& s,
                         const std::string& backend);

}  // namespace airtp
