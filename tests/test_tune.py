"""quiver.tune: random search, TPE and successive halving find a known
optimum; real learners tune; bad input is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quiver
from quiver import Space

# A learner written in Python with one parameter, x: it predicts x·a for a
# target y = 0.3·a, so the cross-validated RMSE is smallest at x = 0.3.
SPACE = Space.from_dict({"learner": "slope", "doc": "", "params": [
    {"name": "x", "kind": "float", "low": 0.0, "high": 1.0, "default": 0.5, "doc": ""},
    {"name": "n_threads", "kind": "int", "low": 0, "high": 8, "default": 0, "doc": "", "runtime": True},
]})


def slope(data, *, target, x=0.5, **_):
    def predict(frame):
        frame = pd.DataFrame(frame).copy()
        frame["prediction"] = x * frame["a"]
        return frame

    return predict, predict(data), {"slope": {"x": x}}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(600)
    return pd.DataFrame({"a": a, "y": 0.3 * a})


@pytest.mark.parametrize("method", ["random", "tpe", "halving"])
def test_finds_the_known_optimum(frame, method):
    if method == "tpe":
        pytest.importorskip("optuna")
    result = quiver.tune(slope, frame, target="y", metric="rmse", space=SPACE, n_trials=40, method=method,
                         seed=1, progress=False)
    assert abs(result.best_params["x"] - 0.3) < 0.05
    assert "n_threads" not in result.best_params
    trials = result.trials
    assert len(trials) >= 40 and {"trial", "param_x", "rmse", "rmse_std", "rows_share", "seconds"} <= set(trials)
    assert result.best_score == pytest.approx(trials[trials["rows_share"] == 1]["rmse"].min())
    assert result.log == {"slope": {"x": result.best_params["x"]}}


def test_tunes_a_real_learner_in_parallel():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, 3))
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["y"] = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.standard_normal(400)) > 0
    step = quiver.gbdt(max_iter=20, objective="log_loss")
    result = quiver.tune(step, df, target="y", metric="auc", n_trials=4, parallel=2, progress=False)
    assert result.best_score > 0.8
    # the space's tuned parameters, less those the step fixed
    tuned = {p.name for p in quiver.space("gbdt") if p.tuned}
    assert set(result.best_params) == tuned - {"max_iter"}
    narrowed = quiver.tune(step, df, target="y", metric="auc", n_trials=2, progress=False,
                           search=["learning_rate", "colsample"])
    assert set(narrowed.best_params) == {"learning_rate", "colsample"}
    assert result.predict(df)["probability_true"].between(0, 1).all()


def test_bad_input(frame):
    with pytest.raises(ValueError, match="method must be one of"):
        quiver.tune(slope, frame, target="y", metric="rmse", space=SPACE, method="grid")
    with pytest.raises(ValueError, match="n_trials must be at least 1"):
        quiver.tune(slope, frame, target="y", metric="rmse", space=SPACE, n_trials=0)
    empty = Space.from_dict({"learner": "none", "doc": "", "params": []})
    with pytest.raises(ValueError, match="nothing to search"):
        quiver.tune(slope, frame, target="y", metric="rmse", space=empty)
    with pytest.raises(TypeError, match="pass space="):
        quiver.tune(slope, frame, target="y", metric="rmse")
    with pytest.raises(ValueError, match=r"search names \['y'\] not in the space"):
        quiver.tune(slope, frame, target="y", metric="rmse", space=SPACE, search=["y"])


def test_curried_parameters_are_not_searched():
    from quiver._tune import _fixed

    assert _fixed(quiver.gbdt(max_iter=20, objective="log_loss", target="y")) == {"max_iter", "objective"}
    pipe = quiver.pipeline(("scale", quiver.standard_scaler()), ("model", quiver.gbdt(num_leaves=7)))
    assert _fixed(pipe) == {"model__num_leaves"}


class InterruptAt:
    """The slope step, pressing Ctrl-C (raising KeyboardInterrupt) on its
    `at`-th fit; validate fits it once per fold."""

    def __init__(self, at: int) -> None:
        self.at, self.calls = at, 0
        self.lock = __import__("threading").Lock()

    def __call__(self, data, *, target, x=0.5, **_):
        with self.lock:
            self.calls += 1
            now = self.calls
        if now == self.at:
            raise KeyboardInterrupt
        return slope(data, target=target, x=x)


@pytest.mark.parametrize("method,parallel", [("random", 1), ("random", 2), ("halving", 1), ("tpe", 1)])
def test_ctrl_c_keeps_the_finished_trials(frame, method, parallel):
    if method == "tpe":
        pytest.importorskip("optuna")
    folds = 3
    step = InterruptAt(at=5 * folds + 2)  # during the sixth trial's second fold
    result = quiver.tune(step, frame, target="y", metric="rmse", space=SPACE, n_trials=30, method=method,
                         split=quiver.KFold(folds), parallel=parallel, seed=1, progress=False)
    assert result.interrupted
    trials = result.trials
    if method == "halving":
        # the first rung (a share of the rows) was under way: nothing ran on all rows
        assert (trials["rows_share"] < 1).all() and result.best_params == {} and result.predict is None
        return
    done = len(trials)
    assert 1 <= done <= 6 and done < 30
    assert sorted(trials["trial"]) == list(trials["trial"])
    best = trials.loc[trials["rmse"].idxmin()]
    assert result.best_params == {"x": best["param_x"]} and result.best_score == best["rmse"]
    # the best so far is refitted and predicts
    assert result.predict is not None and "prediction" in result.predict(frame)
    assert step.calls < 30 * folds
