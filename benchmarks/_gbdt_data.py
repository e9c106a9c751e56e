"""Sizes and data of the gradient-boosted-tree benchmarks, shared by the suite
and the memory probe.

Two data sets:

- dense: scikit-learn's ``make_classification`` (the issue's parameters) as
  float32, the last rows held out. Generating the full-size one takes a while,
  so it is cached as .npy files under benchmarks/.cache/ (ignored by git),
  in a directory named after a hash of its parameters.
- categorical: an airline-shaped synthetic set (``make_airline``): month, day
  of week, carrier, origin and destination as categories, departure hour and
  distance as numbers, and a "delayed" target built from interactions of them.

At module level this imports only numpy and pyarrow (scikit-learn and pandas
are imported where needed), so the memory probe can load the dense set
without them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

import _data
from _gbdt import TARGET

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE_DIR = os.path.join(HERE, ".cache")


@dataclass(frozen=True)
class Scale:
    name: str
    dense_train: int  # training rows of the dense set
    dense_test: int  # held-out rows after them
    airline_rows: int  # rows of the categorical set; the last AIRLINE_TEST of them held out
    predict_rows: int  # rows scored by the throughput benchmark (the first rows of the dense set)
    max_iter: int  # boosting rounds
    num_leaves: int
    fit_rounds: int  # timed rounds per fit (median reported)
    predict_rounds: int  # timed rounds per prediction


SCALES = {
    "full": Scale("full", dense_train=1_000_000, dense_test=100_000, airline_rows=1_000_000,
                  predict_rows=1_000_000, max_iter=100, num_leaves=255, fit_rounds=1, predict_rounds=3),
    "smoke": Scale("smoke", dense_train=20_000, dense_test=5_000, airline_rows=20_000,
                   predict_rows=20_000, max_iter=10, num_leaves=255, fit_rounds=1, predict_rounds=1),
}

AIRLINE_TEST = 0.1  # fraction of the categorical set held out (its last rows)


def scale() -> Scale:
    """The scale chosen by QUIVER_BENCH_SCALE (default: full), as for the
    linear benchmarks; QUIVER_BENCH_ROUNDS overrides the timed rounds of
    every fit and prediction."""
    name = _data.scale().name  # validates QUIVER_BENCH_SCALE
    s = SCALES[name]
    rounds = os.environ.get("QUIVER_BENCH_ROUNDS")
    if rounds:
        r = max(1, int(rounds))
        s = Scale(**{**s.__dict__, "fit_rounds": r, "predict_rounds": r})
    return s


# ---------------------------------------------------------------- dense


def dense_params(s: Scale) -> dict:
    """The issue's make_classification call, at the scale's size."""
    return dict(n_samples=s.dense_train + s.dense_test, n_features=28, n_informative=20, n_redundant=4,
                n_clusters_per_class=8, flip_y=0.05, class_sep=0.6, random_state=0)


def dense_cache_dir(s: Scale) -> str:
    """The cache directory of the dense set: named after its size and a hash of
    the make_classification parameters and the scikit-learn version that
    generates it."""
    import sklearn

    params = dense_params(s)
    key = json.dumps({"make_classification": params, "sklearn": sklearn.__version__, "dtype": "float32"},
                     sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return os.path.join(CACHE_DIR, f"dense-{params['n_samples']}x{params['n_features']}-{digest}")


# The files of a cached dense set: the features once row-major (the layout the
# peers take) and once column-major (each column one contiguous buffer, the
# layout quiver reads without a copy), and the 0/1 target.
DENSE_FILES = ("X.npy", "X_columns.npy", "y.npy")


def ensure_dense(s: Scale) -> str:
    """Generate and cache the dense set unless it is cached; return its directory."""
    path = dense_cache_dir(s)
    if all(os.path.exists(os.path.join(path, f)) for f in DENSE_FILES):
        return path
    from sklearn.datasets import make_classification

    X, y = make_classification(**dense_params(s))
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = y.astype(np.int64)
    os.makedirs(path, exist_ok=True)
    arrays = {"X.npy": X, "X_columns.npy": np.asfortranarray(X), "y.npy": y}
    for name, arr in arrays.items():  # write then rename, so a killed run leaves no half file
        fd, tmp = tempfile.mkstemp(dir=path, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, arr)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(path, name))
    with open(os.path.join(path, "params.json"), "w") as f:
        json.dump(dense_params(s), f, indent=1)
    return path


def feature_names(p: int) -> list[str]:
    return [f"x{j}" for j in range(p)]


def columns_table(columns: np.ndarray, y: np.ndarray | None = None) -> pa.Table:
    """A pyarrow Table over the columns of a column-major (Fortran-ordered)
    array or a block of its rows, plus y as column "y" if given, without
    copying: each column is one contiguous buffer of the array."""
    assert columns.strides[0] == columns.itemsize, "columns_table needs contiguous columns"
    arrays = {name: _data.arrow(columns[:, j]) for j, name in enumerate(feature_names(columns.shape[1]))}
    if y is not None:
        arrays[TARGET] = _data.arrow(y)
    return pa.table(arrays)


@dataclass
class Dense:
    """The dense set: rows [0, n_train) train, the rest are held out."""

    path: str
    X: np.ndarray  # float32, C-ordered, all rows
    columns: np.ndarray  # the same values, Fortran-ordered
    y: np.ndarray  # int64 0/1
    n_train: int

    @property
    def X_train(self) -> np.ndarray:
        return self.X[: self.n_train]  # a view, still C-contiguous

    @property
    def X_test(self) -> np.ndarray:
        return self.X[self.n_train:]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[: self.n_train]

    @property
    def y_test(self) -> np.ndarray:
        return self.y[self.n_train:]

    def train_table(self) -> pa.Table:
        """quiver's training frame: the training rows' columns and y, zero copy."""
        return columns_table(self.columns[: self.n_train], self.y_train)

    def test_table(self) -> pa.Table:
        return columns_table(self.columns[self.n_train:])

    def rows_table(self, n: int) -> pa.Table:
        """The first n rows' features, zero copy (the throughput benchmark's input)."""
        return columns_table(self.columns[:n])


def load_dense(s: Scale) -> Dense:
    path = ensure_dense(s)
    X = np.load(os.path.join(path, "X.npy"))
    columns = np.load(os.path.join(path, "X_columns.npy"))
    y = np.load(os.path.join(path, "y.npy"))
    assert X.shape == columns.shape == (s.dense_train + s.dense_test, 28) and columns.flags.f_contiguous
    return Dense(path, X, columns, y, s.dense_train)


# ---------------------------------------------------------------- categorical

AIRLINE_SEED = 20240601
N_CARRIERS = 20
# scikit-learn's HistGradientBoosting takes at most max_bins (255) categories
# per feature natively, so the airports stay below that.
N_AIRPORTS = 250
MONTHS = [str(m) for m in range(1, 13)]
DAYS = [str(d) for d in range(1, 8)]
CATEGORICAL = ("month", "day_of_week", "carrier", "origin", "dest")
NUMERIC = ("dep_hour", "distance")


def _codes(rng: np.random.Generator, k: int, length: int) -> list[str]:
    """k distinct random upper-case codes of the given length, sorted."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    seen: set[str] = set()
    while len(seen) < k:
        seen.add("".join(rng.choice(letters, length)))
    return sorted(seen)


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


