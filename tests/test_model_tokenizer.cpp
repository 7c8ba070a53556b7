// Tokenizer: encode against a direct transcription of llama2.c's quadratic merge loop,
// decode(encode(text)) == text on the bundled stories, byte fallback and BOS handling.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "host/model/ppl_eval.hpp"
#include "host/model/tokenizer.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {
Tokenizer bundled() { return Tokenizer::load_llama2c(model_test::tokenizer_path(), 512); }

// llama2.c's encode as written there: rescan all pairs, merge the best, repeat.
std::vector<int> reference_encode(const Tokenizer& tk, const std::string& text, bool bos) {
  std::vector<int> t;
  if (bos) t.push_back(1);
  if (text.empty()) return t;
  t.push_back(tk.lookup(" "));
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && j - i < 4 && ((unsigned char)text[j] & 0xC0) == 0x80) ++j;
    const int id = tk.lookup(text.substr(i, j - i));
    if (id >= 0)
      t.push_back(id);
    else
      for (size_t k = i; k < j; ++k) t.push_back((unsigned char)text[k] + 3);
    i = j;
  }
  const size_t start = bos ? 1 : 0;
  while (true) {
    float best = -1e10f;
    int bi = -1, bid = -1;
    for (size_t i = start; i + 1 < t.size(); ++i) {
      const int id = tk.lookup(tk.piece(t[i]) + tk.piece(t[i + 1]));
      if (id >= 0 && tk.score(id) > best) {
        best = tk.score(id);
        bi = (int)i;
        bid = id;
      }
    }
    if (bi < 0) break;
    t[bi] = bid;
    t.erase(t.begin() + bi + 1);
  }
  return t;
}

std::vector<std::string> stories() {
  std::ifstream in(model_test::tinystories_path());
  std::stringstream ss;
  ss << in.rdbuf();
  return split_stories(ss.str());
}
}  // namespace

TEST(ModelTokenizer, MatchesLlama2cMergeLoop) {
  const Tokenizer tk = bundled();
  const auto st = stories();
  ASSERT_EQ(st.size(), 1000u);
  for (size_t i = 0; i < st.size(); i += 25) EXPECT_EQ(tk.encode(st[i], true), reference_encode(tk, st[i], true)) << i;
  EXPECT_EQ(tk.encode("Once upon a time", false), reference_encode(tk, "Once upon a time", false));
}

TEST(ModelTokenizer, RoundTripsEveryBundledStory) {
  const Tokenizer tk = bundled();
  long tokens = 0;
  for (const std::string& s : stories()) {
    const auto t = tk.encode(s, true);
    ASSERT_EQ(t[0], 1);
    tokens += (long)t.size();
    ASSERT_EQ(tk.decode(t), s);
  }
  EXPECT_GT(tokens, 200000);  // sanity: a 512-piece vocabulary gives short tokens
}

TEST(ModelTokenizer, ByteFallbackAndBos) {
  const Tokenizer tk = bundled();
  const std::string cjk = "\xE4\xB8\xAD";  // U+4E2D, not a piece of this vocabulary
  ASSERT_LT(tk.lookup(cjk), 0);
  const auto t = tk.encode(cjk, false);
  ASSERT_EQ(t.size(), 4u);  // dummy space + three byte tokens
  EXPECT_EQ(t[1], 0xE4 + 3);
  EXPECT_EQ(t[2], 0xB8 + 3);
  EXPECT_EQ(t[3], 0xAD + 3);
  EXPECT_EQ(tk.decode(t), cjk);
  EXPECT_EQ(tk.decode_piece(5, 0x41 + 3), "A");  // <0x41>
  // After BOS the leading space of a piece is dropped, elsewhere it is kept.
  const int the = tk.encode("the", false).back();
  ASSERT_EQ(tk.piece(the)[0], ' ');
  EXPECT_EQ(tk.decode_piece(1, the), tk.piece(the).substr(1));
  EXPECT_EQ(tk.decode_piece(the, the), tk.piece(the));
  EXPECT_EQ(tk.encode("", true), std::vector<int>{1});
  EXPECT_EQ(tk.encode("hi", true, true).back(), 2);
}

TEST(ModelTokenizer, FromVocabularyWithSentencePieceSpaces) {
  // A vocabulary spelled the SentencePiece way ("\u2581" for a space), as GGUF files store it.
  const std::string sp = "\xE2\x96\x81";
  std::vector<std::string> pieces{"<unk>", "<s>", "</s>", sp, "a", "b", sp + "a", sp + "ab", "ab"};
  std::vector<float> scores{0, 0, 0, -1, -2, -2, -0.5f, -0.1f, -3};
  const Tokenizer tk(pieces, scores, 1, 2, sp);
  const auto t = tk.encode("ab ab", true);
  EXPECT_EQ(t, (std::vector<int>{1, 7, 7}));
  EXPECT_EQ(tk.decode(t), "ab ab");
}
