#!/usr/bin/env bash
# Runs the suite's anchors one optimizer at a time (each optimizer's cells in its own
# file, committed as soon as it is complete), then merges them into one report.
#
#   bash bench/run_suite.sh DIR [OPTIMIZER ...]
#
# DIR: e.g. bench/results/suite-2026-12-06; writes DIR/<optimizer>.json.gz per optimizer
# (GP: 3 seeds, problems with budget <= 200; everything else: 10 seeds, all problems),
# then DIR.md (the merged tables; a merged JSON would duplicate the parts, so it goes to
# DIR/merged.json.gz, which is not committed). Without OPTIMIZER: all of ALL below.
# An optimizer whose file exists is skipped (its cells are reused by the merge; delete
# the file to re-run it); an interrupted one continues from its .partial file.
# Everything runs under nice -n 10, in this order (most wanted first).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/run_suite.sh DIR [OPTIMIZER ...]}
shift
PY=${PY:-$HOME/.cache/tunekit-bench-venv/bin/python}
export TUNEKIT_DRIVER=${TUNEKIT_DRIVER:-target/release/tunekit-bench}
ALL=(optuna-tpe-multivariate tunekit-tpe optuna-random rustuna-tpe tunekit-tpe-optuna
     optuna-tpe-independent hyperopt-tpe optuna-cmaes tunekit-cmaes tunekit-qmc
     tunekit-random tunekit-gp optuna-gp)
OPTS=("$@")
[ ${#OPTS[@]} -eq 0 ] && OPTS=("${ALL[@]}")
mkdir -p "$DIR"
cargo build --release -p tunekit-bench >&2

for opt in "${OPTS[@]}"; do
    out="$DIR/$opt.json.gz"
    [ -e "$out" ] && { echo "$out exists: skipped" >&2; continue; }
    args=(--half all --optimizers "$opt" --out "$out")
    case $opt in
        *-gp) args+=(--seeds 3 --max-budget-for "$opt=200") ;;
        *) args+=(--seeds 10) ;;
    esac
    [ -e "$out.partial" ] && args+=(--reuse "$out.partial")
    echo "== $opt: $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    nice -n 10 "$PY" bench/compare.py "${args[@]}" > "$DIR/$opt.log" 2>&1 \
        || echo "$opt: exit $? (see $DIR/$opt.log)" >&2
done

# The merge: every optimizer with a complete file, all cells reused (none re-run).
done_opts=()
reuse=()
for opt in "${ALL[@]}"; do
    if [ -e "$DIR/$opt.json.gz" ]; then
        done_opts+=("$opt")
        reuse+=(--reuse "$DIR/$opt.json.gz")
    fi
done
joined=$(IFS=,; echo "${done_opts[*]}")
gp=()
for opt in "${done_opts[@]}"; do
    case $opt in *-gp) gp+=("$opt=3") ;; esac
done
extra=()
if [ ${#gp[@]} -gt 0 ]; then
    seeds_for=$(IFS=,; echo "${gp[*]}")
    extra=(--seeds-for "$seeds_for" --max-budget-for "${seeds_for//=3/=200}")
fi
"$PY" bench/compare.py --half all --optimizers "$joined" --seeds 10 "${extra[@]}" \
    "${reuse[@]}" --out "$DIR/merged.json.gz" --md "$DIR.md"
