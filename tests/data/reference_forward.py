"""A float64 numpy forward pass of the LLaMA family as llama.cpp defines it for GGUF files
(architectures `llama` and `qwen2`), written from the models' published equations and nothing
of airtp: RMSNorm, rotary embeddings (llama: pairs (2i, 2i+1) of each head, llama.cpp's NORM
layout; qwen2: pairs (i, i + head_dim/2), the NEOX layout), grouped-query causal attention,
Q/K/V biases (qwen2), SwiGLU MLP, output tied to the token embedding when the file has no
output.weight. Weights are decoded by gguf-py's reference dequantizer (gguf.quants).

Used by tests/data/smollm2/make_reference.py and tests/data/gguf/make_forward_reference.py.
"""
import gguf
import numpy as np


def field(r, key, default=None):
    f = r.fields.get(key)
    if f is None:
        return default
    v = f.parts[f.data[0]]
    return bytes(v).decode() if f.types[0] == gguf.GGUFValueType.STRING else v[0].item()


class Model:
    def __init__(self, path):
        r = gguf.GGUFReader(path)
        self.arch = field(r, "general.architecture")
        assert self.arch in ("llama", "qwen2"), self.arch
        a = self.arch + "."
        self.dim = field(r, a + "embedding_length")
        self.n_layers = field(r, a + "block_count")
        self.n_heads = field(r, a + "attention.head_count")
        self.n_kv = field(r, a + "attention.head_count_kv", self.n_heads)
        self.eps = float(field(r, a + "attention.layer_norm_rms_epsilon"))
        self.theta = float(field(r, a + "rope.freq_base", 10000.0))
        self.neox = self.arch == "qwen2"
        self.hd = self.dim // self.n_heads
        self.w = {}
        for t in r.tensors:
            # gguf.quants.dequantize gives numpy shape [ne1][ne0] = [out][in] for matrices.
            x = gguf.quants.dequantize(t.data, t.tensor_type)
            self.w[t.name] = x.astype(np.float64).reshape([int(d) for d in reversed(t.shape)])
        self.out = self.w.get("output.weight", self.w["token_embd.weight"])

    def rmsnorm(self, x, g):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * g

    def rope(self, x):  # x [T, heads, hd]
        T, h = x.shape[0], self.hd // 2
        i = np.arange(h, dtype=np.float64)
        freq = self.theta ** (-2.0 * i / self.hd)
        ang = np.arange(T, dtype=np.float64)[:, None] * freq[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        out = np.empty_like(x)
        if self.neox:
            a, b = x[..., :h], x[..., h:]
            out[..., :h], out[..., h:] = a * c - b * s, a * s + b * c
        else:
            a, b = x[..., 0::2], x[..., 1::2]
            out[..., 0::2], out[..., 1::2] = a * c - b * s, a * s + b * c
        return out

    def logits(self, tokens):
        w, T, hd = self.w, len(tokens), self.hd
        x = w["token_embd.weight"][tokens]
        mask = np.triu(np.full((T, T), -np.inf), 1)
        group = self.n_heads // self.n_kv

        def lin(h, name):
            y = h @ w[name + ".weight"].T
            return y + w[name + ".bias"] if name + ".bias" in w else y

        for l in range(self.n_layers):
            p = f"blk.{l}."
            h = self.rmsnorm(x, w[p + "attn_norm.weight"])
            q = self.rope(lin(h, p + "attn_q").reshape(T, self.n_heads, hd))
            k = self.rope(lin(h, p + "attn_k").reshape(T, self.n_kv, hd))
            v = lin(h, p + "attn_v").reshape(T, self.n_kv, hd)
            att = np.empty((T, self.n_heads, hd))
            for hh in range(self.n_heads):
                kv = hh // group
                s = q[:, hh] @ k[:, kv].T / np.sqrt(hd) + mask
                s = np.exp(s - s.max(axis=1, keepdims=True))
                att[:, hh] = (s / s.sum(axis=1, keepdims=True)) @ v[:, kv]
            x = x + att.reshape(T, -1) @ w[p + "attn_output.weight"].T
            h = self.rmsnorm(x, w[p + "ffn_norm.weight"])
            g, u = h @ w[p + "ffn_gate.weight"].T, h @ w[p + "ffn_up.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ w[p + "ffn_down.weight"].T
        return self.rmsnorm(x, w["output_norm.weight"]) @ self.out.T
