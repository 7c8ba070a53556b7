#include "host/io/result_read.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <cstring>

#include "host/common/errors.hpp"
#include "host/common/fork_workers.hpp"
#include "host/io/input_file.hpp"

namespace airtp {

namespace {

// In the child: "ok" + doubles, or "er" + the message.
std::string read_here(const std::string& path, const std::string& kind, const std::string& dataset) {
  H5::Exception::dontPrint();
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    if (!kind.empty()) {
      H5::Group root = f.openGroup("/");
      std::string found;
      if (root.attrExists("airtp_kind")) {
        H5::Attribute a = root.openAttribute("airtp_kind");
        a.read(a.getStrType(), found);
        found = found.c_str();
      }
      if (found != kind) return "er" + std::string("is not an 'airtp ") + kind + "' result (airtp_kind = '" + found + "')";
    }
    if (!f.nameExists(dataset.substr(0, dataset.find('/'))) || !f.nameExists(dataset)) return "er" + std::string("has no dataset '") + dataset + "'";
    H5::DataSet ds = f.openDataSet(dataset);
    if (ds.getTypeClass() != H5T_FLOAT) return "er" + std::string("dataset '") + dataset + "' is not a floating-point dataset";
    const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
    if (n < 0 || n > (1 << 24)) return "er" + std::string("dataset '") + dataset + "' has an implausible size";
    std::vector<double> v((size_t)n);
    if (n) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
    std::string out = "ok";
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    return out;
  } catch (const H5::Exception& e) {
    return "er" + std::string("is not a readable HDF5 file (") + e.getDetailMsg() + ")";
  }
}

}  // namespace

std::vector<double> read_result_doubles(const std::string& path, const std::string& kind, const std::string& dataset,
                                        const std::string& field) {
  check_input_file(path, field + ": file", kMaxModelBytes);
  const ChildProcess c = start_child([&] { return read_here(path, kind, dataset); });
  std::string bytes;
  int status = 0;
  if (c.pid < 0) {
    bytes = read_here(path, kind, dataset);  // no fork available: read here
  } else if (!finish_child(c, bytes, &status)) {
    throw InputError(field + ": '" + path + "' could not be read (the HDF5 library failed on it: a corrupt file?)");
  }
  if (bytes.size() < 2) throw InputError(field + ": '" + path + "' could not be read");
  if (bytes.compare(0, 2, "er") == 0) throw InputError(field + ": '" + path + "' " + bytes.substr(2));
  std::vector<double> v((bytes.size() - 2) / sizeof(double));
  if (!v.empty()) std::memcpy(v.data(), bytes.data() + 2, v.size() * sizeof(double));
  for (double x : v)
    if (!std::isfinite(x)) throw InputError(field + ": '" + path + "' dataset '" + dataset + "' holds a non-finite value");
  return v;
}

std::vector<double> read_assignment_file(const std::string& path, const std::string& field) {
  return read_result_doubles(path, "assign", "assign/final_m", field);
}

}  // namespace airtp
