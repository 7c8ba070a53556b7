// From a continuous assignment m to whole heads and neurons (SPEC §5): the split the
// transformer really runs (host/model/tp_split.hpp: whole KV groups when N <= kv_heads,
// otherwise query heads dealt out with KV heads replicated as vLLM does; neurons by largest
// remainder), and each device's share of the split parameters after rounding.
#pragma once
#include <vector>

#include "host/scenario/model_shape.hpp"

namespace airtp {

struct RoundedSplit {
  std::vector<int> heads;     // query heads per device
  std::vector<int> kv_heads;  // KV heads each device holds (replicas counted per device)
  std::vector<int> neurons;   // MLP hidden neurons per device
  // Share of the split parameters each device holds after rounding (what the energy and
  // memory constraints see); sums to more than 1 when KV heads are replicated.
  std::vector<double> param_share;
};
RoundedSplit round_split(const std::vector<double>& m, const ModelShape& s);

}  // namespace airtp
