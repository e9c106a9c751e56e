"""Pipelines in the benchmark suite: imputation, one-hot encoding and
gradient-boosted trees, end to end and under a random search; quiver against
scikit-learn and LightGBM. The settings the libraries share, the data with
missing values, each library's pipeline, what the tests record, and the
RESULTS.md section.

The workloads (see test_pipelines.py), on the airline-shaped categorical set
of the gradient-boosted-tree benchmark (``_gbdt_data.make_airline``) with
MISSING_SHARE of the feature values set missing at random (seeded, before any
clock starts):

- end to end: impute every feature with its most frequent training value,
  one-hot encode the five categories with at most MAX_CATEGORIES columns each,
  and fit 100 rounds of 255-leaf trees; then score the held-out rows. quiver's
  ``quiver.pipeline`` against scikit-learn's ``Pipeline`` (SimpleImputer,
  OneHotEncoder, HistGradientBoostingClassifier) and against LightGBM behind
  the same preprocessing written in pandas. Reported: fit seconds, predict
  seconds and held-out AUC.
- random search: 20 random configurations of num_leaves, learning rate and
  minimum rows per leaf, each scored by 3-fold cross-validated AUC on 100,000
  rows, the best refitted on them; ``quiver.tune`` over the quiver pipeline
  against scikit-learn's ``RandomizedSearchCV`` over LightGBM (on the pandas
  preprocessing) with the same folds and the same ranges. Reported: total
  seconds, best cross-validated AUC and the refit model's held-out AUC.

At module level this imports only numpy and pyarrow; pandas, scikit-learn,
LightGBM, scipy and quiver are imported where used, so that a missing peer
costs only its own tests.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np
import pyarrow as pa

import _gbdt_data
from _gbdt import REBUILD

LIBRARIES = ("quiver", "scikit-learn", "lightgbm")
LABELS = {"quiver": "quiver", "scikit-learn": "scikit-learn", "lightgbm": "LightGBM"}
PEERS = ("scikit-learn", "lightgbm")
# The random search compares quiver.tune with RandomizedSearchCV over LightGBM.
SEARCH_LIBRARIES = ("quiver", "lightgbm")
SEARCH_LABELS = {"quiver": "quiver.tune over the quiver pipeline",
                 "lightgbm": "scikit-learn's RandomizedSearchCV over LightGBM"}

TARGET = "y"
CATEGORICAL = _gbdt_data.CATEGORICAL
NUMERIC = _gbdt_data.NUMERIC
FEATURES = CATEGORICAL + NUMERIC
N_THREADS = 2
LEARNING_RATE = 0.1
MAX_BIN = 255
MIN_LEAF = 20  # every library's default minimum rows per leaf
# One-hot columns per categorical feature, the same cap for every library:
# the MAX_CATEGORIES - 1 most frequent training levels and one column for the
# rest (origin and destination have 250 airports; month, day and carrier
# stay below the cap).
MAX_CATEGORIES = 32
# The share of feature values set missing (each value independently).
MISSING_SHARE = 0.05
MISSING_SEED = 20240611
SEARCH_SEED = 0

# The issue's target: quiver faster than both peers at an equal AUC, equal
# meaning within AUC_TARGET.
AUC_TARGET = 0.005
# Sanity bound the suite asserts on every held-out AUC at full scale (the
# smoke scale's few, small trees stay above SMOKE_AUC_ASSERT).
AUC_ASSERT = 0.6
SMOKE_AUC_ASSERT = 0.55

# The search space: a narrowed range per parameter (quiver's own spaces hold
# validation bounds, not search ranges), the same for both searches. quiver's
# name, LightGBM's name, low, high, kind, log scale.
SEARCH_SPACE = (
    ("num_leaves", "num_leaves", 8, 128, "int", True),
    ("learning_rate", "learning_rate", 0.02, 0.3, "float", True),
    ("min_data_in_leaf", "min_child_samples", 5, 100, "int", False),
)
MODEL_STEP = "model"


@dataclass(frozen=True)
class Scale:
    name: str
    max_iter: int  # boosting rounds, end to end and in every search trial
    num_leaves: int  # end to end
    search_rows: int  # rows the search runs on (the first training rows)
    search_trials: int
    search_folds: int


SCALES = {
    "full": Scale("full", max_iter=100, num_leaves=255, search_rows=100_000, search_trials=20, search_folds=3),
    # Tiny, so that the smoke run takes seconds: on the smoke rows (18,000
    # training rows of 105 one-hot and numeric columns) scikit-learn's
    # HistGradientBoosting took 1.3 s for 10 trees of 255 leaves on a quiet
    # 2-core machine and over 10 s while another process used the cores;
    # with 15 leaves 0.3 s.
    "smoke": Scale("smoke", max_iter=10, num_leaves=15, search_rows=3_000, search_trials=3, search_folds=3),
}


def scale(name: str) -> Scale:
    """The pipeline benchmarks' settings at scale ``name`` (QUIVER_BENCH_SCALE)."""
    return SCALES[name]


