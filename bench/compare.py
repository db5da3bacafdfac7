#!/usr/bin/env python3
"""Quality benchmark: tunekit's samplers against Optuna and hyperopt.

For every (problem, optimizer, seed) it runs one optimization of ``--budget`` trials,
scores every trial with the *same* Python objective from problems.py, and records the
best value found, its regret (best - known optimum) and the sampler's time per ask.
It prints markdown tables (median regret [IQR], mean rank, ms per ask) and writes
everything, per-trial values included, to bench/results.json.

Usage (after ``bash bench/setup.sh``; PY is the python it prints, by default
~/.cache/tunekit-bench-venv/bin/python):

    $PY bench/compare.py                      # full: 10 seeds x 100 trials
    $PY bench/compare.py --quick              # 3 seeds x 50 trials
    TUNEKIT_DRIVER="python3 bench/fake_driver.py" $PY bench/compare.py --quick

Optuna and hyperopt are imported lazily, so this module (and its space converters) can
be imported by the tests even where only one of them is installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import math
import os
import platform
import selectors
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)

import problems as P  # noqa: E402  (needs the sys.path line above when run from elsewhere)

PROTOCOL_VERSION = 1
DEFAULT_DRIVER = "cargo run --quiet --release -p tunekit-bench --"
# Sampler names per family; an optimizer is "<family>-<sampler>". Adding a tunekit sampler
# (e.g. CMA-ES) is one name here plus one match arm in bench/driver/src/main.rs.
OPTUNA_SAMPLERS = ["tpe", "tpe-multivariate", "tpe-independent", "random", "gp", "cmaes", "qmc"]
RUSTUNA_SAMPLERS = ["tpe"]
HYPEROPT_SAMPLERS = ["tpe", "random"]
TUNEKIT_SAMPLERS = ["tpe", "tpe-optuna", "random", "gp", "qmc", "cmaes",
                    "cmaes-bipop", "cmaes-norestart", "cmaes-qmc", "cmaes-tpe"]
ALL_OPTIMIZERS = ([f"optuna-{s}" for s in OPTUNA_SAMPLERS]
                  + [f"rustuna-{s}" for s in RUSTUNA_SAMPLERS]
                  + [f"hyperopt-{s}" for s in HYPEROPT_SAMPLERS]
                  + [f"tunekit-{s}" for s in TUNEKIT_SAMPLERS])
DEFAULT_OPTIMIZERS = ["optuna-tpe", "optuna-random", "hyperopt-tpe",
                      "tunekit-tpe", "tunekit-random"]
# Key under which a hyperopt branch dict records which choice it stands for.
HYPEROPT_CHOICE_KEY = "__choice__"


class RunError(Exception):
    """A run could not complete (driver crashed, protocol violation, invalid params)."""


# ============================================================================ evaluation


@dataclass
class RunResult:
    problem: str
    optimizer: str
    seed: int
    budget: int
    values: list = field(default_factory=list)   # per trial; None = failed evaluation
    # Noisy problems only: the noiseless value of each trial (values holds what the
    # optimizer saw); the regret is scored on the trial with the best observed value.
    true_values: list = field(default_factory=list)
    ask_ms: list = field(default_factory=list)   # sampler time per trial; None = unknown
    overhead_ms: list = field(default_factory=list)  # whole loop minus evaluation
    eval_ms_total: float = 0.0
    wall_s: float = 0.0
    startup_ms: Optional[float] = None           # tunekit: spawn until first trial
    error: Optional[str] = None
    best_value: Optional[float] = None
    regret: Optional[float] = None
    ask_ms_mean: Optional[float] = None
    overhead_ms_mean: Optional[float] = None
    versions: dict = field(default_factory=dict)  # what the result depends on (see --reuse)
    run_at: Optional[str] = None                  # when this cell was computed
    reused_from: Optional[str] = None             # set when taken from a --reuse file

    def finish(self, problem: P.Problem) -> None:
        ok = [v for v in self.values if v is not None]
        if ok and self.error is None:
            self.best_value = min(ok)
            scored = self.best_value
            if problem.noiseless is not None:
                # The incumbent a user would pick (best observed, first if tied) is
                # scored on its noiseless value.
                scored = self.true_values[self.values.index(self.best_value)]
            regret = problem.regret(scored)
            # Rounding can put a value a hair below the analytic optimum (Branin: 2e-17);
            # anything clearly below it means the problem's stated optimum is wrong.
            if regret < -1e-9 * max(1.0, abs(problem.optimum)):
                raise RunError(f"{problem.name}: found {self.best_value} below the known "
                               f"optimum {problem.optimum}: the problem definition is wrong")
            self.regret = max(regret, 0.0)
        asks = [a for a in self.ask_ms if a is not None]
        self.ask_ms_mean = statistics.fmean(asks) if asks else None
        over = [o for o in self.overhead_ms if o is not None]
        self.overhead_ms_mean = statistics.fmean(over) if over else None


class Evaluator:
    """Scores trials for one run: validates the params against the space (so an adapter
    or driver bug is an error, never a silently mis-scored point), then calls the
    problem's Python objective and times it."""

    def __init__(self, problem: P.Problem, result: RunResult):
        self.problem = problem
        self.result = result

    def __call__(self, params: dict) -> tuple:
        """Returns (value, error_message); exactly one of them is None."""
        errors = P.check_params(self.problem.space, params)
        if errors:
            raise RunError(f"trial {len(self.result.values)} got invalid params "
                           f"{params!r}: {'; '.join(errors)}")
        t0 = time.perf_counter()
        try:
            value = float(self.problem.evaluate(params))
            err = None if math.isfinite(value) else f"non-finite value {value!r}"
        except Exception as exc:  # an objective failure is a failed trial, not a crash
            value, err = None, f"{type(exc).__name__}: {exc}"
        self.result.eval_ms_total += (time.perf_counter() - t0) * 1e3
        if err is not None:
            value = None
        self.result.values.append(value)
        if self.problem.noiseless is not None:
            self.result.true_values.append(
                None if value is None else float(self.problem.noiseless(params)))
        return value, err


