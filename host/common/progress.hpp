// Progress of long runs on stderr: points done, rate and time left. On a terminal one line
// is redrawn in place; in a log (not a terminal) a plain line is written every 10 s at most.
#pragma once
#include <chrono>
#include <string>

namespace airtp {

class Progress {
 public:
  // already_done: work a resumed run found finished; it counts towards the total but not
  // towards the rate (and so the time left).
  Progress(std::string label, double total, bool quiet, double already_done = 0);
  void update(double done);  // cumulative amount done
  // Work found finished (a resumed run's checkpoint): counts as done, not towards the rate.
  void add_resumed(double amount) { already_ += amount; }
  // The total changes as the run learns it (early stopping ends points before their cap).
  void set_total(double total) { total_ = total; }
  double total() const { return total_; }
  void finish();
  void note(const std::string& line);  // a plain line, e.g. "resuming from ..."

 private:
  void print(double done, bool final);
  std::string label_;
  double total_, already_;
  bool quiet_, tty_;
  bool estimated_ = false;  // the one early line with the expected total time was printed
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace airtp
