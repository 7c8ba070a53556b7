// The latency model, term by term, against hand-computed values; the LLaMA shapes against
// their published parameter counts; the CLI end to end.
#include <gtest/gtest.h>
#include <H5Cpp.h>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include "host/common/errors.hpp"
#include "host/latency/latency.hpp"
#include "host/latency/latency_run.hpp"
#include "host/scenario/model_shape.hpp"
#include "tests/h5_util.hpp"

using namespace airtp;
namespace fs = std::filesystem;

TEST(ModelShapes, ParameterCountsMatchPublishedTotals) {
  // Exact totals as reported for the released checkpoints.
  EXPECT_EQ(known_shape("llama2-7b").total_params(), 6738415616.0);
  EXPECT_EQ(known_shape("llama3-8b").total_params(), 8030261248.0);
  // Rounded totals from the model cards.
  const std::pair<const char*, double> cards[] = {
      {"llama2-7b", 6.74e9}, {"llama2-13b", 13.0e9}, {"llama2-70b", 69.0e9}, {"llama3-8b", 8.03e9}, {"llama3-70b", 70.6e9}};
  for (auto [name, total] : cards) EXPECT_NEAR(known_shape(name).total_params() / total, 1.0, 0.005) << name;
  EXPECT_DOUBLE_EQ(known_shape("LLaMA2-7B").model_bytes(), 2.0 * 6738415616.0);
  EXPECT_THROW(known_shape("llama4-1t"), InputError);
}

TEST(ModelShapes, LayerFlopsByHand) {
  // dim 8, hidden 16, 2 query heads of 4, 1 KV head: Q 64 + K,V 2*32 + O 64 + MLP 3*128 = 576
  // weights; 2*576 FLOPs of matmuls + attention 4 * (2*4) * 10 positions = 320.
  ModelShape s{"tiny", 8, 16, 3, 2, 1, 32, false, 2.0};
  EXPECT_EQ(s.layer_matmul_params(), 576.0);
  EXPECT_EQ(layer_flops(s, 10), 1152.0 + 320.0);
  EXPECT_EQ(layer_flops(s, 0), 1152.0);
  EXPECT_EQ(unsplit_flops(s), 2.0 * 8 * 32);
  // embedding 256 + 3 layers (576 + 16 norm) + final norm 8 + classifier 256.
  EXPECT_EQ(s.total_params(), 256.0 + 3 * 592.0 + 8.0 + 256.0);
  s.shared_classifier = true;
  EXPECT_EQ(s.total_params(), 256.0 + 3 * 592.0 + 8.0);
}

TEST(ModelShapes, FromConfigAndLlama2cHeader) {
  ModelConfig cfg;
  cfg.name = "m";
  cfg.dim = 64; cfg.hidden_dim = 172; cfg.n_layers = 5; cfg.n_heads = 8; cfg.n_kv_heads = 4; cfg.vocab_size = 512;
  const ModelShape a = shape_from_config(cfg, true);
  EXPECT_EQ(a.kv_dim(), 32);
  EXPECT_TRUE(a.shared_classifier);

  const fs::path p = fs::temp_directory_path() / "airtp_latency_header.bin";
  auto write = [&](std::vector<int32_t> h) {
    std::ofstream o(p, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(h.data()), std::streamsize(h.size() * 4));
  };
  write({64, 172, 5, 8, 4, 512, 512, 0, 0});
  ModelShape b = shape_from_llama2c_header(p.string());
  EXPECT_EQ(b.dim, 64); EXPECT_EQ(b.hidden_dim, 172); EXPECT_EQ(b.n_layers, 5); EXPECT_EQ(b.n_kv_heads, 4);
  EXPECT_EQ(b.vocab_size, 512);
  EXPECT_TRUE(b.shared_classifier);
  EXPECT_EQ(b.total_params(), a.total_params());
  write({64, 172, 5, 8, 4, -512, 512});  // negative vocab: own classifier
  b = shape_from_llama2c_header(p.string());
  EXPECT_FALSE(b.shared_classifier);
  EXPECT_EQ(b.vocab_size, 512);
  write({64, 172, 5});  // short
  EXPECT_THROW(shape_from_llama2c_header(p.string()), InputError);
  write({64, 172, 5, 7, 4, 512, 512});  // 7 heads do not divide 64
  EXPECT_THROW(shape_from_llama2c_header(p.string()), InputError);
  EXPECT_THROW(shape_from_llama2c_header("/nonexistent/x.bin"), InputError);
  fs::remove(p);
}

