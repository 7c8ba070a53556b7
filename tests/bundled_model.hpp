// The bundled model, its tokenizer and the first six TinyStories stories, loaded once per
// test binary, for the tests that run the transformer on real text.
#pragma once
#include <vector>

#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "host/model/transformer.hpp"
#include "tests/model_paths.hpp"

namespace airtp::model_test {

struct BundledStories {
  ModelWeights w = load_llama2c(model_path());
  Tokenizer tok = Tokenizer::load_llama2c(tokenizer_path(), 512);
  std::vector<std::vector<int>> seqs = load_story_tokens(tinystories_path(), tok, 512, 6);
  Transformer cpu{w};
};

inline const BundledStories& bundled() {
  static BundledStories b;
  return b;
}

}  // namespace airtp::model_test
