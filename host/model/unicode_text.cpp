#include "host/model/unicode_text.hpp"

#include <algorithm>
#include <iterator>

namespace airtp {

namespace {
struct ClassRange {
  uint32_t first, last;
  uint8_t cls;
};
constexpr ClassRange kRanges[] = {
#include "host/model/unicode_classes.inc"
};
}  // namespace

CodeClass code_class(uint32_t cp) {
  // Last range starting at or before cp.
  const auto it = std::upper_bound(std::begin(kRanges), std::end(kRanges), cp,
                                   [](uint32_t c, const ClassRange& r) { return c < r.first; });
  if (it == std::begin(kRanges)) return CodeClass::other;
  const ClassRange& r = *std::prev(it);
  return cp <= r.last ? CodeClass(r.cls) : CodeClass::other;
}

std::vector<uint32_t> decode_utf8(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  const size_t n = s.size();
  auto cont = [&](size_t i) { return i < n && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80; };
  auto at = [&](size_t i) { return uint32_t(static_cast<unsigned char>(s[i])); };
  for (size_t i = 0; i < n;) {
    const uint32_t b = at(i);
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if (b < 0xC0) {
      // stray continuation byte
    } else if (b < 0xE0) {
      if (cont(i + 1)) cp = (b & 0x1F) << 6 | (at(i + 1) & 0x3F), len = 2;
    } else if (b < 0xF0) {
      if (cont(i + 1) && cont(i + 2)) cp = (b & 0x0F) << 12 | (at(i + 1) & 0x3F) << 6 | (at(i + 2) & 0x3F), len = 3;
    } else if (b < 0xF8) {
      if (cont(i + 1) && cont(i + 2) && cont(i + 3)) {
        const uint32_t c = (b & 0x07) << 18 | (at(i + 1) & 0x3F) << 12 | (at(i + 2) & 0x3F) << 6 | (at(i + 3) & 0x3F);
        if (c <= 0x10FFFF) cp = c, len = 4;
      }
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace airtp
