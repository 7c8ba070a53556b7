#include "host/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/io/result_read.hpp"
#include "kernels/backend.hpp"

namespace airtp {

double db_to_linear(double db) { return std::pow(10.0, db / 10.0); }
double dbm_to_watt(double dbm) { return std::pow(10.0, (dbm - 30.0) / 10.0); }

namespace {

std::string show(double v) {
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}

// Uniform in (0, 1] from the topology stream: draw `index` of "realization" 0. Device n uses
// indices 3n (angle of arrival), 3n + 1 (angle of departure), 3n + 2 (distance), so device n
// stands where it stands whatever N is.
double uniform_topology(uint64_t seed, uint64_t index) { return uniform_draw(RngKey{seed, 0, kRngTopology}, 0, index); }

}  // namespace

std::vector<Device> Scenario::devices_for(int n) const {
  std::vector<Device> list = device_tables.empty() ? parse_device_mix(devices, "devices (--devices)") : device_tables;
  if ((int)list.size() == 1) return std::vector<Device>((size_t)n, list[0]);
  if ((int)list.size() < n)
    throw InputError("channel.n_devices (--n-devices): N = " + std::to_string(n) + " but only " +
                     std::to_string(list.size()) + " devices are defined (devices / [[device]]: define at least N, "
                     "or a single one that stands for all)");
  list.resize((size_t)n);
  return list;
}

void validate(const Scenario& s) {
  if (s.noise_mode != "normalised" && s.noise_mode != "physical")
    throw InputError("noise.mode (--noise-mode): must be normalised or physical, got '" + s.noise_mode + "'");
  std::vector<Device> list = s.device_tables.empty() ? parse_device_mix(s.devices, "devices (--devices)") : s.device_tables;
  for (size_t i = 0; i < list.size(); ++i) validate(list[i], "device[" + std::to_string(i) + "]");
  if (!(s.distance_min_m > 0) || s.distance_max_m < s.distance_min_m)
    throw InputError("channel.distance_min_m (--distance-min-m): must be > 0 and at most channel.distance_max_m "
                     "(--distance-max-m)");
  for (const std::string& spec : s.m)
    if (spec.empty()) throw InputError("m (--m): an empty assignment");
  // The normalised mode's energies are fractions of a budget; computing devices need one P.
  if (!s.physical() && s.tx_power_dbm.size() != 1) {
    bool computes = false;
    for (const Device& d : list) computes = computes || (d.energy_per_param > 0 && d.energy_budget == 0);
    if (computes)
      throw InputError("noise.tx_power_dbm (--tx-power-dbm): normalised mode sizes the energy budgets of devices "
                       "that compute (energy_per_param > 0) at one transmit power; give a single value");
  }
  (void)model_shape(s.model, "model (--model)");
}

std::vector<LinkPoint> link_points(const Scenario& s) {
  std::vector<LinkPoint> pts;
  for (int n : s.n_devices)
    for (int mi = 0; mi < (int)s.m.size(); ++mi)
      for (int nr : s.n_rx)
        for (int nt : s.n_tx)
          for (int l : s.streams)
            for (double k : s.k_db)
              for (double c : s.csi_nmse) pts.push_back(LinkPoint{n, mi, nr, nt, l, k, c});
  return pts;
}

std::vector<Axis> link_axes(const Scenario& s) {
  auto ints = [](const std::vector<int>& v) { return std::vector<double>(v.begin(), v.end()); };
  std::vector<double> k;
  for (double x : s.k_db) k.push_back(std::isinf(x) && x < 0 ? 0.0 : db_to_linear(x));
  std::vector<Axis> a;
  a.push_back({"n_devices", "devices", "N, number of devices", ints(s.n_devices), {}, true});
  a.push_back({"assignment", "", "model assignment m as given: uniform, compute (proportional to FLOP/s), memory, "
                                 "explicit shares, or an `airtp assign` result file",
               {}, s.m, false});
  a.push_back({"n_rx", "antennas", "N_r, server receive antennas", ints(s.n_rx), {}, true});
  a.push_back({"n_tx", "antennas", "N_t of devices without their own n_tx", ints(s.n_tx), {}, true});
  a.push_back({"streams", "streams", "L, parallel streams per slot (0: the smallest N_t of the devices)", ints(s.streams), {}, true});
  a.push_back({"k_factor", "1", "Rician K factor, linear (0: Rayleigh; the config gives it in dB as channel.k_db)", k, {}, false});
  a.push_back({"csi_nmse", "1", "NMSE of the channel estimate the design sees (0: perfect CSI)", s.csi_nmse, {}, false});
  return a;
}

Axis noise_axis(const Scenario& s) {
  if (s.physical())
    return {"tx_power_dbm", "dBm", "transmit power of every device (sizes its energy budget per all-reduce)",
            s.tx_power_dbm, {}, false};
  return {"snr_db", "dB", "normalised SNR: energy per slot at the full budget / noise energy (beta = 1)", s.snr_db, {}, false};
}

double device_distance(const Scenario& s, const Device& d, int n) {
  if (d.distance_m > 0) return d.distance_m;
  return s.distance_min_m + (s.distance_max_m - s.distance_min_m) * uniform_topology(s.seed, 3 * (uint64_t)n + 2);
}

std::vector<std::string> scenario_input_files(const Scenario& s) {
  std::vector<std::string> v{s.model};
  for (const std::string& m : s.m) v.push_back(m);
  return v;
}

double computation_energy(const Device& d, double m_n, const ModelShape& shape) {
  return d.energy_per_param * m_n * shape.layer_matmul_params();
}

std::vector<double> resolve_assignment(const std::string& spec, const std::vector<Device>& devices,
                                       const std::string& field,
                                       const std::map<std::string, std::vector<double>>* named) {
  const int N = (int)devices.size();
  std::vector<double> m;
  if (named && named->count(spec)) {
    m = named->at(spec);
    if ((int)m.size() != N)
      throw InputError(field + ": the assignment '" + spec + "' is for " + std::to_string(m.size()) + " devices, this point has " +
                       std::to_string(N));
  } else if (spec == "uniform") {
    m.assign((size_t)N, 1.0 / N);
  } else if (spec == "compute" || spec == "memory") {
    double sum = 0;
    for (const Device& d : devices) sum += spec == "compute" ? d.flops : d.memory_bytes;
    for (const Device& d : devices) m.push_back((spec == "compute" ? d.flops : d.memory_bytes) / sum);
  } else if (spec.find_first_not_of("0123456789.,eE+- ") == std::string::npos ||
             (spec.find(',') != std::string::npos && spec.find('/') == std::string::npos &&
              !std::filesystem::exists(spec))) {
    // Shares a,b,c (a list with a comma that names no file).
    std::stringstream ss(spec);
    std::string item;
    while (std::getline(ss, item, ',')) {
      char* end = nullptr;
      const double v = std::strtod(item.c_str(), &end);
      if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(v) || v < 0)
        throw InputError(field + ": '" + item + "' in '" + spec + "' is not a non-negative number");
      m.push_back(v);
    }
    if ((int)m.size() != N)
      throw InputError(field + ": '" + spec + "' gives " + std::to_string(m.size()) + " shares for " +
                       std::to_string(N) + " devices");
    double sum = 0;
    for (double v : m) sum += v;
    if (std::fabs(sum - 1) > 1e-6)
      throw InputError(field + ": the shares '" + spec + "' sum to " + show(sum) + ", not 1");
    for (double& v : m) v /= sum;
  } else {
    m = read_assignment_file(spec, field);
    if ((int)m.size() != N)
      throw InputError(field + ": the assignment in '" + spec + "' is for " + std::to_string(m.size()) +
                       " devices, this point has " + std::to_string(N));
  }
  return m;
}

