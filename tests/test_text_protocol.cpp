// Text protocols for scoring (host/model/text_protocol.hpp): BOM / CRLF normalisation, the
// "stories" and "windows" cuts, BOS only where the tokenizer adds it, and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "host/common/errors.hpp"
#include "host/model/gguf.hpp"
#include "host/model/text_protocol.hpp"
#include "tests/model_paths.hpp"

using namespace airtp;

namespace {

const Tokenizer& tok512() {
  static const Tokenizer t = Tokenizer::load_llama2c(model_test::tokenizer_path(), 512);
  return t;
}

// A BPE tokenizer that adds no BOS (like SmolLM2): SmolLM2's pruned fixture vocabulary.
const Tokenizer& smollm_pruned() {
  static const Tokenizer t = [] {
    const GgufFile f = read_gguf(std::string(AIRTP_SOURCE_DIR) + "/tests/data/tokenizer/smollm2.vocab.gguf");
    return Tokenizer::from_gguf(read_gguf_vocab(f), f.origin);
  }();
  return t;
}

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string p = (std::filesystem::temp_directory_path() / ("airtp_tp_" + name)).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

}  // namespace

TEST(TextProtocol, NormalisesBomAndCrlf) {
  EXPECT_EQ(normalize_text("\xEF\xBB\xBFline1\r\nline2\r\n"), "line1\nline2\n");
  EXPECT_EQ(normalize_text("a\rb\r\n\r\nc\r"), "a\rb\n\nc\r");  // lone CRs stay
  EXPECT_EQ(normalize_text("x\xEF\xBB\xBFy"), "x\xEF\xBB\xBFy");  // only a leading BOM goes
  EXPECT_EQ(normalize_text(""), "");
  // A Windows copy of a story file tokenizes exactly like the Unix one.
  const std::string unix_text = "Once upon a time.\nThe end.\n<|endoftext|>\nTwo.\n<|endoftext|>\n";
  std::string win = "\xEF\xBB\xBF";
  for (char c : unix_text) win += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const ScoredText a = stories_protocol(unix_text, tok512(), 512, 0);
  const ScoredText b = stories_protocol(win, tok512(), 512, 0);
  ASSERT_EQ(a.sequences.size(), 2u);
  ASSERT_EQ(b.sequences.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(a.sequences[i].tokens, b.sequences[i].tokens);
  EXPECT_EQ(tok512().decode(a.sequences[0].tokens), "Once upon a time.\nThe end.");
}

TEST(TextProtocol, StoriesPutBosOnlyWhenTheTokenizerAddsIt) {
  const std::string text = "Tom ran.\n<|endoftext|>\n  Sue sat.  \n<|endoftext|>\n\n";
  const ScoredText l = stories_protocol(text, tok512(), 512, 0);
  ASSERT_EQ(l.sequences.size(), 2u);
  EXPECT_EQ(l.sequences[1].tokens, tok512().encode("Sue sat.", true));  // llama2.c adds BOS
  EXPECT_EQ(l.sequences[1].score_from, 1);
  const Tokenizer& s = smollm_pruned();
  ASSERT_FALSE(s.add_bos());
  const ScoredText b = stories_protocol(text, s, 512, 0);
  EXPECT_EQ(b.sequences[0].tokens, s.encode("Tom ran.", false));
  EXPECT_NE(b.sequences[0].tokens.front(), s.bos());
  EXPECT_NE(b.description.find("stories"), std::string::npos);
  EXPECT_EQ(b.description.find('\n'), std::string::npos);
}

TEST(TextProtocol, StoriesTruncateAndLimit) {
  const std::string text = "a b c d e f g h i j\n<|endoftext|>\nk\n<|endoftext|>\nl m\n";
  const ScoredText t = stories_protocol(text, tok512(), 4, 2);
  ASSERT_EQ(t.sequences.size(), 2u);
  EXPECT_EQ(t.sequences[0].tokens.size(), 4u);
  const std::vector<int> full = tok512().encode("a b c d e f g h i j", true);
  EXPECT_EQ(t.sequences[0].tokens, std::vector<int>(full.begin(), full.begin() + 4));
  EXPECT_NE(t.description.find("2 of 3 stories"), std::string::npos) << t.description;
}

TEST(TextProtocol, WindowsCutTheWholeTextOnce) {
  const std::string text = "The whale swam. " + std::string(40, 'x') + " Ishmael watched the sea for a long while.";
  for (const Tokenizer* t : {&tok512(), &smollm_pruned()}) {
    const std::vector<int> all = t->encode(text, false, false);
    const int ctx = 8;
    const ScoredText w = windows_protocol(text, *t, ctx, 1, 0);
    const bool bos = t->add_bos();
    const size_t step = ctx - (bos ? 1 : 0);
    ASSERT_EQ(w.sequences.size(), all.size() / step);
    std::vector<int> joined;
    for (const ScoredSequence& s : w.sequences) {
      ASSERT_EQ(s.tokens.size(), size_t(ctx));
      EXPECT_EQ(s.score_from, 1);
      if (bos) EXPECT_EQ(s.tokens[0], t->bos());
      joined.insert(joined.end(), s.tokens.begin() + (bos ? 1 : 0), s.tokens.end());
    }
    // Consecutive and non-overlapping: the windows are the text's tokens in order.
    EXPECT_EQ(joined, std::vector<int>(all.begin(), all.begin() + long(joined.size())));
    EXPECT_GT(joined.size() + step, all.size());  // only the last partial window is left out
    // llama.cpp's perplexity style: only the second half of each window is scored.
    const ScoredText half = windows_protocol(text, *t, ctx, ctx / 2, 2);
    ASSERT_EQ(half.sequences.size(), 2u);
    EXPECT_EQ(half.sequences[1].score_from, ctx / 2);
    EXPECT_EQ(half.sequences[1].tokens, w.sequences[1].tokens);
  }
}

TEST(TextProtocol, WindowsOfAShortTextAndBadParameters) {
  const ScoredText w = windows_protocol("Hello there.", tok512(), 512, 1, 0);
  ASSERT_EQ(w.sequences.size(), 1u);
  EXPECT_EQ(w.sequences[0].tokens, tok512().encode("Hello there.", true));
  EXPECT_THROW(windows_protocol("Hello there.", tok512(), 512, 0, 0), InputError);
  EXPECT_THROW(windows_protocol("Hello there.", tok512(), 512, 512, 0), InputError);
  EXPECT_THROW(windows_protocol("", tok512(), 512, 1, 0), InputError);
  EXPECT_THROW(stories_protocol("<|endoftext|>\n\n", tok512(), 512, 0), InputError);
}

TEST(TextProtocol, FilesAreReadAndNamedInErrors) {
  const std::string p = temp_file("crlf.txt", "\xEF\xBB\xBFOne.\r\n<|endoftext|>\r\nTwo.\r\n");
  const ScoredText st = load_scored_text(p, "stories", tok512(), 512, 0);
  ASSERT_EQ(st.sequences.size(), 2u);
  EXPECT_EQ(tok512().decode(st.sequences[1].tokens), "Two.");
  EXPECT_EQ(load_story_tokens(p, tok512(), 512, 0)[0], st.sequences[0].tokens);
  try {
    load_scored_text(p, "paragraphs", tok512(), 512, 0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'paragraphs'"), std::string::npos);
  }
  const std::string missing = p + ".missing";
  try {
    load_scored_text(missing, "windows", tok512(), 512, 0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
  const std::string empty = temp_file("empty.txt", "\r\n\r\n");
  try {
    load_scored_text(empty, "stories", tok512(), 512, 0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(empty), std::string::npos);
  }
  std::filesystem::remove(p);
  std::filesystem::remove(empty);
}

TEST(TextProtocol, MobyDickWindowsWithSmolLM2Vocabulary) {
  // The bundled long text: the windows protocol with a BPE vocabulary that adds no BOS.
  const std::string path = model_test::data_path("moby-dick/moby-dick.txt");
  const ScoredText w = load_scored_text(path, "windows", smollm_pruned(), 256, 4, 128);
  ASSERT_EQ(w.sequences.size(), 4u);
  for (const auto& s : w.sequences) EXPECT_EQ(s.tokens.size(), 256u);
  // The first window decodes to the start of the book.
  EXPECT_EQ(smollm_pruned().decode(w.sequences[0].tokens).rfind("CHAPTER 1. Loomings.\n\nCall me Ishmael.", 0), 0u);
  EXPECT_NE(w.description.find("from position 128"), std::string::npos) << w.description;
}
