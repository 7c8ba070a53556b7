// airtp generate: greedy text from a real model split over N devices, every all-reduce through
// the chosen scheme over the scenario's link (one channel realization trajectory).
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/common/errors.hpp"
#include "host/model/ppl_run.hpp"
#include "host/model/scheme.hpp"
#include "host/model/tp_split.hpp"

namespace airtp {
namespace {

struct State {
  Scenario scenario;
  AccuracyOptions acc;
  std::vector<std::string> schemes{"exact"};
  std::vector<int> bits{8};
  std::string prompt = "Once upon a time";
  int steps = 100;
  long realization = 0;
  FieldTable t{"generate"};
  std::string config;
  State() {
    scenario.n_devices = {1};
    scenario.snr_db = {20};
  }
};

int run(State& st) {
  load_fields(st.t, st.config, st.scenario);
  Scenario& s = st.scenario;
  validate(s);
  if (st.schemes.size() != 1) throw InputError("schemes (--schemes): generate takes one scheme");
  for (auto [n, name] : {std::pair{s.n_devices.size(), "channel.n_devices (--n-devices)"}, {s.m.size(), "m (--m)"},
                         {s.noise_values().size(), s.physical() ? "noise.tx_power_dbm (--tx-power-dbm)" : "noise.snr_db (--snr-db)"},
                         {st.bits.size(), "digital.bits (--bits)"}})
    if (n != 1) throw InputError(std::string(name) + ": generate takes a single value");
  const SchemeSpec scheme = parse_scheme_spec(st.schemes[0], st.acc.solver, {"exact", "digital", "aircomp", "fdma"});
  const LoadedModel model = load_model(s.model, st.acc.tokenizer);
  const ModelConfig& cfg = model.weights.cfg;
  Scenario sc = s;
  sc.model = model.path;
  const Link link = make_link(sc, link_points(sc).at(0));
  const TpPlan plan = make_tp_plan(cfg, link.m, "m (--m)");
  AirSetup air;
  air.link = &link;
  air.solver_options = st.acc.solver_options;
  air.coherence = parse_coherence(st.acc.coherence);
  air.literal_noise = st.acc.noise_draw == "literal";
  air.n_layers = cfg.n_layers;
  air.seq_len = cfg.seq_len;
  air.max_pos = cfg.seq_len;
  air.first_realization = (uint64_t)st.realization;
  air.n_realizations = 1;
  const auto ar = make_allreduce(scheme, st.bits[0], air);
  const Transformer tf(model.weights);
  const Tokenizer& tok = model.tokenizer;
  const std::vector<int> prompt = tok.encode(st.prompt);  // BOS as the vocabulary says
  if (prompt.empty()) throw InputError("prompt (--prompt): encodes to no tokens");
  // llama2.c models stop at BOS (as llama2.c's run.c does), the others at their EOS.
  const int stop = tok.kind() == Tokenizer::Kind::llama2c ? tok.bos() : tok.eos();
  const std::vector<int> out = tf.generate_greedy(prompt, st.steps, plan, *ar, (uint64_t)st.realization, stop);
  std::cout << model.tokenizer.decode(out) << "\n";
  return 0;
}

const bool registered = register_command(
    {"generate", "Greedy text from the split model under an all-reduce scheme", [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       FieldTable& t = st->t;
       add_scenario_fields(t, st->scenario);
       add_accuracy_fields(t, st->acc);
       t.add("schemes", "--schemes", &st->schemes, "", "the all-reduce scheme: exact, digital, aircomp[:SOLVER], fdma[:SOLVER]")
           .alias("--scheme");
       t.add("digital.bits", "--bits", &st->bits, "bits", "digital: quantization bits per value").range(1, 24);
       t.add("prompt", "--prompt", &st->prompt, "", "prompt text");
       t.add("steps", "--steps", &st->steps, "tokens", "new tokens at most").range(1, 1 << 20);
       t.add("realization", "--realization", &st->realization, "1", "channel realization index").range(0, 1e15);
       add_config_argument(sub, st->config);
       t.add_flags(sub);
       return [st] { return run(*st); };
     }});

}  // namespace
}  // namespace airtp
