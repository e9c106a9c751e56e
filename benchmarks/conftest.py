"""The benchmark suite's fixtures and the RESULTS.md it writes at the end.

Sizes come from QUIVER_BENCH_SCALE: `full` (the default, `make bench`) or
`smoke` (`make bench-smoke`, tiny, for CI). Only a full-size run that measured
every workload writes benchmarks/RESULTS.md; any other run writes its table to
a temporary file (or to QUIVER_BENCH_RESULTS if set), so the table code still
runs.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pytest

import _bench
import _data


@pytest.fixture(scope="session")
def scale() -> _data.Scale:
    return _data.scale()


@pytest.fixture(scope="session")
def synthetic(scale: _data.Scale) -> _data.Synthetic:
    return _data.make_synthetic(scale.n, scale.p)


@pytest.fixture(scope="session")
def matrix(synthetic: _data.Synthetic) -> np.ndarray:
    """The features as the C-ordered numpy array the peers get."""
    return _data.feature_matrix(synthetic.features)


def _complete() -> bool:
    return all(_bench.quiver_fit(w) and _bench.peer_fits(w) and w in _bench.MEMORY for w in _bench.WORKLOADS)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not any(_bench.FITS.values()) and not _bench.MEMORY:
        return
    s = _data.scale()
    text = _bench.render(s)
    path = os.environ.get("QUIVER_BENCH_RESULTS")
    why = ""
    if not path:
        if s.name == "full" and _complete():
            path = _bench.RESULTS_PATH
        else:
            path = os.path.join(tempfile.gettempdir(), f"quiver-bench-{s.name}-RESULTS.md")
            why = (" (not benchmarks/RESULTS.md: " +
                   ("smoke scale" if s.name != "full" else "some workloads were not measured") + ")")
    with open(path, "w") as f:
        f.write(text)
    session.config.stash[_written] = f"benchmark results written to {path}{why}"


_written = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    message = config.stash.get(_written, None)
    if message:
        terminalreporter.write_line(message)
