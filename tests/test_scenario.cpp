// One scenario for every experiment (SPEC §1-§5, host/scenario/): the same seed and scenario
// give the same channels in `mse`, `compare`, `assign` and `ppl` (bit for bit, as stored by
// --save-channels and as drawn by the commands' plans), and the model share m enters every
// device's energy per slot: E_n = c_n L / L_0, c_n = P_n^max - e_n m_n s_tot,
// P_n^max = P ceil(L_0 / L) / B, checked against that closed form; an m that leaves a device
// no energy or breaks its memory is refused naming the device and the constraint; --m FILE
// reads an `airtp assign` result.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "host/assign/assign.hpp"
#include "host/common/errors.hpp"
#include "host/model/ppl_run.hpp"
#include "host/scenario/device.hpp"
#include "host/scenario/scenario.hpp"
#include "host/solvers/compare.hpp"
#include "host/sweep/mse.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using namespace airtp;
using airtp::test::run_airtp;
namespace fs = std::filesystem;

namespace {

fs::path dir() { return test::scratch_dir("scenario"); }
std::string tmp(const std::string& name) { return (dir() / name).string(); }

SampleSet run_quiet(const RunPlan& plan) {
  RunControl ctl;
  ctl.quiet = true;
  return run_plan(plan, ctl);
}

// Everything of a link's channel parameters that decides its draws.
void expect_same_channel(const ChannelParams& a, const ChannelParams& b) {
  ASSERT_EQ(a.n_dev, b.n_dev);
  EXPECT_EQ(a.n_rx, b.n_rx);
  EXPECT_EQ(a.n_tx, b.n_tx);
  EXPECT_EQ(a.k_factor, b.k_factor);
  EXPECT_EQ(a.csi_nmse, b.csi_nmse);
  EXPECT_EQ(a.key.seed, b.key.seed);
  EXPECT_EQ(a.key.stream, b.key.stream);
  EXPECT_EQ(a.key.purpose, b.key.purpose);
  EXPECT_EQ(a.csi_key.seed, b.csi_key.seed);
  for (int n = 0; n < a.n_dev; ++n) {
    EXPECT_EQ(a.beta[n], b.beta[n]) << n;
    EXPECT_EQ(a.theta[n], b.theta[n]) << n;
    EXPECT_EQ(a.phi[n], b.phi[n]) << n;
    EXPECT_EQ(a.n_tx_dev[n], b.n_tx_dev[n]) << n;
  }
}

// The scenario of the cross-command tests: heterogeneous devices in physical mode at one
// power, imperfect CSI, N = 2 and 3.
void heterogeneous(Scenario& s) {
  s.seed = 21;
  s.devices = "2*phone+laptop+jetson";
  s.n_devices = {2, 3};
  s.n_rx = {8};
  s.n_tx = {2};
  s.k_db = {3};
  s.csi_nmse = {0.05};
  s.noise_mode = "physical";
  s.tx_power_dbm = {20};
}

}  // namespace

// The commands' experiments build the same links from the same scenario: the same topology,
// fading keys and CSI error, and the same energies per slot.
TEST(OneScenario, EveryCommandBuildsTheSameLinks) {
  MseConfig m;
  heterogeneous(m.scenario);
  CompareConfig c;
  heterogeneous(c.scenario);
  const MseExperiment me = make_mse(m, Backend::cpu);
  const CompareExperiment ce = make_compare(c, Backend::cpu);
  ASSERT_EQ(me.links.size(), 2u);
  ASSERT_EQ(ce.links.size(), 2u);
  PplConfig p;
  heterogeneous(p.scenario);
  p.max_stories = 1;
  p.run.realizations = 1;
  const std::unique_ptr<PplExperiment> pe = make_ppl(p, Backend::cpu);
  ASSERT_EQ(pe->links.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    expect_same_channel(me.links[i].ch, ce.links[i].ch);
    expect_same_channel(me.links[i].ch, pe->links[i].ch);
    EXPECT_EQ(me.links[i].slot_energy, ce.links[i].slot_energy);
    EXPECT_EQ(me.links[i].slot_energy, pe->links[i].slot_energy);
    EXPECT_EQ(me.links[i].sigma2, pe->links[i].sigma2);
  }
  // assign optimises one point: N = 3 of the same scenario.
  AssignConfig a;
  heterogeneous(a.scenario);
  a.scenario.n_devices = {3};
  const Link al = assign_link(a);
  expect_same_channel(al.ch, me.links[1].ch);
  // Its training channels are the others' realizations (stream 0) at the uniform m.
  const AlphaParams ap = assign_params(al, std::vector<double>(3, 1.0 / 3), kStreamTrain);
  const AlphaParams mp = alpha_params(me.links[1], 0);
  for (int n = 0; n < 3; ++n) EXPECT_NEAR(ap.slot_energy[n], mp.slot_energy[n], 1e-15 * mp.slot_energy[n]);
}

