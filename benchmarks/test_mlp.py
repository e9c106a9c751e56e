"""Multi-layer perceptrons: quiver against scikit-learn's MLPClassifier and
PyTorch on the CPU, side by side on the dense set of the gradient-boosted-tree
benchmark, with the same architecture and settings (see _mlp.py).

One test per library: its whole fit timed, then its test AUC. Nothing here
asserts on time: the asserts are sanity bounds (test AUC, finite
probabilities in [0, 1], one loss per epoch) so that broken code fails even
the smoke run. A library that cannot run skips with the reason, which
RESULTS.md lists: quiver until `quiver.mlp` is built, PyTorch wherever it is
not installed (the project never requires it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import _bench
import _gbdt_data
import _mlp


@pytest.fixture(scope="module")
def scale_name(gbdt_scale: _gbdt_data.Scale) -> str:
    return gbdt_scale.name


@pytest.fixture(scope="module")
def dense_info(dense: _gbdt_data.Dense, gbdt_scale: _gbdt_data.Scale, scale_name: str) -> _gbdt_data.Dense:
    """The dense set, with what RESULTS.md says about it recorded."""
    call = ", ".join(f"{k}={v:_}" if isinstance(v, int) and v >= 10_000 else f"{k}={v}"
                     for k, v in _gbdt_data.dense_params(gbdt_scale).items())
    _mlp.DATA_INFO.update(call=call, train=dense.n_train, test=len(dense.y_test), rounds=_mlp.rounds(scale_name))
    return dense


@pytest.fixture(scope="module")
def standardized(dense_info: _gbdt_data.Dense) -> _mlp.Standardized:
    """The peers' standardised inputs, built once, before any clock starts."""
    s = _mlp.standardize(dense_info.X_train, dense_info.X_test)
    _mlp.DATA_INFO["standardize_seconds"] = s.seconds
    return s


def _require(library: str) -> None:
    reason = _mlp.unavailable(library)
    if reason:
        _mlp.SKIPPED[library] = reason
        pytest.skip(reason)
    _mlp.DATA_INFO.setdefault("versions", {})[library] = _mlp.version(library)


def _check(label: str, p: np.ndarray, n: int, loss: list[float], auc: float) -> None:
    assert p.shape == (n,), f"{label}: {p.shape} probabilities for {n} rows"
    assert np.all(np.isfinite(p)), f"{label}: probabilities are not all finite"
    assert p.min() >= 0.0 and p.max() <= 1.0, f"{label}: probabilities outside [0, 1]: [{p.min()}, {p.max()}]"
    assert len(loss) == _mlp.EPOCHS and all(np.isfinite(loss)), f"{label}: training loss per epoch {loss}"
    assert auc > _mlp.AUC_ASSERT, f"{label}: test AUC {auc:.4f}, not above {_mlp.AUC_ASSERT}"


def _record(library: str, times: list[float], load: list[float], auc: float, loss: list[float],
            epoch_seconds: list[float], info: dict[str, Any], benchmark: Any) -> None:
    fit = _mlp.Fit(library=library, times=times, epochs=_mlp.EPOCHS, auc=auc, loss=[float(x) for x in loss],
                   epoch_seconds=[float(x) for x in epoch_seconds], info=info, load=load)
    _mlp.record(fit)
    benchmark.extra_info.update(auc=auc, seconds_per_epoch=fit.seconds_per_epoch)


def test_mlp_quiver(benchmark, dense_info, scale_name):  # noqa: ANN001
    _require("quiver")
    benchmark.group = "mlp fit, dense set"
    # The raw columns, zero copy: quiver standardises inside the model.
    train, test = dense_info.train_table(), dense_info.test_table()
    load: list[float] = []
    (predict, log), times = _bench.timed(benchmark, lambda: _mlp.fit_quiver(train), _mlp.rounds(scale_name), load)
    out = predict(test, n_threads=_mlp.N_THREADS)
    p = np.asarray(out["probability_1"], dtype=np.float64)
    p0 = np.asarray(out["probability_0"], dtype=np.float64)
    assert np.allclose(p0 + p, 1.0, atol=1e-5), "quiver: probability_0 + probability_1 is not 1"
    auc = _gbdt_data.auc(dense_info.y_test, p)
    info: dict[str, Any] = {}
    fit_seconds = log.get("timings", {}).get("fit_seconds")
    if fit_seconds is not None:
        info["fit_seconds in the log (last round)"] = round(fit_seconds, 3)
    loss = list(log.get("loss", []))
    _record("quiver", times, load, auc, loss, list(log.get("epoch_seconds", [])), info, benchmark)
    _check("quiver", p, len(dense_info.y_test), loss, auc)


def test_mlp_scikit_learn(benchmark, dense_info, standardized, scale_name):  # noqa: ANN001
    _require("scikit-learn")
    benchmark.group = "mlp fit, dense set"
    X, y = standardized.X_train, dense_info.y_train
    load: list[float] = []
    model, times = _bench.timed(benchmark, lambda: _mlp.fit_sklearn(X, y), _mlp.rounds(scale_name), load)
    # The dtype it trained in, so that RESULTS.md states it rather than assumes it.
    _mlp.DATA_INFO["sklearn_dtype"] = str(model.coefs_[0].dtype)
    p = _mlp.probability("scikit-learn", model, standardized.X_test)
    auc = _gbdt_data.auc(dense_info.y_test, p)
    info = {"epochs run (n_iter_)": model.n_iter_, "weights' dtype": str(model.coefs_[0].dtype)}
    _record("scikit-learn", times, load, auc, list(model.loss_curve_), [], info, benchmark)
    _check("scikit-learn", p, len(dense_info.y_test), list(model.loss_curve_), auc)


def test_mlp_pytorch(benchmark, dense_info, standardized, scale_name):  # noqa: ANN001
    _require("pytorch")
    benchmark.group = "mlp fit, dense set"
    X, y, X_test = _mlp.torch_tensors(standardized.X_train, dense_info.y_train, standardized.X_test)
    load: list[float] = []
    (model, log), times = _bench.timed(benchmark, lambda: _mlp.fit_torch(X, y), _mlp.rounds(scale_name), load)
    p = _mlp.probability("pytorch", model, X_test)
    auc = _gbdt_data.auc(dense_info.y_test, p)
    import torch

    info = {"intra-op threads": torch.get_num_threads()}
    _record("pytorch", times, load, auc, log["loss"], log["epoch_seconds"], info, benchmark)
    _check("PyTorch", p, len(dense_info.y_test), log["loss"], auc)