# ============================================================================ Optuna


def optuna_suggest(trial, space: list) -> dict:
    """Suggest every *active* param of ``space`` on an Optuna trial, in space order.

    A conditional param is suggested only when its parent was suggested and took one of
    the condition's values, which is Optuna's define-by-run way of expressing a tree.
    """
    params: dict = {}
    for p in space:
        if not P.is_active(p, params):
            continue
        name = p["name"]
        if p["type"] == "float":
            params[name] = trial.suggest_float(name, p["low"], p["high"],
                                               step=p.get("step"), log=bool(p.get("log")))
        elif p["type"] == "int":
            params[name] = trial.suggest_int(name, p["low"], p["high"],
                                             step=p.get("step") or 1, log=bool(p.get("log")))
        elif p["type"] == "categorical":
            params[name] = trial.suggest_categorical(name, p["choices"])
        else:
            raise ValueError(f"unknown param type {p['type']!r}")
    return params


def optuna_sampler(sampler: str, seed: int):
    """The Optuna sampler behind ``optuna-<sampler>``: default args, only seeded, except
    where the name says otherwise. (In Optuna 5.0 the default TPESampler is already
    multivariate for single-objective studies, so ``tpe`` and ``tpe-multivariate`` are the
    same sampler on these problems; ``tpe-independent`` is the per-param one.)"""
    import optuna
    S = optuna.samplers
    if sampler == "tpe":
        return S.TPESampler(seed=seed)
    if sampler == "tpe-multivariate":
        return S.TPESampler(multivariate=True, seed=seed)
    if sampler == "tpe-independent":
        return S.TPESampler(multivariate=False, seed=seed)
    if sampler == "random":
        return S.RandomSampler(seed=seed)
    if sampler == "gp":
        return S.GPSampler(seed=seed)      # needs torch and scipy
    if sampler == "cmaes":
        # Categoricals (and conditional params) go to its default independent sampler.
        return S.CmaEsSampler(seed=seed)   # needs the cmaes package
    if sampler == "qmc":
        return S.QMCSampler(qmc_type="sobol", scramble=True, seed=seed)
    raise ValueError(f"unknown Optuna sampler {sampler!r}")


def rustuna_sampler(sampler: str, seed: int):
    import rustuna
    if sampler == "tpe":
        return rustuna.samplers.TPESampler(seed=seed)
    raise ValueError(f"unknown rustuna sampler {sampler!r}")


