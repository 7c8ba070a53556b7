// `airtp mse` end to end: bad input gets exit code 2 and a message naming the flag, field or
// file; a good run writes a complete self-describing file whose numbers do not depend on
// the thread count.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <filesystem>
#include <fstream>

#include "tests/cli_runner.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {
fs::path tmpdir() {
  fs::path d = fs::temp_directory_path() / ("airtp_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}
std::string write_file(const std::string& name, const std::string& text) {
  const fs::path p = tmpdir() / name;
  std::ofstream(p) << text;
  return p.string();
}
}  // namespace

struct BadInput {
  const char* args;
  const char* must_mention;
};

class MseBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(MseBadInput, ExitCode2AndNamesTheProblem) {
  const auto& c = GetParam();
  const auto r = run_airtp(std::string("mse -q -o ") + (tmpdir() / "never.h5").string() + " " + c.args);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << "output was: " << r.output;
  EXPECT_FALSE(fs::exists(tmpdir() / "never.h5"));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, MseBadInput,
    ::testing::Values(BadInput{"--devices 0", "--devices"}, BadInput{"--devices 2,x", "--devices"},
                      BadInput{"--devices 99", "--devices"}, BadInput{"--n-rx 2 --n-tx 4", "--streams"},
                      BadInput{"--realizations 0", "--realizations"}, BadInput{"--realizations abc", "--realizations"},
                      BadInput{"--snr-db 1:0:1", "--snr-db"}, BadInput{"--snr-db nan", "--snr-db"},
                      BadInput{"--k-db 100", "--k-db"}, BadInput{"--backend tpu", "--backend"},
                      BadInput{"--solver magic", "--solver"}, BadInput{"--noise-mode loud", "--noise-mode"},
                      BadInput{"--percentiles 120", "--percentiles"}, BadInput{"--bandwidth -1", "--bandwidth"},
                      BadInput{"--no-such-flag", "--no-such-flag"}, BadInput{"/nonexistent/cfg.toml", "nonexistent"}));

TEST(MseConfigErrors, FileProblemsNameFileAndField) {
  struct C {
    std::string toml, mention;
  } cases[] = {
      {"seed = 1\n[channel]\nn_rx = \"twenty\"\n", "channel.n_rx"},
      {"[channel]\ndevicez = [2]\n", "channel.devicez"},
      {"realizations = -5\n", "realizations"},
      {"[noise\nmode = 1\n", "line 1"},
      {"command = \"ppl\"\n", "command"},
      {"[noise]\nmode = \"physical\"\ndistance_min_m = 50\ndistance_max_m = 10\n", "distance"},
  };
  for (auto& c : cases) {
    const std::string f = write_file("bad.toml", c.toml);
    const auto r = run_airtp("mse -q -o " + (tmpdir() / "never.h5").string() + " " + f);
    EXPECT_EQ(r.code, 2) << c.toml << "\n" << r.output;
    EXPECT_NE(r.output.find(c.mention), std::string::npos) << c.toml << "\noutput: " << r.output;
  }
}

static std::vector<double> read_mean(const std::string& path) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet d = f.openDataSet("mse/mean");
  std::vector<double> v(d.getSpace().getSimpleExtentNpoints());
  d.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

TEST(MseRun, ConfigFileFlagsOverrideAndThreadCountDoesNotMatter) {
  const std::string cfg = write_file("ok.toml",
                                     "seed = 5\nrealizations = 300\n[channel]\ndevices = [2, 3]\nn_rx = 8\n"
                                     "n_tx = 2\nk_factor_db = 0\n[noise]\nsnr_db = [0, 10]\n");
  const std::string a = (tmpdir() / "a.h5").string(), b = (tmpdir() / "b.h5").string();
  auto r1 = run_airtp("mse -q " + cfg + " -o " + a);
  ASSERT_EQ(r1.code, 0) << r1.output;
  auto r2 = run_airtp("mse -q " + cfg + " -o " + b + " --devices 2,3");
  ASSERT_EQ(r2.code, 0) << r2.output;
  setenv("OMP_NUM_THREADS", "1", 1);
  const std::string c = (tmpdir() / "c.h5").string();
  auto r3 = run_airtp("mse -q " + cfg + " -o " + c);
  unsetenv("OMP_NUM_THREADS");
  ASSERT_EQ(r3.code, 0) << r3.output;
  const auto va = read_mean(a), vb = read_mean(b), vc = read_mean(c);
  ASSERT_EQ(va.size(), 4u);
  EXPECT_EQ(va, vb);
  EXPECT_EQ(va, vc);  // bit-identical with 1 and 2 threads
  // The file holds its config: seed 5 and the devices list are recorded.
  H5::H5File f(a, H5F_ACC_RDONLY);
  H5::Attribute at = f.openGroup("/").openAttribute("config_toml");
  std::string toml;
  at.read(at.getStrType(), toml);
  EXPECT_NE(toml.find("seed = 5"), std::string::npos);
  EXPECT_NE(toml.find("devices = [2, 3]"), std::string::npos);
}
