// Inputs found by the libFuzzer targets in fuzz/ that once misbehaved, kept as regression tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "host/common/errors.hpp"
#include "host/model/tokenizer.hpp"
#include "host/runs/shard_file.hpp"
#include "tests/cli_runner.hpp"

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

// fuzz_merge: crafted HDF5 files on which libhdf5 1.10.8 itself overflows the heap or uses freed
// memory (silent in Release, reported by ASan). read_shard parses in a child process, so such a
// file is an InputError naming it, never undefined behaviour in airtp; under the ASan stage of
// `make test` the child is the one ASan stops, and this test still sees a clean error.
TEST(FuzzRegressions, Libhdf5CrashInputsAreInputErrors) {
  namespace fs = std::filesystem;
  int files = 0;
  for (const auto& e : fs::directory_iterator(fs::path(AIRTP_SOURCE_DIR) / "fuzz/libhdf5_crashes")) {
    const std::string path = e.path().string();
    SCOPED_TRACE(path);
    ++files;
    try {
      airtp::read_shard(path);
      ADD_FAILURE() << "a crafted file read as a shard";
    } catch (const airtp::InputError& err) {
      EXPECT_NE(std::string(err.what()).find("shard '" + path + "'"), std::string::npos) << err.what();
    }
    const std::string out = (fs::temp_directory_path() / "airtp_fuzz_merge_out.h5").string();
    const auto r = airtp::test::run_airtp("merge -q " + out + " " + path);
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("shard '" + path + "'"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(out));
  }
  EXPECT_GT(files, 0) << "fuzz/libhdf5_crashes holds the inputs";
}
