// `airtp ppl` and `airtp generate` end to end: bad input exits 2 naming the flag or file; a
// good run writes a self-describing file and prints the model's known text.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <unistd.h>

#include <filesystem>

#include "tests/cli_runner.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

TEST(ModelCli, BadInputExitsTwoNamingTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"ppl --scheme smoke", "--scheme"},
      {"ppl -N 3 --m 0.5,0.6,0.1 --max-stories 1", "--m"},
      {"ppl -N 2 --m 0.5 --max-stories 1", "--m"},
      {"ppl -N 9 --max-stories 1", "--m"},
      {"ppl --model /nonexistent.bin", "/nonexistent.bin"},
      {"ppl --text /nonexistent.txt", "/nonexistent.txt"},
      {"ppl --scheme digital --bits 0 --max-stories 1", "--bits"},
      {"ppl --coherence slot --max-stories 1", "--coherence"},
      {"ppl --streams 5 --max-stories 1", "--streams"},
      {"ppl -R 0 --max-stories 1", "--realizations"},
      {"generate --steps 0", "--steps"},
      {"generate --tokenizer /nonexistent.tok", "/nonexistent.tok"},
  };
  for (const auto& [args, mention] : cases) {
    const auto r = run_airtp(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(mention), std::string::npos) << args << "\n" << r.output;
  }
}

TEST(ModelCli, GenerateExactPrintsKnownText) {
  const auto r = run_airtp("generate -N 4 --scheme exact --steps 20");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("Once upon a time, there was a little girl named Lily."), std::string::npos) << r.output;
}

TEST(ModelCli, PplWritesSelfDescribingFile) {
  const fs::path out = fs::temp_directory_path() / ("airtp_ppl_" + std::to_string(::getpid()) + ".h5");
  const auto r = run_airtp("ppl -N 2 --scheme fdma --snr 20,40 -R 2 --max-stories 2 -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File f(out.string(), H5F_ACC_RDONLY);
  for (const char* name : {"clean/ppl", "points/snr_db", "points/ppl", "points/ppl_se", "points/kl", "points/top1",
                           "points/nmse", "points/mean_alpha"}) {
    ASSERT_TRUE(f.nameExists(name)) << name;
    H5::DataSet d = f.openDataSet(name);
    EXPECT_TRUE(d.attrExists("units")) << name;
    EXPECT_TRUE(d.attrExists("description")) << name;
  }
  double ppl[2];
  f.openDataSet("points/ppl").read(ppl, H5::PredType::NATIVE_DOUBLE);
  EXPECT_GT(ppl[0], ppl[1]);  // 20 dB worse than 40 dB
  EXPECT_TRUE(f.attrExists("kl_direction"));
  f.close();
  fs::remove(out);
}
