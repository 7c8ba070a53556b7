// The accuracy simulation takes its receive design from the solver choice: the fast solver's
// lower alpha must show up as a lower measured all-reduce NMSE and KL than the eigen design on
// the same channels, noise and text.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <filesystem>

#include "tests/cli_runner.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

static double first_value(const std::string& path, const std::string& name) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet d = f.openDataSet(name);
  std::vector<double> v(d.getSpace().getSimpleExtentNpoints());
  d.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v.at(0);
}

TEST(ModelSolver, FastDesignLowersNmseAndKlAgainstEigen) {
  const fs::path dir = fs::temp_directory_path() / ("airtp_msolver_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string common = "ppl -q -N 4 --scheme aircomp --snr 20 -R 2 --max-stories 4 --seed 3 ";
  const std::string e = (dir / "eigen.h5").string(), f = (dir / "fast.h5").string();
  auto re = run_airtp(common + "--solver eigen -o " + e);
  ASSERT_EQ(re.code, 0) << re.output;
  auto rf = run_airtp(common + "--solver fast -o " + f);
  ASSERT_EQ(rf.code, 0) << rf.output;
  EXPECT_LT(first_value(f, "points/nmse"), 0.5 * first_value(e, "points/nmse"));
  EXPECT_LT(first_value(f, "points/kl"), first_value(e, "points/kl"));
  EXPECT_LT(first_value(f, "points/mean_alpha"), first_value(e, "points/mean_alpha"));
  auto bad = run_airtp(common + "--solver sdr -o " + (dir / "never.h5").string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.output.find("--solver"), std::string::npos) << bad.output;
  fs::remove_all(dir);
}
