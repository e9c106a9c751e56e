"""Multi-layer perceptrons (``quiver.mlp``, ``quiver.sklearn.MLPClassifier``
and ``MLPRegressor``): parity with scikit-learn, fixed-size-list features,
determinism, early stopping, model files, bad input and the scikit-learn
wrappers.

Parity runs both libraries with the same network and training:

    quiver                   scikit-learn
    hidden_layers=(64, 64)   hidden_layer_sizes=(64, 64)
    activation="relu"        activation="relu"
    optimizer="adam"         solver="adam"
    learning_rate            learning_rate_init
    batch_size               batch_size
    max_iter (epochs)        max_iter, with tol=0 and n_iter_no_change=max_iter (every epoch runs)
    l2                       alpha
    seed                     random_state

scikit-learn gets features standardised with the training rows' mean and
standard deviation, as quiver does inside the model. The two initialise
their weights differently (quiver as PyTorch does, scikit-learn with
Glorot's bounds), so single seeds differ by a few test rows; the tests
compare accuracies and R² averaged over three seeds for both.
"""

from __future__ import annotations

import inspect
import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, make_friedman1
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import StandardScaler

import quiver
from quiver.sklearn import MLPClassifier, MLPRegressor

SEEDS = (0, 1, 2)
TRAINING = dict(batch_size=200, l2=1e-4, learning_rate=1e-3)


def _col(frame, name: str) -> np.ndarray:
    return np.asarray(frame[name])


def _split(X: np.ndarray, y: np.ndarray, stratify: bool = True):
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y if stratify else None)


def _sklearn(cls, epochs: int, seed: int, learning_rate: float):
    return cls(hidden_layer_sizes=(64, 64), activation="relu", solver="adam", max_iter=epochs,
               batch_size=TRAINING["batch_size"], alpha=TRAINING["l2"], learning_rate_init=learning_rate,
               random_state=seed, tol=0.0, n_iter_no_change=epochs)


# ---------------------------------------------------------------------------
# Parity with scikit-learn


@pytest.mark.parametrize("loader", [load_breast_cancer, load_digits], ids=["breast_cancer", "digits"])
def test_accuracy_matches_sklearn(loader):
    """Test accuracy of a (64, 64) ReLU network after 100 epochs of Adam,
    averaged over seeds 0, 1 and 2 for both libraries (on breast cancer's
    143 test rows one row is 0.007, and scikit-learn alone ranges from 0.951
    to 0.965 over these seeds): within 0.01 of scikit-learn's."""
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = _split(X, y)
    scaler = StandardScaler().fit(X_train)
    epochs = 100
    ours, theirs = [], []
    for seed in SEEDS:
        est = MLPClassifier(hidden_layers=(64, 64), max_iter=epochs, seed=seed, **TRAINING).fit(X_train, y_train)
        assert est.n_iter_ == epochs and len(est.loss_curve_) == epochs
        ours.append(est.score(X_test, y_test))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            sk = _sklearn(SkMLPClassifier, epochs, seed, TRAINING["learning_rate"])
            sk.fit(scaler.transform(X_train), y_train)
        theirs.append(sk.score(scaler.transform(X_test), y_test))
    assert np.mean(ours) > 0.94
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.01, (ours, theirs)


