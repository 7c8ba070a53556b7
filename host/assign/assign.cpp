#include "host/assign/assign.hpp"

#include <cmath>
#include <iostream>
#include <sstream>

#include "host/assign/rounding.hpp"
#include "host/common/errors.hpp"
#include "host/io/result_schema.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/solvers/solver_fields.hpp"

namespace airtp {

AssignConfig::AssignConfig() {
  scenario.devices = "2*phone+laptop+jetson";
  scenario.n_devices = {4};
  scenario.noise_mode = "physical";
  scenario.tx_power_dbm = {20};
  run.output = "results/assign.h5";
}

void add_assign_fields(FieldTable& t, AssignConfig& c) {
  RunFieldParts parts;
  parts.monte_carlo = false;
  parts.shard = false;  // SSCA's iterations are sequential
  add_run_fields(t, c.run, parts);
  ScenarioParts sp;
  sp.assignment = false;  // SSCA chooses m
  add_scenario_fields(t, c.scenario, sp);
  add_solver_fields(t, c.solver, c.solver_options);
  SscaOptions& o = c.ssca;
  t.add("ssca.iterations", "--iterations", &o.iterations, "iterations", "SSCA iterations").range(1, 1000000);
  t.add("ssca.batch", "--batch", &o.batch, "realizations", "channel realizations per mini-batch").range(1, 1 << 24);
  t.add("ssca.validation", "--validation", &o.validation, "realizations", "validation realizations").range(2, 1 << 24);
  t.add("ssca.validate_every", "--validate-every", &o.validate_every, "iterations", "iterations between validation points")
      .range(1, 1000000);
  t.add("ssca.rho_scale", "--rho-scale", &o.rho_scale, "1", "rho^tau = rho_scale / (tau+1)^rho_exp").range(1e-9, 1);
  t.add("ssca.rho_exp", "--rho-exp", &o.rho_exp, "1", "averaging step exponent, in (0.5, 1]").range(0.5, 1);
  t.add("ssca.gamma_scale", "--gamma-scale", &o.gamma_scale, "1", "gamma^tau = gamma_scale / (tau+1)^gamma_exp").range(1e-9, 1);
  t.add("ssca.gamma_exp", "--gamma-exp", &o.gamma_exp, "1", "update step exponent, in (0.5, 1], above rho_exp").range(0.5, 1);
  t.add("ssca.curvature", "--curvature", &o.curvature, "1", "the surrogate's quadratic weight").range(1e-12, 1e12);
  t.add("ssca.energy_margin", "--energy-margin", &o.energy_margin, "1", "c_n >= margin x P_n^max").range(1e-9, 0.999);
  t.add("ssca.smooth_p", "--smooth-p", &o.smooth_p, "1", "gradient weights over devices (0: the active device only)")
      .range(0, 1e6);
  t.add("ssca.m0", "--m0", &o.m0, "1", "starting assignment (empty: uniform projected onto the feasible set)")
      .range(0, 1)
      .allow_empty();
}

Link assign_link(const AssignConfig& c) {
  const Scenario& s = c.scenario;
  validate(s);
  validate(c.run);
  auto one = [](size_t n, const std::string& name) {
    if (n != 1)
      throw InputError(name + ": assign optimises one scenario, so it takes a single value (got " + std::to_string(n) + ")");
  };
  one(s.n_devices.size(), "channel.n_devices (--n-devices)");
  one(s.n_rx.size(), "channel.n_rx (--n-rx)");
  one(s.n_tx.size(), "channel.n_tx (--n-tx)");
  one(s.streams.size(), "channel.streams (--streams)");
  one(s.k_db.size(), "channel.k_db (--k-db)");
  one(s.csi_nmse.size(), "channel.csi_nmse (--csi-nmse)");
  one(s.noise_values().size(), s.physical() ? "noise.tx_power_dbm (--tx-power-dbm)" : "noise.snr_db (--snr-db)");
  LinkPoint pt{s.n_devices[0], 0, s.n_rx[0], s.n_tx[0], s.streams[0], s.k_db[0], s.csi_nmse[0]};
  // The device count follows the device list unless given.
  return make_link(s, pt, false);
}

namespace {

std::string show(const Level& l) {
  std::ostringstream o;
  if (l.mse_ok) o << l.mse; else o << "undefined";
  return o.str();
}

std::vector<double> ints(size_t n) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = (double)i;
  return v;
}

}  // namespace