// mse's samples are compare's for the same solver on the same realizations: alpha and the
// misalignment of imperfect CSI, bit for bit.
TEST(OneScenario, MseSamplesAreComparesAlphas) {
  MseConfig m;
  heterogeneous(m.scenario);
  m.run.realizations = 40;
  m.schemes = {"aircomp:eigen", "aircomp:random", "aircomp:fast"};
  CompareConfig c;
  heterogeneous(c.scenario);
  c.run.realizations = 40;
  c.solvers = {"eigen", "random", "fast"};
  c.lower_bound = false;
  const MseExperiment me = make_mse(m, Backend::cpu);
  const CompareExperiment ce = make_compare(c, Backend::cpu);
  const SampleSet ms = run_quiet(me.plan), cs = run_quiet(ce.plan);
  int compared = 0;
  for (size_t s = 0; s < c.solvers.size(); ++s)
    for (size_t p = 0; p < 2; ++p) {
      const std::string mj = "aircomp_" + c.solvers[s], cj = "solver" + std::to_string(s) + "_" + c.solvers[s];
      EXPECT_EQ(ms.at(mj + "/alpha", p), cs.at(cj + "/alpha", p)) << c.solvers[s] << " point " << p;
      EXPECT_EQ(ms.at(mj + "/misalignment", p), cs.at(cj + "/misalignment", p)) << c.solvers[s] << " point " << p;
      for (double x : ms.at(mj + "/misalignment", p)) compared += x > 0;
    }
  EXPECT_GT(compared, 100) << "imperfect CSI: the misalignment is part of what agrees";
}

// The same end to end: mse's mean MSE is compare's, and compare's stored per-realization alpha
// is what the mean is made of.
TEST(OneScenario, MseAndCompareFilesAgree) {
  const std::string common = " -q -N 2,3 --n-rx 8 --n-tx 2 --snr-db 0,10 -R 25 --seed 8 ";
  const std::string m = tmp("agree_mse.h5"), c = tmp("agree_cmp.h5");
  auto r = run_airtp("mse" + common + "--solver eigen -o " + m);
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_airtp("compare" + common + "--solvers eigen --save-channels -o " + c);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto mean = test::read_doubles(m, "mse/mean"), cmean = test::read_doubles(c, "compare/mse_mean");
  ASSERT_EQ(mean.size(), 4u);
  ASSERT_EQ(cmean.size(), 4u);
  for (size_t p = 0; p < 2; ++p) {
    std::vector<hsize_t> shape;
    const auto alpha = test::read_doubles(c, "compare/channels/p" + std::to_string(p) + "/alpha", &shape);
    ASSERT_EQ(shape, (std::vector<hsize_t>{1, 25}));
    double sum = 0;
    for (double a : alpha) sum += a;
    for (size_t j = 0; j < 2; ++j) {
      const double sigma2 = j == 0 ? 1.0 : 0.1;
      EXPECT_NEAR(mean[p * 2 + j], sigma2 * sum / 25, 1e-12 * mean[p * 2 + j]);
      EXPECT_NEAR(cmean[p * 2 + j], mean[p * 2 + j], 1e-12 * mean[p * 2 + j]);
    }
  }
}

