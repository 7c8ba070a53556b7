// Generic GGUF v3 serializer and the tensor encoders used by write_gguf.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "host/common/errors.hpp"
#include "host/model/fp16.hpp"
#include "host/model/gguf.hpp"

namespace airtp {

namespace {

struct Out {
  std::vector<uint8_t> b;
  void raw(const void* p, size_t n) {
    // resize + memcpy rather than insert: GCC 12 warns falsely (-Wstringop-overflow) on the latter
    const size_t at = b.size();
    b.resize(at + n);
    if (n) std::memcpy(b.data() + at, p, n);
  }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  void pad(uint32_t alignment) {
    while (b.size() % alignment) b.push_back(0);
  }
};

void write_value(Out& o, const GgufValue& v) {
  switch (v.type) {
    case GgufValueType::string:
      o.str(v.strings.at(0));
      return;
    case GgufValueType::array:
      o.u32(uint32_t(v.elem_type));
      o.u64(v.count);
      if (v.elem_type == GgufValueType::string) {
        for (const auto& s : v.strings) o.str(s);
      } else if (v.elem_type == GgufValueType::array) {
        for (const auto& a : v.arrays) write_value(o, a);  // each: element type, length, data
      } else {
        o.raw(v.raw.data(), v.raw.size());
      }
      return;
    default:
      o.raw(v.raw.data(), v.raw.size());
  }
}

}  // namespace

void GgufWriter::add(std::string key, GgufValue value) { kv_.emplace_back(std::move(key), std::move(value)); }

void GgufWriter::add_tensor(std::string name, std::vector<uint64_t> ne, uint32_t type, std::vector<uint8_t> bytes) {
  const GgufTypeTraits tr = gguf_type_traits(type);
  if (tr.name) {
    uint64_t n = 1;
    for (uint64_t d : ne) n *= d;
    if (ne.empty() || ne[0] % tr.block != 0 || n / tr.block * tr.bytes != bytes.size()) {
      throw InputError("GGUF writer: tensor '" + name + "' of type " + tr.name + " has " +
                       std::to_string(bytes.size()) + " bytes, which does not match its dimensions");
    }
  }
  if (name.size() > 63) throw InputError("GGUF writer: tensor name '" + name + "' is longer than 63 bytes");
  tensors_.push_back({std::move(name), std::move(ne), type, std::move(bytes)});
}

std::vector<uint8_t> GgufWriter::bytes(uint32_t alignment) const {
  if (alignment == 0 || (alignment & (alignment - 1))) {
    throw InputError("GGUF writer: alignment " + std::to_string(alignment) + " is not a power of two");
  }
  for (const auto& kv : kv_) {
    if (kv.first == "general.alignment") throw InputError("GGUF writer: general.alignment is set by bytes(alignment)");
  }
  Out o;
  o.raw("GGUF", 4);
  o.u32(3);
  o.u64(tensors_.size());
  const bool write_alignment = alignment != 32;
  o.u64(kv_.size() + (write_alignment ? 1 : 0));
  if (write_alignment) {
    o.str("general.alignment");
    o.u32(uint32_t(GgufValueType::u32));
    o.u32(alignment);
  }
  for (const auto& [k, v] : kv_) {
    o.str(k);
    o.u32(uint32_t(v.type));
    write_value(o, v);
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    o.str(t.name);
    o.u32(uint32_t(t.ne.size()));
    for (uint64_t d : t.ne) o.u64(d);
    o.u32(t.type);
    o.u64(offset);
    offset += (t.data.size() + alignment - 1) / alignment * alignment;
  }
  o.pad(alignment);
  for (const auto& t : tensors_) {
    o.raw(t.data.data(), t.data.size());
    o.pad(alignment);
  }
  return o.b;
}

std::vector<uint8_t> encode_f32(const std::vector<float>& x) {
  std::vector<uint8_t> b(x.size() * 4);
  if (!x.empty()) std::memcpy(b.data(), x.data(), b.size());
  return b;
}

std::vector<uint8_t> encode_f16(const std::vector<float>& x) {
  std::vector<uint8_t> b(x.size() * 2);
  for (size_t i = 0; i < x.size(); ++i) {
    const uint16_t h = f32_to_f16(x[i]);
    b[2 * i] = uint8_t(h);
    b[2 * i + 1] = uint8_t(h >> 8);
  }
  return b;
}

std::vector<uint8_t> encode_q8_0(const std::vector<float>& x) {
  if (x.size() % 32 != 0) throw InputError("Q8_0 encoder: length " + std::to_string(x.size()) + " is not a multiple of 32");
  std::vector<uint8_t> b(x.size() / 32 * 34);
  for (size_t blk = 0; blk < x.size() / 32; ++blk) {
    const float* v = x.data() + blk * 32;
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(v[j]));
    // Quantize against the scale as stored (fp16), not the exact one, so that the
    // dequantized q*d is within d/2 of x for every element.
    const uint16_t dh = f32_to_f16(amax / 127.f);
    const float d = f16_to_f32(dh);
    uint8_t* p = b.data() + blk * 34;
    p[0] = uint8_t(dh);
    p[1] = uint8_t(dh >> 8);
    for (int j = 0; j < 32; ++j) {
      const float q = std::clamp(d > 0 ? std::round(v[j] / d) : 0.f, -127.f, 127.f);
      p[2 + j] = uint8_t(int8_t(q));
    }
  }
  return b;
}

}  // namespace airtp
