// Pre-tokenizers of byte-level BPE vocabularies: the text is cut into words before merging,
// by the split rule (a regex in the Hugging Face tokenizer.json) that GGUF names in
// tokenizer.ggml.pre. Hand-written matchers, one per rule, over code points:
//
//   gpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama3  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2   as llama3 with \p{N} (single digits) for \p{N}{1,3}
//   smollm  every \p{N} cut out on its own first, then gpt2 within each piece
//
// Alternatives are tried in order at each position and the first that matches wins (regex
// semantics); "(?!\S)" at the end of a piece counts as end of text. Contractions in (?i:...)
// are case-insensitive for ASCII letters only, as in llama.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace airtp {

enum class PreTokenizer { gpt2, llama3, qwen2, smollm };

// From tokenizer.ggml.pre, accepting the names llama.cpp maps to these rules ("gpt-2";
// "llama-bpe", "llama3", "llama-v3"; "qwen2"; "smollm"). Unknown names are an InputError
// naming `origin`, the key and the value.
PreTokenizer parse_pre_tokenizer(const std::string& name, const std::string& origin);
const char* pre_tokenizer_name(PreTokenizer p);

// Words of `text` (UTF-8, decoded as decode_utf8 does; invalid bytes come back as U+FFFD).
// The words concatenate to the re-encoded text.
std::vector<std::string> pre_tokenize(PreTokenizer p, std::string_view text);

// The same cut as [begin, end) code point offsets into `cps`.
std::vector<std::pair<size_t, size_t>> pre_tokenize_spans(PreTokenizer p, const std::vector<uint32_t>& cps);

}  // namespace airtp
