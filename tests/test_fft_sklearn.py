"""quiver.sklearn.FFTClassifier: the fast-and-frugal tree as a scikit-learn
classifier."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score

import quiver
from quiver.sklearn import FFTClassifier

# The FFTrees reference data, in shared/ beside the repository (or where
# $QUIVER_FFTREES_DATA says, as in test_fft.py); the tests that read it skip
# where it is absent.
FFTREES = Path(os.environ.get("QUIVER_FFTREES_DATA",
                              Path(__file__).resolve().parents[2] / "shared" / "data" / "fftrees"))
needs_fftrees = pytest.mark.skipif(not (FFTREES / "heartdisease.train.csv").is_file(),
                                   reason=f"FFTrees reference data not found in {FFTREES}")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """400 rows: two numeric cues, a categorical one, and string labels."""
    rng = np.random.default_rng(11)
    n = 400
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    c = rng.choice(["red", "green", "blue"], size=n)
    score = 1.2 * a - 0.8 * b + (c == "red") + rng.normal(scale=0.8, size=n)
    return pd.DataFrame({"a": a, "b": b, "c": c, "label": np.where(score > 0.3, "sick", "well")})


@pytest.fixture(scope="module")
def X(frame) -> pd.DataFrame:
    return frame[["a", "b", "c"]]


@pytest.fixture(scope="module")
def y(frame) -> np.ndarray:
    return frame["label"].to_numpy()


@pytest.fixture(scope="module")
def fitted(X, y) -> FFTClassifier:
    return FFTClassifier(max_levels=3).fit(X, y)


def exits(clf: FFTClassifier, X) -> np.ndarray:
    """Each row's exit, as (level, decision) codes."""
    out = clf.predictor_(X, exit_level=True)
    return out["exit_level"].to_numpy() * 2 + out["prediction"].to_numpy().astype(int)


# --------------------------------------------------------------------------
# Fitting and predicting


def test_fit_on_a_frame(fitted, X, y):
    clf = fitted
    assert list(clf.classes_) == ["sick", "well"]
    assert clf.n_features_in_ == 3
    assert list(clf.feature_names_in_) == ["a", "b", "c"]
    assert clf.tree_ == clf.predictor_.summary["tree"]
    assert clf.tree_.startswith("If ")
    assert clf.log_["tree"] == clf.tree_
    assert clf.log_["trees"][0]["rank"] == 1
    assert not hasattr(clf, "n_iter_")
    pred = clf.predict(X)
    assert pred.shape == (len(X),)
    assert set(pred) <= {"sick", "well"}
    assert clf.score(X, y) > 0.7


def test_same_tree_as_the_learner(fitted, frame):
    """classes_[1] ("well") is the tree's True."""
    data = frame.assign(label=frame["label"] == "well")
    predict, _, _ = quiver.fft(data, target="label", max_levels=3)
    assert fitted.tree_ == predict.summary["tree"]
    decided = predict(data)["prediction"].to_numpy()
    np.testing.assert_array_equal(fitted.predict(frame[["a", "b", "c"]]), np.where(decided, "well", "sick"))


def test_fit_returns_self(X, y):
    clf = FFTClassifier()
    assert clf.fit(X, y) is clf


def test_numpy_arrays():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = (X[:, 2] - 0.5 * X[:, 0] + rng.normal(scale=0.5, size=300) > 0).astype(np.int64)
    clf = FFTClassifier().fit(X, y)
    assert list(clf.classes_) == [0, 1]
    assert clf.n_features_in_ == 4
    assert not hasattr(clf, "feature_names_in_")
    assert "x2" in clf.tree_  # numpy columns are named x0, x1, ...
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    assert clf.score(X, y) > 0.7
    # A frame fitted after an array drops the array's lack of names, and back.
    clf.fit(pd.DataFrame(X, columns=list("pqrs")), y)
    assert list(clf.feature_names_in_) == list("pqrs")
    clf.fit(X, y)
    assert not hasattr(clf, "feature_names_in_")


