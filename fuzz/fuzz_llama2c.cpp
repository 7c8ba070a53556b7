// libFuzzer target for the llama2.c checkpoint parser (build with fuzz/build.sh). Any input
// must either parse or throw airtp::InputError: no crash, sanitizer report, hang or huge
// allocation (the header's sizes must be checked against the buffer before allocating).
#include <cstdint>

#include "host/common/errors.hpp"
#include "host/model/llama2c.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    airtp::parse_llama2c(data, size, "fuzz");
  } catch (const airtp::InputError&) {
  }
  return 0;
}
