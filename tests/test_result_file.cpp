// The result file is complete or absent, and describes itself.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <cmath>
#include <filesystem>
#include "host/common/errors.hpp"
#include "host/common/version.hpp"
#include "host/io/result_file.hpp"
#include "tests/h5_util.hpp"

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
    f.write_strings("labels", {"a", "bc"}, "label", "names");
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
  // Named dimensions are dimension scales (netCDF-style dimension-only scales here: no
  // coordinate was written), which xarray reads as the dimension names.
  EXPECT_EQ(test::dim_names(path, "points/mse"), (std::vector<std::string>{"snr", "n"}));
  EXPECT_EQ(test::dim_names(path, "points/count"), (std::vector<std::string>{"snr"}));
  EXPECT_EQ(test::read_strings(path, "labels"), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(test::dim_names(path, "labels"), (std::vector<std::string>{"label"}));
  // The long texts are also datasets under /run.
  EXPECT_EQ(test::read_strings(path, "run/config_toml"), (std::vector<std::string>{"[a]\nb = 2\n"}));
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

// Coordinates are HDF5 dimension scales: a dataset of the group (or of a group below it) with a
// dimension of that name attaches to it; a dimension without coordinate gets a dimension-only
// scale; a coordinate of the wrong length is refused.
TEST(ResultFile, CoordinatesAreDimensionScales) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_coords";
  fs::remove_all(dir);
  const std::string path = (dir / "r.h5").string();
  {
    ResultFile f(path, RunInfo{"", "", 0, "cpu", "cpu", "mse"});
    f.coordinate("g", "snr_db", std::vector<double>{0.0, 10.0}, "dB", "SNR");
    f.coordinate("g", "n_devices", std::vector<int64_t>{2, 4, 8}, "devices", "N");
    f.coordinate("g", "curve", std::vector<std::string>{"aircomp", "fdma"}, "curves");
    f.write("g/mean", std::vector<double>(12, 1.0), {2, 3, 2}, {"curve", "n_devices", "snr_db"}, "1", "x");
    f.write("g/sub/count", std::vector<int64_t>{1, 2, 3}, {}, {"n_devices"}, "1", "below the coordinates' group");
    f.write("g/extra", std::vector<double>{1, 2, 3, 4}, {}, {"other"}, "1", "no coordinate");
    EXPECT_THROW(f.write("g/bad", std::vector<double>{1, 2}, {}, {"n_devices"}, "1", "wrong length"), std::exception);
    f.commit();
  }
  EXPECT_EQ(test::dim_names(path, "g/mean"), (std::vector<std::string>{"curve", "n_devices", "snr_db"}));
  EXPECT_EQ(test::dim_names(path, "g/sub/count"), (std::vector<std::string>{"n_devices"}));
  EXPECT_EQ(test::dim_names(path, "g/extra"), (std::vector<std::string>{"other"}));
  EXPECT_EQ(test::read_doubles(path, "g/snr_db"), (std::vector<double>{0.0, 10.0}));
  EXPECT_EQ(test::read_ints(path, "g/n_devices"), (std::vector<int64_t>{2, 4, 8}));
  EXPECT_EQ(test::read_strings(path, "g/curve"), (std::vector<std::string>{"aircomp", "fdma"}));
  EXPECT_EQ(test::str_attr(path, "g/snr_db", "units"), "dB");
  H5::H5File h(path, H5F_ACC_RDONLY);
  EXPECT_GT(H5DSis_scale(h.openDataSet("g/snr_db").getId()), 0);
  EXPECT_GT(H5DSis_scale(h.openDataSet("g/other").getId()), 0);
  EXPECT_EQ(H5DSis_scale(h.openDataSet("g/mean").getId()), 0);
}

// A resolved configuration longer than an attribute may hold (16 KiB; e.g. a sweep of
// thousands of values) is stored as a dataset; the file is still written, and run/config_toml
// (what `airtp merge` reads) holds the whole text.
TEST(ResultFile, LongConfigIsWrittenAsADataset) {
  const fs::path dir = fs::temp_directory_path() / "airtp_rf_long";
  fs::remove_all(dir);
  const std::string path = (dir / "r.h5").string();
  std::string toml = "snr_db = [";
  for (int i = 0; i < 5000; ++i) toml += std::to_string(i) + ".5, ";
  toml += "0.0]\n";
  ASSERT_GT(toml.size(), 16u * 1024);
  {
    ResultFile f(path, RunInfo{"airtp mse", toml, 1, "cpu", "cpu", "mse"});
    f.write("x", std::vector<double>{1.0}, {}, {"i"}, "1", "x");
    f.commit();
  }
  EXPECT_EQ(test::read_strings(path, "run/config_toml"), std::vector<std::string>{toml});
  const std::string where = test::str_attr(path, "/", "config_toml_dataset");
  ASSERT_FALSE(where.empty());
  EXPECT_EQ(test::read_strings(path, where), std::vector<std::string>{toml});
}

// The code version a result file records is the source tree's commit as it is now, not as it
// was when CMake last configured (cmake/git_version.cmake runs at every build): after a
// commit, `make` must change it. Compared without "-dirty" (editing a file after the build is
// not a stale binary); skipped outside a git checkout.
TEST(CodeVersion, IsTheSourceTreesCommit) {
  std::string head;
  const std::string cmd = "git -C '" AIRTP_SOURCE_DIR "' describe --always --tags 2>/dev/null";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p)) head += buf;
    pclose(p);
  }
  while (!head.empty() && (head.back() == '\n' || head.back() == '\r')) head.pop_back();
  if (head.empty()) GTEST_SKIP() << "not a git checkout";
  std::string v = git_version();
  if (v.size() > 6 && v.compare(v.size() - 6, 6, "-dirty") == 0) v.resize(v.size() - 6);
  EXPECT_EQ(v, head);
  EXPECT_EQ(std::string(code_version()), std::string(AIRTP_VERSION) + " (" + git_version() + ")");
}
