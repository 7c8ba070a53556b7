// Speed of the CUDA forward (host/model/transformer_gpu.hpp): tokens per second scoring the whole
// bundled TinyStories sample on the bundled model, unsplit and under the exact N = 8 split
// (compare with bench_model.cpp's CPU BM_CleanScoringAll), and the on-device exact all-reduce
// kernel alone on large blocks, as achieved memory bandwidth (bytes read + written per second).
// Every benchmark ends in _CUDA so bench/gpu-check.sh's filter picks it up; without a GPU each
// one reports "no CUDA GPU".
#include <benchmark/benchmark.h>

#include <memory>

#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "kernels/backend.hpp"
#include "host/model/transformer_gpu.hpp"

using namespace airtp;

namespace {

struct GpuFixture {
  ModelWeights w = load_llama2c(std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/stories260K.bin");
  Tokenizer tok = Tokenizer::load_llama2c(std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/tok512.bin",
                                          w.cfg.vocab_size);
  std::vector<std::vector<int>> seqs = load_story_tokens(
      std::string(AIRTP_SOURCE_DIR) + "/data/tinystories/tinystories-valid-sample.txt", tok, w.cfg.seq_len, 0);
  GpuTransformer gpu{w};
};
GpuFixture& gfx() {
  static GpuFixture f;
  return f;
}

// Forward passes of every story (logits copied to the host, then dropped).
void score_all_gpu(benchmark::State& st, const TpPlan& plan) {
  GpuFixture& f = gfx();
  std::vector<BatchItem> items;
  double tokens = 0;
  for (size_t s = 0; s < f.seqs.size(); ++s) {
    items.push_back({&f.seqs[s], (uint64_t)s, 0});
    tokens += (double)f.seqs[s].size();
  }
  const ExactAllReduce exact;
  for (auto _ : st) run_batch_gpu(f.gpu, items, plan, exact, [](size_t, const float*, int, const ReduceStats&) {});
  st.counters["tokens_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["stories"] = (double)f.seqs.size();
}

bool have_gpu(benchmark::State& st) {
  if (cuda_device_count() > 0) return true;
  st.SkipWithError("no CUDA GPU");
  return false;
}

}  // namespace

static void BM_GpuScoringUnsplit_CUDA(benchmark::State& st) {
  if (!have_gpu(st)) return;
  score_all_gpu(st, unsplit_plan(gfx().w.cfg));
}
BENCHMARK(BM_GpuScoringUnsplit_CUDA)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_GpuScoringSplit8Exact_CUDA(benchmark::State& st) {
  if (!have_gpu(st)) return;
  score_all_gpu(st, make_tp_plan(gfx().w.cfg, std::vector<double>(8, 0.125)));
}
BENCHMARK(BM_GpuScoringSplit8Exact_CUDA)->Unit(benchmark::kMillisecond)->UseRealTime();

// N partial blocks of rows x cols floats summed on the device; time from CUDA events.
static void BM_ExactAllReduce_CUDA(benchmark::State& st) {
  if (!have_gpu(st)) return;
  const int N = (int)st.range(0);
  const long n = st.range(1) * st.range(2);
  ExactSumGpu sum(N, n);
  std::vector<float> parts((size_t)N * n, 1.0f);
  sum.upload(parts.data());
  sum.time(3);  // warm-up
  double seconds = 0;
  for (auto _ : st) {
    const double s = sum.time(10);
    st.SetIterationTime(s);
    seconds += s;
  }
  st.counters["allreduce_GBps"] = (double)sum.bytes_moved() * (double)st.iterations() / seconds / 1e9;
  st.counters["bytes"] = (double)sum.bytes_moved();
}
BENCHMARK(BM_ExactAllReduce_CUDA)
    ->Args({8, 4096, 4096})
    ->Args({2, 4096, 4096})
    ->Args({8, 512, 64})  // one all-reduce of the bundled model at T = 512
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
