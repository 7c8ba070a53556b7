// airtp ppl: perplexity, KL divergence, same-top-1 rate and all-reduce NMSE of the bundled
// model split over N devices, with every all-reduce through the chosen scheme, at a list of
// SNRs (analog schemes) or bit widths (digital). With a TOML config (flags override it) the run
// can sweep several schemes and device counts: each (scheme, N) pair is written to its own group
// runs/<scheme>_N<n>/ of one result file (a single pair keeps the flat layout points/...).
//
// The unit of work is one (scheme, N, point) evaluation: units are checkpointed as they finish
// (--resume continues a killed run), and `--shard i/n` computes a contiguous range of units into
// a shard file for `airtp merge`. Each unit's numbers do not depend on which other units run in
// the same process, so merged shards and resumed runs equal the uninterrupted run bit for bit.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <type_traits>

#include "experiments/commands.hpp"
#include "experiments/model_flags.hpp"
#include "host/common/backend_select.hpp"
#include "host/common/errors.hpp"
#include "host/common/progress.hpp"
#include "host/config/toml_read.hpp"
#include "host/io/result_file.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "host/runs/checkpoint.hpp"
#include "host/runs/shard_file.hpp"
#include "kernels/backend.hpp"
#include "host/model/transformer_gpu.hpp"

namespace airtp {
namespace {

struct PplFlags {
  std::string config;
  ModelFlags mf;
  std::string text = std::string(AIRTP_SOURCE_DIR) + "/data/tinystories/tinystories-valid-sample.txt";
  std::vector<std::string> schemes;  // config only (flag: --scheme); empty: {mf.sch.scheme}
  std::vector<int> devices;          // config only (flag: --devices); empty: {mf.devices}
  std::vector<double> snr{0, 5, 10, 15, 20, 30};
  std::vector<int> bits{8};
  int realizations = 4;
  int max_stories = 0;
  std::string out, shard;
  std::string backend = "cpu";  // flag only: where the forward passes run, not part of the config
  bool quiet = false, resume = false;
};

// Reads a ppl config into c (keys absent from the file keep c's values). Every key of the file
// must be known: a typo is an error naming the file and the key.
void read_ppl_config(const toml::table& root, const std::string& path, PplFlags& c) {
  TomlReader r(path, root);
  std::string command;
  r.get("command", command);
  if (!command.empty() && command != "ppl") r.fail("command", "is '" + command + "', expected 'ppl'");
  r.get("seed", c.mf.sch.air.seed);
  r.get("model", c.mf.model);
  r.get("tokenizer", c.mf.tokenizer);
  r.get("text", c.text);
  if (root.contains("scheme") && root.contains("schemes")) r.fail("schemes", "give either 'scheme' or 'schemes', not both");
  r.get("scheme", c.schemes);
  r.get("schemes", c.schemes);
  r.get("devices", c.devices);
  r.get("m", c.mf.m);
  r.get("snr_db", c.snr);
  r.get("bits", c.bits);
  r.get("realizations", c.realizations);
  r.get("max_stories", c.max_stories);
  r.get("solver", c.mf.sch.solver);
  r.get("coherence", c.mf.sch.coherence);
  r.get("noise", c.mf.sch.noise);
  r.get("n_rx", c.mf.sch.air.n_rx);
  r.get("n_tx", c.mf.sch.air.n_tx);
  r.get("streams", c.mf.sch.air.streams);
  r.get("k_db", c.mf.k_db);
  r.reject_unknown();
  if ((root.contains("schemes") || root.contains("scheme")) && c.schemes.empty()) r.fail("schemes", "is an empty list");
  if (root.contains("devices") && c.devices.empty()) r.fail("devices", "is an empty list");
}

void load_ppl_config(const std::string& path, PplFlags& c) { read_ppl_config(parse_toml_file(path), path, c); }

// A relative path in a config that does not exist from the current directory is taken from
// the source tree (where the bundled model and texts live), so a figure config runs from
// anywhere, e.g. a cluster job's scratch directory.
std::string data_path(const std::string& p) {
  const std::filesystem::path q(p);
  if (q.is_relative() && !std::filesystem::exists(q) && std::filesystem::exists(std::filesystem::path(AIRTP_SOURCE_DIR) / q))
    return (std::filesystem::path(AIRTP_SOURCE_DIR) / q).string();
  return p;
}

// Flags given on the command line override the config; the rest come from it.
void merge_config(PplFlags& f, CLI::App& sub) {
  PplFlags c;  // defaults, then the file
  load_ppl_config(f.config, c);
  auto set = [&](const char* name) { return sub.get_option(name)->count() > 0; };
  if (!set("--seed")) f.mf.sch.air.seed = c.mf.sch.air.seed;
  if (!set("--model")) f.mf.model = data_path(c.mf.model);
  if (!set("--tokenizer")) f.mf.tokenizer = data_path(c.mf.tokenizer);
  if (!set("--text")) f.text = data_path(c.text);
  if (!set("--scheme")) f.schemes = c.schemes;
  if (!set("--devices")) f.devices = c.devices;
  if (!set("--m")) f.mf.m = c.mf.m;
  if (!set("--snr")) f.snr = c.snr;
  if (!set("--bits")) f.bits = c.bits;
  if (!set("--realizations")) f.realizations = c.realizations;
  if (!set("--max-stories")) f.max_stories = c.max_stories;
  if (!set("--solver")) f.mf.sch.solver = c.mf.sch.solver;
  if (!set("--coherence")) f.mf.sch.coherence = c.mf.sch.coherence;
  if (!set("--noise")) f.mf.sch.noise = c.mf.sch.noise;
  if (!set("--nr")) f.mf.sch.air.n_rx = c.mf.sch.air.n_rx;
  if (!set("--nt")) f.mf.sch.air.n_tx = c.mf.sch.air.n_tx;
  if (!set("--streams")) f.mf.sch.air.streams = c.mf.sch.air.streams;
  if (!set("--k-db")) f.mf.k_db = c.mf.k_db;
}

// "a,b,c" with every value exact, as --m reads it back.
std::string csv(const std::vector<double>& v) {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + exact_double(v[i]);
  return o;
}

std::string toml_list(const std::vector<std::string>& v) {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", \"" : "\"") + v[i] + "\"";
  return "[" + o + "]";
}
template <class T>
std::string toml_list(const std::vector<T>& v) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << (std::is_floating_point_v<T> ? exact_double((double)v[i]) : std::to_string((long long)v[i]));
  o << "]";
  return o.str();
}

