"""Feature steps (standard_scaler, min_max_scaler, imputer, one_hot,
ordinal_encoder) against their scikit-learn twins, and their errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

import quiver
from quiver.errors import ColumnNotFoundError

STEPS = ["standard_scaler", "min_max_scaler", "imputer", "one_hot", "ordinal_encoder"]
TOL = 1e-9


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Numeric columns with and without NaN (x, w), a skewed one (z), an int
    one (k) and a constant (c); a string column with missing values (color)
    and one without (shade); a pandas category (size); a bool (flag); a
    target (y)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(5, 3, n)
    x[rng.random(n) < 0.1] = np.nan
    w = rng.normal(-2, 0.5, n)
    w[rng.random(n) < 0.2] = np.nan
    color = rng.choice(["red", "green", "blue", "teal"], n, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
    color[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "x": x,
        "w": w,
        "z": rng.exponential(2, n) * 1e3,
        "k": rng.integers(0, 10, n),
        "c": np.full(n, 0.1 + 0.2),
        "color": color,
        "shade": rng.choice(["dark", "light", "pale", "deep", "mid"], n, p=[0.35, 0.25, 0.2, 0.15, 0.05]),
        "size": pd.Categorical(rng.choice(["S", "M", "L", "XL"], n, p=[0.3, 0.4, 0.2, 0.1])),
        "flag": rng.random(n) < 0.3,
        "y": rng.normal(size=n),
    })


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def test() -> pd.DataFrame:
    """Values beyond the training range, unseen levels and missing values."""
    t = _frame(60, seed=1)
    t.loc[0, "x"] = 1e3
    t.loc[1, "z"] = -5.0
    t["color"] = t["color"].astype(object)
    t.loc[2, "color"] = "purple"
    t.loc[3, "shade"] = "neon"
    t.loc[4, "color"] = np.nan
    return t


def _close(actual, expected, what: str = ""):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                               rtol=TOL, atol=TOL, equal_nan=True, err_msg=what)


def _ours(frame, predict) -> np.ndarray:
    """The step's outputs of a transformed pandas frame, in output order."""
    return frame[predict.outputs].to_numpy(dtype=np.float64)


def _sk_names(names, renames=()) -> list[str]:
    """scikit-learn's one-hot names in quiver's spelling."""
    out = []
    for n in names:
        for old, new in renames:
            if n.endswith(old):
                n = n[: -len(old)] + new
        out.append(n)
    return out


# --------------------------------------------------------------------------
# The steps are registered as transformers


def test_registered_as_transformers():
    for name in STEPS:
        assert name in quiver.learners()
        sp = quiver.space(name)
        assert sp.transformer, name
        assert "n_threads" in sp.names()
        assert callable(getattr(quiver, name)) and name in quiver.__all__


# --------------------------------------------------------------------------
# Scalers


@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("with_std", [True, False])
def test_standard_scaler_matches_sklearn(train, test, with_mean, with_std):
    cols = ["x", "w", "z", "k", "c"]
    predict, scored, log = quiver.standard_scaler(train, target="y", with_mean=with_mean, with_std=with_std)
    assert predict.inputs == cols and predict.outputs == cols and predict.replaces == cols
    assert log["standard_scaler"]["features"] == cols
    sk = StandardScaler(with_mean=with_mean, with_std=with_std).fit(train[cols])
    _close(scored[cols], sk.transform(train[cols]), "train")
    _close(predict(test)[cols], sk.transform(test[cols]), "test")
    s = predict.summary
    if sk.mean_ is not None:  # scikit-learn computes no statistic with neither
        _close(s["mean"], sk.mean_, "mean")
    if with_std:
        _close(s["var"], sk.var_, "var")
        _close(s["scale"], sk.scale_, "scale")
    if with_mean or with_std:
        assert s["n_samples_seen"] == list(sk.n_samples_seen_)
    # Everything else is left as it is.
    pd.testing.assert_frame_equal(scored.drop(columns=cols), train.drop(columns=cols))


