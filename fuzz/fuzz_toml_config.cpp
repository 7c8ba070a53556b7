// libFuzzer target for configuration reading (build with fuzz/build.sh): any TOML text must be
// read by every command's field table or rejected with airtp::InputError; nothing else (no
// toml++ exception, std::out_of_range, sanitizer report) may escape. A config that reads must
// survive its own round trip through the resolved TOML.
#include <cstdint>
#include <string>

#include "host/assign/assign.hpp"
#include "host/common/errors.hpp"
#include "host/latency/latency_run.hpp"
#include "host/solvers/compare.hpp"
#include "host/sweep/mse.hpp"

namespace {

template <class Config, class Add>
void one(const std::string& command, const std::string& text, Add add) {
  Config c;
  airtp::FieldTable t(command);
  add(t, c);
  try {
    t.read_text(text, "fuzz");
  } catch (const airtp::InputError&) {
    return;
  }
  const std::string again = t.to_toml();
  Config c2;
  airtp::FieldTable t2(command);
  add(t2, c2);
  t2.read_text(again, "round-trip");  // must not throw
  if (t2.to_toml() != again) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  one<airtp::MseConfig>("mse", text, [](airtp::FieldTable& t, airtp::MseConfig& c) { airtp::add_mse_fields(t, c); });
  one<airtp::CompareConfig>("compare", text,
                            [](airtp::FieldTable& t, airtp::CompareConfig& c) { airtp::add_compare_fields(t, c); });
  one<airtp::AssignConfig>("assign", text, [](airtp::FieldTable& t, airtp::AssignConfig& c) { airtp::add_assign_fields(t, c); });
  one<airtp::LatencyConfig>("latency", text,
                            [](airtp::FieldTable& t, airtp::LatencyConfig& c) { airtp::add_latency_fields(t, c); });
  return 0;
}
