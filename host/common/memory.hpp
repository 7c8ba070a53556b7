// Memory the process may still use, and the check every command makes before it allocates a
// run's buffers: above what is available it stops with an InputError naming the option to
// reduce, instead of dying in std::bad_alloc or swapping for hours.
#pragma once
#include <string>

namespace airtp {

// Bytes available to this process: MemAvailable of /proc/meminfo, capped by the cgroup's limit
// (memory.max) when one is set; AIRTP_MEMORY_LIMIT (bytes) overrides both (tests).
double available_memory_bytes();

// "2.3 GiB", "512 MiB", ...
std::string bytes_text(double bytes);

// InputError when `needed` exceeds what is available: "<what> needs about X, more than the Y
// available; reduce <reduce>".
void check_memory(double needed, const std::string& what, const std::string& reduce);

}  // namespace airtp
