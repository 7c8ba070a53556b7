// Statistics of the channel draws against the closed forms of SPEC §2, the counter-based
// generator's reproducibility, the topology of a scenario (device n stands where it stands
// whatever N is), per-device antennas and the channel estimate of imperfect CSI.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "host/common/errors.hpp"
#include "host/scenario/scenario.hpp"
#include "kernels/backend.hpp"
#include "kernels/channel.cuh"
#include "kernels/linalg.cuh"
#include "tests/link_helpers.hpp"

using namespace airtp;
using airtp::test::link_of;
using airtp::test::scenario_of;

TEST(Rng, UniformAndGaussianMoments) {
  const RngKey k{99, 3, kRngChannel};
  const int n = 200000;
  double s = 0, s2 = 0, re2 = 0, im2 = 0, reim = 0, m4 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = uniform01(k, 5, i);
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
    s += u;
    s2 += u * u;
    const cplx z = cnormal(k, 7, i);
    re2 += z.re * z.re;
    im2 += z.im * z.im;
    reim += z.re * z.im;
    m4 += norm2(z) * norm2(z);
  }
  // Uniform: mean 1/2, variance 1/12. CN(0,1): E re^2 = E im^2 = 1/2, E|z|^4 = 2.
  // Tolerances are about 5 standard errors for n = 200000.
  EXPECT_NEAR(s / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(s2 / n - 0.25, 1.0 / 12, 0.002);
  EXPECT_NEAR(re2 / n, 0.5, 5 * std::sqrt(0.5 / n));
  EXPECT_NEAR(im2 / n, 0.5, 5 * std::sqrt(0.5 / n));
  EXPECT_NEAR(reim / n, 0.0, 5 * std::sqrt(0.25 / n));
  EXPECT_NEAR(m4 / n, 2.0, 5 * std::sqrt(20.0 / n));
}

TEST(Rng, DrawsDependOnEveryKeyPart) {
  const cplx a = cnormal({1, 0, kRngChannel}, 0, 0);
  EXPECT_EQ(a.re, cnormal({1, 0, kRngChannel}, 0, 0).re);  // pure function
  EXPECT_NE(a.re, cnormal({2, 0, kRngChannel}, 0, 0).re);  // seed
  EXPECT_NE(a.re, cnormal({1, 1, kRngChannel}, 0, 0).re);  // stream
  EXPECT_NE(a.re, cnormal({1, 0, kRngNoise}, 0, 0).re);    // purpose
  EXPECT_NE(a.re, cnormal({1, 0, kRngCsiError}, 0, 0).re); // the CSI error has its own purpose
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 1, 0).re);  // realization
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 0, 1).re);  // index
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 1ull << 32, 0).re);  // high realization bits
  // The host API draws the same numbers as the device code.
  std::complex<double> z[3];
  cnormal_batch({1, 0, kRngChannel}, 4, 2, 3, z);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(z[i].real(), cnormal({1, 0, kRngChannel}, 4, 2 + i).re);
    EXPECT_EQ(z[i].imag(), cnormal({1, 0, kRngChannel}, 4, 2 + i).im);
  }
  EXPECT_EQ(uniform_draw({5, 1, kRngTopology}, 3, 9), uniform01({5, 1, kRngTopology}, 3, 9));
}

