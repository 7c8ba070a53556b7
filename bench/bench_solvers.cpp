// Transceiver solvers at the paper's sizes (N = 8, N_r = 20, N_t = L = 4, K = 3 dB):
// realizations per second of the fast batched solver (CPU backend, and CUDA when a GPU
// exists; target >= 2,000/s on 2 CPU cores), with SDR + randomization (100 draws, CPU, CSDP
// serialised) beside it for the cost ratio.
#include <benchmark/benchmark.h>

#include "bench/paper_params.hpp"
#include "host/solvers/solve.hpp"

using namespace airtp;

static void run(benchmark::State& st, Backend b, Solver s, long batch) {
  if (b == Backend::cuda && cuda_device_count() == 0) {
    st.SkipWithError("no CUDA GPU");
    return;
  }
  const AlphaParams p = bench::paper_params((int)st.range(0));
  SolverOptions o;  // args: N, then optionally fast starts and iterations per stage
  if (st.range(1) > 0) o.fast_starts = (int)st.range(1);
  if (st.range(2) > 0) o.fast_iters = (int)st.range(2);
  std::vector<double> out(batch);
  uint64_t first = 0;
  if (s != Solver::sdr) solve_alpha_batch(b, p, s, o, first, batch, out.data());  // warm-up
  for (auto _ : st) {
    solve_alpha_batch(b, p, s, o, first, batch, out.data());
    first += batch;
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * batch);
  st.counters["realizations_per_s"] = benchmark::Counter((double)st.iterations() * batch, benchmark::Counter::kIsRate);
}

static void BM_SolverFast_CPU(benchmark::State& st) { run(st, Backend::cpu, Solver::fast, 2048); }
static void BM_SolverFast_CUDA(benchmark::State& st) { run(st, Backend::cuda, Solver::fast, 1 << 17); }
static void BM_SolverSdr_CPU(benchmark::State& st) { run(st, Backend::cpu, Solver::sdr, 2); }

// {N, starts, iterations}: 0 = the SolverOptions default (1 start, 20 iterations).
BENCHMARK(BM_SolverFast_CPU)->Args({8, 0, 0})->Args({8, 2, 20})->Args({8, 1, 30})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SolverFast_CUDA)->Args({8, 0, 0})->Args({8, 2, 20})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SolverSdr_CPU)->Args({8, 0, 0})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
