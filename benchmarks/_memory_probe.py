"""Peak memory of one quiver fit, measured in a fresh process.

Run by test_memory.py as ``python _memory_probe.py WORKLOAD N P``. It builds the
pyarrow table column by column, fits quiver on it once, and prints one JSON
line with the table's size and the process's resident memory (the peak is
VmHWM: see peak_rss_bytes). Only numpy, pyarrow and quiver are imported, so no
other library's memory counts.
"""

from __future__ import annotations

import gc
import json
import resource
import sys


def _status(field: str) -> int:
    """A memory field of /proc/self/status, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_bytes() -> int:
    """Current resident set size."""
    return _status("VmRSS")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process's address space (VmHWM).

    The same quantity as getrusage's ru_maxrss, except that on Linux
    ru_maxrss also carries the peak of the address space this process was
    forked from (the parent pytest, holding the peers' numpy copy of the
    data) across fork and exec; VmHWM starts afresh at exec.
    """
    return _status("VmHWM")


def ru_maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def main() -> None:
    workload, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

    import _data
    import quiver

    synthetic = _data.make_synthetic(n, p)
    table = synthetic.table(workload)
    del synthetic  # the table holds the feature columns and the target
    gc.collect()
    nbytes = table.nbytes
    rss_before = rss_bytes()
    peak_before = peak_rss_bytes()

    if workload == "logistic":
        predict, scored, log = quiver.logistic_regression(
            table, target="y", l2=1.0 / _data.C, standardize=False, n_threads=_data.N_THREADS, progress=False)
    else:
        predict, scored, log = quiver.linear_regression(
            table, target="y", l2=_data.ALPHA, standardize=False, n_threads=_data.N_THREADS, progress=False)

    peak = peak_rss_bytes()
    heavy = sorted(m for m in ("sklearn", "scipy", "pandas", "polars") if m in sys.modules)
    print(json.dumps({
        "workload": workload,
        "rows": table.num_rows,
        "columns": table.num_columns,
        "table_nbytes": nbytes,
        "rss_before_fit": rss_before,
        "peak_rss_before_fit": peak_before,
        "peak_rss": peak,
        "ru_maxrss": ru_maxrss_bytes(),
        "rss_after_fit": rss_bytes(),
        "other_modules": heavy,
        "quiver_version": quiver.__version__,
    }))


if __name__ == "__main__":
    main()
