#include "host/assign/rounding.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace airtp {

RoundedSplit round_split(const std::vector<double>& m, const SplitShape& s) {
  const int n = (int)m.size();
  RoundedSplit r;
  const int group = s.heads / s.kv_heads;
  if (n <= s.kv_heads) {
    const std::vector<int> groups = largest_remainder(m, s.kv_heads);
    for (int g : groups) r.heads.push_back(g * group), r.kv_heads.push_back(g);
  } else {
    r.heads = largest_remainder(m, s.heads);
    // Contiguous head ranges: a device holds every KV head its query heads use.
    int start = 0;
    for (int h : r.heads) {
      r.kv_heads.push_back(h == 0 ? 0 : (start + h - 1) / group - start / group + 1);
      start += h;
    }
  }
  r.neurons = largest_remainder(m, s.hidden);
  const double head_dim = (double)s.dim / s.heads;
  for (int i = 0; i < n; ++i) {
    // Q and O rows/columns per query head, K and V per KV head, gate/up/down per neuron.
    const double p = 2.0 * s.dim * head_dim * r.heads[i] + 2.0 * s.dim * head_dim * r.kv_heads[i] +
                     3.0 * s.dim * (double)r.neurons[i];
    r.param_share.push_back(p / s.layer_params());
  }
  return r;
}

}  // namespace airtp
