// Realizations per second of channel generation + eigen design + closed-form alpha (the
// transmission-MSE engine) at the paper's sizes: N = 8, N_r = 20, N_t = L = 4, K = 3 dB.
// Targets: >= 20,000/s on the CPU backend with 2 cores; >= 2,000,000/s on an H100.
#include <benchmark/benchmark.h>

#include "bench/paper_params.hpp"
#include "kernels/backend.hpp"

using namespace airtp;

static void run(benchmark::State& st, Backend b, int design, long batch) {
  if (b == Backend::cuda && cuda_device_count() == 0) {
    st.SkipWithError("no CUDA GPU");
    return;
  }
  const AlphaParams p = bench::paper_params((int)st.range(0), design);
  std::vector<double> out(batch);
  uint64_t first = 0;
  alpha_batch(b, p, first, batch, out.data());  // warm-up (allocations, CUDA context)
  for (auto _ : st) {
    alpha_batch(b, p, first, batch, out.data());
    first += batch;
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * batch);
  st.counters["realizations_per_s"] = benchmark::Counter((double)st.iterations() * batch, benchmark::Counter::kIsRate);
}

static void BM_MseEigen_CPU(benchmark::State& st) { run(st, Backend::cpu, kDesignEigen, 8192); }
static void BM_MseEigen_CUDA(benchmark::State& st) { run(st, Backend::cuda, kDesignEigen, 1 << 20); }
static void BM_MseRandom_CPU(benchmark::State& st) { run(st, Backend::cpu, kDesignRandom, 8192); }
static void BM_MseRandom_CUDA(benchmark::State& st) { run(st, Backend::cuda, kDesignRandom, 1 << 20); }

BENCHMARK(BM_MseEigen_CPU)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MseEigen_CUDA)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MseRandom_CPU)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MseRandom_CUDA)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();