def unavailable(library: str) -> str | None:
    """Why a library cannot be benchmarked, naming it, or None if it can."""
    try:
        if library == "quiver":
            import quiver

            missing = [n for n in ("imputer", "one_hot", "gbdt") if n not in quiver.learners()]
            if missing or not hasattr(quiver, "pipeline") or not hasattr(quiver, "tune"):
                return (f"quiver lacks {', '.join(missing) or 'pipeline or tune'}: quiver.learners() is "
                        f"{quiver.learners()} (rebuild from the source tree with `{REBUILD}`)")
            return None
        importlib.import_module("pandas")
        if library == "scikit-learn":
            for module in ("sklearn.ensemble", "sklearn.compose", "sklearn.impute", "sklearn.preprocessing",
                           "threadpoolctl"):
                importlib.import_module(module)
            return None
        if library == "lightgbm":
            for module in ("lightgbm", "sklearn.model_selection", "scipy.stats"):
                importlib.import_module(module)
            return None
    except ImportError as exc:
        return f"{LABELS.get(library, library)} cannot be benchmarked: {exc}"
    raise ValueError(f"unknown library {library!r}")


def version(library: str) -> str:
    module = {"quiver": "quiver", "scikit-learn": "sklearn", "lightgbm": "lightgbm"}[library]
    try:
        return str(getattr(importlib.import_module(module), "__version__", "unknown"))
    except Exception:  # noqa: BLE001 - not installed, or broken
        return "not installed"


# ---------------------------------------------------------------- data


@dataclass
class Missing:
    """The airline set with missing values: ``mask[name]`` marks the rows
    whose value of feature ``name`` is missing. The frames are built from
    ``airline`` and the masks; ``rows`` restricts the training part to its
    first rows (the search)."""

    airline: _gbdt_data.Airline
    mask: dict[str, np.ndarray]

    @property
    def share(self) -> float:
        """The share of feature values missing, as drawn."""
        return float(np.mean([m.mean() for m in self.mask.values()]))

    def _slice(self, part: str, rows: int | None = None) -> slice:
        n_train = self.airline.n_train
        if part == "train":
            return slice(0, n_train if rows is None else min(rows, n_train))
        return slice(n_train, None)

    def target(self, part: str, rows: int | None = None) -> np.ndarray:
        return self.airline.y[self._slice(part, rows)]

    def arrow(self, part: str, with_target: bool = False, rows: int | None = None) -> pa.Table:
        """quiver's frame: dictionary<int16, string> categories, int8 dep_hour
        and float32 distance, missing values as Arrow nulls (what a pandas
        frame with categories or polars gives)."""
        sl = self._slice(part, rows)
        a = self.airline
        arrays: dict[str, pa.Array] = {}
        for name in CATEGORICAL:
            codes = pa.array(a.codes[name][sl], mask=self.mask[name][sl])
            arrays[name] = pa.DictionaryArray.from_arrays(codes, pa.array(a.categories[name], pa.string()))
        for name in NUMERIC:
            arrays[name] = pa.array(a.numeric[name][sl], mask=self.mask[name][sl])
        if with_target:
            arrays[TARGET] = pa.array(a.y[sl])
        return pa.table(arrays)

    def pandas(self, part: str, rows: int | None = None):  # noqa: ANN201 - pandas.DataFrame
        """The peers' frame: ``category`` columns (missing: NaN) and float32
        numbers (missing: NaN; dep_hour becomes float32 to hold NaN)."""
        import pandas as pd

        sl = self._slice(part, rows)
        a = self.airline
        frame = {}
        for name in CATEGORICAL:
            codes = a.codes[name][sl].copy()
            codes[self.mask[name][sl]] = -1
            frame[name] = pd.Categorical.from_codes(codes, categories=a.categories[name])
        for name in NUMERIC:
            values = a.numeric[name][sl].astype(np.float32)
            values[self.mask[name][sl]] = np.nan
            frame[name] = values
        return pd.DataFrame(frame)


def with_missing(airline: _gbdt_data.Airline, share: float = MISSING_SHARE, seed: int = MISSING_SEED) -> Missing:
    """Mark each feature value of every row (training and held-out) missing
    with probability ``share``, independently, seeded."""
    rng = np.random.default_rng(seed)
    n = len(airline.y)
    return Missing(airline, {name: rng.random(n) < share for name in FEATURES})


# ---------------------------------------------------------------- quiver


