"""Scikit-learn-compatible estimators over quiver's learners.

They follow scikit-learn's rules: hyperparameters are keyword-only
constructor arguments with the defaults of the learner's space, ``fit``
returns ``self``, fitted attributes end in ``_``, and ``get_params`` /
``set_params`` / ``clone`` work, so they fit into scikit-learn pipelines,
grid searches and cross-validation.
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted
except ImportError as exc:  # pragma: no cover
    raise ImportError("quiver.sklearn needs scikit-learn: pip install 'quiver-ml[sklearn]'") from exc

from . import _learners
from ._frames import as_arrow
from ._space import space

__all__ = ["FFTClassifier", "GBDTClassifier", "GBDTRegressor", "LinearRegression", "LogisticRegression",
           "MLPClassifier", "MLPRegressor"]

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

    def _learner_params(self) -> dict[str, Any]:
        """The hyperparameters to fit with, checked against the space."""
        return space(self._learner).validate(self.get_params())

    def _fit(self, X: Any, y: Any, sample_weight: Any = None, eval_set: Any = None) -> "_QuiverEstimator":
        frame, names, named = _frame(X)
        y = self._check_target(y)
        extra = {_TARGET: y}
        if sample_weight is not None:
            extra[_WEIGHT] = np.asarray(sample_weight, dtype=np.float64)
        frame = _with_columns(frame, extra)
        valid = None
        if eval_set is not None:
            valid = self._valid_frame(eval_set, names, weighted=sample_weight is not None)
        predict, _, log = _learners.fit(
            self._learner, frame, target=_TARGET, features=names,
            weight=_WEIGHT if sample_weight is not None else None, valid=valid,
            params=self._learner_params(), progress=False, score=False,
        )
        self.predictor_ = predict
        self.log_ = log[self._learner]
        self.n_features_in_ = len(names)
        if named:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_iter_ = self.log_.get("iterations")
        self._set_fitted(predict)
        return self

    def _check_target(self, y: Any) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
        return y

    def _valid_frame(self, eval_set: Any, names: list[str], weighted: bool) -> Any:
        """The validation frame of ``eval_set=(X_val, y_val)``, in the training frame's layout."""
        if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
            raise ValueError("eval_set must be a pair (X_val, y_val)")
        X_val, y_val = eval_set
        frame, val_names, named = _frame(X_val)
        if len(val_names) != len(names):
            raise ValueError(f"eval_set X has {len(val_names)} features, but X has {len(names)}")
        if not named:  # positional columns take the training names
            frame = {name: frame[v] for name, v in zip(names, val_names)}
        y_val = self._check_target(y_val)
        extra = {_TARGET: y_val}
        if weighted:
            extra[_WEIGHT] = np.ones(len(y_val))
        return _with_columns(frame, extra)

    def _set_fitted(self, predict: Any) -> None:
        """Set the fitted attributes that depend on the kind of model."""

    def _features(self, X: Any) -> Any:
        """X as a pyarrow Table of the fitted features, in the fitted order."""
        check_is_fitted(self, "predictor_")
        frame, names, _ = _frame(X)
        if len(names) != self.n_features_in_:
            raise ValueError(f"X has {len(names)} features, but {type(self).__name__} was fitted with "
                             f"{self.n_features_in_}")
        table, _ = as_arrow(frame)
        return table.select(self.predictor_.inputs)

    def _outputs(self, X: Any, **options: bool) -> Any:
        features = self._features(X)
        return self.predictor_(features, **options)


class _LinearEstimator(_QuiverEstimator):
    def _set_fitted(self, predict: Any) -> None:
        summary = predict.summary
        self.coef_ = np.asarray(summary["coef"], dtype=np.float64)
        self.intercept_ = np.asarray(summary["intercept"], dtype=np.float64)


def _defaults(learner: str) -> dict[str, Any]:
    return space(learner).defaults()


_LINEAR = _defaults("linear_regression")
_LOGISTIC = _defaults("logistic_regression")
_GBDT = _defaults("gbdt")
_FFT = _defaults("fft")
_MLP = _defaults("mlp")
# The widths as a tuple, as scikit-learn's hidden_layer_sizes: an immutable
# default that get_params and clone hand on as it is.
_MLP_HIDDEN = tuple(json.loads(_MLP["hidden_layers"]))


class LinearRegression(RegressorMixin, _LinearEstimator):
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


class LogisticRegression(ClassifierMixin, _LinearEstimator):
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


