// airtp e2e: the end-to-end experiment on heterogeneous devices (SPEC §8 figure 6): SSCA
// assignment, then transmission MSE, model accuracy and latency per token of every scheme with
// the SSCA m and the baselines, against the transmit power, into one file
// (host/endtoend/end_to_end.hpp). Plot: analysis/plot_end_to_end.py.
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/endtoend/end_to_end.hpp"
#include "host/io/output_path.hpp"

namespace airtp {
namespace {

struct State {
  EndToEndConfig c;
  FieldTable t{"e2e"};
  std::string config;
};

int run(State& st) {
  load_fields(st.t, st.config, st.c.scenario);
  const EndToEndConfig& c = st.c;
  std::vector<std::string> inputs{st.config, data_path(c.text), c.acc.tokenizer, data_path(c.scenario.model)};
  for (const std::string& m : c.scenario.m) inputs.push_back(m);
  check_output_path(c.run.output, inputs);
  const Backend b = run_backend(c.run);
  const std::string toml = st.t.to_toml();
  ResultFile out(c.run.output, run_info("e2e", toml, c.scenario.seed, b));
  run_end_to_end(c, toml, b, out);
  out.commit();
  if (!c.run.quiet) std::cerr << "e2e: wrote " << c.run.output << "\n";
  return 0;
}

const bool registered = register_command(
    {"e2e", "End to end on heterogeneous devices: SSCA assignment, transmission MSE, accuracy and latency vs power",
     [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       add_end_to_end_fields(st->t, st->c);
       add_config_argument(sub, st->config);
       st->t.add_flags(sub);
       return [st] { return run(*st); };
     }});

}  // namespace
}  // namespace airtp
