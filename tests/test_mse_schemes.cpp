// `airtp mse` schemes (SPEC §8 figure 1): uncoded FDMA against an independent recomputation
// and against AirComp at N = 1; the digital quantization error against its closed form, its
// independence of the SNR and its ~4x drop per extra bit; bad schemes / bits exit with 2.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "host/common/errors.hpp"
#include "host/sweep/mse.hpp"
#include "kernels/quantize.cuh"
#include "tests/cli_runner.hpp"
#include "tests/h5_util.hpp"
#include "tests/kernel_reference.hpp"

using airtp::test::run_airtp;
using airtp::test::read_doubles;
namespace fs = std::filesystem;

namespace {

fs::path tmpdir() { return airtp::test::scratch_dir("schemes"); }

std::vector<double> read_ds(const std::string& path, const std::string& name, std::vector<hsize_t>* shape = nullptr) {
  return read_doubles(path, name, shape);
}

airtp::MseConfig small_config(int n_dev) {
  airtp::MseConfig c;
  c.scenario.seed = 3;
  c.scenario.n_devices = {n_dev};
  c.scenario.n_rx = {8};
  c.scenario.n_tx = {2};
  c.scenario.k_db = {3.0};
  c.scenario.snr_db = {10};
  return c;
}

// Runs job `name` of the experiment at grid point 0 for realizations [first, first + count):
// one vector per sample (alpha and misalignment for the analog jobs, one per bit width for
// digital).
std::vector<std::vector<double>> run_job(const airtp::MseExperiment& e, const std::string& name, uint64_t first,
                                         uint64_t count) {
  for (const airtp::Job& j : e.plan.jobs) {
    if (j.name != name) continue;
    std::vector<std::vector<double>> out(j.samples.size(), std::vector<double>(count * j.width));
    std::vector<double*> ptr;
    for (auto& v : out) ptr.push_back(v.data());
    j.run(0, first, count, ptr, [](double) {});
    return out;
  }
  ADD_FAILURE() << "no job " << name;
  return {};
}

// The experiment of a config with the given schemes (the engine plan, not the command line).
airtp::MseExperiment experiment(airtp::MseConfig c, std::vector<std::string> schemes) {
  c.schemes = std::move(schemes);
  return airtp::make_mse(c, airtp::Backend::cpu);
}

}  // namespace

TEST(MseFdma, OneDeviceEqualsAirComp) {
  using namespace airtp;
  const MseConfig c = small_config(1);
  for (const char* solver : {"eigen", "random", "fast"}) {
    const std::string s = solver;
    const MseExperiment e = experiment(c, {"aircomp:" + s, "fdma:" + s});
    const auto air = run_job(e, "aircomp_" + s, 17, 200), fdma = run_job(e, "fdma_" + s, 17, 200);
    EXPECT_EQ(air[0], fdma[0]) << solver;  // the same problem, bit for bit
  }
}

TEST(MseFdma, SumOfSingleDeviceAlphasRecomputedIndependently) {
  using namespace airtp;
  const int N = 3, R = 60;
  const MseConfig c = small_config(N);
  const MseExperiment e = experiment(c, {"aircomp:eigen", "fdma:eigen", "aircomp:random", "fdma:random"});
  const Link& link = e.links[0];
  ASSERT_EQ(link.L, 2);
  // Normalised mode, devices that compute nothing: every device has energy 1 per slot.
  for (int n = 0; n < N; ++n) ASSERT_EQ(link.slot_energy[0][n], 1.0);
  const double E1 = 1.0;
  for (const char* solver : {"eigen", "random"}) {
    const auto fdma = run_job(e, std::string("fdma_") + solver, 5, R)[0];
    const auto air = run_job(e, std::string("aircomp_") + solver, 5, R)[0];
    int finite = 0;
    for (int i = 0; i < R; ++i) {
      // The N-device realization's channels; each device designed alone (Eigen references).
      const auto H = ref::channels(link.ch, 5 + (uint64_t)i);
      double sum = 0;
      for (int n = 0; n < N; ++n) {
        const std::vector<ref::MatC> one{H[n]};
        const ref::MatC G = std::string(solver) == "eigen"
                                ? ref::eigen_design(one, link.L)
                                : ref::random_design(RngKey{c.scenario.seed, (uint32_t)n, kRngDesign}, 5 + (uint64_t)i,
                                                     link.ch.n_rx, link.L);
        sum += ref::alpha(one, G, &E1);
      }
      if (std::isfinite(sum)) {
        ++finite;
        EXPECT_NEAR(fdma[i], sum, 1e-7 * sum) << solver << " realization " << i;
      } else {
        EXPECT_FALSE(std::isfinite(fdma[i])) << solver << " realization " << i;
      }
    }
    EXPECT_GT(finite, R / 2) << solver;
    // Each device alone needs at most what the joint design gives it: sum_n alpha_n <= N alpha.
    if (std::string(solver) == "eigen")
      for (int i = 0; i < R; ++i)
        if (std::isfinite(air[i])) {
          EXPECT_LE(fdma[i], N * air[i] * (1 + 1e-9)) << i;
        }
  }
}

