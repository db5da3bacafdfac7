#!/usr/bin/env python3
"""Speed of tunekit's Pareto machinery against Optuna 5's and moocore's, same sets.

Runs the Rust bench ``runtime/benches/pareto.rs`` in table mode (``PARETO_BENCH_TABLE=1``:
one JSON line per case, median milliseconds), then, case by case, runs that case again
and right after times on the *same* point sets (so all three see the same load):

- non-dominated sorting: ``optuna.study._multi_objective._fast_non_domination_rank``
  and ``moocore.pareto_rank``, on uniform random points;
- hypervolume: ``optuna._hypervolume.compute_hypervolume`` and ``moocore.hypervolume``,
  on points of the unit sphere's positive orthant (all mutually non-dominated),
  reference point 1.1 in every objective;
- exclusive hypervolume contributions: ``moocore.hv_contributions`` (Optuna has no
  public function for it; its TPE uses a greedy subset selection instead).

Both languages draw the sets from the same counter-based SplitMix64 stream with the
same arithmetic, so they are bit-identical: the script checks the sum of all values
against the Rust side's, and that every library's result agrees with tunekit's
(the same ranks sum, hypervolumes within 1e-9 relative).

A call is stopped after ``--max-seconds`` (default 60; the cell says "> 60 s"), and a
library is not run where its previous size predicts more than that under quadratic
growth ("skipped"); Optuna's 3-d hypervolume is not run beyond 10 000 points (it builds
an n x n matrix: 80 GB at 100 000).

Usage (the bench venv with Optuna 5 and moocore; run from the repository root):

    nice -n 10 ~/.cache/tunekit-bench-venv/bin/python bench/pareto_compare.py
    ... bench/pareto_compare.py --rust-json rust.jsonl   # reuse a table-mode run
    ... bench/pareto_compare.py --only hvc_3d,hv_4d       # only these cases
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

import numpy as np

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(seed: int, count: int) -> np.ndarray:
    """Outputs 0..count of SplitMix64's stream ``seed`` (as runtime/benches/pareto.rs)."""
    with np.errstate(over="ignore"):
        index = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) + index * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def seed(kind: str, dim: int, n: int) -> int:
    base = 1 if kind == "uniform" else 2
    return base * 1_000_000_007 + dim * 1_000_003 + n


def unit_draws(kind: str, dim: int, n: int) -> np.ndarray:
    bits = splitmix64(seed(kind, dim, n), n * dim) >> np.uint64(11)
    return (bits.astype(np.float64) * 2.0**-53).reshape(n, dim)


def uniform(dim: int, n: int) -> np.ndarray:
    return unit_draws("uniform", dim, n)


def sphere(dim: int, n: int) -> np.ndarray:
    u = unit_draws("sphere", dim, n)
    total = np.zeros(n)
    for j in range(dim):  # in objective order, as the Rust side sums
        total = total + u[:, j] * u[:, j]
    return u / np.sqrt(total)[:, None]


def points_for(op: str, dim: int, n: int) -> np.ndarray:
    return uniform(dim, n) if op == "sort" else sphere(dim, n)


def sequential_sum(x: np.ndarray) -> float:
    total = 0.0
    for v in x.ravel().tolist():
        total += v
    return total


class TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise TooSlow()


def median_ms(fn) -> tuple[float, object]:
    """Median wall time of ``fn()``: at least 3 runs, more while under 1 s (at most 15);
    a single run if the first takes over 5 s (as the Rust side's table mode, which
    always makes at least 3)."""
    times = []
    result = None
    started = time.perf_counter()
    while True:
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1e3)
        if times[0] > 5000:
            break
        elapsed = time.perf_counter() - started
        if len(times) >= 3 and (elapsed >= 1.0 or len(times) >= 15):
            break
    return statistics.median(times), result


