#include "host/sweep/mse_sweep.hpp"

#include <omp.h>
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "host/channel/topology.hpp"
#include "host/common/errors.hpp"
#include "host/common/progress.hpp"
#include "host/solvers/solve.hpp"
#include "host/sweep/stats.hpp"
#include "kernels/quantize.cuh"

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

static AlphaParams point_params(const MseConfig& c, const MseConfigPoint& pt) {
  AlphaParams p;
  p.ch = make_channel(pt.devices, pt.n_rx, pt.n_tx, pt.k_factor_db, c.seed, geometry(c));
  p.n_streams = pt.streams;
  p.design_key = RngKey{c.seed, 0, kRngDesign};
  for (int n = 0; n < pt.devices; ++n) p.slot_energy[n] = 1.0;
  return p;
}

void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, const std::string& solver, uint64_t first,
                  long count, double* out) {
  solve_alpha_batch(b, point_params(c, pt), parse_solver(solver), SolverOptions{}, first, count, out);
}

void point_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, uint64_t first, long count, double* out) {
  point_alphas(c, b, pt, c.solver, first, count, out);
}

// Uncoded FDMA (SPEC §6, the accuracy simulation's FdmaAllReduce in host/model/allreduce_air.cpp):
// device n sends on its own sub-band, so the server sees y_n = H_n B_n s_n + w_n with its own
// noise w_n ~ CN(0, sigma^2 I) per sub-band symbol, and designs a receiver for that device alone:
// the N = 1 problem on H_n with the same solver, G_n, alpha_n = tr((G_n^H H_n H_n^H G_n)^{-1}) / E_n
// (the per-slot energy E_n is unchanged: each sub-band symbol carries the same energy as an
// AirComp symbol, the airtime is N times longer instead), A_n = sqrt(alpha_n) G_n and the ZF
// precoder B_n make A_n^H H_n B_n = I, so s^_n = s_n + A_n^H w_n. The estimate of the sum is
// sum_n s^_n, whose error sum_n A_n^H w_n has independent terms: MSE = sigma^2 sum_n alpha_n.
// The channels are those of the N-device realization (ChannelParams::first_device), so FDMA
// and AirComp compare on identical H_n; at N = 1 FDMA is AirComp exactly. Device n's design
// draws (random G, fast-solver restarts) use design stream n, device 0 the AirComp one.
void point_fdma_alphas(const MseConfig& c, Backend b, const MseConfigPoint& pt, const std::string& solver,
                       uint64_t first, long count, double* out) {
  const AlphaParams all = point_params(c, pt);
  const Solver s = parse_solver(solver);
  std::vector<double> a((size_t)std::max(count, 0L));
  std::fill(out, out + std::max(count, 0L), 0.0);
  for (int n = 0; n < pt.devices; ++n) {
    AlphaParams q = all;
    q.ch.n_dev = 1;
    q.ch.first_device = n;
    q.ch.beta[0] = all.ch.beta[n];
    q.ch.theta[0] = all.ch.theta[n];
    q.ch.phi[0] = all.ch.phi[n];
    q.slot_energy[0] = all.slot_energy[n];
    q.design_key.stream = all.design_key.stream + (uint32_t)n;
    solve_alpha_batch(b, q, s, SolverOptions{}, first, count, a.data());
    for (long i = 0; i < count; ++i) out[i] += a[i];  // devices in order: any thread count adds alike
  }
}

// Digital all-reduce (SPEC §6-7): symbols kRngSymbols stream 0, realization r, so the samples
// depend on (seed, realization, N, block, bits) only: not on the SNR, the channel or the shard.
// The per-symbol error is scaled by L to the AirComp unit (MSE per slot of L streams).
void point_digital(const MseConfig& c, const MseConfigPoint& pt, uint64_t first, long count,
                   const std::vector<double*>& out) {
  const RngKey key{c.seed, 0, kRngSymbols};
  const int B = c.digital_block, nb = (int)c.digital_bits.size();
#pragma omp parallel
  {
    std::vector<double> sym(2 * (size_t)B), err(2 * (size_t)B * nb), o(nb);
#pragma omp for schedule(static)
    for (long i = 0; i < count; ++i) {
      digital_mse_realization(key, first + (uint64_t)i, pt.devices, B, c.digital_bits.data(), nb, (double)pt.streams,
                              sym.data(), err.data(), o.data());
      for (int q = 0; q < nb; ++q) out[q][i] = o[q];
    }
  }
}

std::vector<MseCurve> mse_curves(const MseConfig& c) {
  std::vector<MseCurve> v;
  for (const std::string& e : c.schemes) {
    const MseScheme s = parse_scheme(e, c.solver);
    if (s.kind == "digital") {
      for (int q : c.digital_bits)
        v.push_back({"digital", "", q, "digital_q" + std::to_string(q), "digital (" + std::to_string(q) + " bits)", false});
    } else if (s.kind == "aircomp") {
      const bool legacy = s.solver == c.solver;
      v.push_back({"aircomp", s.solver, 0, legacy ? "alpha" : "alpha_" + s.solver, "aircomp (" + s.solver + ")", legacy});
    } else {
      v.push_back({"fdma", s.solver, 0, "fdma_alpha_" + s.solver, "fdma (" + s.solver + ")", false});
    }
  }
  return v;
}

