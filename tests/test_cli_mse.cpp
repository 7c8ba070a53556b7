// `airtp mse` end to end: bad input gets exit code 2 and a message naming the flag, field or
// file; a good run writes a complete self-describing file whose numbers do not depend on
// the thread count.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <filesystem>
#include <fstream>

#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {
fs::path tmpdir() { return airtp::test::scratch_dir("cli"); }
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
    ::testing::Values(BadInput{"--n-devices 0", "channel.n_devices (--n-devices)"}, BadInput{"-N 2,x", "--n-devices"},
                      BadInput{"-N 99", "--n-devices"}, BadInput{"--devices 2,4", "devices (--devices)"},
                      BadInput{"--n-rx 2 --n-tx 4", "--streams"},
                      BadInput{"--realizations 0", "--realizations"}, BadInput{"--realizations abc", "--realizations"},
                      BadInput{"--snr-db 1:0:1", "--snr-db"}, BadInput{"--snr-db nan", "--snr-db"},
                      BadInput{"--k-db 100", "--k-db"}, BadInput{"--backend tpu", "--backend"},
                      BadInput{"--solver magic", "--solver"}, BadInput{"--noise-mode loud", "--noise-mode"},
                      BadInput{"--percentiles 120", "--percentiles"}, BadInput{"--bandwidth-hz -1", "--bandwidth-hz"},
                      BadInput{"--csi-nmse -0.1", "channel.csi_nmse (--csi-nmse)"},
                      BadInput{"--no-such-flag", "--no-such-flag"}, BadInput{"/nonexistent/cfg.toml", "nonexistent"}));

TEST(MseConfigErrors, FileProblemsNameFileAndField) {
  struct C {
    std::string toml, mention;
  } cases[] = {
      {"seed = 1\n[channel]\nn_rx = \"twenty\"\n", "channel.n_rx"},
      {"[channel]\ndevicez = [2]\n", "channel.devicez"},
      {"[channel]\nn_device = [2]\n", "did you mean 'channel.n_devices'?"},
      {"realizations = -5\n", "realizations"},
      {"[noise\nmode = 1\n", "line 1"},
      {"command = \"ppl\"\n", "command"},
      {"[noise]\nmode = \"physical\"\n[channel]\ndistance_min_m = 50\ndistance_max_m = 10\n", "channel.distance_min_m"},
  };
  for (auto& c : cases) {
    const std::string f = write_file("bad.toml", c.toml);
    const auto r = run_airtp("mse -q -o " + (tmpdir() / "never.h5").string() + " " + f);
    EXPECT_EQ(r.code, 2) << c.toml << "\n" << r.output;
    EXPECT_NE(r.output.find(c.mention), std::string::npos) << c.toml << "\noutput: " << r.output;
  }
}

static std::vector<double> read_mean(const std::string& path) { return airtp::test::read_doubles(path, "mse/mean"); }

TEST(MseRun, ConfigFileFlagsOverrideAndThreadCountDoesNotMatter) {
  const std::string cfg = write_file("ok.toml",
                                     "seed = 5\nrealizations = 300\n[channel]\nn_devices = [2, 3]\nn_rx = 8\n"
                                     "n_tx = 2\nk_db = 0\n[noise]\nsnr_db = [0, 10]\n");
  const std::string a = (tmpdir() / "a.h5").string(), b = (tmpdir() / "b.h5").string();
  auto r1 = run_airtp("mse -q " + cfg + " -o " + a);
  ASSERT_EQ(r1.code, 0) << r1.output;
  auto r2 = run_airtp("mse -q " + cfg + " -o " + b + " --n-devices 2,3");
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
  // A flag overrides the file: N = 3 alone is the file's second point.
  const std::string d = (tmpdir() / "d.h5").string();
  auto r4 = run_airtp("mse -q " + cfg + " -o " + d + " -N 3");
  ASSERT_EQ(r4.code, 0) << r4.output;
  const auto vd = read_mean(d);
  ASSERT_EQ(vd.size(), 2u);
  EXPECT_EQ(vd[0], va[2]);
  EXPECT_EQ(vd[1], va[3]);
  // The file holds its config: seed 5 and the device counts are recorded, resolved.
  const std::string toml = airtp::test::str_attr(a, "/", "config_toml");
  EXPECT_NE(toml.find("seed = 5"), std::string::npos) << toml;
  EXPECT_NE(toml.find("n_devices = [2, 3]"), std::string::npos) << toml;
  EXPECT_NE(toml.find("command = \"mse\""), std::string::npos) << toml;
  EXPECT_EQ(airtp::test::str_attr(a, "/", "seed"), "5");
  EXPECT_EQ(airtp::test::str_attr(a, "/", "airtp_kind"), "mse");
  EXPECT_EQ(airtp::test::read_ints(a, "mse/realizations"), std::vector<int64_t>(2, 300));
}

// Imperfect CSI end to end (SPEC §2): the MSE grows with the estimate's NMSE, and a
// csi_nmse of 0 on the axis gives exactly the numbers of a perfect-CSI run.
TEST(MseRun, CsiErrorRaisesTheMseAndZeroIsPerfectCsi) {
  const std::string base = "mse -q --realizations 400 -N 3 --n-rx 8 --n-tx 2 --snr-db 10,20 --solver eigen --seed 4 ";
  const std::string a = (tmpdir() / "csi.h5").string(), b = (tmpdir() / "perfect.h5").string();
  auto r = run_airtp(base + "--csi-nmse 0,0.01,0.1 -o " + a);
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_airtp(base + "-o " + b);
  ASSERT_EQ(r.code, 0) << r.output;
  std::vector<hsize_t> shape;
  const auto m = airtp::test::read_doubles(a, "mse/mean", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1, 1, 3, 2}));
  EXPECT_EQ(airtp::test::read_doubles(a, "mse/csi_nmse"), (std::vector<double>{0, 0.01, 0.1}));
  const auto perfect = read_mean(b);
  for (size_t s = 0; s < 2; ++s) {
    EXPECT_EQ(m[0 * 2 + s], perfect[s]) << "csi_nmse = 0 is perfect CSI, bit for bit";
    EXPECT_LT(m[0 * 2 + s], m[1 * 2 + s]);
    EXPECT_LT(m[1 * 2 + s], m[2 * 2 + s]);
  }
  // The misalignment does not shrink with the SNR: at 20 dB it dominates the 0.1 curve.
  const auto mis = airtp::test::read_doubles(a, "mse/misalignment");
  ASSERT_EQ(mis.size(), 3u);
  EXPECT_EQ(mis[0], 0.0);
  EXPECT_GT(mis[1], 0.0);
  EXPECT_GT(mis[2], mis[1]);
  EXPECT_GT(m[2 * 2 + 1] - m[0 * 2 + 1], 0.5 * mis[2]);
  EXPECT_LT(m[2 * 2 + 1] / m[2 * 2 + 0], 1.0);
}