def test_regression_matches_sklearn():
    """Friedman #1 (2,000 rows, noise 1): test R² of a (64, 64) ReLU network
    after 150 epochs of Adam at learning rate 0.01 (the target is not
    standardised, by either library), averaged over seeds 0, 1 and 2 for
    both: within 0.02 of scikit-learn's MLPRegressor."""
    X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=0)
    X_train, X_test, y_train, y_test = _split(X, y, stratify=False)
    scaler = StandardScaler().fit(X_train)
    epochs, lr = 150, 0.01
    ours, theirs = [], []
    for seed in SEEDS:
        est = MLPRegressor(hidden_layers=(64, 64), max_iter=epochs, seed=seed, **{**TRAINING, "learning_rate": lr})
        ours.append(r2_score(y_test, est.fit(X_train, y_train).predict(X_test)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            sk = _sklearn(SkMLPRegressor, epochs, seed, lr).fit(scaler.transform(X_train), y_train)
        theirs.append(r2_score(y_test, sk.predict(scaler.transform(X_test))))
    assert np.mean(ours) > 0.88
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.02, (ours, theirs)


# ---------------------------------------------------------------------------
# The learner function


def _data(n: int = 600, seed: int = 5) -> dict[str, np.ndarray]:
    """Four features on very different scales; a regression target ``value``,
    a boolean ``label`` and a three-class string ``kind``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 4))
    x = z * np.array([1.0, 10.0, 0.1, 100.0]) + np.array([0.0, 5.0, -1.0, 300.0])
    signal = z[:, 0] + z[:, 1] * z[:, 2] - 0.5 * np.abs(z[:, 3])
    value = 2.0 * signal + 0.3 * rng.normal(size=n)
    kind = np.where(signal < -0.8, "ant", np.where(signal < 0.4, "bee", "cat"))
    return {"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "d": x[:, 3], "value": value, "label": signal > -0.2,
            "kind": kind}


FEATURES = ["a", "b", "c", "d"]
SMALL = dict(hidden_layers=[16, 8], max_iter=20, batch_size=64, learning_rate=0.01)


def test_log_summary_and_outputs():
    data = _data()
    predict, scored, log = quiver.mlp(data, target="kind", features=FEATURES, **SMALL)
    step = log["mlp"]
    assert step["objective"] == "log_loss" and step["epochs"] == 20 and len(step["loss"]) == 20
    assert step["loss"][-1] < step["loss"][0]
    assert step["n_inputs"] == 4 and step["n_params"] == 4 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3
    assert predict.summary["sizes"] == [4, 16, 8, 3] and predict.summary["activation"] == "relu"
    assert predict.outputs == ["prediction", "probability_ant", "probability_bee", "probability_cat"]
    np.testing.assert_allclose(predict.summary["mean"], [data[f].mean() for f in FEATURES], rtol=1e-12)
    np.testing.assert_allclose(predict.summary["scale"], [data[f].std() for f in FEATURES], rtol=1e-12)
    proba = np.column_stack([_col(scored, c) for c in predict.outputs[1:]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.mean(_col(scored, "prediction") == data["kind"]) > 0.7
    # Numbers are regressed, booleans classified.
    _, _, log = quiver.mlp(data, target="value", features=FEATURES, **SMALL)
    assert log["mlp"]["objective"] == "squared_error"
    predict, _, log = quiver.mlp(data, target="label", features=FEATURES, **SMALL)
    assert log["mlp"]["objective"] == "log_loss" and predict.summary["sizes"][-1] == 1


def test_fixed_size_list_equals_scalar_columns():
    """A fixed-size-list column is its values spread over scalar columns:
    the same standardisation, network and predictions."""
    data = _data()
    x = np.column_stack([data[f] for f in FEATURES])
    flat = pa.table({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "d": x[:, 3], "kind": data["kind"]})
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(x[:, :3].ravel()), 3)
    vec = pa.table({"v": vectors, "d": x[:, 3], "kind": data["kind"]})
    params = dict(target="kind", seed=3, **SMALL)
    p_flat, _, log_flat = quiver.mlp(flat, **params)
    p_vec, _, log_vec = quiver.mlp(vec, **params)
    assert p_vec.inputs == ["v", "d"] and p_vec.summary["input_widths"] == [3, 1]
    assert p_vec.summary["sizes"] == p_flat.summary["sizes"]
    assert log_vec["mlp"]["loss"] == log_flat["mlp"]["loss"]
    out_flat, out_vec = p_flat(flat), p_vec(vec)
    for name in p_flat.outputs:
        np.testing.assert_array_equal(_col(out_vec, name), _col(out_flat, name), err_msg=name)
    # The wrapper takes the same table, one list column among the features.
    est = MLPClassifier(**{**SMALL, "hidden_layers": (16, 8)}, seed=3)
    est.fit(vec.select(["v", "d"]), data["kind"])
    assert est.n_features_in_ == 2
    np.testing.assert_array_equal(est.predict_proba(vec.select(["v", "d"]))[:, 2], _col(out_vec, "probability_cat"))


def test_thread_count_does_not_change_the_model():
    data = _data(n=1000)
    params = dict(target="kind", features=FEATURES, hidden_layers=[32, 32], max_iter=5, batch_size=300,
                  dropout=0.2, seed=7)
    models = [quiver.mlp(data, n_threads=t, **params)[0] for t in (1, 2, 4)]
    assert models[0].to_bytes() == models[1].to_bytes() == models[2].to_bytes()
    expected = models[0](data, n_threads=1)
    for t in (2, 3):
        pd.testing.assert_frame_equal(pd.DataFrame(models[0](data, n_threads=t)), pd.DataFrame(expected))
    other = quiver.mlp(data, n_threads=2, **{**params, "seed": 8})[0]
    assert other.to_bytes() != models[0].to_bytes()


def _overfit_split(kind: str, n_train: int = 150, n_valid: int = 400, seed: int = 9):
    """A weak signal in a lot of noise: a wide network overfits it in a few epochs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_train + n_valid, 5))
    signal = x[:, 0] + 2.0 * rng.normal(size=len(x))
    y = signal > 0 if kind == "classification" else signal
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(5)]).assign(y=y)
    return frame.iloc[:n_train].reset_index(drop=True), frame.iloc[n_train:].reset_index(drop=True)


