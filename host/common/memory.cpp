#include "host/common/memory.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "host/common/errors.hpp"

namespace airtp {

double available_memory_bytes() {
  if (const char* e = std::getenv("AIRTP_MEMORY_LIMIT")) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end != e && v > 0) return v;
  }
  double avail = 0;
  std::ifstream mi("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (mi >> key >> kb >> unit)
    if (key == "MemAvailable:") {
      avail = kb * 1024.0;
      break;
    }
  std::ifstream cg("/sys/fs/cgroup/memory.max");
  std::string lim;
  if (cg >> lim && lim != "max") {
    const double l = std::strtod(lim.c_str(), nullptr);
    std::ifstream cur("/sys/fs/cgroup/memory.current");
    double used = 0;
    cur >> used;
    if (l > 0 && (avail == 0 || l - used < avail)) avail = l - used;
  }
  return avail > 0 ? avail : 1e18;  // unknown: no limit
}

std::string bytes_text(double b) {
  char buf[32];
  if (b >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.0f MiB", b / (1024.0 * 1024));
  else std::snprintf(buf, sizeof buf, "%.0f KiB", b / 1024.0);
  return buf;
}

void check_memory(double needed, const std::string& what, const std::string& reduce) {
  const double avail = available_memory_bytes();
  if (needed > 0.9 * avail)
    throw InputError(what + " needs about " + bytes_text(needed) + ", more than the " + bytes_text(avail) +
                     " of memory available; reduce " + reduce);
}

}  // namespace airtp
