// airtp assign: model assignment m over heterogeneous devices by SSCA (SPEC §5), with the
// convergence curve on independent validation channels and the baselines on the same channels.
#include <cmath>
#include <iostream>
#include <sstream>

#include "experiments/cli_util.hpp"
#include "experiments/commands.hpp"
#include "host/assign/assign_config.hpp"
#include "host/assign/rounding.hpp"
#include "host/common/backend_select.hpp"
#include "host/config/toml_read.hpp"
#include "host/runs/shard.hpp"

namespace airtp {
namespace {

struct AssignFlags {
  std::string config, output = "results/assign.h5", backend, solver, devices, model, m0, k_db;
  uint64_t seed = 0;
  int iterations = 0, validate_every = 0, fast_starts = 0, fast_iters = 0, draws = 0;
  long batch = 0, validation = 0;
  double curvature = 0;
  bool quiet = false, resume = false;
};

std::string join(const std::vector<double>& v) {
  std::ostringstream s;
  for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << exact_double(v[i]);
  return s.str();
}

void write_level(ResultFile& out, const std::string& name, const Level& l, const std::string& what) {
  out.write_masked(name + "/mse", std::vector<double>{l.mse}, std::vector<char>{l.mse_ok}, {}, {"scalar"},
                   "normalised MSE per symbol (sigma^2 alpha)",
                   "validation-set mean transmission MSE of " + what +
                       " (undefined when the assignment is infeasible or every realization is an outage)");
  out.write_masked(name + "/stderr", std::vector<double>{l.stderr_}, std::vector<char>{l.stderr_ok}, {}, {"scalar"},
                   "same as mse", "standard error of the mean (undefined with fewer than 2 usable realizations)");
  out.write(name + "/feasible", std::vector<int64_t>{l.feasible ? 1 : 0}, {}, {"scalar"}, "1",
            "1 when the assignment meets the simplex, memory and energy constraints");
}

std::string show_mse(const Level& l) {
  std::ostringstream o;
  if (l.mse_ok) o << l.mse; else o << "undefined";
  return o.str();
}

int run_assign(const AssignFlags& f, CLI::App& sub) {
  AssignConfig c;
  if (!f.config.empty()) load_assign_config(f.config, c);
  auto set = [&](const char* name) { return sub.get_option(name)->count() > 0; };
  if (set("--seed")) c.seed = f.seed;
  if (set("--backend")) c.backend = f.backend;
  if (set("--solver")) c.solver = f.solver;
  if (set("--devices")) c.device_mix = f.devices;
  if (set("--model")) c.scenario.model = model_shape(f.model, "--model");
  if (set("--iterations")) c.ssca.iterations = f.iterations;
  if (set("--batch")) c.ssca.batch = f.batch;
  if (set("--validation")) c.ssca.validation = f.validation;
  if (set("--validate-every")) c.ssca.validate_every = f.validate_every;
  if (set("--curvature")) c.ssca.curvature = f.curvature;
  if (set("--k-db")) c.scenario.k_factor_db = parse_double_list("--k-db", f.k_db).at(0);
  if (set("--m0")) c.ssca.m0 = parse_double_list("--m0", f.m0);
  if (set("--fast-starts")) c.solver_options.fast_starts = f.fast_starts;
  if (set("--fast-iters")) c.solver_options.fast_iters = f.fast_iters;
  if (set("--draws")) c.solver_options.draws = f.draws;
  finalize(c);
  const Backend b = select_backend(c.backend);
  const Solver solver = parse_solver(c.solver);
  const AssignScenario& s = c.scenario;
  const int N = s.n();
  const FeasibleSet fs = feasible_set(s, c.ssca.energy_margin);  // InputError before any work
  // Finished iterations are always checkpointed; --resume decides whether an old checkpoint of
  // this output is used or discarded.
  const Checkpoint ckpt(f.output, run_identity("assign", c.to_toml(), ShardSpec{}, backend_name(b)), f.resume);
  const SscaTrace t = run_ssca(b, s, solver, c.solver_options, c.ssca, c.seed, f.quiet, &ckpt);

  ResultFile out(f.output, run_info("assign", c.to_toml(), c.seed, b));
  out.set_stage("SSCA iterations (sampling, design, surrogate)");
  out.attr("/", "solver", solver_name(solver));
  const size_t T = t.rho.size();
  const size_t n = (size_t)N;
  out.write("ssca/m", t.m, {T + 1, n}, {"iteration", "device"}, "1", "assignment m^tau, tau = 0..T (row 0: start)");
  out.write("ssca/rho", t.rho, {}, {"iteration"}, "1", "averaging step rho^tau = rho_scale / (tau+1)^rho_exp");
  out.write("ssca/gamma", t.gamma, {}, {"iteration"}, "1", "update step gamma^tau = gamma_scale / (tau+1)^gamma_exp");
  out.write("ssca/sample_alpha", t.sample_alpha, {}, {"iteration"}, "1/J per unit gain",
            "mini-batch mean alpha at m^tau (training stream)");
  out.write("ssca/surrogate_value", t.surrogate_value, {}, {"iteration"}, "1 (alpha / alpha_ref)",
            "recursive average of the objective (normalised by the first mini-batch mean alpha)");
  out.write("ssca/grad_avg", t.grad_avg, {T, n}, {"iteration", "device"}, "1 (alpha / alpha_ref)",
            "recursive average of d alpha / d m (active-device gradient), normalised");
  out.attr("ssca/surrogate_value", "alpha_ref", t.alpha_ref);
  out.write("validation/iteration", t.val_iter, {}, {"point"}, "1", "iteration tau whose m^tau was validated");
  out.set_stage("validation");
  out.write_masked("validation/mse", t.val_mse, t.val_mse_ok, {}, {"point"}, "MSE per symbol (sigma^2 alpha)",
                   "mean transmission MSE on the validation channels (independent RNG stream): the convergence curve "
                   "(undefined where every validation realization is an outage)");
  out.write_masked("validation/stderr", t.val_stderr, t.val_stderr_ok, {}, {"point"}, "same as mse",
                   "standard error of validation/mse (undefined with fewer than 2 usable realizations)");
  out.write("validation/outages", t.val_outages, {}, {"point"}, "realizations", "outage realizations left out");
  out.attr("validation/mse", "realizations", (int64_t)c.ssca.validation);

  // Final m, its rounded split, and the baselines on the same validation channels.
  const RoundedSplit r = round_split(t.final_m, s.model);
  out.write("final/m", t.final_m, {}, {"device"}, "1", "final assignment m^T");
  out.write("final/heads", std::vector<int64_t>(r.heads.begin(), r.heads.end()), {}, {"device"}, "heads",
            "query heads per device after largest-remainder rounding (whole KV groups when N <= kv_heads)");
  out.write("final/kv_heads", std::vector<int64_t>(r.kv_heads.begin(), r.kv_heads.end()), {}, {"device"}, "heads",
            "KV heads held per device (replicas counted)");
  out.write("final/neurons", std::vector<int64_t>(r.neurons.begin(), r.neurons.end()), {}, {"device"}, "neurons",
            "MLP hidden neurons per device after largest-remainder rounding");
  out.write("final/param_share", r.param_share, {}, {"device"}, "1", "share of the split parameters after rounding");
  auto level = [&](const std::vector<double>& m, bool simplex = true) {
    return validation_level(b, s, m, solver, c.solver_options, c.seed, c.ssca.validation, fs, simplex);
  };
  out.set_stage("final and baseline levels (validation)");
  const Level lf = level(t.final_m), lr = level(r.param_share, false);
  write_level(out, "final/level", lf, "the final m");
  write_level(out, "final/rounded_level", lr, "the rounded split");

  std::vector<std::string> names{"uniform", "compute", "memory"};
  std::vector<double> bm, bmse, bse;
  std::vector<int64_t> bfeas;
  std::vector<char> bmse_ok, bse_ok;
  double fsum = 0, msum = 0;
  for (const AssignDevice& d : s.devices) fsum += d.flops, msum += d.memory_bytes;
  for (int k = 0; k < 3; ++k) {
    std::vector<double> m(n);
    for (int i = 0; i < N; ++i)
      m[i] = k == 0 ? 1.0 / N : k == 1 ? s.devices[i].flops / fsum : s.devices[i].memory_bytes / msum;
    const Level l = level(m);
    bm.insert(bm.end(), m.begin(), m.end());
    bmse.push_back(l.mse), bse.push_back(l.stderr_), bfeas.push_back(l.feasible ? 1 : 0);
    bmse_ok.push_back(l.mse_ok), bse_ok.push_back(l.stderr_ok);
    if (!f.quiet)
      std::cerr << "assign: baseline " << names[k] << ": validation MSE " << show_mse(l) << (l.feasible ? "" : " (infeasible)") << "\n";
  }
  out.write_strings("baselines/names", names, "uniform m; m proportional to compute speed; m proportional to memory");
  out.write("baselines/m", bm, {3, n}, {"baseline", "device"}, "1", "assignment of each baseline");
  out.write_masked("baselines/mse", bmse, bmse_ok, {}, {"baseline"}, "MSE per symbol (sigma^2 alpha)",
                   "validation-set mean MSE of each baseline (undefined when infeasible, see baselines/feasible, or "
                   "when every realization is an outage)");
  out.write_masked("baselines/stderr", bse, bse_ok, {}, {"baseline"}, "same as mse",
                   "standard error of baselines/mse (undefined with fewer than 2 usable realizations)");
  out.write("baselines/feasible", bfeas, {}, {"baseline"}, "1", "1 when the baseline meets every constraint");

  out.set_stage("device description");
  std::vector<std::string> dn;
  std::vector<double> fl, mem, e, p, dist, beta;
  for (int i = 0; i < N; ++i) {
    const AssignDevice& d = s.devices[i];
    dn.push_back(d.name), fl.push_back(d.flops), mem.push_back(d.memory_bytes), e.push_back(d.energy_per_param),
        p.push_back(d.energy_budget), dist.push_back(d.distance_m), beta.push_back(s.beta(i));
  }
  out.write_strings("devices/names", dn, "preset of each device");
  out.write("devices/flops", fl, {}, {"device"}, "FLOP/s", "compute speed f_n");
  out.write("devices/memory_bytes", mem, {}, {"device"}, "bytes", "memory M_n");
  out.write("devices/energy_per_param", e, {}, {"device"}, "J", "computation energy per parameter e_n");
  out.write("devices/energy_budget", p, {}, {"device"}, "J", "energy budget per all-reduce P_n^max");
  out.write("devices/distance_m", dist, {}, {"device"}, "m", "distance to the server");
  out.write("devices/beta", beta, {}, {"device"}, "1", "large-scale channel gain beta_n");
  out.write("devices/cap", fs.cap, {}, {"device"}, "1", "largest feasible m_n (memory and energy)");
  out.write("devices/memory_cap", fs.memory_cap, {}, {"device"}, "1", "M_n / model bytes");
  std::vector<char> has_energy_cap;
  for (double x : fs.energy_cap) has_energy_cap.push_back(std::isfinite(x));
  out.write_masked("devices/energy_cap", fs.energy_cap, has_energy_cap, {}, {"device"}, "1",
                   "(1 - margin) P_n^max / (e_n s_tot) (none where e_n = 0: no energy constraint)");
  out.attr("/", "s_tot", s.model.layer_params());
  out.attr("/", "l0", (int64_t)s.l0());
  out.attr("/", "streams", (int64_t)s.L());
  out.attr("/", "sigma2", s.sigma2());
  out.commit();
  ckpt.remove();
  if (!f.quiet) {
    std::cerr << "assign: final validation MSE " << show_mse(lf) << " +- " << lf.stderr_ << "; rounded split " << show_mse(lr) << "\n";
    std::cerr << "assign: wrote " << f.output << "\n";
  }
  std::cout << "m = " << join(t.final_m) << "\n";
  return 0;
}

const bool registered = register_command({"assign", "Model assignment over heterogeneous devices by SSCA (long timescale)",
                                          [](CLI::App& sub) -> std::function<int()> {
  auto f = std::make_shared<AssignFlags>();
  sub.add_option("config", f->config, "TOML config file (flags override it)");
  sub.add_option("-o,--output", f->output, "result file (HDF5)")->capture_default_str();
  sub.add_option("--seed", f->seed, "random seed");
  sub.add_option("--backend", f->backend, "auto, cpu or cuda");
  sub.add_option("--solver", f->solver, "short-timescale solver: fast (default), eigen, random or sdr");
  sub.add_option("--devices", f->devices, "device mix, e.g. 2*phone+laptop+jetson");
  sub.add_option("--model", f->model, "model shape: stories260K, llama2-7b, ...");
  sub.add_option("--iterations", f->iterations, "SSCA iterations");
  sub.add_option("--batch", f->batch, "channel realizations per mini-batch");
  sub.add_option("--validation", f->validation, "validation realizations");
  sub.add_option("--validate-every", f->validate_every, "iterations between validation points");
  sub.add_option("--curvature", f->curvature, "surrogate's quadratic weight");
  sub.add_option("--k-db", f->k_db, "Rician K in dB (-inf: Rayleigh)");
  sub.add_option("--m0", f->m0, "starting assignment, e.g. 0.25,0.25,0.25,0.25");
  sub.add_option("--fast-starts", f->fast_starts, "fast solver: starts");
  sub.add_option("--fast-iters", f->fast_iters, "fast solver: L-BFGS iterations per stage");
  sub.add_option("--draws", f->draws, "sdr: randomization draws");
  sub.add_flag("--resume", f->resume, "continue an interrupted run from its checkpoint (OUTPUT.ckpt/)");
  sub.add_flag("-q,--quiet", f->quiet, "no progress output");
  CLI::App* s = &sub;
  return [f, s] { return run_assign(*f, *s); };
}});

}  // namespace
}  // namespace airtp
