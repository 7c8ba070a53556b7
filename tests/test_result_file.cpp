// The result file is complete or absent, and describes itself.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <cmath>
#include <filesystem>
#include "host/common/errors.hpp"
#include "host/io/result_file.hpp"

using namespace airtp;
namespace fs = std::filesystem;

static std::string read_str_attr(H5::H5Object& o, const std::string& k) {
  H5::Attribute a = o.openAttribute(k);
  std::string s;
  a.read(a.getStrType(), s);
  return s;
}

TEST(ResultFile, CommitWritesSelfDescribingFile) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_test";
  fs::remove_all(dir);
  const std::string path = (dir / "sub" / "r.h5").string();
  RunInfo info{"airtp mse --x 1", "[a]\nb = 2\n", 42, "cpu", "test cpu", "mse"};
  {
    ResultFile f(path, info);
    f.write("points/mse", std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {2, 3}, {"snr", "n"}, "1", "an MSE");
    f.write("points/count", std::vector<int64_t>{7, 8}, {}, {"snr"}, "realizations", "counts");
    f.write_strings("labels", {"a", "bc"}, "names");
    EXPECT_FALSE(fs::exists(path)) << "visible before commit";
    f.commit();
  }
  ASSERT_TRUE(fs::exists(path));
  H5::H5File h(path, H5F_ACC_RDONLY);
  H5::Group root = h.openGroup("/");
  EXPECT_EQ(read_str_attr(root, "command_line"), "airtp mse --x 1");
  EXPECT_EQ(read_str_attr(root, "config_toml"), "[a]\nb = 2\n");
  EXPECT_EQ(read_str_attr(root, "backend"), "cpu");
  H5::DataSet ds = h.openDataSet("points/mse");
  EXPECT_EQ(read_str_attr(ds, "units"), "1");
  EXPECT_EQ(read_str_attr(ds, "dims"), "snr,n");
  std::vector<double> v(6);
  ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  EXPECT_EQ(v[4], 5.0);
  // No temporary file left behind.
  int n = 0;
  for (auto& e : fs::directory_iterator(dir / "sub")) n += e.is_regular_file();
  EXPECT_EQ(n, 1);
}

TEST(ResultFile, AbandonedFileLeavesNothing) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_test2";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    ResultFile f((dir / "r.h5").string(), RunInfo{});
    f.write("x", std::vector<double>{1.0}, {}, {"i"}, "1", "x");
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

// The finite-number guard: a NaN or an Inf is never written; the error names the file, the
// dataset, the entry's coordinates, the command and the stage, and no file is left behind.
static void expect_guard(double bad, const std::string& what) {
  const fs::path dir = fs::temp_directory_path() / ("airtp_rf_guard_" + what);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "r.h5").string();
  std::string msg;
  try {
    ResultFile f(path, RunInfo{"airtp latency", "", 0, "cpu", "cpu", "latency"});
    f.write("ok", std::vector<double>{1.0, 2.0}, {}, {"i"}, "1", "fine");
    const ResultFile::Stage stage(f, "latency model");
    std::vector<double> v(2 * 4, 1.0);
    v[1 * 4 + 3] = bad;  // scheme = 1, devices = 3
    f.write("latency/total_ms", v, {2, 4}, {"scheme", "devices"}, "ms", "t");
    f.commit();
    ADD_FAILURE() << what << " was written";
  } catch (const NumericalError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("'latency/total_ms'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("latency/total_ms[scheme=1, devices=3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
  EXPECT_NE(msg.find("stage 'latency model'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("command 'latency'"), std::string::npos) << msg;
  EXPECT_TRUE(fs::is_empty(dir)) << "neither the file nor its temporary may remain";
}

TEST(ResultFileGuard, NaNThrowsNamingDatasetCoordinatesAndStage) { expect_guard(std::nan(""), "NaN"); }
TEST(ResultFileGuard, InfThrowsNamingDatasetCoordinatesAndStage) {
  expect_guard(INFINITY, "+Inf");
  expect_guard(-INFINITY, "-Inf");
}

TEST(ResultFileGuard, StageIsScopedAndAttributesAreGuarded) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_guard_attr";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ResultFile f((dir / "r.h5").string(), RunInfo{"", "", 0, "", "", "mse"});
  f.set_stage("sampling");
  {
    const ResultFile::Stage s(f, "summary");
    EXPECT_EQ(f.stage(), "summary");
  }
  EXPECT_EQ(f.stage(), "sampling");
  try {
    f.attr("/", "sigma2", std::nan(""));
    ADD_FAILURE() << "NaN attribute written";
  } catch (const NumericalError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("attribute 'sigma2'"), std::string::npos) << m;
    EXPECT_NE(m.find("stage 'sampling'"), std::string::npos) << m;
  }
}

static std::vector<double> read_d(H5::H5File& h, const std::string& n) {
  H5::DataSet ds = h.openDataSet(n);
  std::vector<double> v(ds.getSpace().getSimpleExtentNpoints());
  ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

TEST(ResultFileGuard, WriteMaskedStoresZeroAndTheMask) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_masked";
  fs::remove_all(dir);
  const std::string path = (dir / "r.h5").string();
  {
    ResultFile f(path, RunInfo{});
    // The undefined entries may hold anything in memory (here the old markers): not written.
    f.write_masked("g/mean", {1.5, INFINITY, std::nan("")}, {1, 0, 0}, {}, {"point"}, "1", "a mean");
    f.write_masked("g/median", {2.5, 0.0, 7.0}, {1, 0, 0}, {}, {"point"}, "1", "a median", "g/mean_valid");
    // A shared mask must agree.
    EXPECT_THROW(f.write_masked("g/other", {1, 2, 3}, {1, 1, 0}, {}, {"point"}, "1", "x", "g/mean_valid"),
                 std::logic_error);
    // A defined entry that is not finite is still an error.
    EXPECT_THROW(f.write_masked("g/bad", {INFINITY, 1.0}, {1, 1}, {}, {"point"}, "1", "x"), NumericalError);
    f.commit();
  }
  H5::H5File h(path, H5F_ACC_RDONLY);
  EXPECT_EQ(read_d(h, "g/mean"), (std::vector<double>{1.5, 0.0, 0.0}));
  EXPECT_EQ(read_d(h, "g/median"), (std::vector<double>{2.5, 0.0, 0.0}));
  H5::DataSet mean = h.openDataSet("g/mean"), mask = h.openDataSet("g/mean_valid");
  EXPECT_EQ(read_str_attr(mean, "masked_by"), "g/mean_valid");
  H5::DataSet median = h.openDataSet("g/median");
  EXPECT_EQ(read_str_attr(median, "masked_by"), "g/mean_valid");
  std::vector<int64_t> m(3);
  mask.read(m.data(), H5::PredType::NATIVE_INT64);
  EXPECT_EQ(m, (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(read_str_attr(mask, "units"), "1");
}