// One (scheme, N) pair of the sweep: its split, its points and (once evaluated) their scores.
struct PplRun {
  std::string scheme;
  SchemeOptions so;
  TpPlan plan;
  bool analog = false;
  int R = 1;
  std::vector<double> col;  // SNR (analog) or bits (digital; 0 for exact)
  std::vector<NoisyScore> noisy;
  std::vector<double> alpha, outage;
  double seconds = 0;  // evaluation time summed over the points
};

// The runs of a resolved config, in sweep order (devices outer, schemes inner), not evaluated.
std::vector<PplRun> plan_runs(const PplFlags& f, const ModelConfig& cfg) {
  std::vector<PplRun> runs;
  for (int n_dev : f.devices)
    for (const std::string& scheme : f.schemes) {
      PplRun run;
      run.scheme = scheme;
      run.so = f.mf.sch;
      run.so.scheme = scheme;
      run.so.air.k_db = f.mf.k_db;
      run.so.air.n_dev = n_dev;
      resolve_scheme_options(run.so);
      run.analog = scheme_uses_snr(scheme);
      if (run.analog && f.snr.empty()) throw InputError("--snr (snr_db): empty list");
      if (scheme == "digital" && f.bits.empty()) throw InputError("--bits (bits): empty list");
      run.plan = make_tp_plan(cfg, parse_assignment(f.mf.m, n_dev), "--m");
      // Deterministic schemes need one pass: repeating it would only shrink the standard errors.
      run.R = run.analog ? f.realizations : 1;
      if (run.analog)
        run.col = f.snr;
      else if (scheme == "digital")
        run.col.assign(f.bits.begin(), f.bits.end());
      else
        run.col = {0};
      const size_t P = run.col.size();
      run.so.air.n_layers = cfg.n_layers;
      run.so.air.n_realizations = run.R;
      run.noisy.assign(P, NoisyScore{});
      run.alpha.assign(P, 0.0);
      run.outage.assign(P, 0.0);
      runs.push_back(std::move(run));
    }
  return runs;
}

