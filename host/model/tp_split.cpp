#include "host/model/tp_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "host/common/errors.hpp"

namespace airtp {

std::vector<int> largest_remainder(const std::vector<double>& m, int total) {
  const int N = (int)m.size();
  std::vector<int> c(N);
  std::vector<double> frac(N);
  int used = 0;
  for (int n = 0; n < N; ++n) {
    const double x = m[n] * total;
    c[n] = (int)std::floor(x + 1e-9);
    frac[n] = x - c[n];
    used += c[n];
  }
  std::vector<int> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return frac[a] > frac[b]; });
  for (int k = 0; used < total; ++k, ++used) c[order[k % N]]++;
  for (int k = N - 1; used > total; --k) {  // only from rounding slack; take from the largest
    const int big = (int)(std::max_element(c.begin(), c.end()) - c.begin());
    c[big]--;
    used--;
    (void)k;
  }
  return c;
}

// More devices than KV heads (vLLM-style replication): query heads are dealt out in order, at
// least one per device, and no device's heads straddle two KV groups, so each device holds a
// replica of exactly one KV head. Among those splits, the one closest to m_n * n_heads in
// least squares (ties: the first found, i.e. earlier devices take more), by dynamic
// programming over (device, heads dealt so far).
static std::vector<int> replicated_heads(const std::vector<double>& m, int n_heads, int group) {
  const int N = (int)m.size(), H = n_heads;
  const double inf = std::numeric_limits<double>::infinity();
  // cost[n][s]: best cost of devices n..N-1 taking heads s..H-1; pick[n][s]: device n's count.
  std::vector<std::vector<double>> cost(N + 1, std::vector<double>(H + 1, inf));
  std::vector<std::vector<int>> pick(N + 1, std::vector<int>(H + 1, 0));
  cost[N][H] = 0;
  for (int n = N - 1; n >= 0; --n)
    for (int s = 0; s < H; ++s)
      for (int h = (s / group + 1) * group - s; h >= 1; --h) {  // up to the end of s's group
        if (s + h > H) continue;
        const double d = h - m[n] * H, c = d * d + cost[n + 1][s + h];
        if (c < cost[n][s] - 1e-12) cost[n][s] = c, pick[n][s] = h;
      }
  std::vector<int> q(N);
  for (int n = 0, s = 0; n < N; ++n) s += q[n] = pick[n][s];
  return q;
}

static void check_m(const std::vector<double>& m, const std::string& flag) {
  if (m.empty()) throw InputError(flag + ": empty assignment");
  double s = 0;
  for (double x : m) {
    if (!(x >= 0) || !std::isfinite(x)) throw InputError(flag + ": shares must be finite and non-negative");
    s += x;
  }
  if (std::fabs(s - 1) > 1e-6) throw InputError(flag + ": shares sum to " + std::to_string(s) + ", not 1");
}

TpPlan make_tp_plan(const ModelConfig& cfg, const std::vector<double>& m, const std::string& flag) {
  check_m(m, flag);
  const int N = (int)m.size();
  if (N > cfg.n_heads)
    throw InputError(flag + ": " + std::to_string(N) + " devices but the model has only " + std::to_string(cfg.n_heads) +
                     " query heads (each device needs at least one)");
  TpPlan p;
  p.n_dev = N;
  p.m = m;
  p.dev.resize(N);
  const int group = cfg.n_heads / cfg.n_kv_heads;
  std::vector<int> q(N);
  if (N <= cfg.n_kv_heads) {
    const std::vector<int> g = largest_remainder(m, cfg.n_kv_heads);
    for (int n = 0; n < N; ++n) q[n] = g[n] * group;
  } else {
    p.kv_replicated = true;
    q = replicated_heads(m, cfg.n_heads, group);
  }
  const std::vector<int> h = largest_remainder(m, cfg.hidden_dim);
  int q0 = 0, h0 = 0;
  for (int n = 0; n < N; ++n) {
    DeviceShard& d = p.dev[n];
    d.q_head0 = q0;
    d.n_q_heads = q[n];
    if (q[n] > 0) {
      d.kv_head0 = q0 / group;
      d.n_kv_heads = (q0 + q[n] - 1) / group - d.kv_head0 + 1;
    }
    d.hid0 = h0;
    d.n_hid = h[n];
    q0 += q[n];
    h0 += h[n];
  }
  return p;
}

TpPlan unsplit_plan(const ModelConfig& cfg) { return make_tp_plan(cfg, {1.0}); }

std::vector<double> parse_assignment(const std::string& text, int n_dev, const std::string& flag) {
  if (n_dev < 1) throw InputError("--devices: must be at least 1");
  if (text.empty() || text == "uniform") return std::vector<double>(n_dev, 1.0 / n_dev);
  std::vector<double> m;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      m.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw InputError(flag + ": '" + item + "' is not a number");
    }
  }
  if ((int)m.size() != n_dev)
    throw InputError(flag + ": " + std::to_string(m.size()) + " shares given for " + std::to_string(n_dev) + " devices");
  check_m(m, flag);
  double s = 0;
  for (double x : m) s += x;
  for (double& x : m) x /= s;
  return m;
}

std::string TpPlan::describe() const {
  std::ostringstream o;
  for (int n = 0; n < n_dev; ++n)
    o << (n ? "; " : "") << "dev" << n << ": q heads " << dev[n].q_head0 << "+" << dev[n].n_q_heads << ", kv "
      << dev[n].kv_head0 << "+" << dev[n].n_kv_heads << ", neurons " << dev[n].hid0 << "+" << dev[n].n_hid;
  return o.str();
}

}  // namespace airtp