def run_optuna(problem: P.Problem, seed: int, budget: int, sampler: str,
               family: str = "optuna") -> RunResult:
    """One run with Optuna, or with rustuna (Optuna's Python API in Rust: the same
    ask / suggest_* / tell loop, except that its ``tell`` takes the trial number)."""
    if family == "rustuna":
        import rustuna as lib
        smp = rustuna_sampler(sampler, seed)
        fail = lib.trial.TrialState.FAIL
        trial_key = lambda t: t.number  # noqa: E731
    else:
        import optuna as lib
        # ERROR, not WARNING: GP / QMC / CMA-ES log a warning for every param they leave to
        # their independent sampler (the conditional problem), which buries the progress.
        lib.logging.set_verbosity(lib.logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning (QMC, GP)
            smp = optuna_sampler(sampler, seed)
        fail = lib.trial.TrialState.FAIL
        trial_key = lambda t: t  # noqa: E731
    res = RunResult(problem.name, f"{family}-{sampler}", seed, budget)
    study = lib.create_study(direction=problem.direction, sampler=smp)
    evaluate = Evaluator(problem, res)
    t_run = time.perf_counter()
    with warnings.catch_warnings():
        # ExperimentalWarning (multivariate TPE) and similar noise, once per run.
        warnings.simplefilter("ignore")
        for _ in range(budget):
            t0 = time.perf_counter()
            trial = study.ask()
            # The sampling work happens in ask() (relative/multivariate sampling) and in
            # the suggest_* calls (independent sampling), so "ask" times both.
            params = optuna_suggest(trial, problem.space)
            t1 = time.perf_counter()
            value, err = evaluate(params)
            t2 = time.perf_counter()
            if err is None:
                study.tell(trial_key(trial), value)
            else:
                study.tell(trial_key(trial), state=fail)
            t3 = time.perf_counter()
            res.ask_ms.append((t1 - t0) * 1e3)
            res.overhead_ms.append((t1 - t0 + t3 - t2) * 1e3)
    res.wall_s = time.perf_counter() - t_run
    return res


# ============================================================================ hyperopt


def _hp_log_bounds(low: float, high: float) -> tuple:
    return math.log(low), math.log(high)


def hyperopt_space(space: list) -> dict:
    """Translate a tunekit space into a hyperopt search space (a dict of top-level
    nodes). Conditional params become nested ``hp.choice`` branches.

    * float: ``hp.uniform`` / ``hp.loguniform``; a stepped float samples its grid index k
      with ``hp.quniform(-0.5, n-0.5, 1)`` (so every grid point, ends included, gets the
      same prior mass and the grid stays anchored at ``low``), decoded as low + k*step;
    * int: the same grid-index ``quniform`` (ordinal, so TPE can exploit neighbourhoods,
      unlike ``randint``); a log int uses ``qloguniform(ln(low-.5), ln(high+.5), 1)``,
      the same rounding rule as Optuna's log ints;
    * categorical without children: ``hp.choice(name, choices)``;
    * categorical with children: ``hp.choice(name, [branch_0, ...])`` where branch_i is
      a dict ``{"__choice__": choice_i, child: node, ...}`` holding the children active
      for that choice. A child active under several choices is the *same* node object in
      each of those branches, i.e. one hyperopt parameter (one label), like Optuna's
      single distribution per name.

    Decode sampled values with :func:`hyperopt_decode`.
    """
    from hyperopt import hp

    children: dict = {p["name"]: [] for p in space}
    for p in space:
        if p["name"] == HYPEROPT_CHOICE_KEY:
            raise ValueError(f"param name {HYPEROPT_CHOICE_KEY!r} is reserved")
        if "condition" in p:
            children[p["condition"]["parent"]].append(p)
    nodes: dict = {}

    def node(p):
        name = p["name"]
        if name in nodes:  # shared by several branches: reuse the one node
            return nodes[name]
        kind, step, log = p["type"], p.get("step"), bool(p.get("log"))
        if kind == "categorical":
            kids = children[name]
            if not kids:
                n = hp.choice(name, list(p["choices"]))
            else:
                branches = []
                for c in p["choices"]:
                    branch = {HYPEROPT_CHOICE_KEY: c}
                    for k in kids:
                        if any(P.same_value(c, v) for v in k["condition"]["values"]):
                            branch[k["name"]] = node(k)
                    branches.append(branch)
                n = hp.choice(name, branches)
        elif kind == "int" and log:
            n = hp.qloguniform(name, math.log(p["low"] - 0.5), math.log(p["high"] + 0.5), 1)
        elif kind == "int" or step is not None:
            count = P.grid_count(p["low"], p["high"], step or 1)
            n = hp.quniform(name, -0.5, count - 0.5, 1)
        elif log:
            n = hp.loguniform(name, *_hp_log_bounds(p["low"], p["high"]))
        else:
            n = hp.uniform(name, p["low"], p["high"])
        nodes[name] = n
        return n

    return {p["name"]: node(p) for p in space if "condition" not in p}


def _hp_decode_value(p: dict, raw) -> Any:
    """A raw hyperopt draw -> the param's value in tunekit terms (see hyperopt_space)."""
    kind, step, log = p["type"], p.get("step"), bool(p.get("log"))
    if kind == "categorical":
        return raw  # hp.choice hands back the choice object itself
    if kind == "int" and log:
        # round(exp(u)) can land one past an end only at the measure-zero edges.
        return min(max(int(round(float(raw))), p["low"]), p["high"])
    if kind == "int" or step is not None:
        count = P.grid_count(p["low"], p["high"], step or 1)
        k = min(max(int(round(float(raw))), 0), count - 1)
        if kind == "int":
            return p["low"] + k * (step or 1)
        return min(p["low"] + k * step, p["high"])
    # exp(log(high)) may exceed high by an ulp; keep the value inside the space.
    return min(max(float(raw), p["low"]), p["high"])


def hyperopt_decode(space: list, sample: dict) -> dict:
    """Flatten a hyperopt sample (nested branch dicts) into a tunekit params dict."""
    by_name = {p["name"]: p for p in space}
    out: dict = {}

    def walk(d: dict) -> None:
        for key, raw in d.items():
            if key == HYPEROPT_CHOICE_KEY:
                continue
            if isinstance(raw, dict):
                out[key] = raw[HYPEROPT_CHOICE_KEY]
                walk(raw)
            else:
                out[key] = _hp_decode_value(by_name[key], raw)

    walk(sample)
    return out


def run_hyperopt(problem: P.Problem, seed: int, budget: int, sampler: str) -> RunResult:
    import numpy as np
    from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, rand, tpe

    res = RunResult(problem.name, f"hyperopt-{sampler}", seed, budget)
    suggest = tpe.suggest if sampler == "tpe" else rand.suggest
    evaluate = Evaluator(problem, res)
    hspace = hyperopt_space(problem.space)
    last_end = [0.0]

    def algo(new_ids, domain, trials, algo_seed):
        # fmin calls this once per trial (max_queue_len=1): this is hyperopt's "ask".
        t0 = time.perf_counter()
        out = suggest(new_ids, domain, trials, algo_seed)
        res.ask_ms.append((time.perf_counter() - t0) * 1e3)
        return out

    def objective(sample):
        t_start = time.perf_counter()
        # Everything fmin did since the previous evaluation ended (bookkeeping, suggest,
        # building the sample) is optimizer overhead.
        res.overhead_ms.append((t_start - last_end[0]) * 1e3)
        value, err = evaluate(hyperopt_decode(problem.space, sample))
        last_end[0] = time.perf_counter()
        if err is None:
            return {"loss": value, "status": STATUS_OK}
        return {"status": STATUS_FAIL, "error": err}

    t_run = last_end[0] = time.perf_counter()
    fmin(objective, hspace, algo=algo, max_evals=budget, trials=Trials(),
         rstate=np.random.default_rng(seed), show_progressbar=False, verbose=False)
    res.wall_s = time.perf_counter() - t_run
    return res


# ============================================================================ tunekit driver


def driver_command() -> list:
    return shlex.split(os.environ.get("TUNEKIT_DRIVER", DEFAULT_DRIVER))


class LineChannel:
    """JSON lines over a child's stdin/stdout, with a timeout on every read (a hung
    driver fails the run instead of hanging the benchmark)."""

    def __init__(self, proc: subprocess.Popen, timeout_s: float):
        self.proc = proc
        self.timeout_s = timeout_s
        self.buf = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(proc.stdout, selectors.EVENT_READ)

    def send(self, obj: dict) -> None:
        data = (json.dumps(obj, allow_nan=False, separators=(",", ":")) + "\n").encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise RunError("driver closed its stdin (exited?)") from None

    def recv(self) -> dict:
        deadline = time.monotonic() + self.timeout_s
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sel.select(timeout=left):
                raise RunError(f"no message from the driver within {self.timeout_s:g}s")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RunError(f"driver closed stdout (exit code {self.proc.wait()})")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            raise RunError(f"driver wrote a non-JSON line on stdout: {line[:200]!r}") from None
        if not isinstance(msg, dict):
            raise RunError(f"driver message is not a JSON object: {line[:200]!r}")
        return msg

    def close(self) -> None:
        self.sel.close()


def run_tunekit(problem: P.Problem, seed: int, budget: int, sampler: str,
                timeout_s: float = 600.0) -> RunResult:
    """One run through the tunekit driver; the protocol is specified in PROTOCOL.md."""
    res = RunResult(problem.name, f"tunekit-{sampler}", seed, budget)
    evaluate = Evaluator(problem, res)
    cmd = driver_command()
    # The driver's stderr (cargo output, logs) goes to a file, shown when a run fails.
    with tempfile.TemporaryFile() as errf:
        t_run = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errf)
        chan = LineChannel(proc, timeout_s)
        try:
            chan.send({"protocol": PROTOCOL_VERSION, "space": problem.space,
                       "direction": problem.direction, "sampler": sampler,
                       "seed": seed, "budget": budget})
            t_sent = time.perf_counter()
            while True:
                msg = chan.recv()
                t_got = time.perf_counter()
                if "fatal" in msg:
                    raise RunError(f"driver reported: {msg['fatal']}")
                if msg.get("done") is True:
                    break
                n = len(res.values)
                if msg.get("trial") != n:
                    raise RunError(f"expected trial {n}, got message {msg!r}")
                if n >= budget:
                    raise RunError(f"driver asked trial {n} beyond the budget {budget}")
                params = msg.get("params")
                if not isinstance(params, dict):
                    raise RunError(f"trial {n}: 'params' is not an object: {msg!r}")
                ask = msg.get("ask_ms")
                ask = float(ask) if isinstance(ask, (int, float)) and not isinstance(ask, bool) else None
                res.ask_ms.append(ask)
                if n == 0:
                    # The first round trip includes spawning (and, for cargo, checking
                    # the build); keep it apart from per-trial overhead.
                    res.startup_ms = (t_got - t_sent) * 1e3
                    res.overhead_ms.append(ask)
                else:
                    res.overhead_ms.append((t_got - t_sent) * 1e3)
                value, err = evaluate(params)
                chan.send({"value": value} if err is None else {"error": err})
                t_sent = time.perf_counter()
            if len(res.values) != budget:
                raise RunError(f"driver said done after {len(res.values)} of {budget} trials")
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                raise RunError("driver did not exit after 'done'") from None
            if code != 0:
                raise RunError(f"driver exited with code {code} after 'done'")
        except RunError as exc:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            errf.seek(0)
            tail = errf.read().decode(errors="replace")[-2000:]
            raise RunError(f"{exc}\n  driver: {shlex.join(cmd)}\n  stderr tail:\n{tail}") from None
        finally:
            chan.close()
            if proc.poll() is None:  # only on an unexpected exception (e.g. Ctrl-C)
                proc.kill()
                proc.wait()
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
        res.wall_s = time.perf_counter() - t_run
    return res


