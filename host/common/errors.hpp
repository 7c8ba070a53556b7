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

// A file could not be read or written by the system (disk full, permissions, a failing
// library call); exit code 3. The message names the file and the operation.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The first error of an OpenMP loop, kept with its kind and rethrown after the loop (an
// exception must not leave a parallel region), so that an InputError or NumericalError
// raised on a worker thread reaches the command line as such.
struct FirstError {
  bool failed = false;
  int kind = 0;  // 1 input, 2 numerical, 3 other, 4 I/O
  std::string what;
  void record(const std::exception& e) {
#pragma omp critical(airtp_first_error)
    if (!failed) {
      failed = true;
      what = e.what();
      kind = dynamic_cast<const InputError*>(&e)       ? 1
             : dynamic_cast<const NumericalError*>(&e) ? 2
             : dynamic_cast<const IoError*>(&e)        ? 4
                                                       : 3;
    }
  }
  void rethrow() const {
    if (!failed) return;
    if (kind == 1) throw InputError(what);
    if (kind == 2) throw NumericalError(what);
    if (kind == 4) throw IoError(what);
    throw std::runtime_error(what);
  }
};

}  // namespace airtp
