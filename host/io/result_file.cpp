#include "host/io/result_file.hpp"

#include <H5Cpp.h>
#include <hdf5_hl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "host/common/errors.hpp"
#include "host/common/version.hpp"

namespace airtp {

namespace fs = std::filesystem;

namespace {
struct OpenScale {
  H5::DataSet ds;
  hsize_t len;
};
using ScaleCache = std::map<std::string, OpenScale>;
}  // namespace

struct ResultFile::Impl {
  H5::H5File file;
  // Transfer properties for writing strings: HDF5 converts variable-length strings through a
  // type-conversion buffer, by default 1 MB allocated and zeroed at every write (a result file
  // writes dozens: 10-20% of a small run's time). 64 KiB holds 8192 string pointers per pass.
  H5::DSetMemXferPropList string_xfer;
  // The scale each (group, dimension) resolved to, open, with its length: a file attaches its
  // few scales a hundred times or more, and looking one up (walking the groups, opening the
  // candidates) cost as much as attaching it. Emptied when a coordinate is written (a nearer
  // scale may then exist) and before the file closes.
  ScaleCache scales;
  std::map<std::string, std::vector<int64_t>> masks;  // written by write_masked
};

namespace {

// netCDF-4's name for a dimension that has no coordinate variable; h5netcdf and netCDF read it.
constexpr const char* kDimOnly = "This is a netCDF dimension but not a netCDF variable.";
constexpr size_t kMaxAttrText = 16 * 1024;  // longer texts go to datasets (HDF5's attribute limit is 64 KiB)

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string parent_of(const std::string& name) {
  const size_t s = name.rfind('/');
  return s == std::string::npos || s == 0 ? "/" : name.substr(0, s);
}

std::string join(const std::string& group, const std::string& leaf) {
  if (group.empty() || group == "/") return leaf;
  return group + "/" + leaf;
}

// True when every group on the way to `path` and the object itself exist.
bool exists(H5::H5File& f, const std::string& path) {
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && !f.nameExists(prefix)) return false;
    if (pos == std::string::npos) return true;
  }
}

void ensure_groups(H5::H5File& f, const std::string& name) {
  size_t pos = 0;
  while ((pos = name.find('/', pos + 1)) != std::string::npos) {
    const std::string g = name.substr(0, pos);
    if (g.empty() || g == "/") continue;
    if (!f.nameExists(g)) f.createGroup(g);
  }
}

void set_attr(H5::H5Object& obj, const std::string& key, const std::string& value) {
  if (obj.attrExists(key)) obj.removeAttr(key);
  H5::StrType st(H5::PredType::C_S1, std::max<size_t>(1, value.size()));
  H5::Attribute a = obj.createAttribute(key, st, H5::DataSpace(H5S_SCALAR));
  a.write(st, value);
}