@dataclass
class Airline:
    """The categorical set: category codes (indices into the category lists)
    and numeric columns, all numpy, and the 0/1 target."""

    codes: dict[str, np.ndarray]  # int16 codes
    categories: dict[str, list[str]]
    numeric: dict[str, np.ndarray]  # dep_hour int8, distance float32
    y: np.ndarray  # int64 0/1, "delayed"
    probability: np.ndarray  # the true P(delayed), for the Bayes AUC
    n_train: int

    def _slice(self, part: str) -> slice:
        return slice(0, self.n_train) if part == "train" else slice(self.n_train, None)

    def arrow(self, part: str, with_target: bool = False) -> pa.Table:
        """quiver's frame: dictionary<int16, string> columns for the categories
        (what a pandas category or polars Categorical becomes in Arrow)."""
        sl = self._slice(part)
        arrays = {}
        for name in CATEGORICAL:
            arrays[name] = pa.DictionaryArray.from_arrays(_data.arrow(self.codes[name][sl]),
                                                          pa.array(self.categories[name], pa.string()))
        for name in NUMERIC:
            arrays[name] = _data.arrow(self.numeric[name][sl])
        if with_target:
            arrays[TARGET] = _data.arrow(self.y[sl])
        return pa.table(arrays)

    def pandas(self, part: str):  # noqa: ANN201 - pandas.DataFrame
        """The peers' frame: pandas ``category`` columns and numeric columns."""
        import pandas as pd

        sl = self._slice(part)
        frame = {}
        for name in CATEGORICAL:
            frame[name] = pd.Categorical.from_codes(self.codes[name][sl], categories=self.categories[name])
        for name in NUMERIC:
            frame[name] = self.numeric[name][sl]
        return pd.DataFrame(frame)

    def target(self, part: str) -> np.ndarray:
        return self.y[self._slice(part)]


