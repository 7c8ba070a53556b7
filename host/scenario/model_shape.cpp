#include "host/scenario/model_shape.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"
#include "host/model/gguf.hpp"

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
  // The bundled models keep the precision they are evaluated in: stories260K is fp32,
  // SmolLM2-135M is counted at fp16 like the LLaMA shapes.
  static const std::vector<ModelShape> t = {
      {"stories260K", 64, 172, 5, 8, 4, 512, true, 4.0, 512},
      {"smollm2-135m", 576, 1536, 30, 9, 3, 49152, true, 2.0, 8192},
      {"llama2-7b", 4096, 11008, 32, 32, 32, 32000, false, 2.0, 4096},
      {"llama2-13b", 5120, 13824, 40, 40, 40, 32000, false, 2.0, 4096},
      {"llama2-70b", 8192, 28672, 80, 64, 8, 32000, false, 2.0, 4096},
      {"llama3-8b", 4096, 14336, 32, 32, 8, 128256, false, 2.0, 8192},
      {"llama3-70b", 8192, 28672, 80, 64, 8, 128256, false, 2.0, 8192},
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

bool is_known_shape(const std::string& name) {
  for (const auto& s : table())
    if (lower(s.name) == lower(name)) return true;
  return false;
}

ModelShape known_shape(const std::string& name) {
  const std::string key = lower(name);
  for (const auto& s : table())
    if (lower(s.name) == key) return s;
  std::string list;
  for (const auto& n : known_shape_names()) list += (list.empty() ? "" : ", ") + n;
  throw InputError("unknown model shape '" + name + "' (known: " + list + ")");
}

ModelShape shape_from_config(const ModelConfig& cfg, bool shared_classifier, double bytes_per_param) {
  ModelShape s{cfg.name.empty() ? "model" : cfg.name, cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.n_heads,
               cfg.n_kv_heads, cfg.vocab_size, shared_classifier, bytes_per_param, cfg.seq_len};
  validate_shape(s, "model '" + s.name + "'");
  return s;
}

static std::string file_stem(const std::string& path) {
  std::string stem = path;
  if (auto p = stem.find_last_of('/'); p != std::string::npos) stem = stem.substr(p + 1);
  if (auto p = stem.find_last_of('.'); p != std::string::npos && p > 0) stem = stem.substr(0, p);
  return stem;
}

ModelShape shape_from_llama2c_header(const std::string& path, double bytes_per_param) {
  check_input_file(path, "model file", kMaxModelBytes);
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
  ModelShape s{file_stem(path), h[0], h[1], h[2], h[3], h[4], std::abs(int64_t(h[5])), h[5] > 0, bytes_per_param,
               h[6]};
  validate_shape(s, "model file '" + path + "'");
  return s;
}

ModelShape shape_from_gguf(const std::string& path, double bytes_per_param) {
  check_input_file(path, "model file", kMaxModelBytes);
  const GgufFile f = read_gguf(path);
  auto text = [&](const std::string& key) -> std::string {
    const GgufValue* v = f.find(key);
    if (!v || v->type != GgufValueType::string || v->strings.empty())
      throw InputError("model file '" + path + "': GGUF key '" + key + "' is missing or not a string");
    return v->strings[0];
  };
  const std::string arch = text("general.architecture");
  auto integer = [&](const std::string& key, bool required) -> int64_t {
    const GgufValue* v = f.find(arch + "." + key);
    int64_t x = 0;
    if (!v || v->is_array() || !v->integer(0, x)) {
      if (!required) return 0;
      throw InputError("model file '" + path + "': GGUF key '" + arch + "." + key + "' is missing or not an integer");
    }
    return x;
  };
  ModelShape s;
  s.name = file_stem(path);
  s.dim = integer("embedding_length", true);
  s.hidden_dim = integer("feed_forward_length", true);
  s.n_layers = integer("block_count", true);
  s.n_heads = integer("attention.head_count", true);
  s.n_kv_heads = integer("attention.head_count_kv", false);
  if (s.n_kv_heads == 0) s.n_kv_heads = s.n_heads;
  s.seq_len = integer("context_length", false);
  const GgufValue* tokens = f.find("tokenizer.ggml.tokens");
  s.vocab_size = tokens && tokens->is_array() ? (int64_t)tokens->count : 0;
  if (s.vocab_size == 0) s.vocab_size = integer("vocab_size", true);
  s.shared_classifier = f.find_tensor("output.weight") == nullptr;
  s.bytes_per_param = bytes_per_param;
  validate_shape(s, "model file '" + path + "'");
  return s;
}

ModelShape model_shape(const std::string& spec, const std::string& field) {
  if (is_known_shape(spec)) return known_shape(spec);
  if (spec.find('/') == std::string::npos && spec.find('.') == std::string::npos) {
    std::string list;
    for (const auto& n : known_shape_names()) list += (list.empty() ? "" : ", ") + n;
    throw InputError(field + ": unknown model '" + spec + "' (a built-in shape: " + list + "; or a model file)");
  }
  check_input_file(spec, "model file", kMaxModelBytes);
  std::ifstream in(spec, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F')
    return shape_from_gguf(spec, 2.0);
  return shape_from_llama2c_header(spec, 4.0);  // llama2.c checkpoints hold fp32 weights
}

double layer_flops(const ModelShape& s, int64_t context_len) {
  const double attention = 2.0 * 2.0 * double(s.n_heads * s.head_dim()) * double(context_len);
  return 2.0 * s.layer_matmul_params() + attention;
}

double unsplit_flops(const ModelShape& s) { return 2.0 * double(s.dim) * double(s.vocab_size); }

}  // namespace airtp
