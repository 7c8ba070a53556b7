#!/usr/bin/env bash
# Clean scoring of SmolLM2-135M (Q4_1 GGUF) by airtp and by llama.cpp on the same machine, the
# same 100 TinyStories stories (llama.cpp's token ids), the same thread count, measured back to
# back and alternated so that load from other users hits both alike.
#   bash bench/smollm2-vs-llamacpp.sh [BUILD_DIR] [ROUNDS] [THREADS]
# LLAMA_PY names a Python with llama-cpp-python and gguf (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
rounds="${2:-3}"
threads="${3:-2}"
py="${LLAMA_PY:-python3}"
model=data/models/smollm2-135m/SmolLM2-135M-Instruct.Q4_1.gguf
fixture=tests/data/smollm2/llamacpp.gguf
[ -f "$model" ] || { echo "no $model: run bash experiments/fetch-models.sh" >&2; exit 1; }
[ -x "$build/airtp_bench" ] || { echo "no $build/airtp_bench: build the airtp_bench target" >&2; exit 1; }
"$py" -c 'import llama_cpp, gguf' 2>/dev/null || { echo "$py lacks llama-cpp-python or gguf (set LLAMA_PY)" >&2; exit 1; }

echo "date $(date -u +%F) host $(hostname) cpu '$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)' threads $threads"
for r in $(seq 1 "$rounds"); do
  a=$(OMP_NUM_THREADS=$threads "$build/airtp_bench" --benchmark_filter='BM_SmolLM2CleanScore/' \
        --benchmark_format=csv 2>/dev/null | grep BM_SmolLM2CleanScore | sed -E 's/.*,"?([0-9.e+]+)"?$/\1/')
  l=$("$py" bench/llamacpp_score.py "$model" "$fixture" "$threads" | awk '{print $2}')
  echo "round $r: airtp ${a} tok/s, llama.cpp ${l} tok/s, load average $(cut -d' ' -f1 /proc/loadavg)"
done