// Every number one unit (run, point) yields, in a fixed order: what checkpoints and shard
// files hold. Flags are stored as 0/1; the clean score rides along with every unit.
std::vector<std::string> unit_fields(int nL) {
  std::vector<std::string> f;
  auto est = [&](const std::string& n) {
    for (const char* s : {"", "_se", "_ok", "_se_ok"}) f.push_back(n + s);
  };
  for (const char* n : {"nll", "ppl", "nll_increase", "kl", "top1"}) est(n);
  for (int q = 0; q < 2 * nL; ++q) est("nmse" + std::to_string(q));
  for (const char* n : {"n_items", "mean_alpha", "outage_fraction", "seconds", "clean_tokens", "clean_sequences"})
    f.push_back(n);
  est("clean_nll");
  est("clean_ppl");
  return f;
}

struct Unit {
  NoisyScore noisy;
  CleanScore clean;
  double alpha = 0, outage = 0, seconds = 0;
};

std::vector<double> pack_unit(const Unit& u, int nL) {
  std::vector<double> v;
  auto est = [&](const Estimate& e) {
    v.insert(v.end(), {e.mean, e.se, e.mean_ok ? 1.0 : 0.0, e.se_ok ? 1.0 : 0.0});
  };
  const NoisyScore& s = u.noisy;
  for (const Estimate* e : {&s.nll, &s.ppl, &s.nll_increase, &s.kl, &s.top1}) est(*e);
  for (int q = 0; q < 2 * nL; ++q) est(s.nmse[q]);
  v.insert(v.end(), {(double)s.n_items, u.alpha, u.outage, u.seconds, (double)u.clean.n_tokens,
                     (double)u.clean.n_sequences});
  est(u.clean.nll);
  est(u.clean.ppl);
  return v;
}

Unit unpack_unit(const double* v, int nL) {
  Unit u;
  size_t i = 0;
  auto est = [&](Estimate& e) {
    e = Estimate{v[i], v[i + 1], v[i + 2] != 0, v[i + 3] != 0};
    i += 4;
  };
  NoisyScore& s = u.noisy;
  for (Estimate* e : {&s.nll, &s.ppl, &s.nll_increase, &s.kl, &s.top1}) est(*e);
  s.nmse.resize(2 * nL);
  for (int q = 0; q < 2 * nL; ++q) est(s.nmse[q]);
  s.n_items = (long)v[i++];
  u.alpha = v[i++];
  u.outage = v[i++];
  u.seconds = v[i++];
  u.clean.n_tokens = (long)v[i++];
  u.clean.n_sequences = (long)v[i++];
  est(u.clean.nll);
  est(u.clean.ppl);
  return u;
}

// Evaluates one point of a run: the clean model and the noisy one over R x stories items.
Unit evaluate_unit(const PplRun& run, size_t p, const Transformer& model, const GpuTransformer* gpu,
                   const std::vector<std::vector<int>>& seqs, int max_len, const std::function<void(long)>& progress) {
  SchemeOptions so = run.so;
  so.air.max_pos = max_len;
  const std::unique_ptr<AllReduce> scheme =
      make_scheme(so, run.analog ? run.col[p] : 0.0, run.scheme == "digital" ? (int)run.col[p] : 0);
  const auto t0 = std::chrono::steady_clock::now();
  Unit u;
  std::vector<NoisyScore> noisy;
  evaluate_ppl(model, seqs, run.plan, {scheme.get()}, run.R, u.clean, noisy, progress, gpu);
  u.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  u.noisy = noisy[0];
  if (auto* a = dynamic_cast<const AirAllReduceBase*>(scheme.get())) {
    u.outage = (double)a->outages() / a->n_links();
    u.alpha = u.outage < 1.0 ? a->mean_alpha() : 0.0;  // undefined with every link in outage (masked)
  }
  return u;
}

