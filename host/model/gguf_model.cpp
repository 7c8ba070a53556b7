// The `llama` architecture in GGUF <-> ModelWeights. GGUF files converted by llama.cpp keep
// Q and K in the interleaved-pair RoPE layout llama2.c uses (rope type NORM), so matrices
// map one to one; ne = {in, out} for a row-major [out][in] matrix.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_set>

#include "host/common/errors.hpp"
#include "host/model/gguf.hpp"
#include "host/model/gguf_quants.hpp"

namespace airtp {

namespace {

// One tensor of the model: its GGUF name, expected ne and where it lives in ModelWeights.
template <class Vec>
struct Slot {
  std::string name;
  std::vector<uint64_t> ne;
  Vec* data;
};

// Every tensor except output.weight (optional: absent means tied to token_embd).
template <class W>
auto llama_slots(W& w) {
  using Vec = std::remove_reference_t<decltype((w.tok_embedding))>;  // const when W is
  const ModelConfig& c = w.cfg;
  const uint64_t dim = c.dim, hid = c.hidden_dim, hd = c.head_dim();
  const uint64_t q = c.n_heads * hd, kv = c.n_kv_heads * hd;
  std::vector<Slot<Vec>> s;
  s.push_back({"token_embd.weight", {dim, uint64_t(c.vocab_size)}, &w.tok_embedding});
  s.push_back({"output_norm.weight", {dim}, &w.final_norm});
  for (size_t l = 0; l < w.layers.size(); ++l) {
    auto& L = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    s.push_back({p + "attn_norm.weight", {dim}, &L.attn_norm});
    s.push_back({p + "attn_q.weight", {dim, q}, &L.wq});
    s.push_back({p + "attn_k.weight", {dim, kv}, &L.wk});
    s.push_back({p + "attn_v.weight", {dim, kv}, &L.wv});
    s.push_back({p + "attn_output.weight", {q, dim}, &L.wo});
    s.push_back({p + "ffn_norm.weight", {dim}, &L.ffn_norm});
    s.push_back({p + "ffn_gate.weight", {dim, hid}, &L.w1});
    s.push_back({p + "ffn_down.weight", {hid, dim}, &L.w2});
    s.push_back({p + "ffn_up.weight", {dim, hid}, &L.w3});
  }
  return s;
}

std::string dims_str(const std::vector<uint64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// Metadata access with messages naming the file and key.
class Meta {
 public:
  explicit Meta(const GgufFile& f) : f_(f) {}

  [[noreturn]] void fail(const std::string& msg) const { throw InputError(f_.origin + ": " + msg); }

  const GgufValue* get(const std::string& key) const { return f_.find(key); }

  std::string string(const std::string& key, bool required, std::string fallback = "") const {
    const GgufValue* v = get(key);
    if (!v) {
      if (required) fail("missing metadata key '" + key + "'");
      return fallback;
    }
    if (v->type != GgufValueType::string) fail(key + " has type " + gguf_value_type_name(v->type) + ", expected string");
    return v->strings[0];
  }

  // A scalar integer in [lo, hi]; `fallback` when absent and not required.
  int64_t integer(const std::string& key, bool required, int64_t fallback, int64_t lo, int64_t hi) const {
    const GgufValue* v = get(key);
    if (!v) {
      if (required) fail("missing metadata key '" + key + "'");
      return fallback;
    }
    int64_t x;
    if (v->is_array() || !v->integer(0, x)) {
      fail(key + " has type " + std::string(gguf_value_type_name(v->type)) + ", expected an integer scalar");
    }
    if (x < lo || x > hi) {
      fail(key + " = " + std::to_string(x) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return x;
  }

  double real(const std::string& key, double fallback) const {
    const GgufValue* v = get(key);
    if (!v) return fallback;
    if (v->is_array() || !v->is_numeric()) {
      fail(key + " has type " + std::string(gguf_value_type_name(v->type)) + ", expected a number");
    }
    const double x = v->number(0);
    if (!std::isfinite(x) || x <= 0) fail(key + " = " + std::to_string(x) + " must be a positive finite number");
    return x;
  }

  const GgufValue* array(const std::string& key, GgufValueType elem, const char* elem_desc) const {
    const GgufValue* v = get(key);
    if (!v) return nullptr;
    const bool ok = v->is_array() && (elem == GgufValueType::string ? v->elem_type == GgufValueType::string
                                      : elem == GgufValueType::f32  ? v->is_numeric()
                                                                    : v->is_integer());
    if (!ok) {
      fail(key + " has type " + gguf_value_type_name(v->type) +
           (v->is_array() ? std::string(" of ") + gguf_value_type_name(v->elem_type) : std::string()) +
           ", expected an array of " + elem_desc);
    }
    return v;
  }

 private:
  const GgufFile& f_;
};

GgufVocab read_vocab(const Meta& m) {
  GgufVocab v;
  v.model = m.string("tokenizer.ggml.model", false);
  if (const GgufValue* t = m.array("tokenizer.ggml.tokens", GgufValueType::string, "strings")) v.tokens = t->strings;
  if (const GgufValue* s = m.array("tokenizer.ggml.scores", GgufValueType::f32, "numbers")) {
    if (s->count != v.tokens.size()) {
      m.fail("tokenizer.ggml.scores has " + std::to_string(s->count) + " entries but tokenizer.ggml.tokens has " +
             std::to_string(v.tokens.size()));
    }
    v.scores.resize(s->count);
    for (uint64_t i = 0; i < s->count; ++i) v.scores[i] = float(s->number(i));
  }
  if (const GgufValue* s = m.array("tokenizer.ggml.token_type", GgufValueType::i32, "integers")) {
    if (s->count != v.tokens.size()) {
      m.fail("tokenizer.ggml.token_type has " + std::to_string(s->count) +
             " entries but tokenizer.ggml.tokens has " + std::to_string(v.tokens.size()));
    }
    v.types.resize(s->count);
    for (uint64_t i = 0; i < s->count; ++i) {
      int64_t x = 0;
      s->integer(i, x);
      if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
        m.fail("tokenizer.ggml.token_type[" + std::to_string(i) + "] = " + std::to_string(x) + " is out of range");
      }
      v.types[i] = int32_t(x);
    }
  }
  if (const GgufValue* s = m.array("tokenizer.ggml.merges", GgufValueType::string, "strings")) v.merges = s->strings;
  const int64_t n = int64_t(v.tokens.size());
  v.bos_id = int(m.integer("tokenizer.ggml.bos_token_id", false, -1, 0, n ? n - 1 : INT32_MAX));
  v.eos_id = int(m.integer("tokenizer.ggml.eos_token_id", false, -1, 0, n ? n - 1 : INT32_MAX));
  return v;
}

ModelConfig read_config(const Meta& m, const GgufFile& f) {
  ModelConfig c;
  const std::string a = "llama.";
  const int64_t big = std::numeric_limits<int32_t>::max();
  c.name = m.string("general.name", false, std::filesystem::path(f.origin).stem().string());
  c.dim = int(m.integer(a + "embedding_length", true, 0, 1, big));
  c.hidden_dim = int(m.integer(a + "feed_forward_length", true, 0, 1, big));
  c.n_layers = int(m.integer(a + "block_count", true, 0, 1, big));
  c.n_heads = int(m.integer(a + "attention.head_count", true, 0, 1, big));
  c.n_kv_heads = int(m.integer(a + "attention.head_count_kv", false, c.n_heads, 1, big));
  c.seq_len = int(m.integer(a + "context_length", true, 0, 1, big));
  c.norm_eps = float(m.real(a + "attention.layer_norm_rms_epsilon", 1e-5));
  c.rope_theta = float(m.real(a + "rope.freq_base", 10000.0));
  if (c.dim % c.n_heads != 0) {
    m.fail("llama.embedding_length " + std::to_string(c.dim) + " is not a multiple of llama.attention.head_count " +
           std::to_string(c.n_heads));
  }
  if (c.n_heads % c.n_kv_heads != 0) {
    m.fail("llama.attention.head_count " + std::to_string(c.n_heads) +
           " is not a multiple of llama.attention.head_count_kv " + std::to_string(c.n_kv_heads));
  }
  // Features ModelWeights and the transformer do not model: refuse rather than mis-run.
  const int64_t hd = c.head_dim();
  for (const char* k : {"rope.dimension_count", "attention.key_length", "attention.value_length"}) {
    const int64_t v = m.integer(a + k, false, hd, 0, big);
    if (v != hd) {
      m.fail("llama." + std::string(k) + " = " + std::to_string(v) + " differs from the head dimension " +
             std::to_string(hd) + " (embedding_length / head_count); not supported");
    }
  }
  if (m.integer(a + "expert_count", false, 0, 0, big) > 0) m.fail("mixture-of-experts models are not supported");
  const std::string scaling = m.string(a + "rope.scaling.type", false, "none");
  if (scaling != "none") m.fail("RoPE scaling '" + scaling + "' (llama.rope.scaling.type) is not supported");
  return c;
}

}  // namespace

GgufModel gguf_to_model(const GgufFile& f) {
  const Meta m(f);
  GgufModel out;
  out.architecture = m.string("general.architecture", true);
  if (out.architecture != "llama") {
    m.fail("architecture '" + out.architecture + "' is not supported (only 'llama': LLaMA-2/3, SmolLM, ...)");
  }
  ModelConfig c = read_config(m, f);
  out.vocab = read_vocab(m);

  const GgufTensorInfo* emb = f.find_tensor("token_embd.weight");
  if (!emb) m.fail("missing tensor 'token_embd.weight'");
  if (emb->ne.size() < 2 || emb->ne[1] == 0 || emb->ne[1] > uint64_t(std::numeric_limits<int32_t>::max())) {
    m.fail("tensor 'token_embd.weight' has shape " + dims_str(emb->ne) + ", expected [embedding_length, vocab]");
  }
  c.vocab_size = int(out.vocab.tokens.empty() ? emb->ne[1] : out.vocab.tokens.size());
  const int64_t declared_vocab = m.integer("llama.vocab_size", false, c.vocab_size, 1, INT32_MAX);
  if (declared_vocab != c.vocab_size) {
    m.fail("llama.vocab_size " + std::to_string(declared_vocab) + " differs from the " + std::to_string(c.vocab_size) +
           " tokens of the vocabulary");
  }

  // Validate every tensor's presence, shape and type before allocating anything: the
  // metadata counts (block_count, ...) are untrusted until each is backed by a tensor.
  ModelWeights& w = out.weights;
  w.cfg = c;
  ModelWeights shape_only;  // layers sized one at a time so a huge block_count costs nothing
  shape_only.cfg = c;
  std::unordered_set<std::string> used;
  auto check = [&](const std::string& name, const std::vector<uint64_t>& ne) -> const GgufTensorInfo* {
    const GgufTensorInfo* t = f.find_tensor(name);
    if (!t) m.fail("missing tensor '" + name + "'");
    bool ok = t->ne.size() >= ne.size();
    for (size_t i = 0; ok && i < t->ne.size(); ++i) ok = t->ne[i] == (i < ne.size() ? ne[i] : 1);
    if (!ok) {
      m.fail("tensor '" + name + "' has shape " + dims_str(t->ne) + ", expected " + dims_str(ne) +
             " (GGUF order: inner dimension first)");
    }
    if (!gguf_can_dequantize(t->type)) {
      m.fail("tensor '" + name + "' has type " + gguf_type_name(t->type) + ", which airtp cannot dequantize (supported: " +
             gguf_dequantizable_types() + ")");
    }
    used.insert(name);
    return t;
  };
  shape_only.layers.resize(1);
  std::vector<std::pair<const GgufTensorInfo*, std::vector<float>*>> plan;
  for (int l = 0; l < c.n_layers; ++l) {
    // Names of layer l: slots of a one-layer model, renamed.
    for (auto& s : llama_slots(shape_only)) {
      if (s.name.rfind("blk.", 0) != 0) continue;
      check("blk." + std::to_string(l) + s.name.substr(s.name.find('.', 4)), s.ne);
    }
  }
  w.layers.resize(c.n_layers);  // now backed by 9 validated tensors per layer
  for (auto& s : llama_slots(w)) plan.emplace_back(check(s.name, s.ne), s.data);
  if (f.find_tensor("output.weight")) {
    plan.emplace_back(check("output.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)}), &w.classifier);
  }
  if (f.find_tensor("rope_freqs.weight")) m.fail("tensor 'rope_freqs.weight' (LLaMA-3.1 RoPE scaling) is not supported");
  for (const auto& t : f.tensors) {
    if (!used.count(t.name)) m.fail("unexpected tensor '" + t.name + "' (bias or unsupported variant of llama)");
  }

  for (const auto& t : f.tensors) out.tensor_types.push_back(t.name + ": " + gguf_type_name(t.type));
  for (auto& [t, dst] : plan) {
    *dst = f.tensor_f32(*t);
    for (float x : *dst) {
      if (!std::isfinite(x)) m.fail("tensor '" + t->name + "' contains a NaN or infinite value");
    }
  }
  return out;
}

GgufModel load_gguf_model(const std::string& path) { return gguf_to_model(read_gguf(path)); }

GgufModel load_gguf_model(std::span<const uint8_t> bytes, std::string origin) {
  return gguf_to_model(read_gguf(bytes, std::move(origin)));
}

// ---- writing ----------------------------------------------------------------------------

namespace {

void check_weights(const ModelWeights& w) {
  const ModelConfig& c = w.cfg;
  auto bad = [](const std::string& m) { throw InputError("GGUF writer: " + m); };
  if (c.dim <= 0 || c.hidden_dim <= 0 || c.n_layers <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 ||
      c.vocab_size <= 0 || c.seq_len <= 0) {
    bad("model config has a non-positive size");
  }
  if (c.dim % c.n_heads || c.n_heads % c.n_kv_heads) bad("dim must divide by n_heads and n_heads by n_kv_heads");
  if (int(w.layers.size()) != c.n_layers) bad("layer count differs from cfg.n_layers");
  auto check = [&](const std::string& name, const std::vector<uint64_t>& ne, const std::vector<float>& v) {
    uint64_t n = 1;
    for (uint64_t d : ne) n *= d;
    if (v.size() != n) bad(name + " has " + std::to_string(v.size()) + " values, expected " + std::to_string(n));
    for (float x : v)
      if (!std::isfinite(x)) bad(name + " contains a NaN or infinite value");
  };
  for (const auto& s : llama_slots(w)) check(s.name, s.ne, *s.data);
  if (!w.classifier.empty()) check("output.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)}, w.classifier);
}

}  // namespace

std::vector<uint8_t> gguf_bytes(const ModelWeights& w, GgufType type, const GgufVocab* vocab, GgufWriteReport* report) {
  if (type != GgufType::f32 && type != GgufType::f16 && type != GgufType::q8_0) {
    throw InputError("GGUF writer: tensor type " + gguf_type_name(uint32_t(type)) + " is not supported (F32, F16, Q8_0)");
  }
  check_weights(w);
  const ModelConfig& c = w.cfg;
  if (vocab && !vocab->tokens.empty() && int(vocab->tokens.size()) != c.vocab_size) {
    throw InputError("GGUF writer: vocabulary has " + std::to_string(vocab->tokens.size()) +
                     " tokens but the model has vocab_size " + std::to_string(c.vocab_size));
  }
  GgufWriter g;
  g.add("general.architecture", GgufValue::str("llama"));
  g.add("general.name", GgufValue::str(c.name));
  // llama_ftype: ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7.
  g.add("general.file_type", GgufValue::u32(type == GgufType::f32 ? 0 : type == GgufType::f16 ? 1 : 7));
  g.add("llama.context_length", GgufValue::u32(c.seq_len));
  g.add("llama.embedding_length", GgufValue::u32(c.dim));
  g.add("llama.block_count", GgufValue::u32(c.n_layers));
  g.add("llama.feed_forward_length", GgufValue::u32(c.hidden_dim));
  g.add("llama.rope.dimension_count", GgufValue::u32(c.head_dim()));
  g.add("llama.attention.head_count", GgufValue::u32(c.n_heads));
  g.add("llama.attention.head_count_kv", GgufValue::u32(c.n_kv_heads));
  g.add("llama.attention.layer_norm_rms_epsilon", GgufValue::f32(c.norm_eps));
  g.add("llama.rope.freq_base", GgufValue::f32(c.rope_theta));
  g.add("llama.vocab_size", GgufValue::u32(c.vocab_size));
  if (vocab && !vocab->tokens.empty()) {
    g.add("tokenizer.ggml.model", GgufValue::str(vocab->model.empty() ? "llama" : vocab->model));
    g.add("tokenizer.ggml.tokens", GgufValue::str_array(vocab->tokens));
    if (!vocab->scores.empty()) g.add("tokenizer.ggml.scores", GgufValue::f32_array(vocab->scores));
    if (!vocab->types.empty()) g.add("tokenizer.ggml.token_type", GgufValue::i32_array(vocab->types));
    if (!vocab->merges.empty()) g.add("tokenizer.ggml.merges", GgufValue::str_array(vocab->merges));
    if (vocab->bos_id >= 0) g.add("tokenizer.ggml.bos_token_id", GgufValue::u32(vocab->bos_id));
    if (vocab->eos_id >= 0) g.add("tokenizer.ggml.eos_token_id", GgufValue::u32(vocab->eos_id));
  } else {
    g.add("tokenizer.ggml.model", GgufValue::str("none"));  // llama.cpp's "no vocabulary"
  }

  GgufWriteReport rep;
  auto put = [&](const std::string& name, const std::vector<uint64_t>& ne, const std::vector<float>& v) {
    GgufType t = ne.size() == 1 ? GgufType::f32 : type;  // norms stay F32, as llama.cpp keeps them
    if (t == GgufType::q8_0 && ne[0] % 32 != 0) {
      t = GgufType::f16;
      rep.fallbacks.push_back(name + ": inner dimension " + std::to_string(ne[0]) +
                              " is not a multiple of 32; stored as F16");
    }
    g.add_tensor(name, ne, uint32_t(t),
                 t == GgufType::f32 ? encode_f32(v) : t == GgufType::f16 ? encode_f16(v) : encode_q8_0(v));
  };
  auto slots = llama_slots(w);
  put(slots[0].name, slots[0].ne, *slots[0].data);  // token_embd
  put(slots[1].name, slots[1].ne, *slots[1].data);  // output_norm
  if (!w.classifier.empty()) put("output.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)}, w.classifier);
  for (size_t i = 2; i < slots.size(); ++i) put(slots[i].name, slots[i].ne, *slots[i].data);
  std::vector<uint8_t> bytes = g.bytes(32);
  rep.file_bytes = bytes.size();
  if (report) *report = std::move(rep);
  return bytes;
}

GgufWriteReport write_gguf(const std::string& path, const ModelWeights& w, GgufType type, const GgufVocab* vocab) {
  GgufWriteReport rep;
  const std::vector<uint8_t> bytes = gguf_bytes(w, type, vocab, &rep);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot create GGUF file");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) throw InputError(path + ": write failed");
  return rep;
}

}  // namespace airtp
