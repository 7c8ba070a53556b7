// libFuzzer target for the shard-file reader behind `airtp merge` (build with fuzz/build.sh):
// bytes written to a file must read as a shard or throw airtp::InputError. The HDF5 library
// itself is not instrumented, and it is known not to be robust against corrupt files, so a
// crash inside libhdf5 is that library's, not ours (see the report in fuzz/build.sh).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "host/common/errors.hpp"
#include "host/runs/shard_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/airtp_fuzz_shard_" + std::to_string(getpid()) + ".h5";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    airtp::read_shard(path);
  } catch (const airtp::InputError&) {
  }
  return 0;
}