@pytest.mark.parametrize("labels", [("no", "yes"), (3, 7), (False, True), (-1.0, 1.0)])
def test_any_two_labels(X, frame, labels):
    """The second of the sorted classes_ is the tree's True, whatever the labels."""
    negative, positive = labels
    y = np.where(frame["label"] == "well", positive, negative)
    clf = FFTClassifier(max_levels=3).fit(X, y)
    assert list(clf.classes_) == [negative, positive]
    reference = FFTClassifier(max_levels=3).fit(X, frame["label"].to_numpy())  # "well" is True there too
    assert clf.tree_ == reference.tree_
    np.testing.assert_array_equal(clf.predict(X) == positive, reference.predict(X) == "well")


def test_positive_class_is_the_greater_label(X, frame):
    """Here the greater label names the other class: the tree turns round."""
    y = np.where(frame["label"] == "well", "alpha", "zeta")
    clf = FFTClassifier(max_levels=3).fit(X, y)
    assert list(clf.classes_) == ["alpha", "zeta"]
    predict, _, _ = quiver.fft(frame.assign(label=frame["label"] == "sick"), target="label", max_levels=3)
    assert clf.tree_ == predict.summary["tree"]


# --------------------------------------------------------------------------
# Probabilities


def test_predict_proba(fitted, X):
    clf = fitted
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba[:, 1], clf.predictor_(X)["probability_true"].to_numpy())


def test_predict_proba_agrees_with_predict(fitted, X, y):
    """Both come from the row's exit: rows leaving through the same exit get
    the same class and the same probabilities, and the probabilities are the
    class shares of the training cases at that exit."""
    clf = fitted
    proba, pred, exit_of = clf.predict_proba(X), clf.predict(X), exits(clf, X)
    for e in np.unique(exit_of):
        rows = exit_of == e
        assert len(set(pred[rows])) == 1
        np.testing.assert_allclose(proba[rows], proba[rows][:1].repeat(rows.sum(), axis=0))
        # X is the training frame: the share of classes_[1] among its rows here.
        np.testing.assert_allclose(proba[rows][0, 1], np.mean(y[rows] == clf.classes_[1]))
    # On this data every exit's decision is also its training majority.
    np.testing.assert_array_equal(clf.classes_[np.argmax(proba, axis=1)], pred)


# --------------------------------------------------------------------------
# scikit-learn machinery


def test_params_are_the_space_defaults():
    params = FFTClassifier().get_params()
    assert params == quiver.space("fft").defaults()


def test_clone_get_and_set_params(fitted):
    clf = FFTClassifier(algorithm="dfan", max_levels=2, cue_costs={"a": 0.5})
    assert clf.get_params()["algorithm"] == "dfan"
    copy = clone(clf)
    assert copy is not clf
    assert copy.get_params() == clf.get_params()
    assert clf.set_params(max_levels=3, goal="acc") is clf
    assert (clf.max_levels, clf.goal) == (3, "acc")
    fitted_copy = clone(fitted)
    assert not hasattr(fitted_copy, "predictor_")
    with pytest.raises(NotFittedError):
        fitted_copy.predict(np.zeros((2, 3)))


def test_hyperparameters_reach_the_learner(X, y):
    one = FFTClassifier(max_levels=1).fit(X, y)
    assert len(one.predictor_.summary["levels"]) == 1
    given = "If b > 0, decide False, otherwise, decide True."
    assert FFTClassifier(tree=given).fit(X, y).tree_ == given
    with pytest.raises(ValueError, match="algorithm"):
        FFTClassifier(algorithm="bogus").fit(X, y)


