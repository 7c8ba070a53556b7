// GGUF: fp16 conversion against known bit patterns and the compiler's _Float16, model
// round trips in F32/F16/Q8_0 with per-element error bounds, metadata and vocabulary round
// trips, hand-built tensors, and a table of corrupted files each rejected with a message
// naming the defect.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/fp16.hpp"
#include "host/model/gguf.hpp"

using namespace airtp;

namespace {

// ---- fp16 -------------------------------------------------------------------------------

TEST(Fp16, KnownBitPatterns) {
  struct Case { float f; uint16_t h; };
  const Case cases[] = {
      {0.f, 0x0000}, {-0.f, 0x8000}, {1.f, 0x3C00}, {-2.f, 0xC000}, {0.5f, 0x3800},
      {65504.f, 0x7BFF},                       // largest finite half
      {65519.f, 0x7BFF},                       // below the halfway point to 65536
      {65520.f, 0x7C00},                       // halfway: ties to even = infinity
      {1e10f, 0x7C00}, {-1e10f, 0xFC00},
      {INFINITY, 0x7C00}, {-INFINITY, 0xFC00},
      {0x1p-14f, 0x0400},                      // smallest normal
      {0x1p-24f, 0x0001},                      // smallest subnormal
      {0x1p-25f, 0x0000},                      // halfway between 0 and 2^-24: ties to even (0)
      {0x1.000002p-25f, 0x0001},               // just above halfway
      {0x3p-25f, 0x0002},                      // 1.5 * 2^-24: ties to even (2)
      {0x5p-25f, 0x0002},                      // 2.5 * 2^-24: ties to even (2)
      {1023 * 0x1p-24f, 0x03FF},               // largest subnormal
      {0x1.ffcp-15f, 0x0400},                  // 1023.5 * 2^-24: tie, rounds to even = smallest normal
      {1.f + 0x1p-11f, 0x3C00},                // tie, even mantissa stays
      {1.f + 0x3p-11f, 0x3C02},                // tie, odd mantissa rounds up
      {1.f + 0x1p-11f + 0x1p-23f, 0x3C01},     // just above the tie
      {0.1f, 0x2E66}, {3.14159265f, 0x4248},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(f32_to_f16(c.f), c.h) << "f = " << c.f;
    if ((c.h & 0x7C00) != 0x7C00 || (c.h & 0x3FF) == 0) {
      // Decode of the expected pattern (exactly representable half values)
      const float back = f16_to_f32(c.h);
      EXPECT_EQ(f32_to_f16(back), c.h);
    }
  }
  EXPECT_EQ(f16_to_f32(0x0001), 0x1p-24f);
  EXPECT_EQ(f16_to_f32(0x3555), 0x1.554p-2f);
  EXPECT_EQ(std::bit_cast<uint32_t>(f16_to_f32(0x8000)), 0x80000000u);
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7E00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(NAN))));
  EXPECT_EQ(f32_to_f16(-NAN) & 0x8000, 0x8000);
}

TEST(Fp16, EveryHalfRoundTripsExactly) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(uint16_t(h));
    const bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
    if (nan) {
      EXPECT_TRUE(std::isnan(f));
      EXPECT_EQ(f32_to_f16(f) & 0xFE00, (h & 0x8000) | 0x7E00) << h;  // quiet, sign kept
    } else {
      ASSERT_EQ(f32_to_f16(f), h) << "half bits " << h;
    }
  }
}

#ifdef __FLT16_MAX__
// The compiler's _Float16 conversions (libgcc soft-float on x86) as an independent reference.
TEST(Fp16, MatchesCompilerFloat16) {
  for (uint32_t h = 0; h < 65536; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;
    const _Float16 ref = std::bit_cast<_Float16>(uint16_t(h));
    ASSERT_EQ(std::bit_cast<uint32_t>(f16_to_f32(uint16_t(h))), std::bit_cast<uint32_t>(float(ref))) << h;
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 2000000; ++i) {
    // Random bit patterns concentrated on exponents near the half range.
    uint32_t x = bits(rng);
    const uint32_t e = 96 + (x >> 23) % 56;  // 2^-31 .. 2^24
    x = (x & 0x807FFFFFu) | (e << 23);
    const float f = std::bit_cast<float>(x);
    ASSERT_EQ(f32_to_f16(f), std::bit_cast<uint16_t>(_Float16(f))) << std::hexfloat << f;
  }
}
#endif

// ---- a synthetic LLaMA ------------------------------------------------------------------

ModelConfig small_config() {
  ModelConfig c;
  c.name = "synthetic";
  c.dim = 64; c.hidden_dim = 172; c.n_layers = 5; c.n_heads = 8; c.n_kv_heads = 4;
  c.vocab_size = 512; c.seq_len = 512; c.norm_eps = 1e-5f; c.rope_theta = 10000.f;
  return c;
}

ModelWeights random_model(const ModelConfig& c, bool tied, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 0.05f);
  auto fill = [&](std::vector<float>& v, size_t n) {
    v.resize(n);
    for (auto& x : v) x = nd(rng);
  };
  ModelWeights w;
  w.cfg = c;
  const size_t d = c.dim, h = c.hidden_dim, kv = size_t(c.n_kv_heads) * c.head_dim();
  fill(w.tok_embedding, size_t(c.vocab_size) * d);
  std::fill(w.tok_embedding.begin(), w.tok_embedding.begin() + 32, 0.f);  // an all-zero Q8_0 block (d = 0)
  w.tok_embedding[40] = 1e-6f;                                            // F16 subnormal range
  w.layers.resize(c.n_layers);
  for (auto& L : w.layers) {
    fill(L.attn_norm, d); fill(L.wq, d * d); fill(L.wk, kv * d); fill(L.wv, kv * d); fill(L.wo, d * d);
    fill(L.ffn_norm, d); fill(L.w1, h * d); fill(L.w2, d * h); fill(L.w3, h * d);
  }
  fill(w.final_norm, d);
  if (!tied) fill(w.classifier, size_t(c.vocab_size) * d);
  return w;
}

