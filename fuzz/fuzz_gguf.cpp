// libFuzzer target for the GGUF reader and model loader (build with fuzz/build.sh), llama and
// qwen2, every tensor type. Any input must either load or throw airtp::InputError: no crash,
// sanitizer report, hang or large allocation. A model that loads must also survive an F32
// write/read round trip bit for bit.
#include <cstdint>
#include <cstring>
#include <span>

#include "host/common/errors.hpp"
#include "host/model/gguf.hpp"

namespace {

bool same(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

void round_trip(const airtp::GgufModel& m) {
  const auto bytes = airtp::gguf_bytes(m.weights, airtp::GgufType::f32, &m.vocab);
  const airtp::GgufModel r = airtp::load_gguf_model(bytes, "round-trip");
  const auto &a = m.weights, &b = r.weights;
  bool ok = same(a.tok_embedding, b.tok_embedding) && same(a.final_norm, b.final_norm) &&
            same(a.classifier, b.classifier) && a.layers.size() == b.layers.size() && m.vocab.tokens == r.vocab.tokens &&
            m.architecture == r.architecture && a.cfg.rope_neox == b.cfg.rope_neox;
  for (size_t l = 0; ok && l < a.layers.size(); ++l) {
    const auto &x = a.layers[l], &y = b.layers[l];
    ok = same(x.wq, y.wq) && same(x.wk, y.wk) && same(x.wv, y.wv) && same(x.wo, y.wo) && same(x.w1, y.w1) &&
         same(x.w2, y.w2) && same(x.w3, y.w3) && same(x.attn_norm, y.attn_norm) && same(x.ffn_norm, y.ffn_norm) &&
         same(x.bq, y.bq) && same(x.bk, y.bk) && same(x.bv, y.bv);
  }
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  try {
    const airtp::GgufFile f = airtp::read_gguf(in, "fuzz");
    // Decode every tensor we can, model or not, to exercise the dequantizers.
    for (const auto& t : f.tensors) {
      try {
        f.tensor_f32(t);
      } catch (const airtp::InputError&) {
      }
    }
    const airtp::GgufModel m = airtp::gguf_to_model(f);
    round_trip(m);
  } catch (const airtp::InputError&) {
  }
  return 0;
}