def quiver_pipeline(s: Scale, searched: bool = False) -> Any:
    """``quiver.pipeline``: imputer (most frequent), one-hot (capped), gbdt.

    With ``searched`` the model step leaves the searched parameters (and the
    learning rate) at their defaults, for ``quiver.tune`` to set.
    """
    import quiver

    model = dict(objective="log_loss", max_iter=s.max_iter, max_bin=MAX_BIN, n_threads=N_THREADS)
    if not searched:
        model.update(num_leaves=s.num_leaves, learning_rate=LEARNING_RATE, min_data_in_leaf=MIN_LEAF)
    return quiver.pipeline(
        ("impute", quiver.imputer(strategy="most_frequent", n_threads=N_THREADS)),
        ("encode", quiver.one_hot(max_categories=MAX_CATEGORIES, handle_unknown="ignore", n_threads=N_THREADS)),
        (MODEL_STEP, quiver.gbdt(**model)),
    )


def quiver_call(s: Scale) -> str:
    """The end-to-end pipeline as code, for RESULTS.md."""
    return ("quiver.pipeline((\"impute\", quiver.imputer(strategy=\"most_frequent\", n_threads=2)), "
            f"(\"encode\", quiver.one_hot(max_categories={MAX_CATEGORIES}, handle_unknown=\"ignore\", n_threads=2)), "
            f"(\"model\", quiver.gbdt(objective=\"log_loss\", max_iter={s.max_iter}, max_bin={MAX_BIN}, n_threads=2, "
            f"num_leaves={s.num_leaves}, learning_rate={LEARNING_RATE:g}, min_data_in_leaf={MIN_LEAF})))")


def fit_quiver(pipe: Any, table: pa.Table) -> tuple[Any, dict[str, Any]]:
    """Fit the pipeline as a user does when only the fitted pipeline is
    wanted: ``pipe(table, target=..., score=False)``, the work the peers'
    fits do (the feature steps transform the training frame for the next
    step; the model does not score it)."""
    predict, _, log = pipe(table, target=TARGET, progress=False, score=False)
    return predict, log


def search_space() -> Any:
    """The narrowed quiver space of the search, ``model__<param>`` names."""
    import quiver

    params = []
    for name, _, low, high, kind, log in SEARCH_SPACE:
        default = quiver.space("gbdt")[name].default
        default = min(max(default, low), high)
        params.append({"name": f"{MODEL_STEP}__{name}", "kind": kind, "low": low, "high": high, "log": log,
                       "default": default, "doc": f"gbdt's {name}, narrowed for the benchmark's search"})
    return quiver.Space.from_dict({"learner": "pipeline", "doc": "the benchmark's search space", "params": params})


def search_quiver(pipe: Any, table: pa.Table, s: Scale) -> Any:
    """``quiver.tune``: random search, one trial at a time (each fit on
    N_THREADS threads), stratified folds, the best refitted on all rows."""
    import quiver

    sp = search_space()
    return quiver.tune(pipe, table, target=TARGET, metric="auc", space=sp, search=sp.names(),
                       split=quiver.StratifiedKFold(s.search_folds, seed=SEARCH_SEED), n_trials=s.search_trials,
                       method="random", seed=SEARCH_SEED, parallel=1, progress=False)


def quiver_probability(predict: Any, table: pa.Table) -> np.ndarray:
    out = predict(table, n_threads=N_THREADS)
    return np.asarray(out["probability_1"], dtype=np.float64)


# ---------------------------------------------------------------- scikit-learn


@contextlib.contextmanager
def sklearn_threads() -> Iterator[None]:
    """Every thread pool (OpenMP and BLAS) limited to N_THREADS."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=N_THREADS):
        yield


def sklearn_pipeline(s: Scale) -> Any:
    """The twin of quiver's pipeline: a ColumnTransformer that imputes the
    categories with their most frequent value and one-hot encodes them
    (dense, capped), and imputes the numbers the same way; then
    HistGradientBoostingClassifier."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    categories = Pipeline([
        ("impute", SimpleImputer(strategy="most_frequent")),
        ("encode", OneHotEncoder(handle_unknown="ignore", max_categories=MAX_CATEGORIES, sparse_output=False)),
    ])
    prepare = ColumnTransformer([("cat", categories, list(CATEGORICAL)),
                                 ("num", SimpleImputer(strategy="most_frequent"), list(NUMERIC))])
    model = HistGradientBoostingClassifier(max_iter=s.max_iter, max_leaf_nodes=s.num_leaves,
                                           learning_rate=LEARNING_RATE, max_bins=MAX_BIN, min_samples_leaf=MIN_LEAF,
                                           early_stopping=False, random_state=0)
    return Pipeline([("prepare", prepare), ("model", model)])


