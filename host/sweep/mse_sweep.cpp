#include "host/sweep/mse_sweep.hpp"

#include <cmath>

#include "host/channel/topology.hpp"
#include "host/common/errors.hpp"
#include "host/common/progress.hpp"
#include "host/solvers/solve.hpp"
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

static std::string block_key(size_t point, uint64_t first, uint64_t count) {
  return "p" + std::to_string(point) + "_r" + std::to_string(first) + "_n" + std::to_string(count);
}

void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, uint64_t first, long count, double* out) {
  AlphaParams p;
  p.ch = make_channel(pt.devices, pt.n_rx, pt.n_tx, pt.k_factor_db, c.seed, geometry(c));
  p.n_streams = pt.streams;
  p.design_key = RngKey{c.seed, 0, kRngDesign};
  for (int n = 0; n < pt.devices; ++n) p.slot_energy[n] = 1.0;
  solve_alpha_batch(b, p, parse_solver(c.solver), SolverOptions{}, first, count, out);
}

SampleSet mse_samples(const MseConfig& c, Backend b, uint64_t begin, uint64_t end, const Checkpoint* ckpt, bool quiet) {
  const auto pts = channel_points(c);
  SampleSet s;
  s.points = pts.size();
  s.begin = begin;
  s.end = end;
  const size_t n_per = (size_t)(end - begin);
  std::vector<double>& alpha = s.data["alpha"];
  alpha.assign(s.points * n_per, 0.0);
  // Blocks are the unit of work and of checkpointing; on a GPU one block is one launch.
  const uint64_t block = 1ull << 16;
  // Blocks a resumed run finds finished; counted apart so the rate shown is this run's own.
  std::vector<char> loaded;
  double resumed = 0;
  for (size_t i = 0; i < s.points; ++i)
    for (uint64_t r0 = begin; r0 < end; r0 += block) {
      const uint64_t n = std::min(block, end - r0);
      double* dst = alpha.data() + i * n_per + (r0 - begin);
      loaded.push_back(ckpt && ckpt->load(block_key(i, r0, n), dst, n));
      if (loaded.back()) resumed += (double)n;
    }
  Progress prog("mse", (double)s.points * (double)n_per, quiet, resumed);
  if (ckpt && resumed > 0 && !quiet) prog.note("resuming: " + std::to_string((long long)resumed) + " realizations from " + ckpt->dir());
  double done = resumed;
  size_t k = 0;
  for (size_t i = 0; i < s.points; ++i) {
    for (uint64_t r0 = begin; r0 < end; r0 += block) {
      const uint64_t n = std::min(block, end - r0);
      double* dst = alpha.data() + i * n_per + (r0 - begin);
      if (loaded[k++]) continue;
      point_alphas(c, b, pts[i], r0, (long)n, dst);
      if (ckpt) ckpt->save(block_key(i, r0, n), dst, n);
      done += (double)n;
      prog.update(done);
    }
  }
  prog.finish();
  return s;
}

void run_mse_sweep(const MseConfig& c, Backend b, ResultFile& out, bool quiet) {
  write_mse_results(c, mse_samples(c, b, 0, (uint64_t)c.realizations, nullptr, quiet), out);
}

void finalize_mse(const std::string& config_toml, const SampleSet& s, ResultFile& out) {
  MseConfig c;
  parse_mse_config_text(config_toml, "shard config", c);
  validate(c);
  write_mse_results(c, s, out);
}

