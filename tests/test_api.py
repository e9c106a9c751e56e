"""The public API: spaces, generated signatures and docstrings, the
scikit-learn wrappers, the log, sample weights and the version."""

from __future__ import annotations

import inspect
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import quiver
import quiver.sklearn
from quiver._bridge import call, engine
from conftest import assert_coef_close, solver_limits, summary_arrays

LEARNERS = ["linear_regression", "logistic_regression"]
SHARED = ["l1", "l2", "fit_intercept", "standardize", "tol", "max_iter", "n_threads"]
WRAPPERS = {"linear_regression": quiver.sklearn.LinearRegression,
            "logistic_regression": quiver.sklearn.LogisticRegression}


def test_installed_package_is_tested():
    # The suite runs against the installed package, whose engine is built in.
    assert "site-packages" in quiver.__file__ or "dist-packages" in quiver.__file__, quiver.__file__
    assert os.path.isdir(os.path.join(os.path.dirname(quiver.__file__), "_gopy"))


def test_version_matches_engine():
    assert quiver.__version__ == call(engine.Version)
    from quiver._version import __version__

    assert __version__ == quiver.__version__


def test_learners_are_listed():
    assert set(LEARNERS) <= set(quiver.learners())


# ---------------------------------------------------------------------------
# Spaces


@pytest.mark.parametrize("learner", LEARNERS)
def test_space(learner):
    sp = quiver.space(learner)
    assert isinstance(sp, quiver.Space)
    assert sp.learner == learner
    assert sp.doc
    assert sp.names() == [p.name for p in sp] and len(sp) == len(sp.names())
    assert set(SHARED) <= set(sp.names()), "the shared names of the design (l1, l2, tol, max_iter, ...)"
    for p in sp:
        assert isinstance(p, quiver.Param)
        assert p.doc, f"{p.name} has no doc"
        assert p.kind in ("float", "int", "bool", "categorical")
        if p.kind in ("float", "int"):
            assert p.low <= p.default <= p.high, p.name
        # Every default is itself valid.
        assert sp.validate({p.name: p.default}) == {p.name: p.default}
    assert sp["l1"].kind == sp["l2"].kind == sp["tol"].kind == "float"
    assert sp["max_iter"].kind == sp["n_threads"].kind == "int"
    assert sp["fit_intercept"].kind == sp["standardize"].kind == "bool"
    assert sp["fit_intercept"].default is True and sp["standardize"].default is True
    assert sp["l1"].low == 0 and sp["l2"].low == 0
    assert sp["n_threads"].low == 0
    json.dumps(sp.to_dict())


def test_space_of_logistic_regression_is_returned():
    sp = quiver.space("logistic_regression")
    assert sp is quiver.space("logistic_regression")  # cached, one declaration
    assert sp.to_dict()["learner"] == "logistic_regression"


@pytest.mark.parametrize("learner", LEARNERS)
def test_signature_is_derived_from_the_space(learner):
    sp = quiver.space(learner)
    fn = getattr(quiver, learner)
    params = inspect.signature(fn).parameters
    assert list(params) == ["data", "target", "features", "weight", *sp.names(), "progress", "score"]
    assert params["data"].kind is inspect.Parameter.POSITIONAL_ONLY
    for name in ["target", "features", "weight", *sp.names(), "progress", "score"]:
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    for p in sp:
        assert params[p.name].default == p.default, p.name
        assert type(params[p.name].default) is type(p.default)
    assert fn.__name__ == learner


@pytest.mark.parametrize("learner", LEARNERS)
def test_docstring_mentions_every_parameter(learner):
    doc = getattr(quiver, learner).__doc__
    sp = quiver.space(learner)
    for name in ["data", "target", "features", "weight", *sp.names(), "progress"]:
        assert f"{name} :" in doc, name
    for p in sp:
        assert p.doc in doc, p.name
    assert "ColumnNotFoundError" in doc and "ValueError" in doc


def test_step_form_checks_and_defers(synthetic_regression):
    step = quiver.linear_regression(target="y", l2=2.0)
    predict, scored, log = step(synthetic_regression)
    assert log["linear_regression"]["hyperparameters"]["l2"] == 2.0


# ---------------------------------------------------------------------------
# The log