SKLEARN_CALL = (
    "Pipeline([(\"prepare\", ColumnTransformer([(\"cat\", Pipeline([(\"impute\", "
    "SimpleImputer(strategy=\"most_frequent\")), "
    f"(\"encode\", OneHotEncoder(handle_unknown=\"ignore\", max_categories={MAX_CATEGORIES}, sparse_output=False))]), "
    "categories), (\"num\", SimpleImputer(strategy=\"most_frequent\"), numbers)])), (\"model\", "
    "HistGradientBoostingClassifier(max_iter={max_iter}, max_leaf_nodes={num_leaves}, learning_rate=0.1, "
    f"max_bins={MAX_BIN}, min_samples_leaf={MIN_LEAF}, early_stopping=False, random_state=0))])"
)


def fit_sklearn(pipe: Any, X: Any, y: np.ndarray) -> Any:
    with sklearn_threads():
        return pipe.fit(X, y)


def sklearn_probability(pipe: Any, X: Any) -> np.ndarray:
    with sklearn_threads():
        return np.asarray(pipe.predict_proba(X)[:, 1], dtype=np.float64)


# ---------------------------------------------------------------- LightGBM with pandas preprocessing


class PandasPrep:
    """The preprocessing of quiver's and scikit-learn's pipelines, written
    in pandas for LightGBM.

    fit: every feature's most frequent training value (the smallest among
    ties, as SimpleImputer and quiver's imputer), and, per categorical
    feature, the levels that keep a column: all levels seen in training if
    there are at most MAX_CATEGORIES, else the MAX_CATEGORIES - 1 most
    frequent (counted after imputation; ties broken as scikit-learn's
    OneHotEncoder does) plus one ``<col>_infrequent`` column for the other
    seen levels. transform: ``fillna`` with those values, each category
    recoded onto the kept levels (levels unseen in training become NaN,
    which ``get_dummies`` leaves all zero, as handle_unknown="ignore"), and
    ``pd.get_dummies(..., dtype=np.uint8)``.
    """

    INFREQUENT = "infrequent"

    def __init__(self, max_categories: int = MAX_CATEGORIES) -> None:
        self.max_categories = max_categories
        self.fill: dict[str, Any] = {}
        self.levels: dict[str, list[str]] = {}
        self.lookup: dict[str, np.ndarray] = {}  # original category code -> kept level code, -1 for unseen

    def fit(self, X: Any) -> "PandasPrep":
        for name in FEATURES:
            self.fill[name] = X[name].mode(dropna=True).iloc[0]  # sorted: the smallest of the most frequent
        for name in CATEGORICAL:
            column = X[name].fillna(self.fill[name])
            categories = list(column.cat.categories)
            counts = np.bincount(column.cat.codes.to_numpy(), minlength=len(categories))
            seen = sorted((c for c, k in zip(categories, counts) if k > 0))  # scikit-learn's order: sorted values
            seen_counts = np.array([counts[categories.index(c)] for c in seen])
            if len(seen) > self.max_categories:
                order = np.argsort(seen_counts, kind="mergesort")  # as OneHotEncoder's _identify_infrequent
                frequent = sorted(seen[i] for i in order[-(self.max_categories - 1):])
                kept = frequent + [self.INFREQUENT]
            else:
                frequent = seen
                kept = list(seen)
            code = {c: i for i, c in enumerate(kept)}
            infrequent = code.get(self.INFREQUENT, -1)
            seen_set = set(seen)
            self.levels[name] = kept
            self.lookup[name] = np.array([code.get(c, infrequent if c in seen_set else -1) for c in categories],
                                         dtype=np.int16)
        return self

    def transform(self, X: Any) -> Any:
        import pandas as pd

        out = {}
        for name in CATEGORICAL:
            codes = X[name].fillna(self.fill[name]).cat.codes.to_numpy()
            out[name] = pd.Categorical.from_codes(self.lookup[name][codes], categories=self.levels[name])
        for name in NUMERIC:
            out[name] = X[name].fillna(self.fill[name])
        return pd.get_dummies(pd.DataFrame(out, index=X.index), columns=list(CATEGORICAL), dtype=np.uint8)

    def fit_transform(self, X: Any) -> Any:
        return self.fit(X).transform(X)


def lightgbm_params(s: Scale) -> dict[str, Any]:
    return dict(num_leaves=s.num_leaves, n_estimators=s.max_iter, learning_rate=LEARNING_RATE, max_bin=MAX_BIN,
                min_child_samples=MIN_LEAF, n_jobs=N_THREADS, verbose=-1)


@dataclass
class LightGBMPipeline:
    prep: PandasPrep
    model: Any


def fit_lightgbm(X: Any, y: np.ndarray, s: Scale) -> LightGBMPipeline:
    """PandasPrep on the training frame, then LGBMClassifier."""
    import lightgbm

    prep = PandasPrep()
    Xd = prep.fit_transform(X)
    return LightGBMPipeline(prep, lightgbm.LGBMClassifier(**lightgbm_params(s)).fit(Xd, y))


