"""Linear models: quiver against scikit-learn on the same data, side by side.

Each (workload, implementation) is one pytest-benchmark measurement; the
objective each reaches is computed afterwards with the same numpy formula
(`_bench.objective`), and `test_objective_gap` compares them. Nothing here
asserts on time.
"""

from __future__ import annotations

import numpy as np
import pytest

import _bench
import _data

# The peers' stopping tolerance: on the max |gradient| of scikit-learn's mean
# loss, tight enough that they sit at the optimum (well within 1e-9 relative).
SKLEARN_TOL = 1e-8
SKLEARN_MAX_ITER = 1000

CASES = [
    ("logistic", "quiver"),
    ("logistic", "sklearn-lbfgs"),
    ("logistic", "sklearn-newton-cholesky"),
    ("ridge", "quiver"),
    ("ridge", "sklearn-cholesky"),
    ("ridge", "sklearn-auto"),
]


def _target(synthetic: _data.Synthetic, workload: str) -> np.ndarray:
    return synthetic.y_logistic if workload == "logistic" else synthetic.y_linear


def _quiver_coefficients(predict, feature_names: list[str]) -> tuple[np.ndarray, float]:  # noqa: ANN001
    """coef in the order of feature_names, and the intercept, from the summary."""
    summary = predict.summary
    coef = np.asarray(summary["coef"], dtype=np.float64).ravel()
    intercept = np.asarray(summary["intercept"], dtype=np.float64).ravel()
    assert coef.shape == (len(feature_names),), f"unexpected coef shape in summary: {coef.shape}"
    assert intercept.shape == (1,), f"unexpected intercept shape in summary: {intercept.shape}"
    names = summary.get("features") or predict.inputs
    if list(names) != feature_names:
        assert sorted(names) == sorted(feature_names), f"model inputs {names} are not the features"
        index = {name: i for i, name in enumerate(names)}
        coef = coef[[index[name] for name in feature_names]]
    return coef, float(intercept[0])


def _fit_quiver(benchmark, scale: _data.Scale, synthetic: _data.Synthetic, workload: str):  # noqa: ANN001
    import quiver

    table = synthetic.table(workload)
    name = "logistic_regression" if workload == "logistic" else "linear_regression"
    learner = getattr(quiver, name)

    def fit():  # noqa: ANN202
        return learner(table, target="y", l2=_bench.l2_of(workload), standardize=False,
                       n_threads=_data.N_THREADS, progress=False)

    (predict, _scored, log), times = _bench.timed(benchmark, fit, scale.rounds)
    coef, intercept = _quiver_coefficients(predict, synthetic.features.column_names)
    step = log[name]
    info = {
        "iterations": step.get("iterations"),
        "converged": step.get("converged"),
        "tol": predict.params.get("tol"),
        "max_iter": predict.params.get("max_iter"),
        "engine fit s (last round, without scoring)": round(step.get("timings", {}).get("fit_seconds", float("nan")), 3),
    }
    return coef, intercept, times, info


def _fit_sklearn(benchmark, scale: _data.Scale, X: np.ndarray, y: np.ndarray, workload: str, solver: str):  # noqa: ANN001
    linear_model = pytest.importorskip("sklearn.linear_model")
    if workload == "logistic":
        def make():  # noqa: ANN202
            return linear_model.LogisticRegression(C=_data.C, solver=solver, tol=SKLEARN_TOL,
                                                   max_iter=SKLEARN_MAX_ITER)
    else:
        def make():  # noqa: ANN202
            return linear_model.Ridge(alpha=_data.ALPHA, solver=solver)

    model, times = _bench.timed(benchmark, lambda: make().fit(X, y), scale.rounds)
    coef = np.asarray(model.coef_, dtype=np.float64).ravel()
    intercept = float(np.asarray(model.intercept_, dtype=np.float64).ravel()[0])
    n_iter = getattr(model, "n_iter_", None)
    info = {}
    if n_iter is not None:
        info["iterations"] = int(np.max(n_iter))
    if workload == "logistic":
        info["tol"] = SKLEARN_TOL
    if workload == "ridge" and solver == "auto":
        info["solver used"] = getattr(model, "solver_", "auto")
    return coef, intercept, times, info


@pytest.mark.parametrize(("workload", "impl"), CASES, ids=[f"{w}-{i}" for w, i in CASES])
def test_fit(benchmark, scale, synthetic, matrix, workload, impl):  # noqa: ANN001
    benchmark.group = _bench.WORKLOADS[workload]
    y = _target(synthetic, workload)
    if impl == "quiver":
        coef, intercept, times, info = _fit_quiver(benchmark, scale, synthetic, workload)
        library, variant = "quiver", ""
    else:
        library, variant = impl.split("-", 1)
        coef, intercept, times, info = _fit_sklearn(benchmark, scale, matrix, y, workload, variant)
        library = "scikit-learn"
    fit = _bench.Fit(
        workload=workload,
        library=library,
        variant=variant,
        times=times,
        objective=_bench.objective(workload, matrix, y, coef, intercept),
        max_gradient=_bench.max_gradient(workload, matrix, y, coef, intercept),
        info=info,
    )
    benchmark.extra_info.update(objective=fit.objective, max_gradient=fit.max_gradient)
    _bench.record(fit)
    assert np.isfinite(fit.objective), f"{fit.label}: objective is not finite"
    # A sanity bound, far looser than any solver's stopping test: broken code
    # fails here even at smoke size.
    assert fit.max_gradient < 1e-3, f"{fit.label}: max |gradient|/n = {fit.max_gradient:.2e} at its solution"


@pytest.mark.parametrize("workload", list(_bench.WORKLOADS))
def test_objective_gap(workload):  # noqa: ANN001
    """quiver's objective is not worse than any peer's by more than GAP_ASSERT relative."""
    q = _bench.quiver_fit(workload)
    peers = _bench.peer_fits(workload)
    if q is None or not peers:
        pytest.skip("quiver and at least one peer must have been measured")
    gaps = {peer.label: _bench.gap(q, peer) for peer in peers}
    assert all(g < _bench.GAP_ASSERT for g in gaps.values()), f"quiver's objective is worse: relative gaps {gaps}"
