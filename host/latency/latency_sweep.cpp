#include "host/latency/latency_sweep.hpp"

#include <toml++/toml.h>
#include <cmath>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include "host/common/errors.hpp"
#include "host/io/result_file.hpp"

namespace airtp {

std::vector<DeviceProfile> DeviceMix::devices(int n) const {
  auto pick = [&](const std::vector<double>& v, const char* field, int i) {
    if (v.empty()) throw InputError("device mix '" + name + "': " + field + " is empty");
    if (v.size() != 1 && int(v.size()) < n)
      throw InputError("device mix '" + name + "': " + field + " has " + std::to_string(v.size()) +
                       " entries, need 1 or at least " + std::to_string(n));
    const double x = v.size() == 1 ? v[0] : v[size_t(i)];
    if (!std::isfinite(x)) throw InputError("device mix '" + name + "': " + field + " must be finite");
    return x;
  };
  std::vector<DeviceProfile> d(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    d[size_t(i)].flops = pick(gflops, "gflops", i) * 1e9;
    d[size_t(i)].memory_bytes = pick(memory_gb, "memory_gb", i) * 1e9;
    d[size_t(i)].power_dbm = pick(power_dbm, "power_dbm", i);
    d[size_t(i)].distance_m = pick(distance_m, "distance_m", i);
    if (!(d[size_t(i)].flops > 0)) throw InputError("device mix '" + name + "': gflops must be positive");
    if (!(d[size_t(i)].memory_bytes > 0)) throw InputError("device mix '" + name + "': memory_gb must be positive");
    if (!(d[size_t(i)].distance_m > 0)) throw InputError("device mix '" + name + "': distance_m must be positive");
  }
  return d;
}

namespace {

std::string num(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  std::string t = s.str();
  if (t.find_first_of(".eEn") == std::string::npos) t += ".0";  // TOML float
  return t;
}
template <class T, class F>
std::string list(const std::vector<T>& v, F fmt) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt(v[i]);
  return s + "]";
}
std::string quoted(const std::string& x) {
  std::string s = "\"";
  for (char c : x) s += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return s + "\"";
}

// Typed access with errors naming file and field, and a record of the keys read so that
// unknown keys (typos) are rejected.
struct Reader {
  std::string file;
  std::set<std::string> seen;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw InputError(file + ": field '" + key + "' " + what);
  }
  const toml::node* find(const toml::table& t, const std::string& prefix, const std::string& key) {
    seen.insert(prefix + key);
    return t.get(key);
  }
  void get(const toml::table& t, const std::string& pre, const std::string& key, double& out) {
    if (auto n = find(t, pre, key)) {
      if (auto v = n->value<double>()) out = *v;
      else fail(pre + key, "must be a number");
    }
  }
  void get(const toml::table& t, const std::string& pre, const std::string& key, int& out) {
    if (auto n = find(t, pre, key)) {
      auto v = n->as_integer();
      if (!v) fail(pre + key, "must be an integer");
      if (v->get() < std::numeric_limits<int>::min() || v->get() > std::numeric_limits<int>::max())
        fail(pre + key, "is out of range");
      out = int(v->get());
    }
  }
  void get(const toml::table& t, const std::string& pre, const std::string& key, int64_t& out) {
    if (auto n = find(t, pre, key)) {
      auto v = n->as_integer();
      if (!v) fail(pre + key, "must be an integer");
      out = v->get();
    }
  }
  void get(const toml::table& t, const std::string& pre, const std::string& key, std::string& out) {
    if (auto n = find(t, pre, key)) {
      if (auto v = n->value<std::string>()) out = *v;
      else fail(pre + key, "must be a string");
    }
  }
  template <class T>
  void get_list(const toml::table& t, const std::string& pre, const std::string& key, std::vector<T>& out) {
    auto n = find(t, pre, key);
    if (!n) return;
    out.clear();
    auto one = [&](const toml::node& e) {
      if constexpr (std::is_same_v<T, std::string>) {
        auto v = e.value<std::string>();
        if (!v) fail(pre + key, "must be a list of strings");
        out.push_back(*v);
      } else if constexpr (std::is_same_v<T, int>) {
        auto v = e.as_integer();
        if (!v || v->get() < 0 || v->get() > 1'000'000) fail(pre + key, "must be a list of non-negative integers");
        out.push_back(int(v->get()));
      } else {
        auto v = e.value<double>();
        if (!v) fail(pre + key, "must be a list of numbers");
        out.push_back(*v);
      }
    };
    if (auto a = n->as_array())
      for (const auto& e : *a) one(e);
    else
      one(*n);  // a scalar is a one-entry list
  }
  void reject_unknown(const toml::table& t, const std::string& pre) {
    for (const auto& [k, v] : t) {
      const std::string key = pre + std::string(k.str());
      if (!seen.count(key)) throw InputError(file + ": unknown field '" + key + "'");
    }
  }
};

