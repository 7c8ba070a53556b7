#include "host/model/tokenizer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "host/common/errors.hpp"
#include "host/io/input_file.hpp"
#include "host/model/tokenizer_bpe.hpp"
#include "host/model/unicode_text.hpp"

namespace airtp {

namespace {

const char* const kSpm = "\xE2\x96\x81";  // U+2581, SentencePiece's spelling of a space

// Symbols of a doubly linked list; merged symbols absorb their right neighbour.
struct Sym {
  std::string s;
  int id, prev, next;
  bool alive;
};

// Repeatedly merges the adjacent pair whose concatenation is the highest-scoring vocabulary
// entry (leftmost on ties). Candidates wait in a heap; stale entries are skipped on pop (a
// pair is still valid when both symbols are alive, adjacent and unchanged in length).
template <class Lookup, class Score>
void merge_by_score(std::vector<Sym>& sym, const Lookup& lookup, const Score& score) {
  if (sym.empty()) return;
  sym.back().next = -1;
  struct Cand {
    float score;
    int left, right;
    size_t llen, rlen;
    int id;
  };
  auto worse = [](const Cand& a, const Cand& b) {
    if (a.score != b.score) return a.score < b.score;
    return a.left > b.left;
  };
  std::vector<Cand> heap;
  auto consider = [&](int l) {
    if (l < 0) return;
    const int r = sym[l].next;
    if (r < 0) return;
    const int id = lookup(sym[l].s + sym[r].s);
    if (id < 0) return;
    heap.push_back({score(id), l, r, sym[l].s.size(), sym[r].s.size(), id});
    std::push_heap(heap.begin(), heap.end(), worse);
  };
  for (int i = 0; i < (int)sym.size(); ++i) consider(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    const Cand c = heap.back();
    heap.pop_back();
    Sym& L = sym[c.left];
    Sym& R = sym[c.right];
    if (!L.alive || !R.alive || L.next != c.right || L.s.size() != c.llen || R.s.size() != c.rlen) continue;
    L.s += R.s;
    L.id = c.id;
    R.alive = false;
    L.next = R.next;
    if (R.next >= 0) sym[R.next].prev = c.left;
    consider(L.prev);
    consider(c.left);
  }
}

std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, from.size(), from) == 0) {
      out += to;
      i += from.size();
    } else {
      out += s[i++];
    }
  }
  return out;
}

// The byte of a "<0xXX>" piece, or -1.
int byte_piece(const std::string& p) {
  unsigned int byte;
  char tail;
  if (p.size() == 6 && std::sscanf(p.c_str(), "<0x%02X>%c", &byte, &tail) == 1) return int(byte);
  return -1;
}

}  // namespace

Tokenizer::Tokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos_id, int eos_id,
                     std::string space)
    : pieces_(std::move(pieces)), scores_(std::move(scores)), bos_(bos_id), eos_(eos_id), space_(std::move(space)) {
  if (pieces_.empty()) throw InputError("tokenizer: empty vocabulary");
  if (scores_.size() != pieces_.size()) throw InputError("tokenizer: scores and pieces differ in number");
  // encode() emits these ids unchecked, so a vocabulary too small to hold them is bad input.
  const int n = (int)pieces_.size();
  if (bos_ < 0 || bos_ >= n || eos_ < 0 || eos_ >= n)
    throw InputError("tokenizer: vocabulary of " + std::to_string(n) + " tokens has no BOS " + std::to_string(bos_) +
                     " / EOS " + std::to_string(eos_) + " token");
  index_pieces(true);  // first occurrence wins, as with llama2.c's sorted lookup on unique pieces
  find_byte_tokens();
}

void Tokenizer::index_pieces(bool first_wins) {
  index_.clear();
  index_.reserve(pieces_.size() * 2);
  for (int i = 0; i < (int)pieces_.size(); ++i) {
    if (first_wins)
      index_.emplace(pieces_[i], i);
    else if (!pieces_[i].empty())
      index_[pieces_[i]] = i;
  }
}

void Tokenizer::find_byte_tokens() {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_token_[b] = lookup(name);
  }
}

int Tokenizer::lookup(const std::string& s) const {
  const auto it = index_.find(s);
  return it == index_.end() ? -1 : it->second;
}

bool Tokenizer::is_special(int id) const {
  const int32_t t = type(id);
  return t == control || t == unknown || t == user_defined;
}

