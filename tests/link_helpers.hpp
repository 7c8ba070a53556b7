// Scenarios and links for the kernel-level tests: the channels every command builds come from
// make_link (host/scenario/scenario.hpp), so the tests take theirs from there too.
#pragma once
#include <cmath>
#include <cstdint>

#include "host/scenario/scenario.hpp"

namespace airtp::test {

// One link point: N devices ("generic" presets), N_r, N_t, Rician K [dB], one noise level
// (normalised SNR 0 dB unless physical).
inline Scenario scenario_of(int N, int nr, int nt, double k_db, uint64_t seed, bool physical = false) {
  Scenario s;
  s.seed = seed;
  s.n_devices = {N};
  s.n_rx = {nr};
  s.n_tx = {nt};
  s.k_db = {k_db};
  s.snr_db = {0};
  if (physical) s.noise_mode = "physical";
  return s;
}

inline Link link_of(const Scenario& s) { return make_link(s, link_points(s).at(0)); }

inline Link link_of(int N, int nr, int nt, double k_db, uint64_t seed) {
  return link_of(scenario_of(N, nr, nt, k_db, seed));
}

// Kernel parameters with unequal per-slot energies, so that the max over devices is not
// symmetric: E_n = 0.5 + 0.25 n.
inline AlphaParams params_of(int N, int nr, int nt, int L, double k_db, uint64_t seed, int design) {
  Scenario s = scenario_of(N, nr, nt, k_db, seed);
  s.streams = {L};
  AlphaParams p = alpha_params(link_of(s), 0);
  p.design = design;
  for (int n = 0; n < N; ++n) p.slot_energy[n] = 0.5 + 0.25 * n;
  return p;
}

}  // namespace airtp::test