void print_run(const PplRun& run, int n_layers) {
  std::printf("scheme %s, N = %d\n", run.scheme.c_str(), run.plan.n_dev);
  std::printf("%10s %12s %10s %12s %10s %10s %12s\n", run.analog ? "snr_db" : "bits", "ppl", "+-", "kl", "+-", "top1",
              "nmse(mean)");
  for (size_t p = 0; p < run.col.size(); ++p) {
    const NoisyScore& s = run.noisy[p];
    double nmean = 0;
    for (int q = 0; q < 2 * n_layers; ++q) nmean += s.nmse[q].mean / (2 * n_layers);
    std::printf("%10g %12.4f %10.4f %12.5g %10.2g %10.4f %12.4g\n", run.col[p], s.ppl.mean, s.ppl.se, s.kl.mean,
                s.kl.se, s.top1.mean, nmean);
  }
}

// The datasets of one run under `g` ("" or "runs/<scheme>_N<n>/"). Undefined values are masked
// in the file (never NaN/Inf): a standard error over fewer than two stories, a ratio with a zero
// denominator, a mean alpha with every link in outage.
void write_run(ResultFile& rf, const std::string& g, const PplRun& run, int nL) {
  const size_t P = run.col.size();
  std::vector<double> ppl(P), ppl_se(P), dn(P), dn_se(P), kl(P), kl_se(P), top(P), top_se(P), nm, nm_se;
  std::vector<char> est_ok(P), se_ok(P), nm_ok, nm_se_ok;
  for (size_t p = 0; p < P; ++p) {
    const NoisyScore& s = run.noisy[p];
    ppl[p] = s.ppl.mean, ppl_se[p] = s.ppl.se, dn[p] = s.nll_increase.mean, dn_se[p] = s.nll_increase.se;
    kl[p] = s.kl.mean, kl_se[p] = s.kl.se, top[p] = s.top1.mean, top_se[p] = s.top1.se;
    // ppl, nll_increase, kl and top1 share the denominator (scored tokens) and the units.
    est_ok[p] = s.ppl.mean_ok && s.nll_increase.mean_ok && s.kl.mean_ok && s.top1.mean_ok;
    se_ok[p] = s.ppl.se_ok && s.nll_increase.se_ok && s.kl.se_ok && s.top1.se_ok;
    for (int q = 0; q < 2 * nL; ++q) {
      nm.push_back(s.nmse[q].mean), nm_se.push_back(s.nmse[q].se);
      nm_ok.push_back(s.nmse[q].mean_ok), nm_se_ok.push_back(s.nmse[q].se_ok);
    }
  }
  const std::string pd = run.analog ? "snr" : "point";
  if (run.analog)
    rf.write(g + "points/snr_db", run.col, {P}, {pd}, "dB", "normalised SNR 10 log10(1/sigma^2)");
  else
    rf.write(g + "points/bits", run.col, {P}, {pd}, "bit", "quantization bits per value (0: exact)");
  const std::string est = g + "points/estimate_valid", sev = g + "points/se_valid",
                    se_note = " (over stories, each story's realizations pooled; undefined with fewer than 2 stories)";
  rf.write_masked(g + "points/ppl", ppl, est_ok, {P}, {pd}, "1", "perplexity of the noisy split model", est);
  rf.write_masked(g + "points/ppl_se", ppl_se, se_ok, {P}, {pd}, "1", "standard error of points/ppl" + se_note, sev);
  rf.write_masked(g + "points/nll_increase", dn, est_ok, {P}, {pd}, "nat/token", "noisy minus clean NLL per token, paired",
                  est);
  rf.write_masked(g + "points/nll_increase_se", dn_se, se_ok, {P}, {pd}, "nat/token",
                  "standard error of points/nll_increase" + se_note, sev);
  rf.write_masked(g + "points/kl", kl, est_ok, {P}, {pd}, "nat/token", "KL(P_clean || P_noisy) of next-token distributions",
                  est);
  rf.write_masked(g + "points/kl_se", kl_se, se_ok, {P}, {pd}, "nat/token", "standard error of points/kl" + se_note, sev);
  rf.write_masked(g + "points/top1", top, est_ok, {P}, {pd}, "1",
                  "fraction of positions whose argmax equals the clean argmax", est);
  rf.write_masked(g + "points/top1_se", top_se, se_ok, {P}, {pd}, "1", "standard error of points/top1" + se_note, sev);
  rf.write_masked(g + "points/nmse", nm, nm_ok, {P, (size_t)nL, 2}, {pd, "layer", "allreduce"}, "1",
                  "measured NMSE of each all-reduce (sum squared error / sum squared exact sum); allreduce 0 = "
                  "attention output, 1 = MLP down projection (undefined where the exact sums are all zero)");
  rf.write_masked(g + "points/nmse_se", nm_se, nm_se_ok, {P, (size_t)nL, 2}, {pd, "layer", "allreduce"}, "1",
                  "standard error of points/nmse" + se_note);
  if (run.analog) {
    std::vector<double> alpha = run.alpha;
    std::vector<char> alpha_ok(P);
    for (size_t p = 0; p < P; ++p) {
      alpha_ok[p] = run.outage[p] < 1.0;
      if (!alpha_ok[p]) alpha[p] = 0;
    }
    rf.write_masked(g + "points/mean_alpha", alpha, alpha_ok, {P}, {pd}, "1",
                    "mean alpha of the designed links (AirComp: MSE per slot = sigma^2 alpha); FDMA: per device "
                    "link (undefined when every link is in outage)");
    rf.write(g + "points/outage_fraction", run.outage, {P}, {pd}, "1", "fraction of links with a singular design");
  }
  ResultFile::Stage timing(rf, "timing");
  rf.write(g + "timing/seconds", std::vector<double>{run.seconds}, {1}, {"scalar"}, "s", "wall time of the evaluation");
}

