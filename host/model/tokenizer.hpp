// Tokenizers of the models airtp runs, behind one class:
//  - llama2c: llama2.c's tokenizer.bin (token 1 = BOS, 2 = EOS, tokens 3..258 = the bytes
//    <0x00>..<0xFF>): encode = optional BOS, a dummy-prefix space, one token per UTF-8 code
//    point (byte fallback to token 3 + byte when the code point is not in the vocabulary),
//    then repeated merging of the adjacent pair whose concatenation is the highest-scoring
//    vocabulary entry (leftmost on ties).
//  - sentencepiece: GGUF tokenizer.ggml.model "llama" (LLaMA-1/2, Mistral, TinyLlama...): the
//    same score-driven merging over the text with spaces spelled U+2581 and, when
//    add_space_prefix, one space put in front; characters outside the vocabulary fall back to
//    the <0xXX> byte tokens (else the unknown token).
//  - bpe: GGUF tokenizer.ggml.model "gpt2" (GPT-2, LLaMA-3, Qwen2, SmolLM...): byte-level BPE.
//    The text is cut into words by the pre-tokenizer of tokenizer.ggml.pre (pretokenize.hpp),
//    each word's bytes are spelled with GPT-2's byte-to-unicode alphabet, and the adjacent pair
//    with the lowest merge rank is merged until none is left (leftmost on ties). LLaMA-3's
//    pre-tokenizer first takes a whole word that is itself a token (llama.cpp's ignore_merges).
//
// The GGUF kinds reproduce llama.cpp's llama_tokenize(add_special, parse_special = false):
// control and unknown tokens written in the text are plain text (so "<|im_end|>" in a story
// is scored as the characters it is made of), while user-defined tokens (type 4, e.g. Qwen2's
// [PAD151646]) are matched in the text first, longest first, as llama.cpp and Hugging Face do.
// Decoding inverts encoding: control and unknown tokens decode to nothing (BOS and EOS
// vanish), so decode(encode(text)) == text for any valid UTF-8 text: always for byte-level
// BPE (invalid UTF-8 comes back with U+FFFD per bad byte, as llama.cpp reads it); for
// SentencePiece with byte fallback when the text holds no U+2581 (which is its space). A byte
// whose GPT-2 letter is not in the vocabulary is dropped, as llama.cpp drops it (SmolLM2 lacks
// 21: 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2, 0xF5..0xFF).
// Unlike llama.cpp's detokenizer, no spaces are "cleaned" away.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace airtp {

struct GgufVocab;  // host/model/gguf.hpp
struct BpeTables;  // tokenizer_bpe.cpp

class Tokenizer {
 public:
  enum class Kind { llama2c, sentencepiece, bpe };
  // GGUF token types (tokenizer.ggml.token_type).
  enum TokenType : int32_t { undefined = 0, normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };

  // llama2.c semantics from a vocabulary. `space` is how a space is spelled in the pieces:
  // " " for llama2.c, "\xE2\x96\x81" (U+2581) for SentencePiece exports.
  Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos_id = 1, int eos_id = 2,
            std::string space = " ");

  // Reads llama2.c's tokenizer.bin (tok512.bin): int32 max_token_length, then per token a
  // float32 score, an int32 length and the bytes. vocab_size must match the model's.
  static Tokenizer load_llama2c(const std::string& path, int vocab_size);
  static Tokenizer parse_llama2c(const uint8_t* data, size_t size, int vocab_size, const std::string& name);

  // From GGUF metadata (read_gguf_vocab or GgufModel::vocab). `origin` (the file name) is
  // named in every error. InputError for an inconsistent vocabulary: an unsupported
  // tokenizer.ggml.model or tokenizer.ggml.pre, scores / token types not one per token,
  // duplicate tokens, a merge that is not two tokens joined into a third, special ids out of
  // range, add_bos_token / add_eos_token without the token.
  static Tokenizer from_gguf(const GgufVocab& vocab, const std::string& origin);
  // Reads the vocabulary of a GGUF file (a model or a vocabulary-only file).
  static Tokenizer load_gguf(const std::string& path);

  // Token ids of `text`, with BOS in front and/or EOS behind when asked (InputError when the
  // vocabulary has no such token).
  std::vector<int> encode(const std::string& text, bool bos, bool eos = false) const;
  // With the vocabulary's own defaults: add_bos() and add_eos().
  std::vector<int> encode(const std::string& text) const { return encode(text, add_bos_, add_eos_); }
  // One token's text given the previous token (-1 at the start). llama2c: a leading space is
  // dropped right after BOS; <0xXX> pieces become the raw byte. GGUF kinds: see above; the
  // add_space_prefix space is dropped at the start and after a special token. A byte-level
  // token may hold part of a UTF-8 sequence: concatenate pieces before printing.
  std::string decode_piece(int prev, int token) const;
  // Concatenated text of a token sequence (llama2c: a leading BOS is skipped).
  std::string decode(const std::vector<int>& tokens) const;

  Kind kind() const { return kind_; }
  int vocab_size() const { return (int)pieces_.size(); }
  int bos() const { return bos_; }  // -1 when the vocabulary has none
  int eos() const { return eos_; }  // -1 when the vocabulary has none
  bool add_bos() const { return add_bos_; }  // whether encode(text) puts BOS in front
  bool add_eos() const { return add_eos_; }
  const std::string& piece(int id) const { return pieces_.at(id); }
  float score(int id) const { return scores_.at(id); }
  int32_t type(int id) const { return types_.empty() ? int32_t(normal) : types_.at(id); }
  // Id of a piece, or -1.
  int lookup(const std::string& s) const;
  // "gpt2 BPE, pre-tokenizer smollm, 49152 tokens, BOS 1 '<|im_start|>' (not added), EOS 2 '<|im_end|>'"
  std::string describe() const;

 private:
  Tokenizer() = default;
  std::vector<int> encode_llama2c(const std::string& text) const;
  void encode_spm(const std::string& text, bool space_prefix, std::vector<int>& out) const;
  void encode_bpe(const std::string& text, std::vector<int>& out) const;
  // Raw text fragments and user-defined tokens: {offset, length} or {-1 - id, 0}.
  std::vector<std::pair<long, size_t>> partition(const std::string& text) const;
  void index_pieces(bool first_wins);
  void find_byte_tokens();
  bool is_special(int id) const;

  Kind kind_ = Kind::llama2c;
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<int32_t> types_;  // empty for llama2c (all normal)
  std::unordered_map<std::string, int> index_;
  int bos_ = -1, eos_ = -1, unk_ = -1;
  bool add_bos_ = true, add_eos_ = false, add_space_prefix_ = false;
  std::string space_ = " ";           // llama2c spelling of a space
  std::string model_, pre_;           // GGUF tokenizer.ggml.model / .pre, for describe()
  int byte_token_[256];               // sentencepiece/llama2c: token of each raw byte, -1 when absent
  std::vector<int> user_defined_;     // user-defined token ids, longest text first
  std::shared_ptr<const BpeTables> bpe_;
};

}  // namespace airtp
