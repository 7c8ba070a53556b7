// Model assignment (SPEC §5): the capped-simplex surrogate minimiser against brute force, the
// active-device gradient against finite differences, SSCA on identical and heterogeneous
// devices, constraint handling, rounding, and `airtp assign` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <numeric>

#include "host/assign/assign.hpp"
#include "host/assign/rounding.hpp"
#include "host/assign/ssca.hpp"
#include "host/common/errors.hpp"
#include "host/model/tp_split.hpp"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"

using namespace airtp;
namespace fs = std::filesystem;

namespace {

// The assignment experiment's link for a device mix (otherwise its default scenario: physical
// mode, 20 dBm over 1 MHz, stories260K with s_tot = 45,312 parameters per layer, L_0 = 32).
Link link_with(const std::string& devices, double k_db = 3.0, uint64_t seed = 1,
               const std::function<void(std::vector<Device>&)>& edit = {}) {
  AssignConfig c;
  c.scenario.seed = seed;
  c.scenario.devices = devices;
  c.scenario.k_db = {k_db};
  if (edit) {
    c.scenario.device_tables = parse_device_mix(devices, "test");
    edit(c.scenario.device_tables);
  }
  c.scenario.n_devices = {(int)parse_device_mix(devices, "test").size()};
  return assign_link(c);
}

double sq_dist(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

// Cheap settings so the whole file runs in seconds on 2 cores.
SolverOptions quick_fast() {
  SolverOptions o;
  o.fast_starts = 1;
  o.fast_iters = 15;
  return o;
}

}  // namespace

TEST(AssignSurrogate, CappedSimplexProjectionMatchesBruteForce) {
  // Brute force over a fine grid of the feasible set (N = 2 and 3) against the exact
  // breakpoint projection: the projection must be feasible and no grid point closer to y.
  uint64_t state = 12345;
  auto uni = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(state >> 11) / 9007199254740992.0;
  };
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 2 + trial % 2;
    std::vector<double> y(n), cap(n);
    double csum = 0;
    for (int i = 0; i < n; ++i) y[i] = 3 * uni() - 1, cap[i] = 0.2 + 0.8 * uni(), csum += cap[i];
    // Generous caps so that the grid below meets the feasible set in many points.
    if (csum < 1.3)
      for (double& c : cap) c *= 1.3 / csum;
    const std::vector<double> m = project_capped_simplex(y, cap);
    FeasibleSet f;
    f.cap = cap;
    ASSERT_TRUE(is_feasible(m, f, 1e-12)) << "trial " << trial;
    const double d = sq_dist(m, y);
    const int steps = n == 2 ? 20000 : 600;
    double best = INFINITY;
    for (int a = 0; a <= steps; ++a) {
      if (n == 2) {  // the feasible set is the segment m0 in [max(0, 1 - cap1), min(1, cap0)]
        const double lo = std::max(0.0, 1 - cap[1]), hi = std::min(1.0, cap[0]);
        const double m0 = lo + (hi - lo) * a / steps;
        best = std::min(best, sq_dist({m0, 1 - m0}, y));
        continue;
      }
      const double m0 = (double)a / steps;
      if (m0 > cap[0]) break;
      for (int b = 0; a + b <= steps; ++b) {
        const double m1 = (double)b / steps, m2 = 1 - m0 - m1;
        if (m1 <= cap[1] && m2 <= cap[2] + 1e-12) best = std::min(best, sq_dist({m0, m1, m2}, y));
      }
    }
    // The grid is within one cell of the optimum, whose distance the projection must attain.
    EXPECT_LE(d, best + 1e-12) << "trial " << trial;
    EXPECT_GE(d, best - 4.0 / steps) << "trial " << trial;
  }
}

TEST(AssignSurrogate, MinimiserIsOptimalForTheQuadraticSurrogate) {
  // g^T (m - m0) + c ||m - m0||^2 over the capped simplex, compared with a grid at N = 3.
  const std::vector<double> m0{0.5, 0.3, 0.2}, g{2.0, -1.0, 0.5}, cap{0.6, 0.5, 0.7};
  const double c = 1.5;
  auto obj = [&](const std::vector<double>& m) {
    double v = 0;
    for (int i = 0; i < 3; ++i) v += g[i] * (m[i] - m0[i]) + c * (m[i] - m0[i]) * (m[i] - m0[i]);
    return v;
  };
  const std::vector<double> mh = minimise_surrogate(m0, g, c, cap);
  double best = INFINITY;
  const int steps = 1000;
  for (int a = 0; a <= steps; ++a)
    for (int b = 0; a + b <= steps; ++b) {
      const std::vector<double> m{(double)a / steps, (double)b / steps, 1 - (double)(a + b) / steps};
      if (m[0] <= cap[0] && m[1] <= cap[1] && m[2] <= cap[2] + 1e-12) best = std::min(best, obj(m));
    }
  EXPECT_LE(obj(mh), best + 1e-12);
  EXPECT_GE(obj(mh), best - 1e-4);
  EXPECT_NEAR(mh[0] + mh[1] + mh[2], 1.0, 1e-14);
}

