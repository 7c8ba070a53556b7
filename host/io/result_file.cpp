#include "host/io/result_file.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "host/common/errors.hpp"
#include "host/common/version.hpp"

namespace airtp {

namespace fs = std::filesystem;

struct ResultFile::Impl {
  H5::H5File file;
  std::map<std::string, std::vector<int64_t>> masks;  // written by write_masked
};

static std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

ResultFile::ResultFile(std::string path, const RunInfo& info)
    : impl_(new Impl), path_(std::move(path)), kind_(info.kind) {
  const fs::path p(path_);
  if (p.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw InputError("output '" + path_ + "': cannot create folder " + p.parent_path().string() + ": " + ec.message());
  }
  // Temporary name in the same folder, so the final rename is atomic.
  tmp_ = (p.has_parent_path() ? p.parent_path() / ("." + p.filename().string()) : fs::path("." + p.filename().string()))
             .string() +
         ".tmp-" + std::to_string(::getpid());
  H5::Exception::dontPrint();
  try {
    impl_->file = H5::H5File(tmp_, H5F_ACC_TRUNC);
  } catch (const H5::Exception& e) {
    throw InputError("output '" + path_ + "': cannot create HDF5 file: " + e.getDetailMsg());
  }
  attr("/", "airtp_kind", info.kind);
  attr("/", "command_line", info.command);
  attr("/", "config_toml", info.config_toml);
  attr("/", "seed", (int64_t)info.seed);
  attr("/", "code_version", std::string(code_version()));
  attr("/", "backend", info.backend);
  attr("/", "device", info.device);
  attr("/", "created_utc", utc_now());
}

ResultFile::~ResultFile() {
  if (!committed_) {
    try {
      impl_->file.close();
    } catch (...) {
    }
    std::remove(tmp_.c_str());
  }
}

// Creates every group on the way to `name` and returns the leaf name.
static std::string ensure_groups(H5::H5File& f, const std::string& name) {
  size_t pos = 0;
  while ((pos = name.find('/', pos + 1)) != std::string::npos) {
    const std::string g = name.substr(0, pos);
    if (g.empty() || g == "/") continue;
    if (!f.nameExists(g)) f.createGroup(g);
  }
  return name;
}

template <class T>
static void write_impl(H5::H5File& f, const std::string& name, const std::vector<T>& data, std::vector<size_t> shape,
                       const std::vector<std::string>& dims, const H5::PredType& type) {
  if (shape.empty()) shape = {data.size()};
  size_t n = 1;
  for (size_t s : shape) n *= s;
  if (n != data.size())
    throw std::logic_error("ResultFile: dataset '" + name + "' shape does not match its data");
  if (!dims.empty() && dims.size() != shape.size())
    throw std::logic_error("ResultFile: dataset '" + name + "' needs one label per dimension");
  std::vector<hsize_t> hs(shape.begin(), shape.end());
  H5::DataSpace space((int)hs.size(), hs.data());
  ensure_groups(f, name);
  H5::DataSet ds = f.createDataSet(name, type, space);
  if (n) ds.write(data.data(), type);
}

static void set_attr(H5::H5Object& obj, const std::string& key, const std::string& value) {
  if (obj.attrExists(key)) obj.removeAttr(key);
  H5::StrType st(H5::PredType::C_S1, std::max<size_t>(1, value.size()));
  H5::Attribute a = obj.createAttribute(key, st, H5::DataSpace(H5S_SCALAR));
  a.write(st, value);
}

// True when the object at `path` exists (every group on the way checked first: HDF5 throws
// for a link below a missing group).
static bool exists(H5::H5File& f, const std::string& path) {
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && !f.nameExists(prefix)) return false;
    if (pos == std::string::npos) return true;
  }
}

static std::string describe_value(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

// "name[dim=i, dim=j]" for flat index k of a row-major array of the given shape.
static std::string coordinates(const std::string& name, size_t k, std::vector<size_t> shape,
                               const std::vector<std::string>& dims, size_t n) {
  if (shape.empty()) shape = {n};
  std::vector<size_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    const size_t s = std::max<size_t>(shape[d], 1);
    idx[d] = k % s;
    k /= s;
  }
  std::string c = name + "[";
  for (size_t d = 0; d < idx.size(); ++d)
    c += (d ? ", " : "") + (d < dims.size() && !dims[d].empty() ? dims[d] : "dim" + std::to_string(d)) + "=" +
         std::to_string(idx[d]);
  return c + "]";
}

static std::string where_text(const std::string& kind, const std::string& stage) {
  return "command " + (kind.empty() ? std::string("?") : "'" + kind + "'") + ", stage " +
         (stage.empty() ? std::string("unspecified") : "'" + stage + "'");
}

// NumericalError for the first non-finite entry of a double dataset (nothing is written).
static void check_finite(const std::string& path, const std::string& kind, const std::string& stage,
                         const std::string& name, const std::vector<double>& data, const std::vector<size_t>& shape,
                         const std::vector<std::string>& dims) {
  size_t first = data.size(), bad = 0;
  for (size_t k = 0; k < data.size(); ++k)
    if (!std::isfinite(data[k])) {
      if (!bad++) first = k;
    }
  if (!bad) return;
  throw NumericalError("result file '" + path + "': dataset '" + name + "' would hold " + describe_value(data[first]) +
                       " at " + coordinates(name, first, shape, dims, data.size()) + " (" +
                       where_text(kind, stage) + "; " + std::to_string(bad) + " of " +
                       std::to_string(data.size()) + " entries not finite); the file was not written");
}

