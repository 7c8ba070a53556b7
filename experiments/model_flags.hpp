// Flags shared by the commands that run the bundled model (`ppl`, `generate`).
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include "host/model/scheme.hpp"

namespace airtp {

struct ModelFlags {
  std::string model = std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/stories260K.bin";
  std::string tokenizer = std::string(AIRTP_SOURCE_DIR) + "/data/models/stories260K/tok512.bin";
  int devices = 1;
  std::string m = "uniform";
  SchemeOptions sch;
  double k_db = 3.0;
};

inline void add_model_flags(CLI::App& sub, ModelFlags& f) {
  sub.add_option("--model", f.model, "llama2.c checkpoint")->capture_default_str();
  sub.add_option("--tokenizer", f.tokenizer, "llama2.c tokenizer.bin")->capture_default_str();
  sub.add_option("--devices,-N", f.devices, "number of devices N")->capture_default_str();
  sub.add_option("--m", f.m, "model assignment: 'uniform' or N comma-separated shares summing to 1")
      ->capture_default_str();
  sub.add_option("--scheme", f.sch.scheme, "all-reduce: exact, digital, fdma, aircomp")->capture_default_str();
  sub.add_option("--nr", f.sch.air.n_rx, "server antennas N_r")->capture_default_str();
  sub.add_option("--nt", f.sch.air.n_tx, "antennas per device N_t")->capture_default_str();
  sub.add_option("--streams", f.sch.air.streams, "parallel streams L (0: N_t)")->capture_default_str();
  sub.add_option("--k-db", f.k_db, "Rician K factor in dB")->capture_default_str();
  sub.add_option("--coherence", f.sch.coherence,
                 "channel coherence block: 'token' (one realization per token, shared by its all-reduces) or "
                 "'allreduce'")
      ->capture_default_str();
  sub.add_option("--noise", f.sch.noise,
                 "receiver noise: 'literal' (w drawn at every antenna, then A^H) or 'projected' (A^H w drawn from "
                 "its exact distribution)")
      ->capture_default_str();
  sub.add_option("--solver", f.sch.solver, "receive design for aircomp/fdma: eigen or fast")->capture_default_str();
  sub.add_option("--seed", f.sch.air.seed, "random seed")->capture_default_str();
}

inline void resolve_model_flags(ModelFlags& f) {
  f.sch.air.k_db = f.k_db;
  f.sch.air.n_dev = f.devices;
  resolve_scheme_options(f.sch);
}

}  // namespace airtp
