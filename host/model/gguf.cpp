// GGUF reader. Every count, length, dimension and offset in the file is checked against
// the bytes actually present before anything is allocated or read, so a hostile file
// costs at most a small multiple of its own size and a linear scan.
#include "host/model/gguf.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"
#include "host/model/fp16.hpp"
#include "host/model/gguf_quants.hpp"

static_assert(std::endian::native == std::endian::little, "GGUF reader assumes a little-endian host");

namespace airtp {

// ---- byte sources -----------------------------------------------------------------------

class GgufSource {
 public:
  virtual ~GgufSource() = default;
  uint64_t size() const { return size_; }
  // Pointer to bytes [off, off+n), valid until the next call; the caller has bounds-checked.
  virtual const uint8_t* view(uint64_t off, uint64_t n) = 0;
  // Copies bytes [off, off+n) to dst (bounds-checked by the caller).
  virtual void read(uint64_t off, uint64_t n, uint8_t* dst) { std::memcpy(dst, view(off, n), n); }

 protected:
  uint64_t size_ = 0;
};

namespace {

class MemorySource : public GgufSource {
 public:
  explicit MemorySource(std::span<const uint8_t> b) : b_(b) { size_ = b.size(); }
  const uint8_t* view(uint64_t off, uint64_t) override { return b_.data() + off; }

 private:
  std::span<const uint8_t> b_;
};

// A read-only map of a regular file (host/io/input_file.hpp refuses FIFOs, devices and
// directories): tensor data are decoded straight from the page cache, never copied whole.
class MappedSource : public GgufSource {
 public:
  explicit MappedSource(const std::string& path) : map_(path, "GGUF model", kMaxModelBytes) { size_ = map_.size(); }
  const uint8_t* view(uint64_t off, uint64_t) override { return map_.data() + off; }

 private:
  MappedInput map_;
};

constexpr int kMaxArrayDepth = 8;      // arrays of arrays: bounded recursion
constexpr size_t kMaxTensorName = 63;  // ggml's GGML_MAX_NAME is 64 including the NUL
constexpr uint32_t kMaxDims = 4;       // GGML_MAX_DIMS

uint64_t scalar_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::u8: case GgufValueType::i8: case GgufValueType::boolean: return 1;
    case GgufValueType::u16: case GgufValueType::i16: return 2;
    case GgufValueType::u32: case GgufValueType::i32: case GgufValueType::f32: return 4;
    case GgufValueType::u64: case GgufValueType::i64: case GgufValueType::f64: return 8;
    default: return 0;  // string, array, unknown
  }
}

bool known_value_type(uint32_t t) { return t <= 12; }

// Parses the header, metadata and tensor infos. `what` names the field being read for the
// error message; `key_` adds the metadata key it belongs to.
class Parser {
 public:
  Parser(GgufSource& src, const std::string& origin) : src_(src), origin_(origin) {}