void check_list_not_empty(bool empty, const std::string& field) {
  if (empty) throw InputError("latency config: " + field + " must not be empty");
}

}  // namespace

void load_latency_config(const std::string& path, LatencyConfig& c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw InputError(s.str());
  }
  Reader r{path, {}};
  // `airtp run` dispatches on this key; any other command's config is a mistake.
  if (const auto cmd = root["command"].value<std::string>()) {
    if (*cmd != "latency") throw InputError(path + ": command is '" + *cmd + "', expected 'latency'");
    r.seen.insert("command");
  }
  r.get_list(root, "", "models", c.models);
  r.get_list(root, "", "model_files", c.model_files);
  r.get_list(root, "", "n_devices", c.n_devices);
  r.get_list(root, "", "schemes", c.schemes);
  r.get_list(root, "", "bandwidth_mhz", c.bandwidth_mhz);
  r.get_list(root, "", "m", c.m);
  r.get(root, "", "bytes_per_param", c.bytes_per_param);
  r.get(root, "", "context_len", c.params.context_len);
  r.get(root, "", "tokens", c.params.tokens);
  RadioParams& rp = c.params.radio;
  if (auto n = r.find(root, "", "radio")) {
    auto t = n->as_table();
    if (!t) r.fail("radio", "must be a table");
    r.get(*t, "radio.", "streams", rp.streams);
    r.get(*t, "radio.", "noise_density_dbm_hz", rp.noise_density_dbm_hz);
    r.get(*t, "radio.", "noise_figure_db", rp.noise_figure_db);
    r.get(*t, "radio.", "path_loss_db_at_1m", rp.path_loss_db_at_1m);
    r.get(*t, "radio.", "path_loss_exponent", rp.path_loss_exponent);
    r.get(*t, "radio.", "quant_bits", rp.quant_bits);
    r.get(*t, "radio.", "digital_streams", rp.digital_streams);
    r.reject_unknown(*t, "radio.");
  }
  if (auto n = r.find(root, "", "downlink")) {
    auto t = n->as_table();
    if (!t) r.fail("downlink", "must be a table");
    double bw = rp.downlink_bandwidth_hz / 1e6, rate = rp.downlink_rate_bps / 1e6;
    r.get(*t, "downlink.", "bandwidth_mhz", bw);
    r.get(*t, "downlink.", "power_dbm", rp.downlink_power_dbm);
    r.get(*t, "downlink.", "bits", rp.downlink_bits);
    r.get(*t, "downlink.", "rate_mbps", rate);
    rp.downlink_bandwidth_hz = bw * 1e6;
    rp.downlink_rate_bps = rate * 1e6;
    r.reject_unknown(*t, "downlink.");
  }
  if (auto n = r.find(root, "", "mix")) {
    auto a = n->as_array();
    if (!a) r.fail("mix", "must be an array of tables ([[mix]])");
    c.mixes.clear();
    for (size_t i = 0; i < a->size(); ++i) {
      auto t = a->get(i)->as_table();
      if (!t) r.fail("mix", "must be an array of tables ([[mix]])");
      const std::string pre = "mix[" + std::to_string(i) + "].";
      DeviceMix mix;
      mix.name = "mix" + std::to_string(i);
      r.get(*t, pre, "name", mix.name);
      r.get_list(*t, pre, "gflops", mix.gflops);
      r.get_list(*t, pre, "memory_gb", mix.memory_gb);
      r.get_list(*t, pre, "power_dbm", mix.power_dbm);
      r.get_list(*t, pre, "distance_m", mix.distance_m);
      r.reject_unknown(*t, pre);
      c.mixes.push_back(mix);
    }
  }
  r.reject_unknown(root, "");
}

