// GGUF <-> ModelWeights for the `llama` and `qwen2` architectures. GGUF files converted by
// llama.cpp keep a llama model's Q and K in the interleaved-pair RoPE layout llama2.c uses
// (rope type NORM), so matrices map one to one; qwen2 keeps the checkpoint's halves layout
// (rope type NEOX, ModelConfig::rope_neox) and adds biases to Q, K and V. ne = {in, out} for a
// row-major [out][in] matrix.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <unordered_map>
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

// Every tensor of layer l (with the Q/K/V biases when `bias`).
template <class Layer, class Vec>
void layer_slots(Layer& L, size_t l, const ModelConfig& c, bool bias, std::vector<Slot<Vec>>& s) {
  const uint64_t dim = c.dim, hid = c.hidden_dim, hd = c.head_dim();
  const uint64_t q = c.n_heads * hd, kv = c.n_kv_heads * hd;
  const std::string p = "blk." + std::to_string(l) + ".";
  s.push_back({p + "attn_norm.weight", {dim}, &L.attn_norm});
  s.push_back({p + "attn_q.weight", {dim, q}, &L.wq});
  s.push_back({p + "attn_k.weight", {dim, kv}, &L.wk});
  s.push_back({p + "attn_v.weight", {dim, kv}, &L.wv});
  if (bias) {
    s.push_back({p + "attn_q.bias", {q}, &L.bq});
    s.push_back({p + "attn_k.bias", {kv}, &L.bk});
    s.push_back({p + "attn_v.bias", {kv}, &L.bv});
  }
  s.push_back({p + "attn_output.weight", {q, dim}, &L.wo});
  s.push_back({p + "ffn_norm.weight", {dim}, &L.ffn_norm});
  s.push_back({p + "ffn_gate.weight", {dim, hid}, &L.w1});
  s.push_back({p + "ffn_down.weight", {hid, dim}, &L.w2});
  s.push_back({p + "ffn_up.weight", {dim, hid}, &L.w3});
}

