// Results declared once: a command's result datasets (name, dimensions, units, description,
// mask) are one table, its schema, and everything it writes goes through SchemaWriter, which
// writes the coordinates first and checks every dataset's size against its dimensions. One
// dimension per sweep axis; the dataset names and dimension names a command writes are
// exactly those of its schema.
#pragma once
#include <string>
#include <vector>

#include "host/io/result_file.hpp"
#include "host/runs/axis.hpp"

namespace airtp {

struct DatasetSpec {
  std::string name;               // within the schema's group
  std::vector<std::string> dims;  // dimension names (coordinates of the writer)
  std::string units;
  std::string description;
  enum Type { real, integer, text } type = real;
  bool masked = false;            // undefined entries written as 0 with a mask
  std::string mask;               // mask dataset (within the group); "" = name + "_valid"
};

// Builders for the schema tables: a real dataset (optionally masked, sharing the mask `mask`),
// an integer one, a text one.
inline DatasetSpec real_dataset(std::string name, std::vector<std::string> dims, std::string units,
                                std::string description, bool masked = false, std::string mask = "") {
  return DatasetSpec{std::move(name), std::move(dims), std::move(units), std::move(description), DatasetSpec::real,
                     masked, std::move(mask)};
}
inline DatasetSpec integer_dataset(std::string name, std::vector<std::string> dims, std::string units,
                                   std::string description) {
  return DatasetSpec{std::move(name), std::move(dims), std::move(units), std::move(description), DatasetSpec::integer,
                     false, ""};
}
inline DatasetSpec text_dataset(std::string name, std::vector<std::string> dims, std::string description) {
  return DatasetSpec{std::move(name), std::move(dims), "", std::move(description), DatasetSpec::text, false, ""};
}

struct ResultSchema {
  std::string group;  // e.g. "mse"
  std::vector<DatasetSpec> datasets;
  const DatasetSpec& find(const std::string& name) const;
};

class SchemaWriter {
 public:
  // Writes every coordinate (in the schema's group) before any dataset.
  SchemaWriter(ResultFile& file, const ResultSchema& schema, const std::vector<Axis>& coordinates);
  void put(const std::string& name, const std::vector<double>& values);
  void put(const std::string& name, const std::vector<double>& values, const std::vector<char>& valid);
  void put(const std::string& name, const std::vector<int64_t>& values);
  void put(const std::string& name, const std::vector<std::string>& values);
  // Entries a dataset of these dimensions holds.
  size_t size_of(const std::vector<std::string>& dims) const;
  ResultFile& file() { return file_; }
  std::string path(const std::string& name) const { return schema_.group + "/" + name; }

 private:
  const DatasetSpec& spec(const std::string& name, DatasetSpec::Type t, bool masked) const;
  std::vector<size_t> shape(const DatasetSpec& d, size_t n) const;
  ResultFile& file_;
  const ResultSchema& schema_;
  std::vector<Axis> coords_;
};

}  // namespace airtp
