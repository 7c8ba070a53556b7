#include "host/model/ppl_run.hpp"
#include "host/model/model_file.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <omp.h>

#include "host/common/errors.hpp"
#include "host/io/result_schema.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "host/model/scheme.hpp"
#include "host/model/tp_split.hpp"
#include "host/model/transformer_gpu.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/solvers/solver_fields.hpp"

namespace airtp {

namespace fs = std::filesystem;

PplConfig::PplConfig() {
  scenario.n_devices = {4};
  scenario.snr_db = {0, 10, 20, 30};
  run.realizations = 4;
  run.output = "results/ppl.h5";
}

void add_accuracy_fields(FieldTable& t, AccuracyOptions& a) {
  t.add("tokenizer", "--tokenizer", &a.tokenizer, "",
        "llama2.c tokenizer.bin (empty: the bundled model's; a GGUF model carries its own)");
  add_solver_fields(t, a.solver, a.solver_options);
  t.add("channel.coherence", "--coherence", &a.coherence, "",
        "channel coherence block: token (one realization per token, shared by its all-reduces) or allreduce")
      .one_of({"token", "allreduce"});
  t.add("noise.draw", "--noise-draw", &a.noise_draw, "",
        "receiver noise: literal (w drawn at every antenna, then A^H) or projected (A^H w drawn from its exact "
        "distribution)")
      .one_of({"literal", "projected"})
      .alias("--noise");
}

void add_ppl_fields(FieldTable& t, PplConfig& c) {
  add_run_fields(t, c.run);
  add_scenario_fields(t, c.scenario);
  add_accuracy_fields(t, c.acc);
  t.add("schemes", "--schemes", &c.schemes, "",
        "all-reduce schemes: exact, digital, aircomp, fdma (aircomp:SOLVER / fdma:SOLVER for another design)")
      .unique_values()
      .alias("--scheme");
  t.add("digital.bits", "--bits", &c.digital_bits, "bits", "digital: quantization bits per value, one curve each")
      .range(1, 24)
      .unique_values();
  t.add("text", "--text", &c.text, "", "text to score (stories separated by <|endoftext|> lines)");
  t.add("protocol", "--protocol", &c.protocol, "",
        "how the text is scored: stories (split at <|endoftext|> lines, every token after the first) or windows "
        "(non-overlapping windows of --context tokens scored from --score-from)")
      .one_of({"stories", "windows"});
  t.add("context", "--context", &c.context, "tokens", "windows: tokens per window (0: the model's context)").range(0, 1 << 24);
  t.add("score_from", "--score-from", &c.score_from, "tokens", "windows: the first scored position of each window")
      .range(1, 1 << 24);
  t.add("max_stories", "--max-stories", &c.max_stories, "stories", "score only the first stories (or windows; 0: all)")
      .range(0, 1e9);
  t.add("save_channels", "--save-channels", &c.save_channels, "",
        "store the true channels of every link point's realizations and positions (coherence token)");
}

std::string data_path(const std::string& p) {
  const fs::path q(p);
  std::error_code ec;
  if (q.is_relative() && !fs::exists(q, ec) && fs::exists(fs::path(AIRTP_SOURCE_DIR) / q, ec))
    return (fs::path(AIRTP_SOURCE_DIR) / q).string();
  return p;
}

namespace {

int omp_threads() { return omp_get_max_threads(); }

// The bundled models by name: weights and tokenizer.
struct Bundled {
  const char* name;
  const char* model;
  const char* tokenizer;
};
const Bundled kBundled[] = {
    {"stories260K", "data/models/stories260K/stories260K.bin", "data/models/stories260K/tok512.bin"},
    // Fetched by experiments/fetch-models.sh (install-deps.sh runs it); carries its tokenizer.
    {"smollm2-135m", "data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf", ""},
};

const std::vector<std::string> kPplKinds{"exact", "digital", "aircomp", "fdma"};

}  // namespace

LoadedModel load_model(const std::string& model, const std::string& tokenizer) {
  std::string path = model, tok = tokenizer;
  bool bundled = false;
  for (const Bundled& b : kBundled)
    if (model == b.name) {
      bundled = true;
      path = data_path(b.model);
      if (tok.empty() && *b.tokenizer) tok = data_path(b.tokenizer);
    }
  path = data_path(path);
  std::error_code ec;
  if (bundled && !fs::exists(path, ec))
    throw InputError("model (--model): the bundled model '" + model + "' is not on this machine (expected at '" + path +
                     "'); experiments/fetch-models.sh downloads it");
  if (is_known_shape(model) && !bundled && path == model)
    throw InputError("model (--model): '" + model + "' is a shape without weights; the accuracy simulation needs a "
                     "model file (e.g. stories260K, smollm2-135m or a path)");
  // The format is told by content: a GGUF file carries its own tokenizer; a llama2.c
  // checkpoint needs one, given or next to it (tok512.bin / tokenizer.bin), found before the
  // weights are read.
  const bool gguf = is_gguf_file(path);
  if (tok.empty() && !gguf) {
    for (const char* name : {"tokenizer.bin", "tok512.bin"}) {
      const fs::path cand = fs::path(path).parent_path() / name;
      if (fs::exists(cand, ec)) tok = cand.string();
    }
    if (tok.empty()) throw InputError("tokenizer (--tokenizer): none given for the model '" + path + "'");
  }
  ModelFile f = load_model_file(path);
  if (tok.empty()) {
    Tokenizer t = Tokenizer::from_gguf(*f.vocab, "model file '" + path + "'");
    if (t.vocab_size() != f.weights.cfg.vocab_size)
      throw InputError("model file '" + path + "': the tokenizer has " + std::to_string(t.vocab_size()) +
                       " tokens but the embedding has " + std::to_string(f.weights.cfg.vocab_size) + " rows");
    return LoadedModel{path, std::move(f.weights), std::move(t)};
  }
  Tokenizer t = Tokenizer::load_llama2c(data_path(tok), f.weights.cfg.vocab_size);
  return LoadedModel{path, std::move(f.weights), std::move(t)};
}

PplExperiment::PplExperiment() = default;
PplExperiment::~PplExperiment() = default;

std::unique_ptr<PplExperiment> make_ppl(const PplConfig& c, Backend b) {
  validate(c.scenario);
  validate(c.run);
  auto e = std::make_unique<PplExperiment>();
  const std::vector<SchemeSpec> specs = parse_schemes(c.schemes, c.acc.solver, kPplKinds);
  for (const SchemeSpec& s : specs) {
    if (s.kind == "digital") {
      for (int q : c.digital_bits) e->curves.push_back({s, q, "digital (" + std::to_string(q) + " bits)", "digital_q" + std::to_string(q)});
    } else {
      e->curves.push_back({s, 0, s.label(), s.analog() ? s.kind + "_" + s.solver : s.kind});
    }
  }
  const Coherence coherence = parse_coherence(c.acc.coherence);
  if (c.save_channels && coherence != Coherence::per_token)
    throw InputError("save_channels (--save-channels): stores the channels of coherence token only");
  e->model = std::make_unique<LoadedModel>(load_model(c.scenario.model, c.acc.tokenizer));
  const ModelConfig& cfg = e->model->weights.cfg;
  e->transformer = std::make_unique<Transformer>(e->model->weights);
  if (b == Backend::cuda) e->gpu = std::make_unique<GpuTransformer>(e->model->weights);
  const int context = c.context > 0 ? (int)std::min<long>(c.context, cfg.seq_len) : cfg.seq_len;
  if (c.protocol == "windows" && c.score_from >= context)
    throw InputError("score_from (--score-from): " + std::to_string(c.score_from) + " leaves nothing to score in windows of " +
                     std::to_string(context) + " tokens");
  const ScoredText text = load_scored_text(data_path(c.text), c.protocol, e->model->tokenizer, context,
                                           (int)c.max_stories, (int)c.score_from);
  for (const ScoredSequence& q : text.sequences) {
    e->seqs.push_back(q.tokens);
    e->score_from.push_back(q.score_from);
    e->max_len = std::max(e->max_len, (int)q.tokens.size());
  }
  e->protocol = text.description;
  // The links (the scenario's model is this file: its shape sets L_0 and s_tot).
  Scenario sc = c.scenario;
  sc.model = e->model->path;
  for (const LinkPoint& pt : link_points(sc)) {
    e->links.push_back(make_link(sc, pt));
    (void)make_tp_plan(cfg, e->links.back().m, "m (--m)");  // every split checked before any work
  }
  RunPlan& plan = e->plan;
  plan.label = "ppl";
  plan.axes = link_axes(c.scenario);
  plan.axes.push_back(noise_axis(c.scenario));
  plan.realizations = (uint64_t)c.run.realizations;
  plan.target_rse = c.run.target_rse;
  plan.min_realizations = (uint64_t)c.run.min_realizations;
  const size_t J = c.scenario.noise_values().size();
  const long S = (long)e->seqs.size();
  const int nL = cfg.n_layers, F = row_width(nL);
  const uint64_t R = plan.realizations;
  // Memory besides the samples (the weights are loaded already): each thread's logits (a
  // sequence's clean and noisy log-probabilities, and a chunk of clean ones), one block's links.
  {
    const double logits = (double)e->max_len * cfg.vocab_size * 4.0 * (64 + 2 * omp_threads());
    const Link& l = e->links.front();
    const double links = (double)R * e->max_len * l.ch.n_dev * (l.L * l.L * l.ch.n_dev + l.L * l.ch.n_rx + l.L * l.L) * 8.0;
    plan.extra_bytes = logits + links;
    plan.reduce_hint = "--realizations (realizations), --max-stories (max_stories) or the sweep axes";
  }
  const PplExperiment* ex = e.get();
  const AccuracyOptions acc = c.acc;
  for (const PplExperiment::Curve& cv : e->curves) {
    Job j;
    j.name = cv.job;
    j.samples = {"rows", "links"};
    j.widths = {(size_t)S * F, 3};  // per realization: the rows of every story; link statistics
    const bool deterministic = !cv.scheme.analog();
    // Exact and digital sums depend only on the split: one realization, repeated.
    j.block = deterministic || c.run.target_rse <= 0 ? R : std::max<uint64_t>(1, std::min<uint64_t>(R, 2));
    if (deterministic) j.depends = {1, 1, 0, 0, 0, 0, 0, 0};
    j.cost = (double)S * (deterministic ? 1.0 / (double)R : 1.0);
    j.run = [ex, cv, acc, J, S, F, nL, coherence, deterministic](size_t point, uint64_t first, uint64_t count,
                                                                  const std::vector<double*>& out,
                                                                  const BlockProgress& progress) {
      const size_t li = point / J, level = point % J;
      const Link& link = ex->links[li];
      const ModelConfig& cfg = ex->model->weights.cfg;
      const TpPlan tp = make_tp_plan(cfg, link.m, "m (--m)");
      AirSetup air;
      air.link = &link;
      air.level = level;
      air.solver_options = acc.solver_options;
      air.coherence = coherence;
      air.literal_noise = acc.noise_draw == "literal";
      air.n_layers = nL;
      air.seq_len = cfg.seq_len;
      air.max_pos = ex->max_len;
      air.first_realization = first;
      air.n_realizations = (int)count;
      const uint64_t todo = deterministic ? 1 : count;
      const std::unique_ptr<AllReduce> ar = make_allreduce(cv.scheme, cv.bits, air);
      score_rows(*ex->transformer, ex->seqs, ex->score_from, tp, *ar, first, (long)todo, out[0], progress, ex->gpu.get());
      for (uint64_t r = 1; r < count && deterministic; ++r)
        std::copy(out[0], out[0] + (size_t)S * F, out[0] + r * (size_t)S * F);
      std::fill(out[1], out[1] + count * 3, 0.0);
      if (auto* a = dynamic_cast<const AirAllReduceBase*>(ar.get()))
        for (uint64_t r = 0; r < count; ++r) a->realization_stats((int)r, out[1][3 * r], out[1][3 * r + 1], out[1][3 * r + 2]);
    };
    j.rse = [S, nL, F](size_t, const std::vector<const std::vector<double>*>& v, uint64_t count) {
      (void)F;
      return ppl_rse(v[0]->data(), (long)count, S, nL);
    };
    plan.jobs.push_back(std::move(j));
  }
  return e;
}

void write_ppl(const PplConfig& c, const PplExperiment& e, const SampleSet& set, ResultFile& out) {
  check_complete(e.plan, set);
  const ModelConfig& cfg = e.model->weights.cfg;
  const int nL = cfg.n_layers;
  const long S = (long)e.seqs.size();
  const size_t C = e.curves.size(), P = grid_points(e.plan.axes), Q = 2 * (size_t)nL;
  std::vector<double> ppl(C * P), ppl_se(C * P), dn(C * P), dn_se(C * P), kl(C * P), kl_se(C * P), top(C * P),
      top_se(C * P), nm(C * P * Q), nm_se(C * P * Q), alpha(C * P, 0.0), outage(C * P, 0.0);
  std::vector<char> est_ok(C * P), se_ok(C * P), nm_ok(C * P * Q), nm_se_ok(C * P * Q), alpha_ok(C * P, 0);
  std::vector<int64_t> counts(C * P);
  CleanScore clean;
  for (size_t v = 0; v < C; ++v)
    for (size_t p = 0; p < P; ++p) {
      const std::string job = e.curves[v].job;
      const std::vector<double>& rows = set.at(job + "/rows", p);
      const long R = (long)set.count(job + "/rows", p);
      NoisyScore s;
      summarize_rows(rows.data(), R, S, nL, clean, s);
      const size_t k = v * P + p;
      counts[k] = R;
      ppl[k] = s.ppl.mean, ppl_se[k] = s.ppl.se, dn[k] = s.nll_increase.mean, dn_se[k] = s.nll_increase.se;
      kl[k] = s.kl.mean, kl_se[k] = s.kl.se, top[k] = s.top1.mean, top_se[k] = s.top1.se;
      // ppl, nll_increase, kl and top1 share the denominator (scored tokens).
      est_ok[k] = s.ppl.mean_ok && s.nll_increase.mean_ok && s.kl.mean_ok && s.top1.mean_ok;
      se_ok[k] = s.ppl.se_ok && s.nll_increase.se_ok && s.kl.se_ok && s.top1.se_ok;
      for (size_t q = 0; q < Q; ++q) {
        nm[k * Q + q] = s.nmse[q].mean, nm_se[k * Q + q] = s.nmse[q].se;
        nm_ok[k * Q + q] = s.nmse[q].mean_ok, nm_se_ok[k * Q + q] = s.nmse[q].se_ok;
      }
      const std::vector<double>& links = set.at(job + "/links", p);
      double sa = 0, ok = 0, bad = 0;
      for (long r = 0; r < R; ++r) sa += links[3 * (size_t)r], ok += links[3 * (size_t)r + 1], bad += links[3 * (size_t)r + 2];
      if (ok + bad > 0) outage[k] = bad / (ok + bad);
      if (ok > 0) alpha[k] = sa / ok, alpha_ok[k] = 1;
    }
  std::vector<Axis> coords{{"curve", "", "one curve per scheme (and receive design / bit width)", {}, {}, false}};
  for (const auto& cv : e.curves) coords[0].labels.push_back(cv.label);
  std::vector<std::string> dims{"curve"};
  for (const Axis& a : e.plan.axes) coords.push_back(a), dims.push_back(a.name);
  std::vector<double> layers;
  for (int l = 0; l < nL; ++l) layers.push_back(l);
  coords.push_back({"layer", "1", "transformer layer", layers, {}, true});
  coords.push_back({"allreduce", "", "the two all-reduces of a layer", {}, {"attention_output", "mlp_down"}, false});
  coords.push_back({"estimate", "", "an estimate and its standard error", {}, {"mean", "stderr"}, false});
  std::vector<std::string> ndims = dims;
  ndims.push_back("layer");
  ndims.push_back("allreduce");
  const std::string se_note = " (over stories, each story's realizations pooled; undefined with fewer than 2 stories)";
  ResultSchema schema;
  schema.group = "ppl";
  schema.datasets = {
      real_dataset("ppl", dims, "1", "perplexity of the noisy split model", true, "metrics_valid"),
      real_dataset("ppl_se", dims, "1", "standard error of ppl" + se_note, true, "metrics_se_valid"),
      real_dataset("nll_increase", dims, "nat/token", "noisy minus clean NLL per scored token, paired", true, "metrics_valid"),
      real_dataset("nll_increase_se", dims, "nat/token", "standard error of nll_increase" + se_note, true, "metrics_se_valid"),
      real_dataset("kl", dims, "nat/token", "KL(P_clean || P_noisy) of the next-token distributions", true, "metrics_valid"),
      real_dataset("kl_se", dims, "nat/token", "standard error of kl" + se_note, true, "metrics_se_valid"),
      real_dataset("top1", dims, "1", "fraction of scored positions whose argmax equals the clean argmax", true,
                   "metrics_valid"),
      real_dataset("top1_se", dims, "1", "standard error of top1" + se_note, true, "metrics_se_valid"),
      real_dataset("nmse", ndims, "1",
                   "measured NMSE of each all-reduce (sum of squared errors / sum of squared exact sums; undefined "
                   "where the exact sums are all zero)",
                   true),
      real_dataset("nmse_se", ndims, "1", "standard error of nmse" + se_note, true),
      real_dataset("mean_alpha", dims, "1",
                   "mean alpha of the designed links (AirComp: MSE per slot = sigma^2 alpha); FDMA per device link; "
                   "undefined for exact and digital and when every link is in outage",
                   true),
      real_dataset("outage_fraction", dims, "1", "fraction of links with a singular design (0 for exact and digital)"),
      integer_dataset("realizations", dims, "realizations",
                      "channel realizations simulated (all of them, or where --target-rse stopped the point)"),
      text_dataset("curve_kind", {"curve"}, "scheme of each curve: exact, aircomp, fdma or digital"),
      text_dataset("curve_solver", {"curve"}, "receive design of each analog curve (empty otherwise)"),
      integer_dataset("curve_bits", {"curve"}, "bits", "Q of each digital curve, 0 otherwise"),
      real_dataset("clean_ppl", {"estimate"}, "1", "perplexity of the clean (unsplit, exact) model and its standard error",
                   true, "clean_valid"),
      real_dataset("clean_nll", {"estimate"}, "nat/token", "mean NLL per scored token of the clean model", true,
                   "clean_valid"),
  };
  out.set_stage("accuracy simulation");
  SchemaWriter w(out, schema, coords);
  w.put("ppl", ppl, est_ok);
  w.put("ppl_se", ppl_se, se_ok);
  w.put("nll_increase", dn, est_ok);
  w.put("nll_increase_se", dn_se, se_ok);
  w.put("kl", kl, est_ok);
  w.put("kl_se", kl_se, se_ok);
  w.put("top1", top, est_ok);
  w.put("top1_se", top_se, se_ok);
  w.put("nmse", nm, nm_ok);
  w.put("nmse_se", nm_se, nm_se_ok);
  w.put("mean_alpha", alpha, alpha_ok);
  w.put("outage_fraction", outage);
  w.put("realizations", counts);
  std::vector<std::string> kinds, solvers;
  std::vector<int64_t> bits;
  for (const auto& cv : e.curves) kinds.push_back(cv.scheme.kind), solvers.push_back(cv.scheme.solver), bits.push_back(cv.bits);
  w.put("curve_kind", kinds);
  w.put("curve_solver", solvers);
  w.put("curve_bits", bits);
  w.put("clean_ppl", {clean.ppl.mean, clean.ppl.se}, {clean.ppl.mean_ok, clean.ppl.se_ok});
  w.put("clean_nll", {clean.nll.mean, clean.nll.se}, {clean.nll.mean_ok, clean.nll.se_ok});
  out.attr("ppl", "protocol", e.protocol + "; clean = the unsplit model with exact sums");
  out.attr("ppl", "kl_direction", std::string("KL(P_clean || P_noisy), nats per scored token"));
  out.attr("ppl", "model", e.model->path);
  out.attr("ppl", "seq_len", (int64_t)cfg.seq_len);
  out.attr("ppl", "clean_tokens", (int64_t)clean.n_tokens);
  out.attr("ppl", "clean_stories", (int64_t)clean.n_sequences);
  out.attr("ppl", "noise_mode", c.scenario.noise_mode);
  if (c.save_channels) {
    const ResultFile::Stage st(out, "channels");
    for (size_t li = 0; li < e.links.size(); ++li) {
      const Link& link = e.links[li];
      const int N = link.ch.n_dev, nr = link.ch.n_rx, nt = link.ch.n_tx, Pos = e.max_len;
      const uint64_t R = c.run.realizations;
      std::vector<double> h((size_t)R * Pos * N * nr * nt * 2);
      std::vector<std::complex<double>> H((size_t)Pos * N * nr * nt);
      for (uint64_t r = 0; r < R; ++r) {
        channel_batch_cpu(link.ch, r * (uint64_t)cfg.seq_len, Pos, H.data(), nullptr);
        for (int pos = 0; pos < Pos; ++pos)
          for (int n = 0; n < N; ++n)
            for (int a = 0; a < nr; ++a)
              for (int t = 0; t < nt; ++t) {
                const std::complex<double> z = H[(((size_t)pos * N + n) * nt + t) * nr + a];
                const size_t o = (((((size_t)r * Pos + pos) * N + n) * nr + a) * nt + t) * 2;
                h[o] = z.real(), h[o + 1] = z.imag();
              }
      }
      const std::string g = "ppl/channels/p" + std::to_string(li);
      out.write(g + "/channels", h, {(size_t)R, (size_t)Pos, (size_t)N, (size_t)nr, (size_t)nt, 2},
                {"realization", "position", "device", "rx_antenna", "tx_antenna", "re_im"}, "1",
                "true channel matrices H_n of every realization and token position (the channel index is realization "
                "x seq_len + position, as `airtp compare` numbers its realizations)");
      out.attr(g, "n_devices", (int64_t)N);
      out.attr(g, "assignment", link.m_spec);
    }
  }
}

void finalize_ppl(const std::string& config_toml, const SampleSet& s, ResultFile& out) {
  PplConfig c;
  FieldTable t("ppl");
  add_ppl_fields(t, c);
  t.read_text(config_toml, "shard config");
  const std::unique_ptr<PplExperiment> e = make_ppl(c, Backend::cpu);
  write_ppl(c, *e, s, out);
}

}  // namespace airtp