Tokenizer Tokenizer::parse_llama2c(const uint8_t* data, size_t size, int vocab_size, const std::string& name) {
  const std::string where = "tokenizer file '" + name + "': ";
  size_t pos = 0;
  auto need = [&](size_t n, const std::string& what) {
    if (n > size - pos) throw InputError(where + "too short: ends inside " + what);
  };
  need(4, "the header");
  int32_t max_len;
  std::memcpy(&max_len, data, 4);
  pos = 4;
  if (max_len <= 0 || max_len > 1 << 16) throw InputError(where + "bad max_token_length " + std::to_string(max_len));
  if (vocab_size <= 0) throw InputError(where + "vocabulary size must be positive");
  // Grown as tokens are read (not sized from vocab_size up front), so memory follows the file.
  std::vector<std::string> pieces;
  std::vector<float> scores;
  for (int i = 0; i < vocab_size; ++i) {
    const std::string what = "token " + std::to_string(i);
    need(8, what);
    int32_t len;
    float score;
    std::memcpy(&score, data + pos, 4);
    std::memcpy(&len, data + pos + 4, 4);
    pos += 8;
    if (len < 0 || len > max_len)
      throw InputError(where + what + " has length " + std::to_string(len) + " outside 0..max_token_length " +
                       std::to_string(max_len));
    need((size_t)len, what);
    scores.push_back(score);
    pieces.emplace_back(reinterpret_cast<const char*>(data + pos), (size_t)len);
    pos += (size_t)len;
  }
  if (pos != size)
    throw InputError(where + std::to_string(size - pos) + " trailing bytes after " + std::to_string(vocab_size) +
                     " tokens (vocabulary size mismatch with the model?)");
  try {
    return Tokenizer(std::move(pieces), std::move(scores));
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  }
}

Tokenizer Tokenizer::load_llama2c(const std::string& path, int vocab_size) {
  const std::vector<uint8_t> buf = read_input_bytes(path, "tokenizer file", kMaxTokenizerBytes);
  return parse_llama2c(buf.data(), buf.size(), vocab_size, path);
}

std::vector<int> Tokenizer::encode_llama2c(const std::string& text_in) const {
  const std::string text = space_ == " " ? text_in : replace_all(text_in, " ", space_);
  std::vector<Sym> sym;
  sym.reserve(text.size() + 1);
  auto push = [&](std::string s, int id) {
    const int i = (int)sym.size();
    sym.push_back({std::move(s), id, i - 1, i + 1, true});
  };
  const int dummy = lookup(space_);
  if (dummy >= 0) push(space_, dummy);
  for (size_t i = 0; i < text.size();) {
    // One UTF-8 code point: a lead byte and up to three continuation bytes.
    size_t j = i + 1;
    while (j < text.size() && j - i < 4 && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
    const std::string cp = text.substr(i, j - i);
    const int id = lookup(cp);
    if (id >= 0) {
      push(cp, id);
    } else {
      for (size_t k = i; k < j; ++k) {
        const unsigned char b = static_cast<unsigned char>(text[k]);
        const int bt = byte_token_[b] >= 0 ? byte_token_[b] : b + 3;
        push(std::string(1, (char)b), bt < vocab_size() ? bt : 0);
      }
    }
    i = j;
  }
  merge_by_score(sym, [&](const std::string& s) { return lookup(s); }, [&](int id) { return scores_[id]; });
  std::vector<int> out;
  if (!sym.empty())
    for (int i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
  return out;
}

void Tokenizer::encode_spm(const std::string& fragment, bool space_prefix, std::vector<int>& out) const {
  // llama.cpp's SentencePiece session: one symbol per UTF-8 sequence as its lead byte
  // announces it, score-driven merging, then bytes for symbols that are not tokens.
  const std::string text = replace_all(space_prefix ? " " + fragment : fragment, " ", kSpm);
  std::vector<Sym> sym;
  sym.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min(utf8_lead_length(static_cast<unsigned char>(text[i])), text.size() - i);
    const int s = int(sym.size());
    sym.push_back({text.substr(i, n), lookup(text.substr(i, n)), s - 1, s + 1, true});
    i += n;
  }
  merge_by_score(sym, [&](const std::string& s) { return lookup(s); }, [&](int id) { return scores_[id]; });
  if (sym.empty()) return;
  for (int i = 0; i >= 0; i = sym[i].next) {
    if (sym[i].id >= 0) {
      out.push_back(sym[i].id);
      continue;
    }
    for (unsigned char b : sym[i].s) {
      int id = byte_token_[b];
      if (id < 0) id = lookup(std::string(1, char(b)));
      if (id < 0) id = unk_;
      if (id < 0) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", b);
        throw InputError("tokenizer: the vocabulary has no token for byte " + std::string(hex) +
                         " (no <0xXX> byte tokens and no unknown token)");
      }
      out.push_back(id);
    }
  }
}

