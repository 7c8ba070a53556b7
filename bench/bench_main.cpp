// The one main() of airtp_bench (CMake links benchmark::benchmark, not benchmark_main).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