template <class F>
void with_object(H5::H5File& f, const std::string& object, F fn) {
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

std::string describe_value(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"; }

// "name[dim=i, dim=j]" for flat index k of a row-major array of the given shape.
std::string coordinates(const std::string& name, size_t k, std::vector<size_t> shape, const std::vector<std::string>& dims,
                        size_t n) {
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

std::string where_text(const std::string& kind, const std::string& stage) {
  return "command " + (kind.empty() ? std::string("?") : "'" + kind + "'") + ", stage " +
         (stage.empty() ? std::string("unspecified") : "'" + stage + "'");
}

void check_finite(const std::string& path, const std::string& kind, const std::string& stage, const std::string& name,
                  const std::vector<double>& data, const std::vector<size_t>& shape, const std::vector<std::string>& dims) {
  size_t first = data.size(), bad = 0;
  for (size_t k = 0; k < data.size(); ++k)
    if (!std::isfinite(data[k])) {
      if (!bad++) first = k;
    }
  if (!bad) return;
  throw NumericalError("result file '" + path + "': dataset '" + name + "' would hold " + describe_value(data[first]) +
                       " at " + coordinates(name, first, shape, dims, data.size()) + " (" + where_text(kind, stage) +
                       "; " + std::to_string(bad) + " of " + std::to_string(data.size()) +
                       " entries not finite); the file was not written");
}

// The scale of dimension `dim` seen from `group`: "<group>/<dim>", else the same in each
// enclosing group (netCDF's rule). Empty when none exists.
std::string find_scale(H5::H5File& f, std::string group, const std::string& dim) {
  while (true) {
    const std::string cand = join(group, dim);
    if (exists(f, cand) && f.childObjType(cand) == H5O_TYPE_DATASET) {
      H5::DataSet ds = f.openDataSet(cand);
      if (H5DSis_scale(ds.getId()) > 0) return cand;
    }
    if (group == "/" || group.empty()) return "";
    group = parent_of(group);
  }
}

hsize_t extent_1d(H5::DataSet& ds) {
  H5::DataSpace sp = ds.getSpace();
  if (sp.getSimpleExtentNdims() != 1) return 0;
  hsize_t n = 0;
  sp.getSimpleExtentDims(&n);
  return n;
}

// Attaches dimension d of `ds` (at `name`) to the scale of `dim`, creating a dimension-only
// scale in the dataset's group when no coordinate exists.
void attach_dim(H5::H5File& f, ScaleCache& cache, H5::DataSet& ds, const std::string& name, unsigned d,
                const std::string& dim, hsize_t len) {
  const std::string key = parent_of(name) + '\n' + dim;
  auto it = cache.find(key);
  if (it == cache.end()) {
    std::string scale = find_scale(f, parent_of(name), dim);
    if (scale.empty()) {
      scale = join(parent_of(name), dim);
      if (exists(f, scale))
        throw std::logic_error("ResultFile: '" + scale + "' exists but is not the scale of dimension '" + dim + "'");
      H5::DataSpace sp(1, &len);
      H5::DataSet s = f.createDataSet(scale, H5::PredType::NATIVE_FLOAT, sp);
      std::vector<float> zeros((size_t)len, 0.f);
      if (len) s.write(zeros.data(), H5::PredType::NATIVE_FLOAT);
      char label[96];
      std::snprintf(label, sizeof label, "%s%10llu", kDimOnly, (unsigned long long)len);
      if (H5DSset_scale(s.getId(), label) < 0) throw std::runtime_error("cannot make '" + scale + "' a dimension scale");
    }
    H5::DataSet s = f.openDataSet(scale);
    it = cache.emplace(key, OpenScale{s, extent_1d(s)}).first;
  }
  if (it->second.len != len)
    throw std::logic_error("ResultFile: dataset '" + name + "' has " + std::to_string(len) + " entries along '" + dim +
                           "', its coordinate '" + it->second.ds.getObjName() + "' has " +
                           std::to_string(it->second.len));
  if (H5DSattach_scale(ds.getId(), it->second.ds.getId(), d) < 0)
    throw std::runtime_error("cannot attach dimension '" + dim + "' to '" + name + "'");
}

template <class T>
H5::DataSet write_impl(H5::H5File& f, ScaleCache& cache, const std::string& name, const std::vector<T>& data, std::vector<size_t> shape,
                       const std::vector<std::string>& dims, const H5::PredType& type) {
  if (shape.empty()) shape = {data.size()};
  size_t n = 1;
  for (size_t s : shape) n *= s;
  if (n != data.size()) throw std::logic_error("ResultFile: dataset '" + name + "' shape does not match its data");
  if (dims.size() != shape.size())
    throw std::logic_error("ResultFile: dataset '" + name + "' needs one dimension name per dimension");
  std::vector<hsize_t> hs(shape.begin(), shape.end());
  H5::DataSpace space((int)hs.size(), hs.data());
  ensure_groups(f, name);
  H5::DataSet ds = f.createDataSet(name, type, space);
  if (n) ds.write(data.data(), type);
  for (size_t d = 0; d < dims.size(); ++d) attach_dim(f, cache, ds, name, (unsigned)d, dims[d], hs[d]);
  return ds;
}

}  // namespace

// Every HDF5 call of a public method runs through here: a library failure becomes an
// IoError naming the file and the operation (ENOSPC is named as a full disk).
template <class F>
static void guarded(const std::string& path, const std::string& op, F fn) {
  try {
    errno = 0;
    fn();
  } catch (const H5::Exception& e) {
    const int err = errno;
    std::string why = e.getDetailMsg();
    if (err == ENOSPC) why = "no space left on the device";
    else if (err != 0) why += std::string(" (") + std::strerror(err) + ")";
    throw IoError("result file '" + path + "': " + op + " failed: " + why);
  }
}

ResultFile::ResultFile(std::string path, const RunInfo& info) : impl_(new Impl), path_(std::move(path)), kind_(info.kind) {
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
    // The file is built in memory (HDF5's core driver, no backing store) and written out by
    // commit() with plain write() calls: a full disk or a file-size limit is then an error of
    // ours to report, not a failure inside HDF5's own flush (libhdf5 1.10 crashes closing a
    // file whose flush failed).
    if (H5Pset_buffer(impl_->string_xfer.getId(), 64 * 1024, nullptr, nullptr) < 0)
      throw H5::PropListIException("H5Pset_buffer", "string transfer buffer");
    H5::FileAccPropList fapl;
    if (H5Pset_fapl_core(fapl.getId(), 1 << 20, 0) < 0) throw H5::FileIException("H5Pset_fapl_core", "core driver");
    impl_->file = H5::H5File(tmp_, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
  } catch (const H5::Exception& e) {
    throw IoError("output '" + path_ + "': cannot create the HDF5 file: " + e.getDetailMsg());
  }
  attr("/", "airtp_kind", info.kind);
  attr("/", "command_line", info.command);
  attr("/", "config_toml", info.config_toml);
  write_text("run/command_line", info.command, "the command line as typed");
  write_text("run/config_toml", info.config_toml, "the full resolved configuration (TOML), as `airtp merge` reads it");
  attr("/", "seed", std::to_string(info.seed));  // text: seeds go up to 2^64 - 1
  attr("/", "code_version", std::string(code_version()));
  attr("/", "backend", info.backend);
  attr("/", "device", info.device);
  attr("/", "created_utc", utc_now());
}

ResultFile::~ResultFile() {
  if (!committed_) {
    try {
      impl_->scales.clear();
      impl_->file.close();
    } catch (...) {
    }
    std::remove(tmp_.c_str());
  }
}

void ResultFile::coordinate(const std::string& group, const std::string& name, const std::vector<double>& values,
                            const std::string& units, const std::string& description) {
  const std::string path = join(group, name);
  impl_->scales.clear();
  check_finite(path_, kind_, stage_, path, values, {}, {name});
  guarded(path_, "writing coordinate '" + path + "'", [&] {
    ensure_groups(impl_->file, path);
    hsize_t n = values.size();
    H5::DataSet ds = impl_->file.createDataSet(path, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n));
    if (n) ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
    H5DSset_scale(ds.getId(), name.c_str());
    set_attr(ds, "units", units);
    set_attr(ds, "description", description);
  });
}

void ResultFile::coordinate(const std::string& group, const std::string& name, const std::vector<int64_t>& values,
                            const std::string& units, const std::string& description) {
  const std::string path = join(group, name);
  impl_->scales.clear();
  guarded(path_, "writing coordinate '" + path + "'", [&] {
    ensure_groups(impl_->file, path);
    hsize_t n = values.size();
    H5::DataSet ds = impl_->file.createDataSet(path, H5::PredType::NATIVE_INT64, H5::DataSpace(1, &n));
    if (n) ds.write(values.data(), H5::PredType::NATIVE_INT64);
    H5DSset_scale(ds.getId(), name.c_str());
    set_attr(ds, "units", units);
    set_attr(ds, "description", description);
  });
}

void ResultFile::coordinate(const std::string& group, const std::string& name, const std::vector<std::string>& labels,
                            const std::string& description) {
  const std::string path = join(group, name);
  impl_->scales.clear();
  guarded(path_, "writing coordinate '" + path + "'", [&] {
    ensure_groups(impl_->file, path);
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5T_CSET_UTF8);
    hsize_t n = labels.size();
    H5::DataSet ds = impl_->file.createDataSet(path, st, H5::DataSpace(1, &n));
    std::vector<const char*> ptrs;
    for (const auto& s : labels) ptrs.push_back(s.c_str());
    if (n) ds.write(ptrs.data(), st, H5::DataSpace::ALL, H5::DataSpace::ALL, impl_->string_xfer);
    H5DSset_scale(ds.getId(), name.c_str());
    set_attr(ds, "units", std::string("1"));
    set_attr(ds, "description", description);
  });
}