_REGRESSION_OBJECTIVES = ("squared_error", "absolute_error", "huber", "poisson")


class _GBDTEstimator(_QuiverEstimator):
    _learner = "gbdt"

    def fit(self, X: Any, y: Any, sample_weight: Any = None, *, eval_set: Any = None) -> "_GBDTEstimator":
        """Fit the model; returns self.

        Parameters
        ----------
        X : frame or array of shape (n_samples, n_features)
            Numeric columns, and string or categorical columns (pandas
            ``category``, polars ``Categorical``/``Enum``/``String``, Arrow
            strings or dictionaries), which are used as categorical features.
            Missing values (null or NaN) are allowed in every feature.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        eval_set : pair (X_val, y_val), optional
            A validation set scored after every round: its metric is in
            ``log_["valid_metric"]``, and with ``early_stopping_rounds`` the fit
            stops when the metric stops improving.
        """
        return self._fit(X, y, sample_weight, eval_set)

    def _set_fitted(self, predict: Any) -> None:
        summary = predict.summary
        gain = dict(zip(summary["features"], summary["feature_importance"]["gain"]))
        importances = np.asarray([gain[name] for name in self.predictor_.inputs], dtype=np.float64)
        total = importances.sum()
        self.feature_importances_ = importances / total if total > 0 else importances
        if self.log_.get("best_iteration") is not None:
            self.best_iteration_ = int(self.log_["best_iteration"])
        elif hasattr(self, "best_iteration_"):
            del self.best_iteration_


