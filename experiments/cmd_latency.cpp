// airtp latency: per-token latency of tensor-parallel inference for LLaMA shapes, for AirComp,
// digital all-reduce, uncoded FDMA and centralised inference (SPEC §6), for the scenario's
// devices (host/latency/latency_run.hpp).
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/io/output_path.hpp"
#include "host/latency/latency_run.hpp"

namespace airtp {
namespace {

struct State {
  LatencyConfig c;
  FieldTable t{"latency"};
  std::string config;
};

int run(State& st) {
  load_fields(st.t, st.config, st.c.scenario);
  std::vector<std::string> inputs{st.config};
  inputs.insert(inputs.end(), st.c.models.begin(), st.c.models.end());
  for (const std::string& m : st.c.scenario.m) inputs.push_back(m);
  check_output_path(st.c.run.output, inputs);
  RunInfo info{command_line(), st.t.to_toml(), st.c.scenario.seed, "cpu", "host CPU (closed-form latency model)", "latency"};
  ResultFile out(st.c.run.output, info);
  run_latency(st.c, out);
  out.commit();
  if (!st.c.run.quiet) std::cerr << "latency: wrote " << st.c.run.output << "\n";
  return 0;
}

const bool registered = register_command(
    {"latency", "Latency per generated token vs N for model shapes: AirComp, digital, FDMA, centralised",
     [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       add_latency_fields(st->t, st->c);
       add_config_argument(sub, st->config);
       st->t.add_flags(sub);
       return [st] { return run(*st); };
     }});

}  // namespace
}  // namespace airtp
