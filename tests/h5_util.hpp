// Reading result files back in tests: datasets as numbers, texts and raw bytes, attributes,
// and the names of the dimension scales each dimension is attached to.
#pragma once
#include <H5Cpp.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace airtp::test {

// A scratch folder per test binary process and tag: /tmp/airtp_<tag>_<pid>.
inline std::filesystem::path scratch_dir(const std::string& tag) {
  const std::filesystem::path d = std::filesystem::temp_directory_path() / ("airtp_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

inline std::vector<hsize_t> shape_of(const H5::DataSet& ds) {
  H5::DataSpace sp = ds.getSpace();
  std::vector<hsize_t> d((size_t)sp.getSimpleExtentNdims());
  if (!d.empty()) sp.getSimpleExtentDims(d.data());
  return d;
}

inline std::vector<double> read_doubles(const std::string& path, const std::string& name,
                                        std::vector<hsize_t>* shape = nullptr) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  if (shape) *shape = shape_of(ds);
  std::vector<double> v((size_t)ds.getSpace().getSimpleExtentNpoints());
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  return v;
}

inline std::vector<int64_t> read_ints(const std::string& path, const std::string& name,
                                      std::vector<hsize_t>* shape = nullptr) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  if (shape) *shape = shape_of(ds);
  std::vector<int64_t> v((size_t)ds.getSpace().getSimpleExtentNpoints());
  if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_INT64);
  return v;
}

inline std::vector<std::string> read_strings(const std::string& path, const std::string& name) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
  std::vector<char*> raw((size_t)n, nullptr);
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  if (n) ds.read(raw.data(), t);
  std::vector<std::string> out;
  for (char* s : raw) out.push_back(s ? s : "");
  H5::DataSet::vlenReclaim(raw.data(), t, ds.getSpace());
  return out;
}

inline bool exists(const std::string& path, const std::string& name) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  // nameExists does not walk intermediate groups: check every prefix.
  for (size_t p = name.find('/'); p != std::string::npos; p = name.find('/', p + 1))
    if (!f.nameExists(name.substr(0, p))) return false;
  return f.nameExists(name);
}

// A string attribute of the root ("/") or of a dataset or group; "" when absent.
inline std::string str_attr(const std::string& path, const std::string& object, const std::string& key) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5O_info_t info;
  H5Oget_info_by_name(f.getId(), object.c_str(), &info, H5P_DEFAULT);
  auto read = [&](const H5::H5Object& o) {
    if (!o.attrExists(key)) return std::string();
    H5::Attribute a = o.openAttribute(key);
    std::string s;
    a.read(a.getStrType(), s);
    return std::string(s.c_str());
  };
  if (object == "/") return read(f.openGroup("/"));
  if (info.type == H5O_TYPE_GROUP) return read(f.openGroup(object));
  return read(f.openDataSet(object));
}

// Names of the dimensions of a dataset: for each, the name (last path component) of the
// dimension scale attached to it ("" when none).
inline std::vector<std::string> dim_names(const std::string& path, const std::string& name) {
  H5::H5File f(path, H5F_ACC_RDONLY);
  H5::DataSet ds = f.openDataSet(name);
  const std::vector<hsize_t> shape = shape_of(ds);
  std::vector<std::string> out;
  for (unsigned d = 0; d < shape.size(); ++d) {
    std::string found;
    auto cb = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
      char buf[1024];
      const ssize_t n = H5Iget_name(scale, buf, sizeof buf);
      std::string full = n > 0 ? std::string(buf, (size_t)n) : "";
      *static_cast<std::string*>(data) = full.substr(full.rfind('/') + 1);
      return 1;  // the first scale is enough
    };
    int idx = 0;
    if (H5DSget_num_scales(ds.getId(), d) > 0) H5DSiterate_scales(ds.getId(), d, &idx, cb, &found);
    out.push_back(found);
  }
  return out;
}

// Every dataset of a file: path -> type class, shape and raw bytes (strings: their count only).
// Wall-clock timings (groups "timing", datasets "time_per_*", compare's solver "seconds") are
// left out: they are the one thing allowed to differ between two runs.
inline std::map<std::string, std::string> dataset_bytes(const std::string& path) {
  std::map<std::string, std::string> out;
  H5::H5File f(path, H5F_ACC_RDONLY);
  std::function<void(const H5::Group&, const std::string&)> walk = [&](const H5::Group& g, const std::string& prefix) {
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
      const std::string name = g.getObjnameByIdx(i);
      if (name == "timing" || name.rfind("time_per_", 0) == 0) continue;
      if (g.childObjType(name) == H5O_TYPE_GROUP) {
        walk(g.openGroup(name), prefix + name + "/");
        continue;
      }
      // The command line differs between runs by construction (output names, --shard).
      if (prefix + name == "run/command_line") continue;
      H5::DataSet ds = g.openDataSet(name);
      H5::DataType t = ds.getDataType();
      std::string bytes = "class " + std::to_string((int)t.getClass()) + " shape";
      for (hsize_t d : shape_of(ds)) bytes += " " + std::to_string(d);
      if (t.getClass() == H5T_STRING) {
        bytes += " strings";
      } else {
        std::string data((size_t)ds.getSpace().getSimpleExtentNpoints() * t.getSize(), '\0');
        if (!data.empty()) ds.read(data.data(), t);
        bytes += ":" + data;
      }
      out[prefix + name] = bytes;
    }
  };
  walk(f.openGroup("/"), "");
  return out;
}

}  // namespace airtp::test
