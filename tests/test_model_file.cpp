// host/model/model_file.hpp: formats told apart by content, shape without weights, the CPU
// forward of both GGUF architectures (llama: NORM RoPE, untied classifier; qwen2: NEOX RoPE,
// Q/K/V biases, tied) against a float64 numpy forward pass (tests/data/gguf/
// make_forward_reference.py), every quantized type through the model loader, and bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/gguf.hpp"
#include "host/model/gguf_quants.hpp"
#include "host/model/model_file.hpp"
#include "host/model/transformer.hpp"
#include "host/model/transformer_gpu.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {

std::string gguf_fixture(const std::string& name) { return std::string(AIRTP_SOURCE_DIR) + "/tests/data/gguf/" + name; }

std::string temp_path(const std::string& name) { return (std::filesystem::temp_directory_path() / name).string(); }

void write_file(const std::string& path, const void* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), std::streamsize(n));
}

double centered_rel_err(const float* a, const float* b, int n) {
  double ma = 0, mb = 0;
  for (int i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double e = 0, r = 0;
  for (int i = 0; i < n; ++i) {
    const double d = (a[i] - ma) - (b[i] - mb);
    e += d * d, r += (b[i] - mb) * (b[i] - mb);
  }
  return std::sqrt(e / r);
}

void expect_input_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    for (const auto& s : fragments) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

}  // namespace

class ForwardReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ForwardReference, LogitsMatchFloat64Numpy) {
  const std::string arch = GetParam();
  const std::string path = gguf_fixture("ref_forward_" + arch + ".gguf");
  const ModelFile m = load_model_file(path);
  EXPECT_EQ(m.info.format, "gguf");
  EXPECT_EQ(m.info.architecture, arch);
  const ModelConfig& c = m.weights.cfg;
  EXPECT_EQ(c.rope_neox, arch == "qwen2");
  EXPECT_EQ(m.weights.has_qkv_bias(), arch == "qwen2");
  EXPECT_EQ(m.info.tied_output, arch == "qwen2");
  EXPECT_EQ(c.rope_theta, arch == "qwen2" ? 1e6f : 1e4f);
  EXPECT_EQ(c.norm_eps, 1e-6f);
  EXPECT_EQ(c.n_heads, 4);
  EXPECT_EQ(c.n_kv_heads, 2);

  const GgufFile f = read_gguf(path);
  const GgufValue* tv = f.find("test.tokens");
  const GgufValue* lv = f.find("test.logits");
  ASSERT_TRUE(tv && lv);
  std::vector<int> toks;
  for (uint64_t i = 0; i < tv->count; ++i) toks.push_back(int(tv->number(i)));
  const int V = c.vocab_size, T = (int)toks.size();
  ASSERT_EQ(lv->count, uint64_t(T) * V);
  std::vector<float> want(lv->count);
  for (uint64_t i = 0; i < lv->count; ++i) want[i] = float(lv->number(i));