void ResultFile::write(const std::string& name, const std::vector<double>& data, const std::vector<size_t>& shape,
                       const std::vector<std::string>& dims, const std::string& units, const std::string& description) {
  check_finite(path_, kind_, stage_, name, data, shape, dims);
  guarded(path_, "writing dataset '" + name + "'", [&] {
    H5::DataSet ds = write_impl(impl_->file, impl_->scales, name, data, shape, dims, H5::PredType::NATIVE_DOUBLE);
    set_attr(ds, "units", units);
    set_attr(ds, "description", description);
  });
}

void ResultFile::write(const std::string& name, const std::vector<int64_t>& data, const std::vector<size_t>& shape,
                       const std::vector<std::string>& dims, const std::string& units, const std::string& description) {
  guarded(path_, "writing dataset '" + name + "'", [&] {
    H5::DataSet ds = write_impl(impl_->file, impl_->scales, name, data, shape, dims, H5::PredType::NATIVE_INT64);
    set_attr(ds, "units", units);
    set_attr(ds, "description", description);
  });
}

void ResultFile::write_masked(const std::string& name, const std::vector<double>& data, const std::vector<char>& valid,
                              const std::vector<size_t>& shape, const std::vector<std::string>& dims,
                              const std::string& units, const std::string& description, const std::string& mask) {
  if (valid.size() != data.size()) throw std::logic_error("ResultFile: mask of dataset '" + name + "' does not match its data");
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
  bool existing = false;
  guarded(path_, "reading mask '" + m + "'", [&] { existing = it == impl_->masks.end() && exists(impl_->file, m); });
  if (existing) {
    // A mask the caller wrote itself (e.g. "feasible"): it must agree.
    std::vector<int64_t> have(data.size());
    guarded(path_, "reading mask '" + m + "'", [&] {
      H5::DataSet ds = impl_->file.openDataSet(m);
      if (ds.getSpace().getSimpleExtentNpoints() != (hssize_t)data.size())
        throw std::logic_error("ResultFile: mask '" + m + "' of dataset '" + name + "' has another size");
      if (!have.empty()) ds.read(have.data(), H5::PredType::NATIVE_INT64);
    });
    for (int64_t& x : have) x = x ? 1 : 0;
    it = impl_->masks.emplace(m, have).first;
  }
  if (it != impl_->masks.end() && it->second != mv)
    throw std::logic_error("ResultFile: datasets sharing the mask '" + m + "' disagree on it");
  std::string desc = description;
  if (!desc.empty() && desc.back() != '.') desc += '.';
  write(name, v, shape, dims, units, desc + " Entries where " + m + " = 0 are undefined and written as 0.");
  if (it == impl_->masks.end()) {
    write(m, mv, shape, dims, "1",
          "1 where the datasets masked by it (attribute masked_by = this path) are defined, 0 where they are undefined "
          "(written as 0)");
    impl_->masks[m] = mv;
  }
  attr(name, "masked_by", m);
  attr(name, "masked_entries", (int64_t)masked);
}