class GBDTRegressor(RegressorMixin, _GBDTEstimator):
    """Gradient-boosted decision trees for regression, fitted by quiver's engine.

    Histogram-based trees grown leaf-wise, with native missing values and
    categorical features. The hyperparameters are those of
    :func:`quiver.gbdt` (see its docstring); ``objective`` is one of
    ``"squared_error"`` (the default), ``"absolute_error"``, ``"huber"`` and
    ``"poisson"``.

    Attributes
    ----------
    feature_importances_ : ndarray of shape (n_features,)
        Total gain of each feature's splits, normalised to sum to 1.
    n_iter_ : int
        Boosting rounds kept.
    best_iteration_ : int
        The best round on ``eval_set``; only set when fitted with one.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
    log_ : dict
    """

    def __init__(self, *, objective: str = "squared_error", max_iter: int = _GBDT["max_iter"],
                 learning_rate: float = _GBDT["learning_rate"], num_leaves: int = _GBDT["num_leaves"],
                 max_depth: int = _GBDT["max_depth"], min_data_in_leaf: int = _GBDT["min_data_in_leaf"],
                 min_sum_hessian_in_leaf: float = _GBDT["min_sum_hessian_in_leaf"],
                 min_gain_to_split: float = _GBDT["min_gain_to_split"], l1: float = _GBDT["l1"],
                 l2: float = _GBDT["l2"], max_bin: int = _GBDT["max_bin"], bin_sample: int = _GBDT["bin_sample"],
                 subsample: float = _GBDT["subsample"], colsample: float = _GBDT["colsample"],
                 seed: int = _GBDT["seed"], huber_delta: float = _GBDT["huber_delta"],
                 max_cat_to_onehot: int = _GBDT["max_cat_to_onehot"],
                 max_cat_threshold: int = _GBDT["max_cat_threshold"], cat_smooth: float = _GBDT["cat_smooth"],
                 cat_l2: float = _GBDT["cat_l2"], min_data_per_group: int = _GBDT["min_data_per_group"],
                 early_stopping_rounds: int = _GBDT["early_stopping_rounds"], metric: str = _GBDT["metric"],
                 n_threads: int = _GBDT["n_threads"]) -> None:
        self.objective = objective
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_data_in_leaf = min_data_in_leaf
        self.min_sum_hessian_in_leaf = min_sum_hessian_in_leaf
        self.min_gain_to_split = min_gain_to_split
        self.l1 = l1
        self.l2 = l2
        self.max_bin = max_bin
        self.bin_sample = bin_sample
        self.subsample = subsample
        self.colsample = colsample
        self.seed = seed
        self.huber_delta = huber_delta
        self.max_cat_to_onehot = max_cat_to_onehot
        self.max_cat_threshold = max_cat_threshold
        self.cat_smooth = cat_smooth
        self.cat_l2 = cat_l2
        self.min_data_per_group = min_data_per_group
        self.early_stopping_rounds = early_stopping_rounds
        self.metric = metric
        self.n_threads = n_threads

    def _learner_params(self) -> dict[str, Any]:
        if self.objective not in _REGRESSION_OBJECTIVES:
            raise ValueError(f"GBDTRegressor: objective must be one of "
                             f"{', '.join(map(repr, _REGRESSION_OBJECTIVES))}, got {self.objective!r}")
        return super()._learner_params()

    def _check_target(self, y: Any) -> np.ndarray:
        y = super()._check_target(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"GBDTRegressor needs a numeric y, got dtype {y.dtype}")
        return y.astype(np.float64, copy=False)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shape (n_samples,)."""
        out = self._outputs(X)
        return np.asarray(out.column("prediction"))


class GBDTClassifier(ClassifierMixin, _GBDTEstimator):
    """Gradient-boosted decision trees for binary and multiclass
    classification (log loss; softmax for three classes or more), fitted by
    quiver's engine.

    Histogram-based trees grown leaf-wise, with native missing values and
    categorical features. The hyperparameters are those of
    :func:`quiver.gbdt` (see its docstring), with ``objective="log_loss"``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    feature_importances_ : ndarray of shape (n_features,)
        Total gain of each feature's splits, normalised to sum to 1.
    n_iter_ : int
        Boosting rounds kept.
    best_iteration_ : int
        The best round on ``eval_set``; only set when fitted with one.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
    log_ : dict
    """

    def __init__(self, *, max_iter: int = _GBDT["max_iter"], learning_rate: float = _GBDT["learning_rate"],
                 num_leaves: int = _GBDT["num_leaves"], max_depth: int = _GBDT["max_depth"],
                 min_data_in_leaf: int = _GBDT["min_data_in_leaf"],
                 min_sum_hessian_in_leaf: float = _GBDT["min_sum_hessian_in_leaf"],
                 min_gain_to_split: float = _GBDT["min_gain_to_split"], l1: float = _GBDT["l1"],
                 l2: float = _GBDT["l2"], max_bin: int = _GBDT["max_bin"], bin_sample: int = _GBDT["bin_sample"],
                 subsample: float = _GBDT["subsample"], colsample: float = _GBDT["colsample"],
                 seed: int = _GBDT["seed"], max_cat_to_onehot: int = _GBDT["max_cat_to_onehot"],
                 max_cat_threshold: int = _GBDT["max_cat_threshold"], cat_smooth: float = _GBDT["cat_smooth"],
                 cat_l2: float = _GBDT["cat_l2"], min_data_per_group: int = _GBDT["min_data_per_group"],
                 early_stopping_rounds: int = _GBDT["early_stopping_rounds"], metric: str = _GBDT["metric"],
                 n_threads: int = _GBDT["n_threads"]) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_data_in_leaf = min_data_in_leaf
        self.min_sum_hessian_in_leaf = min_sum_hessian_in_leaf
        self.min_gain_to_split = min_gain_to_split
        self.l1 = l1
        self.l2 = l2
        self.max_bin = max_bin
        self.bin_sample = bin_sample
        self.subsample = subsample
        self.colsample = colsample
        self.seed = seed
        self.max_cat_to_onehot = max_cat_to_onehot
        self.max_cat_threshold = max_cat_threshold
        self.cat_smooth = cat_smooth
        self.cat_l2 = cat_l2
        self.min_data_per_group = min_data_per_group
        self.early_stopping_rounds = early_stopping_rounds
        self.metric = metric
        self.n_threads = n_threads

    def _learner_params(self) -> dict[str, Any]:
        return {**super()._learner_params(), "objective": "log_loss"}

    def fit(self, X: Any, y: Any, sample_weight: Any = None, *, eval_set: Any = None) -> "GBDTClassifier":
        """Fit the model; returns self. See :meth:`GBDTRegressor.fit`."""
        self.classes_ = np.unique(self._check_target(y))
        return self._fit(X, y, sample_weight, eval_set)

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
        """Raw scores before the link function: log-odds of ``classes_[1]``,
        shape (n_samples,), for two classes; else one column per class, shape
        (n_samples, n_classes)."""
        out = self._outputs(X, raw_score=True)
        if "raw_score" in out.column_names:
            return np.asarray(out.column("raw_score"))
        labels = [c.removeprefix("probability_") for c in self.predictor_.outputs if c.startswith("probability_")]
        return np.column_stack([np.asarray(out.column(f"raw_score_{label}")) for label in labels])


class FFTClassifier(ClassifierMixin, _QuiverEstimator):
    """A fast-and-frugal tree for binary classification, fitted by quiver's
    engine (after the R package FFTrees).

    One question per level, each about one cue (feature); every level but
    the last has one exit, the last has two. The hyperparameters are those
    of :func:`quiver.fft` (see its docstring or ``quiver.space("fft")``).

    ``y`` may hold any two labels: the second of the sorted ``classes_`` is
    the tree's True (scikit-learn's positive class), the first its False.
    Numeric, boolean and string or categorical features are used as they
    are, missing values included.

    ``predict`` gives the tree's decisions. ``predict_proba`` gives, for each
    row, the share of the training cases leaving through the row's exit
    that were of each class. The two need not agree row by row: an exit's
    decision is chosen for the tree as a whole (by ``goal``, balanced
    accuracy by default), so an exit may decide ``classes_[1]`` where most of
    its training cases were ``classes_[0]``. Both are constant within an
    exit.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; ``classes_[1]`` is the tree's True.
    tree_ : str
        The tree in words, such as "If thal = {rd,fd}, decide True. If cp !=
        {a}, decide False, otherwise, decide True." (True is ``classes_[1]``;
        cues of a numpy ``X`` are named x0, x1, ...).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
        The fitted tree; ``quiver.plot.fft(predictor_)`` draws it.
    log_ : dict
        The fit's log: the tree, every candidate tree ranked with its
        statistics, each cue's best question, training statistics.

    Examples
    --------
    >>> from quiver.sklearn import FFTClassifier
    >>> clf = FFTClassifier(max_levels=3).fit(X, y)   # doctest: +SKIP
    >>> clf.tree_                                        # doctest: +SKIP
    'If age > 58, decide True. ...'
    """

    _learner = "fft"

    def __init__(self, *, algorithm: str = _FFT["algorithm"], goal: str = _FFT["goal"],
                 goal_chase: str = _FFT["goal_chase"], goal_threshold: str = _FFT["goal_threshold"],
                 sens_w: float = _FFT["sens_w"], max_levels: int = _FFT["max_levels"],
                 stopping_rule: str = _FFT["stopping_rule"], stopping_par: float = _FFT["stopping_par"],
                 repeat_cues: bool = _FFT["repeat_cues"], numthresh_method: str = _FFT["numthresh_method"],
                 numthresh_n: int = _FFT["numthresh_n"], cost_hi: float = _FFT["cost_hi"],
                 cost_fa: float = _FFT["cost_fa"], cost_mi: float = _FFT["cost_mi"], cost_cr: float = _FFT["cost_cr"],
                 cue_costs: Any = _FFT["cue_costs"], tree: str = _FFT["tree"],
                 n_threads: int = _FFT["n_threads"]) -> None:
        self.algorithm = algorithm
        self.goal = goal
        self.goal_chase = goal_chase
        self.goal_threshold = goal_threshold
        self.sens_w = sens_w
        self.max_levels = max_levels
        self.stopping_rule = stopping_rule
        self.stopping_par = stopping_par
        self.repeat_cues = repeat_cues
        self.numthresh_method = numthresh_method
        self.numthresh_n = numthresh_n
        self.cost_hi = cost_hi
        self.cost_fa = cost_fa
        self.cost_mi = cost_mi
        self.cost_cr = cost_cr
        self.cue_costs = cue_costs
        self.tree = tree
        self.n_threads = n_threads

    # sample_weight is caught through **fit_params rather than declared:
    # a declared one would tell meta-estimators (bagging, for one) that the
    # tree takes weights, and they would pass them instead of resampling.
    def fit(self, X: Any, y: Any, **fit_params: Any) -> "FFTClassifier":
        """Fit the tree; returns self.

        Parameters
        ----------
        X : frame or array of shape (n_samples, n_features)
            Numeric, boolean, and string or categorical columns; missing
            values are allowed. A column holding a single value is an error
            (it cannot tell cases apart).
        y : array-like of shape (n_samples,)
            Exactly two distinct labels, none missing.

        Raises
        ------
        ValueError
            If ``y`` does not hold exactly two classes.
        TypeError
            If ``sample_weight`` (which fast-and-frugal trees do not take) or
            another fit parameter is given.
        """
        if fit_params.get("sample_weight") is not None:
            raise TypeError("FFTClassifier does not support sample_weight: a fast-and-frugal tree counts cases, "
                            "unweighted (resample the rows instead)")
        unknown = sorted(set(fit_params) - {"sample_weight"})
        if unknown:
            raise TypeError(f"FFTClassifier.fit got unexpected keyword arguments {unknown}")
        y = self._check_target(y)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) != 2:
            # Worded with scikit-learn's phrases for these cases, which its
            # estimator checks look for.
            k = len(classes)
            raise ValueError(f"Only binary classification is supported: FFTClassifier needs y with exactly two "
                             f"classes, got {k} class{'es' if k != 1 else ''}: {_shown(classes)}")
        self.classes_ = classes
        # The engine's criterion is boolean; True is scikit-learn's positive
        # class, the greater label.
        return self._fit(X, y == classes[1])

    def _learner_params(self) -> dict[str, Any]:
        params = self.get_params()
        if params["cue_costs"] is None:  # None reads as "no costs", as the default "" does
            params["cue_costs"] = ""
        return space(self._learner).validate(params)

    def _set_fitted(self, predict: Any) -> None:
        self.tree_ = predict.summary["tree"]
        # A tree is grown, not iterated: there is no n_iter_ to report.
        self.__dict__.pop("n_iter_", None)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2), in the order of
        ``classes_``: the class shares among the training cases that left
        through each row's exit."""
        out = self._outputs(X)
        p = np.asarray(out.column("probability_true"), dtype=np.float64)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The tree's decision for each row, as labels from ``classes_``."""
        out = self._outputs(X)
        decided = np.asarray(out.column("prediction"), dtype=bool)
        return self.classes_[decided.astype(np.intp)]

    def __sklearn_tags__(self) -> Any:  # scikit-learn >= 1.6
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"binary_only": True, "allow_nan": True}


