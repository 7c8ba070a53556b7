"""Tiny random models in the two GGUF architectures airtp runs, written by gguf-py, with the
logits of a float64 numpy forward pass (tests/data/reference_forward.py) stored beside them,
so tests/test_model_file.cpp checks the CPU forward (RoPE layouts, grouped-query attention,
biases, tied and untied classifiers, quantized matrices) without any download.

  /work/venv-ref/bin/python tests/data/gguf/make_forward_reference.py tests/data/gguf

Writes
  ref_forward_llama.gguf: llama, dim 64, 4 heads sharing 2 KV heads, hidden 96, 2 layers,
      vocab 40, RoPE base 10000 (NORM pairs), untied output.weight; matrices in Q4_0, Q5_1,
      Q8_0 and F16.
  ref_forward_qwen2.gguf: qwen2, the same shape, RoPE base 1e6 (NEOX pairs), Q/K/V biases,
      output tied to the token embedding; matrices in Q4_1, Q5_0, Q8_0 and BF16.
Each holds metadata test.tokens (int32[12]) and test.logits (float32[12 x 40], row-major):
the reference's next-token logits at every position.
"""
import os
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reference_forward import Model  # noqa: E402

DIM, HIDDEN, HEADS, KV, LAYERS, VOCAB, CTX = 64, 96, 4, 2, 2, 40, 64
HD = DIM // HEADS


def build(path, arch, rng, types, bias, tied, theta):
    def w(*shape, scale=0.2):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    tensors = {"token_embd.weight": (w(VOCAB, DIM, scale=1.0), types[0]), "output_norm.weight": (1 + w(DIM), Q.F32)}
    if not tied:
        tensors["output.weight"] = (w(VOCAB, DIM), types[1])
    for l in range(LAYERS):
        p = f"blk.{l}."
        tensors[p + "attn_norm.weight"] = (1 + w(DIM), Q.F32)
        tensors[p + "attn_q.weight"] = (w(HEADS * HD, DIM), types[l % 4])
        tensors[p + "attn_k.weight"] = (w(KV * HD, DIM), types[(l + 1) % 4])
        tensors[p + "attn_v.weight"] = (w(KV * HD, DIM), types[(l + 2) % 4])
        if bias:
            tensors[p + "attn_q.bias"] = (w(HEADS * HD), Q.F32)
            tensors[p + "attn_k.bias"] = (w(KV * HD), Q.F32)
            tensors[p + "attn_v.bias"] = (w(KV * HD), Q.F32)
        tensors[p + "attn_output.weight"] = (w(DIM, HEADS * HD), types[(l + 3) % 4])
        tensors[p + "ffn_norm.weight"] = (1 + w(DIM), Q.F32)
        tensors[p + "ffn_gate.weight"] = (w(HIDDEN, DIM), types[l % 4])
        tensors[p + "ffn_down.weight"] = (w(DIM, HIDDEN), types[(l + 1) % 4])
        tensors[p + "ffn_up.weight"] = (w(HIDDEN, DIM), types[(l + 2) % 4])

    def write(extra):
        wr = gguf.GGUFWriter(path, arch)
        wr.add_name(f"tiny {arch}")
        wr.add_context_length(CTX)
        wr.add_embedding_length(DIM)
        wr.add_block_count(LAYERS)
        wr.add_feed_forward_length(HIDDEN)
        wr.add_head_count(HEADS)
        wr.add_head_count_kv(KV)
        wr.add_rope_dimension_count(HD)
        wr.add_layer_norm_rms_eps(1e-6)
        wr.add_rope_freq_base(theta)
        extra(wr)
        for name, (x, q) in tensors.items():
            if q == Q.F32:
                wr.add_tensor(name, x)
            elif q == Q.F16:
                wr.add_tensor(name, x.astype(np.float16))
            else:
                wr.add_tensor(name, gguf.quants.quantize(x, q), raw_dtype=q)
        wr.write_header_to_file()
        wr.write_kv_data_to_file()
        wr.write_tensors_to_file()
        wr.close()

    write(lambda wr: None)
    m = Model(path)
    assert m.neox == (arch == "qwen2")
    tokens = [int(t) for t in rng.integers(0, VOCAB, 12)]
    lg = m.logits(tokens)

    def extra(wr):
        wr.add_array("test.tokens", tokens)
        wr.add_array("test.logits", [float(v) for v in lg.astype(np.float32).reshape(-1)])

    write(extra)  # the same tensors, now with the expected logits


def main(out):
    rng = np.random.default_rng(7)
    build(f"{out}/ref_forward_llama.gguf", "llama", rng, [Q.F16, Q.Q4_0, Q.Q5_1, Q.Q8_0], bias=False, tied=False,
          theta=10000.0)
    build(f"{out}/ref_forward_qwen2.gguf", "qwen2", rng, [Q.BF16, Q.Q4_1, Q.Q5_0, Q.Q8_0], bias=True, tied=True,
          theta=1e6)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
