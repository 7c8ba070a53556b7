// Builds an all-reduce scheme by name from command-line options, shared by `airtp ppl` and
// `airtp generate`.
#pragma once
#include <memory>
#include <string>
#include "host/model/allreduce_air.hpp"

namespace airtp {

struct SchemeOptions {
  std::string scheme = "aircomp";  // exact | digital | fdma | aircomp
  int bits = 8;                    // digital
  AirOptions air;                  // fdma, aircomp (snr_db set per point)
  std::string coherence = "token"; // token | allreduce
  std::string noise = "literal";   // literal | projected
  std::string solver = "eigen";    // eigen | fast (receive design of aircomp and fdma)
};

// Validates the names (InputError naming --scheme, --coherence, --noise or --solver) and fills air.
void resolve_scheme_options(SchemeOptions& o);
std::unique_ptr<AllReduce> make_scheme(const SchemeOptions& o, double snr_db, int bits);
bool scheme_uses_snr(const std::string& scheme);

}  // namespace airtp