def make_airline(n: int, seed: int = AIRLINE_SEED) -> Airline:
    """An airline-delay-shaped data set of n rows, seeded.

    Airports sit on a 4500 × 2500 km map with Zipf-like traffic; flights pick
    origin and destination by traffic, a carrier by market share, a month, a
    day of week and a departure hour by realistic profiles. Distance (miles)
    is the great-circle-like distance between the two airports with noise.
    The log-odds of "delayed" add main effects (month, day, hour, carrier,
    origin, destination, distance) and interactions: carrier × hour (each
    carrier its own slope over the day and its own evening bump), origin
    congestion in the evening at hubs, month × destination (winter at northern
    destinations, summer storms at southern ones, plus a random
    destination-specific month pattern), and distance × carrier. The target
    is a Bernoulli draw of that probability, so the best possible test AUC
    (the "Bayes AUC" of the true probabilities) is about 0.82.
    """
    rng = np.random.default_rng(seed)
    A, C = N_AIRPORTS, N_CARRIERS

    # airports: codes, position, traffic, own effects
    airport_codes = _codes(rng, A, 3)
    position = rng.uniform([0.0, 0.0], [4500.0, 2500.0], size=(A, 2))
    traffic = 1.0 / (1.0 + rng.permutation(A)) ** 0.9
    hub = np.log(traffic / traffic.mean())  # > 0 for busy airports
    north = position[:, 1] / 2500.0  # 0 (south) .. 1 (north)
    origin_effect = rng.normal(0.0, 0.30, A) + 0.10 * hub
    dest_effect = rng.normal(0.0, 0.20, A)
    dest_month = rng.normal(0.0, 0.25, (A, 12))

    # carriers
    carrier_codes = _codes(rng, C, 2)
    share = 1.0 / (1.0 + np.arange(C)) ** 0.8
    carrier_effect = rng.normal(0.0, 0.30, C)
    carrier_slope = rng.normal(0.0, 0.035, C)  # per hour past noon
    carrier_evening = rng.normal(0.0, 0.35, C)  # after 18:00
    carrier_distance = rng.normal(0.0, 0.25, C)  # per log-distance unit

    # calendar and clock
    month_weight = np.array([0.95, 0.88, 1.0, 0.97, 1.0, 1.05, 1.1, 1.1, 0.95, 0.98, 0.94, 1.02])
    month_effect = np.array([0.25, 0.05, 0.0, -0.15, -0.1, 0.2, 0.35, 0.3, -0.25, -0.2, -0.05, 0.4])
    dow_weight = np.array([1.05, 1.0, 1.0, 1.02, 1.08, 0.85, 1.0])
    dow_effect = np.array([0.05, -0.1, -0.05, 0.1, 0.2, -0.2, 0.1])
    hour_weight = np.array([0.2, 0.05, 0.02, 0.02, 0.1, 0.6, 1.2, 1.5, 1.4, 1.3, 1.3, 1.3,
                            1.3, 1.3, 1.3, 1.3, 1.3, 1.4, 1.3, 1.2, 1.0, 0.8, 0.5, 0.3])

    month = _pick(rng, month_weight, n)
    dow = _pick(rng, dow_weight, n)
    hour = _pick(rng, hour_weight, n)
    carrier = _pick(rng, share, n)
    origin = _pick(rng, traffic, n)
    dest = _pick(rng, traffic, n)
    same = dest == origin
    dest[same] = (dest[same] + rng.integers(1, A, same.sum())) % A

    km = np.hypot(*(position[origin] - position[dest]).T)
    miles = km * 0.621 * rng.lognormal(0.0, 0.05, n) + rng.normal(0.0, 15.0, n)
    distance = np.maximum(miles, 30.0).astype(np.float32)
    log_distance = np.log(distance / 800.0)

    past_noon = hour - 12.0
    evening = (hour >= 18).astype(np.float64)
    winter = np.isin(month, [11, 0, 1]).astype(np.float64)  # Dec, Jan, Feb (0-based months)
    summer = np.isin(month, [5, 6, 7]).astype(np.float64)  # Jun, Jul, Aug
    effects = (
        month_effect[month]
        + dow_effect[dow]
        + 0.055 * past_noon
        + carrier_effect[carrier]
        + carrier_slope[carrier] * past_noon
        + carrier_evening[carrier] * evening
        + origin_effect[origin]
        + 0.30 * np.maximum(hub[origin], 0.0) * (hour >= 16)
        + dest_effect[dest]
        + 1.3 * winter * (north[dest] - 0.4)
        + 0.9 * summer * (0.5 - north[dest])
        + dest_month[dest, month]
        + 0.15 * log_distance
        + carrier_distance[carrier] * log_distance
        - 0.35 * np.exp(-distance / 250.0)
    )
    eta = -2.8 + 1.6 * effects  # about 22% delayed
    probability = 1.0 / (1.0 + np.exp(-eta))
    y = (rng.random(n) < probability).astype(np.int64)

    codes = {"month": month, "day_of_week": dow, "carrier": carrier, "origin": origin, "dest": dest}
    categories = {"month": MONTHS, "day_of_week": DAYS, "carrier": carrier_codes,
                  "origin": airport_codes, "dest": airport_codes}
    n_train = n - int(round(AIRLINE_TEST * n))
    return Airline(
        codes={k: v.astype(np.int16) for k, v in codes.items()},
        categories=categories,
        numeric={"dep_hour": hour.astype(np.int8), "distance": distance},
        y=y,
        probability=probability,
        n_train=n_train,
    )


# ---------------------------------------------------------------- metric


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half), in numpy
    so that it does not need scikit-learn."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    # average rank (1-based) of each distinct score
    upper = np.cumsum(counts)
    mid = upper - (counts - 1) / 2.0
    ranks = mid[inverse]
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))
