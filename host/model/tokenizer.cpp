#include "host/model/tokenizer.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <queue>

#include "host/common/errors.hpp"

namespace airtp {

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
  index_.reserve(pieces_.size() * 2);
  // First occurrence wins, as with llama2.c's sorted lookup on unique pieces.
  for (int i = 0; i < (int)pieces_.size(); ++i) index_.emplace(pieces_[i], i);
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
  std::vector<std::string> pieces(vocab_size);
  std::vector<float> scores(vocab_size);
  for (int i = 0; i < vocab_size; ++i) {
    const std::string what = "token " + std::to_string(i);
    need(8, what);
    int32_t len;
    std::memcpy(&scores[i], data + pos, 4);
    std::memcpy(&len, data + pos + 4, 4);
    pos += 8;
    if (len < 0 || len > max_len)
      throw InputError(where + what + " has length " + std::to_string(len) + " outside 0..max_token_length " +
                       std::to_string(max_len));
    need((size_t)len, what);
    pieces[i].assign(reinterpret_cast<const char*>(data + pos), (size_t)len);
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
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("tokenizer file '" + path + "': cannot open");
  std::vector<uint8_t> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_llama2c(buf.data(), buf.size(), vocab_size, path);
}

std::vector<int> Tokenizer::encode(const std::string& text_in, bool bos, bool eos) const {
  std::string text;
  if (space_ == " ") {
    text = text_in;
  } else {  // SentencePiece spelling of spaces
    for (char c : text_in) text += c == ' ' ? space_ : std::string(1, c);
  }
  std::vector<int> out;
  if (bos) out.push_back(bos_);
  if (text.empty()) {
    if (eos) out.push_back(eos_);
    return out;
  }
  // Symbols of a doubly linked list; merged symbols absorb their right neighbour.
  struct Sym {
    std::string s;
    int id, prev, next;
    bool alive;
  };
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
  if (sym.empty()) return out;
  sym.back().next = -1;
  // Candidate merges, best score first, leftmost on ties; stale entries are skipped on pop
  // (a pair is still valid when both symbols are alive, adjacent and unchanged in length).
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
  std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> heap(worse);
  auto consider = [&](int l) {
    if (l < 0) return;
    const int r = sym[l].next;
    if (r < 0) return;
    const int id = lookup(sym[l].s + sym[r].s);
    if (id >= 0) heap.push({scores_[id], l, r, sym[l].s.size(), sym[r].s.size(), id});
  };
  for (int i = 0; i < (int)sym.size(); ++i) consider(i);
  while (!heap.empty()) {
    const Cand c = heap.top();
    heap.pop();
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
  for (int i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
  if (eos) out.push_back(eos_);
  return out;
}

std::string Tokenizer::decode_piece(int prev, int token) const {
  if (token < 0 || token >= vocab_size()) throw InputError("tokenizer: token id " + std::to_string(token) + " out of range");
  std::string p = pieces_[token];
  if (space_ != " ") {
    std::string q;
    for (size_t i = 0; i < p.size();) {
      if (p.compare(i, space_.size(), space_) == 0) {
        q += ' ';
        i += space_.size();
      } else {
        q += p[i++];
      }
    }
    p = q;
  }
  if (prev == bos_ && !p.empty() && p[0] == ' ') p.erase(0, 1);
  unsigned int byte;
  char tail;
  if (p.size() == 6 && std::sscanf(p.c_str(), "<0x%02X>%c", &byte, &tail) == 1) return std::string(1, (char)byte);
  return p;
}

std::string Tokenizer::decode(const std::vector<int>& tokens) const {
  std::string s;
  int prev = bos_;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i == 0 && tokens[0] == bos_) continue;
    s += decode_piece(prev, tokens[i]);
    prev = tokens[i];
  }
  return s;
}

}  // namespace airtp
