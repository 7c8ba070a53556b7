// Same seed, same numbers, whatever the thread count: `airtp ppl` (AirComp, two realizations),
// `airtp compare`, `airtp assign` and `airtp mse` (imperfect CSI, devices that compute) run
// with OMP_NUM_THREADS=1 and 2 must write bit-identical numeric datasets.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"

using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

// Raw bytes of every integer and floating-point dataset except wall-clock timings, by path.
void collect(const H5::Group& g, const std::string& prefix, std::map<std::string, std::vector<char>>& out) {
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = g.getObjnameByIdx(i), path = prefix + "/" + name;
    const H5G_obj_t type = g.getObjTypeByIdx(i);
    if (type == H5G_GROUP) {
      collect(g.openGroup(name), path, out);
    } else if (type == H5G_DATASET) {
      H5::DataSet ds = g.openDataSet(name);
      const H5T_class_t cls = ds.getTypeClass();
      if (cls != H5T_INTEGER && cls != H5T_FLOAT) continue;
      // Wall-clock measurements are the one thing allowed to differ.
      if (path.rfind("/timing/", 0) == 0 || name.find("time_per_") == 0) continue;
      H5::DataType t = ds.getDataType();
      std::vector<char> bytes(ds.getSpace().getSimpleExtentNpoints() * t.getSize());
      if (!bytes.empty()) ds.read(bytes.data(), t);
      out[path] = std::move(bytes);
    }
  }
}

std::map<std::string, std::vector<char>> run_with_threads(const std::string& args, int threads, const fs::path& out) {
  setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  const auto r = run_airtp(args + " -o " + out.string());
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(r.code, 0) << r.output;
  std::map<std::string, std::vector<char>> data;
  if (r.code != 0) return data;
  H5::H5File f(out.string(), H5F_ACC_RDONLY);
  collect(f.openGroup("/"), "", data);
  return data;
}

void expect_thread_independent(const std::string& args, const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / ("airtp_threads_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto one = run_with_threads(args, 1, dir / (tag + "_1.h5"));
  const auto two = run_with_threads(args, 2, dir / (tag + "_2.h5"));
  ASSERT_FALSE(one.empty()) << "no numeric datasets written by airtp " << args;
  ASSERT_EQ(one.size(), two.size());
  for (const auto& [path, bytes] : one) {
    const auto it = two.find(path);
    ASSERT_NE(it, two.end()) << path << " missing with 2 threads";
    EXPECT_TRUE(bytes == it->second) << path << " differs between 1 and 2 threads";
  }
  fs::remove_all(dir);
}

}  // namespace

TEST(ThreadDeterminism, PplAirCompSameBitsWithOneAndTwoThreads) {
  expect_thread_independent("ppl -q --max-stories 2 -R 2 -N 2 --schemes aircomp,fdma:eigen --snr-db 10 --csi-nmse 0.05", "ppl");
}

TEST(ThreadDeterminism, CompareSameBitsWithOneAndTwoThreads) {
  expect_thread_independent("compare -q --realizations 16 --solvers eigen,random,fast -N 2,3 --n-rx 8", "compare");
}

// SDR and the lower bound run in one worker process per thread (CSDP is not thread-safe):
// the designs, alphas and bounds do not depend on how many there are.
TEST(ThreadDeterminism, SdrWorkerProcessesSameBitsWithOneAndTwoThreads) {
  expect_thread_independent("compare -q --realizations 6 --solvers sdr,eigen -N 2 --n-rx 8 --save-channels", "compare");
}

TEST(ThreadDeterminism, AssignSameBitsWithOneAndTwoThreads) {
  expect_thread_independent("assign -q --iterations 6 --batch 32 --validation 64 --fast-iters 10", "assign");
}

TEST(ThreadDeterminism, MseWithCsiErrorAndComputingDevicesSameBitsWithOneAndTwoThreads) {
  expect_thread_independent("mse -q -R 300 --devices 2*phone+laptop+jetson --noise-mode physical --tx-power-dbm 18,20 "
                            "--csi-nmse 0,0.1 --n-rx 8 --schemes aircomp,fdma,digital --fast-iters 10",
                            "mse");
}
