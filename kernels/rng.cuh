// Counter-based random numbers (Random123 Philox4x32-10). Every draw is a pure function of
// (seed, stream, realization, index), so the CPU and CUDA backends and any thread count draw
// exactly the same channels, symbols and noise.
#pragma once
#include "kernels/common.cuh"
#include <Random123/philox.h>

namespace airtp {

// RngPurpose and RngKey are in kernels/params.hpp.

// Uniform in (0, 1], 53 random bits from two 32-bit words; never returns 0 (safe for log).
AIRTP_INLINE double u53(uint32_t hi, uint32_t lo) {
  const uint64_t bits = ((uint64_t)(hi >> 5) << 26) | (uint64_t)(lo >> 6);  // 27 + 26 bits
  return ((double)bits + 1.0) * (1.0 / 9007199254740992.0);
}

// 128 random bits: the counter is (index, realization), the key mixes seed, stream, purpose.
AIRTP_INLINE philox4x32_ctr_t philox_block(const RngKey& k, uint64_t real, uint64_t index) {
  const philox4x32_ctr_t ctr = {{(uint32_t)index, (uint32_t)(index >> 32), (uint32_t)real, (uint32_t)(real >> 32)}};
  const philox4x32_key_t key = {{(uint32_t)k.seed ^ (k.purpose * 0x9E3779B9u),
                                 (uint32_t)(k.seed >> 32) ^ (k.stream * 0x85EBCA6Bu + k.purpose)}};
  return philox4x32(ctr, key);
}

// One circularly-symmetric complex Gaussian CN(0, 1) (each part has variance 1/2), draw
// number `index` of realization `real` in the given key. One Philox block per draw.
AIRTP_INLINE cplx cnormal(const RngKey& k, uint64_t real, uint64_t index) {
  const philox4x32_ctr_t r = philox_block(k, real, index);
  const double u1 = u53(r.v[0], r.v[1]);
  const double u2 = u53(r.v[2], r.v[3]);
  const double rad = sqrt(-log(u1));  // Box-Muller with total variance 1
  const double ang = 6.283185307179586 * u2;
  return {rad * cos(ang), rad * sin(ang)};
}

// Uniform in (0, 1], for draws that are not Gaussian (angles, distances).
AIRTP_INLINE double uniform01(const RngKey& k, uint64_t real, uint64_t index) {
  const philox4x32_ctr_t r = philox_block(k, real, index);
  return u53(r.v[0], r.v[1]);
}

}  // namespace airtp
