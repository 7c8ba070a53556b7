// SSCA model assignment at the paper's sizes: N = 8 (4 phones, 2 laptops, 2 jetsons),
// N_r = 20, N_t = L = 4, K = 3 dB, 256-realization mini-batches, fast solver.
// Target: 500 iterations in <= 60 s on 2 CPU cores. BM_SscaIteration times one iteration
// (mini-batch designs + gradient + surrogate step); BM_Ssca500 runs the whole loop once
// (validation only at the end, 256 realizations).
#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/paper_params.hpp"
#include "host/assign/ssca.hpp"

using namespace airtp;

// Physical mode at 20 dBm over 1 MHz, the presets' distances (host/scenario/device.cpp).
static Link paper_scenario() {
  Scenario s;
  s.devices = "4*phone+2*laptop+2*jetson";
  s.n_devices = {8};
  s.noise_mode = "physical";
  s.tx_power_dbm = {20};
  return make_link(s, link_points(s).at(0), false);
}

static SolverOptions fast_options(int starts) {
  SolverOptions o;
  o.fast_starts = starts;
  return o;
}

static void BM_SscaIteration(benchmark::State& st) {
  const Link s = paper_scenario();
  const std::vector<double> m(8, 0.125);
  const SolverOptions o = fast_options((int)st.range(0));
  uint64_t first = 0;
  double seconds = 0;
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    const SampleGrad g = sample_alpha_grad(s, m, Solver::fast, o, first, 256, 128);
    first += 256;
    benchmark::DoNotOptimize(g.alpha);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  st.counters["s_per_500_iterations"] = 500.0 * seconds / (double)st.iterations();
}

static void BM_Ssca500(benchmark::State& st) {
  const Link s = paper_scenario();
  SscaOptions so;
  so.iterations = 500;
  so.batch = 256;
  so.validation = 256;
  so.validate_every = 500;
  const SolverOptions o = fast_options((int)st.range(0));
  for (auto _ : st) {
    const SscaTrace t = run_ssca(Backend::cpu, s, Solver::fast, o, so, true);
    benchmark::DoNotOptimize(t.final_m.data());
  }
}

// Argument: fast-solver starts (2 is the solver's default; 1 is the eigen start only).
BENCHMARK(BM_SscaIteration)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Ssca500)->Arg(2)->Arg(1)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
