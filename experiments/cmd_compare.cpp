// airtp compare: transceiver solvers on identical channels (SPEC §4, §8 item 2). For every
// configuration point (N, N_r) and realization: the exact MSE of each solver, its ratio to
// SDR + randomization and to the SDP lower bound, and the time per realization.
// Per-realization samples (each solver's alpha and time share, the lower bound) are computed in
// blocks that are checkpointed (--resume) and can be split by realization range (--shard i/n,
// then `airtp merge`); the summaries are computed from the samples, so a merged or resumed run
// writes the same file as an uninterrupted one (wall-clock times aside).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "experiments/cli_util.hpp"
#include "experiments/commands.hpp"
#include "host/channel/topology.hpp"
#include "host/common/backend_select.hpp"
#include "host/common/errors.hpp"
#include "host/config/toml_read.hpp"
#include "host/common/progress.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/shard_file.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {
namespace {

struct CompareConfig {
  uint64_t seed = 1;
  std::string backend = "auto";
  long realizations = 50;
  std::vector<std::string> solvers{"eigen", "fast", "sdr"};
  std::vector<int> devices{4}, n_rx{20};
  int n_tx = 4, streams = 0;  // streams 0: L = N_t
  double k_db = 3.0, snr_db = 10.0;
  SolverOptions opt;
  bool lower_bound = true, save_channels = false;

