"""Pipelines: named steps fitted in turn; feature steps that replace columns
in every frame type; one model file for pipelines of quiver learners, a
picklable chain for pipelines with Python steps; nesting; the namespaced
space; and every kind of bad input."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import quiver
from quiver.errors import ModelFileError

PREPROCESS = ["standard_scaler", "imputer", "one_hot"]
MISSING = [name for name in PREPROCESS if name not in quiver.learners()]
needs_preprocess = pytest.mark.skipif(
    bool(MISSING), reason=f"the feature steps {MISSING} are not in the engine yet (estimators/preprocess)")

FAST_GBDT = {"max_iter": 15, "num_leaves": 7, "min_data_in_leaf": 5}
KINDS = ["pandas", "polars", "table", "batch", "dict"]


# ---------------------------------------------------------------------------
# Data and Python steps (module-level, so that their predict functions pickle)


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """300 rows: numbers on different scales with missing values, a string
    category, and a yes/no label that depends on all of them."""
    rng = np.random.default_rng(7)
    n = 300
    a = rng.normal(size=n) * 10 + 3
    b = rng.normal(size=n)
    c = rng.choice(["red", "green", "blue"], size=n)
    d = rng.integers(0, 5, size=n).astype(np.float64)
    logit = 0.2 * (a - 3) + 1.5 * b + (c == "red") - 0.3 * d
    label = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    b[::7] = np.nan
    return pd.DataFrame({"a": a, "b": b, "c": c, "d": d, "label": label})


@pytest.fixture(scope="module")
def numeric(mixed) -> pd.DataFrame:
    """``mixed`` without the category and the missing values."""
    return mixed.drop(columns=["c"]).assign(b=mixed["b"].fillna(0.0))


class AbsLog:
    """The predict function of the ``add_abs_log`` Python step."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{f"abslog_{self.column}": np.log1p(np.abs(frame[self.column]))})


def add_abs_log(frame: pd.DataFrame, target: str | None = None):
    """A Python step: adds log(1 + |a|); it takes ``target`` and logs it."""
    predict = AbsLog("a")
    return predict, predict(frame), {"added": ["abslog_a"], "target": target}


def drop_label(frame: pd.DataFrame):
    """A Python step that (wrongly) drops the target."""
    def predict(f):
        return f.drop(columns=["label"])

    return predict, predict(frame), {}


def boom(frame):
    """A Python step that fails."""
    raise RuntimeError("boom: this step always fails")


def not_a_triple(frame):
    """A Python step that returns the wrong thing."""
    return frame


def as_kind(frame: pd.DataFrame, kind: str):
    if kind == "pandas":
        return frame
    if kind == "polars":
        return pl.from_pandas(frame)
    if kind == "table":
        return pa.Table.from_pandas(frame, preserve_index=False)
    if kind == "batch":
        return pa.RecordBatch.from_pandas(frame, preserve_index=False)
    return {name: frame[name].to_numpy() for name in frame.columns}


def column(frame, name: str) -> np.ndarray:
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return frame.column(name).to_numpy()
    if isinstance(frame, pl.DataFrame):
        return frame[name].to_numpy()
    return np.asarray(frame[name])


def names_of(frame) -> list[str]:
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return list(frame.schema.names)
    return list(frame.columns) if hasattr(frame, "columns") else list(frame)


# ---------------------------------------------------------------------------
# Feature steps on their own


@needs_preprocess
def test_feature_step_needs_no_target(numeric):
    assert quiver.space("standard_scaler").transformer and not quiver.space("gbdt").transformer
    predict, scored, log = quiver.standard_scaler(numeric.drop(columns=["label"]))
    assert predict.replaces == ["a", "b", "d"]
    x = scored["a"].to_numpy()
    assert abs(x.mean()) < 1e-12 and abs(x.std() - 1) < 1e-12
    with pytest.raises(ValueError, match="target is required"):
        quiver.gbdt(numeric)


