#include "host/solvers/compare.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/io/result_schema.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/solvers/solver_fields.hpp"

namespace airtp {

CompareConfig::CompareConfig() {
  scenario.n_devices = {4};
  scenario.snr_db = {10};
  run.realizations = 50;
  run.output = "results/compare.h5";
}

void add_compare_fields(FieldTable& t, CompareConfig& c) {
  add_run_fields(t, c.run);
  add_scenario_fields(t, c.scenario);
  t.add("solvers", "--solvers", &c.solvers, "", "the solvers to compare on identical channels")
      .one_of(solver_names());
  add_solver_option_fields(t, c.solver_options);
  t.add("lower_bound", "--lower-bound", &c.lower_bound, "", "also compute the SDP lower bound on alpha");
  t.add("save_channels", "--save-channels", &c.save_channels, "",
        "store the channels every solver saw and each solver's per-realization alpha");
}

namespace {

// Sample names: the solvers list may repeat a name, so the index is part of the job name.
std::string job_of(const CompareConfig& c, size_t s) { return "solver" + std::to_string(s) + "_" + c.solvers[s]; }

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

CompareExperiment make_compare(const CompareConfig& c, Backend b) {
  validate(c.scenario);
  validate(c.run);
  if (c.solvers.empty()) throw InputError("solvers (--solvers): must name at least one solver");
  CompareExperiment e;
  for (const LinkPoint& pt : link_points(c.scenario)) {
    e.links.push_back(make_link(c.scenario, pt));
    if (!e.links.back().scalable)
      throw InputError("compare designs once per realization and scales the noise: with noise.mode = physical the "
                       "computation energy (energy_per_param > 0) makes the design depend on tx_power_dbm; give one "
                       "tx_power_dbm per run (--tx-power-dbm)");
  }
  RunPlan& plan = e.plan;
  plan.label = "compare";
  plan.axes = link_axes(c.scenario);
  plan.realizations = (uint64_t)c.run.realizations;
  plan.target_rse = c.run.target_rse;
  plan.min_realizations = (uint64_t)c.run.min_realizations;
  if (c.save_channels)
    for (const Link& l : e.links)
      plan.extra_bytes += (double)c.run.realizations * l.ch.n_dev * l.ch.n_rx * l.ch.n_tx * 16.0 * 4.0;
  plan.extra_bytes += 64.0 * 1024 * 1024;  // kernel scratch
  const CompareExperiment* ex = &e;
  for (size_t s = 0; s < c.solvers.size(); ++s) {
    const Solver solver = parse_solver(c.solvers[s], "solvers (--solvers)");
    Job j;
    j.name = job_of(c, s);
    j.samples = {"alpha", "misalignment", "seconds"};
    // The SDPs take about 0.1-0.5 s per realization on one core: small blocks, so a kill loses
    // little. The batched solvers take large ones (one GPU launch each).
    j.block = solver == Solver::sdr ? 64 : 8192;
    j.cost = solver == Solver::sdr ? 2000 : solver == Solver::fast ? 20 : 1;
    const SolverOptions so = c.solver_options;
    j.run = [ex, b, solver, so](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                                const BlockProgress&) {
      const auto t0 = std::chrono::steady_clock::now();
      solve_alpha_batch(b, alpha_params(ex->links[point], 0), solver, so, first, (long)count, out[0], out[1]);
      const double share = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / (double)count;
      std::fill(out[2], out[2] + count, share);
    };
    plan.jobs.push_back(std::move(j));
  }
  if (c.lower_bound) {
    Job j;
    j.name = "lower_bound";
    j.samples = {"alpha"};
    j.block = 64;
    j.cost = 2000;
    j.run = [ex](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out, const BlockProgress&) {
      lower_bound_batch(alpha_params(ex->links[point], 0), first, (long)count, out[0]);
    };
    plan.jobs.push_back(std::move(j));
  }
  return e;
}

void write_compare(const CompareConfig& c, const CompareExperiment& e, const SampleSet& set, ResultFile& out,
                   bool quiet) {
  check_complete(e.plan, set);
  const size_t P = e.links.size(), NS = c.solvers.size();
  const std::vector<double>& levels = c.scenario.noise_values();
  const size_t J = levels.size();
  const int sdr = (int)(std::find(c.solvers.begin(), c.solvers.end(), "sdr") - c.solvers.begin());
  const bool have_sdr = sdr < (int)NS;
  std::vector<double> mse_mean(NS * P * J), mse_median(NS * P * J), r_sdr(NS * P), r_lb(NS * P), win(NS * P),
      tpr(NS * P), lb_mean(P * J, 0.0);
  std::vector<char> mse_ok(NS * P * J), sdr_ok(NS * P), lb_ratio_ok(NS * P), lb_ok(P * J, 0);
  std::vector<int64_t> outages(NS * P), counts(NS * P), lb_fail(P, 0);
  for (size_t p = 0; p < P; ++p) {
    const Link& link = e.links[p];
    std::vector<double> lb;
    if (c.lower_bound) lb = set.at("lower_bound/alpha", p);
    const size_t R = set.count(job_of(c, 0) + "/alpha", p);
    if (lb.empty()) lb.assign(R, INFINITY);
    long lok = 0;
    double lsum = 0;
    for (double x : lb)
      if (std::isfinite(x)) lsum += x, ++lok;
    lb_fail[p] = (int64_t)(R - (size_t)lok);
    for (size_t j = 0; j < J; ++j)
      if (lok) lb_mean[p * J + j] = link.sigma2[j] / link.scale[j] * lsum / lok, lb_ok[p * J + j] = 1;
    const std::vector<double>* a_sdr = have_sdr ? &set.at(job_of(c, (size_t)sdr) + "/alpha", p) : nullptr;
    for (size_t s = 0; s < NS; ++s) {
      const std::vector<double>& a = set.at(job_of(c, s) + "/alpha", p);
      const std::vector<double>& m = set.at(job_of(c, s) + "/misalignment", p);
      const std::vector<double>& t = set.at(job_of(c, s) + "/seconds", p);
      const size_t k = s * P + p;
      counts[k] = (int64_t)a.size();
      double tsum = 0;
      for (double x : t) tsum += x;
      tpr[k] = a.empty() ? 0.0 : tsum / (double)a.size();
      std::vector<double> rs, rl;
      long wins = 0, both = 0, bad = 0;
      for (size_t r = 0; r < a.size(); ++r) {
        if (!std::isfinite(a[r])) {
          ++bad;
          continue;
        }
        if (a_sdr && r < a_sdr->size() && std::isfinite((*a_sdr)[r])) {
          rs.push_back(a[r] / (*a_sdr)[r]);
          wins += a[r] <= (*a_sdr)[r] ? 1 : 0;
          ++both;
        }
        if (r < lb.size() && std::isfinite(lb[r])) rl.push_back(a[r] / lb[r]);
      }
      outages[k] = bad;
      for (size_t j = 0; j < J; ++j) {
        std::vector<double> x;
        for (size_t r = 0; r < a.size(); ++r)
          if (std::isfinite(a[r])) x.push_back(link.sigma2[j] * a[r] / link.scale[j] + m[r]);
        double sum = 0;
        for (double v : x) sum += v;
        const size_t q = k * J + j;
        mse_ok[q] = !x.empty();
        mse_mean[q] = x.empty() ? 0.0 : sum / (double)x.size();
        mse_median[q] = median(x);
      }
      sdr_ok[k] = have_sdr && both > 0;
      r_sdr[k] = median(rs);
      win[k] = both ? (double)wins / (double)both : 0.0;
      lb_ratio_ok[k] = !rl.empty();
      r_lb[k] = median(rl);
    }
  }
  std::vector<Axis> coords{{"solver", "", "the solvers compared, in the order given", {}, c.solvers, false}};
  std::vector<std::string> pdims;
  for (const Axis& a : link_axes(c.scenario)) coords.push_back(a), pdims.push_back(a.name);
  const Axis noise = noise_axis(c.scenario);
  coords.push_back(noise);
  std::vector<std::string> sp{"solver"}, spn, pn = pdims;
  sp.insert(sp.end(), pdims.begin(), pdims.end());
  spn = sp;
  spn.push_back(noise.name);
  pn.push_back(noise.name);
  ResultSchema schema;
  schema.group = "compare";
  const std::string unit = "1 (MSE per slot)";
  schema.datasets = {
      real_dataset("mse_mean", spn, unit, "mean exact MSE = sigma^2 alpha + misalignment over non-outage realizations",
                   true, "mse_valid"),
      real_dataset("mse_median", spn, unit, "median exact MSE over non-outage realizations", true, "mse_valid"),
      real_dataset("ratio_to_sdr_median", sp, "1",
                   "median over realizations of alpha / alpha_sdr (SDR + randomization; independent of the noise "
                   "level); undefined if sdr was not run or no realization has both alphas finite",
                   true, "vs_sdr_valid"),
      real_dataset("win_rate_vs_sdr", sp, "1", "fraction of realizations with alpha <= alpha_sdr (both finite)", true,
                   "vs_sdr_valid"),
      real_dataset("ratio_to_lower_bound_median", sp, "1",
                   "median over realizations of alpha / SDP lower bound (>= 1; independent of the noise level); undefined "
                   "without a usable bound",
                   true),
      integer_dataset("outages", sp, "realizations", "realizations with no finite alpha (outages)"),
      integer_dataset("realizations", sp, "realizations", "realizations simulated per solver and point"),
      real_dataset("time_per_realization", sp, "s",
                   "wall time per realization of each solver (its blocks' times summed over the run, divided by the "
                   "realizations)"),
      real_dataset("lower_bound_mse_mean", pn, unit,
                   "mean over realizations of sigma^2 x the SDP lower bound (undefined if it failed everywhere or was not "
                   "computed)",
                   true),
      integer_dataset("lower_bound_failures", pdims, "realizations",
                      "realizations where the lower-bound SDP failed (or it was not computed)"),
  };
  out.set_stage("summary");
  SchemaWriter w(out, schema, coords);
  w.put("mse_mean", mse_mean, mse_ok);
  w.put("mse_median", mse_median, mse_ok);
  w.put("ratio_to_sdr_median", r_sdr, sdr_ok);
  w.put("win_rate_vs_sdr", win, sdr_ok);
  w.put("ratio_to_lower_bound_median", r_lb, lb_ratio_ok);
  w.put("outages", outages);
  w.put("realizations", counts);
  w.put("time_per_realization", tpr);
  w.put("lower_bound_mse_mean", lb_mean, lb_ok);
  w.put("lower_bound_failures", lb_fail);
  if (c.save_channels) {
    for (size_t p = 0; p < P; ++p) {
      const Link& link = e.links[p];
      const std::string g = "compare/channels/p" + std::to_string(p);
      const ResultFile::Stage st(out, "design (per-realization alpha, point " + std::to_string(p) + ")");
      // With --target-rse the solvers may stop at different counts: the channels of the
      // longest run are stored, and a solver's realizations past its own count are masked.
      size_t R = 0;
      for (size_t s = 0; s < NS; ++s) R = std::max(R, (size_t)set.count(job_of(c, s) + "/alpha", p));
      std::vector<double> alpha(NS * R, 0.0);
      std::vector<char> ok(NS * R, 0);
      for (size_t s = 0; s < NS; ++s) {
        const std::vector<double>& a = set.at(job_of(c, s) + "/alpha", p);
        for (size_t r = 0; r < a.size() && r < R; ++r)
          alpha[s * R + r] = std::isfinite(a[r]) ? a[r] : 0.0, ok[s * R + r] = std::isfinite(a[r]);
      }
      out.write_masked(g + "/alpha", alpha, ok, {NS, R}, {"solver", "realization"}, "1",
                       "exact alpha = max_n tr((G^H Q_n G)^{-1}) / E_n per solver and realization; outages and "
                       "realizations past the solver's own count (early stopping) masked");
      const int N = link.ch.n_dev, nr = link.ch.n_rx, nt = link.ch.n_tx;
      std::vector<std::complex<double>> H((size_t)R * N * nr * nt), Hh(H.size());
      channel_batch_cpu(link.ch, 0, (long)R, H.data(), Hh.data());
      auto as_re_im = [&](const std::vector<std::complex<double>>& M) {
        // realization, device, rx, tx, re/im from realization-major, device, column-major storage.
        std::vector<double> v(M.size() * 2);
        for (size_t r = 0; r < R; ++r)
          for (int n = 0; n < N; ++n)
            for (int a = 0; a < nr; ++a)
              for (int t = 0; t < nt; ++t) {
                const std::complex<double> z = M[((r * N + n) * nt + t) * nr + a];
                const size_t o = ((((r * N) + n) * nr + a) * nt + t) * 2;
                v[o] = z.real(), v[o + 1] = z.imag();
              }
        return v;
      };
      const std::vector<size_t> shape{R, (size_t)N, (size_t)nr, (size_t)nt, 2};
      const std::vector<std::string> dims{"realization", "device", "rx_antenna", "tx_antenna", "re_im"};
      out.write(g + "/channels", as_re_im(H), shape, dims, "1", "true channel matrices H_n the transmissions went through");
      if (link.ch.csi_nmse > 0)
        out.write(g + "/estimates", as_re_im(Hh), shape, dims, "1", "the estimates H_n + E_n every solver designed on");
      // The point's coordinates on every link axis.
      out.attr(g, "n_devices", (int64_t)N);
      out.attr(g, "assignment", link.m_spec);
      out.attr(g, "n_rx", (int64_t)nr);
      out.attr(g, "n_tx", (int64_t)link.point.n_tx);
      out.attr(g, "streams", (int64_t)link.point.streams);
      out.attr(g, "k_factor", link.ch.k_factor);
      out.attr(g, "csi_nmse", link.point.csi_nmse);
    }
  }
  out.attr("compare", "realizations", (int64_t)c.run.realizations);
  if (quiet) return;
  for (size_t p = 0; p < P; ++p)
    for (size_t s = 0; s < NS; ++s) {
      const size_t k = s * P + p;
      auto v = [](bool ok, double x) {
        std::ostringstream o;
        if (ok) o << x; else o << "-";
        return o.str();
      };
      std::cerr << "N=" << e.links[p].point.n_devices << " N_r=" << e.links[p].point.n_rx << " " << c.solvers[s]
                << ": MSE " << v(mse_ok[k * J], mse_mean[k * J]) << ", median/SDR " << v(sdr_ok[k], r_sdr[k]) << ", wins "
                << v(sdr_ok[k], win[k]) << ", median/LB " << v(lb_ratio_ok[k], r_lb[k]) << ", outages " << outages[k]
                << ", " << tpr[k] * 1e3 << " ms\n";
    }
}

void finalize_compare(const std::string& config_toml, const SampleSet& s, ResultFile& out) {
  CompareConfig c;
  FieldTable t("compare");
  add_compare_fields(t, c);
  t.read_text(config_toml, "shard config");
  const CompareExperiment e = make_compare(c, Backend::cpu);
  write_compare(c, e, s, out, true);
}

}  // namespace airtp
