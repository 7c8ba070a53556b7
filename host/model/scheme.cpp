#include "host/model/scheme.hpp"

#include "host/common/errors.hpp"

namespace airtp {

Coherence parse_coherence(const std::string& name) {
  if (name == "token") return Coherence::per_token;
  if (name == "allreduce") return Coherence::per_allreduce;
  throw InputError("channel.coherence (--coherence): must be token or allreduce, got '" + name + "'");
}

std::unique_ptr<AllReduce> make_allreduce(const SchemeSpec& scheme, int bits, const AirSetup& air) {
  if (scheme.kind == "exact") return std::make_unique<ExactAllReduce>();
  if (scheme.kind == "digital") return std::make_unique<DigitalAllReduce>(bits);
  AirSetup a = air;
  a.solver = parse_solver(scheme.solver, "schemes (--schemes)");
  if (scheme.kind == "aircomp") return std::make_unique<AirCompAllReduce>(a);
  if (scheme.kind == "fdma") return std::make_unique<FdmaAllReduce>(a);
  throw InputError("schemes (--schemes): '" + scheme.kind + "' is not a scheme of the accuracy simulation");
}

}  // namespace airtp
