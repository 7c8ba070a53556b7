#include "host/latency/latency.hpp"

#include <algorithm>
#include <cmath>
#include "host/common/errors.hpp"

namespace airtp {

const std::vector<Scheme>& all_schemes() {
  static const std::vector<Scheme> s = {Scheme::AirComp, Scheme::Digital, Scheme::Fdma, Scheme::Centralised};
  return s;
}

std::string scheme_name(Scheme s) {
  switch (s) {
    case Scheme::AirComp: return "aircomp";
    case Scheme::Digital: return "digital";
    case Scheme::Fdma: return "fdma";
    case Scheme::Centralised: return "centralised";
  }
  return "?";
}

Scheme parse_scheme(const std::string& s) {
  for (Scheme x : all_schemes())
    if (scheme_name(x) == s) return x;
  throw InputError("unknown scheme '" + s + "' (known: aircomp, digital, fdma, centralised)");
}


double path_gain(const RadioParams& r, double distance_m) {
  if (!(distance_m > 0) || !std::isfinite(distance_m))
    throw InputError("device distance must be positive and finite, got " + std::to_string(distance_m) + " m");
  return db_to_linear(-r.path_loss_db_at_1m) * std::pow(distance_m, -r.path_loss_exponent);
}

double noise_power_w(const RadioParams& r, double bandwidth_hz) {
  return dbm_to_watt(r.noise_density_dbm_hz + r.noise_figure_db) * bandwidth_hz;
}

double shannon_rate_bps(double bandwidth_hz, double snr_linear) { return bandwidth_hz * std::log2(1.0 + snr_linear); }

int64_t symbols_per_allreduce(int64_t numel) { return (numel + 1) / 2; }

double aircomp_airtime_s(int64_t l0, int streams, double bandwidth_hz) {
  const int64_t slots = (l0 + streams - 1) / streams;
  return double(slots) / bandwidth_hz;
}

double fdma_airtime_s(int64_t l0, int streams, double bandwidth_hz, int n_devices) {
  return double(n_devices) * aircomp_airtime_s(l0, streams, bandwidth_hz);
}

double digital_uplink_s(int64_t l0, const std::vector<DeviceProfile>& devs, const RadioParams& r) {
  const double band = r.bandwidth_hz / double(devs.size());
  const double bits = 2.0 * double(l0) * double(r.quant_bits);
  const double k = double(r.digital_streams);
  double worst = 0;
  for (const auto& d : devs) {
    // Power split evenly over k parallel streams of equal gain.
    const double snr = dbm_to_watt(d.power_dbm) * path_gain(r, d.distance_m) / (k * noise_power_w(r, band));
    worst = std::max(worst, bits / (k * shannon_rate_bps(band, snr)));
  }
  return worst;
}

double downlink_s(int64_t numel, const std::vector<DeviceProfile>& devs, const RadioParams& r) {
  const double bits = double(numel) * double(r.downlink_bits);
  if (r.downlink_rate_bps > 0) return bits / r.downlink_rate_bps;
  double far = 0;
  for (const auto& d : devs) far = std::max(far, d.distance_m);
  const double snr = dbm_to_watt(r.downlink_power_dbm) * path_gain(r, far) / noise_power_w(r, r.downlink_bandwidth_hz);
  return bits / shannon_rate_bps(r.downlink_bandwidth_hz, snr);
}

double split_compute_s(double flops, const std::vector<double>& m, const std::vector<DeviceProfile>& devs) {
  double t = 0;
  for (size_t n = 0; n < devs.size(); ++n) t = std::max(t, m[n] * flops / devs[n].flops);
  return t;
}

bool fits_memory(double model_bytes, const std::vector<double>& m, const std::vector<DeviceProfile>& devs) {
  for (size_t n = 0; n < devs.size(); ++n)
    if (m[n] * model_bytes > devs[n].memory_bytes) return false;
  return true;
}

std::vector<double> uniform_assignment(int n) { return std::vector<double>(size_t(n), 1.0 / double(n)); }

void validate_assignment(const std::vector<double>& m, int n, const std::string& what) {
  if (int(m.size()) != n)
    throw InputError(what + ": has " + std::to_string(m.size()) + " entries for " + std::to_string(n) + " devices");
  double sum = 0;
  for (double v : m) {
    if (!std::isfinite(v) || v < 0) throw InputError(what + ": entries must be finite and >= 0");
    sum += v;
  }
  if (std::abs(sum - 1.0) > 1e-6) throw InputError(what + ": entries sum to " + std::to_string(sum) + ", not 1");
}

namespace {
void check_devices(const std::vector<DeviceProfile>& devs) {
  if (devs.empty()) throw InputError("latency: no devices");
  for (const auto& d : devs) {
    if (!(d.flops > 0) || !std::isfinite(d.flops)) throw InputError("device flops must be positive and finite");
    if (!(d.memory_bytes > 0) || !std::isfinite(d.memory_bytes))
      throw InputError("device memory must be positive and finite");
    if (!std::isfinite(d.power_dbm)) throw InputError("device power must be finite");
  }
}
void check_radio(const RadioParams& r) {
  auto pos = [](double v, const char* name) {
    if (!(v > 0) || !std::isfinite(v)) throw InputError(std::string(name) + " must be positive and finite");
  };
  pos(r.bandwidth_hz, "bandwidth");
  pos(r.streams, "streams");
  pos(r.quant_bits, "quant_bits");
  pos(r.digital_streams, "digital_streams");
  pos(r.downlink_bits, "downlink bits");
  if (r.downlink_rate_bps <= 0) pos(r.downlink_bandwidth_hz, "downlink bandwidth");
  if (r.downlink_rate_bps < 0 || !std::isfinite(r.downlink_rate_bps))
    throw InputError("downlink rate must be >= 0 (0: from the downlink SNR)");
}
}  // namespace

TokenLatency token_latency(const ModelShape& s, Scheme scheme, const std::vector<DeviceProfile>& devs,
                           const std::vector<double>& m_in, const LatencyParams& p) {
  check_devices(devs);
  check_radio(p.radio);
  if (p.context_len < 0) throw InputError("context length must be >= 0");
  if (p.tokens <= 0) throw InputError("tokens per step must be positive");
  const int n = int(devs.size());
  const std::vector<double> m = m_in.empty() ? uniform_assignment(n) : m_in;
  validate_assignment(m, n, "assignment m");

  const double f_layer = layer_flops(s, p.context_len) * double(p.tokens);
  const double f_unsplit = unsplit_flops(s) * double(p.tokens);
  const double layers = double(s.n_layers);
  TokenLatency t;

  if (scheme == Scheme::Centralised) {
    // The whole model on the fastest device that can hold it.
    const DeviceProfile* best = nullptr;
    for (const auto& d : devs)
      if (s.model_bytes() <= d.memory_bytes && (!best || d.flops > best->flops)) best = &d;
    if (!best) {
      t.reason = "the model does not fit any single device's memory";
      return t;
    }
    t.feasible = true;
    t.participants = 1;
    t.compute_s = (layers * f_layer + f_unsplit) / best->flops;
    t.total_s = t.compute_s;
    return t;
  }

  if (!fits_memory(s.model_bytes(), m, devs)) {
    t.reason = "some device's share m_n x model bytes exceeds its memory";
    return t;
  }
  std::vector<DeviceProfile> part;
  double fastest = 0;
  for (int i = 0; i < n; ++i)
    if (m[size_t(i)] > 0) {
      part.push_back(devs[size_t(i)]);
      fastest = std::max(fastest, devs[size_t(i)].flops);
    }
  t.feasible = true;
  t.participants = int(part.size());
  t.compute_s = layers * split_compute_s(f_layer, m, devs) + f_unsplit / fastest;
  if (part.size() > 1) {
    const int64_t numel = s.dim * p.tokens;
    const int64_t l0 = symbols_per_allreduce(numel);
    const RadioParams& r = p.radio;
    double up = 0;
    switch (scheme) {
      case Scheme::AirComp: up = aircomp_airtime_s(l0, r.streams, r.bandwidth_hz); break;
      case Scheme::Digital: up = digital_uplink_s(l0, part, r); break;
      case Scheme::Fdma: up = fdma_airtime_s(l0, r.streams, r.bandwidth_hz, int(part.size())); break;
      case Scheme::Centralised: break;
    }
    // Two all-reduces per layer: after the attention output and after the MLP down projection.
    t.uplink_s = layers * 2.0 * up;
    t.downlink_s = layers * 2.0 * downlink_s(numel, part, r);
  }
  t.total_s = t.compute_s + t.uplink_s + t.downlink_s;
  if (!std::isfinite(t.total_s)) throw NumericalError("latency of " + s.name + " is not finite");
  return t;
}

}  // namespace airtp
