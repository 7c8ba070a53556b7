// Run-time CPU feature checks: one switch for every instruction-set variant of the CPU code
// (the kernels' AVX2 builds and the host's float matrix products).
#pragma once

namespace airtp {

#if defined(__GNUC__) && defined(__x86_64__)
// True when this CPU runs AVX2 and FMA and AIRTP_NO_AVX2 is not set (kernels/cpu_features.cpp).
bool cpu_avx2_fma();
#endif

}  // namespace airtp
