// libFuzzer target for the shard-file reader behind `airtp merge` (build with fuzz/build.sh):
// bytes written to a file must read as a shard or throw airtp::InputError.
// History: Debian's libhdf5 1.10.8 is not robust against corrupt files. Fuzzing read_shard
// found, within a few hundred runs, a heap-use-after-free (H5O__msg_iterate_real under
// H5Aexists) and a heap-buffer-overflow (memcpy in H5O__msg_iterate_real under H5Aopen; input
// kept in fuzz/libhdf5_crashes/, a ctest since 2026-11-29), both inside the library and silent
// in a Release build. read_shard now parses in a forked child and takes back only the parsed
// contents, so this target fuzzes the product path: a crash inside libhdf5 kills the child
// and must come back as an InputError. The child's coverage is not seen by libFuzzer (it
// exercises libhdf5, which is not instrumented, and our attribute reads); the parent's
// deserialisation and checks are. Run it with -rss_limit_mb=0 -malloc_limit_mb=0: libhdf5 asks
// for 8 GB on some corrupt headers, and libFuzzer's malloc limit (inherited by the child) would
// report that as this process's out-of-memory. 2026-11-29: 43.7 k inputs in 300 s, clean.
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