@pytest.mark.parametrize("low, high, clip", [(0.0, 1.0, False), (-1.0, 2.5, False), (-1.0, 2.5, True)])
def test_min_max_scaler_matches_sklearn(train, test, low, high, clip):
    cols = ["x", "z", "k", "c"]
    predict, scored, _ = quiver.min_max_scaler(train, features=cols, feature_range_low=low,
                                               feature_range_high=high, clip=clip)
    sk = MinMaxScaler(feature_range=(low, high), clip=clip).fit(train[cols])
    _close(scored[cols], sk.transform(train[cols]), "train")
    _close(predict(test)[cols], sk.transform(test[cols]), "test")
    s = predict.summary
    _close(s["data_min"], sk.data_min_)
    _close(s["data_max"], sk.data_max_)
    _close(s["scale"], sk.scale_)
    _close(s["min"], sk.min_)


# --------------------------------------------------------------------------
# Imputer


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
def test_imputer_numeric_matches_sklearn(train, test, strategy):
    cols = ["x", "w", "k"]
    predict, scored, log = quiver.imputer(train, features=cols, strategy=strategy, fill_value=-7.5, add_indicator=True)
    assert predict.outputs == ["x", "w", "k", "x_missing", "w_missing"]  # k has nothing missing
    assert log["imputer"]["n_missing"] == [int(train[c].isna().sum()) for c in cols]
    sk = SimpleImputer(strategy=strategy, fill_value=-7.5, add_indicator=True).fit(train[cols])
    for frame, out in [(train, scored), (test, predict(test))]:
        _close(_ours(out, predict), sk.transform(frame[cols]), strategy)
        assert out["x_missing"].dtype == bool
    _close(predict.summary["statistics"], sk.statistics_)


@pytest.mark.parametrize("strategy", ["most_frequent", "constant"])
def test_imputer_strings_match_sklearn(train, test, strategy):
    predict, scored, _ = quiver.imputer(train, features=["color"], strategy=strategy, fill_text="?",
                                        add_indicator=True)
    sk = SimpleImputer(strategy=strategy, fill_value="?", add_indicator=True).fit(train[["color"]])
    for frame, out in [(train, scored), (test, predict(test))]:
        want = sk.transform(frame[["color"]])
        assert list(out["color"]) == list(want[:, 0])
        assert list(out["color_missing"]) == list(want[:, 1].astype(bool))
    assert predict.summary["statistics"] == list(sk.statistics_)


def test_imputer_default_columns(train):
    # mean and median take the numeric columns, most_frequent and constant
    # every column; never the target.
    predict, _, _ = quiver.imputer(train, target="y")
    assert predict.inputs == ["x", "w", "z", "k", "c"]
    predict, scored, _ = quiver.imputer(train, target="y", strategy="most_frequent")
    assert predict.inputs == ["x", "w", "z", "k", "c", "color", "shade", "size", "flag"]
    assert scored["color"].isna().sum() == 0 and scored["x"].isna().sum() == 0
    assert scored["flag"].dtype == bool


# --------------------------------------------------------------------------
# Encoders

_ONE_HOT_NAMES = [("_nan", "_NA"), ("_False", "_false"), ("_True", "_true"), ("_infrequent_sklearn", "_infrequent")]


@pytest.mark.parametrize("cols", [["shade", "size", "flag"], ["color", "shade"]])
def test_one_hot_matches_sklearn(train, test, cols):
    predict, scored, _ = quiver.one_hot(train, features=cols)
    assert predict.replaces == cols
    sk = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train[cols])
    assert predict.outputs == _sk_names(sk.get_feature_names_out(), _ONE_HOT_NAMES)
    # Levels in the same order, bools spelt "false" and "true", missing
    # values (scikit-learn's nan) not a level.
    assert predict.summary["categories"] == [
        [str(v).lower() if isinstance(v, (bool, np.bool_)) else v for v in c if v == v] for c in sk.categories_]
    assert not set(cols) & set(scored.columns)  # the encoded columns are replaced
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns of unknown categories
        want_test = sk.transform(test[cols])
    _close(_ours(scored, predict), sk.transform(train[cols]), "train")
    _close(_ours(predict(test), predict), want_test, "test")