  GgufFile parse() {
    GgufFile f;
    f.origin = origin_;
    f.file_size = src_.size();
    const uint8_t* magic = take(4, "magic");
    if (std::memcmp(magic, "GGUF", 4) != 0) {
      fail("bad magic: not a GGUF file (first bytes " + hex(magic, 4) + ", expected 47 47 55 46 \"GGUF\")");
    }
    f.version = u32("version");
    if (f.version != 2 && f.version != 3) {
      if (__builtin_bswap32(f.version) == 2 || __builtin_bswap32(f.version) == 3) {
        fail("version " + std::to_string(f.version) + ": this is a big-endian GGUF, only little-endian is supported");
      }
      fail("unsupported GGUF version " + std::to_string(f.version) + " (supported: 2 and 3)");
    }
    const uint64_t n_tensors = u64("tensor count");
    const uint64_t n_kv = u64("metadata count");
    // Smallest possible records: kv = key length (8) + type (4) + 1-byte value; tensor info
    // = name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8).
    if (n_kv > remaining() / 13) {
      fail("metadata count " + std::to_string(n_kv) + " is impossible: the " + std::to_string(remaining()) +
           " bytes left hold at most " + std::to_string(remaining() / 13));
    }
    if (n_tensors > remaining() / 32) {
      fail("tensor count " + std::to_string(n_tensors) + " is impossible: the " + std::to_string(remaining()) +
           " bytes left hold at most " + std::to_string(remaining() / 32) + " tensor infos");
    }

    std::unordered_set<std::string> keys;
    f.kv.reserve(n_kv);
    for (uint64_t i = 0; i < n_kv; ++i) {
      key_ = nullptr;
      std::string key = str("metadata key");
      if (!keys.insert(key).second) fail("duplicate metadata key '" + key + "'");
      f.kv.emplace_back(std::move(key), GgufValue{});
      key_ = &f.kv.back().first;
      const uint32_t t = u32("value type");
      f.kv.back().second = value(t, 0);
    }
    key_ = nullptr;

    if (const GgufValue* a = f.find("general.alignment")) {
      if (a->type != GgufValueType::u32) {
        fail("general.alignment has type " + std::string(gguf_value_type_name(a->type)) + ", expected uint32");
      }
      uint32_t al;
      std::memcpy(&al, a->raw.data(), 4);
      if (al == 0 || !std::has_single_bit(al)) {
        fail("general.alignment " + std::to_string(al) + " is not a power of two");
      }
      f.alignment = al;
    }

    std::unordered_set<std::string> names;
    f.tensors.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
      GgufTensorInfo t;
      t.name = str("tensor name");
      const std::string who = "tensor '" + t.name + "'";
      if (t.name.size() > kMaxTensorName) {
        fail(who + ": name is " + std::to_string(t.name.size()) + " bytes, ggml allows at most 63");
      }
      if (!names.insert(t.name).second) fail("duplicate " + who);
      const uint32_t n_dims = u32("tensor dimension count");
      if (n_dims == 0 || n_dims > kMaxDims) {
        fail(who + ": " + std::to_string(n_dims) + " dimensions (must be 1 to 4)");
      }
      t.ne.resize(n_dims);
      for (auto& d : t.ne) d = u64("tensor dimension");
      t.type = u32("tensor type");
      t.offset = u64("tensor offset");
      const GgufTypeTraits tr = gguf_type_traits(t.type);
      if (!tr.name) fail(who + ": unknown tensor type " + std::to_string(t.type));
      uint64_t n = 1;
      for (uint64_t d : t.ne) {
        if (d > uint64_t(std::numeric_limits<int64_t>::max()) || __builtin_mul_overflow(n, d, &n) ||
            n > uint64_t(std::numeric_limits<int64_t>::max())) {
          fail(who + ": dimensions " + dims(t.ne) + " overflow the element count");
        }
      }
      if (t.ne[0] % tr.block != 0) {
        fail(who + ": inner dimension " + std::to_string(t.ne[0]) + " is not a multiple of the " + tr.name +
             " block size " + std::to_string(tr.block));
      }
      if (__builtin_mul_overflow(n / tr.block, uint64_t(tr.bytes), &t.n_bytes)) {
        fail(who + ": byte size overflows");
      }
      if (t.offset % f.alignment != 0) {
        fail(who + ": data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
             std::to_string(f.alignment));
      }
      f.tensors.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    f.data_offset = (pos_ + f.alignment - 1) / f.alignment * f.alignment;
    if (!f.tensors.empty() && f.data_offset > src_.size()) {
      fail("truncated: the data section would start at offset " + std::to_string(f.data_offset) +
           " but the file has " + std::to_string(src_.size()) + " bytes");
    }
    const uint64_t avail = f.tensors.empty() ? 0 : src_.size() - f.data_offset;
    for (const auto& t : f.tensors) {
      if (t.offset > avail || t.n_bytes > avail - t.offset) {
        fail("tensor '" + t.name + "' (" + gguf_type_name(t.type) + " " + dims(t.ne) + ", " +
             std::to_string(t.n_bytes) + " bytes at data offset " + std::to_string(t.offset) +
             ") lies past the end of the file (data section has " + std::to_string(avail) + " bytes)");
      }
    }
    // Tensors must not share bytes (llama.cpp even requires them back to back): otherwise a
    // small file could name the same bytes many times and inflate the decoded model.
    std::vector<const GgufTensorInfo*> by_offset;
    for (const auto& t : f.tensors) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const GgufTensorInfo &a = *by_offset[i - 1], &b = *by_offset[i];
      if (a.offset + a.n_bytes > b.offset) {
        fail("tensors '" + a.name + "' and '" + b.name + "' overlap in the data section (offsets " +
             std::to_string(a.offset) + " + " + std::to_string(a.n_bytes) + " bytes and " + std::to_string(b.offset) + ")");
      }
    }
    return f;
  }

 private:
  GgufValue value(uint32_t t, int depth) {
    if (!known_value_type(t)) fail("unknown metadata value type " + std::to_string(t));
    GgufValue v;
    v.type = GgufValueType(t);
    if (v.type == GgufValueType::string) {
      v.strings.push_back(str("string value"));
      return v;
    }
    if (v.type != GgufValueType::array) {
      const uint64_t sz = scalar_size(v.type);
      const uint8_t* p = take(sz, "scalar value");
      v.raw.assign(p, p + sz);
      return v;
    }
    if (depth >= kMaxArrayDepth) fail("arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    const uint32_t et = u32("array element type");
    if (!known_value_type(et)) fail("unknown array element type " + std::to_string(et));
    v.elem_type = GgufValueType(et);
    v.count = u64("array length");
    // Each element takes at least this many bytes of the file: bounds the allocation.
    const uint64_t min_elem = v.elem_type == GgufValueType::string  ? 8
                              : v.elem_type == GgufValueType::array ? 12
                                                                    : scalar_size(v.elem_type);
    if (v.count > remaining() / min_elem) {
      fail("array length " + std::to_string(v.count) + " of " + gguf_value_type_name(v.elem_type) +
           " needs more than the " + std::to_string(remaining()) + " bytes left");
    }
    if (v.elem_type == GgufValueType::string) {
      v.strings.reserve(v.count);
      for (uint64_t i = 0; i < v.count; ++i) v.strings.push_back(str("array string element"));
    } else if (v.elem_type == GgufValueType::array) {
      v.arrays.reserve(v.count);
      for (uint64_t i = 0; i < v.count; ++i) v.arrays.push_back(value(uint32_t(GgufValueType::array), depth + 1));
    } else {
      const uint64_t n = v.count * min_elem;
      const uint8_t* p = take(n, "array data");
      v.raw.assign(p, p + n);
    }
    return v;
  }

  uint64_t remaining() const { return src_.size() - pos_; }

  const uint8_t* take(uint64_t n, const char* what) {
    if (n > remaining()) {
      fail(std::string("truncated: needs ") + std::to_string(n) + " bytes for the " + what + " at offset " +
           std::to_string(pos_) + " but the file has " + std::to_string(src_.size()) + " bytes");
    }
    const uint8_t* p = src_.view(pos_, n);
    pos_ += n;
    return p;
  }
  uint32_t u32(const char* what) {
    uint32_t v;
    std::memcpy(&v, take(4, what), 4);
    return v;
  }
  uint64_t u64(const char* what) {
    uint64_t v;
    std::memcpy(&v, take(8, what), 8);
    return v;
  }
  std::string str(const char* what) {
    const uint64_t len = u64(what);
    if (len > remaining()) {
      fail(std::string("string length ") + std::to_string(len) + " of the " + what + " at offset " +
           std::to_string(pos_ - 8) + " exceeds the " + std::to_string(remaining()) + " bytes left");
    }
    const uint8_t* p = take(len, what);
    return std::string(reinterpret_cast<const char*>(p), len);
  }

  [[noreturn]] void fail(const std::string& msg) const {
    throw InputError(origin_ + ": " + msg + (key_ ? " (in metadata key '" + *key_ + "')" : ""));
  }
  static std::string hex(const uint8_t* p, int n) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) {
      if (i) s += ' ';
      s += d[p[i] >> 4];
      s += d[p[i] & 15];
    }
    return s;
  }

 public:
  static std::string dims(const std::vector<uint64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
  }

 private:
  GgufSource& src_;
  std::string origin_;
  uint64_t pos_ = 0;
  const std::string* key_ = nullptr;
};

}  // namespace

