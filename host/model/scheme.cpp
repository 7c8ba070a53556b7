#include "host/model/scheme.hpp"

#include "host/common/errors.hpp"

namespace airtp {

bool scheme_uses_snr(const std::string& s) { return s == "aircomp" || s == "fdma"; }

void resolve_scheme_options(SchemeOptions& o) {
  if (o.scheme != "exact" && o.scheme != "digital" && o.scheme != "fdma" && o.scheme != "aircomp")
    throw InputError("--scheme: '" + o.scheme + "' is not one of exact, digital, fdma, aircomp");
  if (o.coherence == "token")
    o.air.coherence = Coherence::per_token;
  else if (o.coherence == "allreduce")
    o.air.coherence = Coherence::per_allreduce;
  else
    throw InputError("--coherence: '" + o.coherence + "' is not 'token' or 'allreduce'");
  if (o.noise == "literal")
    o.air.literal_noise = true;
  else if (o.noise == "projected")
    o.air.literal_noise = false;
  else
    throw InputError("--noise: '" + o.noise + "' is not 'literal' or 'projected'");
  // sdr (seconds per design) and random are left out: one design per token and realization.
  if (o.solver == "eigen")
    o.air.fast_design = false;
  else if (o.solver == "fast")
    o.air.fast_design = true;
  else
    throw InputError("--solver: '" + o.solver + "' is not 'eigen' or 'fast'");
}

std::unique_ptr<AllReduce> make_scheme(const SchemeOptions& o, double snr_db, int bits) {
  if (o.scheme == "exact") return std::make_unique<ExactAllReduce>();
  if (o.scheme == "digital") return std::make_unique<DigitalAllReduce>(bits);
  AirOptions a = o.air;
  a.snr_db = snr_db;
  if (o.scheme == "fdma") return std::make_unique<FdmaAllReduce>(a);
  return std::make_unique<AirCompAllReduce>(a);
}

}  // namespace airtp
