// Builds an all-reduce scheme of the accuracy simulation from its name (host/scenario/
// scheme_spec.hpp): exact, digital (Q bits), aircomp or fdma over the scenario's link.
#pragma once
#include <memory>

#include "host/model/allreduce_air.hpp"
#include "host/scenario/scheme_spec.hpp"

namespace airtp {

// `air` is used by aircomp and fdma (its solver is the scheme's), `bits` by digital.
std::unique_ptr<AllReduce> make_allreduce(const SchemeSpec& scheme, int bits, const AirSetup& air);

Coherence parse_coherence(const std::string& name);  // "token" | "allreduce"; InputError

}  // namespace airtp
