// airtp ppl: perplexity, KL divergence, same-top-1 rate and all-reduce NMSE of the bundled
// model split over N devices, with every all-reduce through the chosen scheme, at a list of
// SNRs (analog schemes) or bit widths (digital).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "experiments/commands.hpp"
#include "experiments/model_flags.hpp"
#include "host/common/errors.hpp"
#include "host/io/result_file.hpp"
#include "host/model/llama2c.hpp"
#include "host/model/ppl_eval.hpp"
#include "kernels/backend.hpp"

namespace airtp {
namespace {

struct PplFlags {
  ModelFlags mf;
  std::string text = std::string(AIRTP_SOURCE_DIR) + "/data/tinystories/tinystories-valid-sample.txt";
  std::vector<double> snr{0, 5, 10, 15, 20, 30};
  std::vector<int> bits{8};
  int realizations = 4;
  int max_stories = 0;
  std::string out;
  bool quiet = false;
};

std::string join(const std::vector<double>& v) {
  std::ostringstream o;
  for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
  return o.str();
}

int run_ppl(PplFlags& f) {
  resolve_model_flags(f.mf);
  if (f.realizations < 1) throw InputError("--realizations: must be at least 1");
  if (f.max_stories < 0) throw InputError("--max-stories: must be non-negative (0: all)");
  const SchemeOptions& so = f.mf.sch;
  const bool analog = scheme_uses_snr(so.scheme);
  if (analog && f.snr.empty()) throw InputError("--snr: empty list");
  if (so.scheme == "digital" && f.bits.empty()) throw InputError("--bits: empty list");
  const ModelWeights w = load_llama2c(f.mf.model);
  const Tokenizer tok = Tokenizer::load_llama2c(f.mf.tokenizer, w.cfg.vocab_size);
  const Transformer model(w);
  const TpPlan plan = make_tp_plan(w.cfg, parse_assignment(f.mf.m, f.mf.devices), "--m");
  const auto seqs = load_story_tokens(f.text, tok, w.cfg.seq_len, f.max_stories);
  int max_len = 0;
  for (const auto& s : seqs) max_len = std::max(max_len, (int)s.size());
  const int R = so.scheme == "exact" || so.scheme == "digital" ? 1 : f.realizations;

  // Points: SNRs for the analog schemes, bit widths for digital, one for exact.
  std::vector<double> snrs = analog ? f.snr : std::vector<double>{0};
  std::vector<int> bitv = so.scheme == "digital" ? f.bits : std::vector<int>{0};
  const size_t P = analog ? snrs.size() : bitv.size();
  SchemeOptions opt = so;
  opt.air.n_layers = w.cfg.n_layers;
  opt.air.max_pos = max_len;
  opt.air.n_realizations = R;
  if (!f.quiet)
    std::cerr << "airtp ppl: " << seqs.size() << " stories, N = " << plan.n_dev << ", scheme " << so.scheme
              << ", " << R << " realization(s), " << P << " point(s)\n  split: " << plan.describe() << "\n";
  std::vector<std::unique_ptr<AllReduce>> schemes;
  std::vector<const AllReduce*> ptrs;
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t p = 0; p < P; ++p) {
    schemes.push_back(make_scheme(opt, snrs[analog ? p : 0], bitv[analog ? 0 : p]));
    ptrs.push_back(schemes.back().get());
  }
  CleanScore clean;
  std::vector<NoisyScore> noisy;
  evaluate_ppl(model, seqs, plan, ptrs, R, clean, noisy, !f.quiet);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const int nL = w.cfg.n_layers;
  std::printf("clean perplexity %.4f +- %.4f over %ld tokens in %ld stories\n", clean.ppl.mean, clean.ppl.se,
              clean.n_tokens, clean.n_sequences);
  std::printf("%10s %12s %10s %12s %10s %10s %12s\n", analog ? "snr_db" : "bits", "ppl", "+-", "kl", "+-", "top1",
              "nmse(mean)");
  std::vector<double> col(P), ppl(P), ppl_se(P), dn(P), dn_se(P), kl(P), kl_se(P), top(P), top_se(P), nm, nm_se,
      alpha(P), outage(P);
  // Undefined values are masked in the file (never NaN/Inf): a standard error of fewer than two
  // units, a ratio with a zero denominator, a mean alpha with every link in outage.
  std::vector<char> est_ok(P), se_ok(P), nm_ok, nm_se_ok, alpha_ok(P, 1);
  for (size_t p = 0; p < P; ++p) {
    const NoisyScore& s = noisy[p];
    col[p] = analog ? snrs[p] : bitv[p];
    ppl[p] = s.ppl.mean, ppl_se[p] = s.ppl.se, dn[p] = s.nll_increase.mean, dn_se[p] = s.nll_increase.se;
    kl[p] = s.kl.mean, kl_se[p] = s.kl.se, top[p] = s.top1.mean, top_se[p] = s.top1.se;
    // ppl, nll_increase, kl and top1 share the denominator (scored tokens) and the units.
    est_ok[p] = s.ppl.mean_ok && s.nll_increase.mean_ok && s.kl.mean_ok && s.top1.mean_ok;
    se_ok[p] = s.ppl.se_ok && s.nll_increase.se_ok && s.kl.se_ok && s.top1.se_ok;
    double nmean = 0;
    for (int q = 0; q < 2 * nL; ++q) {
      nm.push_back(s.nmse[q].mean);
      nm_se.push_back(s.nmse[q].se);
      nm_ok.push_back(s.nmse[q].mean_ok);
      nm_se_ok.push_back(s.nmse[q].se_ok);
      nmean += s.nmse[q].mean / (2 * nL);
    }
    if (auto* a = dynamic_cast<const AirAllReduceBase*>(ptrs[p])) {
      alpha[p] = a->mean_alpha();
      alpha_ok[p] = a->outages() < (long)a->n_links();
      if (!alpha_ok[p]) alpha[p] = 0;
      outage[p] = (double)a->outages() / a->n_links();
    }
    std::printf("%10g %12.4f %10.4f %12.5g %10.2g %10.4f %12.4g\n", col[p], ppl[p], ppl_se[p], kl[p], kl_se[p],
                top[p], nmean);
  }
  if (!f.quiet) std::cerr << "  " << secs << " s\n";

