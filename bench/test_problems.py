#!/usr/bin/env python3
"""Tests for the benchmark: known optima, space validity, Optuna / hyperopt space
conversion, and the tunekit driver protocol (against fake_driver.py).

Runs under unittest or pytest:

    $PY bench/test_problems.py        # PY: the venv python bench/setup.sh prints; or: $PY -m pytest bench
    python3 bench/test_problems.py                       # bare python: library tests skip

Tests needing optuna, hyperopt or scipy skip when those are not importable.
"""

import collections
import contextlib
import gzip
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

import compare as C  # noqa: E402
import fake_driver  # noqa: E402
import problems as P  # noqa: E402
import suite  # noqa: E402


def _importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


HAVE_OPTUNA = _importable("optuna")
HAVE_HYPEROPT = _importable("hyperopt")
HAVE_SCIPY = _importable("scipy")
HAVE_TORCH = _importable("torch")
HAVE_CMAES = _importable("cmaes")
HAVE_RUSTUNA = _importable("rustuna")
FAKE_DRIVER = f"{sys.executable} {os.path.join(BENCH_DIR, 'fake_driver.py')}"
CONTINUOUS = ["branin", "hartmann6", "rosenbrock5", "rastrigin6", "ackley5"]
SUITE_CONTINUOUS = [n for n in P.SUITE
                    if P.get(n).family in ("smooth", "illcond", "peaks", "deceptive")]
# For the slower library conversion tests: every space shape, not every instance (the
# continuous suite problems are all boxes of floats, like the classic ones).
CONVERSION_PROBLEMS = [P.get(n) for n in P.PROBLEMS
                       if n not in SUITE_CONTINUOUS or n in ("sphere-2d", "peaks-20d")]


def linspace(a, b, n):
    return [a + (b - a) * i / (n - 1) for i in range(n)]


# ============================================================================ spaces


class TestSpaces(unittest.TestCase):
    def test_every_problem_space_is_valid_and_json_round_trips(self):
        for prob in P.PROBLEMS.values():
            with self.subTest(problem=prob.name):
                P.validate_space(prob.space)
                self.assertEqual(json.loads(json.dumps(prob.space)), prob.space)
                self.assertEqual(prob.direction, "minimize")

    def test_numeric_params_carry_tunekit_keys(self):
        # tunekit's JSON form always spells out log and step for float/int params.
        for prob in P.PROBLEMS.values():
            for p in prob.space:
                if p["type"] in ("float", "int"):
                    self.assertLessEqual({"name", "type", "low", "high", "log", "step"}, set(p))
                    if p["type"] == "int":
                        self.assertIsInstance(p["low"], int)
                        self.assertIsInstance(p["high"], int)

    def test_optimum_params_are_valid_points(self):
        for prob in P.PROBLEMS.values():
            with self.subTest(problem=prob.name):
                self.assertEqual(P.check_params(prob.space, prob.optimum_params), [])

    def test_invalid_spaces_are_rejected(self):
        f = P.float_param
        bad = {
            "duplicate name": [f("a", 0, 1), f("a", 0, 1)],
            "reversed": [f("a", 1, 0)],
            "log of zero": [f("a", 0, 1, log=True)],
            "log int below 1": [P.int_param("a", 0, 10, log=True)],
            "log and step": [f("a", 1, 2, log=True, step=0.5)],
            "step too wide": [f("a", 0, 1, step=2)],
            "zero step": [P.int_param("a", 0, 10, step=0)],
            "float int bound": [{"name": "a", "type": "int", "low": 0.5, "high": 2,
                                 "log": False, "step": None}],
            "no choices": [P.cat_param("c", [])],
            "repeated choice": [P.cat_param("c", ["x", "x"])],
            "parent after child": [f("a", 0, 1, condition=P.when("c", "x")),
                                   P.cat_param("c", ["x", "y"])],
            "non-categorical parent": [f("b", 0, 1), f("a", 0, 1, condition=P.when("b", 1.0))],
            "value not a choice": [P.cat_param("c", ["x"]), f("a", 0, 1, condition=P.when("c", "z"))],
            "typed value mismatch": [P.cat_param("c", [1, 2]), f("a", 0, 1, condition=P.when("c", 1.0))],
            "unknown type": [{"name": "a", "type": "bool"}],
        }
        for label, space in bad.items():
            with self.subTest(label):
                with self.assertRaises(ValueError):
                    P.validate_space(space)

    def test_check_params_finds_each_kind_of_problem(self):
        space = P.COND_SPACE
        good = dict(P.get("conditional").optimum_params)
        self.assertEqual(P.check_params(space, good), [])
        cases = {
            "missing": {k: v for k, v in good.items() if k != "nn.units"},
            "inactive": dict(good, **{"tree.depth": 3}),
            "unknown": dict(good, bogus=1),
            "out of range": dict(good, **{"nn.lr": 0.5}),
            "float for int": dict(good, **{"nn.layers": 3.0}),
            "bad choice": dict(good, model="svm"),
            "bool for int": dict(good, **{"nn.layers": True}),
        }
        for label, params in cases.items():
            with self.subTest(label):
                self.assertTrue(P.check_params(space, params), label)
        mixed = dict(P.get("mixed").optimum_params)
        self.assertTrue(P.check_params(P.MIXED_SPACE, dict(mixed, dropout=0.225)))
        self.assertTrue(P.check_params(P.MIXED_SPACE, dict(mixed, warmup=350)))
        self.assertEqual(P.check_params(P.MIXED_SPACE, dict(mixed, dropout=0.1 + 0.2)), [])

    def test_grid_count_is_rounding_tolerant(self):
        self.assertEqual(P.grid_count(0.0, 1.0, 0.1), 11)
        self.assertEqual(P.grid_count(0.0, 0.5, 0.05), 11)
        self.assertEqual(P.grid_count(0.0, 1.0, 0.3), 4)
        self.assertEqual(P.grid_count(10, 500, 10), 50)

    def test_active_set_follows_nested_conditions(self):
        space = P.COND_SPACE
        names = P.active_names(space, {"preprocess": "none", "model": "linear",
                                       "linear.penalty": "elasticnet"})
        self.assertEqual(names, ["preprocess", "model", "linear.C", "linear.penalty",
                                 "linear.l1_ratio"])
        names = P.active_names(space, {"preprocess": "none", "model": "tree"})
        self.assertEqual(names, ["preprocess", "model", "tree.depth", "tree.estimators",
                                 "tree.lr", "reg"])


