// The accuracy experiment behind `airtp ppl` (SPEC §7, §8 figures 4 and 6): the real model
// split over N devices by tensor parallelism with the scenario's assignment m, every all-reduce
// through a scheme (exact, digital, aircomp, fdma) over the scenario's link at every noise
// level, scored on a text: perplexity, NLL increase, KL to the clean model, same-top-1 rate and
// the NMSE of every all-reduce, each with its standard error over stories.
//
// Each curve (scheme) is an engine job whose samples are the rows of host/model/ppl_eval.hpp
// (one per realization and story), so shards, --resume and --target-rse (on the perplexity)
// work as in every command; exact and digital do not depend on the channel or the noise and
// are computed once per (N, m).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "host/config/fields.hpp"
#include "host/io/result_file.hpp"
#include "host/model/allreduce_air.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/transformer.hpp"
#include "kernels/model_weights.hpp"
#include "host/runs/engine.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario.hpp"
#include "host/scenario/scheme_spec.hpp"

namespace airtp {

class GpuTransformer;

// What the accuracy commands share (`ppl`, `generate`): the model, its tokenizer, the
// receive design and the channel's time structure.
struct AccuracyOptions {
  std::string tokenizer;             // llama2.c tokenizer (empty: the bundled model's); GGUF carries its own
  std::string solver = "fast";
  SolverOptions solver_options;
  std::string coherence = "token";   // token | allreduce
  std::string noise_draw = "literal";  // literal | projected
};

struct PplConfig {
  Scenario scenario;
  RunSettings run;
  AccuracyOptions acc;
  std::vector<std::string> schemes{"exact", "aircomp"};
  std::vector<int> digital_bits{8};
  std::string text = "data/tinystories/tinystories-valid-sample.txt";
  std::string protocol = "stories";  // stories | windows (host/model/text_protocol.hpp)
  long context = 0;                  // windows: tokens per window (0: the model's context)
  long score_from = 1;               // windows: first scored position (context / 2: llama.cpp's style)
  long max_stories = 0;              // 0: all
  bool save_channels = false;
  PplConfig();
};

// Fields shared by the accuracy commands, and the ppl table.
void add_accuracy_fields(FieldTable& t, AccuracyOptions& a);
void add_ppl_fields(FieldTable& t, PplConfig& c);

// A model resolved from `model`: a bundled name (stories260K) or a file. Paths that do not
// exist from the current directory are looked up in the source tree (the bundled data).
std::string data_path(const std::string& p);
struct LoadedModel {
  std::string path;
  ModelWeights weights;
  Tokenizer tokenizer;
};
LoadedModel load_model(const std::string& model, const std::string& tokenizer);

// The experiment of a resolved config: the model and text, the links, the curves and the plan.
struct PplExperiment {
  std::unique_ptr<LoadedModel> model;
  std::unique_ptr<Transformer> transformer;
  std::unique_ptr<GpuTransformer> gpu;
  std::vector<std::vector<int>> seqs;
  std::vector<int> score_from;   // per sequence: its first scored token
  std::string protocol;          // the one-line description recorded in the file
  int max_len = 0;
  std::vector<Link> links;  // one per link point (the noise axis is the last grid axis)
  struct Curve {
    SchemeSpec scheme;
    int bits = 0;
    std::string label, job;
  };
  std::vector<Curve> curves;
  RunPlan plan;
  PplExperiment();
  ~PplExperiment();
};
std::unique_ptr<PplExperiment> make_ppl(const PplConfig& c, Backend b);

void write_ppl(const PplConfig& c, const PplExperiment& e, const SampleSet& s, ResultFile& out);
void finalize_ppl(const std::string& config_toml, const SampleSet& s, ResultFile& out);

}  // namespace airtp
