// GGUF dequantization against llama.cpp's reference (gguf-py's gguf.quants), bit for bit, on
// random blocks of every supported type (tests/data/gguf/make_quant_fixtures.py), plus
// hand-built blocks whose values follow from the format by hand.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "host/common/errors.hpp"
#include "host/model/fp16.hpp"
#include "host/model/gguf.hpp"
#include "host/model/gguf_quants.hpp"

using namespace airtp;

namespace {

const GgufFile& fixtures() {
  static const GgufFile f = read_gguf(std::string(AIRTP_SOURCE_DIR) + "/tests/data/gguf/quant_fixtures.gguf");
  return f;
}

class GgufQuants : public ::testing::TestWithParam<GgufType> {};

TEST_P(GgufQuants, BitIdenticalToGgufPy) {
  const GgufFile& f = fixtures();
  const std::string name = gguf_type_name(uint32_t(GetParam()));
  const GgufTensorInfo* raw = f.find_tensor(name + ".raw");
  const GgufTensorInfo* exp = f.find_tensor(name + ".expected");
  ASSERT_TRUE(raw && exp) << name << " missing from the fixture";
  ASSERT_EQ(raw->type, uint32_t(GetParam()));
  ASSERT_EQ(GgufType(exp->type), GgufType::f32);
  ASSERT_TRUE(gguf_can_dequantize(raw->type));
  const std::vector<float> got = f.tensor_f32(*raw), want = f.tensor_f32(*exp);
  ASSERT_EQ(got.size(), 4096u);
  ASSERT_EQ(got.size(), want.size());
  int nonfinite = 0, nonzero = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i]))
        << name << " element " << i << ": got " << got[i] << ", gguf-py " << want[i];
    nonfinite += !std::isfinite(want[i]);
    nonzero += want[i] != 0;
  }
  // The fixture exercises the interesting cases (not all zeros; some infinities/NaNs from the
  // random scales) for every type.
  EXPECT_GT(nonzero, 2000) << name;
  EXPECT_GT(nonfinite, 0) << name;
  // Decoding a prefix of whole blocks gives the same values (no state across blocks).
  const GgufTypeTraits tr = gguf_type_traits(raw->type);
  std::vector<uint8_t> bytes = f.tensor_bytes(*raw);
  std::vector<float> part(3 * tr.block);
  dequantize_blocks(raw->type, bytes.data() + tr.bytes, 3, part.data());
  EXPECT_EQ(std::memcmp(part.data(), got.data() + tr.block, part.size() * 4), 0) << name;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, GgufQuants,
                         ::testing::Values(GgufType::f32, GgufType::f16, GgufType::bf16, GgufType::q4_0, GgufType::q4_1,
                                           GgufType::q5_0, GgufType::q5_1, GgufType::q8_0, GgufType::q4_k,
                                           GgufType::q5_k, GgufType::q6_k),
                         [](const auto& info) { return gguf_type_name(uint32_t(info.param)); });

void put_half(uint8_t* p, float x) {
  const uint16_t h = f32_to_f16(x);
  p[0] = uint8_t(h), p[1] = uint8_t(h >> 8);
}

// Hand-built blocks: values worked out from the layout description, independent of gguf-py.
TEST(GgufQuantsByHand, ThirtyTwoBlocks) {
  uint8_t b[24] = {};
  float y[32];
  // Q4_0: d = 0.5, element j = j % 16 in the low nibble, 15 - j % 16 in the high nibble.
  put_half(b, 0.5f);
  for (int j = 0; j < 16; ++j) b[2 + j] = uint8_t(j | ((15 - j) << 4));
  dequantize_blocks(uint32_t(GgufType::q4_0), b, 1, y);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], 0.5f * (j - 8));
    EXPECT_EQ(y[j + 16], 0.5f * (7 - j));
  }
  // Q4_1: d = 0.25, m = -1.
  put_half(b, 0.25f);
  put_half(b + 2, -1.f);
  for (int j = 0; j < 16; ++j) b[4 + j] = uint8_t(j | ((15 - j) << 4));
  dequantize_blocks(uint32_t(GgufType::q4_1), b, 1, y);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], 0.25f * j - 1);
    EXPECT_EQ(y[j + 16], 0.25f * (15 - j) - 1);
  }
  // Q5_0: fifth bits set for the odd elements: q = nibble + 16 * (i odd).
  put_half(b, 2.f);
  const uint32_t odd = 0xAAAAAAAAu;
  std::memcpy(b + 2, &odd, 4);
  for (int j = 0; j < 16; ++j) b[6 + j] = uint8_t(j | (j << 4));
  dequantize_blocks(uint32_t(GgufType::q5_0), b, 1, y);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], 2.f * ((i % 16) + 16 * (i % 2) - 16)) << i;
  // Q5_1: the same bits with d = 1, m = 0.5.
  put_half(b, 1.f);
  put_half(b + 2, 0.5f);
  std::memcpy(b + 4, &odd, 4);
  for (int j = 0; j < 16; ++j) b[8 + j] = uint8_t(j | (j << 4));
  dequantize_blocks(uint32_t(GgufType::q5_1), b, 1, y);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(y[i], float((i % 16) + 16 * (i % 2)) + 0.5f) << i;
  // Q8_0: signed bytes.
  put_half(b, -0.125f);
  for (int j = 0; j < 22; ++j) b[2 + j] = uint8_t(int8_t(j - 11));
  float y8[32];
  uint8_t b8[34] = {};
  std::memcpy(b8, b, 24);
  dequantize_blocks(uint32_t(GgufType::q8_0), b8, 1, y8);
  for (int j = 0; j < 22; ++j) EXPECT_EQ(y8[j], -0.125f * (j - 11));
}

