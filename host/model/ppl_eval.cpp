#include "host/model/ppl_eval.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "host/io/input_file.hpp"
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

int row_width(int n_layers) { return 6 + 4 * n_layers; }

void score_rows(const Transformer& model, const std::vector<std::vector<int>>& seqs, const std::vector<int>& score_from,
                const TpPlan& plan, const AllReduce& scheme, uint64_t first, long count, double* rows,
                const std::function<void(double)>& progress, const GpuTransformer* gpu) {
  const int V = model.cfg().vocab_size, nL = model.cfg().n_layers, F = row_width(nL);
  using Sink = std::function<void(size_t, const float*, int, const ReduceStats&)>;
  auto run = [&](const std::vector<BatchItem>& items, const TpPlan& p, const AllReduce& ar, const Sink& sink) {
    if (gpu)
      run_batch_gpu(*gpu, items, p, ar, sink);
    else
      run_batch(model, items, p, ar, sink);
  };
  const long S = (long)seqs.size();
  auto from = [&](long s) { return score_from.empty() ? 1 : std::max(1, score_from[(size_t)s]); };
  const TpPlan one = unsplit_plan(model.cfg());
  const ExactAllReduce exact;
  // Sequences per chunk: at most 64, and the chunk's clean log-probs (T x V floats each) within
  // about 256 MB, so that a large vocabulary (SmolLM2: 49,152) does not hold gigabytes.
  size_t longest = 1;
  for (const auto& q : seqs) longest = std::max(longest, q.size());
  const long chunk = std::clamp<long>((long)((256u << 20) / (longest * (size_t)V * sizeof(float))), 1, 64);
  std::vector<std::vector<float>> clean_lp(chunk);  // log-probs of the chunk's clean model
  std::vector<std::vector<int>> clean_top(chunk);
  std::vector<double> clean_nll(chunk);
  for (long c0 = 0; c0 < S; c0 += chunk) {
    const long cn = std::min(chunk, S - c0);
    std::vector<BatchItem> items;
    for (long j = 0; j < cn; ++j) items.push_back({&seqs[c0 + j], (uint64_t)(c0 + j), 0});
    run(items, one, exact, [&](size_t i, const float* lg, int T, const ReduceStats&) {
      std::vector<float>& lp = clean_lp[i];
      lp.assign(lg, lg + (size_t)T * V);
      log_softmax_rows(lp.data(), T, V);
      const std::vector<int>& tk = *items[i].tokens;
      clean_top[i].assign(T, 0);
      double nll = 0;
      for (int t = from(c0 + (long)i) - 1; t + 1 < T; ++t) {
        const float* r = lp.data() + (size_t)t * V;
        nll -= r[tk[t + 1]];
        clean_top[i][t] = (int)(std::max_element(r, r + V) - r);
      }
      clean_nll[i] = nll;
    });
    std::vector<BatchItem> nitems;
    for (long r = 0; r < count; ++r)
      for (long j = 0; j < cn; ++j) nitems.push_back({&seqs[c0 + j], (uint64_t)(c0 + j), first + (uint64_t)r});
    run(nitems, plan, scheme, [&](size_t i, const float* lg, int T, const ReduceStats& st) {
      const long j = (long)(i % cn), r = (long)(i / cn), s = c0 + j;
      double* row = rows + ((size_t)r * S + s) * F;
      const std::vector<int>& tk = *nitems[i].tokens;
      const std::vector<float>& cl = clean_lp[j];
      std::vector<float> lp(lg, lg + (size_t)T * V);
      log_softmax_rows(lp.data(), T, V);
      double nll = 0, kl = 0, top = 0;
      const int t0 = from(s) - 1;
      for (int t = t0; t + 1 < T; ++t) {
        const float* a = cl.data() + (size_t)t * V;
        const float* b = lp.data() + (size_t)t * V;
        nll -= b[tk[t + 1]];
        kl += std::max(kl_row(a, b, V), 0.0);
        top += (std::max_element(b, b + V) - b) == clean_top[j][t];
      }
      row[RowField::nll] = nll;
      row[RowField::nll_increase] = nll - clean_nll[j];
      row[RowField::kl] = kl;
      row[RowField::top1] = top;
      row[RowField::count] = std::max(0, T - 1 - t0);
      row[RowField::clean_nll] = clean_nll[j];
      for (int q = 0; q < 2 * nL; ++q) {
        row[RowField::err2 + q] = st.err2[q];
        row[RowField::ref2(nL) + q] = st.ref2[q];
      }
    });
    if (progress) progress((double)(c0 + cn) / (double)S);
  }
}

