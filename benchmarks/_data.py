"""Benchmark sizes and the synthetic data, shared by the suite and the memory probe.

This module imports only numpy and pyarrow, so the memory probe (which must
not load scikit-learn or pandas) can use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

SEED = 20240531
INTERCEPT = 0.5
# Regularisation of the workloads: LogisticRegression(C=C) is quiver's
# l2=1/C; Ridge(alpha=ALPHA) is quiver's l2=ALPHA (both sum-based objectives).
C = 1.0
ALPHA = 1.0
N_THREADS = 2


@dataclass(frozen=True)
class Scale:
    name: str
    n: int  # rows
    p: int  # feature columns
    rounds: int  # timed rounds per fit (median reported)


SCALES = {
    "full": Scale("full", n=1_000_000, p=100, rounds=5),
    "smoke": Scale("smoke", n=20_000, p=10, rounds=1),
}


def scale() -> Scale:
    """The scale chosen by QUIVER_BENCH_SCALE (default: full).

    QUIVER_BENCH_ROUNDS overrides the number of timed rounds.
    """
    name = os.environ.get("QUIVER_BENCH_SCALE", "full") or "full"
    if name not in SCALES:
        raise ValueError(f"QUIVER_BENCH_SCALE={name!r}: expected one of {sorted(SCALES)}")
    s = SCALES[name]
    rounds = os.environ.get("QUIVER_BENCH_ROUNDS")
    if rounds:
        s = Scale(s.name, s.n, s.p, max(1, int(rounds)))
    return s


@dataclass
class Synthetic:
    """Feature columns (a pyarrow Table, one contiguous chunk per column) and
    the two targets, as numpy arrays."""

    features: pa.Table
    y_logistic: np.ndarray  # int64, 0/1
    y_linear: np.ndarray  # float64

    def table(self, workload: str) -> pa.Table:
        """The features plus the workload's target as column "y" (no copy)."""
        y = self.y_logistic if workload == "logistic" else self.y_linear
        return self.features.append_column("y", arrow(y))


def arrow(values: np.ndarray) -> pa.Array:
    """A zero-copy pyarrow array over a contiguous numpy array.

    Built from the buffer directly: pa.array(ndarray) would import pandas (when
    installed) to check for pandas types, and the memory probe must not load it.
    """
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def make_synthetic(n: int, p: int, seed: int = SEED) -> Synthetic:
    """Independent standard-normal features, built column by column so each
    column is its own contiguous buffer and no n x p matrix ever exists.

    y_linear = x·beta + INTERCEPT + N(0, 1); y_logistic ~ Bernoulli(sigmoid(x·beta + INTERCEPT)),
    with beta ~ N(0, 4/p) so the linear predictor has standard deviation about 2.
    """
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(p) * (2.0 / np.sqrt(p))
    eta = np.full(n, INTERCEPT)
    columns = {}
    for j in range(p):
        x = rng.standard_normal(n)
        eta += beta[j] * x
        columns[f"x{j}"] = arrow(x)
    y_linear = eta + rng.standard_normal(n)
    y_logistic = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)
    return Synthetic(pa.table(columns), y_logistic, y_linear)


def feature_matrix(features: pa.Table) -> np.ndarray:
    """The features as one C-ordered (row-major) float64 n x p array: the
    layout scikit-learn's LogisticRegression asks for (it would copy any other)."""
    n, p = features.num_rows, features.num_columns
    X = np.empty((n, p), dtype=np.float64, order="C")
    for j in range(p):
        X[:, j] = features.column(j).to_numpy()
    return X
