#include <gtest/gtest.h>
#include "kernels/backend.hpp"
TEST(Build, CpuBackendRuns) {
  airtp::AlphaParams p;
  p.ch.n_dev = 2; p.ch.n_rx = 8; p.ch.n_tx = 2; p.n_streams = 2;
  for (int n = 0; n < 2; ++n) { p.ch.beta[n] = 1; p.ch.theta[n] = 0.1 * n; p.ch.phi[n] = 0.2; p.slot_energy[n] = 1; }
  std::vector<double> a(10);
  airtp::alpha_batch(airtp::Backend::cpu, p, 0, 10, a.data());
  for (double x : a) EXPECT_GT(x, 0);
}
