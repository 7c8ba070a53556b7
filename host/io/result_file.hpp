// Self-describing HDF5 result files. Every file carries, as root attributes, the command
// line, the full configuration (TOML text), the seed, the code version, the backend and the
// device; every dataset carries its units, a description and the labels of its dimensions.
// A file is complete or absent: it is written under a temporary name in the same folder and
// renamed into place by commit(); a ResultFile destroyed without commit() leaves nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace airtp {

struct RunInfo {
  std::string command;      // the command line as typed
  std::string config_toml;  // the full resolved configuration
  uint64_t seed = 0;
  std::string backend;      // "cpu" or "cuda"
  std::string device;       // CPU model / GPU name
  std::string kind;         // what produced the file: "mse", "ppl", "latency", ...
};

class ResultFile {
 public:
  explicit ResultFile(std::string path, const RunInfo& info);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  // Datasets: `name` may contain groups ("points/mse_mean"); groups are created as needed.
  // shape empty means 1-D of data.size(). dims names each dimension (same length as shape).
  void write(const std::string& name, const std::vector<double>& data, const std::vector<size_t>& shape,
             const std::vector<std::string>& dims, const std::string& units, const std::string& description);
  void write(const std::string& name, const std::vector<int64_t>& data, const std::vector<size_t>& shape,
             const std::vector<std::string>& dims, const std::string& units, const std::string& description);
  void write_strings(const std::string& name, const std::vector<std::string>& data, const std::string& description);

  // Attributes on the root ("/") or on a dataset or group already written.
  void attr(const std::string& object, const std::string& key, const std::string& value);
  void attr(const std::string& object, const std::string& key, double value);
  void attr(const std::string& object, const std::string& key, int64_t value);

  // Flushes, closes and renames the temporary file to its final path.
  void commit();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_, tmp_;
  bool committed_ = false;
};

}  // namespace airtp
