#!/usr/bin/env bash
# Installs what airtp needs on a Debian/Ubuntu machine (as root, or through sudo), or names
# what is missing and stops. Called by `make deps` (and so by `make run` and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(cmake g++ make pkg-config libhdf5-dev libeigen3-dev libcli11-dev librandom123-dev
      libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev libsdp-dev liblapack-dev
      libblas-dev python3 python3-h5py python3-matplotlib python3-numpy python3-pytest python3-pip python3-xarray
      python3-h5netcdf)

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "airtp: this is not a Debian-like system (no dpkg/apt-get)." >&2
  echo "Install the equivalents of these Debian packages, then run 'make build':" >&2
  printf '  %s\n' "${pkgs[@]}" >&2
  echo "Thrust/CUB headers come with the CUDA toolkit (or PyPI's nvidia-cuda-cccl)." >&2
  exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "airtp: installing missing packages: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1; then sudo="sudo"
  else
    echo "airtp: missing packages and no root or sudo: ask an administrator to run" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Thrust/CUB: from the CUDA toolkit when there is one; otherwise the same headers from
# PyPI's nvidia-cuda-cccl wheel, unpacked into build/deps/cccl (the CPU backend only needs
# the headers). Debian's libthrust-dev is deliberately not used: it shadows CUDA's.
if [ ! -f /usr/local/cuda/include/cccl/thrust/version.h ] && [ ! -f /usr/local/cuda/include/thrust/version.h ] &&
   [ ! -f build/deps/cccl/include/thrust/version.h ]; then
  echo "airtp: no CUDA toolkit: fetching Thrust/CUB headers (nvidia-cuda-cccl) from PyPI" >&2
  mkdir -p build/deps
  /usr/bin/python3 -m pip download --quiet --no-deps 'nvidia-cuda-cccl==13.3.5.0.6' -d build/deps
  /usr/bin/python3 - <<'PY'
import glob, os, zipfile
whl = glob.glob("build/deps/nvidia_cuda_cccl-*.whl")[0]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        marker = "/include/cccl/"
        if marker in name and not name.endswith("/"):
            dest = os.path.join("build/deps/cccl/include", name.split(marker, 1)[1])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as out:
                out.write(src.read())
PY
fi

# Models too large to commit (SmolLM2-135M): fetched once, checksum-checked; without network
# it explains what to fetch and the set-up goes on.
bash experiments/fetch-models.sh
