"""Benchmark objectives for comparing tunekit's samplers against Optuna and hyperopt.

Every problem carries:

* ``space``: the search space in tunekit's JSON form (a list of param dicts, parents
  before children), exactly what is sent to the tunekit driver and what the Optuna /
  hyperopt adapters in ``compare.py`` translate;
* ``direction``: always ``"minimize"`` here;
* ``optimum`` / ``optimum_params``: the known global minimum and one point attaining it,
  so that ``regret = best_found - optimum`` (verified numerically in test_problems.py);
* ``evaluate(params) -> float``: the objective, called with the *active* params only.

This module is pure standard-library Python on purpose: the same code scores every
optimizer, and the tests for it run under a bare ``python3`` without numpy.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from typing import Callable, Optional

# Relative tolerance for "is this float on the step grid"; matches tunekit's
# GRID_TOLERANCE in runtime/src/space/domain.rs.
GRID_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- space helpers


def float_param(name, low, high, log=False, step=None, condition=None):
    """A float param in tunekit's JSON form (``log`` and ``step`` always present)."""
    p = {"name": name, "type": "float", "low": float(low), "high": float(high),
         "log": bool(log), "step": None if step is None else float(step)}
    if condition is not None:
        p["condition"] = condition
    return p


def int_param(name, low, high, log=False, step=None, condition=None):
    """An int param in tunekit's JSON form (``step`` null means 1)."""
    p = {"name": name, "type": "int", "low": int(low), "high": int(high),
         "log": bool(log), "step": None if step is None else int(step)}
    if condition is not None:
        p["condition"] = condition
    return p


def cat_param(name, choices, condition=None):
    """A categorical param in tunekit's JSON form."""
    p = {"name": name, "type": "categorical", "choices": list(choices)}
    if condition is not None:
        p["condition"] = condition
    return p


def when(parent, *values):
    """Condition: active only when categorical ``parent`` takes one of ``values``."""
    return {"parent": parent, "values": list(values)}


def same_value(a, b) -> bool:
    """JSON-value equality that keeps types apart (``True != 1``, ``1 != 1.0``, as in
    tunekit's ``Value::same``), so a categorical choice matches only itself."""
    return type(a) is type(b) and a == b


def grid_count(low, high, step) -> int:
    """Number of grid points ``low + k*step <= high`` (tolerant to float rounding, so
    0..1 step 0.1 has 11 points). Same rule as tunekit's ``float_grid_len``."""
    n = (high - low) / step
    return int(math.floor(n + GRID_TOLERANCE * max(n, 1.0))) + 1


def is_active(param: dict, params: dict) -> bool:
    """Whether ``param`` is active given the values chosen so far.

    A conditional param is active iff its parent is present (hence itself active) and
    holds one of the condition's values. Because parents precede children in a space,
    evaluating params in order and only recording active ones gives the active set.
    """
    cond = param.get("condition")
    if cond is None:
        return True
    parent = cond["parent"]
    return parent in params and any(same_value(params[parent], v) for v in cond["values"])


def active_names(space: list, params: dict) -> list:
    """Names of the params that should be present for the categorical choices in
    ``params`` (walks the space in order)."""
    chosen: dict = {}
    names = []
    for p in space:
        if is_active(p, chosen):
            names.append(p["name"])
            if p["name"] in params:
                chosen[p["name"]] = params[p["name"]]
    return names


