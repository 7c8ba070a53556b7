// Per-realization samples of a run: the numbers a command's summaries are computed from, so
// that a run split into shards, resumed after a kill or stopped early gives the same file as
// an uninterrupted one. For every sample stream (named "<job>/<sample>") and every grid point,
// the realizations computed: [begin, begin + count), `width` doubles each.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace airtp {

struct PointSamples {
  uint64_t begin = 0, count = 0;
  std::vector<double> values;  // count x width, realization-major
};

struct SampleStream {
  size_t width = 1;
  std::vector<PointSamples> points;  // one per grid point
};

struct SampleSet {
  std::map<std::string, SampleStream> streams;  // "<job>/<sample>"

  const SampleStream& stream(const std::string& name) const;
  // Values of stream `name` at point p (count x width).
  const std::vector<double>& at(const std::string& name, size_t p) const { return stream(name).points.at(p).values; }
  uint64_t count(const std::string& name, size_t p) const { return stream(name).points.at(p).count; }
};

}  // namespace airtp