@pytest.mark.parametrize("max_categories", [1, 2, 3])
def test_one_hot_max_categories_matches_sklearn(train, test, max_categories):
    cols = ["shade", "size"]  # five and four levels, no missing values
    predict, scored, _ = quiver.one_hot(train, features=cols, max_categories=max_categories)
    sk = OneHotEncoder(handle_unknown="ignore", sparse_output=False, max_categories=max_categories).fit(train[cols])
    assert predict.outputs == _sk_names(sk.get_feature_names_out(), _ONE_HOT_NAMES)
    assert predict.summary["infrequent_categories"] == [sorted(c) for c in sk.infrequent_categories_]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want_test = sk.transform(test[cols])
    _close(_ours(scored, predict), sk.transform(train[cols]), "train")
    _close(_ours(predict(test), predict), want_test, "test")


def test_one_hot_ties_as_sklearn():
    frame = pd.DataFrame({"t": ["a", "a", "b", "b", "c", "c", "d", "e", "e"]})
    predict, scored, _ = quiver.one_hot(frame, max_categories=3)
    sk = OneHotEncoder(sparse_output=False, max_categories=3).fit(frame)
    assert predict.outputs == _sk_names(sk.get_feature_names_out(), _ONE_HOT_NAMES)
    _close(_ours(scored, predict), sk.transform(frame))


@pytest.mark.parametrize("unknown_value", [np.nan, -1])
def test_ordinal_encoder_matches_sklearn(train, test, unknown_value):
    cols = ["color", "shade", "size", "flag"]
    params = {}  # NaN is the default
    if unknown_value == unknown_value:
        params = {"handle_unknown": "use_encoded_value", "unknown_value": unknown_value}
    predict, scored, _ = quiver.ordinal_encoder(train, target="y", **params)
    assert predict.inputs == cols and predict.outputs == cols and predict.replaces == cols
    sk = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=unknown_value,
                        encoded_missing_value=unknown_value).fit(train[cols])
    _close(scored[cols], sk.transform(train[cols]), "train")
    _close(predict(test)[cols], sk.transform(test[cols]), "test")
    assert predict.summary["categories"][:3] == [[v for v in c if v == v] for c in sk.categories_[:3]]
    assert predict.summary["categories"][3] == ["false", "true"]


# --------------------------------------------------------------------------
# Frames, files and pipelines of steps


def test_frame_types_agree(train, test):
    cols = ["x", "shade", "color"]
    small = train[cols]
    for step, kw in [("standard_scaler", {}), ("one_hot", {}), ("imputer", {"strategy": "most_frequent"}),
                     ("ordinal_encoder", {})]:
        predict, _, _ = getattr(quiver, step)(small, **kw)
        want = predict(test[cols])[predict.outputs]
        got_pl = predict(pl.from_pandas(test[cols]))
        assert isinstance(got_pl, pl.DataFrame)
        # Without pandas's metadata, which would turn a replaced column
        # back into its old dtype in to_pandas.
        got_pa = predict(pa.Table.from_pandas(test[cols], preserve_index=False).replace_schema_metadata(None))
        assert isinstance(got_pa, pa.Table)
        for got in (got_pl.to_pandas(), got_pa.to_pandas()):
            pd.testing.assert_frame_equal(got[predict.outputs], want, check_dtype=False)


def test_pickle_and_file_round_trip(train, test, tmp_path):
    for step, kw in [("standard_scaler", {"with_mean": False}), ("min_max_scaler", {"clip": True}),
                     ("imputer", {"strategy": "median", "add_indicator": True}),
                     ("one_hot", {"max_categories": 3}), ("ordinal_encoder", {"handle_unknown": "use_encoded_value"})]:
        predict, _, _ = getattr(quiver, step)(train, target="y", **kw)
        want = predict(test)
        back = pickle.loads(pickle.dumps(predict))
        predict.save(tmp_path / f"{step}.arrow")
        loaded = quiver.load(tmp_path / f"{step}.arrow")
        for other in (back, loaded):
            assert other.outputs == predict.outputs and other.replaces == predict.replaces
            pd.testing.assert_frame_equal(other(test), want)


