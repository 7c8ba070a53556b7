// SentencePiece-style BPE tokenizer with llama2.c semantics (token 1 = BOS, 2 = EOS, tokens
// 3..258 = the bytes <0x00>..<0xFF>): encode = optional BOS, a dummy-prefix space, one token
// per UTF-8 code point (byte fallback to token 3 + byte when the code point is not in the
// vocabulary), then repeated merging of the adjacent pair whose concatenation is the
// highest-scoring vocabulary entry (leftmost on ties).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace airtp {

class Tokenizer {
 public:
  // From a vocabulary (e.g. a GGUF file's). `space` is how a space is spelled in the pieces:
  // " " for llama2.c, "\xE2\x96\x81" (U+2581) for SentencePiece exports.
  Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos_id = 1, int eos_id = 2,
            std::string space = " ");

  // Reads llama2.c's tokenizer.bin (tok512.bin): int32 max_token_length, then per token a
  // float32 score, an int32 length and the bytes. vocab_size must match the model's.
  static Tokenizer load_llama2c(const std::string& path, int vocab_size);
  static Tokenizer parse_llama2c(const uint8_t* data, size_t size, int vocab_size, const std::string& name);

  std::vector<int> encode(const std::string& text, bool bos, bool eos = false) const;
  // One token's text given the previous token (llama2.c rules: a leading space is dropped
  // right after BOS; <0xXX> pieces become the raw byte).
  std::string decode_piece(int prev, int token) const;
  // Concatenated text of a token sequence (the first token's predecessor counts as BOS when
  // it is BOS itself, which is skipped).
  std::string decode(const std::vector<int>& tokens) const;

  int vocab_size() const { return (int)pieces_.size(); }
  int bos() const { return bos_; }
  int eos() const { return eos_; }
  const std::string& piece(int id) const { return pieces_.at(id); }
  float score(int id) const { return scores_.at(id); }
  // Id of a piece, or -1.
  int lookup(const std::string& s) const;

 private:
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::unordered_map<std::string, int> index_;
  int bos_, eos_;
  std::string space_;
  int byte_token_[256];  // token of each raw byte (<0xXX> piece), -1 when absent
};

}  // namespace airtp
