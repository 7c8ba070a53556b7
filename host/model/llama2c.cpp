#include "host/model/llama2c.hpp"

#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "host/common/errors.hpp"

namespace airtp {

namespace {

// Sequential reader over the buffer that reports short reads with the file name.
struct Reader {
  const uint8_t* p;
  size_t size, pos = 0;
  const std::string& name;
  void read_floats(std::vector<float>& out, size_t count, const char* what) {
    if (count > (size - pos) / sizeof(float))
      throw InputError("model file '" + name + "': too short: ends inside tensor " + what + " (needs " +
                       std::to_string(pos + count * sizeof(float)) + " bytes, has " + std::to_string(size) + ")");
    out.resize(count);
    std::memcpy(out.data(), p + pos, count * sizeof(float));
    pos += count * sizeof(float);
    for (float v : out)
      if (!std::isfinite(v)) throw InputError("model file '" + name + "': tensor " + what + " holds NaN or Inf");
  }
  void skip_floats(size_t count, const char* what) {
    if (count > (size - pos) / sizeof(float))
      throw InputError("model file '" + name + "': too short: ends inside " + what);
    pos += count * sizeof(float);
  }
};

}  // namespace

ModelConfig llama2c_config(const uint8_t* data, size_t size, const std::string& name, bool* shared_out) {
  const std::string where = "model file '" + name + "': ";
  if (size < 7 * sizeof(int32_t))
    throw InputError(where + "too short for the 28-byte llama2.c header (" + std::to_string(size) + " bytes)");
  int32_t h[7];
  std::memcpy(h, data, sizeof h);
  ModelConfig c;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  const bool shared = h[5] > 0;
  c.vocab_size = h[5] == INT32_MIN ? 0 : (h[5] < 0 ? -h[5] : h[5]);
  c.seq_len = h[6];
  const std::filesystem::path fp(name);
  c.name = fp.stem().string();
  // Bounds keep the size arithmetic below far from overflow; real llama2.c models are well
  // inside them.
  auto check = [&](bool ok, const std::string& msg) {
    if (!ok) throw InputError(where + "inconsistent header: " + msg);
  };
  check(c.dim > 0 && c.dim <= (1 << 16), "dim " + std::to_string(c.dim) + " not in 1..65536");
  check(c.hidden_dim > 0 && c.hidden_dim <= (1 << 18), "hidden_dim " + std::to_string(c.hidden_dim) + " not in 1..262144");
  check(c.n_layers > 0 && c.n_layers <= 1024, "n_layers " + std::to_string(c.n_layers) + " not in 1..1024");
  check(c.n_heads > 0 && c.n_heads <= c.dim, "n_heads " + std::to_string(c.n_heads) + " not in 1..dim");
  check(c.dim % c.n_heads == 0, "dim " + std::to_string(c.dim) + " not divisible by n_heads " + std::to_string(c.n_heads));
  check(c.head_dim() % 2 == 0, "head size " + std::to_string(c.head_dim()) + " is odd (RoPE rotates pairs)");
  check(c.n_kv_heads > 0 && c.n_kv_heads <= c.n_heads, "n_kv_heads " + std::to_string(c.n_kv_heads) + " not in 1..n_heads");
  check(c.n_heads % c.n_kv_heads == 0,
        "n_heads " + std::to_string(c.n_heads) + " not divisible by n_kv_heads " + std::to_string(c.n_kv_heads));
  check(c.vocab_size > 0 && c.vocab_size <= (1 << 22), "vocab_size " + std::to_string(h[5]) + " out of range");
  check(c.seq_len > 0 && c.seq_len <= (1 << 20), "seq_len " + std::to_string(c.seq_len) + " not in 1..1048576");

  const size_t dim = c.dim, hd = c.hidden_dim, L = c.n_layers, hs = c.head_dim();
  const size_t kv = (size_t)c.n_kv_heads * hs, V = c.vocab_size;
  size_t expect = 7 * 4 + 4 * (V * dim + L * (2 * dim + dim * dim * 2 + 2 * dim * kv + 3 * dim * hd) + dim +
                               (size_t)c.seq_len * hs);
  if (!shared) expect += 4 * V * dim;
  if (size != expect)
    throw InputError(where + "size " + std::to_string(size) + " bytes does not match the header (expects " +
                     std::to_string(expect) + " bytes" + (size < expect ? ", file truncated?)" : ", trailing data?)"));
  if (shared_out) *shared_out = shared;
  return c;
}

ModelWeights parse_llama2c(const uint8_t* data, size_t size, const std::string& name) {
  ModelWeights w;
  bool shared = false;
  w.cfg = llama2c_config(data, size, name, &shared);
  const ModelConfig& c = w.cfg;
  const size_t dim = c.dim, hd = c.hidden_dim, L = c.n_layers, hs = c.head_dim();
  const size_t kv = (size_t)c.n_kv_heads * hs, V = c.vocab_size;
  Reader r{data, size, 28, name};
  r.read_floats(w.tok_embedding, V * dim, "token_embedding");
  w.layers.resize(L);
  std::vector<float> tmp;
  // llama2.c stores each kind of tensor for all layers together.
  auto per_layer = [&](std::vector<float> LayerWeights::*field, size_t n, const char* what) {
    for (size_t l = 0; l < L; ++l) r.read_floats(w.layers[l].*field, n, what);
  };
  per_layer(&LayerWeights::attn_norm, dim, "rms_att_weight");
  per_layer(&LayerWeights::wq, dim * dim, "wq");
  per_layer(&LayerWeights::wk, kv * dim, "wk");
  per_layer(&LayerWeights::wv, kv * dim, "wv");
  per_layer(&LayerWeights::wo, dim * dim, "wo");
  per_layer(&LayerWeights::ffn_norm, dim, "rms_ffn_weight");
  per_layer(&LayerWeights::w1, hd * dim, "w1");
  per_layer(&LayerWeights::w2, dim * hd, "w2");
  per_layer(&LayerWeights::w3, hd * dim, "w3");
  r.read_floats(w.final_norm, dim, "rms_final_weight");
  r.skip_floats((size_t)c.seq_len * hs, "freq_cis tables");  // real and imaginary halves
  if (!shared) r.read_floats(w.classifier, V * dim, "wcls");
  return w;
}

ModelWeights load_llama2c(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("model file '" + path + "': cannot open");
  std::vector<uint8_t> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError("model file '" + path + "': read error");
  return parse_llama2c(buf.data(), buf.size(), path);
}

}  // namespace airtp
