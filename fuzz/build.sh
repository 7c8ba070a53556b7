#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (libFuzzer + ASan + UBSan), each compiling only the
# sources it needs, and regenerates the GGUF seed corpus. Then run one, e.g. for five minutes:
#   build-fuzz/fuzz_gguf -max_total_time=300 -malloc_limit_mb=64 -max_len=16384 \
#       build-fuzz/work/gguf fuzz/corpus/gguf
# (the first directory collects new inputs; fuzz/corpus/<target> is the checked-in seed set).
# Targets: fuzz_gguf, fuzz_quants, fuzz_llama2c, fuzz_tokenizer, fuzz_toml_config, fuzz_merge.
# Also fuzz_tokenizer_bpe (GGUF tokenizers; seeds in fuzz/corpus/tokenizer_bpe) and fuzz_flags
# (command lines of every configurable command; seeds in fuzz/corpus/flags).
# fuzz_merge drives the HDF5 library (not instrumented) with corrupt files through read_shard,
# which parses in a child process because libhdf5 itself overflows on some (see
# fuzz/fuzz_merge.cpp); a crash in the child must come back as an InputError.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build-fuzz}"
mkdir -p "$out"
for t in gguf quants llama2c tokenizer toml_config merge; do mkdir -p "$out/work/$t"; done
CXX="${CXX:-clang++}"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root" -I/usr/include/eigen3)
fz=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

gguf=("$root/host/model/gguf.cpp" "$root/host/model/gguf_model.cpp" "$root/host/model/gguf_write.cpp"
      "$root/host/model/gguf_quants.cpp" "$root/host/io/input_file.cpp")
"$CXX" "${flags[@]}" "${fz[@]}" "$root/fuzz/fuzz_gguf.cpp" "${gguf[@]}" -o "$out/fuzz_gguf"
# The dequantizers alone: any bytes as blocks of any supported type.
"$CXX" "${flags[@]}" "${fz[@]}" -ffp-contract=off "$root/fuzz/fuzz_quants.cpp" "$root/host/model/gguf_quants.cpp" \
  "$root/host/model/gguf.cpp" "$root/host/io/input_file.cpp" -o "$out/fuzz_quants"
"$CXX" "${flags[@]}" -fsanitize=address,undefined "$root/fuzz/make_seeds.cpp" "${gguf[@]}" -o "$out/make_seeds"
"$out/make_seeds" "$root/fuzz/corpus/gguf"

"$CXX" "${flags[@]}" "${fz[@]}" "$root/fuzz/fuzz_llama2c.cpp" "$root/host/model/llama2c.cpp" -o "$out/fuzz_llama2c"

# Tokenizers: llama2.c's (fuzz_tokenizer) and the GGUF ones (fuzz_tokenizer_bpe: arbitrary
# vocabularies and merges, and arbitrary text on the fixture vocabularies of tests/data/tokenizer).
tok=("$root/host/model/tokenizer.cpp" "$root/host/model/tokenizer_bpe.cpp" "$root/host/model/pretokenize.cpp"
     "$root/host/model/unicode_text.cpp" "$root/host/io/input_file.cpp")
"$CXX" "${flags[@]}" "${fz[@]}" -DAIRTP_TOK512="\"$root/data/models/stories260K/tok512.bin\"" \
  "$root/fuzz/fuzz_tokenizer.cpp" "${tok[@]}" -o "$out/fuzz_tokenizer"
mkdir -p "$out/work/tokenizer_bpe"
"$CXX" "${flags[@]}" "${fz[@]}" -DAIRTP_TOKENIZER_FIXTURES="\"$root/tests/data/tokenizer/\"" \
  "$root/fuzz/fuzz_tokenizer_bpe.cpp" "${tok[@]}" "$root/host/model/tokenizer_gguf.cpp" "${gguf[@]}" \
  -o "$out/fuzz_tokenizer_bpe"

# The config and command-line targets read every command's field table, so they link the whole
# host library, built by CMake with AIRTP_FUZZ (clang, instrumented for libFuzzer and the
# sanitizers). toml++ 3.3.0 (Debian) hits TOML_UNREACHABLE on some non-ASCII bytes outside
# strings and an internal assert in parse_key; Release (-DNDEBUG, as airtp is built) reports a
# parse error for both: library bugs, so the targets are built Release.
cmake -S "$root" -B "$out/cmake" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=Release -DAIRTP_FUZZ=ON \
  -DAIRTP_CUDA=OFF -DCMAKE_CXX_FLAGS="-fno-sanitize=unreachable" >/dev/null
cmake --build "$out/cmake" -j"$(nproc)" --target fuzz_toml_config fuzz_flags
cp "$out/cmake/fuzz_toml_config" "$out/cmake/fuzz_flags" "$out/"
mkdir -p "$out/work/flags"

cmake -DSRC="$root" -DOUT="$out/git_version.cpp" -P "$root/cmake/git_version.cmake"
h5=(-I/usr/include/hdf5/serial -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5_cpp -lhdf5)
"$CXX" "${flags[@]}" "${fz[@]}" "$root/fuzz/fuzz_merge.cpp" "$root/host/runs/shard_file.cpp" "$root/host/common/fork_workers.cpp" \
  "$root/host/io/result_file.cpp" "$root/host/runs/samples.cpp" "$root/host/runs/shard.cpp" \
  "$root/host/common/version.cpp" "$out/git_version.cpp" -DAIRTP_VERSION="\"fuzz\"" "${h5[@]}" -o "$out/fuzz_merge"
echo "built $out/fuzz_{gguf,quants,llama2c,tokenizer,toml_config,merge}"
echo "built $out/fuzz_tokenizer_bpe $out/fuzz_flags"