@needs_preprocess
@pytest.mark.parametrize("kind", KINDS)
def test_transformer_replaces_columns_in_every_frame_type(mixed, kind):
    frame = mixed.assign(b=mixed["b"].fillna(0.0))
    enc, _, _ = quiver.one_hot(frame, target="label")
    scale, _, _ = quiver.standard_scaler(frame, target="label")
    data = as_kind(frame, kind)
    encoded = enc(data)
    # The category is gone and its levels follow the other columns.
    assert names_of(encoded) == ["a", "b", "d", "label", "c_blue", "c_green", "c_red"]
    np.testing.assert_array_equal(column(encoded, "c_red"), (frame["c"] == "red").to_numpy(dtype=float))
    scaled = scale(data)
    # Outputs named like their inputs stay where the inputs were.
    assert names_of(scaled) == ["a", "b", "c", "d", "label"]
    np.testing.assert_allclose(column(scaled, "a"), (frame["a"] - frame["a"].mean()) / frame["a"].std(ddof=0))
    assert type(scaled) is type(data)


# ---------------------------------------------------------------------------
# Pipelines of quiver learners: one engine model


@needs_preprocess
def test_heterogeneous_pipeline_round_trips(mixed, tmp_path):
    fit = quiver.pipeline(
        ("impute", quiver.imputer),
        ("scale", quiver.standard_scaler),
        ("encode", quiver.one_hot),
        ("gbdt", quiver.gbdt(**FAST_GBDT)),
    )
    predict, scored, log = fit(mixed, target="label", gbdt__learning_rate=0.2)
    assert isinstance(predict, quiver.Predictor) and predict.learner == "pipeline"
    assert predict.inputs == ["a", "b", "d", "c"] and predict.exportable
    assert list(log) == ["impute", "scale", "encode", "gbdt"] and "gbdt" in log["gbdt"]
    assert predict.params["gbdt__learning_rate"] == 0.2 and predict.params["gbdt__num_leaves"] == 7
    # scored is what predict gives on the training frame: the caller's
    # columns with the predictions.
    out = predict(mixed)
    assert list(scored.columns) == list(out.columns) == [*mixed.columns, "prediction", "probability_no", "probability_yes"]
    np.testing.assert_array_equal(scored["probability_yes"], out["probability_yes"])
    assert (out["prediction"] == mixed["label"]).mean() > 0.7

    path = tmp_path / "pipe.quiver"
    predict.save(path)
    again = [quiver.load(path), pickle.loads(pickle.dumps(predict)), quiver.Predictor.from_bytes(predict.to_bytes())]
    for p in again:
        assert p.learner == "pipeline" and p.inputs == predict.inputs
        np.testing.assert_array_equal(p(mixed)["probability_yes"], out["probability_yes"])
    assert again[0].to_bytes() == predict.to_bytes()
    # Every frame type, without the target.
    for kind in KINDS:
        got = predict(as_kind(mixed.drop(columns=["label"]), kind))
        np.testing.assert_array_equal(column(got, "probability_yes"), out["probability_yes"], err_msg=kind)
    # The last step's explanations come through the pipeline.
    explained = predict(mixed, contributions=True)
    assert "contribution_c_red" in explained.columns and "contribution_bias" in explained.columns


@needs_preprocess
def test_score_false_skips_the_scored_frame(mixed):
    fit = quiver.pipeline(("impute", quiver.imputer), ("encode", quiver.one_hot), ("gbdt", quiver.gbdt(**FAST_GBDT)))
    predict, scored, log = fit(mixed, target="label")
    quiet, nothing, quiet_log = fit(mixed, target="label", score=False)
    assert nothing is None
    # The steps before the last still scored their frames; the last did not.
    assert "score_training_seconds" in quiet_log["encode"]["one_hot"]["timings"]
    assert "score_training_seconds" not in quiet_log["gbdt"]["gbdt"]["timings"]
    np.testing.assert_array_equal(quiet(mixed)["probability_yes"], scored["probability_yes"])
    # A learner alone, too; and the argument is checked.
    _, none, _ = quiver.gbdt(mixed[["a", "b", "label"]], target="label", score=False, **FAST_GBDT)
    assert none is None
    with pytest.raises(TypeError, match="score must be True or False"):
        fit(mixed, target="label", score="no")
    with pytest.raises(TypeError, match="score must be True or False"):
        quiver.gbdt(mixed, target="label", score=1)