class _MLPEstimator(_QuiverEstimator):
    _learner = "mlp"
    _objective: str

    def __init__(self, *, hidden_layers: Any = _MLP_HIDDEN, activation: str = _MLP["activation"],
                 optimizer: str = _MLP["optimizer"], learning_rate: float = _MLP["learning_rate"],
                 lr_schedule: str = _MLP["lr_schedule"], lr_step_epochs: int = _MLP["lr_step_epochs"],
                 lr_gamma: float = _MLP["lr_gamma"], momentum: float = _MLP["momentum"],
                 nesterov: bool = _MLP["nesterov"], beta1: float = _MLP["beta1"], beta2: float = _MLP["beta2"],
                 epsilon: float = _MLP["epsilon"], batch_size: int = _MLP["batch_size"],
                 max_iter: int = _MLP["max_iter"], l2: float = _MLP["l2"], dropout: float = _MLP["dropout"],
                 shuffle: bool = _MLP["shuffle"], seed: int = _MLP["seed"],
                 early_stopping_rounds: int = _MLP["early_stopping_rounds"],
                 validation_fraction: float = _MLP["validation_fraction"],
                 n_threads: int = _MLP["n_threads"]) -> None:
        self.hidden_layers = hidden_layers
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.lr_step_epochs = lr_step_epochs
        self.lr_gamma = lr_gamma
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.l2 = l2
        self.dropout = dropout
        self.shuffle = shuffle
        self.seed = seed
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.n_threads = n_threads

    def _learner_params(self) -> dict[str, Any]:
        params = self.get_params()
        hidden = params["hidden_layers"]
        if isinstance(hidden, (numbers.Integral, np.integer)) and not isinstance(hidden, bool):
            params["hidden_layers"] = [int(hidden)]  # one layer, as scikit-learn's hidden_layer_sizes=100
        elif isinstance(hidden, np.ndarray):
            params["hidden_layers"] = hidden.tolist()
        return space(self._learner).validate({**params, "objective": self._objective})

    # sample_weight is caught through **fit_params rather than declared, so
    # that meta-estimators do not take the network for one that weights rows.
    def _fit_mlp(self, X: Any, y: Any, eval_set: Any, fit_params: dict[str, Any]) -> "_MLPEstimator":
        name = type(self).__name__
        if fit_params.get("sample_weight") is not None:
            raise TypeError(f"{name} does not support sample_weight: the network's loss is unweighted "
                            "(resample or duplicate the rows instead)")
        unknown = sorted(set(fit_params) - {"sample_weight"})
        if unknown:
            raise TypeError(f"{name}.fit got unexpected keyword arguments {unknown}")
        return self._fit(X, y, None, eval_set)

    def _set_fitted(self, predict: Any) -> None:
        log = self.log_
        self.loss_curve_ = [float(v) for v in log["loss"]]
        self.n_iter_ = int(log["epochs"])
        for attr in ("best_iteration_", "validation_loss_curve_"):
            self.__dict__.pop(attr, None)
        if log.get("valid_loss") is not None:
            self.validation_loss_curve_ = [float(v) for v in log["valid_loss"]]
            self.best_iteration_ = int(log["best_iteration"])


