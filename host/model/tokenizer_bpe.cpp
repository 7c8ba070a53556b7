#include "host/model/tokenizer_bpe.hpp"

#include <algorithm>

#include "host/common/errors.hpp"
#include "host/model/unicode_text.hpp"

namespace airtp {

namespace {

uint64_t pair_key(int l, int r) { return uint64_t(uint32_t(l)) << 32 | uint32_t(r); }

int find(const std::unordered_map<std::string, int>& index, const std::string& s) {
  const auto it = index.find(s);
  return it == index.end() ? -1 : it->second;
}

// GPT-2's byte-to-unicode alphabet: the printable Latin-1 bytes stand for themselves, the
// other 68 (controls, space, DEL, NBSP, soft hyphen...) for U+0100 onwards in byte order.
void fill_alphabet(BpeTables& t) {
  for (int16_t& c : t.char_byte) c = -1;
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    const uint32_t cp = printable ? uint32_t(b) : uint32_t(next++);
    t.byte_char[b].clear();
    append_utf8(t.byte_char[b], cp);
    t.char_byte[cp] = int16_t(b);
  }
}

}  // namespace

std::shared_ptr<const BpeTables> make_bpe_tables(const std::unordered_map<std::string, int>& index,
                                                 const std::vector<std::string>& merges, PreTokenizer pre,
                                                 const std::string& origin) {
  auto t = std::make_shared<BpeTables>();
  t->pre = pre;
  t->ignore_merges = pre == PreTokenizer::llama3;
  fill_alphabet(*t);
  for (int b = 0; b < 256; ++b) {
    t->char_token[b] = find(index, t->byte_char[b]);
    t->raw_byte_token[b] = find(index, std::string(1, char(b)));
  }
  t->merges.reserve(merges.size() * 2);
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string& m = merges[i];
    auto bad = [&](const std::string& why) {
      return InputError(origin + ": tokenizer.ggml.merges[" + std::to_string(i) + "] = '" + m + "' " + why);
    };
    const size_t sp = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
    if (sp == std::string::npos || sp + 1 >= m.size()) throw bad("is not two tokens separated by a space");
    const std::string a = m.substr(0, sp), b = m.substr(sp + 1);
    const int l = find(index, a), r = find(index, b), j = find(index, a + b);
    if (l < 0) throw bad("names '" + a + "', which is not a token");
    if (r < 0) throw bad("names '" + b + "', which is not a token");
    if (j < 0) throw bad("joins into '" + a + b + "', which is not a token");
    t->merges.emplace(pair_key(l, r), std::make_pair(int(i), j));  // first rank wins, as in llama.cpp
  }
  return t;
}

void bpe_encode(const BpeTables& t, const std::unordered_map<std::string, int>& index, std::string_view text,
                std::vector<int>& out) {
  struct Sym {
    int id, prev, next;
    uint8_t byte;  // the byte an unmerged symbol spells
  };
  struct Cand {
    int rank, left, right, lid, rid, id;
  };
  auto worse = [](const Cand& a, const Cand& b) { return a.rank != b.rank ? a.rank > b.rank : a.left > b.left; };
  std::vector<Sym> sym;
  std::vector<Cand> heap;  // a binary heap under `worse`: best candidate at the front
  std::string spelled;
  for (const std::string& word : pre_tokenize(t.pre, text)) {
    if (t.ignore_merges) {
      spelled.clear();
      for (unsigned char c : word) spelled += t.byte_char[c];
      const int id = find(index, spelled);
      if (id >= 0) {
        out.push_back(id);
        continue;
      }
    }
    if (word.empty()) continue;
    sym.clear();
    for (unsigned char c : word) {
      const int i = int(sym.size());
      sym.push_back({t.char_token[c], i - 1, i + 1, c});
    }
    sym.back().next = -1;
    heap.clear();
    auto consider = [&](int l) {
      if (l < 0) return;
      const int r = sym[l].next;
      if (r < 0 || sym[l].id < 0 || sym[r].id < 0) return;
      const auto it = t.merges.find(pair_key(sym[l].id, sym[r].id));
      if (it == t.merges.end()) return;
      heap.push_back({it->second.first, l, r, sym[l].id, sym[r].id, it->second.second});
      std::push_heap(heap.begin(), heap.end(), worse);
    };
    for (int i = 0; i < int(sym.size()); ++i) consider(i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      const Cand c = heap.back();
      heap.pop_back();
      Sym& L = sym[c.left];
      Sym& R = sym[c.right];
      // Stale when either side has merged since (ids only change by merging; a merged-away
      // symbol gets id -2 and leaves the chain).
      if (L.id != c.lid || R.id != c.rid || L.next != c.right) continue;
      L.id = c.id;
      R.id = -2;
      L.next = R.next;
      if (R.next >= 0) sym[R.next].prev = c.left;
      consider(L.prev);
      consider(c.left);
    }
    for (int i = 0; i >= 0; i = sym[i].next) {
      if (sym[i].id >= 0) {
        out.push_back(sym[i].id);
      } else {
        // A byte whose spelling is not in the vocabulary: llama.cpp then looks up each byte
        // of the spelling as a one-byte token and drops what it cannot find.
        for (unsigned char c : t.byte_char[sym[i].byte])
          if (t.raw_byte_token[c] >= 0) out.push_back(t.raw_byte_token[c]);
      }
    }
  }
}

std::string bpe_decode_piece(const BpeTables& t, const std::string& piece) {
  std::string out;
  for (uint32_t cp : decode_utf8(piece)) {
    if (cp < 324 && t.char_byte[cp] >= 0)
      out += char(t.char_byte[cp]);
    else
      append_utf8(out, cp);
  }
  return out;
}

}  // namespace airtp
