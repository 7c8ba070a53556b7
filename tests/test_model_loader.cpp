// llama2.c checkpoint loader: the bundled model's header and sizes, and rejection (with the
// file named) of truncated, padded, inconsistent and corrupt files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "host/common/errors.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/tokenizer.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {
std::vector<uint8_t> read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void set_header(std::vector<uint8_t>& b, int field, int32_t v) { std::memcpy(b.data() + 4 * field, &v, 4); }
// Expects an InputError whose message names the file and contains `what`.
void expect_reject(const std::vector<uint8_t>& b, const std::string& what) {
  try {
    parse_llama2c(b.data(), b.size(), "bad.bin");
    FAIL() << "accepted a bad file (" << what << ")";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad.bin"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}
}  // namespace

TEST(ModelLoader, BundledHeaderAndTensors) {
  const ModelWeights w = load_llama2c(model_test::model_path());
  EXPECT_EQ(w.cfg.dim, 64);
  EXPECT_EQ(w.cfg.hidden_dim, 172);
  EXPECT_EQ(w.cfg.n_layers, 5);
  EXPECT_EQ(w.cfg.n_heads, 8);
  EXPECT_EQ(w.cfg.n_kv_heads, 4);
  EXPECT_EQ(w.cfg.vocab_size, 512);
  EXPECT_EQ(w.cfg.seq_len, 512);
  EXPECT_TRUE(w.classifier.empty());  // positive vocab: shared classifier
  ASSERT_EQ(w.layers.size(), 5u);
  EXPECT_EQ(w.layers[4].wk.size(), 32u * 64u);
  EXPECT_EQ(w.layers[4].w2.size(), 64u * 172u);
  EXPECT_EQ(w.final_norm.size(), 64u);
  // The first embedding value straight from the file's bytes (offset 28).
  const auto b = read_all(model_test::model_path());
  float first;
  std::memcpy(&first, b.data() + 28, 4);
  EXPECT_EQ(w.tok_embedding[0], first);
  // The final norm sits right before the freq_cis tables (seq_len * head_size floats).
  float last_norm;
  std::memcpy(&last_norm, b.data() + b.size() - 4 * (512 * 8) - 4, 4);
  EXPECT_EQ(w.final_norm[63], last_norm);
}

TEST(ModelLoader, SeparateClassifierWithNegativeVocab) {
  auto b = read_all(model_test::model_path());
  set_header(b, 5, -512);
  std::vector<float> cls(512 * 64);
  for (size_t i = 0; i < cls.size(); ++i) cls[i] = 0.001f * (float)(i % 97);
  const size_t at = b.size();
  b.resize(at + cls.size() * 4);
  std::memcpy(b.data() + at, cls.data(), cls.size() * 4);
  const ModelWeights w = parse_llama2c(b.data(), b.size(), "cls.bin");
  EXPECT_EQ(w.cfg.vocab_size, 512);
  ASSERT_EQ(w.classifier.size(), cls.size());
  EXPECT_EQ(w.classifier, cls);
  EXPECT_EQ(&w.output_matrix(), &w.classifier);
}

TEST(ModelLoader, RejectsBadFiles) {
  const auto good = read_all(model_test::model_path());
  expect_reject(std::vector<uint8_t>(good.begin(), good.begin() + 20), "too short");
  expect_reject(std::vector<uint8_t>(good.begin(), good.end() - 1), "does not match");
  expect_reject(std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2), "does not match");
  auto pad = good;
  pad.push_back(0);
  expect_reject(pad, "trailing");
  auto b = good;
  set_header(b, 3, 7);  // 64 % 7 != 0
  expect_reject(b, "not divisible by n_heads");
  b = good;
  set_header(b, 4, 3);  // 8 % 3 != 0
  expect_reject(b, "not divisible by n_kv_heads");
  b = good;
  set_header(b, 0, 0);
  expect_reject(b, "dim");
  b = good;
  set_header(b, 2, -1);
  expect_reject(b, "n_layers");
  b = good;
  set_header(b, 5, -512);  // claims a separate classifier that is not there
  expect_reject(b, "does not match");
  b = good;
  set_header(b, 6, 1 << 30);
  expect_reject(b, "seq_len");
  b = good;
  const float nan = std::nanf("");
  std::memcpy(b.data() + 28 + 4 * 100, &nan, 4);
  expect_reject(b, "NaN");
  EXPECT_THROW(load_llama2c("/nonexistent/model.bin"), InputError);
}

TEST(ModelLoader, TokenizerRejectsBadFiles) {
  const auto good = read_all(model_test::tokenizer_path());
  EXPECT_NO_THROW(Tokenizer::parse_llama2c(good.data(), good.size(), 512, "tok.bin"));
  for (size_t cut : {size_t(2), good.size() / 2, good.size() - 1})
    EXPECT_THROW(Tokenizer::parse_llama2c(good.data(), cut, 512, "tok.bin"), InputError) << cut;
  EXPECT_THROW(Tokenizer::parse_llama2c(good.data(), good.size(), 511, "tok.bin"), InputError);
  EXPECT_THROW(Tokenizer::parse_llama2c(good.data(), good.size(), 513, "tok.bin"), InputError);
  auto b = good;
  const int32_t huge = 1 << 20;
  std::memcpy(b.data() + 4 + 4, &huge, 4);  // token 0's length
  EXPECT_THROW(Tokenizer::parse_llama2c(b.data(), b.size(), 512, "tok.bin"), InputError);
}
