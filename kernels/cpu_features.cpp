// Run-time CPU feature checks for the CPU code's instruction-set variants.
#include "kernels/cpu_features.hpp"

#include <cstdlib>

namespace airtp {

#if defined(__GNUC__) && defined(__x86_64__)
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