// Every tensor except output.weight (optional: absent means tied to token_embd).
template <class W>
auto model_slots(W& w, bool bias) {
  using Vec = std::remove_reference_t<decltype((w.tok_embedding))>;  // const when W is
  const ModelConfig& c = w.cfg;
  std::vector<Slot<Vec>> s;
  s.push_back({"token_embd.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)}, &w.tok_embedding});
  s.push_back({"output_norm.weight", {uint64_t(c.dim)}, &w.final_norm});
  for (size_t l = 0; l < w.layers.size(); ++l) layer_slots(w.layers[l], l, c, bias, s);
  return s;
}

std::string dims_str(const std::vector<uint64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

// The architectures the transformer runs, and what distinguishes them.
struct Arch {
  const char* name;
  bool qkv_bias;   // blk.N.attn_{q,k,v}.bias present
  bool rope_neox;  // rotary layout (ModelConfig::rope_neox)
};
constexpr Arch kArchs[] = {{"llama", false, false}, {"qwen2", true, true}};

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
  v.unk_id = int(m.integer("tokenizer.ggml.unknown_token_id", false, -1, 0, n ? n - 1 : INT32_MAX));
  v.pad_id = int(m.integer("tokenizer.ggml.padding_token_id", false, -1, 0, n ? n - 1 : INT32_MAX));
  v.pre = m.string("tokenizer.ggml.pre", false);
  // Flags stored as bool (or, leniently, as an integer 0/1).
  v.add_bos = int(m.integer("tokenizer.ggml.add_bos_token", false, -1, 0, 1));
  v.add_eos = int(m.integer("tokenizer.ggml.add_eos_token", false, -1, 0, 1));
  v.add_space_prefix = int(m.integer("tokenizer.ggml.add_space_prefix", false, -1, 0, 1));
  return v;
}

ModelConfig read_config(const Meta& m, const GgufFile& f, const Arch& arch) {
  ModelConfig c;
  const std::string a = std::string(arch.name) + ".";
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
  c.rope_neox = arch.rope_neox;
  if (c.dim % c.n_heads != 0) {
    m.fail(a + "embedding_length " + std::to_string(c.dim) + " is not a multiple of " + a + "attention.head_count " +
           std::to_string(c.n_heads));
  }
  if (c.n_heads % c.n_kv_heads != 0) {
    m.fail(a + "attention.head_count " + std::to_string(c.n_heads) + " is not a multiple of " + a +
           "attention.head_count_kv " + std::to_string(c.n_kv_heads));
  }
  if (c.head_dim() % 2 != 0) m.fail("head dimension " + std::to_string(c.head_dim()) + " is odd (RoPE rotates pairs)");
  // Features ModelWeights and the transformer do not model: refuse rather than mis-run.
  const int64_t hd = c.head_dim();
  for (const char* k : {"rope.dimension_count", "attention.key_length", "attention.value_length"}) {
    const int64_t v = m.integer(a + k, false, hd, 0, big);
    if (v != hd) {
      m.fail(a + k + " = " + std::to_string(v) + " differs from the head dimension " + std::to_string(hd) +
             " (embedding_length / head_count); not supported");
    }
  }
  if (m.integer(a + "expert_count", false, 0, 0, big) > 0) m.fail("mixture-of-experts models are not supported");
  const std::string scaling = m.string(a + "rope.scaling.type", false, "none");
  if (scaling != "none") m.fail("RoPE scaling '" + scaling + "' (" + a + "rope.scaling.type) is not supported");
  for (const char* k : {"attention.sliding_window", "attn_logit_softcapping", "final_logit_softcapping"}) {
    if (m.get(a + k)) m.fail(a + k + " is set: not supported by the transformer");
  }
  return c;
}

const Arch& find_arch(const Meta& m) {
  const std::string name = m.string("general.architecture", true);
  for (const Arch& a : kArchs)
    if (name == a.name) return a;
  m.fail("architecture '" + name + "' is not supported (supported: 'llama': LLaMA-2/3, SmolLM, ...; 'qwen2')");
}

// Physical memory, or 0 when unknown.
uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
}

// The validated layout: config plus, for each tensor to read, its info and where it goes.
struct Layout {
  GgufModelInfo info;
  bool bias = false;
};

Layout layout_of(const GgufFile& f) {
  const Meta m(f);
  Layout out;
  GgufModelInfo& info = out.info;
  const Arch& arch = find_arch(m);
  info.architecture = arch.name;
  out.bias = arch.qkv_bias;
  ModelConfig c = read_config(m, f, arch);
  const std::string a = std::string(arch.name) + ".";

  const GgufTensorInfo* emb = f.find_tensor("token_embd.weight");
  if (!emb) m.fail("missing tensor 'token_embd.weight'");
  if (emb->ne.size() != 2 || emb->ne[1] == 0 || emb->ne[1] > uint64_t(std::numeric_limits<int32_t>::max())) {
    m.fail("tensor 'token_embd.weight' has shape " + dims_str(emb->ne) + ", expected [" + a + "embedding_length, vocab]");
  }
  const GgufValue* toks = f.find("tokenizer.ggml.tokens");
  const int64_t n_tokens = toks && toks->is_array() && toks->elem_type == GgufValueType::string ? int64_t(toks->count) : 0;
  c.vocab_size = int(emb->ne[1]);
  if (n_tokens && n_tokens != c.vocab_size) {
    m.fail("the vocabulary (tokenizer.ggml.tokens) has " + std::to_string(n_tokens) +
           " tokens but tensor 'token_embd.weight' has " + std::to_string(c.vocab_size) + " rows " + dims_str(emb->ne));
  }
  const int64_t declared_vocab = m.integer(a + "vocab_size", false, c.vocab_size, 1, INT32_MAX);
  if (declared_vocab != c.vocab_size) {
    m.fail(a + "vocab_size " + std::to_string(declared_vocab) + " differs from the " + std::to_string(c.vocab_size) +
           " rows of tensor 'token_embd.weight'" + (n_tokens ? " and the vocabulary" : ""));
  }

  // Validate every tensor's presence, shape and type before allocating anything: the
  // metadata counts (block_count, ...) are untrusted until each is backed by a tensor.
  std::unordered_map<std::string, const GgufTensorInfo*> by_name;  // names are unique (reader)
  for (const auto& t : f.tensors) by_name.emplace(t.name, &t);
  std::unordered_set<std::string> used;
  auto check = [&](const std::string& name, const std::vector<uint64_t>& ne) {
    const auto it = by_name.find(name);
    const GgufTensorInfo* t = it == by_name.end() ? nullptr : it->second;
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
    info.fp32_bytes += t->n_elements() * 4;
  };
  ModelWeights shape_only;  // one layer's slots, renamed per layer: a huge block_count costs nothing
  shape_only.cfg = c;
  shape_only.layers.resize(1);
  std::vector<Slot<std::vector<float>>> one;
  layer_slots(shape_only.layers[0], 0, c, out.bias, one);
  check("token_embd.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)});
  check("output_norm.weight", {uint64_t(c.dim)});
  for (int l = 0; l < c.n_layers; ++l) {
    for (const auto& s : one) check("blk." + std::to_string(l) + s.name.substr(s.name.find('.', 4)), s.ne);
  }
  info.tied_output = !f.find_tensor("output.weight");
  if (!info.tied_output) check("output.weight", {uint64_t(c.dim), uint64_t(c.vocab_size)});
  if (f.find_tensor("rope_freqs.weight")) m.fail("tensor 'rope_freqs.weight' (LLaMA-3.1 RoPE scaling) is not supported");
  for (const auto& t : f.tensors) {
    if (used.count(t.name)) continue;
    int64_t blk = -1;
    if (t.name.rfind("blk.", 0) == 0) blk = std::strtoll(t.name.c_str() + 4, nullptr, 10);
    if (blk >= c.n_layers) {
      m.fail("tensor '" + t.name + "' belongs to layer " + std::to_string(blk) + " but " + a + "block_count is " +
             std::to_string(c.n_layers));
    }
    m.fail("unexpected tensor '" + t.name + "' (bias or a variant of " + arch.name + " the transformer does not run)");
  }
  const uint64_t mem = physical_memory();
  if (mem && info.fp32_bytes > mem / 10 * 9) {
    m.fail("the weights need " + std::to_string(info.fp32_bytes >> 20) + " MiB as fp32 but this machine has " +
           std::to_string(mem >> 20) + " MiB of memory");
  }
  for (const auto& t : f.tensors) info.tensor_types.push_back(t.name + ": " + gguf_type_name(t.type));
  info.cfg = c;
  return out;
}

}  // namespace

GgufModelInfo gguf_model_info(const GgufFile& f) { return layout_of(f).info; }

GgufModel gguf_to_model(const GgufFile& f) {
  const Meta m(f);
  GgufModel out;
  out.vocab = read_vocab(m);
  Layout lay = layout_of(f);
  out.architecture = lay.info.architecture;
  out.tensor_types = std::move(lay.info.tensor_types);
  ModelWeights& w = out.weights;
  w.cfg = lay.info.cfg;
  w.layers.resize(w.cfg.n_layers);  // each layer backed by validated tensors
  auto slots = model_slots(w, lay.bias);
  if (!lay.info.tied_output) slots.push_back({"output.weight", {uint64_t(w.cfg.dim), uint64_t(w.cfg.vocab_size)}, &w.classifier});
  std::unordered_map<std::string, const GgufTensorInfo*> by_name;
  for (const auto& t : f.tensors) by_name.emplace(t.name, &t);
  std::vector<const GgufTensorInfo*> src(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    src[i] = by_name.at(slots[i].name);  // present: layout_of checked
    slots[i].data->resize(src[i]->n_elements());
  }
  // Tensors decode independently: in parallel (the mapped file's pages are read as touched).
  FirstError err;
  const long n = long(slots.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (long i = 0; i < n; ++i) {
    try {
      const GgufTensorInfo& t = *src[i];
      std::vector<float>& dst = *slots[i].data;
      f.tensor_f32(t, dst.data());
      for (float x : dst) {
        if (!std::isfinite(x)) m.fail("tensor '" + t.name + "' contains a NaN or infinite value");
      }
    } catch (const std::exception& e) {
      err.record(e);
    }
  }
  err.rethrow();
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
  const bool bias = w.has_qkv_bias();
  if (bias != c.rope_neox) {
    bad(std::string("Q/K/V biases ") + (bias ? "with" : "without") + " the " + (c.rope_neox ? "NEOX" : "NORM") +
        " RoPE layout match neither llama (no biases, NORM) nor qwen2 (biases, NEOX)");
  }
  for (const auto& s : model_slots(w, bias)) check(s.name, s.ne, *s.data);
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
  const bool bias = w.has_qkv_bias();
  const std::string arch = bias ? "qwen2" : "llama", a = arch + ".";
  g.add("general.architecture", GgufValue::str(arch));
  g.add("general.name", GgufValue::str(c.name));
  // llama_ftype: ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7.
  g.add("general.file_type", GgufValue::u32(type == GgufType::f32 ? 0 : type == GgufType::f16 ? 1 : 7));
  g.add(a + "context_length", GgufValue::u32(c.seq_len));
  g.add(a + "embedding_length", GgufValue::u32(c.dim));
  g.add(a + "block_count", GgufValue::u32(c.n_layers));
  g.add(a + "feed_forward_length", GgufValue::u32(c.hidden_dim));
  g.add(a + "rope.dimension_count", GgufValue::u32(c.head_dim()));
  g.add(a + "attention.head_count", GgufValue::u32(c.n_heads));
  g.add(a + "attention.head_count_kv", GgufValue::u32(c.n_kv_heads));
  g.add(a + "attention.layer_norm_rms_epsilon", GgufValue::f32(c.norm_eps));
  g.add(a + "rope.freq_base", GgufValue::f32(c.rope_theta));
  g.add(a + "vocab_size", GgufValue::u32(c.vocab_size));
  if (vocab && !vocab->tokens.empty()) {
    g.add("tokenizer.ggml.model", GgufValue::str(vocab->model.empty() ? "llama" : vocab->model));
    g.add("tokenizer.ggml.tokens", GgufValue::str_array(vocab->tokens));
    if (!vocab->scores.empty()) g.add("tokenizer.ggml.scores", GgufValue::f32_array(vocab->scores));
    if (!vocab->types.empty()) g.add("tokenizer.ggml.token_type", GgufValue::i32_array(vocab->types));
    if (!vocab->merges.empty()) g.add("tokenizer.ggml.merges", GgufValue::str_array(vocab->merges));
    if (vocab->bos_id >= 0) g.add("tokenizer.ggml.bos_token_id", GgufValue::u32(vocab->bos_id));
    if (vocab->eos_id >= 0) g.add("tokenizer.ggml.eos_token_id", GgufValue::u32(vocab->eos_id));
    if (vocab->unk_id >= 0) g.add("tokenizer.ggml.unknown_token_id", GgufValue::u32(vocab->unk_id));
    if (vocab->pad_id >= 0) g.add("tokenizer.ggml.padding_token_id", GgufValue::u32(vocab->pad_id));
    if (!vocab->pre.empty()) g.add("tokenizer.ggml.pre", GgufValue::str(vocab->pre));
    if (vocab->add_bos >= 0) g.add("tokenizer.ggml.add_bos_token", GgufValue::boolean(vocab->add_bos));
    if (vocab->add_eos >= 0) g.add("tokenizer.ggml.add_eos_token", GgufValue::boolean(vocab->add_eos));
    if (vocab->add_space_prefix >= 0)
      g.add("tokenizer.ggml.add_space_prefix", GgufValue::boolean(vocab->add_space_prefix));
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
  auto slots = model_slots(w, bias);
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

GgufVocab read_gguf_vocab(const GgufFile& f) { return read_vocab(Meta(f)); }

}  // namespace airtp
