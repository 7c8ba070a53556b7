// GGUF load speed: a SmolLM-135M-shaped layer stack (dim 576, hidden 1536, 9 heads, 3 KV
// heads, vocab 49152, 4 layers to keep memory modest) decoded from memory per tensor type.
#include <benchmark/benchmark.h>

#include <random>

#include "host/model/gguf.hpp"

namespace {

const std::vector<uint8_t>& model_bytes(airtp::GgufType type) {
  static std::vector<uint8_t> cache[3];
  const int k = type == airtp::GgufType::f32 ? 0 : type == airtp::GgufType::f16 ? 1 : 2;
  if (cache[k].empty()) {
    airtp::ModelWeights w;
    auto& c = w.cfg;
    c.name = "bench";
    c.dim = 576; c.hidden_dim = 1536; c.n_layers = 4; c.n_heads = 9; c.n_kv_heads = 3; c.vocab_size = 49152; c.seq_len = 2048;
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0, 0.05f);
    auto fill = [&](std::vector<float>& v, size_t n) { v.resize(n); for (auto& x : v) x = nd(rng); };
    const size_t d = c.dim, h = c.hidden_dim, kv = size_t(c.n_kv_heads) * c.head_dim();
    fill(w.tok_embedding, size_t(c.vocab_size) * d);
    w.layers.resize(c.n_layers);
    for (auto& L : w.layers) {
      fill(L.attn_norm, d); fill(L.wq, d * d); fill(L.wk, kv * d); fill(L.wv, kv * d); fill(L.wo, d * d);
      fill(L.ffn_norm, d); fill(L.w1, h * d); fill(L.w2, d * h); fill(L.w3, h * d);
    }
    fill(w.final_norm, d);
    cache[k] = airtp::gguf_bytes(w, type);
  }
  return cache[k];
}

void BM_GgufLoad(benchmark::State& state) {
  const auto type = airtp::GgufType(state.range(0));
  const auto& bytes = model_bytes(type);
  for (auto _ : state) {
    auto m = airtp::load_gguf_model(bytes, "bench.gguf");
    benchmark::DoNotOptimize(m.weights.tok_embedding.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
  state.SetLabel(airtp::gguf_type_name(uint32_t(type)));
}
BENCHMARK(BM_GgufLoad)->Arg(int(airtp::GgufType::f32))->Arg(int(airtp::GgufType::f16))->Arg(int(airtp::GgufType::q8_0))
    ->Unit(benchmark::kMillisecond);

}  // namespace