Link make_link(const Scenario& s, const LinkPoint& pt, bool check_assignment) {
  Link k;
  k.point = pt;
  const int N = pt.n_devices;
  if (N < 1 || N > kMaxDevices)
    throw InputError("channel.n_devices (--n-devices): N must be between 1 and " + std::to_string(kMaxDevices) +
                     ", got " + std::to_string(N));
  k.devices = s.devices_for(N);
  k.m_spec = s.m.at((size_t)pt.m_index);
  k.m = resolve_assignment(k.m_spec, k.devices, "m (--m)", &s.named_m);
  k.shape = model_shape(s.model, "model (--model)");

  // Antennas and streams.
  int nt_max = 0, nt_min = kMaxTx + 1;
  ChannelParams& ch = k.ch;
  for (int n = 0; n < N; ++n) {
    const int nt = k.devices[n].n_tx > 0 ? k.devices[n].n_tx : pt.n_tx;
    if (nt < 1 || nt > kMaxTx)
      throw InputError("channel.n_tx (--n-tx): N_t must be between 1 and " + std::to_string(kMaxTx) + ", got " +
                       std::to_string(nt));
    ch.n_tx_dev[n] = nt;
    nt_max = std::max(nt_max, nt);
    nt_min = std::min(nt_min, nt);
  }
  if (pt.n_rx < 1 || pt.n_rx > kMaxRx)
    throw InputError("channel.n_rx (--n-rx): N_r must be between 1 and " + std::to_string(kMaxRx) + ", got " +
                     std::to_string(pt.n_rx));
  k.L = pt.streams > 0 ? pt.streams : nt_min;
  if (k.L > nt_min || k.L > pt.n_rx || k.L > kMaxStreams)
    throw InputError("channel.streams (--streams): L = " + std::to_string(k.L) +
                     " streams need at least as many antennas at every device (smallest N_t = " +
                     std::to_string(nt_min) + ") and at the server (N_r = " + std::to_string(pt.n_rx) + ")");
  ch.n_dev = N;
  ch.n_rx = pt.n_rx;
  ch.n_tx = nt_max;
  for (int n = 0; n < N; ++n)
    if (ch.n_tx_dev[n] == nt_max) ch.n_tx_dev[n] = 0;  // 0: all of n_tx
  if (std::isnan(pt.k_db) || pt.k_db > 60)
    throw InputError("channel.k_db (--k-db): must be at most 60 dB (-inf: Rayleigh), got " + show(pt.k_db));
  ch.k_factor = std::isinf(pt.k_db) && pt.k_db < 0 ? 0.0 : db_to_linear(pt.k_db);
  ch.key = RngKey{s.seed, 0, kRngChannel};
  ch.csi_nmse = pt.csi_nmse;
  ch.csi_key = RngKey{s.seed, 0, kRngCsiError};

  // Topology: angles, distances, path loss (drawn once per seed; device n's draws do not
  // depend on N).
  const double pi = 3.141592653589793, amax = s.angle_max_deg * pi / 180.0;
  for (int n = 0; n < N; ++n) {
    const Device& d = k.devices[n];
    ch.theta[n] = d.aoa_deg ? *d.aoa_deg * pi / 180.0 : 2.0 * amax * (uniform_topology(s.seed, 3 * (uint64_t)n) - 0.5);
    ch.phi[n] = d.aod_deg ? *d.aod_deg * pi / 180.0 : 2.0 * amax * (uniform_topology(s.seed, 3 * (uint64_t)n + 1) - 0.5);
    if (!s.physical()) {
      ch.beta[n] = 1.0;
    } else if (d.path_loss_db >= 0) {
      ch.beta[n] = db_to_linear(-d.path_loss_db);
    } else {
      ch.beta[n] = db_to_linear(-s.path_loss_db_at_1m) * std::pow(device_distance(s, d, n), -s.path_loss_exponent);
    }
  }

  // Payload and airtime.
  k.l0 = ((long)s.tokens_per_step * (long)k.shape.dim + 1) / 2;
  k.slots = (k.l0 + k.L - 1) / k.L;
  k.airtime_s = (double)k.slots / s.bandwidth_hz;

  // Memory: m_n of the split layers must fit.
  const double split = k.shape.split_bytes();
  for (int n = 0; n < N && check_assignment; ++n)
    if (k.m[n] * split > k.devices[n].memory_bytes * (1 + 1e-9))
      throw InputError("m (--m): '" + k.m_spec + "' gives device[" + std::to_string(n) + "] (" + k.devices[n].preset +
                       ") m_n = " + show(k.m[n]) + " of the model, " + show(k.m[n] * split) + " bytes, but its memory_bytes is " +
                       show(k.devices[n].memory_bytes));

  // Energies per noise level.
  const std::vector<double>& levels = s.noise_values();
  const double noise_j = dbm_to_watt(s.noise_density_dbm_hz + s.noise_figure_db);  // W/Hz = J per symbol
  for (size_t j = 0; j < levels.size(); ++j) {
    const double p_tx = dbm_to_watt(s.physical() ? levels[j] : s.tx_power_dbm.front());
    std::vector<double> e((size_t)N), b((size_t)N);
    for (int n = 0; n < N; ++n) {
      const Device& d = k.devices[n];
      const double budget = d.energy_budget > 0 ? d.energy_budget : p_tx * k.airtime_s;
      const double comp = computation_energy(d, k.m[n], k.shape);
      const double c = budget - comp;
      if (!(c > 0) && check_assignment) {
        std::string where = s.physical() ? " at tx_power_dbm = " + show(levels[j]) : "";
        throw InputError("m (--m): '" + k.m_spec + "' leaves device[" + std::to_string(n) + "] (" + d.preset +
                         ") no energy to transmit" + where + ": c_n = P_n^max - e_n m_n s_tot = " + show(budget) +
                         " J - " + show(comp) + " J <= 0 (give it a smaller share, a larger energy_budget or "
                         "transmit power, or a smaller energy_per_param)");
      }
      e[n] = std::max(c, 0.0) * (s.physical() ? k.L / (double)k.l0 : 1.0 / budget);
      b[n] = budget;
    }
    k.budget.push_back(std::move(b));
    k.sigma2.push_back(s.physical() ? noise_j : 1.0 / db_to_linear(levels[j]));
    k.slot_energy.push_back(std::move(e));
  }
  k.physical = s.physical();
  // One design serves every level when the energies only scale.
  for (size_t j = 0; j < levels.size(); ++j) {
    const double f = k.slot_energy[0][0] > 0 ? k.slot_energy[j][0] / k.slot_energy[0][0] : 0.0;
    k.scale.push_back(f);
    for (int n = 1; n < N; ++n)
      if (std::fabs(k.slot_energy[j][n] - f * k.slot_energy[0][n]) > 1e-12 * k.slot_energy[j][n]) k.scalable = false;
  }
  return k;
}