TEST(Latency, AirCompAndFdmaAirtime) {
  EXPECT_EQ(symbols_per_allreduce(4096), 2048);
  EXPECT_EQ(symbols_per_allreduce(4097), 2049);
  // 2048 symbols over 4 streams: 512 slots at 5 MHz.
  EXPECT_DOUBLE_EQ(aircomp_airtime_s(2048, 4, 5e6), 512 / 5e6);
  EXPECT_DOUBLE_EQ(aircomp_airtime_s(2049, 4, 5e6), 513 / 5e6);
  EXPECT_DOUBLE_EQ(fdma_airtime_s(2048, 4, 5e6, 3), 3 * 512 / 5e6);
}

TEST(Latency, PathLossAndNoise) {
  RadioParams r;  // C_0 = 30 dB loss at 1 m, kappa = 3
  EXPECT_NEAR(path_gain(r, 100) / 1e-9, 1.0, 1e-12);
  r.noise_figure_db = 0;
  EXPECT_NEAR(noise_power_w(r, 1e6) / (std::pow(10.0, -20.4) * 1e6), 1.0, 1e-12);  // -174 dBm/Hz
  EXPECT_THROW(path_gain(r, 0), InputError);
}

TEST(Latency, DigitalUplinkSlowestDeviceAtShannonRate) {
  RadioParams r;
  r.bandwidth_hz = 1e6;
  r.noise_density_dbm_hz = -60;  // 1e-9 W/Hz
  r.noise_figure_db = 0;
  r.path_loss_db_at_1m = 0;
  r.path_loss_exponent = 2;
  r.quant_bits = 8;
  r.digital_streams = 1;
  // Two devices share 1 MHz: 0.5 MHz each, noise 5e-4 W. 7.5 mW at 1 m: SNR 15, 4 bit/s/Hz.
  DeviceProfile near{1e9, 1e9, 10 * std::log10(7.5e-3) + 30, 1.0};
  DeviceProfile far = near;
  far.distance_m = 2.0;  // a quarter of the gain: SNR 3.75
  const double bits = 2 * 2048 * 8;
  EXPECT_NEAR(digital_uplink_s(2048, {near, near}, r), bits / (0.5e6 * 4.0), 1e-12);
  EXPECT_NEAR(digital_uplink_s(2048, {near, far}, r), bits / (0.5e6 * std::log2(4.75)), 1e-12);
  // Two streams with the power halved: 2 x 0.5 MHz x log2(1 + 7.5).
  r.digital_streams = 2;
  EXPECT_NEAR(digital_uplink_s(2048, {near, near}, r), bits / (2 * 0.5e6 * std::log2(8.5)), 1e-12);
}

TEST(Latency, DownlinkFixedRateAndFarthestDevice) {
  RadioParams r;
  r.downlink_rate_bps = 1e8;
  r.downlink_bits = 8;
  EXPECT_DOUBLE_EQ(downlink_s(4096, {DeviceProfile{}}, r), 4096 * 8 / 1e8);
  r.downlink_rate_bps = 0;
  r.downlink_bandwidth_hz = 1e6;
  r.downlink_power_dbm = 10 * std::log10(15e-3) + 30;  // 15 mW
  r.noise_density_dbm_hz = -60;
  r.noise_figure_db = 0;
  r.path_loss_db_at_1m = 0;
  r.path_loss_exponent = 2;
  DeviceProfile a, b;
  a.distance_m = 1;
  b.distance_m = 0.5;
  // Farthest at 1 m: SNR 15 over 1 MHz with 1e-3 W noise: 4 Mbit/s.
  EXPECT_NEAR(downlink_s(100, {a, b}, r), 800 / 4e6, 1e-12);
}