SampleSet mse_samples(const MseConfig& c, Backend b, uint64_t begin, uint64_t end, const Checkpoint* ckpt, bool quiet) {
  const auto pts = channel_points(c);
  const auto curves = mse_curves(c);
  SampleSet s;
  s.points = pts.size();
  s.begin = begin;
  s.end = end;
  const size_t n_per = (size_t)(end - begin);
  // Jobs: one per analog curve, one for all digital bit widths (they share the symbols).
  struct Job {
    const MseCurve* analog = nullptr;  // null: the digital job
    std::vector<std::string> samples;
  };
  std::vector<Job> jobs;
  Job digital;
  for (const MseCurve& cv : curves) {
    s.data[cv.sample].assign(s.points * n_per, 0.0);
    if (cv.kind == "digital")
      digital.samples.push_back(cv.sample);
    else
      jobs.push_back({&cv, {cv.sample}});
  }
  if (!digital.samples.empty()) jobs.push_back(digital);
  // Blocks are the unit of work and of checkpointing; on a GPU one block is one launch.
  const uint64_t block = 1ull << 16;
  // AirComp with c.solver keeps the checkpoint keys it had before schemes existed.
  auto key = [](const std::string& sample, size_t i, uint64_t r0, uint64_t n) {
    return sample == "alpha" ? block_key(i, r0, n) : sample + "_" + block_key(i, r0, n);
  };
  auto dst = [&](const std::string& sample, size_t i, uint64_t r0) {
    return s.data[sample].data() + i * n_per + (r0 - begin);
  };
  // Blocks a resumed run finds finished; counted apart so the rate shown is this run's own.
  std::vector<char> loaded;
  double resumed = 0;
  for (size_t i = 0; i < s.points; ++i)
    for (uint64_t r0 = begin; r0 < end; r0 += block)
      for (const Job& j : jobs) {
        const uint64_t n = std::min(block, end - r0);
        bool all = ckpt != nullptr;
        for (const std::string& name : j.samples) all = all && ckpt->load(key(name, i, r0, n), dst(name, i, r0), n);
        loaded.push_back(all);
        if (all) resumed += (double)n;
      }
  Progress prog("mse", (double)s.points * (double)n_per * (double)jobs.size(), quiet, resumed);
  if (ckpt && resumed > 0 && !quiet) prog.note("resuming: " + std::to_string((long long)resumed) + " realizations from " + ckpt->dir());
  double done = resumed;
  size_t k = 0;
  for (size_t i = 0; i < s.points; ++i) {
    for (uint64_t r0 = begin; r0 < end; r0 += block) {
      const uint64_t n = std::min(block, end - r0);
      for (const Job& j : jobs) {
        if (loaded[k++]) continue;
        if (!j.analog) {
          std::vector<double*> outs;
          for (const std::string& name : j.samples) outs.push_back(dst(name, i, r0));
          point_digital(c, pts[i], r0, (long)n, outs);
        } else if (j.analog->kind == "fdma") {
          point_fdma_alphas(c, b, pts[i], j.analog->solver, r0, (long)n, dst(j.samples[0], i, r0));
        } else {
          point_alphas(c, b, pts[i], j.analog->solver, r0, (long)n, dst(j.samples[0], i, r0));
        }
        if (ckpt)
          for (const std::string& name : j.samples) ckpt->save(key(name, i, r0, n), dst(name, i, r0), n);
        done += (double)n;
        prog.update(done);
      }
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
  const auto curves = mse_curves(c);
  // Every curve (scheme) on a leading dimension. Analog schemes scale their samples by
  // sigma^2 / E per noise level; the digital quantization error is the same at every level.
  const size_t C = curves.size();
  std::vector<double> c_mean(C * P * S), c_se(C * P * S), c_pct(C * P * S * Q);
  std::vector<int64_t> c_out(C * P), c_used(C * P), c_bits(C);
  std::vector<std::string> c_kind(C), c_solver(C), c_label(C);
  std::vector<char> c_ok(C * P * S), c_se_ok(C * P * S), c_ok_q(C * P * S * Q);
  for (size_t v = 0; v < C; ++v) {
    const MseCurve& cv = curves[v];
    c_kind[v] = cv.kind;
    c_solver[v] = cv.solver;
    c_label[v] = cv.label;
    c_bits[v] = cv.bits;
    const bool analog = cv.kind != "digital";
    for (size_t i = 0; i < P; ++i) {
      const std::vector<double> x = samples.row(cv.sample, i);
      long bad = 0;
      for (double a : x) {
        if (std::isnan(a))
          throw NumericalError(cv.label + " sample is NaN at configuration point " + std::to_string(i) +
                               " (design stage)");
        bad += !std::isfinite(a);
      }
      c_out[v * P + i] = bad;
      Summary sd;
      if (!analog) sd = summarize(x, c.percentiles);
      for (size_t j = 0; j < S; ++j) {
        Summary sm;
        if (analog) {
          const double f = levels[j].sigma2 / levels[j].slot_energy;
          std::vector<double> mse(x.size());
          for (size_t k = 0; k < x.size(); ++k) mse[k] = f * x[k];
          sm = summarize(mse, c.percentiles);
        } else {
          sm = sd;
        }
        const size_t o = (v * P + i) * S + j;
        c_mean[o] = sm.mean;
        c_se[o] = sm.stderr_;
        c_ok[o] = sm.count > 0, c_se_ok[o] = sm.count > 1;
        for (size_t q = 0; q < Q; ++q) c_pct[o * Q + q] = sm.count ? sm.percentiles[q] : 0.0, c_ok_q[o * Q + q] = sm.count > 0;
        c_used[v * P + i] = sm.count;
      }
    }
  }

  // The legacy datasets (mse/*, alpha/*) are the AirComp curve with the config's solver: its
  // slices of the per-curve summaries, plus the mean alpha itself.
  const auto leg = std::find_if(curves.begin(), curves.end(), [](const MseCurve& cv) { return cv.legacy; });
  const bool legacy = leg != curves.end();
  const size_t lv = legacy ? (size_t)(leg - curves.begin()) : 0;
  auto slice = [&](const auto& v, size_t per) {
    return std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin() + lv * per, v.begin() + (lv + 1) * per);
  };
  const std::vector<double> mean = slice(c_mean, P * S), se = slice(c_se, P * S), pct = slice(c_pct, P * S * Q);
  const std::vector<char> ok_s = slice(c_ok, P * S), se_ok_s = slice(c_se_ok, P * S), ok_q = slice(c_ok_q, P * S * Q);
  const std::vector<int64_t> outages = slice(c_out, P), used = slice(c_used, P);
  std::vector<double> alpha_mean(P), alpha_se(P);
  std::vector<char> ok(P), se_ok(P);
  for (size_t i = 0; legacy && i < P; ++i) {
    const Summary sa = summarize(samples.row("alpha", i), {});
    alpha_mean[i] = sa.mean;
    alpha_se[i] = sa.stderr_;
    ok[i] = sa.count > 0, se_ok[i] = sa.count > 1;
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
  out.write("axes/percentile_levels", c.percentiles, {}, {"percentile"}, "%", "levels of mse/percentiles and scheme/percentiles");
  if (legacy) {
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
  }

  out.write_strings("axes/scheme", c_kind,
                    "scheme of each curve of scheme/*: aircomp (over-the-air sum), fdma (uncoded FDMA: one "
                    "sub-band per device, N times the AirComp airtime), digital (Q-bit quantization, error-free "
                    "transmission at the Shannon rate)");
  out.write_strings("axes/scheme_solver", c_solver, "receive design of each curve (aircomp, fdma); empty for digital");
  out.write("axes/scheme_bits", c_bits, {}, {"scheme"}, "bits", "Q, bits per real part, of each digital curve; 0 otherwise");
  out.write_strings("axes/scheme_label", c_label, "legend label of each curve");
  const std::string unit = "1 (per slot, summed over L unit-power streams)";
  out.write_masked("scheme/mean", c_mean, c_ok, {C, P, S}, {"scheme", "config", noise_dim}, unit,
            "mean MSE of the estimated sum per curve: aircomp sigma^2 alpha(G); fdma sigma^2 sum_n alpha_n (each "
            "device's own N = 1 design, its noise added separately); digital L * mean over the block of "
            "|sum_n (q(s_n) - s_n)|^2 with CN(0,1) symbols (the same at every noise level); non-outage realizations "
                   "(undefined if all are outages)");
  out.write_masked("scheme/stderr", c_se, c_se_ok, {C, P, S}, {"scheme", "config", noise_dim}, unit,
                   "standard error of scheme/mean (undefined with fewer than 2 non-outage realizations)");
  out.write_masked("scheme/percentiles", c_pct, c_ok_q, {C, P, S, Q}, {"scheme", "config", noise_dim, "percentile"}, unit,
            "percentiles of the per-realization MSE of each curve (non-outage realizations)");
  out.write("scheme/outages", c_out, {C, P}, {"scheme", "config"}, "realizations",
            "realizations where zero-forcing is impossible (aircomp: some G^H H_n H_n^H G singular; fdma: for some "
            "device alone); 0 for digital");
  out.write("scheme/realizations", c_used, {C, P}, {"scheme", "config"}, "realizations", "non-outage realizations per curve and point");
  std::string joined;
  for (const std::string& e : c.schemes) joined += (joined.empty() ? "" : ",") + e;
  out.attr("/", "schemes", joined);
  out.attr("/", "noise_mode", c.noise_mode);
  out.attr("/", "solver", c.solver);
  out.attr("/", "realizations", (int64_t)c.realizations);
}

}  // namespace airtp
