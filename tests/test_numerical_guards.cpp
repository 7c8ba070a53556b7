// Result files hold no NaN or Inf: undefined values (infeasible points, outages, missing
// bounds, Rayleigh's -inf dB) are written as 0 with a mask named by the attribute masked_by.
#include <gtest/gtest.h>
#include <H5Cpp.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "host/runs/shard_file.hpp"
#include "host/solvers/compare.hpp"
#include "host/sweep/mse.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

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
                                 " --model llama2-70b -N 1,2,8 --schemes aircomp,digital,centralised");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  EXPECT_GT(check_all_finite(h, "/"), 6);
  std::vector<hsize_t> shape;
  const auto feas = test::read_ints(out.string(), "latency/feasible", &shape);
  const auto tot = doubles(h, "latency/total_ms");
  // model x assignment x bandwidth_hz x tx_power_dbm x scheme x n_devices
  ASSERT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 3, 3}));
  // aircomp: N = 1 infeasible, N = 2, 8 feasible; centralised never.
  EXPECT_EQ(feas, (std::vector<int64_t>{0, 1, 1, 0, 1, 1, 0, 0, 0}));
  for (size_t i = 0; i < feas.size(); ++i) EXPECT_EQ(tot[i] > 0, feas[i] == 1) << i;
  H5::DataSet ds = h.openDataSet("latency/total_ms");
  EXPECT_EQ(str_attr(ds, "masked_by"), "latency/feasible");
  EXPECT_EQ(str_attr(ds, "units"), "ms");
  // The speedup over centralised is undefined everywhere (centralised never fits).
  EXPECT_EQ(ints(h, "latency/speedup_vs_centralised_valid"), std::vector<int64_t>(9, 0));
  const auto dig_ok = ints(h, "latency/speedup_vs_digital_valid");
  EXPECT_EQ(dig_ok, (std::vector<int64_t>{0, 1, 1, 0, 1, 1, 0, 0, 0}));
}

namespace {

// Outages cannot be produced from the command line any more (the scenario refuses links with
// fewer antennas than streams), so the writers are checked on samples with outages put in:
// +inf alpha is an outage, counted and masked, never written.
CompareConfig outage_compare(const std::vector<std::string>& solvers) {
  CompareConfig c;
  c.scenario.n_devices = {2};
  c.scenario.n_rx = {8};
  c.scenario.n_tx = {2};
  c.solvers = solvers;
  c.solver_options.draws = 20;
  c.lower_bound = false;
  c.save_channels = true;
  c.run.realizations = 3;
  return c;
}

SampleSet run_quiet(const RunPlan& plan) {
  RunControl ctl;
  ctl.quiet = true;
  return run_plan(plan, ctl);
}

}  // namespace

TEST(NumericalGuard, CompareOutagesAndMissingBoundsAreMasked) {
  const CompareConfig c = outage_compare({"eigen"});
  const CompareExperiment e = make_compare(c, Backend::cpu);
  SampleSet s = run_quiet(e.plan);
  for (double& a : s.streams.at("solver0_eigen/alpha").points.at(0).values) a = INFINITY;
  const fs::path out = tmp("compare.h5");
  {
    ResultFile f(out.string(), RunInfo{"", "", 0, "cpu", "cpu", "compare"});
    write_compare(c, e, s, f, true);
    f.commit();
  }
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "compare/outages"), std::vector<int64_t>{3});
  EXPECT_EQ(ints(h, "compare/mse_valid"), std::vector<int64_t>{0});
  EXPECT_EQ(ints(h, "compare/vs_sdr_valid"), std::vector<int64_t>{0});  // sdr not run
  EXPECT_EQ(ints(h, "compare/lower_bound_mse_mean_valid"), std::vector<int64_t>{0});  // not computed
  EXPECT_EQ(ints(h, "compare/lower_bound_failures"), std::vector<int64_t>{3});
  EXPECT_EQ(ints(h, "compare/channels/p0/alpha_valid"), std::vector<int64_t>(3, 0));
  H5::DataSet a = h.openDataSet("compare/channels/p0/alpha");
  EXPECT_EQ(str_attr(a, "masked_by"), "compare/channels/p0/alpha_valid");
}