OVERFIT = dict(hidden_layers=[64, 64], batch_size=32, learning_rate=0.01, l2=0.0)


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_early_stopping_keeps_the_best_epoch(kind):
    train, valid = _overfit_split(kind)
    rounds, max_iter = 5, 500
    predict, _, log = quiver.mlp(train, target="y", valid=valid, max_iter=max_iter, early_stopping_rounds=rounds,
                                 **OVERFIT)
    step = log["mlp"]
    best, losses = step["best_iteration"], step["valid_loss"]
    assert 1 <= best and step["epochs"] == best + rounds < max_iter
    assert len(losses) == len(step["loss"]) == best + rounds
    assert losses[best - 1] == min(losses) == step["best_score"]
    # The kept model is the best epoch's: its validation loss, and the model
    # of exactly `best` epochs.
    out = predict(valid)
    y = valid["y"].to_numpy()
    if kind == "classification":
        p = _col(out, "probability_true")
        loss = -np.mean(np.where(y, np.log(p), np.log1p(-p)))
    else:
        loss = np.mean(0.5 * (_col(out, "prediction") - y) ** 2)
    assert loss == pytest.approx(losses[best - 1], rel=1e-5)
    exact, _, _ = quiver.mlp(train, target="y", valid=valid, max_iter=best, **OVERFIT)
    pd.testing.assert_frame_equal(exact(valid), out, check_exact=True)


def test_validation_fraction():
    train, _ = _overfit_split("classification", n_train=400)
    _, _, log = quiver.mlp(train, target="y", max_iter=500, early_stopping_rounds=4, validation_fraction=0.25,
                           **OVERFIT)
    step = log["mlp"]
    assert step["epochs"] == step["best_iteration"] + 4 < 500
    assert step["valid_loss"][step["best_iteration"] - 1] == min(step["valid_loss"])
    with pytest.raises(ValueError, match="early_stopping_rounds"):
        quiver.mlp(train, target="y", early_stopping_rounds=4)


