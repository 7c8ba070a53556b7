// airtp compare: transceiver solvers on identical channels (SPEC §4, §8 figure 2): the exact MSE
// of each, its ratio to SDR + randomization and to the SDP lower bound, and the time per
// realization, at every link point of the scenario (host/solvers/compare.hpp).
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/solvers/compare.hpp"

namespace airtp {
namespace {

struct State {
  CompareConfig c;
  FieldTable t{"compare"};
  std::string config;
};

const bool registered = register_command(
    {"compare", "Compare transceiver solvers (eigen, random, fast, sdr) on identical channels",
     [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       add_compare_fields(st->t, st->c);
       add_config_argument(sub, st->config);
       st->t.add_flags(sub);
       return [st] {
         load_fields(st->t, st->config, st->c.scenario);
         const Backend b = run_backend(st->c.run);
         const CompareExperiment e = make_compare(st->c, b);
         execute_plan("compare", e.plan, st->t.to_toml(), st->c.scenario.seed, b, st->c.run,
                      with_config(st->config, scenario_input_files(st->c.scenario)),
                      [&](const SampleSet& s, ResultFile& out) { write_compare(st->c, e, s, out, st->c.run.quiet); });
         if (!st->c.run.quiet)
           std::cerr << "compare: wrote " << (st->c.run.shard.empty() ? "" : "shard " + st->c.run.shard + " to ")
                     << st->c.run.output << "\n";
         return 0;
       };
     },
     finalize_compare});

}  // namespace
}  // namespace airtp
