// Inputs found by the libFuzzer targets in fuzz/ that once misbehaved, kept as regression tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "host/common/errors.hpp"
#include "host/model/tokenizer.hpp"

// fuzz_tokenizer: a one-token tokenizer.bin parsed fine, then encode() emitted BOS id 1,
// outside the vocabulary (an out-of-bounds embedding row downstream). It must be rejected.
TEST(FuzzRegressions, TokenizerTooSmallForBosEosIsRejected) {
  // max_token_length 1; one token: score 0, length 1, byte 0xFF (the fuzzer's input).
  const std::vector<uint8_t> file{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xFF};
  try {
    airtp::Tokenizer::parse_llama2c(file.data(), file.size(), 1, "tiny.bin");
    FAIL() << "a 1-token vocabulary was accepted";
  } catch (const airtp::InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("tiny.bin"), std::string::npos) << m;
    EXPECT_NE(m.find("no BOS 1 / EOS 2"), std::string::npos) << m;
  }
  // Three tokens hold BOS 1 and EOS 2: accepted, and encode stays inside the vocabulary.
  const std::vector<uint8_t> ok{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a', 0, 0, 0, 0, 1, 0, 0, 0, 'b',
                                0, 0, 0, 0, 1, 0, 0, 0, 'c'};
  const auto t = airtp::Tokenizer::parse_llama2c(ok.data(), ok.size(), 3, "three.bin");
  for (int id : t.encode("abc xyz", true, true)) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 3);
  }
}
