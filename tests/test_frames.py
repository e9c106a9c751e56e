"""Every accepted frame type goes in and comes back out in its own type, with
every input column kept and the model's columns added; numeric columns cross
to the engine without a copy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import quiver
from quiver._bridge import call, engine, stream_address
from quiver._frames import as_arrow

KINDS = ["pandas", "polars", "table", "batch", "dict"]


def make_frame(kind: str, columns: dict[str, np.ndarray]):
    """The same columns as a frame of the given kind."""
    columns = {k: np.asarray(v) for k, v in columns.items()}
    if kind == "pandas":
        return pd.DataFrame(columns)
    if kind == "polars":
        return pl.DataFrame(columns)
    if kind == "table":
        return pa.table(columns)
    if kind == "batch":
        return pa.RecordBatch.from_pydict(columns)
    if kind == "dict":
        return dict(columns)
    raise AssertionError(kind)


def column_names(frame) -> list[str]:
    if isinstance(frame, (pd.DataFrame, pl.DataFrame)):
        return list(frame.columns)
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return list(frame.schema.names)
    return list(frame)


def column_values(frame, name: str) -> np.ndarray:
    if isinstance(frame, pd.DataFrame):
        return frame[name].to_numpy()
    if isinstance(frame, pl.DataFrame):
        return frame[name].to_numpy()
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return frame.column(name).to_numpy(zero_copy_only=False)
    return np.asarray(frame[name])


def is_string_column(frame, name: str) -> bool:
    if isinstance(frame, pd.DataFrame):
        return pd.api.types.is_string_dtype(frame[name].dtype) and all(isinstance(v, str) for v in frame[name])
    if isinstance(frame, pl.DataFrame):
        return frame.schema[name] == pl.String
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        t = frame.schema.field(name).type
        return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
    return all(isinstance(v, str) for v in frame[name])


def is_bool_column(frame, name: str) -> bool:
    if isinstance(frame, pd.DataFrame):
        return pd.api.types.is_bool_dtype(frame[name].dtype)
    if isinstance(frame, pl.DataFrame):
        return frame.schema[name] == pl.Boolean
    if isinstance(frame, (pa.Table, pa.RecordBatch)):
        return pa.types.is_boolean(frame.schema.field(name).type)
    return np.asarray(frame[name]).dtype == np.bool_


def assert_kind(frame, kind: str) -> None:
    expected = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "table": pa.Table,
                "batch": pa.RecordBatch, "dict": dict}[kind]
    assert type(frame) is expected, f"expected {expected.__name__}, got {type(frame).__name__}"


def assert_inputs_kept(out, columns: dict[str, np.ndarray]) -> None:
    for name, values in columns.items():
        got = column_values(out, name)
        np.testing.assert_array_equal(got.astype(values.dtype) if values.dtype.kind != "U" else got.astype(str),
                                      values, err_msg=name)


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def string_label_models(small_classification):
    """One fit per frame kind, on the same data with a string label."""
    models = {}
    for kind in KINDS:
        frame = make_frame(kind, small_classification)
        models[kind] = (frame, *quiver.logistic_regression(frame, target="label", l2=1.0))
    return models


@pytest.mark.parametrize("fit_kind", KINDS)
def test_classifier_round_trip_every_frame_type(fit_kind, string_label_models, small_classification):
    frame, predict, scored, log = string_label_models[fit_kind]
    outputs = ["prediction", "probability_no", "probability_yes"]
    assert sorted(predict.outputs) == sorted(outputs)

    # The scored training frame: same type, every input column kept, in order, outputs added.
    assert_kind(scored, fit_kind)
    assert column_names(scored)[: len(small_classification)] == list(small_classification)
    assert sorted(column_names(scored)[len(small_classification):]) == sorted(outputs)
    assert_inputs_kept(scored, small_classification)
    assert is_string_column(scored, "prediction"), "string labels must give a string prediction column"
    assert set(column_values(scored, "prediction").astype(str)) <= {"yes", "no"}
    p_yes = column_values(scored, "probability_yes").astype(np.float64)
    p_no = column_values(scored, "probability_no").astype(np.float64)
    np.testing.assert_allclose(p_yes + p_no, 1.0, rtol=1e-12)
    np.testing.assert_array_equal(column_values(scored, "prediction").astype(str),
                                  np.where(p_yes > p_no, "yes", "no"))
    # A fit that learnt something.
    accuracy = np.mean(column_values(scored, "prediction").astype(str) == small_classification["label"])
    assert accuracy > 0.75

    # The model fitted from any type scores every type, with the same numbers.
    reference = string_label_models["table"][2]
    features = {k: v for k, v in small_classification.items() if k != "label"}
    for predict_kind in KINDS:
        test = make_frame(predict_kind, features)  # no label column at predict time
        out = predict(test)
        assert_kind(out, predict_kind)
        assert column_names(out)[: len(features)] == list(features)
        assert sorted(column_names(out)[len(features):]) == sorted(outputs)
        assert_inputs_kept(out, features)
        assert is_string_column(out, "prediction")
        np.testing.assert_array_equal(column_values(out, "probability_yes").astype(np.float64),
                                      column_values(reference, "probability_yes").astype(np.float64))
        np.testing.assert_array_equal(column_values(out, "prediction").astype(str),
                                      column_values(reference, "prediction").astype(str))


@pytest.mark.parametrize("kind", KINDS)
def test_regression_round_trip_every_frame_type(kind, synthetic_regression):
    frame = make_frame(kind, synthetic_regression)
    predict, scored, _ = quiver.linear_regression(frame, target="y", l2=1.0)
    assert predict.outputs == ["prediction"]
    assert_kind(scored, kind)
    assert column_names(scored) == list(synthetic_regression) + ["prediction"]
    assert_inputs_kept(scored, synthetic_regression)
    pred = column_values(scored, "prediction")
    assert pred.dtype == np.float64
    assert np.corrcoef(pred, synthetic_regression["y"])[0, 1] > 0.9
    for predict_kind in KINDS:
        out = predict(make_frame(predict_kind, synthetic_regression))
        assert_kind(out, predict_kind)
        assert column_names(out) == list(synthetic_regression) + ["prediction"]
        np.testing.assert_array_equal(column_values(out, "prediction"), pred)


@pytest.mark.parametrize("kind", KINDS)
def test_bool_target_gives_false_true_probabilities(kind, small_classification):
    columns = {k: v for k, v in small_classification.items() if k != "label"}
    columns["flag"] = small_classification["label"] == "yes"
    frame = make_frame(kind, columns)
    predict, scored, _ = quiver.logistic_regression(frame, target="flag")
    assert sorted(predict.outputs) == ["prediction", "probability_false", "probability_true"]
    assert_kind(scored, kind)
    assert set(column_names(scored)) == set(columns) | {"prediction", "probability_false", "probability_true"}
    assert is_bool_column(scored, "prediction"), "a bool target gives a bool prediction column"
    p_true = column_values(scored, "probability_true").astype(np.float64)
    np.testing.assert_allclose(p_true + column_values(scored, "probability_false").astype(np.float64), 1.0)
    np.testing.assert_array_equal(column_values(scored, "prediction").astype(bool), p_true > 0.5)
    assert [str(c).lower() for c in predict.summary["classes"]] == ["false", "true"]


def test_integer_target_gives_integer_predictions(synthetic_binary):
    predict, scored, _ = quiver.logistic_regression(pa.table(synthetic_binary), target="y")
    assert sorted(predict.outputs) == ["prediction", "probability_0", "probability_1"]
    pred = scored.column("prediction")
    assert pa.types.is_integer(pred.type), f"int labels should give an int prediction column, got {pred.type}"
    assert set(pred.to_pylist()) <= {0, 1}


def test_multiclass_output_columns(synthetic_multiclass):
    frame = pl.DataFrame(synthetic_multiclass)
    predict, scored, _ = quiver.logistic_regression(frame, target="y")
    assert sorted(predict.outputs) == ["prediction", "probability_ant", "probability_bee", "probability_cat"]
    assert scored.schema["prediction"] == pl.String
    probs = scored.select(["probability_ant", "probability_bee", "probability_cat"]).to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    labels = np.array(["ant", "bee", "cat"])[np.argmax(probs, axis=1)]
    np.testing.assert_array_equal(scored["prediction"].to_numpy(), labels)


def test_pandas_index_is_kept_and_rows_stay_aligned(synthetic_regression):
    df = pd.DataFrame(synthetic_regression)
    shuffled = df.sample(frac=1.0, random_state=0)  # a non-default index
    predict, scored, _ = quiver.linear_regression(df, target="y", l2=1.0)
    out = predict(shuffled)
    assert out.index.equals(shuffled.index)
    # Row i of the output is the prediction for row i of the input.
    np.testing.assert_array_equal(out["prediction"].to_numpy(), scored.loc[shuffled.index, "prediction"].to_numpy())


def test_predict_does_not_modify_input_and_replaces_old_outputs(synthetic_regression):
    table = pa.table(synthetic_regression)
    predict, scored, _ = quiver.linear_regression(table, target="y", l2=1.0)
    assert "prediction" not in table.column_names
    again = predict(scored)  # a frame that already has a prediction column
    assert again.column_names == scored.column_names
    assert again.column("prediction").equals(scored.column("prediction"))
    df = pd.DataFrame(synthetic_regression)
    before = df.copy()
    predict(df)
    pd.testing.assert_frame_equal(df, before)


def test_multi_chunk_table_and_extra_columns(synthetic_regression):
    table = pa.table(synthetic_regression)
    chunked = pa.concat_tables([table.slice(0, 150), table.slice(150, 100), table.slice(250)])
    assert chunked.column("x0").num_chunks == 3
    predict, scored, _ = quiver.linear_regression(table, target="y", l2=1.0)
    extra = chunked.append_column("note", pa.array(["n"] * len(chunked)))
    reordered = extra.select(["note", *reversed(table.column_names)])
    out = predict(reordered)
    assert out.column_names == reordered.column_names + ["prediction"]
    np.testing.assert_array_equal(out.column("prediction").to_numpy(), scored.column("prediction").to_numpy())
    # Fitting on a chunked stream gives the same model as on one batch.
    predict2, _, _ = quiver.linear_regression(chunked, target="y", l2=1.0)
    assert predict2.summary == predict.summary


# ---------------------------------------------------------------------------
# Zero copy


def _engine_address(table: pa.Table, column: str) -> int:
    capsule = table.__arrow_c_stream__()
    return call(engine.ColumnAddress, stream_address(capsule), column)


def test_zero_copy_pyarrow_table():
    x = np.random.default_rng(0).normal(size=10_000)
    table = pa.table({"x": x, "y": np.arange(10_000, dtype=np.float64), "s": ["a"] * 10_000})
    expected = table.column("x").chunks[0].buffers()[1].address
    assert _engine_address(table, "x") == expected
    assert _engine_address(table, "y") == table.column("y").chunks[0].buffers()[1].address


def test_zero_copy_pyarrow_record_batch():
    batch = pa.RecordBatch.from_pydict({"x": np.linspace(0.0, 1.0, 5000), "y": np.ones(5000)})
    table, _ = as_arrow(batch)
    assert _engine_address(table, "x") == batch.column("x").buffers()[1].address


def test_zero_copy_dict_of_numpy():
    x = np.random.default_rng(1).normal(size=5000)
    table, _ = as_arrow({"x": x, "y": np.zeros(5000)})
    assert _engine_address(table, "x") == x.ctypes.data


def test_zero_copy_pandas():
    df = pd.DataFrame({"x": np.random.default_rng(2).normal(size=5000), "y": np.zeros(5000), "s": ["a"] * 5000})
    table, _ = as_arrow(df)
    assert _engine_address(table, "x") == df["x"].to_numpy().ctypes.data


def test_zero_copy_polars():
    df = pl.DataFrame({"x": np.random.default_rng(3).normal(size=5000), "y": np.zeros(5000)})
    table, _ = as_arrow(df)
    assert _engine_address(table, "x") == df["x"].to_numpy().ctypes.data


def test_non_float_column_is_read_as_values_not_address():
    # An int column is converted, so its address differs from Arrow's buffer;
    # this guards the zero-copy tests against an address function that
    # always returns Arrow's own buffer.
    table = pa.table({"i": np.arange(5000, dtype=np.int64)})
    assert _engine_address(table, "i") != table.column("i").chunks[0].buffers()[1].address