def test_save_load_and_pickle_round_trips(tmp_path):
    data = _data()
    probe = {f: data[f][:50] for f in FEATURES}
    for target in ("value", "label", "kind"):
        predict, _, _ = quiver.mlp(data, target=target, features=FEATURES, **SMALL)
        expected = pd.DataFrame(predict(probe))
        path = tmp_path / f"{target}.arrow"
        predict.save(path)
        for how, again in [("load", quiver.load(path)), ("pickle", pickle.loads(pickle.dumps(predict))),
                           ("bytes", quiver.Predictor.from_bytes(predict.to_bytes()))]:
            assert again.to_bytes() == predict.to_bytes(), (target, how)
            assert again.summary == predict.summary and again.outputs == predict.outputs
            pd.testing.assert_frame_equal(pd.DataFrame(again(probe)), expected, check_exact=True,
                                          obj=f"{target} after {how}")


# ---------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("hidden, message", [
    ("[64, 0]", r"hidden_layers.*entry 2 is 0"),
    ([64, 0], r"hidden_layers.*entry 2 is 0"),
    ((32, -1), r"hidden_layers.*entry 2 is -1"),
    ("64,,32", r"hidden_layers.*entry 2 is empty"),
    ("[64,]", r"hidden_layers.*list of layer widths"),
    ([1.5], r"hidden_layers.*entry 1 is not a whole number"),
    ([100_000], r"hidden_layers.*65536"),
])
def test_bad_hidden_layers(hidden, message):
    with pytest.raises(ValueError, match=message):
        quiver.mlp(_data(100), target="value", features=FEATURES, hidden_layers=hidden)
    with pytest.raises(ValueError, match=message):
        MLPRegressor(hidden_layers=hidden).fit(np.zeros((20, 2)), np.arange(20.0))


def test_diverging_learning_rate_stops_with_the_epoch():
    data = _data(300)
    data["value"] = data["value"] * 1e4
    with pytest.raises(ValueError, match=r"diverged at epoch \d+.*learning_rate"):
        quiver.mlp(data, target="value", features=FEATURES, optimizer="sgd", learning_rate=5.0, max_iter=50)


@pytest.mark.parametrize("missing", ["nan", "null"])
def test_missing_feature_values(missing):
    data = _data(200)
    if missing == "nan":
        data["b"] = data["b"].copy()
        data["b"][7] = np.nan
        frame = data
    else:
        frame = pa.table({**data, "b": pa.array(data["b"], mask=np.arange(200) == 7)})
    with pytest.raises(ValueError, match=r"feature 'b'|feature \"b\"") as info:
        quiver.mlp(frame, target="value", features=FEATURES)
    assert "missing" in str(info.value)


def test_infinite_feature_values():
    data = _data(200)
    data["c"] = np.where(np.arange(200) == 11, np.inf, data["c"])
    with pytest.raises(ValueError, match=r"\"c\" has 1 missing or infinite value"):
        quiver.mlp(data, target="value", features=FEATURES)
    predict, _, _ = quiver.mlp(_data(200), target="value", features=FEATURES, max_iter=2)
    with pytest.raises(ValueError, match=r"\"c\".*infinite"):
        predict(data)
    with pytest.raises(ValueError, match=r"validation frame.*\"c\".*infinite"):
        quiver.mlp(_data(200), target="value", features=FEATURES, valid=data, max_iter=2)
    # Finite values that overflow float32 once standardised: a clear error
    # rather than a log the engine cannot encode.
    far = {**_data(200), "c": _data(200)["c"] * 1e300}
    with pytest.raises(ValueError, match=r"validation loss is .* at epoch 1.*far outside"):
        quiver.mlp(_data(200), target="value", features=FEATURES, valid=far, max_iter=2)


def test_strings_and_categories_point_to_encoding():
    data = _data(200)
    for column in (np.where(data["a"] > 0, "up", "down"), pd.Categorical(np.where(data["a"] > 0, "up", "down"))):
        frame = pd.DataFrame({**data, "color": column})
        with pytest.raises(TypeError, match=r"(?s)\"color\".*encode it first \(one-hot or ordinal"):
            quiver.mlp(frame, target="value", features=["a", "color"])
    with pytest.raises(TypeError, match="one-hot"):
        MLPClassifier().fit(pd.DataFrame({"a": data["a"], "color": np.where(data["a"] > 0, "up", "down")}),
                            data["label"])


