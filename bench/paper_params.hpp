// The paper's link for the benchmarks: N devices, N_r = 20, N_t = L = 4, Rician K = 3 dB,
// normalised mode (beta = 1, energy per slot 1), seed 1, from the same scenario every command
// reads.
#pragma once
#include "host/scenario/scenario.hpp"

namespace airtp::bench {

inline Link paper_link(int n_devices, const std::string& devices = "generic", double snr_db = 10) {
  Scenario s;
  s.devices = devices;
  s.n_devices = {n_devices};
  s.n_rx = {20};
  s.n_tx = {4};
  s.k_db = {3.0};
  s.snr_db = {snr_db};
  return make_link(s, link_points(s).at(0));
}

inline AlphaParams paper_params(int n_devices, int design = kDesignEigen) {
  AlphaParams p = alpha_params(paper_link(n_devices), 0);
  p.design = design;
  return p;
}

}  // namespace airtp::bench
