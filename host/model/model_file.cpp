#include "host/model/model_file.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <map>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"
#include "host/model/llama2c.hpp"

namespace airtp {

namespace {

bool is_gguf(const MappedInput& m) { return m.size() >= 4 && std::memcmp(m.data(), "GGUF", 4) == 0; }
}  // namespace

bool is_gguf_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  char magic[4] = {};
  std::ifstream(path, std::ios::binary).read(magic, 4);
  return std::memcmp(magic, "GGUF", 4) == 0;
}

namespace {

ModelFileInfo llama2c_info(const MappedInput& m) {
  ModelFileInfo info;
  info.path = m.path();
  info.format = "llama2c";
  info.architecture = "llama";
  info.file_bytes = m.size();
  info.cfg = llama2c_config(m.data(), m.size(), m.path(), &info.tied_output);
  return info;
}

ModelFileInfo gguf_info(const GgufModelInfo& g, const std::string& path, uint64_t size) {
  ModelFileInfo info;
  info.path = path;
  info.format = "gguf";
  info.architecture = g.architecture;
  info.cfg = g.cfg;
  info.tied_output = g.tied_output;
  info.tensor_types = g.tensor_types;
  info.file_bytes = size;
  return info;
}

}  // namespace

std::string ModelFileInfo::type_summary() const {
  if (format != "gguf") return "F32";
  std::map<std::string, int> count;
  for (const std::string& t : tensor_types) count[t.substr(t.rfind(": ") + 2)]++;
  std::vector<std::pair<std::string, int>> v(count.begin(), count.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string s;
  for (const auto& [name, n] : v) s += (s.empty() ? "" : ", ") + name + " x " + std::to_string(n);
  return s;
}

ModelFileInfo read_model_info(const std::string& path) {
  {
    const MappedInput m(path, "model file", kMaxModelBytes);
    if (!is_gguf(m)) return llama2c_info(m);
  }
  const GgufFile f = read_gguf(path);
  return gguf_info(gguf_model_info(f), path, f.file_size);
}

ModelFile load_model_file(const std::string& path) {
  ModelFile out;
  bool gguf = false;
  {
    const MappedInput m(path, "model file", kMaxModelBytes);
    gguf = is_gguf(m);
    if (!gguf) {
      out.info = llama2c_info(m);
      out.weights = parse_llama2c(m.data(), m.size(), path);
    }
  }
  if (gguf) {
    const GgufFile f = read_gguf(path);
    GgufModel g = gguf_to_model(f);
    GgufModelInfo gi;
    gi.architecture = g.architecture;
    gi.cfg = g.weights.cfg;
    gi.tied_output = g.weights.classifier.empty();
    gi.tensor_types = std::move(g.tensor_types);
    out.info = gguf_info(gi, path, f.file_size);
    out.weights = std::move(g.weights);
    out.vocab = std::move(g.vocab);
  }
  return out;
}

}  // namespace airtp
