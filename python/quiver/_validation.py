"""Cross-validation: splitters, metrics computed by the engine, and validate.

A splitter turns a number of rows into folds: ``split(frame_length, y=None,
groups=None)`` yields ``(train_idx, test_idx)`` pairs of numpy int arrays.
:func:`score` computes a metric from a frame a predictor has scored, in Go.
:func:`validate` fits a learner or pipeline on each fold's training rows and
scores it on the held-out rows::

    scores, logs = quiver.validate(quiver.gbdt(max_iter=50), train, target="y",
                                   split=quiver.StratifiedKFold(5), metrics=["auc", "log_loss"])
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import operator
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._bridge import call, engine, stream_address
from ._frames import as_arrow
from .errors import ColumnNotFoundError

__all__ = ["GroupKFold", "KFold", "StratifiedKFold", "TimeSeriesSplit", "score", "validate"]

Fold = tuple[np.ndarray, np.ndarray]

# An integer target with at most this many distinct values holds class
# labels; with more it holds a quantity.
MAX_INTEGER_CLASSES = 20

# The metrics validate reports when none are named, by task.
DEFAULT_METRICS = {
    "classification": ("accuracy", "auc", "log_loss"),
    "regression": ("rmse", "mae", "r2"),
}


# ---------------------------------------------------------------------------
# Splitters


def _check_n_splits(name: str, n_splits: Any) -> int:
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)):
        raise TypeError(f"{name}: n_splits must be an int, got {n_splits!r}")
    if n_splits < 2:
        raise ValueError(
            f"{name}: n_splits must be at least 2 (every fold is held out once while the others "
            f"train), got {n_splits}"
        )
    return int(n_splits)


def _check_seed(name: str, seed: Any) -> int | None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"{name}: seed must be an int or None, got {seed!r}")
    return None if seed is None else int(seed)


def _check_length(name: str, frame_length: Any, need: int, what: str) -> int:
    """The number of rows, which must be at least ``need`` to make ``what``."""
    if isinstance(frame_length, bool):
        raise TypeError(f"{name}.split: frame_length must be a number of rows (an int), got {frame_length!r}")
    try:
        n = operator.index(frame_length)
    except TypeError:
        raise TypeError(
            f"{name}.split: frame_length must be a number of rows (an int), got {type(frame_length).__name__}"
        ) from None
    if n < need:
        raise ValueError(f"{name}: cannot make {what} from {n} rows; it needs at least {need}")
    return n


def _per_row(name: str, what: str, values: Any, n: int) -> np.ndarray:
    """``values`` as a 1-D numpy array of ``n`` values."""
    arr = values.to_numpy(zero_copy_only=False) if isinstance(values, (pa.Array, pa.ChunkedArray)) \
        else np.asarray(values)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name}.split: {what} must hold one value per row ({n}), got shape {arr.shape}")
    return arr


def _folds_from_assignment(fold_of: np.ndarray, n_splits: int) -> Iterator[Fold]:
    """Train and test indices, both in increasing order, for every fold
    number in ``fold_of`` (one per row)."""
    for f in range(n_splits):
        test = fold_of == f
        yield np.flatnonzero(~test), np.flatnonzero(test)


class KFold:
    """Split rows into ``n_splits`` folds of nearly equal size.

    Each fold is the test set once while the others train. The first
    ``n % n_splits`` folds have one row more than the rest, as in
    scikit-learn.

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds, at least 2.
    shuffle : bool, default True
        Deal the rows to folds at random; otherwise fold 0 is the first
        block of rows, fold 1 the next, and so on.
    seed : int or None, default 0
        Seed of the shuffle; None draws a fresh one each call.
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = True, seed: int | None = 0) -> None:
        self.n_splits = _check_n_splits("KFold", n_splits)
        self.shuffle = bool(shuffle)
        self.seed = _check_seed("KFold", seed)

    def get_n_splits(self) -> int:
        """The number of folds."""
        return self.n_splits

    def split(self, frame_length: int, y: Any = None, groups: Any = None) -> Iterator[Fold]:
        """Yield ``(train_idx, test_idx)`` for every fold.

        Parameters
        ----------
        frame_length : int
            Number of rows.
        y, groups : ignored
            Accepted so that every splitter is called alike.

        Yields
        ------
        train_idx, test_idx : numpy.ndarray of int64
            Row numbers, each in increasing order; the test sets are
            disjoint and cover every row.
        """
        n = _check_length("KFold", frame_length, self.n_splits, f"{self.n_splits} folds")
        rows = np.random.default_rng(self.seed).permutation(n) if self.shuffle else np.arange(n)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        fold_of = np.empty(n, dtype=np.int64)
        fold_of[rows] = np.repeat(np.arange(self.n_splits), sizes)
        yield from _folds_from_assignment(fold_of, self.n_splits)

    def __repr__(self) -> str:
        return f"KFold(n_splits={self.n_splits}, shuffle={self.shuffle}, seed={self.seed})"