def test_steps_chain_into_a_model(train, test):
    """Impute, encode and scale by hand, then fit a linear model on the
    result; quiver.pipeline is tested elsewhere."""
    imp, data, _ = quiver.imputer(train, target="y", strategy="most_frequent")
    enc, data, _ = quiver.one_hot(data, target="y")
    sc, data, _ = quiver.standard_scaler(data, target="y")
    assert all(pd.api.types.is_float_dtype(data[c]) for c in data.columns)
    model, _, _ = quiver.linear_regression(data, target="y")
    out = model(sc(enc(imp(test))))
    assert np.isfinite(out["prediction"]).all()


# --------------------------------------------------------------------------
# Errors name the column or hyperparameter at fault


def test_fit_errors(train):
    with pytest.raises(TypeError, match="'color'|\"color\""):
        quiver.standard_scaler(train, features=["x", "color"])
    with pytest.raises(TypeError, match="shade"):
        quiver.imputer(train, features=["shade"], strategy="median")
    with pytest.raises(TypeError, match="\"x\""):
        quiver.one_hot(train, features=["x"])
    with pytest.raises(ValueError, match="feature_range_low"):
        quiver.min_max_scaler(train, feature_range_low=2, feature_range_high=1)
    with pytest.raises(ValueError, match="strategy"):
        quiver.imputer(train, strategy="mode")
    with pytest.raises(ValueError, match="max_categories"):
        quiver.one_hot(train, max_categories=-1)
    with pytest.raises(ValueError, match="unknown_value"):
        quiver.ordinal_encoder(train, handle_unknown="use_encoded_value", unknown_value=1)
    with pytest.raises(ValueError, match="unknown_value"):
        quiver.ordinal_encoder(train, unknown_value=5)
    with pytest.raises(ValueError, match="with_means"):
        quiver.standard_scaler(train, with_means=True)
    with pytest.raises(ColumnNotFoundError, match="nope"):
        quiver.standard_scaler(train, features=["nope"])
    empty = pd.DataFrame({"e": [np.nan, np.nan], "t": ["a", None]})
    with pytest.raises(ValueError, match="\"e\""):
        quiver.imputer(empty, features=["e"])
    with pytest.raises(ValueError, match="no numeric columns"):
        quiver.standard_scaler(empty[["t"]])
    clash = pd.DataFrame({"s": ["x", "y"], "s_x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="s_x"):
        quiver.one_hot(clash)
    inf = pd.DataFrame({"v": [1.0, np.inf]})
    with pytest.raises(ValueError, match="infinite"):
        quiver.standard_scaler(inf)


def test_predict_errors(train, test):
    strict, _, _ = quiver.one_hot(train, features=["color"], handle_unknown="error")
    with pytest.raises(ValueError, match="purple"):
        strict(test)
    strict, _, _ = quiver.one_hot(train, features=["shade"], handle_unknown="error")
    with pytest.raises(ValueError, match="shade.*missing"):
        strict(pd.DataFrame({"shade": ["dark", None]}))
    strict, _, _ = quiver.ordinal_encoder(train, features=["shade"], handle_unknown="error")
    with pytest.raises(ValueError, match="neon"):
        strict(test)
    scaler, _, _ = quiver.standard_scaler(train, features=["x"])
    with pytest.raises(ColumnNotFoundError, match="'x'|\"x\""):
        scaler(pd.DataFrame({"z": [1.0]}))
    with pytest.raises(TypeError, match="'x'|\"x\""):
        scaler(pd.DataFrame({"x": ["1.0"]}))
    enc, _, _ = quiver.one_hot(train, features=["shade"])
    with pytest.raises(TypeError, match="shade"):
        enc(pd.DataFrame({"shade": [1.0]}))
