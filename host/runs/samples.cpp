#include "host/runs/samples.hpp"

#include <stdexcept>

namespace airtp {

const SampleStream& SampleSet::stream(const std::string& name) const {
  const auto it = streams.find(name);
  if (it == streams.end()) throw std::logic_error("SampleSet: no sample stream '" + name + "'");
  return it->second;
}

}  // namespace airtp
