// SmolLM2-135M-Instruct (Q4_1 GGUF, experiments/fetch-models.sh) on the CPU: load time, clean
// scoring of the first 100 TinyStories stories (llama.cpp's token ids, stored in
// tests/data/smollm2/llamacpp.gguf, so the numbers compare directly with llama.cpp's;
// bench/smollm2-vs-llamacpp.sh runs both back to back), the N = 8 exact split against the
// unsplit model, and AirComp with 16 channel realizations against 16 x the exact split.
// Every benchmark is skipped when the model has not been fetched.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "bench/paper_params.hpp"
#include "host/model/allreduce_air.hpp"
#include "host/model/gguf.hpp"
#include "host/model/model_file.hpp"
#include "host/model/transformer.hpp"

using namespace airtp;

namespace {

const std::string kModel = std::string(AIRTP_SOURCE_DIR) + "/data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf";

struct Smol {
  ModelFile m = load_model_file(kModel);
  Transformer model{m.weights};
  std::vector<std::vector<int>> stories;  // llama.cpp's token ids of the first 100 stories
  long tokens = 0;
  Smol() {
    const GgufFile f = read_gguf(std::string(AIRTP_SOURCE_DIR) + "/tests/data/smollm2/llamacpp.gguf");
    const GgufValue *off = f.find("story.offsets"), *ids = f.find("story.tokens");
    for (uint64_t i = 0; i + 1 < off->count; ++i) {
      int64_t a = 0, b = 0;
      off->integer(i, a), off->integer(i + 1, b);
      std::vector<int> s;
      for (int64_t j = a; j < b; ++j) {
        int64_t t = 0;
        ids->integer(uint64_t(j), t);
        s.push_back(int(t));
      }
      tokens += (long)s.size();
      stories.push_back(std::move(s));
    }
  }
};

Smol* smol(benchmark::State& st) {
  static std::unique_ptr<Smol> s = std::filesystem::exists(kModel) ? std::make_unique<Smol>() : nullptr;
  if (!s) st.SkipWithError("SmolLM2-135M not fetched: run bash experiments/fetch-models.sh");
  return s.get();
}

long score(Smol& s, const TpPlan& plan, const AllReduce& ar, int R, size_t n_stories) {
  std::vector<BatchItem> items;
  long tokens = 0;
  for (int r = 0; r < R; ++r)
    for (size_t i = 0; i < std::min(n_stories, s.stories.size()); ++i) {
      items.push_back({&s.stories[i], (uint64_t)i, (uint64_t)r});
      tokens += (long)s.stories[i].size();
    }
  run_batch(s.model, items, plan, ar, [](size_t, const float*, int, const ReduceStats&) {});
  return tokens;
}

}  // namespace

static void BM_SmolLM2Load(benchmark::State& st) {
  if (!std::filesystem::exists(kModel)) return st.SkipWithError("SmolLM2-135M not fetched: run bash experiments/fetch-models.sh");
  for (auto _ : st) {
    ModelFile m = load_model_file(kModel);
    benchmark::DoNotOptimize(m.weights.tok_embedding.data());
  }
}
BENCHMARK(BM_SmolLM2Load)->Unit(benchmark::kMillisecond)->Iterations(3);

// Clean scoring (all logits of every position, as llama.cpp's perplexity needs) of the first
// range(0) stories; "tok/s" is the figure bench/smollm2-vs-llamacpp.sh compares.
static void BM_SmolLM2CleanScore(benchmark::State& st) {
  Smol* s = smol(st);
  if (!s) return;
  const TpPlan plan = unsplit_plan(s->m.weights.cfg);
  long tokens = 0;
  for (auto _ : st) tokens += score(*s, plan, ExactAllReduce(), 1, st.range(0));
  st.counters["tok/s"] = benchmark::Counter((double)tokens, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SmolLM2CleanScore)->Arg(100)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// The exact N = 8 split (8 partial products and an 8-way sum per all-reduce) vs unsplit.
static void BM_SmolLM2Split(benchmark::State& st) {
  Smol* s = smol(st);
  if (!s) return;
  const int N = (int)st.range(1);
  const TpPlan plan = make_tp_plan(s->m.weights.cfg, std::vector<double>(N, 1.0 / N));
  long tokens = 0;
  for (auto _ : st) tokens += score(*s, plan, ExactAllReduce(), 1, st.range(0));
  st.counters["tok/s"] = benchmark::Counter((double)tokens, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SmolLM2Split)->Args({20, 1})->Args({20, 8})->Args({20, 1})->Args({20, 8})->Args({1, 8})
    ->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

// AirComp over N = 8 devices with 16 channel realizations of range(0) stories: compare with 16x
// BM_SmolLM2Split/range(0)/8.
static void BM_SmolLM2AirComp16(benchmark::State& st) {
  Smol* s = smol(st);
  if (!s) return;
  const ModelConfig& c = s->m.weights.cfg;
  const TpPlan plan = make_tp_plan(c, std::vector<double>(8, 0.125));
  // The paper's link at 20 dB for N = 8 (bench/paper_params.hpp), the default fast design.
  const Link link = bench::paper_link(8, "generic", 20);
  AirSetup o;
  o.link = &link;
  o.n_layers = c.n_layers;
  o.seq_len = c.seq_len;
  size_t longest = 0;  // channels for the positions used only (one per token and realization)
  for (long i = 0; i < st.range(0); ++i) longest = std::max(longest, s->stories[i].size());
  o.max_pos = (int)longest;
  o.n_realizations = 16;
  o.literal_noise = st.range(1) != 0;
  long tokens = 0;
  for (auto _ : st) {
    AirCompAllReduce ar(o);  // designs included
    tokens += score(*s, plan, ar, 16, st.range(0));
  }
  st.counters["tok/s"] = benchmark::Counter((double)tokens, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SmolLM2AirComp16)->Args({1, 1})->Args({1, 0})->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