def lightgbm_probability(pipe: LightGBMPipeline, X: Any) -> np.ndarray:
    """PandasPrep.transform, then the booster's predict on N_THREADS threads."""
    return np.asarray(pipe.model.booster_.predict(pipe.prep.transform(X), num_threads=N_THREADS), dtype=np.float64)


class LogUniformInt:
    """A scipy-style distribution of integers: a log-uniform draw in [low,
    high] rounded, as quiver's sampler draws a log-scale int parameter."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None, size: Any = None) -> int:
        from scipy import stats

        x = stats.loguniform(self.low, self.high).rvs(random_state=random_state)
        return int(min(max(round(x), self.low), self.high))

    def __repr__(self) -> str:
        return f"LogUniformInt({self.low}, {self.high})"


def lightgbm_distributions() -> dict[str, Any]:
    """The search space for RandomizedSearchCV: log-uniform num_leaves
    (rounded) and learning rate, uniform integer min_child_samples."""
    from scipy import stats

    out: dict[str, Any] = {}
    for _, name, low, high, kind, log in SEARCH_SPACE:
        if kind == "int":
            out[name] = LogUniformInt(low, high) if log else stats.randint(low, high + 1)
        else:
            out[name] = stats.loguniform(low, high) if log else stats.uniform(low, high - low)
    return out


def search_lightgbm(X: Any, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], s: Scale) -> Any:
    """PandasPrep on the search rows (once, before the folds), then
    RandomizedSearchCV over LGBMClassifier (N_THREADS threads, one fit at a
    time), scoring roc_auc on the given folds, the best refitted on all
    rows. Returns (prep, search)."""
    import lightgbm
    from sklearn.model_selection import RandomizedSearchCV

    prep = PandasPrep()
    Xd = prep.fit_transform(X)
    fixed = {k: v for k, v in lightgbm_params(s).items()
             if k not in {name for _, name, *_ in SEARCH_SPACE}}
    search = RandomizedSearchCV(lightgbm.LGBMClassifier(**fixed), lightgbm_distributions(), n_iter=s.search_trials,
                                scoring="roc_auc", cv=folds, n_jobs=1, refit=True, random_state=SEARCH_SEED,
                                error_score="raise")
    search.fit(Xd, y)
    return prep, search


def search_folds(y: np.ndarray, s: Scale) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds both searches use: quiver.StratifiedKFold's, which
    quiver.tune makes itself and RandomizedSearchCV gets as ``cv``."""
    import quiver

    return list(quiver.StratifiedKFold(s.search_folds, seed=SEARCH_SEED).split(len(y), y))


# ---------------------------------------------------------------- timing without pytest-benchmark


def timed(fn: Any, rounds: int, load: list[float]) -> tuple[Any, list[float]]:
    """As _bench.timed, for a second measurement in a test whose pytest-benchmark
    fixture already timed the first: run fn `rounds` times, return the last
    result and each round's wall time, appending others' load to `load`."""
    import _bench
    from _cpu import cpu_seconds

    times: list[float] = []
    out = None
    for _ in range(rounds):
        before = cpu_seconds()
        started = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        share = _bench.others_load(before, cpu_seconds(), elapsed)
        if share is not None:
            load.append(share)
    return out, times


# ---------------------------------------------------------------- results


@dataclass
class Fit:
    """One library's end-to-end pipeline: its fit and its prediction of the
    held-out rows."""

    library: str  # a key of LABELS
    fit_times: list[float]
    auc: float = math.nan  # held-out
    predict_times: list[float] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)  # others' CPU load, fit rounds
    predict_load: list[float] = field(default_factory=list)

    @property
    def fit_seconds(self) -> float:
        return statistics.median(self.fit_times)

    @property
    def predict_seconds(self) -> float | None:
        return statistics.median(self.predict_times) if self.predict_times else None


@dataclass
class Search:
    library: str  # a key of SEARCH_LABELS
    times: list[float]
    best_cv_auc: float
    test_auc: float
    best_params: dict[str, Any]
    trials: int
    info: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)


# Filled by the tests and fixtures, read by the conftest at session end.
FITS: dict[str, Fit] = {}
SEARCHES: dict[str, Search] = {}
SKIPPED: dict[str, str] = {}  # library -> why it was not measured
DATA_INFO: dict[str, Any] = {}


def record(fit: Fit) -> None:
    FITS[fit.library] = fit


def record_search(search: Search) -> None:
    SEARCHES[search.library] = search


def measured() -> bool:
    return bool(FITS) or bool(SEARCHES)


