"""Random blocks of every GGUF tensor type airtp dequantizes, with gguf-py's reference
dequantization (gguf.quants, llama.cpp's own Python package) of the same bytes, so that
tests/test_gguf_quants.cpp can check our dequantizers bit for bit.

  /work/venv-ref/bin/python tests/data/gguf/make_quant_fixtures.py tests/data/gguf

Writes quant_fixtures.gguf (no model: general.architecture = "fixtures") holding, for each
type T of F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K:
  T.raw       4096 elements in type T: [256, 16], rows of whole blocks
  T.expected  gguf.quants.dequantize of T.raw, F32, same shape
The first half of the blocks are uniformly random bytes (so the fp16 scales take every
value: subnormal, huge, infinite, NaN; the first few blocks' scales are set to infinities,
NaNs, a subnormal, -65504 and -0 so every type meets them); in the second half the fp16 scales are replaced by
moderate finite values (|d| in [2^-12, 2^-2], either sign), as in real models.
"""
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q

TYPES = [Q.F32, Q.F16, Q.BF16, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q4_K, Q.Q5_K, Q.Q6_K]
ROW, ROWS = 256, 16  # elements per row (one K super-block, eight 32-blocks), rows

# Byte offsets of the fp16 scales within one block, per type.
HALF_FIELDS = {
    Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0],
    Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208],
}


SPECIAL_HALVES = [0x7C00, 0xFC00, 0x7E01, 0x7C01, 0x0001, 0xFBFF, 0x8000]


def moderate_halves(rng, n):
    mag = np.exp2(rng.uniform(-12, -2, n)).astype(np.float16)
    sign = np.where(rng.random(n) < 0.5, -1, 1).astype(np.float16)
    return (mag * sign).view(np.uint8).reshape(n, 2)


def raw_blocks(rng, qtype):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n_blocks = ROW * ROWS // block
    b = rng.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    half = n_blocks // 2
    if qtype in HALF_FIELDS:
        for k, off in enumerate(HALF_FIELDS[qtype]):
            b[half:, off:off + 2] = moderate_halves(rng, n_blocks - half)
            # The first blocks' scales: infinities, NaNs (quiet, signalling), a subnormal, the
            # largest finite half, -0 (each field shifted so they meet other values).
            for i, h in enumerate(SPECIAL_HALVES):
                b[(i + 2 * k) % half, off:off + 2] = [h & 255, h >> 8]
    elif qtype == Q.F16:  # each element is its own "block": make the second half moderate
        flat = b.reshape(-1, 2)
        flat[half:] = moderate_halves(rng, n_blocks - half)
    elif qtype == Q.BF16:
        flat = b.reshape(-1, 2)
        x = rng.standard_normal(n_blocks - half).astype(np.float32).view(np.uint32) >> 16
        flat[half:] = x.astype(np.uint16).view(np.uint8).reshape(-1, 2)
    elif qtype == Q.F32:
        b.reshape(-1)[half * 4:] = rng.standard_normal(n_blocks - half).astype(np.float32).view(np.uint8)
    bytes_per_row = ROW // block * size
    return b.reshape(ROWS, bytes_per_row)


def main(out):
    rng = np.random.default_rng(20261201)
    wr = gguf.GGUFWriter(f"{out}/quant_fixtures.gguf", "fixtures")
    for qtype in TYPES:
        raw = raw_blocks(rng, qtype)
        if qtype == Q.F32:
            data, expected = raw.view(np.float32), raw.view(np.float32)
            wr.add_tensor(f"{qtype.name}.raw", data, raw_dtype=Q.F32)
        else:
            with np.errstate(all="ignore"):  # the random scales make inf * 0 and the like
                expected = gguf.quants.dequantize(raw, qtype)
            wr.add_tensor(f"{qtype.name}.raw", raw, raw_dtype=qtype)
        assert expected.dtype == np.float32 and expected.shape == (ROWS, ROW), (qtype, expected.shape)
        wr.add_tensor(f"{qtype.name}.expected", np.ascontiguousarray(expected), raw_dtype=Q.F32)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