@needs_preprocess
def test_valid_frame_goes_through_the_feature_steps(mixed):
    train, valid = mixed.iloc[:200], mixed.iloc[200:]
    fit = quiver.pipeline(("impute", quiver.imputer), ("encode", quiver.one_hot),
                          ("gbdt", quiver.gbdt(valid=valid, early_stopping_rounds=3, max_iter=50, num_leaves=4)))
    predict, _, log = fit(train, target="label")
    # gbdt saw the validation frame with the category one-hot encoded, as
    # its training frame.
    assert log["gbdt"]["gbdt"]["features"] == ["a", "b", "d", "c_blue", "c_green", "c_red"]
    assert log["gbdt"]["gbdt"]["valid_metric"]["values"]
    assert predict(valid)["prediction"].notna().all()
    # In a nested pipeline the frame goes through the outer steps too.
    inner = quiver.pipeline(("impute", quiver.imputer),
                            ("gbdt", quiver.gbdt(valid=valid, early_stopping_rounds=3, max_iter=50, num_leaves=4)))
    predict, _, log = quiver.pipeline(("encode", quiver.one_hot), ("inner", inner))(train, target="label")
    assert log["inner"]["gbdt"]["gbdt"]["valid_metric"]["values"]


# ---------------------------------------------------------------------------
# Python steps


def test_python_step_pipeline(numeric, tmp_path):
    fit = quiver.pipeline(("abslog", add_abs_log), ("model", quiver.logistic_regression(l2=1.0)))
    predict, scored, log = fit(numeric, target="label")
    assert isinstance(predict, quiver.PipelinePredictor)
    assert log["abslog"] == {"added": ["abslog_a"], "target": "label"}
    assert "logistic_regression" in log["model"]
    out = predict(numeric)
    # The last step is a model: the frame given, with its outputs.
    assert list(out.columns) == [*numeric.columns, "prediction", "probability_no", "probability_yes"]
    np.testing.assert_array_equal(out["probability_yes"], scored["probability_yes"])
    assert predict.steps[1][1].inputs == ["a", "b", "d", "abslog_a"]

    again = pickle.loads(pickle.dumps(predict))
    np.testing.assert_array_equal(again(numeric)["probability_yes"], out["probability_yes"])
    path = tmp_path / "pipe.pkl"
    predict.save(path)
    loaded = quiver.PipelinePredictor.load(path)
    np.testing.assert_array_equal(loaded(numeric)["probability_yes"], out["probability_yes"])
    with pytest.raises(ModelFileError, match="pickle"):
        quiver.load(path)

    assert predict.exportable is False
    assert "'abslog'" in predict.export_blocker and "AbsLog" in predict.export_blocker
    with pytest.raises(ValueError, match="cannot be exported.*'abslog'"):
        predict.check_exportable()


def test_python_step_in_the_middle_of_go_steps(numeric):
    fit = quiver.pipeline(("linear", quiver.linear_regression), ("abslog", add_abs_log),
                          ("gbdt", quiver.gbdt(**FAST_GBDT)))
    frame = numeric.assign(label=(numeric["label"] == "yes").astype(float))
    predict, scored, _ = fit(frame, target="label")
    # The gbdt step reads the linear step's prediction, which the chain
    # made; the pipeline's output is the last step's.
    assert "prediction" in predict.steps[2][1].inputs
    np.testing.assert_allclose(predict(frame)["prediction"], scored["prediction"])


def test_lambda_steps_do_not_pickle_but_still_predict(numeric):
    def step(frame):
        fn = lambda f: f.assign(twice_a=2 * f["a"])  # noqa: E731 - unpicklable on purpose
        return fn, fn(frame), {}

    predict, _, _ = quiver.pipeline(("twice", step), ("model", quiver.linear_regression))(
        numeric.assign(label=(numeric["label"] == "yes").astype(float)), target="label")
    assert "prediction" in predict(numeric.drop(columns=["label"])).columns
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(predict)


# ---------------------------------------------------------------------------
# Nesting


