#!/usr/bin/env bash
# Creates the benchmark's virtualenv (if missing) with the pinned packages of
# bench/requirements.txt (optuna, hyperopt, numpy, scipy, torch, cmaes, rustuna, pytest).
# It lives outside the repository, at $TUNEKIT_BENCH_VENV, default
# ~/.cache/tunekit-bench-venv. Idempotent: re-running only reinstalls when
# requirements.txt changed (or the venv is broken). PYTHON=/path/to/python3.11 picks the
# interpreter. Prints the path of the venv's python on stdout (all else goes to stderr),
# so `PY=$(bash bench/setup.sh)` works.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${TUNEKIT_BENCH_VENV:-$HOME/.cache/tunekit-bench-venv}"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if [ -d "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "setup.sh: $venv is broken, recreating it" >&2
    rm -rf "$venv"
fi
if [ ! -d "$venv" ]; then
    echo "setup.sh: creating $venv with $("$python" --version 2>&1)" >&2
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv" >&2
fi

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "setup.sh: $venv is up to date" >&2
else
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    echo "$want" > "$stamp"
fi
"$venv/bin/python" -c 'import optuna, hyperopt, numpy, scipy, torch, cmaes, rustuna; print("setup.sh: optuna", optuna.__version__, "| hyperopt", hyperopt.__version__, "| numpy", numpy.__version__, "| scipy", scipy.__version__, "| torch", torch.__version__)' >&2
echo "$venv/bin/python"
