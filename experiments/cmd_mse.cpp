// airtp mse: Monte Carlo transmission MSE of AirComp all-reduce over channel realizations, and
// of its baselines (uncoded FDMA, digital quantization error) on the same realizations.
#include <iostream>
#include <sstream>

#include "experiments/cli_util.hpp"
#include "experiments/commands.hpp"
#include "host/common/backend_select.hpp"
#include "host/runs/shard_file.hpp"
#include "host/sweep/mse_sweep.hpp"

namespace airtp {
namespace {

struct MseFlags {
  std::string config, output = "results/mse.h5", backend, solver, devices, n_rx, n_tx, streams, k_db, snr_db,
                      tx_power, noise_mode, percentiles, shard, schemes, bits;
  long realizations = 0;
  int block = 0;
  uint64_t seed = 0;
  double bandwidth = 0;
  bool quiet = false, resume = false;
};

int run_mse(const MseFlags& f, CLI::App& sub) {
  MseConfig c;
  if (!f.config.empty()) load_mse_config(f.config, c);
  auto set = [&](const char* name) { return sub.get_option(name)->count() > 0; };
  if (set("--seed")) c.seed = f.seed;
  if (set("--backend")) c.backend = f.backend;
  if (set("--realizations")) c.realizations = f.realizations;
  if (set("--solver")) c.solver = f.solver;
  if (set("--devices")) c.devices = parse_int_list("--devices", f.devices);
  if (set("--n-rx")) c.n_rx = parse_int_list("--n-rx", f.n_rx);
  if (set("--n-tx")) c.n_tx = parse_int_list("--n-tx", f.n_tx);
  if (set("--streams")) c.streams = parse_int_list("--streams", f.streams);
  if (set("--k-db")) c.k_factor_db = parse_double_list("--k-db", f.k_db);
  if (set("--snr-db")) c.snr_db = parse_double_list("--snr-db", f.snr_db);
  if (set("--tx-power-dbm")) c.tx_power_dbm = parse_double_list("--tx-power-dbm", f.tx_power);
  if (set("--noise-mode")) c.noise_mode = f.noise_mode;
  if (set("--bandwidth")) c.bandwidth_hz = f.bandwidth;
  if (set("--schemes")) {
    c.schemes.clear();
    std::stringstream ss(f.schemes);
    for (std::string t; std::getline(ss, t, ',');) c.schemes.push_back(t);
  }
  if (set("--bits")) c.digital_bits = parse_int_list("--bits", f.bits);
  if (set("--block")) c.digital_block = f.block;
  if (set("--percentiles")) c.percentiles = parse_double_list("--percentiles", f.percentiles);
  validate(c);
  const ShardSpec shard = set("--shard") ? parse_shard("--shard", f.shard) : ShardSpec{};
  const Backend b = select_backend(c.backend);
  const std::string toml = c.to_toml();
  const RealizationRange range = shard_range(shard, (uint64_t)c.realizations);
  // Finished blocks are always checkpointed (cheap); --resume decides whether an old
  // checkpoint of this output is used or discarded.
  const Checkpoint ckpt(f.output, run_identity("mse", toml, shard, backend_name(b)), f.resume);
  const SampleSet samples = mse_samples(c, b, range.begin, range.end, &ckpt, f.quiet);
  if (shard.given) {
    ResultFile out(f.output, run_info("shard", toml, c.seed, b));
    write_shard(out, make_shard_header("mse", toml, c.seed, backend_name(b), shard, (uint64_t)c.realizations), samples);
    out.commit();
  } else {
    ResultFile out(f.output, run_info("mse", toml, c.seed, b));
    write_mse_results(c, samples, out);
    out.commit();
  }
  ckpt.remove();
  if (!f.quiet) std::cerr << "mse: wrote " << (shard.given ? "shard " + f.shard + " to " : std::string()) << f.output << "\n";
  return 0;
}

const bool registered = register_command({"mse", "Transmission MSE of AirComp (and FDMA, digital) all-reduce vs N, N_r, N_t, L, K and SNR",
                                          [](CLI::App& sub) -> std::function<int()> {
  auto f = std::make_shared<MseFlags>();
  sub.add_option("config", f->config, "TOML config file (flags override it)");
  sub.add_option("-o,--output", f->output, "result file (HDF5)")->capture_default_str();
  sub.add_option("--seed", f->seed, "random seed");
  sub.add_option("--backend", f->backend, "auto, cpu or cuda");
  sub.add_option("--realizations", f->realizations, "channel realizations per point");
  sub.add_option("--solver", f->solver, "receive beamformer: eigen, random, fast or sdr");
  sub.add_option("--devices", f->devices, "N list, e.g. 2,4,8");
  sub.add_option("--schemes", f->schemes,
                 "curves: aircomp, fdma, digital (comma list); aircomp:SOLVER / fdma:SOLVER for another design");
  sub.add_option("--bits", f->bits, "digital: bits per real part, list (e.g. 4,8)");
  sub.add_option("--block", f->block, "digital: symbols per device sharing one quantizer range");
  sub.add_option("--n-rx", f->n_rx, "N_r list");
  sub.add_option("--n-tx", f->n_tx, "N_t list");
  sub.add_option("--streams", f->streams, "L list (0: L = N_t)");
  sub.add_option("--k-db", f->k_db, "Rician K list in dB (-inf: Rayleigh)");
  sub.add_option("--snr-db", f->snr_db, "SNR list in dB (normalised mode), or start:stop:step");
  sub.add_option("--tx-power-dbm", f->tx_power, "transmit power list in dBm (physical mode)");
  sub.add_option("--noise-mode", f->noise_mode, "normalised or physical");
  sub.add_option("--bandwidth", f->bandwidth, "bandwidth in Hz (physical mode)");
  sub.add_option("--percentiles", f->percentiles, "percentile levels, e.g. 5,50,95");
  sub.add_option("--shard", f->shard, "i/n: compute only piece i of n (a realization range) into a shard file for `airtp merge`");
  sub.add_flag("--resume", f->resume, "continue an interrupted run from its checkpoint (OUTPUT.ckpt/)");
  sub.add_flag("-q,--quiet", f->quiet, "no progress output");
  CLI::App* s = &sub;
  return [f, s] { return run_mse(*f, *s); };
}, finalize_mse});

}  // namespace
}  // namespace airtp