@needs_preprocess
def test_nested_feature_pipeline_equals_flat(mixed, tmp_path):
    features = quiver.pipeline(("impute", quiver.imputer), ("encode", quiver.one_hot))
    # A pipeline called without a frame is itself, ready to be a step.
    assert features() is features
    nested = quiver.pipeline(("features", features), ("model", quiver.logistic_regression))
    flat = quiver.pipeline(("impute", quiver.imputer), ("encode", quiver.one_hot), ("model", quiver.logistic_regression))
    p_nested, s_nested, log = nested(mixed, target="label")
    p_flat, s_flat, _ = flat(mixed, target="label")
    assert list(log) == ["features", "model"] and list(log["features"]) == ["impute", "encode"]
    assert isinstance(p_nested, quiver.Predictor)
    np.testing.assert_array_equal(p_nested(mixed)["probability_yes"], p_flat(mixed)["probability_yes"])
    np.testing.assert_array_equal(s_nested["probability_yes"], s_flat["probability_yes"])
    path = tmp_path / "nested.quiver"
    p_nested.save(path)
    np.testing.assert_array_equal(quiver.load(path)(mixed)["probability_yes"], p_flat(mixed)["probability_yes"])
    assert "features__impute__strategy" in nested.space().names()

    # The inner pipeline alone is a feature step: it replaces columns.
    p_features, scored, _ = features(mixed, target="label")
    assert p_features.replaces == ["a", "b", "d", "c"]
    assert list(scored.columns) == ["a", "b", "d", "label", "c_blue", "c_green", "c_red"]
    assert list(p_features(mixed).columns) == list(scored.columns)


def test_nested_overrides_and_python_inner_pipeline(numeric):
    inner = quiver.pipeline(("abslog", add_abs_log), ("linear", quiver.linear_regression(l2=0.0)))
    outer = quiver.pipeline(("stack", inner), ("gbdt", quiver.gbdt(**FAST_GBDT)))
    frame = numeric.assign(label=(numeric["label"] == "yes").astype(float))
    curried = outer(stack__linear__l2=5.0)
    assert isinstance(curried, quiver.Pipeline) and curried.space()["stack__linear__l2"].default == 5.0
    predict, _, log = curried(frame, target="label")
    assert list(log["stack"]) == ["abslog", "linear"]
    assert predict.steps[0][1].steps[1][1].params["l2"] == 5.0
    assert isinstance(predict, quiver.PipelinePredictor)
    assert predict.export_blocker.startswith("in step 'stack': step 'abslog'")
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(predict))(frame)["prediction"], predict(frame)["prediction"])


# ---------------------------------------------------------------------------
# The space


def test_space_is_the_union_of_the_steps():
    fit = quiver.pipeline(("linear", quiver.linear_regression(l2=2.0)), ("py", add_abs_log), ("gbdt", quiver.gbdt))
    sp = fit.space()
    assert isinstance(sp, quiver.Space) and sp.learner == "pipeline"
    assert sp.names() == ([f"linear__{n}" for n in quiver.space("linear_regression").names()]
                          + [f"gbdt__{n}" for n in quiver.space("gbdt").names()])
    # Defaults are what the pipeline fits with.
    assert sp["linear__l2"].default == 2.0 and sp["gbdt__num_leaves"].default == quiver.space("gbdt")["num_leaves"].default
    # Conditions follow their parameters into the namespace.
    conditioned = [p for p in sp if p.condition is not None]
    assert conditioned and all(p.condition[0].split("__")[0] == p.name.split("__")[0] for p in conditioned)
    assert sp.validate({"gbdt__num_leaves": 9}) == {"gbdt__num_leaves": 9}
    sample = sp.sample(seed=1)
    assert set(sample) <= set(sp.names())


@needs_preprocess
def test_feature_pipeline_space_is_a_transformer_space():
    assert quiver.pipeline(("scale", quiver.standard_scaler), ("encode", quiver.one_hot)).space().transformer
    assert not quiver.pipeline(("scale", quiver.standard_scaler), ("gbdt", quiver.gbdt)).space().transformer


# ---------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("step", ["gbdt", 3, None, pd.DataFrame, ("gbdt", quiver.gbdt)])
def test_unknown_step_kind(step):
    with pytest.raises(TypeError, match="a step is a quiver learner"):
        quiver.pipeline(("x", step))


