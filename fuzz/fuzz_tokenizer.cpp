// libFuzzer target for the tokenizer (build with fuzz/build.sh). The first byte picks the mode:
//  - even: the rest is a tokenizer.bin to parse (must parse or throw airtp::InputError);
//  - odd: the rest is text to encode with the bundled tok512.bin; decoding the tokens must
//    give the text back (with llama2.c's leading dummy-prefix space dropped after BOS).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "host/common/errors.hpp"
#include "host/model/tokenizer.hpp"

#ifndef AIRTP_TOK512
#error "define AIRTP_TOK512 to the path of data/models/stories260K/tok512.bin"
#endif

namespace {
const airtp::Tokenizer& bundled() {
  static const airtp::Tokenizer t = airtp::Tokenizer::load_llama2c(AIRTP_TOK512, 512);
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    // Vocabulary size from the second byte so small hand-made files can match.
    const int vocab = size > 1 ? 1 + data[1] * 4 : 512;
    try {
      const auto t = airtp::Tokenizer::parse_llama2c(data + 1, size - 1, vocab, "fuzz");
      // A parsed tokenizer must also encode and decode without trouble.
      const auto ids = t.encode("hello world", true, true);
      for (int id : ids)
        if (id < 0 || id >= t.vocab_size()) __builtin_trap();
      (void)t.decode(ids);
    } catch (const airtp::InputError&) {
    }
    return 0;
  }
  const airtp::Tokenizer& t = bundled();
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto ids = t.encode(text, true, false);
  for (int id : ids)
    if (id < 0 || id >= t.vocab_size()) __builtin_trap();
  const std::string back = t.decode(ids);
  // Every byte is representable (byte fallback), so the round trip must be exact.
  if (back != text && back != " " + text) __builtin_trap();
  return 0;
}
