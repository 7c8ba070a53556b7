// The bundled model written to GGUF by our own writer (F32, F16, Q8_0) and read back gives the
// same logits as the llama2.c checkpoint, within each format's precision.
#include <gtest/gtest.h>

#include <cmath>

#include "host/model/gguf.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/transformer.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {

struct Diff {
  double max_abs = 0, rms_ref = 0;
  double top1_agree = 0;
};

Diff compare_logits(const std::vector<float>& a, const std::vector<float>& b, int vocab) {
  Diff d;
  double s = 0;
  const size_t T = a.size() / vocab;
  for (size_t i = 0; i < a.size(); ++i) {
    d.max_abs = std::max(d.max_abs, (double)std::fabs(a[i] - b[i]));
    s += (double)a[i] * a[i];
  }
  d.rms_ref = std::sqrt(s / a.size());
  for (size_t t = 0; t < T; ++t) {
    const auto* ra = &a[t * vocab];
    const auto* rb = &b[t * vocab];
    d.top1_agree += std::max_element(ra, ra + vocab) - ra == std::max_element(rb, rb + vocab) - rb;
  }
  d.top1_agree /= T;
  return d;
}

}  // namespace

TEST(GgufModel, BundledModelRoundTripsThroughOurWriter) {
  const ModelWeights w = load_llama2c(model_test::model_path());
  const Tokenizer tok = Tokenizer::load_llama2c(model_test::tokenizer_path(), w.cfg.vocab_size);
  std::vector<int> tokens = tok.encode(
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
      "One day, she saw a big, red ball.",
      true, false);
  const std::vector<float> ref = Transformer(w).logits(tokens);
  const int V = w.cfg.vocab_size;
  // Per-format bound on the largest logit error, relative to the logits' RMS. F32 is exact;
  // F16 keeps 11 significant bits per weight; Q8_0 rounds each weight to within d/2 of its
  // block (d = max|x|/127), about 0.4% of the block's largest weight; through 5 layers that
  // came to 3.1% of the logit RMS at worst on this text.
  struct Case {
    GgufType type;
    double rel_tol, min_top1;
  } cases[] = {{GgufType::f32, 0.0, 1.0}, {GgufType::f16, 2e-3, 1.0}, {GgufType::q8_0, 5e-2, 0.95}};
  for (const auto& c : cases) {
    const std::vector<uint8_t> bytes = gguf_bytes(w, c.type);
    const GgufModel g = load_gguf_model(std::span<const uint8_t>(bytes.data(), bytes.size()), "bundled");
    EXPECT_EQ(g.architecture, "llama");
    EXPECT_EQ(g.weights.cfg.dim, w.cfg.dim);
    EXPECT_EQ(g.weights.cfg.n_kv_heads, w.cfg.n_kv_heads);
    const std::vector<float> got = Transformer(g.weights).logits(tokens);
    ASSERT_EQ(got.size(), ref.size());
    const Diff d = compare_logits(ref, got, V);
    EXPECT_LE(d.max_abs, c.rel_tol * d.rms_ref) << "type " << (int)c.type << ": max |diff| " << d.max_abs
                                                << ", logit RMS " << d.rms_ref;
    EXPECT_GE(d.top1_agree, c.min_top1) << "type " << (int)c.type;
    if (c.type != GgufType::f32) EXPECT_GT(d.max_abs, 0.0) << "a lossy format gave identical logits";
  }
}