// The channels `compare --save-channels` stores are the ones `ppl --save-channels` stores for
// the same seed and scenario: compare's realizations 0..K-1 are ppl's realization 0 at token
// positions 0..K-1 (coherence token), bit for bit, at every link point.
TEST(OneScenario, CompareAndPplStoreTheSameChannels) {
  const std::string common = " -q --devices 2*phone+laptop+jetson -N 2,3 --n-rx 6 --n-tx 2 --noise-mode physical "
                             "--tx-power-dbm 20 --seed 13 --save-channels ";
  const std::string c = tmp("chan_cmp.h5"), p = tmp("chan_ppl.h5");
  const int K = 20;
  auto r = run_airtp("compare" + common + "--solvers eigen -R " + std::to_string(K) + " -o " + c);
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_airtp("ppl" + common + "--schemes aircomp --solver eigen -R 2 --max-stories 1 -o " + p);
  ASSERT_EQ(r.code, 0) << r.output;
  for (int pt = 0; pt < 2; ++pt) {
    SCOPED_TRACE("point " + std::to_string(pt));
    const int N = pt == 0 ? 2 : 3;
    std::vector<hsize_t> cs, ps;
    const auto hc = test::read_doubles(c, "compare/channels/p" + std::to_string(pt) + "/channels", &cs);
    const auto hp = test::read_doubles(p, "ppl/channels/p" + std::to_string(pt) + "/channels", &ps);
    ASSERT_EQ(cs, (std::vector<hsize_t>{(hsize_t)K, (hsize_t)N, 6, 2, 2}));
    ASSERT_EQ(ps.size(), 6u);
    ASSERT_EQ(ps[0], 2u);
    ASSERT_GE(ps[1], (hsize_t)K) << "the story is shorter than the compared realizations";
    EXPECT_EQ(std::vector<hsize_t>(ps.begin() + 2, ps.end()), (std::vector<hsize_t>{(hsize_t)N, 6, 2, 2}));
    EXPECT_EQ(test::dim_names(p, "ppl/channels/p" + std::to_string(pt) + "/channels"),
              (std::vector<std::string>{"realization", "position", "device", "rx_antenna", "tx_antenna", "re_im"}));
    const size_t per = (size_t)N * 6 * 2 * 2;
    // Realization 0, positions 0..K-1 of ppl = compare's first K realizations.
    EXPECT_TRUE(std::equal(hc.begin(), hc.end(), hp.begin())) << "bit for bit";
    // Realization 1 of ppl starts at channel index seq_len (512): not compare's realization K.
    EXPECT_FALSE(std::equal(hp.begin() + (long)(ps[1] * per), hp.begin() + (long)(ps[1] * per + per), hc.begin()));
    // Physical mode: the channels carry the presets' path loss (phone at 40 m: beta = 1e-3 40^-3).
    double e = 0;
    for (size_t k = 0; k < 6 * 2 * 2; ++k) e += hc[k] * hc[k];  // device 0 of realization 0
    EXPECT_LT(e, 100 * 12 * 1e-3 * std::pow(40.0, -3.0));
    EXPECT_GT(e, 0.01 * 12 * 1e-3 * std::pow(40.0, -3.0));
  }
}

// ---- the model share enters the link --------------------------------------------------

namespace {

// The closed form: per device, E_n = c_n L / L_0 with c_n = P ceil(L_0/L)/B - e_n m_n s_tot.
struct Presets {
  double e[4] = {3e-11, 3e-11, 2e-11, 2.5e-11};  // phone, phone, laptop, jetson (J per parameter)
  double d[4] = {40, 40, 60, 50};                // their distances (m)
};

}  // namespace

