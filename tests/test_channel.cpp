// Statistics of the channel draws against the closed forms of SPEC §2, and the
// counter-based generator's reproducibility.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "host/channel/topology.hpp"
#include "kernels/channel.cuh"
#include "kernels/linalg.cuh"

using namespace airtp;

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
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 1, 0).re);  // realization
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 0, 1).re);  // index
  EXPECT_NE(a.re, cnormal({1, 0, kRngChannel}, 1ull << 32, 0).re);  // high realization bits
}

// H = sqrt(beta)(sqrt(K/(K+1)) a_r a_t^H + sqrt(1/(K+1)) W): E[H] is the line-of-sight part
// and E|H_rt - E H_rt|^2 = beta / (K + 1).
TEST(Channel, RicianMeanAndScatterMatchClosedForm) {
  Geometry g;
  g.physical = true;
  g.path_loss_db_at_1m = 10;
  g.path_loss_exponent = 2;
  g.distance_min_m = 2;
  g.distance_max_m = 5;
  const double k_db = 6.0, K = std::pow(10.0, 0.6);
  const ChannelParams p = make_channel(3, 6, 3, k_db, 11, g);
  const int R = 40000;
  std::vector<cplx> buf(6 * 3);
  CMat H{buf.data(), 6, 3, 1};
  for (int n = 0; n < 3; ++n) {
    ASSERT_GE(p.theta[n], -M_PI / 2);
    ASSERT_LT(p.theta[n], M_PI / 2);
    const double beta = p.beta[n];
    // beta within the path-loss range of the distances.
    EXPECT_LE(beta, 0.1 * std::pow(2.0, -2) * (1 + 1e-12));
    EXPECT_GE(beta, 0.1 * std::pow(5.0, -2) * (1 - 1e-12));
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
  const ChannelParams p = make_channel(1, 4, 2, -INFINITY, 5, Geometry{});
  EXPECT_EQ(p.k_factor, 0.0);
  EXPECT_EQ(p.beta[0], 1.0);
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
