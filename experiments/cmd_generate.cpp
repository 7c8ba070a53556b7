// airtp generate: greedy text from the bundled model split over N devices, every all-reduce
// through the chosen scheme (one channel realization trajectory).
#include <iostream>
#include <memory>

#include "experiments/commands.hpp"
#include "experiments/model_flags.hpp"
#include "host/common/errors.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/transformer.hpp"

namespace airtp {
namespace {

struct GenFlags {
  ModelFlags mf;
  std::string prompt = "Once upon a time";
  int steps = 100;
  double snr = 20;
  int bits = 8;
  int realization = 0;
};

int run_generate(GenFlags& f) {
  resolve_model_flags(f.mf);
  if (f.steps < 1) throw InputError("--steps: must be at least 1");
  if (f.realization < 0) throw InputError("--realization: must be non-negative");
  const ModelWeights w = load_llama2c(f.mf.model);
  const Tokenizer tok = Tokenizer::load_llama2c(f.mf.tokenizer, w.cfg.vocab_size);
  const Transformer model(w);
  const TpPlan plan = make_tp_plan(w.cfg, parse_assignment(f.mf.m, f.mf.devices), "--m");
  SchemeOptions opt = f.mf.sch;
  opt.air.n_layers = w.cfg.n_layers;
  opt.air.max_pos = w.cfg.seq_len;
  opt.air.n_realizations = f.realization + 1;
  const auto ar = make_scheme(opt, f.snr, f.bits);
  const std::vector<int> prompt = tok.encode(f.prompt, true);
  const std::vector<int> out = model.generate_greedy(prompt, f.steps, plan, *ar, (uint64_t)f.realization);
  std::cout << tok.decode(out) << "\n";
  return 0;
}

const bool registered =
    register_command({"generate", "greedy text from the split model under an all-reduce scheme", [](CLI::App& sub) {
                        auto f = std::make_shared<GenFlags>();
                        add_model_flags(sub, f->mf);
                        sub.add_option("--prompt", f->prompt, "prompt text")->capture_default_str();
                        sub.add_option("--steps", f->steps, "new tokens at most")->capture_default_str();
                        sub.add_option("--snr", f->snr, "SNR in dB (aircomp, fdma)")->capture_default_str();
                        sub.add_option("--bits", f->bits, "quantization bits (digital)")->capture_default_str();
                        sub.add_option("--realization", f->realization, "channel realization index")
                            ->capture_default_str();
                        return [f] { return run_generate(*f); };
                      }});

}  // namespace
}  // namespace airtp
