#!/usr/bin/env bash
# GPU check: on the cuda backend, shards + merge and a SIGKILLed + resumed run equal the
# unsharded run bit for bit (shard boundaries not aligned to the 65536-realization blocks).
# Usage on a GPU machine, from the repository root: AIRTP=build-gpu/airtp bash bench/gpu-shard-resume.sh
# (not yet run on a GPU: the device machine of the session that wrote it ran main's tree).
set -u
cd "$(dirname "$0")/.."; A=${AIRTP:-build-gpu/airtp}; O=${OUT:-results/gpu-shard-resume}; mkdir -p $O
nvidia-smi --query-gpu=name --format=csv,noheader
S="-q --backend cuda --realizations 300001 --devices 2,4,8 --snr-db 0,10 --seed 3"
t=$(date +%s.%N); $A mse $S -o $O/full.h5 || exit 1; echo "unsharded: $(echo "$(date +%s.%N) - $t" | bc) s"
for i in 0 1 2; do $A mse $S --shard $i/3 -o $O/s$i.h5 || exit 1; done
$A merge -q $O/merged.h5 $O/s2.h5 $O/s0.h5 $O/s1.h5 || exit 1
$A mse $S -o $O/res.h5 & p=$!; sleep 0.8; kill -9 $p; wait $p; echo "killed: rc $?; ckpt blocks: $(ls $O/res.h5.ckpt 2>/dev/null | grep -c '^p')"
$A mse $S --resume -o $O/res.h5 || exit 1
/usr/bin/python3 - $O <<'PY' || python3 - $O <<'PY'
import sys, h5py
d = sys.argv[1]
def ds(p):
    out = {}
    with h5py.File(p, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
ref = ds(d + "/full.h5")
for other in ("merged.h5", "res.h5"):
    o = ds(d + "/" + other)
    print(other, "identical" if o == ref and ref else "DIFFERENT", len(ref), "datasets")
PY
import sys; print("no h5py")
PY