@pytest.mark.parametrize("learner, target", [("linear_regression", "y"), ("logistic_regression", "y")])
def test_log(learner, target, synthetic_regression, synthetic_binary):
    data = synthetic_regression if learner == "linear_regression" else synthetic_binary
    predict, scored, log = getattr(quiver, learner)(data, target=target, l2=3.0)
    assert list(log) == [learner]
    step = log[learner]
    for key in ["hyperparameters", "features", "target", "n_rows", "iterations", "converged",
                "final_objective", "metrics", "timings", "version"]:
        assert key in step, key
    sp = quiver.space(learner)
    assert step["hyperparameters"] == {**sp.defaults(), "l2": 3.0}
    for name, value in predict.params.items():
        assert step["hyperparameters"][name] == value, name
    assert step["features"] == [f for f in data if f != target]
    assert step["target"] == target
    assert step["n_rows"] == len(data[target])
    assert isinstance(step["iterations"], int) and 0 < step["iterations"] <= sp.defaults()["max_iter"]
    assert step["converged"] is True
    assert isinstance(step["final_objective"], float) and np.isfinite(step["final_objective"])
    assert isinstance(step["metrics"], dict) and step["metrics"]
    for name, value in step["metrics"].items():
        assert isinstance(value, (int, float)) and np.isfinite(value), name
    assert isinstance(step["timings"], dict)
    assert step["timings"]["fit_seconds"] > 0
    assert step["version"] == quiver.__version__
    assert predict.log == log
    json.dumps(log)  # plain data


def test_log_metrics_agree_with_the_predictions(synthetic_regression, synthetic_binary):
    from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, r2_score, roc_auc_score

    _, scored, log = quiver.linear_regression(synthetic_regression, target="y")
    metrics = log["linear_regression"]["metrics"]
    y, pred = synthetic_regression["y"], scored["prediction"]
    assert metrics["r2"] == pytest.approx(r2_score(y, pred), rel=1e-9)
    assert metrics["mae"] == pytest.approx(mean_absolute_error(y, pred), rel=1e-9)
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((y - pred) ** 2)), rel=1e-9)

    _, scored, log = quiver.logistic_regression(synthetic_binary, target="y")
    metrics = log["logistic_regression"]["metrics"]
    y, p1 = synthetic_binary["y"], scored["probability_1"]
    assert metrics["log_loss"] == pytest.approx(log_loss(y, p1), rel=1e-9)
    assert metrics["accuracy"] == pytest.approx(accuracy_score(y, scored["prediction"]), rel=1e-12)
    assert metrics["auc"] == pytest.approx(roc_auc_score(y, p1), rel=1e-9)


@pytest.mark.parametrize("learner", LEARNERS)
def test_final_objective_is_the_documented_objective(learner, synthetic_regression, synthetic_binary):
    # sum_i w_i loss_i + l1 * |beta|_1 + (l2 / 2) * |beta|^2, intercept unpenalised.
    data = dict(synthetic_regression if learner == "linear_regression" else synthetic_binary)
    data["w"] = np.random.default_rng(9).uniform(0.5, 2.0, size=len(data["y"]))
    l1, l2 = 3.0, 7.0
    predict, scored, log = getattr(quiver, learner)(data, target="y", weight="w", l1=l1, l2=l2,
                                                    standardize=False)
    coef, _ = summary_arrays(predict)
    w, y = data["w"], np.asarray(data["y"], dtype=np.float64)
    if learner == "linear_regression":
        loss = 0.5 * np.sum(w * (y - np.asarray(scored["prediction"])) ** 2)
    else:
        p1 = np.asarray(scored["probability_1"])
        loss = -np.sum(w * (y * np.log(p1) + (1 - y) * np.log1p(-p1)))
    expected = loss + l1 * np.sum(np.abs(coef)) + 0.5 * l2 * np.sum(coef**2)
    assert log[learner]["final_objective"] == pytest.approx(expected, rel=1e-8)


def test_max_iter_reached_is_reported_as_not_converged(synthetic_binary):
    _, _, log = quiver.logistic_regression(synthetic_binary, target="y", max_iter=1, tol=quiver.space(
        "logistic_regression")["tol"].low)
    step = log["logistic_regression"]
    assert step["iterations"] <= 1
    assert step["converged"] is False


# ---------------------------------------------------------------------------
# Weights


def _duplicate(data: dict, counts: np.ndarray) -> dict:
    return {k: np.repeat(np.asarray(v), counts) for k, v in data.items()}