std::vector<double> run_assign(const AssignConfig& c, Backend b, const Checkpoint* ckpt, ResultFile& out) {
  const Link link = assign_link(c);
  const Solver solver = parse_solver(c.solver);
  const int N = (int)link.devices.size();
  const FeasibleSet fs = feasible_set(link, c.ssca.energy_margin);  // InputError before any work
  const SscaTrace t = run_ssca(b, link, solver, c.solver_options, c.ssca, c.run.quiet, ckpt);
  const size_t T = t.rho.size(), n = (size_t)N, V = t.val_iter.size();

  auto level = [&](const std::vector<double>& m, bool simplex = true) {
    return validation_level(b, link, m, solver, c.solver_options, c.ssca.validation, fs, simplex);
  };
  const RoundedSplit r = round_split(t.final_m, link.shape);
  const Level lf = level(t.final_m), lr = level(r.param_share, false);
  const std::vector<std::string> names{"uniform", "compute", "memory"};
  std::vector<double> bm, bmse, bse;
  std::vector<int64_t> bfeas;
  std::vector<char> bmse_ok, bse_ok;
  for (const std::string& spec : names) {
    const std::vector<double> m = resolve_assignment(spec, link.devices, "baseline");
    const Level l = level(m);
    bm.insert(bm.end(), m.begin(), m.end());
    bmse.push_back(l.mse), bse.push_back(l.stderr_), bfeas.push_back(l.feasible ? 1 : 0);
    bmse_ok.push_back(l.mse_ok), bse_ok.push_back(l.stderr_ok);
    if (!c.run.quiet) std::cerr << "assign: baseline " << spec << ": validation MSE " << show(l) << (l.feasible ? "" : " (infeasible)") << "\n";
  }

  const std::vector<Axis> coords{
      {"iteration", "1", "SSCA iteration tau", ints(T), {}, true},
      {"step", "1", "assignment index: m^0 (the start) .. m^T", ints(T + 1), {}, true},
      {"device", "1", "device index", ints(n), {}, true},
      {"validation_point", "1", "index of a validation measurement", ints(V), {}, true},
      {"baseline", "", "baseline assignments", {}, names, false},
      {"level", "", "final m, and its rounded split", {}, {"final", "rounded"}, false},
  };
  const std::string mse_unit = "1 (MSE per slot: sigma^2 alpha + misalignment)";
  ResultSchema schema;
  schema.group = "assign";
  schema.datasets = {
      real_dataset("m", {"step", "device"}, "1", "assignment m^tau, tau = 0..T (row 0: the start)"),
      real_dataset("rho", {"iteration"}, "1", "averaging step rho^tau = rho_scale / (tau+1)^rho_exp"),
      real_dataset("gamma", {"iteration"}, "1", "update step gamma^tau = gamma_scale / (tau+1)^gamma_exp"),
      real_dataset("sample_alpha", {"iteration"}, "1", "mini-batch mean alpha at m^tau (training channels)"),
      real_dataset("surrogate_value", {"iteration"}, "1 (alpha / alpha_ref)",
                   "recursive average of the objective, normalised by the first mini-batch mean alpha"),
      real_dataset("grad_avg", {"iteration", "device"}, "1 (alpha / alpha_ref)",
                   "recursive average of d alpha / d m, normalised"),
      integer_dataset("validation_step", {"validation_point"}, "1",
                      "the step (index into the step dimension: m^step) each validation measured"),
      real_dataset("validation_mse", {"validation_point"}, mse_unit,
                   "mean transmission MSE on the validation channels (an independent RNG stream): the convergence curve",
                   true),
      real_dataset("validation_stderr", {"validation_point"}, mse_unit, "standard error of validation_mse", true),
      integer_dataset("validation_outages", {"validation_point"}, "realizations", "outage realizations left out"),
      real_dataset("final_m", {"device"}, "1", "the final assignment m^T (what --m FILE of the other commands reads)"),
      integer_dataset("final_heads", {"device"}, "heads", "query heads per device after rounding"),
      integer_dataset("final_kv_heads", {"device"}, "heads", "KV heads held per device (replicas counted)"),
      integer_dataset("final_neurons", {"device"}, "neurons", "MLP neurons per device after rounding"),
      real_dataset("final_param_share", {"device"}, "1", "share of the split parameters after rounding"),
      real_dataset("level_mse", {"level"}, mse_unit, "validation MSE of the final m and of its rounded split", true),
      real_dataset("level_stderr", {"level"}, mse_unit, "standard error of level_mse", true),
      integer_dataset("level_feasible", {"level"}, "1", "1 when the assignment meets every constraint"),
      real_dataset("baseline_m", {"baseline", "device"}, "1", "assignment of each baseline"),
      real_dataset("baseline_mse", {"baseline"}, mse_unit, "validation MSE of each baseline (undefined when infeasible)",
                   true),
      real_dataset("baseline_stderr", {"baseline"}, mse_unit, "standard error of baseline_mse", true),
      integer_dataset("baseline_feasible", {"baseline"}, "1", "1 when the baseline meets every constraint"),
      text_dataset("device_preset", {"device"}, "preset of each device"),
      real_dataset("device_flops", {"device"}, "FLOP/s", "compute speed f_n"),
      real_dataset("device_memory_bytes", {"device"}, "bytes", "memory M_n"),
      real_dataset("device_energy_per_param", {"device"}, "J", "computation energy per parameter e_n"),
      real_dataset("device_energy_budget", {"device"}, "J", "P_n^max per all-reduce"),
      real_dataset("device_beta", {"device"}, "1", "large-scale channel gain beta_n"),
      real_dataset("device_cap", {"device"}, "1", "largest feasible m_n (memory and energy)"),
      real_dataset("device_memory_cap", {"device"}, "1", "M_n / split bytes of the model"),
      real_dataset("device_energy_cap", {"device"}, "1",
                   "(1 - margin) P_n^max / (e_n s_tot) (undefined where e_n = 0: no energy constraint)", true),
  };
  out.set_stage("SSCA iterations (sampling, design, surrogate)");
  SchemaWriter w(out, schema, coords);
  w.put("m", t.m);
  w.put("rho", t.rho);
  w.put("gamma", t.gamma);
  w.put("sample_alpha", t.sample_alpha);
  w.put("surrogate_value", t.surrogate_value);
  w.put("grad_avg", t.grad_avg);
  out.set_stage("validation");
  w.put("validation_step", t.val_iter);
  w.put("validation_mse", t.val_mse, t.val_mse_ok);
  w.put("validation_stderr", t.val_stderr, t.val_stderr_ok);
  w.put("validation_outages", t.val_outages);
  out.set_stage("final and baseline levels (validation)");
  w.put("final_m", t.final_m);
  w.put("final_heads", std::vector<int64_t>(r.heads.begin(), r.heads.end()));
  w.put("final_kv_heads", std::vector<int64_t>(r.kv_heads.begin(), r.kv_heads.end()));
  w.put("final_neurons", std::vector<int64_t>(r.neurons.begin(), r.neurons.end()));
  w.put("final_param_share", r.param_share);
  w.put("level_mse", {lf.mse, lr.mse}, {lf.mse_ok, lr.mse_ok});
  w.put("level_stderr", {lf.stderr_, lr.stderr_}, {lf.stderr_ok, lr.stderr_ok});
  w.put("level_feasible", std::vector<int64_t>{lf.feasible, lr.feasible});
  w.put("baseline_m", bm);
  w.put("baseline_mse", bmse, bmse_ok);
  w.put("baseline_stderr", bse, bse_ok);
  w.put("baseline_feasible", bfeas);
  out.set_stage("device description");
  std::vector<std::string> dn;
  std::vector<double> fl, mem, e, p, beta, ecap;
  std::vector<char> ecap_ok;
  for (int i = 0; i < N; ++i) {
    const Device& d = link.devices[i];
    dn.push_back(d.preset), fl.push_back(d.flops), mem.push_back(d.memory_bytes), e.push_back(d.energy_per_param);
    p.push_back(link.budget[0][i]), beta.push_back(link.ch.beta[i]);
    ecap.push_back(std::isfinite(fs.energy_cap[i]) ? fs.energy_cap[i] : 0.0), ecap_ok.push_back(std::isfinite(fs.energy_cap[i]));
  }
  w.put("device_preset", dn);
  w.put("device_flops", fl);
  w.put("device_memory_bytes", mem);
  w.put("device_energy_per_param", e);
  w.put("device_energy_budget", p);
  w.put("device_beta", beta);
  w.put("device_cap", fs.cap);
  w.put("device_memory_cap", fs.memory_cap);
  w.put("device_energy_cap", ecap, ecap_ok);
  out.attr("assign", "solver", solver_name(solver));
  out.attr("assign", "s_tot", link.shape.layer_matmul_params());
  out.attr("assign", "l0", (int64_t)link.l0);
  out.attr("assign", "streams", (int64_t)link.L);
  out.attr("assign", "sigma2", link.sigma2[0]);
  out.attr("assign", "alpha_ref", t.alpha_ref);
  // The noise level SSCA optimised at (a single value of the scenario's noise axis).
  out.attr("assign", c.scenario.noise_axis(), c.scenario.noise_values().front());
  if (!c.run.quiet)
    std::cerr << "assign: final validation MSE " << show(lf) << " +- " << lf.stderr_ << "; rounded split " << show(lr) << "\n";
  return t.final_m;
}

}  // namespace airtp