TEST(ModelShare, SlotEnergiesAreTheClosedForm) {
  Scenario s;
  s.devices = "2*phone+laptop+jetson";
  s.n_devices = {4};
  s.noise_mode = "physical";
  s.tx_power_dbm = {18, 20};
  s.m = {"0.1,0.2,0.3,0.4"};
  const Link l = make_link(s, link_points(s).at(0));
  const Presets pr;
  const double stot = 2.0 * 64 * 64 + 2.0 * 64 * 32 + 3.0 * 64 * 172;  // stories260K: 45,312
  const double L0 = 32, L = 4, slots = 8, B = 1e6;
  ASSERT_EQ(l.l0, 32);
  ASSERT_EQ(l.L, 4);
  ASSERT_EQ(l.slots, 8);
  EXPECT_FALSE(l.scalable) << "computation energy: the split between devices changes with the power";
  const double m[4] = {0.1, 0.2, 0.3, 0.4};
  for (size_t j = 0; j < 2; ++j) {
    const double P = std::pow(10.0, ((j == 0 ? 18.0 : 20.0) - 30) / 10);
    for (int n = 0; n < 4; ++n) {
      const double pmax = P * slots / B, c = pmax - pr.e[n] * m[n] * stot;
      EXPECT_NEAR(l.budget[j][n], pmax, 1e-14 * pmax);
      EXPECT_NEAR(l.slot_energy[j][n], c * L / L0, 1e-12 * pmax) << "level " << j << " device " << n;
      EXPECT_NEAR(residual_energy(l, n, m[n], j), c, 1e-12 * pmax);
    }
    EXPECT_NEAR(l.sigma2[j], std::pow(10.0, (-174.0 + 7 - 30) / 10), 1e-30);
  }
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(l.ch.beta[n], 1e-3 * std::pow(pr.d[n], -3.0), 1e-12 * l.ch.beta[n]);
  // slot_energies (the assignment loop's) is the same closed form at another m.
  const std::vector<double> e = slot_energies(l, {0.25, 0.25, 0.25, 0.25}, 1);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(e[n], (0.1 * 8 / 1e6 - pr.e[n] * 0.25 * stot) * L / L0, 1e-12 * 0.1 * 8 / 1e6);
  // Normalised mode: E_n = c_n / P_n^max (1 for a device that computes nothing).
  s.noise_mode = "normalised";
  s.snr_db = {10};
  s.tx_power_dbm = {20};
  const Link ln = make_link(s, link_points(s).at(0));
  for (int n = 0; n < 4; ++n) {
    const double pmax = 0.1 * 8 / 1e6;
    EXPECT_NEAR(ln.slot_energy[0][n], (pmax - pr.e[n] * m[n] * stot) / pmax, 1e-12);
    EXPECT_EQ(ln.ch.beta[n], 1.0);
  }
  EXPECT_NEAR(ln.sigma2[0], 0.1, 1e-15);
}