// H = sqrt(beta)(sqrt(K/(K+1)) a_r a_t^H + sqrt(1/(K+1)) W): E[H] is the line-of-sight part
// and E|H_rt - E H_rt|^2 = beta / (K + 1). Physical mode: beta = C_0 d^-kappa with the
// distances drawn in [distance_min_m, distance_max_m].
TEST(Channel, RicianMeanAndScatterMatchClosedForm) {
  Scenario s = scenario_of(3, 6, 3, 6.0, 11, true);
  s.path_loss_db_at_1m = 10;
  s.path_loss_exponent = 2;
  s.distance_min_m = 2;
  s.distance_max_m = 5;
  const double K = std::pow(10.0, 0.6);
  const ChannelParams p = link_of(s).ch;
  EXPECT_NEAR(p.k_factor, K, 1e-12 * K);
  const int R = 40000;
  std::vector<cplx> buf(6 * 3);
  CMat H{buf.data(), 6, 3, 1};
  for (int n = 0; n < 3; ++n) {
    ASSERT_GE(p.theta[n], -M_PI / 2);
    ASSERT_LT(p.theta[n], M_PI / 2);
    const double beta = p.beta[n];
    // beta within the path-loss range of the distances, and equal to C_0 d^-kappa of the
    // distance the scenario reports.
    EXPECT_LE(beta, 0.1 * std::pow(2.0, -2) * (1 + 1e-12));
    EXPECT_GE(beta, 0.1 * std::pow(5.0, -2) * (1 - 1e-12));
    EXPECT_NEAR(beta, 0.1 * std::pow(device_distance(s, Device{}, n), -2.0), 1e-12 * beta);
    std::vector<std::complex<double>> mean(18);
    double scatter = 0;
    std::vector<std::complex<double>> los(18);
    for (int t = 0; t < 3; ++t)
      for (int r = 0; r < 6; ++r)
        los[t * 6 + r] = std::sqrt(beta * K / (K + 1)) * std::polar(1.0, M_PI * r * std::sin(p.theta[n])) *
                         std::polar(1.0, -M_PI * t * std::sin(p.phi[n]));
    for (int i = 0; i < R; ++i) {
      gen_channel(p, i, n, H);
      for (int t = 0; t < 3; ++t)
        for (int r = 0; r < 6; ++r) {
          const std::complex<double> h(H(r, t).re, H(r, t).im);
          mean[t * 6 + r] += h;
          scatter += std::norm(h - los[t * 6 + r]);
        }
    }
    const double sd = std::sqrt(beta / (K + 1) / R);  // standard error of each mean entry
    for (int e = 0; e < 18; ++e) EXPECT_LT(std::abs(mean[e] / (double)R - los[e]), 5 * sd) << "device " << n;
    EXPECT_NEAR(scatter / (R * 18.0), beta / (K + 1), 5 * beta / (K + 1) / std::sqrt(R * 18.0));
  }
}

TEST(Channel, RayleighHasUnitPowerAndNoMean) {
  const ChannelParams p = link_of(1, 4, 2, -INFINITY, 5).ch;
  EXPECT_EQ(p.k_factor, 0.0);
  EXPECT_EQ(p.beta[0], 1.0);  // normalised mode
  std::vector<cplx> buf(8);
  CMat H{buf.data(), 4, 2, 1};
  double pw = 0, mre = 0;
  const int R = 50000;
  for (int i = 0; i < R; ++i) {
    gen_channel(p, i, 0, H);
    pw += frob2(H);
    mre += H(0, 0).re;
  }
  EXPECT_NEAR(pw / (8.0 * R), 1.0, 5 / std::sqrt(8.0 * R));
  EXPECT_NEAR(mre / R, 0.0, 5 * std::sqrt(0.5 / R));
}

// Common random numbers across a sweep: device n has the same geometry and the same fading
// whatever N is, and the topology comes from the seed alone.
TEST(Channel, DeviceNIsTheSameWhateverN) {
  const Link two = link_of(2, 6, 2, 3.0, 21), four = link_of(4, 6, 2, 3.0, 21), other = link_of(2, 6, 2, 3.0, 22);
  const long R = 5;
  std::vector<std::complex<double>> h2(R * 2 * 12), h4(R * 4 * 12);
  channel_batch_cpu(two.ch, 0, R, h2.data(), nullptr);
  channel_batch_cpu(four.ch, 0, R, h4.data(), nullptr);
  for (int n = 0; n < 2; ++n) {
    EXPECT_EQ(two.ch.theta[n], four.ch.theta[n]);
    EXPECT_EQ(two.ch.phi[n], four.ch.phi[n]);
    EXPECT_NE(two.ch.theta[n], other.ch.theta[n]) << "the seed draws the topology";
    for (long r = 0; r < R; ++r)
      for (int e = 0; e < 12; ++e) EXPECT_EQ(h2[(r * 2 + n) * 12 + e], h4[(r * 4 + n) * 12 + e]);
  }
  // channel_batch_cpu is gen_channel, realization-major, device, column-major.
  std::vector<cplx> buf(12);
  CMat H{buf.data(), 6, 2, 1};
  gen_channel(four.ch, 3, 2, H);
  for (int t = 0; t < 2; ++t)
    for (int r = 0; r < 6; ++r) EXPECT_EQ(h4[(3 * 4 + 2) * 12 + t * 6 + r], std::complex<double>(H(r, t).re, H(r, t).im));
}

