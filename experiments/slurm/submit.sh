#!/usr/bin/env bash
# Submits a sharded airtp run to Slurm: a job array of SHARDS tasks, each computing one piece
# (a realization range of every grid point; with --target-rse, a range of whole points),
# and a merge job that starts once all of them succeeded.
#   experiments/slurm/submit.sh CONFIG SHARDS RESULT [extra airtp flags...]
# Shards go next to RESULT in RESULT.shards/. Extra sbatch options: SBATCH_ARGS="-p gpu ...".
# The airtp binary: $AIRTP, default build/airtp (must be reachable from the compute nodes).
# Prints the two job ids: ARRAY_ID MERGE_ID.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 CONFIG SHARDS RESULT [extra airtp flags...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
config=$(realpath "$1"); shards=$2; result=$(realpath -m "$3"); shift 3
case $shards in '' | *[!0-9]* | 0) echo "submit: SHARDS must be a positive integer, got '$shards'" >&2; exit 2 ;; esac
airtp=$(realpath "${AIRTP:-build/airtp}")
[ -x "$airtp" ] || { echo "submit: airtp binary '$airtp' not found (set AIRTP)" >&2; exit 2; }
[ -f "$config" ] || { echo "submit: config '$config' not found" >&2; exit 2; }
outdir="$result.shards"
mkdir -p "$outdir" "$(dirname "$result")"
export AIRTP="$airtp" CONFIG="$config" SHARDS="$shards" OUTDIR="$outdir" RESULT="$result" EXTRA="$*"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((shards - 1)) --output="$outdir/shard-%a.log" \
        --export=ALL "$here/shard.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
        --output="$outdir/merge.log" --export=ALL "$here/merge.sbatch")
echo "$array ${merge%%;*}"
