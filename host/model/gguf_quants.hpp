// Dequantization of ggml tensor blocks to fp32, for the GGUF types airtp reads: F32, F16,
// BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 (blocks of 32) and Q4_K, Q5_K, Q6_K (super-blocks of 256).
// Each value is computed with exactly the float32 operations of the reference dequantizer
// (gguf-py's gguf.quants, which mirrors ggml): a product, and for the types with a minimum one
// addition or subtraction, each rounded separately (no fused multiply-add), so the output is
// bit-identical to it (tests/data/gguf/make_quant_fixtures.py, tests/test_gguf_quants.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace airtp {

// True for the types dequantize_blocks accepts.
bool gguf_can_dequantize(uint32_t type);

// "F32, F16, BF16, Q4_0, ..." for error messages.
const char* gguf_dequantizable_types();

// Decodes n_blocks consecutive blocks of `type` (ggml layout; for F32/F16/BF16 a block is one
// element) from src (n_blocks * bytes-per-block bytes) into dst (n_blocks * block floats).
// The caller checks the type with gguf_can_dequantize and the sizes; src needs no alignment.
void dequantize_blocks(uint32_t type, const uint8_t* src, size_t n_blocks, float* dst);

}  // namespace airtp