TEST(Latency, ComputeMaxAndMemory) {
  std::vector<DeviceProfile> d(3);
  d[0].flops = 1e12; d[1].flops = 2e11; d[2].flops = 1e12;
  // 0.5 s, 1.25 s, 0.25 s: the second device sets the time.
  EXPECT_DOUBLE_EQ(split_compute_s(1e12, {0.5, 0.25, 0.25}, d), 1.25);
  std::vector<DeviceProfile> m(2);
  m[0].memory_bytes = 75; m[1].memory_bytes = 25;
  EXPECT_FALSE(fits_memory(100, {0.5, 0.5}, m));    // 50 > 25 on the second device
  EXPECT_TRUE(fits_memory(100, {0.75, 0.25}, m));   // exactly full is allowed
  EXPECT_FALSE(fits_memory(100, {0.875, 0.125}, m));  // 87.5 > 75 on the first
  EXPECT_THROW(validate_assignment({0.5, 0.6}, 2, "m"), InputError);
  EXPECT_THROW(validate_assignment({1.5, -0.5}, 2, "m"), InputError);
  EXPECT_THROW(validate_assignment({1.0}, 2, "m"), InputError);
}

namespace {
// Tiny shape with hand-checkable numbers: F_layer = 1152 (context 0), unsplit 512 FLOPs,
// 3 layers; devices at 1000 FLOP/s; uplink 1 kHz, 4 streams; downlink fixed 64 bit/s.
struct Tiny {
  ModelShape s{"tiny", 8, 16, 3, 2, 1, 32, false, 2.0};
  LatencyParams p;
  std::vector<DeviceProfile> devs;
  Tiny(int n) {
    p.context_len = 0;
    p.radio.bandwidth_hz = 1e3;
    p.radio.streams = 4;
    p.radio.downlink_rate_bps = 64;
    p.radio.downlink_bits = 8;
    devs.assign(size_t(n), DeviceProfile{1e3, 1e6, 20, 100});
  }
};
}  // namespace

TEST(Latency, WholeTokenByHand) {
  Tiny t(2);
  // Compute 3 x 1152/2/1000 + 512/1000; numel 8 -> 4 symbols -> 1 slot of 1 ms per all-reduce;
  // downlink 64 bits at 64 bit/s = 1 s; 6 all-reduces.
  TokenLatency a = token_latency(t.s, Scheme::AirComp, t.devs, {}, t.p);
  ASSERT_TRUE(a.feasible);
  EXPECT_DOUBLE_EQ(a.compute_s, 1.728 + 0.512);
  EXPECT_DOUBLE_EQ(a.uplink_s, 6e-3);
  EXPECT_DOUBLE_EQ(a.downlink_s, 6.0);
  EXPECT_DOUBLE_EQ(a.total_s, 2.24 + 6e-3 + 6.0);
  TokenLatency f = token_latency(t.s, Scheme::Fdma, t.devs, {}, t.p);
  EXPECT_DOUBLE_EQ(f.uplink_s, 2 * a.uplink_s);
  // Non-uniform m: the device with 0.75 sets the compute time.
  TokenLatency u = token_latency(t.s, Scheme::AirComp, t.devs, {0.75, 0.25}, t.p);
  EXPECT_DOUBLE_EQ(u.compute_s, 3 * 0.75 * 1.152 + 0.512);
  // Centralised: everything on one device, nothing on the air.
  TokenLatency c = token_latency(t.s, Scheme::Centralised, t.devs, {}, t.p);
  EXPECT_DOUBLE_EQ(c.total_s, (3 * 1152 + 512) / 1e3);
  EXPECT_EQ(c.uplink_s + c.downlink_s, 0.0);
  // One device: no all-reduce whatever the scheme.
  Tiny one(1);
  for (Scheme s : all_schemes()) EXPECT_DOUBLE_EQ(token_latency(one.s, s, one.devs, {}, one.p).total_s, c.total_s);
  // A device holding nothing does not transmit: one participant, no all-reduce.
  EXPECT_EQ(token_latency(t.s, Scheme::Digital, t.devs, {1.0, 0.0}, t.p).uplink_s, 0.0);
}

TEST(Latency, MemoryDecidesFeasibility) {
  Tiny t(2);
  const double bytes = t.s.model_bytes();
  for (auto& d : t.devs) d.memory_bytes = 0.6 * bytes;  // half fits, the whole does not
  EXPECT_TRUE(token_latency(t.s, Scheme::AirComp, t.devs, {}, t.p).feasible);
  EXPECT_FALSE(token_latency(t.s, Scheme::Centralised, t.devs, {}, t.p).feasible);
  EXPECT_FALSE(token_latency(t.s, Scheme::AirComp, t.devs, {0.7, 0.3}, t.p).feasible);
  Tiny one(1);
  one.devs[0].memory_bytes = 0.6 * bytes;
  EXPECT_FALSE(token_latency(one.s, Scheme::AirComp, one.devs, {}, one.p).feasible);
}

