// From a continuous assignment m to whole heads and neurons (SPEC §5): largest remainder, with
// attention split by whole KV groups when N <= kv_heads (otherwise by query heads, KV heads
// replicated as vLLM does). host/model/tp_split.* did not exist when this was written; it
// should call largest_remainder too so both agree.
#pragma once
#include <vector>
#include "host/assign/devices.hpp"

namespace airtp {

// Whole units per device summing to `units`: floor(m_n units), then the leftover units to the
// largest fractional parts (ties to the lower index). m must be on the simplex.
std::vector<int> largest_remainder(const std::vector<double>& m, int units);

struct RoundedSplit {
  std::vector<int> heads;    // query heads per device
  std::vector<int> kv_heads; // KV heads each device holds (replicas counted per device)
  std::vector<int> neurons;  // MLP hidden neurons per device
  // Share of the split parameters each device holds after rounding (what the energy and
  // memory constraints see).
  std::vector<double> param_share;
};
RoundedSplit round_split(const std::vector<double>& m, const ModelShape& s);

}  // namespace airtp