GgufVocab sample_vocab(int n) {
  GgufVocab v;
  v.model = "llama";
  for (int i = 0; i < n; ++i) {
    v.tokens.push_back(i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : i < 6 ? "<0x0" + std::to_string(i) + ">"
                       : i % 7 == 0 ? "\xe2\x96\x81w" + std::to_string(i)  // "▁w..." SentencePiece style
                                    : "t" + std::to_string(i));
    v.scores.push_back(-0.25f * i);
    v.types.push_back(i == 0 ? 2 : i < 3 ? 3 : i < 6 ? 6 : 1);
  }
  v.bos_id = 1;
  v.eos_id = 2;
  return v;
}

// Visits every (name, original, read-back) tensor pair of two models.
void for_each_tensor(const ModelWeights& a, const ModelWeights& b,
                     const std::function<void(const std::string&, const std::vector<float>&, const std::vector<float>&)>& f) {
  f("token_embd", a.tok_embedding, b.tok_embedding);
  f("output_norm", a.final_norm, b.final_norm);
  f("output", a.classifier, b.classifier);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    const auto &x = a.layers[l], &y = b.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    f(p + "attn_norm", x.attn_norm, y.attn_norm); f(p + "attn_q", x.wq, y.wq); f(p + "attn_k", x.wk, y.wk);
    f(p + "attn_v", x.wv, y.wv); f(p + "attn_output", x.wo, y.wo); f(p + "ffn_norm", x.ffn_norm, y.ffn_norm);
    f(p + "ffn_gate", x.w1, y.w1); f(p + "ffn_down", x.w2, y.w2); f(p + "ffn_up", x.w3, y.w3);
  }
}

void expect_same_config(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dim, b.dim); EXPECT_EQ(a.hidden_dim, b.hidden_dim); EXPECT_EQ(a.n_layers, b.n_layers);
  EXPECT_EQ(a.n_heads, b.n_heads); EXPECT_EQ(a.n_kv_heads, b.n_kv_heads); EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.seq_len, b.seq_len); EXPECT_EQ(a.norm_eps, b.norm_eps); EXPECT_EQ(a.rope_theta, b.rope_theta);
}

TEST(Gguf, F32RoundTripIsExact) {
  const ModelWeights w = random_model(small_config(), /*tied=*/false, 1);
  GgufWriteReport rep;
  const auto bytes = gguf_bytes(w, GgufType::f32, nullptr, &rep);
  EXPECT_TRUE(rep.fallbacks.empty());
  EXPECT_EQ(rep.file_bytes, bytes.size());
  const GgufModel m = load_gguf_model(bytes, "f32.gguf");
  EXPECT_EQ(m.architecture, "llama");
  expect_same_config(w.cfg, m.weights.cfg);
  for_each_tensor(w, m.weights, [](const std::string& n, const auto& a, const auto& b) { EXPECT_EQ(a, b) << n; });
  EXPECT_TRUE(m.vocab.tokens.empty());
  EXPECT_EQ(m.vocab.model, "none");
}

TEST(Gguf, TiedClassifierStaysTied) {
  const ModelWeights w = random_model(small_config(), /*tied=*/true, 2);
  const auto bytes = gguf_bytes(w, GgufType::f32);
  const GgufFile f = read_gguf(bytes);
  EXPECT_EQ(f.find_tensor("output.weight"), nullptr);
  const GgufModel m = gguf_to_model(f);
  EXPECT_TRUE(m.weights.classifier.empty());
  EXPECT_EQ(&m.weights.output_matrix(), &m.weights.tok_embedding);
  EXPECT_EQ(m.weights.tok_embedding, w.tok_embedding);
}

TEST(Gguf, F16RoundTripWithinHalfUlp) {
  const ModelWeights w = random_model(small_config(), false, 3);
  const GgufModel m = load_gguf_model(gguf_bytes(w, GgufType::f16), "f16.gguf");
  expect_same_config(w.cfg, m.weights.cfg);
  double worst_rel = 0;
  for_each_tensor(w, m.weights, [&](const std::string& n, const auto& a, const auto& b) {
    ASSERT_EQ(a.size(), b.size()) << n;
    const bool norm = n.find("norm") != std::string::npos;
    for (size_t i = 0; i < a.size(); ++i) {
      if (norm) {  // norms are kept F32
        ASSERT_EQ(a[i], b[i]) << n;
        continue;
      }
      // RNE: half an ulp, i.e. 2^-11 relative for normals; below 2^-14 the absolute
      // subnormal spacing 2^-24 applies (half of it: 2^-25).
      const double err = std::fabs(double(a[i]) - b[i]);
      ASSERT_LE(err, std::max(std::ldexp(double(std::fabs(a[i])), -11), std::ldexp(1.0, -25))) << n << "[" << i << "]";
      if (std::fabs(a[i]) > 0x1p-14f) worst_rel = std::max(worst_rel, err / std::fabs(a[i]));
    }
  });
  EXPECT_GT(worst_rel, 0x1p-13);  // it really was rounded
}