def validate_space(space: list) -> None:
    """Raise ValueError if ``space`` is not a valid tunekit space.

    Mirrors tunekit's own rules (runtime/src/space): unique non-empty names; finite bounds
    with low < high; log needs low > 0 (float) / low >= 1 (int); step > 0 and no wider
    than the range; log and step (other than int step 1) cannot be combined; categorical
    choices non-empty, distinct, JSON scalars; a condition names an *earlier* categorical
    parent and a non-empty list of that parent's choices.
    """
    seen: dict = {}
    for p in space:
        name = p.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"param without a valid name: {p!r}")
        if name in seen:
            raise ValueError(f"{name}: name used twice")
        kind = p.get("type")
        if kind in ("float", "int"):
            low, high, log, step = p["low"], p["high"], p.get("log", False), p.get("step")
            num = (int,) if kind == "int" else (int, float)
            for v in (low, high):
                if isinstance(v, bool) or not isinstance(v, num) or not math.isfinite(v):
                    raise ValueError(f"{name}: bad bound {v!r}")
            if not low < high:
                raise ValueError(f"{name}: need low < high, got {low}..{high}")
            if log and (low <= 0 if kind == "float" else low < 1):
                raise ValueError(f"{name}: log scale needs a positive low, got {low}")
            if step is not None:
                if isinstance(step, bool) or not isinstance(step, num) or not step > 0:
                    raise ValueError(f"{name}: bad step {step!r}")
                if step > high - low:
                    raise ValueError(f"{name}: step wider than the range")
                if log and not (kind == "int" and step == 1):
                    raise ValueError(f"{name}: log and step cannot be combined")
        elif kind == "categorical":
            choices = p.get("choices")
            if not isinstance(choices, list) or not choices:
                raise ValueError(f"{name}: categorical needs a non-empty choices list")
            for i, c in enumerate(choices):
                if not isinstance(c, (str, int, float, bool)):
                    raise ValueError(f"{name}: choice {c!r} is not a JSON scalar")
                if isinstance(c, float) and not math.isfinite(c):
                    raise ValueError(f"{name}: choice {c!r} is not finite")
                if any(same_value(c, d) for d in choices[:i]):
                    raise ValueError(f"{name}: choice {c!r} listed twice")
        else:
            raise ValueError(f"{name}: unknown type {kind!r}")
        cond = p.get("condition")
        if cond is not None:
            parent = seen.get(cond.get("parent"))
            if parent is None:
                raise ValueError(f"{name}: condition parent {cond.get('parent')!r} "
                                 "is not an earlier param")
            if parent["type"] != "categorical":
                raise ValueError(f"{name}: condition parent must be categorical")
            values = cond.get("values")
            if not isinstance(values, list) or not values:
                raise ValueError(f"{name}: condition needs a non-empty values list")
            for v in values:
                if not any(same_value(v, c) for c in parent["choices"]):
                    raise ValueError(f"{name}: condition value {v!r} is not a choice "
                                     f"of {parent['name']}")
        seen[name] = p


def sample_params(space: list, rng: random.Random) -> dict:
    """A uniformly random valid point (log-uniform on log scales, uniform over grids and
    choices), drawn in space order so that only active params are present."""
    params: dict = {}
    for p in space:
        if not is_active(p, params):
            continue
        if p["type"] == "categorical":
            params[p["name"]] = rng.choice(p["choices"])
            continue
        low, high, log, step = p["low"], p["high"], p.get("log"), p.get("step")
        if p["type"] == "int":
            if log:
                v = int(round(math.exp(rng.uniform(math.log(low - 0.5), math.log(high + 0.5)))))
                params[p["name"]] = min(max(v, low), high)
            else:
                st = step or 1
                params[p["name"]] = low + st * rng.randrange(grid_count(low, high, st))
        elif step is not None:
            params[p["name"]] = min(low + step * rng.randrange(grid_count(low, high, step)), high)
        elif log:
            params[p["name"]] = min(max(math.exp(rng.uniform(math.log(low), math.log(high))),
                                        low), high)
        else:
            params[p["name"]] = rng.uniform(low, high)
    return params