namespace {
Estimate ppl_of(const Estimate& nll) { return Estimate{std::exp(nll.mean), std::exp(nll.mean) * nll.se, nll.mean_ok, nll.se_ok}; }

// Field f of the rows summed over the R realizations of each sequence.
std::vector<double> by_sequence(const double* rows, long R, long S, int F, int f) {
  std::vector<double> c((size_t)S, 0.0);
  for (long r = 0; r < R; ++r)
    for (long s = 0; s < S; ++s) c[(size_t)s] += rows[((size_t)r * S + s) * F + f];
  return c;
}
}  // namespace

void summarize_rows(const double* rows, long R, long S, int nL, CleanScore& clean, NoisyScore& o) {
  const int F = row_width(nL);
  // The clean score from realization 0 (every realization carries the same clean values).
  std::vector<double> c_nll((size_t)S), c_cnt((size_t)S);
  for (long s = 0; s < S; ++s) c_nll[(size_t)s] = rows[(size_t)s * F + RowField::clean_nll], c_cnt[(size_t)s] = rows[(size_t)s * F + RowField::count];
  clean.n_sequences = S;
  clean.n_tokens = 0;
  for (double x : c_cnt) clean.n_tokens += (long)x;
  clean.nll = ratio_estimate(c_nll, c_cnt);
  clean.ppl = ppl_of(clean.nll);
  o = NoisyScore{};
  o.n_items = R * S;
  const std::vector<double> cnt = by_sequence(rows, R, S, F, RowField::count);
  o.nll = ratio_estimate(by_sequence(rows, R, S, F, RowField::nll), cnt);
  o.ppl = ppl_of(o.nll);
  o.nll_increase = ratio_estimate(by_sequence(rows, R, S, F, RowField::nll_increase), cnt);
  o.kl = ratio_estimate(by_sequence(rows, R, S, F, RowField::kl), cnt);
  o.top1 = ratio_estimate(by_sequence(rows, R, S, F, RowField::top1), cnt);
  o.nmse.resize(2 * nL);
  for (int q = 0; q < 2 * nL; ++q)
    o.nmse[q] = ratio_estimate(by_sequence(rows, R, S, F, RowField::err2 + q), by_sequence(rows, R, S, F, RowField::ref2(nL) + q));
}

double ppl_rse(const double* rows, long R, long S, int nL) {
  const int F = row_width(nL);
  const Estimate e = ratio_estimate(by_sequence(rows, R, S, F, RowField::nll), by_sequence(rows, R, S, F, RowField::count));
  return e.mean_ok && e.se_ok ? e.se : INFINITY;
}

void evaluate_ppl(const Transformer& model, const std::vector<std::vector<int>>& seqs, const TpPlan& plan,
                  const std::vector<const AllReduce*>& schemes, int R, CleanScore& clean,
                  std::vector<NoisyScore>& noisy, const std::function<void(long)>& progress,
                  const GpuTransformer* gpu) {
  const long S = (long)seqs.size();
  const int nL = model.cfg().n_layers;
  std::vector<double> rows((size_t)R * S * row_width(nL));
  noisy.assign(schemes.size(), NoisyScore{});
  for (size_t k = 0; k < schemes.size(); ++k) {
    score_rows(model, seqs, {}, plan, *schemes[k], 0, R, rows.data(),
               progress ? std::function<void(double)>([&](double f) { progress((long)(f * (double)S)); })
                        : std::function<void(double)>(),
               gpu);
    summarize_rows(rows.data(), R, S, nL, clean, noisy[k]);
  }
  if (schemes.empty()) {  // the clean score alone
    const ExactAllReduce exact;
    score_rows(model, seqs, {}, unsplit_plan(model.cfg()), exact, 0, 1, rows.data(), {}, gpu);
    NoisyScore unused;
    summarize_rows(rows.data(), 1, S, nL, clean, unused);
  }
}

}  // namespace airtp