def prebuild_driver() -> None:
    """With the default cargo driver, build once up front: a compile error then shows
    once, clearly, instead of as a timeout in every tunekit run."""
    if "TUNEKIT_DRIVER" in os.environ:
        return
    print("building tunekit-bench (cargo build --release -p tunekit-bench) ...", file=sys.stderr)
    try:
        subprocess.run(["cargo", "build", "--release", "-p", "tunekit-bench"], cwd=REPO_ROOT,
                       check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"could not build the tunekit driver ({exc}). Set TUNEKIT_DRIVER to another "
                 "driver command (see bench/PROTOCOL.md), or leave out the tunekit-* optimizers.")


# ============================================================================ driver of runs


def run_one(problem: P.Problem, optimizer: str, seed: int, budget: int,
            driver_timeout: float) -> RunResult:
    family, sampler = optimizer.split("-", 1)
    if family in ("optuna", "rustuna"):
        res = run_optuna(problem, seed, budget, sampler, family)
    elif family == "hyperopt":
        res = run_hyperopt(problem, seed, budget, sampler)
    elif family == "tunekit":
        res = run_tunekit(problem, seed, budget, sampler, driver_timeout)
    else:
        raise ValueError(optimizer)
    if len(res.values) != budget:
        raise RunError(f"{optimizer} ran {len(res.values)} trials, budget {budget}")
    res.finish(problem)
    return res


def warm_up(optimizer: str, driver_timeout: float) -> None:
    """One short untimed run before an optimizer's first timed one, so that the lazy
    imports inside the libraries (scipy.stats.qmc for QMC, torch for GP: up to seconds)
    do not land in the first run's ask times. 12 trials: past the 10 startup trials of
    the model-based samplers. (Each tunekit run is a fresh driver process, whose start-up
    is kept out of the timings anyway; its warm-up only checks the driver works.)"""
    try:
        run_one(P.get("branin"), optimizer, 0, 12, driver_timeout)
    except RunError:
        pass  # the timed runs report it


def quartiles(xs: list) -> tuple:
    """(q1, median, q3); the inclusive method so that 3 seeds still give an IQR."""
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


def average_ranks(scores: dict) -> dict:
    """Rank keys by ascending score (1 = best), ties sharing their average rank."""
    order = sorted(scores, key=lambda k: scores[k])
    ranks: dict = {}
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def half_groups(problem_names: list) -> list:
    """(label, problems) for each half present, in the order tuning, held-out, then the
    problems outside the suite (the classic seven)."""
    groups = []
    for label, half in (("tuning half", "tuning"), ("held-out half", "heldout"),
                        ("classic problems (outside the suite)", None)):
        names = [p for p in problem_names if P.get(p).half == half]
        if names:
            groups.append((label, names))
    return groups