def test_list_rows_of_different_lengths():
    rows = [[1.0, 2.0] if i % 3 else [1.0] for i in range(60)]
    frame = pa.table({"v": pa.array(rows), "y": np.arange(60.0)})
    with pytest.raises(TypeError, match=r"\"v\".*differ in length.*fixed-size list"):
        quiver.mlp(frame, target="y")


def test_target_that_does_not_fit_the_task():
    data = _data(200)
    with pytest.raises(TypeError, match=r"\"kind\".*squared_error"):
        quiver.mlp(data, target="kind", features=FEATURES, objective="squared_error")
    with pytest.raises(ValueError, match=r"\"value\".*continuous"):
        quiver.mlp(data, target="value", features=FEATURES, objective="log_loss")
    with pytest.raises(ValueError, match="single class"):
        quiver.mlp({"a": data["a"], "y": np.full(200, "same")}, target="y")
    X = np.column_stack([data[f] for f in FEATURES])
    with pytest.raises(TypeError, match="numeric y"):
        MLPRegressor().fit(X, data["kind"])
    with pytest.raises(ValueError, match="continuous"):
        MLPClassifier().fit(X, data["value"])


def test_weights_are_refused():
    data = {**_data(100), "w": np.ones(100)}
    with pytest.raises(ValueError, match="weight"):
        quiver.mlp(data, target="value", features=FEATURES, weight="w")
    X = np.column_stack([data[f] for f in FEATURES])
    for est in (MLPClassifier(), MLPRegressor()):
        with pytest.raises(TypeError, match="does not support sample_weight"):
            est.fit(X, data["label"], sample_weight=np.ones(100))
        with pytest.raises(TypeError, match="unexpected keyword"):
            est.fit(X, data["label"], sample_size=3)


# ---------------------------------------------------------------------------
# scikit-learn wrappers


def test_wrapper_params_are_the_space():
    sp = quiver.space("mlp")
    names = [n for n in sp.names() if n != "objective"]
    defaults = {n: sp.defaults()[n] for n in names}
    defaults["hidden_layers"] = tuple(json.loads(defaults["hidden_layers"]))
    assert defaults["hidden_layers"] == (100,)
    for cls in (MLPClassifier, MLPRegressor):
        params = inspect.signature(cls).parameters
        assert list(params) == names
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
        assert cls().get_params() == defaults


def test_wrapper_clone_and_set_params():
    for est in (MLPClassifier(), MLPClassifier(hidden_layers=[32, 16], activation="tanh"), MLPRegressor(hidden_layers=8)):
        copy = clone(est)
        assert copy is not est and copy.get_params() == est.get_params()
    est = MLPClassifier(hidden_layers=(8,))
    assert est.set_params(hidden_layers=(4, 4), max_iter=3) is est
    assert est.get_params()["hidden_layers"] == (4, 4)


def test_hidden_layers_forms_give_the_same_model():
    data = _data(300)
    X, y = np.column_stack([data[f] for f in FEATURES]), data["value"]
    reference = MLPRegressor(hidden_layers=(12,), max_iter=5).fit(X, y)
    for form in ([12], 12, np.int64(12), np.array([12]), "12", "[12]"):
        est = MLPRegressor(hidden_layers=form, max_iter=5).fit(X, y)
        assert est.predictor_.summary["sizes"] == [4, 12, 1], form
        np.testing.assert_array_equal(est.predict(X), reference.predict(X), err_msg=str(form))
    linear = MLPRegressor(hidden_layers=(), max_iter=5).fit(X, y)
    assert linear.predictor_.summary["sizes"] == [4, 1]


