"""llama.cpp's clean-scoring speed on SmolLM2-135M, for bench/smollm2-vs-llamacpp.sh: the token
ids of the first 100 TinyStories stories (tests/data/smollm2/llamacpp.gguf, llama.cpp's own
tokenization) are evaluated one story at a time with every position's logits (what perplexity
needs), context 512, N threads. Prints "tok/s <rate> tokens <n> seconds <s>".

  python bench/llamacpp_score.py MODEL.gguf tests/data/smollm2/llamacpp.gguf [threads]

Needs PyPI's llama-cpp-python and gguf (e.g. /work/venv-ref on the development VM).
"""
import sys
import time

import gguf
import llama_cpp


def story_tokens(path):
    r = gguf.GGUFReader(path)
    off = [int(r.fields["story.offsets"].parts[i][0]) for i in r.fields["story.offsets"].data]
    f = r.fields["story.tokens"]
    flat = [int(f.parts[i][0]) for i in f.data]
    return [flat[a:b] for a, b in zip(off[:-1], off[1:])]


def main():
    model, fixture = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    stories = story_tokens(fixture)
    llm = llama_cpp.Llama(model_path=model, n_ctx=512, n_batch=512, n_ubatch=512, n_threads=threads,
                          n_threads_batch=threads, logits_all=True, verbose=False)
    llm.reset()
    llm.eval(stories[0][:16])  # warm-up (first-call allocations)
    n, t = 0, 0.0
    for toks in stories:
        llm.reset()
        t0 = time.perf_counter()
        llm.eval(toks)
        t += time.perf_counter() - t0
        n += len(toks)
    print(f"tok/s {n / t:.1f} tokens {n} seconds {t:.3f}")


if __name__ == "__main__":
    main()
