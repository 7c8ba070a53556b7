// How a model is split over N devices (tensor parallelism): the plain data both the CPU and
// the CUDA forward pass read. host/model/tp_split builds it from an assignment m.
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct DeviceShard {
  int q_head0 = 0, n_q_heads = 0;  // query heads [q_head0, q_head0 + n_q_heads)
  int kv_head0 = 0, n_kv_heads = 0;  // KV heads it holds (replicas when shared)
  int hid0 = 0, n_hid = 0;         // MLP neurons [hid0, hid0 + n_hid)
};

struct TpPlan {
  int n_dev = 1;
  std::vector<double> m;
  std::vector<DeviceShard> dev;
  bool kv_replicated = false;  // N > n_kv_heads
  std::string describe() const;
};

}  // namespace airtp
