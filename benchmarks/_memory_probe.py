"""Peak memory of one fit, measured in a fresh process.

Run by test_memory.py as ``python _memory_probe.py WORKLOAD N P`` for the
linear models: it builds the pyarrow table column by column, fits quiver on
it once, and prints one JSON line with the table's size and the process's
resident memory (the peak is VmHWM: see peak_rss_bytes). Only numpy, pyarrow
and quiver are imported, so no other library's memory counts.

``python _memory_probe.py gbdt LIBRARY CACHE_DIR N_TRAIN MAX_ITER NUM_LEAVES``
does the same for one gradient-boosted-tree library on the cached dense set
(see main_gbdt).
"""

from __future__ import annotations

import gc
import json
import resource
import sys

from _cpu import cpu_seconds


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


# Libraries whose presence in a probe would count in its peak.
HEAVY = ("sklearn", "scipy", "pandas", "polars", "lightgbm", "xgboost", "quiver", "pyarrow")


def main_gbdt() -> None:
    """One GBDT fit on the cached dense set, in this fresh process.

    Imports numpy and the library under test (with whatever that imports
    itself), loads the cached .npy files as that library takes them (the
    peers the row-major X.npy; quiver the column-major X_columns.npy, wrapped
    in a pyarrow Table without a copy), then fits the first N_TRAIN rows
    with the benchmark's hyperparameters (_gbdt.params).
    """
    library, path = sys.argv[2], sys.argv[3]
    n_train, max_iter, num_leaves = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    import os
    import time

    import numpy as np

    import _gbdt

    module = __import__(_gbdt.MODULES[library])
    version = getattr(module, "__version__", "unknown")
    if library == "quiver":
        import _gbdt_data  # pyarrow; the peers' probes do not load it

        X = np.load(os.path.join(path, "X_columns.npy"))
        y = np.load(os.path.join(path, "y.npy"))
        data = _gbdt_data.columns_table(X[:n_train], y[:n_train])
    else:
        X = np.load(os.path.join(path, "X.npy"))
        y = np.load(os.path.join(path, "y.npy"))
    gc.collect()
    rss_before = rss_bytes()
    peak_before = peak_rss_bytes()

    before = cpu_seconds()
    started = time.perf_counter()
    if library == "quiver":
        _gbdt.fit_quiver(data, max_iter, num_leaves)
    else:
        _gbdt.fit_peer(library, X[:n_train], y[:n_train], max_iter, num_leaves)
    seconds = time.perf_counter() - started
    after = cpu_seconds()
    others = None
    if before is not None and after is not None and seconds >= 0.5:  # as _bench.others_load
        share = ((after[0] - before[0]) - (after[1] - before[1])) / (seconds * (os.cpu_count() or 1))
        others = min(1.0, max(0.0, share))

    peak = peak_rss_bytes()
    print(json.dumps({
        "library": library,
        "rows": n_train,
        "columns": X.shape[1],
        "data_nbytes": X.nbytes + y.nbytes,
        "rss_before_fit": rss_before,
        "peak_rss_before_fit": peak_before,
        "peak_rss": peak,
        "ru_maxrss": ru_maxrss_bytes(),
        "rss_after_fit": rss_bytes(),
        "fit_seconds": seconds,
        "others_load": others,
        "modules": sorted(m for m in HEAVY if m in sys.modules),
        "version": version,
    }))


def main() -> None:
    if sys.argv[1] == "gbdt":
        main_gbdt()
        return
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
