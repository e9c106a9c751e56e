"""Fast-and-frugal trees: quiver against FFTrees' own results and fasttrees,
on the seven reference data sets, and quiver alone at scale.

- test_fft_reference: quiver's fit time and test balanced accuracy with ifan
  and dfan, next to FFTrees' recorded ones (reference.csv);
- test_fft_fasttrees: fasttrees on the same splits in the same run;
- test_fft_scale: the 1,000,000-row dense set, max_levels=4.

Nothing asserts on time: the asserts are sanity bounds (quiver's test
balanced accuracy no worse than FFTrees' by more than 0.01) so that broken
code fails even the smoke run. The reference cases skip cleanly where
../shared is absent.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import _bench
import _fft
import _fasttrees
import _gbdt_data

REFERENCE = _fft.reference()
SMOKE = _gbdt_data.scale().name == "smoke"
ROUNDS = 3 if SMOKE else 21
# fasttrees takes seconds to a minute per data set; the smoke run tries one.
FASTTREES_SETS = ["heartdisease"] if SMOKE else list(_fft.datasets())


def _read(name: str, split: str) -> pa.Table:
    return pacsv.read_csv(_fft.DATA / f"{name}.{split}.csv",
                          convert_options=pacsv.ConvertOptions(null_values=["NA"], strings_can_be_null=True))


def _balanced_accuracy(y: np.ndarray, predicted: np.ndarray) -> float:
    y, predicted = y.astype(bool), predicted.astype(bool)
    return float((predicted[y].mean() + (~predicted[~y]).mean()) / 2)


@pytest.mark.skipif(not REFERENCE, reason=f"FFTrees reference data not found at {_fft.DATA}")
@pytest.mark.parametrize("row", REFERENCE, ids=[f"{r['dataset']}-{r['algorithm']}" for r in REFERENCE])
def test_fft_reference(benchmark, row):  # noqa: ANN001
    import quiver

    benchmark.group = "fft fit, FFTrees reference data"
    train, test = _read(row["dataset"], "train"), _read(row["dataset"], "test")
    target = row["criterion"]
    cues = [c for c in train.column_names if c != target and len(train[c].unique()) > 1]
    (predict, _, log), times = _bench.timed(
        benchmark, lambda: quiver.fft(train, target=target, features=cues, test=test,
                                      algorithm=row["algorithm"], progress=False), ROUNDS)
    _fft.DATA_INFO["rounds"] = ROUNDS
    entry = log["fft"]
    _fft.record(_fft.Fit(row["dataset"], "quiver", row["algorithm"], times, entry["test"]["bacc"], entry["tree"]))
    # The test statistics of the log agree with scoring the test half directly.
    predicted = predict(test)["prediction"].to_numpy()
    assert _balanced_accuracy(test[target].to_numpy(), predicted) == pytest.approx(entry["test"]["bacc"])
    assert entry["test"]["bacc"] >= float(row["test_bacc"]) - _fft.BACC_ASSERT


@pytest.mark.skipif(not REFERENCE, reason=f"FFTrees reference data not found at {_fft.DATA}")
@pytest.mark.parametrize("dataset", FASTTREES_SETS)
def test_fft_fasttrees(benchmark, dataset):  # noqa: ANN001
    if not _fasttrees.AVAILABLE:
        _fft.SKIPPED["fasttrees"] = _fasttrees.REASON
        pytest.skip(_fasttrees.REASON)
    benchmark.group = "fft fit, FFTrees reference data"
    target = _fft.datasets()[dataset]
    train, test = _read(dataset, "train").to_pandas(), _read(dataset, "test").to_pandas()
    result, _ = _bench.timed(benchmark, lambda: _fasttrees.fit_score(train, test, target), 1)
    _fft.record(_fft.Fit(dataset, "fasttrees", "ifan", [result["fit_seconds"]], result["test_bacc"],
                         result["tree"]))
    assert result["test_bacc"] > 0.55


@pytest.mark.parametrize("algorithm", ["ifan", "dfan"])
def test_fft_scale(benchmark, dense, algorithm):  # noqa: ANN001
    from quiver import _learners

    benchmark.group = "fft fit, dense set"
    rounds = 1 if SMOKE else 3
    train = dense.train_table()
    (predict, _, log), times = _bench.timed(
        benchmark, lambda: _learners.fit("fft", train, target=_gbdt_data.TARGET, params={
            "max_levels": 4, "algorithm": algorithm, "n_threads": 2}, progress=False, score=False), rounds)
    predicted = predict(dense.test_table())["prediction"].to_numpy()
    bacc = _balanced_accuracy(dense.y_test, predicted)
    _fft.SCALE[algorithm] = _fft.Fit("dense", "quiver", algorithm, times, bacc, log["fft"]["tree"])
    _fft.DATA_INFO["scale"] = {"train": dense.n_train, "test": len(dense.y_test)}
    assert bacc > 0.55
