"""Feature steps of issue 6: target_encoder (whose training frame is encoded
out of fold), regex_features, hashed_tokens, log_transform, clip, bucketize
and the column steps (select_columns, drop_columns, rename_columns),
against scikit-learn, numpy and Python's re where the definitions agree, and
their errors."""

from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit
from sklearn.preprocessing import KBinsDiscretizer, TargetEncoder

import quiver
from quiver.errors import ColumnNotFoundError

STEPS = ["target_encoder", "regex_features", "hashed_tokens", "log_transform", "clip", "bucketize",
         "select_columns", "drop_columns", "rename_columns"]
TOL = 1e-9

WORDS = ["alpha", "beta", "gamma", "delta", "go", "quiver", "arrow", "frame", "x", "42", "naïve", "café",
         "Straße", "über", "日本語", "テキスト", "fox_1", "e-mail", "R2D2", "ok"]


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Categorical columns with missing values (city: 30 levels; shop: a
    pandas category), a bool (member), text (note), numbers with missing
    values (x, income) and without (k: integers with ties), a constant (c),
    an id, and targets: y (numbers), y01 (0/1), label (two strings), flag
    (bool), kind (three strings)."""
    rng = np.random.default_rng(seed)
    city = rng.choice([f"city{i:02d}" for i in range(30)], n).astype(object)
    city[rng.random(n) < 0.08] = None
    effect = {f"city{i:02d}": rng.normal(0, 1) for i in range(30)}
    y = np.array([effect.get(c, 0.5) for c in city]) + rng.normal(0, 1, n)
    x = rng.normal(3, 2, n)
    x[rng.random(n) < 0.1] = np.nan
    income = rng.lognormal(10, 1, n)
    income[rng.random(n) < 0.05] = np.nan
    note = np.array([" ".join(rng.choice(WORDS, rng.integers(0, 6))) for _ in range(n)], dtype=object)
    note[rng.random(n) < 0.05] = None
    return pd.DataFrame({
        "id": np.arange(n),
        "city": city,
        "shop": pd.Categorical(rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])),
        "member": rng.random(n) < 0.3,
        "note": note,
        "x": x,
        "income": income,
        "k": rng.integers(0, 8, n),
        "c": np.full(n, 2.5),
        "y": y,
        "y01": (y > 0.5).astype(np.int64),
        "label": np.where(y > 0.5, "yes", "no"),
        "flag": y > 0,
        "kind": rng.choice(["a", "b", "c"], n),
    })


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def test() -> pd.DataFrame:
    """Unseen levels, missing values and values beyond the training range."""
    t = _frame(80, seed=1)
    t.loc[0, "city"] = "atlantis"
    t.loc[1, "city"] = np.nan  # NaN, as in training: scikit-learn tells None from NaN
    t.loc[2, "x"] = 1e3
    t.loc[3, "income"] = 0.5
    return t


def _close(actual, expected, what: str = ""):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                               rtol=TOL, atol=TOL, equal_nan=True, err_msg=what)


def _folds(n: int, n_folds: int, seed: int) -> np.ndarray:
    """The fold of every row, as quiver.target_encoder deals them."""
    fold_of = np.empty(n, dtype=np.int64)
    for k, (_, test_idx) in enumerate(quiver.KFold(n_folds, shuffle=True, seed=seed).split(n)):
        fold_of[test_idx] = k
    return fold_of


# --------------------------------------------------------------------------
# Registration


def test_registered_as_transformers():
    for name in STEPS:
        assert name in quiver.learners(), name
        assert quiver.space(name).transformer, name
        assert callable(getattr(quiver, name)) and name in quiver.__all__
        assert getattr(quiver, name).__name__ == name
    assert "out of fold" in quiver.target_encoder.__doc__
    assert "n_folds" in str(quiver.target_encoder.__signature__)


# --------------------------------------------------------------------------
# target_encoder


@pytest.mark.parametrize("target, target_type", [("y", "continuous"), ("y01", "binary"), ("label", "binary"),
                                                 ("flag", "binary")])
@pytest.mark.parametrize("smooth", [0.5, 20.0])
def test_target_encoder_matches_sklearn(train, test, target, target_type, smooth):
    cols = ["city", "shop", "member"]
    predict, scored, log = quiver.target_encoder(train, target=target, features=cols, smooth=smooth, n_folds=4,
                                                 seed=3)
    assert predict.inputs == cols and predict.outputs == cols and predict.replaces == cols
    # Out of fold, scikit-learn's cross fitting on the same folds.
    sk = TargetEncoder(smooth=smooth, target_type=target_type, cv=PredefinedSplit(_folds(len(train), 4, 3)))
    _close(scored[cols], sk.fit_transform(train[cols], train[target]), "out of fold")
    # New frames: the encoding of every training row (unseen levels get the
    # target's mean; missing values are a level of their own).
    _close(predict(test)[cols], sk.transform(test[cols]), "test")
    s = predict.summary
    _close(s["target_mean"], sk.target_mean_)
    for j in range(len(cols)):
        _close(s["encodings"][j], sk.encodings_[j][: len(s["categories"][j])], cols[j])
    assert s["target_type"] == target_type
    assert s["positive_class"] == {"y": "", "y01": "1", "label": "yes", "flag": "true"}[target]
    oof = log["target_encoder"]["out_of_fold"]
    assert oof["n_folds"] == 4 and oof["seed"] == 3 and sum(oof["fold_sizes"]) == len(train)
    # Everything else is left as it is.
    pd.testing.assert_frame_equal(scored.drop(columns=cols), train.drop(columns=cols))


def test_target_encoder_hand_computed():
    """Every value from the m-estimate's definition, computed in plain Python."""
    frame = pd.DataFrame({
        "c": ["a", "a", "b", "b", "b", None, "c", "a", "c", "b", "d", "a"],
        "t": [1.0, 3.0, 2.0, 2.0, 8.0, 5.0, 4.0, 0.0, 6.0, 1.0, 9.0, 2.0],
    })
    m, n_folds, seed = 2.0, 3, 11

    def encode(rows, level):
        ys = [frame.t[i] for i in rows]
        prior = sum(ys) / len(ys)
        same = [frame.t[i] for i in rows if frame.c[i] == level or (pd.isna(level) and pd.isna(frame.c[i]))]
        return (sum(same) + m * prior) / (len(same) + m) if same else prior

    predict, scored, _ = quiver.target_encoder(frame, target="t", smooth=m, n_folds=n_folds, seed=seed)
    everything = range(len(frame))
    want = [encode(everything, frame.c[i]) for i in everything]
    _close(predict(frame)["c"], want, "in sample")
    _close(predict(pd.DataFrame({"c": ["zz"]}))["c"], [frame.t.mean()], "unseen")
    fold_of = _folds(len(frame), n_folds, seed)
    want_oof = [encode([r for r in everything if fold_of[r] != fold_of[i]], frame.c[i]) for i in everything]
    _close(scored["c"], want_oof, "out of fold")
    assert not np.allclose(scored["c"], predict(frame)["c"])


