"""Pipelines: imputation, one-hot encoding and GBDT on the airline-shaped set
with missing values; quiver against scikit-learn's Pipeline and against
LightGBM behind pandas preprocessing, end to end and under a random search
(see _pipelines.py).

- test_pipeline_fit / test_pipeline_predict: each library's pipeline fitted
  on the training rows, then scoring the held-out rows; times and held-out
  AUC.
- test_pipeline_search: quiver.tune over the quiver pipeline, and
  RandomizedSearchCV over LightGBM, on the same rows and folds; total time,
  best cross-validated AUC and the refit model's held-out AUC.
- test_pipeline_same_preprocessing: checks (untimed) that the three
  pipelines impute the same values and make the same one-hot columns, and
  records the answer for RESULTS.md.

Nothing here asserts on time: the asserts are sanity bounds (held-out AUC,
probabilities in [0, 1]) so that broken code fails even the smoke run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import _bench
import _gbdt_data
import _pipelines

# The fitted end-to-end pipelines by library, for the prediction tests.
_MODELS: dict[str, Any] = {}


@pytest.fixture(scope="module")
def settings(gbdt_scale: _gbdt_data.Scale) -> _pipelines.Scale:
    s = _pipelines.scale(gbdt_scale.name)
    _pipelines.DATA_INFO.update(scale=s.name, fit_rounds=gbdt_scale.fit_rounds,
                                predict_rounds=gbdt_scale.predict_rounds)
    return s


@pytest.fixture(scope="module")
def missing(airline: _gbdt_data.Airline, settings: _pipelines.Scale) -> _pipelines.Missing:
    """The airline set with MISSING_SHARE of the feature values missing."""
    m = _pipelines.with_missing(airline)
    _pipelines.DATA_INFO.update(rows=len(airline.y), test=len(airline.y) - airline.n_train, missing_share=m.share,
                                search_rows=min(settings.search_rows, airline.n_train))
    return m


@pytest.fixture(scope="module")
def frames(missing: _pipelines.Missing) -> dict[str, Any]:
    """Every library's training and held-out frames, built once before any clock."""
    out: dict[str, Any] = {"arrow_train": missing.arrow("train", with_target=True), "arrow_test": missing.arrow("test")}
    try:
        out["pandas_train"], out["pandas_test"] = missing.pandas("train"), missing.pandas("test")
    except ImportError:
        pass
    return out


def _require(library: str) -> None:
    reason = _pipelines.unavailable(library)
    if reason:
        _pipelines.SKIPPED[library] = reason
        pytest.skip(reason)
    _pipelines.DATA_INFO.setdefault("versions", {})[library] = _pipelines.version(library)


def _auc_bound(s: _pipelines.Scale) -> float:
    return _pipelines.AUC_ASSERT if s.name == "full" else _pipelines.SMOKE_AUC_ASSERT


def _check(label: str, p: np.ndarray, n: int, auc: float, s: _pipelines.Scale) -> None:
    assert p.shape == (n,), f"{label}: {p.shape} probabilities for {n} rows"
    assert np.all(np.isfinite(p)), f"{label}: probabilities are not all finite"
    assert p.min() >= 0.0 and p.max() <= 1.0, f"{label}: probabilities outside [0, 1]: [{p.min()}, {p.max()}]"
    assert auc > _auc_bound(s), f"{label}: held-out AUC {auc:.4f}, not above {_auc_bound(s)}"


def _quiver_info(log: dict[str, Any]) -> dict[str, Any]:
    """Where quiver's fit time went, from the steps' logs (last round)."""
    info: dict[str, Any] = {}
    for step, entry in log.items():
        for learner, step_log in entry.items():
            t = step_log.get("timings", {})
            parts = [f"fit {t['fit_seconds']:.3f} s"] if "fit_seconds" in t else []
            if "score_training_seconds" in t:
                parts.append(f"scoring the training frame {t['score_training_seconds']:.3f} s")
            if parts:
                info[f"step {step} ({learner})"] = ", ".join(parts)
            if learner == "one_hot" and "n_outputs" in step_log:
                info["one-hot columns"] = step_log["n_outputs"]
    return info


