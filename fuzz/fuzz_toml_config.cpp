// libFuzzer target for `airtp mse` configuration reading (build with fuzz/build.sh): any
// TOML text, written to a file, must load and validate or throw airtp::InputError; nothing
// else (no toml++ exception, std::out_of_range, sanitizer report) may escape.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "host/common/errors.hpp"
#include "host/config/mse_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/airtp_fuzz_toml_" + std::to_string(getpid()) + ".toml";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  airtp::MseConfig cfg;
  try {
    airtp::load_mse_config(path, cfg);
    airtp::validate(cfg);
    // A valid config must survive its own TOML round trip.
    airtp::MseConfig again;
    airtp::parse_mse_config_text(cfg.to_toml(), "round-trip", again);
    if (again.to_toml() != cfg.to_toml()) __builtin_trap();
  } catch (const airtp::InputError&) {
  }
  return 0;
}
