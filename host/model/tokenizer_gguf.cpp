// Tokenizer::from_gguf: a GGUF vocabulary checked for consistency, with llama.cpp's defaults
// for what the metadata leaves out (llama_vocab::impl::load):
//  - "llama" (SentencePiece): BOS 1, EOS 2, unknown 0 when those keys are absent (and in
//    range); add_bos_token true, add_eos_token false, add_space_prefix true.
//  - "gpt2" (BPE): add_bos_token true for LLaMA-3's pre-tokenizer, else false; add_eos_token
//    false. llama.cpp would call token 11 BOS and EOS when the ids are absent; here a BPE
//    vocabulary without them has none (asking encode() for one is an InputError).
#include <algorithm>
#include <limits>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"
#include "host/model/gguf.hpp"
#include "host/model/tokenizer.hpp"
#include "host/model/tokenizer_bpe.hpp"

namespace airtp {

Tokenizer Tokenizer::from_gguf(const GgufVocab& v, const std::string& origin) {
  auto fail = [&](const std::string& msg) { return InputError(origin + ": " + msg); };
  Tokenizer t;
  t.model_ = v.model;
  if (v.model == "llama") {
    t.kind_ = Kind::sentencepiece;
  } else if (v.model == "gpt2") {
    t.kind_ = Kind::bpe;
  } else if (v.model.empty() || v.model == "none") {
    throw fail("no tokenizer vocabulary (tokenizer.ggml.model is " +
               (v.model.empty() ? std::string("missing") : "'none'") + ")");
  } else {
    throw fail("tokenizer.ggml.model '" + v.model +
               "' is not supported (supported: 'llama' SentencePiece, 'gpt2' byte-level BPE)");
  }
  const size_t n = v.tokens.size();
  if (n == 0) throw fail("tokenizer.ggml.tokens is missing or empty");
  if (n > size_t(std::numeric_limits<int32_t>::max())) throw fail("tokenizer.ggml.tokens has too many entries");
  auto count_check = [&](size_t m, const char* key) {
    if (m != 0 && m != n) {
      throw fail(std::string(key) + " has " + std::to_string(m) + " entries but tokenizer.ggml.tokens has " +
                 std::to_string(n));
    }
  };
  count_check(v.scores.size(), "tokenizer.ggml.scores");
  count_check(v.types.size(), "tokenizer.ggml.token_type");
  t.pieces_ = v.tokens;
  t.scores_ = v.scores.empty() ? std::vector<float>(n, 0.0f) : v.scores;
  t.types_ = v.types.empty() ? std::vector<int32_t>(n, normal) : v.types;
  t.index_pieces(false);
  // Every token must be reachable by its text (llama.cpp asserts this).
  if (t.index_.size() != n - size_t(std::count(t.pieces_.begin(), t.pieces_.end(), std::string()))) {
    for (int i = 0; i < int(n); ++i) {
      const int j = t.lookup(t.pieces_[i]);
      if (!t.pieces_[i].empty() && j != i) {
        throw fail("tokenizer.ggml.tokens[" + std::to_string(std::min(i, j)) + "] and [" +
                   std::to_string(std::max(i, j)) + "] are the same token '" + t.pieces_[i] + "'");
      }
    }
  }
  auto id_check = [&](int id, const char* key) {
    if (id < -1 || id >= int(n)) {
      throw fail(std::string(key) + " = " + std::to_string(id) + " is out of range [0, " + std::to_string(n - 1) + "]");
    }
    return id;
  };
  t.bos_ = id_check(v.bos_id, "tokenizer.ggml.bos_token_id");
  t.eos_ = id_check(v.eos_id, "tokenizer.ggml.eos_token_id");
  t.unk_ = id_check(v.unk_id, "tokenizer.ggml.unknown_token_id");
  id_check(v.pad_id, "tokenizer.ggml.padding_token_id");
  if (t.kind_ == Kind::sentencepiece) {
    auto dflt = [&](int& id, int d) {
      if (id < 0 && d < int(n)) id = d;
    };
    dflt(t.bos_, 1);
    dflt(t.eos_, 2);
    dflt(t.unk_, 0);
    t.add_bos_ = v.add_bos != 0;
    t.add_space_prefix_ = v.add_space_prefix != 0;
    t.find_byte_tokens();
  } else {
    t.pre_ = v.pre;
    const PreTokenizer pre = parse_pre_tokenizer(v.pre, origin);
    t.add_bos_ = v.add_bos < 0 ? pre == PreTokenizer::llama3 : v.add_bos == 1;
    if (v.merges.empty()) throw fail("tokenizer.ggml.merges is missing or empty (a BPE vocabulary needs its merges)");
    t.bpe_ = make_bpe_tables(t.index_, v.merges, pre, origin);
    for (int& b : t.byte_token_) b = -1;
  }
  t.add_eos_ = v.add_eos == 1;
  if (t.add_bos_ && t.bos_ < 0) throw fail("tokenizer.ggml.add_bos_token is true but there is no BOS token");
  if (t.add_eos_ && t.eos_ < 0) throw fail("tokenizer.ggml.add_eos_token is true but there is no EOS token");
  for (int i = 0; i < int(n); ++i)
    if (t.types_[i] == user_defined && !t.pieces_[i].empty()) t.user_defined_.push_back(i);
  std::stable_sort(t.user_defined_.begin(), t.user_defined_.end(),
                   [&](int a, int b) { return t.pieces_[a].size() > t.pieces_[b].size(); });
  return t;
}

Tokenizer Tokenizer::load_gguf(const std::string& path) {
  const GgufFile f = read_gguf(path);
  return from_gguf(read_gguf_vocab(f), f.origin);
}

}  // namespace airtp
