"""Peak memory of a quiver fit against the size of its data.

The fit runs in a fresh process (`_memory_probe.py`) so that this process's
numpy matrix and scikit-learn do not count. Reported in RESULTS.md, not
asserted: the target (< 1.3 × the table) is a measurement, not a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import _bench

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "_memory_probe.py")


@pytest.mark.parametrize("workload", list(_bench.WORKLOADS))
def test_peak_memory(scale, workload):  # noqa: ANN001
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HERE] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    proc = subprocess.run(
        [sys.executable, PROBE, workload, str(scale.n), str(scale.p)],
        capture_output=True, text=True, env=env, cwd=HERE, timeout=1800,
    )
    assert proc.returncode == 0, f"memory probe failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # The probe must measure quiver alone (with numpy and pyarrow): any other
    # library loaded there would count in its peak.
    assert not result["other_modules"], f"the memory probe also imported {result['other_modules']}"
    _bench.MEMORY[workload] = result