def test_out_of_fold_encoding_does_not_leak():
    """A target independent of the levels: encoded in sample, many small
    levels predict it well (each row's own target is in its level's mean);
    out of fold they predict nothing."""
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame({"level": rng.choice([f"l{i}" for i in range(150)], n), "y": rng.integers(0, 2, n)})
    predict, scored, _ = quiver.target_encoder(frame, target="y", smooth=1.0)
    in_sample = roc_auc_score(frame["y"], predict(frame)["level"])
    out_of_fold = roc_auc_score(frame["y"], scored["level"])
    assert in_sample > 0.75, in_sample
    assert abs(out_of_fold - 0.5) < 0.08, out_of_fold


def test_target_encoder_in_pipelines(train, test, tmp_path):
    cols = ["city", "shop"]
    fit = quiver.pipeline(("encode", quiver.target_encoder(features=cols, n_folds=3)),
                          ("model", quiver.linear_regression(features=[*cols, "k"])))
    predict, scored, log = fit(train, target="y")
    # One engine model: it saves and loads as one file.
    assert isinstance(predict, quiver.Predictor)
    assert log["encode"]["target_encoder"]["out_of_fold"]["n_folds"] == 3
    # The model was fitted on the out-of-fold encoding.
    enc, enc_scored, _ = quiver.target_encoder(train, target="y", features=cols, n_folds=3)
    model, _, _ = quiver.linear_regression(enc_scored, target="y", features=[*cols, "k"])
    _close(predict(test)["prediction"], model(enc(test))["prediction"])
    predict.save(tmp_path / "pipe.arrow")
    _close(quiver.load(tmp_path / "pipe.arrow")(test)["prediction"], predict(test)["prediction"])
    # Validated and tuned like any pipeline: smooth is searched.
    scores, _ = quiver.validate(fit, train, target="y", metrics=["rmse"], split=quiver.KFold(3))
    assert len(scores) == 3
    result = quiver.tune(fit, train, target="y", metric="rmse", n_trials=3, split=quiver.KFold(2), progress=False)
    assert "encode__smooth" in result.best_params