def check_params(space: list, params: dict) -> list:
    """Problems with a sampled ``params`` dict (empty list when it is valid).

    Used on every trial of every optimizer, so a broken adapter or driver shows up as an
    error instead of silently scoring a point outside the space.
    """
    errors = []
    expected = active_names(space, params)
    for missing in [n for n in expected if n not in params]:
        errors.append(f"active param {missing!r} missing")
    for extra in [n for n in params if n not in expected]:
        errors.append(f"param {extra!r} present but inactive or unknown")
    for p in space:
        name = p["name"]
        if name not in params or name not in expected:
            continue
        v = params[name]
        if p["type"] == "categorical":
            if not any(same_value(v, c) for c in p["choices"]):
                errors.append(f"{name}={v!r} is not one of {p['choices']}")
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            errors.append(f"{name}={v!r} is not a finite number")
            continue
        if p["type"] == "int" and not isinstance(v, int):
            errors.append(f"{name}={v!r} is not an integer")
            continue
        if not p["low"] <= v <= p["high"]:
            errors.append(f"{name}={v!r} outside [{p['low']}, {p['high']}]")
            continue
        step = p.get("step")
        if p["type"] == "int" and step and (v - p["low"]) % step:
            errors.append(f"{name}={v!r} not on the grid {p['low']} + k*{step}")
        if p["type"] == "float" and step:
            k = (v - p["low"]) / step
            if abs(k - round(k)) > GRID_TOLERANCE * max(abs(k), 1.0):
                errors.append(f"{name}={v!r} not on the grid {p['low']} + k*{step}")
    return errors


# --------------------------------------------------------------------------- problem type


@dataclass
class Problem:
    name: str
    description: str
    space: list
    evaluate: Callable[[dict], float]
    optimum: float
    optimum_params: dict
    direction: str = "minimize"
    tags: list = field(default_factory=list)
    # Suite fields (suite.py); the seven classic problems keep the defaults.
    family: str = "classic"
    half: Optional[str] = None          # "tuning" or "heldout"; None outside the suite
    budget: int = 100                   # trials per run unless --budget says otherwise
    # Noisy problems: ``evaluate`` returns the noisy observation the optimizer sees and
    # ``noiseless`` the true value, on which the regret is scored (see compare.py).
    noiseless: Optional[Callable[[dict], float]] = None
    dims: Optional[int] = None
    data_sha256: Optional[str] = None   # tabular problems: hash of their table

    def regret(self, best_value: float) -> float:
        return best_value - self.optimum

    def true_value(self, params: dict) -> float:
        """The noiseless objective (``evaluate`` itself for a noise-free problem)."""
        return (self.noiseless or self.evaluate)(params)

    def fingerprint(self) -> str:
        """A hash of everything that defines this problem: space, optimum and its point,
        table hash, and the objective's values (noisy and noiseless) at 24 fixed random
        points. A result cell is reused only while it is unchanged (compare.py
        --reuse), so a changed problem is re-run and an added one leaves the rest alone."""
        rng = random.Random(f"fingerprint/{self.name}")
        probes = [sample_params(self.space, rng) for _ in range(24)]
        probes.append(self.optimum_params)
        values = [[repr(float(self.evaluate(x))), repr(float(self.true_value(x)))]
                  for x in probes]
        blob = json.dumps({"space": self.space, "optimum": repr(float(self.optimum)),
                           "optimum_params": self.optimum_params, "probes": probes,
                           "values": values, "data": self.data_sha256}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _vector(params: dict, d: int) -> list:
    return [float(params[f"x{i}"]) for i in range(d)]


def _box(d: int, low: float, high: float) -> list:
    return [float_param(f"x{i}", low, high) for i in range(d)]


# --------------------------------------------------------------------------- classic functions


def branin(params: dict) -> float:
    """Branin-Hoo on x0 in [-5, 10], x1 in [0, 15]; three global minima of 5/(4*pi)."""
    x1, x2 = float(params["x0"]), float(params["x1"])
    a, b, c = 1.0, 5.1 / (4.0 * math.pi ** 2), 5.0 / math.pi
    r, s, t = 6.0, 10.0, 1.0 / (8.0 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1.0 - t) * math.cos(x1) + s


_H6_ALPHA = (1.0, 1.2, 3.0, 3.2)
_H6_A = (
    (10.0, 3.0, 17.0, 3.5, 1.7, 8.0),
    (0.05, 10.0, 17.0, 0.1, 8.0, 14.0),
    (3.0, 3.5, 1.7, 10.0, 17.0, 8.0),
    (17.0, 8.0, 0.05, 10.0, 0.1, 14.0),
)
_H6_P = tuple(tuple(v * 1e-4 for v in row) for row in (
    (1312, 1696, 5569, 124, 8283, 5886),
    (2329, 4135, 8307, 3736, 1004, 9991),
    (2348, 1451, 3522, 2883, 3047, 6650),
    (4047, 8828, 8732, 5743, 1091, 381),
))
# Global minimiser and minimum, polished with scipy (see test_problems.py, which
# re-derives both); the classic literature value is -3.32237.
_H6_XSTAR = (0.20168951265373836, 0.15001069271431292, 0.47687397569483974,
             0.27533243048326525, 0.31165161659745635, 0.65730053959686655)


def hartmann6(params: dict) -> float:
    x = _vector(params, 6)
    total = 0.0
    for alpha, a_row, p_row in zip(_H6_ALPHA, _H6_A, _H6_P):
        total += alpha * math.exp(-sum(a * (xi - p) ** 2 for a, xi, p in zip(a_row, x, p_row)))
    return -total


def rosenbrock(params: dict, d: int = 5) -> float:
    x = _vector(params, d)
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2 for i in range(d - 1))