AlphaParams fdma_subband(const AlphaParams& all, int n) {
  AlphaParams q = all;
  q.ch.n_dev = 1;
  q.ch.first_device = n;
  q.ch.beta[0] = all.ch.beta[n];
  q.ch.theta[0] = all.ch.theta[n];
  q.ch.phi[0] = all.ch.phi[n];
  q.ch.n_tx_dev[0] = all.ch.n_tx_dev[n];
  q.slot_energy[0] = all.slot_energy[n];
  q.design_key.stream = all.design_key.stream + (uint32_t)n;
  return q;
}

double residual_energy(const Link& link, int n, double m_n, size_t level) {
  return link.budget.at(level)[(size_t)n] - computation_energy(link.devices[(size_t)n], m_n, link.shape);
}

std::vector<double> slot_energies(const Link& link, const std::vector<double>& m, size_t level) {
  std::vector<double> e(m.size());
  for (size_t n = 0; n < m.size(); ++n) {
    const double c = residual_energy(link, (int)n, m[n], level);
    e[n] = link.physical ? c * link.L / (double)link.l0 : c / link.budget.at(level)[n];
  }
  return e;
}

AlphaParams alpha_params(const Link& link, size_t level, uint32_t stream) {
  AlphaParams p;
  p.ch = link.ch;
  p.ch.key.stream = stream;
  p.ch.csi_key.stream = stream;
  p.n_streams = link.L;
  p.design_key = RngKey{link.ch.key.seed, stream, kRngDesign};
  for (int n = 0; n < link.ch.n_dev; ++n) p.slot_energy[n] = link.slot_energy.at(level)[(size_t)n];
  return p;
}

}  // namespace airtp