// The resolved configuration, in the form load_ppl_config reads back: recorded in the result
// file and in shard files, from which `airtp merge` rebuilds the runs.
std::string resolved_toml(const PplFlags& f, const std::vector<PplRun>& runs) {
  const bool sweep = runs.size() > 1;
  const SchemeOptions& so = f.mf.sch;
  std::ostringstream toml;
  toml << "command = \"ppl\"\nseed = " << so.air.seed << "\nmodel = \"" << f.mf.model << "\"\ntokenizer = \""
       << f.mf.tokenizer << "\"\ntext = \"" << f.text << "\"\nmax_stories = " << f.max_stories
       << "\nschemes = " << toml_list(f.schemes) << "\ndevices = " << toml_list(f.devices) << "\nm = \""
       << (sweep ? f.mf.m : csv(runs[0].plan.m)) << "\"\nsnr_db = " << toml_list(f.snr) << "\nbits = "
       << toml_list(f.bits) << "\nrealizations = " << f.realizations << "\nsolver = \"" << so.solver
       << "\"\ncoherence = \"" << so.coherence << "\"\nnoise = \"" << so.noise << "\"\nn_rx = " << so.air.n_rx
       << "\nn_tx = " << so.air.n_tx << "\nstreams = " << (so.air.streams ? so.air.streams : so.air.n_tx)
       << "\nk_db = " << exact_double(f.mf.k_db) << "\n";
  return toml.str();
}

size_t count_units(const std::vector<PplRun>& runs) {
  size_t n = 0;
  for (const PplRun& r : runs) n += r.col.size();
  return n;
}

