// libFuzzer target for the shard-file reader behind `airtp merge` (build with fuzz/build.sh):
// bytes written to a file must read as a shard or throw airtp::InputError. The HDF5 library
// itself is not instrumented, and it is known not to be robust against corrupt files, so a
// crash inside libhdf5 is that library's, not ours. Found within ~40 runs from the seed
// (Debian libhdf5 1.10.8): heap-use-after-free in H5O__msg_iterate_real under
// H5Aexists, called by read_shard's first attribute check; the Release `airtp merge` on that
// file exited 2 with no visible crash (ASan is what sees it). The target mostly documents this.
// 2026-11-28, after ~270 runs: heap-buffer-overflow (memcpy) in H5O__msg_iterate_real under
// H5Aopen, from read_shard's attribute reads; the input is kept in
// fuzz/libhdf5_crashes/merge-heap-overflow-H5Aopen.h5 (not a ctest: the ASan stage would
// report the library's overflow).
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
