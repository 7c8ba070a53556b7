#!/usr/bin/env bash
# Builds the CUDA backend here (nvcc, no GPU needed) and gathers the binaries plus the
# shared libraries they need into gpu-bundle/, so that bench/gpu-check.sh can run them on a
# GPU machine that has the NVIDIA driver and CUDA runtime but none of our -dev packages.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${CUDA_ARCH:-90}
cmake -S . -B build-gpu -DAIRTP_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-gpu -j"$(nproc)" --target airtp airtp_tests airtp_bench
rm -rf gpu-bundle && mkdir -p gpu-bundle/lib
cp build-gpu/airtp build-gpu/airtp_tests build-gpu/airtp_bench gpu-bundle/
# Every shared library except the C runtime, the GPU driver and the CUDA runtime/cuBLAS
# (those come with the GPU machine's toolkit).
for b in gpu-bundle/airtp gpu-bundle/airtp_tests gpu-bundle/airtp_bench; do
  ldd "$b" | awk '/=>/ {print $3}'
done | sort -u | grep -vE '/(libc|libm|libdl|libpthread|librt|ld-linux|libcuda|libcudart|libcublas|libcublasLt)\.so' |
  while read -r lib; do cp -L "$lib" gpu-bundle/lib/; done
du -sh gpu-bundle