TEST(NumericalGuardCli, CompareWithoutOutagesHasAllMasksSet) {
  const fs::path out = tmp("compare_ok.h5");
  const auto r = test::run_airtp("compare -q --backend cpu -o " + out.string() +
                                 " -N 2 --n-rx 8 --n-tx 2 --solvers eigen,sdr --draws 20 --realizations 3 --save-channels");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "compare/mse_valid"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(h, "compare/vs_sdr_valid"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(h, "compare/channels/p0/alpha_valid"), std::vector<int64_t>(6, 1));
  EXPECT_GT(doubles(h, "compare/mse_mean")[0], 0.0);
  // SDR against itself: ratio 1, every realization a (tied) win.
  EXPECT_EQ(doubles(h, "compare/ratio_to_sdr_median")[1], 1.0);
  EXPECT_EQ(doubles(h, "compare/win_rate_vs_sdr")[1], 1.0);
}

TEST(NumericalGuard, MseOutagesAreCountedAndLeftOut) {
  MseConfig c;
  c.scenario.n_devices = {2};
  c.scenario.n_rx = {6};
  c.scenario.n_tx = {2};
  c.scenario.snr_db = {0, 10};
  c.solver = "eigen";
  c.run.realizations = 5;
  const MseExperiment e = make_mse(c, Backend::cpu);
  SampleSet s = run_quiet(e.plan);
  std::vector<double>& a = s.streams.at("aircomp_eigen/alpha").points.at(0).values;
  const std::vector<double> kept{a[1], a[3], a[4]};
  a[0] = a[2] = INFINITY;
  const fs::path out = tmp("mse_outage.h5");
  {
    ResultFile f(out.string(), RunInfo{"", "", 0, "cpu", "cpu", "mse"});
    write_mse(c, e, s, f);
    f.commit();
  }
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "mse/outages"), std::vector<int64_t>{2});
  EXPECT_EQ(ints(h, "mse/realizations"), std::vector<int64_t>{5});
  const auto mean = doubles(h, "mse/mean");
  ASSERT_EQ(mean.size(), 2u);
  const double sigma2 = 1.0;  // 0 dB
  EXPECT_NEAR(mean[0], sigma2 * (kept[0] + kept[1] + kept[2]) / 3, 1e-12 * mean[0]);
  EXPECT_NEAR(mean[1], mean[0] / 10, 1e-12 * mean[0]);
  // All outages: the mean is undefined (masked), not 0/0.
  for (double& x : a) x = INFINITY;
  const fs::path out2 = tmp("mse_all_outage.h5");
  {
    ResultFile f(out2.string(), RunInfo{"", "", 0, "cpu", "cpu", "mse"});
    write_mse(c, e, s, f);
    f.commit();
  }
  H5::H5File h2(out2.string(), H5F_ACC_RDONLY);
  check_all_finite(h2, "/");
  EXPECT_EQ(ints(h2, "mse/mean_valid"), std::vector<int64_t>(2, 0));
  EXPECT_EQ(ints(h2, "mse/stderr_valid"), std::vector<int64_t>(2, 0));
  EXPECT_EQ(ints(h2, "mse/misalignment_valid"), std::vector<int64_t>{0});
}