# ============================================================================ optima


class TestOptima(unittest.TestCase):
    def test_value_at_known_minimizer_is_the_optimum(self):
        for prob in P.PROBLEMS.values():
            with self.subTest(problem=prob.name):
                self.assertAlmostEqual(prob.true_value(prob.optimum_params), prob.optimum,
                                       delta=1e-12 * max(1.0, abs(prob.optimum)))

    def test_branin_has_three_equal_minima(self):
        opt = P.get("branin").optimum
        for x in ([-math.pi, 12.275], [math.pi, 2.275], [9.42478, 2.475]):
            self.assertAlmostEqual(P.branin(P._xs(x)), opt, places=5)

    def test_literature_values(self):
        self.assertAlmostEqual(P.get("branin").optimum, 0.397887, places=6)
        self.assertAlmostEqual(P.get("hartmann6").optimum, -3.32237, places=5)

    def test_no_random_point_beats_the_optimum(self):
        rng = random.Random(1234)
        for prob in P.PROBLEMS.values():
            # Fewer points for the suite (30 problems, some 20-d): CI's time budget. The
            # suite's optima hold by construction (suite.py); this guards the code.
            n = 20000 if prob.name in P.CLASSIC else 2000
            with self.subTest(problem=prob.name):
                best = min(prob.true_value(fake_driver.sample(prob.space, rng))
                           for _ in range(n))
                self.assertGreaterEqual(best, prob.optimum - 1e-12)

    @unittest.skipUnless(HAVE_SCIPY, "scipy not installed")
    def test_local_search_from_many_starts_never_beats_the_optimum(self):
        import numpy as np
        from scipy.optimize import minimize

        rng = np.random.default_rng(0)
        for name in CONTINUOUS + [n for n in SUITE_CONTINUOUS if P.get(n).dims <= 10]:
            prob = P.get(name)
            bounds = [(p["low"], p["high"]) for p in prob.space]
            f = lambda x, prob=prob: prob.evaluate(P._xs(list(x)))  # noqa: E731
            lows, highs = np.array(bounds).T
            n_starts = 20 if name in CONTINUOUS else 6
            starts = [lows + rng.random(len(bounds)) * (highs - lows) for _ in range(n_starts)]
            # Also start near the stated minimiser: the polish must not go lower.
            starts.append(np.array([prob.optimum_params[p["name"]] for p in prob.space]))
            best = min(minimize(f, x0, method="L-BFGS-B", bounds=bounds).fun for x0 in starts)
            with self.subTest(problem=name):
                self.assertGreaterEqual(best, prob.optimum - 1e-9)
                # ... and the optimum is actually attained (reached to within 1e-6).
                self.assertLess(best, prob.optimum + 1e-6)

    def test_mixed_optimum_by_exhaustive_discrete_search(self):
        prob = P.get("mixed")
        sp = {p["name"]: p for p in prob.space}
        log_lrs = linspace(-5.0, -1.0, 81) + [-2.5]
        dropouts = [0.05 * k for k in range(11)]
        best, arg = math.inf, None
        for batch in sp["batch"]["choices"]:
            for act in sp["activation"]["choices"]:
                for layers in range(1, 9):
                    for dropout in dropouts:
                        for warmup in range(0, 1001, 100):
                            for ll in log_lrs:
                                v = prob.evaluate({"lr": 10 ** ll, "layers": layers,
                                                   "batch": batch, "dropout": dropout,
                                                   "activation": act, "warmup": warmup})
                                if v < best:
                                    best, arg = v, (batch, act, layers, round(dropout, 2),
                                                    warmup, ll)
        self.assertAlmostEqual(best, prob.optimum, delta=1e-12)
        self.assertEqual(arg, ("128", "gelu", 5, 0.2, 300, -2.5))

    def test_conditional_optimum_by_branch_search(self):
        prob = P.get("conditional")
        best_per_model = {}
        regs = [10 ** e for e in linspace(-6.0, -1.0, 11)]
        units = sorted({int(round(2 ** e)) for e in linspace(4.0, 10.0, 49)})

        def consider(model, params):
            for pre in ("none", "standardize"):
                v = prob.evaluate(dict(params, preprocess=pre, model=model))
                if v < best_per_model.get(model, math.inf):
                    best_per_model[model] = v

        for c in linspace(-4.0, 2.0, 61):
            for pen in ("l1", "l2", "elasticnet"):
                ratios = linspace(0.0, 1.0, 21) if pen == "elasticnet" else [None]
                for r in ratios:
                    params = {"linear.C": 10 ** c, "linear.penalty": pen}
                    if r is not None:
                        params["linear.l1_ratio"] = r
                    consider("linear", params)
        for depth in range(1, 21):
            for est in range(10, 501, 10):
                for ll in linspace(-3.0, 0.0, 31) + [math.log10(10 / est)]:
                    for reg in regs:
                        consider("tree", {"tree.depth": depth, "tree.estimators": est,
                                          "tree.lr": 10 ** ll, "reg": reg})
        for ll in linspace(-5.0, -1.0, 41):
            for layers in range(1, 7):
                for u in units:
                    for reg in regs:
                        consider("nn", {"nn.lr": 10 ** ll, "nn.layers": layers,
                                        "nn.units": u, "reg": reg})
        self.assertAlmostEqual(best_per_model["linear"], 0.29, delta=1e-12)
        self.assertAlmostEqual(best_per_model["tree"], 0.12, delta=1e-12)
        self.assertAlmostEqual(best_per_model["nn"], 0.08, delta=1e-12)
        self.assertAlmostEqual(min(best_per_model.values()), prob.optimum, delta=1e-12)


# ============================================================================ the suite

