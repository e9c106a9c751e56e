"""The model file: save/load and pickle give bit-identical predictions, the
same data give the same bytes whatever the thread count, and corrupt files
are refused with ModelFileError."""

from __future__ import annotations

import copy
import os
import pickle

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pytest

import quiver
from quiver.errors import ModelFileError


@pytest.fixture(scope="module")
def models(synthetic_regression, synthetic_binary, synthetic_multiclass):
    """(name, predict, training table) for each kind of fitted model."""
    out = []
    reg = pa.table(synthetic_regression)
    out.append(("ols", quiver.linear_regression(reg, target="y", l2=0.0, l1=0.0)[0], reg))
    out.append(("elastic_net", quiver.linear_regression(reg, target="y", l1=20.0, l2=5.0)[0], reg))
    binary = pa.table(synthetic_binary)
    out.append(("binary", quiver.logistic_regression(binary, target="y", l2=1.0)[0], binary))
    multi = pa.table(synthetic_multiclass)
    out.append(("multinomial", quiver.logistic_regression(multi, target="y", l1=2.0)[0], multi))
    return out


def _float_outputs(predict, table) -> dict[str, np.ndarray]:
    out = predict(table)
    return {name: out.column(name).to_numpy() for name in predict.outputs
            if pa.types.is_floating(out.schema.field(name).type)}


def _assert_same_predictions(a, b, table) -> None:
    pa_out, pb_out = _float_outputs(a, table), _float_outputs(b, table)
    assert pa_out.keys() == pb_out.keys() and pa_out
    for name in pa_out:
        assert pa_out[name].dtype == np.float64
        assert np.array_equal(pa_out[name], pb_out[name]), name
    assert a(table).column("prediction").equals(b(table).column("prediction"))


def test_save_load_is_bit_identical(models, tmp_path):
    for name, predict, table in models:
        path = tmp_path / f"{name}.arrow"
        predict.save(path)
        assert path.stat().st_size > 0
        assert not os.path.exists(str(path) + ".tmp")
        loaded = quiver.load(path)
        assert isinstance(loaded, quiver.Predictor)
        assert loaded.learner == predict.learner
        assert loaded.inputs == predict.inputs and loaded.outputs == predict.outputs
        assert loaded.params == predict.params
        assert loaded.summary == predict.summary
        _assert_same_predictions(predict, loaded, table)
        assert loaded.to_bytes() == predict.to_bytes() == path.read_bytes(), name
        # And once more: load(save(load(x))) is still the same file.
        path2 = tmp_path / f"{name}-2.arrow"
        loaded.save(path2)
        assert path2.read_bytes() == path.read_bytes()


def test_load_accepts_str_path(models, tmp_path):
    _, predict, table = models[0]
    path = str(tmp_path / "m.arrow")
    predict.save(path)
    _assert_same_predictions(predict, quiver.load(path), table)


def test_pickle_is_bit_identical(models):
    for name, predict, table in models:
        for protocol in (2, pickle.HIGHEST_PROTOCOL):
            clone = pickle.loads(pickle.dumps(predict, protocol=protocol))
            _assert_same_predictions(predict, clone, table)
            assert clone.to_bytes() == predict.to_bytes(), name
            assert clone.summary == predict.summary
        assert copy.deepcopy(predict).to_bytes() == predict.to_bytes()


def test_pickle_keeps_the_log(synthetic_regression):
    predict, _, log = quiver.linear_regression(synthetic_regression, target="y")
    clone = pickle.loads(pickle.dumps(predict))
    assert clone.log == predict.log == log


def test_model_file_is_an_arrow_ipc_file(models):
    _, predict, _ = models[2]
    reader = pa.ipc.open_file(pa.py_buffer(predict.to_bytes()))
    metadata = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
    assert metadata.get("quiver.learner") == "logistic_regression"
    assert metadata.get("quiver.version") == quiver.__version__
    assert reader.num_record_batches == 1


def test_from_bytes_round_trip(models):
    for name, predict, table in models:
        clone = quiver.Predictor.from_bytes(predict.to_bytes())
        _assert_same_predictions(predict, clone, table)
        assert clone.to_bytes() == predict.to_bytes(), name


# ---------------------------------------------------------------------------
# Determinism across thread counts


@pytest.fixture(scope="module")
def large_frames():
    """60,000 rows: several engine chunks of 16,384 rows."""
    rng = np.random.default_rng(7)
    n, p = 60_000, 10
    x = rng.normal(size=(n, p)) * rng.uniform(0.5, 5.0, size=p)
    data = {f"x{j}": x[:, j].copy() for j in range(p)}
    beta = rng.normal(size=p)
    data["y"] = x @ beta + rng.normal(size=n)
    logits = x @ (beta / 4) + 0.3
    data["label"] = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(np.int64)
    data["class3"] = np.array(["a", "b", "c"])[np.digitize(logits + rng.normal(size=n), [-0.5, 0.8])]
    data["w"] = rng.uniform(0.0, 2.0, size=n)
    return pa.table(data)


