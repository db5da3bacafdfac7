"""Sampler time per ask of tunekit's Gp against Optuna's GPSampler on the same history
shapes: n complete trials of a sphere at uniform random points of [-5, 5]^d.

Both sides run in one invocation, cell after cell, so they share the machine's load:

    $PY bench/gp_cost.py --out bench/results/gp-cost.json

Optuna: a study with `GPSampler(seed=0)` gets the n trials by `add_trial`; one untimed
ask fits the GP (and fills Optuna's kernel-parameter cache, so later asks start from a
fit on the very same history, Optuna's most favourable case); then `--iters` asks are
timed (`study.ask()` plus the `suggest_float` calls), each told FAIL so the history
stays the same. tunekit: `runtime/benches/gp.rs` with `GP_BENCH_FIXED=d,n,iters`, which
builds the same kind of history, makes one untimed-in-the-mean ask on a new sampler (it
fits the anchor prefix, as a resumed study's first ask does; reported as `first`) and
times `iters` asks with that prefix fit cached, as a running study's asks between two
anchors are. Both report ms per ask, the mean over the timed asks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time


def optuna_ms(d: int, n: int, iters: int) -> float:
    import numpy as np
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    rng = np.random.default_rng(42)
    names = [f"p{i:02}" for i in range(d)]
    dists = {name: FloatDistribution(-5.0, 5.0) for name in names}
    study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=0))
    for _ in range(n):
        xs = rng.uniform(-5.0, 5.0, size=d)
        study.add_trial(
            create_trial(
                params=dict(zip(names, xs.tolist())),
                distributions=dists,
                value=float(np.sum(xs * xs)),
            )
        )

    def ask() -> None:
        trial = study.ask()
        for name in names:
            trial.suggest_float(name, -5.0, 5.0)
        study.tell(trial, state=TrialState.FAIL)

    ask()  # fits from defaults; fills the kernel-parameter cache
    started = time.perf_counter()
    for _ in range(iters):
        ask()
    return (time.perf_counter() - started) * 1e3 / iters


def bench_binary() -> str:
    out = subprocess.run(
        ["cargo", "bench", "-p", "tunekit-runtime", "--bench", "gp", "--no-run",
         "--message-format=json"],
        check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                msg["target"]["name"] == "gp":
            return msg["executable"]
    raise SystemExit("could not find the gp bench executable")


def tunekit_ms(binary: str, d: int, n: int, iters: int) -> tuple[float, float]:
    env = dict(os.environ, GP_BENCH_FIXED=f"{d},{n},{iters}")
    err = subprocess.run([binary, "--bench"], env=env, check=True, capture_output=True,
                         text=True).stderr
    m = re.search(r"([\d.]+) ms/ask \(wall, mean of \d+\); first ask ([\d.]+) ms", err)
    if not m:
        raise SystemExit(f"unexpected bench output: {err}")
    return float(m.group(1)), float(m.group(2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dims", default="2,10,20")
    ap.add_argument("--trials", default="50,100,200,500")
    ap.add_argument("--iters", type=int, default=3, help="timed asks per cell and side")
    ap.add_argument("--out", help="write the cells as JSON here")
    args = ap.parse_args()
    binary = bench_binary()
    cells = []
    for d in map(int, args.dims.split(",")):
        for n in map(int, args.trials.split(",")):
            tk, first = tunekit_ms(binary, d, n, args.iters)
            op = optuna_ms(d, n, args.iters)
            cell = {"d": d, "n": n, "tunekit_ms": tk, "tunekit_first_ask_ms": first,
                    "optuna_ms": op, "ratio": op / tk}
            cells.append(cell)
            print(f"d={d} n={n}: tunekit {tk:.1f} ms (first ask {first:.1f}), "
                  f"optuna {op:.1f} ms, optuna/tunekit {op / tk:.1f}", flush=True)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.out:
        import optuna
        with open(args.out, "w") as f:
            json.dump({"command": " ".join(sys.argv), "optuna": optuna.__version__,
                       "iters": args.iters, "load_at_end": load, "cells": cells}, f, indent=1)


if __name__ == "__main__":
    main()