# The halves as fixed when the suite was written (before any result was seen). A change
# here must be deliberate: it invalidates every default chosen on the tuning half.
TUNING_HALF = ["sphere-2d", "sphere-10d", "ellipsoid-5d", "ellipsoid-20d", "peaks-2d",
               "peaks-10d", "deceptive-5d", "deceptive-20d", "mixed-4", "mixed-9", "cond-4n",
               "cond-5n", "noisy-quadratic-2d", "noisy-digits-mlp", "digits-knn"]


def coordinate_search(prob, start, sweeps=3, steps=41):
    """Minimise ``prob`` from ``start`` one param at a time over a grid of each param's
    values (categoricals: every choice; numeric: ``steps`` points, log-spaced on log
    scales, plus the grid for stepped/int params), keeping conditional structure valid."""
    x = dict(start)
    best = prob.true_value(x)

    def candidates(p):
        if p["type"] == "categorical":
            return list(p["choices"])
        lo, hi, step = p["low"], p["high"], p.get("step")
        if p["type"] == "int":
            vals = range(lo, hi + 1, step or 1)
            return list(vals) if len(vals) <= 200 else [lo + (hi - lo) * i // steps
                                                       for i in range(steps + 1)]
        if step:
            return [min(lo + k * step, hi) for k in range(P.grid_count(lo, hi, step))]
        if p["log"]:
            return [math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * i / steps)
                    for i in range(steps + 1)]
        return linspace(lo, hi, steps + 1)

    rng = random.Random(0)
    for _ in range(sweeps):
        for p in prob.space:
            if p["name"] not in x:
                continue
            for v in candidates(p):
                y = dict(x, **{p["name"]: v})
                # Re-derive the active set: fill newly active params at random, drop
                # inactive ones.
                names = P.active_names(prob.space, y)
                y = {k: y[k] for k in names if k in y}
                fill = P.sample_params(prob.space, rng)
                for k in names:
                    if k not in y:
                        y[k] = fill[k] if k in fill else None
                if None in y.values() or P.check_params(prob.space, y):
                    continue
                fy = prob.true_value(y)
                if fy < best:
                    x, best = y, fy
    return best, x


class TestSuite(unittest.TestCase):
    def test_size_families_dimensions_and_budgets(self):
        self.assertGreaterEqual(len(P.SUITE), 24)
        families = {P.get(n).family for n in P.SUITE}
        self.assertEqual(families, set(suite.FAMILIES))
        for fam in ("smooth", "illcond", "peaks", "deceptive"):
            dims = sorted(P.get(n).dims for n in P.SUITE if P.get(n).family == fam)
            self.assertEqual(dims, [2, 5, 10, 20], fam)
        for n in P.SUITE:
            self.assertTrue(50 <= P.get(n).budget <= 500, n)
            self.assertNotIn(n, P.CLASSIC)

    def test_halves_are_the_frozen_ones_and_follow_the_rule(self):
        self.assertEqual(P.HALVES["tuning"], TUNING_HALF)
        self.assertEqual(sorted(P.HALVES["tuning"] + P.HALVES["heldout"]), sorted(P.SUITE))
        for fi, fam in enumerate(suite.FAMILIES):
            members = [n for n in P.SUITE if P.get(n).family == fam]
            for i, n in enumerate(members):
                self.assertEqual(P.get(n).half, "tuning" if (fi + i) % 2 == 0 else "heldout", n)

    def test_halves_are_balanced(self):
        for half in ("tuning", "heldout"):
            names = P.HALVES[half]
            self.assertIn(len(names), (15, 15))
            per_family = collections.Counter(P.get(n).family for n in names)
            for fam in suite.FAMILIES:
                self.assertGreaterEqual(per_family[fam], 1, (half, fam))
                self.assertLessEqual(per_family[fam], 2, (half, fam))
            dims = collections.Counter(P.get(n).dims for n in names
                                       if P.get(n).family in ("smooth", "illcond", "peaks",
                                                              "deceptive"))
            self.assertEqual(dims, {2: 2, 5: 2, 10: 2, 20: 2}, half)

    def test_instances_are_deterministic(self):
        # Building the suite again gives the same problems (same fingerprints): the
        # instances depend on nothing but their names.
        again = {p.name: p.fingerprint() for p in suite.build()}
        for n in P.SUITE:
            self.assertEqual(again[n], P.get(n).fingerprint(), n)

    def test_fingerprint_sees_a_changed_objective(self):
        prob = P.get("mixed-4")
        changed = P.Problem(prob.name, prob.description, prob.space,
                            lambda x: prob.evaluate(x) + 1e-9, prob.optimum,
                            prob.optimum_params)
        same = P.Problem(prob.name, "another description", prob.space, prob.evaluate,
                         prob.optimum, prob.optimum_params)
        self.assertNotEqual(changed.fingerprint(), same.fingerprint())
        self.assertEqual(same.fingerprint(), prob.fingerprint())

    def test_peaks_optimum_is_the_single_tallest_peak(self):
        for d in (2, 5, 10, 20):
            prob = P.get(f"peaks-{d}d")
            self.assertEqual(prob.evaluate(prob.optimum_params), -1.0)
            # Moving off the centre in any coordinate loses height.
            for i in range(d):
                x = dict(prob.optimum_params)
                x[f"x{i}"] += 1e-3
                self.assertGreater(prob.evaluate(x), -1.0)

    def test_deceptive_wide_basin_is_the_second_best(self):
        # Every coordinate in the wide basin's centre costs 0.3 per coordinate (/d):
        # the trap is worth 0.3, the optimum 0.
        box, f = suite.make_deceptive("deceptive-5d", 5, 0.04)
        self.assertEqual(f(box.optimum_params()), 0.0)
        rng = random.Random(3)
        vals = [f(P.sample_params(box.space(), rng)) for _ in range(3000)]
        self.assertGreater(sum(v > 0.25 for v in vals) / len(vals), 0.9)

    def test_structured_optima_by_coordinate_search(self):
        # From random starts, coordinate search over every param's grid (and the
        # branch structure) never goes below the stated optimum, which the stated point
        # attains exactly.
        rng = random.Random(5)
        for fam in ("mixed", "conditional", "noisy"):
            for n in (n for n in P.SUITE if P.get(n).family == fam):
                prob = P.get(n)
                if prob.name == "noisy-digits-mlp":
                    continue  # a table: checked exhaustively below
                with self.subTest(problem=n):
                    for _ in range(2):
                        best, _ = coordinate_search(prob, P.sample_params(prob.space, rng),
                                                    sweeps=2, steps=20)
                        self.assertGreaterEqual(best, prob.optimum - 1e-12)
                    self.assertEqual(prob.true_value(prob.optimum_params), prob.optimum)

    def test_every_non_optimal_categorical_costs_something(self):
        for n in ("mixed-4", "mixed-9", "cond-3", "cond-5n"):
            prob = P.get(n)
            for p in prob.space:
                if p["type"] != "categorical" or p["name"] not in prob.optimum_params:
                    continue
                for c in p["choices"]:
                    if c == prob.optimum_params[p["name"]]:
                        continue
                    x = dict(prob.optimum_params, **{p["name"]: c})
                    names = P.active_names(prob.space, x)
                    fill = P.sample_params(prob.space, random.Random(1))
                    x = {k: (x[k] if k in x else fill.get(k)) for k in names}
                    if None in x.values():
                        continue
                    with self.subTest(problem=n, param=p["name"], choice=c):
                        self.assertGreater(prob.evaluate(x), prob.optimum)

    def test_tabular_optimum_by_exhaustive_search(self):
        for n in ("digits-mlp", "digits-knn", "noisy-digits-mlp"):
            prob = P.get(n)
            grids = []
            for p in prob.space:
                if p["type"] == "categorical":
                    grids.append([(p["name"], c) for c in p["choices"]])
                else:
                    grids.append([(p["name"], v) for v in range(p["low"], p["high"] + 1)])
            values = [prob.true_value(dict(combo)) for combo in itertools.product(*grids)]
            with self.subTest(problem=n):
                # Every grid point is in the table (a lookup never fails) ...
                self.assertEqual(len(values), {"digits-knn": 480}.get(n, 720))
                # ... and the optimum is the table's minimum, attained at optimum_params.
                self.assertEqual(min(values), prob.optimum)
                self.assertEqual(prob.true_value(prob.optimum_params), prob.optimum)
                self.assertTrue(0.0 < prob.optimum < 0.05, prob.optimum)  # digits: ~98%

    def test_noise_is_deterministic_centred_and_of_the_stated_size(self):
        rng = random.Random(9)
        for n, sigma in (("noisy-quadratic-2d", 0.05), ("noisy-peaks-5d", 0.03),
                         ("noisy-mixed-6", 0.02)):
            prob = P.get(n)
            xs = [P.sample_params(prob.space, rng) for _ in range(2000)]
            noise = [prob.evaluate(x) - prob.true_value(x) for x in xs]
            with self.subTest(problem=n):
                self.assertEqual(prob.evaluate(xs[0]), prob.evaluate(dict(xs[0])))
                self.assertLess(abs(statistics.fmean(noise)), 4 * sigma / math.sqrt(2000))
                self.assertAlmostEqual(statistics.pstdev(noise), sigma, delta=0.1 * sigma)
        # The tabular one is noisy through the CV folds: its values are fold errors.
        prob = P.get("noisy-digits-mlp")
        x = P.sample_params(prob.space, rng)
        folds = suite._mlp_table().rows[suite._mlp_table().key(x)][1]
        self.assertIn(prob.evaluate(x), folds)

    def test_noisy_regret_is_scored_on_the_noiseless_incumbent(self):
        prob = P.get("noisy-quadratic-2d")
        res = C.RunResult(prob.name, "x", 0, 3)
        ev = C.Evaluator(prob, res)
        rng = random.Random(2)
        for _ in range(3):
            ev(P.sample_params(prob.space, rng))
        res.finish(prob)
        i = res.values.index(min(res.values))
        self.assertEqual(res.regret, res.true_values[i] - prob.optimum)
        self.assertEqual(len(res.true_values), 3)