// Fills the runs' scores from the units (one row per field, one column per unit, all units)
// and returns the clean score they carry.
CleanScore fill_runs(std::vector<PplRun>& runs, const SampleSet& units, int nL) {
  const std::vector<std::string> fields = unit_fields(nL);
  const size_t U = count_units(runs);
  if (units.points != 1 || units.begin != 0 || units.count() != U)
    throw InputError("ppl units: expected " + std::to_string(U) + " units, the shards hold " +
                     std::to_string((long long)units.count()));
  std::vector<double> v(fields.size());
  CleanScore clean;
  size_t u = 0;
  for (PplRun& run : runs)
    for (size_t p = 0; p < run.col.size(); ++p, ++u) {
      for (size_t k = 0; k < fields.size(); ++k) {
        const auto it = units.data.find(fields[k]);
        if (it == units.data.end()) throw InputError("ppl units: field '" + fields[k] + "' is missing");
        v[k] = it->second[u];
      }
      const Unit x = unpack_unit(v.data(), nL);
      run.noisy[p] = x.noisy;
      run.alpha[p] = x.alpha;
      run.outage[p] = x.outage;
      run.seconds += x.seconds;
      if (u == 0) clean = x.clean;
    }
  return clean;
}

void write_ppl(const std::vector<PplRun>& runs, const CleanScore& clean, const ModelConfig& cfg,
               ResultFile& rf) {
  const int nL = cfg.n_layers;
  rf.attr("/", "protocol",
          std::string("stories: split at <|endoftext|> lines, strip, BOS + encode(story) truncated to seq_len, "
                      "every token after BOS scored; clean = unsplit model with exact sums"));
  rf.attr("/", "kl_direction", std::string("KL(P_clean || P_noisy), nats per scored token"));
  rf.attr("/", "noise_mode", std::string("normalised SNR, beta = 1, per-slot energy 1"));
  rf.attr("/", "seq_len", (int64_t)cfg.seq_len);
  const std::vector<char> clean_ok{clean.nll.mean_ok, clean.nll.se_ok};
  rf.write_masked("clean/ppl", std::vector<double>{clean.ppl.mean, clean.ppl.se}, clean_ok, {2}, {"estimate_se"}, "1",
                  "perplexity of the clean model and its standard error (undefined for one story)", "clean/valid");
  rf.write_masked("clean/nll", std::vector<double>{clean.nll.mean, clean.nll.se}, clean_ok, {2}, {"estimate_se"},
                  "nat/token", "mean negative log-likelihood per scored token and its standard error", "clean/valid");
  rf.write("clean/n_tokens", std::vector<int64_t>{clean.n_tokens}, {1}, {"scalar"}, "tokens", "scored tokens");
  rf.write("clean/n_sequences", std::vector<int64_t>{clean.n_sequences}, {1}, {"scalar"}, "stories",
           "stories evaluated");
  if (runs.size() == 1) {
    const PplRun& r = runs[0];
    rf.attr("/", "scheme", r.scheme);
    rf.attr("/", "devices", (int64_t)r.plan.n_dev);
    rf.attr("/", "split", r.plan.describe());
    rf.attr("/", "realizations", (int64_t)r.R);
    write_run(rf, "", r, nL);
  } else {
    std::vector<std::string> names;
    for (const PplRun& r : runs) {
      const std::string g = "runs/" + r.scheme + "_N" + std::to_string(r.plan.n_dev);
      write_run(rf, g + "/", r, nL);
      rf.attr(g, "scheme", r.scheme);
      rf.attr(g, "devices", (int64_t)r.plan.n_dev);
      rf.attr(g, "split", r.plan.describe());
      rf.attr(g, "realizations", (int64_t)r.R);
      names.push_back(g);
    }
    rf.write_strings("runs_index", names, "the groups of this sweep, one per (scheme, N), in run order");
  }
}

// `airtp merge` of ppl shards: rebuilds the runs from the recorded config (the model file gives
// the split) and writes what the unsharded run writes.
void finalize_ppl(const std::string& config_toml, const SampleSet& units, ResultFile& out) {
  PplFlags f;
  read_ppl_config(parse_toml_text(config_toml, "shard config"), "shard config", f);
  const ModelWeights w = load_llama2c(f.mf.model);
  std::vector<PplRun> runs = plan_runs(f, w.cfg);
  const CleanScore clean = fill_runs(runs, units, w.cfg.n_layers);
  write_ppl(runs, clean, w.cfg, out);
}

