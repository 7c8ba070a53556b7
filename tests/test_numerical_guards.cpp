// Result files hold no NaN or Inf: undefined values (infeasible points, outages, missing
// bounds, Rayleigh's -inf dB) are written as 0 with a mask named by the attribute masked_by.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "host/runs/shard_file.hpp"
#include "tests/cli_runner.hpp"

using namespace airtp;
namespace fs = std::filesystem;

namespace {

std::vector<double> doubles(H5::H5File& h, const std::string& name) {
  H5::DataSet ds = h.openDataSet(name);
  std::vector<double> v((size_t)ds.getSpace().getSimpleExtentNpoints());
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}
std::vector<int64_t> ints(H5::H5File& h, const std::string& name) {
  H5::DataSet ds = h.openDataSet(name);
  std::vector<int64_t> v((size_t)ds.getSpace().getSimpleExtentNpoints());
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_INT64);
  return v;
}
std::string str_attr(H5::H5Object& o, const std::string& k) {
  if (!o.attrExists(k)) return "";
  H5::Attribute a = o.openAttribute(k);
  std::string s;
  a.read(a.getStrType(), s);
  return s.c_str();
}

// Every floating-point dataset of the group, recursively: all finite; a masked one's mask
// exists, has its shape, and its masked entries are 0. Returns the number of datasets seen.
int check_all_finite(H5::H5File& h, const std::string& group) {
  H5::Group g = h.openGroup(group);
  int seen = 0;
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = (group == "/" ? "" : group) + "/" + g.getObjnameByIdx(i);
    if (g.childObjType(g.getObjnameByIdx(i)) == H5O_TYPE_GROUP) {
      seen += check_all_finite(h, name);
      continue;
    }
    H5::DataSet ds = h.openDataSet(name);
    if (ds.getTypeClass() != H5T_FLOAT) continue;
    ++seen;
    const std::vector<double> v = doubles(h, name);
    for (size_t k = 0; k < v.size(); ++k)
      if (!std::isfinite(v[k])) {
        ADD_FAILURE() << name << "[" << k << "] = " << v[k];
        break;
      }
    const std::string mask = str_attr(ds, "masked_by");
    if (mask.empty()) continue;
    const std::vector<int64_t> m = ints(h, mask);
    if (m.size() != v.size()) {
      ADD_FAILURE() << name << " masked by " << mask << " of another size";
      continue;
    }
    for (size_t k = 0; k < v.size(); ++k) {
      if (!m[k]) EXPECT_EQ(v[k], 0.0) << name << "[" << k << "] is masked but not 0";
    }
  }
  return seen;
}

fs::path tmp(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("airtp_guard_" + name);
  fs::remove(p);
  return p;
}

}  // namespace

TEST(NumericalGuardCli, LatencyInfeasiblePointsAreMaskedNotNaN) {
  // llama2-70b (138 GB in fp16) fits neither one 80 GB device nor, centralised, any N.
  const fs::path out = tmp("latency.h5");
  const auto r = test::run_airtp("latency -q -o " + out.string() +
                                 " --models llama2-70b --devices 1,2,8 --schemes aircomp,digital,centralised");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  EXPECT_GT(check_all_finite(h, "/"), 6);
  const auto feas = ints(h, "feasible");
  const auto tot = doubles(h, "total_ms");
  ASSERT_EQ(feas.size(), 9u);  // scheme x n_devices
  // aircomp: N = 1 infeasible, N = 2, 8 feasible; centralised never.
  EXPECT_EQ(feas, (std::vector<int64_t>{0, 1, 1, 0, 1, 1, 0, 0, 0}));
  for (size_t i = 0; i < feas.size(); ++i) EXPECT_EQ(tot[i] > 0, feas[i] == 1) << i;
  H5::DataSet ds = h.openDataSet("total_ms");
  EXPECT_EQ(str_attr(ds, "masked_by"), "feasible");
  EXPECT_EQ(str_attr(ds, "units"), "ms");
  // The speedup over centralised is undefined everywhere (centralised never fits).
  EXPECT_EQ(ints(h, "speedup_vs_centralised_valid"), std::vector<int64_t>(9, 0));
  const auto dig_ok = ints(h, "speedup_vs_digital_valid");
  EXPECT_EQ(dig_ok, (std::vector<int64_t>{0, 1, 1, 0, 1, 1, 0, 0, 0}));
}

