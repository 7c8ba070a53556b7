// Errors the user can fix: bad flags, config values or input files. The command line
// prints the message (which names the flag, field or file and what is wrong) and exits 2.
#pragma once
#include <stdexcept>
#include <string>

namespace airtp {

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A finite-number guard: NaN or Inf in a result is an error naming where it arose.
struct NumericalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace airtp
