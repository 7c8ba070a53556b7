#include "host/runs/samples.hpp"

#include <stdexcept>

namespace airtp {

std::vector<double> SampleSet::row(const std::string& name, size_t p) const {
  const auto it = data.find(name);
  if (it == data.end()) throw std::logic_error("SampleSet: no samples named '" + name + "'");
  const size_t n = (size_t)count();
  return std::vector<double>(it->second.begin() + p * n, it->second.begin() + (p + 1) * n);
}

}  // namespace airtp