@pytest.mark.parametrize(
    "learner, params",
    [("linear_regression", {"l2": 2.0}), ("linear_regression", {"l1": 30.0, "l2": 1.0}),
     ("logistic_regression", {"l2": 1.0}), ("logistic_regression", {"l1": 2.0})],
    ids=["ridge", "elastic-net", "logistic-l2", "logistic-l1"],
)
@pytest.mark.parametrize("standardize", [False, True], ids=["raw", "standardized"])
def test_integer_weights_equal_row_duplication(learner, params, standardize, synthetic_regression, synthetic_binary):
    data = synthetic_regression if learner == "linear_regression" else synthetic_binary
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 4, size=len(data["y"]))
    weighted = {**data, "w": counts.astype(np.float64)}
    fit = getattr(quiver, learner)
    limits = solver_limits(learner)
    with_weights, _, log_w = fit(weighted, target="y", weight="w", standardize=standardize, **limits, **params)
    duplicated, _, log_d = fit(_duplicate(data, counts), target="y", standardize=standardize, **limits, **params)
    cw, iw = summary_arrays(with_weights)
    cd, id_ = summary_arrays(duplicated)
    assert with_weights.summary["features"] == duplicated.summary["features"]
    assert_coef_close(cw, cd, rtol=1e-6, floor=1e-8)
    assert_coef_close(iw, id_, rtol=1e-6, floor=1e-8)


def test_integer_weights_column_of_ints(synthetic_regression):
    counts = np.random.default_rng(6).integers(1, 3, size=len(synthetic_regression["y"]))
    as_float, _, _ = quiver.linear_regression({**synthetic_regression, "w": counts.astype(np.float64)},
                                              target="y", weight="w")
    as_int, _, _ = quiver.linear_regression({**synthetic_regression, "w": counts.astype(np.int64)},
                                            target="y", weight="w")
    assert as_float.summary == as_int.summary


def test_zero_weight_rows_are_ignored(synthetic_binary):
    n = len(synthetic_binary["y"])
    w = np.ones(n)
    w[::3] = 0.0
    garbage = dict(synthetic_binary)
    garbage["x0"] = garbage["x0"].copy()
    garbage["x0"][::3] = 1e6  # would dominate if the rows counted
    kept = {k: np.asarray(v)[w > 0] for k, v in synthetic_binary.items()}
    a, _, _ = quiver.logistic_regression({**garbage, "w": w}, target="y", weight="w", standardize=False,
                                         **solver_limits("logistic_regression"))
    b, _, _ = quiver.logistic_regression(kept, target="y", standardize=False, **solver_limits("logistic_regression"))
    assert_coef_close(summary_arrays(a)[0], summary_arrays(b)[0], rtol=1e-6)


# ---------------------------------------------------------------------------
# scikit-learn wrappers


@pytest.mark.parametrize("learner", LEARNERS)
def test_wrapper_params_are_the_space(learner):
    est = WRAPPERS[learner]()
    params = est.get_params()
    sp = quiver.space(learner)
    assert set(params) == set(sp.names())
    assert params == sp.defaults()
    sig = inspect.signature(WRAPPERS[learner]).parameters
    assert list(sig) == sp.names(), "constructor arguments in the space's order"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.values())


@pytest.mark.parametrize("learner", LEARNERS)
def test_wrapper_set_params_and_clone(learner):
    est = WRAPPERS[learner](l2=4.0)
    assert est.set_params(l1=0.5) is est
    assert est.get_params()["l1"] == 0.5 and est.get_params()["l2"] == 4.0
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()


def test_wrapper_fit_returns_self_and_sets_attributes(breast_cancer):
    X = breast_cancer.drop(columns="label")
    y = breast_cancer["label"]
    est = quiver.sklearn.LogisticRegression(l2=1.0)
    assert est.fit(X, y) is est
    assert est.n_features_in_ == X.shape[1]
    assert list(est.feature_names_in_) == list(X.columns)
    assert est.coef_.shape == (1, X.shape[1]) and est.intercept_.shape == (1,)
    assert list(est.classes_) == [0, 1]
    assert isinstance(est.n_iter_, int)
    assert est.score(X, y) > 0.95
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    reg = quiver.sklearn.LinearRegression(l2=1.0)
    assert reg.fit(X, breast_cancer["mean_radius"]) is reg
    assert reg.coef_.shape == (X.shape[1],) and isinstance(reg.intercept_, float)
    assert reg.predict(X).shape == (len(X),)


def test_wrapper_refits_cloned_into_cross_val_score(diabetes, breast_cancer):
    X = diabetes.drop(columns="target").to_numpy()
    y = diabetes["target"].to_numpy()
    scores = cross_val_score(quiver.sklearn.LinearRegression(l2=1.0), X, y, cv=KFold(5, shuffle=True, random_state=0))
    assert scores.shape == (5,) and np.all(scores > 0.2)

    Xc = breast_cancer.drop(columns="label").to_numpy()
    yc = breast_cancer["label"].to_numpy()
    acc = cross_val_score(quiver.sklearn.LogisticRegression(l2=1.0), Xc, yc, cv=3)
    assert np.all(acc > 0.9)


