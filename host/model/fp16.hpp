// IEEE 754 binary16 <-> binary32 conversion in plain integer code, so GGUF files read and
// write the same bits on every compiler and CPU (no reliance on _Float16 or F16C).
#pragma once
#include <bit>
#include <cstdint>

namespace airtp {

// Exact: every half value (subnormals, infinities, NaNs with their payload) is a float.
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0) {  // zero or subnormal: mant * 2^-24 is exact in float
    const float v = float(mant) * 0x1p-24f;
    return std::bit_cast<float>(std::bit_cast<uint32_t>(v) | sign);
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

// Round to nearest, ties to even; overflow goes to infinity, tiny values to (signed)
// subnormals or zero; NaN stays NaN (quiet) with the top payload bits kept.
inline uint16_t f32_to_f16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t a = x & 0x7FFFFFFFu;
  if (a >= 0x7F800000u) {  // inf or NaN
    if (a == 0x7F800000u) return sign | 0x7C00u;
    return uint16_t(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
  }
  if (a >= 0x477FF000u) return sign | 0x7C00u;  // >= 65520: the tie above 65504 goes to inf
  if (a >= 0x38800000u) {                       // >= 2^-14: normal half
    const uint32_t lsb = (a >> 13) & 1u;
    const uint32_t r = a + 0xFFFu + lsb;        // RNE on the 13 dropped bits; carry may bump exp
    return uint16_t(sign | ((r - 0x38000000u) >> 13));
  }
  if (a <= 0x33000000u) return sign;            // <= 2^-25: rounds to zero (2^-25 is a tie to 0)
  // Subnormal half: value / 2^-24 = m * 2^(e-126) with the implicit bit restored.
  const uint32_t m = (a & 0x7FFFFFu) | 0x800000u;
  const uint32_t shift = 126u - (a >> 23);      // 14..24 here
  uint32_t q = m >> shift;
  const uint32_t rem = m & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (q & 1u))) ++q;  // q == 0x400 is the smallest normal: correct
  return uint16_t(sign | q);
}

}  // namespace airtp