void validate(const LatencyConfig& c) {
  check_list_not_empty(c.models.empty() && c.model_files.empty(), "models (or model_files)");
  check_list_not_empty(c.n_devices.empty(), "n_devices");
  check_list_not_empty(c.schemes.empty(), "schemes");
  check_list_not_empty(c.bandwidth_mhz.empty(), "bandwidth_mhz");
  check_list_not_empty(c.mixes.empty(), "mix");
  auto named = [](const std::string& field, auto&& f) {
    try {
      f();
    } catch (const InputError& e) {
      throw InputError(field + ": " + e.what());
    }
  };
  for (const auto& m : c.models) named("models (--models)", [&] { (void)known_shape(m); });
  for (const auto& s : c.schemes) named("schemes (--schemes)", [&] { (void)parse_scheme(s); });
  for (int n : c.n_devices)
    if (n < 1 || n > 4096) throw InputError("n_devices (--devices): each N must be in 1..4096, got " + std::to_string(n));
  for (double b : c.bandwidth_mhz)
    if (!(b > 0) || !std::isfinite(b)) throw InputError("bandwidth_mhz (--bandwidth-mhz): each bandwidth must be positive");
  if (!c.m.empty()) {
    validate_assignment(c.m, int(c.m.size()), "m (--m)");
    for (int n : c.n_devices)
      if (n != int(c.m.size()))
        throw InputError("m (--m): has " + std::to_string(c.m.size()) + " entries but n_devices includes " +
                         std::to_string(n) + " (give n_devices = " + std::to_string(c.m.size()) + ")");
  }
  if (!(c.bytes_per_param > 0) || !std::isfinite(c.bytes_per_param))
    throw InputError("bytes_per_param (--bytes-per-param) must be positive");
  if (c.params.context_len < 0) throw InputError("context_len (--context-len) must be >= 0");
  if (c.params.tokens < 1) throw InputError("tokens must be >= 1");
  const RadioParams& r = c.params.radio;
  if (r.streams < 1) throw InputError("radio.streams (--streams) must be >= 1");
  if (r.quant_bits < 1 || r.quant_bits > 64) throw InputError("radio.quant_bits (--quant-bits) must be in 1..64");
  if (r.digital_streams < 1) throw InputError("radio.digital_streams (--digital-streams) must be >= 1");
  for (double v : {r.noise_density_dbm_hz, r.noise_figure_db, r.path_loss_db_at_1m, r.path_loss_exponent,
                   r.downlink_power_dbm})
    if (!std::isfinite(v)) throw InputError("[radio] and [downlink] values (--downlink-power-dbm) must be finite");
  if (r.path_loss_exponent < 0) throw InputError("radio.path_loss_exponent must be >= 0");
  if (r.downlink_bits < 1 || r.downlink_bits > 64) throw InputError("downlink.bits must be in 1..64");
  if (!(r.downlink_rate_bps >= 0) || !std::isfinite(r.downlink_rate_bps))
    throw InputError("downlink.rate_mbps (--downlink-rate-mbps) must be >= 0 (0: Shannon rate from downlink SNR)");
  if (r.downlink_rate_bps == 0 && !(r.downlink_bandwidth_hz > 0))
    throw InputError("downlink.bandwidth_mhz (--downlink-bandwidth-mhz) must be positive");
  int max_n = 0;
  for (int n : c.n_devices) max_n = std::max(max_n, n);
  std::set<std::string> names;
  for (const auto& mix : c.mixes) {
    if (!names.insert(mix.name).second) throw InputError("mix: duplicate name '" + mix.name + "'");
    (void)mix.devices(max_n);
  }
}