def test_target_encoder_errors(train):
    with pytest.raises(ValueError, match="target is required"):
        quiver.target_encoder(train, features=["city"])
    with pytest.raises(ValueError, match="multiclass.*'kind'|multiclass.*\"kind\"|\"kind\".*multiclass"):
        quiver.target_encoder(train, target="kind", features=["city"])
    with pytest.raises(ValueError, match="\"x\".*missing"):
        quiver.target_encoder(train, target="x", features=["city"])
    with pytest.raises(ValueError, match="n_folds"):
        quiver.target_encoder(train.head(3), target="y", features=["city"])
    with pytest.raises(ValueError, match="smooth"):
        quiver.target_encoder(train, target="y", smooth=-1.0)
    with pytest.raises(TypeError, match="\"x\""):
        quiver.target_encoder(train, target="y", features=["x"])
    with pytest.raises(ColumnNotFoundError, match="nope"):
        quiver.target_encoder(train, target="nope", features=["city"])
    one = pd.DataFrame({"c": ["a", "b"], "t": ["yes", "yes"]})
    with pytest.raises(ValueError, match="one class"):
        quiver.target_encoder(one, target="t", n_folds=2)


def test_target_encoder_binary_fold_with_one_class():
    """A fold whose training rows hold one class of a string target still
    encodes the probability of the full fit's positive class."""
    frame = pd.DataFrame({"c": ["a"] * 6, "t": ["no", "no", "no", "no", "no", "yes"]})
    predict, scored, _ = quiver.target_encoder(frame, target="t", smooth=0.0, n_folds=6)
    # Each row's encoding is the share of "yes" among the other five rows.
    _close(scored["c"], [0.2] * 5 + [0.0])
    _close(predict(frame)["c"], [1 / 6] * 6)


# --------------------------------------------------------------------------
# Text


PATTERNS = {"digit": r"[0-9]", "greek": r"^(alpha|beta|gamma)\b", "upper": r"[A-Z]", "dash": r"\w+-\w+",
            "accent": r"[éüï]", "empty": r"^$"}


def test_regex_features_match_python_re(train, test):
    predict, scored, log = quiver.regex_features(train, features=["note"], patterns=PATTERNS)
    names = sorted(PATTERNS)
    assert predict.outputs == [f"note_{n}" for n in names] and predict.replaces == ["note"]
    assert "note" not in scored.columns
    for frame, out in [(train, scored), (test, predict(test))]:
        for n in names:
            want = [isinstance(v, str) and bool(re.search(PATTERNS[n], v)) for v in frame["note"]]
            assert out[f"note_{n}"].dtype == bool
            assert list(out[f"note_{n}"]) == want, n
    kept, scored, _ = quiver.regex_features(train, features=["note", "city"], patterns={"d": "[0-9]"},
                                            keep_input=True)
    assert kept.outputs == ["note", "note_d", "city", "city_d"]
    assert list(scored["note"].fillna("?")) == list(train["note"].fillna("?"))