TEST(NumericalGuardCli, CompareOutagesAndMissingBoundsAreMasked) {
  // One receive antenna for two streams: every design is singular (an outage).
  const fs::path out = tmp("compare.h5");
  const auto r = test::run_airtp("compare -q --backend cpu -o " + out.string() +
                                 " --devices 2 --n-rx 1 --n-tx 2 --solvers eigen --realizations 3 --save-channels");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "compare/outages"), std::vector<int64_t>{3});
  EXPECT_EQ(ints(h, "compare/mse_valid"), std::vector<int64_t>{0});
  EXPECT_EQ(ints(h, "compare/vs_sdr_valid"), std::vector<int64_t>{0});  // sdr not run
  EXPECT_EQ(ints(h, "realizations/point0/alpha_valid"), std::vector<int64_t>(3, 0));
  H5::DataSet a = h.openDataSet("realizations/point0/alpha");
  EXPECT_EQ(str_attr(a, "masked_by"), "realizations/point0/alpha_valid");
}

TEST(NumericalGuardCli, CompareWithoutOutagesHasAllMasksSet) {
  const fs::path out = tmp("compare_ok.h5");
  const auto r = test::run_airtp("compare -q --backend cpu -o " + out.string() +
                                 " --devices 2 --n-rx 8 --n-tx 2 --solvers eigen,sdr --draws 20 --realizations 3 --save-channels");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "compare/mse_valid"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(h, "realizations/point0/alpha_valid"), std::vector<int64_t>(6, 1));
  EXPECT_GT(doubles(h, "compare/mse_mean")[0], 0.0);
}

TEST(NumericalGuardCli, MseRayleighAxisIsMasked) {
  const fs::path out = tmp("mse.h5");
  const auto r = test::run_airtp("mse -q --backend cpu -o " + out.string() +
                                 " --devices 2 --n-rx 4 --n-tx 2 --k-db -inf,3 --snr-db 0,10 --realizations 50");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "axes/k_factor_db_valid"), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(doubles(h, "axes/k_factor_db"), (std::vector<double>{0.0, 3.0}));
  EXPECT_EQ(ints(h, "mse/mean_valid"), std::vector<int64_t>(4, 1));
}

TEST(NumericalGuard, ShardOutagesRoundTripThroughTheMask) {
  const fs::path out = tmp("shard.h5");
  ShardSpec spec;
  spec.index = 1;
  spec.count = 2;
  const ShardHeader hd = make_shard_header("mse", "x = 1\n", 0, "cpu", spec, 6);
  SampleSet s;
  s.points = 2;
  s.begin = hd.begin;
  s.end = hd.end;
  ASSERT_EQ(s.count(), 3u);
  s.data["alpha"] = {1.0, INFINITY, 3.0, 4.0, 5.0, INFINITY};
  {
    ResultFile f(out.string(), RunInfo{"", "", 0, "cpu", "cpu", "shard"});
    write_shard(f, hd, s);
    f.commit();
  }
  {
    H5::H5File h(out.string(), H5F_ACC_RDONLY);
    check_all_finite(h, "/");
    EXPECT_EQ(ints(h, "samples/alpha_valid"), (std::vector<int64_t>{1, 0, 1, 1, 1, 0}));
  }
  const ShardContents c = read_shard(out.string());
  ASSERT_EQ(c.samples.data.size(), 1u);  // the mask is not a sample set
  const std::vector<double>& a = c.samples.data.at("alpha");
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0], 1.0);
  EXPECT_TRUE(std::isinf(a[1]) && a[1] > 0);
  EXPECT_EQ(a[4], 5.0);
  EXPECT_TRUE(std::isinf(a[5]) && a[5] > 0);
}

TEST(NumericalGuardCli, PplStandardErrorOfOneSampleIsMasked) {
  // One story, one realization (digital): no standard error exists; it is masked, not 0 or NaN.
  const fs::path out = tmp("ppl.h5");
  const auto r = test::run_airtp("ppl -N 2 --scheme digital --bits 8 --max-stories 1 -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "clean/valid"), (std::vector<int64_t>{1, 0}));  // estimate defined, se not
  EXPECT_EQ(ints(h, "points/se_valid"), std::vector<int64_t>{0});
  EXPECT_EQ(ints(h, "points/estimate_valid"), std::vector<int64_t>{1});
  H5::DataSet se = h.openDataSet("points/kl_se");
  EXPECT_EQ(str_attr(se, "masked_by"), "points/se_valid");
  EXPECT_GT(doubles(h, "clean/ppl")[0], 1.0);
}
