#include "host/endtoend/end_to_end.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "host/assign/assign.hpp"
#include "host/common/errors.hpp"
#include "host/latency/latency_run.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/shard.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/sweep/mse.hpp"

namespace airtp {

EndToEndConfig::EndToEndConfig() {
  scenario.devices = "2*phone+laptop+jetson";
  scenario.n_devices = {4};
  scenario.noise_mode = "physical";
  scenario.tx_power_dbm = {20, 23, 26, 29};
  scenario.m = {"ssca", "uniform", "compute"};
  run.output = "results/e2e.h5";
  ssca.iterations = 40;
  ssca.batch = 64;
  ssca.validation = 256;
  ssca.validate_every = 5;
}

void add_end_to_end_fields(FieldTable& t, EndToEndConfig& c) {
  RunFieldParts rp;
  rp.monte_carlo = false;
  rp.shard = false;
  add_run_fields(t, c.run, rp);
  add_scenario_fields(t, c.scenario);
  add_accuracy_fields(t, c.acc);
  SscaOptions& o = c.ssca;
  t.add("ssca.iterations", "--iterations", &o.iterations, "iterations", "SSCA iterations").range(1, 1000000);
  t.add("ssca.batch", "--batch", &o.batch, "realizations", "channel realizations per SSCA mini-batch").range(1, 1 << 24);
  t.add("ssca.validation", "--validation", &o.validation, "realizations", "SSCA validation realizations").range(2, 1 << 24);
  t.add("ssca.validate_every", "--validate-every", &o.validate_every, "iterations", "iterations between validation points")
      .range(1, 1000000);
  t.add("ssca.curvature", "--curvature", &o.curvature, "1", "the surrogate's quadratic weight").range(1e-12, 1e12);
  t.add("ssca.smooth_p", "--smooth-p", &o.smooth_p, "1", "gradient weights over devices (0: the active device only)")
      .range(0, 1e6);
  t.add("schemes", "--schemes", &c.schemes, "",
        "schemes: aircomp, digital, fdma (aircomp:SOLVER / fdma:SOLVER for another design); the accuracy phase adds "
        "the exact sum")
      .unique_values();
  t.add("digital.bits", "--bits", &c.digital_bits, "bits", "digital: bits Q per value, one curve each").range(1, 24).unique_values();
  t.add("mse.realizations", "--mse-realizations", &c.mse_realizations, "realizations",
        "channel realizations per point of the transmission-MSE phase")
      .range(1, 1e9);
  t.add("ppl.realizations", "--ppl-realizations", &c.ppl_realizations, "realizations",
        "channel realizations per point of the accuracy phase")
      .range(1, 1e6);
  t.add("text", "--text", &c.text, "", "text to score (stories separated by <|endoftext|> lines)");
  t.add("max_stories", "--max-stories", &c.max_stories, "stories", "score only the first stories (0: all)").range(0, 1e9);
  t.add("context_len", "--context-len", &c.context_len, "tokens", "latency: cached positions each token attends over")
      .range(0, 1 << 24);
}

void run_end_to_end(const EndToEndConfig& c, const std::string& toml, Backend b, ResultFile& out) {
  const Scenario& s = c.scenario;
  validate(s);
  validate(c.run);
  if (!s.physical()) throw InputError("noise.mode (--noise-mode): the end-to-end experiment runs in physical mode");
  if (s.n_devices.size() != 1) throw InputError("channel.n_devices (--n-devices): the end-to-end experiment takes one N");
  const CheckpointMode mode = c.run.resume ? CheckpointMode::resume : c.run.fresh ? CheckpointMode::fresh : CheckpointMode::start;
  const std::string backend = backend_name(b);

  // 1. Assignment by SSCA at the lowest transmit power (the tightest energy caps).
  AssignConfig ac;
  ac.scenario = s;
  ac.scenario.m = {"uniform"};
  ac.scenario.tx_power_dbm = {*std::min_element(s.tx_power_dbm.begin(), s.tx_power_dbm.end())};
  ac.run = c.run;
  ac.solver = c.acc.solver;
  ac.solver_options = c.acc.solver_options;
  ac.ssca = c.ssca;
  // Each phase's checkpoint belongs to this config (and the phase).
  auto ckpt = [&](const std::string& phase) {
    return std::make_unique<Checkpoint>(c.run.output + "." + phase, run_identity("e2e-" + phase, toml, ShardSpec{}, backend),
                                        mode);
  };
  Scenario sc = s;
  {
    const auto ck = ckpt("assign");
    sc.named_m["ssca"] = run_assign(ac, b, ck.get(), out);
    ck->remove();
  }
  std::vector<std::string> analog;
  for (const std::string& e : c.schemes) analog.push_back(e);

  // 2. Transmission MSE of every scheme with every m, against the transmit power.
  {
    MseConfig mc;
    mc.scenario = sc;
    mc.run = c.run;
    mc.run.realizations = c.mse_realizations;
    mc.solver = c.acc.solver;
    mc.solver_options = c.acc.solver_options;
    mc.schemes = analog;
    mc.digital_bits = c.digital_bits;
    const MseExperiment e = make_mse(mc, b);
    const auto ck = ckpt("mse");
    RunControl ctl;
    ctl.checkpoint = ck.get();
    ctl.quiet = c.run.quiet;
    write_mse(mc, e, run_plan(e.plan, ctl), out);
    ck->remove();
  }
  // 3. Accuracy of the bundled model under the same schemes (and the exact sum).
  {
    PplConfig pc;
    pc.scenario = sc;
    pc.run = c.run;
    pc.run.realizations = c.ppl_realizations;
    pc.acc = c.acc;
    pc.schemes = {"exact"};
    pc.schemes.insert(pc.schemes.end(), analog.begin(), analog.end());
    pc.digital_bits = c.digital_bits;
    pc.text = c.text;
    pc.max_stories = c.max_stories;
    const std::unique_ptr<PplExperiment> e = make_ppl(pc, b);
    const auto ck = ckpt("ppl");
    RunControl ctl;
    ctl.checkpoint = ck.get();
    ctl.quiet = c.run.quiet;
    write_ppl(pc, *e, run_plan(e->plan, ctl), out);
    ck->remove();
  }
  // 4. Latency per token of each scheme for the same devices, model and assignments.
  {
    LatencyConfig lc;
    lc.scenario = sc;
    lc.scenario.bandwidth_axis = {s.bandwidth_hz};
    lc.run = c.run;
    lc.models = {s.model};
    lc.context_len = c.context_len;
    lc.digital_bits = {c.digital_bits.front()};
    lc.scenario.streams = {s.streams.front()};
    lc.scenario.n_tx = {s.n_tx.front()};
    run_latency(lc, out);
  }
}

}  // namespace airtp
