"""Gradient-boosted trees (``quiver.gbdt``): parity with LightGBM, missing
values and categories, raw scores and TreeSHAP contributions, early stopping,
determinism, model files, bad input and the scikit-learn wrappers.

Parity runs both libraries with the same hyperparameters:

    quiver                     LightGBM (scikit-learn API)
    num_leaves                 num_leaves
    max_iter                   n_estimators
    learning_rate              learning_rate
    min_data_in_leaf           min_child_samples
    min_sum_hessian_in_leaf    min_child_weight
    max_bin                    max_bin
    l1, l2                     reg_alpha, reg_lambda
    n_threads                  n_jobs

(and huber_delta as alpha) and asks for the same test AUC, RMSE or MAE of a
standardised target, or mean Poisson deviance, within 0.005; multiclass asks
for accuracy and log loss within 0.01.
"""

from __future__ import annotations

import inspect
import json
import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.ipc
import pytest
from scipy.special import expit, softmax
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split

import quiver
import quiver.sklearn
from quiver.errors import ColumnNotFoundError, ModelFileError

# Hyperparameters shared by quiver and LightGBM in the parity tests. One
# thread: LightGBM's OpenMP threads spin and crawl on a busy 2-core machine
# (threads never change quiver's model; see the determinism test).
PARITY = dict(num_leaves=15, max_iter=100, learning_rate=0.1, min_data_in_leaf=20, min_sum_hessian_in_leaf=1e-3,
              max_bin=255, l1=0.0, l2=0.0, n_threads=1)
TOL = 0.005


def _lightgbm(classifier: bool, p: dict):
    kw = dict(num_leaves=p["num_leaves"], n_estimators=p["max_iter"], learning_rate=p["learning_rate"],
              min_child_samples=p["min_data_in_leaf"], min_child_weight=p["min_sum_hessian_in_leaf"],
              max_bin=p["max_bin"], reg_alpha=p["l1"], reg_lambda=p["l2"], n_jobs=p["n_threads"],
              min_split_gain=0.0, subsample=1.0, colsample_bytree=1.0, verbose=-1)
    return lgb.LGBMClassifier(**kw) if classifier else lgb.LGBMRegressor(**kw)


def _col(frame, name: str) -> np.ndarray:
    """A column of any frame type as numpy."""
    return np.asarray(frame[name])


def _split(frame: pd.DataFrame, target: str, stratify: bool):
    return train_test_split(frame, test_size=0.3, random_state=0, stratify=frame[target] if stratify else None)


def _features(frame, target: str) -> list[str]:
    return [c for c in frame.columns if c != target]


# ---------------------------------------------------------------------------
# Parity with LightGBM


@pytest.fixture(scope="module")
def cancer(breast_cancer):
    train, test = _split(breast_cancer, "label", stratify=True)
    return train, test, "label"


@pytest.fixture(scope="module")
def classification_20k():
    X, y = make_classification(n_samples=20_000, n_features=20, n_informative=10, flip_y=0.05, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).assign(y=y)
    train, test = _split(frame, "y", stratify=True)
    return train, test, "y"


@pytest.fixture(scope="module")
def mixed_20k():
    """Numeric features with missing values, a 30-category feature and an interaction."""
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.normal(size=(n, 4))
    x[rng.random(n) < 0.15, 0] = np.nan
    x[rng.random(n) < 0.10, 1] = np.nan
    codes = rng.integers(0, 30, size=n)
    effect = rng.normal(scale=1.0, size=30)
    logit = (1.2 * np.nan_to_num(x[:, 0], nan=1.5) - 0.8 * np.nan_to_num(x[:, 1], nan=-1.0)
             + effect[codes] + 0.6 * x[:, 2] * x[:, 3])
    y = (rng.random(n) < expit(logit)).astype(np.int64)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "d": x[:, 3],
                          "group": pd.Categorical([f"g{k:02d}" for k in codes]), "y": y})
    train, test = _split(frame, "y", stratify=True)
    return train, test, "y"


@pytest.mark.parametrize("problem", ["cancer", "classification_20k", "mixed_20k"])
def test_binary_auc_matches_lightgbm(problem, request):
    train, test, target = request.getfixturevalue(problem)
    features = _features(train, target)
    predict, _, log = quiver.gbdt(train, target=target, objective="log_loss", **PARITY)
    ours = roc_auc_score(test[target], _col(predict(test), "probability_1"))
    ref = _lightgbm(True, PARITY).fit(train[features], train[target])
    theirs = roc_auc_score(test[target], ref.predict_proba(test[features])[:, 1])
    assert abs(ours - theirs) <= TOL, f"{problem}: test AUC quiver {ours:.5f}, LightGBM {theirs:.5f}"
    assert log["gbdt"]["iterations"] == PARITY["max_iter"]
    assert log["gbdt"]["num_trees"] == PARITY["max_iter"]


@pytest.fixture(scope="module")
def friedman_20k():
    """Friedman #1 with heavy-tailed noise, the target standardised on the training rows."""
    X, y = make_friedman1(n_samples=20_000, n_features=10, noise=1.0, random_state=0)
    y = y + np.random.default_rng(0).standard_t(2, size=len(y))
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).assign(y=y)
    train, test = _split(frame, "y", stratify=False)
    mean, std = train["y"].mean(), train["y"].std()
    return train.assign(y=(train["y"] - mean) / std), test.assign(y=(test["y"] - mean) / std)


@pytest.mark.parametrize("objective, lgb_objective, metric", [("squared_error", "l2", "rmse"),
                                                               ("absolute_error", "l1", "mae"),
                                                               ("huber", "huber", "mae")])
def test_regression_matches_lightgbm(objective, lgb_objective, metric, friedman_20k):
    train, test = friedman_20k
    features = _features(train, "y")
    predict, _, log = quiver.gbdt(train, target="y", objective=objective, huber_delta=1.0, **PARITY)
    assert log["gbdt"]["objective"] == objective
    ref = _lightgbm(False, PARITY).set_params(objective=lgb_objective, alpha=1.0).fit(train[features], train["y"])
    y = test["y"].to_numpy()
    error = {"rmse": lambda pred: np.sqrt(np.mean((pred - y) ** 2)), "mae": lambda pred: np.mean(np.abs(pred - y))}
    ours, theirs = error[metric](_col(predict(test), "prediction")), error[metric](ref.predict(test[features]))
    assert abs(ours - theirs) <= TOL, f"{objective}: test {metric} (standardised target) quiver {ours:.5f}, " \
                                      f"LightGBM {theirs:.5f}"


