// Speed of the model paths on the bundled model and the whole TinyStories sample:
// clean scoring (target <= 15 s on 2 cores), the N = 8 split with exact sums (target <= 1.3x
// unsplit) and AirComp with 16 channel realizations (target <= 4x the exact split per
// realization, i.e. <= 64x the exact split for all 16).
// Measured 2026-11-28 on the 2-core dev VM (shared, load average ~8, so CPU time is the
// meaningful column): clean scoring of all 1000 stories 11.1 s CPU; 100 stories unsplit
// 1.10 s CPU vs N = 8 exact 1.00 s CPU; N = 8 AirComp x16 realizations on the same 100
// stories 42.5 s CPU with literal noise (2.7x the exact split per realization), 25.3 s with
// projected noise (1.6x per realization).
#include <benchmark/benchmark.h>

#include <memory>

#include "host/model/allreduce_air.hpp"
#include "host/model/llama2c.hpp"
#include "bench/paper_params.hpp"
#include "host/model/ppl_eval.hpp"

using namespace airtp;

namespace {
struct Fixture {
  ModelWeights w = load_llama2c(std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/stories260K.bin");
  Tokenizer tok = Tokenizer::load_llama2c(std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/tok512.bin",
                                          w.cfg.vocab_size);
  std::vector<std::vector<int>> seqs = load_story_tokens(
      std::string(AIRTP_SOURCE_DIR) + "/data/tinystories/tinystories-valid-sample.txt", tok, w.cfg.seq_len, 0);
  Transformer model{w};
};
Fixture& fx() {
  static Fixture f;
  return f;
}

// Forward passes only (logits discarded): the scoring cost of `items` under a plan/scheme.
void score(const TpPlan& plan, const AllReduce& ar, int R, long max_seq) {
  Fixture& f = fx();
  std::vector<BatchItem> items;
  const long S = std::min<long>(max_seq, (long)f.seqs.size());
  for (int r = 0; r < R; ++r)
    for (long s = 0; s < S; ++s) items.push_back({&f.seqs[s], (uint64_t)s, (uint64_t)r});
  run_batch(f.model, items, plan, ar, [](size_t, const float*, int, const ReduceStats&) {});
}
}  // namespace

static void BM_CleanScoringAll(benchmark::State& st) {
  const TpPlan plan = unsplit_plan(fx().w.cfg);
  for (auto _ : st) score(plan, ExactAllReduce(), 1, 1 << 30);
  st.counters["stories"] = (double)fx().seqs.size();
}
BENCHMARK(BM_CleanScoringAll)->Unit(benchmark::kSecond)->Iterations(1);

// Full evaluation (clean + metrics against it) of the whole sample under the exact N = 8 split.
static void BM_PplEvalExactSplit8All(benchmark::State& st) {
  const TpPlan plan = make_tp_plan(fx().w.cfg, std::vector<double>(8, 0.125));
  ExactAllReduce ex;
  for (auto _ : st) {
    CleanScore c;
    std::vector<NoisyScore> n;
    evaluate_ppl(fx().model, fx().seqs, plan, {&ex}, 1, c, n);
    benchmark::DoNotOptimize(c.ppl.mean);
  }
}
BENCHMARK(BM_PplEvalExactSplit8All)->Unit(benchmark::kSecond)->Iterations(1);

static void BM_Unsplit(benchmark::State& st) {
  const TpPlan plan = unsplit_plan(fx().w.cfg);
  for (auto _ : st) score(plan, ExactAllReduce(), 1, st.range(0));
}
static void BM_Split8Exact(benchmark::State& st) {
  const TpPlan plan = make_tp_plan(fx().w.cfg, std::vector<double>(8, 0.125));
  for (auto _ : st) score(plan, ExactAllReduce(), 1, st.range(0));
}
// 16 realizations over the same stories: compare with 16x BM_Split8Exact.
static void BM_Split8AirComp16(benchmark::State& st) {
  Fixture& f = fx();
  const TpPlan plan = make_tp_plan(f.w.cfg, std::vector<double>(8, 0.125));
  const Link link = bench::paper_link(8);
  AirSetup o;
  o.link = &link;
  o.solver = st.range(2) != 0 ? Solver::fast : Solver::eigen;
  o.n_layers = f.w.cfg.n_layers;
  o.seq_len = f.w.cfg.seq_len;
  o.max_pos = f.w.cfg.seq_len;
  o.n_realizations = 16;
  o.literal_noise = st.range(1) != 0;
  for (auto _ : st) {
    AirCompAllReduce ar(o);  // designs included
    score(plan, ar, 16, st.range(0));
  }
}
BENCHMARK(BM_Unsplit)->Arg(100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Split8Exact)->Arg(100)->Unit(benchmark::kMillisecond);
// {stories, literal noise, fast design}; 10 dB SNR, the paper's link.
BENCHMARK(BM_Split8AirComp16)->Args({100, 1, 0})->Args({100, 0, 0})->Args({100, 1, 1})->Unit(benchmark::kMillisecond)->Iterations(1);

// main() comes from bench/bench_main.cpp (one per airtp_bench binary).
