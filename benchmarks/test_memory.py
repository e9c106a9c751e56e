"""Peak memory of a quiver fit against the size of its data, and of each
GBDT library's fit of the dense set.

Every fit runs in a fresh process (`_memory_probe.py`) so that this process's
numpy matrix and the other libraries do not count. Reported in RESULTS.md,
not asserted: the targets (linear: < 1.3 × the table; GBDT: at most
LightGBM's peak) are measurements, not tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import _bench
import _gbdt

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "_memory_probe.py")


def _probe(*args: str) -> dict:
    """Run the memory probe in a fresh process; its JSON line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    proc = subprocess.run(
        [sys.executable, PROBE, *args],
        capture_output=True, text=True, env=env, cwd=HERE, timeout=1800,
    )
    assert proc.returncode == 0, f"memory probe failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("workload", list(_bench.WORKLOADS))
def test_peak_memory(scale, workload):  # noqa: ANN001
    result = _probe(workload, str(scale.n), str(scale.p))
    # The probe must measure quiver alone (with numpy and pyarrow): any other
    # library loaded there would count in its peak.
    assert not result["other_modules"], f"the memory probe also imported {result['other_modules']}"
    _bench.MEMORY[workload] = result


@pytest.mark.parametrize("library", _gbdt.LIBRARIES)
def test_gbdt_peak_memory(gbdt_scale, dense, library):  # noqa: ANN001
    """Peak RSS of a fresh process that loads the cached dense set and fits it
    (the `dense` fixture makes sure the cache exists)."""
    reason = _gbdt.unavailable(library)
    if reason:
        _bench.GBDT_SKIPPED[library] = reason
        pytest.skip(reason)
    s = gbdt_scale
    result = _probe("gbdt", library, dense.path, str(s.dense_train), str(s.max_iter), str(s.num_leaves))
    if library == "quiver":
        # quiver's probe must load numpy, pyarrow and quiver alone.
        others = [m for m in result["modules"] if m not in ("quiver", "pyarrow")]
        assert not others, f"quiver's memory probe also imported {others}"
    _bench.GBDT_MEMORY[library] = result
