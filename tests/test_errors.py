"""Every kind of bad input raises the documented exception, with a message
that names the column, hyperparameter or value at fault."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import quiver
from quiver.errors import ColumnNotFoundError

LEARNERS = ["linear_regression", "logistic_regression"]


def _data(n: int = 200, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    return {"alpha": a, "beta": b, "target_y": a - b + rng.normal(size=n),
            "label": (a + rng.normal(size=n) > 0).astype(np.int64)}


def _target(learner: str) -> str:
    return "target_y" if learner == "linear_regression" else "label"


def _fit(learner, data, **kw):
    return getattr(quiver, learner)(data, **kw)


# ---------------------------------------------------------------------------
# Columns


@pytest.mark.parametrize("learner", LEARNERS)
def test_missing_target_column(learner):
    with pytest.raises(ColumnNotFoundError, match="no_such_target"):
        _fit(learner, _data(), target="no_such_target")


@pytest.mark.parametrize("learner", LEARNERS)
def test_missing_feature_column(learner):
    with pytest.raises(ColumnNotFoundError, match="gamma"):
        _fit(learner, _data(), target=_target(learner), features=["alpha", "gamma"])


@pytest.mark.parametrize("learner", LEARNERS)
def test_missing_weight_column(learner):
    with pytest.raises(ColumnNotFoundError, match="the_weights"):
        _fit(learner, _data(), target=_target(learner), weight="the_weights")


def test_column_not_found_is_a_value_error():
    # Callers that catch ValueError catch it too.
    assert issubclass(ColumnNotFoundError, ValueError)


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("explicit", [True, False], ids=["listed", "default-features"])
def test_string_feature_column_is_a_type_error(learner, explicit):
    data = _data()
    data["colour"] = np.where(data["alpha"] > 0, "red", "blue")
    features = ["alpha", "colour"] if explicit else None
    with pytest.raises(TypeError, match="colour"):
        _fit(learner, pd.DataFrame(data), target=_target(learner), features=features)


def test_string_target_for_linear_regression_is_a_type_error():
    data = _data()
    data["name"] = np.where(data["alpha"] > 0, "x", "y")
    with pytest.raises(TypeError, match="name"):
        quiver.linear_regression(data, target="name", features=["alpha", "beta"])


@pytest.mark.parametrize("learner", LEARNERS)
def test_nulls_in_a_feature_ask_for_imputation(learner):
    data = _data()
    gappy = data["beta"].astype(object)
    gappy[[3, 17]] = None
    table = pa.table({**{k: v for k, v in data.items() if k != "beta"}, "beta": pa.array(list(gappy), pa.float64())})
    assert table.column("beta").null_count == 2
    with pytest.raises(ValueError, match="beta") as info:
        _fit(learner, table, target=_target(learner))
    assert "imput" in str(info.value).lower()


@pytest.mark.parametrize("learner", LEARNERS)
def test_nan_in_a_feature_asks_for_imputation(learner):
    data = _data()
    data["beta"] = data["beta"].copy()
    data["beta"][5] = np.nan
    with pytest.raises(ValueError, match="beta") as info:
        _fit(learner, data, target=_target(learner))
    assert "imput" in str(info.value).lower()


def test_nulls_in_a_polars_feature():
    data = _data()
    frame = pl.DataFrame(data).with_columns(
        pl.when(pl.col("alpha") > 1.5).then(None).otherwise(pl.col("alpha")).alias("alpha"))
    assert frame["alpha"].null_count() > 0
    with pytest.raises(ValueError, match="alpha"):
        quiver.linear_regression(frame, target="target_y")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_nan_or_infinite_target(bad):
    data = _data()
    data["target_y"] = data["target_y"].copy()
    data["target_y"][10] = bad
    with pytest.raises(ValueError, match="target_y"):
        quiver.linear_regression(data, target="target_y")


def test_null_target():
    data = _data()
    y = pa.array([None if i == 4 else v for i, v in enumerate(data["target_y"])], pa.float64())
    table = pa.table({"alpha": data["alpha"], "beta": data["beta"], "target_y": y})
    with pytest.raises(ValueError, match="target_y"):
        quiver.linear_regression(table, target="target_y")


def test_null_label_for_logistic_regression():
    data = _data()
    labels = pa.array([None if i == 4 else str(v) for i, v in enumerate(data["label"])], pa.string())
    table = pa.table({"alpha": data["alpha"], "beta": data["beta"], "label": labels})
    with pytest.raises(ValueError, match="label"):
        quiver.logistic_regression(table, target="label")


@pytest.mark.parametrize("bad", [np.inf, np.nan], ids=["inf", "nan"])
def test_infinite_feature(bad):
    data = _data()
    data["alpha"] = data["alpha"].copy()
    data["alpha"][0] = bad
    with pytest.raises(ValueError, match="alpha"):
        quiver.linear_regression(data, target="target_y")


@pytest.mark.parametrize("labels", [np.zeros(50, dtype=np.int64), np.array(["only"] * 50)], ids=["int", "str"])
def test_single_class_target(labels):
    data = {"alpha": np.arange(50.0), "outcome": labels}
    with pytest.raises(ValueError, match="class") as info:
        quiver.logistic_regression(data, target="outcome")
    assert "outcome" in str(info.value)


def test_continuous_target_for_logistic_regression():
    # A float target with non-integral values is a regression target, not
    # class labels (scikit-learn refuses it: "Unknown label type: continuous").
    # Fitting one class per distinct value is a silent mistake.
    data = _data()
    with pytest.raises(ValueError, match="target_y"):
        quiver.logistic_regression(data, target="target_y", features=["alpha", "beta"])


def test_integral_float_labels_are_classes():
    data = _data()
    data["label"] = data["label"].astype(np.float64)
    predict, _, _ = quiver.logistic_regression(data, target="label", features=["alpha", "beta"])
    assert sorted(predict.outputs) == ["prediction", "probability_0", "probability_1"]


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("kind", ["table", "pandas", "dict"])
def test_empty_frame(learner, kind):
    columns = {"alpha": np.zeros(0), "beta": np.zeros(0), "target_y": np.zeros(0),
               "label": np.zeros(0, dtype=np.int64)}
    frame = {"table": pa.table, "pandas": pd.DataFrame, "dict": dict}[kind](columns)
    with pytest.raises(ValueError, match="(?i)empty|no rows|0 rows"):
        _fit(learner, frame, target=_target(learner))


@pytest.mark.parametrize("learner", LEARNERS)
def test_no_features(learner):
    data = {_target(learner): _data()[_target(learner)]}
    with pytest.raises(ValueError, match="(?i)feature"):
        _fit(learner, data, target=_target(learner))


@pytest.mark.parametrize("learner", LEARNERS)
def test_target_listed_as_a_feature(learner):
    with pytest.raises(ValueError, match=_target(learner)):
        _fit(learner, _data(), target=_target(learner), features=["alpha", _target(learner)])


@pytest.mark.parametrize("learner", LEARNERS)
def test_negative_weight(learner):
    data = _data()
    data["wt_col"] = np.ones(len(data["alpha"]))
    data["wt_col"][7] = -1.0
    with pytest.raises(ValueError, match="wt_col"):
        _fit(learner, data, target=_target(learner), weight="wt_col")


@pytest.mark.parametrize("learner", LEARNERS)
def test_nan_weight(learner):
    data = _data()
    data["wt_col"] = np.ones(len(data["alpha"]))
    data["wt_col"][7] = np.nan
    with pytest.raises(ValueError, match="wt_col"):
        _fit(learner, data, target=_target(learner), weight="wt_col")


def test_target_and_weight_must_be_names():
    with pytest.raises(TypeError, match="target"):
        quiver.linear_regression(_data(), target=["target_y"])
    with pytest.raises(TypeError, match="weight"):
        quiver.linear_regression(_data(), target="target_y", weight=3)
    with pytest.raises(TypeError, match="features"):
        quiver.linear_regression(_data(), target="target_y", features="alpha")


def test_missing_target_argument():
    with pytest.raises(ValueError, match="target"):
        quiver.linear_regression(_data())


def test_unsupported_frame_type():
    with pytest.raises(TypeError, match="DataFrame"):
        quiver.linear_regression([[1.0, 2.0]], target="y")


def test_ragged_dict():
    with pytest.raises(ValueError, match="length"):
        quiver.linear_regression({"a": np.zeros(3), "y": np.zeros(4)}, target="y")


# ---------------------------------------------------------------------------
# Hyperparameters


@pytest.mark.parametrize("learner", LEARNERS)
def test_unknown_hyperparameter(learner):
    with pytest.raises(ValueError, match="learning_rat"):
        _fit(learner, _data(), target=_target(learner), learning_rat=0.1)
    # Without data too (the step form checks eagerly).
    with pytest.raises(ValueError, match="bogus"):
        getattr(quiver, learner)(bogus=1)


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize(
    "name, value",
    [("l2", -1.0), ("l1", -0.5), ("tol", -1e-3), ("max_iter", 0), ("max_iter", 2.5), ("n_threads", -3),
     ("l2", float("nan")), ("l2", float("inf")), ("fit_intercept", "yes"), ("standardize", 1), ("l2", "big")],
)
def test_out_of_range_hyperparameter(learner, name, value):
    with pytest.raises(ValueError) as info:
        _fit(learner, _data(), target=_target(learner), **{name: value})
    message = str(info.value)
    assert repr(name) in message or name in message
    assert repr(value) in message or str(value) in message


@pytest.mark.parametrize("learner", LEARNERS)
def test_every_hyperparameter_bound_is_enforced(learner):
    # The bounds the space declares are the bounds that are enforced, at both ends.
    sp = quiver.space(learner)
    for p in sp:
        if p.kind not in ("float", "int"):
            continue
        assert sp.validate({p.name: p.low})[p.name] == p.low
        assert sp.validate({p.name: p.high})[p.name] == p.high
        below = p.low - max(1.0, abs(p.low))
        above = p.high + max(1.0, abs(p.high)) if np.isfinite(p.high) else None
        with pytest.raises(ValueError, match=p.name):
            sp.validate({p.name: below})
        if above is not None:
            with pytest.raises(ValueError, match=p.name):
                sp.validate({p.name: above})


# ---------------------------------------------------------------------------
# Predict time


@pytest.fixture(scope="module")
def fitted():
    data = _data()
    reg = quiver.linear_regression(data, target="target_y", features=["alpha", "beta"])[0]
    clf = quiver.logistic_regression(data, target="label", features=["alpha", "beta"])[0]
    return {"linear_regression": reg, "logistic_regression": clf}


@pytest.mark.parametrize("learner", LEARNERS)
def test_predict_missing_column(fitted, learner):
    data = _data()
    del data["beta"]
    with pytest.raises(ColumnNotFoundError, match="beta"):
        fitted[learner](data)
    with pytest.raises(ColumnNotFoundError, match="beta"):
        fitted[learner](pd.DataFrame(data))


@pytest.mark.parametrize("learner", LEARNERS)
def test_predict_column_of_another_type(fitted, learner):
    data = _data()
    data["beta"] = np.array(["one"] * len(data["alpha"]))
    with pytest.raises(TypeError, match="beta"):
        fitted[learner](data)


@pytest.mark.parametrize("learner", LEARNERS)
def test_predict_with_nulls_is_an_error_or_a_missing_prediction(fitted, learner):
    # Either refuse (naming the column) or give a missing prediction for that
    # row; never score the null as if it were some number.
    data = _data()
    table = pa.table({"alpha": data["alpha"],
                      "beta": pa.array([None] + list(data["beta"][1:]), pa.float64())})
    try:
        out = fitted[learner](table)
    except ValueError as exc:
        assert "beta" in str(exc)
        return
    for name in fitted[learner].outputs:
        col = out.column(name)
        first = col[0].as_py()
        assert first is None or (isinstance(first, float) and np.isnan(first)), name
        rest = col.slice(1)
        assert rest.null_count == 0, name


@pytest.mark.parametrize("learner", LEARNERS)
def test_predict_accepts_other_numeric_types(fitted, learner):
    data = _data()
    as_float = fitted[learner]({"alpha": np.round(data["alpha"] * 10), "beta": np.ones(len(data["alpha"]))})
    as_int = fitted[learner]({"alpha": np.round(data["alpha"] * 10).astype(np.int32),
                              "beta": np.ones(len(data["alpha"]), dtype=np.int64)})
    np.testing.assert_array_equal(as_float["prediction"], as_int["prediction"])


def test_predict_empty_frame_gives_empty_output(fitted):
    out = fitted["linear_regression"](pa.table({"alpha": np.zeros(0), "beta": np.zeros(0)}))
    assert out.num_rows == 0 and "prediction" in out.column_names


def test_predict_bad_thread_count(fitted):
    with pytest.raises(ValueError, match="n_threads"):
        fitted["linear_regression"](_data(), n_threads=-1)


def test_unknown_learner_space():
    with pytest.raises(ValueError, match="no_such_learner"):
        quiver.space("no_such_learner")
