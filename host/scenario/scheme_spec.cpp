#include "host/scenario/scheme_spec.hpp"

#include <algorithm>

#include "host/common/errors.hpp"
#include "host/solvers/solve.hpp"

namespace airtp {

SchemeSpec parse_scheme_spec(const std::string& entry, const std::string& default_solver,
                             const std::vector<std::string>& allowed, const std::string& field) {
  const size_t colon = entry.find(':');
  SchemeSpec s{entry.substr(0, colon), colon == std::string::npos ? default_solver : entry.substr(colon + 1)};
  if (std::find(allowed.begin(), allowed.end(), s.kind) == allowed.end()) {
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw InputError(field + ": '" + entry + "' is not one of " + list +
                     " (aircomp:SOLVER or fdma:SOLVER for another receive design)");
  }
  if (!s.analog()) {
    if (colon != std::string::npos)
      throw InputError(field + ": '" + s.kind + "' takes no solver, got '" + entry + "'");
    s.solver.clear();
    return s;
  }
  parse_solver(s.solver, field + " ('" + entry + "')");
  return s;
}

std::vector<SchemeSpec> parse_schemes(const std::vector<std::string>& entries, const std::string& default_solver,
                                      const std::vector<std::string>& allowed, const std::string& field) {
  if (entries.empty()) throw InputError(field + ": must name at least one scheme");
  std::vector<SchemeSpec> out;
  for (const std::string& e : entries) {
    const SchemeSpec s = parse_scheme_spec(e, default_solver, allowed, field);
    for (const SchemeSpec& o : out)
      if (o.kind == s.kind && o.solver == s.solver)
        throw InputError(field + ": '" + e + "' repeats the scheme " + s.label());
    out.push_back(s);
  }
  return out;
}

}  // namespace airtp