def test_regex_features_errors(train):
    with pytest.raises(ValueError, match="pattern \"bad\""):
        quiver.regex_features(train, features=["note"], patterns={"ok": "a", "bad": "[0-9"})
    with pytest.raises(ValueError, match="pattern \"look\""):
        quiver.regex_features(train, features=["note"], patterns={"look": "a(?=b)"})
    with pytest.raises(ValueError, match="\"patterns\""):
        quiver.regex_features(train, features=["note"], patterns="{digit: 1}")
    with pytest.raises(ValueError, match="\"patterns\" is empty"):
        quiver.regex_features(train, features=["note"])
    with pytest.raises(TypeError, match="\"x\""):
        quiver.regex_features(train, features=["x"], patterns={"d": "1"})


DOCS = ["Hello world, hello GO!", "naïve café déjà vu — über straße", "a b cc dd_ee 123 4", "", None,
        "日本語 テキスト 漢字かな", "x" * 50 + " yy", "tab\tsep\nnew line 3.14 e-mail@x.org", "The THE the tHe"]


@pytest.mark.parametrize("n_features", [1, 16, 100])
@pytest.mark.parametrize("lowercase", [True, False])
def test_hashed_tokens_match_sklearn(n_features, lowercase):
    frame = pd.DataFrame({"t": DOCS})
    predict, scored, _ = quiver.hashed_tokens(frame, n_features=n_features, lowercase=lowercase)
    cols = [f"t_h{k}" for k in range(n_features)]
    assert predict.outputs == cols and predict.replaces == ["t"]
    sk = HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None, lowercase=lowercase)
    want = sk.transform([d or "" for d in DOCS]).toarray()  # a missing value gives zeros, as ""
    _close(scored[cols], want)


def test_hashed_tokens_custom_patterns_match_sklearn():
    ascii_docs = ["The quick-brown fox_1 jumps", "a b c", "R2D2 and C3PO", "x=1; y=22", ""]
    frame = pd.DataFrame({"t": ascii_docs})
    for pattern, sk_pattern in [(r"\b\w+\b", r"\b\w+\b"), (r"[a-z]+", r"[a-z]+"), (r"(\w)\w*", r"(\w)\w*")]:
        predict, scored, _ = quiver.hashed_tokens(frame, n_features=32, token_pattern=pattern)
        sk = HashingVectorizer(n_features=32, alternate_sign=False, norm=None, token_pattern=sk_pattern)
        _close(scored[predict.outputs], sk.transform(ascii_docs).toarray(), pattern)


def test_hashed_tokens_invariances():
    """Counts sum to the number of tokens (even where Python's lower-casing
    differs from Go's, as for 'İ' and a final 'Σ', which may change a
    token's bucket), and do not depend on row order, repeats or the
    column's type."""
    docs = ["İstanbul ΣΊΣΥΦΟΣ", "one two two three three three", "ΟΔΟΣ"]
    frame = pd.DataFrame({"t": docs})
    predict, scored, _ = quiver.hashed_tokens(frame, n_features=8)
    analyzer = HashingVectorizer().build_analyzer()
    np.testing.assert_array_equal(scored[predict.outputs].sum(axis=1), [len(analyzer(d)) for d in docs])
    shuffled = pd.DataFrame({"t": pd.Categorical([docs[2], docs[1], docs[1], docs[0]])})
    out = predict(shuffled)[predict.outputs].to_numpy()
    np.testing.assert_array_equal(out, scored[predict.outputs].to_numpy()[[2, 1, 1, 0]])


def test_hashed_tokens_errors():
    frame = pd.DataFrame({"t": ["a b"]})
    with pytest.raises(ValueError, match="token_pattern.*\\(\\?u\\)"):
        quiver.hashed_tokens(frame, token_pattern=r"(?u)\b\w\w+\b")
    with pytest.raises(ValueError, match="token_pattern.*capturing groups"):
        quiver.hashed_tokens(frame, token_pattern=r"(a)(b)")
    with pytest.raises(ValueError, match="n_features"):
        quiver.hashed_tokens(frame, n_features=0)


