#!/usr/bin/env python3
"""Makes the tokenizer fixtures: llama.cpp's token ids for a test corpus, on five vocabularies.

Run by developers, never by the test suite, with a Python that has llama-cpp-python 0.3.36
and gguf (the shared reference virtualenv):

    /work/venv-ref/bin/python tests/data/tokenizer/make_fixtures.py \\
        --llama-models DIR --smollm2 data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf

DIR holds llama.cpp's vocabulary-only GGUFs ggml-vocab-{llama-bpe,qwen2,gpt-2,llama-spm}.gguf,
which llama-cpp-python's source distribution vendors under vendor/llama.cpp/models/
(pip download --no-binary :all: --no-deps llama-cpp-python==0.3.36; see SOURCE.md).

Writes, beside this script:
  corpus.toml          the cases: a name and the text (or "hex" bytes, or a byte range of a
                       file under data/), the same for every vocabulary;
  <vocab>.toml         per vocabulary, llama.cpp's ids of every case:
                       Llama(vocab_only=True).tokenize(text, add_bos=False, special=False),
                       plus the ids with add_bos=True (llama.cpp's add_special) of one case;
  <vocab>.vocab.gguf   the vocabulary pruned to what the corpus can use (below).

Pruning. The full vocabularies are 0.7 to 8 MB; the tests need only the tokens the corpus can
reach. Every symbol BPE or SentencePiece forms while encoding a text is a contiguous piece of
that text (after pre-processing), so a token whose text does not occur in the corpus can never
be formed, and a merge producing such a token can never fire; dropping both changes no
encoding of the corpus. Kept: tokens whose bytes occur in the corpus (for SentencePiece with a
leading space, as its space prefix makes them), every control / user-defined / unknown / byte
token and GPT-2's 256 one-byte tokens; merges whose result is kept. Tokens are renumbered in
order; the original ids are stored under the key airtp.fixture.original_ids, through which the
tests map their ids back before comparing with llama.cpp's. As a check of the argument, llama.cpp
tokenizes the corpus again with each pruned vocabulary and must give the same ids (mapped back).
"""
import argparse
import hashlib
import pathlib
import sys

import gguf
import llama_cpp

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# --------------------------------------------------------------------------------------------
# corpus