@pytest.mark.parametrize("library", _pipelines.LIBRARIES)
def test_pipeline_fit(benchmark, gbdt_scale, settings, missing, frames, library):  # noqa: ANN001
    _require(library)
    s = settings
    benchmark.group = "pipeline fit: impute, one-hot, gbdt"
    y_train = missing.target("train")
    load: list[float] = []
    info: dict[str, Any] = {}
    if library == "quiver":
        pipe = _pipelines.quiver_pipeline(s)
        train = frames["arrow_train"]
        (model, log), times = _bench.timed(benchmark, lambda: _pipelines.fit_quiver(pipe, train),
                                           gbdt_scale.fit_rounds, load)
        info = _quiver_info(log)
    elif library == "scikit-learn":
        X = frames["pandas_train"]
        model, times = _bench.timed(benchmark, lambda: _pipelines.fit_sklearn(_pipelines.sklearn_pipeline(s), X,
                                                                             y_train), gbdt_scale.fit_rounds, load)
        info["one-hot columns"] = len(model.named_steps["prepare"].named_transformers_["cat"]
                                      .named_steps["encode"].get_feature_names_out())
        info["boosting rounds in the model"] = int(model.named_steps["model"].n_iter_)
    else:
        X = frames["pandas_train"]
        model, times = _bench.timed(benchmark, lambda: _pipelines.fit_lightgbm(X, y_train, s),
                                    gbdt_scale.fit_rounds, load)
        info["one-hot columns"] = sum(len(v) for v in model.prep.levels.values())
        info["boosting rounds in the model"] = int(model.model.booster_.current_iteration())
    _MODELS[library] = model
    _pipelines.record(_pipelines.Fit(library=library, fit_times=times, info=info, load=load))
    benchmark.extra_info.update(fit_seconds=min(times))


@pytest.mark.parametrize("library", _pipelines.LIBRARIES)
def test_pipeline_predict(gbdt_scale, settings, missing, frames, library):  # noqa: ANN001
    _require(library)
    model = _MODELS.get(library)
    fit = _pipelines.FITS.get(library)
    if model is None or fit is None:
        pytest.skip(f"no fitted {_pipelines.LABELS[library]} pipeline: its fit did not run or failed")
    y_test = missing.target("test")
    load: list[float] = []
    if library == "quiver":
        test = frames["arrow_test"]
        p, times = _pipelines.timed(lambda: _pipelines.quiver_probability(model, test), gbdt_scale.predict_rounds, load)
    elif library == "scikit-learn":
        X = frames["pandas_test"]
        p, times = _pipelines.timed(lambda: _pipelines.sklearn_probability(model, X), gbdt_scale.predict_rounds, load)
    else:
        X = frames["pandas_test"]
        p, times = _pipelines.timed(lambda: _pipelines.lightgbm_probability(model, X), gbdt_scale.predict_rounds,
                                    load)
    fit.auc = _gbdt_data.auc(y_test, p)
    fit.predict_times, fit.predict_load = times, load
    _check(f"{_pipelines.LABELS[library]} pipeline", p, len(y_test), fit.auc, settings)


def _null_row(schema: pa.Schema) -> pa.Table:
    """One row of the schema's columns, every value missing."""
    return pa.table({f.name: pa.nulls(1, f.type) for f in schema if f.name != _pipelines.TARGET})


def test_pipeline_same_preprocessing(settings, missing, frames):  # noqa: ANN001
    """The three pipelines' imputed values and one-hot columns, compared
    (untimed, on the training rows). Recorded for RESULTS.md; a
    disagreement is reported there rather than failing the run."""
    for library in _pipelines.LIBRARIES:
        _require(library)
    import quiver
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    train, X = frames["arrow_train"], frames["pandas_train"]
    prep = _pipelines.PandasPrep().fit(X)

    # imputed values: quiver's imputer scoring a row of nulls; SimpleImputer's statistics_
    predict, _, _ = quiver.imputer(train, target=_pipelines.TARGET, strategy="most_frequent", n_threads=2,
                                   progress=False)
    filled = predict(_null_row(train.schema))
    q_fill = {name: filled[name][0].as_py() for name in _pipelines.FEATURES}
    cat = list(_pipelines.CATEGORICAL)
    num = list(_pipelines.NUMERIC)
    sk_fill = dict(zip(cat, SimpleImputer(strategy="most_frequent").fit(X[cat]).statistics_))
    sk_fill.update(zip(num, SimpleImputer(strategy="most_frequent").fit(X[num]).statistics_))
    differ = []
    for name in _pipelines.FEATURES:
        values = [q_fill[name], sk_fill[name], prep.fill[name]]
        if isinstance(values[0], (int, float)):
            same = all(np.isclose(float(v), float(values[0]), rtol=1e-6) for v in values)
        else:
            same = len({str(v) for v in values}) == 1
        if not same:
            differ.append(f"{name}: quiver {values[0]!r}, scikit-learn {values[1]!r}, pandas {values[2]!r}")

    # one-hot columns: quiver's one_hot on the imputed frame; OneHotEncoder's; PandasPrep's
    imputed = predict(train)
    _, _, log = quiver.one_hot(imputed, target=_pipelines.TARGET, max_categories=_pipelines.MAX_CATEGORIES,
                               n_threads=2, progress=False)
    q_cols = {c.replace("_infrequent", "_<rest>") for c in log["one_hot"]["outputs"]}
    encoder = OneHotEncoder(handle_unknown="ignore", max_categories=_pipelines.MAX_CATEGORIES, sparse_output=False)
    encoder.fit(SimpleImputer(strategy="most_frequent").fit_transform(X[cat]))
    sk_cols = {c.replace("_infrequent_sklearn", "_<rest>")
               for c in encoder.get_feature_names_out(cat)}
    pd_cols = {f"{name}_{level}".replace(f"_{_pipelines.PandasPrep.INFREQUENT}", "_<rest>")
               for name, levels in prep.levels.items() for level in levels}
    if not (q_cols == sk_cols == pd_cols):
        differ.append(f"one-hot columns: quiver {len(q_cols)}, scikit-learn {len(sk_cols)}, pandas {len(pd_cols)}; "
                      f"quiver only {sorted(q_cols - sk_cols)[:5]}, scikit-learn only {sorted(sk_cols - q_cols)[:5]}, "
                      f"pandas only {sorted(pd_cols - sk_cols)[:5]}")
    columns = len(sk_cols) + len(num)
    _pipelines.DATA_INFO["columns"] = columns
    _pipelines.DATA_INFO["agreement"] = (
        "checked: the three pipelines impute the same values and make the same one-hot columns" if not differ
        else "checked, and they differ: " + "; ".join(differ))
    if differ:
        pytest.xfail("the pipelines' preprocessing differs: " + "; ".join(differ))


