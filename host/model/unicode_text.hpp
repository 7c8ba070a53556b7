// The little Unicode the tokenizers need: UTF-8 decoding as llama.cpp does it, re-encoding,
// and the letter / number / white-space class of a code point (unicode_classes.inc, generated
// by make_unicode_classes.py from Unicode 15.1, the version of llama.cpp's own table).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace airtp {

enum class CodeClass : uint8_t { other = 0, letter = 1, number = 2, space = 3 };

// \p{L} -> letter, \p{N} -> number, Unicode White_Space -> space, anything else -> other.
CodeClass code_class(uint32_t cp);

// Code points of `text`. A byte that does not start a well-formed sequence (a stray
// continuation byte, a lead byte without its continuation bytes, 0xF8..0xFF, or a sequence
// above U+10FFFF) becomes U+FFFD and decoding resumes at the next byte, as in llama.cpp's
// unicode_cpts_from_utf8; overlong forms and surrogates are decoded as written, like there.
std::vector<uint32_t> decode_utf8(std::string_view text);

// Appends the UTF-8 form of cp (cp <= 0x10FFFF).
void append_utf8(std::string& out, uint32_t cp);

// Length in bytes of the UTF-8 sequence a lead byte announces (1 for continuation bytes and
// ASCII), as llama.cpp's unicode_len_utf8 reads it.
inline size_t utf8_lead_length(unsigned char b) {
  return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

}  // namespace airtp