# --------------------------------------------------------------------------
# Numeric steps


@pytest.mark.parametrize("function, offset, reference", [
    ("log1p", 0.0, lambda v: np.log1p(v)),
    ("log1p", 2.0, lambda v: np.log1p(v + 2.0)),
    ("log", 1.0, lambda v: np.log(v + 1.0)),
    ("log", 0.0, lambda v: np.log(v)),
])
def test_log_transform_matches_numpy(train, test, function, offset, reference):
    cols = ["income", "k"] if function == "log1p" or offset > 0 else ["income"]
    predict, scored, log = quiver.log_transform(train, features=cols, function=function, offset=offset)
    assert predict.outputs == cols and predict.replaces == cols
    for frame, out in [(train, scored), (test, predict(test))]:
        _close(out[cols], reference(frame[cols].to_numpy(dtype=np.float64)))
    _close(predict.summary["data_min"], train[cols].min())


def test_log_transform_refuses_values_outside_its_domain(train):
    with pytest.raises(ValueError, match="\"x\".*negative.*\"offset\""):
        quiver.log_transform(train, features=["x"])
    with pytest.raises(ValueError, match="\"k\".*negative or zero"):
        quiver.log_transform(train, features=["k"], function="log")
    predict, _, _ = quiver.log_transform(train, features=["k"])
    with pytest.raises(ValueError, match="\"k\" has the value -3"):
        predict(pd.DataFrame({"k": [1, -3]}))
    ok, _, _ = quiver.log_transform(train, features=["x"], offset=-train["x"].min())
    assert np.isfinite(ok(train)["x"].dropna()).all()


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (0.05, 0.95), (0.5, 0.5)])
def test_clip_quantiles_match_numpy(train, test, low, high):
    cols = ["x", "income", "k"]
    predict, scored, _ = quiver.clip(train, features=cols, quantile_low=low, quantile_high=high)
    lo, hi = np.nanquantile(train[cols], low, axis=0), np.nanquantile(train[cols], high, axis=0)
    _close(predict.summary["low"], lo)
    _close(predict.summary["high"], hi)
    for frame, out in [(train, scored), (test, predict(test))]:
        _close(out[cols], np.clip(frame[cols].to_numpy(dtype=np.float64), lo, hi))