// A device with fewer antennas than the others: the channel matrices have the largest N_t,
// its extra columns are zero and the columns it has are the draws of a full device.
TEST(Channel, PerDeviceAntennasAreZeroColumns) {
  Scenario s = scenario_of(3, 5, 4, 3.0, 8);
  s.streams = {2};
  s.device_tables = {Device{}, Device{}, Device{}};
  s.device_tables[1].n_tx = 2;
  const Link mixed = link_of(s);
  EXPECT_EQ(mixed.ch.n_tx, 4);
  EXPECT_EQ(mixed.L, 2);
  Scenario full = s;
  full.device_tables[1].n_tx = 0;
  const Link all4 = link_of(full);
  const long R = 4;
  std::vector<std::complex<double>> a(R * 3 * 20), b(R * 3 * 20);
  channel_batch_cpu(mixed.ch, 0, R, a.data(), nullptr);
  channel_batch_cpu(all4.ch, 0, R, b.data(), nullptr);
  for (long r = 0; r < R; ++r)
    for (int n = 0; n < 3; ++n)
      for (int t = 0; t < 4; ++t)
        for (int k = 0; k < 5; ++k) {
          const size_t i = ((size_t)(r * 3 + n) * 4 + t) * 5 + k;
          if (n == 1 && t >= 2) EXPECT_EQ(a[i], std::complex<double>(0, 0));
          else EXPECT_EQ(a[i], b[i]) << "r " << r << " n " << n << " t " << t;
        }
  // Streams beyond the smallest N_t are refused, naming the field.
  s.streams = {3};
  EXPECT_THROW(link_of(s), InputError);
}

// Imperfect CSI (SPEC §2): the estimate is H + E with E i.i.d. CN(0, nmse beta_n) on the
// antennas the device has, independent of H; with nmse = 0 the estimate is H itself.
TEST(Channel, CsiEstimateErrorHasTheNmseAndIsIndependent) {
  Scenario s = scenario_of(2, 4, 2, 3.0, 13, true);  // physical: beta_n differs per device
  s.csi_nmse = {0.2};
  const Link l = link_of(s);
  ASSERT_EQ(l.ch.csi_nmse, 0.2);
  const long R = 20000;
  const size_t per = 2 * 4 * 2;
  std::vector<std::complex<double>> H(R * per), Hh(R * per);
  channel_batch_cpu(l.ch, 0, R, H.data(), Hh.data());
  for (int n = 0; n < 2; ++n) {
    const double beta = l.ch.beta[n];
    double e2 = 0;
    std::complex<double> cross = 0, mean = 0;
    for (long r = 0; r < R; ++r)
      for (int k = 0; k < 8; ++k) {
        const size_t i = r * per + n * 8 + k;
        const std::complex<double> e = Hh[i] - H[i];
        e2 += std::norm(e);
        cross += e * std::conj(H[i] - std::complex<double>(0, 0));
        mean += e;
      }
    const double M = R * 8.0;
    EXPECT_NEAR(e2 / M / beta, 0.2, 5 * 0.2 / std::sqrt(M)) << "device " << n;
    EXPECT_LT(std::abs(mean / M) / std::sqrt(0.2 * beta), 5 / std::sqrt(M));
    // E[e conj(h)] = 0: |mean| within 5 standard errors of sqrt(E|e|^2 E|h|^2 / M).
    EXPECT_LT(std::abs(cross / M), 5 * std::sqrt(0.2 * beta * beta / M));
  }
  // The true channels do not depend on the CSI error, and perfect CSI estimates exactly.
  Scenario p = s;
  p.csi_nmse = {0.0};
  const Link lp = link_of(p);
  std::vector<std::complex<double>> H0(10 * per), Hh0(10 * per);
  channel_batch_cpu(lp.ch, 0, 10, H0.data(), Hh0.data());
  for (size_t i = 0; i < H0.size(); ++i) {
    EXPECT_EQ(H0[i], H[i]);
    EXPECT_EQ(Hh0[i], H0[i]);
  }
}
