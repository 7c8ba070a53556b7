// Greedy generation of the bundled stories260K model against the text published for it
// (data/models/stories260K/SOURCE.md), unsplit and split over 2, 4 and 8 devices.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "host/model/llama2c.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/transformer.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {
// The expected continuation, read from SOURCE.md (the quoted text after "continues").
std::string expected_continuation() {
  std::ifstream in(model_test::data_path("models/stories260K/SOURCE.md"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  const size_t a = s.find("continues");
  const size_t q0 = s.find('"', a);
  const size_t q1 = s.find('"', q0 + 1);
  std::string t = s.substr(q0 + 1, q1 - q0 - 1);
  t = std::regex_replace(t, std::regex("\\s*\\n\\s*"), " ");  // the markdown wraps the line
  return t;
}
}  // namespace

class Generate : public ::testing::TestWithParam<int> {};

TEST_P(Generate, GreedyReproducesPublishedText) {
  const ModelWeights w = load_llama2c(model_test::model_path());
  const Tokenizer tok = Tokenizer::load_llama2c(model_test::tokenizer_path(), w.cfg.vocab_size);
  const Transformer model(w);
  const std::string prompt = "Once upon a time";
  const std::string want = expected_continuation();
  ASSERT_GT(want.size(), 100u);
  const int N = GetParam();
  const TpPlan plan = make_tp_plan(w.cfg, std::vector<double>(N, 1.0 / N));
  const std::vector<int> out = model.generate_greedy(tok.encode(prompt, true), 60, plan, ExactAllReduce());
  const std::string text = tok.decode(out);
  ASSERT_EQ(text.rfind(prompt, 0), 0u) << text;
  const std::string cont = text.substr(prompt.size());
  ASSERT_GE(cont.size(), want.size()) << cont;
  EXPECT_EQ(cont.substr(0, want.size()), want);
}

INSTANTIATE_TEST_SUITE_P(Devices, Generate, ::testing::Values(1, 2, 4, 8));