def test_cross_val_score(X, y):
    accuracy = cross_val_score(FFTClassifier(), X, y, cv=3)
    assert accuracy.shape == (3,)
    assert np.all(accuracy > 0.6)
    auc = cross_val_score(FFTClassifier(), X, y, cv=3, scoring="roc_auc")
    assert np.all((auc > 0.6) & (auc <= 1))


def test_grid_search(X, y):
    search = GridSearchCV(FFTClassifier(), {"max_levels": [1, 3], "algorithm": ["ifan", "dfan"]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["max_levels"] in (1, 3)
    assert search.predict(X).shape == (len(X),)


def test_bagging_resamples_rather_than_weights(X, y):
    """fit does not declare sample_weight, so bagging resamples rows."""
    bag = BaggingClassifier(FFTClassifier(), n_estimators=4, random_state=0).fit(X, y)
    assert bag.score(X, y) > 0.7


def test_pickle_round_trip(fitted, X):
    back = pickle.loads(pickle.dumps(fitted))
    assert back.tree_ == fitted.tree_
    np.testing.assert_array_equal(back.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(back.predict_proba(X), fitted.predict_proba(X))
    assert back.get_params() == fitted.get_params()


# --------------------------------------------------------------------------
# Errors


def test_three_classes_or_one_class(X, frame):
    three = np.where(frame["a"] > 0.5, "high", np.where(frame["a"] < -0.5, "low", "mid"))
    with pytest.raises(ValueError, match="Only binary classification is supported.*got 3 classes"):
        FFTClassifier().fit(X, three)
    with pytest.raises(ValueError, match="got 1 class"):
        FFTClassifier().fit(X, np.full(len(X), "sick"))


def test_continuous_target(X, frame):
    with pytest.raises(ValueError, match="continuous"):
        FFTClassifier().fit(X, frame["a"].to_numpy())


def test_sample_weight_is_refused(X, y):
    with pytest.raises(TypeError, match="does not support sample_weight"):
        FFTClassifier().fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(TypeError, match="unexpected keyword"):
        FFTClassifier().fit(X, y, eval_set=(X, y))
    FFTClassifier().fit(X, y, sample_weight=None)  # None is no weighting, as in scikit-learn


def test_wrong_number_of_features(fitted, X):
    with pytest.raises(ValueError, match="X has 2 features"):
        fitted.predict(X[["a", "b"]])


# --------------------------------------------------------------------------
# The FFTrees reference data


@needs_fftrees
def test_heartdisease_reference_tree():
    import csv

    train = pd.read_csv(FFTREES / "heartdisease.train.csv")
    test = pd.read_csv(FFTREES / "heartdisease.test.csv")
    with open(FFTREES / "reference.csv", newline="") as f:
        ref = next(r for r in csv.DictReader(f) if r["dataset"] == "heartdisease" and r["algorithm"] == "ifan")
    features = [c for c in train.columns if c != "diagnosis"]
    clf = FFTClassifier().fit(train[features], train["diagnosis"])
    assert list(clf.classes_) == [False, True]
    assert clf.tree_ == ref["tree"]
    bacc = balanced_accuracy_score(test["diagnosis"], clf.predict(test[features]))
    assert bacc >= float(ref["test_bacc"]) - 0.01


@needs_fftrees
def test_an_exit_may_decide_against_its_majority():
    """The ifan tree of the mushrooms (FFTrees' own) sends 218 poisonous
    training mushrooms and no edible one to an exit deciding "edible": its
    probability of poisonous is 1 while predict says edible. predict is the
    tree; predict_proba the exit's training shares."""
    train = pd.read_csv(FFTREES / "mushrooms.train.csv")
    features = [c for c in train.columns if c not in ("poisonous", "vtype")]
    y = np.where(train["poisonous"], "poisonous", "edible")
    clf = FFTClassifier().fit(train[features], y)
    proba, pred = clf.predict_proba(train[features]), clf.predict(train[features])
    against = (pred == "edible") & (proba[:, 1] == 1.0)
    assert against.sum() == 218
