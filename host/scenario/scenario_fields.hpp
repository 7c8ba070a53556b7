// The scenario's part of every command's field table (host/config/fields.hpp): one key, one
// flag and one unit per quantity, whichever command reads it.
//
//   seed                      --seed                  random seed (0 ... 2^64 - 1)
//   devices                   --devices               preset mix, e.g. "2*phone+laptop+jetson"
//   [[device]]                                        per-device tables: preset plus any of
//                                                     flops, memory_bytes, energy_per_param,
//                                                     energy_budget, distance_m, path_loss_db,
//                                                     n_tx, aoa_deg, aod_deg
//   m                         --m                     assignment(s): uniform | compute | memory |
//                                                     "a,b,c" | assign result file; ';' separates
//   model                     --model                 built-in shape or model file
//   tokens_per_step           --tokens-per-step       tokens per forward step (L_0)
//   channel.n_devices         --n-devices, -N         N
//   channel.n_rx              --n-rx                  N_r
//   channel.n_tx              --n-tx                  N_t (devices without their own)
//   channel.streams           --streams               L (0: smallest N_t)
//   channel.k_db              --k-db                  Rician K [dB] (-inf: Rayleigh)
//   channel.csi_nmse          --csi-nmse              channel-estimate NMSE (0: perfect CSI)
//   channel.angle_max_deg     --angle-max-deg         LoS angles uniform in [-a, a) [deg]
//   channel.path_loss_db_at_1m, channel.path_loss_exponent, channel.distance_min_m,
//   channel.distance_max_m    --path-loss-db-at-1m, --path-loss-exponent, --distance-min-m, --distance-max-m
//   noise.mode                --noise-mode            normalised | physical
//   noise.snr_db              --snr-db                normalised SNR [dB]
//   noise.tx_power_dbm        --tx-power-dbm          transmit power [dBm]
//   noise.bandwidth_hz        --bandwidth-hz          uplink bandwidth B [Hz]
//   noise.noise_density_dbm_hz, noise.noise_figure_db --noise-density-dbm-hz, --noise-figure-db
#pragma once
#include "host/config/fields.hpp"
#include "host/scenario/scenario.hpp"

namespace airtp {

// Which parts a command reads: the channel axes, the noise axes, the assignment and model.
struct ScenarioParts {
  bool channel = true;  // n_rx, n_tx, streams, k_db, csi_nmse, angles, path loss
  bool noise = true;
  bool assignment = true;
  bool model = true;
  bool bandwidth_axis = false;  // noise.bandwidth_hz is a list (Scenario::bandwidth_axis)
};

// Registers the scenario's fields (bound to s, whose values are the defaults) and the
// [[device]] tables.
void add_scenario_fields(FieldTable& t, Scenario& s, const ScenarioParts& parts = {});

// After the config and the flags are read: a list of several devices sets N when
// channel.n_devices was not given.
void resolve_scenario(const FieldTable& t, Scenario& s);

}  // namespace airtp
