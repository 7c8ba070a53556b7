// airtp ppl: perplexity, KL divergence, same-top-1 rate and all-reduce NMSE of a real model
// split over N devices, with every all-reduce through each scheme over the scenario's link, at
// every point of the scenario's axes (host/model/ppl_run.hpp).
#include <cstdio>
#include <iostream>

#include "experiments/command_kit.hpp"
#include "host/model/ppl_eval.hpp"
#include "host/model/ppl_run.hpp"

namespace airtp {
namespace {

struct State {
  PplConfig c;
  FieldTable t{"ppl"};
  std::string config;
};

int run(State& st) {
  load_fields(st.t, st.config, st.c.scenario);
  PplConfig& c = st.c;
  const Backend b = run_backend(c.run);
  const std::unique_ptr<PplExperiment> e = make_ppl(c, b);
  std::vector<std::string> inputs{st.config, e->model->path, data_path(c.text), c.acc.tokenizer};
  for (const std::string& m : c.scenario.m) inputs.push_back(m);
  execute_plan("ppl", e->plan, st.t.to_toml(), c.scenario.seed, b, c.run, inputs,
               [&](const SampleSet& s, ResultFile& out) {
                 write_ppl(c, *e, s, out);
                 if (c.run.quiet) return;
                 // A short table on stdout: each curve at each point.
                 const int nL = e->model->weights.cfg.n_layers;
                 const long S = (long)e->seqs.size();
                 for (size_t v = 0; v < e->curves.size(); ++v) {
                   std::printf("%s\n", e->curves[v].label.c_str());
                   for (size_t p = 0; p < grid_points(e->plan.axes); ++p) {
                     const auto idx = grid_index(e->plan.axes, p);
                     const std::string job = e->curves[v].job;
                     CleanScore clean;
                     NoisyScore ns;
                     summarize_rows(s.at(job + "/rows", p).data(), (long)s.count(job + "/rows", p), S, nL, clean, ns);
                     if (v == 0 && p == 0)
                       std::printf("  clean perplexity %.4f +- %.4f over %ld tokens in %ld %s\n", clean.ppl.mean,
                                   clean.ppl.se, clean.n_tokens, clean.n_sequences,
                                   c.protocol == "windows" ? "windows" : "stories");
                     std::string where;
                     for (size_t d = 0; d < idx.size(); ++d) {
                       const Axis& a = e->plan.axes[d];
                       if (a.size() < 2) continue;
                       char buf[96];
                       if (a.labels.empty()) std::snprintf(buf, sizeof buf, "%s=%g ", a.name.c_str(), a.values[idx[d]]);
                       else std::snprintf(buf, sizeof buf, "%s=%s ", a.name.c_str(), a.labels[idx[d]].c_str());
                       where += buf;
                     }
                     std::printf("  %-40s ppl %10.4f +- %-8.4f kl %10.4g top1 %.4f\n", where.c_str(), ns.ppl.mean,
                                 ns.ppl.se, ns.kl.mean, ns.top1.mean);
                   }
                 }
               });
  if (!c.run.quiet)
    std::cerr << "ppl: wrote " << (c.run.shard.empty() ? "" : "shard " + c.run.shard + " to ") << c.run.output << "\n";
  return 0;
}

const bool registered = register_command(
    {"ppl", "Perplexity / KL / top-1 of the split model under each all-reduce scheme, against the scenario's axes",
     [](CLI::App& sub) -> std::function<int()> {
       auto st = std::make_shared<State>();
       add_ppl_fields(st->t, st->c);
       add_config_argument(sub, st->config);
       st->t.add_flags(sub);
       return [st] { return run(*st); };
     },
     finalize_ppl});

}  // namespace
}  // namespace airtp