def test_poisson_matches_lightgbm():
    X, _ = make_friedman1(n_samples=20_000, n_features=10, random_state=1)
    rng = np.random.default_rng(1)
    counts = rng.poisson(np.exp(0.3 * X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3]))
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).assign(y=counts.astype(np.float64))
    train, test = _split(frame, "y", stratify=False)
    features = _features(train, "y")
    predict, _, _ = quiver.gbdt(train, target="y", objective="poisson", **PARITY)
    ref = _lightgbm(False, PARITY).set_params(objective="poisson").fit(train[features], train["y"])
    y = test["y"].to_numpy()

    def deviance(mu):
        return 2 * np.mean(y * np.log(np.where(y > 0, y, 1) / mu) - (y - mu))

    ours, theirs = deviance(_col(predict(test), "prediction")), deviance(ref.predict(test[features]))
    assert abs(ours - theirs) <= TOL, f"test mean Poisson deviance quiver {ours:.5f}, LightGBM {theirs:.5f}"


def test_multiclass_matches_lightgbm():
    data = load_digits(as_frame=True)
    frame = data.frame
    train, test = _split(frame, "target", stratify=True)
    features = _features(train, "target")
    params = {**PARITY, "max_iter": 50}

    predict, _, log = quiver.gbdt(train, target="target", objective="log_loss", **params)
    out = predict(test)
    labels = list(range(10))
    proba = np.column_stack([_col(out, f"probability_{k}") for k in labels])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(_col(out, "prediction"), np.argmax(proba, axis=1))
    assert log["gbdt"]["num_trees"] == 10 * params["max_iter"]
    assert predict.summary["trees_per_iteration"] == 10

    ref = _lightgbm(True, params).fit(train[features], train["target"])
    ref_proba = ref.predict_proba(test[features])
    acc, ref_acc = accuracy_score(test["target"], proba.argmax(axis=1)), accuracy_score(test["target"],
                                                                                        ref_proba.argmax(axis=1))
    ll, ref_ll = log_loss(test["target"], proba, labels=labels), log_loss(test["target"], ref_proba, labels=labels)
    assert abs(acc - ref_acc) <= 0.01, f"test accuracy quiver {acc:.4f}, LightGBM {ref_acc:.4f}"
    assert abs(ll - ref_ll) <= 0.01, f"test log loss quiver {ll:.4f}, LightGBM {ref_ll:.4f}"


# ---------------------------------------------------------------------------
# Targets, outputs, log and summary


