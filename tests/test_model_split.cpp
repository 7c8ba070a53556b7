// Tensor-parallel split: the plan covers every head and neuron once; split logits equal the
// unsplit ones; KV-cached decoding equals full-sequence evaluation; digital quantization.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "host/common/errors.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "tests/bundled_model.hpp"

using namespace airtp;

namespace {
using Bundled = model_test::BundledStories;
using model_test::bundled;
}  // namespace

TEST(ModelSplit, LargestRemainder) {
  EXPECT_EQ(largest_remainder({0.5, 0.25, 0.25}, 172), (std::vector<int>{86, 43, 43}));
  EXPECT_EQ(largest_remainder({1.0 / 3, 1.0 / 3, 1.0 / 3}, 4), (std::vector<int>{2, 1, 1}));
  EXPECT_EQ(largest_remainder({0.1, 0.2, 0.7}, 172), (std::vector<int>{17, 35, 120}));  // 17.2, 34.4, 120.4
  EXPECT_EQ(largest_remainder({0.0, 1.0}, 5), (std::vector<int>{0, 5}));
}

TEST(ModelSplit, PlanCoversHeadsAndNeuronsOnce) {
  const ModelConfig& c = bundled().w.cfg;
  for (const std::vector<double>& m : std::vector<std::vector<double>>{
           {1.0}, {0.5, 0.5}, {0.2, 0.3, 0.5}, {0.25, 0.25, 0.25, 0.25}, {0.7, 0.1, 0.1, 0.1}, std::vector<double>(6, 1.0 / 6),
           std::vector<double>(8, 0.125)}) {
    const TpPlan p = make_tp_plan(c, m);
    const int N = (int)m.size();
    int q = 0, h = 0;
    for (int n = 0; n < N; ++n) {
      EXPECT_EQ(p.dev[n].q_head0, q);
      EXPECT_EQ(p.dev[n].hid0, h);
      q += p.dev[n].n_q_heads;
      h += p.dev[n].n_hid;
      if (N <= c.n_kv_heads) {
        EXPECT_EQ(p.dev[n].n_q_heads % 2, 0) << "whole KV groups";
      } else {
        EXPECT_GE(p.dev[n].n_q_heads, 1) << "every device has a query head when KV heads are replicated";
      }
    }
    EXPECT_EQ(q, c.n_heads);
    EXPECT_EQ(h, c.hidden_dim);
    EXPECT_EQ(p.kv_replicated, N > c.n_kv_heads);
  }
  const TpPlan p8 = make_tp_plan(c, std::vector<double>(8, 0.125));
  for (int n = 0; n < 8; ++n) EXPECT_EQ(p8.dev[n].kv_head0, n / 2);  // two replicas of each KV head
  EXPECT_THROW(make_tp_plan(c, std::vector<double>(9, 1.0 / 9)), InputError);
  EXPECT_THROW(make_tp_plan(c, {0.5, 0.6}), InputError);
  EXPECT_THROW(make_tp_plan(c, {-0.5, 1.5}), InputError);
  EXPECT_THROW(parse_assignment("0.5,x", 2), InputError);
  EXPECT_THROW(parse_assignment("0.5,0.5", 3), InputError);
  EXPECT_EQ(parse_assignment("uniform", 4), std::vector<double>(4, 0.25));
}

TEST(ModelSplit, SplitLogitsEqualUnsplit) {
  const Bundled& b = bundled();
  const Transformer model(b.w);
  for (const auto& seq : b.seqs) {
    const std::vector<float> ref = model.logits(seq);
    float scale = 0;
    for (float x : ref) scale = std::max(scale, std::fabs(x));
    for (const std::vector<double>& m : std::vector<std::vector<double>>{
             {0.5, 0.5}, {0.2, 0.3, 0.5}, {0.25, 0.25, 0.25, 0.25}, std::vector<double>(8, 0.125), {0.4, 0.3, 0.1, 0.05, 0.05, 0.05, 0.05}}) {
      const TpPlan p = make_tp_plan(b.w.cfg, m);
      KvCache cache = model.make_cache((int)seq.size());
      std::vector<float> out(ref.size());
      model.forward(seq.data(), (int)seq.size(), 0, cache, p, ExactAllReduce(), {}, out.data());
      float err = 0;
      for (size_t i = 0; i < ref.size(); ++i) err = std::max(err, std::fabs(out[i] - ref[i]));
      EXPECT_LE(err, 1e-5f * scale) << "N = " << m.size();
    }
  }
}

TEST(ModelSplit, CachedDecodingEqualsFullSequence) {
  const Bundled& b = bundled();
  const Transformer model(b.w);
  const std::vector<int>& seq = b.seqs[0];
  const int T = std::min<int>(60, (int)seq.size()), V = b.w.cfg.vocab_size;
  const std::vector<int> head(seq.begin(), seq.begin() + T);
  const std::vector<float> full = model.logits(head);
  const TpPlan p = make_tp_plan(b.w.cfg, std::vector<double>(4, 0.25));
  KvCache cache = model.make_cache(T);
  std::vector<float> step(V);
  // A prefill of 10 tokens, then one token at a time.
  std::vector<float> pre(10 * (size_t)V);
  model.forward(head.data(), 10, 0, cache, p, ExactAllReduce(), {}, pre.data());
  for (int i = 0; i < 10 * V; ++i) ASSERT_NEAR(pre[i], full[i], 1e-4f);
  for (int t = 10; t < T; ++t) {
    model.forward(&head[t], 1, t, cache, p, ExactAllReduce(), {}, step.data());
    for (int i = 0; i < V; ++i) ASSERT_NEAR(step[i], full[(size_t)t * V + i], 1e-4f) << t;
  }
}

TEST(ModelSplit, DigitalQuantizerErrorWithinHalfStep) {
  std::mt19937 g(3);
  std::normal_distribution<float> d;
  for (int bits : {2, 4, 8, 12}) {
    std::vector<float> x(64), q;
    for (float& v : x) v = d(g);
    float a = 0;
    for (float v : x) a = std::max(a, std::fabs(v));
    q = x;
    DigitalAllReduce::quantize(q.data(), 64, bits);
    const float step = 2 * a / (float)((1 << bits) - 1);
    for (int i = 0; i < 64; ++i) EXPECT_LE(std::fabs(q[i] - x[i]), 0.5f * step * (1 + 1e-5f)) << bits;
  }
  EXPECT_THROW(DigitalAllReduce(0), InputError);
}

TEST(ModelSplit, DigitalPerplexityApproachesCleanWithBits) {
  const Bundled& b = bundled();
  const Transformer model(b.w);
  const TpPlan p = make_tp_plan(b.w.cfg, std::vector<double>(4, 0.25));
  DigitalAllReduce q3(3), q6(6), q16(16);
  CleanScore clean;
  std::vector<NoisyScore> r;
  evaluate_ppl(model, b.seqs, p, {&q3, &q6, &q16}, 1, clean, r);
  // NMSE of a uniform quantizer falls about 4x per bit.
  EXPECT_GT(r[0].nmse[0].mean, 20 * r[1].nmse[0].mean);
  EXPECT_GT(r[1].nmse[0].mean, 1e3 * r[2].nmse[0].mean);
  EXPECT_GT(r[0].kl.mean, r[1].kl.mean);
  EXPECT_GT(r[1].kl.mean, r[2].kl.mean);
  EXPECT_LT(r[2].kl.mean, 1e-5);
  EXPECT_NEAR(r[2].ppl.mean, clean.ppl.mean, 1e-3 * clean.ppl.mean);
  EXPECT_GT(r[2].top1.mean, 0.995);
}
