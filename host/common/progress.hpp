// Progress of long runs on stderr: points done, rate and time left. On a terminal one line
// is redrawn in place; in a log (not a terminal) a plain line is written every 10 s at most.
#pragma once
#include <chrono>
#include <string>

namespace airtp {

class Progress {
 public:
  Progress(std::string label, double total, bool quiet);
  void update(double done);  // cumulative amount done
  void finish();

 private:
  void print(double done, bool final);
  std::string label_;
  double total_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace airtp
