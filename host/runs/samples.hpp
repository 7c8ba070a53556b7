// Per-realization samples of a Monte Carlo sweep: for every configuration point, one value
// per realization of a range [begin, end). A shard holds such a range; merging shards
// concatenates ranges, and a command's finaliser turns the full range into its result file.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace airtp {

struct SampleSet {
  size_t points = 0;
  uint64_t begin = 0, end = 0;  // realization range held
  // name -> points x (end - begin) values, row-major (one row per configuration point).
  std::map<std::string, std::vector<double>> data;

  uint64_t count() const { return end - begin; }
  // Values of `name` at point p (a copy of one row).
  std::vector<double> row(const std::string& name, size_t p) const;
};

}  // namespace airtp
