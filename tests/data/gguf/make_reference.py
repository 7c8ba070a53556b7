"""Reference GGUF files written by llama.cpp's own Python package (gguf-py), so the C++
reader is checked against an independent writer and dequantizer.

  python3 -m venv /tmp/ggufvenv && /tmp/ggufvenv/bin/pip install gguf
  /tmp/ggufvenv/bin/python tests/data/gguf/make_reference.py tests/data/gguf

Writes
  ref_llama_mixed.gguf: a tiny llama (dim 32, hidden 64, 1 layer, 4 heads, 2 KV heads,
      vocab 8) with token_embd in F16, norms in F32, the other matrices in Q8_0 (quantized
      by gguf.quants), untied output.weight, a SentencePiece-style vocabulary.
  ref_llama_expected.gguf: the same tensors as gguf-py dequantizes them, all F32.
"""
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q

DIM, HIDDEN, HEADS, KV_HEADS, VOCAB, CTX = 32, 64, 4, 2, 8, 128
HEAD_DIM = DIM // HEADS


def tensors():
    rng = np.random.default_rng(2024)
    def w(*shape):  # numpy shape is [out][in]; gguf-py writes ne = reversed = {in, out}
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)
    t = {"token_embd.weight": w(VOCAB, DIM), "output_norm.weight": 1 + w(DIM), "output.weight": w(VOCAB, DIM)}
    p = "blk.0."
    t[p + "attn_norm.weight"] = 1 + w(DIM)
    t[p + "attn_q.weight"] = w(HEADS * HEAD_DIM, DIM)
    t[p + "attn_k.weight"] = w(KV_HEADS * HEAD_DIM, DIM)
    t[p + "attn_v.weight"] = w(KV_HEADS * HEAD_DIM, DIM)
    t[p + "attn_output.weight"] = w(DIM, HEADS * HEAD_DIM)
    t[p + "ffn_norm.weight"] = 1 + w(DIM)
    t[p + "ffn_gate.weight"] = w(HIDDEN, DIM)
    t[p + "ffn_down.weight"] = w(DIM, HIDDEN)
    t[p + "ffn_up.weight"] = w(HIDDEN, DIM)
    return t


def header(wr):
    wr.add_name("gguf-py reference")
    wr.add_context_length(CTX)
    wr.add_embedding_length(DIM)
    wr.add_block_count(1)
    wr.add_feed_forward_length(HIDDEN)
    wr.add_head_count(HEADS)
    wr.add_head_count_kv(KV_HEADS)
    wr.add_rope_dimension_count(HEAD_DIM)
    wr.add_layer_norm_rms_eps(1e-6)
    wr.add_rope_freq_base(500000.0)
    wr.add_tokenizer_model("llama")
    wr.add_token_list(["<unk>", "<s>", "</s>", "<0x0A>", "\u2581the", "\u2581a", "s", "\u00e9"])
    wr.add_token_scores([0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.5, -4.25])
    wr.add_token_types([2, 3, 3, 6, 1, 1, 1, 1])
    wr.add_bos_token_id(1)
    wr.add_eos_token_id(2)


def write(path, items):
    wr = gguf.GGUFWriter(path, "llama")
    header(wr)
    for name, data, qtype in items:
        wr.add_tensor(name, data, raw_dtype=qtype)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


def main(out):
    mixed, expected = [], []
    for name, x in tensors().items():
        if x.ndim == 1:
            q, data = Q.F32, x
        elif name == "token_embd.weight":
            q, data = Q.F16, x.astype(np.float16)
        else:
            q, data = Q.Q8_0, gguf.quants.quantize(x, Q.Q8_0)
        mixed.append((name, data, q))
        back = x if q == Q.F32 else gguf.quants.dequantize(data, q).reshape(x.shape).astype(np.float32)
        expected.append((name, back, Q.F32))
    write(f"{out}/ref_llama_mixed.gguf", mixed)
    write(f"{out}/ref_llama_expected.gguf", expected)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
