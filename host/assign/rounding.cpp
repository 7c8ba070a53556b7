#include "host/assign/rounding.hpp"

#include "host/model/tp_split.hpp"

namespace airtp {

RoundedSplit round_split(const std::vector<double>& m, const ModelShape& s) {
  ModelConfig cfg;
  cfg.name = s.name;
  cfg.dim = (int)s.dim;
  cfg.hidden_dim = (int)s.hidden_dim;
  cfg.n_layers = (int)s.n_layers;
  cfg.n_heads = (int)s.n_heads;
  cfg.n_kv_heads = (int)s.n_kv_heads;
  cfg.vocab_size = (int)s.vocab_size;
  const TpPlan plan = make_tp_plan(cfg, m, "m");
  RoundedSplit r;
  const double head_dim = (double)s.dim / (double)s.n_heads;
  for (const DeviceShard& d : plan.dev) {
    r.heads.push_back(d.n_q_heads);
    r.kv_heads.push_back(d.n_kv_heads);
    r.neurons.push_back(d.n_hid);
    // Q and O rows/columns per query head, K and V per KV head, gate/up/down per neuron.
    const double p = 2.0 * (double)s.dim * head_dim * d.n_q_heads + 2.0 * (double)s.dim * head_dim * d.n_kv_heads +
                     3.0 * (double)s.dim * (double)d.n_hid;
    r.param_share.push_back(p / s.layer_matmul_params());
  }
  return r;
}

}  // namespace airtp
