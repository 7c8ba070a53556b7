#include "host/channel/topology.hpp"

#include <cmath>

namespace airtp {

ChannelParams make_channel(int n_dev, int n_rx, int n_tx, double k_factor_db, uint64_t seed, const Geometry& g) {
  ChannelParams p;
  p.n_dev = n_dev;
  p.n_rx = n_rx;
  p.n_tx = n_tx;
  p.k_factor = std::isinf(k_factor_db) && k_factor_db < 0 ? 0.0 : db_to_lin(k_factor_db);
  p.key = RngKey{seed, 0, kRngChannel};
  const RngKey topo{seed, 0, kRngTopology};
  const double pi = 3.141592653589793;
  for (int n = 0; n < n_dev; ++n) {
    p.theta[n] = pi * (uniform01(topo, 0, 3 * (uint64_t)n) - 0.5);
    p.phi[n] = pi * (uniform01(topo, 0, 3 * (uint64_t)n + 1) - 0.5);
    if (g.physical) {
      const double d = g.distance_min_m + (g.distance_max_m - g.distance_min_m) * uniform01(topo, 0, 3 * (uint64_t)n + 2);
      p.beta[n] = db_to_lin(-g.path_loss_db_at_1m) * std::pow(d, -g.path_loss_exponent);
    } else {
      p.beta[n] = 1.0;
    }
  }
  return p;
}

}  // namespace airtp
