#include "host/runs/shard_file.hpp"

#include <H5Cpp.h>

#include <cmath>
#include <filesystem>

#include "host/common/errors.hpp"

namespace airtp {

ShardHeader make_shard_header(const std::string& shard_of, const std::string& config_toml, uint64_t seed,
                              const std::string& backend, const ShardSpec& spec, uint64_t total) {
  ShardHeader h;
  h.shard_of = shard_of;
  h.fingerprint = config_fingerprint(config_toml);
  h.config_toml = config_toml;
  h.backend = backend;
  h.seed = seed;
  h.index = spec.index;
  h.count = spec.count;
  const RealizationRange r = shard_range(spec, total);
  h.begin = r.begin;
  h.end = r.end;
  h.total = total;
  return h;
}

void write_shard(ResultFile& f, const ShardHeader& h, const SampleSet& s) {
  // +inf marks an outage in memory; in the file it is masked (samples/<name>_valid = 0) and
  // read back as +inf. Any other non-finite sample is a numerical error of the guard.
  const ResultFile::Stage stage(f, "sampling (shard " + std::to_string(h.index) + "/" + std::to_string(h.count) + ")");
  for (const auto& [name, v] : s.data) {
    std::vector<char> ok(v.size());
    for (size_t i = 0; i < v.size(); ++i) ok[i] = !(std::isinf(v[i]) && v[i] > 0);
    f.write_masked("samples/" + name, v, ok, {s.points, (size_t)s.count()}, {"config", "realization"},
                   "as in the merged result",
                   "per-realization " + name + " of realizations [shard_begin, shard_end) at every configuration "
                   "point; outages (+inf in memory) are masked");
  }
  f.attr("/", "shard_of", h.shard_of);
  f.attr("/", "config_fingerprint", h.fingerprint);
  f.attr("/", "shard_index", (int64_t)h.index);
  f.attr("/", "shard_count", (int64_t)h.count);
  f.attr("/", "shard_begin", (int64_t)h.begin);
  f.attr("/", "shard_end", (int64_t)h.end);
  f.attr("/", "realizations_total", (int64_t)h.total);
  f.attr("/", "points", (int64_t)s.points);
}

namespace {

std::string str_attr(const H5::Group& g, const std::string& key) {
  H5::Attribute a = g.openAttribute(key);
  std::string v;
  a.read(a.getStrType(), v);
  return v.c_str();  // fixed-length strings may carry padding NULs
}

int64_t int_attr(const H5::Group& g, const std::string& key) {
  int64_t v = 0;
  g.openAttribute(key).read(H5::PredType::NATIVE_INT64, &v);
  return v;
}

}  // namespace

ShardContents read_shard(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError("shard '" + path + "': no such file");
  H5::Exception::dontPrint();
  ShardContents c;
  ShardHeader& h = c.header;
  SampleSet& s = c.samples;
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    H5::Group root = f.openGroup("/");
    if (!root.attrExists("shard_index") || !root.attrExists("shard_of"))
      throw InputError("shard '" + path + "': not a shard file (written without --shard)");
    h.shard_of = str_attr(root, "shard_of");
    h.fingerprint = str_attr(root, "config_fingerprint");
    h.config_toml = str_attr(root, "config_toml");
    h.backend = str_attr(root, "backend");
    h.device = str_attr(root, "device");
    h.seed = (uint64_t)int_attr(root, "seed");
    h.index = (int)int_attr(root, "shard_index");
    h.count = (int)int_attr(root, "shard_count");
    h.begin = (uint64_t)int_attr(root, "shard_begin");
    h.end = (uint64_t)int_attr(root, "shard_end");
    h.total = (uint64_t)int_attr(root, "realizations_total");
    s.points = (size_t)int_attr(root, "points");
    s.begin = h.begin;
    s.end = h.end;
    if (h.end < h.begin || h.end > h.total) throw InputError("shard '" + path + "': realization range is corrupt");
    H5::Group g = f.openGroup("samples");
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
      const std::string name = g.getObjnameByIdx(i);
      if (name.size() > 6 && name.compare(name.size() - 6, 6, "_valid") == 0) continue;  // a mask, read below
      H5::DataSet ds = g.openDataSet(name);
      H5::DataSpace sp = ds.getSpace();
      hsize_t dims[2] = {0, 0};
      if (sp.getSimpleExtentNdims() != 2) throw InputError("shard '" + path + "': samples/" + name + " is not 2-D");
      sp.getSimpleExtentDims(dims);
      if (dims[0] != s.points || dims[1] != s.count())
        throw InputError("shard '" + path + "': samples/" + name + " has the wrong shape");
      std::vector<double> v(dims[0] * dims[1]);
      if (!v.empty()) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
      if (g.nameExists(name + "_valid")) {
        H5::DataSet ms = g.openDataSet(name + "_valid");
        if (ms.getSpace().getSimpleExtentNpoints() != (hssize_t)v.size())
          throw InputError("shard '" + path + "': samples/" + name + "_valid has the wrong shape");
        std::vector<int64_t> ok(v.size());
        if (!ok.empty()) ms.read(ok.data(), H5::PredType::NATIVE_INT64);
        for (size_t k = 0; k < v.size(); ++k)
          if (!ok[k]) v[k] = INFINITY;
      }
      s.data[name] = std::move(v);
    }
  } catch (const H5::Exception& e) {
    throw InputError("shard '" + path + "': cannot read (" + e.getDetailMsg() + ")");
  }
  return c;
}

}  // namespace airtp
