#!/usr/bin/env bash
# Builds the GGUF fuzzer with clang (libFuzzer + ASan + UBSan), compiling only the GGUF
# sources, and regenerates the seed corpus. Then run, e.g. for five minutes:
#   build-fuzz/fuzz_gguf -max_total_time=300 -malloc_limit_mb=64 -max_len=16384 \
#       build-fuzz/work fuzz/corpus/gguf
# (the first directory collects new inputs; fuzz/corpus/gguf is the checked-in seed set).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build-fuzz}"
mkdir -p "$out" "$out/work"
CXX="${CXX:-clang++}"
srcs=("$root/host/model/gguf.cpp" "$root/host/model/gguf_model.cpp" "$root/host/model/gguf_write.cpp")
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -I"$root")
"$CXX" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root/fuzz/fuzz_gguf.cpp" "${srcs[@]}" -o "$out/fuzz_gguf"
"$CXX" "${flags[@]}" -fsanitize=address,undefined "$root/fuzz/make_seeds.cpp" "${srcs[@]}" -o "$out/make_seeds"
"$out/make_seeds" "$root/fuzz/corpus/gguf"
echo "built $out/fuzz_gguf"
