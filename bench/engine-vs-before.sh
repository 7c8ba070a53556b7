#!/usr/bin/env bash
# Wall time of the paper configs' experiments with two airtp builds, back to back and
# alternated (so that load from elsewhere hits both alike): the engine redesign's 3% rule
# (issue "One scenario and one experiment engine") against the last commit before it.
#   bash bench/engine-vs-before.sh OLD_TREE OLD_AIRTP NEW_TREE NEW_AIRTP [ROUNDS]
# Each binary runs its own tree's experiments/paper/ config (the vocabulary changed with the
# redesign; the sizes did not) from that tree, with the same extra flags; the medians of ROUNDS
# (default 3) runs are printed with their ratio. "full*" rows are the full configs reduced by
# the flags shown, so that a row takes seconds to a minute on 2 cores. CASES=REGEX runs only the
# cases whose name matches (e.g. CASES=smoke with more rounds).
set -euo pipefail
old_tree=$1 old=$2 new_tree=$3 new=$4 rounds=${5:-3}
cases=(
  "fig1 smoke|fig1_mse_vs_n_snr.smoke.toml||"
  "fig1 full, 5000 realizations|fig1_mse_vs_n_snr.toml|--realizations 5000|"
  "fig2 smoke|fig2_mse_vs_nr_solvers.smoke.toml||"
  "fig2 full, 40 realizations, no SDR|fig2_mse_vs_nr_solvers.toml|--realizations 40 --solvers eigen,random,fast|"
  "fig3 smoke|fig3_ssca_convergence.smoke.toml||"
  "fig3 full, 40 iterations|fig3_ssca_convergence.toml|--iterations 40|"
  "fig4 smoke (eigen design)|fig4_ppl_vs_snr_n.smoke.toml||--solver eigen"
  "fig4 full, 5 stories, 1 realization (eigen)|fig4_ppl_vs_snr_n.toml|--max-stories 5 --realizations 1|--solver eigen"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() {  # tree binary config flags -> seconds
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$1" && "$2" run "experiments/paper/$3" --quiet -o "$tmp/r.h5" $4 >/dev/null 2>"$tmp/err") ||
    { echo "failed: $2 run $3 $4: $(tail -2 "$tmp/err")" >&2; exit 1; }
  t1=$(date +%s.%N)
  rm -rf "$tmp/r.h5" "$tmp/r.h5.ckpt"
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "date $(date -u +%F) cpu '$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)' cores $(nproc) OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
printf '| %-46s | %8s | %8s | %6s |\n' "case" "before s" "after s" "ratio"
for c in "${cases[@]}"; do
  IFS='|' read -r name cfg flags newflags <<<"$c"
  [[ -z "${CASES:-}" || "$name" =~ ${CASES} ]] || continue
  : >"$tmp/a"; : >"$tmp/b"
  for r in $(seq 1 "$rounds"); do
    one "$old_tree" "$old" "$cfg" "$flags" >>"$tmp/a"
    one "$new_tree" "$new" "$cfg" "$flags $newflags" >>"$tmp/b"
  done
  a=$(median <"$tmp/a"); b=$(median <"$tmp/b")
  printf '| %-46s | %8.2f | %8.2f | %6.3f |\n' "$name" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