class StratifiedKFold:
    """Split rows into folds that keep every class's share of the rows.

    The rows of each class are dealt to the folds so that every fold holds
    the class's rows to within one, and the folds' sizes differ by at most
    one row, as scikit-learn's StratifiedKFold.

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds, at least 2.
    shuffle : bool, default True
        Pick each class's rows for a fold at random; otherwise in row order.
    seed : int or None, default 0
        Seed of the shuffle; None draws a fresh one each call.
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = True, seed: int | None = 0) -> None:
        self.n_splits = _check_n_splits("StratifiedKFold", n_splits)
        self.shuffle = bool(shuffle)
        self.seed = _check_seed("StratifiedKFold", seed)

    def get_n_splits(self) -> int:
        """The number of folds."""
        return self.n_splits

    def split(self, frame_length: int, y: Any = None, groups: Any = None) -> Iterator[Fold]:
        """Yield ``(train_idx, test_idx)`` for every fold.

        Parameters
        ----------
        frame_length : int
            Number of rows.
        y : array-like
            The class label of every row (:func:`validate` passes the
            target column).
        groups : ignored

        Yields
        ------
        train_idx, test_idx : numpy.ndarray of int64
            Row numbers, each in increasing order.

        Raises
        ------
        ValueError
            Without ``y``, or when no class has ``n_splits`` rows. A class
            with fewer rows than folds only warns: some folds then lack it.
        """
        n = _check_length("StratifiedKFold", frame_length, self.n_splits, f"{self.n_splits} folds")
        if y is None:
            raise ValueError("StratifiedKFold.split needs y, the class label of every row")
        labels = _per_row("StratifiedKFold", "y", y, n)
        classes, codes = np.unique(labels, return_inverse=True)
        counts = np.bincount(codes, minlength=len(classes))
        if counts.max() < self.n_splits:
            raise ValueError(
                f"StratifiedKFold: n_splits={self.n_splits} is more than the rows of every class "
                f"(the largest has {counts.max()})"
            )
        if counts.min() < self.n_splits:
            warnings.warn(
                f"StratifiedKFold: the least populated class ({classes[counts.argmin()]!r}) has only "
                f"{counts.min()} rows, fewer than n_splits={self.n_splits}; some folds will lack it",
                UserWarning,
                stacklevel=2,
            )
        # Deal the rows sorted by class round-robin: fold f gets rows f,
        # f+k, f+2k, ... of the sorted order, which fixes how many of each
        # class it holds and keeps the fold sizes within one.
        dealt = np.sort(codes)
        quota = np.stack([np.bincount(dealt[f:: self.n_splits], minlength=len(classes))
                          for f in range(self.n_splits)])
        rng = np.random.default_rng(self.seed)
        fold_of = np.empty(n, dtype=np.int64)
        for c in range(len(classes)):
            members = np.flatnonzero(codes == c)
            if self.shuffle:
                members = rng.permutation(members)
            fold_of[members] = np.repeat(np.arange(self.n_splits), quota[:, c])
        yield from _folds_from_assignment(fold_of, self.n_splits)

    def __repr__(self) -> str:
        return f"StratifiedKFold(n_splits={self.n_splits}, shuffle={self.shuffle}, seed={self.seed})"


class GroupKFold:
    """Split rows into folds that keep every group whole.

    No group has rows in both the training and the test set of a fold, so a
    score measures how well the model does on groups it has never seen
    (patients, users, sites). Groups go to folds largest first, each to the
    fold with the fewest rows so far, as in scikit-learn's GroupKFold.

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds, at least 2 and at most the number of groups.
    group : str, optional
        The column of the frame that holds every row's group; needed by
        :func:`validate`, which reads the column and passes it as
        ``groups``. The column stays a feature unless the learner's
        ``features`` leave it out.
    """

    def __init__(self, n_splits: int = 5, group: str | None = None) -> None:
        self.n_splits = _check_n_splits("GroupKFold", n_splits)
        if group is not None and not isinstance(group, str):
            raise TypeError(f"GroupKFold: group must be a column name (str), got {group!r}")
        self.group = group

    def get_n_splits(self) -> int:
        """The number of folds."""
        return self.n_splits

    def split(self, frame_length: int, y: Any = None, groups: Any = None) -> Iterator[Fold]:
        """Yield ``(train_idx, test_idx)`` for every fold.

        Parameters
        ----------
        frame_length : int
            Number of rows.
        y : ignored
        groups : array-like
            The group of every row.

        Yields
        ------
        train_idx, test_idx : numpy.ndarray of int64
            Row numbers, each in increasing order.

        Raises
        ------
        ValueError
            Without ``groups``, or with fewer groups than folds.
        """
        n = _check_length("GroupKFold", frame_length, self.n_splits, f"{self.n_splits} folds")
        if groups is None:
            raise ValueError(
                "GroupKFold.split needs groups, the group of every row; with quiver.validate, name "
                "the column: GroupKFold(n_splits, group='<column>')"
            )
        values = _per_row("GroupKFold", "groups", groups, n)
        _, codes, sizes = np.unique(values, return_inverse=True, return_counts=True)
        if len(sizes) < self.n_splits:
            raise ValueError(
                f"GroupKFold: cannot make {self.n_splits} folds from {len(sizes)} groups; "
                f"n_splits must be at most the number of groups"
            )
        fold_rows = np.zeros(self.n_splits, dtype=np.int64)
        fold_of_group = np.empty(len(sizes), dtype=np.int64)
        for g in np.argsort(-sizes, kind="stable"):
            lightest = int(np.argmin(fold_rows))
            fold_of_group[g] = lightest
            fold_rows[lightest] += sizes[g]
        yield from _folds_from_assignment(fold_of_group[codes], self.n_splits)

    def __repr__(self) -> str:
        return f"GroupKFold(n_splits={self.n_splits}, group={self.group!r})"


class TimeSeriesSplit:
    """Split rows in time order: every test block comes after its training rows.

    The rows, in the order of the ``order`` column (or as they stand), are cut
    into ``n_splits + 1`` blocks of ``n // (n_splits + 1)`` rows, the first
    taking the remainder. Fold ``i`` tests on block ``i + 1`` and trains on
    every row before it (an expanding window), leaving out the ``gap`` rows
    just before the test block, as scikit-learn's TimeSeriesSplit.

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds, at least 2.
    order : str, optional
        The column whose values (times, dates, sequence numbers) order the
        rows; :func:`validate` reads it and passes it as ``times``. Rows
        with equal values keep their frame order and may fall on both sides
        of a cut. By default the frame's row order is time order.
    gap : int, default 0
        Rows left out between the end of each training set and its test
        block, for targets that look ahead.
    """

    def __init__(self, n_splits: int = 5, order: str | None = None, gap: int = 0) -> None:
        self.n_splits = _check_n_splits("TimeSeriesSplit", n_splits)
        if order is not None and not isinstance(order, str):
            raise TypeError(f"TimeSeriesSplit: order must be a column name (str) or None, got {order!r}")
        if isinstance(gap, bool) or not isinstance(gap, (int, np.integer)) or gap < 0:
            raise ValueError(f"TimeSeriesSplit: gap must be a non-negative int, got {gap!r}")
        self.order = order
        self.gap = int(gap)

    def get_n_splits(self) -> int:
        """The number of folds."""
        return self.n_splits

    def split(self, frame_length: int, y: Any = None, groups: Any = None, *,
              times: Any = None) -> Iterator[Fold]:
        """Yield ``(train_idx, test_idx)`` for every fold, earliest first.

        Parameters
        ----------
        frame_length : int
            Number of rows.
        y, groups : ignored
        times : array-like, optional
            The value of every row that orders the rows in time; by default
            the rows are in time order.

        Yields
        ------
        train_idx, test_idx : numpy.ndarray of int64
            Row numbers in time order; every training row comes before
            every test row.

        Raises
        ------
        ValueError
            When the rows are too few for ``n_splits + 1`` blocks, or the
            gap leaves the first training set empty.
        """
        k = self.n_splits
        n = _check_length("TimeSeriesSplit", frame_length, k + 1, f"{k} folds (n_splits + 1 blocks)")
        if times is None:
            rows = np.arange(n)
        else:
            rows = np.argsort(_per_row("TimeSeriesSplit", "times", times, n), kind="stable")
        block = n // (k + 1)
        first_test = n - k * block
        if first_test - self.gap <= 0:
            raise ValueError(
                f"TimeSeriesSplit: gap={self.gap} leaves no training rows before the first test block, "
                f"which starts at row {first_test} of {n}"
            )
        for start in range(first_test, n, block):
            yield rows[: start - self.gap].astype(np.int64), rows[start: start + block].astype(np.int64)

    def __repr__(self) -> str:
        return f"TimeSeriesSplit(n_splits={self.n_splits}, order={self.order!r}, gap={self.gap})"


# ---------------------------------------------------------------------------
# Metrics


@functools.cache
def _metric_table() -> dict[str, dict[str, Any]]:
    """The engine's metrics by name: task, needs, greater_is_better, doc."""
    return {m["name"]: m for m in json.loads(call(engine.Metrics))}


