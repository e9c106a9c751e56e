"""Shared data and helpers for quiver's pytest suite.

The suite tests the *installed* package (``make install`` puts it into
``.venv``); nothing here adds the source tree to ``sys.path``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

import quiver


# --------------------------------------------------------------------------
# Helpers


def solver_limits(learner: str) -> dict:
    """The tightest ``tol`` and a generous ``max_iter`` that the learner's
    space allows, for parity tests that need a fully converged solver."""
    sp = quiver.space(learner)
    return {
        "tol": max(sp["tol"].low, 1e-12),
        "max_iter": int(min(sp["max_iter"].high, 100_000)),
    }


def summary_arrays(predict) -> tuple[np.ndarray, np.ndarray]:
    """(coef of shape (k, p), intercept of shape (k,)) from a predictor."""
    s = predict.summary
    return np.asarray(s["coef"], dtype=np.float64), np.asarray(s["intercept"], dtype=np.float64)


def assert_coef_close(actual, expected, rtol: float = 1e-4, floor: float = 1e-6, what: str = "coef",
                      scale: float = 0.0):
    """Relative tolerance ``rtol`` with an absolute floor of
    ``floor * max(max|expected|, scale)`` for near-zero coefficients (pass
    the coefficients' scale for intercepts, which may be near zero alone)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    atol = floor * max(np.max(np.abs(expected)), scale, 1e-300)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


# --------------------------------------------------------------------------
# Data


@pytest.fixture(scope="session")
def breast_cancer() -> pd.DataFrame:
    """Breast-cancer features (30 float columns, raw scale) and ``label`` (0/1 int)."""
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns={"target": "label"})
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    return frame


@pytest.fixture(scope="session")
def breast_cancer_features(breast_cancer) -> list[str]:
    return [c for c in breast_cancer.columns if c != "label"]


@pytest.fixture(scope="session")
def breast_cancer_scaled(breast_cancer, breast_cancer_features) -> pd.DataFrame:
    """Breast cancer with every feature standardised (mean 0, population std 1)."""
    frame = breast_cancer.copy()
    x = frame[breast_cancer_features].to_numpy()
    frame[breast_cancer_features] = (x - x.mean(axis=0)) / x.std(axis=0)
    return frame


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    """scikit-learn's diabetes data: 10 features, numeric ``target``."""
    return load_diabetes(as_frame=True).frame


@pytest.fixture(scope="session")
def wine_scaled() -> pd.DataFrame:
    """Wine (three cultivars), every feature standardised; target ``cultivar``."""
    data = load_wine(as_frame=True)
    frame = data.frame.rename(columns={"target": "cultivar"})
    frame.columns = [c.replace("/", "_") for c in frame.columns]
    features = [c for c in frame.columns if c != "cultivar"]
    x = frame[features].to_numpy()
    frame[features] = (x - x.mean(axis=0)) / x.std(axis=0)
    return frame


@pytest.fixture(scope="session")
def synthetic_regression() -> dict[str, np.ndarray]:
    """400 rows, 8 correlated features, some true coefficients zero."""
    rng = np.random.default_rng(1)
    n, p = 400, 8
    z = rng.normal(size=(n, p))
    x = z + 0.3 * z[:, [0]]  # correlated columns
    x[:, 3] *= 10.0  # different scales
    x[:, 5] = x[:, 5] * 0.1 + 2.0
    beta = np.array([1.5, -2.0, 0.0, 0.3, 0.0, 4.0, -0.7, 0.0])
    y = 3.0 + x @ beta + rng.normal(scale=1.0, size=n)
    data = {f"x{j}": x[:, j].copy() for j in range(p)}
    data["y"] = y
    return data


@pytest.fixture(scope="session")
def synthetic_binary() -> dict[str, np.ndarray]:
    """600 rows, 6 features, binary int target ``y``."""
    rng = np.random.default_rng(2)
    n, p = 600, 6
    x = rng.normal(size=(n, p))
    x[:, 1] = x[:, 1] * 3.0 + 1.0
    beta = np.array([1.0, -0.5, 0.0, 2.0, 0.0, -1.0])
    logit = -0.5 + x @ beta
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    data = {f"x{j}": x[:, j].copy() for j in range(p)}
    data["y"] = y
    return data


@pytest.fixture(scope="session")
def synthetic_multiclass() -> dict[str, np.ndarray]:
    """900 rows, 5 features, three classes with string labels in ``y``."""
    rng = np.random.default_rng(3)
    n, p, k = 900, 5, 3
    x = rng.normal(size=(n, p))
    w = rng.normal(size=(p, k)) * 1.2
    w[2] = 0.0
    scores = x @ w + np.array([0.3, -0.2, 0.0])
    prob = np.exp(scores - scores.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    u = rng.random(n)[:, None]
    codes = (u > np.cumsum(prob, axis=1)).sum(axis=1)
    labels = np.array(["ant", "bee", "cat"])[codes]
    data = {f"x{j}": x[:, j].copy() for j in range(p)}
    data["y"] = labels
    return data


@pytest.fixture(scope="session")
def small_classification():
    """A small frame with a string label, used by the frame round-trip tests."""
    rng = np.random.default_rng(4)
    n = 300
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    c = rng.integers(0, 5, size=n).astype(np.int64)
    score = 1.2 * a - 0.8 * b + 0.2 * c + rng.normal(scale=0.7, size=n)
    label = np.where(score > 0.3, "yes", "no")
    label[:3] = ["yes", "no", "yes"]
    return {"a": a, "b": b, "c": c, "label": label}