std::vector<std::pair<long, size_t>> Tokenizer::partition(const std::string& text) const {
  std::vector<std::pair<long, size_t>> frags, next;
  if (!text.empty()) frags.emplace_back(0, text.size());
  const std::string_view all(text);
  for (int id : user_defined_) {
    const std::string& t = pieces_[id];
    next.clear();
    for (const auto& f : frags) {
      if (f.first < 0) {
        next.push_back(f);
        continue;
      }
      size_t pos = size_t(f.first);
      const size_t end = pos + f.second;
      for (;;) {
        const size_t m = all.substr(0, end).find(t, pos);
        if (m == std::string_view::npos) break;
        if (m > pos) next.emplace_back(long(pos), m - pos);
        next.emplace_back(-1L - id, 0);
        pos = m + t.size();
      }
      if (pos < end) next.emplace_back(long(pos), end - pos);
    }
    frags.swap(next);
  }
  return frags;
}

std::vector<int> Tokenizer::encode(const std::string& text, bool bos, bool eos) const {
  if (bos && bos_ < 0) throw InputError("tokenizer: the vocabulary has no BOS token to put in front");
  if (eos && eos_ < 0) throw InputError("tokenizer: the vocabulary has no EOS token to put behind");
  std::vector<int> out;
  if (bos) out.push_back(bos_);
  if (kind_ == Kind::llama2c) {
    if (!text.empty()) {
      const std::vector<int> t = encode_llama2c(text);
      out.insert(out.end(), t.begin(), t.end());
    }
  } else {
    bool after_special = true;  // SentencePiece puts its space prefix at the start and after specials
    for (const auto& [off, len] : partition(text)) {
      if (off < 0) {
        out.push_back(int(-1 - off));
        after_special = true;
        continue;
      }
      const std::string frag = text.substr(size_t(off), len);
      if (kind_ == Kind::bpe)
        bpe_encode(*bpe_, index_, frag, out);
      else
        encode_spm(frag, add_space_prefix_ && after_special, out);
      after_special = false;
    }
  }
  if (eos) out.push_back(eos_);
  return out;
}

std::string Tokenizer::decode_piece(int prev, int token) const {
  if (token < 0 || token >= vocab_size()) throw InputError("tokenizer: token id " + std::to_string(token) + " out of range");
  if (kind_ == Kind::llama2c) {
    std::string p = space_ == " " ? pieces_[token] : replace_all(pieces_[token], space_, " ");
    if (prev == bos_ && !p.empty() && p[0] == ' ') p.erase(0, 1);
    const int b = byte_piece(p);
    return b >= 0 ? std::string(1, char(b)) : p;
  }
  const std::string& p = pieces_[token];
  switch (type(token)) {
    case normal:
      break;
    case user_defined:
      return p;
    case byte: {
      const int b = byte_piece(p);
      return b >= 0 ? std::string(1, char(b)) : p;
    }
    default:  // control, unknown, unused, undefined: nothing, as llama.cpp renders them
      return "";
  }
  if (kind_ == Kind::bpe) return bpe_decode_piece(*bpe_, p);
  std::string s = replace_all(p, kSpm, " ");
  if (add_space_prefix_ && (prev < 0 || (prev < vocab_size() && is_special(prev))) && !s.empty() && s[0] == ' ')
    s.erase(0, 1);
  return s;
}

std::string Tokenizer::decode(const std::vector<int>& tokens) const {
  std::string s;
  int prev = kind_ == Kind::llama2c ? bos_ : -1;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (kind_ == Kind::llama2c && i == 0 && tokens[0] == bos_) continue;
    s += decode_piece(prev, tokens[i]);
    prev = tokens[i];
  }
  return s;
}

std::string Tokenizer::describe() const {
  auto special = [&](const char* what, int id, bool added) {
    if (id < 0) return std::string(", no ") + what;
    return std::string(", ") + what + " " + std::to_string(id) + " '" + pieces_[id] + "'" +
           (added ? " (added)" : " (not added)");
  };
  std::string s;
  switch (kind_) {
    case Kind::llama2c: s = "llama2.c SentencePiece BPE"; break;
    case Kind::sentencepiece:
      s = std::string("llama SentencePiece BPE") + (add_space_prefix_ ? ", space prefix" : ", no space prefix");
      break;
    case Kind::bpe: s = "gpt2 byte-level BPE, pre-tokenizer " + pre_; break;
  }
  return s + ", " + std::to_string(vocab_size()) + " tokens" + special("BOS", bos_, add_bos_) +
         special("EOS", eos_, add_eos_);
}

}  // namespace airtp
