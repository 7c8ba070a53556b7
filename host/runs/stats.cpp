#include "host/runs/stats.hpp"

#include <algorithm>
#include <cmath>

namespace airtp {

Summary summarize(const std::vector<double>& x, const std::vector<double>& levels) {
  Summary s;
  std::vector<double> v;
  v.reserve(x.size());
  for (double e : x)
    if (std::isfinite(e)) v.push_back(e);
  s.count = (long)v.size();
  if (v.empty()) {
    s.percentiles.assign(levels.size(), INFINITY);
    return s;
  }
  // Two-pass mean and variance (sequential: identical result for any thread count).
  double sum = 0;
  for (double e : v) sum += e;
  s.mean = sum / v.size();
  double ss = 0;
  for (double e : v) ss += (e - s.mean) * (e - s.mean);
  s.stderr_ = v.size() > 1 ? std::sqrt(ss / (v.size() - 1) / v.size()) : 0.0;
  std::sort(v.begin(), v.end());
  for (double q : levels) {
    const double pos = q / 100.0 * (v.size() - 1);
    const size_t lo = (size_t)std::floor(pos), hi = std::min(lo + 1, v.size() - 1);
    s.percentiles.push_back(v[lo] + (pos - lo) * (v[hi] - v[lo]));
  }
  return s;
}

}  // namespace airtp