TEST(MseDigital, MatchesClosedFormForLargeBlocks) {
  using namespace airtp;
  // Uniform-error model: e ~ U[-Delta/2, Delta/2] independently per real part and device, so
  // E|sum_n e_n|^2 per symbol = sum_n 2 Delta_n^2 / 12, Delta_n = 2 a_n / (2^Q - 1).
  const RngKey key{9, 0, kRngSymbols};
  const int N = 3, block = 4096, R = 100;
  for (int bits : {6, 8, 10}) {
    std::vector<double> sym(2 * block), err(2 * block), a_sym(2 * block);
    double got = 0, want = 0;
    for (int r = 0; r < R; ++r) {
      double out = 0;
      digital_mse_realization(key, (uint64_t)r, N, block, &bits, 1, 1.0, sym.data(), err.data(), &out);
      got += out / R;
      for (int n = 0; n < N; ++n) {
        for (int k = 0; k < block; ++k) {
          const cplx s = cnormal(key, (uint64_t)r, (uint64_t)n * block + k);
          a_sym[2 * k] = std::fabs(s.re);
          a_sym[2 * k + 1] = std::fabs(s.im);
        }
        const double a = *std::max_element(a_sym.begin(), a_sym.end());
        const double delta = 2 * a / (std::ldexp(1.0, bits) - 1);
        want += 2 * delta * delta / 12 / R;
      }
    }
    // Relative standard error of the estimate: about 0.37 / sqrt(block * R) = 6e-4.
    EXPECT_NEAR(got / want, 1.0, 0.01) << bits << " bits";
  }
}

TEST(MseDigital, SweepSamplesAreTheKernelScaledToSlots) {
  using namespace airtp;
  MseConfig c = small_config(2);
  c.digital_bits = {4, 8};
  c.digital_block = 32;
  const MseExperiment e = experiment(c, {"digital"});
  const auto q = run_job(e, "digital", 100, 10);
  ASSERT_EQ(q.size(), 2u);
  const int L = e.links[0].L;
  std::vector<double> sym(64), err(64);
  for (int i = 0; i < 10; ++i) {
    double o4 = 0, o8 = 0;
    int b = 4;
    digital_mse_realization(RngKey{c.scenario.seed, 0, kRngSymbols}, 100 + i, 2, 32, &b, 1, 1.0, sym.data(), err.data(), &o4);
    b = 8;
    digital_mse_realization(RngKey{c.scenario.seed, 0, kRngSymbols}, 100 + i, 2, 32, &b, 1, 1.0, sym.data(), err.data(), &o8);
    EXPECT_DOUBLE_EQ(q[0][i], L * o4);
    EXPECT_DOUBLE_EQ(q[1][i], L * o8);
  }
}

