#include "host/model/pretokenize.hpp"

#include "host/common/errors.hpp"
#include "host/model/unicode_text.hpp"

namespace airtp {

PreTokenizer parse_pre_tokenizer(const std::string& name, const std::string& origin) {
  if (name == "gpt-2") return PreTokenizer::gpt2;
  if (name == "llama-bpe" || name == "llama3" || name == "llama-v3") return PreTokenizer::llama3;
  if (name == "qwen2") return PreTokenizer::qwen2;
  if (name == "smollm") return PreTokenizer::smollm;
  if (name.empty()) {
    throw InputError(origin + ": tokenizer.ggml.pre is missing; a BPE vocabulary needs its pre-tokenizer "
                              "(supported: gpt-2, llama-bpe, qwen2, smollm)");
  }
  throw InputError(origin + ": tokenizer.ggml.pre '" + name +
                   "' is not a supported pre-tokenizer (supported: gpt-2, llama-bpe/llama3/llama-v3, qwen2, smollm)");
}

const char* pre_tokenizer_name(PreTokenizer p) {
  switch (p) {
    case PreTokenizer::gpt2: return "gpt-2";
    case PreTokenizer::llama3: return "llama-bpe";
    case PreTokenizer::qwen2: return "qwen2";
    case PreTokenizer::smollm: return "smollm";
  }
  return "?";
}

namespace {

using Spans = std::vector<std::pair<size_t, size_t>>;

// A view of one piece [b, e) of the code points; positions outside it read as "none".
struct Piece {
  const std::vector<uint32_t>& cps;
  const std::vector<CodeClass>& cls;  // code_class of each code point
  size_t b, e;
  bool in(size_t i) const { return i >= b && i < e; }
  uint32_t at(size_t i) const { return in(i) ? cps[i] : 0xFFFFFFFFu; }
  bool is(size_t i, CodeClass c) const { return in(i) && cls[i] == c; }
  bool letter(size_t i) const { return is(i, CodeClass::letter); }
  bool number(size_t i) const { return is(i, CodeClass::number); }
  bool space(size_t i) const { return is(i, CodeClass::space); }
  // [^\s\p{L}\p{N}]: any code point of the piece that is none of the three
  bool other(size_t i) const { return is(i, CodeClass::other); }
  bool newline(size_t i) const { return in(i) && (cps[i] == '\r' || cps[i] == '\n'); }
};

uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// Length of a contraction 's 't 're 've 'm 'll 'd at i (0 when none).
size_t contraction(const Piece& p, size_t i, bool any_case) {
  if (p.at(i) != '\'') return 0;
  auto low = [&](size_t k) { return any_case ? ascii_lower(p.at(k)) : p.at(k); };
  const uint32_t a = low(i + 1);
  if (!p.in(i + 1)) return 0;
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (!p.in(i + 2)) return 0;
  const uint32_t c = low(i + 2);
  if ((a == 'r' && c == 'e') || (a == 'v' && c == 'e') || (a == 'l' && c == 'l')) return 3;
  return 0;
}

// \s+(?!\S) else \s+ at i (i is white space): the whole run when it reaches the end of the
// piece or is a single character, else the run minus its last character.
size_t space_run(const Piece& p, size_t i) {
  size_t j = i;
  while (p.space(j)) ++j;
  const size_t n = j - i;
  return (n > 1 && p.in(j)) ? n - 1 : n;
}

void split_gpt2(const Piece& p, Spans& out) {
  for (size_t i = p.b; i < p.e;) {
    size_t n = contraction(p, i, false);
    if (!n) {
      const size_t k = i + (p.at(i) == ' ' ? 1 : 0);  // optional leading space
      size_t j = k;
      if (p.letter(k)) {
        while (p.letter(j)) ++j;
      } else if (p.number(k)) {
        while (p.number(j)) ++j;
      } else if (p.other(k)) {
        while (p.other(j)) ++j;
      }
      if (j > k) {
        n = j - i;
      } else {
        n = space_run(p, i);  // i is white space here (a lone ' ' at the end included)
      }
    }
    out.emplace_back(i, i + n);
    i += n;
  }
}

void split_llama3(const Piece& p, size_t max_digits, Spans& out) {
  for (size_t i = p.b; i < p.e;) {
    size_t n = contraction(p, i, true);
    if (!n) {
      // [^\r\n\p{L}\p{N}]?\p{L}+
      size_t k = i;
      if (!p.letter(i) && !p.newline(i) && !p.number(i)) ++k;
      if (p.letter(k)) {
        size_t j = k;
        while (p.letter(j)) ++j;
        n = j - i;
      }
    }
    if (!n && p.number(i)) {  // \p{N}{1,max}
      size_t j = i;
      while (p.number(j) && j - i < max_digits) ++j;
      n = j - i;
    }
    if (!n) {  // ' '?[^\s\p{L}\p{N}]+[\r\n]*
      const size_t k = i + (p.at(i) == ' ' ? 1 : 0);
      size_t j = k;
      while (p.other(j)) ++j;
      if (j > k) {
        while (p.newline(j)) ++j;
        n = j - i;
      }
    }
    if (!n) {  // \s*[\r\n]+ : up to the last \r or \n of the white-space run
      size_t j = i, last = 0;
      while (p.space(j)) {
        if (p.newline(j)) last = j + 1;
        ++j;
      }
      n = last ? last - i : space_run(p, i);
    }
    out.emplace_back(i, i + n);
    i += n;
  }
}

}  // namespace

Spans pre_tokenize_spans(PreTokenizer pre, const std::vector<uint32_t>& cps) {
  Spans out;
  std::vector<CodeClass> cls(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) cls[i] = code_class(cps[i]);
  const Piece all{cps, cls, 0, cps.size()};
  switch (pre) {
    case PreTokenizer::gpt2: split_gpt2(all, out); break;
    case PreTokenizer::llama3: split_llama3(all, 3, out); break;
    case PreTokenizer::qwen2: split_llama3(all, 1, out); break;
    case PreTokenizer::smollm: {
      // Each number on its own, then the GPT-2 rule within the runs between them.
      size_t start = 0;
      for (size_t i = 0; i <= cps.size(); ++i) {
        if (i < cps.size() && cls[i] != CodeClass::number) continue;
        if (i > start) split_gpt2(Piece{cps, cls, start, i}, out);
        if (i < cps.size()) out.emplace_back(i, i + 1);
        start = i + 1;
      }
      break;
    }
  }
  return out;
}

std::vector<std::string> pre_tokenize(PreTokenizer pre, std::string_view text) {
  const std::vector<uint32_t> cps = decode_utf8(text);
  std::vector<std::string> words;
  for (const auto& [b, e] : pre_tokenize_spans(pre, cps)) {
    std::string w;
    for (size_t i = b; i < e; ++i) append_utf8(w, cps[i]);
    words.push_back(std::move(w));
  }
  return words;
}

}  // namespace airtp
