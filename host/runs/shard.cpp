#include "host/runs/shard.hpp"

#include <cstdio>

#include "host/common/errors.hpp"

namespace airtp {

ShardSpec parse_shard(const std::string& flag, const std::string& text) {
  ShardSpec s;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d/%d%n", &s.index, &s.count, &used) != 2 || used != (int)text.size() ||
      s.count < 1 || s.count > 1000000 || s.index < 0 || s.index >= s.count)
    throw InputError(flag + ": expected i/n with 0 <= i < n (e.g. 0/4), got '" + text + "'");
  s.given = true;
  return s;
}

RealizationRange shard_range(const ShardSpec& s, uint64_t total) {
  // 128-bit products: total * index cannot overflow.
  const auto at = [&](uint64_t i) { return (uint64_t)((unsigned __int128)total * i / (uint64_t)s.count); };
  return {at((uint64_t)s.index), at((uint64_t)s.index + 1)};
}

std::string run_identity(const std::string& kind, const std::string& config_toml, const ShardSpec& s,
                         const std::string& backend) {
  return kind + " config " + config_fingerprint(config_toml) + " shard " + std::to_string(s.index) + "/" +
         std::to_string(s.count) + (s.given ? " file" : " result") + " backend " + backend;
}

std::string config_fingerprint(const std::string& config_toml) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : config_toml) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
  return buf;
}

}  // namespace airtp