void ResultFile::write_strings(const std::string& name, const std::vector<std::string>& data, const std::string& dim,
                               const std::string& description) {
  guarded(path_, "writing dataset '" + name + "'", [&] {
    ensure_groups(impl_->file, name);
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5T_CSET_UTF8);
    hsize_t n = data.size();
    H5::DataSet ds = impl_->file.createDataSet(name, st, H5::DataSpace(1, &n));
    std::vector<const char*> ptrs;
    for (auto& s : data) ptrs.push_back(s.c_str());
    if (n) ds.write(ptrs.data(), st, H5::DataSpace::ALL, H5::DataSpace::ALL, impl_->string_xfer);
    attach_dim(impl_->file, impl_->scales, ds, name, 0, dim, n);
    set_attr(ds, "units", std::string("1"));
    set_attr(ds, "description", description);
  });
}

void ResultFile::write_text(const std::string& name, const std::string& text, const std::string& description) {
  guarded(path_, "writing dataset '" + name + "'", [&] {
    ensure_groups(impl_->file, name);
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5T_CSET_UTF8);
    H5::DataSet ds = impl_->file.createDataSet(name, st, H5::DataSpace(H5S_SCALAR));
    const char* p = text.c_str();
    ds.write(&p, st, H5::DataSpace::ALL, H5::DataSpace::ALL, impl_->string_xfer);
    set_attr(ds, "units", std::string("1"));
    set_attr(ds, "description", description);
  });
}