def rastrigin(params: dict, d: int = 6) -> float:
    x = _vector(params, d)
    return 10.0 * d + sum(xi * xi - 10.0 * math.cos(2.0 * math.pi * xi) for xi in x)


def ackley(params: dict, d: int = 5) -> float:
    x = _vector(params, d)
    s1 = sum(xi * xi for xi in x) / d
    s2 = sum(math.cos(2.0 * math.pi * xi) for xi in x) / d
    # At the origin this leaves a ~4e-16 rounding residue; regret treats it as 0.
    return -20.0 * math.exp(-0.2 * math.sqrt(s1)) - math.exp(s2) + 20.0 + math.e


# --------------------------------------------------------------------------- mixed problem

MIXED_SPACE = [
    float_param("lr", 1e-5, 1e-1, log=True),
    int_param("layers", 1, 8),
    cat_param("batch", ["32", "64", "128", "256"]),
    float_param("dropout", 0.0, 0.5, step=0.05),
    cat_param("activation", ["relu", "tanh", "gelu"]),
    int_param("warmup", 0, 1000, step=100),
]
_BATCH_PENALTY = {"32": 0.04, "64": 0.01, "128": 0.0, "256": 0.03}
_ACTIVATION_PENALTY = {"relu": 0.02, "tanh": 0.06, "gelu": 0.0}


def mixed_loss(params: dict) -> float:
    """A fake "validation loss" of a training run, minimum 0.05.

    * the best log10(lr) follows the linear-scaling rule: it grows with log2(batch),
      so lr and batch interact (-2.5 at batch 128);
    * a learning rate more than 1.2 decades above that best value "diverges": a
      +0.5 cliff, the kind of discontinuity real training losses have;
    * the best dropout grows with depth (0.05 per layer beyond the first), so
      dropout and layers interact; on every depth its best value is on the 0.05 grid;
    * depth itself prefers 5 layers, batch prefers 128, activation gelu, warmup 300.
    """
    log_lr = math.log10(float(params["lr"]))
    layers = int(params["layers"])
    batch = params["batch"]
    dropout = float(params["dropout"])
    warmup = int(params["warmup"])

    lr_star = -2.5 + 0.3 * math.log2(int(batch) / 128)
    loss = 0.05
    loss += 0.08 * (log_lr - lr_star) ** 2
    if log_lr > lr_star + 1.2:
        loss += 0.5
    loss += 0.01 * (layers - 5) ** 2
    loss += 1.5 * (dropout - 0.05 * (layers - 1)) ** 2
    loss += _BATCH_PENALTY[batch]
    loss += _ACTIVATION_PENALTY[params["activation"]]
    loss += 0.02 * ((warmup - 300) / 100.0) ** 2 / 4.0
    return loss