namespace {
// What `airtp latency` evaluates for a config: the devices of an N-device point as profiles
// (their distances drawn per topology unless given) and the radio from the scenario.
std::vector<DeviceProfile> profiles(const LatencyConfig& c, int N, double power_dbm) {
  std::vector<DeviceProfile> p;
  const std::vector<Device> devs = c.scenario.devices_for(N);
  for (int i = 0; i < N; ++i)
    p.push_back({devs[i].flops, devs[i].memory_bytes, power_dbm, device_distance(c.scenario, devs[i], i)});
  return p;
}
LatencyParams params(const LatencyConfig& c, double bandwidth_hz) {
  LatencyParams p = c.params;
  p.context_len = c.context_len;
  p.tokens = c.scenario.tokens_per_step;
  p.radio.bandwidth_hz = bandwidth_hz;
  p.radio.streams = c.scenario.streams[0] > 0 ? c.scenario.streams[0] : c.scenario.n_tx[0];
  p.radio.noise_density_dbm_hz = c.scenario.noise_density_dbm_hz;
  p.radio.noise_figure_db = c.scenario.noise_figure_db;
  p.radio.path_loss_db_at_1m = c.scenario.path_loss_db_at_1m;
  p.radio.path_loss_exponent = c.scenario.path_loss_exponent;
  p.radio.quant_bits = c.digital_bits[0];
  return p;
}
}  // namespace

namespace {
// SPEC §6 Table I (ms per token at 1/2/4/8 devices; 0 = does not fit one device).
const std::pair<const char*, std::array<double, 4>> kTableI[] = {{"llama2-7b", {114.2, 69.7, 45.7, 37.8}},
                                                                {"llama2-13b", {217.3, 128.5, 81.3, 66.4}},
                                                                {"llama2-70b", {0, 660.9, 423.0, 354.2}},
                                                                {"llama3-70b", {0, 746.8, 477.1, 406.0}}};

void expect_near_table_i(const LatencyConfig& c) {
  const int ns[] = {1, 2, 4, 8};
  for (auto& [name, ms] : kTableI) {
    const ModelShape s = known_shape(name);
    for (int i = 0; i < 4; ++i) {
      const TokenLatency t = token_latency(s, Scheme::AirComp, profiles(c, ns[i], c.scenario.tx_power_dbm[0]), {},
                                           params(c, c.scenario.bandwidth_axis[0]));
      if (ms[size_t(i)] == 0) {
        EXPECT_FALSE(t.feasible) << name << " N=" << ns[i];
        continue;
      }
      ASSERT_TRUE(t.feasible) << name << " N=" << ns[i];
      EXPECT_NEAR(t.total_s * 1e3 / ms[size_t(i)], 1.0, 0.25) << name << " N=" << ns[i];
    }
  }
}
}  // namespace

// The README's defaults (115 GFLOP/s, 80 GB, 20 dBm, devices at 50, 100, ..., 400 m, 5 MHz):
// its table of ours against Table I, to the 0.1 ms it prints, and within 25% of the paper.
TEST(Latency, ReadmeDevicesReproduceItsTableAndLandNearTableI) {
  LatencyConfig c;
  c.scenario.device_tables.assign(8, Device{});
  for (int k = 0; k < 8; ++k) c.scenario.device_tables[k].distance_m = 50.0 * (k + 1);
  expect_near_table_i(c);
  const std::pair<const char*, std::array<double, 4>> readme[] = {{"llama2-7b", {117.2, 72.9, 48.0, 46.1}},
                                                                  {"llama2-13b", {227.2, 135.5, 85.5, 76.8}},
                                                                  {"llama2-70b", {0, 671.3, 390.2, 301.8}},
                                                                  {"llama3-70b", {0, 685.0, 403.9, 315.5}}};
  const int ns[] = {1, 2, 4, 8};
  for (auto& [name, ms] : readme)
    for (int i = 0; i < 4; ++i) {
      if (ms[size_t(i)] == 0) continue;
      const TokenLatency t = token_latency(known_shape(name), Scheme::AirComp, profiles(c, ns[i], 20), {}, params(c, 5e6));
      EXPECT_NEAR(t.total_s * 1e3, ms[size_t(i)], 0.051) << name << " N=" << ns[i];
    }
}

