// Writes the seed corpus for fuzz_gguf: tiny valid GGUF files (llama models in F32, F16, Q8_0
// with and without a vocabulary, a qwen2 model with quantized matrices, a file with every
// metadata value type, hand-built tensors of every block type).
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "host/model/gguf.hpp"

using namespace airtp;

static ModelWeights tiny(int dim, int hidden, int vocab, bool tied) {
  ModelConfig c;
  c.name = "seed";
  c.dim = dim; c.hidden_dim = hidden; c.n_layers = 1; c.n_heads = 2; c.n_kv_heads = 1; c.vocab_size = vocab; c.seq_len = 16;
  ModelWeights w;
  w.cfg = c;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0, 0.1f);
  auto fill = [&](std::vector<float>& v, size_t n) { v.resize(n); for (auto& x : v) x = nd(rng); };
  const size_t kv = size_t(dim / 2);
  fill(w.tok_embedding, size_t(vocab) * dim);
  w.layers.resize(1);
  auto& L = w.layers[0];
  fill(L.attn_norm, dim); fill(L.wq, dim * dim); fill(L.wk, kv * dim); fill(L.wv, kv * dim); fill(L.wo, dim * dim);
  fill(L.ffn_norm, dim); fill(L.w1, hidden * dim); fill(L.w2, dim * hidden); fill(L.w3, hidden * dim);
  fill(w.final_norm, dim);
  if (!tied) fill(w.classifier, size_t(vocab) * dim);
  return w;
}

static void save(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  std::printf("%s: %zu bytes\n", path.c_str(), b.size());
}

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  GgufVocab v;
  v.model = "llama";
  v.tokens = {"<unk>", "<s>", "</s>", "\xe2\x96\x81hi"};
  v.scores = {0, 0, 0, -1.5f};
  v.types = {2, 3, 3, 1};
  v.bos_id = 1;
  v.eos_id = 2;
  save(dir + "/model_f32.gguf", gguf_bytes(tiny(8, 16, 4, false), GgufType::f32, &v));
  save(dir + "/model_f16_tied.gguf", gguf_bytes(tiny(8, 16, 4, true), GgufType::f16));
  save(dir + "/model_q8_0.gguf", gguf_bytes(tiny(32, 48, 4, true), GgufType::q8_0, &v));  // ffn_down falls back to F16
  {
    // qwen2 (Q/K/V biases, NEOX RoPE) with its matrices as random blocks of the 32-element
    // quantized types, so the fuzzer starts from a loadable model of each.
    ModelWeights w = tiny(32, 64, 4, true);
    w.cfg.rope_neox = true;
    auto& L = w.layers[0];
    L.bq.assign(32, 0.1f), L.bk.assign(16, 0.1f), L.bv.assign(16, 0.1f);
    const std::vector<uint8_t> f32 = gguf_bytes(w, GgufType::f32);
    const GgufFile f = read_gguf(f32, "qwen2 seed");  // reads from f32 in place
    const GgufType types[] = {GgufType::q4_0, GgufType::q4_1, GgufType::q5_0, GgufType::q5_1};
    std::mt19937 rng(3);
    GgufWriter g;
    for (const auto& [k, val] : f.kv) g.add(k, val);
    int i = 0;
    for (const auto& t : f.tensors) {
      if (t.ne.size() == 1) {
        g.add_tensor(t.name, t.ne, t.type, f.tensor_bytes(t));
        continue;
      }
      const GgufType ty = types[i++ % 4];
      const GgufTypeTraits tr = gguf_type_traits(uint32_t(ty));
      std::vector<uint8_t> b(t.n_elements() / tr.block * tr.bytes);
      for (auto& x : b) x = uint8_t(rng());
      for (size_t k = 0; k < b.size(); k += tr.bytes) b[k + 1] = 0x20, b[k + 3] = ty == GgufType::q4_1 || ty == GgufType::q5_1 ? 0xA0 : b[k + 3];
      g.add_tensor(t.name, t.ne, uint32_t(ty), b);
    }
    save(dir + "/model_qwen2_quant.gguf", g.bytes());
  }
  GgufWriter g;
  g.add("u32", GgufValue::u32(7));
  g.add("i32", GgufValue::i32(-7));
  g.add("f32", GgufValue::f32(0.5f));
  g.add("bool", GgufValue::boolean(true));
  g.add("str", GgufValue::str("s"));
  g.add("strs", GgufValue::str_array({"a", "bc"}));
  g.add("f32s", GgufValue::f32_array({1, 2}));
  GgufValue nested;
  nested.type = GgufValueType::array;
  nested.elem_type = GgufValueType::array;
  nested.count = 1;
  nested.arrays = {GgufValue::i32_array({1})};
  g.add("nested", nested);
  std::vector<uint8_t> q = {0x00, 0x38};
  for (int j = 0; j < 32; ++j) q.push_back(uint8_t(j));
  g.add_tensor("q", {32}, uint32_t(GgufType::q8_0), q);
  g.add_tensor("h", {2}, uint32_t(GgufType::f16), {0x00, 0x3C, 0x01, 0x00});
  g.add_tensor("b", {1}, uint32_t(GgufType::bf16), {0x80, 0x3F});
  g.add_tensor("k", {256}, uint32_t(GgufType::q4_k), std::vector<uint8_t>(144));
  g.add_tensor("k5", {256}, uint32_t(GgufType::q5_k), std::vector<uint8_t>(176, 0x11));
  g.add_tensor("k6", {256}, uint32_t(GgufType::q6_k), std::vector<uint8_t>(210, 0x22));
  save(dir + "/values_tensors.gguf", g.bytes(64));
  return 0;
}