def _check_metric(where: str, name: Any) -> dict[str, Any]:
    """The engine's description of metric ``name``, or an error with a hint."""
    table = _metric_table()
    if not isinstance(name, str):
        raise TypeError(f"{where}: a metric is named by a str, got {name!r}")
    if name in table:
        return table[name]
    close = difflib.get_close_matches(name.lower(), list(table), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{where}: unknown metric {name!r}{hint}; the metrics are {', '.join(table)}")


def _class_label(value: Any) -> Any:
    """A class label as JSON can carry it: str, bool, int or float."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"class labels must be strings, numbers or bools, got {value!r}")


def _score_table(metric: str, table: pa.Table, target: str, classes: Sequence[Any] | None = None,
                 weight: str | None = None) -> float:
    request = json.dumps({
        "target": target,
        "weight": weight or "",
        "classes": None if classes is None else [_class_label(c) for c in classes],
    })
    capsule = table.__arrow_c_stream__()
    return float(call(engine.Score, metric, stream_address(capsule), request))


def score(metric: str, scored: Any, target: str, *, classes: Sequence[Any] | None = None,
          weight: str | None = None) -> float:
    """Compute a metric from a scored frame, in the engine.

    Parameters
    ----------
    metric : str
        One of ``auc`` (the second class's probability for two classes; the
        unweighted mean of one-vs-rest AUCs for more), ``log_loss``,
        ``accuracy``, ``balanced_accuracy``, ``f1`` (of the second class for
        two classes; macro for more), ``rmse``, ``mae`` and ``r2``.
    scored : frame
        A frame a predictor returned: the target column with the model's
        ``prediction`` column and, for classifiers, ``probability_<class>``
        columns. Any frame type quiver reads.
    target : str
        The column of true labels or values.
    classes : sequence, optional
        The class labels in class order; labels it leaves out come after
        it. By default every label of the probability columns, the target
        and the predictions, sorted (numbers numerically, strings by code
        point, False before True). The second class is the positive one of
        a binary ``auc`` or ``f1``.
    weight : str, optional
        A column of non-negative row weights.

    Returns
    -------
    float
        The metric; NaN where it is undefined (no rows, one class for auc).

    Raises
    ------
    ValueError
        For an unknown metric, one that does not fit the frame (auc without
        probability columns, rmse on class labels), or missing values.
    quiver.errors.ColumnNotFoundError
        For a target, prediction, probability or weight column that is not
        in the frame.
    """
    _check_metric("score", metric)
    if not isinstance(target, str):
        raise TypeError(f"score: target must be a column name (str), got {target!r}")
    if weight is not None and not isinstance(weight, str):
        raise TypeError(f"score: weight must be a column name (str) or None, got {weight!r}")
    if classes is not None and isinstance(classes, str):
        raise TypeError(f"score: classes must be a sequence of labels, got the string {classes!r}")
    table, _ = as_arrow(scored)
    return _score_table(metric, table, target, classes, weight)


# ---------------------------------------------------------------------------
# validate


def _task(column: pa.ChunkedArray, name: str) -> tuple[str, str, str]:
    """The task a target column implies, why (for messages), and how to
    change it."""
    t = column.type
    is_view = getattr(pa.types, "is_string_view", lambda _: False)
    if pa.types.is_dictionary(t):
        return "classification", "holds categories", ""
    if pa.types.is_string(t) or pa.types.is_large_string(t) or is_view(t):
        return "classification", "holds strings", ""
    if pa.types.is_boolean(t):
        return "classification", "holds booleans", ""
    if pa.types.is_integer(t):
        k = pc.count_distinct(column).as_py()
        if k <= MAX_INTEGER_CLASSES:
            return ("classification",
                    f"holds integers with {k} distinct values (at most {MAX_INTEGER_CLASSES} make class labels)",
                    "cast the target to float to validate a regression")
        return ("regression",
                f"holds integers with {k} distinct values (more than {MAX_INTEGER_CLASSES} make a quantity)",
                "cast the target to string to validate a classifier")
    if pa.types.is_floating(t):
        return "regression", "holds floats", "cast the target to int, bool or string to validate a classifier"
    raise TypeError(f"validate: target column {name!r} has type {t}, which holds neither class labels nor numbers")


def _check_metrics(metrics: Any, target: str, task: str, reason: str, fix: str) -> list[str]:
    if metrics is None:
        return list(DEFAULT_METRICS[task])
    if isinstance(metrics, str):
        metrics = [metrics]
    try:
        names = list(metrics)
    except TypeError:
        raise TypeError(f"validate: metrics must be a list of metric names, got {metrics!r}") from None
    if not names:
        raise ValueError("validate: metrics is empty; name at least one metric, or pass None for the defaults")
    out: list[str] = []
    for name in names:
        m = _check_metric("validate", name)
        if m["task"] != task:
            fitting = [n for n, other in _metric_table().items() if other["task"] == task]
            raise ValueError(
                f"validate: metric {name!r} is a {m['task']} metric, but target column {target!r} {reason}, "
                f"so the task is {task}; use one of {', '.join(fitting)}" + (f", or {fix}" if fix else "")
            )
        if name not in out:
            out.append(name)
    return out


def _count_missing(column: pa.ChunkedArray) -> int:
    n = column.null_count
    if pa.types.is_floating(column.type):
        n += pc.sum(pc.is_nan(column)).as_py() or 0
    return n


def _values(column: pa.ChunkedArray) -> np.ndarray:
    """A column's values as numpy, dictionaries decoded."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.to_numpy()


def _split_column(table: pa.Table, name: str, role: str, split: Any) -> np.ndarray:
    if not isinstance(name, str):
        raise TypeError(f"validate: {split!r} names its {role} column by {name!r}, not a str")
    if name not in table.column_names:
        raise ColumnNotFoundError(
            f"validate: {role} column {name!r} of {split!r} is not in the frame; its columns are {table.column_names}"
        )
    column = table.column(name)
    missing = _count_missing(column)
    if missing:
        raise ValueError(f"validate: {role} column {name!r} has {missing} missing values; every row needs one")
    return _values(column)


def _folds(split: Any, table: pa.Table, y: np.ndarray) -> list[Fold]:
    """Every fold of ``split`` over ``table``, checked."""
    if isinstance(split, (str, bytes)) or not callable(getattr(split, "split", None)):
        raise TypeError(
            f"validate: split must be a splitter such as quiver.KFold(5), with a split(frame_length, y, groups) "
            f"method; got {split!r}"
        )
    n_splits = getattr(split, "n_splits", None)
    if isinstance(n_splits, (int, np.integer)) and not isinstance(n_splits, bool) and n_splits < 2:
        raise ValueError(f"validate: a split needs at least 2 folds, {split!r} has {n_splits}")
    kwargs: dict[str, Any] = {}
    if getattr(split, "group", None) is not None:
        kwargs["groups"] = _split_column(table, split.group, "group", split)
    if getattr(split, "order", None) is not None:
        kwargs["times"] = _split_column(table, split.order, "order", split)
    n = table.num_rows
    folds = []
    for i, pair in enumerate(split.split(n, y=y, **kwargs)):
        try:
            train, test = pair
        except (TypeError, ValueError):
            raise TypeError(f"validate: {split!r} yielded {pair!r}, not a (train_idx, test_idx) pair") from None
        train, test = np.asarray(train), np.asarray(test)
        for what, idx in (("training", train), ("test", test)):
            if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
                raise TypeError(f"validate: fold {i} of {split!r} has {what} rows that are not a 1-D int array")
            if idx.size == 0:
                raise ValueError(f"validate: fold {i} of {split!r} has no {what} rows")
            if idx.min() < 0 or idx.max() >= n:
                raise ValueError(f"validate: fold {i} of {split!r} has {what} rows outside [0, {n})")
        folds.append((train.astype(np.int64, copy=False), test.astype(np.int64, copy=False)))
    if len(folds) < 2:
        raise ValueError(f"validate: a split needs at least 2 folds, {split!r} made {len(folds)}")
    return folds


def _like(table: pa.Table, kind: str) -> Any:
    """``table`` in the frame type ``as_arrow`` reported as ``kind``."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if kind == "dict":
        return {name: col if pa.types.is_dictionary(col.type) else col.to_numpy()
                for name, col in zip(table.column_names, table.columns)}
    return table


def _fit_keywords(step: Callable[..., Any], target: str, progress: bool | None) -> dict[str, Any]:
    """The keywords validate passes to a step: the target, progress=False
    while validate shows its own bar or was asked to be quiet, and
    score=False to a step that takes it (quiver's learners and pipelines):
    a fold's model only scores the held-out rows."""
    try:
        params = inspect.signature(step).parameters
    except (TypeError, ValueError):
        return {"target": target}
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kw: dict[str, Any] = {}
    if "target" in params or var_kw:
        kw["target"] = target
    if progress is not None and "progress" in params:
        kw["progress"] = False
    if "score" in params:
        kw["score"] = False
    return kw


def _progress_bar(progress: bool | None, total: int) -> Any:
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("validate(progress=True) needs tqdm: pip install tqdm") from None
    return tqdm(total=total, desc="validate", unit="fold")


def _scores_frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> Any:
    """rows as a pandas DataFrame, or a pyarrow Table without pandas."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return pa.Table.from_pylist(rows)
    return pd.DataFrame(rows, columns=columns)


def validate(
    step: Callable[..., Any],
    data: Any,
    *,
    target: str,
    split: Any = None,
    metrics: str | Sequence[str] | None = None,
    progress: bool | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """Cross-validate a learner or pipeline: fit on each fold's training rows,
    score its held-out rows.

    Parameters
    ----------
    step : learner or pipeline
        What :func:`quiver.tune` takes too: a learner function such as
        ``quiver.gbdt``, a learner called without a frame
        (``quiver.gbdt(max_iter=50)``), a pipeline, or any function of a
        frame that returns ``(predict, scored, log)``. It is called as
        ``step(train, target=target)``.
    data : frame
        pandas or polars DataFrame, pyarrow Table or RecordBatch, or dict of
        arrays. Each fold's rows are taken through Arrow and handed to the
        step in the same frame type.
    target : str
        The column to predict. Its type decides the task: bool, string and
        categorical columns, and integers with at most 20 distinct values,
        hold class labels (classification); floats and other integers hold
        quantities (regression).
    split : splitter, default KFold(5)
        :class:`KFold`, :class:`StratifiedKFold`, :class:`GroupKFold`,
        :class:`TimeSeriesSplit`, or any object with
        ``split(frame_length, y=None, groups=None)`` yielding at least two
        ``(train_idx, test_idx)`` pairs. validate passes the target as
        ``y``, a GroupKFold's ``group`` column as ``groups`` and a
        TimeSeriesSplit's ``order`` column as ``times``.
    metrics : str or list of str, optional
        Metrics of :func:`score` that fit the task. By default accuracy,
        auc and log_loss for classification; rmse, mae and r2 for
        regression.
    progress : bool, optional
        True shows a tqdm bar over folds (and quiets the step's own); False
        shows nothing; None (default) leaves the step's own bar to it.

    Returns
    -------
    scores : pandas.DataFrame or pyarrow.Table
        One row per fold with columns ``fold``, ``n_train``, ``n_test``,
        ``fit_seconds`` and one per metric; a pandas DataFrame when pandas
        is installed.
    logs : list of dict
        The step's log of every fold.

    Raises
    ------
    ValueError
        Before any fit: for an unknown metric (with a suggestion), a metric
        that does not fit the task, a split of fewer than 2 folds, or a
        target, group or order column with missing values. During a fold:
        for a model whose outputs the metric cannot read (a regressor's
        predictions for ``auc``), naming the fold.
    quiver.errors.ColumnNotFoundError
        For a target, group or order column that is not in the frame.
    TypeError
        For a step that is not callable or does not return
        ``(predict, scored, log)``, or a split that is not a splitter.
    """
    from ._model import Predictor

    if isinstance(step, Predictor):
        raise TypeError(
            "validate: step is a fitted predictor; pass the learner that fits it, such as "
            "quiver.gbdt(max_iter=50), so that every fold is fitted afresh"
        )
    if not callable(step):
        raise TypeError(f"validate: step must be a learner or pipeline (callable), got {type(step).__name__}")
    if not isinstance(target, str):
        raise TypeError(f"validate: target must be a column name (str), got {target!r}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"validate: progress must be True, False or None, got {progress!r}")
    table, kind = as_arrow(data)
    if target not in table.column_names:
        raise ColumnNotFoundError(
            f"validate: target column {target!r} is not in the frame; its columns are {table.column_names}"
        )
    target_column = table.column(target)
    missing = _count_missing(target_column)
    if missing:
        raise ValueError(
            f"validate: target column {target!r} has {missing} missing values (null or NaN) out of "
            f"{table.num_rows}; drop those rows first"
        )
    task, reason, fix = _task(target_column, target)
    names = _check_metrics(metrics, target, task, reason, fix)
    split = KFold(5) if split is None else split
    folds = _folds(split, table, _values(target_column))
    fit_kw = _fit_keywords(step, target, progress)

    rows: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    bar = _progress_bar(progress, len(folds))
    try:
        for i, (train_idx, test_idx) in enumerate(folds):
            train = _like(table.take(train_idx), kind)
            test = _like(table.take(test_idx), kind)
            started = time.perf_counter()
            out = step(train, **fit_kw)
            fit_seconds = time.perf_counter() - started
            if not (isinstance(out, tuple) and len(out) == 3 and callable(out[0])):
                raise TypeError(
                    f"validate: the step must return (predict, scored, log) as quiver's learners do; "
                    f"it returned {type(out).__name__}"
                )
            predict, _, log = out
            scored, _ = as_arrow(predict(test))
            row: dict[str, Any] = {"fold": i, "n_train": len(train_idx), "n_test": len(test_idx),
                                   "fit_seconds": fit_seconds}
            for name in names:
                try:
                    row[name] = _score_table(name, scored, target)
                except (ValueError, TypeError) as exc:
                    hint = ""
                    if task == "classification" and not any(
                            c.startswith("probability_") for c in scored.column_names):
                        hint = (f" (the model fitted a regression on target {target!r}, which {reason}; "
                                f"gbdt and mlp fit numeric targets as regressions unless objective='log_loss')")
                    raise type(exc)(f"validate: fold {i}: {exc}{hint}") from exc
            rows.append(row)
            logs.append(log)
            if bar is not None:
                bar.set_postfix({names[0]: f"{row[names[0]]:.4g}"}, refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return _scores_frame(rows, ["fold", "n_train", "n_test", "fit_seconds", *names]), logs