  std::string to_toml() const {
    std::ostringstream s;
    auto list = [&](const auto& v) {
      std::ostringstream o;
      o << "[";
      for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
      return o.str() + "]";
    };
    std::vector<std::string> q;
    for (auto& x : solvers) q.push_back("\"" + x + "\"");
    s << "command = \"compare\"\nseed = " << seed << "\nbackend = \"" << backend << "\"\nrealizations = "
      << realizations << "\nsolvers = " << list(q) << "\ndraws = " << opt.draws << "\nfast_starts = " << opt.fast_starts
      << "\nfast_iters = " << opt.fast_iters << "\nlower_bound = " << (lower_bound ? "true" : "false")
      << "\nsave_channels = " << (save_channels ? "true" : "false") << "\n\n[channel]\ndevices = " << list(devices)
      << "\nn_rx = " << list(n_rx) << "\nn_tx = " << n_tx << "\nstreams = " << streams
      << "\nk_factor_db = " << exact_double(k_db) << "\n\n[noise]\nmode = \"normalised\"\nsnr_db = "
      << exact_double(snr_db) << "\n";
    return s.str();
  }
};

void read_config(const toml::table& root, const std::string& path, CompareConfig& c) {
  TomlReader r(path, root);
  std::string command = "compare", mode = "normalised";
  r.get("command", command);
  if (command != "compare") r.fail("command", "must be \"compare\" for airtp compare");
  r.get("seed", c.seed);
  r.get("backend", c.backend);
  r.get("realizations", c.realizations);
  r.get("solvers", c.solvers);
  r.get("draws", c.opt.draws);
  r.get("fast_starts", c.opt.fast_starts);
  r.get("fast_iters", c.opt.fast_iters);
  r.get("lower_bound", c.lower_bound);
  r.get("save_channels", c.save_channels);
  r.get("channel.devices", c.devices);
  r.get("channel.n_rx", c.n_rx);
  r.get("channel.n_tx", c.n_tx);
  r.get("channel.streams", c.streams);
  r.get("channel.k_factor_db", c.k_db);
  r.get("noise.mode", mode);
  r.get("noise.snr_db", c.snr_db);
  if (mode != "normalised") r.fail("noise.mode", "compare supports only \"normalised\"");
  r.reject_unknown();
}

void load(const std::string& path, CompareConfig& c) { read_config(parse_toml_file(path), path, c); }

void validate(const CompareConfig& c) {
  if (c.realizations < 1) throw InputError("--realizations: must be >= 1");
  if (c.solvers.empty()) throw InputError("--solvers: empty list");
  for (const auto& s : c.solvers)
    if (s != "eigen" && s != "random" && s != "fast" && s != "sdr")
      throw InputError("--solvers: unknown solver '" + s + "' (expected eigen, random, fast or sdr)");
  for (int n : c.devices)
    if (n < 1 || n > kMaxDevices) throw InputError("--devices: each N must be in 1.." + std::to_string(kMaxDevices));
  for (int n : c.n_rx)
    if (n < 1 || n > kMaxRx) throw InputError("--n-rx: each N_r must be in 1.." + std::to_string(kMaxRx));
  if (c.n_tx < 1 || c.n_tx > kMaxTx) throw InputError("--n-tx: must be in 1.." + std::to_string(kMaxTx));
  if (c.streams < 0 || c.streams > kMaxStreams) throw InputError("--streams: must be in 0.." + std::to_string(kMaxStreams));
  if (!std::isfinite(c.snr_db)) throw InputError("--snr-db: must be finite");
  if (std::isnan(c.k_db)) throw InputError("--k-db: must be a number");
  airtp::validate(c.opt);
}

// Median of a non-empty list (callers mask the empty case: no usable realization).
double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

struct Point {
  int devices, n_rx;
};

std::vector<Point> points(const CompareConfig& c) {
  std::vector<Point> pts;
  for (int n : c.devices)
    for (int r : c.n_rx) pts.push_back({n, r});
  return pts;
}

AlphaParams point_params(const CompareConfig& c, const Point& pt) {
  AlphaParams p;
  p.ch = make_channel(pt.devices, pt.n_rx, c.n_tx, c.k_db, c.seed, Geometry{});
  p.n_streams = c.streams == 0 ? c.n_tx : c.streams;
  p.design_key = RngKey{c.seed, 0, kRngDesign};
  for (int n = 0; n < pt.devices; ++n) p.slot_energy[n] = 1.0;
  return p;
}

// Sample names: solver s's alpha and its share of the wall time per realization (the solvers
// list may repeat a name, so the index is part of it), and the SDP lower bound.
std::string alpha_sample(const CompareConfig& c, size_t s) { return "alpha_" + std::to_string(s) + "_" + c.solvers[s]; }
std::string time_sample(const CompareConfig& c, size_t s) { return "time_" + std::to_string(s) + "_" + c.solvers[s]; }

// Per-realization samples of realizations [begin, end) at every point, in checkpointed blocks.
// +inf marks an outage (alpha) or a failed / skipped SDP (lower bound).
SampleSet compare_samples(const CompareConfig& c, Backend b, uint64_t begin, uint64_t end, const Checkpoint* ckpt,
                          bool quiet) {
  const auto pts = points(c);
  const size_t NS = c.solvers.size();
  std::vector<Solver> S;
  for (const auto& name : c.solvers) S.push_back(parse_solver(name));
  SampleSet set;
  set.points = pts.size();
  set.begin = begin;
  set.end = end;
  const size_t n_per = (size_t)(end - begin);
  for (size_t s = 0; s < NS; ++s) {
    set.data[alpha_sample(c, s)].assign(set.points * n_per, 0.0);
    set.data[time_sample(c, s)].assign(set.points * n_per, 0.0);
  }
  set.data["lower_bound"].assign(set.points * n_per, INFINITY);
  // Job j < NS is solver j, job NS the lower bound. The SDPs (SDR, the bound) take about 0.3 s
  // per realization on one core: small blocks, so a kill loses little. The batched solvers take
  // large ones (one GPU launch each).
  auto block_of = [&](size_t j) { return j == NS || S[j] == Solver::sdr ? uint64_t{64} : uint64_t{8192}; };
  auto at = [&](const std::string& name, size_t i, uint64_t r0) { return set.data[name].data() + i * n_per + (r0 - begin); };
  auto key = [](const std::string& name, size_t i, uint64_t r0, uint64_t n) { return name + "_" + block_key(i, r0, n); };
  const size_t jobs = NS + (c.lower_bound ? 1 : 0);
  std::vector<char> loaded;
  double resumed = 0;
  for (size_t i = 0; i < set.points; ++i)
    for (size_t j = 0; j < jobs; ++j)
      for (uint64_t r0 = begin; r0 < end; r0 += block_of(j)) {
        const uint64_t n = std::min(block_of(j), end - r0);
        bool ok = ckpt != nullptr;
        if (j < NS) {
          ok = ok && ckpt->load(key(alpha_sample(c, j), i, r0, n), at(alpha_sample(c, j), i, r0), n);
          ok = ok && ckpt->load(key(time_sample(c, j), i, r0, n), at(time_sample(c, j), i, r0), n);
        } else {
          ok = ok && ckpt->load(key("lower_bound", i, r0, n), at("lower_bound", i, r0), n);
        }
        loaded.push_back(ok);
        if (ok) resumed += (double)n;
      }
  Progress prog("compare", (double)set.points * (double)n_per * (double)jobs, quiet, resumed);
  if (ckpt && resumed > 0 && !quiet) prog.note("resuming: " + std::to_string((long long)resumed) + " solves from " + ckpt->dir());
  double done = resumed;
  size_t k = 0;
  for (size_t i = 0; i < set.points; ++i) {
    const AlphaParams p = point_params(c, pts[i]);
    for (size_t j = 0; j < jobs; ++j)
      for (uint64_t r0 = begin; r0 < end; r0 += block_of(j)) {
        const uint64_t n = std::min(block_of(j), end - r0);
        if (loaded[k++]) continue;
        if (j < NS) {
          double* a = at(alpha_sample(c, j), i, r0);
          const auto t0 = std::chrono::steady_clock::now();
          solve_alpha_batch(b, p, S[j], c.opt, r0, (long)n, a);
          const double share = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / (double)n;
          double* t = at(time_sample(c, j), i, r0);
          std::fill(t, t + n, share);
          for (uint64_t r = 0; r < n; ++r)
            if (std::isnan(a[r])) throw NumericalError("compare: NaN alpha from solver " + c.solvers[j]);
          if (ckpt) {
            ckpt->save(key(alpha_sample(c, j), i, r0, n), a, n);
            ckpt->save(key(time_sample(c, j), i, r0, n), t, n);
          }
        } else {
          lower_bound_batch(p, r0, (long)n, at("lower_bound", i, r0));
          if (ckpt) ckpt->save(key("lower_bound", i, r0, n), at("lower_bound", i, r0), n);
        }
        done += (double)n;
        prog.update(done);
      }
  }
  prog.finish();
  return set;
}

// Summaries of the full samples (realizations [0, R)) into `out`; the summary table on stderr
// unless quiet.
void write_compare(const CompareConfig& c, const SampleSet& set, ResultFile& out, bool quiet) {
  const auto pts = points(c);
  const size_t P = pts.size(), NS = c.solvers.size();
  const long R = c.realizations;
  if (set.points != P || set.begin != 0 || set.count() != (uint64_t)R)
    throw std::logic_error("write_compare: samples do not cover the whole run");
  const int sdr_index = (int)(std::find(c.solvers.begin(), c.solvers.end(), "sdr") - c.solvers.begin());
  const bool have_sdr = sdr_index < (int)NS;
  const double sigma2 = std::pow(10.0, -c.snr_db / 10.0);
  // Undefined summaries (every realization an outage, no SDR run, no lower bound) are masked
  // by the *_valid datasets below, never written as Inf/NaN.
  std::vector<double> mse_mean(P * NS, 0.0), mse_median(P * NS, 0.0), r_sdr(P * NS, 0.0), r_lb(P * NS, 0.0),
      win(P * NS, 0.0), tpr(P * NS), lb_mean(P, 0.0);
  std::vector<char> mse_ok(P * NS, 0), sdr_ok(P * NS, 0), lb_ratio_ok(P * NS, 0), lb_ok(P, 0);
  std::vector<int64_t> outages(P * NS), lb_fail(P, 0), ax_dev(P), ax_nr(P);
  for (size_t i = 0; i < P; ++i) {
    ax_dev[i] = pts[i].devices;
    ax_nr[i] = pts[i].n_rx;
    std::vector<double> alpha(NS * R);
    for (size_t s = 0; s < NS; ++s) {
      const std::vector<double> a = set.row(alpha_sample(c, s), i), t = set.row(time_sample(c, s), i);
      std::copy(a.begin(), a.end(), alpha.begin() + s * R);
      double sum = 0;
      for (double x : t) sum += x;
      tpr[i * NS + s] = sum / R;
    }
    const std::vector<double> lb = set.row("lower_bound", i);
    double lsum = 0;
    long lok = 0;
    for (long r = 0; r < R; ++r)
      if (std::isfinite(lb[r])) { lsum += lb[r]; ++lok; }
    lb_fail[i] = c.lower_bound ? R - lok : R;
    if (lok) lb_mean[i] = sigma2 * lsum / lok, lb_ok[i] = 1;
    for (size_t s = 0; s < NS; ++s) {
      const double* a = alpha.data() + s * R;
      std::vector<double> m, rs, rl;
      long wins = 0, both = 0;
      for (long r = 0; r < R; ++r) {
        if (std::isnan(a[r])) throw NumericalError("compare: NaN alpha from solver " + c.solvers[s]);
        if (!std::isfinite(a[r])) continue;
        m.push_back(sigma2 * a[r]);
        if (have_sdr && std::isfinite(alpha[sdr_index * R + r])) {
          rs.push_back(a[r] / alpha[sdr_index * R + r]);
          wins += a[r] <= alpha[sdr_index * R + r] ? 1 : 0;
          ++both;
        }
        if (std::isfinite(lb[r])) rl.push_back(a[r] / lb[r]);
      }
      const size_t k = i * NS + s;
      outages[k] = R - (long)m.size();
      double sum = 0;
      for (double x : m) sum += x;
      mse_ok[k] = !m.empty();
      mse_mean[k] = m.empty() ? 0.0 : sum / m.size();
      mse_median[k] = median(m);
      sdr_ok[k] = have_sdr && both > 0;
      r_sdr[k] = median(rs);
      lb_ratio_ok[k] = !rl.empty();
      r_lb[k] = median(rl);
      win[k] = both ? (double)wins / both : 0.0;
    }
    if (c.save_channels) {
      const std::string g = "realizations/point" + std::to_string(i) + "/";
      // +inf marks an outage (alpha) or a failed / skipped SDP (lower bound) in memory; in the
      // file these entries are masked (NaN never gets here: the loop above throws on it).
      std::vector<char> a_ok(alpha.size()), l_ok(lb.size());
      for (size_t q = 0; q < alpha.size(); ++q) a_ok[q] = std::isfinite(alpha[q]);
      for (size_t q = 0; q < lb.size(); ++q) l_ok[q] = std::isfinite(lb[q]);
      const ResultFile::Stage st(out, "design (per-realization alpha and lower bound, point " + std::to_string(i) + ")");
      out.write_masked(g + "alpha", alpha, a_ok, {NS, (size_t)R}, {"solver", "realization"}, "1",
                       "exact alpha = max_n tr((G^H Q_n G)^{-1}) / E_n per solver and realization (E_n = 1); "
                       "MSE = sigma^2 alpha; outages (singular design) are masked");
      out.write_masked(g + "lower_bound", lb, l_ok, {(size_t)R}, {"realization"}, "1",
                       "SDP lower bound on min_G alpha(G) per realization; masked where the SDP failed or the "
                       "bound was not computed");
      const AlphaParams p = point_params(c, pts[i]);
      const int N = pts[i].devices, nr = pts[i].n_rx, nt = c.n_tx;
      std::vector<double> h((size_t)R * N * nr * nt * 2);
      for (long r = 0; r < R; ++r) {
        const ChannelSet cs = channel_set(p, (uint64_t)r);
        for (int n = 0; n < N; ++n)
          for (int a = 0; a < nr; ++a)
            for (int t = 0; t < nt; ++t) {
              const size_t o = ((((size_t)r * N + n) * nr + a) * nt + t) * 2;
              h[o] = cs.H[n](a, t).real();
              h[o + 1] = cs.H[n](a, t).imag();
            }
      }
      out.write(g + "channels", h, {(size_t)R, (size_t)N, (size_t)nr, (size_t)nt, 2},
                {"realization", "device", "rx_antenna", "tx_antenna", "re_im"}, "1",
                "channel matrices H_n (normalised mode, beta_n = 1) every solver saw");
    }
  }
  out.set_stage("summary");
  const std::vector<size_t> shp{P, NS};
  const std::vector<std::string> dims{"point", "solver"};
  out.write_strings("axes/solvers", c.solvers, "solver names, the order of the solver dimension");
  out.write("axes/devices", ax_dev, {P}, {"point"}, "devices", "number of devices N at each point");
  out.write("axes/n_rx", ax_nr, {P}, {"point"}, "antennas", "server antennas N_r at each point");
  out.write_masked("compare/mse_mean", mse_mean, mse_ok, shp, dims, "1 (normalised MSE)",
                   "mean exact MSE = sigma^2 alpha over non-outage realizations (undefined if all were outages)",
                   "compare/mse_valid");
  out.write_masked("compare/mse_median", mse_median, mse_ok, shp, dims, "1 (normalised MSE)",
                   "median exact MSE over non-outage realizations (undefined if all were outages)", "compare/mse_valid");
  out.write_masked("compare/ratio_to_sdr_median", r_sdr, sdr_ok, shp, dims, "1",
                   "median over realizations of alpha / alpha_sdr (SDR + randomization); undefined if sdr was not "
                   "run or no realization has both alphas finite", "compare/vs_sdr_valid");
  out.write_masked("compare/win_rate_vs_sdr", win, sdr_ok, shp, dims, "1",
                   "fraction of realizations with alpha <= alpha_sdr (among those where both are finite)",
                   "compare/vs_sdr_valid");
  out.write_masked("compare/ratio_to_lower_bound_median", r_lb, lb_ratio_ok, shp, dims, "1",
                   "median over realizations of alpha / SDP lower bound (>= 1); undefined without a usable bound");
  out.write("compare/outages", outages, shp, dims, "realizations", "realizations with no finite alpha (outages)");
  out.write("compare/time_per_realization", tpr, shp, dims, "s",
            "wall time per realization of each solver (its blocks' times summed over the run, divided by R)");
  out.write_masked("compare/lower_bound_mse_mean", lb_mean, lb_ok, {P}, {"point"}, "1 (normalised MSE)",
                   "mean over realizations of sigma^2 x SDP lower bound (undefined if it failed everywhere or was "
                   "not computed)");
  out.write("compare/lower_bound_failures", lb_fail, {P}, {"point"}, "realizations",
            "realizations where the lower-bound SDP failed (or it was not computed)");
  out.attr("/", "snr_db", c.snr_db);
  out.attr("/", "sigma2", sigma2);
  out.attr("/", "realizations", (int64_t)R);
  if (quiet) return;
  for (size_t i = 0; i < P; ++i)
    for (size_t s = 0; s < NS; ++s) {
      const size_t k = i * NS + s;
      auto v = [](bool ok, double x) {
        std::ostringstream o;
        if (ok) o << x; else o << "-";
        return o.str();
      };
      std::cerr << "N=" << pts[i].devices << " N_r=" << pts[i].n_rx << " " << c.solvers[s] << ": MSE "
                << v(mse_ok[k], mse_mean[k]) << ", median/SDR " << v(sdr_ok[k], r_sdr[k]) << ", wins "
                << v(sdr_ok[k], win[k]) << ", median/LB " << v(lb_ratio_ok[k], r_lb[k]) << ", outages "
                << outages[k] << ", " << tpr[k] * 1e3 << " ms\n";
    }
}

// `airtp merge` of compare shards.
void finalize_compare(const std::string& config_toml, const SampleSet& set, ResultFile& out) {
  CompareConfig c;
  read_config(parse_toml_text(config_toml, "shard config"), "shard config", c);
  validate(c);
  write_compare(c, set, out, true);
}

// c: the config file's values with scalar flags applied; list flags (text) override it here.
int run_compare(CompareConfig c, const std::string& output, bool quiet, const std::string& solvers,
                const std::string& devices, const std::string& n_rx, const std::string& shard_text, bool resume) {
  if (!solvers.empty()) {
    c.solvers.clear();
    std::stringstream ss(solvers);
    for (std::string t; std::getline(ss, t, ',');) c.solvers.push_back(t);
  }
  if (!devices.empty()) c.devices = parse_int_list("--devices", devices);
  if (!n_rx.empty()) c.n_rx = parse_int_list("--n-rx", n_rx);
  validate(c);
  const ShardSpec shard = shard_text.empty() ? ShardSpec{} : parse_shard("--shard", shard_text);
  const Backend b = select_backend(c.backend);
  const std::string toml = c.to_toml();
  const RealizationRange range = shard_range(shard, (uint64_t)c.realizations);
  const Checkpoint ckpt(output, run_identity("compare", toml, shard, backend_name(b)), resume);
  const SampleSet samples = compare_samples(c, b, range.begin, range.end, &ckpt, quiet);
  if (shard.given) {
    ResultFile out(output, run_info("shard", toml, c.seed, b));
    write_shard(out, make_shard_header("compare", toml, c.seed, backend_name(b), shard, (uint64_t)c.realizations),
                samples);
    out.commit();
  } else {
    ResultFile out(output, run_info("compare", toml, c.seed, b));
    write_compare(c, samples, out, quiet);
    out.commit();
  }
  ckpt.remove();
  if (!quiet) std::cerr << "compare: wrote " << (shard.given ? "shard " + shard_text + " to " : std::string()) << output << "\n";
  return 0;
}

const bool registered = register_command(
    {"compare", "Compare transceiver solvers (eigen, random, fast, sdr) on identical channels",
     [](CLI::App& sub) -> std::function<int()> {
       struct F {
         CompareConfig c;
         std::string config, output = "results/compare.h5", solvers, devices, n_rx, shard;
         bool quiet = false, resume = false;
       };
       auto f = std::make_shared<F>();
       sub.add_option("config", f->config, "TOML config file (flags override it)");
       sub.add_option("-o,--output", f->output, "result file (HDF5)")->capture_default_str();
       sub.add_option("--seed", f->c.seed, "random seed");
       sub.add_option("--backend", f->c.backend, "auto, cpu or cuda (sdr always runs on the CPU)");
       sub.add_option("--realizations", f->c.realizations, "channel realizations per point");
       sub.add_option("--solvers", f->solvers, "comma list of eigen, random, fast, sdr");
       sub.add_option("--devices", f->devices, "N list, e.g. 2,4,8");
       sub.add_option("--n-rx", f->n_rx, "N_r list");
       sub.add_option("--n-tx", f->c.n_tx, "N_t");
       sub.add_option("--streams", f->c.streams, "L (0: L = N_t)");
       sub.add_option("--k-db", f->c.k_db, "Rician K in dB");
       sub.add_option("--snr-db", f->c.snr_db, "SNR in dB (MSE = 10^(-SNR/10) alpha)");
       sub.add_option("--draws", f->c.opt.draws, "SDR randomization candidates");
       sub.add_option("--fast-starts", f->c.opt.fast_starts, "fast solver: starts (eigen + random)");
       sub.add_option("--fast-iters", f->c.opt.fast_iters, "fast solver: L-BFGS iterations per stage");
       sub.add_flag("--save-channels", f->c.save_channels, "store channels and per-realization alpha");
       sub.add_option("--shard", f->shard,
                      "i/n: compute only piece i of n (a realization range) into a shard file for `airtp merge`");
       sub.add_flag("--resume", f->resume, "continue an interrupted run from its checkpoint (OUTPUT.ckpt/)");
       sub.add_flag("-q,--quiet", f->quiet, "no progress output");
       CLI::App* s = &sub;
       return [f, s] {
         // A config file is the base; flags that were given override it.
         CompareConfig c;
         if (!f->config.empty()) load(f->config, c);
         auto set = [&](const char* name) { return s->get_option(name)->count() > 0; };
         if (set("--seed")) c.seed = f->c.seed;
         if (set("--backend")) c.backend = f->c.backend;
         if (set("--realizations")) c.realizations = f->c.realizations;
         if (set("--n-tx")) c.n_tx = f->c.n_tx;
         if (set("--streams")) c.streams = f->c.streams;
         if (set("--k-db")) c.k_db = f->c.k_db;
         if (set("--snr-db")) c.snr_db = f->c.snr_db;
         if (set("--draws")) c.opt.draws = f->c.opt.draws;
         if (set("--fast-starts")) c.opt.fast_starts = f->c.opt.fast_starts;
         if (set("--fast-iters")) c.opt.fast_iters = f->c.opt.fast_iters;
         if (set("--save-channels")) c.save_channels = true;
         return run_compare(c, f->output, f->quiet, f->solvers, f->devices, f->n_rx,
                            set("--shard") ? f->shard : std::string(), f->resume);
       };
     },
     finalize_compare});

}  // namespace
}  // namespace airtp
