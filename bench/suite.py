"""The benchmark suite (issue 13): 30 seeded problems in 8 families, split into a tuning
half and a held-out half by a fixed rule.

Families, in this order (the order matters for the halves, see ``HALF_RULE``):

0. ``smooth``: shifted sphere and rotated quadratic (condition number 10);
1. ``illcond``: rotated ellipsoid (condition number 1e4) and a narrow curved valley;
2. ``peaks``: the maximum of many Gaussian / Cauchy bumps of random height, width and
   position (the tallest, height 1, is the optimum: -1);
3. ``deceptive``: a sum over coordinates of min(wide rippled basin, narrow far well):
   the wide basin (value 0.3 per coordinate) attracts, the narrow well (0) is the optimum;
4. ``mixed``: seeded "training loss" surrogates over log-float, float, stepped float,
   int, log-int and categorical params, with interactions and a divergence cliff;
5. ``conditional``: seeded tree-shaped spaces (a model choice with per-branch children,
   a nested categorical, a param shared by two branches);
6. ``noisy``: a noisy observation of a smooth / peaks / tabular / mixed objective; the
   regret is scored on the noiseless value of the trial with the best observed value;
7. ``tabular``: look-ups in tables of 3-fold CV error of models really trained on the
   digits data (bench/data/make_tables.py, numpy; the tables are committed).

Every problem is deterministic (instances come from ``random.Random`` seeded with a
string, which hashes it with SHA-512: the same on every Python 3), knows its exact optimum
by construction (each objective is a sum of non-negative terms that all vanish at one
stated point, or a table whose minimum is read off), and states its budget.

Standard library only, like problems.py, so the tests run under a bare python.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random

import problems as P

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

FAMILIES = ["smooth", "illcond", "peaks", "deceptive", "mixed", "conditional", "noisy",
            "tabular"]
HALF_RULE = ("member i (0-based, in the listed order) of family number f (in FAMILIES "
             "order) is in the tuning half when i + f is even, else in the held-out half")
# Trials per run by dimension for the continuous families.
BUDGET_BY_DIM = {2: 80, 5: 120, 10: 200, 20: 400}


def half_of(family_index: int, member_index: int) -> str:
    """The fixed split (``HALF_RULE``): alternate within each family, starting on the
    tuning side for even family numbers, so each half gets every dimension twice."""
    return "tuning" if (family_index + member_index) % 2 == 0 else "heldout"


# --------------------------------------------------------------------------- helpers


def _rng(tag: str) -> random.Random:
    # String seeds are hashed with SHA-512 (random.seed version 2): stable across Pythons.
    return random.Random(f"tunekit-bench-suite/{tag}")


def _rotation(d: int, rng: random.Random) -> list:
    """A random orthogonal matrix (rows), by Gram-Schmidt on a Gaussian matrix."""
    rows: list = []
    while len(rows) < d:
        v = [rng.gauss(0.0, 1.0) for _ in range(d)]
        for r in rows:
            dot = sum(a * b for a, b in zip(v, r))
            v = [a - dot * b for a, b in zip(v, r)]
        norm = math.sqrt(sum(a * a for a in v))
        if norm > 1e-6:
            rows.append([a / norm for a in v])
    return rows


def _matvec(m: list, v: list) -> list:
    return [sum(a * b for a, b in zip(row, v)) for row in m]


def _log_spaced(d: int, kappa: float) -> list:
    """d weights from 1 to kappa, evenly spaced in log (1 when d = 1)."""
    if d == 1:
        return [1.0]
    return [kappa ** (i / (d - 1)) for i in range(d)]


def _unit_noise(key: str) -> float:
    """A standard normal number that is a fixed function of ``key`` (Box-Muller on two
    uniforms from its SHA-256): noise that is reproducible for every optimizer."""
    h = hashlib.sha256(key.encode()).digest()
    u1 = (int.from_bytes(h[:8], "big") + 0.5) / 2.0 ** 64
    u2 = int.from_bytes(h[8:16], "big") / 2.0 ** 64
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _params_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True)


# --------------------------------------------------------------------------- continuous


class Continuous:
    """A continuous problem on the box [lo, hi]^d, written in terms of
    z = (x - x*) / (hi - lo), so that z is exactly 0 at the stated minimiser x*."""

    def __init__(self, d: int, lo: float, hi: float, xstar: list):
        self.d, self.lo, self.hi, self.xstar = d, lo, hi, xstar
        self.span = hi - lo

    def z(self, params: dict) -> list:
        return [(float(params[f"x{i}"]) - s) / self.span for i, s in enumerate(self.xstar)]

    def space(self) -> list:
        return [P.float_param(f"x{i}", self.lo, self.hi) for i in range(self.d)]

    def optimum_params(self) -> dict:
        return {f"x{i}": v for i, v in enumerate(self.xstar)}


def _inner_point(rng: random.Random, d: int, lo: float, hi: float, margin=0.15) -> list:
    """A point in the box, away from the centre's symmetry and from the faces."""
    return [lo + (hi - lo) * rng.uniform(margin, 1.0 - margin) for _ in range(d)]


