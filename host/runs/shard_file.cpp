#include "host/runs/shard_file.hpp"

#include <H5Cpp.h>
#include <sys/wait.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "host/common/errors.hpp"
#include "host/common/fork_workers.hpp"

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

// Parses the file in this process (libhdf5 and all).
ShardContents read_shard_here(const std::string& path) {
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

// The child's answer on the pipe: 'O' + the contents, or 'E' + an InputError's message.
void put_u64(std::string& b, uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); }
void put_str(std::string& b, const std::string& s) {
  put_u64(b, s.size());
  b += s;
}

std::string serialize(const ShardContents& c) {
  const ShardHeader& h = c.header;
  std::string b = "O";
  for (const std::string* s : {&h.shard_of, &h.fingerprint, &h.config_toml, &h.backend, &h.device}) put_str(b, *s);
  for (uint64_t v : {h.seed, (uint64_t)h.index, (uint64_t)h.count, h.begin, h.end, h.total, (uint64_t)c.samples.points})
    put_u64(b, v);
  put_u64(b, c.samples.data.size());
  for (const auto& [name, v] : c.samples.data) {
    put_str(b, name);
    put_u64(b, v.size());
    if (!v.empty()) b.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
  }
  return b;
}

// Reads back what serialize wrote; a short or inconsistent message is the child's failure.
struct Reader {
  const std::string& b;
  size_t at = 1;
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    if (at + 8 > b.size()) return ok = false, 0;
    std::memcpy(&v, b.data() + at, 8);
    at += 8;
    return v;
  }
  std::string str() {
    const uint64_t n = u64();
    if (!ok || n > b.size() - at) return ok = false, std::string();
    std::string s = b.substr(at, n);
    at += n;
    return s;
  }
};

bool deserialize(const std::string& b, ShardContents& c) {
  Reader r{b};
  ShardHeader& h = c.header;
  for (std::string* s : {&h.shard_of, &h.fingerprint, &h.config_toml, &h.backend, &h.device}) *s = r.str();
  h.seed = r.u64();
  h.index = (int)r.u64();
  h.count = (int)r.u64();
  h.begin = r.u64();
  h.end = r.u64();
  h.total = r.u64();
  c.samples.points = (size_t)r.u64();
  c.samples.begin = h.begin;
  c.samples.end = h.end;
  const uint64_t n = r.u64();
  for (uint64_t i = 0; r.ok && i < n; ++i) {
    const std::string name = r.str();
    const uint64_t m = r.u64();
    if (!r.ok || m > (b.size() - r.at) / sizeof(double)) return false;
    std::vector<double> v(m);
    if (m) std::memcpy(v.data(), b.data() + r.at, m * sizeof(double));  // an empty shard has no data()
    r.at += m * sizeof(double);
    c.samples.data[name] = std::move(v);
  }
  return r.ok && r.at == b.size();
}

}  // namespace

// libhdf5 (Debian's 1.10.8) is not robust against corrupt files: fuzzing found heap overflows
// and use-after-free inside it on crafted inputs, silent in a Release build. A shard is
// whatever a cluster job left on disk, so it is parsed in a child process and only the parsed
// contents come back over a pipe: a child that dies becomes an error naming the file, and the
// library's undefined behaviour never touches this process.
ShardContents read_shard(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError("shard '" + path + "': no such file");
  const ChildProcess child = start_child([&]() -> std::string {
    try {
      return serialize(read_shard_here(path));
    } catch (const InputError& e) {
      return std::string("E") + e.what();
    } catch (const std::exception& e) {
      return "Eshard '" + path + "': cannot read (" + e.what() + ")";
    }
  });
  if (child.pid < 0) throw InputError("shard '" + path + "': cannot read (fork: " + std::strerror(errno) + ")");
  std::string msg;
  int st = 0;
  const bool clean_exit = finish_child(child, msg, &st);
  if (clean_exit && !msg.empty() && msg[0] == 'E') throw InputError(msg.substr(1));
  ShardContents c;
  if (!clean_exit || msg.empty() || msg[0] != 'O' || !deserialize(msg, c))
    throw InputError("shard '" + path + "': corrupt file (the HDF5 library failed reading it" +
                     (WIFSIGNALED(st) ? ", signal " + std::to_string(WTERMSIG(st)) : std::string()) + ")");
  return c;
}

}  // namespace airtp
