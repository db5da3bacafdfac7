#!/usr/bin/env bash
# Runs the suite's anchors one optimizer at a time (each optimizer's cells in a file of
# its own, committed as soon as it is complete), then merges them into one report.
#
#   bash bench/run_suite.sh DIR [OPTIMIZER ...]
#
# DIR: e.g. bench/results/suite-2026-12-06. Writes DIR/<optimizer>.json.gz per optimizer:
# 10 seeds on every problem, except
#   * the GP samplers: 3 seeds, on the problems with budget <= 200 (tunekit-gp) or
#     <= 80 (optuna-gp, ~0.4 s per ask on 2 cores: the eight 2-d and tabular problems);
#   * the per-param TPEs (hyperopt-tpe, optuna-tpe-independent), whose ask costs 60-150 ms
#     at 400 trials in 20-d: their four 20-d problems go to DIR/<optimizer>-20d.json.gz,
#     run after everything else.
# Then DIR.md: the merged tables of every part present (compare.py --reuse-only: nothing
# is run; cells missing from the parts show as fewer seeds, n=K). The merged JSON would
# duplicate the parts, so it goes to DIR/merged.json.gz (not committed).
# A part whose file exists is skipped (delete it to re-run it); an interrupted one
# continues from its .partial file. Everything runs under nice -n 10, in this order.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/run_suite.sh DIR [OPTIMIZER ...]}
shift
PY=${PY:-$HOME/.cache/tunekit-bench-venv/bin/python}
gp_max() { case $1 in optuna-gp) echo 80 ;; *) echo 200 ;; esac; }
export TUNEKIT_DRIVER=${TUNEKIT_DRIVER:-target/release/tunekit-bench}
ALL=(optuna-tpe-multivariate tunekit-tpe optuna-random rustuna-tpe tunekit-tpe-optuna
     hyperopt-tpe optuna-cmaes tunekit-cmaes tunekit-qmc tunekit-random
     optuna-tpe-independent optuna-gp tunekit-gp)
SLOW_20D=(hyperopt-tpe optuna-tpe-independent)
OPTS=("$@")
[ ${#OPTS[@]} -eq 0 ] && OPTS=("${ALL[@]}")
mkdir -p "$DIR"
cargo build --release -p tunekit-bench >&2

names() { # the suite's problems, all / without / only the 20-d continuous ones
    "$PY" - "$1" <<'EOF'
import sys
sys.path.insert(0, "bench")
import problems as P
big = {n for n in P.SUITE if P.get(n).dims == 20
       and P.get(n).family in ("smooth", "illcond", "peaks", "deceptive")}
pick = {"all": lambda n: True, "no20": lambda n: n not in big, "only20": lambda n: n in big}
print(",".join(n for n in P.SUITE if pick[sys.argv[1]](n)))
EOF
}

part() { # out-file, then compare.py arguments
    local out=$1
    shift
    [ -e "$out" ] && { echo "$out exists: skipped" >&2; return 0; }
    local reuse=()
    [ -e "$out.partial" ] && reuse=(--reuse "$out.partial")
    echo "== $out: $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    nice -n 10 "$PY" bench/compare.py "$@" ${reuse[@]+"${reuse[@]}"} --out "$out" \
        > "${out%.json.gz}.log" 2>&1 || echo "$out: exit $? (see the .log)" >&2
}

later=()
for opt in "${OPTS[@]}"; do
    case " ${SLOW_20D[*]} " in
        *" $opt "*)
            part "$DIR/$opt.json.gz" --problems "$(names no20)" --optimizers "$opt" --seeds 10
            later+=("$opt") ;;
        *)
            case $opt in
                *-gp) part "$DIR/$opt.json.gz" --half all --optimizers "$opt" --seeds 3 \
                          --max-budget-for "$opt=$(gp_max "$opt")" ;;
                *) part "$DIR/$opt.json.gz" --half all --optimizers "$opt" --seeds 10 ;;
            esac ;;
    esac
done
for opt in ${later[@]+"${later[@]}"}; do
    part "$DIR/$opt-20d.json.gz" --problems "$(names only20)" --optimizers "$opt" --seeds 10
done

# The merge: every part present; nothing is run.
done_opts=()
reuse=()
gp=()
gpmax=()
for opt in "${ALL[@]}"; do
    found=0
    for f in "$DIR/$opt.json.gz" "$DIR/$opt-20d.json.gz"; do
        [ -e "$f" ] && { reuse+=(--reuse "$f"); found=1; }
    done
    [ $found = 1 ] || continue
    done_opts+=("$opt")
    case $opt in *-gp) gp+=("$opt") ;; esac
    case $opt in *-gp) gpmax+=("$opt=$(gp_max "$opt")") ;; esac
done
extra=()
if [ ${#gp[@]} -gt 0 ]; then
    extra=(--seeds-for "$(printf '%s=3,' "${gp[@]}" | sed 's/,$//')"
           --max-budget-for "$(IFS=,; echo "${gpmax[*]}")")
fi
"$PY" bench/compare.py --half all --optimizers "$(IFS=,; echo "${done_opts[*]}")" \
    --seeds 10 ${extra[@]+"${extra[@]}"} "${reuse[@]}" --reuse-only \
    --out "$DIR/merged.json.gz" --md "$DIR.md"