TEST(MseDigital, QuantizerMatchesDigitalAllReduceConvention) {
  using namespace airtp;
  // 2 bits over [-1, 1]: levels -1, -1/3, 1/3, 1.
  std::vector<double> x{-1.0, -0.5, 0.1, 0.2, 0.9, 1.0};
  quantize_uniform(x.data(), (int)x.size(), 2);
  const std::vector<double> want{-1.0, -1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0, 1.0};
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], want[i], 1e-15) << i;
  EXPECT_DOUBLE_EQ(quantizer_step(1.0, 2), 2.0 / 3);
}

TEST(MseSchemesCli, DigitalIndependentOfSnrAndFourTimesLessPerBit) {
  const std::string out = (tmpdir() / "digital.h5").string();
  const auto r = run_airtp("mse -q --realizations 400 -N 2,4 --n-rx 8 --n-tx 2 --snr-db 0,20 "
                           "--schemes digital,aircomp,fdma --bits 6,7,8 -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  std::vector<hsize_t> shape;
  const auto m = read_ds(out, "mse/mean", &shape);
  // curve (digital x3, aircomp, fdma) x n_devices x assignment, n_rx, n_tx, streams, k_factor,
  // csi_nmse (one value each) x snr_db.
  ASSERT_EQ(shape, (std::vector<hsize_t>{5, 2, 1, 1, 1, 1, 1, 1, 2}));
  EXPECT_EQ(airtp::test::read_strings(out, "mse/curve"),
            (std::vector<std::string>{"digital (6 bits)", "digital (7 bits)", "digital (8 bits)", "aircomp (fast)",
                                      "fdma (fast)"}));
  EXPECT_EQ(airtp::test::read_ints(out, "mse/curve_bits"), (std::vector<int64_t>{6, 7, 8, 0, 0}));
  auto at = [&](size_t v, size_t p, size_t s) { return m[(v * 2 + p) * 2 + s]; };
  for (size_t p = 0; p < 2; ++p) {
    for (size_t v = 0; v < 3; ++v) EXPECT_EQ(at(v, p, 0), at(v, p, 1)) << "digital does not depend on the SNR";
    for (size_t v = 0; v + 1 < 3; ++v) {
      const double ratio = at(v, p, 0) / at(v + 1, p, 0);
      EXPECT_GT(ratio, 3.7) << v;
      EXPECT_LT(ratio, 4.4) << v;
    }
    // Analog schemes (aircomp, fdma): exactly 100x less MSE at 20 dB more SNR.
    for (size_t v = 3; v < 5; ++v) {
      EXPECT_NEAR(at(v, p, 0) / at(v, p, 1), 100.0, 1e-9);
      EXPECT_GT(at(v, p, 1), 0);
    }
  }
  // Twice the devices, twice the quantization error (independent errors add).
  for (size_t v = 0; v < 3; ++v) EXPECT_NEAR(at(v, 1, 0) / at(v, 0, 0), 2.0, 0.15);
  // The AirComp curve is the same whether or not other curves are computed beside it.
  const std::string plain = (tmpdir() / "plain.h5").string();
  ASSERT_EQ(run_airtp("mse -q --realizations 400 -N 2,4 --n-rx 8 --n-tx 2 --snr-db 0,20 -o " + plain).code, 0);
  const auto alone = read_ds(plain, "mse/mean", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{1, 2, 1, 1, 1, 1, 1, 1, 2}));
  for (size_t p = 0; p < 2; ++p)
    for (size_t s = 0; s < 2; ++s) EXPECT_EQ(at(3, p, s), alone[p * 2 + s]);
}

