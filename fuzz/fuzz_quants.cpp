// libFuzzer target for the GGUF dequantizers (build with fuzz/build.sh): the first input byte
// picks one of the supported tensor types, the rest are its blocks (as many whole blocks as
// fit). Every block must decode without a sanitizer report, and decoding block by block must
// give the same bits as decoding all at once (no state or reads across blocks).
#include <cstdint>
#include <cstring>
#include <vector>

#include "host/model/gguf.hpp"
#include "host/model/gguf_quants.hpp"

namespace {
constexpr airtp::GgufType kTypes[] = {
    airtp::GgufType::f32,  airtp::GgufType::f16,  airtp::GgufType::bf16, airtp::GgufType::q4_0,
    airtp::GgufType::q4_1, airtp::GgufType::q5_0, airtp::GgufType::q5_1, airtp::GgufType::q8_0,
    airtp::GgufType::q4_k, airtp::GgufType::q5_k, airtp::GgufType::q6_k,
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint32_t type = uint32_t(kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])]);
  if (!airtp::gguf_can_dequantize(type)) __builtin_trap();
  const airtp::GgufTypeTraits tr = airtp::gguf_type_traits(type);
  // Copy the blocks to an exactly sized buffer so ASan sees any read past the last block.
  const size_t n = (size - 1) / tr.bytes;
  std::vector<uint8_t> blocks(data + 1, data + 1 + n * tr.bytes);
  std::vector<float> all(n * tr.block), one(tr.block);
  airtp::dequantize_blocks(type, blocks.data(), n, all.data());
  for (size_t i = 0; i < n; ++i) {
    std::vector<uint8_t> b(blocks.begin() + i * tr.bytes, blocks.begin() + (i + 1) * tr.bytes);
    airtp::dequantize_blocks(type, b.data(), 1, one.data());
    if (std::memcmp(one.data(), all.data() + i * tr.block, tr.block * sizeof(float)) != 0) __builtin_trap();
  }
  return 0;
}
