// One entry point for every benchmark in bench/ (they are linked into one airtp_bench).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