def test_not_a_pair_and_a_fitted_learner():
    with pytest.raises(TypeError, match=r"\(name, step\) pairs"):
        quiver.pipeline(quiver.gbdt)
    with pytest.raises(TypeError, match="name 3"):
        quiver.pipeline((3, quiver.gbdt))


@pytest.mark.parametrize("steps, match", [
    ((), "at least one step"),
    ((("gbdt", quiver.gbdt), ("gbdt", quiver.linear_regression)), "'gbdt' is used twice"),
    ((("", quiver.gbdt),), "empty name"),
    ((("my__gbdt", quiver.gbdt),), "contains '__'.*'my_gbdt'"),
])
def test_bad_names(steps, match):
    with pytest.raises(ValueError, match=match):
        quiver.pipeline(*steps)


def test_unknown_parameter_has_a_hint(numeric):
    fit = quiver.pipeline(("py", add_abs_log), ("gbdt", quiver.gbdt))
    with pytest.raises(ValueError, match=r"unknown hyperparameter 'gbdt__num_leafs'; did you mean 'gbdt__num_leaves'\?"):
        fit(numeric, target="label", gbdt__num_leafs=15)
    with pytest.raises(ValueError, match="did you mean 'gbdt__num_leaves'"):
        fit(gbdt__num_leafs=15)  # curried: checked as early
    with pytest.raises(ValueError, match="there is no step 'xgb'"):
        fit(xgb__eta=0.1)
    with pytest.raises(ValueError, match="'py' is a Python function"):
        fit(py__column="b")
    with pytest.raises(ValueError, match="named step__param; did you mean 'gbdt__num_leaves'"):
        fit(num_leaves=3)
    with pytest.raises(ValueError, match="no step 'gbdtt'.*did you mean 'gbdt__num_leaves'"):
        fit(gbdtt__num_leaves=3)
    with pytest.raises(ValueError, match="'gbdt__num_leaves' must be int"):
        fit(gbdt__num_leaves=1)


def test_a_step_that_raises_is_named(numeric):
    fit = quiver.pipeline(("linear", quiver.linear_regression), ("boom", boom))
    frame = numeric.assign(label=(numeric["label"] == "yes").astype(float))
    with pytest.raises(RuntimeError, match="boom: this step always fails") as info:
        fit(frame, target="label")
    if sys.version_info >= (3, 11):
        assert any("pipeline step 'boom'" in note for note in info.value.__notes__)
    # An engine error inside a quiver step keeps its type and is named too.
    with pytest.raises(ValueError, match="target") as info:
        quiver.pipeline(("linear", quiver.linear_regression))(frame)
    if sys.version_info >= (3, 11):
        assert any("pipeline step 'linear'" in note for note in info.value.__notes__)


def test_a_step_that_returns_the_wrong_thing(numeric):
    with pytest.raises(TypeError, match="'bad' returned a DataFrame.*\\(predict, scored, log\\)"):
        quiver.pipeline(("bad", not_a_triple))(numeric)


def test_the_target_must_survive(numeric):
    with pytest.raises(ValueError, match="'drop' dropped the target column 'label'"):
        quiver.pipeline(("drop", drop_label), ("model", quiver.logistic_regression))(numeric, target="label")


def test_curried_target_must_agree(numeric):
    fit = quiver.pipeline(("model", quiver.logistic_regression(target="other")))
    with pytest.raises(ValueError, match="target='other'.*target='label'"):
        fit(numeric, target="label")


def test_pipeline_learner_does_not_fit_in_the_engine(numeric):
    import json

    from quiver._bridge import call, engine
    from quiver._learners import fit

    assert "pipeline" in quiver.learners() and len(quiver.space("pipeline")) == 0
    with pytest.raises(ValueError, match="step by step from Python"):
        fit("pipeline", numeric, target="label", params={})
    with pytest.raises(ValueError, match="no model with handle"):
        call(engine.PipelineNew, json.dumps([{"name": "x", "model": 123456789}]))
    with pytest.raises(ValueError, match="at least one step"):
        call(engine.PipelineNew, "[]")