// ---- names and traits -------------------------------------------------------------------

const char* gguf_value_type_name(GgufValueType t) {
  static const char* names[] = {"uint8", "int8",  "uint16", "int16",  "uint32", "int32", "float32",
                                "bool",  "string", "array", "uint64", "int64",  "float64"};
  const auto i = uint32_t(t);
  return i < 13 ? names[i] : "unknown";
}

GgufTypeTraits gguf_type_traits(uint32_t type) {
  switch (GgufType(type)) {
    case GgufType::f32: return {"F32", 1, 4};
    case GgufType::f16: return {"F16", 1, 2};
    case GgufType::q4_0: return {"Q4_0", 32, 18};
    case GgufType::q4_1: return {"Q4_1", 32, 20};
    case GgufType::q5_0: return {"Q5_0", 32, 22};
    case GgufType::q5_1: return {"Q5_1", 32, 24};
    case GgufType::q8_0: return {"Q8_0", 32, 34};
    case GgufType::q8_1: return {"Q8_1", 32, 36};
    case GgufType::q2_k: return {"Q2_K", 256, 84};
    case GgufType::q3_k: return {"Q3_K", 256, 110};
    case GgufType::q4_k: return {"Q4_K", 256, 144};
    case GgufType::q5_k: return {"Q5_K", 256, 176};
    case GgufType::q6_k: return {"Q6_K", 256, 210};
    case GgufType::q8_k: return {"Q8_K", 256, 292};
    case GgufType::iq2_xxs: return {"IQ2_XXS", 256, 66};
    case GgufType::iq2_xs: return {"IQ2_XS", 256, 74};
    case GgufType::iq3_xxs: return {"IQ3_XXS", 256, 98};
    case GgufType::iq1_s: return {"IQ1_S", 256, 50};
    case GgufType::iq4_nl: return {"IQ4_NL", 32, 18};
    case GgufType::iq3_s: return {"IQ3_S", 256, 110};
    case GgufType::iq2_s: return {"IQ2_S", 256, 82};
    case GgufType::iq4_xs: return {"IQ4_XS", 256, 136};
    case GgufType::i8: return {"I8", 1, 1};
    case GgufType::i16: return {"I16", 1, 2};
    case GgufType::i32: return {"I32", 1, 4};
    case GgufType::i64: return {"I64", 1, 8};
    case GgufType::f64: return {"F64", 1, 8};
    case GgufType::iq1_m: return {"IQ1_M", 256, 56};
    case GgufType::bf16: return {"BF16", 1, 2};
    case GgufType::tq1_0: return {"TQ1_0", 256, 54};
    case GgufType::tq2_0: return {"TQ2_0", 256, 66};
    case GgufType::mxfp4: return {"MXFP4", 32, 17};
  }
  return {};
}