@pytest.mark.parametrize("library", _pipelines.SEARCH_LIBRARIES)
def test_pipeline_search(benchmark, settings, missing, frames, library):  # noqa: ANN001
    _require(library)
    if library == "lightgbm":
        _require("quiver")  # the folds are quiver.StratifiedKFold's
    s = settings
    benchmark.group = "pipeline random search"
    rows = min(s.search_rows, missing.airline.n_train)
    y = missing.target("train", rows)
    y_test = missing.target("test")
    load: list[float] = []
    info: dict[str, Any] = {}
    if library == "quiver":
        pipe = _pipelines.quiver_pipeline(s, searched=True)
        train = missing.arrow("train", with_target=True, rows=rows)
        result, times = _bench.timed(benchmark, lambda: _pipelines.search_quiver(pipe, train, s), 1, load)
        trials = result.trials
        assert len(trials) == s.search_trials and not result.interrupted, f"quiver.tune ran {len(trials)} trials"
        best_cv = float(result.best_score)
        best = {k.split("__", 1)[1]: v for k, v in result.best_params.items()}
        p = _pipelines.quiver_probability(result.predict, frames["arrow_test"])
        info["trial seconds (min, median, max)"] = ", ".join(
            f"{x:.2f}" for x in (trials["seconds"].min(), trials["seconds"].median(), trials["seconds"].max()))
        info["num_leaves drawn"] = ", ".join(str(int(v)) for v in trials["param_model__num_leaves"])
    else:
        X = missing.pandas("train", rows=rows)
        folds = _pipelines.search_folds(y, s)
        (prep, search), times = _bench.timed(benchmark, lambda: _pipelines.search_lightgbm(X, y, folds, s), 1, load)
        results = search.cv_results_
        assert len(results["params"]) == s.search_trials, f"RandomizedSearchCV ran {len(results['params'])} trials"
        best_cv = float(search.best_score_)
        best = dict(search.best_params_)
        pipe = _pipelines.LightGBMPipeline(prep, search.best_estimator_)
        p = _pipelines.lightgbm_probability(pipe, frames["pandas_test"])
        fit_s = np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"])
        info["trial seconds (min, median, max; per fold, fit and score)"] = ", ".join(
            f"{x:.2f}" for x in (fit_s.min(), np.median(fit_s), fit_s.max()))
        info["refit seconds"] = round(float(search.refit_time_), 3)
        info["num_leaves drawn"] = ", ".join(str(int(v["num_leaves"])) for v in results["params"])
    test_auc = _gbdt_data.auc(y_test, p)
    _pipelines.record_search(_pipelines.Search(library=library, times=times, best_cv_auc=best_cv, test_auc=test_auc,
                                               best_params=best, trials=s.search_trials, info=info, load=load))
    benchmark.extra_info.update(best_cv_auc=best_cv, test_auc=test_auc)
    _check(_pipelines.SEARCH_LABELS[library], p, len(y_test), test_auc, s)
