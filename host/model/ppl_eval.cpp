#include "host/model/ppl_eval.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/model/transformer_gpu.hpp"

namespace airtp {

Estimate ratio_estimate(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = a.size();
  double sa = 0, sb = 0;
  for (size_t i = 0; i < n; ++i) {
    sa += a[i];
    sb += b[i];
  }
  Estimate e;
  if (!(sb > 0)) {
    e.mean_ok = e.se_ok = false;
    return e;
  }
  e.mean = sa / sb;
  if (n < 2) {
    e.se_ok = false;
    return e;
  }
  double v = 0;
  for (size_t i = 0; i < n; ++i) {
    const double r = a[i] - e.mean * b[i];
    v += r * r;
  }
  e.se = std::sqrt(v / ((double)n * (n - 1))) / (sb / n);
  return e;
}

namespace {
// Per-position log-softmax of a T x V logit block, in place (double accumulation).
// Vectorised single-precision exponentials; the sums are small (V terms <= 1 each).
void log_softmax_rows(float* lg, int T, int V) {
  for (int t = 0; t < T; ++t) {
    Eigen::Map<Eigen::ArrayXf> r(lg + (size_t)t * V, V);
    const float mx = r.maxCoeff();
    const float lse = mx + std::log((r - mx).exp().sum());
    r -= lse;
  }
}
// KL(a || b) of two log-probability rows.
double kl_row(const float* a, const float* b, int V) {
  const Eigen::Map<const Eigen::ArrayXf> x(a, V), y(b, V);
  return (double)(x.exp() * (x - y)).sum();
}
}  // namespace

void evaluate_ppl(const Transformer& model, const std::vector<std::vector<int>>& seqs, const TpPlan& plan,
                  const std::vector<const AllReduce*>& schemes, int R, CleanScore& clean,
                  std::vector<NoisyScore>& noisy, const std::function<void(long)>& progress,
                  const GpuTransformer* gpu) {
  const int V = model.cfg().vocab_size, nL = model.cfg().n_layers;
  using Sink = std::function<void(size_t, const float*, int, const ReduceStats&)>;
  auto run = [&](const std::vector<BatchItem>& items, const TpPlan& p, const AllReduce& ar, const Sink& sink) {
    if (gpu)
      run_batch_gpu(*gpu, items, p, ar, sink);
    else
      run_batch(model, items, p, ar, sink);
  };
  const long S = (long)seqs.size();
  const size_t K = schemes.size();
  // Per-unit sums (units: sequences for clean, (scheme, realization, sequence) for noisy).
  std::vector<double> c_nll(S), c_cnt(S);
  std::vector<std::vector<double>> n_nll(K), n_dnll(K), n_kl(K), n_top(K), n_cnt(K);
  std::vector<std::vector<std::vector<double>>> err(K), ref(K);
  for (size_t k = 0; k < K; ++k) {
    for (auto* v : {&n_nll[k], &n_dnll[k], &n_kl[k], &n_top[k], &n_cnt[k]}) v->assign((size_t)R * S, 0.0);
    err[k].assign(2 * nL, std::vector<double>((size_t)R * S));
    ref[k].assign(2 * nL, std::vector<double>((size_t)R * S));
  }
  const TpPlan one = unsplit_plan(model.cfg());
  const ExactAllReduce exact;
  const long chunk = 64;
  std::vector<std::vector<float>> clean_lp(chunk);  // log-probs of the chunk's clean model
  std::vector<std::vector<int>> clean_top(chunk);
  for (long c0 = 0; c0 < S; c0 += chunk) {
    const long cn = std::min(chunk, S - c0);
    std::vector<BatchItem> items;
    for (long j = 0; j < cn; ++j) items.push_back({&seqs[c0 + j], (uint64_t)(c0 + j), 0});
    run(items, one, exact, [&](size_t i, const float* lg, int T, const ReduceStats&) {
      std::vector<float>& lp = clean_lp[i];
      lp.assign(lg, lg + (size_t)T * V);
      log_softmax_rows(lp.data(), T, V);
      const std::vector<int>& tk = *items[i].tokens;
      clean_top[i].resize(T);
      double nll = 0;
      for (int t = 0; t + 1 < T; ++t) {
        const float* r = lp.data() + (size_t)t * V;
        nll -= r[tk[t + 1]];
        clean_top[i][t] = (int)(std::max_element(r, r + V) - r);
      }
      c_nll[c0 + i] = nll;
      c_cnt[c0 + i] = T - 1;
    });
    for (size_t k = 0; k < K; ++k) {
      std::vector<BatchItem> nitems;
      for (int r = 0; r < R; ++r)
        for (long j = 0; j < cn; ++j) nitems.push_back({&seqs[c0 + j], (uint64_t)(c0 + j), (uint64_t)r});
      run(nitems, plan, *schemes[k], [&](size_t i, const float* lg, int T, const ReduceStats& st) {
        const long j = (long)(i % cn), r = (long)(i / cn), s = c0 + j;
        const size_t u = (size_t)r * S + s;
        const std::vector<int>& tk = *nitems[i].tokens;
        const std::vector<float>& cl = clean_lp[j];
        std::vector<float> lp(lg, lg + (size_t)T * V);
        log_softmax_rows(lp.data(), T, V);
        double nll = 0, kl = 0, top = 0;
        for (int t = 0; t + 1 < T; ++t) {
          const float* a = cl.data() + (size_t)t * V;
          const float* b = lp.data() + (size_t)t * V;
          nll -= b[tk[t + 1]];
          kl += std::max(kl_row(a, b, V), 0.0);
          top += (std::max_element(b, b + V) - b) == clean_top[j][t];
        }
        n_nll[k][u] = nll;
        n_dnll[k][u] = nll - c_nll[s];
        n_kl[k][u] = kl;
        n_top[k][u] = top;
        n_cnt[k][u] = T - 1;
        for (int q = 0; q < 2 * nL; ++q) {
          err[k][q][u] = st.err2[q];
          ref[k][q][u] = st.ref2[q];
        }
      });
    }
    if (progress) progress(c0 + cn);
  }
  clean.n_sequences = S;
  clean.n_tokens = 0;
  for (double x : c_cnt) clean.n_tokens += (long)x;
  clean.nll = ratio_estimate(c_nll, c_cnt);
  auto ppl_of = [](const Estimate& nll) {
    return Estimate{std::exp(nll.mean), std::exp(nll.mean) * nll.se, nll.mean_ok, nll.se_ok};
  };
  clean.ppl = ppl_of(clean.nll);
  noisy.assign(K, NoisyScore{});
  // The R items of one story share its text, so they are not independent: each story's items
  // are pooled into one unit and the standard errors are over stories (cluster-robust), the
  // same units as the clean score's. The means are unchanged (sums of sums).
  auto by_story = [&](const std::vector<double>& v) {
    std::vector<double> c(S, 0.0);
    for (int r = 0; r < R; ++r)
      for (long s = 0; s < S; ++s) c[s] += v[(size_t)r * S + s];
    return c;
  };
  for (size_t k = 0; k < K; ++k) {
    NoisyScore& o = noisy[k];
    o.n_items = (long)R * S;
    const std::vector<double> cnt = by_story(n_cnt[k]);
    o.nll = ratio_estimate(by_story(n_nll[k]), cnt);
    o.ppl = ppl_of(o.nll);
    o.nll_increase = ratio_estimate(by_story(n_dnll[k]), cnt);
    o.kl = ratio_estimate(by_story(n_kl[k]), cnt);
    o.top1 = ratio_estimate(by_story(n_top[k]), cnt);
    o.nmse.resize(2 * nL);
    for (int q = 0; q < 2 * nL; ++q) o.nmse[q] = ratio_estimate(by_story(err[k][q]), by_story(ref[k][q]));
  }
}

}  // namespace airtp
