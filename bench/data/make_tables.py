#!/usr/bin/env python3
"""Builds the tabular benchmarks in bench/data/ by really training models on the digits
data shipped in sweeps/data/digits.csv (1797 8x8 images, 10 classes). Run ONCE; the
benchmark only looks the results up (suite.py, family "tabular").

    $PY bench/data/make_tables.py        # PY: the bench venv's python (needs numpy only)

Two tables, every config trained on the same 3 folds (a fixed shuffle, seed 0):

* ``digits_mlp.csv``: a one-hidden-layer MLP (softmax output, Adam, batch 64, He/Xavier
  init) written here in numpy. Grid: lr x hidden units x L2 x activation, and the number
  of epochs (5, 10, 20: read off one 20-epoch run at those epochs).
* ``digits_knn.csv``: k-nearest-neighbour classification after a feature scaling and a
  PCA (both fit on the training fold). Grid: scaling x PCA components x metric x k x
  vote weighting (uniform or 1/distance).

Columns: the config, then ``err0, err1, err2`` (validation error rate of each fold) and
``err`` (their mean), which is what the benchmark minimises. Deterministic: same numpy,
same table (each config's training draws from its own seeded generator).
"""

import csv
import itertools
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "sweeps", "data", "digits.csv")
FOLDS = 3


def load_digits():
    data = np.loadtxt(DIGITS, delimiter=",")
    return data[:, :64], data[:, 64].astype(int)


def folds(n):
    perm = np.random.default_rng(0).permutation(n)
    return [np.sort(perm[k::FOLDS]) for k in range(FOLDS)]


# --------------------------------------------------------------------------- MLP

MLP_LR = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
MLP_UNITS = [16, 32, 64, 128]
MLP_L2 = [0.0, 1e-4, 1e-3, 1e-2, 1e-1]
MLP_ACT = ["relu", "tanh"]
MLP_EPOCHS = [5, 10, 20]