std::string LatencyConfig::to_toml() const {
  auto s = [](const std::string& x) { return quoted(x); };
  auto d = [](double x) { return num(x); };
  auto i = [](int x) { return std::to_string(x); };
  const RadioParams& r = params.radio;
  std::ostringstream o;
  o << "models = " << list(models, s) << "\n"
    << "model_files = " << list(model_files, s) << "\n"
    << "n_devices = " << list(n_devices, i) << "\n"
    << "schemes = " << list(schemes, s) << "\n"
    << "bandwidth_mhz = " << list(bandwidth_mhz, d) << "\n"
    << "m = " << list(m, d) << "\n"
    << "bytes_per_param = " << num(bytes_per_param) << "\n"
    << "context_len = " << params.context_len << "\n"
    << "tokens = " << params.tokens << "\n\n"
    << "[radio]\n"
    << "streams = " << r.streams << "\n"
    << "noise_density_dbm_hz = " << num(r.noise_density_dbm_hz) << "\n"
    << "noise_figure_db = " << num(r.noise_figure_db) << "\n"
    << "path_loss_db_at_1m = " << num(r.path_loss_db_at_1m) << "\n"
    << "path_loss_exponent = " << num(r.path_loss_exponent) << "\n"
    << "quant_bits = " << r.quant_bits << "\n"
    << "digital_streams = " << r.digital_streams << "\n\n"
    << "[downlink]\n"
    << "bandwidth_mhz = " << num(r.downlink_bandwidth_hz / 1e6) << "\n"
    << "power_dbm = " << num(r.downlink_power_dbm) << "\n"
    << "bits = " << r.downlink_bits << "\n"
    << "rate_mbps = " << num(r.downlink_rate_bps / 1e6) << "\n";
  for (const auto& mix : mixes)
    o << "\n[[mix]]\nname = " << s(mix.name) << "\ngflops = " << list(mix.gflops, d)
      << "\nmemory_gb = " << list(mix.memory_gb, d) << "\npower_dbm = " << list(mix.power_dbm, d)
      << "\ndistance_m = " << list(mix.distance_m, d) << "\n";
  return o.str();
}

