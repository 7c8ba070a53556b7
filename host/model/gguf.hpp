// GGUF (llama.cpp's model file format, versions 2 and 3, little-endian): a reader that
// treats every byte as hostile, a mapping of the `llama` architecture onto ModelWeights,
// and a writer producing files llama.cpp accepts.
//
// Layout of a GGUF file: "GGUF", u32 version, u64 tensor_count, u64 kv_count, kv_count
// metadata pairs (string key, u32 value type, value), tensor_count tensor infos (string
// name, u32 n_dims, u64 ne[n_dims] innermost first, u32 type, u64 offset), padding to
// general.alignment (default 32), then the data section; each tensor's offset is relative
// to the start of the data section and a multiple of the alignment.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kernels/model_weights.hpp"

namespace airtp {

// Metadata value types, numbered as in the file.
enum class GgufValueType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7,
  string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
const char* gguf_value_type_name(GgufValueType t);

// Tensor element types (ggml_type numbering). F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q4_K, Q5_K and Q6_K can be dequantized (host/model/gguf_quants.hpp); the others are known so
// their sizes can be checked and named.
enum class GgufType : uint32_t {
  f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9,
  q2_k = 10, q3_k = 11, q4_k = 12, q5_k = 13, q6_k = 14, q8_k = 15,
  iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22,
  iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30,
  tq1_0 = 34, tq2_0 = 35, mxfp4 = 39,
};
struct GgufTypeTraits {
  const char* name = nullptr;  // nullptr: not a ggml type
  uint32_t block = 0;          // elements per block
  uint32_t bytes = 0;          // bytes per block
};
GgufTypeTraits gguf_type_traits(uint32_t type);  // name == nullptr for unknown ids
std::string gguf_type_name(uint32_t type);       // "Q8_0", or "unknown type 77"

// One metadata value. Numeric scalars and numeric arrays keep their little-endian bytes in
// `raw` (scalars as a one-element array) so a huge array costs its file size, not more.
struct GgufValue {
  GgufValueType type = GgufValueType::u8;
  GgufValueType elem_type = GgufValueType::u8;  // element type when type == array
  uint64_t count = 1;                           // number of elements (1 for a scalar)
  std::vector<uint8_t> raw;                     // numeric and bool elements
  std::vector<std::string> strings;             // string scalar or string-array elements
  std::vector<GgufValue> arrays;                // array-of-array elements

  bool is_array() const { return type == GgufValueType::array; }
  GgufValueType element_type() const { return is_array() ? elem_type : type; }
  bool is_numeric() const;  // integer, float or bool elements
  bool is_integer() const;  // integer or bool elements
  // Element i as a number. Requires is_numeric(); integers above 2^53 lose precision.
  double number(uint64_t i = 0) const;
  // Element i as an integer; false when not an integer type or it does not fit int64.
  bool integer(uint64_t i, int64_t& out) const;

  static GgufValue u32(uint32_t v);
  static GgufValue i32(int32_t v);
  static GgufValue f32(float v);
  static GgufValue boolean(bool v);
  static GgufValue str(std::string v);
  static GgufValue str_array(std::vector<std::string> v);
  static GgufValue f32_array(const std::vector<float>& v);
  static GgufValue i32_array(const std::vector<int32_t>& v);
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> ne;  // dims, innermost first: a row-major [out][in] matrix is {in, out}
  uint32_t type = 0;         // GgufType id as stored (may be a type we cannot dequantize)
  uint64_t offset = 0;       // relative to the data section
  uint64_t n_bytes = 0;      // validated to lie inside the file
  uint64_t n_elements() const;
};

class GgufSource;  // where the bytes come from (file or memory); defined in gguf.cpp

// A parsed GGUF file: header, metadata and tensor infos. Tensor data stay in the source and
// are read on demand. Parsing from memory does not copy: the buffer must outlive this.
struct GgufFile {
  std::string origin;  // file name (or the label given for a memory buffer), used in errors
  uint32_t version = 0;
  uint32_t alignment = 32;
  uint64_t data_offset = 0;  // absolute offset of the data section
  uint64_t file_size = 0;
  std::vector<std::pair<std::string, GgufValue>> kv;  // in file order
  std::vector<GgufTensorInfo> tensors;                // in file order
  std::shared_ptr<GgufSource> source;