CASES = [
    ("empty", ""),
    ("space", " "),
    ("newline", "\n"),
    ("ascii", "Hello world! The quick brown fox jumps over the lazy dog."),
    ("ascii_leading_space", " Hello World, hello world."),
    ("punctuation", "Wait... what?! (Yes) -- \"quoted\", [brackets]; {braces}: a/b\\c @#$%^&*_+=|~`<> ''"),
    ("digits", "1 12 123 1234 12345 123456 1234567 3.14159 1,000,000 2024-01-15 0x1F 007 9999999999"),
    ("digits_glued", "abc123def 4567x y89 12ab 1.2.3 -42 +7 1e10"),
    ("spaces", "a  b   c    d     e"),
    ("spaces_edges", "   leading and trailing   "),
    ("tabs", "\ta\t\tb \t c\t"),
    ("newlines", "line1\nline2\n\nline4\n\n\n\nline8\n"),
    ("crlf", "line1\r\nline2\r\n\r\nline3\r"),
    ("mixed_whitespace", "  \n\n  \n\t\n \t \n  x  \n "),
    ("contractions", "I'm you're he's they've we'll she'd can't it's 's 't 're 've 'm 'll 'd"),
    ("contractions_upper", "I'M YOU'RE HE'S THEY'VE WE'LL SHE'D CAN'T It'S We'Ll 'S 'T 'RE 'VE 'M 'LL 'D"),
    ("contractions_odd", "rock'n'roll o'clock ''s ' s '' don''t 'x 'sa"),
    ("accents", "café naïve résumé Zürich São Paulo déjà vu Ångström Øresund façade"),
    ("greek", "Καλημέρα κόσμε, ΑΒΓΔ αβγδ ἀρχή"),
    ("cyrillic", "Привет, мир! Съешь же ещё этих мягких французских булок."),
    ("cjk", "你好，世界！日本語のテキストです。한국어 텍스트"),
    ("emoji", "😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🇯🇵🇫🇷 🦙🦙 ok👌"),
    ("symbols", "km² ½ Ⅻ ٣٤٥ १२३ — “smart quotes” ‘single’ … € £ ¥ © ® ™ ° ± × ÷"),
    ("unicode_spaces", "a\u00a0b\u2003c\u3000d\u2028e\u0085f\u202fg \u00a0 h"),
    ("combining", "e\u0301 a\u0308 n\u0303o\u0302 \u0301x"),
    ("zero_width", "zero\u200bwidth\u200djoiner\ufeffbom-inside\u2060"),
    ("controls", "\x01\x02\x7f bell\x07 esc\x1b[0m nul\x00end"),
    # bytes SmolLM2's vocabulary has no letter for: llama.cpp drops them
    ("unspellable_bytes", "a\x04b\x06c\x13\x14d \x16\x1de\x04"),
    ("special_as_text", "<|endoftext|> <|im_start|>user\nhi<|im_end|> <s> </s> <unk> <|begin_of_text|> <|eot_id|>"),
    ("user_defined_as_text", "[PAD151650] x[PAD151646]y [PAD151646][PAD151647] <tool_call>"),
    ("code", "def f(x):\n    return x**2  # square\n\nif __name__ == '__main__':\n\tprint(f(3))\n"),
    ("long_word", "Pneumonoultramicroscopicsilicovolcanoconiosis supercalifragilisticexpialidocious"),
    ("repeats", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ...... !!!!!!!! ------------ 0000000000"),
]

# Invalid UTF-8 (stray continuation bytes, truncated sequences, 0xFF), an overlong '/', a
# surrogate: byte-level BPE sees them as llama.cpp decodes them (U+FFFD per bad byte).
HEX_CASES = [
    ("invalid_utf8", b"abc\xff\xfe def \xc3 x\xe2\x82 end \x80\xbf ok\xf0\x9f\x98"),
    ("overlong_surrogate", b"a\xc0\xafb \xed\xa0\x80 c"),
]


def tinystories_cases(n):
    path = ROOT / "data/tinystories/tinystories-valid-sample.txt"
    raw = path.read_bytes()
    out, pos = [], 0
    sep = b"\n<|endoftext|>\n"
    while len(out) < n:
        end = raw.index(sep, pos)
        story = raw[pos:end]
        lead = len(story) - len(story.lstrip())
        body = story.strip()
        out.append(("tinystories_%d" % len(out), "data/tinystories/tinystories-valid-sample.txt", pos + lead, len(body)))
        pos = end + len(sep)
    return out


def moby_cases():
    rel = "data/moby-dick/moby-dick.txt"
    raw = (ROOT / rel).read_bytes()
    out = []
    for name, start, length in (("moby_dick_start", 0, 12000), ("moby_dick_middle", 600000, 8000)):
        s = raw.index(b"\n", start) + 1 if start else 0  # begin and end at line starts
        e = raw.index(b"\n", s + length) + 1
        out.append((name, rel, s, e - s))
    return out


def llama_cpp_test_cases(models):
    # llama.cpp's own tokenizer test inputs (tests/test-tokenizer-0), the same for every vocabulary
    text = (models / "ggml-vocab-llama-bpe.gguf.inp").read_text(encoding="utf-8")
    parts = text.split("\n__ggml_vocab_test__\n")
    assert parts[-1] == ""  # each case ends with the separator
    return [("llama_cpp_inp_%02d" % i, p) for i, p in enumerate(parts[:-1])]


# --------------------------------------------------------------------------------------------
# TOML writing (no third-party writer needed: strings and integer arrays only)

def toml_str(s):
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif cp < 0x20 or 0x7F <= cp <= 0x9F or cp in (0x2028, 0x2029, 0xFEFF) or 0x200B <= cp <= 0x200F or cp == 0x2060:
            out.append("\\u%04X" % cp)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_ints(xs):
    lines, cur = [], []
    for x in xs:
        cur.append(str(x))
        if len(cur) == 20:
            lines.append(", ".join(cur))
            cur = []
    if cur:
        lines.append(", ".join(cur))
    if not lines:
        return "[]"
    return "[\n  " + ",\n  ".join(lines) + ",\n]"


# --------------------------------------------------------------------------------------------
# llama.cpp's view of text

def llama_decode(b):
    """Code points as llama.cpp's unicode_cpts_from_utf8 reads them (U+FFFD per bad byte)."""
    out, i, n = [], 0, len(b)
    cont = lambda k: k < n and (b[k] & 0xC0) == 0x80
    while i < n:
        c = b[i]
        if c < 0x80:
            out.append(c); i += 1
        elif c < 0xC0:
            out.append(0xFFFD); i += 1
        elif c < 0xE0 and cont(i + 1):
            out.append((c & 0x1F) << 6 | (b[i + 1] & 0x3F)); i += 2
        elif 0xE0 <= c < 0xF0 and cont(i + 1) and cont(i + 2):
            out.append((c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F)); i += 3
        elif 0xF0 <= c < 0xF8 and cont(i + 1) and cont(i + 2) and cont(i + 3):
            out.append((c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F)); i += 4
        else:
            out.append(0xFFFD); i += 1
    return out


def cps_utf8(cps):
    return "".join(chr(c) for c in cps).encode("utf-8", "surrogatepass")


def byte_alphabet():
    bs = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = {}, 0
    for b in range(256):
        if b in bs:
            cs[b] = chr(b)
        else:
            cs[b] = chr(256 + n)
            n += 1
    return cs


def bpe_bytes(tok, inv):
    """Bytes a byte-level BPE token stands for, or None when it is not in the alphabet."""
    try:
        return bytes(inv[ch] for ch in tok)
    except KeyError:
        return None


# --------------------------------------------------------------------------------------------

def read_vocab(path):
    r = gguf.GGUFReader(str(path))
    f = r.fields
    get = lambda k: f[k].contents() if k in f else None
    return {
        "arch": get("general.architecture"),
        "name": get("general.name"),
        "model": get("tokenizer.ggml.model"),
        "pre": get("tokenizer.ggml.pre"),
        "tokens": get("tokenizer.ggml.tokens"),
        "scores": get("tokenizer.ggml.scores"),
        "types": get("tokenizer.ggml.token_type"),
        "merges": get("tokenizer.ggml.merges"),
        "bos": get("tokenizer.ggml.bos_token_id"),
        "eos": get("tokenizer.ggml.eos_token_id"),
        "unk": get("tokenizer.ggml.unknown_token_id"),
        "pad": get("tokenizer.ggml.padding_token_id"),
        "add_bos": get("tokenizer.ggml.add_bos_token"),
        "add_eos": get("tokenizer.ggml.add_eos_token"),
        "add_space_prefix": get("tokenizer.ggml.add_space_prefix"),
    }


def prune(v, corpus_texts):
    toks, types = v["tokens"], v["types"]
    keep = set()
    if v["model"] == "gpt2":
        alpha = byte_alphabet()
        inv = {c: b for b, c in alpha.items()}
        hay = b"\x00".join(cps_utf8(llama_decode(t)) for t in corpus_texts)
        single = set(alpha.values())
        for i, t in enumerate(toks):
            if types[i] != 1 or t in single:
                keep.add(i)
                continue
            bb = bpe_bytes(t, inv)
            if bb is not None and bb in hay:
                keep.add(i)
    else:
        hay = b"\x00".join(b" " + t for t in corpus_texts)
        for i, t in enumerate(toks):
            if types[i] != 1 or t.replace("\u2581", " ").encode("utf-8") in hay:
                keep.add(i)
    order = sorted(keep)
    new_id = {o: n for n, o in enumerate(order)}
    merges = None
    if v["merges"] is not None:
        index = {t: i for i, t in enumerate(toks)}
        merges = []
        for m in v["merges"]:
            a, b = m.split(" ", 1)
            if index[a + b] in keep:
                merges.append(m)
    return order, new_id, merges


def write_pruned(v, order, new_id, merges, path):
    w = gguf.GGUFWriter(str(path), v["arch"])
    w.add_name(v["name"])
    w.add_tokenizer_model(v["model"])
    if v["pre"] is not None:
        w.add_tokenizer_pre(v["pre"])
    w.add_token_list([v["tokens"][o] for o in order])
    if v["scores"] is not None:
        w.add_token_scores([float(v["scores"][o]) for o in order])
    w.add_token_types([int(v["types"][o]) for o in order])
    if merges is not None:
        w.add_token_merges(merges)
    for key, fn in (("bos", w.add_bos_token_id), ("eos", w.add_eos_token_id), ("unk", w.add_unk_token_id),
                    ("pad", w.add_pad_token_id)):
        if v[key] is not None:
            fn(new_id[int(v[key])])
    for key, fn in (("add_bos", w.add_add_bos_token), ("add_eos", w.add_add_eos_token),
                    ("add_space_prefix", w.add_add_space_prefix)):
        if v[key] is not None:
            fn(bool(v[key]))
    w.add_array("airtp.fixture.original_ids", [int(o) for o in order])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def tokenize_all(path, texts):
    llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    ids = [llm.tokenize(t, add_bos=False, special=False) for t in texts]
    special = llm.tokenize(texts[3], add_bos=True, special=False)  # "ascii" with add_special
    del llm
    return ids, special


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llama-models", required=True, type=pathlib.Path)
    ap.add_argument("--smollm2", required=True, type=pathlib.Path)
    args = ap.parse_args()

    cases = [(n, t.encode("utf-8")) for n, t in CASES]
    cases += list(HEX_CASES)
    cases += [(n, t.encode("utf-8")) for n, t in llama_cpp_test_cases(args.llama_models)]
    file_cases = tinystories_cases(6) + moby_cases()
    texts = [t for _, t in cases] + [(ROOT / f).read_bytes()[o:o + n] for _, f, o, n in file_cases]
    names = [n for n, _ in cases] + [c[0] for c in file_cases]
    assert names[3] == "ascii"

    with open(HERE / "corpus.toml", "w", encoding="utf-8") as out:
        out.write("# Generated by make_fixtures.py; the cases every <vocab>.toml gives llama.cpp's ids for.\n")
        out.write("# text: the UTF-8 text; hex: raw bytes (invalid UTF-8); file/offset/length: bytes of a data file.\n")
        for n, t in cases:
            out.write("\n[[case]]\nname = %s\n" % toml_str(n))
            try:
                out.write("text = %s\n" % toml_str(t.decode("utf-8")))
            except UnicodeDecodeError:
                out.write("hex = %s\n" % toml_str(t.hex()))
        for n, f, o, ln in file_cases:
            out.write("\n[[case]]\nname = %s\nfile = %s\noffset = %d\nlength = %d\n" % (toml_str(n), toml_str(f), o, ln))

    vocabs = [
        ("llama-bpe", args.llama_models / "ggml-vocab-llama-bpe.gguf"),
        ("qwen2", args.llama_models / "ggml-vocab-qwen2.gguf"),
        ("gpt-2", args.llama_models / "ggml-vocab-gpt-2.gguf"),
        ("llama-spm", args.llama_models / "ggml-vocab-llama-spm.gguf"),
        ("smollm2", args.smollm2),
    ]
    for name, path in vocabs:
        v = read_vocab(path)
        ids, special = tokenize_all(path, texts)
        order, new_id, merges = prune(v, texts)
        pruned = HERE / ("%s.vocab.gguf" % name)
        write_pruned(v, order, new_id, merges, pruned)
        ids2, special2 = tokenize_all(pruned, texts)
        back = lambda xs: [order[x] for x in xs]
        for n, a, b in zip(names, ids, ids2):
            if back(b) != a:
                sys.exit("%s: pruned vocabulary changes llama.cpp's ids of case %s" % (name, n))
        if back(special2) != special:
            sys.exit("%s: pruned vocabulary changes the add_special ids" % name)
        with open(HERE / ("%s.toml" % name), "w", encoding="utf-8") as out:
            out.write("# Generated by make_fixtures.py: llama.cpp's token ids of every case of corpus.toml.\n")
            out.write("vocab = %s  # pruned vocabulary, ids mapped by airtp.fixture.original_ids\n" % toml_str(pruned.name))
            out.write("source = %s\n" % toml_str(path.name))
            out.write("source_sha256 = %s\n" % toml_str(sha256(path)))
            out.write("source_tokens = %d\n" % len(v["tokens"]))
            out.write("reference = %s\n" % toml_str("llama-cpp-python %s, Llama(vocab_only=True).tokenize(text, add_bos=False, special=False)" % llama_cpp.__version__))
            out.write("model = %s\npre = %s\n" % (toml_str(v["model"]), toml_str(v["pre"] or "")))
            out.write("# tokenize(ascii, add_bos=True): what llama.cpp's add_special adds (BOS / EOS as the metadata says)\n")
            out.write("ascii_add_special = %s\n" % toml_ints(special))
            for n, a in zip(names, ids):
                out.write("\n[[case]]\nname = %s\nids = %s\n" % (toml_str(n), toml_ints(a)))
        print("%-10s %6d of %6d tokens kept, %s merges, %d cases, %d ids" % (
            name, len(order), len(v["tokens"]), "-" if merges is None else "%d of %d" % (len(merges), len(v["merges"])),
            len(names), sum(len(a) for a in ids)))


if __name__ == "__main__":
    main()
