"""Scikit-learn-compatible estimators over quiver's learners.

They follow scikit-learn's rules: hyperparameters are keyword-only
constructor arguments with the defaults of the learner's space, ``fit``
returns ``self``, fitted attributes end in ``_``, and ``get_params`` /
``set_params`` / ``clone`` work, so they fit into scikit-learn pipelines,
grid searches and cross-validation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.validation import check_is_fitted
except ImportError as exc:  # pragma: no cover
    raise ImportError("quiver.sklearn needs scikit-learn: pip install 'quiver-ml[sklearn]'") from exc

from . import _learners
from ._frames import as_arrow
from ._space import space

__all__ = ["LinearRegression", "LogisticRegression"]

_TARGET = "__quiver_target__"
_WEIGHT = "__quiver_weight__"


def _frame(X: Any) -> tuple[dict[str, Any] | Any, list[str], bool]:
    """X as a frame quiver reads, its feature names, and whether the names
    came from the data (as opposed to x0, x1, ...)."""
    module = type(X).__module__.split(".", 1)[0]
    if module == "pandas" and not all(isinstance(c, str) for c in X.columns):
        X = X.to_numpy()
        module = "numpy"
    if module in ("pandas", "polars", "pyarrow"):
        table, _ = as_arrow(X)
        return table, list(table.column_names), True
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D array of features, got shape {arr.shape}")
    names = [f"x{j}" for j in range(arr.shape[1])]
    return {name: arr[:, j] for j, name in enumerate(names)}, names, False


def _with_columns(frame: Any, columns: dict[str, Any]) -> Any:
    if isinstance(frame, dict):
        return {**frame, **columns}
    for name, values in columns.items():
        frame = frame.append_column(name, [np.asarray(values)])
    return frame


class _QuiverEstimator(BaseEstimator):
    _learner: str

    def _fit(self, X: Any, y: Any, sample_weight: Any = None) -> "_QuiverEstimator":
        frame, names, named = _frame(X)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
        extra = {_TARGET: y}
        if sample_weight is not None:
            extra[_WEIGHT] = np.asarray(sample_weight, dtype=np.float64)
        frame = _with_columns(frame, extra)
        predict, _, log = _learners.fit(
            self._learner, frame, target=_TARGET, features=names,
            weight=_WEIGHT if sample_weight is not None else None,
            params=space(self._learner).validate(self.get_params()), progress=False, score=False,
        )
        self.predictor_ = predict
        self.log_ = log[self._learner]
        self.n_features_in_ = len(names)
        if named:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        summary = predict.summary
        self.coef_ = np.asarray(summary["coef"], dtype=np.float64)
        self.intercept_ = np.asarray(summary["intercept"], dtype=np.float64)
        self.n_iter_ = self.log_.get("iterations")
        return self

    def _features(self, X: Any) -> Any:
        """X as a pyarrow Table of the fitted features, in the fitted order."""
        check_is_fitted(self, "predictor_")
        frame, names, _ = _frame(X)
        if len(names) != self.n_features_in_:
            raise ValueError(f"X has {len(names)} features, but {type(self).__name__} was fitted with "
                             f"{self.n_features_in_}")
        table, _ = as_arrow(frame)
        return table.select(self.predictor_.inputs)

    def _outputs(self, X: Any) -> Any:
        features = self._features(X)
        return self.predictor_(features)


def _defaults(learner: str) -> dict[str, Any]:
    return space(learner).defaults()


_LINEAR = _defaults("linear_regression")
_LOGISTIC = _defaults("logistic_regression")


class LinearRegression(RegressorMixin, _QuiverEstimator):
    """Least squares with optional L1 and L2 penalties (OLS, ridge, lasso,
    elastic net), fitted by quiver's engine.

    The objective and the hyperparameters are those of
    :func:`quiver.linear_regression`: see its docstring.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
    log_ : dict
    """

    _learner = "linear_regression"

    def __init__(self, *, l1: float = _LINEAR["l1"], l2: float = _LINEAR["l2"],
                 fit_intercept: bool = _LINEAR["fit_intercept"], standardize: bool = _LINEAR["standardize"],
                 tol: float = _LINEAR["tol"], max_iter: int = _LINEAR["max_iter"],
                 n_threads: int = _LINEAR["n_threads"]) -> None:
        self.l1 = l1
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "LinearRegression":
        """Fit the model; returns self."""
        self._fit(X, y, sample_weight)
        self.coef_ = self.coef_[0]
        self.intercept_ = float(self.intercept_[0])
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shape (n_samples,)."""
        out = self._outputs(X)
        return np.asarray(out.column("prediction"))


class LogisticRegression(ClassifierMixin, _QuiverEstimator):
    """Binary and multinomial logistic regression with L1, L2 or elastic-net
    penalties, fitted by quiver's engine.

    ``l2 = 1 / C`` gives scikit-learn's L2 penalty with ``C``; the objective
    and the hyperparameters are those of :func:`quiver.logistic_regression`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
    log_ : dict
    """

    _learner = "logistic_regression"

    def __init__(self, *, l1: float = _LOGISTIC["l1"], l2: float = _LOGISTIC["l2"],
                 fit_intercept: bool = _LOGISTIC["fit_intercept"], standardize: bool = _LOGISTIC["standardize"],
                 tol: float = _LOGISTIC["tol"], max_iter: int = _LOGISTIC["max_iter"],
                 n_threads: int = _LOGISTIC["n_threads"]) -> None:
        self.l1 = l1
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.n_threads = n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "LogisticRegression":
        """Fit the model; returns self."""
        self.classes_ = np.unique(np.asarray(y))
        return self._fit(X, y, sample_weight)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), in the order of ``classes_``."""
        out = self._outputs(X)
        probs = [c for c in self.predictor_.outputs if c.startswith("probability_")]
        return np.column_stack([np.asarray(out.column(c)) for c in probs])

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        check_is_fitted(self, "predictor_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear scores: log-odds for two classes, else one column per class."""
        table = self._features(X)
        X = np.column_stack([np.asarray(table.column(n), dtype=np.float64) for n in table.column_names])
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores
