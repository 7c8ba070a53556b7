"""llama.cpp's view of SmolLM2-135M-Instruct (Q4_1 GGUF) on TinyStories, through PyPI's
llama-cpp-python, for tests/test_smollm2.cpp: its token ids of the first 100 stories (so the
test does not depend on airtp's tokenizer), the top-1 token it predicts at every position,
and its perplexity under airtp's "stories" protocol.

  bash experiments/fetch-models.sh
  /work/venv-ref/bin/python tests/data/smollm2/make_llamacpp.py    # a minute or two
  /work/venv-ref/bin/python tests/data/smollm2/make_reference.py   # reads llamacpp.gguf

Protocol "stories": data/tinystories/tinystories-valid-sample.txt split at lines holding
only <|endoftext|>, each story stripped of surrounding whitespace, tokenized without BOS
(llama.cpp reports add_bos = false for this vocabulary) and without parsing special tokens,
truncated to the 512-token context; every token after the first is scored by the logits of
the position before it (natural log, float64 log-softmax of llama.cpp's float32 logits).
perplexity = exp(total NLL / scored tokens).

Writes llamacpp.gguf (metadata only):
  story.count, story.offsets (int32[count + 1]), story.tokens (int32, all stories joined)
  story.top1       int32, llama.cpp's argmax at every position of every story
  story.nll        float64[count]: each story's summed NLL
  ppl.value (float64), ppl.scored_tokens (uint32), ppl.context (uint32)
  llamacpp.version, check.once_upon_a_time (int32[4])
"""
import os
import sys

import gguf
import llama_cpp
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODEL = os.path.join(ROOT, "data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf")
TEXT = os.path.join(ROOT, "data/tinystories/tinystories-valid-sample.txt")
HERE = os.path.dirname(os.path.abspath(__file__))
N_STORIES, N_CTX = 100, 512


def split_stories(text):
    out, cur = [], []
    for line in text.split("\n"):
        if line.strip() == "<|endoftext|>":
            s = "\n".join(cur).strip()
            if s:
                out.append(s)
            cur = []
        else:
            cur.append(line)
    s = "\n".join(cur).strip()
    if s:
        out.append(s)
    return out


def open_model(n_threads=2):
    return llama_cpp.Llama(model_path=MODEL, n_ctx=N_CTX, n_batch=N_CTX, n_ubatch=N_CTX, n_threads=n_threads,
                           n_threads_batch=n_threads, logits_all=True, verbose=False)


def story_tokens(llm, n):
    with open(TEXT, encoding="utf-8") as f:
        stories = split_stories(f.read())[:n]
    return [llm.tokenize(s.encode("utf-8"), add_bos=False, special=False)[:N_CTX] for s in stories]


def logits(llm, toks):
    llm.reset()
    llm.eval(toks)
    return np.array(llm.scores[: len(toks)], dtype=np.float64)


def f64_array(wr, key, vals):
    wr.add_key_value(key, [float(v) for v in vals], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.FLOAT64)


def main():
    llm = open_model()
    once = llm.tokenize(b"Once upon a time", add_bos=False, special=False)
    assert once == [6403, 1980, 253, 655], once
    assert not llama_cpp.llama_vocab_get_add_bos(llama_cpp.llama_model_get_vocab(llm.model)), "expected add_bos = false"
    seqs = story_tokens(llm, N_STORIES)
    offsets, flat, top1, nll = [0], [], [], []
    total, scored = 0.0, 0
    for toks in seqs:
        sc = logits(llm, toks)
        mx = sc.max(axis=1, keepdims=True)
        logp = sc - (mx + np.log(np.exp(sc - mx).sum(axis=1, keepdims=True)))
        s = -float(sum(logp[t, toks[t + 1]] for t in range(len(toks) - 1)))
        nll.append(s)
        total += s
        scored += len(toks) - 1
        top1.extend(int(i) for i in sc.argmax(axis=1))
        flat.extend(toks)
        offsets.append(len(flat))
    ppl = float(np.exp(total / scored))
    print(f"{len(seqs)} stories, {scored} scored tokens, llama.cpp perplexity {ppl:.4f}")

    wr = gguf.GGUFWriter(os.path.join(HERE, "llamacpp.gguf"), "fixtures")
    wr.add_string("llamacpp.version", "llama-cpp-python " + llama_cpp.__version__)
    wr.add_array("check.once_upon_a_time", once)
    wr.add_uint32("story.count", len(seqs))
    wr.add_array("story.offsets", offsets)
    wr.add_array("story.tokens", flat)
    wr.add_array("story.top1", top1)
    f64_array(wr, "story.nll", nll)
    wr.add_key_value("ppl.value", ppl, gguf.GGUFValueType.FLOAT64)
    wr.add_uint32("ppl.scored_tokens", scored)
    wr.add_uint32("ppl.context", N_CTX)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


if __name__ == "__main__":
    sys.exit(main())