namespace {
// Runs the airtp binary; returns its exit code, stderr in `err`.
int run_airtp(const std::string& args, std::string* err = nullptr) {
  const fs::path log = airtp::test::scratch_dir("latency") / "cli.err";
  const int rc = std::system((std::string(AIRTP_BINARY) + " latency " + args + " 2> " + log.string()).c_str());
  if (err) {
    std::ifstream in(log);
    *err = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}
}  // namespace

TEST(LatencyCli, WritesTableConsistentWithModel) {
  const fs::path out = airtp::test::scratch_dir("latency") / "cli.h5";
  fs::remove(out);
  ASSERT_EQ(run_airtp("-q -o " + out.string() + " --model llama2-7b,llama2-70b -N 1,2,8 --bandwidth-hz 5e6,10e6"), 0);
  const std::string o = out.string();
  std::vector<hsize_t> dims;
  const auto tot = airtp::test::read_doubles(o, "latency/total_ms", &dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{2, 1, 2, 1, 4, 3}));  // model, assignment, bandwidth, power, scheme, N
  EXPECT_EQ(airtp::test::dim_names(o, "latency/total_ms"),
            (std::vector<std::string>{"model", "assignment", "bandwidth_hz", "tx_power_dbm", "scheme", "n_devices"}));
  EXPECT_EQ(airtp::test::read_doubles(o, "latency/bandwidth_hz"), (std::vector<double>{5e6, 10e6}));
  EXPECT_EQ(airtp::test::read_ints(o, "latency/n_devices"), (std::vector<int64_t>{1, 2, 8}));
  const auto comp = airtp::test::read_doubles(o, "latency/compute_ms"), up = airtp::test::read_doubles(o, "latency/uplink_ms"),
             down = airtp::test::read_doubles(o, "latency/downlink_ms");
  const auto feas = airtp::test::read_ints(o, "latency/feasible");
  const auto vs_dig = airtp::test::read_doubles(o, "latency/speedup_vs_digital");
  const LatencyConfig c;
  const ModelShape shapes[] = {known_shape("llama2-7b"), known_shape("llama2-70b")};
  const double bws[] = {5e6, 10e6};
  const int ns[] = {1, 2, 8};
  size_t i = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (Scheme s : all_schemes())
        for (int n : ns) {
          const auto prof = profiles(c, n, 20);
          const TokenLatency t = token_latency(shapes[a], s, prof, {}, params(c, bws[b]));
          const TokenLatency d = token_latency(shapes[a], Scheme::Digital, prof, {}, params(c, bws[b]));
          EXPECT_EQ(feas[i], t.feasible ? 1 : 0);
          if (t.feasible) {
            EXPECT_NEAR(tot[i], t.total_s * 1e3, 1e-9 * tot[i]);
            EXPECT_NEAR(comp[i] + up[i] + down[i], tot[i], 1e-9 * tot[i]);
            EXPECT_NEAR(vs_dig[i], d.total_s / t.total_s, 1e-12);
          } else {
            EXPECT_EQ(tot[i], 0.0);  // masked by feasible = 0: written as 0, never NaN
          }
          ++i;
        }
  // Self-description: units and the mask on the table.
  EXPECT_EQ(airtp::test::str_attr(o, "latency/total_ms", "units"), "ms");
  EXPECT_EQ(airtp::test::str_attr(o, "latency/total_ms", "masked_by"), "latency/feasible");
  // The devices' distances are the scenario's topology, recorded per device.
  const auto dist = airtp::test::read_doubles(o, "latency/device_distance_m");
  ASSERT_EQ(dist.size(), 8u);
  for (int k = 0; k < 8; ++k) EXPECT_EQ(dist[k], device_distance(c.scenario, Device{}, k));
}

TEST(LatencyCli, AssignmentAndModelFile) {
  const fs::path dir = airtp::test::scratch_dir("latency");
  const fs::path hdr = dir / "model.bin";
  {
    const int32_t h[7] = {64, 172, 5, 8, 4, 512, 512};
    std::ofstream o(hdr, std::ios::binary);
    o.write(reinterpret_cast<const char*>(h), sizeof h);
  }
  const fs::path out = dir / "cli2.h5";
  ASSERT_EQ(run_airtp("-q -o " + out.string() + " --model-file " + hdr.string() + " -N 2 --m 0.75,0.25 --schemes aircomp"), 0);
  std::vector<hsize_t> dims;
  const auto comp = airtp::test::read_doubles(out.string(), "latency/compute_ms", &dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{1, 1, 1, 1, 1, 1}));
  const ModelShape s = shape_from_llama2c_header(hdr.string());
  const LatencyConfig c;
  const double f = c.scenario.devices_for(1)[0].flops;
  // Device 1 holds 3/4 of every layer: it sets the compute time.
  const double expect = double(s.n_layers) * 0.75 * layer_flops(s, c.context_len) / f + unsplit_flops(s) / f;
  EXPECT_NEAR(comp[0], expect * 1e3, 1e-9 * comp[0]);
  EXPECT_EQ(airtp::test::read_doubles(out.string(), "latency/model_params")[0], s.total_params());
  EXPECT_EQ(airtp::test::read_strings(out.string(), "latency/assignment"), std::vector<std::string>{"0.75,0.25"});
}