TEST(AssignGradient, ActiveDeviceRuleMatchesFiniteDifferences) {
  // With the eigen design G does not depend on m, so alpha(m) = max_n f_n(G) / E_n(m) and the
  // active-device derivative alpha e_n s_tot / c_n is exact; check it per realization.
  const Link s = link_with("2*phone+laptop+jetson", 3.0, 7);
  const std::vector<double> m{0.2, 0.25, 0.35, 0.2};
  SolverOptions o;
  for (uint64_t real = 0; real < 6; ++real) {
    const SampleGrad g = sample_alpha_grad(s, m, Solver::eigen, o, real, 1, 0.0);
    ASSERT_EQ(g.used, 1);
    for (int n = 0; n < 4; ++n) {
      const double h = 1e-6;
      std::vector<double> mp = m, mm = m;
      mp[n] += h, mm[n] -= h;
      double ap, am;
      std::vector<std::complex<double>> G(20 * 4);
      solve_designs(assign_params(s, mp, kStreamTrain), Solver::eigen, o, real, 1, &ap, nullptr, G.data());
      solve_designs(assign_params(s, mm, kStreamTrain), Solver::eigen, o, real, 1, &am, nullptr, G.data());
      const double fd = (ap - am) / (2 * h);
      EXPECT_NEAR(g.grad[n], fd, 1e-6 * std::fabs(g.alpha) + 1e-6 * std::fabs(fd)) << "realization " << real << " device " << n;
    }
    // Exactly one device moves alpha.
    int nonzero = 0;
    for (double x : g.grad) nonzero += x != 0;
    EXPECT_EQ(nonzero, 1);
  }
}

TEST(AssignSsca, IdenticalDevicesConvergeToUniform) {
  // Four identical devices on Rayleigh channels are statistically exchangeable: the optimum
  // is uniform. Start far from it.
  const Link s = link_with("4*jetson", -INFINITY, 3);
  SscaOptions o;
  o.iterations = 40;
  o.batch = 48;
  o.validation = 16;
  o.validate_every = 40;
  o.m0 = {0.55, 0.25, 0.15, 0.05};
  const SscaTrace t = run_ssca(Backend::cpu, s, Solver::fast, quick_fast(), o, true);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(t.final_m[n], 0.25, 1e-2) << "device " << n;
}

namespace {
void heterogeneous_beats_every_baseline(double curvature) {
  // A memory cap that binds: the first phone (nearest to the server; unconstrained optimum near
  // 0.32 with these presets) holds at most 25%.
  const double split = known_shape("stories260K").split_bytes();
  const Link s = link_with("2*phone+laptop+jetson", 3.0, 5, [&](std::vector<Device>& d) { d[0].memory_bytes = 0.25 * split; });
  ASSERT_EQ(s.shape.split_bytes(), split);
  SscaOptions o;
  o.iterations = 30;
  o.batch = 32;
  o.validation = 192;
  o.validate_every = 30;
  if (curvature > 0) o.curvature = curvature;
  const SolverOptions so = quick_fast();
  const SscaTrace t = run_ssca(Backend::cpu, s, Solver::fast, so, o, true);
  const FeasibleSet f = feasible_set(s, o.energy_margin);
  ASSERT_TRUE(is_feasible(t.final_m, f, 1e-12));
  EXPECT_LE(t.final_m[0], 0.25 + 1e-12);
  EXPECT_GT(t.final_m[0], 0.23);  // and the optimum presses against it
  for (int n = 0; n < 4; ++n) {
    EXPECT_GT(residual_energy(s, n, t.final_m[n], 0), 0) << "device " << n;
    EXPECT_LE(t.final_m[n] * s.shape.split_bytes(), s.devices[n].memory_bytes * (1 + 1e-12)) << "device " << n;
  }
  const Level mine = validation_level(Backend::cpu, s, t.final_m, Solver::fast, so, o.validation, f);
  ASSERT_TRUE(std::isfinite(mine.mse));
  EXPECT_DOUBLE_EQ(mine.mse, t.val_mse.back());  // the curve's last point is this level
  double fsum = 0, msum = 0;
  for (const auto& d : s.devices) fsum += d.flops, msum += d.memory_bytes;
  for (int k = 0; k < 3; ++k) {
    std::vector<double> m(4);
    for (int n = 0; n < 4; ++n) m[n] = k == 0 ? 0.25 : k == 1 ? s.devices[n].flops / fsum : s.devices[n].memory_bytes / msum;
    const Level b = validation_level(Backend::cpu, s, m, Solver::fast, so, o.validation, f);
    if (!b.feasible) continue;  // proportional shares may break the jetson's memory cap
    // Same validation channels for both: allow two standard errors.
    EXPECT_LE(mine.mse, b.mse + 2 * mine.stderr_) << "baseline " << k;
  }
  // The convergence curve went down from the start.
  EXPECT_LT(t.val_mse.back(), t.val_mse.front());
}

}  // namespace

