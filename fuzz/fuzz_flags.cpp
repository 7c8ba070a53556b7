// libFuzzer target for the command lines (built by fuzz/build.sh through CMake's AIRTP_FUZZ):
// the input is split at newlines into the arguments of one command (its first byte picks
// mse, compare, assign, latency or ppl's table); the flags are parsed as the airtp command
// does (CLI11, the field table's overlay, the scenario's resolution: device mixes, model
// assignments, seeds, lists, shards), and each link point's link is built. Everything must
// end as an InputError or a CLI11 parse error; nothing else may escape (no std::out_of_range,
// no sanitizer report, no trap).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "host/assign/assign.hpp"
#include "host/common/errors.hpp"
#include "host/latency/latency_run.hpp"
#include "host/model/ppl_run.hpp"
#include "host/runs/run_settings.hpp"
#include "host/scenario/scenario_fields.hpp"
#include "host/solvers/compare.hpp"
#include "host/sweep/mse.hpp"

namespace {

std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> a;
  size_t b = 0;
  while (b <= text.size() && a.size() < 24) {
    const size_t e = text.find('\n', b);
    a.push_back(text.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return a;
}

template <class Config, class Add>
void one(const std::string& command, const std::vector<std::string>& args, Add add) {
  Config c;
  airtp::FieldTable t(command);
  add(t, c);
  CLI::App app{"fuzz", command};
  t.add_flags(app);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
    t.apply_flags();
    airtp::resolve_scenario(t, c.scenario);
    airtp::validate(c.scenario);
    int built = 0;
    for (const airtp::LinkPoint& pt : airtp::link_points(c.scenario)) {
      (void)airtp::make_link(c.scenario, pt);
      if (++built == 64) break;
    }
  } catch (const airtp::InputError&) {
  } catch (const CLI::ParseError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::vector<std::string> args = split_args(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  switch (data[0] % 5) {
    case 0: one<airtp::MseConfig>("mse", args, [](airtp::FieldTable& t, airtp::MseConfig& c) { airtp::add_mse_fields(t, c); }); break;
    case 1: one<airtp::CompareConfig>("compare", args, [](airtp::FieldTable& t, airtp::CompareConfig& c) { airtp::add_compare_fields(t, c); }); break;
    case 2: one<airtp::AssignConfig>("assign", args, [](airtp::FieldTable& t, airtp::AssignConfig& c) { airtp::add_assign_fields(t, c); }); break;
    case 3: one<airtp::LatencyConfig>("latency", args, [](airtp::FieldTable& t, airtp::LatencyConfig& c) { airtp::add_latency_fields(t, c); }); break;
    default: one<airtp::PplConfig>("ppl", args, [](airtp::FieldTable& t, airtp::PplConfig& c) { airtp::add_ppl_fields(t, c); }); break;
  }
  return 0;
}