TEST(LatencyCli, BadInputExitsTwoNamingTheField) {
  const fs::path dir = airtp::test::scratch_dir("latency");
  const std::string o = " -q -o " + (dir / "bad.h5").string();
  std::string err;
  EXPECT_EQ(run_airtp(o + " --n-devices 0", &err), 2);
  EXPECT_NE(err.find("channel.n_devices (--n-devices)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " -N 2 --m 0.5,0.6", &err), 2);
  EXPECT_NE(err.find("m (--m)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --quant-bits 0", &err), 2);  // an old spelling of --bits
  EXPECT_NE(err.find("digital.bits (--bits)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --bits 4,8", &err), 2);
  EXPECT_NE(err.find("digital.bits (--bits): latency takes a single bit width"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --schemes aircomp,smoke-signals", &err), 2);
  EXPECT_NE(err.find("schemes (--schemes)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --models llama9", &err), 2);
  EXPECT_NE(err.find("llama9"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --bandwidth-hz 5e6,x", &err), 2);
  EXPECT_NE(err.find("noise.bandwidth_hz (--bandwidth-hz)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " -N 1,64", &err), 2);
  EXPECT_NE(err.find("channel.n_devices (--n-devices)"), std::string::npos) << err;
  EXPECT_EQ(run_airtp(o + " --model-file /nonexistent.bin", &err), 2);
  EXPECT_NE(err.find("/nonexistent.bin"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir / "bad.h5"));

  const fs::path cfg = dir / "bad.toml";
  auto write = [&](const std::string& text) { std::ofstream(cfg) << text; };
  write("[channel]\nn_devices = [2]\n[digital]\nbitz = 8\n");
  EXPECT_EQ(run_airtp(cfg.string() + o, &err), 2);
  EXPECT_NE(err.find("unknown field 'digital.bitz' (did you mean 'digital.bits'?)"), std::string::npos) << err;
  write("[noise]\nbandwidth_hz = \"wide\"\n");
  EXPECT_EQ(run_airtp(cfg.string() + o, &err), 2);
  EXPECT_NE(err.find("noise.bandwidth_hz (--bandwidth-hz)"), std::string::npos) << err;
  write("[[device]]\npreset = \"phone\"\nflops = -1\n");
  EXPECT_EQ(run_airtp(cfg.string() + o, &err), 2);
  EXPECT_NE(err.find("device[0].flops"), std::string::npos) << err;
  write("model = [\n");
  EXPECT_EQ(run_airtp(cfg.string() + o, &err), 2);
  EXPECT_NE(err.find(cfg.string()), std::string::npos) << err;
}

TEST(ModelShapes, BundledCheckpointHeaderAgreesWithItsWeights) {
  const fs::path p = fs::path(AIRTP_SOURCE_DIR) / "data/models/stories260K/stories260K.bin";
  if (!fs::exists(p)) GTEST_SKIP() << p << " not bundled in this checkout";
  const ModelShape s = shape_from_llama2c_header(p.string());
  EXPECT_EQ(s.dim, 64);
  EXPECT_EQ(s.n_layers, 5);
  EXPECT_EQ(s.n_heads, 8);
  EXPECT_EQ(s.n_kv_heads, 4);
  EXPECT_EQ(s.vocab_size, 512);
  EXPECT_TRUE(s.shared_classifier);
  // The legacy llama2.c file is the header, every weight as fp32, then the RoPE tables
  // (seq_len x head_dim floats): the parameter count must account for the file size exactly.
  const double seq_len = 512;
  EXPECT_EQ(double(fs::file_size(p)), 28.0 + 4.0 * (s.total_params() + seq_len * double(s.head_dim())));
}