# ============================================================================ Optuna conversion


def _expected_condition_paths(space):
    """For each param, the set of paths of (ancestor, choice index) that activate it."""
    by_name = {p["name"]: p for p in space}
    paths = {}
    for p in space:
        cond = p.get("condition")
        if cond is None:
            paths[p["name"]] = {()}
            continue
        parent = by_name[cond["parent"]]
        idxs = [next(i for i, c in enumerate(parent["choices"]) if P.same_value(c, v))
                for v in cond["values"]]
        paths[p["name"]] = {path + ((parent["name"], i),)
                            for path in paths[parent["name"]] for i in idxs}
    return paths


def _assert_covers(test, prob, samples):
    """Every param appears, every categorical choice appears, every sample is valid."""
    seen = collections.defaultdict(list)
    for params in samples:
        test.assertEqual(P.check_params(prob.space, params), [], params)
        for k, v in params.items():
            seen[k].append(v)
    test.assertEqual(set(seen), {p["name"] for p in prob.space})
    for p in prob.space:
        vals = seen[p["name"]]
        if p["type"] == "categorical":
            test.assertEqual(len({json.dumps(v) for v in vals}), len(p["choices"]), p["name"])
        elif (p["type"] == "int" or p.get("step")) and not p["log"]:
            # Grid ends are reachable (no half-mass rounding at the edges); checked where
            # there are enough samples per grid point (runs are seeded: deterministic).
            step = p.get("step") or 1
            count = P.grid_count(p["low"], p["high"], step)
            if len(vals) >= 5 * count:
                test.assertIn(p["low"], vals, p["name"])
                top = p["low"] + (count - 1) * step
                test.assertTrue(any(abs(v - top) < 1e-9 for v in vals), p["name"])
    return seen


