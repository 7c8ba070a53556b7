#!/usr/bin/env bash
# End-to-end test of experiments/slurm/ against a real single-node Slurm (loopback, no
# systemd): starts munge, slurmctld and slurmd in a temporary folder, submits a sharded run
# (job array + afterok merge job), waits, and compares the merged file with an unsharded run
# dataset by dataset, bit for bit. Skipped (exit 77) unless AIRTP_SLURM_TEST=1: it installs
# packages and starts daemons, which CI (2 cores, 20 min budget) should not do on every run.
# Needs root to install slurmctld slurmd slurm-client munge when they are missing.
#   AIRTP_SLURM_TEST=1 tests/slurm/test_slurm.sh [path/to/airtp]
set -euo pipefail
if [ "${AIRTP_SLURM_TEST:-0}" != 1 ]; then
  echo "test_slurm: skipped (set AIRTP_SLURM_TEST=1 to run against a local Slurm)"
  exit 77
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
airtp=$(realpath "${1:-$root/build/airtp}")
[ -x "$airtp" ] || { echo "test_slurm: no airtp binary at $airtp" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
   ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "test_slurm: Slurm/munge missing and not root to install them" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

D=$(mktemp -d /tmp/airtp-slurm.XXXXXX)
chmod 755 "$D"
stop() {
  for p in slurmd slurmctld munged; do
    f="$D/$p.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$D"
}
trap stop EXIT

mkdir -p "$D/munge" "$D/spool/ctld" "$D/spool/d" "$D/work"
chmod 755 "$D/munge"
head -c 1024 /dev/urandom > "$D/munge.key"
chmod 400 "$D/munge.key"
munged --force --key-file="$D/munge.key" --socket="$D/munge/munge.socket.2" --pid-file="$D/munged.pid" \
  --log-file="$D/munged.log" --seed-file="$D/munge.seed"
cpus=$(nproc)
cat > "$D/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge/munge.socket.2
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$D/spool/ctld
SlurmdSpoolDir=$D/spool/d
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
SlurmdParameters=config_overrides
NodeName=localhost CPUs=$((cpus > 4 ? cpus : 4)) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
slurmctld -f "$SLURM_CONF"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping | grep -q UP || { echo "test_slurm: slurmctld did not come up" >&2; exit 1; }
slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 100); do [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ] && break; sleep 0.2; done
[ "$(sinfo -h -N -o %t)" = idle ] || { echo "test_slurm: slurmd did not become idle" >&2; exit 1; }

# Two sharded runs submitted together: an MSE sweep in 4 shards (realizations not divisible by
# 4: each shard a realization range of every point) and a perplexity sweep in 3 (5
# realizations: ranges of 1, 2 and 2).
cat > "$D/work/mse.toml" <<'TOML'
command = "mse"
seed = 5
realizations = 1001
solver = "eigen"
[channel]
n_devices = [1, 2, 4]
k_db = [0.0, 6.0]
[noise]
snr_db = [0, 10, 20]
TOML
cat > "$D/work/ppl.toml" <<'TOML'
command = "ppl"
seed = 3
schemes = ["exact", "aircomp", "digital"]
realizations = 5
max_stories = 2
solver = "eigen"
[digital]
bits = [4, 8]
[channel]
n_devices = [2]
[noise]
snr_db = [0, 20]
TOML
start=$SECONDS
declare -A jobs
for run in mse:4 ppl:3; do
  name=${run%%:*}
  read -r array merge < <(AIRTP="$airtp" "$root/experiments/slurm/submit.sh" "$D/work/$name.toml" "${run##*:}" \
                          "$D/work/$name-merged.h5" -q)
  echo "test_slurm: $name: submitted array $array and merge $merge"
  jobs[$name]="$array,$merge"
done
# Wait until every job has left the queue (accounting is off: squeue, then scontrol).
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "${jobs[mse]},${jobs[ppl]}" 2>/dev/null)" ] && break
  sleep 0.5
done
echo "test_slurm: queue empty $((SECONDS - start)) s after submission"

for name in mse ppl; do
  if [ ! -f "$D/work/$name-merged.h5" ]; then
    echo "test_slurm: FAIL: $name: no merged file; logs:" >&2
    tail -n 20 "$D/work/$name-merged.h5.shards"/*.log "$D/slurmctld.log" >&2 || true
    exit 1
  fi
  "$airtp" run "$D/work/$name.toml" -q -o "$D/work/$name-unsharded.h5" >/dev/null
  /usr/bin/python3 - "$D/work/$name-unsharded.h5" "$D/work/$name-merged.h5" "$name" <<'PY'
import sys
import h5py
def datasets(path):
    out = {}
    def keep(n, o):
        # Wall-clock times differ between any two runs, and run/ records the command line.
        if (isinstance(o, h5py.Dataset) and not n.startswith("run/") and "/timing/" not in "/" + n
                and not n.split("/")[-1].startswith("time_per_")):
            v = o[()]
            # Variable-length strings are objects: compare their values, not their pointers.
            out[n] = (o.dtype.str, o.shape, v.tolist() if o.dtype.kind == "O" else v.tobytes())
    with h5py.File(path, "r") as f:
        f.visititems(keep)
    return out
a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
bad = [n for n in a if a[n] != b.get(n)] + [n for n in b if n not in a]
if bad or not a:
    sys.exit("test_slurm: FAIL: %s: datasets differ: %s" % (sys.argv[3], bad or "none found"))
print("test_slurm: PASS: %s: merged file equals the unsharded run (%d datasets, bit for bit)" % (sys.argv[3], len(a)))
PY
done
