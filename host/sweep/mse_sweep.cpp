#include "host/sweep/mse_sweep.hpp"

#include <cmath>

#include "host/channel/topology.hpp"
#include "host/common/errors.hpp"
#include "host/common/progress.hpp"
#include "host/sweep/stats.hpp"

namespace airtp {

std::vector<MseConfigPoint> channel_points(const MseConfig& c) {
  std::vector<MseConfigPoint> pts;
  for (int n : c.devices)
    for (int nr : c.n_rx)
      for (int nt : c.n_tx)
        for (int l : c.streams)
          for (double k : c.k_factor_db) pts.push_back({n, nr, nt, l ? l : nt, k});
  return pts;
}

std::vector<NoiseLevel> noise_levels(const MseConfig& c) {
  std::vector<NoiseLevel> v;
  if (c.noise_mode == "physical") {
    // Noise energy per symbol is the noise density N_0 (W/Hz = J); a device transmitting
    // power P spends P / B joules per symbol slot of duration 1/B.
    const double n0 = dbm_to_watt(c.noise_density_dbm_hz);
    for (double p : c.tx_power_dbm) v.push_back({n0, dbm_to_watt(p) / c.bandwidth_hz});
  } else {
    for (double s : c.snr_db) v.push_back({1.0 / db_to_lin(s), 1.0});
  }
  return v;
}

static Geometry geometry(const MseConfig& c) {
  Geometry g;
  g.physical = c.noise_mode == "physical";
  g.path_loss_db_at_1m = c.path_loss_db_at_1m;
  g.path_loss_exponent = c.path_loss_exponent;
  g.distance_min_m = c.distance_min_m;
  g.distance_max_m = c.distance_max_m;
  return g;
}

static int design_of(const std::string& solver) {
  if (solver == "eigen") return kDesignEigen;
  if (solver == "random") return kDesignRandom;
  throw InputError("solver (--solver): must be eigen or random, got '" + solver + "'");
}

void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, uint64_t first, long count, double* out) {
  AlphaParams p;
  p.ch = make_channel(pt.devices, pt.n_rx, pt.n_tx, pt.k_factor_db, c.seed, geometry(c));
  p.n_streams = pt.streams;
  p.design = design_of(c.solver);
  p.design_key = RngKey{c.seed, 0, kRngDesign};
  for (int n = 0; n < pt.devices; ++n) p.slot_energy[n] = 1.0;
  alpha_batch(b, p, first, count, out);
}

void run_mse_sweep(const MseConfig& c, Backend b, ResultFile& out, bool quiet) {
  const auto pts = channel_points(c);
  const auto levels = noise_levels(c);
  const size_t P = pts.size(), S = levels.size(), Q = c.percentiles.size();
  std::vector<double> mean(P * S), se(P * S), pct(P * S * Q), alpha_mean(P), alpha_se(P);
  std::vector<int64_t> outages(P), used(P);
  Progress prog("mse", (double)P * c.realizations, quiet);
  const long block = 1L << 16;
  std::vector<double> alpha((size_t)c.realizations);
  for (size_t i = 0; i < P; ++i) {
    for (long r0 = 0; r0 < c.realizations; r0 += block) {
      const long n = std::min(block, c.realizations - r0);
      point_alphas(c, b, pts[i], (uint64_t)r0, n, alpha.data() + r0);
      prog.update((double)i * c.realizations + r0 + n);
    }
    long bad = 0;
    for (double a : alpha) {
      if (std::isnan(a)) throw NumericalError("alpha is NaN at configuration point " + std::to_string(i) + " (design stage)");
      bad += !std::isfinite(a);
    }
    outages[i] = bad;
    const Summary sa = summarize(alpha, {});
    used[i] = sa.count;
    alpha_mean[i] = sa.mean;
    alpha_se[i] = sa.stderr_;
    for (size_t j = 0; j < S; ++j) {
      // MSE = sigma^2 alpha / E: alpha was computed for unit per-slot energy.
      const double f = levels[j].sigma2 / levels[j].slot_energy;
      std::vector<double> mse(alpha.size());
      for (size_t k = 0; k < alpha.size(); ++k) mse[k] = f * alpha[k];
      const Summary s = summarize(mse, c.percentiles);
      mean[i * S + j] = s.mean;
      se[i * S + j] = s.stderr_;
      for (size_t q = 0; q < Q; ++q) pct[(i * S + j) * Q + q] = s.percentiles[q];
    }
  }
  prog.finish();

  std::vector<int64_t> ax_n, ax_nr, ax_nt, ax_l;
  std::vector<double> ax_k;
  for (auto& p : pts) {
    ax_n.push_back(p.devices);
    ax_nr.push_back(p.n_rx);
    ax_nt.push_back(p.n_tx);
    ax_l.push_back(p.streams);
    ax_k.push_back(p.k_factor_db);
  }
  const bool phys = c.noise_mode == "physical";
  const std::string noise_dim = phys ? "tx_power_dbm" : "snr_db";
  out.write("axes/devices", ax_n, {}, {"config"}, "devices", "N, number of devices, per configuration point");
  out.write("axes/n_rx", ax_nr, {}, {"config"}, "antennas", "N_r, server receive antennas");
  out.write("axes/n_tx", ax_nt, {}, {"config"}, "antennas", "N_t, antennas per device");
  out.write("axes/streams", ax_l, {}, {"config"}, "streams", "L, parallel symbol streams per slot");
  out.write("axes/k_factor_db", ax_k, {}, {"config"}, "dB", "Rician K factor (-inf: Rayleigh)");
  out.write("axes/" + noise_dim, phys ? c.tx_power_dbm : c.snr_db, {}, {noise_dim}, phys ? "dBm" : "dB",
            phys ? "transmit power of every device" : "normalised SNR: per-slot energy / noise energy");
  out.write("axes/percentile_levels", c.percentiles, {}, {"percentile"}, "%", "levels of mse/percentiles");
  out.write("mse/mean", mean, {P, S}, {"config", noise_dim}, "1 (per slot, summed over L unit-power streams)",
            "mean MSE = sigma^2 alpha over non-outage realizations");
  out.write("mse/stderr", se, {P, S}, {"config", noise_dim}, "1", "standard error of mse/mean");
  out.write("mse/percentiles", pct, {P, S, Q}, {"config", noise_dim, "percentile"}, "1",
            "percentiles of the per-realization MSE (non-outage realizations)");
  out.write("mse/outages", outages, {}, {"config"}, "realizations",
            "realizations where some G^H H_n H_n^H G is singular (zero-forcing impossible)");
  out.write("mse/realizations", used, {}, {"config"}, "realizations", "non-outage realizations per point");
  out.write("alpha/mean", alpha_mean, {}, {"config"}, "1/J per unit gain (normalised: 1)",
            "mean alpha(G) at unit per-slot energy");
  out.write("alpha/stderr", alpha_se, {}, {"config"}, "1/J per unit gain (normalised: 1)", "standard error of alpha/mean");
  out.attr("/", "noise_mode", c.noise_mode);
  out.attr("/", "solver", c.solver);
  out.attr("/", "realizations", (int64_t)c.realizations);
}

}  // namespace airtp