void ResultFile::write(const std::string& name, const std::vector<double>& data, const std::vector<size_t>& shape,
                       const std::vector<std::string>& dims, const std::string& units, const std::string& description) {
  check_finite(path_, kind_, stage_, name, data, shape, dims);
  write_impl(impl_->file, name, data, shape, dims, H5::PredType::NATIVE_DOUBLE);
  attr(name, "units", units);
  attr(name, "description", description);
  std::string d;
  for (size_t i = 0; i < dims.size(); ++i) d += (i ? "," : "") + dims[i];
  attr(name, "dims", d);
}

void ResultFile::write(const std::string& name, const std::vector<int64_t>& data, const std::vector<size_t>& shape,
                       const std::vector<std::string>& dims, const std::string& units, const std::string& description) {
  write_impl(impl_->file, name, data, shape, dims, H5::PredType::NATIVE_INT64);
  attr(name, "units", units);
  attr(name, "description", description);
  std::string d;
  for (size_t i = 0; i < dims.size(); ++i) d += (i ? "," : "") + dims[i];
  attr(name, "dims", d);
}

void ResultFile::write_masked(const std::string& name, const std::vector<double>& data, const std::vector<char>& valid,
                              const std::vector<size_t>& shape, const std::vector<std::string>& dims,
                              const std::string& units, const std::string& description, const std::string& mask) {
  if (valid.size() != data.size())
    throw std::logic_error("ResultFile: mask of dataset '" + name + "' does not match its data");
  const std::string m = mask.empty() ? name + "_valid" : mask;
  std::vector<double> v(data.size());
  std::vector<int64_t> mv(data.size());
  size_t masked = 0;
  for (size_t k = 0; k < data.size(); ++k) {
    mv[k] = valid[k] ? 1 : 0;
    v[k] = valid[k] ? data[k] : 0.0;
    masked += !valid[k];
  }
  auto it = impl_->masks.find(m);
  if (it == impl_->masks.end() && exists(impl_->file, m)) {
    // A mask the caller wrote itself (e.g. "feasible"): it must agree.
    H5::DataSet ds = impl_->file.openDataSet(m);
    std::vector<int64_t> have(data.size());
    if (ds.getSpace().getSimpleExtentNpoints() != (hssize_t)data.size())
      throw std::logic_error("ResultFile: mask '" + m + "' of dataset '" + name + "' has another size");
    if (!have.empty()) ds.read(have.data(), H5::PredType::NATIVE_INT64);
    for (int64_t& x : have) x = x ? 1 : 0;
    it = impl_->masks.emplace(m, have).first;
  }
  if (it != impl_->masks.end()) {
    if (it->second != mv) throw std::logic_error("ResultFile: datasets sharing the mask '" + m + "' disagree on it");
  }
  write(name, v, shape, dims, units,
        description + " Entries where " + m + " = 0 are undefined and written as 0.");
  if (it == impl_->masks.end()) {
    write(m, mv, shape, dims, "1", "1 where " + name + " is defined, 0 where it is undefined (written as 0)");
    impl_->masks[m] = mv;
  }
  attr(name, "masked_by", m);
  attr(name, "masked_entries", (int64_t)masked);
}

void ResultFile::write_strings(const std::string& name, const std::vector<std::string>& data,
                               const std::string& description) {
  ensure_groups(impl_->file, name);
  H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
  hsize_t n = data.size();
  H5::DataSpace space(1, &n);
  H5::DataSet ds = impl_->file.createDataSet(name, st, space);
  std::vector<const char*> ptrs;
  for (auto& s : data) ptrs.push_back(s.c_str());
  if (n) ds.write(ptrs.data(), st);
  attr(name, "units", std::string("1"));
  attr(name, "description", description);
}

template <class F>
static void with_object(H5::H5File& f, const std::string& object, F fn) {
  if (object == "/" || object.empty()) {
    H5::Group root = f.openGroup("/");
    fn(root);
  } else if (f.childObjType(object) == H5O_TYPE_GROUP) {
    H5::Group g = f.openGroup(object);
    fn(g);
  } else {
    H5::DataSet d = f.openDataSet(object);
    fn(d);
  }
}

void ResultFile::attr(const std::string& object, const std::string& key, const std::string& value) {
  with_object(impl_->file, object, [&](H5::H5Object& o) { set_attr(o, key, value); });
}

void ResultFile::attr(const std::string& object, const std::string& key, double value) {
  if (!std::isfinite(value))
    throw NumericalError("result file '" + path_ + "': attribute '" + key + "' of '" + object + "' would be " +
                         describe_value(value) + " (" + where_text(kind_, stage_) + "); the file was not written");
  with_object(impl_->file, object, [&](H5::H5Object& o) {
    if (o.attrExists(key)) o.removeAttr(key);
    o.createAttribute(key, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_DOUBLE, &value);
  });
}

void ResultFile::attr(const std::string& object, const std::string& key, int64_t value) {
  with_object(impl_->file, object, [&](H5::H5Object& o) {
    if (o.attrExists(key)) o.removeAttr(key);
    o.createAttribute(key, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &value);
  });
}

void ResultFile::commit() {
  impl_->file.flush(H5F_SCOPE_GLOBAL);
  impl_->file.close();
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) {
    std::remove(tmp_.c_str());
    throw InputError("output '" + path_ + "': cannot move the finished file into place: " + ec.message());
  }
  committed_ = true;
}

}  // namespace airtp