// `airtp mse` with devices that compute: the mean MSE at every m and power is
// sigma^2 E[max_n f_n(G) / E_n(m)] with the eigen design G (which does not depend on the
// energies) and the closed-form E_n, recomputed from the channels here.
TEST(ModelShare, MseChangesWithMAsTheClosedFormPredicts) {
  const std::string out = tmp("share.h5");
  const int R = 60;
  const auto r = run_airtp("mse -q --devices 2*phone+laptop+jetson --noise-mode physical --tx-power-dbm 18,20 "
                           "--n-rx 8 --n-tx 2 --solver eigen --seed 6 -R " + std::to_string(R) +
                           " --m '0.25,0.25,0.25,0.25;0.1,0.1,0.4,0.4;0.4,0.4,0.1,0.1' -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  std::vector<hsize_t> shape;
  const auto mean = test::read_doubles(out, "mse/mean", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{1, 1, 3, 1, 1, 1, 1, 1, 2}));
  EXPECT_EQ(test::dim_names(out, "mse/mean")[2], "assignment");
  EXPECT_EQ(test::read_strings(out, "mse/assignment"),
            (std::vector<std::string>{"0.25,0.25,0.25,0.25", "0.1,0.1,0.4,0.4", "0.4,0.4,0.1,0.1"}));
  // The channels and designs of the scenario (N = 4, N_r = 8, N_t = L = 2).
  Scenario s;
  s.seed = 6;
  s.devices = "2*phone+laptop+jetson";
  s.n_devices = {4};
  s.n_rx = {8};
  s.n_tx = {2};
  s.noise_mode = "physical";
  s.tx_power_dbm = {18};
  const Link l = make_link(s, link_points(s).at(0));
  AlphaParams p = alpha_params(l, 0);
  p.design = kDesignEigen;
  std::vector<double> a(R), f(R * 4);
  std::vector<std::complex<double>> G(R * 8 * 2);
  design_batch_cpu(p, 0, R, a.data(), nullptr, G.data());
  device_terms_cpu(p, G.data(), 0, R, f.data());
  const Presets pr;
  const double stot = 45312, ms[3][4] = {{0.25, 0.25, 0.25, 0.25}, {0.1, 0.1, 0.4, 0.4}, {0.4, 0.4, 0.1, 0.1}};
  const double sigma2 = std::pow(10.0, (-174.0 + 7 - 30) / 10);
  std::vector<double> want(6);
  for (int mi = 0; mi < 3; ++mi)
    for (int j = 0; j < 2; ++j) {
      const double P = std::pow(10.0, ((j == 0 ? 18.0 : 20.0) - 30) / 10);
      double E[4];
      for (int n = 0; n < 4; ++n) E[n] = (P * (32 / 2) / 1e6 - pr.e[n] * ms[mi][n] * stot) * 2 / 32;
      double sum = 0;
      for (int i = 0; i < R; ++i) {
        double mx = 0;
        for (int n = 0; n < 4; ++n) mx = std::max(mx, f[i * 4 + n] / E[n]);
        sum += sigma2 * mx;
      }
      want[mi * 2 + j] = sum / R;
      EXPECT_NEAR(mean[mi * 2 + j], want[mi * 2 + j], 1e-9 * want[mi * 2 + j]) << "m " << mi << " power " << j;
    }
  // And the share matters: the three assignments differ by more than 5% at each power.
  for (int j = 0; j < 2; ++j)
    for (int a = 0; a < 3; ++a)
      for (int b = a + 1; b < 3; ++b) EXPECT_GT(std::fabs(want[a * 2 + j] / want[b * 2 + j] - 1), 0.05) << a << " " << b;
}

// An m that leaves a device no energy to transmit, or more of the model than its memory
// holds, is refused before any work (exit 2), naming the device and the constraint.
TEST(ModelShare, ImpossibleSharesAreRefusedNamingDeviceAndConstraint) {
  const std::string never = tmp("never.h5");
  // At 15 dBm a phone's all-reduce budget is 2.53e-7 J; 0.4 of a layer costs it 5.44e-7 J.
  auto r = run_airtp("mse -q --devices 2*phone+laptop+jetson --noise-mode physical --tx-power-dbm 20,15 -R 2 "
                     "--m 0.4,0.2,0.2,0.2 -o " + never);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("m (--m): '0.4,0.2,0.2,0.2' leaves device[0] (phone) no energy to transmit at tx_power_dbm = 15"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("c_n = P_n^max - e_n m_n s_tot"), std::string::npos) << r.output;
  // Memory: stories260K's split layers take 45,312 x 5 parameters at its bytes per parameter;
  // device 1 holds 1 kB.
  const fs::path cfg = dir() / "memory.toml";
  std::ofstream(cfg) << "[[device]]\npreset = \"laptop\"\n[[device]]\npreset = \"jetson\"\nmemory_bytes = 1000\n";
  for (const std::string cmd : {"mse", "compare", "ppl"}) {
    r = run_airtp(cmd + " -q " + cfg.string() + " -R 1" + (cmd == "ppl" ? " --max-stories 1" : "") + " -o " + never);
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r.output;
    EXPECT_NE(r.output.find("device[1] (jetson)"), std::string::npos) << cmd << "\n" << r.output;
    EXPECT_NE(r.output.find("but its memory_bytes is 1000"), std::string::npos) << cmd << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(never));
  // The API: make_link throws InputError, and the assignment loop can opt out of the checks.
  Scenario s;
  s.device_tables = {device_preset("laptop", "t"), device_preset("jetson", "t")};
  s.device_tables[1].memory_bytes = 1000;
  s.n_devices = {2};
  EXPECT_THROW(make_link(s, link_points(s).at(0)), InputError);
  EXPECT_NO_THROW(make_link(s, link_points(s).at(0), false));
}