_MLP_DOC = """

    A multi-layer perceptron trained by mini-batch gradient descent (Adam by
    default) in float32, fitted by quiver's engine. The hyperparameters are
    those of :func:`quiver.mlp` (see its docstring or
    ``quiver.space("mlp")``); ``hidden_layers`` is a tuple of widths, such
    as ``(64, 64)``, as scikit-learn's ``hidden_layer_sizes`` (a list, an int
    or the text ``"64,64"`` work too; ``()`` is a linear model).

    The engine standardises every feature with the training rows' mean and
    standard deviation, so ``X`` needs no scaling. Features must be numeric
    (or Arrow fixed-size lists of numbers, one network input per element)
    without missing values: string or categorical columns must be encoded
    first (one-hot or ordinal), missing values imputed.

    With ``eval_set=(X_val, y_val)`` (or ``validation_fraction`` of the
    training rows) the validation loss is recorded every epoch; with
    ``early_stopping_rounds`` as well, training stops when it has not
    improved for that many epochs and the best epoch's weights are kept."""

_MLP_ATTRIBUTES = """
    loss_curve_ : list of float
        The mean training loss of each epoch (without the L2 penalty).
    validation_loss_curve_ : list of float
        The validation loss of each epoch; only set when validated.
    n_iter_ : int
        Epochs run.
    best_iteration_ : int
        The epoch (from 1) with the least validation loss; only set when
        validated. With ``early_stopping_rounds`` the model is that epoch's.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, when X has column names
    predictor_ : quiver.Predictor
    log_ : dict
    """