std::string gguf_type_name(uint32_t type) {
  const GgufTypeTraits t = gguf_type_traits(type);
  return t.name ? std::string(t.name) : "unknown type " + std::to_string(type);
}

// ---- values -----------------------------------------------------------------------------

bool GgufValue::is_numeric() const {
  const auto t = element_type();
  return t != GgufValueType::string && t != GgufValueType::array && scalar_size(t) != 0;
}

bool GgufValue::is_integer() const {
  const auto t = element_type();
  return is_numeric() && t != GgufValueType::f32 && t != GgufValueType::f64;
}

namespace {
template <class T>
T load_at(const std::vector<uint8_t>& raw, uint64_t i) {
  T v;
  std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
  return v;
}
}  // namespace

double GgufValue::number(uint64_t i) const {
  switch (element_type()) {
    case GgufValueType::u8: return load_at<uint8_t>(raw, i);
    case GgufValueType::i8: return load_at<int8_t>(raw, i);
    case GgufValueType::boolean: return load_at<uint8_t>(raw, i) != 0;
    case GgufValueType::u16: return load_at<uint16_t>(raw, i);
    case GgufValueType::i16: return load_at<int16_t>(raw, i);
    case GgufValueType::u32: return load_at<uint32_t>(raw, i);
    case GgufValueType::i32: return load_at<int32_t>(raw, i);
    case GgufValueType::f32: return load_at<float>(raw, i);
    case GgufValueType::u64: return double(load_at<uint64_t>(raw, i));
    case GgufValueType::i64: return double(load_at<int64_t>(raw, i));
    case GgufValueType::f64: return load_at<double>(raw, i);
    default: return 0;
  }
}

