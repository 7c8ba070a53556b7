#include "host/scenario/scenario_fields.hpp"

#include <cmath>
#include <sstream>

#include "host/common/errors.hpp"

namespace airtp {

namespace {

// One [[device]] table: its preset first, then any field overridden.
Device read_device(const toml::table& t, const std::string& source, int i) {
  const std::string field = "device[" + std::to_string(i) + "]";
  std::string preset = "custom";
  if (const toml::node* p = t.get("preset")) {
    auto v = p->as_string();
    if (!v) throw InputError("config '" + source + "': " + field + ".preset must be a string");
    preset = v->get();
  }
  Device d = preset == "custom" ? Device{} : device_preset(preset, "config '" + source + "': " + field + ".preset");
  d.preset = preset;
  // Angles: absent means drawn; a sentinel outside their range marks "not given".
  double aoa = 1e9, aod = 1e9;
  FieldTable ft("device");
  ft.add("preset", "", &preset, "", "preset").one_of({"custom", "generic", "phone", "laptop", "jetson"});
  ft.add("flops", "", &d.flops, "FLOP/s", "compute speed f_n").range(1, 1e20);
  ft.add("memory_bytes", "", &d.memory_bytes, "bytes", "memory M_n").range(1, 1e18);
  ft.add("energy_per_param", "", &d.energy_per_param, "J", "computation energy per parameter e_n").range(0, 1);
  ft.add("energy_budget", "", &d.energy_budget, "J", "P_n^max per all-reduce (0: transmit power x airtime)").range(0, 1e6);
  ft.add("distance_m", "", &d.distance_m, "m", "distance to the server").range(1e-3, 1e7);
  ft.add("path_loss_db", "", &d.path_loss_db, "dB", "path loss (overrides the distance)").range(0, 400);
  ft.add("n_tx", "", &d.n_tx, "antennas", "antennas N_t").range(1, 16);
  ft.add("aoa_deg", "", &aoa, "deg", "angle of arrival").range(-90, 90);
  ft.add("aod_deg", "", &aod, "deg", "angle of departure").range(-90, 90);
  try {
    ft.read(t, source);
  } catch (const InputError& e) {
    // Name the entry: "config 'F': device[2].flops: ..." (the inner table has no index).
    std::string msg = e.what();
    const std::string pre = "config '" + source + "': ";
    if (msg.rfind(pre, 0) == 0) msg = pre + field + "." + msg.substr(pre.size());
    throw InputError(msg);
  }
  if (aoa != 1e9) d.aoa_deg = aoa;
  if (aod != 1e9) d.aod_deg = aod;
  return d;
}

std::string write_devices(const Scenario& s) {
  std::ostringstream o;
  for (const Device& d : s.device_tables) {
    o << "\n[[device]]\npreset = " << toml_quote(d.preset) << "\nflops = " << exact_number(d.flops)
      << "\nmemory_bytes = " << exact_number(d.memory_bytes) << "\nenergy_per_param = " << exact_number(d.energy_per_param)
      << "\nenergy_budget = " << exact_number(d.energy_budget) << "\n";
    if (d.distance_m > 0) o << "distance_m = " << exact_number(d.distance_m) << "\n";
    if (d.path_loss_db >= 0) o << "path_loss_db = " << exact_number(d.path_loss_db) << "\n";
    if (d.n_tx > 0) o << "n_tx = " << d.n_tx << "\n";
    if (d.aoa_deg) o << "aoa_deg = " << exact_number(*d.aoa_deg) << "\n";
    if (d.aod_deg) o << "aod_deg = " << exact_number(*d.aod_deg) << "\n";
  }
  return o.str();
}

}  // namespace

void add_scenario_fields(FieldTable& t, Scenario& s, const ScenarioParts& parts) {
  t.add("seed", "--seed", &s.seed, "", "random seed (0 ... 2^64 - 1)");
  t.add("devices", "--devices", &s.devices, "",
        "devices as a preset mix, e.g. 2*phone+laptop+jetson (presets generic, phone, laptop, jetson); "
        "[[device]] tables in a config override it");
  t.custom({"device", "per-device tables",
            [&s](const toml::node& n, const std::string& source) {
              const toml::array* a = n.as_array();
              if (!a || !a->is_array_of_tables())
                throw InputError("config '" + source + "': device must be a list of tables ([[device]])");
              s.device_tables.clear();
              int i = 0;
              for (const toml::node& e : *a) s.device_tables.push_back(read_device(*e.as_table(), source, i++));
              if (s.device_tables.size() > (size_t)kMaxDevices)
                throw InputError("config '" + source + "': more than " + std::to_string(kMaxDevices) + " [[device]] tables");
            },
            [&s] { return write_devices(s); }});
  t.add("channel.n_devices", "--n-devices", &s.n_devices, "devices", "number of devices N (a sweep axis)")
      .range(1, kMaxDevices)
      .unique_values()
      .short_name("-N");
  if (parts.assignment)
    t.add("m", "--m", &s.m, "",
          "model assignment(s), ';'-separated: uniform, compute (proportional to FLOP/s), memory, explicit shares "
          "a,b,c, or an `airtp assign` result file")
        .sep(';')
        .unique_values()
        .numbers_are_text();
  if (parts.model) {
    t.add("model", "--model", &s.model, "",
          "model: a built-in shape (stories260K, smollm2-135m, llama2-7b, ...) or a model file (llama2.c or GGUF)");
    t.add("tokens_per_step", "--tokens-per-step", &s.tokens_per_step, "tokens",
          "tokens per forward step (all-reduce payload L_0 = ceil(tokens x dim / 2) symbols)")
        .range(1, 1 << 20);
  }
  if (parts.channel) {
    t.add("channel.n_rx", "--n-rx", &s.n_rx, "antennas", "server receive antennas N_r").range(1, kMaxRx).unique_values().alias("--nr");
    t.add("channel.n_tx", "--n-tx", &s.n_tx, "antennas", "antennas per device N_t (devices without their own n_tx)")
        .range(1, kMaxTx)
        .unique_values()
        .alias("--nt");
    t.add("channel.streams", "--streams", &s.streams, "streams", "parallel streams L (0: the smallest N_t)")
        .range(0, kMaxStreams)
        .unique_values();
    t.add("channel.k_db", "--k-db", &s.k_db, "dB", "Rician K factor (-inf: Rayleigh)")
        .range(-1e9, 60)
        .allow_neg_inf()
        .unique_values();
    t.add("channel.csi_nmse", "--csi-nmse", &s.csi_nmse, "1",
          "NMSE of the channel estimate the transceiver design sees, relative to E|h|^2 (0: perfect CSI)")
        .range(0, 100)
        .unique_values();
    t.add("channel.angle_max_deg", "--angle-max-deg", &s.angle_max_deg, "deg",
          "line-of-sight angles of arrival and departure uniform in [-a, a)")
        .range(0, 90);
    t.add("channel.path_loss_db_at_1m", "--path-loss-db-at-1m", &s.path_loss_db_at_1m, "dB", "path loss C_0 at 1 m")
        .range(0, 200);
    t.add("channel.path_loss_exponent", "--path-loss-exponent", &s.path_loss_exponent, "1", "path-loss exponent kappa")
        .range(0, 10);
    t.add("channel.distance_min_m", "--distance-min-m", &s.distance_min_m, "m",
          "nearest drawn device distance (devices without distance_m)")
        .range(1e-3, 1e7);
    t.add("channel.distance_max_m", "--distance-max-m", &s.distance_max_m, "m", "farthest drawn device distance")
        .range(1e-3, 1e7);
  }
  if (parts.noise) {
    t.add("noise.mode", "--noise-mode", &s.noise_mode, "",
          "normalised (beta = 1, SNR axis) or physical (path loss, transmit-power axis)")
        .one_of({"normalised", "physical"});
    t.add("noise.snr_db", "--snr-db", &s.snr_db, "dB", "normalised SNR (normalised mode; a sweep axis)")
        .range(-200, 200)
        .unique_values()
        .alias("--snr");
    t.add("noise.tx_power_dbm", "--tx-power-dbm", &s.tx_power_dbm, "dBm",
          "transmit power of every device (physical mode: a sweep axis; sizes the energy budgets)")
        .range(-100, 100)
        .unique_values();
    if (parts.bandwidth_axis)
      t.add("noise.bandwidth_hz", "--bandwidth-hz", &s.bandwidth_axis, "Hz", "uplink bandwidth B (symbol rate; a sweep axis)")
          .range(1, 1e12)
          .unique_values();
    else
      t.add("noise.bandwidth_hz", "--bandwidth-hz", &s.bandwidth_hz, "Hz", "uplink bandwidth B (symbol rate)").range(1, 1e12);
    t.add("noise.noise_density_dbm_hz", "--noise-density-dbm-hz", &s.noise_density_dbm_hz, "dBm/Hz",
          "thermal noise density N_0")
        .range(-300, 0);
    t.add("noise.noise_figure_db", "--noise-figure-db", &s.noise_figure_db, "dB", "receiver noise figure").range(0, 100);
  }
}

void resolve_scenario(const FieldTable& t, Scenario& s) {
  if (t.given("channel.n_devices")) return;
  const size_t k = s.device_tables.empty() ? parse_device_mix(s.devices, "devices (--devices)").size() : s.device_tables.size();
  if (k > 1) s.n_devices = {(int)k};
}

}  // namespace airtp
