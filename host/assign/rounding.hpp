// From a continuous assignment m to whole heads and neurons (SPEC §5): largest remainder, with
// attention split by whole KV groups when N <= kv_heads (otherwise by query heads, KV heads
// replicated as vLLM does). Whole units per device come from largest_remainder in
// host/model/tp_split.hpp, the same rounding the transformer split uses.
#pragma once
#include "host/model/tp_split.hpp"  // largest_remainder, shared with the transformer split
#include <vector>
#include "host/assign/devices.hpp"

namespace airtp {

struct RoundedSplit {
  std::vector<int> heads;    // query heads per device
  std::vector<int> kv_heads; // KV heads each device holds (replicas counted per device)
  std::vector<int> neurons;  // MLP hidden neurons per device
  // Share of the split parameters each device holds after rounding (what the energy and
  // memory constraints see).
  std::vector<double> param_share;
};
RoundedSplit round_split(const std::vector<double>& m, const SplitShape& s);

}  // namespace airtp