TEST(Gguf, Q8_0RoundTripWithinHalfScale) {
  const ModelWeights w = random_model(small_config(), false, 4);
  GgufWriteReport rep;
  const auto bytes = gguf_bytes(w, GgufType::q8_0, nullptr, &rep);
  // ffn_down has inner dimension 172 (hidden), not a multiple of 32: F16 in every layer.
  ASSERT_EQ(rep.fallbacks.size(), 5u);
  for (int l = 0; l < 5; ++l) EXPECT_NE(rep.fallbacks[l].find("blk." + std::to_string(l) + ".ffn_down.weight"), std::string::npos);
  EXPECT_NE(rep.fallbacks[0].find("172"), std::string::npos);
  const GgufFile f = read_gguf(bytes);
  EXPECT_EQ(GgufType(f.find_tensor("blk.0.ffn_down.weight")->type), GgufType::f16);
  EXPECT_EQ(GgufType(f.find_tensor("blk.0.ffn_up.weight")->type), GgufType::q8_0);
  EXPECT_EQ(GgufType(f.find_tensor("blk.0.attn_norm.weight")->type), GgufType::f32);
  EXPECT_EQ(GgufType(f.find_tensor("token_embd.weight")->type), GgufType::q8_0);
  const GgufModel m = gguf_to_model(f);
  double worst = 0;
  for_each_tensor(w, m.weights, [&](const std::string& n, const auto& a, const auto& b) {
    ASSERT_EQ(a.size(), b.size()) << n;
    if (n.find("norm") != std::string::npos) {
      EXPECT_EQ(a, b) << n;
      return;
    }
    if (n.find("ffn_down") != std::string::npos) {
      for (size_t i = 0; i < a.size(); ++i)
        ASSERT_LE(std::fabs(double(a[i]) - b[i]), std::max(std::ldexp(double(std::fabs(a[i])), -11), std::ldexp(1.0, -25)));
      return;
    }
    for (size_t blk = 0; blk < a.size() / 32; ++blk) {
      float amax = 0;
      for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(a[blk * 32 + j]));
      // d = amax/127 stored as fp16 (relative rounding <= 2^-11); each element within d/2.
      const double half_d = 0.5 * amax / 127.0 * (1 + 0x1p-11) * (1 + 1e-6);
      for (int j = 0; j < 32; ++j) {
        const double err = std::fabs(double(a[blk * 32 + j]) - b[blk * 32 + j]);
        ASSERT_LE(err, half_d) << n << " block " << blk << " element " << j;
        if (amax > 0) worst = std::max(worst, err / (amax / 127.0));
      }
    }
  });
  EXPECT_GT(worst, 0.4);  // errors approach d/2: the data really went through 8 bits
  for (int i = 0; i < 32; ++i) EXPECT_EQ(m.weights.tok_embedding[i], 0.f);  // the d = 0 block
}

TEST(Gguf, VocabularyAndMetadataRoundTrip) {
  ModelConfig c = small_config();
  c.name = "SmolLM-like test";
  c.norm_eps = 1e-6f;
  c.rope_theta = 500000.f;
  c.seq_len = 2048;
  const ModelWeights w = random_model(c, true, 5);
  GgufVocab v = sample_vocab(c.vocab_size);
  v.merges = {"t 1", "\xe2\x96\x81 w"};
  const auto bytes = gguf_bytes(w, GgufType::q8_0, &v);
  const GgufModel m = load_gguf_model(bytes);
  expect_same_config(c, m.weights.cfg);
  EXPECT_EQ(m.vocab.model, "llama");
  EXPECT_EQ(m.vocab.tokens, v.tokens);
  EXPECT_EQ(m.vocab.scores, v.scores);
  EXPECT_EQ(m.vocab.types, v.types);
  EXPECT_EQ(m.vocab.merges, v.merges);
  EXPECT_EQ(m.vocab.bos_id, 1);
  EXPECT_EQ(m.vocab.eos_id, 2);
  // The keys llama.cpp reads, with the types it expects.
  const GgufFile f = read_gguf(bytes);
  EXPECT_EQ(f.version, 3u);
  EXPECT_EQ(f.alignment, 32u);
  EXPECT_EQ(f.data_offset % 32, 0u);
  for (const auto& t : f.tensors) EXPECT_EQ(t.offset % 32, 0u) << t.name;
  for (const char* k : {"llama.context_length", "llama.embedding_length", "llama.block_count", "llama.feed_forward_length",
                        "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count",
                        "general.file_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"}) {
    ASSERT_NE(f.find(k), nullptr) << k;
    EXPECT_EQ(f.find(k)->type, GgufValueType::u32) << k;
  }
  EXPECT_EQ(f.find("general.file_type")->number(), 7);  // LLAMA_FTYPE_MOSTLY_Q8_0
  EXPECT_EQ(f.find("llama.attention.layer_norm_rms_epsilon")->type, GgufValueType::f32);
  EXPECT_EQ(f.find("tokenizer.ggml.token_type")->elem_type, GgufValueType::i32);
}