TEST(NumericalGuardCli, MseRayleighAxisIsMasked) {
  const fs::path out = tmp("mse.h5");
  const auto r = test::run_airtp("mse -q --backend cpu -o " + out.string() +
                                 " -N 2 --n-rx 4 --n-tx 2 --k-db -inf,3 --snr-db 0,10 --realizations 50");
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "mse/k_db_valid"), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(doubles(h, "mse/k_db"), (std::vector<double>{0.0, 3.0}));
  // The K axis itself is linear: Rayleigh is K = 0.
  const auto k = doubles(h, "mse/k_factor");
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0], 0.0);
  EXPECT_NEAR(k[1], std::pow(10.0, 0.3), 1e-12);
  EXPECT_EQ(ints(h, "mse/mean_valid"), std::vector<int64_t>(4, 1));
}

TEST(NumericalGuard, ShardOutagesRoundTripThroughTheMask) {
  const fs::path out = tmp("shard.h5");
  ShardSpec spec;
  spec.index = 1;
  spec.count = 2;
  spec.given = true;
  const ShardHeader hd = make_shard_header("mse", "x = 1\n", 0, "cpu", spec);
  SampleSet s;
  SampleStream& st = s.streams["aircomp_fast/alpha"];
  st.width = 1;
  st.points.resize(2);
  st.points[0] = PointSamples{3, 3, {1.0, INFINITY, 3.0}};
  st.points[1] = PointSamples{3, 3, {4.0, 5.0, INFINITY}};
  {
    ResultFile f(out.string(), RunInfo{"", "x = 1\n", 0, "cpu", "cpu", "shard"});
    write_shard(f, hd, s);
    f.commit();
  }
  {
    H5::H5File h(out.string(), H5F_ACC_RDONLY);
    check_all_finite(h, "/");
    EXPECT_EQ(ints(h, "samples/s0/values_valid"), (std::vector<int64_t>{1, 0, 1, 1, 1, 0}));
  }
  const ShardContents c = read_shard(out.string());
  EXPECT_EQ(c.header.shard_of, "mse");
  EXPECT_EQ(c.header.index, 1);
  EXPECT_EQ(c.header.count, 2);
  EXPECT_EQ(c.header.fingerprint, config_fingerprint("x = 1\n"));
  ASSERT_EQ(c.samples.streams.size(), 1u);  // the mask is not a sample stream
  const SampleStream& back = c.samples.stream("aircomp_fast/alpha");
  ASSERT_EQ(back.points.size(), 2u);
  EXPECT_EQ(back.points[1].begin, 3u);
  EXPECT_EQ(back.points[1].count, 3u);
  const std::vector<double>& a = back.points[0].values;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], 1.0);
  EXPECT_TRUE(std::isinf(a[1]) && a[1] > 0);
  EXPECT_EQ(back.points[1].values[1], 5.0);
  EXPECT_TRUE(std::isinf(back.points[1].values[2]) && back.points[1].values[2] > 0);
}

TEST(NumericalGuardCli, PplStandardErrorOfOneSampleIsMasked) {
  // One story, one realization (digital): no standard error exists; it is masked, not 0 or NaN.
  const fs::path out = tmp("ppl.h5");
  const auto r = test::run_airtp("ppl -N 2 --schemes digital --bits 8 --max-stories 1 -R 1 -q -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  H5::H5File h(out.string(), H5F_ACC_RDONLY);
  check_all_finite(h, "/");
  EXPECT_EQ(ints(h, "ppl/clean_valid"), (std::vector<int64_t>{1, 0}));  // estimate defined, se not
  // curve x link axes x snr_db (4 SNRs by default; digital does not depend on them)
  EXPECT_EQ(ints(h, "ppl/metrics_se_valid"), std::vector<int64_t>(4, 0));
  EXPECT_EQ(ints(h, "ppl/metrics_valid"), std::vector<int64_t>(4, 1));
  EXPECT_EQ(ints(h, "ppl/mean_alpha_valid"), std::vector<int64_t>(4, 0));  // no links
  H5::DataSet se = h.openDataSet("ppl/kl_se");
  EXPECT_EQ(str_attr(se, "masked_by"), "ppl/metrics_se_valid");
  EXPECT_GT(doubles(h, "ppl/clean_ppl")[0], 1.0);
}
