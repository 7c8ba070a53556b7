#include "host/model/transformer.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "host/common/errors.hpp"
#include "host/model/gemm_cpu.hpp"

namespace airtp {

namespace {
using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void rmsnorm(const Mat& x, const std::vector<float>& weight, float eps, Mat& out) {
  out.resize(x.rows(), x.cols());
  const Eigen::Map<const Eigen::RowVectorXf> g(weight.data(), (Eigen::Index)weight.size());
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    const float ss = x.row(t).squaredNorm() / (float)x.cols() + eps;
    out.row(t) = (x.row(t).array() * g.array() * (1.0f / std::sqrt(ss))).matrix();
  }
}
}  // namespace

Transformer::Transformer(const ModelWeights& w) : w_(w) {
  // Parallelism is over sequences (run_batch); Eigen's own OpenMP GEMM threading on these
  // small matrices only adds fork/join and spin-wait costs, so it is switched off.
  Eigen::setNbThreads(1);
  rope_tables(w.cfg, rope_cos_, rope_sin_);
}

void rope_tables(const ModelConfig& c, std::vector<float>& cos_out, std::vector<float>& sin_out) {
  const int hs = c.head_dim(), half = hs / 2;
  cos_out.resize((size_t)c.seq_len * half);
  sin_out.resize((size_t)c.seq_len * half);
  // Same single-precision formula as llama2.c so greedy text matches it token for token.
  for (int p = 0; p < c.seq_len; ++p)
    for (int i = 0; i < half; ++i) {
      const float freq = 1.0f / std::pow(c.rope_theta, (float)(2 * i) / (float)hs);
      const float val = (float)p * freq;
      cos_out[(size_t)p * half + i] = std::cos(val);
      sin_out[(size_t)p * half + i] = std::sin(val);
    }
}

void reduce_checked(const AllReduce& ar, const float* const* parts, int n_dev, int rows, int dim,
                    const AllReduceContext& ctx, float* out, ReduceStats* stats) {
  ar.reduce(parts, n_dev, rows, dim, ctx, out);
  const long n = (long)rows * dim;
  if (stats) {
    double e2 = 0, r2 = 0;
    for (long i = 0; i < n; ++i) {
      float exact = parts[0][i];  // the exact sum in ExactAllReduce's order
      for (int d = 1; d < n_dev; ++d) exact += parts[d][i];
      const double diff = (double)out[i] - (double)exact;
      e2 += diff * diff;
      r2 += (double)exact * exact;
    }
    stats->err2[2 * ctx.layer + ctx.which] += e2;
    stats->ref2[2 * ctx.layer + ctx.which] += r2;
  }
  for (long i = 0; i < n; ++i)
    if (!std::isfinite(out[i]))
      throw NumericalError("all-reduce '" + ar.name() + "' returned a non-finite value at layer " +
                           std::to_string(ctx.layer));
}

KvCache Transformer::make_cache(int max_len) const {
  const ModelConfig& c = w_.cfg;
  KvCache k;
  k.max_len = std::min(max_len, c.seq_len);
  k.kv_dim = c.n_kv_heads * c.head_dim();
  k.n_layers = c.n_layers;
  k.k.assign((size_t)c.n_layers * k.max_len * k.kv_dim, 0.f);
  k.v.assign(k.k.size(), 0.f);
  return k;
}

