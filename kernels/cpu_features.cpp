// Run-time CPU feature checks for the CPU backend's instruction-set variants.
#include <cstdlib>

#include "kernels/fast_objective.cuh"

namespace airtp {

#if defined(AIRTP_FAST_AVX2)
bool cpu_avx2_fma() {
  static const bool yes = [] {
    const char* off = std::getenv("AIRTP_NO_AVX2");
    if (off && *off && *off != '0') return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}
#endif

}  // namespace airtp