TEST(GgufQuantsByHand, SuperBlocks) {
  // Q4_K: d = 1, dmin = 0.5; sub-block s has scale s + 1 and min 2 s (6-bit fields: s < 4 in
  // bytes 0..7; s >= 4 split between the low nibbles of bytes 8..11 and bits 6-7 of 0..7).
  uint8_t b[210] = {};
  float y[256];
  put_half(b, 1.f);
  put_half(b + 2, 0.5f);
  uint8_t sc[8], mn[8];
  for (int s = 0; s < 8; ++s) sc[s] = uint8_t(s + 1 + (s >= 4 ? 40 : 0)), mn[s] = uint8_t(2 * s + (s >= 4 ? 33 : 0));
  uint8_t* S = b + 4;
  for (int j = 0; j < 4; ++j) {
    S[j] = uint8_t(sc[j] | ((sc[j + 4] >> 4) << 6));
    S[j + 4] = uint8_t(mn[j] | ((mn[j + 4] >> 4) << 6));
    S[j + 8] = uint8_t((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
  }
  for (int i = 0; i < 128; ++i) b[16 + i] = uint8_t((i % 16) | ((15 - i % 16) << 4));
  dequantize_blocks(uint32_t(GgufType::q4_k), b, 1, y);
  for (int e = 0; e < 256; ++e) {
    const int s = e / 32, g = e / 64, j = e % 32, byte = 32 * g + j;
    const int q = s % 2 == 0 ? byte % 16 : 15 - byte % 16;
    EXPECT_EQ(y[e], float(sc[s]) * q - 0.5f * mn[s]) << e;
  }
  // Q6_K: ql = 0x21 everywhere (low nibble 1, high 2), qh = 0b11100100 (pairs 0, 1, 2, 3),
  // scales 1..16, d = 0.5: element e has q = (nibble) | (pair << 4) with pair = (e % 128) / 32.
  std::memset(b, 0, sizeof b);
  std::memset(b, 0x21, 128);
  std::memset(b + 128, 0xE4, 64);
  for (int i = 0; i < 16; ++i) b[192 + i] = uint8_t(int8_t(i % 2 ? -(i + 1) : i + 1));
  put_half(b + 208, 0.5f);
  dequantize_blocks(uint32_t(GgufType::q6_k), b, 1, y);
  for (int e = 0; e < 256; ++e) {
    const int r = e % 128, nib = r < 64 ? 1 : 2, pair = r / 32, i = e / 16;
    const float scale = 0.5f * float(i % 2 ? -(i + 1) : i + 1);
    EXPECT_EQ(y[e], scale * float((nib | (pair << 4)) - 32)) << e;
  }
}

TEST(GgufQuantsByHand, UnsupportedTypesAreNamed) {
  for (GgufType t : {GgufType::q2_k, GgufType::q3_k, GgufType::q8_1, GgufType::q8_k, GgufType::iq2_xxs,
                     GgufType::iq4_nl, GgufType::i32, GgufType::f64, GgufType::tq1_0, GgufType::mxfp4}) {
    EXPECT_FALSE(gguf_can_dequantize(uint32_t(t))) << gguf_type_name(uint32_t(t));
    GgufWriter g;
    const GgufTypeTraits tr = gguf_type_traits(uint32_t(t));
    g.add_tensor("w", {tr.block}, uint32_t(t), std::vector<uint8_t>(tr.bytes));
    const auto bytes = g.bytes();
    const GgufFile f = read_gguf(bytes, "x.gguf");
    try {
      f.tensor_f32(f.tensors[0]);
      ADD_FAILURE() << gguf_type_name(uint32_t(t)) << " accepted";
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("x.gguf: tensor 'w' has type " + gguf_type_name(uint32_t(t))), std::string::npos) << m;
      EXPECT_NE(m.find("Q6_K"), std::string::npos) << "lists the supported types: " << m;
    }
  }
}

}  // namespace