int run_ppl(PplFlags& f, CLI::App& sub) {
  if (!f.config.empty()) merge_config(f, sub);
  if (f.schemes.empty() || sub.get_option("--scheme")->count() > 0) f.schemes = {f.mf.sch.scheme};
  if (f.devices.empty() || sub.get_option("--devices")->count() > 0) f.devices = {f.mf.devices};
  if (f.realizations < 1) throw InputError("--realizations: must be at least 1");
  if (f.max_stories < 0) throw InputError("--max-stories: must be non-negative (0: all)");
  for (int n : f.devices)
    if (n < 1) throw InputError("--devices: must be at least 1 (devices = " + std::to_string(n) + ")");
  if (f.devices.size() > 1 && f.mf.m != "uniform")
    throw InputError("--m (m): an explicit assignment needs a single device count, got " + std::to_string(f.devices.size()));
  const ShardSpec shard = sub.get_option("--shard")->count() > 0 ? parse_shard("--shard", f.shard) : ShardSpec{};
  if ((shard.given || f.resume) && f.out.empty())
    throw InputError(std::string(shard.given ? "--shard" : "--resume") + ": needs an output file (-o)");
  // Names and radio options are checked before any work.
  for (const std::string& sch : f.schemes) {
    ModelFlags chk = f.mf;
    chk.sch.scheme = sch;
    chk.devices = f.devices.front();
    resolve_model_flags(chk);
  }
  const Backend backend = select_backend(f.backend);
  const ModelWeights w = load_llama2c(f.mf.model);
  const Tokenizer tok = Tokenizer::load_llama2c(f.mf.tokenizer, w.cfg.vocab_size);
  const Transformer model(w);
  std::unique_ptr<GpuTransformer> gpu;
  if (backend == Backend::cuda) gpu = std::make_unique<GpuTransformer>(w);
  const auto seqs = load_story_tokens(f.text, tok, w.cfg.seq_len, f.max_stories);
  int max_len = 0;
  for (const auto& s : seqs) max_len = std::max(max_len, (int)s.size());
  const int nL = w.cfg.n_layers;
  std::vector<PplRun> runs = plan_runs(f, w.cfg);
  const std::string toml = resolved_toml(f, runs);

  // Units [begin, end) of this process; each is checkpointed once finished (when writing a file).
  const size_t U = count_units(runs);
  const RealizationRange range = shard_range(shard, U);
  std::optional<Checkpoint> ckpt;
  if (!f.out.empty())
    ckpt.emplace(f.out, run_identity("ppl", toml, shard, backend_name(backend)), f.resume);
  const std::vector<std::string> fields = unit_fields(nL);
  SampleSet units;
  units.points = 1;
  units.begin = range.begin;
  units.end = range.end;
  for (const std::string& name : fields) units.data[name].assign(range.end - range.begin, 0.0);
  // Work is counted in model passes over a story: (R noisy + 1 clean) per story and unit.
  const double S = (double)seqs.size();
  std::vector<std::vector<double>> got(range.end - range.begin);
  double total = 0, resumed = 0;
  size_t n_resumed = 0;
  for (size_t u = 0, r = 0; r < runs.size(); ++r)
    for (size_t p = 0; p < runs[r].col.size(); ++p, ++u) {
      if (u < range.begin || u >= range.end) continue;
      const double work = (runs[r].R + 1) * S;
      total += work;
      std::vector<double> v(fields.size());
      if (ckpt && ckpt->load("u" + std::to_string(u), v.data(), v.size())) {
        got[u - range.begin] = std::move(v);
        resumed += work;
        ++n_resumed;
      }
    }
  Progress prog("ppl", total, f.quiet, resumed);  // rates and totals in story passes
  if (n_resumed > 0) prog.note("resuming: " + std::to_string(n_resumed) + " finished unit(s) from " + ckpt->dir());
  double done = resumed;
  int split_shown = 0;  // device count whose split was last printed
  for (size_t u = 0, r = 0; r < runs.size(); ++r)
    for (size_t p = 0; p < runs[r].col.size(); ++p, ++u) {
      if (u < range.begin || u >= range.end) continue;
      std::vector<double>& v = got[u - range.begin];
      const PplRun& run = runs[r];
      if (v.empty()) {
        if (split_shown != run.plan.n_dev) prog.note("N = " + std::to_string(run.plan.n_dev) + " split: " + run.plan.describe());
        split_shown = run.plan.n_dev;
        prog.note("unit " + std::to_string(u + 1) + "/" + std::to_string(U) + ": N = " + std::to_string(run.plan.n_dev) +
                  ", " + run.scheme +
                  (run.analog ? ", SNR " + exact_double(run.col[p]) + " dB"
                              : run.scheme == "digital" ? ", " + exact_double(run.col[p]) + " bits" : std::string()) +
                  ", " + std::to_string(run.R) + " realization(s) x " + std::to_string(seqs.size()) + " stories");
        const double before = done;
        v = pack_unit(evaluate_unit(run, p, model, gpu.get(), seqs, max_len,
                                    [&](long scored) { prog.update(before + (run.R + 1) * (double)scored); }),
                      nL);
        done = before + (run.R + 1) * S;
        if (ckpt) ckpt->save("u" + std::to_string(u), v.data(), v.size());
      }
      for (size_t k = 0; k < fields.size(); ++k) units.data[fields[k]][u - range.begin] = v[k];
    }
  prog.finish();

  if (shard.given) {
    ResultFile out(f.out, RunInfo{command_line(), toml, f.mf.sch.air.seed, backend_name(backend),
                                  device_description(backend), "shard"});
    write_shard(out, make_shard_header("ppl", toml, f.mf.sch.air.seed, backend_name(backend), shard, U), units);
    out.commit();
    ckpt->remove();
    if (!f.quiet) std::cerr << "  wrote shard " << f.shard << " (units " << range.begin << ".." << range.end << " of " << U
                            << ") to " << f.out << "\n";
    return 0;
  }
  const CleanScore clean = fill_runs(runs, units, nL);
  std::printf("clean perplexity %.4f +- %.4f over %ld tokens in %ld stories\n", clean.ppl.mean, clean.ppl.se,
              clean.n_tokens, clean.n_sequences);
  for (const PplRun& r : runs) print_run(r, nL);
  if (f.out.empty()) return 0;
  RunInfo info{command_line(), toml, f.mf.sch.air.seed, backend_name(backend), device_description(backend), "ppl"};
  ResultFile rf(f.out, info);
  write_ppl(runs, clean, w.cfg, rf);
  rf.commit();
  ckpt->remove();
  if (!f.quiet) std::cerr << "  wrote " << f.out << "\n";
  return 0;
}