def make_quadratic(tag: str, d: int, kappa: float, rotate: bool, lo: float, hi: float):
    """sum_i w_i (R z)_i^2 with weights log-spaced from 1 to kappa (kappa = 1 and no
    rotation: a shifted sphere). Optimum 0 at x*."""
    rng = _rng(tag)
    box = Continuous(d, lo, hi, _inner_point(rng, d, lo, hi))
    w = _log_spaced(d, kappa)
    rot = _rotation(d, rng) if rotate else None

    def f(params: dict) -> float:
        z = box.z(params)
        if rot is not None:
            z = _matvec(rot, z)
        return 100.0 * sum(wi * zi * zi for wi, zi in zip(w, z))
    return box, f


def make_valley(tag: str, d: int, lo: float, hi: float):
    """A narrow curved valley in a random rotated frame: y = R z,
    f = 100 y_0^2 + 1e5 * sum_{i>0} (y_i - 4 y_0^2)^2. The valley floor y_i = 4 y_0^2 is
    a parabola; across it the walls are ~1000x steeper than along it. Optimum 0 at x*."""
    rng = _rng(tag)
    box = Continuous(d, lo, hi, _inner_point(rng, d, lo, hi, margin=0.25))
    rot = _rotation(d, rng)

    def f(params: dict) -> float:
        y = _matvec(rot, box.z(params))
        head = y[0] * y[0]
        return 100.0 * head + 1e5 * sum((yi - 4.0 * head) ** 2 for yi in y[1:])
    return box, f


def make_peaks(tag: str, d: int, n_peaks: int, lo: float = 0.0, hi: float = 10.0):
    """-max_k h_k K_k(|x - c_k| / (span w_k)): the best of n_peaks bumps. Heights: peak 0
    is 1, the others uniform in [0.25, 0.9]; kernels Gaussian exp(-r^2/2) or Cauchy
    1/(1+r^2) at random; widths uniform in [0.03, 0.12] * sqrt(d) (in units of the box);
    centres uniform in the inner 90% of the box. K <= 1 with equality only at r = 0 and
    h_k < 1 for k > 0, so the optimum is exactly -1 at c_0 and nowhere else."""
    rng = _rng(tag)
    centres, widths, heights, kinds = [], [], [], []
    for k in range(n_peaks):
        centres.append(_inner_point(rng, d, lo, hi, margin=0.05))
        widths.append(rng.uniform(0.03, 0.12) * math.sqrt(d))
        heights.append(1.0 if k == 0 else rng.uniform(0.25, 0.9))
        kinds.append(rng.choice(["gauss", "cauchy"]))
    box = Continuous(d, lo, hi, centres[0])
    span = hi - lo

    def f(params: dict) -> float:
        x = [float(params[f"x{i}"]) for i in range(d)]
        best = 0.0
        for c, w, h, kind in zip(centres, widths, heights, kinds):
            r2 = sum((xi - ci) ** 2 for xi, ci in zip(x, c)) / (span * w) ** 2
            v = h * (math.exp(-0.5 * r2) if kind == "gauss" else 1.0 / (1.0 + r2))
            best = max(best, v)
        return -best
    return box, f