def summarize(runs: list, problem_names: list, optimizers: list) -> dict:
    summary: dict = {"regret": {}, "ask_ms": {}, "overhead_ms": {}, "ranks": {},
                     "mean_rank": {}, "mean_rank_by_half": {}, "failed_runs": {},
                     "budget": {}}
    for pname in problem_names:
        medians = {}
        for opt in optimizers:
            mine = [r for r in runs if r.problem == pname and r.optimizer == opt]
            if mine:
                summary["budget"][pname] = mine[0].budget
            good = [r for r in mine if r.error is None and r.regret is not None]
            if len(good) != len(mine):
                summary["failed_runs"].setdefault(pname, {})[opt] = len(mine) - len(good)
            if not good:
                continue
            q1, med, q3 = quartiles([r.regret for r in good])
            summary["regret"].setdefault(pname, {})[opt] = {"median": med, "q1": q1, "q3": q3,
                                                           "n": len(good)}
            medians[opt] = med
            for key in ("ask_ms", "overhead_ms"):
                xs = [getattr(r, key + "_mean") for r in good]
                xs = [x for x in xs if x is not None]
                if xs:
                    summary[key].setdefault(pname, {})[opt] = statistics.median(xs)
        if medians:
            summary["ranks"][pname] = average_ranks(medians)

    def mean_ranks(names):
        out = {}
        for opt in optimizers:
            rs = [summary["ranks"][p][opt] for p in names
                  if opt in summary["ranks"].get(p, {})]
            if rs:
                out[opt] = {"mean": statistics.fmean(rs), "problems": len(rs)}
        return out

    summary["mean_rank"] = {o: v["mean"] for o, v in mean_ranks(problem_names).items()}
    for label, names in half_groups(problem_names):
        summary["mean_rank_by_half"][label] = mean_ranks(names)
    return summary


def _fmt(x: Optional[float]) -> str:
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:.3g}"


def markdown_tables(summary: dict, problem_names: list, optimizers: list,
                    budget: Optional[int], n_seeds: int, seeds_for: Optional[dict] = None) -> str:
    """The regret table of each half with its mean-rank row, a mean-rank summary per
    half, then the two timing tables. ``budget`` None: each problem's own (a column)."""
    out = []
    head = "| problem | budget | " + " | ".join(optimizers) + " |"
    rule = "|---|---|" + "---|" * len(optimizers)

    fewer = ""
    if seeds_for:
        fewer = " (" + ", ".join(f"{n} for {o}" for o, n in seeds_for.items()) + ")"
    trials = f"{budget} trials" if budget else "each problem's budget"
    groups = half_groups(problem_names)
    for label, names in groups:
        out.append(f"### {label[0].upper() + label[1:]}: regret after {trials}, median [IQR] "
                   f"over {n_seeds} seeds{fewer} (lower is better)\n")
        out += [head, rule]
        for pname in names:
            cells = []
            for opt in optimizers:
                r = summary["regret"].get(pname, {}).get(opt)
                failed = summary["failed_runs"].get(pname, {}).get(opt, 0)
                cell = "n/a" if r is None else f"{_fmt(r['median'])} [{_fmt(r['q1'])}, {_fmt(r['q3'])}]"
                if r is not None and r["n"] < (seeds_for or {}).get(opt, n_seeds):
                    cell += f" (n={r['n']})"
                if failed:
                    cell += f" ({failed} failed)"
                cells.append(cell)
            b = summary["budget"].get(pname, budget)
            out.append(f"| {pname} | {b if b is not None else 'n/a'} | " + " | ".join(cells) + " |")
        ranks = summary["mean_rank_by_half"].get(label, {})
        out.append("| **mean rank** | | " + " | ".join(
            f"**{ranks[o]['mean']:.2f}**" if o in ranks else "n/a" for o in optimizers) + " |")
        out.append("")

    out.append("### Mean rank per half (1 = best; in brackets: problems ranked, when fewer "
               "than the half has)\n")
    out.append("| half | problems | " + " | ".join(optimizers) + " |")
    out.append("|---|---|" + "---|" * len(optimizers))
    rows = [(label, names, summary["mean_rank_by_half"].get(label, {})) for label, names in groups]
    if len(groups) > 1:
        everything = {o: {"mean": summary["mean_rank"][o],
                          "problems": sum(1 for p in problem_names
                                          if o in summary["ranks"].get(p, {}))}
                      for o in summary["mean_rank"]}
        rows.append(("all", problem_names, everything))
    for label, names, ranks in rows:
        cells = []
        for o in optimizers:
            if o not in ranks:
                cells.append("n/a")
                continue
            c = f"{ranks[o]['mean']:.2f}"
            if ranks[o]["problems"] < len(names):
                c += f" ({ranks[o]['problems']})"
            cells.append(c)
        out.append(f"| {label} | {len(names)} | " + " | ".join(cells) + " |")

    thead = "| problem | " + " | ".join(optimizers) + " |"
    trule = "|---|" + "---|" * len(optimizers)
    for key, title in (("ask_ms", "Sampler time per ask, ms (median over seeds of the "
                        "per-run mean; evaluation excluded)"),
                       ("overhead_ms", "Whole optimizer overhead per trial, ms (ask + tell + "
                        "bookkeeping + IPC for tunekit; evaluation excluded)")):
        out.append(f"\n### {title}\n")
        out += [thead, trule]
        for pname in problem_names:
            row = summary[key].get(pname, {})
            out.append(f"| {pname} | " + " | ".join(_fmt(row.get(o)) for o in optimizers) + " |")
        overall = []
        for o in optimizers:
            xs = [summary[key][p][o] for p in summary[key] if o in summary[key][p]]
            overall.append(_fmt(statistics.median(xs)) if xs else "n/a")
        out.append("| **all problems (median)** | " + " | ".join(overall) + " |")
    return "\n".join(out)