class MLPRegressor(RegressorMixin, _MLPEstimator):
    __doc__ = ("Multi-layer perceptron regression (squared error, identity output)." + _MLP_DOC + """

    Attributes
    ----------""" + _MLP_ATTRIBUTES)

    _objective = "squared_error"

    def fit(self, X: Any, y: Any, *, eval_set: Any = None, **fit_params: Any) -> "MLPRegressor":
        """Fit the network; returns self.

        Parameters
        ----------
        X : frame or array of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), numeric
        eval_set : pair (X_val, y_val), optional
            A validation set scored after every epoch.

        Raises
        ------
        TypeError
            For a non-numeric ``y``, string or categorical features, or
            ``sample_weight``.
        ValueError
            For missing values, bad hyperparameters, or a learning rate at
            which training diverges.
        """
        return self._fit_mlp(X, y, eval_set, fit_params)

    def _check_target(self, y: Any) -> np.ndarray:
        y = super()._check_target(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"MLPRegressor needs a numeric y, got dtype {y.dtype}")
        return y.astype(np.float64, copy=False)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shape (n_samples,)."""
        out = self._outputs(X)
        return np.asarray(out.column("prediction"))


class MLPClassifier(ClassifierMixin, _MLPEstimator):
    __doc__ = ("Multi-layer perceptron classification (log loss: a sigmoid output for two classes, softmax "
               "for more)." + _MLP_DOC + """

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)""" + _MLP_ATTRIBUTES)

    _objective = "log_loss"

    def fit(self, X: Any, y: Any, *, eval_set: Any = None, **fit_params: Any) -> "MLPClassifier":
        """Fit the network; returns self. See :meth:`MLPRegressor.fit`; ``y``
        holds class labels (two or more)."""
        y = self._check_target(y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        return self._fit_mlp(X, y, eval_set, fit_params)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), in the order of ``classes_``."""
        out = self._outputs(X)
        probs = [c for c in self.predictor_.outputs if c.startswith("probability_")]
        return np.column_stack([np.asarray(out.column(c)) for c in probs])

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        check_is_fitted(self, "predictor_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _shown(values: np.ndarray, limit: int = 5) -> str:
    """A few of ``values`` for an error message."""
    shown = ", ".join(map(repr, values[:limit].tolist()))
    return f"[{shown}{', ...' if len(values) > limit else ''}]"