# --------------------------------------------------------------------------- conditional problem

COND_SPACE = [
    cat_param("preprocess", ["none", "standardize"]),
    cat_param("model", ["linear", "tree", "nn"]),
    # linear branch, with a nested condition (penalty -> l1_ratio)
    float_param("linear.C", 1e-4, 1e2, log=True, condition=when("model", "linear")),
    cat_param("linear.penalty", ["l1", "l2", "elasticnet"], condition=when("model", "linear")),
    float_param("linear.l1_ratio", 0.0, 1.0, condition=when("linear.penalty", "elasticnet")),
    # tree branch
    int_param("tree.depth", 1, 20, condition=when("model", "tree")),
    int_param("tree.estimators", 10, 500, step=10, condition=when("model", "tree")),
    float_param("tree.lr", 1e-3, 1.0, log=True, condition=when("model", "tree")),
    # nn branch
    float_param("nn.lr", 1e-5, 1e-1, log=True, condition=when("model", "nn")),
    int_param("nn.layers", 1, 6, condition=when("model", "nn")),
    int_param("nn.units", 16, 1024, log=True, condition=when("model", "nn")),
    # shared by two branches: a condition with several values
    float_param("reg", 1e-6, 1e-1, log=True, condition=when("model", "tree", "nn")),
]


def conditional_loss(params: dict) -> float:
    """A tree-structured "model selection" objective, global minimum 0.08 (nn branch).

    linear: broad, easy basin, best 0.29 (elasticnet with l1_ratio 0.3, C = 10**0.5);
    tree:   best 0.12 at depth 7, 300 estimators, lr = 10/estimators (a ridge in
            (estimators, lr) made unique by a mild preference for 300 estimators);
    nn:     best 0.08 at lr 1e-3, 3 layers, 256 units, but the basin is narrow and
            lr above 10**-1.5 "diverges" (+0.5);
    tree and nn share ``reg`` (best 1e-3); "standardize" beats "none" by 0.03.
    """
    loss = 0.0 if params["preprocess"] == "standardize" else 0.03
    model = params["model"]
    if model == "linear":
        log_c = math.log10(float(params["linear.C"]))
        loss += 0.30 + 0.01 * (log_c - 0.5) ** 2
        penalty = params["linear.penalty"]
        if penalty == "l1":
            loss += 0.02
        elif penalty == "elasticnet":
            loss += -0.01 + 0.1 * (float(params["linear.l1_ratio"]) - 0.3) ** 2
    else:
        loss += 0.02 * (math.log10(float(params["reg"])) + 3.0) ** 2
        if model == "tree":
            depth = int(params["tree.depth"])
            n_est = int(params["tree.estimators"])
            log_lr = math.log10(float(params["tree.lr"]))
            loss += 0.12 + 0.002 * (depth - 7) ** 2
            loss += 0.1 * (log_lr - math.log10(10.0 / n_est)) ** 2
            loss += 0.005 * (n_est / 100.0 - 3.0) ** 2
        elif model == "nn":
            log_lr = math.log10(float(params["nn.lr"]))
            loss += 0.08 + 0.06 * (log_lr + 3.0) ** 2
            if log_lr > -1.5:
                loss += 0.5
            loss += 0.01 * (int(params["nn.layers"]) - 3) ** 2
            loss += 0.01 * (math.log2(int(params["nn.units"])) - 8.0) ** 2
        else:
            raise ValueError(f"unknown model {model!r}")
    return loss


