#include "host/model/tp_split.hpp"

#include <algorithm>
#include <cmath>
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
    // vLLM-style replication: deal out query heads, at least one each.
    p.kv_replicated = true;
    q = largest_remainder(m, cfg.n_heads);
    for (int n = 0; n < N; ++n)
      while (q[n] == 0) {
        const int big = (int)(std::max_element(q.begin(), q.end()) - q.begin());
        q[big]--;
        q[n]++;
      }
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