void Transformer::forward(const int* tokens, int T, int pos0, KvCache& cache, const TpPlan& plan, const AllReduce& ar,
                          const AllReduceContext& ctx_in, float* logits, ReduceStats* stats) const {
  const ModelConfig& c = w_.cfg;
  const int dim = c.dim, hs = c.head_dim(), half = hs / 2, kvd = cache.kv_dim, hid = c.hidden_dim;
  const int group = c.n_heads / c.n_kv_heads, N = plan.n_dev, P = pos0 + T;
  if (T <= 0 || pos0 < 0 || P > cache.max_len)
    throw InputError("forward: positions " + std::to_string(pos0) + ".." + std::to_string(P) +
                     " exceed the context of " + std::to_string(cache.max_len));
  if (stats && (int)stats->err2.size() != 2 * c.n_layers) stats->reset(c.n_layers);

  Mat x(T, dim), xn, q(T, dim), k(T, kvd), v(T, kvd), att(T, dim), s(T, P), vt(kvd, P), h1(T, hid), h3(T, hid),
      red(T, dim);
  std::vector<Mat> part(N, Mat(T, dim));
  std::vector<const float*> pp(N);
  for (int t = 0; t < T; ++t) {
    const int tok = tokens[t];
    if (tok < 0 || tok >= c.vocab_size) throw InputError("forward: token id " + std::to_string(tok) + " out of range");
    x.row(t) = Eigen::Map<const Eigen::RowVectorXf>(w_.tok_embedding.data() + (size_t)tok * dim, dim);
  }
  const float inv_sqrt_hs = 1.0f / std::sqrt((float)hs);
  AllReduceContext ctx = ctx_in;
  ctx.pos0 = pos0;

  auto all_reduce = [&](int layer, int which) {
    for (int n = 0; n < N; ++n) pp[n] = part[n].data();
    ctx.layer = layer;
    ctx.which = which;
    reduce_checked(ar, pp.data(), N, T, dim, ctx, red.data(), stats);
    x += red;
  };
  // Y (rows x n, row stride ldy) = X W^T for a row-major weight W [n][in] (gemm_cpu.hpp).
  auto proj = [](const Mat& X, const std::vector<float>& W, int n, float* Y) {
    gemm_xwt((int)X.rows(), n, (int)X.cols(), X.data(), X.cols(), W.data(), X.cols(), Y, n);
  };
  // Causal attention in blocks of query rows: rows [t0, t1) only see positions < pos0 + t1.
  constexpr int kRows = 32;

  for (int l = 0; l < c.n_layers; ++l) {
    const LayerWeights& L = w_.layers[l];
    rmsnorm(x, L.attn_norm, c.norm_eps, xn);
    proj(xn, L.wq, dim, q.data());
    proj(xn, L.wk, kvd, k.data());
    proj(xn, L.wv, kvd, v.data());
    if (!L.bq.empty()) {  // qwen2: biases on Q, K and V
      q.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(L.bq.data(), dim);
      k.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(L.bk.data(), kvd);
      v.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(L.bv.data(), kvd);
    }
    // RoPE within each head: pairs (2j, 2j+1), or (j, j + hs/2) in the NEOX layout.
    const int stride = c.rope_neox ? half : 1, step = c.rope_neox ? 1 : 2;
    for (int t = 0; t < T; ++t) {
      const float* cs = rope_cos_.data() + (size_t)(pos0 + t) * half;
      const float* sn = rope_sin_.data() + (size_t)(pos0 + t) * half;
      auto rotate = [&](float* row, int width) {
        for (int h0 = 0; h0 < width; h0 += hs)
          for (int j = 0; j < half; ++j) {
            float* p = row + h0 + j * step;
            const float a = p[0], b = p[stride];
            p[0] = a * cs[j] - b * sn[j];
            p[stride] = a * sn[j] + b * cs[j];
          }
      };
      rotate(q.data() + (size_t)t * dim, dim);
      rotate(k.data() + (size_t)t * kvd, kvd);
    }
    float* kc = cache.k.data() + (size_t)l * cache.max_len * kvd;
    float* vc = cache.v.data() + (size_t)l * cache.max_len * kvd;
    std::memcpy(kc + (size_t)pos0 * kvd, k.data(), sizeof(float) * T * kvd);
    std::memcpy(vc + (size_t)pos0 * kvd, v.data(), sizeof(float) * T * kvd);
    // V^T [kvd][P], so the weighted sum of values is again a product with rows along k.
    vt = Eigen::Map<const Mat>(vc, P, kvd).transpose();
    q *= inv_sqrt_hs;
    for (int h = 0; h < c.n_heads; ++h) {
      const int kvh = h / group;
      for (int t0 = 0; t0 < T; t0 += kRows) {
        const int nr = std::min(kRows, T - t0), nv = pos0 + t0 + nr;  // positions these rows may see
        float* srow = s.data() + (size_t)t0 * P;
        gemm_xwt(nr, nv, hs, q.data() + (size_t)t0 * dim + h * hs, dim, kc + kvh * hs, kvd, srow, P);
        for (int t = t0; t < t0 + nr; ++t) {  // causal softmax over positions 0..pos0+t
          const int n_see = pos0 + t + 1;
          auto r = s.row(t).head(n_see).array();
          const float mx = r.maxCoeff();
          r = (r - mx).exp();
          r /= r.sum();
          if (n_see < nv) s.row(t).segment(n_see, nv - n_see).setZero();
        }
        gemm_xwt(nr, hs, nv, srow, P, vt.data() + (size_t)kvh * hs * P, P, att.data() + (size_t)t0 * dim + h * hs, dim);
      }
    }
    for (int n = 0; n < N; ++n) {
      const DeviceShard& d = plan.dev[n];
      if (d.n_q_heads == 0) {
        part[n].setZero();
        continue;
      }
      gemm_xwt(T, dim, d.n_q_heads * hs, att.data() + d.q_head0 * hs, dim, L.wo.data() + d.q_head0 * hs, dim,
               part[n].data(), dim);
    }
    all_reduce(l, 0);

    rmsnorm(x, L.ffn_norm, c.norm_eps, xn);
    proj(xn, L.w1, hid, h1.data());
    proj(xn, L.w3, hid, h3.data());
    h1 = (h1.array() / (1.0f + (-h1.array()).exp()) * h3.array()).matrix();  // SwiGLU
    for (int n = 0; n < N; ++n) {
      const DeviceShard& d = plan.dev[n];
      if (d.n_hid == 0) {
        part[n].setZero();
        continue;
      }
      gemm_xwt(T, dim, d.n_hid, h1.data() + d.hid0, hid, L.w2.data() + d.hid0, hid, part[n].data(), dim);
    }
    all_reduce(l, 1);
  }
  rmsnorm(x, w_.final_norm, c.norm_eps, xn);
  proj(xn, w_.output_matrix(), c.vocab_size, logits);
}

