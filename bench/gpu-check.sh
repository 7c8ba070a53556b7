#!/usr/bin/env bash
# One prepared GPU check: build (or take the prebuilt gpu-bundle/), run the whole test suite
# with the CUDA cases enabled, run the GPU and CPU benchmarks, print a short table.
# Usage on a GPU machine, from the repository root: bash bench/gpu-check.sh [OUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-results/gpu-check}}
mkdir -p "$out"
if [ -x gpu-bundle/airtp_tests ]; then
  bin=gpu-bundle
  # The test binaries call the airtp they were built with (build-gpu/airtp).
  [ -e build-gpu ] || ln -s gpu-bundle build-gpu
  export LD_LIBRARY_PATH="$PWD/gpu-bundle/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
else
  cmake -S . -B build-gpu -DAIRTP_CUDA=ON -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build-gpu -j"$(nproc)" || exit 1
  bin=build-gpu
fi
# Tests look for the bundled data at the source folder they were built in.
src=$(strings "$bin/airtp_tests" | grep -m1 -oE '^/[^ ]*/main$' || true)
if [ -n "$src" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
echo "== tests (CUDA cases enabled)"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-8} timeout ${TEST_TIMEOUT:-240} "$bin/airtp_tests" --gtest_brief=1 2>&1 | tee "$out/tests.txt" | tail -n 25
tests_rc=${PIPESTATUS[0]}
echo "== benchmarks"
# GPU benchmarks (every name containing CUDA: the batched kernels, the transformer forward's
# BM_GpuScoring*_CUDA and the all-reduce kernel's BM_ExactAllReduce_CUDA), and the CPU ones
# they are compared with (2 threads, as on a laptop).
filter=${BENCH_FILTER:-'CUDA|MseEigen_CPU|SolverFast_CPU/8/0/0'}
OMP_NUM_THREADS=2 timeout ${BENCH_TIMEOUT:-300} "$bin/airtp_bench" --benchmark_filter="$filter" --benchmark_min_time=1 --benchmark_format=json --benchmark_out="$out/bench.json" \
  --benchmark_out_format=json >/dev/null 2>"$out/bench.err"
python3 - "$out/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{'benchmark':45s} {'per second':>14s}  note")
for b in d["benchmarks"]:
    if b.get("error_occurred"):
        print(f"{b['name']:45s} {'-':>14s}  {b.get('error_message','')}")
        continue
    # The all-reduce kernel benchmarks report bandwidth (GB/s) rather than a rate of items.
    rate = b.get("realizations_per_s") or b.get("items_per_second") or b.get("tokens_per_s") or b.get("allreduce_GBps") or 0
    extra = {k: v for k, v in b.items() if k.endswith("_GBps") or k.endswith("_per_s")}
    print(f"{b['name']:45s} {rate:14.4g}  " + " ".join(f"{k}={v:.4g}" for k, v in extra.items()))
PY
echo "CPU benchmarks above ran with OMP_NUM_THREADS=2 on the GPU machine's CPU"
exit $tests_rc
