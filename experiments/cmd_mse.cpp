// airtp mse: Monte Carlo transmission MSE of AirComp all-reduce over channel realizations, and
// of its baselines (uncoded FDMA, digital quantization error) on the same realizations, against
// every axis of the scenario (host/sweep/mse.hpp).
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/sweep/mse.hpp"

namespace airtp {
namespace {

struct State {
  MseConfig c;
  FieldTable t{"mse"};
  std::string config;
};

const bool registered = register_command(
    {"mse", "Transmission MSE of AirComp (and FDMA, digital) all-reduce against the scenario's axes",
     [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       add_mse_fields(st->t, st->c);
       add_config_argument(sub, st->config);
       st->t.add_flags(sub);
       return [st] {
         load_fields(st->t, st->config, st->c.scenario);
         const Backend b = run_backend(st->c.run);
         const MseExperiment e = make_mse(st->c, b);
         execute_plan("mse", e.plan, st->t.to_toml(), st->c.scenario.seed, b, st->c.run,
                      with_config(st->config, scenario_input_files(st->c.scenario)),
                      [&](const SampleSet& s, ResultFile& out) { write_mse(st->c, e, s, out); });
         if (!st->c.run.quiet)
           std::cerr << "mse: wrote " << (st->c.run.shard.empty() ? "" : "shard " + st->c.run.shard + " to ")
                     << st->c.run.output << "\n";
         return 0;
       };
     },
     finalize_mse});

}  // namespace
}  // namespace airtp