def _small(n: int = 600, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    return {"a": a, "b": b, "const": np.ones(n), "score": a - 0.5 * b + rng.normal(scale=0.3, size=n),
            "flag": (a + rng.normal(scale=0.5, size=n) > 0).astype(np.int64)}


def test_signature_takes_valid():
    sp = quiver.space("gbdt")
    params = inspect.signature(quiver.gbdt).parameters
    assert list(params) == ["data", "target", "features", "weight", "valid", *sp.names(), "progress", "score"]
    for p in sp:
        assert params[p.name].default == p.default, p.name
    assert "valid :" in quiver.gbdt.__doc__
    assert "gbdt" in quiver.learners()


@pytest.mark.parametrize(
    "target, dtype, objective, outputs",
    [("score", np.float64, "squared_error", ["prediction"]),
     # A 0/1 integer target is numeric: regression unless log_loss is asked for.
     ("flag", np.int64, "squared_error", ["prediction"]),
     ("flag", np.bool_, "log_loss", ["prediction", "probability_false", "probability_true"]),
     ("flag", str, "log_loss", ["prediction", "probability_neg", "probability_pos"])],
    ids=["float", "int", "bool", "string"],
)
def test_auto_objective(target, dtype, objective, outputs):
    data = _small()
    if dtype is str:
        data[target] = np.where(data[target] == 1, "pos", "neg")
    else:
        data[target] = data[target].astype(dtype)
    predict, scored, log = quiver.gbdt(data, target=target, features=["a", "b"], max_iter=5)
    assert log["gbdt"]["objective"] == objective
    assert predict.outputs == outputs
    pred = _col(scored, "prediction")
    if objective == "squared_error":
        assert pred.dtype == np.float64
    elif dtype is str:
        assert all(isinstance(v, str) for v in pred) and set(pred) <= {"neg", "pos"}
    else:
        assert pred.dtype == np.bool_, "predictions are labels, in the target's type"


def test_int_target_as_classes_with_log_loss():
    data = _small()
    predict, scored, log = quiver.gbdt(data, target="flag", features=["a", "b"], objective="log_loss", max_iter=20)
    assert predict.outputs == ["prediction", "probability_0", "probability_1"]
    assert [str(c) for c in predict.summary["classes"]] == ["0", "1"]
    assert _col(scored, "prediction").dtype == np.int64
    assert roc_auc_score(data["flag"], _col(scored, "probability_1")) > 0.85


def test_log_and_summary():
    data = _small()
    predict, _, log = quiver.gbdt(data, target="flag", objective="log_loss", features=["a", "const", "b"],
                                  max_iter=30, num_leaves=7)
    step = log["gbdt"]
    for key in ["objective", "iterations", "num_trees", "n_rows", "feature_importance", "timings"]:
        assert key in step, key
    assert step["objective"] == "log_loss"
    assert step["iterations"] == step["num_trees"] == 30
    assert step["n_rows"] == len(data["a"])
    assert step["timings"]["fit_seconds"] > 0
    assert "valid_metric" not in step or not step["valid_metric"]
    json.dumps(log)

    s = predict.summary
    assert s["features"] == ["a", "const", "b"]
    assert s["categorical"] == [False, False, False]
    assert [str(c) for c in s["classes"]] == ["0", "1"]
    assert s["num_trees"] == 30 and s["iterations"] == 30 and s["trees_per_iteration"] == 1
    assert np.all(np.isfinite(np.asarray(s["init_score"], dtype=np.float64)))
    split, gain = s["feature_importance"]["split"], s["feature_importance"]["gain"]
    assert len(split) == len(gain) == 3
    # The constant column can never be split on; "a" drives the label.
    assert split[1] == 0 and gain[1] == 0
    assert gain[0] > gain[2] >= 0 and split[0] > 0
    assert step["feature_importance"]["split"] == dict(zip(s["features"], split))
    assert step["feature_importance"]["gain"] == pytest.approx(dict(zip(s["features"], gain)), rel=1e-12)


def test_log_has_the_keys_every_learner_logs():
    # DESIGN.md: "The log is a plain dict keyed by step name: hyperparameters,
    # features, target, training rows, timings, metrics, library version", as
    # the linear learners' logs are.
    data = _small()
    predict, _, log = quiver.gbdt(data, target="score", features=["a", "b"], max_iter=5, num_leaves=4)
    step = log["gbdt"]
    assert step["features"] == ["a", "b"] and step["target"] == "score"
    assert step["version"] == quiver.__version__
    assert step["hyperparameters"] == {**quiver.space("gbdt").defaults(), "max_iter": 5, "num_leaves": 4}
    assert isinstance(step["metrics"], dict) and step["metrics"]


def test_frame_types_in_and_out():
    data = _small()
    predict, _, _ = quiver.gbdt(data, target="score", features=["a", "b"], max_iter=10)
    expected = _col(predict(data), "prediction")
    for frame in (pd.DataFrame(data), pl.DataFrame(data), pa.table(data)):
        out = predict(frame)
        assert type(out) is type(frame)
        np.testing.assert_array_equal(_col(out, "prediction"), expected)


# ---------------------------------------------------------------------------
# Missing values


def _missing_split_data(nan_label: int, n: int = 3000, seed: int = 1) -> dict[str, np.ndarray]:
    """y = x > 60 where x is known, y = nan_label where x is missing."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, size=n).astype(np.float64)
    y = (x > 60).astype(np.int64)
    missing = rng.random(n) < 0.2
    x[missing] = np.nan
    y[missing] = nan_label
    return {"x": x, "noise": rng.normal(size=n), "y": y}


@pytest.mark.parametrize("nan_label", [0, 1])
def test_missing_values_go_the_learned_way(nan_label):
    # With nan_label=1 the missing rows belong with the high values, with 0
    # with the low ones: either way the model must send them where they belong.
    data = _missing_split_data(nan_label)
    predict, scored, _ = quiver.gbdt(data, target="y", objective="log_loss", max_iter=50, n_threads=2)
    p1 = _col(scored, "probability_1")
    missing = np.isnan(data["x"])
    if nan_label:
        assert p1[missing].min() > 0.9
    else:
        assert p1[missing].max() < 0.1
    assert p1[~missing & (data["x"] > 60)].min() > 0.9
    assert p1[~missing & (data["x"] <= 60)].max() < 0.1
    # Fresh rows: missing follows the learned side, whatever the other feature.
    probe = {"x": np.array([np.nan, np.nan, 10.0, 90.0]), "noise": np.array([-2.0, 2.0, 0.0, 0.0])}
    q = _col(predict(probe), "probability_1")
    assert (q[:2] > 0.9).all() if nan_label else (q[:2] < 0.1).all()
    assert q[2] < 0.1 and q[3] > 0.9


def test_nulls_and_nan_are_the_same_missing_value():
    data = _missing_split_data(1)
    missing = np.isnan(data["x"])
    x_int = np.where(missing, 0, data["x"]).astype(np.int32)
    frames = {
        "nan": pa.table(data),
        "float-null": pa.table({**data, "x": pa.array(data["x"], pa.float64(), mask=missing)}),
        "int32-null": pa.table({**data, "x": pa.array(x_int, pa.int32(), mask=missing)}),
        "polars-null": pl.DataFrame({**data, "x": pl.Series(
            "x", [None if m else int(v) for m, v in zip(missing, x_int)], dtype=pl.Int32)}),
        "pandas-Int64": pd.DataFrame({**data, "x": pd.array(np.where(missing, None, x_int), dtype="Int64")}),
    }
    assert frames["float-null"].column("x").null_count == missing.sum()
    reference = None
    for kind, frame in frames.items():
        predict, scored, _ = quiver.gbdt(frame, target="y", objective="log_loss", max_iter=20)
        p1 = _col(scored, "probability_1")
        if reference is None:
            reference, ref_predict = p1, predict
            continue
        np.testing.assert_array_equal(p1, reference, err_msg=f"fitted on {kind}")
        # And one model scores every representation alike.
        np.testing.assert_array_equal(_col(ref_predict(frame), "probability_1"), reference, err_msg=kind)


def test_missing_at_predict_time_only():
    data = _missing_split_data(1)
    data = {k: v[~np.isnan(data["x"])] for k, v in data.items()}
    predict, _, _ = quiver.gbdt(data, target="y", objective="log_loss", max_iter=10)
    out = predict(pa.table({"x": pa.array([None, 5.0, np.nan], pa.float64()), "noise": [0.0, 0.0, 0.0]}))
    p1 = _col(out, "probability_1")
    assert np.all(np.isfinite(p1)) and np.all((p1 > 0) & (p1 < 1))
    assert p1[0] == p1[2], "null and NaN score alike"


NUMERIC_TYPES = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64(),
                 pa.float32(), pa.float16()]


@pytest.mark.parametrize("dtype", NUMERIC_TYPES, ids=str)
def test_every_numeric_type_is_a_numeric_feature(dtype):
    # Whole numbers in 0..99 are exact in every type: the model cannot tell them apart.
    data = _missing_split_data(1)
    missing = np.isnan(data["x"])
    x = pa.array(np.where(missing, 0, data["x"]).astype(dtype.to_pandas_dtype()), dtype, mask=missing)
    reference, ref_scored, _ = quiver.gbdt(data, target="y", objective="log_loss", max_iter=10)
    predict, scored, _ = quiver.gbdt(pa.table({**data, "x": x}), target="y", objective="log_loss", max_iter=10)
    assert predict.summary["categorical"] == [False, False]
    np.testing.assert_array_equal(_col(scored, "probability_1"), _col(ref_scored, "probability_1"))
    np.testing.assert_array_equal(_col(reference(pa.table({**data, "x": x})), "probability_1"),
                                  _col(ref_scored, "probability_1"))


def test_chunked_and_sliced_frames():
    # Several chunks with their own dictionaries (in another order each, with
    # unused entries), nulls, and slices with offsets inside validity bitmaps:
    # the same rows give the same scores and, fitted on, the same model.
    data = _explain_data()
    x0 = data["x0"].to_numpy()
    table = pa.table({"x0": pa.array(x0, mask=np.isnan(x0)), "x1": data["x1"].to_numpy(),
                      "group": pa.array(data["group"].astype(str).to_numpy()), "y": data["binary"].to_numpy()})
    bounds = [0, 7, 300, 301, 1000, len(data)]
    chunks = []
    for j, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        part = table.slice(lo, hi - lo)
        groups = part.column("group").to_pylist()
        dictionary = sorted(set(groups), reverse=j % 2 == 1) + ["unused"]
        chunks.append(part.set_column(2, "group", pa.DictionaryArray.from_arrays(
            pa.array([dictionary.index(g) for g in groups], pa.int8()), pa.array(dictionary))))
    chunked = pa.concat_tables(chunks)
    assert chunked.column("group").num_chunks == len(chunks)
    params = dict(target="y", max_iter=20, min_data_per_group=50)
    predict, scored, _ = quiver.gbdt(table, **params)
    expected = _col(predict(table, raw_score=True, contributions=True), "raw_score")
    np.testing.assert_array_equal(_col(predict(chunked, raw_score=True), "raw_score"), expected)
    for offset in (1, 3, 64, 65, 999):
        np.testing.assert_array_equal(_col(predict(table.slice(offset), raw_score=True), "raw_score"),
                                      expected[offset:], err_msg=f"offset {offset}")
    refit, _, _ = quiver.gbdt(chunked, **params)
    np.testing.assert_array_equal(_col(refit(table, raw_score=True), "raw_score"), expected)
    sliced, _, _ = quiver.gbdt(table.slice(5), **params)
    copied, _, _ = quiver.gbdt(pa.Table.from_pylist(table.slice(5).to_pylist(), schema=table.schema), **params)
    assert sliced.to_bytes() == copied.to_bytes()


def test_bool_feature_is_numeric():
    rng = np.random.default_rng(3)
    n = 1000
    flag = rng.random(n) < 0.5
    x = rng.normal(size=n)
    y = 2.0 * flag + x + rng.normal(scale=0.1, size=n)
    as_bool, _, _ = quiver.gbdt({"flag": flag, "x": x, "y": y}, target="y", max_iter=60)
    as_int, _, _ = quiver.gbdt({"flag": flag.astype(np.int8), "x": x, "y": y}, target="y", max_iter=60)
    assert as_bool.summary["categorical"] == [False, False]
    probe = {"flag": np.array([False, True]), "x": np.zeros(2)}
    pred = _col(as_bool(probe), "prediction")
    assert pred[1] - pred[0] == pytest.approx(2.0, abs=0.3)
    np.testing.assert_array_equal(pred, _col(as_int({**probe, "flag": probe["flag"].astype(np.int8)}), "prediction"))


# ---------------------------------------------------------------------------
# Categorical features

LETTERS = list("abcdefgh")
POSITIVE = {"b", "e", "g"}


def _categorical_data(n: int = 2400, seed: int = 5) -> dict[str, np.ndarray]:
    """y is membership of ``letter`` in {b, e, g}; ``x`` is noise."""
    rng = np.random.default_rng(seed)
    letter = rng.choice(LETTERS, size=n)
    return {"letter": letter, "x": rng.normal(size=n), "y": np.isin(letter, list(POSITIVE))}


def _letter_frames(data: dict) -> dict:
    letter = data["letter"]
    other = {k: v for k, v in data.items() if k != "letter"}
    return {
        "arrow-string": pa.table({"letter": pa.array(letter, pa.string()), **other}),
        "arrow-large-string": pa.table({"letter": pa.array(letter, pa.large_string()), **other}),
        "arrow-string-view": pa.table({"letter": pa.array(letter, pa.string_view()), **other}),
        "arrow-dictionary": pa.table({"letter": pa.array(letter).dictionary_encode(), **other}),
        # A dictionary in another order, with an unused entry.
        "arrow-dictionary-shuffled": pa.table({"letter": pa.DictionaryArray.from_arrays(
            pa.array([LETTERS[::-1].index(v) for v in letter], pa.int16()),
            pa.array(LETTERS[::-1] + ["unused"])), **other}),
        "pandas-category": pd.DataFrame({"letter": pd.Categorical(letter), **other}),
        "pandas-str": pd.DataFrame({"letter": pd.Series(letter, dtype="str"), **other}),
        "polars-string": pl.DataFrame({"letter": pl.Series(letter, dtype=pl.String), **other}),
        "polars-categorical": pl.DataFrame({"letter": pl.Series(letter, dtype=pl.Categorical), **other}),
        "polars-enum": pl.DataFrame({"letter": pl.Series(letter, dtype=pl.Enum(LETTERS)), **other}),
    }


@pytest.fixture(scope="module")
def letters_model():
    data = _categorical_data()
    predict, scored, log = quiver.gbdt(pa.table(data), target="y", max_iter=30)
    return data, predict, scored, log


def test_categorical_split_is_found(letters_model):
    data, predict, scored, log = letters_model
    assert log["gbdt"]["objective"] == "log_loss"
    assert predict.summary["features"] == ["letter", "x"]
    assert predict.summary["categorical"] == [True, False]
    p = _col(scored, "probability_true")
    positive = np.isin(data["letter"], list(POSITIVE))
    assert p[positive].min() > 0.9 and p[~positive].max() < 0.1
    gain = predict.summary["feature_importance"]["gain"]
    assert gain[0] > 10 * gain[1], "the letter explains the label, the noise does not"


def test_categorical_frame_types_give_identical_predictions(letters_model):
    data, predict, scored, _ = letters_model
    expected = _col(scored, "probability_true")
    for kind, frame in _letter_frames(data).items():
        np.testing.assert_array_equal(_col(predict(frame), "probability_true"), expected,
                                      err_msg=f"scoring {kind}")
        refit, refit_scored, _ = quiver.gbdt(frame, target="y", max_iter=30)
        assert refit.summary["categorical"] == [True, False], kind
        np.testing.assert_array_equal(_col(refit_scored, "probability_true"), expected, err_msg=f"fitted on {kind}")


def test_unseen_categories_are_missing_values():
    # Train with some missing letters, so that "missing" has a learned direction.
    rng = np.random.default_rng(6)
    n = 3000
    letter = rng.choice(LETTERS, size=n).astype(object)
    y = np.isin(letter, list(POSITIVE))
    missing = rng.random(n) < 0.15
    letter[missing] = None
    y[missing] = True
    table = pa.table({"letter": pa.array(letter, pa.string()), "x": rng.normal(size=n), "y": y})
    predict, _, _ = quiver.gbdt(table, target="y", max_iter=50)
    probe = pa.table({"letter": pa.array(["zzz", None, "b", "a", "never seen"], pa.string()),
                      "x": [0.3, 0.3, 0.3, 0.3, 0.3]})
    p = _col(predict(probe), "probability_true")
    assert p[0] == p[1] == p[4], "an unseen category scores like a missing value"
    assert p[1] > 0.9 and p[2] > 0.9 and p[3] < 0.1
    # Also through a pandas category whose categories are all new.
    frame = pd.DataFrame({"letter": pd.Categorical(["zzz", "yyy"]), "x": [0.3, 0.3]})
    np.testing.assert_array_equal(_col(predict(frame), "probability_true"), [p[1], p[1]])


def test_categorical_regression():
    rng = np.random.default_rng(8)
    n = 4000
    level = {k: float(i) for i, k in enumerate(LETTERS)}
    letter = rng.choice(LETTERS, size=n)
    y = np.array([level[v] for v in letter]) ** 1.5 + rng.normal(scale=0.1, size=n)
    predict, _, _ = quiver.gbdt(pd.DataFrame({"letter": pd.Categorical(letter), "y": y}), target="y", max_iter=100,
                                min_data_per_group=20)
    pred = _col(predict({"letter": np.array(LETTERS)}), "prediction")
    np.testing.assert_allclose(pred, np.array([level[v] for v in LETTERS]) ** 1.5, atol=0.1)


# ---------------------------------------------------------------------------
# Raw scores and contributions


def _explain_data(n: int = 1500, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x0[rng.random(n) < 0.1] = np.nan
    x1 = rng.uniform(-2, 2, size=n)
    group = rng.choice(["u", "v", "w", "z"], size=n)
    signal = np.nan_to_num(x0, nan=1.0) + 2.0 * (group == "v") + x1 ** 2 + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({
        "x0": x0, "x1": x1, "const": np.full(n, 3.0), "group": pd.Categorical(group),
        "reg": signal,
        "binary": signal > np.median(signal),
        "multi": np.array(["lo", "mid", "hi"])[np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))],
        "count": rng.poisson(np.exp(0.3 * np.clip(signal, -3, 5))).astype(np.float64),
    })


FEATURES = ["x0", "x1", "const", "group"]
OBJECTIVES = {"reg": "squared_error", "binary": "log_loss", "multi": "log_loss", "count": "poisson"}


@pytest.fixture(scope="module")
def explained():
    """Models of every kind fitted on the same features, by target."""
    data = _explain_data()
    models = {}
    for target, objective in OBJECTIVES.items():
        models[target] = quiver.gbdt(data, target=target, features=FEATURES, objective=objective,
                                     max_iter=40, num_leaves=8, min_data_per_group=50)[0]
    return data, models


def _probe(data: pd.DataFrame) -> pd.DataFrame:
    """Training rows plus rows with missing and unseen values."""
    extra = pd.DataFrame({"x0": [np.nan, 0.5], "x1": [1.0, np.nan], "const": [3.0, 3.0],
                          "group": pd.Categorical(["new", "v"])})
    return pd.concat([data[FEATURES], extra], ignore_index=True)


@pytest.mark.parametrize("target", ["reg", "binary", "count"])
def test_contributions_sum_to_raw_score(target, explained):
    data, models = explained
    predict = models[target]
    out = predict(_probe(data), raw_score=True, contributions=True)
    names = [f"contribution_{f}" for f in FEATURES] + ["contribution_bias"]
    for name in names:
        assert name in out.columns, name
    raw = _col(out, "raw_score")
    total = sum(_col(out, name) for name in names)
    np.testing.assert_allclose(total, raw, rtol=0, atol=1e-6)
    # A feature the trees never split on contributes exactly nothing.
    assert np.all(_col(out, "contribution_const") == 0.0)
    bias = _col(out, "contribution_bias")
    np.testing.assert_allclose(bias, bias[0], rtol=1e-12, atol=1e-12)
    # Path-dependent TreeSHAP's bias is the mean raw score of the training rows.
    train_raw = _col(predict(data[FEATURES], raw_score=True), "raw_score")
    assert bias[0] == pytest.approx(train_raw.mean(), rel=1e-9, abs=1e-9)
    # The link function.
    pred = _col(out, "prediction") if target != "binary" else _col(out, "probability_true")
    link = {"reg": lambda r: r, "binary": expit, "count": np.exp}[target]
    np.testing.assert_allclose(pred, link(raw), rtol=1e-12, atol=1e-15)
    # Asking for them changes nothing else.
    plain = predict(_probe(data))
    for name in predict.outputs:
        np.testing.assert_array_equal(_col(out, name), _col(plain, name))


def test_multiclass_contributions_and_softmax(explained):
    data, models = explained
    predict = models["multi"]
    labels = ["hi", "lo", "mid"]
    assert [str(c) for c in predict.summary["classes"]] == labels
    assert predict.summary["trees_per_iteration"] == 3
    out = predict(_probe(data), raw_score=True, contributions=True)
    raw = np.column_stack([_col(out, f"raw_score_{k}") for k in labels])
    for k, label in enumerate(labels):
        names = [f"contribution_{f}_{label}" for f in FEATURES] + [f"contribution_bias_{label}"]
        total = sum(_col(out, name) for name in names)
        np.testing.assert_allclose(total, raw[:, k], rtol=0, atol=1e-6, err_msg=label)
        assert np.all(_col(out, f"contribution_const_{label}") == 0.0)
    proba = np.column_stack([_col(out, f"probability_{k}") for k in labels])
    np.testing.assert_allclose(proba, softmax(raw, axis=1), rtol=1e-12, atol=1e-15)


def test_contributions_single_feature_model():
    # With one feature, its contribution is everything but the bias.
    rng = np.random.default_rng(10)
    x = rng.normal(size=500)
    predict, _, _ = quiver.gbdt({"x": x, "y": np.sin(2 * x)}, target="y", max_iter=20)
    out = predict({"x": x}, raw_score=True, contributions=True)
    np.testing.assert_allclose(_col(out, "contribution_x"), _col(out, "raw_score") - _col(out, "contribution_bias"),
                               rtol=0, atol=1e-9)
    assert np.ptp(_col(out, "contribution_x")) > 1.0


# ---------------------------------------------------------------------------
# Validation frame and early stopping


def _overfit_split(kind: str, n: int = 600, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A weak signal under a lot of noise: deep trees at a high learning rate overfit within a few rounds."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2 * n, 5))
    signal = x[:, 0] + 2.0 * rng.normal(size=2 * n)
    y = (signal > 0).astype(np.int64) if kind == "classification" else signal
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(5)]).assign(y=y)
    return frame.iloc[:n].reset_index(drop=True), frame.iloc[n:].reset_index(drop=True)


def _metric(name: str, y: np.ndarray, out) -> float:
    if name == "auc":
        return roc_auc_score(y, _col(out, "probability_1"))
    if name == "log_loss":
        return log_loss(y, _col(out, "probability_1"))
    pred = _col(out, "prediction")
    return float(np.sqrt(np.mean((pred - y) ** 2))) if name == "rmse" else mean_absolute_error(y, pred)


@pytest.mark.parametrize("objective, metric", [("log_loss", "auc"), ("log_loss", "log_loss"),
                                               ("squared_error", "rmse"), ("squared_error", "mae")])
def test_early_stopping(objective, metric):
    train, valid = _overfit_split("classification" if objective == "log_loss" else "regression")
    max_iter, patience = 1000, 10
    predict, _, log = quiver.gbdt(train, target="y", valid=valid, objective=objective, metric=metric,
                                  max_iter=max_iter, early_stopping_rounds=patience, learning_rate=0.3,
                                  num_leaves=31, min_data_in_leaf=5)
    step = log["gbdt"]
    best = step["best_iteration"]
    values = step["valid_metric"]["values"]
    assert step["valid_metric"]["name"] == metric
    assert 1 <= best < max_iter
    assert len(values) == best + patience, "stops after `patience` rounds without improvement"
    assert step["iterations"] == best and step["num_trees"] == best, "keeps the rounds up to the best one"
    assert predict.summary["iterations"] == best
    optimum = max(values) if metric == "auc" else min(values)
    assert values[best - 1] == optimum
    # The recorded metric is the kept model's metric on the validation frame.
    assert values[best - 1] == pytest.approx(_metric(metric, valid["y"].to_numpy(), predict(valid)), rel=1e-6)


@pytest.mark.parametrize("kind, default_metric", [("classification", "log_loss"), ("regression", "rmse")])
def test_valid_without_early_stopping_records_every_round(kind, default_metric):
    train, valid = _overfit_split(kind)
    objective = "log_loss" if kind == "classification" else "squared_error"
    predict, _, log = quiver.gbdt(train, target="y", valid=valid, objective=objective, max_iter=25)
    step = log["gbdt"]
    assert step["valid_metric"]["name"] == default_metric
    values = step["valid_metric"]["values"]
    assert len(values) == 25 and step["iterations"] == 25
    assert values[step["best_iteration"] - 1] == min(values)
    assert values[-1] == pytest.approx(_metric(default_metric, valid["y"].to_numpy(), predict(valid)), rel=1e-6)


def test_absolute_error_validates_with_mae():
    train, valid = _overfit_split("regression")
    _, _, log = quiver.gbdt(train, target="y", valid=valid, objective="absolute_error", max_iter=5)
    assert log["gbdt"]["valid_metric"]["name"] == "mae"


def test_step_form_keeps_the_validation_frame():
    train, valid = _overfit_split("regression")
    step = quiver.gbdt(target="y", valid=valid, max_iter=5)
    _, _, log = step(train)
    assert len(log["gbdt"]["valid_metric"]["values"]) == 5


# ---------------------------------------------------------------------------
# Weights


@pytest.mark.parametrize("objective", ["squared_error", "log_loss"])
def test_integer_weights_equal_row_duplication(objective):
    # Integer-valued features with fewer distinct values than max_bin get the
    # same bins either way; min_data_in_leaf=1 keeps row counts out of it.
    rng = np.random.default_rng(14)
    n = 300
    x = rng.integers(0, 30, size=(n, 3)).astype(np.float64)
    y = x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=3.0, size=n)
    if objective == "log_loss":
        y = (y > np.median(y)).astype(np.int64)
    data = {"x0": x[:, 0], "x1": x[:, 1], "x2": x[:, 2], "y": y}
    counts = rng.integers(1, 4, size=n)
    params = dict(target="y", objective=objective, max_iter=10, num_leaves=8, min_data_in_leaf=1)
    weighted, _, _ = quiver.gbdt({**data, "w": counts.astype(np.float64)}, weight="w", **params)
    duplicated, _, _ = quiver.gbdt({k: np.repeat(v, counts) for k, v in data.items()}, **params)
    assert weighted.summary["features"] == ["x0", "x1", "x2"]
    name = "prediction" if objective == "squared_error" else "probability_1"
    probe = {k: v for k, v in data.items() if k != "y"}
    np.testing.assert_allclose(_col(weighted(probe), name), _col(duplicated(probe), name), rtol=1e-9)


# ---------------------------------------------------------------------------
# Determinism


def _determinism_data(n: int = 40_000, seed: int = 12) -> pa.Table:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    x[rng.random(n) < 0.1, 1] = np.nan
    group = rng.choice([f"k{j}" for j in range(12)], size=n)
    signal = x[:, 0] - np.nan_to_num(x[:, 1]) * x[:, 2] + (np.char.count(group, "1") > 0) + rng.normal(size=n)
    return pa.table({**{f"x{j}": x[:, j] for j in range(6)}, "group": pa.array(group).dictionary_encode(),
                     "label": signal > 0.3, "value": signal})


@pytest.mark.parametrize("target", ["label", "value"])
def test_thread_count_does_not_change_the_model(target):
    table = _determinism_data()
    features = [c for c in table.column_names if c not in ("label", "value")]
    params = dict(max_iter=15, num_leaves=31, subsample=0.7, colsample=0.8, seed=3, features=features, target=target)
    one, scored_one, _ = quiver.gbdt(table, n_threads=1, **params)
    two, scored_two, _ = quiver.gbdt(table, n_threads=2, **params)
    assert one.to_bytes() == two.to_bytes()
    for name in one.outputs:
        np.testing.assert_array_equal(_col(scored_one, name), _col(scored_two, name), err_msg=name)
    head = table.slice(0, 17_000)  # two chunks of the engine's 16384 rows
    a = one(head, n_threads=1, raw_score=True, contributions=True)
    b = one(head, n_threads=2, raw_score=True, contributions=True)
    for name in a.column_names[head.num_columns:]:
        np.testing.assert_array_equal(_col(a, name), _col(b, name), err_msg=name)
    # The seed is used: another one draws other rows and columns.
    other, _, _ = quiver.gbdt(table, n_threads=2, **{**params, "seed": 4})
    assert other.to_bytes() != one.to_bytes()


# ---------------------------------------------------------------------------
# Model files


def test_save_load_and_pickle_round_trips(explained, tmp_path):
    data, models = explained
    probe = _probe(data)
    for target, predict in models.items():
        expected = predict(probe, raw_score=True, contributions=True)
        path = tmp_path / f"{target}.arrow"
        predict.save(path)
        loaded = quiver.load(path)
        unpickled = pickle.loads(pickle.dumps(predict))
        copied = quiver.Predictor.from_bytes(predict.to_bytes())
        for kind, again in [("load", loaded), ("pickle", unpickled), ("bytes", copied)]:
            assert again.summary == predict.summary, (target, kind)
            assert again.to_bytes() == predict.to_bytes(), (target, kind)
            assert again.inputs == predict.inputs and again.outputs == predict.outputs
            pd.testing.assert_frame_equal(again(probe, raw_score=True, contributions=True), expected,
                                          check_exact=True, obj=f"{target} after {kind}")


def test_model_file_is_arrow_and_refuses_corruption(letters_model):
    _, predict, _, _ = letters_model
    data = predict.to_bytes()
    reader = pa.ipc.open_file(pa.py_buffer(data))
    metadata = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
    assert metadata.get("quiver.learner") == "gbdt"
    reader.read_all()
    for cut in (len(data) // 3, len(data) - 9):
        with pytest.raises(ModelFileError):
            quiver.Predictor.from_bytes(data[:cut])


# ---------------------------------------------------------------------------
# Bad input


def _bad_base(n: int = 200) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13)
    a = rng.normal(size=n)
    return {"alpha": a, "beta": rng.normal(size=n), "outcome": a + rng.normal(size=n)}


@pytest.mark.parametrize("kind", ["float-null", "float-nan", "string-null"])
def test_missing_target_values(kind):
    data = _bad_base()
    y = data.pop("outcome")
    if kind == "float-null":
        col = pa.array(y, pa.float64(), mask=np.arange(len(y)) == 4)
    elif kind == "float-nan":
        col = y.copy()
        col[4] = np.nan
    else:
        col = pa.array([None if i == 4 else ("up" if v > 0 else "down") for i, v in enumerate(y)], pa.string())
    with pytest.raises(ValueError, match="outcome"):
        quiver.gbdt(pa.table({**data, "outcome": col}), target="outcome")


def test_string_target_for_regression_is_a_type_error():
    data = _bad_base()
    data["outcome"] = np.where(data["outcome"] > 0, "up", "down")
    for objective in ("squared_error", "poisson"):
        with pytest.raises(TypeError, match="outcome"):
            quiver.gbdt(data, target="outcome", objective=objective)


@pytest.mark.parametrize("labels, objective", [(np.array(["only"] * 50), "auto"),
                                               (np.zeros(50, dtype=np.int64), "log_loss")], ids=["str", "int"])
def test_single_class_target(labels, objective):
    data = {"alpha": np.arange(50.0), "outcome": labels}
    with pytest.raises(ValueError, match="class") as info:
        quiver.gbdt(data, target="outcome", objective=objective)
    assert "outcome" in str(info.value)


@pytest.mark.parametrize("value", [1, 0, -3, 2.5])
def test_num_leaves_below_two(value):
    with pytest.raises(ValueError, match="num_leaves") as info:
        quiver.gbdt(_bad_base(), target="outcome", num_leaves=value)
    assert str(value) in str(info.value)
    with pytest.raises(ValueError, match="num_leaves"):
        quiver.gbdt(target="outcome", num_leaves=value)  # the step form checks eagerly


def test_unknown_objective():
    with pytest.raises(ValueError, match="objective"):
        quiver.gbdt(_bad_base(), target="outcome", objective="hinge")


def test_validation_frame_missing_a_column():
    data = _bad_base()
    valid = {k: v for k, v in _bad_base().items() if k != "beta"}
    with pytest.raises(ColumnNotFoundError, match="beta"):
        quiver.gbdt(data, target="outcome", valid=valid, early_stopping_rounds=5)
    no_target = {k: v for k, v in _bad_base().items() if k != "outcome"}
    with pytest.raises(ColumnNotFoundError, match="outcome"):
        quiver.gbdt(data, target="outcome", valid=no_target)


def test_validation_frame_column_of_another_type():
    data = _bad_base()
    valid = {**_bad_base(), "beta": np.array(["x"] * 200)}
    with pytest.raises(TypeError, match="beta"):
        quiver.gbdt(data, target="outcome", valid=valid)


def test_too_many_categories():
    n = 65534  # the most categories a feature may have
    names = np.array([f"c{j:05d}" for j in range(n + 1)])
    y = np.arange(n + 1, dtype=np.float64) % 7
    with pytest.raises(ValueError, match="many_cats") as info:
        quiver.gbdt({"many_cats": names, "y": y}, target="y", max_iter=1)
    assert "categor" in str(info.value).lower()
    # One fewer is fine.
    predict, _, _ = quiver.gbdt({"many_cats": names[:n], "y": y[:n]}, target="y", max_iter=1)
    assert predict.summary["categorical"] == [True]


def test_predict_missing_column(letters_model):
    _, predict, _, _ = letters_model
    with pytest.raises(ColumnNotFoundError, match="letter"):
        predict({"x": np.zeros(3)})


def test_predict_column_of_another_kind(letters_model):
    _, predict, _, _ = letters_model
    with pytest.raises(TypeError, match="letter"):
        predict({"letter": np.zeros(3), "x": np.zeros(3)})
    with pytest.raises(TypeError, match="'x'|\"x\""):
        predict({"letter": np.array(["a", "b", "c"]), "x": np.array(["1", "2", "3"])})


@pytest.mark.parametrize("objective, metric", [("squared_error", "auc"), ("squared_error", "log_loss"),
                                               ("poisson", "auc")])
def test_metric_that_does_not_suit_the_objective(objective, metric):
    data = {**_bad_base(), "outcome": np.abs(_bad_base()["outcome"])}
    with pytest.raises(ValueError, match="metric"):
        quiver.gbdt(data, target="outcome", valid=data, objective=objective, metric=metric)


def test_early_stopping_needs_a_validation_frame():
    with pytest.raises(ValueError, match="early_stopping_rounds"):
        quiver.gbdt(_bad_base(), target="outcome", early_stopping_rounds=5)


def test_validation_target_with_a_new_class():
    data = _bad_base()
    data["outcome"] = np.where(data["alpha"] > 0, "up", "down")
    valid = {**data, "outcome": np.where(data["alpha"] > 0, "up", "sideways")}
    with pytest.raises(ValueError, match="sideways"):
        quiver.gbdt(data, target="outcome", valid=valid)


# ---------------------------------------------------------------------------
# scikit-learn wrappers


def test_wrapper_params_are_the_space():
    sp = quiver.space("gbdt")
    reg = quiver.sklearn.GBDTRegressor()
    assert list(inspect.signature(quiver.sklearn.GBDTRegressor).parameters) == sp.names()
    assert reg.get_params() == {**sp.defaults(), "objective": "squared_error"}
    clf_names = [n for n in sp.names() if n not in ("objective", "huber_delta")]
    assert list(inspect.signature(quiver.sklearn.GBDTClassifier).parameters) == clf_names
    assert quiver.sklearn.GBDTClassifier().get_params() == {n: sp.defaults()[n] for n in clf_names}
    for cls in (quiver.sklearn.GBDTRegressor, quiver.sklearn.GBDTClassifier):
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in inspect.signature(cls).parameters.values())


def test_wrapper_set_params_and_clone():
    est = quiver.sklearn.GBDTClassifier(num_leaves=7)
    assert est.set_params(learning_rate=0.05) is est
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    assert copy.get_params()["num_leaves"] == 7 and copy.get_params()["learning_rate"] == 0.05


def test_classifier_wrapper(cancer):
    train, test, _ = cancer
    X, y = train.drop(columns="label"), train["label"]
    est = quiver.sklearn.GBDTClassifier(max_iter=50, num_leaves=7, n_threads=2)
    assert est.fit(X, y) is est
    assert list(est.classes_) == [0, 1]
    assert est.n_features_in_ == X.shape[1] and list(est.feature_names_in_) == list(X.columns)
    assert est.n_iter_ == 50 and not hasattr(est, "best_iteration_")
    assert isinstance(est.predictor_, quiver.Predictor) and est.log_["objective"] == "log_loss"
    imp = est.feature_importances_
    assert imp.shape == (X.shape[1],) and np.all(imp >= 0) and imp.sum() == pytest.approx(1.0)
    Xt = test.drop(columns="label")
    proba = est.predict_proba(Xt)
    assert proba.shape == (len(Xt), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(expit(est.decision_function(Xt)), proba[:, 1], rtol=1e-12)
    assert est.score(Xt, test["label"]) > 0.9
    # The wrapper is quiver.gbdt with objective log_loss.
    direct, _, _ = quiver.gbdt(train, target="label", objective="log_loss", max_iter=50, num_leaves=7)
    np.testing.assert_array_equal(proba[:, 1], _col(direct(test), "probability_1"))
    # Columns are read by name.
    np.testing.assert_array_equal(est.predict_proba(Xt[list(reversed(Xt.columns))]), proba)


def test_classifier_wrapper_multiclass_strings():
    data = _explain_data()
    X, y = data[FEATURES], data["multi"]
    est = quiver.sklearn.GBDTClassifier(max_iter=20, min_data_per_group=50).fit(X, y)
    assert list(est.classes_) == ["hi", "lo", "mid"]
    proba = est.predict_proba(X)
    scores = est.decision_function(X)
    assert proba.shape == scores.shape == (len(X), 3)
    np.testing.assert_allclose(softmax(scores, axis=1), proba, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[proba.argmax(axis=1)])
    assert est.score(X, y) > 0.7


def test_wrappers_take_pandas_category_columns():
    data = _explain_data()
    X = data[FEATURES]
    assert isinstance(X["group"].dtype, pd.CategoricalDtype)
    est = quiver.sklearn.GBDTRegressor(max_iter=20, min_data_per_group=50).fit(X, data["reg"])
    assert est.predictor_.summary["categorical"] == [False, False, False, True]
    direct, _, _ = quiver.gbdt(data, target="reg", features=FEATURES, max_iter=20, min_data_per_group=50)
    np.testing.assert_array_equal(est.predict(X), _col(direct(X), "prediction"))
    assert est.feature_importances_[FEATURES.index("const")] == 0.0
    assert est.feature_importances_[FEATURES.index("group")] > 0.0


@pytest.mark.parametrize("objective", ["squared_error", "absolute_error", "huber", "poisson"])
def test_regressor_objectives(objective):
    data = _explain_data()
    est = quiver.sklearn.GBDTRegressor(objective=objective, max_iter=10, min_data_per_group=50)
    est.fit(data[FEATURES], data["count"])
    assert est.log_["objective"] == objective
    assert est.predict(data[FEATURES]).shape == (len(data),)


@pytest.mark.parametrize("objective", ["log_loss", "auto", "nope"])
def test_regressor_rejects_other_objectives(objective):
    data = _small()
    with pytest.raises(ValueError, match="objective"):
        quiver.sklearn.GBDTRegressor(objective=objective).fit(np.column_stack([data["a"], data["b"]]), data["score"])


def test_wrappers_in_cross_val_score(cancer, diabetes):
    train, _, _ = cancer
    X, y = train.drop(columns="label").to_numpy(), train["label"].to_numpy()
    auc = cross_val_score(quiver.sklearn.GBDTClassifier(max_iter=30, num_leaves=7), X, y,
                          cv=StratifiedKFold(3, shuffle=True, random_state=0), scoring="roc_auc")
    assert auc.shape == (3,) and np.all(auc > 0.95)
    Xd, yd = diabetes.drop(columns="target").to_numpy(), diabetes["target"].to_numpy()
    r2 = cross_val_score(quiver.sklearn.GBDTRegressor(max_iter=50, num_leaves=4, learning_rate=0.05), Xd, yd,
                         cv=KFold(3, shuffle=True, random_state=0))
    assert np.all(r2 > 0.2)


@pytest.mark.parametrize("weighted", [False, True])
def test_wrapper_eval_set_and_early_stopping(weighted):
    train, valid = _overfit_split("classification")
    X, y = train.drop(columns="y"), train["y"]
    Xv, yv = valid.drop(columns="y"), valid["y"]
    weight = np.full(len(y), 2.0) if weighted else None
    est = quiver.sklearn.GBDTClassifier(max_iter=1000, early_stopping_rounds=10, learning_rate=0.3,
                                        min_data_in_leaf=5)
    est.fit(X, y, sample_weight=weight, eval_set=(Xv, yv))
    assert est.best_iteration_ == est.log_["best_iteration"]
    assert est.n_iter_ == est.best_iteration_ < 1000
    assert len(est.log_["valid_metric"]["values"]) == est.best_iteration_ + 10
    # Positional arrays work too, and refitting without eval_set forgets the best round.
    est.fit(X.to_numpy(), y.to_numpy(), eval_set=(Xv.to_numpy(), yv.to_numpy()))
    assert est.best_iteration_ < 1000
    est.set_params(early_stopping_rounds=0, max_iter=5).fit(X, y)
    assert not hasattr(est, "best_iteration_") and est.n_iter_ == 5


def test_wrapper_eval_set_must_match():
    train, valid = _overfit_split("regression")
    est = quiver.sklearn.GBDTRegressor(max_iter=5)
    with pytest.raises(ValueError, match="eval_set"):
        est.fit(train.drop(columns="y"), train["y"], eval_set=valid)
    with pytest.raises(ValueError, match="features"):
        est.fit(train.drop(columns="y").to_numpy(), train["y"],
                eval_set=(valid.drop(columns=["y", "x4"]).to_numpy(), valid["y"]))


def test_wrapper_pickles():
    data = _explain_data()
    est = quiver.sklearn.GBDTClassifier(max_iter=10, min_data_per_group=50).fit(data[FEATURES], data["binary"])
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(data[FEATURES]), est.predict_proba(data[FEATURES]))
    assert list(again.classes_) == [False, True]


def test_wrapper_unfitted_raises_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    est = quiver.sklearn.GBDTClassifier()
    for method in (est.predict, est.predict_proba, est.decision_function):
        with pytest.raises(NotFittedError):
            method(np.zeros((3, 2)))
    with pytest.raises(NotFittedError):
        quiver.sklearn.GBDTRegressor().predict(np.zeros((3, 2)))