def make_deceptive(tag: str, d: int, width: float, lo: float = -50.0, hi: float = 50.0):
    """(1/d) sum_i min(wide_i, narrow_i) with, in units t of the box,
    wide_i = 0.3 + 2 (t - a_i)^2 + 0.04 (1 - cos(12 pi (t - a_i))) (a rippled bowl, 0.3 at
    a_i, covering most of the range) and narrow_i = ((t - g_i) / width)^2, a well
    0.3..0.45 of the range away from a_i. Each term is >= 0 and 0 only at g_i: optimum 0
    at g; every coordinate left in the wide basin costs 0.3/d."""
    rng = _rng(tag)
    a, g = [], []
    for _ in range(d):
        ai = rng.uniform(0.15, 0.85)
        side = 1.0 if ai < 0.5 else -1.0
        gi = ai + side * rng.uniform(0.3, 0.45)
        a.append(lo + (hi - lo) * ai)
        g.append(lo + (hi - lo) * gi)
    box = Continuous(d, lo, hi, g)
    span = hi - lo

    def f(params: dict) -> float:
        total = 0.0
        for i in range(d):
            x = float(params[f"x{i}"])
            ta, tg = (x - a[i]) / span, (x - g[i]) / span
            wide = 0.3 + 2.0 * ta * ta + 0.04 * (1.0 - math.cos(12.0 * math.pi * ta))
            total += min(wide, (tg / width) ** 2)
        return total / d
    return box, f


# --------------------------------------------------------------------------- mixed / conditional


class Numeric:
    """One numeric param of a generated surrogate, with its optimal value on its grid and
    ``u``: its position in [0, 1] (log scale for log params)."""

    def __init__(self, spec: dict, best):
        self.spec, self.best = spec, best
        self.name = spec["name"]
        lo, hi = spec["low"], spec["high"]
        if spec["log"]:
            self._lo, self._span = math.log(lo), math.log(hi) - math.log(lo)
        else:
            self._lo, self._span = float(lo), float(hi - lo)
        self.target = self.u(best)

    def u(self, value) -> float:
        v = math.log(value) if self.spec["log"] else float(value)
        return (v - self._lo) / self._span