std::vector<float> Transformer::logits(const std::vector<int>& tokens) const {
  const int T = (int)tokens.size();
  KvCache cache = make_cache(T);
  std::vector<float> out((size_t)T * cfg().vocab_size);
  forward(tokens.data(), T, 0, cache, unsplit_plan(cfg()), ExactAllReduce(), AllReduceContext{}, out.data());
  return out;
}

std::vector<int> Transformer::generate_greedy(const std::vector<int>& prompt, int steps, const TpPlan& plan,
                                              const AllReduce& ar, uint64_t realization, int stop_token) const {
  const ModelConfig& c = cfg();
  if (prompt.empty()) throw InputError("generate: empty prompt");
  if ((int)prompt.size() >= c.seq_len)
    throw InputError("generate: prompt of " + std::to_string(prompt.size()) + " tokens fills the context of " +
                     std::to_string(c.seq_len));
  KvCache cache = make_cache((int)std::min<long>(c.seq_len, (long)prompt.size() + std::max(steps, 0)));
  AllReduceContext ctx;
  ctx.realization = realization;
  std::vector<float> lg((size_t)prompt.size() * c.vocab_size);
  forward(prompt.data(), (int)prompt.size(), 0, cache, plan, ar, ctx, lg.data());
  std::vector<int> out = prompt;
  const float* last = lg.data() + (prompt.size() - 1) * (size_t)c.vocab_size;
  for (int s = 0; s < steps; ++s) {
    const int next = (int)(std::max_element(last, last + c.vocab_size) - last);
    if (next == stop_token) break;
    out.push_back(next);
    if ((int)out.size() >= c.seq_len || s + 1 == steps) break;
    lg.resize(c.vocab_size);
    forward(&out.back(), 1, (int)out.size() - 1, cache, plan, ar, ctx, lg.data());
    last = lg.data();
  }
  return out;
}

void run_batch(const Transformer& model, const std::vector<BatchItem>& items, const TpPlan& plan, const AllReduce& ar,
               const std::function<void(size_t, const float*, int, const ReduceStats&)>& sink) {
  const long n = (long)items.size();
  FirstError err;
#pragma omp parallel
  {
    std::vector<float> logits;
    ReduceStats stats;
    KvCache cache;
#pragma omp for schedule(dynamic, 1)
    for (long i = 0; i < n; ++i) {
      try {
        const BatchItem& it = items[i];
        const int T = (int)it.tokens->size();
        if (cache.max_len < T) cache = model.make_cache(T);
        logits.resize((size_t)T * model.cfg().vocab_size);
        stats.reset(model.cfg().n_layers);
        AllReduceContext ctx;
        ctx.realization = it.realization;
        ctx.sequence = it.sequence;
        model.forward(it.tokens->data(), T, 0, cache, plan, ar, ctx, logits.data(), &stats);
        sink((size_t)i, logits.data(), T, stats);
      } catch (const std::exception& e) {
        err.record(e);
      }
    }
  }
  err.rethrow();
}

}  // namespace airtp