PACKAGES = ("optuna", "hyperopt", "numpy", "scipy", "torch", "cmaes", "rustuna")
# The packages each family's results depend on (torch / cmaes only for the samplers that
# use them). Together with problems.py's hash this decides whether --reuse may take a cell.
FAMILY_PACKAGES = {"optuna": ("optuna", "numpy", "scipy"), "rustuna": ("rustuna",),
                   "hyperopt": ("hyperopt", "numpy", "scipy")}
SAMPLER_PACKAGES = {"optuna-gp": ("torch",), "optuna-cmaes": ("cmaes",)}
TUNEKIT_SOURCES = ("src", "macros", "runtime", "bench/driver", "Cargo.toml", "Cargo.lock")


def package_versions() -> dict:
    """Installed versions, read from the package metadata (nothing is imported)."""
    from importlib import metadata
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["tunekit"] = tunekit_version()
    return versions


def tunekit_version() -> Optional[str]:
    """Identifies the tunekit code the driver is built from: the git tree ids of its
    sources (so a commit that touches only bench/ results keeps it), with ``+dirty`` and
    the time when those sources have uncommitted changes (then it never matches a
    recorded run). None outside a git checkout."""
    try:
        trees = subprocess.run(["git", "rev-parse"] + [f"HEAD:{p}" for p in TUNEKIT_SOURCES],
                               cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *TUNEKIT_SOURCES],
                               cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    version = "src-" + hashlib.sha256(trees.stdout.encode()).hexdigest()[:12]
    if dirty.stdout.strip():
        version += "+dirty-" + time.strftime("%Y%m%dT%H%M%S")
    return version


_FINGERPRINTS: dict = {}


def problem_version(problem: P.Problem) -> str:
    """The problem's fingerprint (``Problem.fingerprint``: space, optimum, table, and
    objective values at fixed probe points), part of every cell's key: a changed problem
    re-runs, the other problems' cells stay reusable."""
    if problem.name not in _FINGERPRINTS:
        _FINGERPRINTS[problem.name] = problem.fingerprint()
    return _FINGERPRINTS[problem.name]


# Cells recorded before per-problem fingerprints carry the hash of the whole problems.py
# instead. These are the fingerprints of the problems that file defined (unchanged since:
# the seven classic ones), so such cells stay reusable while those problems are unchanged.
LEGACY_PROBLEMS_PY = {
    "17e6ea738d97": {"branin": "06405d4a9ee5", "hartmann6": "2c48cb0ba303",
                     "rosenbrock5": "83c9b6e41d52", "rastrigin6": "3986844e500f",
                     "ackley5": "13086d5baaf4", "mixed": "6fb3389c0f0f",
                     "conditional": "ff0b514799d5"},
}


def cell_versions(run: dict) -> dict:
    """A recorded run's ``versions``, with a legacy ``problems.py`` hash translated to
    the problem's fingerprint when that file is known (else left as is: not reusable)."""
    v = dict(run["versions"])
    legacy = LEGACY_PROBLEMS_PY.get(v.get("problems.py"), {})
    if run["problem"] in legacy:
        del v["problems.py"]
        v["problem"] = legacy[run["problem"]]
    return v


def optimizer_versions(optimizer: str, versions: dict) -> dict:
    """What one optimizer's cells depend on, besides the problem (``problem_version``);
    a cell is reused only if all of it is equal and known."""
    family = optimizer.split("-", 1)[0]
    out = {"python": versions["python"]}
    if family == "tunekit":
        out["tunekit"] = versions["tunekit"]
        out["driver"] = shlex.join(driver_command())
        out["TUNEKIT_BENCH_TPE"] = os.environ.get("TUNEKIT_BENCH_TPE", "")
    else:
        for name in FAMILY_PACKAGES[family] + SAMPLER_PACKAGES.get(optimizer, ()):
            out[name] = versions[name]
    return out


def _open_text(path: str, mode: str, gz: Optional[bool] = None):
    """open() for text, through gzip when the path ends in .gz (or ``gz`` says so): the
    suite's results files are committed gzipped."""
    if gz if gz is not None else path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def write_results(f, meta: dict, summary: dict, runs: list) -> None:
    """The results JSON: meta and summary indented, then one line per run (a results file
    holds thousands), timings rounded to 3 significant digits (the objective values stay
    exact: the regret is recomputed from them on --reuse)."""
    f.write('{"meta": ' + json.dumps(meta, indent=1) + ',\n"summary": '
            + json.dumps(summary, indent=1) + ',\n"runs": [\n')
    for i, r in enumerate(runs):
        d = asdict(r)
        for key in ("ask_ms", "overhead_ms"):
            d[key] = [None if x is None else float(f"{x:.3g}") for x in d[key]]
        f.write(json.dumps(d) + (",\n" if i + 1 < len(runs) else "\n"))
    f.write("]}\n")


def load_reusable(paths: list) -> dict:
    """(problem, optimizer, seed, budget) -> (run dict, path) of every successful run in
    the given results files (a results JSON, or the JSON lines of a ``.partial`` file);
    a later file wins."""
    cells: dict = {}
    for path in paths:
        with _open_text(path, "r") as f:
            text = f.read()
        try:
            found = json.loads(text)["runs"]
        except json.JSONDecodeError:
            # .partial: one run per line; a line cut off by a crash is skipped.
            found = []
            for line in text.splitlines():
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        for r in found:
            if r.get("error") is None and r.get("versions"):
                cells[(r["problem"], r["optimizer"], r["seed"], r["budget"])] = (r, path)
    return cells


def reuse_cell(cells: dict, problem: P.Problem, optimizer: str, seed: int, budget: int,
               wanted: dict) -> Optional[RunResult]:
    hit = cells.get((problem.name, optimizer, seed, budget))
    if hit is None:
        return None
    r, path = hit
    if cell_versions(r) != wanted or any(v is None for v in wanted.values()):
        return None
    names = {f.name for f in dataclasses.fields(RunResult)}
    res = RunResult(**{k: v for k, v in r.items() if k in names})
    res.reused_from = r.get("reused_from") or os.path.relpath(path, REPO_ROOT)
    res.finish(problem)
    return res