void run_latency_sweep(const LatencyConfig& c, ResultFile& out, bool quiet) {
  std::vector<ModelShape> shapes;
  for (const auto& m : c.models) shapes.push_back(known_shape(m));
  for (const auto& f : c.model_files) shapes.push_back(shape_from_llama2c_header(f, c.bytes_per_param));
  for (auto& s : shapes) s.bytes_per_param = c.bytes_per_param;
  std::vector<Scheme> schemes;
  for (const auto& s : c.schemes) schemes.push_back(parse_scheme(s));

  const size_t nm = shapes.size(), nx = c.mixes.size(), nb = c.bandwidth_mhz.size(), ns = schemes.size(),
               nn = c.n_devices.size();
  const size_t total = nm * nx * nb * ns * nn;
  // Infeasible points (a share of the model does not fit a device's memory) have no latency:
  // they are masked (feasible = 0, values written as 0), never NaN.
  std::vector<double> comp(total, 0.0), up(total, 0.0), down(total, 0.0), tot(total, 0.0), vs_dig(total, 0.0),
      vs_cen(total, 0.0);
  std::vector<int64_t> feas(total, 0);
  std::vector<char> ok(total, 0), ok_dig(total, 0), ok_cen(total, 0);
  auto idx = [&](size_t a, size_t x, size_t b, size_t s, size_t n) {
    return (((a * nx + x) * nb + b) * ns + s) * nn + n;
  };
  for (size_t a = 0; a < nm; ++a)
    for (size_t x = 0; x < nx; ++x)
      for (size_t b = 0; b < nb; ++b)
        for (size_t n = 0; n < nn; ++n) {
          LatencyParams p = c.params;
          p.radio.bandwidth_hz = c.bandwidth_mhz[b] * 1e6;
          const auto devs = c.mixes[x].devices(c.n_devices[n]);
          // References for the speedups, whether or not they are among the chosen schemes.
          const TokenLatency dig = token_latency(shapes[a], Scheme::Digital, devs, c.m, p);
          const TokenLatency cen = token_latency(shapes[a], Scheme::Centralised, devs, c.m, p);
          for (size_t s = 0; s < ns; ++s) {
            const TokenLatency t = token_latency(shapes[a], schemes[s], devs, c.m, p);
            const size_t i = idx(a, x, b, s, n);
            feas[i] = t.feasible;
            ok[i] = t.feasible;
            if (!t.feasible) continue;
            comp[i] = t.compute_s * 1e3;
            up[i] = t.uplink_s * 1e3;
            down[i] = t.downlink_s * 1e3;
            tot[i] = t.total_s * 1e3;
            if (dig.feasible) vs_dig[i] = dig.total_s / t.total_s, ok_dig[i] = 1;
            if (cen.feasible) vs_cen[i] = cen.total_s / t.total_s, ok_cen[i] = 1;
          }
        }

  const std::vector<size_t> shape{nm, nx, nb, ns, nn};
  const std::vector<std::string> dims{"model", "mix", "bandwidth", "scheme", "n_devices"};
  const ResultFile::Stage stage(out, "latency model");
  out.write("feasible", feas, shape, dims, "1",
            "1 if every device's share of the model fits its memory (centralised: the whole model fits one "
            "device), else 0. Masks compute_ms, uplink_ms, downlink_ms and total_ms.");
  out.write_masked("compute_ms", comp, ok, shape, dims, "ms",
                   "Computation time per generated token: layers' split compute (max over devices of m_n F_layer / "
                   "f_n) plus the unsplit classifier on the fastest device.", "feasible");
  out.write_masked("uplink_ms", up, ok, shape, dims, "ms",
                   "Uplink airtime per generated token over all layers (two all-reduces per layer).", "feasible");
  out.write_masked("downlink_ms", down, ok, shape, dims, "ms",
                   "Downlink broadcast airtime per generated token over all layers (two per layer).", "feasible");
  out.write_masked("total_ms", tot, ok, shape, dims, "ms", "Latency per generated token: compute + uplink + downlink.",
                   "feasible");
  out.write_masked("speedup_vs_digital", vs_dig, ok_dig, shape, dims, "1",
                   "Digital all-reduce latency divided by this scheme's latency, same model, mix, bandwidth and N "
                   "(defined where both are feasible).");
  out.write_masked("speedup_vs_centralised", vs_cen, ok_cen, shape, dims, "1",
                   "Centralised latency (whole model on the fastest single device of the N) divided by this "
                   "scheme's latency (defined where both are feasible).");

  std::vector<std::string> names;
  std::vector<double> params, bytes, lf, uf;
  std::vector<int64_t> dim, layers;
  for (const auto& s : shapes) {
    names.push_back(s.name);
    params.push_back(s.total_params());
    bytes.push_back(s.model_bytes());
    lf.push_back(layer_flops(s, c.params.context_len) * double(c.params.tokens));
    uf.push_back(unsplit_flops(s) * double(c.params.tokens));
    dim.push_back(s.dim);
    layers.push_back(s.n_layers);
  }
  out.write_strings("model", names, "Model shapes (dimension 'model').");
  std::vector<std::string> mix_names, scheme_names;
  for (const auto& m : c.mixes) mix_names.push_back(m.name);
  for (Scheme s : schemes) scheme_names.push_back(scheme_name(s));
  out.write_strings("mix", mix_names, "Device mixes (dimension 'mix').");
  out.write_strings("scheme", scheme_names, "All-reduce schemes (dimension 'scheme').");
  std::vector<double> bw;
  for (double b : c.bandwidth_mhz) bw.push_back(b * 1e6);
  out.write("bandwidth_hz", bw, {}, {"bandwidth"}, "Hz", "Uplink bandwidth B (dimension 'bandwidth').");
  std::vector<int64_t> ns64(c.n_devices.begin(), c.n_devices.end());
  out.write("n_devices", ns64, {}, {"n_devices"}, "devices", "Number of devices N (dimension 'n_devices').");
  out.write("model_params", params, {}, {"model"}, "parameters", "Total parameters of each model shape.");
  out.write("model_bytes", bytes, {}, {"model"}, "bytes", "Model size at bytes_per_param bytes per parameter.");
  out.write("layer_flops", lf, {}, {"model"}, "FLOP",
            "F_layer per generated token: 2 x matrix weights + 4 x dim x context_len (attention).");
  out.write("unsplit_flops", uf, {}, {"model"}, "FLOP", "Unsplit FLOPs per token: classifier 2 x dim x vocab.");
  out.write("model_dim", dim, {}, {"model"}, "1", "Hidden size (all-reduce payload per token).");
  out.write("model_layers", layers, {}, {"model"}, "layers", "Transformer layers.");

  int max_n = 0;
  for (int n : c.n_devices) max_n = std::max(max_n, n);
  std::vector<double> g, mem, pw, dist;
  for (const auto& mix : c.mixes)
    for (const auto& d : mix.devices(max_n)) {
      g.push_back(d.flops / 1e9);
      mem.push_back(d.memory_bytes / 1e9);
      pw.push_back(d.power_dbm);
      dist.push_back(d.distance_m);
    }
  const std::vector<size_t> dshape{nx, size_t(max_n)};
  const std::vector<std::string> ddims{"mix", "device"};
  out.write("device_gflops", g, dshape, ddims, "GFLOP/s", "Compute speed f_n of device n in each mix.");
  out.write("device_memory_gb", mem, dshape, ddims, "GB", "Memory M_n of device n in each mix (1 GB = 1e9 bytes).");
  out.write("device_power_dbm", pw, dshape, ddims, "dBm", "Uplink transmit power of device n in each mix.");
  out.write("device_distance_m", dist, dshape, ddims, "m", "Distance of device n to the server in each mix.");
  if (!c.m.empty())
    out.write("assignment_m", c.m, {}, {"device"}, "1", "Model assignment m_n (share of heads and neurons).");
  else
    out.attr("/", "assignment", "uniform");
  out.attr("/", "context_len", int64_t(c.params.context_len));
  out.attr("/", "tokens_per_step", int64_t(c.params.tokens));

  if (!quiet) {
    for (size_t a = 0; a < nm; ++a)
      for (size_t x = 0; x < nx; ++x)
        for (size_t b = 0; b < nb; ++b) {
          std::cerr << shapes[a].name << "  mix=" << c.mixes[x].name << "  B=" << c.bandwidth_mhz[b] << " MHz\n";
          for (size_t s = 0; s < ns; ++s) {
            std::cerr << "  " << scheme_names[s] << ":";
            for (size_t n = 0; n < nn; ++n) {
              const size_t i = idx(a, x, b, s, n);
              std::ostringstream v;
              v.precision(4);  // significant digits: tiny models take microseconds
              if (feas[i]) v << tot[i]; else v << "-";
              std::cerr << "  N=" << c.n_devices[n] << ": " << v.str();
            }
            std::cerr << " ms\n";
          }
        }
  }
}

}  // namespace airtp
