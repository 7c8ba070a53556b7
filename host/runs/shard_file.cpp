#include "host/runs/shard_file.hpp"

#include <H5Cpp.h>
#include <sys/wait.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "host/common/errors.hpp"
#include "host/common/fork_workers.hpp"
#include "host/io/input_file.hpp"

namespace airtp {

ShardHeader make_shard_header(const std::string& shard_of, const std::string& config_toml, uint64_t seed,
                              const std::string& backend, const ShardSpec& spec) {
  ShardHeader h;
  h.shard_of = shard_of;
  h.fingerprint = config_fingerprint(config_toml);
  h.config_toml = config_toml;
  h.backend = backend;
  h.seed = seed;
  h.index = spec.index;
  h.count = spec.count;
  return h;
}

void write_shard(ResultFile& f, const ShardHeader& h, const SampleSet& s) {
  // +inf marks an outage in memory; in the file it is masked (<stream>_valid = 0) and read
  // back as +inf. Any other non-finite sample is a numerical error of the guard.
  const ResultFile::Stage stage(f, "sampling (shard " + std::to_string(h.index) + "/" + std::to_string(h.count) + ")");
  int64_t k = 0;
  for (const auto& [name, st] : s.streams) {
    const std::string g = "samples/s" + std::to_string(k++);
    std::vector<double> v;
    std::vector<int64_t> begin, count;
    for (const PointSamples& p : st.points) {
      v.insert(v.end(), p.values.begin(), p.values.end());
      begin.push_back((int64_t)p.begin);
      count.push_back((int64_t)p.count);
    }
    std::vector<char> ok(v.size());
    for (size_t i = 0; i < v.size(); ++i) ok[i] = !(std::isinf(v[i]) && v[i] > 0);
    f.write_masked(g + "/values", v, ok, {}, {"entry"}, "as in the merged result",
                   "the values of sample stream '" + name + "', point after point (count x width each); outages "
                   "(+inf in memory) are masked");
    f.write(g + "/begin", begin, {}, {"point"}, "realizations", "first realization held of each grid point");
    f.write(g + "/count", count, {}, {"point"}, "realizations", "realizations held of each grid point");
    f.attr(g, "stream", name);
    f.attr(g, "width", (int64_t)st.width);
  }
  f.attr("/", "shard_of", h.shard_of);
  f.attr("/", "config_fingerprint", h.fingerprint);
  f.attr("/", "shard_index", (int64_t)h.index);
  f.attr("/", "shard_count", (int64_t)h.count);
  f.attr("/", "streams", k);
}

namespace {

std::string str_attr(const H5::H5Object& g, const std::string& key) {
  H5::Attribute a = g.openAttribute(key);
  std::string v;
  a.read(a.getStrType(), v);
  return v.c_str();  // fixed-length strings may carry padding NULs
}

int64_t int_attr(const H5::H5Object& g, const std::string& key) {
  int64_t v = 0;
  g.openAttribute(key).read(H5::PredType::NATIVE_INT64, &v);
  return v;
}

std::string text_dataset(H5::H5File& f, const std::string& name) {
  H5::DataSet ds = f.openDataSet(name);
  H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
  st.setCset(H5T_CSET_UTF8);  // as ResultFile::write_text stores it (libhdf5 converts no charsets)
  std::string v;
  ds.read(v, st);
  return v;
}

template <class T>
std::vector<T> read_1d(H5::H5File& f, const std::string& name, const H5::PredType& type, const std::string& path) {
  H5::DataSet ds = f.openDataSet(name);
  H5::DataSpace sp = ds.getSpace();
  if (sp.getSimpleExtentNdims() != 1) throw InputError("shard '" + path + "': " + name + " is not 1-D");
  hsize_t n = 0;
  sp.getSimpleExtentDims(&n);
  if (n > (1ull << 32)) throw InputError("shard '" + path + "': " + name + " is implausibly large");
  std::vector<T> v((size_t)n);
  if (n) ds.read(v.data(), type);
  return v;
}

// Parses the file in this process (libhdf5 and all).
ShardContents read_shard_here(const std::string& path) {
  H5::Exception::dontPrint();
  ShardContents c;
  ShardHeader& h = c.header;
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    H5::Group root = f.openGroup("/");
    if (!root.attrExists("shard_index") || !root.attrExists("shard_of"))
      throw InputError("shard '" + path + "': not a shard file (written without --shard)");
    h.shard_of = str_attr(root, "shard_of");
    h.fingerprint = str_attr(root, "config_fingerprint");
    h.config_toml = text_dataset(f, "run/config_toml");
    h.backend = str_attr(root, "backend");
    h.device = str_attr(root, "device");
    const std::string seed = str_attr(root, "seed");
    h.seed = std::strtoull(seed.c_str(), nullptr, 10);
    h.index = (int)int_attr(root, "shard_index");
    h.count = (int)int_attr(root, "shard_count");
    const int64_t K = int_attr(root, "streams");
    if (K < 0 || K > 100000) throw InputError("shard '" + path + "': corrupt stream count");
    for (int64_t k = 0; k < K; ++k) {
      const std::string g = "samples/s" + std::to_string(k);
      H5::Group gr = f.openGroup(g);
      const std::string name = str_attr(gr, "stream");
      const int64_t width = int_attr(gr, "width");
      std::vector<double> v = read_1d<double>(f, g + "/values", H5::PredType::NATIVE_DOUBLE, path);
      const std::vector<int64_t> ok = read_1d<int64_t>(f, g + "/values_valid", H5::PredType::NATIVE_INT64, path);
      const std::vector<int64_t> begin = read_1d<int64_t>(f, g + "/begin", H5::PredType::NATIVE_INT64, path);
      const std::vector<int64_t> count = read_1d<int64_t>(f, g + "/count", H5::PredType::NATIVE_INT64, path);
      if (ok.size() != v.size() || begin.size() != count.size() || width < 1)
        throw InputError("shard '" + path + "': samples of '" + name + "' are inconsistent");
      for (size_t i = 0; i < v.size(); ++i)
        if (!ok[i]) v[i] = INFINITY;
      SampleStream& st = c.samples.streams[name];
      st.width = (size_t)width;
      size_t at = 0;
      for (size_t p = 0; p < begin.size(); ++p) {
        if (begin[p] < 0 || count[p] < 0 || (uint64_t)count[p] * st.width > v.size() - at)
          throw InputError("shard '" + path + "': samples of '" + name + "' are inconsistent");
        PointSamples ps;
        ps.begin = (uint64_t)begin[p];
        ps.count = (uint64_t)count[p];
        ps.values.assign(v.begin() + (long)at, v.begin() + (long)(at + ps.count * st.width));
        at += ps.count * st.width;
        st.points.push_back(std::move(ps));
      }
      if (at != v.size()) throw InputError("shard '" + path + "': samples of '" + name + "' are inconsistent");
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
  for (uint64_t v : {h.seed, (uint64_t)h.index, (uint64_t)h.count}) put_u64(b, v);
  put_u64(b, c.samples.streams.size());
  for (const auto& [name, st] : c.samples.streams) {
    put_str(b, name);
    put_u64(b, st.width);
    put_u64(b, st.points.size());
    for (const PointSamples& p : st.points) {
      put_u64(b, p.begin);
      put_u64(b, p.count);
      put_u64(b, p.values.size());
      if (!p.values.empty()) b.append(reinterpret_cast<const char*>(p.values.data()), p.values.size() * sizeof(double));
    }
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
  const uint64_t n = r.u64();
  for (uint64_t i = 0; r.ok && i < n; ++i) {
    const std::string name = r.str();
    SampleStream& st = c.samples.streams[name];
    st.width = (size_t)r.u64();
    const uint64_t P = r.u64();
    if (!r.ok || P > b.size()) return false;
    for (uint64_t p = 0; r.ok && p < P; ++p) {
      PointSamples ps;
      ps.begin = r.u64();
      ps.count = r.u64();
      const uint64_t m = r.u64();
      if (!r.ok || m > (b.size() - r.at) / sizeof(double)) return false;
      ps.values.resize(m);
      if (m) std::memcpy(ps.values.data(), b.data() + r.at, m * sizeof(double));  // an empty point has no data()
      r.at += m * sizeof(double);
      st.points.push_back(std::move(ps));
    }
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
  check_input_file(path, "shard", kMaxModelBytes);
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