def complete() -> bool:
    """Whether every library's end-to-end fit and prediction and both
    searches were measured."""
    return (all(lib in FITS and FITS[lib].predict_times for lib in LIBRARIES)
            and all(lib in SEARCHES for lib in SEARCH_LIBRARIES))


# ---------------------------------------------------------------- RESULTS.md


def _auc_cell(q: float, p: float) -> tuple[str, bool]:
    """The AUC comparison: quiver's minus the peer's, and whether quiver's
    is equal (within AUC_TARGET) or higher."""
    import _bench

    diff = q - p
    ok = diff >= -AUC_TARGET
    mark = _bench._met(ok) + (" (quiver's is higher)" if diff > AUC_TARGET else "")
    return mark, ok


def _verdict(met: list[bool], missing: list[str]) -> str:
    if met and not missing:
        return "**met**" if all(met) else "**not met**"
    if met:
        return (("**met**" if all(met) else "**not met**") + " where measured; not judged against "
                + ", ".join(missing) + " (not measured)")
    return "not judged (" + (", ".join(missing) or "nothing") + " not measured)"


def _end_to_end_rows() -> tuple[list[str], list[bool], list[str]]:
    import _bench

    rows: list[str] = []
    met: list[bool] = []
    missing: list[str] = []
    q = FITS.get("quiver")
    for peer in PEERS:
        p = FITS.get(peer)
        label = LABELS[peer]
        if q is None or p is None or q.predict_seconds is None or p.predict_seconds is None:
            absent = "quiver" if q is None or q.predict_seconds is None else label
            missing.append(absent)
            for what in ("fit seconds", "predict seconds", "held-out AUC"):
                rows.append(f"| end to end, {what}: quiver vs {label} | not measured: {absent} | | | n/a |")
            continue
        ratio = q.fit_seconds / p.fit_seconds
        met.append(ratio < 1)
        rows.append(f"| end to end, fit seconds: quiver vs {label} | {_bench._seconds(q.fit_seconds)} vs "
                    f"{_bench._seconds(p.fit_seconds)} | {_bench._ratio(ratio)} | < 1× | "
                    f"{_bench._busy(_bench._met(ratio < 1), _Load(q.load), _Load(p.load))} |")
        ratio = q.predict_seconds / p.predict_seconds
        met.append(ratio < 1)
        rows.append(f"| end to end, predict seconds ({DATA_INFO.get('test', 0):,} rows): quiver vs {label} | "
                    f"{_bench._seconds(q.predict_seconds)} vs {_bench._seconds(p.predict_seconds)} | "
                    f"{_bench._ratio(ratio)} | < 1× | "
                    f"{_bench._busy(_bench._met(ratio < 1), _Load(q.predict_load), _Load(p.predict_load))} |")
        mark, ok = _auc_cell(q.auc, p.auc)
        met.append(ok)
        rows.append(f"| end to end, held-out AUC: quiver − {label} | {q.auc:.4f} vs {p.auc:.4f} | "
                    f"{q.auc - p.auc:+.4f} | ≥ −{AUC_TARGET:g} | {mark} |")
    return rows, met, sorted(set(missing))


def _search_rows() -> tuple[list[str], list[bool], list[str]]:
    import _bench

    q, p = SEARCHES.get("quiver"), SEARCHES.get("lightgbm")
    label = "RandomizedSearchCV over LightGBM"
    if q is None or p is None:
        absent = "quiver.tune" if q is None else label
        return ([f"| random search, total seconds: quiver vs {label} | not measured: {absent} | | | n/a |",
                 f"| random search, refit model's held-out AUC: quiver − {label} | not measured: {absent} | | | "
                 "n/a |"],
                [], [absent])
    ratio = q.seconds / p.seconds
    mark, ok = _auc_cell(q.test_auc, p.test_auc)
    return ([f"| random search, total seconds: quiver vs {label} | {_bench._seconds(q.seconds)} vs "
             f"{_bench._seconds(p.seconds)} | {_bench._ratio(ratio)} | < 1× | "
             f"{_bench._busy(_bench._met(ratio < 1), _Load(q.load), _Load(p.load))} |",
             f"| random search, refit model's held-out AUC: quiver − {label} | {q.test_auc:.4f} vs "
             f"{p.test_auc:.4f} | {q.test_auc - p.test_auc:+.4f} | ≥ −{AUC_TARGET:g} | {mark} |"],
            [ratio < 1, ok], [])


@dataclass
class _Load:
    """What _bench._busy reads: a measurement's others' load."""

    load: list[float]


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())