void write_mse_results(const MseConfig& c, const SampleSet& samples, ResultFile& out) {
  const auto pts = channel_points(c);
  const auto levels = noise_levels(c);
  const size_t P = pts.size(), S = levels.size(), Q = c.percentiles.size();
  if (samples.points != P || samples.begin != 0 || samples.count() != (uint64_t)c.realizations)
    throw std::logic_error("write_mse_results: samples do not cover the whole sweep");
  std::vector<double> mean(P * S), se(P * S), pct(P * S * Q), alpha_mean(P), alpha_se(P);
  std::vector<int64_t> outages(P), used(P);
  // Summaries of a point with no usable realization (or, for standard errors, fewer than
  // two) are undefined: masked in the file (*_valid), never Inf/NaN.
  std::vector<char> ok(P), se_ok(P), ok_s(P * S), se_ok_s(P * S), ok_q(P * S * Q);
  for (size_t i = 0; i < P; ++i) {
    const std::vector<double> alpha = samples.row("alpha", i);
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
    ok[i] = sa.count > 0, se_ok[i] = sa.count > 1;
    for (size_t j = 0; j < S; ++j) ok_s[i * S + j] = ok[i], se_ok_s[i * S + j] = se_ok[i];
    for (size_t q = 0; q < S * Q; ++q) ok_q[i * S * Q + q] = ok[i];
    for (size_t j = 0; j < S; ++j) {
      // MSE = sigma^2 alpha / E: alpha was computed for unit per-slot energy.
      const double f = levels[j].sigma2 / levels[j].slot_energy;
      std::vector<double> mse(alpha.size());
      for (size_t k = 0; k < alpha.size(); ++k) mse[k] = f * alpha[k];
      const Summary s = summarize(mse, c.percentiles);
      mean[i * S + j] = s.mean;
      se[i * S + j] = s.stderr_;
      for (size_t q = 0; q < Q; ++q) pct[(i * S + j) * Q + q] = s.count ? s.percentiles[q] : 0.0;
    }
  }

  std::vector<int64_t> ax_n, ax_nr, ax_nt, ax_l;
  std::vector<double> ax_k;
  std::vector<char> k_ok;  // 0: Rayleigh (K = 0, -inf dB)
  for (auto& p : pts) {
    ax_n.push_back(p.devices);
    ax_nr.push_back(p.n_rx);
    ax_nt.push_back(p.n_tx);
    ax_l.push_back(p.streams);
    ax_k.push_back(std::isfinite(p.k_factor_db) ? p.k_factor_db : 0.0);
    k_ok.push_back(std::isfinite(p.k_factor_db));
  }
  const bool phys = c.noise_mode == "physical";
  const std::string noise_dim = phys ? "tx_power_dbm" : "snr_db";
  out.write("axes/devices", ax_n, {}, {"config"}, "devices", "N, number of devices, per configuration point");
  out.write("axes/n_rx", ax_nr, {}, {"config"}, "antennas", "N_r, server receive antennas");
  out.write("axes/n_tx", ax_nt, {}, {"config"}, "antennas", "N_t, antennas per device");
  out.write("axes/streams", ax_l, {}, {"config"}, "streams", "L, parallel symbol streams per slot");
  const ResultFile::Stage stage(out, "summary");
  out.write_masked("axes/k_factor_db", ax_k, k_ok, {}, {"config"}, "dB",
                   "Rician K factor (Rayleigh, K = 0 i.e. -inf dB, where axes/k_factor_db_valid = 0)");
  out.write("axes/" + noise_dim, phys ? c.tx_power_dbm : c.snr_db, {}, {noise_dim}, phys ? "dBm" : "dB",
            phys ? "transmit power of every device" : "normalised SNR: per-slot energy / noise energy");
  out.write("axes/percentile_levels", c.percentiles, {}, {"percentile"}, "%", "levels of mse/percentiles");
  out.write_masked("mse/mean", mean, ok_s, {P, S}, {"config", noise_dim}, "1 (per slot, summed over L unit-power streams)",
                   "mean MSE = sigma^2 alpha over non-outage realizations (undefined if all are outages)");
  out.write_masked("mse/stderr", se, se_ok_s, {P, S}, {"config", noise_dim}, "1",
                   "standard error of mse/mean (undefined with fewer than 2 non-outage realizations)");
  out.write_masked("mse/percentiles", pct, ok_q, {P, S, Q}, {"config", noise_dim, "percentile"}, "1",
                   "percentiles of the per-realization MSE (non-outage realizations; undefined if all are outages)");
  out.write("mse/outages", outages, {}, {"config"}, "realizations",
            "realizations where some G^H H_n H_n^H G is singular (zero-forcing impossible)");
  out.write("mse/realizations", used, {}, {"config"}, "realizations", "non-outage realizations per point");
  out.write_masked("alpha/mean", alpha_mean, ok, {}, {"config"}, "1/J per unit gain (normalised: 1)",
                   "mean alpha(G) at unit per-slot energy (undefined if all are outages)");
  out.write_masked("alpha/stderr", alpha_se, se_ok, {}, {"config"}, "1/J per unit gain (normalised: 1)",
                   "standard error of alpha/mean (undefined with fewer than 2 non-outage realizations)");
  out.attr("/", "noise_mode", c.noise_mode);
  out.attr("/", "solver", c.solver);
  out.attr("/", "realizations", (int64_t)c.realizations);
}

}  // namespace airtp
