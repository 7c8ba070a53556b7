#include "host/latency/model_shapes.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include "host/common/errors.hpp"

namespace airtp {

double ModelShape::layer_matmul_params() const {
  const double d = double(dim), q = double(n_heads * head_dim()), kv = double(kv_dim());
  return d * q          // Q
         + 2.0 * d * kv  // K and V
         + q * d         // O
         + 3.0 * d * double(hidden_dim);  // gate, up, down
}

double ModelShape::layer_params() const { return layer_matmul_params() + 2.0 * double(dim); }

double ModelShape::total_params() const {
  return embedding_params() + double(n_layers) * layer_params() + double(dim) + classifier_params();
}

void validate_shape(const ModelShape& s, const std::string& what) {
  auto pos = [&](int64_t v, const char* field) {
    if (v <= 0) throw InputError(what + ": " + field + " must be positive, got " + std::to_string(v));
  };
  pos(s.dim, "dim");
  pos(s.hidden_dim, "hidden_dim");
  pos(s.n_layers, "n_layers");
  pos(s.n_heads, "n_heads");
  pos(s.n_kv_heads, "n_kv_heads");
  pos(s.vocab_size, "vocab_size");
  if (s.dim % s.n_heads != 0)
    throw InputError(what + ": dim " + std::to_string(s.dim) + " is not a multiple of n_heads " +
                     std::to_string(s.n_heads));
  if (s.n_kv_heads > s.n_heads || s.n_heads % s.n_kv_heads != 0)
    throw InputError(what + ": n_kv_heads " + std::to_string(s.n_kv_heads) + " must divide n_heads " +
                     std::to_string(s.n_heads));
  if (!(s.bytes_per_param > 0) || !std::isfinite(s.bytes_per_param))
    throw InputError(what + ": bytes per parameter must be positive");
}

namespace {
// From the models' published config.json files (Meta's Hugging Face repositories).
const std::vector<ModelShape>& table() {
  static const std::vector<ModelShape> t = {
      {"llama2-7b", 4096, 11008, 32, 32, 32, 32000, false, 2.0},
      {"llama2-13b", 5120, 13824, 40, 40, 40, 32000, false, 2.0},
      {"llama2-70b", 8192, 28672, 80, 64, 8, 32000, false, 2.0},
      {"llama3-8b", 4096, 14336, 32, 32, 8, 128256, false, 2.0},
      {"llama3-70b", 8192, 28672, 80, 64, 8, 128256, false, 2.0},
  };
  return t;
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}
}  // namespace

const std::vector<std::string>& known_shape_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& s : table()) n.push_back(s.name);
    return n;
  }();
  return names;
}

ModelShape known_shape(const std::string& name) {
  const std::string key = lower(name);
  for (const auto& s : table())
    if (s.name == key) return s;
  std::string list;
  for (const auto& n : known_shape_names()) list += (list.empty() ? "" : ", ") + n;
  throw InputError("unknown model shape '" + name + "' (known: " + list + ")");
}

ModelShape shape_from_config(const ModelConfig& cfg, bool shared_classifier, double bytes_per_param) {
  ModelShape s{cfg.name.empty() ? "model" : cfg.name, cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.n_heads,
               cfg.n_kv_heads, cfg.vocab_size, shared_classifier, bytes_per_param};
  validate_shape(s, "model '" + s.name + "'");
  return s;
}

ModelShape shape_from_llama2c_header(const std::string& path, double bytes_per_param) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("model file '" + path + "': cannot open");
  int32_t h[7];
  in.read(reinterpret_cast<char*>(h), sizeof h);
  if (in.gcount() != std::streamsize(sizeof h))
    throw InputError("model file '" + path + "': shorter than the 28-byte llama2.c header");
  // Sanity bound: no public model has a dimension above a million; larger values mean the file
  // is not a llama2.c checkpoint (or has the other byte order).
  for (int i = 0; i < 7; ++i)
    if (std::abs(int64_t(h[i])) > 10'000'000)
      throw InputError("model file '" + path + "': header field " + std::to_string(i) + " = " +
                       std::to_string(h[i]) + " is implausible (not a llama2.c checkpoint?)");
  std::string stem = path;
  if (auto p = stem.find_last_of('/'); p != std::string::npos) stem = stem.substr(p + 1);
  if (auto p = stem.find_last_of('.'); p != std::string::npos && p > 0) stem = stem.substr(0, p);
  ModelShape s{stem, h[0], h[1], h[2], h[3], h[4], std::abs(int64_t(h[5])), h[5] > 0, bytes_per_param};
  validate_shape(s, "model file '" + path + "'");
  return s;
}

double layer_flops(const ModelShape& s, int64_t context_len) {
  const double attention = 2.0 * 2.0 * double(s.n_heads * s.head_dim()) * double(context_len);
  return 2.0 * s.layer_matmul_params() + attention;
}

double unsplit_flops(const ModelShape& s) { return 2.0 * double(s.dim) * double(s.vocab_size); }

}  // namespace airtp