TEST(Gguf, FileAndMemoryReadersAgree) {
  const ModelWeights w = random_model(small_config(), false, 6);
  const auto path = (std::filesystem::temp_directory_path() / "airtp_test_gguf_rt.gguf").string();
  const GgufVocab v = sample_vocab(512);
  write_gguf(path, w, GgufType::f16, &v);
  const GgufModel a = load_gguf_model(path);
  const auto bytes = gguf_bytes(w, GgufType::f16, &v);
  const GgufModel b = load_gguf_model(bytes, path);
  for_each_tensor(a.weights, b.weights, [](const std::string& n, const auto& x, const auto& y) { EXPECT_EQ(x, y) << n; });
  EXPECT_EQ(a.vocab.tokens, b.vocab.tokens);
  EXPECT_EQ(a.weights.cfg.name, "synthetic");
  EXPECT_EQ(std::filesystem::file_size(path), bytes.size());
  std::filesystem::remove(path);
  try {
    load_gguf_model(path);
    FAIL() << "missing file accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// Every metadata value type, nested arrays included, survives writer and reader.
TEST(Gguf, AllValueTypesRoundTrip) {
  GgufWriter g;
  auto scalar = [](GgufValueType t, const void* p, size_t n) {
    GgufValue v;
    v.type = t;
    v.raw.assign(static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    return v;
  };
  const uint8_t u8 = 200; const int8_t i8 = -100; const uint16_t u16 = 60000; const int16_t i16 = -30000;
  const uint64_t u64 = 0xFEDCBA9876543210ull; const int64_t i64 = -(int64_t(1) << 60); const double f64 = -1.25e300;
  g.add("a.u8", scalar(GgufValueType::u8, &u8, 1));
  g.add("a.i8", scalar(GgufValueType::i8, &i8, 1));
  g.add("a.u16", scalar(GgufValueType::u16, &u16, 2));
  g.add("a.i16", scalar(GgufValueType::i16, &i16, 2));
  g.add("a.u32", GgufValue::u32(4000000000u));
  g.add("a.i32", GgufValue::i32(-2000000000));
  g.add("a.f32", GgufValue::f32(0.1f));
  g.add("a.bool", GgufValue::boolean(true));
  g.add("a.str", GgufValue::str(std::string("with\0nul", 8)));
  g.add("a.empty_str", GgufValue::str(""));
  g.add("a.u64", scalar(GgufValueType::u64, &u64, 8));
  g.add("a.i64", scalar(GgufValueType::i64, &i64, 8));
  g.add("a.f64", scalar(GgufValueType::f64, &f64, 8));
  g.add("a.f32s", GgufValue::f32_array({1.f, -2.f, 3.5f}));
  g.add("a.empty", GgufValue::i32_array({}));
  g.add("a.strs", GgufValue::str_array({"x", "", "zz"}));
  GgufValue nested;
  nested.type = GgufValueType::array;
  nested.elem_type = GgufValueType::array;
  nested.count = 2;
  nested.arrays = {GgufValue::i32_array({1, 2}), GgufValue::str_array({"q"})};
  g.add("a.nested", nested);
  const auto bytes = g.bytes();
  const GgufFile f = read_gguf(bytes);
  ASSERT_EQ(f.kv.size(), 17u);
  int64_t x;
  EXPECT_EQ(f.find("a.u8")->number(), 200); EXPECT_EQ(f.find("a.i8")->number(), -100);
  EXPECT_EQ(f.find("a.u16")->number(), 60000); EXPECT_EQ(f.find("a.i16")->number(), -30000);
  EXPECT_EQ(f.find("a.u32")->number(), 4e9); EXPECT_EQ(f.find("a.i32")->number(), -2e9);
  EXPECT_EQ(f.find("a.f32")->number(), double(0.1f));
  EXPECT_EQ(f.find("a.bool")->number(), 1);
  EXPECT_EQ(f.find("a.str")->strings[0], std::string("with\0nul", 8));
  EXPECT_EQ(f.find("a.empty_str")->strings[0], "");
  EXPECT_FALSE(f.find("a.u64")->integer(0, x));  // does not fit int64
  EXPECT_EQ(f.find("a.u64")->number(), double(u64));
  ASSERT_TRUE(f.find("a.i64")->integer(0, x));
  EXPECT_EQ(x, i64);
  EXPECT_FALSE(f.find("a.f64")->is_integer());
  EXPECT_EQ(f.find("a.f64")->number(), f64);
  EXPECT_EQ(f.find("a.f32s")->count, 3u);
  EXPECT_EQ(f.find("a.f32s")->number(2), 3.5);
  EXPECT_EQ(f.find("a.empty")->count, 0u);
  EXPECT_EQ(f.find("a.strs")->strings, (std::vector<std::string>{"x", "", "zz"}));
  const GgufValue* n = f.find("a.nested");
  ASSERT_EQ(n->arrays.size(), 2u);
  EXPECT_EQ(n->arrays[0].number(1), 2);
  EXPECT_EQ(n->arrays[1].strings, std::vector<std::string>{"q"});
  EXPECT_TRUE(f.tensors.empty());
}

// Tensor decoding against bytes written by hand (independent of our encoders).
TEST(Gguf, DecodesHandWrittenTensors) {
  GgufWriter g;
  // F16: 1, -2, 65504, 2^-24, -0
  g.add_tensor("h", {5}, uint32_t(GgufType::f16), {0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00, 0x00, 0x80});
  // BF16: 1, -3
  g.add_tensor("b", {2}, uint32_t(GgufType::bf16), {0x80, 0x3F, 0x40, 0xC0});
  // Q8_0: d = 0.5 (0x3800), q_j = j - 16
  std::vector<uint8_t> q = {0x00, 0x38};
  for (int j = 0; j < 32; ++j) q.push_back(uint8_t(int8_t(j - 16)));
  g.add_tensor("q", {32}, uint32_t(GgufType::q8_0), q);
  const auto bytes = g.bytes();
  const GgufFile f = read_gguf(bytes);
  EXPECT_EQ(f.tensor_f32(*f.find_tensor("h")), (std::vector<float>{1.f, -2.f, 65504.f, 0x1p-24f, -0.f}));
  EXPECT_EQ(f.tensor_f32(*f.find_tensor("b")), (std::vector<float>{1.f, -3.f}));
  const auto qv = f.tensor_f32(*f.find_tensor("q"));
  for (int j = 0; j < 32; ++j) EXPECT_EQ(qv[j], 0.5f * (j - 16));
}

TEST(Gguf, HonoursGeneralAlignment) {
  GgufWriter g;
  g.add("x", GgufValue::u32(1));
  g.add_tensor("a", {3}, uint32_t(GgufType::f32), encode_f32({1.f, 2.f, 3.f}));
  g.add_tensor("b", {2}, uint32_t(GgufType::f32), encode_f32({4.f, 5.f}));
  const auto bytes = g.bytes(64);
  const GgufFile f = read_gguf(bytes);
  EXPECT_EQ(f.alignment, 64u);
  EXPECT_EQ(f.data_offset % 64, 0u);
  EXPECT_EQ(f.find_tensor("b")->offset, 64u);  // 12 bytes of "a", padded to 64
  EXPECT_EQ(f.tensor_f32(*f.find_tensor("b")), (std::vector<float>{4.f, 5.f}));
  EXPECT_THROW(g.bytes(48), InputError);
}

// Files written by llama.cpp's Python package gguf-py (tests/data/gguf/make_reference.py):
// its Q8_0 quantizer, F16 conversion and metadata writers, and its own dequantization of
// the same tensors stored as F32 for comparison. Our decode must agree exactly.
TEST(Gguf, ReadsGgufPyReferenceFiles) {
  const std::string dir = std::string(AIRTP_SOURCE_DIR) + "/tests/data/gguf/";
  const GgufModel m = load_gguf_model(dir + "ref_llama_mixed.gguf");
  const GgufModel ref = load_gguf_model(dir + "ref_llama_expected.gguf");
  const GgufFile f = read_gguf(dir + "ref_llama_mixed.gguf");
  EXPECT_EQ(GgufType(f.find_tensor("token_embd.weight")->type), GgufType::f16);
  EXPECT_EQ(GgufType(f.find_tensor("blk.0.ffn_down.weight")->type), GgufType::q8_0);
  EXPECT_EQ(GgufType(f.find_tensor("output.weight")->type), GgufType::q8_0);
  const ModelConfig& c = m.weights.cfg;
  EXPECT_EQ(c.name, "gguf-py reference");
  EXPECT_EQ(c.dim, 32); EXPECT_EQ(c.hidden_dim, 64); EXPECT_EQ(c.n_layers, 1); EXPECT_EQ(c.n_heads, 4);
  EXPECT_EQ(c.n_kv_heads, 2); EXPECT_EQ(c.vocab_size, 8); EXPECT_EQ(c.seq_len, 128);
  EXPECT_EQ(c.norm_eps, 1e-6f); EXPECT_EQ(c.rope_theta, 500000.f);
  EXPECT_EQ(m.vocab.tokens, (std::vector<std::string>{"<unk>", "<s>", "</s>", "<0x0A>", "\xe2\x96\x81the",
                                                      "\xe2\x96\x81" "a", "s", "\xc3\xa9"}));
  EXPECT_EQ(m.vocab.scores, (std::vector<float>{0, 0, 0, 0, -1, -2, -3.5f, -4.25f}));
  EXPECT_EQ(m.vocab.types, (std::vector<int32_t>{2, 3, 3, 6, 1, 1, 1, 1}));
  EXPECT_EQ(m.vocab.bos_id, 1);
  EXPECT_EQ(m.vocab.eos_id, 2);
  EXPECT_FALSE(m.weights.classifier.empty());
  for_each_tensor(ref.weights, m.weights, [](const std::string& n, const auto& a, const auto& b) {
    ASSERT_EQ(a.size(), b.size()) << n;
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << n << "[" << i << "]";
  });
}

// ---- corrupted files --------------------------------------------------------------------

// Raw little-endian byte builder for headers our writer would refuse to produce.
struct Raw {
  std::vector<uint8_t> b;
  Raw& u32(uint32_t v) { return put(&v, 4); }
  Raw& u64(uint64_t v) { return put(&v, 8); }
  Raw& str(const std::string& s) { u64(s.size()); return put(s.data(), s.size()); }
  Raw& put(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv) { put("GGUF", 4); u32(3); u64(n_tensors); return u64(n_kv); }
  Raw& tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    str(name); u32(uint32_t(ne.size()));
    for (auto d : ne) u64(d);
    u32(type); return u64(offset);
  }
  Raw& pad(size_t n) { b.resize(b.size() + n, 0); return *this; }
};

// Expects InputError mentioning the origin label and every fragment (case-sensitive).
void expect_rejected(std::span<const uint8_t> bytes, std::vector<std::string> fragments, const std::string& label) {
  try {
    const GgufFile f = read_gguf(bytes, "bad.gguf");
    gguf_to_model(f);
    ADD_FAILURE() << label << ": accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("bad.gguf: ", 0), 0u) << label << ": " << m;
    for (const auto& frag : fragments) EXPECT_NE(m.find(frag), std::string::npos) << label << ": '" << frag << "' not in: " << m;
  } catch (const std::exception& e) {
    ADD_FAILURE() << label << ": wrong exception type: " << e.what();
  }
}

// A tiny valid model (fast to truncate at every offset).
ModelWeights tiny_model() {
  ModelConfig c;
  c.name = "tiny";
  c.dim = 32; c.hidden_dim = 64; c.n_layers = 1; c.n_heads = 4; c.n_kv_heads = 2; c.vocab_size = 16; c.seq_len = 64;
  return random_model(c, false, 9);
}

TEST(GgufCorrupt, TruncatedAtEveryOffset) {
  const GgufVocab v = sample_vocab(16);
  const auto good = gguf_bytes(tiny_model(), GgufType::q8_0, &v);
  ASSERT_NO_THROW(load_gguf_model(good));
  const uint64_t data_offset = read_gguf(good).data_offset;
  for (size_t n = 0; n < good.size(); ++n) {
    // Every cut in the header region; every 7th byte in the data region.
    if (n > data_offset && n % 7) continue;
    const std::span<const uint8_t> cut(good.data(), n);
    try {
      load_gguf_model(cut, "bad.gguf");
      ADD_FAILURE() << "truncated at " << n << " accepted";
    } catch (const InputError& e) {
      const std::string m = e.what();
      ASSERT_TRUE(m.find("truncated") != std::string::npos || m.find("past the end") != std::string::npos ||
                  m.find("exceeds the") != std::string::npos || m.find("impossible") != std::string::npos ||
                  m.find("needs more than") != std::string::npos)
          << "cut at " << n << ": " << m;
    }
  }
}

TEST(GgufCorrupt, HeaderDefects) {
  const auto good = gguf_bytes(tiny_model(), GgufType::f32);
  auto patched = [&](size_t off, const void* p, size_t n) {
    auto b = good;
    std::memcpy(b.data() + off, p, n);
    return b;
  };
  const uint32_t v1 = 1, v4 = 4, v3be = 0x03000000;
  const uint64_t huge = uint64_t(1) << 62;
  expect_rejected(patched(0, "GGML", 4), {"bad magic"}, "bad magic");
  expect_rejected(patched(4, &v1, 4), {"unsupported GGUF version 1"}, "version 1");
  expect_rejected(patched(4, &v4, 4), {"unsupported GGUF version 4"}, "version 4");
  expect_rejected(patched(4, &v3be, 4), {"big-endian"}, "big-endian");
  expect_rejected(patched(8, &huge, 8), {"tensor count", "impossible"}, "huge tensor count");
  expect_rejected(patched(16, &huge, 8), {"metadata count", "impossible"}, "huge kv count");
  expect_rejected(patched(24, &huge, 8), {"string length", "metadata key"}, "huge key length");
  expect_rejected(std::span<const uint8_t>(), {"truncated", "magic"}, "empty file");
}

TEST(GgufCorrupt, StructuralDefects) {
  struct Case { std::string label; Raw raw; std::vector<std::string> expect; };
  std::vector<Case> cases;
  {
    Raw r; r.header(0, 1).str("k").u32(8).u64(uint64_t(1) << 40);
    cases.push_back({"huge string value", r, {"string length 1099511627776", "in metadata key 'k'"}});
  }
  {
    Raw r; r.header(0, 1).str("k").u32(9).u32(6).u64(uint64_t(1) << 61);
    cases.push_back({"huge array", r, {"array length", "float32", "in metadata key 'k'"}});
  }
  {
    Raw r; r.header(0, 1).str("k").u32(9).u32(8).u64(1000000);
    cases.push_back({"huge string array", r, {"array length 1000000"}});
  }
  {
    Raw r; r.header(0, 1).str("k").u32(13).u32(0);
    cases.push_back({"unknown value type", r, {"unknown metadata value type 13"}});
  }
  {
    Raw r; r.header(0, 1).str("k").u32(9).u32(77).u64(0);
    cases.push_back({"unknown array element type", r, {"unknown array element type 77"}});
  }
  {
    Raw r; r.header(0, 1).str("k").u32(9);
    for (int i = 0; i < 12; ++i) r.u32(9).u64(1);  // arrays of arrays 12 deep
    r.u32(9).u32(0).u64(0).pad(64);
    cases.push_back({"deep nesting", r, {"nested deeper"}});
  }
  {
    Raw r; r.header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1);
    cases.push_back({"duplicate key", r, {"duplicate metadata key 'k'"}});
  }
  {
    Raw r; r.header(0, 1).str("general.alignment").u32(4).u32(24);
    cases.push_back({"alignment not power of two", r, {"general.alignment 24"}});
  }
  {
    Raw r; r.header(0, 1).str("general.alignment").u32(10).u64(32);
    cases.push_back({"alignment wrong type", r, {"general.alignment has type uint64"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {8}, 0, 64);
    r.pad(32 - r.b.size() % 32).pad(32);
    cases.push_back({"offset out of range", r, {"tensor 'w'", "past the end"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {8}, 0, 0xFFFFFFFFFFFFFFE0ull);
    r.pad(32 - r.b.size() % 32).pad(32);
    cases.push_back({"offset near 2^64", r, {"tensor 'w'", "past the end"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {4}, 0, 16);
    r.pad(32 - r.b.size() % 32).pad(64);
    cases.push_back({"misaligned offset", r, {"tensor 'w'", "not a multiple of the alignment"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {4}, 99, 0);
    r.pad(64);
    cases.push_back({"unknown tensor type", r, {"tensor 'w'", "unknown tensor type 99"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {1, 1, 1, 1, 1}, 0, 0);
    r.pad(64);
    cases.push_back({"five dims", r, {"tensor 'w'", "5 dimensions"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {uint64_t(1) << 40, uint64_t(1) << 40}, 0, 0);
    r.pad(64);
    cases.push_back({"element count overflow", r, {"tensor 'w'", "overflow"}});
  }
  {
    Raw r; r.header(1, 0).tensor("w", {33}, uint32_t(GgufType::q8_0), 0);
    r.pad(64);
    cases.push_back({"partial block", r, {"tensor 'w'", "not a multiple of the Q8_0 block size 32"}});
  }
  {
    Raw r; r.header(2, 0).tensor("w", {1}, 0, 0).tensor("w", {1}, 0, 32);
    r.pad(96);
    cases.push_back({"duplicate tensor", r, {"duplicate tensor 'w'"}});
  }
  {
    Raw r; r.header(1, 0).tensor(std::string(64, 'n'), {1}, 0, 0);
    r.pad(64);
    cases.push_back({"long tensor name", r, {"at most 63"}});
  }
  {
    Raw r; r.header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32);  // a: 64 bytes from 0
    r.pad(32 - r.b.size() % 32).pad(128);
    cases.push_back({"overlapping tensors", r, {"tensors 'a' and 'b' overlap"}});
  }
  for (auto& c : cases) expect_rejected(c.raw.b, c.expect, c.label);
}

// Rebuilds a parsed file with edits, for defects at the model level.
std::vector<uint8_t> rebuild(const GgufFile& f,
                             const std::function<bool(std::string&, GgufValue&)>& edit_kv,
                             const std::function<bool(GgufTensorInfo&, std::vector<uint8_t>&)>& edit_tensor) {
  GgufWriter g;
  for (auto [k, v] : f.kv)
    if (edit_kv(k, v)) g.add(k, v);
  for (auto t : f.tensors) {
    auto bytes = f.tensor_bytes(t);
    if (edit_tensor(t, bytes)) g.add_tensor(t.name, t.ne, t.type, bytes);
  }
  return g.bytes();
}

TEST(GgufCorrupt, ModelDefects) {
  const GgufVocab vocab = sample_vocab(16);
  const auto good = gguf_bytes(tiny_model(), GgufType::f32, &vocab);
  const GgufFile f = read_gguf(good);
  auto keep_kv = [](std::string&, GgufValue&) { return true; };
  auto keep_t = [](GgufTensorInfo&, std::vector<uint8_t>&) { return true; };
  auto set_kv = [&](const std::string& key, GgufValue nv) {
    return rebuild(f, [&](std::string& k, GgufValue& v) { if (k == key) v = nv; return true; }, keep_t);
  };
  auto drop_kv = [&](const std::string& key) {
    return rebuild(f, [&](std::string& k, GgufValue&) { return k != key; }, keep_t);
  };
  // Sanity: the unedited rebuild loads.
  ASSERT_NO_THROW(load_gguf_model(rebuild(f, keep_kv, keep_t)));

  expect_rejected(rebuild(f, keep_kv, [](GgufTensorInfo& t, auto&) { return t.name != "blk.0.ffn_up.weight"; }),
                  {"missing tensor 'blk.0.ffn_up.weight'"}, "missing tensor");
  expect_rejected(rebuild(f, keep_kv, [](GgufTensorInfo& t, auto&) {
                    if (t.name == "blk.0.attn_k.weight") std::swap(t.ne[0], t.ne[1]);  // [16][32] stored transposed
                    return true;
                  }),
                  {"tensor 'blk.0.attn_k.weight' has shape [16, 32], expected [32, 16]"}, "wrong shape");
  expect_rejected(rebuild(f, keep_kv, [](GgufTensorInfo& t, auto& b) {
                    if (t.name == "blk.0.ffn_up.weight") { t.type = uint32_t(GgufType::iq4_nl); b.resize(t.n_elements() / 32 * 18); }
                    return true;
                  }),
                  {"tensor 'blk.0.ffn_up.weight' has type IQ4_NL", "cannot dequantize"}, "unsupported type");
  expect_rejected(rebuild(f, keep_kv, [](GgufTensorInfo& t, auto& b) {
                    if (t.name == "output_norm.weight") { float nan = NAN; std::memcpy(b.data() + 8, &nan, 4); }
                    return true;
                  }),
                  {"tensor 'output_norm.weight'", "NaN"}, "NaN weight");
  {
    GgufWriter g;  // an extra bias tensor must not be silently ignored
    for (const auto& [k, v] : f.kv) g.add(k, v);
    for (const auto& t : f.tensors) g.add_tensor(t.name, t.ne, t.type, f.tensor_bytes(t));
    g.add_tensor("blk.0.attn_q.bias", {32}, 0, std::vector<uint8_t>(128));
    expect_rejected(g.bytes(), {"unexpected tensor 'blk.0.attn_q.bias'"}, "bias tensor");
  }
  {
    GgufWriter g;  // a layer beyond block_count
    for (const auto& [k, v] : f.kv) g.add(k, v);
    for (const auto& t : f.tensors) g.add_tensor(t.name, t.ne, t.type, f.tensor_bytes(t));
    g.add_tensor("blk.5.attn_norm.weight", {32}, 0, std::vector<uint8_t>(128));
    expect_rejected(g.bytes(), {"tensor 'blk.5.attn_norm.weight' belongs to layer 5 but llama.block_count is 1"},
                    "layer beyond block_count");
  }
  expect_rejected(rebuild(f, [](std::string& k, GgufValue& v) {
                    if (k == "tokenizer.ggml.tokens") v = GgufValue::str_array(std::vector<std::string>(17, "x"));
                    return k != "tokenizer.ggml.scores" && k != "tokenizer.ggml.token_type";
                  }, keep_t),
                  {"vocabulary (tokenizer.ggml.tokens) has 17 tokens but tensor 'token_embd.weight' has 16 rows"},
                  "vocabulary vs embedding rows");
  expect_rejected(rebuild(f, keep_kv, [](GgufTensorInfo& t, auto&) {
                    if (t.name == "token_embd.weight") t.ne = {32, 4, 4};
                    return true;
                  }),
                  {"tensor 'token_embd.weight' has shape [32, 4, 4], expected [llama.embedding_length, vocab]"},
                  "3-d embedding");
  auto add_kv = [&](const std::string& key, GgufValue nv) {
    GgufWriter g;
    for (const auto& [k, v] : f.kv) g.add(k, v);
    g.add(key, nv);
    for (const auto& t : f.tensors) g.add_tensor(t.name, t.ne, t.type, f.tensor_bytes(t));
    return g.bytes();
  };
  expect_rejected(add_kv("llama.attention.sliding_window", GgufValue::u32(64)), {"llama.attention.sliding_window"},
                  "sliding window");
  expect_rejected(add_kv("llama.expert_count", GgufValue::u32(8)), {"mixture-of-experts"}, "experts");
  expect_rejected(add_kv("llama.rope.scaling.type", GgufValue::str("yarn")), {"RoPE scaling 'yarn'"}, "rope scaling");
  expect_rejected(set_kv("llama.context_length", GgufValue::u32(0)), {"llama.context_length = 0 is out of range"},
                  "zero context");
  {
    // qwen2 needs its biases: the llama file relabelled lacks them.
    auto relabel = [](std::string& k, GgufValue& v) {
      if (k == "general.architecture") v = GgufValue::str("qwen2");
      if (k.rfind("llama.", 0) == 0) k = "qwen2." + k.substr(6);
      return true;
    };
    expect_rejected(rebuild(f, relabel, keep_t), {"missing tensor 'blk.0.attn_q.bias'"}, "qwen2 without biases");
  }
  expect_rejected(set_kv("general.architecture", GgufValue::str("gemma")), {"architecture 'gemma' is not supported"}, "architecture");
  expect_rejected(drop_kv("general.architecture"), {"missing metadata key 'general.architecture'"}, "no architecture");
  expect_rejected(drop_kv("llama.embedding_length"), {"missing metadata key 'llama.embedding_length'"}, "no dim");
  expect_rejected(set_kv("llama.block_count", GgufValue::u32(2000000000u)), {"missing tensor 'blk.1."}, "huge block count");
  expect_rejected(set_kv("llama.block_count", GgufValue::str("5")), {"llama.block_count has type string"}, "count type");
  expect_rejected(set_kv("llama.attention.head_count", GgufValue::u32(5)),
                  {"llama.embedding_length 32 is not a multiple of llama.attention.head_count 5"}, "heads");
  expect_rejected(set_kv("llama.attention.head_count_kv", GgufValue::u32(3)), {"head_count_kv 3"}, "kv heads");
  expect_rejected(set_kv("llama.attention.layer_norm_rms_epsilon", GgufValue::f32(-1.f)),
                  {"layer_norm_rms_epsilon", "positive"}, "eps");
  expect_rejected(set_kv("llama.rope.dimension_count", GgufValue::u32(4)), {"rope.dimension_count = 4"}, "partial rope");
  expect_rejected(set_kv("llama.vocab_size", GgufValue::u32(17)), {"llama.vocab_size 17"}, "vocab size");
  expect_rejected(set_kv("tokenizer.ggml.bos_token_id", GgufValue::u32(16)), {"tokenizer.ggml.bos_token_id = 16"}, "bos");
  expect_rejected(set_kv("tokenizer.ggml.scores", GgufValue::f32_array({1.f})), {"tokenizer.ggml.scores has 1 entries"},
                  "scores length");
  expect_rejected(set_kv("tokenizer.ggml.tokens", GgufValue::f32_array({1.f})),
                  {"tokenizer.ggml.tokens has type array of float32"}, "tokens type");
  expect_rejected(set_kv("tokenizer.ggml.tokens", GgufValue::str_array(std::vector<std::string>(17, "x"))),
                  {"tokenizer.ggml.scores has 16 entries but tokenizer.ggml.tokens has 17"}, "token count");
}

TEST(GgufCorrupt, WriterRejectsInconsistentWeights) {
  ModelWeights w = tiny_model();
  w.layers[0].wk.pop_back();
  EXPECT_THROW(gguf_bytes(w, GgufType::f32), InputError);
  w = tiny_model();
  w.final_norm[0] = INFINITY;
  EXPECT_THROW(gguf_bytes(w, GgufType::f16), InputError);
  EXPECT_THROW(gguf_bytes(tiny_model(), GgufType::q4_0), InputError);
  const GgufVocab v = sample_vocab(15);
  EXPECT_THROW(gguf_bytes(tiny_model(), GgufType::f32, &v), InputError);
}

}  // namespace