def test_clip_values(train, test):
    predict, scored, _ = quiver.clip(train, features=["x", "k"], bounds="value", low=0.0, high=5.0)
    _close(scored[["x", "k"]], np.clip(train[["x", "k"]].to_numpy(dtype=np.float64), 0, 5))
    only_high, _, _ = quiver.clip(train, features=["x"], bounds="value", high=4.0)
    assert only_high.summary["low"] == [None] and only_high.summary["high"] == [4.0]
    _close(only_high(test)["x"], np.minimum(test["x"], 4.0))
    with pytest.raises(ValueError, match="\"low\".*above.*\"high\""):
        quiver.clip(train, features=["x"], bounds="value", low=2.0, high=1.0)
    with pytest.raises(ValueError, match="quantile_low"):
        quiver.clip(train, features=["x"], quantile_low=0.9, quantile_high=0.1)
    with pytest.raises(ValueError, match="'low' only applies"):
        quiver.clip(train, features=["x"], low=1.0)


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("n_buckets", [2, 5, 12])
def test_bucketize_matches_sklearn(train, test, strategy, n_buckets):
    cols = ["y", "k", "c", "id"]  # no missing values; k has ties, c is constant
    predict, scored, log = quiver.bucketize(train, features=cols, n_buckets=n_buckets, strategy=strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant features, merged bins
        sk = KBinsDiscretizer(n_bins=n_buckets, encode="ordinal", strategy=strategy,
                              quantile_method="linear").fit(train[cols])
    assert predict.summary["n_bins"] == list(sk.n_bins_)
    for j, edges in enumerate(predict.summary["bin_edges"]):
        if sk.n_bins_[j] > 1:
            _close(edges, sk.bin_edges_[j], cols[j])
    for frame, out in [(train, scored), (test, predict(test))]:
        _close(out[cols], sk.transform(frame[cols]))
    # Missing values stay missing.
    out = predict(pd.DataFrame({c: [np.nan, 1.0] for c in cols}))
    assert out[cols].iloc[0].isna().all() and out[cols].iloc[1].notna().all()


# --------------------------------------------------------------------------
# Column steps


def test_select_columns(train, test):
    predict, scored, log = quiver.select_columns(train, columns=["city", "x"], target="y")
    assert list(scored.columns) == ["city", "x", "y"]
    assert predict.inputs == ["city", "x"] and predict.outputs == ["city", "x"]
    assert log["select_columns"]["dropped"] == [c for c in train.columns if c not in ("city", "x", "y")]
    pd.testing.assert_series_equal(scored["x"], train["x"])
    assert list(scored["city"].fillna("?")) == list(train["city"].fillna("?"))
    # At predict time the dropped columns need not be there, and columns
    # the training frame did not have are left alone; the kept ones must be.
    assert list(predict(test[["x", "city"]].assign(extra=1)).columns) == ["x", "city", "extra"]
    with pytest.raises(ColumnNotFoundError, match="city"):
        predict(test[["x"]])


def test_drop_columns(train, test):
    predict, scored, _ = quiver.drop_columns(train, columns=["id", "note"], target="y", weight="c")
    assert list(scored.columns) == [c for c in train.columns if c not in ("id", "note")]
    assert "y" not in predict.inputs and "c" not in predict.inputs
    assert list(predict(test.drop(columns=["id"])).columns) == list(scored.columns)


def test_rename_columns(train):
    predict, scored, _ = quiver.rename_columns(train, columns={"x": "age", "city": "town"}, target="y")
    assert predict.inputs == ["city", "x"] and predict.outputs == ["town", "age"]
    assert "x" not in scored.columns and "city" not in scored.columns
    pd.testing.assert_series_equal(scored["age"], train["x"], check_names=False)
    swap, swapped, _ = quiver.rename_columns(train, columns={"x": "income", "income": "x"})
    assert list(swapped.columns) == list(train.columns)
    pd.testing.assert_series_equal(swapped["x"], train["income"], check_names=False)
    pd.testing.assert_series_equal(swapped["income"], train["x"], check_names=False)


def test_column_step_errors(train):
    with pytest.raises(ColumnNotFoundError, match="\"nope\""):
        quiver.select_columns(train, columns=["x", "nope"])
    with pytest.raises(ColumnNotFoundError, match="\"nope\""):
        quiver.drop_columns(train, columns=["nope"])
    with pytest.raises(ColumnNotFoundError, match="\"nope\""):
        quiver.rename_columns(train, columns={"nope": "yes"})
    with pytest.raises(ValueError, match="\"columns\".*JSON list"):
        quiver.drop_columns(train, columns="[id")
    with pytest.raises(ValueError, match="\"columns\".*JSON object"):
        quiver.rename_columns(train, columns=["x"])
    with pytest.raises(ValueError, match="\"columns\" is empty"):
        quiver.select_columns(train)
    with pytest.raises(ValueError, match="\"y\", the target"):
        quiver.drop_columns(train, columns=["y"], target="y")
    with pytest.raises(ValueError, match="\"y\", the target"):
        quiver.rename_columns(train, columns={"y": "label2"}, target="y")
    with pytest.raises(ValueError, match="\"k\""):
        quiver.rename_columns(train, columns={"x": "k"})
    with pytest.raises(ValueError, match="not from features"):
        quiver.select_columns(train, columns=["x"], features=["x"])


# --------------------------------------------------------------------------
# Frames, files and pipelines of the new steps


CASES = [
    ("target_encoder", {"target": "y", "features": ["city", "shop"], "smooth": 3.0}),
    ("regex_features", {"features": ["note"], "patterns": {"d": "[0-9]", "w": "^\\w+$"}}),
    ("hashed_tokens", {"features": ["note"], "n_features": 8, "keep_input": True}),
    ("log_transform", {"features": ["income"], "function": "log"}),
    ("clip", {"features": ["x", "income"], "quantile_low": 0.1, "quantile_high": 0.8}),
    ("bucketize", {"features": ["x", "k"], "n_buckets": 4, "strategy": "uniform"}),
    ("select_columns", {"columns": ["x", "note", "city"], "target": "y"}),
    ("drop_columns", {"columns": ["id", "c"], "target": "y"}),
    ("rename_columns", {"columns": {"x": "x2", "note": "text"}, "target": "y"}),
]


@pytest.mark.parametrize("step, kw", CASES, ids=[c[0] for c in CASES])
def test_pickle_and_file_round_trip(train, test, tmp_path, step, kw):
    predict, _, _ = getattr(quiver, step)(train, **kw)
    want = predict(test)
    predict.save(tmp_path / "model.arrow")
    for other in (pickle.loads(pickle.dumps(predict)), quiver.load(tmp_path / "model.arrow")):
        assert other.outputs == predict.outputs and other.replaces == predict.replaces
        pd.testing.assert_frame_equal(other(test), want)


@pytest.mark.parametrize("step, kw", CASES[:6], ids=[c[0] for c in CASES[:6]])
def test_frame_types_agree(train, test, step, kw):
    predict, _, _ = getattr(quiver, step)(train, **kw)
    cols = [c for c in ["city", "shop", "note", "x", "income", "k"] if c in predict.inputs]
    want = predict(test[cols])[predict.outputs]
    got_pl = predict(pl.from_pandas(test[cols]))
    got_pa = predict(pa.Table.from_pandas(test[cols], preserve_index=False).replace_schema_metadata(None))
    for got in (got_pl.to_pandas(), got_pa.to_pandas()):
        pd.testing.assert_frame_equal(got[predict.outputs], want, check_dtype=False)


def test_pipeline_of_every_new_step(train, test, tmp_path):
    fit = quiver.pipeline(
        ("drop", quiver.drop_columns(columns=["id", "kind", "label", "flag", "y01"])),
        ("rename", quiver.rename_columns(columns={"income": "salary"})),
        ("log", quiver.log_transform(features=["salary"])),
        ("clip", quiver.clip(features=["x"], quantile_low=0.01, quantile_high=0.99)),
        ("impute", quiver.imputer(features=["x", "salary"])),
        ("bucket", quiver.bucketize(features=["k"], n_buckets=3)),
        ("regex", quiver.regex_features(features=["note"], patterns={"digit": "[0-9]"}, keep_input=True)),
        ("hash", quiver.hashed_tokens(features=["note"], n_features=4)),
        ("encode", quiver.target_encoder(features=["city", "shop"])),
        ("select", quiver.select_columns(columns=["city", "shop", "x", "salary", "k", "note_digit",
                                                  "note_h0", "note_h1", "note_h2", "note_h3"])),
        ("model", quiver.linear_regression),
    )
    predict, scored, log = fit(train, target="y", encode__smooth=5.0)
    assert isinstance(predict, quiver.Predictor)
    assert list(log) == ["drop", "rename", "log", "clip", "impute", "bucket", "regex", "hash", "encode", "select",
                         "model"]
    assert sorted(log["model"]["linear_regression"]["features"]) == sorted(
        ["city", "shop", "x", "salary", "k", "note_digit", "note_h0", "note_h1", "note_h2", "note_h3"])
    out = predict(test)
    assert np.isfinite(out["prediction"]).all()
    predict.save(tmp_path / "pipe.arrow")
    _close(quiver.load(tmp_path / "pipe.arrow")(test)["prediction"], out["prediction"])
    _close(pickle.loads(pickle.dumps(predict))(test)["prediction"], out["prediction"])
    # The frames the pipeline needs at predict time: the dropped columns
    # are not among them.
    assert "id" not in predict.inputs and "income" in predict.inputs