def command_line(argv=None) -> str:
    """The command that reproduces this run, with the driver setting if any."""
    args = sys.argv[1:] if argv is None else list(argv)
    env = ""
    if "TUNEKIT_DRIVER" in os.environ:
        env = f"TUNEKIT_DRIVER={shlex.quote(os.environ['TUNEKIT_DRIVER'])} "
    return env + shlex.join(["python", "bench/compare.py", *args])


def markdown_report(meta: dict, tables: str) -> str:
    v = meta["versions"]
    lines = [f"# Benchmark results ({meta['created']})", "",
             f"{meta['budget'] or 'Each problem' + chr(39) + 's own budget of'} trials per run, "
             f"seeds 0..{meta['seeds'] - 1}"
             + (f" (fewer for {meta['seeds_for']})" if meta.get("seeds_for") else "")
             + (f"; only problems with budget <= N for {meta['max_budget_for']}"
                if meta.get("max_budget_for") else "") + "; "
             f"machine: {meta['machine']['platform']}, {meta['machine']['cpus']} CPUs.", "",
             "Command (from the repository root, in the bench venv):", "", "```sh",
             meta["command"], "```", "",
             "Versions: " + ", ".join(f"{k} {v[k]}" for k in v if v[k] is not None) + ".", ""]
    if meta.get("half_rule"):
        lines += ["Halves (fixed before any result): " + meta["half_rule"] + ".", ""]
    if any(p.get("noisy") for p in meta["problems"].values()):
        lines += ["Noisy problems: the optimizers see noisy values; the regret is the "
                  "noiseless value of the trial with the best observed value, minus the "
                  "optimum.", ""]
    if meta.get("reused_runs"):
        lines += [f"{meta['reused_runs']} of the runs were taken from earlier results "
                  "files (`--reuse`; their `reused_from` and `run_at` fields in the JSON "
                  "say which and when); their timings are from the run that measured them.",
                  ""]
    return "\n".join(lines) + "\n" + tables + "\n"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", default=None,
                    help="comma-separated problem names, `classic` for the seven classic "
                    "ones (the default without --half, as before the suite): "
                    + ", ".join(P.PROBLEMS))
    ap.add_argument("--half", choices=["tuning", "heldout", "all"], default=None,
                    help="the suite: one half (bench/README.md says which problems and "
                    "why), or all of it")
    ap.add_argument("--optimizers", default=",".join(DEFAULT_OPTIMIZERS),
                    help="comma-separated, from: " + ", ".join(ALL_OPTIMIZERS)
                    + " (default: all but hyperopt-random)")
    ap.add_argument("--seeds", type=int, default=None,
                    help="run seeds 0..N-1 (default 10; 3 with --quick)")
    ap.add_argument("--budget", type=int, default=None,
                    help="trials per run for every problem (default: each problem's own "
                    "budget, stated in bench/README.md; 50 with --quick)")
    ap.add_argument("--max-budget-for", default="", metavar="OPT=N,...",
                    help="run OPT only on problems whose budget is at most N, e.g. "
                    "optuna-gp=200 (its cells on the others are n/a)")
    ap.add_argument("--seeds-for", default="", metavar="OPT=N,...",
                    help="fewer (or more) seeds for some optimizers, e.g. "
                    "optuna-gp=3,tunekit-gp=3 for the slow GP samplers")
    ap.add_argument("--quick", action="store_true", help="smaller defaults: 3 seeds, 50 trials")
    ap.add_argument("--out", default=os.path.join(BENCH_DIR, "results.json"),
                    help="where to write the JSON results (default bench/results.json)")
    ap.add_argument("--driver-timeout", type=float, default=600.0,
                    help="seconds to wait for any one driver message (default 600)")
    ap.add_argument("--reuse", action="append", default=[], metavar="RESULTS.json",
                    help="take (problem, optimizer, seed, budget) cells from this results "
                    "file instead of re-running them, when the versions they depend on "
                    "(packages, tunekit sources, problems.py, driver) are unchanged; "
                    "repeatable. --out may be the same file.")
    ap.add_argument("--list", action="store_true",
                    help="print the suite's problems (family, half, params, budget, "
                    "optimum) as a markdown table and exit")
    ap.add_argument("--reuse-only", action="store_true",
                    help="run nothing: report only the cells found in the --reuse files "
                    "(to merge parts; a cell with fewer seeds than asked says n=K)")
    ap.add_argument("--md", default=None, metavar="PATH",
                    help="also write the tables, the command and the versions as markdown")
    args = ap.parse_args(argv)
    args.seeds = args.seeds if args.seeds is not None else (3 if args.quick else 10)
    args.budget = args.budget if args.budget is not None else (50 if args.quick else None)
    if args.problems is not None and args.half is not None:
        ap.error("give --problems or --half, not both")
    if args.problems is None and args.half is None:
        # Without either flag: the classic problems, as before the suite existed, so
        # that earlier commands still reproduce their results.
        args.problems = list(P.CLASSIC)
    elif args.problems is None:
        args.problems = list(P.SUITE) if args.half == "all" else list(P.HALVES[args.half])
    else:
        args.problems = [n for s in args.problems.split(",") if s
                         for n in (P.CLASSIC if s == "classic" else [s])]
    args.optimizers = [s for s in args.optimizers.split(",") if s]
    for name in args.problems:
        if name not in P.PROBLEMS:
            ap.error(f"unknown problem {name!r}; choose from {', '.join(P.PROBLEMS)}")
    for opt in args.optimizers:
        if opt not in ALL_OPTIMIZERS:
            ap.error(f"unknown optimizer {opt!r}; choose from {', '.join(ALL_OPTIMIZERS)}")
    if args.seeds < 1 or (args.budget is not None and args.budget < 1):
        ap.error("--seeds and --budget must be >= 1")
    spec, args.max_budget_for = args.max_budget_for, {}
    for item in (s for s in spec.split(",") if s):
        opt, _, n = item.partition("=")
        if opt not in args.optimizers or not n.isdigit() or int(n) < 1:
            ap.error(f"--max-budget-for: `{item}` is not OPT=N with OPT in --optimizers, N >= 1")
        args.max_budget_for[opt] = int(n)
    spec, args.seeds_for = args.seeds_for, {}
    for item in (s for s in spec.split(",") if s):
        opt, _, n = item.partition("=")
        if opt not in args.optimizers or not n.isdigit() or int(n) < 1:
            ap.error(f"--seeds-for: `{item}` is not OPT=N with OPT in --optimizers, N >= 1")
        args.seeds_for[opt] = int(n)
    return args


