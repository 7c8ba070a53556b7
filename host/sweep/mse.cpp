#include "host/sweep/mse.hpp"

#include <algorithm>
#include <cmath>

#include "host/common/errors.hpp"
#include "host/io/result_schema.hpp"
#include "host/runs/stats.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/solvers/solver_fields.hpp"

namespace airtp {

MseConfig::MseConfig() {
  scenario.n_devices = {2, 4, 8};
  run.realizations = 4096;
  run.output = "results/mse.h5";
}

void add_mse_fields(FieldTable& t, MseConfig& c) {
  add_run_fields(t, c.run);
  add_scenario_fields(t, c.scenario);
  add_solver_fields(t, c.solver, c.solver_options);
  t.add("schemes", "--schemes", &c.schemes, "",
        "curves: aircomp, fdma, digital; aircomp:SOLVER / fdma:SOLVER for another receive design")
      .unique_values();
  t.add("digital.bits", "--bits", &c.digital_bits, "bits", "digital: bits Q per real part, one curve each")
      .range(1, 24)
      .unique_values();
  t.add("digital.block", "--block", &c.digital_block, "symbols", "digital: symbols per device sharing one quantizer range")
      .range(1, 1 << 20);
  t.add("output.percentiles", "--percentiles", &c.percentiles, "%", "percentile levels of the per-realization MSE")
      .range(0, 100)
      .unique_values();
}

namespace {

const std::vector<std::string> kMseKinds{"aircomp", "fdma", "digital"};

// Realizations per block: one GPU launch for the kernel designs; SDR (about 0.1-0.5 s per
// realization on one core) in small blocks so a kill loses little.
uint64_t block_for(const std::string& solver) { return solver == "sdr" ? 64 : uint64_t{1} << 16; }

}  // namespace

MseExperiment make_mse(const MseConfig& c, Backend b) {
  validate(c.scenario);
  validate(c.run);
  MseExperiment e;
  const std::vector<SchemeSpec> specs = parse_schemes(c.schemes, c.solver, kMseKinds);
  for (const SchemeSpec& s : specs) {
    if (s.kind == "digital") {
      for (int q : c.digital_bits) e.curves.push_back({s, q, "digital (" + std::to_string(q) + " bits)", "digital"});
    } else {
      e.curves.push_back({s, 0, s.label(), s.kind + "_" + s.solver});
    }
  }
  // Every link, checked before any work (energies, memory, antennas).
  for (const LinkPoint& pt : link_points(c.scenario)) e.links.push_back(make_link(c.scenario, pt));
  const size_t J = c.scenario.noise_values().size();
  bool scalable = true;
  for (const Link& l : e.links) scalable = scalable && l.scalable;
  e.width = scalable ? 1 : J;

  RunPlan& plan = e.plan;
  plan.label = "mse";
  plan.axes = link_axes(c.scenario);
  plan.realizations = (uint64_t)c.run.realizations;
  plan.target_rse = c.run.target_rse;
  plan.min_realizations = (uint64_t)c.run.min_realizations;
  plan.extra_bytes = 64.0 * 1024 * 1024;  // kernel scratch
  const MseExperiment* ex = &e;
  const SolverOptions so = c.solver_options;
  const size_t W = e.width;
  // Early stopping watches the worst relative standard error of the mean MSE over the noise levels.
  auto analog_rse = [ex, W](size_t point, const std::vector<const std::vector<double>*>& v, uint64_t) {
    const Link& link = ex->links[point];
    double worst = 0;
    const size_t R = v[0]->size() / W;
    for (size_t j = 0; j < link.sigma2.size(); ++j) {
      std::vector<double> x(R);
      for (size_t r = 0; r < R; ++r) {
        const double a = W == 1 ? (*v[0])[r] / link.scale[j] : (*v[0])[r * W + j];
        const double m = W == 1 ? (*v[1])[r] : (*v[1])[r * W + j];
        x[r] = link.sigma2[j] * a + m;  // +inf (outage) is left out by mean_rse
      }
      worst = std::max(worst, mean_rse(x));
    }
    return worst;
  };
  for (const SchemeSpec& s : specs) {
    if (s.kind == "digital") continue;
    Job j;
    j.name = s.kind + "_" + s.solver;
    j.samples = {"alpha", "misalignment"};
    j.width = W;
    j.block = block_for(s.solver);
    j.cost = s.solver == "sdr" ? 2000.0 : s.solver == "fast" ? 20.0 : 1.0;
    const Solver solver = parse_solver(s.solver);
    const bool fdma = s.kind == "fdma";
    j.run = [ex, b, solver, so, fdma, W](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                                         const BlockProgress&) {
      const Link& link = ex->links[point];
      const size_t levels = W == 1 ? 1 : link.slot_energy.size();
      std::vector<double> a((size_t)count), m((size_t)count);
      for (size_t lv = 0; lv < levels; ++lv) {
        const AlphaParams p = alpha_params(link, lv);
        std::vector<double> asum((size_t)count, 0.0), msum((size_t)count, 0.0);
        const int groups = fdma ? link.ch.n_dev : 1;
        for (int g = 0; g < groups; ++g) {
          const AlphaParams q = fdma ? fdma_subband(p, g) : p;
          solve_alpha_batch(b, q, solver, so, first, (long)count, a.data(), m.data());
          for (uint64_t i = 0; i < count; ++i) asum[i] += a[i], msum[i] += a[i] < INFINITY ? m[i] : 0.0;
        }
        for (uint64_t i = 0; i < count; ++i) {
          out[0][i * W + lv] = asum[i];
          out[1][i * W + lv] = asum[i] < INFINITY ? msum[i] : 0.0;
        }
      }
    };
    j.rse = analog_rse;
    plan.jobs.push_back(std::move(j));
  }
  // Digital: one job for all bit widths (they share the symbols); the samples depend on (seed,
  // realization, N, L, block, bits) only.
  std::vector<int> bits;
  for (const MseCurve& cv : e.curves)
    if (cv.scheme.kind == "digital") bits.push_back(cv.bits);
  if (!bits.empty()) {
    Job j;
    j.name = "digital";
    for (int q : bits) j.samples.push_back("q" + std::to_string(q));
    j.block = uint64_t{1} << 16;
    j.depends = {1, 0, 0, 1, 1, 0, 0};  // n_devices, n_tx and streams (L = N_t when streams is 0)
    const uint64_t seed = c.scenario.seed;
    const int block = c.digital_block;
    j.run = [ex, bits, seed, block](size_t point, uint64_t first, uint64_t count, const std::vector<double*>& out,
                                    const BlockProgress&) {
      const Link& link = ex->links[point];
      digital_mse_batch(RngKey{seed, 0, kRngSymbols}, first, (long)count, link.ch.n_dev, block, bits.data(),
                        (int)bits.size(), (double)link.L, out.data());
    };
    j.rse = [](size_t, const std::vector<const std::vector<double>*>& v, uint64_t) {
      double worst = 0;
      for (const auto* x : v) worst = std::max(worst, mean_rse(*x));
      return worst;
    };
    plan.jobs.push_back(std::move(j));
  }
  return e;
}

namespace {

ResultSchema mse_schema(const std::vector<std::string>& dims_point, const std::string& noise) {
  std::vector<std::string> curve_point{"curve"};
  curve_point.insert(curve_point.end(), dims_point.begin(), dims_point.end());
  std::vector<std::string> full = curve_point;
  full.push_back(noise);
  std::vector<std::string> pct = full;
  pct.push_back("percentile");
  const std::string unit = "1 (per slot, summed over the L unit-power streams)";
  ResultSchema s;
  s.group = "mse";
  s.datasets = {
      real_dataset("mean", full, unit,
                   "mean MSE of the estimated sum over non-outage realizations: aircomp sigma^2 alpha(G) + "
                   "misalignment; fdma sigma^2 sum_n alpha_n + sum_n misalignment_n (each device's own N = 1 design, "
                   "its noise added separately); digital L x the mean over the block of |sum_n (q(s_n) - s_n)|^2 with "
                   "CN(0, 1) symbols (the same at every noise level)",
                   true),
      real_dataset("stderr", full, unit, "standard error of mean (undefined with fewer than 2 non-outage realizations)", true),
      real_dataset("percentiles", pct, unit, "percentiles of the per-realization MSE (non-outage realizations)", true),
      real_dataset("misalignment", curve_point, unit,
                   "mean misalignment sum_n ||A^H H_n B_n - I||_F^2 of precoders designed on imperfect CSI (0 with "
                   "perfect CSI)",
                   true),
      integer_dataset("outages", curve_point, "realizations",
                      "realizations where zero-forcing is impossible (some G^H H_n H_n^H G singular; fdma: for some "
                      "device alone); 0 for digital"),
      integer_dataset("realizations", curve_point, "realizations",
                      "realizations simulated at the point (all of them, or where --target-rse stopped it)"),
      text_dataset("curve_kind", {"curve"}, "scheme of each curve: aircomp, fdma or digital"),
      text_dataset("curve_solver", {"curve"}, "receive design of each analog curve (empty for digital)"),
      integer_dataset("curve_bits", {"curve"}, "bits", "Q of each digital curve, 0 otherwise"),
      integer_dataset("streams_used", dims_point, "streams", "L at each point (channel.streams, or the smallest N_t when 0)"),
      real_dataset("k_db", {"k_factor"}, "dB", "the Rician K factor in dB (undefined for Rayleigh, K = 0)", true),
  };
  return s;
}

}  // namespace

void write_mse(const MseConfig& c, const MseExperiment& e, const SampleSet& s, ResultFile& out) {
  check_complete(e.plan, s);
  const size_t P = e.links.size(), C = e.curves.size();
  const std::vector<double>& levels = c.scenario.noise_values();
  const size_t J = levels.size(), Q = c.percentiles.size(), W = e.width;
  std::vector<double> mean(C * P * J), se(C * P * J), pct(C * P * J * Q), mis(C * P);
  std::vector<char> mean_ok(C * P * J), se_ok(C * P * J), pct_ok(C * P * J * Q), mis_ok(C * P);
  std::vector<int64_t> outages(C * P), counts(C * P), bits(C);
  std::vector<std::string> kinds(C), solvers(C), labels(C);
  for (size_t v = 0; v < C; ++v) {
    const MseCurve& cv = e.curves[v];
    kinds[v] = cv.scheme.kind, solvers[v] = cv.scheme.solver, labels[v] = cv.label, bits[v] = cv.bits;
    const bool analog = cv.scheme.kind != "digital";
    for (size_t p = 0; p < P; ++p) {
      const Link& link = e.links[p];
      const size_t o = v * P + p;
      if (analog) {
        const std::vector<double>& a = s.at(cv.job + "/alpha", p);
        const std::vector<double>& m = s.at(cv.job + "/misalignment", p);
        const size_t R = a.size() / W;
        counts[o] = (int64_t)R;
        // Outage: alpha infinite at the first level (the same realization at every level).
        std::vector<double> mm;
        long bad = 0;
        for (size_t r = 0; r < R; ++r) {
          if (!(a[r * W] < INFINITY)) ++bad;
          else mm.push_back(m[r * W]);
        }
        outages[o] = bad;
        const Summary sm = summarize(mm, {});
        mis[o] = sm.mean, mis_ok[o] = sm.count > 0;
        for (size_t j = 0; j < J; ++j) {
          std::vector<double> x(R);
          for (size_t r = 0; r < R; ++r) {
            const double al = W == 1 ? a[r] / link.scale[j] : a[r * W + j];
            const double mi = W == 1 ? m[r] : m[r * W + j];
            x[r] = al < INFINITY ? link.sigma2[j] * al + mi : INFINITY;
          }
          const Summary sj = summarize(x, c.percentiles);
          const size_t k = o * J + j;
          mean[k] = sj.mean, se[k] = sj.stderr_, mean_ok[k] = sj.count > 0, se_ok[k] = sj.count > 1;
          for (size_t q = 0; q < Q; ++q) pct[k * Q + q] = sj.count ? sj.percentiles[q] : 0.0, pct_ok[k * Q + q] = sj.count > 0;
        }
      } else {
        const std::vector<double>& d = s.at("digital/q" + std::to_string(cv.bits), p);
        counts[o] = (int64_t)d.size();
        outages[o] = 0;
        mis[o] = 0, mis_ok[o] = 1;
        const Summary sd = summarize(d, c.percentiles);
        for (size_t j = 0; j < J; ++j) {
          const size_t k = o * J + j;
          mean[k] = sd.mean, se[k] = sd.stderr_, mean_ok[k] = sd.count > 0, se_ok[k] = sd.count > 1;
          for (size_t q = 0; q < Q; ++q) pct[k * Q + q] = sd.count ? sd.percentiles[q] : 0.0, pct_ok[k * Q + q] = sd.count > 0;
        }
      }
    }
  }
  std::vector<Axis> coords{{"curve", "", "one curve per scheme (and receive design / bit width)", {}, labels, false}};
  const std::vector<Axis> link = link_axes(c.scenario);
  std::vector<std::string> dims_point;
  for (const Axis& a : link) coords.push_back(a), dims_point.push_back(a.name);
  const Axis noise = noise_axis(c.scenario);
  coords.push_back(noise);
  coords.push_back({"percentile", "%", "percentile levels of mse/percentiles", c.percentiles, {}, false});
  const ResultSchema schema = mse_schema(dims_point, noise.name);
  const ResultFile::Stage stage(out, "summary");
  SchemaWriter w(out, schema, coords);
  w.put("mean", mean, mean_ok);
  w.put("stderr", se, se_ok);
  w.put("percentiles", pct, pct_ok);
  w.put("misalignment", mis, mis_ok);
  w.put("outages", outages);
  w.put("realizations", counts);
  w.put("curve_kind", kinds);
  w.put("curve_solver", solvers);
  w.put("curve_bits", bits);
  std::vector<int64_t> L;
  for (const Link& l : e.links) L.push_back(l.L);
  w.put("streams_used", L);
  std::vector<double> kdb;
  std::vector<char> kok;
  for (double k : c.scenario.k_db) kdb.push_back(std::isfinite(k) ? k : 0.0), kok.push_back(std::isfinite(k));
  w.put("k_db", kdb, kok);
  out.attr("mse", "noise_mode", c.scenario.noise_mode);
  out.attr("mse", "solver", c.solver);
  out.attr("mse", "target_rse", c.run.target_rse);
}

void finalize_mse(const std::string& config_toml, const SampleSet& s, ResultFile& out) {
  MseConfig c;
  FieldTable t("mse");
  add_mse_fields(t, c);
  t.read_text(config_toml, "shard config");
  const MseExperiment e = make_mse(c, Backend::cpu);
  write_mse(c, e, s, out);
}

}  // namespace airtp