def train_mlp(xtr, ytr, xva, yva, lr, units, l2, act, seed):
    """Adam on softmax cross-entropy + l2/2 * |W|^2; returns the validation error after
    each epoch in MLP_EPOCHS."""
    rng = np.random.default_rng(seed)
    d, k = xtr.shape[1], 10
    scale1 = np.sqrt(2.0 / d) if act == "relu" else np.sqrt(1.0 / d)
    params = [rng.normal(0, scale1, (d, units)), np.zeros(units),
              rng.normal(0, np.sqrt(1.0 / units), (units, k)), np.zeros(k)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(k)[ytr]
    f = (lambda z: np.maximum(z, 0.0)) if act == "relu" else np.tanh
    out = {}
    for epoch in range(1, max(MLP_EPOCHS) + 1):
        order = rng.permutation(len(xtr))
        for start in range(0, len(order), 64):
            idx = order[start:start + 64]
            x, y = xtr[idx], onehot[idx]
            w1, c1, w2, c2 = params
            z = x @ w1 + c1
            h = f(z)
            logits = h @ w2 + c2
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            g = (p - y) / len(idx)
            gw2 = h.T @ g + l2 * w2
            gc2 = g.sum(axis=0)
            gh = g @ w2.T
            gz = gh * (z > 0) if act == "relu" else gh * (1.0 - h * h)
            gw1 = x.T @ gz + l2 * w1
            gc1 = gz.sum(axis=0)
            t += 1
            for i, gr in enumerate((gw1, gc1, gw2, gc2)):
                m[i] = b1 * m[i] + (1 - b1) * gr
                v[i] = b2 * v[i] + (1 - b2) * gr * gr
                mh = m[i] / (1 - b1 ** t)
                vh = v[i] / (1 - b2 ** t)
                params[i] = params[i] - lr * mh / (np.sqrt(vh) + eps)
        if epoch in MLP_EPOCHS:
            w1, c1, w2, c2 = params
            pred = (f(xva @ w1 + c1) @ w2 + c2).argmax(axis=1)
            # A diverged run (nan logits) predicts garbage: argmax of nan is 0.
            out[epoch] = float(np.mean(pred != yva))
    return out


def mlp_table(x, y):
    x = x / 16.0  # pixel intensities 0..16 -> 0..1
    fs = folds(len(x))
    rows = []
    grid = list(itertools.product(MLP_LR, MLP_UNITS, MLP_L2, MLP_ACT))
    for n, (lr, units, l2, act) in enumerate(grid):
        per_fold = []
        for k, va in enumerate(fs):
            tr = np.setdiff1d(np.arange(len(x)), va)
            with np.errstate(all="ignore"):
                per_fold.append(train_mlp(x[tr], y[tr], x[va], y[va], lr, units, l2, act,
                                          seed=1000 * n + k))
        for epochs in MLP_EPOCHS:
            errs = [pf[epochs] for pf in per_fold]
            rows.append({"lr": lr, "units": units, "l2": l2, "activation": act,
                         "epochs": epochs, **{f"err{k}": e for k, e in enumerate(errs)},
                         "err": sum(errs) / FOLDS})
        if n % 20 == 0:
            print(f"mlp {n}/{len(grid)}", file=sys.stderr, flush=True)
    return rows


# --------------------------------------------------------------------------- k nearest neighbours

KNN_SCALING = ["none", "standardize", "minmax"]
KNN_PCA = [4, 8, 16, 32, 64]
KNN_K = [1, 3, 5, 7, 9, 11, 15, 21]
KNN_WEIGHTS = ["uniform", "distance"]
KNN_METRIC = ["euclidean", "manhattan"]


def knn_table(x, y):
    """k-NN classification after a feature scaling and a PCA to k components (both fit on
    the training fold); ties in the vote go to the smallest class."""
    fs = folds(len(x))
    results = {}
    for f, va in enumerate(fs):
        tr = np.setdiff1d(np.arange(len(x)), va)
        for scaling in KNN_SCALING:
            xtr, xva = x[tr].copy(), x[va].copy()
            if scaling == "standardize":
                mu, sd = xtr.mean(axis=0), xtr.std(axis=0)
                sd[sd == 0] = 1.0
                xtr, xva = (xtr - mu) / sd, (xva - mu) / sd
            elif scaling == "minmax":
                lo, hi = xtr.min(axis=0), xtr.max(axis=0)
                span = np.where(hi > lo, hi - lo, 1.0)
                xtr, xva = (xtr - lo) / span, (xva - lo) / span
            mu = xtr.mean(axis=0)
            _, _, vt = np.linalg.svd(xtr - mu, full_matrices=False)
            for ncomp in KNN_PCA:
                ztr, zva = (xtr - mu) @ vt[:ncomp].T, (xva - mu) @ vt[:ncomp].T
                for metric in KNN_METRIC:
                    if metric == "euclidean":
                        d = np.sqrt(np.maximum((zva ** 2).sum(1)[:, None] + (ztr ** 2).sum(1)[None]
                                               - 2.0 * zva @ ztr.T, 0.0))
                    else:
                        d = np.abs(zva[:, None, :] - ztr[None, :, :]).sum(axis=2)
                    order = np.argsort(d, axis=1, kind="stable")[:, :max(KNN_K)]
                    dist = np.take_along_axis(d, order, axis=1)
                    labels = y[tr][order]
                    for k in KNN_K:
                        for weights in KNN_WEIGHTS:
                            w = (np.ones((len(va), k)) if weights == "uniform"
                                 else 1.0 / np.maximum(dist[:, :k], 1e-12))
                            votes = np.zeros((len(va), 10))
                            np.add.at(votes, (np.arange(len(va))[:, None], labels[:, :k]), w)
                            pred = votes.argmax(axis=1)
                            key = (scaling, ncomp, metric, k, weights)
                            results.setdefault(key, [None] * FOLDS)[f] = float(np.mean(pred != y[va]))
        print(f"knn fold {f} done", file=sys.stderr, flush=True)
    rows = []
    for (scaling, ncomp, metric, k, weights), errs in results.items():
        rows.append({"scaling": scaling, "pca": ncomp, "metric": metric, "k": k,
                     "weights": weights, **{f"err{i}": e for i, e in enumerate(errs)},
                     "err": sum(errs) / FOLDS})
    return rows


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    print(f"wrote {path}: {len(rows)} configs", file=sys.stderr)


def main(which):
    x, y = load_digits()
    t0 = time.time()
    if which in ("all", "knn"):
        write(os.path.join(HERE, "digits_knn.csv"), knn_table(x, y))
    if which in ("all", "mlp"):
        write(os.path.join(HERE, "digits_mlp.csv"), mlp_table(x, y))
    print(f"{time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