// A stiffer surrogate (curvature 3: smaller steps) converges to the same place: with the
// presets' computation energies the normalised gradient is about e_n s_tot / c_n ~ 3.
TEST(AssignSsca, HeterogeneousBeatsEveryBaselineAndMeetsConstraints) { heterogeneous_beats_every_baseline(3.0); }

// The same with the default curvature (1; with the former 0.3 the first gamma = 1 step jumped
// to m = (0.25, 0.009, 0.37, 0.38) and the validation MSE rose 20% above the uniform start).
TEST(AssignSsca, HeterogeneousWithTheDefaultCurvature) { heterogeneous_beats_every_baseline(0.0); }

TEST(AssignSsca, InfeasibleBudgetsNameDevicesAndConstraints) {
  const Link s = link_with("3*phone", 3.0, 1, [](std::vector<Device>& d) {
    d[0].energy_budget = 1e-8;
    d[1].energy_budget = 1e-8;
    d[2].memory_bytes = 1000;
  });
  SscaOptions o;
  try {
    run_ssca(Backend::cpu, s, Solver::fast, quick_fast(), o, true);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("device[0]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("device[1]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("energy budget of 1e-08 J"), std::string::npos) << msg;
    EXPECT_NE(msg.find("energy_per_param"), std::string::npos) << msg;
    EXPECT_NE(msg.find("device[2]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("memory_bytes"), std::string::npos) << msg;
  }
}

TEST(AssignSsca, StepSizeConditionsAreChecked) {
  SscaOptions o;
  o.gamma_exp = 0.6;  // gamma / rho must vanish: gamma_exp > rho_exp
  EXPECT_THROW(validate(o), InputError);
  o = SscaOptions{};
  o.rho_exp = 0.5;  // sum rho^2 would diverge
  EXPECT_THROW(validate(o), InputError);
  EXPECT_NO_THROW(validate(SscaOptions{}));
}

TEST(AssignSsca, ValidationStreamIsIndependentOfTraining) {
  const Link s = link_with("2*phone+laptop+jetson", 3.0, 9);
  const std::vector<double> m(4, 0.25);
  const AlphaParams a = assign_params(s, m, kStreamTrain), b = assign_params(s, m, kStreamValidation);
  const ChannelSet ca = channel_set(a, 0), cb = channel_set(b, 0);
  EXPECT_GT((ca.H[0] - cb.H[0]).norm(), 0.1 * ca.H[0].norm());
  // Same geometry, energies and path loss on both streams.
  for (int n = 0; n < 4; ++n) {
    EXPECT_EQ(a.slot_energy[n], b.slot_energy[n]);
    EXPECT_EQ(a.ch.beta[n], b.ch.beta[n]);
  }
  // E_n(m) = c_n(m) L / L_0 with L_0 = dim / 2 = 32 symbols, L = N_t = 4, and (no energy_budget
  // given) P_n^max = P ceil(L_0 / L) / B: 20 dBm over 8 slots of 1 MHz.
  const Device& d = s.devices[0];
  ASSERT_EQ(d.energy_budget, 0.0);
  const double pmax = 0.1 * 8 / 1e6;
  EXPECT_NEAR(s.budget[0][0], pmax, 1e-15 * pmax);
  EXPECT_NEAR(a.slot_energy[0], (pmax - d.energy_per_param * 0.25 * 45312) * 4 / 32, 1e-12 * pmax);
}

TEST(AssignRounding, LargestRemainderAndWholeKvGroups) {
  EXPECT_EQ(largest_remainder({0.5, 0.3, 0.2}, 10), (std::vector<int>{5, 3, 2}));
  EXPECT_EQ(largest_remainder({0.33, 0.33, 0.34}, 4), (std::vector<int>{1, 1, 2}));
  EXPECT_EQ(largest_remainder({0.5, 0.5}, 3), (std::vector<int>{2, 1}));  // tie to the lower index
  const ModelShape s = known_shape("stories260K");  // 8 heads in 4 KV groups, 172 neurons
  const RoundedSplit r = round_split({0.05, 0.62, 0.33}, s);
  EXPECT_EQ(r.kv_heads, (std::vector<int>{0, 3, 1}));  // 0.2, 2.48, 1.32 groups
  EXPECT_EQ(r.heads, (std::vector<int>{0, 6, 2}));
  EXPECT_EQ(r.neurons, (std::vector<int>{8, 107, 57}));  // 8.6, 106.64, 56.76
  EXPECT_NEAR(std::accumulate(r.param_share.begin(), r.param_share.end(), 0.0), 1.0, 1e-12);
  // More devices than KV heads: query heads rounded, KV heads replicated.
  const RoundedSplit q = round_split(std::vector<double>(8, 0.125), s);
  EXPECT_EQ(q.heads, std::vector<int>(8, 1));
  EXPECT_EQ(q.kv_heads, std::vector<int>(8, 1));
}

TEST(AssignDevices, MixesPresetsAndModelShapes) {
  const auto d = parse_device_mix("2*phone + laptop+jetson", "--devices");
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[1].preset, "phone");
  EXPECT_EQ(d[3].preset, "jetson");
  EXPECT_THROW(parse_device_mix("x*phone", "--devices"), InputError);
  EXPECT_THROW(parse_device_mix("tablet", "--devices"), InputError);
  EXPECT_THROW(parse_device_mix("", "--devices"), InputError);
  const ModelShape s = known_shape("stories260K");
  EXPECT_EQ(s.layer_matmul_params(), 45312);  // 2*64*64 + 2*64*32 + 3*64*172
  const ModelShape l = model_shape("llama2-7b", "--model");
  EXPECT_EQ(l.layer_matmul_params(), 4.0 * 4096 * 4096 + 3.0 * 4096 * 11008);
  EXPECT_THROW(model_shape("gpt2", "--model"), InputError);
}

TEST(AssignCli, WritesResultAndPrintsM) {
  const fs::path dir = airtp::test::scratch_dir("assign");
  const fs::path cfg = dir / "a.toml";
  std::ofstream(cfg) << "command = \"assign\"\nsolver = \"eigen\"\n[ssca]\niterations = 3\nbatch = 8\nvalidation = 8\n"
                        "[[device]]\npreset = \"phone\"\n[[device]]\npreset = \"laptop\"\ndistance_m = 30\n";
  const fs::path out = dir / "a.h5";
  auto r = airtp::test::run_airtp("assign -q --backend cpu " + cfg.string() + " -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("m = "), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(out));
  // Two [[device]] tables: N = 2 (channel.n_devices follows the list when not given).
  const std::string o = out.string();
  const std::vector<double> m = airtp::test::read_doubles(o, "assign/final_m");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[0] + m[1], 1.0, 1e-9);  // on the simplex (is_feasible's tolerance)
  EXPECT_EQ(airtp::test::read_strings(o, "assign/device_preset"), (std::vector<std::string>{"phone", "laptop"}));
  std::vector<hsize_t> shape;
  airtp::test::read_doubles(o, "assign/m", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{4, 2}));  // m^0 .. m^3
  EXPECT_EQ(airtp::test::dim_names(o, "assign/m"), (std::vector<std::string>{"step", "device"}));
  // The laptop's own distance was used: its large-scale gain is C_0 d^-kappa at 30 m.
  const std::vector<double> beta = airtp::test::read_doubles(o, "assign/device_beta");
  EXPECT_NEAR(beta[1], 1e-3 * std::pow(30.0, -3.0), 1e-12 * beta[1]);
  EXPECT_NEAR(beta[0], 1e-3 * std::pow(40.0, -3.0), 1e-12 * beta[0]);  // the phone preset stands at 40 m
  // The rounded split of the final m is a valid split of the model.
  const auto heads = airtp::test::read_ints(o, "assign/final_heads");
  const auto neurons = airtp::test::read_ints(o, "assign/final_neurons");
  EXPECT_EQ(heads[0] + heads[1], 8);
  EXPECT_EQ(neurons[0] + neurons[1], 172);
  std::ofstream(cfg, std::ios::app) << "[[device]]\npreset = \"phone\"\nflopz = 3\n";
  r = airtp::test::run_airtp("assign -q --backend cpu " + cfg.string() + " -o " + (dir / "b.h5").string());
  EXPECT_EQ(r.code, 2) << r.output;
  // The entry and the key are named (the wording reads "device[2].unknown field 'flopz'").
  EXPECT_NE(r.output.find("device[2]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'flopz' (did you mean 'flops'?)"), std::string::npos) << r.output;
  r = airtp::test::run_airtp("assign -q --backend cpu --devices '3*phone' --iterations 0 -o " + (dir / "c.h5").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("ssca.iterations (--iterations)"), std::string::npos) << r.output;
  // Too little energy for any split: refused before any work, naming the devices.
  r = airtp::test::run_airtp("assign -q --backend cpu --devices '3*phone' --tx-power-dbm -20 -o " + (dir / "d.h5").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("no feasible assignment"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("device[0] (phone)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "d.h5"));
  fs::remove_all(dir);
}