@unittest.skipUnless(HAVE_OPTUNA, "optuna not installed")
class TestOptunaConversion(unittest.TestCase):
    def setUp(self):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)

    def _sample(self, prob, n, sampler):
        import optuna
        study = optuna.create_study(sampler=sampler)
        out = []
        for _ in range(n):
            trial = study.ask()
            params = C.optuna_suggest(trial, prob.space)
            study.tell(trial, prob.evaluate(params))
            out.append((params, trial))
        return out

    def test_distributions_match_the_space(self):
        import optuna
        from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                          IntDistribution)
        for prob in CONVERSION_PROBLEMS:
            with self.subTest(problem=prob.name):
                rows = self._sample(prob, 1000, optuna.samplers.RandomSampler(seed=0))
                _assert_covers(self, prob, [params for params, _ in rows])
                dists = {}
                for params, trial in rows:
                    self.assertEqual(set(trial.params), set(params))
                    dists.update(trial.distributions)
                for p in prob.space:
                    d = dists[p["name"]]
                    if p["type"] == "float":
                        self.assertIsInstance(d, FloatDistribution)
                        self.assertEqual((d.low, d.high, d.log, d.step),
                                         (p["low"], p["high"], p["log"], p["step"]))
                    elif p["type"] == "int":
                        self.assertIsInstance(d, IntDistribution)
                        self.assertEqual((d.low, d.high, d.log, d.step),
                                         (p["low"], p["high"], p["log"], p["step"] or 1))
                    else:
                        self.assertIsInstance(d, CategoricalDistribution)
                        self.assertEqual(list(d.choices), p["choices"])

    def test_tpe_runs_on_conditional_space(self):
        import optuna
        prob = P.get("conditional")
        rows = self._sample(prob, 40, optuna.samplers.TPESampler(seed=0))
        for params, _ in rows:
            self.assertEqual(P.check_params(prob.space, params), [])

    def test_adapter_matches_plain_optuna_usage(self):
        # The benchmark loop (ask / suggest / tell) must not change what Optuna does.
        import optuna
        prob = P.get("branin")
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
        study.optimize(lambda t: prob.evaluate({"x0": t.suggest_float("x0", -5.0, 10.0),
                                                "x1": t.suggest_float("x1", 0.0, 15.0)}),
                       n_trials=30)
        self.assertEqual([t.value for t in study.trials], C.run_optuna(prob, 0, 30, "tpe").values)

    def test_run_optuna_is_reproducible(self):
        prob = P.get("mixed")
        a = C.run_optuna(prob, 3, 25, "tpe")
        b = C.run_optuna(prob, 3, 25, "tpe")
        self.assertEqual(a.values, b.values)
        self.assertEqual(len(a.ask_ms), 25)


# ============================================================================ hyperopt conversion


@unittest.skipUnless(HAVE_HYPEROPT, "hyperopt not installed")
class TestHyperoptConversion(unittest.TestCase):
    def _samples(self, prob, n, seed=0):
        import numpy as np
        from hyperopt.pyll.stochastic import sample
        hspace = C.hyperopt_space(prob.space)
        rng = np.random.default_rng(seed)
        return [C.hyperopt_decode(prob.space, sample(hspace, rng=rng)) for _ in range(n)]

    def test_samples_cover_the_space(self):
        for prob in CONVERSION_PROBLEMS:
            with self.subTest(problem=prob.name):
                _assert_covers(self, prob, self._samples(prob, 1500))

    def test_one_label_per_param_with_the_same_conditions(self):
        from hyperopt import Domain
        from hyperopt.pyll_utils import expr_to_config
        for prob in CONVERSION_PROBLEMS:
            with self.subTest(problem=prob.name):
                domain = Domain(lambda x: 0.0, C.hyperopt_space(prob.space))
                self.assertEqual(set(domain.params), {p["name"] for p in prob.space})
                hps = {}
                expr_to_config(domain.expr, (True,), hps)
                got = {name: {tuple((c.name, int(c.val)) for c in conds[1:])
                              for conds in info["conditions"]}
                       for name, info in hps.items()}
                self.assertEqual(got, _expected_condition_paths(prob.space))

    def test_grids_get_uniform_prior_mass(self):
        # Discrete params must put equal prior mass on every grid point, ends included
        # (a naive quniform(low, high, 1) gives the two ends half as much).
        prob = P.get("mixed")
        samples = self._samples(prob, 4000, seed=1)
        for name, count in (("layers", 8), ("dropout", 11), ("warmup", 11)):
            freq = collections.Counter(round(s[name], 6) for s in samples)
            self.assertEqual(len(freq), count, name)
            expected = 4000 / count
            for v, k in freq.items():
                self.assertLess(abs(k - expected), 0.25 * expected, (name, v, k))

    def test_log_params_are_log_uniform(self):
        prob = P.get("mixed")
        lrs = [s["lr"] for s in self._samples(prob, 4000, seed=2)]
        below = sum(lr < 10 ** -3 for lr in lrs) / len(lrs)   # half the decades
        self.assertAlmostEqual(below, 0.5, delta=0.04)

    def test_decoding_clamps_and_anchors(self):
        mixed = {p["name"]: p for p in P.MIXED_SPACE}
        self.assertEqual(C._hp_decode_value(mixed["warmup"], 3.0), 300)
        self.assertEqual(C._hp_decode_value(mixed["warmup"], 11.0), 1000)  # edge clamp
        self.assertEqual(C._hp_decode_value(mixed["layers"], -0.0), 1)
        self.assertAlmostEqual(C._hp_decode_value(mixed["dropout"], 4.0), 0.2)
        self.assertEqual(C._hp_decode_value(mixed["lr"], 0.1 * (1 + 1e-15)), 0.1)
        cond = {p["name"]: p for p in P.COND_SPACE}
        self.assertEqual(C._hp_decode_value(cond["tree.estimators"], 0.0), 10)
        self.assertEqual(C._hp_decode_value(cond["nn.units"], 1025.0), 1024)

    def test_adapter_matches_plain_hyperopt_usage(self):
        # The timing wrapper around tpe.suggest must not change what hyperopt does.
        import numpy as np
        from hyperopt import Trials, fmin, hp, tpe
        prob = P.get("branin")
        trials = Trials()
        fmin(prob.evaluate, {"x0": hp.uniform("x0", -5.0, 10.0), "x1": hp.uniform("x1", 0.0, 15.0)},
             algo=tpe.suggest, max_evals=30, trials=trials, rstate=np.random.default_rng(0),
             show_progressbar=False)
        native = [t["result"]["loss"] for t in trials.trials]
        self.assertEqual(native, C.run_hyperopt(prob, 0, 30, "tpe").values)

    def test_run_hyperopt_is_reproducible(self):
        prob = P.get("conditional")
        a = C.run_hyperopt(prob, 5, 30, "tpe")
        b = C.run_hyperopt(prob, 5, 30, "tpe")
        self.assertEqual(a.values, b.values)
        self.assertEqual(len(a.ask_ms), 30)
        self.assertEqual(len(a.overhead_ms), 30)