def test_wrapper_in_a_pipeline_with_standard_scaler(breast_cancer):
    X = breast_cancer.drop(columns="label")
    y = breast_cancer["label"].to_numpy()
    pipe = Pipeline([("scale", StandardScaler()),
                     ("model", quiver.sklearn.LogisticRegression(l2=1.0, standardize=False))])
    assert pipe.fit(X, y) is pipe
    assert pipe.score(X, y) > 0.95
    assert pipe.predict_proba(X).shape == (len(X), 2)
    # Equivalent to quiver's own standardisation with the same penalty.
    direct = quiver.sklearn.LogisticRegression(l2=1.0, standardize=True).fit(X, y)
    np.testing.assert_allclose(pipe.predict_proba(X), direct.predict_proba(X), rtol=1e-4, atol=1e-6)

    reg = make_pipeline(StandardScaler(), quiver.sklearn.LinearRegression(l2=0.5))
    reg.fit(X, breast_cancer["mean_radius"])
    assert reg.score(X, breast_cancer["mean_radius"]) > 0.9


def test_wrapper_in_grid_search(diabetes):
    X = diabetes.drop(columns="target").to_numpy()
    y = diabetes["target"].to_numpy()
    search = GridSearchCV(quiver.sklearn.LinearRegression(), {"l2": [0.1, 10.0], "l1": [0.0, 5.0]}, cv=3)
    search.fit(X, y)
    assert set(search.best_params_) == {"l1", "l2"}


def test_wrapper_sample_weight(synthetic_binary):
    X = np.column_stack([synthetic_binary[f"x{j}"] for j in range(6)])
    y = synthetic_binary["y"]
    counts = np.random.default_rng(8).integers(0, 3, size=len(y))
    limits = solver_limits("logistic_regression")
    a = quiver.sklearn.LogisticRegression(l2=1.0, **limits).fit(X, y, sample_weight=counts)
    b = quiver.sklearn.LogisticRegression(l2=1.0, **limits).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert_coef_close(a.coef_, b.coef_, rtol=1e-6)


def test_wrapper_string_classes_and_multiclass(synthetic_multiclass):
    X = pd.DataFrame({k: v for k, v in synthetic_multiclass.items() if k != "y"})
    y = synthetic_multiclass["y"]
    est = quiver.sklearn.LogisticRegression().fit(X, y)
    assert list(est.classes_) == ["ant", "bee", "cat"]
    assert est.coef_.shape == (3, X.shape[1]) and est.intercept_.shape == (3,)
    pred = est.predict(X)
    assert set(pred) <= {"ant", "bee", "cat"}
    assert est.score(X, y) > 0.5
    proba = est.predict_proba(X)
    np.testing.assert_array_equal(est.classes_[proba.argmax(axis=1)], pred)


def test_wrapper_pickles(diabetes):
    X = diabetes.drop(columns="target").to_numpy()
    y = diabetes["target"].to_numpy()
    est = quiver.sklearn.LinearRegression(l2=1.0).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert np.array_equal(again.predict(X), est.predict(X))


def test_wrapper_rejects_wrong_feature_count(diabetes):
    X = diabetes.drop(columns="target").to_numpy()
    est = quiver.sklearn.LinearRegression().fit(X, diabetes["target"].to_numpy())
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :5])


def test_wrapper_accepts_pandas_frame_with_integer_column_names(diabetes):
    # pd.DataFrame(X) names its columns 0, 1, ...: scikit-learn accepts such
    # frames (they simply have no feature names), and so must the wrappers.
    X = pd.DataFrame(diabetes.drop(columns="target").to_numpy())
    y = diabetes["target"]
    est = quiver.sklearn.LinearRegression(l2=1.0).fit(X, y)
    named = quiver.sklearn.LinearRegression(l2=1.0).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(est.predict(X), named.predict(X.to_numpy()))


def test_wrapper_unfitted_raises_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    est = quiver.sklearn.LogisticRegression()
    X = np.zeros((3, 2))
    for method in (est.predict, est.predict_proba, est.decision_function):
        with pytest.raises(NotFittedError):
            method(X)


def test_wrapper_decision_function_reads_columns_by_name(breast_cancer):
    X = breast_cancer.drop(columns="label")
    y = breast_cancer["label"]
    est = quiver.sklearn.LogisticRegression(l2=1.0).fit(X, y)
    shuffled = X[list(reversed(X.columns))]  # same columns, another order
    np.testing.assert_allclose(est.predict_proba(shuffled), est.predict_proba(X))
    from scipy.special import expit

    p1 = expit(est.decision_function(shuffled))
    np.testing.assert_allclose(p1, est.predict_proba(shuffled)[:, 1], rtol=1e-9, atol=1e-12)