TEST(MseSchemesCli, ConfigFileSchemesAndFlagsOverride) {
  const std::string cfg = (tmpdir() / "schemes.toml").string();
  std::ofstream(cfg) << "realizations = 50\nschemes = [\"aircomp\", \"fdma:random\", \"digital\"]\n"
                        "[channel]\nn_devices = [2]\nn_rx = 6\nn_tx = 2\n[noise]\nsnr_db = [10]\n"
                        "[digital]\nbits = [3, 5]\nblock = 16\n";
  const std::string a = (tmpdir() / "cfg_a.h5").string(), b = (tmpdir() / "cfg_b.h5").string();
  ASSERT_EQ(run_airtp("mse -q " + cfg + " -o " + a).code, 0);
  std::vector<hsize_t> shape;
  read_ds(a, "mse/mean", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{4, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(airtp::test::read_strings(a, "mse/curve_kind"),
            (std::vector<std::string>{"aircomp", "fdma", "digital", "digital"}));
  EXPECT_EQ(airtp::test::read_strings(a, "mse/curve_solver"), (std::vector<std::string>{"fast", "random", "", ""}));
  const auto r = run_airtp("mse -q " + cfg + " --schemes digital --bits 4 -o " + b);
  ASSERT_EQ(r.code, 0) << r.output;
  read_ds(b, "mse/mean", &shape);
  EXPECT_EQ(shape, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(airtp::test::read_strings(b, "mse/curve"), std::vector<std::string>{"digital (4 bits)"});
}

TEST(MseSchemesCli, ThreadCountDoesNotMatter) {
  const std::string args = "mse -q --realizations 300 -N 2,3 --n-rx 6 --n-tx 2 --snr-db 0 "
                           "--schemes aircomp,fdma,fdma:eigen,digital --bits 3,9 --block 40 -o ";
  const std::string a = (tmpdir() / "thr_a.h5").string(), b = (tmpdir() / "thr_b.h5").string();
  ASSERT_EQ(run_airtp(args + a).code, 0);
  setenv("OMP_NUM_THREADS", "1", 1);
  const auto r = run_airtp(args + b);
  unsetenv("OMP_NUM_THREADS");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* ds : {"mse/mean", "mse/stderr", "mse/percentiles"}) EXPECT_EQ(read_ds(a, ds), read_ds(b, ds)) << ds;
}

struct BadScheme {
  const char* args;
  const char* must_mention;
};
class MseBadScheme : public ::testing::TestWithParam<BadScheme> {};

TEST_P(MseBadScheme, ExitCode2AndNamesTheField) {
  const auto& c = GetParam();
  const fs::path never = tmpdir() / "never.h5";
  const auto r = run_airtp(std::string("mse -q --realizations 2 -o ") + never.string() + " " + c.args);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(c.must_mention), std::string::npos) << "output was: " << r.output;
  EXPECT_FALSE(fs::exists(never));
}

INSTANTIATE_TEST_SUITE_P(
    Flags, MseBadScheme,
    ::testing::Values(BadScheme{"--schemes magic", "--schemes"}, BadScheme{"--schemes aircomp:magic", "'magic'"},
                      BadScheme{"--schemes digital:eigen", "--schemes"}, BadScheme{"--schemes aircomp,aircomp", "schemes (--schemes): lists 'aircomp' twice"},
                      BadScheme{"--solver fast --schemes aircomp,aircomp:fast", "repeats"},
                      BadScheme{"--schemes ''", "--schemes"}, BadScheme{"--bits 0", "digital.bits (--bits)"},
                      BadScheme{"--bits 25", "--bits"}, BadScheme{"--bits 8,8", "twice"},
                      BadScheme{"--bits x", "--bits"}, BadScheme{"--block 0", "digital.block (--block)"}));

TEST(MseBadSchemeFile, ConfigFieldsNamed) {
  struct C {
    std::string toml, mention;
  } cases[] = {
      {"schemes = [\"aircomp\", \"tdma\"]\n", "schemes"},
      {"schemes = 3\n", "schemes"},
      {"[digital]\nbits = [0]\n", "digital.bits"},
      {"[digital]\nbits = \"eight\"\n", "digital.bits"},
      {"[digital]\nblock = -1\n", "digital.block"},
      {"[digital]\nbitz = [8]\n", "digital.bitz"},
  };
  for (auto& c : cases) {
    const fs::path f = tmpdir() / "bad.toml";
    std::ofstream(f) << c.toml;
    const auto r = run_airtp("mse -q -o " + (tmpdir() / "never.h5").string() + " " + f.string());
    EXPECT_EQ(r.code, 2) << c.toml << "\n" << r.output;
    EXPECT_NE(r.output.find(c.mention), std::string::npos) << c.toml << "\noutput: " << r.output;
  }
}
