#!/usr/bin/env bash
# Short CUDA diagnosis on a GPU machine: the CUDA test cases with both scratch layouts, and
# one small run under compute-sanitizer. Output unbuffered so a crash still shows progress.
cd "$(dirname "$0")/.."
export LD_LIBRARY_PATH="$PWD/gpu-bundle/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
nvidia-smi -L
for layout in warp batch; do
  echo "== layout $layout"
  AIRTP_GPU_LAYOUT=$layout timeout 60 stdbuf -oL -eL gpu-bundle/airtp_tests --gtest_filter='*cuda*' --gtest_brief=1 2>&1 | tail -n 6
  echo "rc=${PIPESTATUS[0]}"
done
echo "== sanitizer"
timeout 90 compute-sanitizer --tool memcheck --print-limit 5 gpu-bundle/airtp mse --backend cuda --realizations 64 --devices 2 --snr-db 0 -q -o /tmp/a.h5 2>&1 | tail -n 30
