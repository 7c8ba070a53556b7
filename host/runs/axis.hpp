// One dimension of a command's sweep and of its results: a sweep axis (N, SNR, ...) or a fixed
// dimension of the results (percentile, layer). The engine's grid is the Cartesian product of
// the sweep axes; the result schema writes every axis as a coordinate (HDF5 dimension scale).
#pragma once
#include <string>
#include <vector>

namespace airtp {

struct Axis {
  std::string name;         // dimension name, e.g. "n_devices", "snr_db"
  std::string units;
  std::string description;
  std::vector<double> values;       // numeric coordinates, or
  std::vector<std::string> labels;  // text coordinates (when non-empty)
  bool integer = false;             // numeric values are whole numbers (written as int64)
  size_t size() const { return labels.empty() ? values.size() : labels.size(); }
};

}  // namespace airtp
