// The result file is complete or absent, and describes itself.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <filesystem>
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