def render(details: list[str]) -> list[str]:
    """The pipeline section of RESULTS.md; each measurement's rounds and
    extra information are appended to ``details``."""
    import _bench

    d = DATA_INFO
    s = SCALES.get(d.get("scale", ""), SCALES["full"])
    names = {lib: f"{LABELS[lib]} {d['versions'][lib]}" if lib in d.get("versions", {}) else LABELS[lib]
             for lib in LIBRARIES}
    lines = [
        "",
        "## Pipelines: imputation, one-hot encoding and GBDT, quiver against scikit-learn and LightGBM",
        "",
        f"- data: the categorical (airline-shaped) set of the gradient-boosted-tree benchmark, "
        f"{d.get('rows', 0):,} rows (`_gbdt_data.make_airline`, seed {_gbdt_data.AIRLINE_SEED}; the last "
        f"{d.get('test', 0):,} held out), with each value of the 7 features (month, day_of_week, carrier, "
        f"origin, dest: categories; dep_hour, distance: numbers) set missing with probability {MISSING_SHARE:g}, "
        f"independently (seed {MISSING_SEED}; {d.get('missing_share', MISSING_SHARE):.2%} of the values as "
        "drawn), before any clock starts",
        "- every library gets its usual frame, built before the clock starts: quiver a pyarrow Table "
        "(dictionary<int16, string> categories, int8 dep_hour, float32 distance, missing values as nulls); "
        "scikit-learn and LightGBM a pandas DataFrame (`category` columns, float32 numbers, missing values "
        "as NaN)",
        f"- the same preprocessing everywhere: every feature imputed with its most frequent training value "
        f"(the smallest among ties), then each category one-hot encoded into at most {MAX_CATEGORIES} columns: "
        f"levels seen in training, or if there are more than {MAX_CATEGORIES} (origin and dest: 250 airports) "
        f"the {MAX_CATEGORIES - 1} most frequent and one column for the other seen levels; levels unseen in "
        "training give all zeros. Dense outputs (scikit-learn's HistGradientBoosting takes no sparse input), "
        f"{d.get('columns', '?')} feature columns into the model"
        + (f" ({d['agreement']})" if "agreement" in d else ""),
        f"- the same model everywhere: binary log loss, {s.max_iter} rounds, {s.num_leaves} leaves, learning rate "
        f"{LEARNING_RATE:g}, {MAX_BIN} bins, at least {MIN_LEAF} rows per leaf, no early stopping, {N_THREADS} "
        "threads:",
        f"  - {names['quiver']}: `{quiver_call(s)}`, fitted as `pipe(train, target=\"y\", score=False)` (the "
        "feature steps transform the training frame for the next step; the model does not score it, as the "
        "peers' fits do not) and scored with `predict(test, n_threads=2)`; the "
        "predict function is one engine model of the three steps",
        f"  - {names['scikit-learn']}: `{SKLEARN_CALL.format(max_iter=s.max_iter, num_leaves=s.num_leaves)}` "
        f"under `threadpool_limits({N_THREADS})`; `fit(X, y)` and `predict_proba(X_test)`",
        f"  - {names['lightgbm']} with pandas preprocessing (`_pipelines.PandasPrep`): `fillna` with the training "
        "modes, the categories recoded onto the kept levels and `pd.get_dummies(dtype=np.uint8)`, then "
        f"`LGBMClassifier({_params(lightgbm_params(s))})`; the fit times the preprocessing of the training "
        f"frame and `fit`, the prediction the preprocessing of the held-out frame and "
        f"`booster_.predict(X, num_threads={N_THREADS})`",
        f"- random search: the first {d.get('search_rows', s.search_rows):,} training rows (with their missing "
        f"values), {s.search_trials} random configurations, {s.search_folds}-fold cross-validated AUC on the same "
        f"stratified folds for both (`quiver.StratifiedKFold({s.search_folds}, seed={SEARCH_SEED})`, given to "
        "scikit-learn as `cv`), the best refitted on all the search rows and scored on the held-out rows above. "
        "Ranges: num_leaves 8-128 (log-uniform, rounded), learning rate 0.02-0.3 (log-uniform), min rows per "
        f"leaf 5-100 (uniform); the rest as end to end ({s.max_iter} rounds, {N_THREADS} threads, one trial at "
        "a time). Both draw their own configurations from the same ranges:",
        "  - quiver: `quiver.tune(pipe, train, target=\"y\", metric=\"auc\", space=quiver.Space.from_dict(...), "
        f"search=[\"model__num_leaves\", \"model__learning_rate\", \"model__min_data_in_leaf\"], "
        f"split=quiver.StratifiedKFold({s.search_folds}, seed={SEARCH_SEED}), n_trials={s.search_trials}, "
        f"method=\"random\", seed={SEARCH_SEED}, parallel=1)` over the pipeline above",
        "  - LightGBM: `PandasPrep` on the search rows once (so its modes and kept levels see every fold), then "
        f"`RandomizedSearchCV(LGBMClassifier(...), {{num_leaves: LogUniformInt(8, 128), learning_rate: "
        f"loguniform(0.02, 0.3), min_child_samples: randint(5, 101)}}, n_iter={s.search_trials}, "
        f"scoring=\"roc_auc\", cv=folds, n_jobs=1, refit=True, random_state={SEARCH_SEED})`; its total includes "
        "the preprocessing",
        f"- wall time: median of {d.get('fit_rounds', '?')} round(s) per fit, {d.get('predict_rounds', '?')} per "
        "prediction, 1 per search; AUC from P(class 1) on the held-out rows by one numpy function for every "
        "library (`_gbdt_data.auc`)",
        "- others' load: as for the trees, the largest share of the machine's CPU time other processes took "
        f"during a measurement; above {_bench.LOAD_FLAG:.0%} a met or missed time target is flagged as unreliable",
    ]
    skipped = [v for k, v in SKIPPED.items() if k not in FITS]
    if skipped:
        lines.append(f"- not measured: {'; '.join(skipped)}")

    rows, met, missing = _end_to_end_rows()
    srows, smet, smissing = _search_rows()
    lines += [
        "",
        "### The issue's targets",
        "",
        f"Faster than both at an equal AUC (equal: quiver's held-out AUC not more than {AUC_TARGET:g} below the "
        f"peer's; a higher one is marked): end to end (fit and prediction, each against both peers) "
        f"{_verdict(met, missing)}; random search (total time, refit model's held-out AUC) "
        f"{_verdict(smet, smissing)}.",
        "",
        "| measure | quiver vs peer | ratio (quiver / peer, < 1: quiver faster) or difference | target | met |",
        "|---|---:|---:|---|---|",
        *rows,
        *srows,
    ]

    if FITS:
        q = FITS.get("quiver")
        lines += [
            "",
            "### End to end",
            "",
            "| library | fit s | fit / quiver's | predict s | predict / quiver's | held-out AUC | "
            "quiver's AUC − this | others' load (fit, predict) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for library in LIBRARIES:
            f = FITS.get(library)
            if f is None:
                continue
            vs = _bench._ratio(f.fit_seconds / q.fit_seconds) if q and library != "quiver" else ""
            ps = f.predict_seconds
            pvs = (_bench._ratio(ps / q.predict_seconds)
                   if q and library != "quiver" and ps is not None and q.predict_seconds else "")
            dauc = f"{q.auc - f.auc:+.4f}" if q and library != "quiver" else ""
            lines.append(f"| {LABELS[library]} | {_bench._seconds(f.fit_seconds)} | {vs} | "
                         f"{'n/a' if ps is None else _bench._seconds(ps)} | {pvs} | {f.auc:.4f} | {dauc} | "
                         f"{_bench._load(f.load)}, {_bench._load(f.predict_load)} |")
            extra = "; ".join(f"{k} {v}" for k, v in f.info.items())
            details.append(
                f"- pipeline end to end, {LABELS[library]}: fit rounds "
                f"{', '.join(_bench._seconds(t) for t in f.fit_times)} s "
                f"(others' load {', '.join(f'{x:.0%}' for x in f.load) or 'n/a'}); predict rounds "
                f"{', '.join(_bench._seconds(t) for t in f.predict_times) or 'n/a'} s (others' load "
                f"{', '.join(f'{x:.0%}' for x in f.predict_load) or 'n/a'}); held-out AUC {f.auc:.6f}"
                + (f"; {extra}" if extra else ""))

    if SEARCHES:
        q = SEARCHES.get("quiver")
        lines += [
            "",
            "### Random search",
            "",
            "| search | trials | total s | total / quiver's | best cross-validated AUC | refit model's held-out AUC | "
            "quiver's held-out AUC − this | best parameters | others' load |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for library in SEARCH_LIBRARIES:
            r = SEARCHES.get(library)
            if r is None:
                continue
            vs = _bench._ratio(r.seconds / q.seconds) if q and library != "quiver" else ""
            dauc = f"{q.test_auc - r.test_auc:+.4f}" if q and library != "quiver" else ""
            lines.append(f"| {SEARCH_LABELS[library]} | {r.trials} | {_bench._seconds(r.seconds)} | {vs} | "
                         f"{r.best_cv_auc:.4f} | {r.test_auc:.4f} | {dauc} | {_params(r.best_params)} | "
                         f"{_bench._load(r.load)} |")
            extra = "; ".join(f"{k} {v}" for k, v in r.info.items())
            details.append(f"- random search, {SEARCH_LABELS[library]}: rounds "
                           f"{', '.join(_bench._seconds(t) for t in r.times)} s (others' load "
                           f"{', '.join(f'{x:.0%}' for x in r.load) or 'n/a'}); best cross-validated AUC "
                           f"{r.best_cv_auc:.6f}; held-out AUC {r.test_auc:.6f}" + (f"; {extra}" if extra else ""))
    return lines
