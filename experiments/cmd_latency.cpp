// airtp latency: per-token latency of tensor-parallel inference for LLaMA shapes, for
// AirComp, digital all-reduce, uncoded FDMA and centralised inference (SPEC §6).
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "experiments/commands.hpp"
#include "host/common/errors.hpp"
#include "host/io/result_file.hpp"
#include "host/latency/latency_sweep.hpp"

namespace airtp {
namespace {

// "a,b,c" -> numbers; InputError naming the flag.
std::vector<double> numbers(const std::string& flag, const std::string& text) {
  std::vector<double> v;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    char* stop = nullptr;
    const double x = std::strtod(item.c_str(), &stop);
    if (item.empty() || stop != item.c_str() + item.size() || !std::isfinite(x))
      throw InputError(flag + ": '" + item + "' is not a number (expected a comma list, e.g. 1,2,4)");
    v.push_back(x);
    start = end + 1;
  }
  return v;
}
std::vector<int> integers(const std::string& flag, const std::string& text) {
  std::vector<int> v;
  for (double x : numbers(flag, text)) {
    if (x != std::floor(x) || x < 1 || x > 4096) throw InputError(flag + ": " + std::to_string(x) + " is not an integer in 1..4096");
    v.push_back(int(x));
  }
  return v;
}
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    if (end > start) v.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return v;
}

struct Flags {
  std::string config, output = "results/latency.h5", models, model_files, devices, schemes, bandwidth, m, gflops,
                      memory, power, distance;
  int64_t context_len = 0;
  int quant_bits = 0, streams = 0, digital_streams = 0;
  double dl_rate = 0, dl_bandwidth = 0, dl_power = 0, bytes_per_param = 0;
  bool quiet = false;
};

int run(const Flags& f, CLI::App& sub) {
  LatencyConfig c;
  if (!f.config.empty()) load_latency_config(f.config, c);
  auto set = [&](const char* name) { return sub.get_option(name)->count() > 0; };
  if (set("--models")) c.models = words(f.models);
  if (set("--model-file")) c.model_files = words(f.model_files);
  if (set("--model-file") && !set("--models")) c.models.clear();
  if (set("--devices")) c.n_devices = integers("--devices", f.devices);
  if (set("--schemes")) c.schemes = words(f.schemes);
  if (set("--bandwidth-mhz")) c.bandwidth_mhz = numbers("--bandwidth-mhz", f.bandwidth);
  if (set("--m")) {
    c.m = numbers("--m", f.m);
    validate_assignment(c.m, int(c.m.size()), "--m");
    if (!set("--devices")) c.n_devices = {int(c.m.size())};
  }
  if (set("--context-len")) c.params.context_len = f.context_len;
  if (set("--quant-bits")) c.params.radio.quant_bits = f.quant_bits;
  if (set("--streams")) c.params.radio.streams = f.streams;
  if (set("--digital-streams")) c.params.radio.digital_streams = f.digital_streams;
  if (set("--bytes-per-param")) c.bytes_per_param = f.bytes_per_param;
  if (set("--downlink-rate-mbps")) c.params.radio.downlink_rate_bps = f.dl_rate * 1e6;
  if (set("--downlink-bandwidth-mhz")) c.params.radio.downlink_bandwidth_hz = f.dl_bandwidth * 1e6;
  if (set("--downlink-power-dbm")) c.params.radio.downlink_power_dbm = f.dl_power;
  // Device flags replace the mixes by one custom mix (unset lists keep the first mix's values).
  if (set("--gflops") || set("--memory-gb") || set("--power-dbm") || set("--distance-m")) {
    DeviceMix mix = c.mixes.empty() ? DeviceMix{} : c.mixes.front();
    mix.name = "custom";
    if (set("--gflops")) mix.gflops = numbers("--gflops", f.gflops);
    if (set("--memory-gb")) mix.memory_gb = numbers("--memory-gb", f.memory);
    if (set("--power-dbm")) mix.power_dbm = numbers("--power-dbm", f.power);
    if (set("--distance-m")) mix.distance_m = numbers("--distance-m", f.distance);
    c.mixes = {mix};
  }
  validate(c);
  RunInfo info{command_line(), c.to_toml(), 0, "cpu", "host CPU (closed-form latency model)", "latency"};
  ResultFile out(f.output, info);
  run_latency_sweep(c, out, f.quiet);
  out.commit();
  if (!f.quiet) std::cerr << "latency: wrote " << f.output << "\n";
  return 0;
}

const bool registered = register_command(
    {"latency", "Latency per generated token vs N for LLaMA shapes: AirComp, digital, FDMA, centralised",
     [](CLI::App& sub) -> std::function<int()> {
       auto f = std::make_shared<Flags>();
       sub.add_option("config", f->config, "TOML config file (flags override it)");
       sub.add_option("-o,--output", f->output, "result file (HDF5)")->capture_default_str();
       sub.add_option("--models", f->models, "model shapes, e.g. llama2-7b,llama3-70b");
       sub.add_option("--model-file", f->model_files, "llama2.c checkpoint(s), comma list (header read only; replaces the LLaMA shapes unless --models is given)");
       sub.add_option("--devices", f->devices, "N list, e.g. 1,2,4,8");
       sub.add_option("--schemes", f->schemes, "aircomp,digital,fdma,centralised");
       sub.add_option("--bandwidth-mhz", f->bandwidth, "uplink bandwidth list in MHz");
       sub.add_option("--m", f->m, "model assignment m_1,...,m_N (sums to 1; sets N)");
       sub.add_option("--context-len", f->context_len, "cached positions attended over per token");
       sub.add_option("--quant-bits", f->quant_bits, "Q, bits per value of the digital uplink");
       sub.add_option("--streams", f->streams, "L, parallel AirComp streams");
       sub.add_option("--digital-streams", f->digital_streams, "spatial streams per device, digital uplink");
       sub.add_option("--bytes-per-param", f->bytes_per_param, "bytes per weight (2: fp16)");
       sub.add_option("--downlink-rate-mbps", f->dl_rate, "fixed downlink rate (0: Shannon rate from SNR)");
       sub.add_option("--downlink-bandwidth-mhz", f->dl_bandwidth, "downlink bandwidth in MHz");
       sub.add_option("--downlink-power-dbm", f->dl_power, "server transmit power in dBm");
       sub.add_option("--gflops", f->gflops, "device speeds in GFLOP/s (one value or one per device)");
       sub.add_option("--memory-gb", f->memory, "device memories in GB");
       sub.add_option("--power-dbm", f->power, "device transmit powers in dBm");
       sub.add_option("--distance-m", f->distance, "device distances to the server in m");
       sub.add_flag("-q,--quiet", f->quiet, "no table on stderr");
       CLI::App* s = &sub;
       return [f, s] { return run(*f, *s); };
     }});

}  // namespace
}  // namespace airtp