def test_classifier_wrapper_with_string_labels():
    data = _data()
    X, y = pd.DataFrame({f: data[f] for f in FEATURES}), data["kind"]
    est = MLPClassifier(**{**SMALL, "hidden_layers": (16, 8)})
    assert est.fit(X, y) is est
    assert list(est.classes_) == ["ant", "bee", "cat"]
    assert list(est.feature_names_in_) == FEATURES and est.n_features_in_ == 4
    assert est.n_iter_ == 20 and est.loss_curve_ == est.log_["loss"]
    assert not hasattr(est, "best_iteration_") and not hasattr(est, "validation_loss_curve_")
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = est.predict(X)
    np.testing.assert_array_equal(pred, est.classes_[proba.argmax(axis=1)])
    assert est.score(X, y) > 0.7
    # The wrapper is quiver.mlp with objective log_loss; columns are read by name.
    direct, _, _ = quiver.mlp(data, target="kind", features=FEATURES, **SMALL)
    for k, label in enumerate(est.classes_):
        np.testing.assert_array_equal(proba[:, k], _col(direct(data), f"probability_{label}"))
    np.testing.assert_array_equal(est.predict_proba(X[list(reversed(FEATURES))]), proba)
    # Integer labels with a numpy X: still a classifier.
    numeric = MLPClassifier(hidden_layers=(8,), max_iter=5).fit(X.to_numpy(), np.searchsorted(est.classes_, y) * 3)
    assert list(numeric.classes_) == [0, 3, 6] and set(numeric.predict(X.to_numpy())) <= {0, 3, 6}


def test_regressor_wrapper():
    data = _data()
    X = np.column_stack([data[f] for f in FEATURES])
    est = MLPRegressor(hidden_layers=(32,), max_iter=40, learning_rate=0.01).fit(X, data["value"])
    assert est.log_["objective"] == "squared_error"
    assert est.predict(X).shape == (len(X),) and est.score(X, data["value"]) > 0.8
    direct, _, _ = quiver.mlp(data, target="value", features=FEATURES, hidden_layers=[32], max_iter=40,
                              learning_rate=0.01)
    renamed = {f"x{j}": data[f] for j, f in enumerate(FEATURES)}
    np.testing.assert_array_equal(est.predict(X), _col(direct({f: data[f] for f in FEATURES}), "prediction"))
    assert est.predictor_.inputs == list(renamed)


def test_wrapper_eval_set_and_early_stopping():
    train, valid = _overfit_split("classification")
    X, y, Xv, yv = train.drop(columns="y"), train["y"], valid.drop(columns="y"), valid["y"]
    est = MLPClassifier(max_iter=500, early_stopping_rounds=5, **{**OVERFIT, "hidden_layers": (64, 64)})
    est.fit(X, y, eval_set=(Xv, yv))
    assert est.best_iteration_ == est.log_["best_iteration"]
    assert est.n_iter_ == est.best_iteration_ + 5 < 500 == est.max_iter
    assert len(est.validation_loss_curve_) == len(est.loss_curve_) == est.n_iter_
    # validation_fraction validates too; refitting without validation forgets it.
    est.set_params(validation_fraction=0.3).fit(X, y)
    assert est.n_iter_ == est.best_iteration_ + 5
    est.set_params(early_stopping_rounds=0, validation_fraction=0.0, max_iter=3).fit(X, y)
    assert not hasattr(est, "best_iteration_") and est.n_iter_ == 3


def test_wrappers_in_cross_val_score_and_pickle():
    X, y = load_breast_cancer(return_X_y=True)
    accuracy = cross_val_score(MLPClassifier(hidden_layers=(16,), max_iter=30), X, y,
                               cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert accuracy.shape == (3,) and np.all(accuracy > 0.9)
    est = MLPClassifier(hidden_layers=(16,), max_iter=10).fit(X, np.where(y == 1, "benign", "malignant"))
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    assert list(again.classes_) == ["benign", "malignant"] and again.get_params() == est.get_params()


def test_wrapper_unfitted_raises_not_fitted_error():
    for method in (MLPClassifier().predict, MLPClassifier().predict_proba, MLPRegressor().predict):
        with pytest.raises(NotFittedError):
            method(np.zeros((3, 2)))
