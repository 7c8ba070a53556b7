#!/usr/bin/env bash
# Runs every smoke config of experiments/paper/ whose command this airtp has, then its plot
# script (analysis/plot_<command>.py) when there is one. Configs of commands not built in are
# listed as skipped. Usage: experiments/run-smoke.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-results/smoke}
airtp="$build/airtp"
[ -x "$airtp" ] || { echo "run-smoke: no $airtp; build first (make or cmake --build $build)" >&2; exit 2; }
mkdir -p "$out"
commands=$("$airtp" --help | awk 'toupper($0) ~ /^SUBCOMMANDS:/ {on=1; next} on && NF {print $1}')
ran=0 skipped=0 failed=0
for cfg in experiments/paper/*.smoke.toml; do
  name=$(basename "$cfg" .smoke.toml)
  cmd=$(sed -n 's/^command *= *"\([a-z_]*\)".*/\1/p' "$cfg" | head -1)
  if ! grep -qx "$cmd" <<<"$commands"; then
    echo "run-smoke: skip $name (command '$cmd' not in this build)"
    skipped=$((skipped + 1))
    continue
  fi
  if ! "$airtp" "$cmd" --help | grep -qE '^ *config( |$)'; then
    echo "run-smoke: skip $name ('airtp $cmd' does not read a config file yet)"
    skipped=$((skipped + 1))
    continue
  fi
  echo "run-smoke: $name ($cmd)"
  start=$SECONDS
  if ! "$airtp" run "$cfg" -o "$out/$name.h5"; then
    echo "run-smoke: FAILED $name" >&2
    failed=$((failed + 1))
    continue
  fi
  case $cmd in compare) plot=analysis/plot_solvers.py ;; e2e) plot=analysis/plot_end_to_end.py ;; *) plot="analysis/plot_$cmd.py" ;; esac
  if [ -f "$plot" ]; then
    /usr/bin/python3 "$plot" "$out/$name.h5" -o "$out" || { echo "run-smoke: FAILED plot of $name" >&2; failed=$((failed + 1)); continue; }
  fi
  echo "run-smoke: $name done in $((SECONDS - start)) s"
  ran=$((ran + 1))
done
echo "run-smoke: $ran ran, $skipped skipped, $failed failed; results in $out"
[ "$failed" -eq 0 ]
