// Block layouts (ggml, little-endian; "f16" is an IEEE binary16 scale):
//   Q4_0  18 B: f16 d, 16 B nibbles               x = d * (q - 8)
//   Q4_1  20 B: f16 d, f16 m, 16 B nibbles        x = d * q + m
//   Q5_0  22 B: f16 d, u32 high bits, 16 B        x = d * (q - 16)
//   Q5_1  24 B: f16 d, f16 m, u32 high bits, 16 B x = d * q + m
//   Q8_0  34 B: f16 d, 32 int8                    x = d * q
// In the 32-element types byte j holds element j in its low nibble and element j + 16 in its
// high nibble; bit i of the u32 is the fifth bit of element i.
//   Q4_K 144 B: f16 d, f16 dmin, 12 B of 6-bit scales and mins for 8 sub-blocks of 32,
//               128 B nibbles                     x = (d * sc) * q - (dmin * mn)
//   Q5_K 176 B: as Q4_K with 32 B of fifth bits after the scales
//   Q6_K 210 B: 128 B low nibbles, 64 B high 2-bit pairs, 16 int8 scales (sub-blocks of 16),
//               f16 d                             x = (d * sc) * (q - 32)
// In Q4_K/Q5_K, 32-byte group g of the nibbles holds sub-block 2g (low nibbles) and 2g + 1
// (high); fifth bit of sub-block s, element j is bit s of qh[j].
// In Q6_K, element e (h = e / 128, r = e % 128) takes its low four bits from nibble r / 64 of
// ql[64 h + r % 64] and its top two from bits 2 (r / 32) of qh[32 h + r % 32].
//
// Every formula is evaluated as written in float32, one rounding per operation: this file is
// compiled with -ffp-contract=off (CMakeLists.txt) so a product and the following sum are
// never fused, which would change the last bit against the reference.
#include "host/model/gguf_quants.hpp"

#include <bit>
#include <cstring>

#include "host/model/fp16.hpp"
#include "host/model/gguf.hpp"

#ifdef __clang__
#pragma clang fp contract(off)
#endif

namespace airtp {

namespace {

inline float half_at(const uint8_t* p) { return f16_to_f32(uint16_t(p[0] | (p[1] << 8))); }

inline uint32_t u32_at(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void q4_0(const uint8_t* b, float* y) {
  const float d = half_at(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * float(int(qs[j] & 15) - 8);
    y[j + 16] = d * float(int(qs[j] >> 4) - 8);
  }
}

void q4_1(const uint8_t* b, float* y) {
  const float d = half_at(b), m = half_at(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * float(qs[j] & 15) + m;
    y[j + 16] = d * float(qs[j] >> 4) + m;
  }
}

void q5_0(const uint8_t* b, float* y) {
  const float d = half_at(b);
  const uint32_t qh = u32_at(b + 2);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int lo = int(qs[j] & 15) | int(((qh >> j) & 1) << 4);
    const int hi = int(qs[j] >> 4) | int(((qh >> (j + 16)) & 1) << 4);
    y[j] = d * float(lo - 16);
    y[j + 16] = d * float(hi - 16);
  }
}

void q5_1(const uint8_t* b, float* y) {
  const float d = half_at(b), m = half_at(b + 2);
  const uint32_t qh = u32_at(b + 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const int lo = int(qs[j] & 15) | int(((qh >> j) & 1) << 4);
    const int hi = int(qs[j] >> 4) | int(((qh >> (j + 16)) & 1) << 4);
    y[j] = d * float(lo) + m;
    y[j + 16] = d * float(hi) + m;
  }
}

void q8_0(const uint8_t* b, float* y) {
  const float d = half_at(b);
  for (int j = 0; j < 32; ++j) y[j] = d * float(int8_t(b[2 + j]));
}

// The eight 6-bit scales and mins of a Q4_K/Q5_K super-block (12 bytes).
void k_scales(const uint8_t* s, uint8_t* sc, uint8_t* mn) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = s[j] & 63;
    mn[j] = s[j + 4] & 63;
    sc[j + 4] = uint8_t((s[j + 8] & 15) | ((s[j] >> 2) & 0x30));
    mn[j + 4] = uint8_t((s[j + 8] >> 4) | ((s[j + 4] >> 2) & 0x30));
  }
}

