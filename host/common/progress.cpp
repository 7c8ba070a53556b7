#include "host/common/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace airtp {

Progress::Progress(std::string label, double total, bool quiet, double already_done)
    : label_(std::move(label)), total_(total), already_(already_done), quiet_(quiet), tty_(isatty(fileno(stderr))) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(double done) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  // Once, early: the expected total time, so a long run says up front what it will cost.
  const double el = std::chrono::duration<double>(now - start_).count();
  if (!estimated_ && el >= 3.0 && done > already_ && total_ > done) {
    estimated_ = true;
    const double rate = (done - already_) / el;
    const double left = (total_ - done) / rate;
    if (left > 10) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "expected to take about %.0f s more (%.0f s in all; measured on the first %.1f%%)", left,
                    left + el, 100.0 * (done - already_) / total_);
      note(buf);
    }
  }
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (tty_ ? 0.25 : 10.0)) return;
  last_ = now;
  print(done, false);
}

void Progress::finish() {
  if (quiet_) return;
  print(total_, true);
}

void Progress::note(const std::string& line) {
  if (quiet_) return;
  std::fprintf(stderr, "%s%s: %s\n", tty_ ? "\r\033[K" : "", label_.c_str(), line.c_str());
  std::fflush(stderr);
}

void Progress::print(double done, bool final) {
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = el > 0 ? (done - already_) / el : 0;
  const double left = rate > 0 ? (total_ - done) / rate : 0;
  const double pct = total_ > 0 ? 100.0 * done / total_ : 100.0;
  (void)rate;
  if (final)
    std::fprintf(stderr, "%s%s: done in %.1f s\n", tty_ ? "\r\033[K" : "", label_.c_str(), el);
  else
    std::fprintf(stderr, "%s%s: %.1f%% done, %.0f s elapsed, about %.0f s left%s", tty_ ? "\r\033[K" : "", label_.c_str(),
                 pct, el, left, tty_ ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace airtp
