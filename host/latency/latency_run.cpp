#include "host/latency/latency_run.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/io/result_schema.hpp"
#include "host/scenario/scenario_fields.hpp"

namespace airtp {

LatencyConfig::LatencyConfig() {
  scenario.n_devices = {1, 2, 4, 8};
  scenario.noise_mode = "physical";
  scenario.tx_power_dbm = {20};
  scenario.bandwidth_axis = {5e6};
  run.output = "results/latency.h5";
}

void add_latency_fields(FieldTable& t, LatencyConfig& c) {
  RunFieldParts rp;
  rp.monte_carlo = false, rp.backend = false, rp.shard = false, rp.checkpoint = false;
  add_run_fields(t, c.run, rp);
  ScenarioParts sp;
  sp.model = false;  // several models: a list, below
  sp.bandwidth_axis = true;
  add_scenario_fields(t, c.scenario, sp);
  t.add("model", "--model", &c.models, "",
        "model shapes (a sweep axis): built-in names (llama2-7b, llama3-70b, stories260K, smollm2-135m, ...) or model "
        "files (llama2.c or GGUF, header only)")
      .unique_values()
      .alias("--models")
      .alias("--model-file");
  t.add("tokens_per_step", "--tokens-per-step", &c.scenario.tokens_per_step, "tokens",
        "tokens per forward step (all-reduce payload = tokens x dim)")
      .range(1, 1 << 20);
  t.add("schemes", "--schemes", &c.schemes, "", "all-reduce schemes").one_of({"aircomp", "digital", "fdma", "centralised"}).unique_values();
  t.add("context_len", "--context-len", &c.context_len, "tokens", "cached positions each token attends over").range(0, 1 << 24);
  t.add("bytes_per_param", "--bytes-per-param", &c.bytes_per_param, "bytes", "bytes per stored weight (0: each model's own)")
      .range(0, 16);
  t.add("digital.bits", "--bits", &c.digital_bits, "bits", "digital uplink: bits Q per real value").range(1, 64).alias("--quant-bits");
  RadioParams& r = c.params.radio;
  t.add("digital.streams", "--digital-streams", &r.digital_streams, "streams", "spatial streams per device, digital uplink")
      .range(1, 64);
  t.add("downlink.bandwidth_hz", "--downlink-bandwidth-hz", &r.downlink_bandwidth_hz, "Hz", "downlink bandwidth").range(1, 1e12);
  t.add("downlink.power_dbm", "--downlink-power-dbm", &r.downlink_power_dbm, "dBm", "server transmit power").range(-100, 100);
  t.add("downlink.bits", "--downlink-bits", &r.downlink_bits, "bits", "bits per broadcast value").range(1, 64);
  t.add("downlink.rate_bps", "--downlink-rate-bps", &r.downlink_rate_bps, "bit/s",
        "fixed downlink rate (0: the Shannon rate to the farthest device)")
      .range(0, 1e15);
}

void validate(const LatencyConfig& c) {
  validate(c.scenario);
  if (c.digital_bits.size() != 1)
    throw InputError("digital.bits (--bits): latency takes a single bit width, got " + std::to_string(c.digital_bits.size()));
  if (c.scenario.streams.size() != 1 || c.scenario.n_tx.size() != 1)
    throw InputError("channel.streams (--streams): latency takes a single L and N_t");
}

void run_latency(const LatencyConfig& c, ResultFile& out) {
  validate(c);
  const Scenario& sc = c.scenario;
  std::vector<ModelShape> shapes;
  for (const std::string& m : c.models) {
    ModelShape s = model_shape(m, "model (--model)");
    if (c.bytes_per_param > 0) s.bytes_per_param = c.bytes_per_param;
    shapes.push_back(s);
  }
  std::vector<Scheme> schemes;
  for (const auto& s : c.schemes) schemes.push_back(parse_scheme(s));
  const std::vector<double>& bws = sc.bandwidth_axis;
  const std::vector<double>& pws = sc.tx_power_dbm;
  const size_t nm = shapes.size(), na = sc.m.size(), nb = bws.size(), np = pws.size(), ns = schemes.size(),
               nn = sc.n_devices.size();
  const size_t total = nm * na * nb * np * ns * nn;
  std::vector<double> comp(total, 0.0), up(total, 0.0), down(total, 0.0), tot(total, 0.0), vs_dig(total, 0.0),
      vs_cen(total, 0.0);
  std::vector<int64_t> feas(total, 0);
  std::vector<char> ok(total, 0), ok_dig(total, 0), ok_cen(total, 0);
  auto idx = [&](size_t a, size_t m, size_t b, size_t p, size_t s, size_t n) {
    return ((((a * na + m) * nb + b) * np + p) * ns + s) * nn + n;
  };
  LatencyParams base = c.params;
  base.context_len = c.context_len;
  base.tokens = sc.tokens_per_step;
  base.radio.streams = sc.streams[0] > 0 ? sc.streams[0] : sc.n_tx[0];
  base.radio.noise_density_dbm_hz = sc.noise_density_dbm_hz;
  base.radio.noise_figure_db = sc.noise_figure_db;
  base.radio.path_loss_db_at_1m = sc.path_loss_db_at_1m;
  base.radio.path_loss_exponent = sc.path_loss_exponent;
  base.radio.quant_bits = c.digital_bits[0];
  for (size_t n = 0; n < nn; ++n) {
    const int N = sc.n_devices[n];
    const std::vector<Device> devs = sc.devices_for(N);
    for (size_t mi = 0; mi < na; ++mi) {
      const std::vector<double> m = resolve_assignment(sc.m[mi], devs, "m (--m)", &sc.named_m);
      for (size_t p = 0; p < np; ++p) {
        std::vector<DeviceProfile> prof;
        for (int i = 0; i < N; ++i)
          prof.push_back({devs[i].flops, devs[i].memory_bytes, pws[p], device_distance(sc, devs[i], i)});
        for (size_t b = 0; b < nb; ++b) {
          LatencyParams lp = base;
          lp.radio.bandwidth_hz = bws[b];
          for (size_t a = 0; a < nm; ++a) {
            // References for the speedups, whether or not they are among the chosen schemes.
            const TokenLatency dig = token_latency(shapes[a], Scheme::Digital, prof, m, lp);
            const TokenLatency cen = token_latency(shapes[a], Scheme::Centralised, prof, m, lp);
            for (size_t s = 0; s < ns; ++s) {
              const TokenLatency t = token_latency(shapes[a], schemes[s], prof, m, lp);
              const size_t i = idx(a, mi, b, p, s, n);
              feas[i] = t.feasible;
              ok[i] = t.feasible;
              if (!t.feasible) continue;
              comp[i] = t.compute_s * 1e3, up[i] = t.uplink_s * 1e3, down[i] = t.downlink_s * 1e3, tot[i] = t.total_s * 1e3;
              if (dig.feasible) vs_dig[i] = dig.total_s / t.total_s, ok_dig[i] = 1;
              if (cen.feasible) vs_cen[i] = cen.total_s / t.total_s, ok_cen[i] = 1;
            }
          }
        }
      }
    }
  }
  std::vector<std::string> names;
  for (const auto& s : shapes) names.push_back(s.name);
  std::vector<double> nd(sc.n_devices.begin(), sc.n_devices.end());
  int max_n = *std::max_element(sc.n_devices.begin(), sc.n_devices.end());
  std::vector<double> dev_idx;
  for (int i = 0; i < max_n; ++i) dev_idx.push_back(i);
  const std::vector<Axis> coords{
      {"model", "", "model shapes", {}, names, false},
      {"assignment", "", "model assignment m as given", {}, sc.m, false},
      {"bandwidth_hz", "Hz", "uplink bandwidth B", bws, {}, false},
      {"tx_power_dbm", "dBm", "device transmit power (digital uplink rates)", pws, {}, false},
      {"scheme", "", "all-reduce schemes", {}, c.schemes, false},
      {"n_devices", "devices", "N, number of devices", nd, {}, true},
      {"device", "1", "device index", dev_idx, {}, true},
  };
  const std::vector<std::string> dims{"model", "assignment", "bandwidth_hz", "tx_power_dbm", "scheme", "n_devices"};
  ResultSchema schema;
  schema.group = "latency";
  schema.datasets = {
      integer_dataset("feasible", dims, "1",
                      "1 if every device's share of the model fits its memory (centralised: the whole model fits one "
                      "device), else 0"),
      real_dataset("compute_ms", dims, "ms",
                   "computation per generated token: the layers' split compute (max over devices of m_n F_layer / f_n) "
                   "plus the unsplit classifier on the fastest device",
                   true, "feasible"),
      real_dataset("uplink_ms", dims, "ms", "uplink airtime per generated token over all layers (two all-reduces per layer)",
                   true, "feasible"),
      real_dataset("downlink_ms", dims, "ms", "downlink broadcast airtime per generated token over all layers", true,
                   "feasible"),
      real_dataset("total_ms", dims, "ms", "latency per generated token: compute + uplink + downlink", true, "feasible"),
      real_dataset("speedup_vs_digital", dims, "1",
                   "digital all-reduce latency divided by this scheme's, same model, assignment, bandwidth, power and N",
                   true),
      real_dataset("speedup_vs_centralised", dims, "1",
                   "centralised latency (whole model on the fastest single device of the N) divided by this scheme's",
                   true),
      real_dataset("model_params", {"model"}, "parameters", "total parameters of each model shape"),
      real_dataset("model_bytes", {"model"}, "bytes", "model size at its bytes per parameter"),
      real_dataset("layer_flops", {"model"}, "FLOP", "F_layer per generated token: 2 x matrix weights + 4 x dim x context_len"),
      real_dataset("unsplit_flops", {"model"}, "FLOP", "unsplit FLOPs per token: classifier 2 x dim x vocab"),
      integer_dataset("model_dim", {"model"}, "1", "hidden size (all-reduce payload per token)"),
      integer_dataset("model_layers", {"model"}, "layers", "transformer layers"),
      text_dataset("device_preset", {"device"}, "preset of device n"),
      real_dataset("device_flops", {"device"}, "FLOP/s", "compute speed f_n of device n"),
      real_dataset("device_memory_bytes", {"device"}, "bytes", "memory M_n of device n"),
      real_dataset("device_distance_m", {"device"}, "m", "distance of device n to the server"),
  };
  const ResultFile::Stage stage(out, "latency model");
  SchemaWriter w(out, schema, coords);
  w.put("feasible", feas);
  w.put("compute_ms", comp, ok);
  w.put("uplink_ms", up, ok);
  w.put("downlink_ms", down, ok);
  w.put("total_ms", tot, ok);
  w.put("speedup_vs_digital", vs_dig, ok_dig);
  w.put("speedup_vs_centralised", vs_cen, ok_cen);
  std::vector<double> params, bytes, lf, uf, g, mem, dist;
  std::vector<int64_t> dim, layers;
  for (const auto& s : shapes) {
    params.push_back(s.total_params());
    bytes.push_back(s.model_bytes());
    lf.push_back(layer_flops(s, c.context_len) * double(sc.tokens_per_step));
    uf.push_back(unsplit_flops(s) * double(sc.tokens_per_step));
    dim.push_back(s.dim);
    layers.push_back(s.n_layers);
  }
  w.put("model_params", params);
  w.put("model_bytes", bytes);
  w.put("layer_flops", lf);
  w.put("unsplit_flops", uf);
  w.put("model_dim", dim);
  w.put("model_layers", layers);
  const std::vector<Device> devs = sc.devices_for(max_n);
  for (int i = 0; i < max_n; ++i)
    g.push_back(devs[i].flops), mem.push_back(devs[i].memory_bytes), dist.push_back(device_distance(sc, devs[i], i));
  std::vector<std::string> presets;
  for (int i = 0; i < max_n; ++i) presets.push_back(devs[i].preset);
  w.put("device_preset", presets);
  w.put("device_flops", g);
  w.put("device_memory_bytes", mem);
  w.put("device_distance_m", dist);
  out.attr("latency", "context_len", (int64_t)c.context_len);
  out.attr("latency", "tokens_per_step", (int64_t)sc.tokens_per_step);
  if (c.run.quiet) return;
  for (size_t a = 0; a < nm; ++a)
    for (size_t mi = 0; mi < na; ++mi)
      for (size_t b = 0; b < nb; ++b)
        for (size_t p = 0; p < np; ++p) {
          std::cerr << shapes[a].name << "  m=" << sc.m[mi] << "  B=" << bws[b] / 1e6 << " MHz  P=" << pws[p] << " dBm\n";
          for (size_t s = 0; s < ns; ++s) {
            std::cerr << "  " << c.schemes[s] << ":";
            for (size_t n = 0; n < nn; ++n) {
              const size_t i = idx(a, mi, b, p, s, n);
              std::ostringstream v;
              v.precision(4);
              if (feas[i]) v << tot[i]; else v << "-";
              std::cerr << "  N=" << sc.n_devices[n] << ": " << v.str();
            }
            std::cerr << " ms\n";
          }
        }
}

}  // namespace airtp