# ============================================================================ driver protocol


class TestDriverProtocol(unittest.TestCase):
    def run_fake(self, problem, budget=20, seed=0, **env):
        with mock.patch.dict(os.environ, dict(TUNEKIT_DRIVER=FAKE_DRIVER, **env)):
            return C.run_tunekit(problem, seed, budget, "random", timeout_s=60)

    def test_raw_messages(self):
        """Drive fake_driver.py by hand and check each message's shape."""
        prob = P.get("conditional")
        proc = subprocess.Popen(FAKE_DRIVER.split(), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            proc.stdin.write(json.dumps({"protocol": 1, "space": prob.space,
                                         "direction": "minimize", "sampler": "random",
                                         "seed": 7, "budget": 3}) + "\n")
            proc.stdin.flush()
            for n in range(3):
                msg = json.loads(proc.stdout.readline())
                self.assertEqual(set(msg), {"trial", "params", "ask_ms"})
                self.assertEqual(msg["trial"], n)
                self.assertEqual(P.check_params(prob.space, msg["params"]), [])
                self.assertGreaterEqual(msg["ask_ms"], 0.0)
                reply = {"value": 1.0} if n != 1 else {"error": "ValueError: boom"}
                proc.stdin.write(json.dumps(reply) + "\n")
                proc.stdin.flush()
            done = json.loads(proc.stdout.readline())
            self.assertIs(done["done"], True)
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdin.close()
            proc.stdout.close()

    def test_round_trip_every_problem(self):
        for prob in P.PROBLEMS.values():
            with self.subTest(problem=prob.name):
                res = self.run_fake(prob, budget=15)
                self.assertEqual(len(res.values), 15)
                self.assertTrue(all(v is not None for v in res.values))
                self.assertEqual(len(res.ask_ms), 15)
                self.assertIsNotNone(res.startup_ms)

    def test_seeded_runs_are_reproducible(self):
        prob = P.get("branin")
        self.assertEqual(self.run_fake(prob, seed=4).values, self.run_fake(prob, seed=4).values)
        self.assertNotEqual(self.run_fake(prob, seed=4).values, self.run_fake(prob, seed=5).values)

    def test_failed_evaluation_is_reported_and_the_run_goes_on(self):
        base = P.get("branin")

        def flaky(params):
            if params["x0"] > 2.5:
                raise ValueError("simulated training crash")
            return base.evaluate(params)

        prob = P.Problem("flaky", "", base.space, flaky, base.optimum, base.optimum_params)
        res = self.run_fake(prob, budget=30)
        self.assertEqual(len(res.values), 30)
        self.assertIn(None, res.values)
        res.finish(prob)
        self.assertIsNotNone(res.best_value)

    def test_invalid_params_fail_the_run(self):
        with self.assertRaisesRegex(C.RunError, "invalid params"):
            self.run_fake(P.get("mixed"), FAKE_DRIVER_BAD_PARAMS="1")

    def test_driver_crash_fails_the_run_with_stderr(self):
        with self.assertRaisesRegex(C.RunError, "crashing on purpose"):
            self.run_fake(P.get("branin"), FAKE_DRIVER_CRASH_AT="5")

    def test_missing_driver_is_a_clear_error(self):
        with mock.patch.dict(os.environ, {"TUNEKIT_DRIVER": f"{sys.executable} -c pass"}):
            with self.assertRaisesRegex(C.RunError, "closed"):
                C.run_tunekit(P.get("branin"), 0, 5, "tpe", timeout_s=30)


# ============================================================================ optimizer plumbing


def _available(optimizer):
    """Whether this interpreter has what ``optimizer`` needs (tunekit: the fake driver)."""
    family = optimizer.split("-", 1)[0]
    have = {"optuna": HAVE_OPTUNA, "hyperopt": HAVE_HYPEROPT, "rustuna": HAVE_RUSTUNA,
            "tunekit": True}[family]
    if optimizer == "optuna-gp":
        have = have and HAVE_TORCH and HAVE_SCIPY
    if optimizer == "optuna-cmaes":
        have = have and HAVE_CMAES
    if optimizer == "optuna-qmc":
        have = have and HAVE_SCIPY
    return have


class TestOptimizers(unittest.TestCase):
    """Every optimizer name runs: valid params on every kind of param (mixed) and on a
    tree-shaped space (conditional), and the model-based ones past their startup trials."""

    def run_one(self, problem, optimizer, budget):
        with mock.patch.dict(os.environ, {"TUNEKIT_DRIVER": FAKE_DRIVER}), \
                open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            return C.run_one(P.get(problem), optimizer, 0, budget, 60.0)

    def test_every_optimizer_runs_three_trials(self):
        for opt in C.ALL_OPTIMIZERS:
            for problem in ("mixed", "conditional"):
                with self.subTest(optimizer=opt, problem=problem):
                    if not _available(opt):
                        self.skipTest(f"{opt}: library not installed")
                    res = self.run_one(problem, opt, 3)
                    self.assertEqual(res.optimizer, opt)
                    self.assertEqual(len(res.values), 3)
                    self.assertIsNotNone(res.regret)
                    self.assertEqual(len(res.ask_ms), 3)

    def test_model_based_optimizers_past_startup(self):
        for opt in ("optuna-gp", "optuna-cmaes", "optuna-qmc", "optuna-tpe-multivariate",
                    "optuna-tpe-independent", "rustuna-tpe"):
            with self.subTest(optimizer=opt):
                if not _available(opt):
                    self.skipTest(f"{opt}: library not installed")
                res = self.run_one("mixed", opt, 12)
                self.assertEqual(len(res.values), 12)
                self.assertTrue(all(v is not None for v in res.values))

    def test_samplers_are_the_documented_ones(self):
        if not HAVE_OPTUNA:
            self.skipTest("optuna not installed")
        import optuna
        self.assertTrue(C.optuna_sampler("tpe-multivariate", 0)._multivariate)
        self.assertFalse(C.optuna_sampler("tpe-independent", 0)._multivariate)
        self.assertIsNone(C.optuna_sampler("tpe", 0)._multivariate)  # Optuna's default
        qmc = C.optuna_sampler("qmc", 0)
        self.assertEqual((qmc._qmc_type, qmc._scramble), ("sobol", True))
        self.assertIsInstance(C.optuna_sampler("cmaes", 0), optuna.samplers.CmaEsSampler)
        if HAVE_TORCH:
            self.assertIsInstance(C.optuna_sampler("gp", 0), optuna.samplers.GPSampler)

    def test_unknown_optimizer_is_refused(self):
        with self.assertRaises(SystemExit), open(os.devnull, "w") as devnull, \
                contextlib.redirect_stderr(devnull):
            C.parse_args(["--optimizers", "optuna-nope"])


# ============================================================================ reporting


class TestReporting(unittest.TestCase):
    def test_average_ranks_share_ties(self):
        self.assertEqual(C.average_ranks({"a": 0.1, "b": 0.0, "c": 0.1, "d": 2.0}),
                         {"b": 1.0, "a": 2.5, "c": 2.5, "d": 4.0})

    def test_quartiles(self):
        self.assertEqual(C.quartiles([1.0, 2.0, 3.0]), (1.5, 2.0, 2.5))
        self.assertEqual(C.quartiles([4.0]), (4.0, 4.0, 4.0))

    def test_end_to_end_with_fake_driver(self):
        opts = ["tunekit-random", "tunekit-tpe"]
        if HAVE_OPTUNA:
            opts.append("optuna-random")
        if HAVE_HYPEROPT:
            opts.append("hyperopt-tpe")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "results.json")
            argv = ["--problems", "branin,conditional", "--optimizers", ",".join(opts),
                    "--seeds", "2", "--budget", "8", "--out", out]
            with mock.patch.dict(os.environ, {"TUNEKIT_DRIVER": FAKE_DRIVER}), \
                    open(os.devnull, "w") as devnull, \
                    contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
                rc = C.main(argv)
            self.assertEqual(rc, 0)
            with open(out) as f:
                data = json.load(f)
        self.assertEqual(len(data["runs"]), 2 * len(opts) * 2)
        self.assertEqual(set(data["summary"]["mean_rank"]), set(opts))
        for run in data["runs"]:
            self.assertIsNone(run["error"])
            self.assertEqual(len(run["values"]), 8)
            self.assertGreaterEqual(run["regret"], 0.0)


    def main_quiet(self, argv):
        # Fixed tunekit version: uncommitted tunekit sources would otherwise (rightly)
        # make every tunekit cell unreusable.
        with mock.patch.dict(os.environ, {"TUNEKIT_DRIVER": FAKE_DRIVER}), \
                mock.patch.object(C, "tunekit_version", lambda: "src-test"), \
                open(os.devnull, "w") as devnull, \
                contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
            return C.main(argv)

    def test_reuse_skips_recorded_cells_and_reruns_changed_versions(self):
        opts = ["tunekit-random"] + (["optuna-random"] if HAVE_OPTUNA else [])
        with tempfile.TemporaryDirectory() as tmp:
            first, second = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
            md = os.path.join(tmp, "b.md")
            base = ["--problems", "branin", "--optimizers", ",".join(opts), "--budget", "6"]
            self.assertEqual(self.main_quiet(base + ["--seeds", "2", "--out", first]), 0)
            # One more seed: seeds 0 and 1 come from `first`, seed 2 is run.
            self.assertEqual(self.main_quiet(base + ["--seeds", "3", "--reuse", first,
                                                     "--out", second, "--md", md]), 0)
            with open(first) as f:
                a = {(r["optimizer"], r["seed"]): r for r in json.load(f)["runs"]}
            with open(second) as f:
                data = json.load(f)
            b = {(r["optimizer"], r["seed"]): r for r in data["runs"]}
            with open(md) as f:
                report = f.read()
            # A changed version (here: the problem's fingerprint) re-runs everything.
            third = os.path.join(tmp, "c.json")
            with mock.patch.object(C, "problem_version", lambda problem: "changed"):
                self.assertEqual(self.main_quiet(base + ["--seeds", "2", "--reuse", first,
                                                         "--out", third]), 0)
            with open(third) as f:
                c = json.load(f)["runs"]
        for opt in opts:
            for seed in (0, 1):
                self.assertIsNotNone(b[opt, seed]["reused_from"])
                self.assertEqual(b[opt, seed]["values"], a[opt, seed]["values"])
                self.assertEqual(b[opt, seed]["run_at"], a[opt, seed]["run_at"])
            self.assertIsNone(b[opt, 2]["reused_from"])
            self.assertEqual(b[opt, 2]["versions"], a[opt, 0]["versions"])
        self.assertEqual(data["meta"]["reused_runs"], 2 * len(opts))
        self.assertTrue(all(r["reused_from"] is None for r in c))
        self.assertIn("--reuse", report)
        self.assertIn("| branin |", report)

    def test_reuse_continues_from_a_partial_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, again = os.path.join(tmp, "r.json"), os.path.join(tmp, "s.json")
            base = ["--problems", "branin", "--optimizers", "tunekit-random", "--budget", "5",
                    "--seeds", "3"]
            self.assertEqual(self.main_quiet(base + ["--out", out]), 0)
            self.assertFalse(os.path.exists(out + ".partial"))  # removed when done
            with open(out) as f:
                runs = json.load(f)["runs"]
            # What a run killed during its third cell leaves: two lines and a torn one.
            partial = os.path.join(tmp, "x.json.partial")
            with open(partial, "w") as f:
                f.write(json.dumps(runs[0]) + "\n" + json.dumps(runs[1]) + "\n{\"probl")
            self.assertEqual(self.main_quiet(base + ["--reuse", partial, "--out", again]), 0)
            with open(again) as f:
                data = json.load(f)
        self.assertEqual(data["meta"]["reused_runs"], 2)
        self.assertEqual([r["values"] for r in data["runs"]], [r["values"] for r in runs])

    def test_legacy_cells_of_unchanged_problems_are_reused(self):
        # Cells written before per-problem fingerprints (keyed by the hash of the whole
        # problems.py) are reused when the problem they ran is unchanged.
        with tempfile.TemporaryDirectory() as tmp:
            out, again = os.path.join(tmp, "r.json"), os.path.join(tmp, "s.json")
            base = ["--problems", "branin", "--optimizers", "tunekit-random", "--budget", "5",
                    "--seeds", "2"]
            self.assertEqual(self.main_quiet(base + ["--out", out]), 0)
            with open(out) as f:
                data = json.load(f)
            for r in data["runs"]:
                del r["versions"]["problem"]
                r["versions"]["problems.py"] = "17e6ea738d97"
            data["runs"][1]["versions"]["problems.py"] = "000000000000"  # unknown file
            with open(out, "w") as f:
                json.dump(data, f)
            self.assertEqual(self.main_quiet(base + ["--reuse", out, "--out", again]), 0)
            with open(again) as f:
                runs = json.load(f)["runs"]
        self.assertIsNotNone(runs[0]["reused_from"])
        self.assertIsNone(runs[1]["reused_from"])

    def test_legacy_fingerprints_match_todays_classic_problems(self):
        for name, fp in C.LEGACY_PROBLEMS_PY["17e6ea738d97"].items():
            self.assertEqual(P.get(name).fingerprint(), fp, name)

    def test_half_selects_the_problems_and_the_report_ranks_each_half(self):
        self.assertEqual(C.parse_args(["--half", "tuning"]).problems, TUNING_HALF)
        self.assertEqual(C.parse_args(["--half", "all"]).problems, P.SUITE)
        # Without --problems or --half: the classic seven at 100 trials, as before.
        self.assertEqual(C.parse_args([]).problems, P.CLASSIC)
        self.assertEqual({P.get(n).budget for n in P.CLASSIC}, {100})
        self.assertEqual(C.parse_args(["--problems", "classic,sphere-2d"]).problems,
                         CONTINUOUS + ["mixed", "conditional", "sphere-2d"])
        self.assertEqual(set(C.parse_args(["--half", "heldout"]).problems),
                         set(P.SUITE) - set(TUNING_HALF))
        with self.assertRaises(SystemExit), open(os.devnull, "w") as devnull, \
                contextlib.redirect_stderr(devnull):
            C.parse_args(["--half", "tuning", "--problems", "branin"])
        with tempfile.TemporaryDirectory() as tmp:
            out, md = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.md")
            rc = self.main_quiet(["--problems", "sphere-2d,quadratic-5d,noisy-quadratic-2d,branin",
                                  "--optimizers", "tunekit-random,tunekit-qmc", "--seeds", "2",
                                  "--quick", "--out", out, "--md", md])
            self.assertEqual(rc, 0)
            with open(md) as f:
                report = f.read()
            with open(out) as f:
                data = json.load(f)
        groups = data["summary"]["mean_rank_by_half"]
        self.assertEqual(set(groups), {"tuning half", "held-out half",
                                       "classic problems (outside the suite)"})
        self.assertIn("### Tuning half: regret", report)
        self.assertIn("### Held-out half: regret", report)
        self.assertIn("| tuning half | 2 |", report)
        self.assertIn("| all | 4 |", report)
        self.assertIn("noiseless value", report)
        noisy = [r for r in data["runs"] if r["problem"] == "noisy-quadratic-2d"]
        self.assertTrue(all(len(r["true_values"]) == 50 for r in noisy))

    def test_budgets_default_to_each_problems_own(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, again = os.path.join(tmp, "r.json.gz"), os.path.join(tmp, "s.json")
            argv = ["--problems", "sphere-2d,digits-knn", "--optimizers",
                    "tunekit-random,tunekit-qmc", "--seeds", "1",
                    "--max-budget-for", "tunekit-qmc=79"]
            self.assertEqual(self.main_quiet(argv + ["--out", out]), 0)
            with gzip.open(out, "rt") as f:  # a .gz --out is written gzipped ...
                runs = json.load(f)["runs"]
            # ... and reused from as it is.
            self.assertEqual(self.main_quiet(argv + ["--reuse", out, "--out", again]), 0)
            with open(again) as f:
                self.assertEqual(json.load(f)["meta"]["reused_runs"], 2)
        got = {(r["problem"], r["optimizer"]): r["budget"] for r in runs}
        self.assertEqual(got, {("sphere-2d", "tunekit-random"): 80,
                               ("digits-knn", "tunekit-random"): 80})
        self.assertEqual(P.get("sphere-2d").budget, 80)

    def test_reuse_only_runs_nothing_and_marks_missing_seeds(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, merged = os.path.join(tmp, "r.json"), os.path.join(tmp, "m.json")
            md = os.path.join(tmp, "m.md")
            base = ["--problems", "branin", "--optimizers", "tunekit-random", "--budget", "5"]
            self.assertEqual(self.main_quiet(base + ["--seeds", "2", "--out", out]), 0)
            self.assertEqual(self.main_quiet(base + ["--seeds", "3", "--reuse", out,
                                                     "--reuse-only", "--out", merged,
                                                     "--md", md]), 0)
            with open(merged) as f:
                runs = json.load(f)["runs"]
            with open(md) as f:
                report = f.read()
        self.assertEqual([r["seed"] for r in runs], [0, 1])
        self.assertTrue(all(r["reused_from"] for r in runs))
        self.assertIn("(n=2)", report)

    def test_seeds_for_gives_an_optimizer_fewer_seeds(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "r.json")
            rc = self.main_quiet(["--problems", "branin", "--optimizers",
                                  "tunekit-random,tunekit-qmc", "--seeds", "3", "--budget", "4",
                                  "--seeds-for", "tunekit-qmc=1", "--out", out])
            self.assertEqual(rc, 0)
            with open(out) as f:
                runs = json.load(f)["runs"]
        seeds = collections.Counter(r["optimizer"] for r in runs)
        self.assertEqual(seeds, {"tunekit-random": 3, "tunekit-qmc": 1})


if __name__ == "__main__":
    unittest.main(verbosity=2)