const bool registered = register_command(
    {"ppl", "perplexity / KL / top-1 of the split model under a noisy all-reduce scheme", [](CLI::App& sub) {
       auto f = std::make_shared<PplFlags>();
       sub.add_option("config", f->config, "TOML config file (flags override it; lists of schemes and devices sweep)");
       add_model_flags(sub, f->mf);
       sub.add_option("--text", f->text, "text to score (stories separated by <|endoftext|> lines)")
           ->capture_default_str();
       sub.add_option("--snr", f->snr, "SNR list in dB (aircomp, fdma)")->delimiter(',')->capture_default_str();
       sub.add_option("--bits", f->bits, "quantization bits list (digital)")->delimiter(',')->capture_default_str();
       sub.add_option("--realizations,-R", f->realizations, "channel realizations per SNR")->capture_default_str();
       sub.add_option("--max-stories", f->max_stories, "score only the first stories (0: all)")->capture_default_str();
       sub.add_option("--out,-o", f->out, "output HDF5 file");
       sub.add_option("--shard", f->shard,
                      "i/n: evaluate only piece i of n of the (scheme, N, point) units into a shard file for `airtp merge`");
       sub.add_option("--backend", f->backend,
                      "where the forward passes run: cpu, cuda (cuBLAS; equal to cpu to float rounding) or auto")
           ->capture_default_str();
       sub.add_flag("--resume", f->resume, "continue an interrupted run from its checkpoint (OUTPUT.ckpt/)");
       sub.add_flag("--quiet,-q", f->quiet, "no progress output");
       CLI::App* s = &sub;
       return [f, s] { return run_ppl(*f, *s); };
     },
     finalize_ppl});

}  // namespace
}  // namespace airtp