def _numeric(rng: random.Random, name: str, kind: str, condition=None) -> Numeric:
    """A random numeric param of ``kind`` and its optimum, on the grid and inside
    [10%, 90%] of the range, so the optimum is never a bound."""
    def pick_grid(n):  # an index in the inner part of a grid of n points
        return rng.randint(max(1, n // 10), n - 1 - max(1, n // 10))
    if kind == "log":
        lo = 10.0 ** rng.choice([-6, -5, -4])
        hi = lo * 10.0 ** rng.choice([3, 4, 5])
        spec = P.float_param(name, lo, hi, log=True, condition=condition)
        best = math.exp(math.log(lo) + rng.uniform(0.1, 0.9) * (math.log(hi) - math.log(lo)))
    elif kind == "float":
        lo = rng.choice([-1.0, 0.0])
        hi = lo + rng.choice([1.0, 2.0, 10.0])
        spec = P.float_param(name, lo, hi, condition=condition)
        best = lo + rng.uniform(0.1, 0.9) * (hi - lo)
    elif kind == "step":
        step = rng.choice([0.05, 0.1, 0.25])
        n = rng.choice([9, 11, 17, 21])
        lo = rng.choice([0.0, 0.5])
        spec = P.float_param(name, lo, lo + step * (n - 1), step=step, condition=condition)
        best = lo + pick_grid(n) * step
    elif kind == "int":
        n = rng.choice([6, 8, 12, 20, 32])
        lo = rng.choice([0, 1])
        spec = P.int_param(name, lo, lo + n - 1, condition=condition)
        best = lo + pick_grid(n)
    elif kind == "intstep":
        step = rng.choice([10, 50, 100])
        n = rng.choice([11, 21])
        spec = P.int_param(name, 0, step * (n - 1), step=step, condition=condition)
        best = pick_grid(n) * step
    elif kind == "logint":
        lo = rng.choice([1, 8, 16])
        hi = lo * rng.choice([64, 128, 256])
        spec = P.int_param(name, lo, hi, log=True, condition=condition)
        best = int(round(math.exp(math.log(lo) + rng.uniform(0.15, 0.85)
                                  * (math.log(hi) - math.log(lo)))))
    else:
        raise ValueError(kind)
    return Numeric(spec, best)


def _choices(rng: random.Random, name: str, n: int) -> list:
    pool = [f"{name[:3]}{k}" for k in range(n)]
    rng.shuffle(pool)
    return pool


class Quadratic:
    """Delta^T H Delta with H = R^T diag(w) R positive definite (weights log-spaced from
    1 to kappa, times ``scale``): zero only at Delta = 0, with interactions between all
    the params it covers."""

    def __init__(self, rng: random.Random, n: int, kappa: float, scale: float):
        self.w = [scale * w for w in _log_spaced(n, kappa)]
        self.rot = _rotation(n, rng)

    def __call__(self, delta: list) -> float:
        return sum(w * y * y for w, y in zip(self.w, _matvec(self.rot, delta)))


def make_mixed(tag: str, kinds: list, n_cats: int):
    """A seeded "training loss" surrogate, optimum 0.1:

    * numeric params of the given kinds (``log``, ``float``, ``step``, ``int``,
      ``intstep``, ``logint``), each with an optimum on its grid; their deviations
      Delta_j = u_j - target_j (u: position in the range, log scale for log params) enter
      one positive definite quadratic with condition number 20 (all params interact);
    * the first categorical ``c0`` moves the target of the first numeric param (a log
      float, "lr vs batch size") by a per-choice offset, zero for its best choice;
    * the target of the second numeric param moves with the third's deviation
      ("dropout vs depth"): target_1 + 0.5 Delta_2, i.e. exact at the optimum;
    * Delta_0 > 0.3 (a learning rate too high) "diverges": +0.5;
    * every categorical adds a penalty per choice, 0 for its best one, else U(0.02, 0.3).

    Every term is >= 0 and all vanish at the stated optimum.
    """
    rng = _rng(tag)
    nums = [_numeric(rng, f"p{j}_{k}", k) for j, k in enumerate(kinds)]
    cats = []
    for c in range(n_cats):
        n = rng.choice([2, 3, 4, 5])
        choices = _choices(rng, f"cat{c}", n)
        penalty = {ch: (0.0 if i == 0 else rng.uniform(0.02, 0.3)) for i, ch in enumerate(choices)}
        rng.shuffle(choices)
        cats.append((P.cat_param(f"c{c}", choices), penalty))
    shift = {ch: (0.0 if p == 0.0 else rng.uniform(-0.3, 0.3)) for ch, p in cats[0][1].items()}
    quad = Quadratic(rng, len(nums), 20.0, 1.0)
    space = [n.spec for n in nums] + [c for c, _ in cats]
    optimum_params = {n.name: n.best for n in nums}
    optimum_params.update({c["name"]: min(pen, key=pen.get) for c, pen in cats})

    def f(params: dict) -> float:
        delta = [n.u(params[n.name]) - n.target for n in nums]
        delta[0] -= shift[params["c0"]]
        if len(delta) >= 3:
            delta[1] -= 0.5 * delta[2]
        loss = 0.1 + quad(delta)
        if delta[0] > 0.3:
            loss += 0.5
        for c, pen in cats:
            loss += pen[params[c["name"]]]
        return loss
    return space, f, 0.1, optimum_params


def make_conditional(tag: str, n_branches: int, sizes: list, nested: bool):
    """A seeded tree-shaped space, optimum 0.1:

    * root: ``model`` with ``n_branches`` choices, ``prep`` (a categorical with
      penalties) and ``scale`` (a float all branches use);
    * branch b has ``sizes[b]`` numeric children (random kinds) and a base loss: 0 for
      the best branch (branch 0), U(0.01, 0.15) for the others. The best branch is the
      narrowest: its quadratic is 5x steeper and it has the most children;
    * with ``nested``, branch 0 has a categorical ``m0.kind`` whose last-listed choice
      (best, penalty 0) activates one more param (a nested condition);
    * ``reg`` (log float) is shared by branches 0 and 1 (one condition, two values).

    Every term is >= 0; the loss is 0.1 at the stated optimum (branch 0, every target).
    """
    rng = _rng(tag)
    kinds_pool = ["log", "float", "step", "int", "intstep", "logint"]
    models = [f"m{b}" for b in range(n_branches)]
    prep_pen = {"none": rng.uniform(0.02, 0.1), "std": 0.0, "minmax": rng.uniform(0.0, 0.05)}
    scale_best = rng.uniform(0.1, 0.9)
    shared = _numeric(rng, "reg", "log", condition=P.when("model", "m0", "m1"))
    space = [P.cat_param("model", models), P.cat_param("prep", ["none", "std", "minmax"]),
             P.float_param("scale", 0.0, 1.0), shared.spec]
    branches = []
    for b, model in enumerate(models):
        kids = [_numeric(rng, f"{model}.p{j}", rng.choice(kinds_pool),
                         condition=P.when("model", model)) for j in range(sizes[b])]
        space += [k.spec for k in kids]
        nested_part = None
        if b == 0 and nested:
            kind = P.cat_param(f"{model}.kind", ["k0", "k1", "k2"], condition=P.when("model", model))
            inner = _numeric(rng, f"{model}.k2.p", rng.choice(kinds_pool),
                             condition=P.when(f"{model}.kind", "k2"))
            space += [kind, inner.spec]
            nested_part = ("m0.kind", {"k0": rng.uniform(0.03, 0.1),
                                       "k1": rng.uniform(0.01, 0.05), "k2": 0.0}, inner)
        n_cov = len(kids) + (1 if b < 2 else 0) + (1 if nested_part else 0)
        branches.append({"kids": kids, "shared": b < 2, "nested": nested_part,
                         "base": 0.0 if b == 0 else rng.uniform(0.01, 0.15),
                         "quad": Quadratic(rng, n_cov, 10.0, 5.0 if b == 0 else 1.0)})

    optimum_params = {"model": "m0", "prep": "std", "scale": scale_best, "reg": shared.best}
    optimum_params.update({k.name: k.best for k in branches[0]["kids"]})
    if nested:
        inner = branches[0]["nested"][2]
        optimum_params["m0.kind"] = "k2"
        optimum_params[inner.name] = inner.best

    def f(params: dict) -> float:
        loss = 0.1 + prep_pen[params["prep"]] + 0.5 * (float(params["scale"]) - scale_best) ** 2
        br = branches[models.index(params["model"])]
        loss += br["base"]
        delta = [k.u(params[k.name]) - k.target for k in br["kids"]]
        if br["shared"]:
            delta.append(shared.u(params["reg"]) - shared.target)
        if br["nested"] is not None:
            kind, pen, inner = br["nested"]
            choice = params[kind]
            loss += pen[choice]
            # The nested param counts only when active; otherwise its deviation is 0
            # (the penalty of the other choices keeps them above the optimum).
            delta.append(inner.u(params[inner.name]) - inner.target if choice == "k2" else 0.0)
        return loss + br["quad"](delta)
    return space, f, 0.1, optimum_params


# --------------------------------------------------------------------------- tabular


class Table:
    """A CSV written by bench/data/make_tables.py: config columns, then err0..errK-1
    (per fold) and err (their mean)."""

    def __init__(self, filename: str, columns: dict):
        self.path = os.path.join(DATA_DIR, filename)
        self.columns = columns          # CSV column -> (param name, value -> param value)
        self.rows: dict = {}
        with open(self.path, newline="") as f:
            for row in csv.DictReader(f):
                key = tuple(conv(row[col]) for col, (_, conv) in columns.items())
                folds = sorted(k for k in row if k.startswith("err") and k != "err")
                self.rows[key] = (float(row["err"]), [float(row[k]) for k in folds])
        with open(self.path, "rb") as f:
            self.sha256 = hashlib.sha256(f.read()).hexdigest()[:12]

    def key(self, params: dict) -> tuple:
        return tuple(params[name] for name, _ in self.columns.values())

    def best(self) -> tuple:
        key = min(self.rows, key=lambda k: (self.rows[k][0], k))
        return self.rows[key][0], dict(zip((n for n, _ in self.columns.values()), key))


def _mlp_table() -> Table:
    # lr on half-decades (1e-4, 3e-4, ... 3e-2) as the exponent index; units as log2.
    lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
    l2s = [0.0, 1e-4, 1e-3, 1e-2, 1e-1]
    return Table("digits_mlp.csv", {
        "lr": ("lr_level", lambda s: lrs.index(float(s))),
        "units": ("log2_units", lambda s: int(round(math.log2(int(s))))),
        "l2": ("l2_level", lambda s: l2s.index(float(s))),
        "activation": ("activation", str),
        "epochs": ("epochs", int),
    })


MLP_SPACE = [
    P.int_param("lr_level", 0, 5),        # lr = 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2
    P.int_param("log2_units", 4, 7),      # 16 .. 128 hidden units
    P.int_param("l2_level", 0, 4),        # L2 = 0, 1e-4, 1e-3, 1e-2, 1e-1
    P.cat_param("activation", ["relu", "tanh"]),
    P.cat_param("epochs", [5, 10, 20]),
]


def _knn_table() -> Table:
    ks = [1, 3, 5, 7, 9, 11, 15, 21]
    return Table("digits_knn.csv", {
        "scaling": ("scaling", str),
        "pca": ("log2_pca", lambda s: int(round(math.log2(int(s))))),
        "metric": ("metric", str),
        "k": ("k_level", lambda s: ks.index(int(s))),
        "weights": ("weights", str),
    })


KNN_SPACE = [
    P.cat_param("scaling", ["none", "standardize", "minmax"]),
    P.int_param("log2_pca", 2, 6),        # 4 .. 64 PCA components
    P.cat_param("metric", ["euclidean", "manhattan"]),
    P.int_param("k_level", 0, 7),         # k = 1, 3, 5, 7, 9, 11, 15, 21 neighbours
    P.cat_param("weights", ["uniform", "distance"]),
]


# --------------------------------------------------------------------------- registry


def _problem(name, family, description, space, f, optimum, optimum_params, budget,
             noiseless=None, dims=None):
    return P.Problem(name=name, description=description, space=space, evaluate=f,
                     optimum=optimum, optimum_params=optimum_params, tags=[family],
                     family=family, budget=budget, noiseless=noiseless,
                     dims=dims if dims is not None else len(space))


def _continuous(name, family, description, made, budget=None):
    box, f = made
    return _problem(name, family, description, box.space(), f, 0.0 if family != "peaks" else -1.0,
                    box.optimum_params(), budget or BUDGET_BY_DIM[box.d])


def _noisy(name, base: P.Problem, sigma: float, budget: int, description: str):
    def noisy(params: dict) -> float:
        return base.evaluate(params) + sigma * _unit_noise(f"{name}/{_params_key(params)}")
    return _problem(name, "noisy", description, base.space, noisy, base.optimum,
                    base.optimum_params, budget, noiseless=base.evaluate)


def build() -> list:
    """The suite's problems, family by family, each family's members in their fixed
    order (which, with ``half_of``, decides the halves)."""
    fam: dict = {f: [] for f in FAMILIES}
    sm = fam["smooth"]
    sm.append(_continuous("sphere-2d", "smooth", "shifted sphere, 2-d on [-10, 10]",
                          make_quadratic("sphere-2d", 2, 1.0, False, -10.0, 10.0)))
    sm.append(_continuous("quadratic-5d", "smooth", "rotated quadratic, condition 10, 5-d",
                          make_quadratic("quadratic-5d", 5, 10.0, True, -10.0, 10.0)))
    sm.append(_continuous("sphere-10d", "smooth", "shifted sphere, 10-d on [-10, 10]",
                          make_quadratic("sphere-10d", 10, 1.0, False, -10.0, 10.0)))
    sm.append(_continuous("quadratic-20d", "smooth", "rotated quadratic, condition 10, 20-d",
                          make_quadratic("quadratic-20d", 20, 10.0, True, -10.0, 10.0)))
    ic = fam["illcond"]
    ic.append(_continuous("valley-2d", "illcond", "narrow curved valley, rotated, 2-d",
                          make_valley("valley-2d", 2, -5.0, 5.0)))
    ic.append(_continuous("ellipsoid-5d", "illcond", "rotated ellipsoid, condition 1e4, 5-d",
                          make_quadratic("ellipsoid-5d", 5, 1e4, True, -5.0, 5.0)))
    ic.append(_continuous("valley-10d", "illcond", "narrow curved valley, rotated, 10-d",
                          make_valley("valley-10d", 10, -5.0, 5.0)))
    ic.append(_continuous("ellipsoid-20d", "illcond", "rotated ellipsoid, condition 1e4, 20-d",
                          make_quadratic("ellipsoid-20d", 20, 1e4, True, -5.0, 5.0)))
    pk = fam["peaks"]
    for d, n in ((2, 40), (5, 30), (10, 30), (20, 30)):
        pk.append(_continuous(f"peaks-{d}d", "peaks",
                              f"max of {n} Gaussian/Cauchy peaks of random height, {d}-d",
                              make_peaks(f"peaks-{d}d", d, n)))
    dc = fam["deceptive"]
    for d, w in ((2, 0.03), (5, 0.04), (10, 0.04), (20, 0.05)):
        dc.append(_continuous(f"deceptive-{d}d", "deceptive",
                              f"wide rippled basin (0.3) vs narrow far well (0) per coordinate, {d}-d",
                              make_deceptive(f"deceptive-{d}d", d, w)))
    mx = fam["mixed"]
    mixed_defs = [
        ("mixed-4", ["log", "int"], 2, 100),
        ("mixed-6", ["log", "step", "int", "float"], 2, 120),
        ("mixed-9", ["log", "step", "int", "logint", "float", "intstep"], 3, 150),
        ("mixed-12", ["log", "step", "int", "logint", "float", "intstep", "log", "float"], 4, 200),
    ]
    mixed_by_name = {}
    for name, kinds, n_cats, budget in mixed_defs:
        space, f, opt, xopt = make_mixed(name, kinds, n_cats)
        p = _problem(name, "mixed", f"training-loss surrogate: {len(kinds)} numeric "
                     f"({', '.join(kinds)}) + {n_cats} categorical params", space, f, opt, xopt,
                     budget)
        mixed_by_name[name] = p
        mx.append(p)
    cd = fam["conditional"]
    for name, nb, sizes, nested, budget in (
            ("cond-3", 3, [3, 2, 2], False, 120),
            ("cond-4n", 4, [3, 2, 1, 2], True, 150),
            ("cond-3n", 3, [4, 3, 2], True, 150),
            ("cond-5n", 5, [4, 2, 3, 1, 2], True, 200)):
        space, f, opt, xopt = make_conditional(name, nb, sizes, nested)
        cd.append(_problem(name, "conditional", f"tree-shaped: {nb} branches with "
                           f"{sizes} children{', nested condition' if nested else ''}, shared reg",
                           space, f, opt, xopt, budget))
    mlp, knn = _mlp_table(), _knn_table()
    tabular = []
    for name, table, space, budget, what in (
            ("digits-mlp", mlp, MLP_SPACE, 80, "numpy MLP on digits, 3-fold CV error (720 configs)"),
            ("digits-knn", knn, KNN_SPACE, 80, "k-NN on digits, 3-fold CV error (480 configs)")):
        best, argbest = table.best()
        p = _problem(name, "tabular", what, space,
                     (lambda t: lambda params: t.rows[t.key(params)][0])(table),
                     best, argbest, budget)
        p.data_sha256 = table.sha256
        tabular.append(p)
    fam["tabular"] = tabular
    nz = fam["noisy"]
    base = _continuous("quadratic-2d", "smooth", "", make_quadratic("noisy-quadratic-2d", 2, 10.0,
                                                                    True, -10.0, 10.0))
    nz.append(_noisy("noisy-quadratic-2d", base, 0.05, 80,
                     "rotated quadratic, condition 10, 2-d, + N(0, 0.05^2) noise"))
    base = _continuous("peaks-5d", "peaks", "", make_peaks("noisy-peaks-5d", 5, 30))
    nz.append(_noisy("noisy-peaks-5d", base, 0.03, 150,
                     "max of 30 peaks, 5-d, + N(0, 0.03^2) noise"))

    def one_fold(params: dict) -> float:
        # A real noisy evaluation: the error on one CV fold, which fold a fixed function
        # of the config; the noiseless value is the 3-fold mean.
        folds = mlp.rows[mlp.key(params)][1]
        return folds[int(hashlib.sha256(_params_key(params).encode()).hexdigest(), 16) % len(folds)]
    tab = tabular[0]
    p = _problem("noisy-digits-mlp", "noisy", "digits-mlp observed through one CV fold "
                 "(the fold chosen by the config); regret on the 3-fold mean", tab.space,
                 one_fold, tab.optimum, tab.optimum_params, 80, noiseless=tab.evaluate)
    p.data_sha256 = mlp.sha256
    nz.append(p)
    space, f, opt, xopt = make_mixed("noisy-mixed-6", ["log", "step", "int", "float"], 2)
    base = _problem("mixed-6b", "mixed", "", space, f, opt, xopt, 120)
    nz.append(_noisy("noisy-mixed-6", base, 0.02, 120,
                     "training-loss surrogate, 4 numeric + 2 categorical, + N(0, 0.02^2) noise"))
    out = []
    for fi, family in enumerate(FAMILIES):
        for i, p in enumerate(fam[family]):
            p.half = half_of(fi, i)
            out.append(p)
    return out


# Register with problems.py (once: whichever of the two modules was imported first).
if not P.SUITE:
    P._register_suite(build())