# --------------------------------------------------------------------------- registry


def _xs(values) -> dict:
    return {f"x{i}": v for i, v in enumerate(values)}


PROBLEMS: dict = {}


def _register(problem: Problem) -> None:
    validate_space(problem.space)
    PROBLEMS[problem.name] = problem


_register(Problem(
    name="branin",
    description="Branin-Hoo, 2-d, three global minima",
    space=[float_param("x0", -5.0, 10.0), float_param("x1", 0.0, 15.0)],
    evaluate=branin,
    optimum=5.0 / (4.0 * math.pi),  # = 10 * (1/(8 pi)), ~0.397887
    optimum_params=_xs([math.pi, 2.275]),
    tags=["continuous"],
))
_register(Problem(
    name="hartmann6",
    description="Hartmann-6 on the unit cube",
    space=_box(6, 0.0, 1.0),
    evaluate=hartmann6,
    optimum=-3.322368011415515,
    optimum_params=_xs(_H6_XSTAR),
    tags=["continuous"],
))
_register(Problem(
    name="rosenbrock5",
    description="Rosenbrock, 5-d on [-5, 10]",
    space=_box(5, -5.0, 10.0),
    evaluate=rosenbrock,
    optimum=0.0,
    optimum_params=_xs([1.0] * 5),
    tags=["continuous"],
))
_register(Problem(
    name="rastrigin6",
    description="Rastrigin, 6-d on [-5.12, 5.12] (highly multimodal)",
    space=_box(6, -5.12, 5.12),
    evaluate=rastrigin,
    optimum=0.0,
    optimum_params=_xs([0.0] * 6),
    tags=["continuous"],
))
_register(Problem(
    name="ackley5",
    description="Ackley, 5-d on [-32.768, 32.768]",
    space=_box(5, -32.768, 32.768),
    evaluate=ackley,
    optimum=0.0,
    optimum_params=_xs([0.0] * 5),
    tags=["continuous"],
))
_register(Problem(
    name="mixed",
    description="fake training loss: log-float lr, int layers, categorical batch and "
                "activation, stepped dropout and warmup",
    space=MIXED_SPACE,
    evaluate=mixed_loss,
    optimum=0.05,
    optimum_params={"lr": 10 ** -2.5, "layers": 5, "batch": "128", "dropout": 0.2,
                    "activation": "gelu", "warmup": 300},
    tags=["mixed"],
))
_register(Problem(
    name="conditional",
    description="tree-structured model selection: linear / tree / nn branches, nested "
                "and shared conditional params",
    space=COND_SPACE,
    evaluate=conditional_loss,
    optimum=0.08,
    optimum_params={"preprocess": "standardize", "model": "nn", "nn.lr": 1e-3,
                    "nn.layers": 3, "nn.units": 256, "reg": 1e-3},
    tags=["conditional"],
))


CLASSIC = list(PROBLEMS)  # the seven problems of the first comparisons (not in the suite)

# The suite's problems, filled by suite.py (SUITE: names in suite order; HALVES: the
# names of each half).
SUITE: list = []
HALVES: dict = {"tuning": [], "heldout": []}


def _register_suite(problems: list) -> None:
    for p in problems:
        _register(p)
        SUITE.append(p.name)
        HALVES[p.half].append(p.name)


def suite_half_rule() -> str:
    """How the suite's halves were drawn (for the reports)."""
    return _suite.HALF_RULE


# suite.py imports this module for its helpers and registers its problems when it has
# run to its end. Importing it here, last, makes `import problems` enough; if suite.py
# was imported first, this returns the half-run module and suite.py registers later.
import suite as _suite  # noqa: E402


def get(name: str) -> Problem:
    try:
        return PROBLEMS[name]
    except KeyError:
        raise KeyError(f"unknown problem {name!r}; known: {', '.join(PROBLEMS)}") from None
