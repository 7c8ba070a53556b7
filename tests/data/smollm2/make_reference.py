"""Exact reference for SmolLM2-135M-Instruct (Q4_1 GGUF): a float64 numpy forward pass
(tests/data/reference_forward.py) on the weights as gguf-py's reference dequantizer
(gguf.quants) decodes them.
Nothing of airtp is used, so tests/test_smollm2.cpp checks our loader, dequantization and
transformer against an independent implementation of the same model.

  bash experiments/fetch-models.sh            # the model, into data/models/smollm2-135m/
  /work/venv-ref/bin/python tests/data/smollm2/make_reference.py   # about two minutes

The token ids come from llama.cpp (tests/data/smollm2/llamacpp.gguf, written first by
make_llamacpp.py): the first story of data/tinystories/tinystories-valid-sample.txt, no BOS
(llama.cpp reports add_bos = false for this vocabulary). Writes reference.gguf (metadata
arrays and F32 tensors, readable by airtp's GGUF reader):
  ref.tokens            int32[64]: the first 64 tokens of that story
  ref.full_positions    int32: positions whose whole logit row is stored
  ref.full_logits       F32 tensor [vocab, n_full]: those rows (float64 rounded to float32)
  ref.top_ids, ref.top_logits   [64 x 50]: every position's 50 largest logits, row-major
  ref.row_mean, ref.row_norm    float64[64]: each row's mean and the norm of the row minus it
  ref.prompt            int32: "Once upon a time" = 6403 1980 253 655
  ref.greedy            int32[20]: greedy continuation (argmax of the float64 logits)
  ref.greedy_margin     float64[20]: top-1 minus top-2 logit at each greedy step
"""
import os
import sys

import gguf
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from reference_forward import Model  # noqa: E402  (tests/data/reference_forward.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = os.path.join(ROOT, "data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf")
HERE = os.path.dirname(os.path.abspath(__file__))
T_REF, TOP, FULL = 64, 50, [0, 31, 63]
PROMPT = [6403, 1980, 253, 655]
STEPS = 20


def main():
    ll = gguf.GGUFReader(os.path.join(HERE, "llamacpp.gguf"))
    f = ll.fields["story.tokens"]
    tokens = [int(f.parts[i][0]) for i in f.data[:T_REF]]
    assert len(tokens) == T_REF
    m = Model(MODEL)
    assert m.arch == "llama" and "output.weight" not in m.w  # tied to the token embedding
    lg = m.logits(tokens)
    mean = lg.mean(axis=1)
    norm = np.linalg.norm(lg - mean[:, None], axis=1)
    top = np.argsort(-lg, axis=1, kind="stable")[:, :TOP]
    top_logits = np.take_along_axis(lg, top, axis=1)

    seq, greedy, margin = list(PROMPT), [], []
    for _ in range(STEPS):
        last = m.logits(seq)[-1]
        o = np.argsort(-last, kind="stable")
        greedy.append(int(o[0]))
        margin.append(float(last[o[0]] - last[o[1]]))
        seq.append(int(o[0]))
    print("greedy:", greedy, "smallest margin %.4g" % min(margin))

    wr = gguf.GGUFWriter(os.path.join(HERE, "reference.gguf"), "fixtures")
    wr.add_string("ref.source", "float64 numpy forward on gguf.quants-dequantized SmolLM2-135M-Instruct.Q4_1.gguf")
    wr.add_array("ref.tokens", tokens)
    wr.add_array("ref.full_positions", FULL)
    wr.add_array("ref.top_ids", [int(v) for v in top.reshape(-1)])
    wr.add_array("ref.top_logits", [float(v) for v in top_logits.reshape(-1)])
    wr.add_array("ref.row_mean", [float(v) for v in mean])
    wr.add_array("ref.row_norm", [float(v) for v in norm])
    wr.add_array("ref.prompt", PROMPT)
    wr.add_array("ref.greedy", greedy)
    wr.add_array("ref.greedy_margin", margin)
    wr.add_tensor("ref.full_logits", np.ascontiguousarray(lg[FULL].astype(np.float32)), raw_dtype=gguf.GGMLQuantizationType.F32)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


if __name__ == "__main__":
    sys.exit(main())
