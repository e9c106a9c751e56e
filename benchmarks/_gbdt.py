"""The four gradient-boosted-tree libraries behind one interface: their
hyperparameters, their fit and their scoring, as the benchmarks and the
memory probe call them.

Only numpy is imported at module level and each library only when it is
used, so the memory probe of one library loads no other.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any, Iterator

import numpy as np

LIBRARIES = ("quiver", "lightgbm", "xgboost", "scikit-learn")
REFERENCE = "lightgbm"  # the peer every ratio is against
MODULES = {"quiver": "quiver", "lightgbm": "lightgbm", "xgboost": "xgboost", "scikit-learn": "sklearn"}
LABELS = {"quiver": "quiver", "lightgbm": "LightGBM", "xgboost": "XGBoost", "scikit-learn": "scikit-learn"}

N_THREADS = 2
LEARNING_RATE = 0.1
MAX_BIN = 255
TARGET = "y"
REBUILD = "flock /tmp/quiver-install.lock make -C /work/main install"


def unavailable(library: str) -> str | None:
    """Why the library cannot be benchmarked, or None if it can."""
    try:
        module = importlib.import_module(MODULES[library])
    except ImportError as exc:
        return f"{LABELS[library]} is not installed ({exc})"
    if library == "quiver":
        learners = module.learners()
        if "gbdt" not in learners:
            return (f"quiver.gbdt is not built yet: quiver.learners() is {learners} "
                    f"(rebuild from the source tree with `{REBUILD}`)")
    if library == "scikit-learn":
        try:
            importlib.import_module("sklearn.ensemble")
        except ImportError as exc:  # pragma: no cover - a broken install
            return f"scikit-learn's ensemble module cannot be imported ({exc})"
    return None


def params(library: str, max_iter: int, num_leaves: int, categorical: bool = False) -> dict[str, Any]:
    """The library's hyperparameters for the issue's setting: max_iter
    rounds of num_leaves leaves, learning rate 0.1, 255 bins, 2 threads."""
    if library == "quiver":
        return dict(objective="log_loss", num_leaves=num_leaves, max_iter=max_iter, learning_rate=LEARNING_RATE,
                    max_bin=MAX_BIN, n_threads=N_THREADS)
    if library == "lightgbm":
        return dict(num_leaves=num_leaves, n_estimators=max_iter, learning_rate=LEARNING_RATE, max_bin=MAX_BIN,
                    min_child_samples=20, verbose=-1, n_jobs=N_THREADS)
    if library == "xgboost":
        # max_bin=256, as the issue asks: XGBoost's default, one byte per bin
        # like the others' 255.
        return dict(tree_method="hist", max_leaves=num_leaves, grow_policy="lossguide", max_depth=0,
                    max_bin=MAX_BIN + 1, n_estimators=max_iter, learning_rate=LEARNING_RATE, n_jobs=N_THREADS,
                    enable_categorical=categorical)
    if library == "scikit-learn":
        return dict(max_leaf_nodes=num_leaves, max_iter=max_iter, learning_rate=LEARNING_RATE, max_bins=MAX_BIN,
                    early_stopping=False, categorical_features="from_dtype")
    raise ValueError(f"unknown library {library!r}")


@contextlib.contextmanager
def threads(library: str) -> Iterator[None]:
    """Limit scikit-learn's OpenMP pool to N_THREADS (the others take their
    thread count as a hyperparameter)."""
    if library != "scikit-learn":
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=N_THREADS, user_api="openmp"):
        yield


def fit_quiver(table: Any, max_iter: int, num_leaves: int) -> tuple[Any, dict[str, Any]]:
    """quiver's fit without scoring the training frame (the engine call of
    quiver.gbdt, as the scikit-learn wrapper makes it): (predict, log)."""
    import quiver
    from quiver import _learners

    predict, _, log = _learners.fit("gbdt", table, target=TARGET,
                                    params=quiver.space("gbdt").validate(params("quiver", max_iter, num_leaves)),
                                    progress=False, score=False)
    return predict, log["gbdt"]


def make_peer(library: str, max_iter: int, num_leaves: int, categorical: bool = False) -> Any:
    """An unfitted scikit-learn-style classifier of a peer library."""
    kw = params(library, max_iter, num_leaves, categorical)
    if library == "lightgbm":
        import lightgbm

        return lightgbm.LGBMClassifier(**kw)
    if library == "xgboost":
        import xgboost

        return xgboost.XGBClassifier(**kw)
    if library == "scikit-learn":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(**kw)
    raise ValueError(f"not a peer: {library!r}")


def fit_peer(library: str, X: Any, y: np.ndarray, max_iter: int, num_leaves: int, categorical: bool = False) -> Any:
    model = make_peer(library, max_iter, num_leaves, categorical)
    with threads(library):
        return model.fit(X, y)


def probability(library: str, model: Any, X: Any) -> np.ndarray:
    """P(class 1) of every row of X, through the library's usual predict call:
    quiver's predict function (X a frame), LightGBM's Booster.predict,
    XGBoost's inplace_predict (numpy X) or predict_proba (a DataFrame), and
    scikit-learn's predict_proba."""
    if library == "quiver":
        out = model(X, n_threads=N_THREADS)
        names = out.column_names if hasattr(out, "column_names") else list(out)
        assert "probability_1" in names, f"quiver's predict added {model.outputs}, not probability_1"
        return np.asarray(out["probability_1"])
    if library == "lightgbm":
        return np.asarray(model.booster_.predict(X, num_threads=N_THREADS))
    if library == "xgboost":
        if isinstance(X, np.ndarray):
            return np.asarray(model.get_booster().inplace_predict(X))
        return np.asarray(model.predict_proba(X))[:, 1]
    if library == "scikit-learn":
        with threads(library):
            return np.asarray(model.predict_proba(X))[:, 1]
    raise ValueError(f"unknown library {library!r}")


def trees(library: str, model: Any, log: dict[str, Any] | None = None) -> int | None:
    """The number of boosting rounds the fitted model holds."""
    try:
        if library == "quiver":
            log = log or {}
            for key in ("iterations", "n_iter", "rounds", "trees"):
                if log.get(key) is not None:
                    return int(log[key])
            return None
        if library == "lightgbm":
            return int(model.booster_.current_iteration())
        if library == "xgboost":
            return int(model.get_booster().num_boosted_rounds())
        if library == "scikit-learn":
            return int(model.n_iter_)
    except Exception:  # noqa: BLE001 - informational only
        return None
    return None
