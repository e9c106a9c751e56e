"""Parity with scikit-learn: the same problem gives the same coefficients,
intercepts, predictions and probabilities, within 1e-4 relative.

With ``standardize=False`` quiver's objective

    sum_i w_i loss(y_i, eta_i) + l1 * |beta|_1 + (l2 / 2) * |beta|_2^2

maps onto scikit-learn's estimators as follows (n = number of rows):

    Ridge(alpha)                       l2 = alpha
    Lasso(alpha)                       l1 = n * alpha
    ElasticNet(alpha, l1_ratio=r)      l1 = n * alpha * r,  l2 = n * alpha * (1 - r)
    LogisticRegression(C), L2          l2 = 1 / C
    LogisticRegression(C), L1          l1 = 1 / C
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge

import quiver
import quiver.sklearn
from conftest import assert_coef_close, solver_limits, summary_arrays

RTOL = 1e-4


def _xy(data, target, features):
    if isinstance(data, pd.DataFrame):
        return data[features].to_numpy(dtype=np.float64), data[target].to_numpy()
    return np.column_stack([np.asarray(data[f], dtype=np.float64) for f in features]), np.asarray(data[target])


def _features(data, target, exclude=()):
    names = list(data.columns) if isinstance(data, pd.DataFrame) else list(data)
    return [c for c in names if c != target and c not in exclude]


def _quiver_fit(learner, data, target, features, **params):
    params = {"standardize": False, **solver_limits(learner), **params}
    fit = getattr(quiver, learner)
    return fit(data, target=target, features=features, **params)


def _sk_logistic(C, l1: bool, **kw):
    """A tightly converged scikit-learn LogisticRegression with an L2 or L1 penalty."""
    if l1:
        return LogisticRegression(C=C, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=200_000, **kw)
    return LogisticRegression(C=C, l1_ratio=0.0, solver=kw.pop("solver", "newton-cholesky"), tol=1e-10,
                              max_iter=10_000, **kw)


def _fit_sklearn(model, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the reference must converge
        return model.fit(X, y, sample_weight=sample_weight)


# ---------------------------------------------------------------------------
# Linear regression


def _regression_problems(diabetes, synthetic_regression, breast_cancer_scaled):
    return {
        "diabetes": (diabetes, "target", _features(diabetes, "target")),
        "synthetic": (synthetic_regression, "y", _features(synthetic_regression, "y")),
        # A numeric breast-cancer column as the target, from the standardised features.
        "breast_cancer": (breast_cancer_scaled, "mean_texture",
                          _features(breast_cancer_scaled, "mean_texture", exclude=("label",))),
    }


REGRESSION_CASES = [
    # (problem, sklearn factory, quiver params as a function of n)
    ("diabetes", "ols", lambda n: LinearRegression(), lambda n: {"l1": 0.0, "l2": 0.0}),
    ("synthetic", "ols", lambda n: LinearRegression(), lambda n: {"l1": 0.0, "l2": 0.0}),
    ("diabetes", "ridge", lambda n: Ridge(alpha=0.5, solver="cholesky"), lambda n: {"l1": 0.0, "l2": 0.5}),
    ("synthetic", "ridge", lambda n: Ridge(alpha=30.0, solver="cholesky"), lambda n: {"l1": 0.0, "l2": 30.0}),
    ("breast_cancer", "ridge", lambda n: Ridge(alpha=2.0, solver="cholesky"), lambda n: {"l1": 0.0, "l2": 2.0}),
    ("diabetes", "lasso", lambda n: Lasso(alpha=0.1, tol=1e-12, max_iter=1_000_000),
     lambda n: {"l1": n * 0.1, "l2": 0.0}),
    ("synthetic", "lasso", lambda n: Lasso(alpha=0.2, tol=1e-12, max_iter=1_000_000),
     lambda n: {"l1": n * 0.2, "l2": 0.0}),
    ("breast_cancer", "lasso", lambda n: Lasso(alpha=0.05, tol=1e-12, max_iter=1_000_000),
     lambda n: {"l1": n * 0.05, "l2": 0.0}),
    ("diabetes", "elastic_net", lambda n: ElasticNet(alpha=0.01, l1_ratio=0.5, tol=1e-12, max_iter=1_000_000),
     lambda n: {"l1": n * 0.01 * 0.5, "l2": n * 0.01 * 0.5}),
    ("synthetic", "elastic_net", lambda n: ElasticNet(alpha=0.3, l1_ratio=0.3, tol=1e-12, max_iter=1_000_000),
     lambda n: {"l1": n * 0.3 * 0.3, "l2": n * 0.3 * 0.7}),
]


@pytest.mark.parametrize(
    "problem, penalty, make_sklearn, make_params",
    REGRESSION_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in REGRESSION_CASES],
)
def test_linear_regression_matches_sklearn(problem, penalty, make_sklearn, make_params,
                                           diabetes, synthetic_regression, breast_cancer_scaled):
    data, target, features = _regression_problems(diabetes, synthetic_regression, breast_cancer_scaled)[problem]
    X, y = _xy(data, target, features)
    n = len(y)
    ref = _fit_sklearn(make_sklearn(n), X, y)
    params = make_params(n)
    predict, scored, log = _quiver_fit("linear_regression", data, target, features, **params)

    coef, intercept = summary_arrays(predict)
    assert predict.summary["features"] == features
    assert coef.shape == (1, len(features))
    assert_coef_close(coef[0], ref.coef_, what=f"{problem} {penalty} coef")
    assert_coef_close(intercept, [ref.intercept_], scale=np.max(np.abs(ref.coef_)),
                      what=f"{problem} {penalty} intercept")

    expected = ref.predict(X)
    np.testing.assert_allclose(np.asarray(scored["prediction"]), expected, rtol=RTOL,
                               atol=1e-6 * np.max(np.abs(expected)))
    if penalty in ("lasso", "elastic_net"):
        # The same coefficients are exactly zero (or negligible).
        ref_zero = np.abs(ref.coef_) == 0
        assert ref_zero.any(), "the lasso case should have zero coefficients"
        assert np.all(np.abs(coef[0][ref_zero]) <= 1e-6 * np.max(np.abs(ref.coef_)))


def test_linear_regression_sklearn_wrapper_matches_sklearn(diabetes):
    features = _features(diabetes, "target")
    X, y = _xy(diabetes, "target", features)
    ref = _fit_sklearn(Ridge(alpha=1.5, solver="cholesky"), X, y)
    ours = quiver.sklearn.LinearRegression(l2=1.5, standardize=False, **solver_limits("linear_regression")).fit(X, y)
    assert_coef_close(ours.coef_, ref.coef_)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=RTOL)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL)


def test_weighted_ridge_matches_sklearn(synthetic_regression):
    data = dict(synthetic_regression)
    rng = np.random.default_rng(10)
    data["w"] = rng.uniform(0.1, 3.0, size=len(data["y"]))
    features = [f for f in data if f.startswith("x")]
    X, y = _xy(data, "y", features)
    ref = _fit_sklearn(Ridge(alpha=5.0, solver="cholesky"), X, y, sample_weight=data["w"])
    predict, _, _ = quiver.linear_regression(data, target="y", weight="w", l2=5.0, standardize=False,
                                             **solver_limits("linear_regression"))
    coef, intercept = summary_arrays(predict)
    assert predict.summary["features"] == features  # the weight is not a feature
    assert_coef_close(coef[0], ref.coef_)
    assert_coef_close(intercept, [ref.intercept_], floor=0.0)


# ---------------------------------------------------------------------------
# Logistic regression, binary


def _binary_problems(breast_cancer, breast_cancer_scaled, synthetic_binary):
    return {
        "breast_cancer": (breast_cancer, "label", _features(breast_cancer, "label")),
        "breast_cancer_scaled": (breast_cancer_scaled, "label", _features(breast_cancer_scaled, "label")),
        "synthetic": (synthetic_binary, "y", _features(synthetic_binary, "y")),
    }


BINARY_CASES = [
    # (problem, penalty, C). Breast cancer's raw features are badly scaled, which
    # the L2 case keeps on purpose; the L1 case uses them standardised.
    ("breast_cancer", "l2", 1.0),
    ("breast_cancer_scaled", "l2", 0.1),
    ("synthetic", "l2", 2.0),
    ("breast_cancer_scaled", "l1", 0.5),
    ("synthetic", "l1", 0.05),
]


@pytest.mark.parametrize("problem, penalty, C", BINARY_CASES, ids=[f"{p}-{q}" for p, q, _ in BINARY_CASES])
def test_binary_logistic_matches_sklearn(problem, penalty, C, breast_cancer, breast_cancer_scaled, synthetic_binary):
    data, target, features = _binary_problems(breast_cancer, breast_cancer_scaled, synthetic_binary)[problem]
    X, y = _xy(data, target, features)
    ref = _fit_sklearn(_sk_logistic(C, l1=penalty == "l1"), X, y)
    params = {"l1": 1.0 / C, "l2": 0.0} if penalty == "l1" else {"l1": 0.0, "l2": 1.0 / C}
    predict, scored, log = _quiver_fit("logistic_regression", data, target, features, **params)

    summary = predict.summary
    assert [int(c) for c in summary["classes"]] == [0, 1]
    coef, intercept = summary_arrays(predict)
    assert coef.shape == (1, len(features)), "binary logistic regression has one row of coefficients"
    assert_coef_close(coef, ref.coef_, what=f"{problem} {penalty} coef")
    assert_coef_close(intercept, ref.intercept_, scale=np.max(np.abs(ref.coef_)),
                      what=f"{problem} {penalty} intercept")
    if penalty == "l1":
        ref_zero = ref.coef_[0] == 0
        assert ref_zero.any(), "the L1 case should have zero coefficients"
        assert np.all(np.abs(coef[0][ref_zero]) <= 1e-6 * np.max(np.abs(ref.coef_)))

    proba = ref.predict_proba(X)
    np.testing.assert_allclose(np.asarray(scored["probability_1"]), proba[:, 1], rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(np.asarray(scored["probability_0"]), proba[:, 0], rtol=RTOL, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(scored["prediction"]), ref.predict(X))


def test_logistic_sklearn_wrapper_matches_sklearn(breast_cancer_scaled):
    features = _features(breast_cancer_scaled, "label")
    X, y = _xy(breast_cancer_scaled, "label", features)
    ref = _fit_sklearn(_sk_logistic(0.3, l1=False), X, y)
    ours = quiver.sklearn.LogisticRegression(l2=1 / 0.3, standardize=False,
                                             **solver_limits("logistic_regression")).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape == (1, len(features))
    assert_coef_close(ours.coef_, ref.coef_)
    assert_coef_close(ours.intercept_, ref.intercept_, floor=0.0)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=RTOL, atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_weighted_logistic_matches_sklearn(synthetic_binary):
    data = dict(synthetic_binary)
    rng = np.random.default_rng(11)
    data["w"] = rng.uniform(0.2, 2.0, size=len(data["y"]))
    features = [f for f in data if f.startswith("x")]
    X, y = _xy(data, "y", features)
    ref = _fit_sklearn(_sk_logistic(1.0, l1=False), X, y, sample_weight=data["w"])
    predict, _, _ = quiver.logistic_regression(data, target="y", weight="w", l2=1.0, standardize=False,
                                               **solver_limits("logistic_regression"))
    coef, intercept = summary_arrays(predict)
    assert_coef_close(coef, ref.coef_)
    assert_coef_close(intercept, ref.intercept_, floor=0.0)


# ---------------------------------------------------------------------------
# Logistic regression, multinomial


MULTINOMIAL_CASES = [
    ("synthetic", "l2", 1.0),
    ("wine_scaled", "l2", 0.5),
    ("synthetic", "l1", 0.1),
]


@pytest.mark.parametrize("problem, penalty, C", MULTINOMIAL_CASES,
                         ids=[f"{p}-{q}" for p, q, _ in MULTINOMIAL_CASES])
def test_multinomial_logistic_matches_sklearn(problem, penalty, C, synthetic_multiclass, wine_scaled):
    data, target = {"synthetic": (synthetic_multiclass, "y"), "wine_scaled": (wine_scaled, "cultivar")}[problem]
    features = _features(data, target)
    X, y = _xy(data, target, features)
    kw = {} if penalty == "l1" else {"solver": "lbfgs"}
    ref = _fit_sklearn(_sk_logistic(C, l1=penalty == "l1", **kw), X, y)
    params = {"l1": 1.0 / C, "l2": 0.0} if penalty == "l1" else {"l1": 0.0, "l2": 1.0 / C}
    predict, scored, log = _quiver_fit("logistic_regression", data, target, features, **params)

    classes = [str(c) for c in predict.summary["classes"]]
    assert classes == [str(c) for c in ref.classes_]
    coef, intercept = summary_arrays(predict)
    k = len(ref.classes_)
    assert coef.shape == (k, len(features)), "multinomial logistic regression has one row per class"
    assert_coef_close(coef, ref.coef_, what=f"{problem} {penalty} coef")
    # Intercepts are identified only up to a common shift.
    assert_coef_close(intercept - intercept.mean(), ref.intercept_ - ref.intercept_.mean(), floor=1e-6,
                      what=f"{problem} {penalty} centred intercepts")

    proba = ref.predict_proba(X)
    ours = np.column_stack([np.asarray(scored[f"probability_{c}"]) for c in classes])
    np.testing.assert_allclose(ours, proba, rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-12)
    pred = np.asarray(scored["prediction"]).astype(str)
    np.testing.assert_array_equal(pred, ref.predict(X).astype(str))


# ---------------------------------------------------------------------------
# standardize=True


def test_standardize_true_ridge_matches_sklearn_on_scaled_data(diabetes):
    features = _features(diabetes, "target")
    X, y = _xy(diabetes, "target", features)
    mean, std = X.mean(axis=0), X.std(axis=0)
    ref = _fit_sklearn(Ridge(alpha=3.0, solver="cholesky"), (X - mean) / std, y)
    predict, scored, _ = quiver.linear_regression(diabetes, target="target", l2=3.0, standardize=True,
                                                  **solver_limits("linear_regression"))
    coef, intercept = summary_arrays(predict)
    # quiver reports coefficients on the original scale.
    assert_coef_close(coef[0], ref.coef_ / std)
    assert_coef_close(intercept, [ref.intercept_ - np.sum(ref.coef_ * mean / std)], floor=0.0)
    np.testing.assert_allclose(np.asarray(scored["prediction"]), ref.predict((X - mean) / std), rtol=RTOL)


def test_standardize_true_logistic_matches_sklearn_on_scaled_data(breast_cancer):
    features = _features(breast_cancer, "label")
    X, y = _xy(breast_cancer, "label", features)
    mean, std = X.mean(axis=0), X.std(axis=0)
    ref = _fit_sklearn(_sk_logistic(0.5, l1=False), (X - mean) / std, y)
    predict, scored, _ = quiver.logistic_regression(breast_cancer, target="label", l1=0.0, l2=2.0,
                                                    standardize=True, **solver_limits("logistic_regression"))
    coef, intercept = summary_arrays(predict)
    assert_coef_close(coef, ref.coef_ / std)
    assert_coef_close(intercept, ref.intercept_ - np.sum(ref.coef_ * mean / std, axis=1), floor=0.0)
    np.testing.assert_allclose(np.asarray(scored["probability_1"]), ref.predict_proba((X - mean) / std)[:, 1],
                               rtol=RTOL, atol=1e-6)


def test_standardize_true_lasso_matches_sklearn_on_scaled_data(diabetes):
    features = _features(diabetes, "target")
    X, y = _xy(diabetes, "target", features)
    n = len(y)
    mean, std = X.mean(axis=0), X.std(axis=0)
    ref = _fit_sklearn(Lasso(alpha=2.0, tol=1e-12, max_iter=1_000_000), (X - mean) / std, y)
    predict, _, _ = quiver.linear_regression(diabetes, target="target", l1=n * 2.0, l2=0.0, standardize=True,
                                             **solver_limits("linear_regression"))
    coef, intercept = summary_arrays(predict)
    assert_coef_close(coef[0], ref.coef_ / std)
    assert_coef_close(intercept, [ref.intercept_ - np.sum(ref.coef_ * mean / std)], floor=0.0)