  const GgufValue* find(const std::string& key) const;
  const GgufTensorInfo* find_tensor(const std::string& name) const;
  std::vector<uint8_t> tensor_bytes(const GgufTensorInfo& t) const;
  // Dequantized to fp32 (the types of gguf_can_dequantize); any other type throws InputError
  // naming the tensor and its type. The second form writes t.n_elements() floats to dst.
  std::vector<float> tensor_f32(const GgufTensorInfo& t) const;
  void tensor_f32(const GgufTensorInfo& t, float* dst) const;
};

// Both throw InputError naming the origin and the defect for any malformed input.
GgufFile read_gguf(const std::string& path);
GgufFile read_gguf(std::span<const uint8_t> bytes, std::string origin = "<memory>");

// Tokenizer vocabulary as GGUF stores it (tokenizer.ggml.*). Tokenizer::from_gguf
// (host/model/tokenizer.hpp) checks it for consistency and applies llama.cpp's defaults.
struct GgufVocab {
  std::string model;                // tokenizer.ggml.model: "llama" (SentencePiece), "gpt2" (BPE), ...
  std::string pre;                  // tokenizer.ggml.pre: BPE pre-tokenizer ("smollm", "llama-bpe", ...)
  std::vector<std::string> tokens;  // tokenizer.ggml.tokens
  std::vector<float> scores;        // tokenizer.ggml.scores (empty when absent, e.g. BPE)
  std::vector<int32_t> types;       // tokenizer.ggml.token_type (1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte...)
  std::vector<std::string> merges;  // tokenizer.ggml.merges (BPE only)
  int bos_id = -1;                  // -1 when absent
  int eos_id = -1;
  int unk_id = -1;                  // tokenizer.ggml.unknown_token_id
  int pad_id = -1;                  // tokenizer.ggml.padding_token_id
  int add_bos = -1;                 // tokenizer.ggml.add_bos_token: 1 true, 0 false, -1 absent
  int add_eos = -1;                 // tokenizer.ggml.add_eos_token
  int add_space_prefix = -1;        // tokenizer.ggml.add_space_prefix (SentencePiece)
};

// The tokenizer.ggml.* metadata of a parsed file (no tensors needed: works on llama.cpp's
// vocabulary-only GGUFs). InputError naming the origin and key for a value of the wrong type,
// arrays whose lengths differ from the token count, or special ids out of range.
GgufVocab read_gguf_vocab(const GgufFile& file);

// A GGUF model's shape as its metadata declares it, checked against its tensor infos (every
// tensor present with the right shape and a type airtp can dequantize, nothing unexpected)
// without reading or allocating any tensor data.
struct GgufModelInfo {
  std::string architecture;               // general.architecture: "llama" or "qwen2"
  ModelConfig cfg;                        // vocab_size = rows of token_embd.weight
  bool tied_output = false;               // no output.weight: the classifier is token_embd
  std::vector<std::string> tensor_types;  // "name: TYPE" for every tensor, in file order
  uint64_t fp32_bytes = 0;                // memory the dequantized weights take
};
GgufModelInfo gguf_model_info(const GgufFile& file);

struct GgufModel {
  std::string architecture;  // general.architecture ("llama" or "qwen2")
  ModelWeights weights;      // fp32; classifier empty when output.weight is absent (tied)
  GgufVocab vocab;
  std::vector<std::string> tensor_types;  // "name: TYPE" for every tensor read, in file order
};

// Map a `llama`- or `qwen2`-architecture GGUF onto ModelWeights, checking every tensor's
// presence and shape against the metadata (gguf_model_info) before anything is allocated.
// Anything the transformer could not honour (other architectures, RoPE scaling, partial
// rotary, experts, sliding windows, unknown tensors) is an InputError rather than silently
// wrong logits; so is a model whose fp32 weights would not fit in memory.
GgufModel load_gguf_model(const std::string& path);
GgufModel load_gguf_model(std::span<const uint8_t> bytes, std::string origin = "<memory>");
GgufModel gguf_to_model(const GgufFile& file);

// Generic serializer: metadata and tensors in insertion order, version 3, the given
// alignment (written as general.alignment when not 32).
class GgufWriter {
 public:
  void add(std::string key, GgufValue value);
  // `bytes` must hold exactly the size implied by ne and type (checked for known types).
  void add_tensor(std::string name, std::vector<uint64_t> ne, uint32_t type, std::vector<uint8_t> bytes);
  std::vector<uint8_t> bytes(uint32_t alignment = 32) const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;
    uint32_t type;
    std::vector<uint8_t> data;
  };
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<Tensor> tensors_;
};

// Encoders for the types write_gguf produces. Q8_0 needs n % 32 == 0: per block of 32,
// d = fp16(max|x| / 127) and q = round(x / d) clamped to [-127, 127], so every element
// comes back within d/2.
std::vector<uint8_t> encode_f32(const std::vector<float>& x);
std::vector<uint8_t> encode_f16(const std::vector<float>& x);
std::vector<uint8_t> encode_q8_0(const std::vector<float>& x);

struct GgufWriteReport {
  uint64_t file_bytes = 0;
  // Matrices that could not take the requested type, e.g.
  // "blk.0.ffn_down.weight: inner dimension 172 is not a multiple of 32; stored as F16".
  std::vector<std::string> fallbacks;
};

// A llama-architecture GGUF v3 (alignment 32) of `w` (qwen2 when it has Q/K/V biases): matrices in `type` (F32, F16 or Q8_0;
// like llama.cpp, a matrix whose inner dimension is not a multiple of 32 falls back from
// Q8_0 to F16), norms always F32, output.weight omitted when the classifier is tied.
// Without a vocabulary, tokenizer.ggml.model is "none". Throws InputError when the weights
// disagree with their config.
std::vector<uint8_t> gguf_bytes(const ModelWeights& w, GgufType type, const GgufVocab* vocab = nullptr,
                                GgufWriteReport* report = nullptr);
GgufWriteReport write_gguf(const std::string& path, const ModelWeights& w, GgufType type,
                           const GgufVocab* vocab = nullptr);

}  // namespace airtp