// --m FILE takes an `airtp assign` result's assign/final_m: the same numbers as the shares
// written out, in every command that reads m.
TEST(ModelShare, MFileReadsAnAssignResult) {
  const std::string a = tmp("assign_m.h5");
  auto r = run_airtp("assign -q --solver eigen --iterations 3 --batch 8 --validation 8 --seed 2 -o " + a);
  ASSERT_EQ(r.code, 0) << r.output;
  const std::vector<double> m = test::read_doubles(a, "assign/final_m");
  ASSERT_EQ(m.size(), 4u);
  std::vector<Device> devs = parse_device_mix("2*phone+laptop+jetson", "t");
  const std::vector<double> back = resolve_assignment(a, devs, "m (--m)");
  ASSERT_EQ(back.size(), 4u);
  for (int n = 0; n < 4; ++n) EXPECT_EQ(back[n], m[n]);
  char text[200];
  std::snprintf(text, sizeof text, "%.17g,%.17g,%.17g,%.17g", m[0], m[1], m[2], m[3]);
  const std::string common = " -q --devices 2*phone+laptop+jetson --noise-mode physical --n-rx 8 --n-tx 2 --solver eigen -R 20 ";
  const std::string f1 = tmp("m_file.h5"), f2 = tmp("m_text.h5");
  r = run_airtp("mse" + common + "--m " + a + " -o " + f1);
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_airtp("mse" + common + "--m " + std::string(text) + " -o " + f2);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(test::read_strings(f1, "mse/assignment"), std::vector<std::string>{a});
  const auto v1 = test::read_doubles(f1, "mse/mean"), v2 = test::read_doubles(f2, "mse/mean");
  ASSERT_EQ(v1.size(), v2.size());
  for (size_t i = 0; i < v1.size(); ++i) EXPECT_NEAR(v1[i], v2[i], 1e-12 * v2[i]);
  // The file must be an assign result for as many devices as the point has.
  r = run_airtp("mse" + common + "-N 3 --m " + a + " -o " + tmp("never.h5"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("m (--m): the assignment in '" + a + "' is for 4 devices, this point has 3"), std::string::npos)
      << r.output;
  r = run_airtp("mse" + common + "--m " + f2 + " -o " + tmp("never.h5"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("is not an 'airtp assign' result"), std::string::npos) << r.output;
  r = run_airtp("mse" + common + "--m " + tmp("absent.h5") + " -o " + tmp("never.h5"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("m (--m)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp("never.h5")));
}

TEST(ModelShare, NamedAssignmentsAndExplicitShares) {
  const std::vector<Device> d = parse_device_mix("2*phone+laptop+jetson", "t");
  EXPECT_EQ(resolve_assignment("uniform", d, "m"), std::vector<double>(4, 0.25));
  const double f = 2e12 + 2e12 + 1e13 + 5e12, mem = 4e9 + 4e9 + 16e9 + 8e9;
  const auto c = resolve_assignment("compute", d, "m"), m = resolve_assignment("memory", d, "m");
  for (int n = 0; n < 4; ++n) {
    EXPECT_DOUBLE_EQ(c[n], d[n].flops / f);
    EXPECT_DOUBLE_EQ(m[n], d[n].memory_bytes / mem);
  }
  EXPECT_EQ(resolve_assignment("0.5,0.25,0.125,0.125", d, "m"), (std::vector<double>{0.5, 0.25, 0.125, 0.125}));
  EXPECT_THROW(resolve_assignment("0.5,0.5", d, "m"), InputError);
  EXPECT_THROW(resolve_assignment("0.5,0.6,-0.1,0", d, "m"), InputError);
  EXPECT_THROW(resolve_assignment("0.5,0.5,0.5,0.5", d, "m"), InputError);
}
