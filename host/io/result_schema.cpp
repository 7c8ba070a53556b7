#include "host/io/result_schema.hpp"

#include <stdexcept>

namespace airtp {

const DatasetSpec& ResultSchema::find(const std::string& name) const {
  for (const DatasetSpec& d : datasets)
    if (d.name == name) return d;
  throw std::logic_error("schema '" + group + "': no dataset '" + name + "'");
}

SchemaWriter::SchemaWriter(ResultFile& file, const ResultSchema& schema, const std::vector<Axis>& coordinates)
    : file_(file), schema_(schema), coords_(coordinates) {
  for (const Axis& a : coords_) {
    if (!a.labels.empty()) {
      file_.coordinate(schema_.group, a.name, a.labels, a.description);
    } else if (a.integer) {
      std::vector<int64_t> v(a.values.begin(), a.values.end());
      file_.coordinate(schema_.group, a.name, v, a.units, a.description);
    } else {
      file_.coordinate(schema_.group, a.name, a.values, a.units, a.description);
    }
  }
}

size_t SchemaWriter::size_of(const std::vector<std::string>& dims) const {
  size_t n = 1;
  for (const std::string& d : dims) {
    bool found = false;
    for (const Axis& a : coords_)
      if (a.name == d) n *= a.size(), found = true;
    if (!found) throw std::logic_error("schema '" + schema_.group + "': no coordinate for dimension '" + d + "'");
  }
  return n;
}

const DatasetSpec& SchemaWriter::spec(const std::string& name, DatasetSpec::Type t, bool masked) const {
  const DatasetSpec& d = schema_.find(name);
  if (d.type != t || d.masked != masked)
    throw std::logic_error("schema '" + schema_.group + "': dataset '" + name + "' written with the wrong type or mask");
  return d;
}

std::vector<size_t> SchemaWriter::shape(const DatasetSpec& d, size_t n) const {
  std::vector<size_t> s;
  for (const std::string& dim : d.dims) s.push_back(size_of({dim}));
  if (size_of(d.dims) != n)
    throw std::logic_error("schema '" + schema_.group + "': dataset '" + d.name + "' has " + std::to_string(n) +
                           " entries, its dimensions hold " + std::to_string(size_of(d.dims)));
  return s;
}

void SchemaWriter::put(const std::string& name, const std::vector<double>& values) {
  const DatasetSpec& d = spec(name, DatasetSpec::real, false);
  file_.write(path(name), values, shape(d, values.size()), d.dims, d.units, d.description);
}

void SchemaWriter::put(const std::string& name, const std::vector<double>& values, const std::vector<char>& valid) {
  const DatasetSpec& d = spec(name, DatasetSpec::real, true);
  file_.write_masked(path(name), values, valid, shape(d, values.size()), d.dims, d.units, d.description,
                     d.mask.empty() ? "" : path(d.mask));
}

void SchemaWriter::put(const std::string& name, const std::vector<int64_t>& values) {
  const DatasetSpec& d = spec(name, DatasetSpec::integer, false);
  file_.write(path(name), values, shape(d, values.size()), d.dims, d.units, d.description);
}

void SchemaWriter::put(const std::string& name, const std::vector<std::string>& values) {
  const DatasetSpec& d = spec(name, DatasetSpec::text, false);
  if (d.dims.size() != 1) throw std::logic_error("schema: text dataset '" + name + "' must be 1-D");
  shape(d, values.size());
  file_.write_strings(path(name), values, d.dims[0], d.description);
}

}  // namespace airtp
