// Internals of the byte-level BPE tokenizer (used by tokenizer.cpp and tokenizer_gguf.cpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "host/model/pretokenize.hpp"

namespace airtp {

struct BpeTables {
  PreTokenizer pre = PreTokenizer::gpt2;
  bool ignore_merges = false;  // a whole word that is a token is taken as it is (LLaMA-3)
  // (left id << 32 | right id) -> {rank, id of the merged token}
  std::unordered_map<uint64_t, std::pair<int, int>> merges;
  std::string byte_char[256];  // GPT-2's printable spelling of each byte (UTF-8)
  int char_token[256];         // token spelled byte_char[b], -1 when absent
  int raw_byte_token[256];     // token whose text is the single byte b (llama.cpp's last resort)
  int16_t char_byte[324];      // inverse of byte_char over code points 0..323, -1 elsewhere
};

// Checks each merge "left right" (two tokens joined by one space, whose concatenation is a
// token too) and builds the tables; InputError naming origin and the merge otherwise.
std::shared_ptr<const BpeTables> make_bpe_tables(const std::unordered_map<std::string, int>& index,
                                                 const std::vector<std::string>& merges, PreTokenizer pre,
                                                 const std::string& origin);

// Appends the tokens of a raw-text fragment (no special tokens in it).
void bpe_encode(const BpeTables& t, const std::unordered_map<std::string, int>& index, std::string_view text,
                std::vector<int>& out);

// Bytes a normal token stands for: each character mapped back through byte_char (a character
// outside the alphabet is kept as its UTF-8).
std::string bpe_decode_piece(const BpeTables& t, const std::string& piece);

}  // namespace airtp