void ResultFile::attr(const std::string& object, const std::string& key, const std::string& value) {
  if (value.size() > kMaxAttrText) {
    // Too long for an attribute (a sweep of thousands of values): a dataset beside the object,
    // named by a short attribute.
    const std::string ds = join(object == "/" || object.empty() ? "run/attrs" : object + "_attrs", key);
    write_text(ds, value, "value of attribute '" + key + "' of '" + object + "' (too long for an attribute)");
    guarded(path_, "writing attribute '" + key + "'",
            [&] { with_object(impl_->file, object, [&](H5::H5Object& o) { set_attr(o, key + "_dataset", ds); }); });
    return;
  }
  guarded(path_, "writing attribute '" + key + "' of '" + object + "'",
          [&] { with_object(impl_->file, object, [&](H5::H5Object& o) { set_attr(o, key, value); }); });
}

void ResultFile::attr(const std::string& object, const std::string& key, double value) {
  if (!std::isfinite(value))
    throw NumericalError("result file '" + path_ + "': attribute '" + key + "' of '" + object + "' would be " +
                         describe_value(value) + " (" + where_text(kind_, stage_) + "); the file was not written");
  guarded(path_, "writing attribute '" + key + "' of '" + object + "'", [&] {
    with_object(impl_->file, object, [&](H5::H5Object& o) {
      if (o.attrExists(key)) o.removeAttr(key);
      o.createAttribute(key, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_DOUBLE, &value);
    });
  });
}

void ResultFile::attr(const std::string& object, const std::string& key, int64_t value) {
  guarded(path_, "writing attribute '" + key + "' of '" + object + "'", [&] {
    with_object(impl_->file, object, [&](H5::H5Object& o) {
      if (o.attrExists(key)) o.removeAttr(key);
      o.createAttribute(key, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR)).write(H5::PredType::NATIVE_INT64, &value);
    });
  });
}

void ResultFile::commit() {
  std::vector<char> image;
  guarded(path_, "finishing", [&] {
    impl_->file.flush(H5F_SCOPE_GLOBAL);
    const ssize_t n = H5Fget_file_image(impl_->file.getId(), nullptr, 0);
    if (n < 0) throw H5::FileIException("H5Fget_file_image", "file image size");
    image.resize((size_t)n);
    if (H5Fget_file_image(impl_->file.getId(), image.data(), image.size()) != n)
      throw H5::FileIException("H5Fget_file_image", "file image");
    impl_->scales.clear();
    impl_->file.close();
  });
  // The image goes to the temporary name, then into place.
  const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int e = errno;
    throw IoError("result file '" + path_ + "': cannot create '" + tmp_ + "': " + std::strerror(e));
  }
  auto fail = [&](const std::string& what, int e) {
    ::close(fd);
    std::remove(tmp_.c_str());
    const std::string why = e == ENOSPC ? "no space left on the device"
                            : e == EFBIG ? "file too large (a file-size limit, ulimit -f?)"
                                         : std::strerror(e);
    throw IoError("result file '" + path_ + "': " + what + " failed: " + why);
  };
  for (size_t off = 0; off < image.size();) {
    const ssize_t w = ::write(fd, image.data() + off, image.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) fail("writing " + std::to_string(image.size()) + " bytes", errno);
    if (w == 0) fail("writing " + std::to_string(image.size()) + " bytes", ENOSPC);
    off += (size_t)w;
  }
  if (::fsync(fd) != 0 && errno != EINVAL) fail("fsync", errno);
  if (::close(fd) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    throw IoError("result file '" + path_ + "': closing failed: " + std::strerror(e));
  }
  // rename() replaces a regular file or a symlink at path_ (the link itself, not its target).
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp_.c_str());
    throw IoError("output '" + path_ + "': cannot move the finished file into place: " + std::strerror(e));
  }
  committed_ = true;
}

}  // namespace airtp