  const Transformer tr(m.weights);
  const std::vector<float> got = tr.logits(toks);
  for (int t = 0; t < T; ++t) EXPECT_LE(centered_rel_err(got.data() + t * V, want.data() + t * V, V), 1e-5) << arch << " t " << t;
  // Split over 2 devices (whole KV groups) and 3 and 4 (replicated KV heads), exact sums.
  for (int N : {2, 3, 4}) {
    const TpPlan p = make_tp_plan(c, std::vector<double>(N, 1.0 / N));
    KvCache cache = tr.make_cache(T);
    std::vector<float> out(got.size());
    tr.forward(toks.data(), T, 0, cache, p, ExactAllReduce(), {}, out.data());
    for (int t = 0; t < T; ++t) EXPECT_LE(centered_rel_err(out.data() + t * V, got.data() + t * V, V), 1e-6) << N;
  }
  // Token by token with the KV cache gives the same logits as the whole sequence.
  KvCache cache = tr.make_cache(T);
  std::vector<float> step(V);
  for (int t = 0; t < T; ++t) {
    tr.forward(&toks[t], 1, t, cache, unsplit_plan(c), ExactAllReduce(), {}, step.data());
    EXPECT_LE(centered_rel_err(step.data(), got.data() + t * V, V), 1e-6) << "cached step " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, ForwardReference, ::testing::Values("llama", "qwen2"));

TEST(ModelFile, CudaForwardRefusesQwen2Features) {
  const ModelFile m = load_model_file(gguf_fixture("ref_forward_qwen2.gguf"));
  expect_input_error([&] { GpuTransformer g(m.weights); }, {"biases", "NEOX", "CPU backend"});
}

TEST(ModelFile, FormatIsToldByContentNotName) {
  // A llama2.c checkpoint named .gguf, and a GGUF named .bin.
  const std::string l2c = temp_path("airtp_mf_llama2c.gguf"), gg = temp_path("airtp_mf_gguf.bin");
  std::filesystem::copy_file(model_test::model_path(), l2c, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(gguf_fixture("ref_forward_llama.gguf"), gg, std::filesystem::copy_options::overwrite_existing);
  const ModelFile a = load_model_file(l2c), b = load_model_file(gg);
  EXPECT_EQ(a.info.format, "llama2c");
  EXPECT_EQ(a.info.architecture, "llama");
  EXPECT_FALSE(a.vocab.has_value());
  EXPECT_TRUE(a.info.tied_output);  // stories260K shares its classifier
  EXPECT_EQ(a.info.type_summary(), "F32");
  EXPECT_EQ(a.weights.cfg.dim, 64);
  EXPECT_EQ(a.weights.cfg.n_kv_heads, 4);
  EXPECT_EQ(b.info.format, "gguf");
  EXPECT_TRUE(b.vocab.has_value());
  EXPECT_EQ(b.info.type_summary(), "F32 x 5, Q4_0 x 5, F16 x 4, Q5_1 x 4, Q8_0 x 3");
  // The shape alone agrees with the loaded model.
  for (const auto* m : {&a, &b}) {
    const ModelFileInfo i = read_model_info(m->info.path);
    EXPECT_EQ(i.format, m->info.format);
    EXPECT_EQ(i.tied_output, m->info.tied_output);
    EXPECT_EQ(i.tensor_types, m->info.tensor_types);
    EXPECT_EQ(i.file_bytes, std::filesystem::file_size(m->info.path));
    const ModelConfig &x = i.cfg, &y = m->weights.cfg;
    EXPECT_EQ(x.dim, y.dim); EXPECT_EQ(x.hidden_dim, y.hidden_dim); EXPECT_EQ(x.n_layers, y.n_layers);
    EXPECT_EQ(x.n_heads, y.n_heads); EXPECT_EQ(x.n_kv_heads, y.n_kv_heads); EXPECT_EQ(x.vocab_size, y.vocab_size);
    EXPECT_EQ(x.seq_len, y.seq_len); EXPECT_EQ(x.rope_theta, y.rope_theta); EXPECT_EQ(x.norm_eps, y.norm_eps);
  }
  std::filesystem::remove(l2c);
  std::filesystem::remove(gg);
}

TEST(ModelFile, BadFilesAreNamed) {
  const std::string missing = temp_path("airtp_mf_missing.gguf");
  std::filesystem::remove(missing);
  expect_input_error([&] { load_model_file(missing); }, {missing});
  expect_input_error([&] { read_model_info(missing); }, {missing});
  const std::string dir = temp_path("airtp_mf_dir");
  std::filesystem::create_directories(dir);
  expect_input_error([&] { load_model_file(dir); }, {dir});
  const std::string empty = temp_path("airtp_mf_empty.bin");
  write_file(empty, "", 0);
  expect_input_error([&] { load_model_file(empty); }, {empty, "too short"});
  const std::string junk = temp_path("airtp_mf_junk.bin");
  write_file(junk, "not a model at all, just text........", 37);
  expect_input_error([&] { read_model_info(junk); }, {junk, "header"});
  // GGUF magic, then a truncated header.
  const std::string cut = temp_path("airtp_mf_cut.gguf");
  write_file(cut, "GGUF\x03\x00\x00\x00\x01", 9);
  expect_input_error([&] { load_model_file(cut); }, {cut, "truncated"});
  // A GGUF that is not a model.
  expect_input_error([&] { load_model_file(gguf_fixture("quant_fixtures.gguf")); },
                     {"quant_fixtures.gguf", "architecture 'fixtures' is not supported"});
  for (const auto& p : {empty, junk, cut}) std::filesystem::remove(p);
  std::filesystem::remove(dir);
}

// Every matrix type airtp dequantizes goes through the model loader: a model whose dims are
// multiples of 256 written in F32, then each matrix replaced by random raw blocks of one type.
TEST(ModelFile, LoadsEveryQuantizedType) {
  ModelWeights w;
  ModelConfig& c = w.cfg;
  c.name = "q";
  c.dim = 256; c.hidden_dim = 256; c.n_layers = 1; c.n_heads = 4; c.n_kv_heads = 2; c.vocab_size = 8; c.seq_len = 16;
  const size_t d = 256, kv = 128;
  w.tok_embedding.assign(8 * d, 0.5f);
  w.final_norm.assign(d, 1.f);
  w.layers.resize(1);
  LayerWeights& L = w.layers[0];
  L.attn_norm.assign(d, 1.f), L.ffn_norm.assign(d, 1.f);
  L.wq.assign(d * d, 0.f), L.wo.assign(d * d, 0.f), L.wk.assign(kv * d, 0.f), L.wv.assign(kv * d, 0.f);
  L.w1.assign(d * d, 0.f), L.w2.assign(d * d, 0.f), L.w3.assign(d * d, 0.f);
  const std::vector<uint8_t> base = gguf_bytes(w, GgufType::f32);
  const GgufFile f = read_gguf(base);
  std::mt19937 rng(5);
  for (GgufType type : {GgufType::f16, GgufType::bf16, GgufType::q4_0, GgufType::q4_1, GgufType::q5_0, GgufType::q5_1,
                        GgufType::q8_0, GgufType::q4_k, GgufType::q5_k, GgufType::q6_k}) {
    const GgufTypeTraits tr = gguf_type_traits(uint32_t(type));
    GgufWriter g;
    for (const auto& [k, v] : f.kv) g.add(k, v);
    std::map<std::string, std::vector<uint8_t>> raw;
    for (const auto& t : f.tensors) {
      if (t.ne.size() == 1) {
        g.add_tensor(t.name, t.ne, t.type, f.tensor_bytes(t));
        continue;
      }
      std::vector<uint8_t> b(t.n_elements() / tr.block * tr.bytes);
      for (auto& x : b) x = uint8_t(rng());
      // Finite scales: every fp16 in the block set to a moderate value where the type has one.
      for (size_t blk = 0; blk < b.size() / tr.bytes; ++blk) {
        uint8_t* p = b.data() + blk * tr.bytes;
        auto half = [&](int off) { p[off] = uint8_t(rng()); p[off + 1] = uint8_t(0x20 + rng() % 8); };  // ~2^-7
        switch (type) {
          case GgufType::f16: case GgufType::bf16:
            for (size_t i = 0; i < tr.bytes; i += 2) p[i + 1] = uint8_t(0x20 + rng() % 8);
            break;
          case GgufType::q4_1: case GgufType::q5_1: case GgufType::q4_k: case GgufType::q5_k: half(0), half(2); break;
          case GgufType::q6_k: half(208); break;
          default: half(0);
        }
      }
      raw[t.name] = b;
      g.add_tensor(t.name, t.ne, uint32_t(type), b);
    }
    const auto bytes = g.bytes();
    const GgufModel m = load_gguf_model(bytes, "q.gguf");
    const auto check = [&](const std::string& name, const std::vector<float>& got) {
      const auto& b = raw.at(name);
      std::vector<float> want(got.size());
      dequantize_blocks(uint32_t(type), b.data(), b.size() / tr.bytes, want.data());
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << gguf_type_name(uint32_t(type)) << " " << name;
    };
    check("token_embd.weight", m.weights.tok_embedding);
    check("blk.0.attn_q.weight", m.weights.layers[0].wq);
    check("blk.0.attn_k.weight", m.weights.layers[0].wk);
    check("blk.0.ffn_down.weight", m.weights.layers[0].w2);
    EXPECT_EQ(m.tensor_types[0].substr(m.tensor_types[0].rfind(' ') + 1), gguf_type_name(uint32_t(type)));
  }
}