def problem_table() -> str:
    """The suite as a markdown table (bench/README.md shows it)."""
    out = ["| problem | family | half | params | budget | optimum | what |",
           "|---|---|---|---|---|---|---|"]
    for name in P.SUITE:
        p = P.get(name)
        out.append(f"| `{name}` | {p.family} | {p.half} | {p.dims} | {p.budget} | "
                   f"{p.optimum:.6g} | {p.description} |")
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        print(problem_table())
        return 0
    # Fail fast on a missing library rather than after minutes of other runs.
    needed = set()
    for opt in args.optimizers:
        family = opt.split("-", 1)[0]
        if family != "tunekit":
            needed.add(family)
        needed.update(SAMPLER_PACKAGES.get(opt, ()))
    for mod in sorted(needed):
        try:
            __import__(mod)
        except ImportError:
            sys.exit(f"{mod} is not installed here: run `bash bench/setup.sh` and use the "
                     "python of its venv (see bench/README.md)")
    versions = package_versions()
    cells = load_reusable(args.reuse)
    uses_tunekit = any(o.startswith("tunekit-") for o in args.optimizers)
    if uses_tunekit:
        prebuild_driver()
    seeds_of = {o: args.seeds_for.get(o, args.seeds) for o in args.optimizers}
    budget_of = {p: args.budget or P.get(p).budget for p in args.problems}

    def runs_here(pname, opt):
        return budget_of[pname] <= args.max_budget_for.get(opt, budget_of[pname])
    total = sum(seeds_of[o] for p in args.problems for o in args.optimizers if runs_here(p, o))
    runs: list = []
    warmed: set = set()
    partial = open(args.out + ".partial", "w")
    t_all = time.perf_counter()
    i = 0
    for pname in args.problems:
        problem = P.get(pname)
        budget = budget_of[pname]
        for opt in args.optimizers:
            if not runs_here(pname, opt):
                continue
            wanted = dict(optimizer_versions(opt, versions), problem=problem_version(problem))
            for seed in range(seeds_of[opt]):
                i += 1
                res = reuse_cell(cells, problem, opt, seed, budget, wanted)
                if res is None and args.reuse_only:
                    print(f"[{i}/{total}] {pname} {opt} seed={seed}: not in the --reuse "
                          "files, left out (--reuse-only)", file=sys.stderr, flush=True)
                    continue
                if res is not None:
                    msg = f"regret={_fmt(res.regret)} (reused from {res.reused_from})"
                else:
                    if opt not in warmed:
                        warm_up(opt, args.driver_timeout)
                        warmed.add(opt)
                    try:
                        res = run_one(problem, opt, seed, budget, args.driver_timeout)
                        msg = (f"regret={_fmt(res.regret)} ask={_fmt(res.ask_ms_mean)}ms "
                               f"({res.wall_s:.1f}s)")
                    except RunError as exc:
                        res = RunResult(pname, opt, seed, budget, error=str(exc))
                        msg = f"FAILED: {exc}"
                    res.versions = wanted
                    res.run_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                runs.append(res)
                # Every finished cell is on disk at once (one JSON line each), so an
                # interrupted run can be continued with --reuse <out>.partial.
                partial.write(json.dumps(asdict(res)) + "\n")
                partial.flush()
                print(f"[{i}/{total}] {pname} {opt} seed={seed}: {msg}", file=sys.stderr,
                      flush=True)

    partial.close()
    summary = summarize(runs, args.problems, args.optimizers)
    tables = markdown_tables(summary, args.problems, args.optimizers, args.budget, args.seeds,
                             args.seeds_for)
    meta = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "budget": args.budget, "seeds": args.seeds, "seeds_for": args.seeds_for,
        "max_budget_for": args.max_budget_for,
        "problems": {p: {"optimum": P.get(p).optimum, "dims": len(P.get(p).space),
                         "description": P.get(p).description, "family": P.get(p).family,
                         "half": P.get(p).half, "budget": budget_of[p],
                         "fingerprint": problem_version(P.get(p)),
                         "noisy": P.get(p).noiseless is not None} for p in args.problems},
        "half_rule": P.suite_half_rule(),
        "optimizers": args.optimizers,
        "tunekit_driver": shlex.join(driver_command()) if uses_tunekit else None,
        "versions": versions,
        "command": command_line(argv),
        "reused_runs": sum(r.reused_from is not None for r in runs),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "total_wall_s": time.perf_counter() - t_all,
    }
    tmp = args.out + ".tmp"
    with _open_text(tmp, "w", gz=args.out.endswith(".gz")) as f:
        write_results(f, meta, summary, runs)
    os.replace(tmp, args.out)
    if os.path.exists(args.out + ".partial"):
        os.remove(args.out + ".partial")
    if args.md:
        with open(args.md, "w") as f:
            f.write(markdown_report(meta, tables))

    print(tables)
    if uses_tunekit:
        print(f"\ntunekit driver: `{meta['tunekit_driver']}`")
    print(f"\nresults: {os.path.relpath(args.out)}; {meta['total_wall_s']:.0f}s total")
    return 1 if any(r.error for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