void q4_k(const uint8_t* b, float* y) {
  const float d = half_at(b), dmin = half_at(b + 2);
  uint8_t sc[8], mn[8];
  k_scales(b + 4, sc, mn);
  const uint8_t* qs = b + 16;
  for (int g = 0; g < 4; ++g) {
    const float d0 = d * float(sc[2 * g]), m0 = dmin * float(mn[2 * g]);
    const float d1 = d * float(sc[2 * g + 1]), m1 = dmin * float(mn[2 * g + 1]);
    const uint8_t* q = qs + 32 * g;
    float* o = y + 64 * g;
    for (int j = 0; j < 32; ++j) {
      o[j] = d0 * float(q[j] & 15) - m0;
      o[j + 32] = d1 * float(q[j] >> 4) - m1;
    }
  }
}

void q5_k(const uint8_t* b, float* y) {
  const float d = half_at(b), dmin = half_at(b + 2);
  uint8_t sc[8], mn[8];
  k_scales(b + 4, sc, mn);
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + 48;
  for (int g = 0; g < 4; ++g) {
    const int s0 = 2 * g, s1 = 2 * g + 1;
    const float d0 = d * float(sc[s0]), m0 = dmin * float(mn[s0]);
    const float d1 = d * float(sc[s1]), m1 = dmin * float(mn[s1]);
    const uint8_t* q = qs + 32 * g;
    float* o = y + 64 * g;
    for (int j = 0; j < 32; ++j) {
      const int lo = int(q[j] & 15) | int(((qh[j] >> s0) & 1) << 4);
      const int hi = int(q[j] >> 4) | int(((qh[j] >> s1) & 1) << 4);
      o[j] = d0 * float(lo) - m0;
      o[j + 32] = d1 * float(hi) - m1;
    }
  }
}

void q6_k(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = half_at(b + 208);
  float ds[16];
  for (int i = 0; i < 16; ++i) ds[i] = d * float(sc[i]);
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, r = e % 128;
    const int lo = (ql[64 * h + r % 64] >> (4 * (r / 64))) & 15;
    const int hi = (qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
    y[e] = ds[e / 16] * float((lo | (hi << 4)) - 32);
  }
}

}  // namespace

bool gguf_can_dequantize(uint32_t type) {
  switch (GgufType(type)) {
    case GgufType::f32: case GgufType::f16: case GgufType::bf16:
    case GgufType::q4_0: case GgufType::q4_1: case GgufType::q5_0: case GgufType::q5_1: case GgufType::q8_0:
    case GgufType::q4_k: case GgufType::q5_k: case GgufType::q6_k:
      return true;
    default:
      return false;
  }
}

const char* gguf_dequantizable_types() { return "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K"; }

void dequantize_blocks(uint32_t type, const uint8_t* src, size_t n, float* dst) {
  const GgufTypeTraits tr = gguf_type_traits(type);
  void (*block)(const uint8_t*, float*) = nullptr;
  switch (GgufType(type)) {
    case GgufType::f32:
      if (n) std::memcpy(dst, src, n * 4);
      return;
    case GgufType::f16:
      for (size_t i = 0; i < n; ++i) dst[i] = half_at(src + 2 * i);
      return;
    case GgufType::bf16:
      for (size_t i = 0; i < n; ++i) dst[i] = std::bit_cast<float>(uint32_t(src[2 * i] | (src[2 * i + 1] << 8)) << 16);
      return;
    case GgufType::q4_0: block = q4_0; break;
    case GgufType::q4_1: block = q4_1; break;
    case GgufType::q5_0: block = q5_0; break;
    case GgufType::q5_1: block = q5_1; break;
    case GgufType::q8_0: block = q8_0; break;
    case GgufType::q4_k: block = q4_k; break;
    case GgufType::q5_k: block = q5_k; break;
    case GgufType::q6_k: block = q6_k; break;
    default: return;  // the caller checked gguf_can_dequantize
  }
  for (size_t i = 0; i < n; ++i) block(src + i * tr.bytes, dst + i * tr.block);
}

}  // namespace airtp
