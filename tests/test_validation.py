"""Splitters, metrics and cross-validation (quiver.validate, quiver.score)
against scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from sklearn import metrics as skm
from sklearn import model_selection as skms

import quiver
from quiver.errors import ColumnNotFoundError

TOL = 1e-9


def _check_partition(folds, n):
    """Test sets are disjoint and cover every row; train is the rest."""
    seen = np.zeros(n, dtype=int)
    for train, test in folds:
        assert train.dtype.kind == "i" and test.dtype.kind == "i"
        seen[test] += 1
        assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
        assert not np.intersect1d(train, test).size
    assert (seen == 1).all()


# ---------------------------------------------------------------------------
# Splitters


@pytest.mark.parametrize("n", [10, 11, 97])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_kfold_matches_sklearn(n, k):
    ours = list(quiver.KFold(k).split(n))
    theirs = list(skms.KFold(k, shuffle=True, random_state=0).split(np.zeros((n, 1))))
    assert [len(te) for _, te in ours] == [len(te) for _, te in theirs]
    _check_partition(ours, n)
    # without shuffling, the very same blocks
    plain = list(quiver.KFold(k, shuffle=False).split(n))
    for (tr, te), (str_, ste) in zip(plain, skms.KFold(k).split(np.zeros((n, 1)))):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)


def test_kfold_seed():
    a = [te for _, te in quiver.KFold(3, seed=1).split(30)]
    b = [te for _, te in quiver.KFold(3, seed=1).split(30)]
    c = [te for _, te in quiver.KFold(3, seed=2).split(30)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("labels", [[0, 1, 2], ["a", "b", "c"]])
def test_stratified_kfold_matches_sklearn(k, labels):
    rng = np.random.default_rng(k)
    # classes first occur in sorted order, as scikit-learn numbers them
    y = np.concatenate([labels, rng.choice(labels, size=117, p=[0.6, 0.3, 0.1])])
    n = len(y)
    ours = list(quiver.StratifiedKFold(k).split(n, y))
    theirs = list(skms.StratifiedKFold(k, shuffle=True, random_state=0).split(np.zeros((n, 1)), y))
    assert [len(te) for _, te in ours] == [len(te) for _, te in theirs]
    _check_partition(ours, n)
    for c in labels:
        ours_c = [int((y[te] == c).sum()) for _, te in ours]
        theirs_c = [int((y[te] == c).sum()) for _, te in theirs]
        assert ours_c == theirs_c
        assert max(ours_c) - min(ours_c) <= 1
    plain = list(quiver.StratifiedKFold(k, shuffle=False).split(n, y))
    for (tr, te), (str_, ste) in zip(plain, skms.StratifiedKFold(k).split(np.zeros((n, 1)), y)):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)


def test_stratified_kfold_rare_class_warns():
    y = np.array([0] * 20 + [1] * 2)
    with pytest.warns(UserWarning, match="least populated class"):
        folds = list(quiver.StratifiedKFold(3).split(len(y), y))
    _check_partition(folds, len(y))


def test_group_kfold_matches_sklearn():
    rng = np.random.default_rng(0)
    sizes = rng.permutation(np.arange(1, 13))  # distinct sizes: no ties to break
    groups = rng.permutation(np.repeat([f"g{i}" for i in range(12)], sizes))
    n = len(groups)
    ours = list(quiver.GroupKFold(4).split(n, groups=groups))
    theirs = list(skms.GroupKFold(4).split(np.zeros((n, 1)), groups=groups))
    _check_partition(ours, n)
    for (tr, te), (str_, ste) in zip(ours, theirs):
        assert np.array_equal(te, ste) and np.array_equal(tr, str_)
        assert not set(groups[tr]) & set(groups[te])  # every group stays whole


@pytest.mark.parametrize("n", [10, 23, 50])
@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("gap", [0, 2])
def test_time_series_split_matches_sklearn(n, k, gap):
    try:
        theirs = list(skms.TimeSeriesSplit(k, gap=gap).split(np.zeros((n, 1))))
    except ValueError:  # the gap leaves the first training set empty
        with pytest.raises(ValueError, match="leaves no training rows"):
            list(quiver.TimeSeriesSplit(k, gap=gap).split(n))
        return
    ours = list(quiver.TimeSeriesSplit(k, gap=gap).split(n))
    assert len(ours) == k
    for (tr, te), (str_, ste) in zip(ours, theirs):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)


def test_time_series_split_by_order():
    rng = np.random.default_rng(1)
    times = rng.permutation(40).astype(float)
    folds = list(quiver.TimeSeriesSplit(3, gap=1).split(40, times=times))
    for (tr, te), (str_, ste) in zip(folds, skms.TimeSeriesSplit(3, gap=1).split(np.zeros((40, 1)))):
        assert times[tr].max() < times[te].min()  # test after train, in time
        assert np.array_equal(np.sort(times[tr]), np.sort(times)[str_])
        assert np.array_equal(np.sort(times[te]), np.sort(times)[ste])
    # expanding window
    assert all(len(a[0]) < len(b[0]) for a, b in zip(folds, folds[1:]))


@pytest.mark.parametrize("make, match", [
    (lambda: quiver.KFold(1), "at least 2"),
    (lambda: quiver.StratifiedKFold(0), "at least 2"),
    (lambda: quiver.GroupKFold(1, group="g"), "at least 2"),
    (lambda: quiver.TimeSeriesSplit(1), "at least 2"),
    (lambda: quiver.TimeSeriesSplit(3, gap=-1), "gap"),
])
def test_splitter_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_splitter_bad_split_calls():
    with pytest.raises(ValueError, match="cannot make 5 folds from 3 rows"):
        list(quiver.KFold(5).split(3))
    with pytest.raises(TypeError, match="number of rows"):
        list(quiver.KFold(2).split(np.zeros(10)))
    with pytest.raises(ValueError, match="needs y"):
        list(quiver.StratifiedKFold(2).split(10))
    with pytest.raises(ValueError, match="more than the rows of every class"):
        list(quiver.StratifiedKFold(3).split(4, y=[0, 0, 1, 1]))
    with pytest.raises(ValueError, match="needs groups"):
        list(quiver.GroupKFold(2).split(10))
    with pytest.raises(ValueError, match="from 2 groups"):
        list(quiver.GroupKFold(3).split(4, groups=["a", "a", "b", "b"]))
    with pytest.raises(ValueError, match="one value per row"):
        list(quiver.GroupKFold(2).split(4, groups=["a", "b"]))
    with pytest.raises(ValueError, match="gap=5 leaves no training rows"):
        list(quiver.TimeSeriesSplit(3, gap=5).split(12))


# ---------------------------------------------------------------------------
# Metrics against scikit-learn


def _binary_frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p1 = np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0.001, 0.999)
    p1[:20] = np.round(p1[:20], 1)  # some ties
    pred = (p1 > 0.5).astype(np.int64)
    w = rng.uniform(0, 3, n)
    return pd.DataFrame({"y": y, "prediction": pred, "probability_0": 1 - p1, "probability_1": p1, "w": w})


def _multiclass_frame(n=300, seed=1):
    rng = np.random.default_rng(seed)
    labels = np.array(["ant", "bee", "cat"])
    codes = rng.integers(0, 3, n)
    z = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[codes]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"y": labels[codes], "prediction": labels[p.argmax(axis=1)]})
    for k, label in enumerate(labels):
        frame[f"probability_{label}"] = p[:, k]
    frame["w"] = rng.uniform(0, 3, n)
    return frame, labels, p


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_metrics_match_sklearn(weighted):
    f = _binary_frame()
    sw = f.w.to_numpy() if weighted else None
    weight = "w" if weighted else None
    probs = f[["probability_0", "probability_1"]].to_numpy()
    want = {
        "auc": skm.roc_auc_score(f.y, f.probability_1, sample_weight=sw),
        "log_loss": skm.log_loss(f.y, probs, sample_weight=sw),
        "accuracy": skm.accuracy_score(f.y, f.prediction, sample_weight=sw),
        "balanced_accuracy": skm.balanced_accuracy_score(f.y, f.prediction, sample_weight=sw),
        "f1": skm.f1_score(f.y, f.prediction, sample_weight=sw),
    }
    for metric, value in want.items():
        assert quiver.score(metric, f, "y", weight=weight) == pytest.approx(value, abs=TOL), metric


@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_metrics_match_sklearn(weighted):
    f, labels, p = _multiclass_frame()
    sw = f.w.to_numpy() if weighted else None
    weight = "w" if weighted else None
    want = {
        "auc": skm.roc_auc_score(f.y, p, multi_class="ovr", average="macro", labels=labels, sample_weight=sw),
        "log_loss": skm.log_loss(f.y, p, labels=labels, sample_weight=sw),
        "accuracy": skm.accuracy_score(f.y, f.prediction, sample_weight=sw),
        "balanced_accuracy": skm.balanced_accuracy_score(f.y, f.prediction, sample_weight=sw),
        "f1": skm.f1_score(f.y, f.prediction, average="macro", sample_weight=sw),
    }
    for metric, value in want.items():
        assert quiver.score(metric, f, "y", weight=weight) == pytest.approx(value, abs=TOL), metric


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_match_sklearn(weighted):
    rng = np.random.default_rng(2)
    y = rng.normal(size=250) * 3
    f = pd.DataFrame({"y": y, "prediction": y + rng.normal(size=250), "w": rng.uniform(0, 2, 250)})
    sw = f.w.to_numpy() if weighted else None
    want = {
        "rmse": np.sqrt(skm.mean_squared_error(f.y, f.prediction, sample_weight=sw)),
        "mae": skm.mean_absolute_error(f.y, f.prediction, sample_weight=sw),
        "r2": skm.r2_score(f.y, f.prediction, sample_weight=sw),
    }
    for metric, value in want.items():
        assert quiver.score(metric, f, "y", weight="w" if weighted else None) == pytest.approx(value, abs=TOL)


def test_f1_positive_class_follows_classes():
    f = _binary_frame()
    assert quiver.score("f1", f, "y", classes=[1, 0]) == pytest.approx(
        skm.f1_score(f.y, f.prediction, pos_label=0), abs=TOL)
    assert quiver.score("f1", f, "y", classes=np.array([0, 1])) == pytest.approx(skm.f1_score(f.y, f.prediction),
                                                                              abs=TOL)


@pytest.mark.parametrize("convert", [
    lambda f: f,
    pa.Table.from_pandas,
    pl.from_pandas,
    lambda f: {c: f[c].to_numpy() for c in f.columns},
], ids=["pandas", "pyarrow", "polars", "dict"])
def test_score_any_frame(convert):
    f, labels, p = _multiclass_frame()
    assert quiver.score("log_loss", convert(f), "y") == pytest.approx(skm.log_loss(f.y, p, labels=labels), abs=TOL)


def test_score_errors():
    regression = pd.DataFrame({"y": [1.5, 2.0, 3.0], "prediction": [1.0, 2.0, 3.0]})
    labels = pd.DataFrame({"y": ["a", "b"], "prediction": ["a", "a"]})
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy' \(did you mean 'accuracy'\?\)"):
        quiver.score("acuracy", regression, "y")
    with pytest.raises(ValueError, match='"auc".*continuous'):
        quiver.score("auc", regression, "y")
    with pytest.raises(ValueError, match='"log_loss" needs class probabilities'):
        quiver.score("log_loss", pd.DataFrame({"y": [0, 1], "prediction": [0.2, 0.7]}), "y")
    with pytest.raises(ValueError, match='"rmse" is a regression metric.*class labels'):
        quiver.score("rmse", labels, "y")
    with pytest.raises(ColumnNotFoundError, match="label"):
        quiver.score("accuracy", labels, "label")
    with pytest.raises(ColumnNotFoundError, match="prediction"):
        quiver.score("mae", regression[["y"]], "y")
    with pytest.raises(ValueError, match="missing"):
        quiver.score("mae", pd.DataFrame({"y": [1.0, np.nan], "prediction": [1.0, 2.0]}), "y")
    with pytest.raises(TypeError, match="target must be a column name"):
        quiver.score("mae", regression, 3)
    with pytest.raises(TypeError, match="class labels must be"):
        quiver.score("f1", labels, "y", classes=[None, "a"])


# ---------------------------------------------------------------------------
# validate


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 240
    x = rng.normal(size=(n, 3))
    y = 1.5 * x[:, 0] - x[:, 1] + 0.5 * rng.normal(size=n)
    return pd.DataFrame({
        "a": x[:, 0], "b": x[:, 1], "c": x[:, 2],
        "y": y,
        "label": (y + 0.5 * rng.normal(size=n) > 0).astype(np.int64),
        "kind": np.array(["low", "mid", "high"])[np.digitize(y, [-1, 1])],
        "site": rng.integers(0, 8, n),
        "when": rng.permutation(n),
    })


FEATURES = ["a", "b", "c"]


def _by_hand(step, frame, target, split, metrics):
    """Each fold fitted and scored outside validate, by scikit-learn."""
    out = []
    y = frame[target].to_numpy()
    for train, test in split.split(len(frame), y):
        predict, _, _ = step(frame.iloc[train].reset_index(drop=True), target=target)
        scored = predict(frame.iloc[test].reset_index(drop=True))
        row = {}
        for m in metrics:
            truth = scored[target]
            if m == "rmse":
                row[m] = np.sqrt(skm.mean_squared_error(truth, scored.prediction))
            elif m == "mae":
                row[m] = skm.mean_absolute_error(truth, scored.prediction)
            elif m == "r2":
                row[m] = skm.r2_score(truth, scored.prediction)
            elif m == "accuracy":
                row[m] = skm.accuracy_score(truth, scored.prediction)
            elif m == "balanced_accuracy":
                row[m] = skm.balanced_accuracy_score(truth, scored.prediction)
            else:
                classes = [c[len("probability_"):] for c in scored.columns if c.startswith("probability_")]
                probs = scored[[f"probability_{c}" for c in classes]].to_numpy()
                if m == "auc" and len(classes) == 2:
                    row[m] = skm.roc_auc_score(truth.astype(str) == classes[1], probs[:, 1])
                elif m == "auc":
                    row[m] = skm.roc_auc_score(truth.astype(str), probs, multi_class="ovr", labels=classes)
                elif m == "log_loss":
                    row[m] = skm.log_loss(truth.astype(str), probs, labels=classes)
                elif m == "f1" and len(classes) == 2:
                    row[m] = skm.f1_score(truth.astype(str), scored.prediction.astype(str), pos_label=classes[1])
                else:
                    row[m] = skm.f1_score(truth, scored.prediction, average="macro")
        out.append(row)
    return out


CASES = [
    ("gbdt multiclass", quiver.gbdt(features=FEATURES, max_iter=20, num_leaves=7, min_data_in_leaf=5), "kind",
     quiver.StratifiedKFold(3), ["auc", "log_loss", "accuracy", "balanced_accuracy", "f1"], ("auc", 0.8)),
    ("gbdt regression", quiver.gbdt(features=FEATURES, max_iter=30, num_leaves=7, min_data_in_leaf=5), "y",
     quiver.KFold(3), ["rmse", "mae", "r2"], ("r2", 0.6)),
    ("logistic_regression", quiver.logistic_regression(features=FEATURES), "label",
     quiver.StratifiedKFold(3, seed=4), ["auc", "log_loss", "accuracy", "balanced_accuracy", "f1"], ("auc", 0.85)),
    ("linear_regression", quiver.linear_regression(features=FEATURES), "y",
     quiver.KFold(3, seed=5), ["rmse", "mae", "r2"], ("r2", 0.8)),
]


@pytest.mark.parametrize("name, step, target, split, metrics, floor", CASES, ids=[c[0] for c in CASES])
def test_validate_matches_folds_by_hand(data, name, step, target, split, metrics, floor):
    scores, logs = quiver.validate(step, data, target=target, split=split, metrics=metrics)
    assert isinstance(scores, pd.DataFrame)
    assert list(scores.columns) == ["fold", "n_train", "n_test", "fit_seconds", *metrics]
    assert list(scores.fold) == [0, 1, 2]
    assert (scores.n_train + scores.n_test == len(data)).all()
    assert scores.n_test.sum() == len(data)
    assert (scores.fit_seconds > 0).all()
    assert len(logs) == 3 and all(isinstance(log, dict) and log for log in logs)
    metric, low = floor
    assert (scores[metric] > low).all(), scores
    for got, want in zip(scores.to_dict("records"), _by_hand(step, data, target, split, metrics)):
        for m in metrics:
            assert got[m] == pytest.approx(want[m], abs=TOL), (name, m)


@pytest.mark.parametrize("convert", [
    pa.Table.from_pandas,
    pl.from_pandas,
    lambda f: {c: f[c].to_numpy() for c in f.columns},
], ids=["pyarrow", "polars", "dict"])
def test_validate_any_frame(data, convert):
    step = quiver.linear_regression(features=FEATURES)
    want, _ = quiver.validate(step, data, target="y", split=quiver.KFold(3))
    got, _ = quiver.validate(step, convert(data), target="y", split=quiver.KFold(3))
    for m in ["rmse", "mae", "r2"]:  # the defaults for a float target
        np.testing.assert_allclose(got[m], want[m], rtol=0, atol=TOL)


def test_validate_defaults_and_plain_learner(data):
    # a learner function as it stands gets the target from validate
    scores, logs = quiver.validate(quiver.logistic_regression, data[FEATURES + ["label"]], target="label")
    assert len(scores) == 5
    assert list(scores.columns)[4:] == ["accuracy", "auc", "log_loss"]
    assert "logistic_regression" in logs[0]
    # Folds score only their held-out rows, not their training rows.
    assert all("score_training_seconds" not in log["logistic_regression"]["timings"] for log in logs)
    pipe = quiver.pipeline(("model", quiver.logistic_regression))
    _, logs = quiver.validate(pipe, data[FEATURES + ["label"]], target="label", split=quiver.KFold(2))
    assert all("score_training_seconds" not in log["model"]["logistic_regression"]["timings"] for log in logs)


def test_validate_group_and_time_columns(data):
    step = quiver.linear_regression(features=FEATURES)
    scores, _ = quiver.validate(step, data, target="y", split=quiver.GroupKFold(4, group="site"), metrics="r2")
    folds = list(quiver.GroupKFold(4).split(len(data), groups=data.site.to_numpy()))
    assert list(scores.n_test) == [len(te) for _, te in folds]
    scores, _ = quiver.validate(step, data, target="y", split=quiver.TimeSeriesSplit(3, order="when", gap=2),
                                metrics=["rmse"])
    assert list(scores.n_test) == [60, 60, 60]
    assert list(scores.n_train) == [58, 118, 178]


def test_validate_progress_bar(data, capsys):
    scores, _ = quiver.validate(quiver.linear_regression(features=FEATURES), data, target="y",
                                split=quiver.KFold(3), progress=True)
    assert len(scores) == 3
    assert "3/3" in capsys.readouterr().err


class _OneFold:
    n_splits = 2

    def split(self, frame_length, y=None, groups=None):
        yield np.arange(frame_length // 2), np.arange(frame_length // 2, frame_length)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"metrics": ["roc_auc"]}, ValueError, r"unknown metric 'roc_auc' \(did you mean 'auc'\?\)"),
    ({"metrics": ["logloss"]}, ValueError, r"did you mean 'log_loss'"),
    ({"metrics": ["auc"], "target": "y"}, ValueError,
     r"'auc' is a classification metric, but target column 'y' holds floats, so the task is regression"),
    ({"metrics": ["rmse"]}, ValueError,
     r"'rmse' is a regression metric, but target column 'label' holds integers with 2 distinct values.*"
     r"classification.*cast the target to float"),
    ({"metrics": ["mae"], "target": "kind"}, ValueError, r"'kind' holds strings, so the task is classification"),
    ({"metrics": []}, ValueError, "metrics is empty"),
    ({"split": _OneFold()}, ValueError, "at least 2 folds.*made 1"),
    ({"split": quiver.GroupKFold(3, group="clinic")}, ColumnNotFoundError, "group column 'clinic'"),
    ({"split": quiver.TimeSeriesSplit(3, order="date")}, ColumnNotFoundError, "order column 'date'"),
    ({"split": quiver.GroupKFold(3)}, ValueError, r"GroupKFold\(n_splits, group='<column>'\)"),
    ({"split": "kfold"}, TypeError, "split must be a splitter"),
    ({"target": "nope"}, ColumnNotFoundError, "target column 'nope'"),
    ({"progress": "yes"}, TypeError, "progress must be"),
])
def test_validate_bad_inputs(data, kwargs, error, match):
    kwargs = {"target": "label", **kwargs}
    with pytest.raises(error, match=match):
        quiver.validate(quiver.logistic_regression(features=FEATURES), data, **kwargs)


def test_validate_bad_steps(data):
    predict, _, _ = quiver.linear_regression(data, target="y", features=FEATURES)
    with pytest.raises(TypeError, match="fitted predictor"):
        quiver.validate(predict, data, target="y")
    with pytest.raises(TypeError, match=r"must return \(predict, scored, log\)"):
        quiver.validate(lambda frame, target: frame, data, target="y", split=quiver.KFold(2))
    missing = data.assign(y=data.y.where(data.index % 7 != 0))
    with pytest.raises(ValueError, match="'y' has 35 missing values"):
        quiver.validate(quiver.linear_regression(features=FEATURES), missing, target="y")
    # gbdt fits an integer target as a regression unless told otherwise
    with pytest.raises(ValueError, match=r"fold 0: .*\"auc\" needs class probabilities.*objective='log_loss'"):
        quiver.validate(quiver.gbdt(features=FEATURES, max_iter=5), data, target="label", metrics=["auc"])
