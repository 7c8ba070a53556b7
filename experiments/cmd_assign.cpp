// airtp assign: model assignment m over heterogeneous devices by SSCA (SPEC §5), with the
// convergence curve on independent validation channels and the baselines on the same channels
// (host/assign/assign.hpp). Prints the final m on stdout.
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/assign/assign.hpp"
#include "host/io/output_path.hpp"
#include "host/io/result_read.hpp"
#include "host/runs/shard.hpp"

namespace airtp {
namespace {

struct State {
  AssignConfig c;
  FieldTable t{"assign"};
  std::string config;
};

int run(State& st) {
  load_fields(st.t, st.config, st.c.scenario);
  const AssignConfig& c = st.c;
  check_output_path(c.run.output, {st.config, c.scenario.model});
  const Backend b = run_backend(c.run);
  (void)feasible_set(assign_link(c), c.ssca.energy_margin);  // InputError before any work
  const std::string toml = st.t.to_toml();
  const CheckpointMode mode = c.run.resume ? CheckpointMode::resume : c.run.fresh ? CheckpointMode::fresh : CheckpointMode::start;
  const Checkpoint ckpt(c.run.output, run_identity("assign", toml, ShardSpec{}, backend_name(b)), mode);
  ResultFile out(c.run.output, run_info("assign", toml, c.scenario.seed, b));
  run_assign(c, b, &ckpt, out);
  out.commit();
  ckpt.remove();
  // The final m, readable by --m of the other commands (or this line, as shares).
  const std::vector<double> m = read_assignment_file(c.run.output, "--output");
  std::string s;
  for (double x : m) s += (s.empty() ? "" : ",") + exact_number(x);
  std::cout << "m = " << s << "\n";
  if (!c.run.quiet) std::cerr << "assign: wrote " << c.run.output << "\n";
  return 0;
}

const bool registered = register_command({"assign", "Model assignment over heterogeneous devices by SSCA (long timescale)",
                                          [](CLI::App& sub) -> std::function<int()> {
                                            auto st = std::make_shared<State>();
                                            add_assign_fields(st->t, st->c);
                                            add_config_argument(sub, st->config);
                                            st->t.add_flags(sub);
                                            return [st] { return run(*st); };
                                          }});

}  // namespace
}  // namespace airtp