bool GgufValue::integer(uint64_t i, int64_t& out) const {
  if (!is_integer() || i >= count) return false;
  switch (element_type()) {
    case GgufValueType::u64: {
      const uint64_t u = load_at<uint64_t>(raw, i);
      if (u > uint64_t(std::numeric_limits<int64_t>::max())) return false;
      out = int64_t(u);
      return true;
    }
    case GgufValueType::i64: out = load_at<int64_t>(raw, i); return true;
    default: out = int64_t(number(i)); return true;  // exact for types up to 32 bits
  }
}

namespace {
GgufValue scalar(GgufValueType t, const void* p, size_t n) {
  GgufValue v;
  v.type = t;
  v.raw.assign(static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  return v;
}
}  // namespace

GgufValue GgufValue::u32(uint32_t x) { return scalar(GgufValueType::u32, &x, 4); }
GgufValue GgufValue::i32(int32_t x) { return scalar(GgufValueType::i32, &x, 4); }
GgufValue GgufValue::f32(float x) { return scalar(GgufValueType::f32, &x, 4); }
GgufValue GgufValue::boolean(bool x) {
  const uint8_t b = x;
  return scalar(GgufValueType::boolean, &b, 1);
}
GgufValue GgufValue::str(std::string s) {
  GgufValue v;
  v.type = GgufValueType::string;
  v.strings.push_back(std::move(s));
  return v;
}
GgufValue GgufValue::str_array(std::vector<std::string> s) {
  GgufValue v;
  v.type = GgufValueType::array;
  v.elem_type = GgufValueType::string;
  v.count = s.size();
  v.strings = std::move(s);
  return v;
}
GgufValue GgufValue::f32_array(const std::vector<float>& x) {
  GgufValue v = scalar(GgufValueType::array, x.data(), x.size() * 4);
  v.elem_type = GgufValueType::f32;
  v.count = x.size();
  return v;
}
GgufValue GgufValue::i32_array(const std::vector<int32_t>& x) {
  GgufValue v = scalar(GgufValueType::array, x.data(), x.size() * 4);
  v.elem_type = GgufValueType::i32;
  v.count = x.size();
  return v;
}

// ---- file -------------------------------------------------------------------------------

uint64_t GgufTensorInfo::n_elements() const {
  uint64_t n = 1;
  for (uint64_t d : ne) n *= d;  // validated not to overflow when parsed
  return n;
}

const GgufValue* GgufFile::find(const std::string& key) const {
  for (const auto& [k, v] : kv)
    if (k == key) return &v;
  return nullptr;
}

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<uint8_t> GgufFile::tensor_bytes(const GgufTensorInfo& t) const {
  const uint64_t off = data_offset + t.offset;
  if (!source || off > file_size || t.n_bytes > file_size - off) {
    throw InputError(origin + ": tensor '" + t.name + "' lies outside the file");
  }
  std::vector<uint8_t> out(t.n_bytes);
  if (t.n_bytes) source->read(off, t.n_bytes, out.data());
  return out;
}

std::vector<float> GgufFile::tensor_f32(const GgufTensorInfo& t) const {
  std::vector<float> out(t.n_elements());
  tensor_f32(t, out.data());
  return out;
}

void GgufFile::tensor_f32(const GgufTensorInfo& t, float* dst) const {
  if (!gguf_can_dequantize(t.type)) {
    throw InputError(origin + ": tensor '" + t.name + "' has type " + gguf_type_name(t.type) +
                     ", which airtp cannot dequantize (supported: " + gguf_dequantizable_types() + ")");
  }
  const uint64_t off = data_offset + t.offset;
  if (!source || off > file_size || t.n_bytes > file_size - off) {
    throw InputError(origin + ": tensor '" + t.name + "' lies outside the file");
  }
  const GgufTypeTraits tr = gguf_type_traits(t.type);
  const uint64_t n_blocks = t.n_elements() / tr.block;
  if (n_blocks) dequantize_blocks(t.type, source->view(off, t.n_bytes), n_blocks, dst);
}

GgufFile read_gguf(const std::string& path) {
  auto src = std::make_shared<MappedSource>(path);
  GgufFile f = Parser(*src, path).parse();
  f.source = std::move(src);
  return f;
}

GgufFile read_gguf(std::span<const uint8_t> bytes, std::string origin) {
  auto src = std::make_shared<MemorySource>(bytes);
  GgufFile f = Parser(*src, origin).parse();
  f.source = std::move(src);
  return f;
}

}  // namespace airtp
