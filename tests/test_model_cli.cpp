// `airtp ppl` and `airtp generate` end to end: bad input exits 2 naming the flag or file; a
// good run writes a self-describing file and prints the model's known text.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

namespace {

std::string string_attr(const H5::H5Object& o, const char* key) {
  H5::Attribute a = o.openAttribute(key);
  std::string v;
  a.read(a.getStrType(), v);
  return v;
}

std::vector<double> read_doubles(const H5::H5File& f, const std::string& name) {
  H5::DataSet d = f.openDataSet(name);
  std::vector<double> v((size_t)d.getSpace().getSimpleExtentNpoints());
  d.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

fs::path write_text(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("airtp_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

const char* kSweepConfig = R"(command = "ppl"
seed = 7
schemes = ["exact", "digital", "aircomp"]
devices = [1, 2]
snr_db = [10, 40]
bits = [4]
realizations = 1
max_stories = 2
n_rx = 8
n_tx = 2
)";

}  // namespace

// A config with lists of schemes and devices sweeps them into one file, one group per pair;
// flags override the config; the stored config reads back and reproduces the numbers.
TEST(ModelCli, PplConfigSweepsSchemesAndDevices) {
  const fs::path cfg = write_text("sweep.toml", kSweepConfig);
  const fs::path out = fs::temp_directory_path() / ("airtp_pplsweep_" + std::to_string(::getpid()) + ".h5");
  const auto r = run_airtp("ppl " + cfg.string() + " -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  std::string stored;
  std::vector<double> air1;
  {
    H5::H5File f(out.string(), H5F_ACC_RDONLY);
    const double clean = read_doubles(f, "clean/ppl")[0];
    int groups = 0;
    for (int n : {1, 2})
      for (const char* s : {"exact", "digital", "aircomp"}) {
        const std::string g = std::string("runs/") + s + "_N" + std::to_string(n);
        ASSERT_TRUE(f.nameExists(g)) << g;
        H5::Group grp = f.openGroup(g);
        EXPECT_EQ(string_attr(grp, "scheme"), s);
        const std::vector<double> ppl = read_doubles(f, g + "/points/ppl");
        if (std::string(s) == "exact") {
          ASSERT_EQ(ppl.size(), 1u);
          EXPECT_NEAR(ppl[0], clean, 1e-4 * clean) << g;  // split with exact sums = the clean model
        } else if (std::string(s) == "digital") {
          ASSERT_EQ(ppl.size(), 1u);  // one bit width, no SNR
          EXPECT_TRUE(f.nameExists(g + "/points/bits"));
        } else {
          ASSERT_EQ(ppl.size(), 2u);
          EXPECT_GT(ppl[0], ppl[1]) << g;  // 10 dB worse than 40 dB
          if (n == 1) air1 = ppl;
        }
        ++groups;
      }
    EXPECT_EQ(groups, 6);
    EXPECT_EQ(read_doubles(f, "clean/n_sequences").size(), 1u);
    stored = string_attr(f, "config_toml");
  }
  // The stored config runs again to the same numbers.
  const fs::path cfg2 = write_text("stored.toml", stored);
  const fs::path out2 = fs::temp_directory_path() / ("airtp_pplsweep2_" + std::to_string(::getpid()) + ".h5");
  const auto r2 = run_airtp("run " + cfg2.string() + " -q -o " + out2.string());
  ASSERT_EQ(r2.code, 0) << r2.output << "\n" << stored;
  {
    H5::H5File f(out2.string(), H5F_ACC_RDONLY);
    EXPECT_EQ(read_doubles(f, "runs/aircomp_N1/points/ppl"), air1);
  }
  // Flags override: one scheme and one N give the flat layout; --max-stories wins over the file.
  const auto r3 = run_airtp("ppl " + cfg.string() + " --scheme aircomp -N 2 --max-stories 1 -q -o " + out2.string());
  ASSERT_EQ(r3.code, 0) << r3.output;
  {
    H5::H5File f(out2.string(), H5F_ACC_RDONLY);
    EXPECT_FALSE(f.nameExists("runs"));
    EXPECT_TRUE(f.nameExists("points/ppl"));
    long n_seq = 0;
    f.openDataSet("clean/n_sequences").read(&n_seq, H5::PredType::NATIVE_LONG);
    EXPECT_EQ(n_seq, 1);
  }
  for (const fs::path& p : {cfg, cfg2, out, out2}) fs::remove(p);
}

TEST(ModelCli, PplConfigErrorsNameTheFieldAndExitTwo) {
  const std::pair<std::string, std::string> cases[] = {
      {std::string(kSweepConfig) + "snr = [1]\n", "snr"},
      {std::string(kSweepConfig) + "m = \"0.5,0.5\"\n", "--m"},
      {std::string("command = \"mse\"\n"), "command"},
      {std::string("schemes = [\"aircomp\", \"smoke\"]\nmax_stories = 1\n"), "smoke"},
      {std::string("devices = []\n"), "devices"},
      {std::string("realizations = \"two\"\n"), "realizations"},
  };
  int i = 0;
  for (const auto& [text, mention] : cases) {
    const fs::path cfg = write_text("bad" + std::to_string(i++) + ".toml", text);
    const auto r = run_airtp("ppl " + cfg.string() + " -q");
    EXPECT_EQ(r.code, 2) << text << "\n" << r.output;
    EXPECT_NE(r.output.find(mention), std::string::npos) << text << "\n" << r.output;
    fs::remove(cfg);
  }
}
