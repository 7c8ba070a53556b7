// The all-reduce schemes of SPEC §6-§7 as the commands name them, one vocabulary for `mse`,
// `ppl`, `generate` and `latency`:
//   exact            the error-free sum (accuracy simulation only)
//   aircomp[:SOLVER] over-the-air computation with the receive design of SOLVER
//   fdma[:SOLVER]    uncoded FDMA: each device alone on its own sub-band
//   digital          Q-bit quantization, error-free transmission at the Shannon rate
//   centralised      one device runs the whole model (latency only)
// A scheme without ":SOLVER" uses the command's `solver`.
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct SchemeSpec {
  std::string kind;    // exact | aircomp | fdma | digital | centralised
  std::string solver;  // receive design of aircomp / fdma ("" otherwise)
  bool analog() const { return kind == "aircomp" || kind == "fdma"; }
  std::string label() const { return analog() ? kind + " (" + solver + ")" : kind; }
};

// Parses an entry; InputError naming `field` when the kind is not one of `allowed` or the
// solver is unknown.
SchemeSpec parse_scheme_spec(const std::string& entry, const std::string& default_solver,
                             const std::vector<std::string>& allowed, const std::string& field = "schemes (--schemes)");

// Parses and checks a list: not empty, no scheme twice.
std::vector<SchemeSpec> parse_schemes(const std::vector<std::string>& entries, const std::string& default_solver,
                                      const std::vector<std::string>& allowed,
                                      const std::string& field = "schemes (--schemes)");

}  // namespace airtp