DETERMINISM_CASES = [
    ("linear_regression", "y", {"l2": 1.0}),
    ("linear_regression", "y", {"l1": 50.0, "l2": 1.0}),
    ("logistic_regression", "label", {"l2": 1.0}),
    ("logistic_regression", "label", {"l1": 5.0}),
    ("logistic_regression", "class3", {"l2": 1.0}),
]


def _fit_on_threads(learner, target, params, table, threads):
    others = [c for c in ("y", "label", "class3") if c != target]
    return getattr(quiver, learner)(table.drop_columns(others), target=target, weight="w", n_threads=threads,
                                    **params)


@pytest.fixture(scope="module")
def thread_fits(large_frames):
    """For each case, the fits on 1 and on 2 threads."""
    return {i: tuple(_fit_on_threads(*case, large_frames, threads) for threads in (1, 2))
            for i, case in enumerate(DETERMINISM_CASES)}


CASE_IDS = [f"{c[0]}-{c[1]}-{'-'.join(c[2])}" for c in DETERMINISM_CASES]


@pytest.mark.parametrize("case", range(len(DETERMINISM_CASES)), ids=CASE_IDS)
def test_same_model_on_one_and_two_threads(case, thread_fits, large_frames):
    learner = DETERMINISM_CASES[case][0]
    (one, scored1, log1), (two, scored2, log2) = thread_fits[case]
    assert large_frames.num_rows > 3 * 16384  # several engine chunks
    assert one.summary == two.summary  # coefficients equal bit for bit
    assert log1[learner]["iterations"] == log2[learner]["iterations"]
    assert log1[learner]["final_objective"] == log2[learner]["final_objective"]
    for name in one.outputs:
        assert scored1.column(name).equals(scored2.column(name)), name
    # Predicting on 1 or 2 threads gives the same columns too.
    a, b = one(large_frames, n_threads=1), one(large_frames, n_threads=2)
    for name in one.outputs:
        assert a.column(name).equals(b.column(name)), name


@pytest.mark.parametrize("case", range(len(DETERMINISM_CASES)), ids=CASE_IDS)
def test_same_bytes_on_one_and_two_threads(case, thread_fits):
    (one, _, _), (two, _, _) = thread_fits[case]
    b1, b2 = one.to_bytes(), two.to_bytes()
    if b1 != b2:
        r1, r2 = (pa.ipc.open_file(pa.py_buffer(b)) for b in (b1, b2))
        m1, m2 = r1.schema.metadata or {}, r2.schema.metadata or {}
        diff = {k.decode(): (m1.get(k), m2.get(k)) for k in set(m1) | set(m2) if m1.get(k) != m2.get(k)}
        same_tables = r1.read_all().equals(r2.read_all())
        pytest.fail(f"model bytes differ between n_threads=1 and n_threads=2; parameter tables equal: "
                    f"{same_tables}; metadata that differs: {diff}")


# ---------------------------------------------------------------------------
# Corrupt files


@pytest.fixture(scope="module")
def good_bytes(synthetic_binary) -> bytes:
    return quiver.logistic_regression(synthetic_binary, target="y")[0].to_bytes()


def test_empty_file_is_a_model_file_error(tmp_path):
    path = tmp_path / "empty.arrow"
    path.write_bytes(b"")
    with pytest.raises(ModelFileError):
        quiver.load(path)
    with pytest.raises(ModelFileError):
        quiver.Predictor.from_bytes(b"")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_file_is_a_model_file_error(good_bytes, tmp_path, keep):
    path = tmp_path / "truncated.arrow"
    path.write_bytes(good_bytes[: int(len(good_bytes) * keep)])
    with pytest.raises(ModelFileError):
        quiver.load(path)


def test_random_bytes_are_a_model_file_error(tmp_path):
    rng = np.random.default_rng(0)
    for size in (1, 7, 64, 1000, 100_000):
        path = tmp_path / f"random-{size}.arrow"
        path.write_bytes(rng.bytes(size))
        with pytest.raises(ModelFileError):
            quiver.load(path)


def test_corrupted_bytes_never_crash(good_bytes):
    # Flipped bytes anywhere in a valid file either load (if they hit padding)
    # or raise ModelFileError; never another exception, never a crash.
    rng = np.random.default_rng(1)
    for _ in range(300):
        data = bytearray(good_bytes)
        for i in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[i] ^= int(rng.integers(1, 256))
        try:
            quiver.Predictor.from_bytes(bytes(data))
        except ModelFileError:
            pass


def test_other_arrow_file_is_a_model_file_error(tmp_path):
    path = tmp_path / "other.arrow"
    table = pa.table({"a": [1.0, 2.0]})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with pytest.raises(ModelFileError, match="quiver"):
        quiver.load(path)


def test_newer_format_version_is_refused(good_bytes, tmp_path):
    reader = pa.ipc.open_file(pa.py_buffer(good_bytes))
    table = reader.read_all()
    metadata = dict(reader.schema.metadata)
    metadata[b"quiver.format_version"] = b"999"
    table = table.replace_schema_metadata(metadata)
    path = tmp_path / "future.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with pytest.raises(ModelFileError, match="version"):
        quiver.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        quiver.load(tmp_path / "nope.arrow")