def libraries():
    import moocore
    from optuna._hypervolume import compute_hypervolume
    from optuna.study._multi_objective import _fast_non_domination_rank

    def optuna_case(op, x, ref):
        if op == "sort":
            return float(_fast_non_domination_rank(x).sum())
        if op == "hv":
            return float(compute_hypervolume(x, ref))
        return None

    def moocore_case(op, x, ref):
        if op == "sort":
            return float(moocore.pareto_rank(x).sum())
        if op == "hv":
            return float(moocore.hypervolume(x, ref=ref))
        return float(moocore.hv_contributions(x, ref=ref).sum())

    return {"Optuna": optuna_case, "moocore": moocore_case}


def rust_table(only: str) -> str:
    """The Rust bench's table mode: every case, or the one named ``only``."""
    env = dict(os.environ, PARETO_BENCH_TABLE="1", PARETO_BENCH_FILTER=only)
    return subprocess.run(
        ["cargo", "bench", "-q", "-p", "tunekit-runtime", "--bench", "pareto"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout


def agree(op: str, a: float, b: float) -> bool:
    if op == "sort":
        return a == b
    return abs(a - b) <= (1e-9 if op == "hv" else 1e-6) * max(abs(a), abs(b), 1e-300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rust-json", help="JSON lines from a PARETO_BENCH_TABLE=1 run")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument(
        "--only", default="",
        help="comma-separated parts of case names (hvc_3d, hv_4d_1000; =name for one exact "
        "name), as PARETO_BENCH_FILTER of the Rust bench; all cases by default",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    if args.rust_json:
        with open(args.rust_json) as f:
            lines = f.read().splitlines()
    else:
        lines = rust_table(args.only).splitlines()
    rust = [json.loads(line) for line in lines if line.startswith("{")]

    libs = libraries()
    last: dict[tuple[str, str, int], tuple[int, float]] = {}
    rows = []
    mismatches = []
    for case in rust:
        op, dim, n = case["op"], case["dim"], case["n"]
        x = points_for(op, dim, n)
        if sequential_sum(x) != case["checksum"]:
            raise SystemExit(f"{op} {dim}-d {n}: the point sets differ between Python and Rust")
        ref = np.full(dim, 1.1)
        if not args.rust_json:
            # Measured again right before the libraries, so that all three see the
            # same load (the first pass gave the list of cases and their results).
            again = rust_table(f"={op}_{dim}d_{n}").splitlines()
            case = json.loads(next(line for line in again if line.startswith("{")))
        row = {"op": op, "dim": dim, "n": n, "tunekit": case["ms"]}
        for name, run in libs.items():
            if run(op, x[:2], ref) is None:
                row[name] = "n/a"
                continue
            previous = last.get((name, op, dim))
            too_big = name == "Optuna" and op == "hv" and dim == 3 and n > 10_000
            if previous is not None:
                prev_n, prev_ms = previous
                predicted = prev_ms * (n / prev_n) ** 2 / 1e3
                too_big |= predicted > args.max_seconds
            if too_big:
                row[name] = "skipped"
                last[(name, op, dim)] = (n, float("inf"))
                continue
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, args.max_seconds)
            try:
                ms, result = median_ms(lambda: run(op, x, ref))
            except TooSlow:
                row[name] = f"> {args.max_seconds:g} s"
                last[(name, op, dim)] = (n, float("inf"))
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if not agree(op, result, case["result"]):
                mismatches.append(f"{name} {op} {dim}-d {n}: {result} vs tunekit {case['result']}")
            row[name] = ms
            last[(name, op, dim)] = (n, ms)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    load_after = os.getloadavg()
    names = {"sort": "non-dominated sort", "hv": "hypervolume", "hvc": "HV contributions"}
    print("| operation | m | n | tunekit ms | Optuna 5 ms | moocore ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        cells = []
        for name in ["tunekit", "Optuna", "moocore"]:
            v = r[name]
            cells.append(f"{v:.3g}" if isinstance(v, float) else str(v))
        print(f"| {names[r['op']]} | {r['dim']} | {r['n']} | " + " | ".join(cells) + " |")
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    for m in mismatches:
        print("RESULT MISMATCH:", m)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
