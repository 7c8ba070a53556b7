// Self-describing HDF5 result files. Every file carries the command line, the full
// configuration (TOML text), the seed, the code version, the backend and the device (root
// attributes, and the long texts also as datasets under /run); every dataset carries its units,
// a description and named dimensions. Dimensions are HDF5 dimension scales: a coordinate
// written with coordinate() is the scale of its dimension for every dataset of its group and
// the groups below, and a dimension without coordinates gets a netCDF-style dimension-only
// scale, so `xarray.open_dataset(path, engine="h5netcdf", group=G)` shows every dataset with
// named dimensions and their coordinate values.
//
// A file is complete or absent: it is written under a temporary name in the same folder and
// renamed into place by commit(); a ResultFile destroyed without commit() leaves nothing.
// Every HDF5 failure becomes an IoError naming the file and the operation (disk full
// included), never a library exception.
//
// Finite-number guard: every double written (datasets and attributes) must be finite. A NaN
// or an Inf throws NumericalError naming the file, the dataset, the entry's coordinates (by
// the dims labels), the command (RunInfo::kind) and the stage set by set_stage() / Stage.
// Values that are legitimately undefined (an infeasible point, an all-outage mean, the
// standard error of one sample) are not written as NaN/Inf markers: write_masked() writes
// them as 0 with a companion int64 mask (1 = valid, 0 = undefined) named by the dataset's
// attribute "masked_by".
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

  // A coordinate: dataset "<group>/<name>" holding the values of dimension `name`, the scale
  // every dataset of the group (and below) with a dimension of that name attaches to.
  void coordinate(const std::string& group, const std::string& name, const std::vector<double>& values,
                  const std::string& units, const std::string& description);
  void coordinate(const std::string& group, const std::string& name, const std::vector<int64_t>& values,
                  const std::string& units, const std::string& description);
  void coordinate(const std::string& group, const std::string& name, const std::vector<std::string>& labels,
                  const std::string& description);

  // Datasets: `name` may contain groups ("mse/mean"); groups are created as needed. shape
  // empty means 1-D of data.size(). dims names each dimension (same length as shape); each is
  // attached to its coordinate, or gets a dimension-only scale of that length.
  void write(const std::string& name, const std::vector<double>& data, const std::vector<size_t>& shape,
             const std::vector<std::string>& dims, const std::string& units, const std::string& description);
  void write(const std::string& name, const std::vector<int64_t>& data, const std::vector<size_t>& shape,
             const std::vector<std::string>& dims, const std::string& units, const std::string& description);
  // `data` where valid[i] != 0, 0 elsewhere, plus the mask (int64 1/0, same shape) at `mask`
  // (default: name + "_valid"); the dataset gets the attribute masked_by = mask path. A mask
  // already written by an earlier write_masked (shared by several datasets) must be equal.
  void write_masked(const std::string& name, const std::vector<double>& data, const std::vector<char>& valid,
                    const std::vector<size_t>& shape, const std::vector<std::string>& dims, const std::string& units,
                    const std::string& description, const std::string& mask = "");
  // Text datasets (variable-length UTF-8), 1-D along dimension `dim`.
  void write_strings(const std::string& name, const std::vector<std::string>& data, const std::string& dim,
                     const std::string& description);
  // A scalar text dataset (long texts that do not belong in attributes).
  void write_text(const std::string& name, const std::string& text, const std::string& description);

  // Attributes on the root ("/") or on a dataset or group already written.
  void attr(const std::string& object, const std::string& key, const std::string& value);
  void attr(const std::string& object, const std::string& key, double value);
  void attr(const std::string& object, const std::string& key, int64_t value);

  // What produced the values written next ("sampling", "design", "summary", "latency model",
  // "accuracy simulation", ...): named by the finite-number guard's message.
  void set_stage(const std::string& stage) { stage_ = stage; }
  const std::string& stage() const { return stage_; }
  // Sets the stage for a scope and restores the previous one.
  class Stage {
   public:
    Stage(ResultFile& f, const std::string& stage) : f_(f), prev_(f.stage()) { f.set_stage(stage); }
    ~Stage() { f_.set_stage(prev_); }
    Stage(const Stage&) = delete;
    Stage& operator=(const Stage&) = delete;

   private:
    ResultFile& f_;
    std::string prev_;
  };

  // Flushes, closes and renames the temporary file to its final path (replacing a regular
  // file or a symlink there, never writing through the link).
  void commit();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_, tmp_, kind_, stage_;
  bool committed_ = false;
};

}  // namespace airtp