  if (!f.out.empty()) {
    std::ostringstream toml;
    toml << "command = \"ppl\"\nmodel = \"" << f.mf.model << "\"\ntokenizer = \"" << f.mf.tokenizer << "\"\ntext = \""
         << f.text << "\"\nprotocol = \"stories\"\nmax_stories = " << f.max_stories << "\ndevices = " << plan.n_dev
         << "\nm = [" << join(plan.m) << "]\nscheme = \"" << so.scheme << "\"\nsnr_db = [" << join(f.snr)
         << "]\nbits = [";
    for (size_t i = 0; i < f.bits.size(); ++i) toml << (i ? ", " : "") << f.bits[i];
    toml << "]\nrealizations = " << R << "\nsolver = \"" << so.solver << "\"\ncoherence = \"" << so.coherence << "\"\nnoise = \"" << so.noise
         << "\"\nn_rx = " << so.air.n_rx << "\nn_tx = " << so.air.n_tx << "\nstreams = "
         << (so.air.streams ? so.air.streams : so.air.n_tx) << "\nk_db = " << so.air.k_db
         << "\nnoise_mode = \"normalised SNR, beta = 1, per-slot energy 1\"\nseed = " << so.air.seed << "\n";
    RunInfo info{command_line(), toml.str(), so.air.seed, "cpu", device_description(Backend::cpu), "ppl"};
    ResultFile rf(f.out, info);
    rf.set_stage("accuracy simulation");
    rf.attr("/", "protocol",
            std::string("stories: split at <|endoftext|> lines, strip, BOS + encode(story) truncated to seq_len, "
                        "every token after BOS scored; clean = unsplit model with exact sums"));
    rf.attr("/", "kl_direction", std::string("KL(P_clean || P_noisy), nats per scored token"));
    rf.attr("/", "scheme", so.scheme);
    rf.attr("/", "devices", (int64_t)plan.n_dev);
    rf.attr("/", "split", plan.describe());
    rf.attr("/", "seq_len", (int64_t)w.cfg.seq_len);
    const std::vector<char> clean_ok{clean.nll.mean_ok, clean.nll.se_ok};
    rf.write_masked("clean/ppl", std::vector<double>{clean.ppl.mean, clean.ppl.se}, clean_ok, {2}, {"estimate_se"}, "1",
                    "perplexity of the clean model and its standard error (undefined for one story)", "clean/valid");
    rf.write_masked("clean/nll", std::vector<double>{clean.nll.mean, clean.nll.se}, clean_ok, {2}, {"estimate_se"},
                    "nat/token", "mean negative log-likelihood per scored token and its standard error",
                    "clean/valid");
    rf.write("clean/n_tokens", std::vector<int64_t>{clean.n_tokens}, {1}, {"scalar"}, "tokens", "scored tokens");
    rf.write("clean/n_sequences", std::vector<int64_t>{clean.n_sequences}, {1}, {"scalar"}, "stories",
             "stories evaluated");
    const std::string pd = analog ? "snr" : "point";
    if (analog)
      rf.write("points/snr_db", col, {P}, {pd}, "dB", "normalised SNR 10 log10(1/sigma^2)");
    else
      rf.write("points/bits", col, {P}, {pd}, "bit", "quantization bits per value (0: exact)");
    const std::string est = "points/estimate_valid", sev = "points/se_valid",
                      se_note = " (undefined with fewer than 2 units: realizations x stories)";
    rf.write_masked("points/ppl", ppl, est_ok, {P}, {pd}, "1", "perplexity of the noisy split model", est);
    rf.write_masked("points/ppl_se", ppl_se, se_ok, {P}, {pd}, "1", "standard error of points/ppl" + se_note, sev);
    rf.write_masked("points/nll_increase", dn, est_ok, {P}, {pd}, "nat/token", "noisy minus clean NLL per token, paired", est);
    rf.write_masked("points/nll_increase_se", dn_se, se_ok, {P}, {pd}, "nat/token",
                    "standard error of points/nll_increase" + se_note, sev);
    rf.write_masked("points/kl", kl, est_ok, {P}, {pd}, "nat/token", "KL(P_clean || P_noisy) of next-token distributions", est);
    rf.write_masked("points/kl_se", kl_se, se_ok, {P}, {pd}, "nat/token", "standard error of points/kl" + se_note, sev);
    rf.write_masked("points/top1", top, est_ok, {P}, {pd}, "1", "fraction of positions whose argmax equals the clean argmax", est);
    rf.write_masked("points/top1_se", top_se, se_ok, {P}, {pd}, "1", "standard error of points/top1" + se_note, sev);
    rf.write_masked("points/nmse", nm, nm_ok, {P, (size_t)nL, 2}, {pd, "layer", "allreduce"}, "1",
                    "measured NMSE of each all-reduce (sum squared error / sum squared exact sum); allreduce 0 = "
                    "attention output, 1 = MLP down projection (undefined where the exact sums are all zero)");
    rf.write_masked("points/nmse_se", nm_se, nm_se_ok, {P, (size_t)nL, 2}, {pd, "layer", "allreduce"}, "1",
                    "standard error of points/nmse" + se_note);
    if (analog) {
      rf.write_masked("points/mean_alpha", alpha, alpha_ok, {P}, {pd}, "1",
                      "mean alpha of the designed links (AirComp: MSE per slot = sigma^2 alpha); FDMA: per device "
                      "link (undefined when every link is in outage)");
      rf.write("points/outage_fraction", outage, {P}, {pd}, "1", "fraction of links with a singular design");
    }
    rf.set_stage("timing");
    rf.write("timing/seconds", std::vector<double>{secs}, {1}, {"scalar"}, "s", "wall time of the evaluation");
    rf.commit();
    if (!f.quiet) std::cerr << "  wrote " << f.out << "\n";
  }
  return 0;
}

const bool registered = register_command(
    {"ppl", "perplexity / KL / top-1 of the split model under a noisy all-reduce scheme", [](CLI::App& sub) {
       auto f = std::make_shared<PplFlags>();
       add_model_flags(sub, f->mf);
       sub.add_option("--text", f->text, "text to score (stories separated by <|endoftext|> lines)")
           ->capture_default_str();
       sub.add_option("--snr", f->snr, "SNR list in dB (aircomp, fdma)")->delimiter(',')->capture_default_str();
       sub.add_option("--bits", f->bits, "quantization bits list (digital)")->delimiter(',')->capture_default_str();
       sub.add_option("--realizations,-R", f->realizations, "channel realizations per SNR")->capture_default_str();
       sub.add_option("--max-stories", f->max_stories, "score only the first stories (0: all)")->capture_default_str();
       sub.add_option("--out,-o", f->out, "output HDF5 file");
       sub.add_flag("--quiet,-q", f->quiet, "no progress output");
       return [f] { return run_ppl(*f); };
     }});

}  // namespace
}  // namespace airtp
