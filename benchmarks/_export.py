"""Compiled scorers in the benchmark suite: quiver's exported shared library
against the usual ways of scoring a gradient-boosted model from Python, the
timing loop they all share, the HTTP load test of ``serve``, and the
RESULTS.md section.

The workload (see test_export.py): two models trained on the dense set of the
gradient-boosted-tree benchmark (28 float32 features), the dense benchmark's
100 trees of 255 leaves and 1,000 trees of 31 leaves, scored at batch sizes
1, 100, 10,000 and 1,000,000 on one thread and on two:

- quiver: the model exported with ``quiver.export(..., target="c-shared")``
  and called through ctypes (``quiver_predict_matrix``);
- LightGBM's ``Booster.predict`` and XGBoost's ``inplace_predict`` on models
  trained with the same settings;
- treelite (tl2cgen) and lleaves, both compiling the LightGBM model file.

Reported: nanoseconds per tree per row (time / rows / trees) and the
single-row latency. The ``serve`` command of an exported executable is
measured separately, under the load generator cmd/quiver-loadgen.

The quiver library is timed in a fresh Python process (``python _export.py
probe``, which imports only numpy and ctypes): the library carries a Go
runtime, and quiver's own engine, which the pytest process has loaded to
train the models, carries another; quiver_scorer.h allows one per process.

At module level this imports only numpy (and _cpu, _gbdt, which import
nothing else), so that the probe loads nothing but the scorer.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

import _gbdt
from _cpu import cpu_seconds

LIBRARIES = ("quiver", "lightgbm", "xgboost", "tl2cgen", "lleaves")
LABELS = {"quiver": "quiver (compiled)", "lightgbm": "LightGBM", "xgboost": "XGBoost",
          "tl2cgen": "treelite (tl2cgen)", "lleaves": "lleaves"}
PEERS = LIBRARIES[1:]
# A full-size run counts as complete (and writes benchmarks/RESULTS.md) only
# with these; tl2cgen and lleaves are optional (they compile C or LLVM code
# and do not install everywhere: lleaves 1.3.0 needs llvmlite < 0.44).
REQUIRED = ("quiver", "lightgbm", "xgboost")
MODULES = {"quiver": "quiver", "lightgbm": "lightgbm", "xgboost": "xgboost", "tl2cgen": "tl2cgen",
           "lleaves": "lleaves"}

THREADS = (1, 2)
TRAIN_THREADS = _gbdt.N_THREADS  # training only; scoring runs on THREADS
# The second target, read as a number: quiver's nanoseconds per tree
# per row on one thread, at batches large enough that the call costs nothing
# (BIG_BATCH rows and up), at most this.
FEW_NS = 5.0
BIG_BATCH = 10_000
# Probabilities of a compiled peer within this of its source LightGBM model.
PEER_ATOL = 1e-6
AUC_ASSERT = 0.6
# Distinct batches cycled through per cell: enough that no branch predictor
# holds their paths (1,000 rows × 100 trees × ~8 tests at batch size 1).
MAX_BATCHES = 1000
MIN_REPS = 3
MAX_REPS = 1_000_000


@dataclass(frozen=True)
class Scale:
    name: str
    models: tuple[tuple[int, int], ...]  # (trees, leaves) of each model
    batches: tuple[int, ...]  # rows per call
    budget: float  # timed seconds per cell (at least MIN_REPS calls)
    http_connections: int
    http_seconds: float  # the load generator's measured duration
    http_warmup: float  # run before it, not counted
    http_bodies: tuple[int, ...]  # rows per request


SCALES = {
    "full": Scale("full", models=((100, 255), (1000, 31)), batches=(1, 100, 10_000, 1_000_000), budget=1.0,
                  http_connections=8, http_seconds=5.0, http_warmup=0.5, http_bodies=(1, 100)),
    # 10,000 rows is more than the smoke set holds out, so the tiling of the
    # pool (as for a million rows at full size) runs in CI too.
    "smoke": Scale("smoke", models=((10, 255), (20, 31)), batches=(1, 100, 10_000), budget=0.02,
                   http_connections=4, http_seconds=1.0, http_warmup=0.2, http_bodies=(1, 100)),
}


def scale() -> Scale:
    """The scale chosen by QUIVER_BENCH_SCALE (default: full), validated as
    for the other benchmarks."""
    import _gbdt_data

    return SCALES[_gbdt_data.scale().name]


def model_key(trees: int, leaves: int) -> str:
    return f"{trees}x{leaves}"


def model_title(key: str) -> str:
    trees, leaves = (int(v) for v in key.split("x"))
    return f"{trees:,} trees × {leaves} leaves"


def unavailable(library: str) -> str | None:
    """Why a library cannot be benchmarked.

    Parameters
    ----------
    library
        A key of LABELS.

    Returns
    -------
    str or None
        The reason, naming the library (shown by pytest's skip and listed in
        RESULTS.md), or None if it can run.
    """
    if library in ("quiver", "lightgbm", "xgboost"):
        reason = _gbdt.unavailable(library)
        if reason:
            return reason
        if library == "quiver":
            import shutil

            if shutil.which("go") is None:
                return "quiver.export needs the Go toolchain on PATH to build a scorer, and none was found"
        return None
    if library in ("tl2cgen", "lleaves"):
        try:
            importlib.import_module("lightgbm")
        except ImportError as exc:
            return f"{LABELS[library]} compiles LightGBM's model, and LightGBM is not installed ({exc})"
        try:
            if library == "tl2cgen":
                importlib.import_module("treelite")
            importlib.import_module(library)
        except Exception as exc:  # noqa: BLE001 - not installed, or broken (lleaves with llvmlite >= 0.44)
            return f"{LABELS[library]} cannot be imported ({type(exc).__name__}: {exc})"
        return None
    raise ValueError(f"unknown library {library!r}")


def version(library: str) -> str:
    """The library's ``__version__``, or why there is none."""
    v = version_of(MODULES[library])
    if v == "unknown":  # lleaves has no __version__: its distribution's
        from importlib import metadata

        try:
            v = metadata.version(library)
        except metadata.PackageNotFoundError:
            pass
    if library == "tl2cgen":
        v += f" with treelite {version_of('treelite')}"
    if library == "lleaves":
        v += f" with llvmlite {version_of('llvmlite')}"
    return v


def version_of(module: str) -> str:
    try:
        return str(getattr(importlib.import_module(module), "__version__", "unknown"))
    except Exception:  # noqa: BLE001
        return "not installed"


# ---------------------------------------------------------------- timing


def batches(pool: np.ndarray, size: int) -> list[np.ndarray]:
    """The inputs of a cell: successive disjoint slices of the pool.

    Parameters
    ----------
    pool
        The held-out rows, float64, C-contiguous.
    size
        Rows per call.

    Returns
    -------
    list of numpy.ndarray
        Up to MAX_BATCHES slices of ``size`` rows (views, C-contiguous); when
        ``size`` exceeds the pool, one array of the pool's rows repeated in
        order up to ``size`` rows (a copy).
    """
    n, p = pool.shape
    if size > n:
        return [np.ascontiguousarray(np.resize(pool, (size, p)))]
    return [pool[i * size:(i + 1) * size] for i in range(min(n // size, MAX_BATCHES))]


@dataclass
class Timing:
    """The calls of one cell, summarised."""

    reps: int
    median: float  # seconds per call
    minimum: float
    p90: float
    total: float  # seconds timed
    load: float | None  # others' CPU load meanwhile (see others_load)


def others_load(before: tuple[float, float] | None, after: tuple[float, float] | None,
                elapsed: float) -> float | None:
    """The share of the machine's CPU time other processes took, as
    _bench.others_load computes it (here so that the probe need not import
    _bench)."""
    if before is None or after is None or elapsed < 0.5:
        return None
    others = (after[0] - before[0]) - (after[1] - before[1])
    return min(1.0, max(0.0, others / (elapsed * (os.cpu_count() or 1))))


def time_calls(score: Callable[[int], Any], n_batches: int, budget: float) -> Timing:
    """Time ``score(i)`` call by call, cycling i over the batches.

    Calls run until ``budget`` seconds have been timed and at least MIN_REPS
    calls made (at most MAX_REPS). Each call is timed on its own, so the
    median is of single calls; the caller warms the library up first.

    Parameters
    ----------
    score
        Scores batch ``i``.
    n_batches
        How many distinct batches there are.
    budget
        Seconds of timed calls to aim for.

    Returns
    -------
    Timing
        The calls' summary.
    """
    times: list[float] = []
    total = 0.0
    clock = time.perf_counter
    before = cpu_seconds()
    started = clock()
    i = 0
    while (total < budget or len(times) < MIN_REPS) and len(times) < MAX_REPS:
        t0 = clock()
        score(i)
        dt = clock() - t0
        times.append(dt)
        total += dt
        i = i + 1 if i + 1 < n_batches else 0
    elapsed = clock() - started
    load = others_load(before, cpu_seconds(), elapsed)
    times.sort()
    return Timing(reps=len(times), median=statistics.median(times), minimum=times[0],
                  p90=times[min(len(times) - 1, int(0.9 * len(times)))], total=total, load=load)


# ---------------------------------------------------------------- quiver's library (in the probe)


class QuiverLibrary:
    """An exported quiver shared library, called through ctypes.

    Parameters
    ----------
    path
        The library (``quiver.export(..., target="c-shared")``).
    """

    def __init__(self, path: str) -> None:
        lib = ctypes.CDLL(path)
        lib.quiver_n_inputs.restype = ctypes.c_int64
        lib.quiver_n_inputs.argtypes = []
        lib.quiver_n_outputs.restype = ctypes.c_int64
        lib.quiver_n_outputs.argtypes = []
        lib.quiver_schema_json.restype = ctypes.c_char_p
        lib.quiver_schema_json.argtypes = []
        lib.quiver_free.restype = None
        lib.quiver_free.argtypes = [ctypes.c_void_p]
        predict = lib.quiver_predict_matrix
        predict.restype = ctypes.c_int
        # The error pointer is passed as a plain address (0 in the timed calls).
        predict.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64,
                            ctypes.c_void_p]
        self.lib = lib
        self.predict_matrix = predict
        self.n_inputs = int(lib.quiver_n_inputs())
        self.n_outputs = int(lib.quiver_n_outputs())
        self.schema = json.loads(lib.quiver_schema_json().decode())

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Score rows with the error message checked: the outputs, rows × n_outputs."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        out = np.empty((x.shape[0], self.n_outputs))
        err = ctypes.c_char_p()
        rc = self.predict_matrix(x.ctypes.data, x.shape[0], x.shape[1], out.ctypes.data, out.size,
                                 ctypes.addressof(err))
        if rc != 0:
            message = err.value.decode() if err.value else ""
            self.lib.quiver_free(err)
            raise RuntimeError(f"quiver_predict_matrix returned {rc}: {message}")
        return out

    def scorer(self, inputs: list[np.ndarray], threads: int) -> Callable[[int], None]:
        """``score(i)`` for time_calls: batch i in one call, or on two
        threads its two halves at once (the caller's and one worker's; ctypes
        releases the GIL during the call). Pointers and the output buffer are
        prepared here, before any timing."""
        predict = self.predict_matrix
        cols, n_out = self.n_inputs, self.n_outputs
        out = np.empty((max(len(b) for b in inputs), n_out))
        keep = [out]

        def args(x: np.ndarray, o: np.ndarray) -> tuple[int, int, int, int, int, int]:
            keep.append(x)
            return (x.ctypes.data, x.shape[0], cols, o.ctypes.data, o.size, 0)

        if threads == 1:
            calls = [args(b, out[:len(b)]) for b in inputs]

            def score(i: int) -> None:
                if predict(*calls[i]) != 0:
                    raise RuntimeError(f"quiver_predict_matrix failed on batch {i}")

            score.keep = keep  # type: ignore[attr-defined]
            return score
        if threads != 2:
            raise ValueError("the probe splits a batch in one or two parts")
        from concurrent.futures import ThreadPoolExecutor

        halves = []
        for b in inputs:
            h = len(b) // 2
            halves.append((args(b[:h], out[:h]), args(b[h:], out[h:len(b)])))
        worker = ThreadPoolExecutor(1)

        def score2(i: int) -> None:
            first, second = halves[i]
            pending = worker.submit(predict, *second)
            rc = predict(*first)
            if rc != 0 or pending.result() != 0:
                raise RuntimeError(f"quiver_predict_matrix failed on batch {i}")

        score2.keep = (keep, worker)  # type: ignore[attr-defined]
        return score2

    def call_floor(self, n: int = 100_000) -> float:
        """The median seconds of a ctypes call that does nothing
        (quiver_n_inputs): the part of a single-row call that is Python's."""
        f = self.lib.quiver_n_inputs
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)


def probe(spec: dict[str, Any]) -> dict[str, Any]:
    """The quiver half of the benchmark, in a process of its own.

    Parameters
    ----------
    spec
        ``library`` (the shared library's path), ``pool`` (.npy of the
        held-out rows, float64), ``batches``, ``threads``, ``budget``, and
        ``check`` (.npy path where the outputs of the whole pool, scored in one
        call, are written for the parent to compare with Python's).

    Returns
    -------
    dict
        ``cells``: one per batch size and thread count (two threads not at
        batch size 1, where it is one call), each with its Timing;
        ``call_floor``, ``schema``.
    """
    lib = QuiverLibrary(spec["library"])
    pool = np.load(spec["pool"])
    np.save(spec["check"], lib.predict(pool))  # also starts the Go runtime before any timing
    cells = []
    for size in spec["batches"]:
        inputs = batches(pool, size)
        for threads in spec["threads"]:
            if threads > 1 and size < 2:
                continue
            score = lib.scorer(inputs, threads)
            score(0)  # warm up: the worker thread's first call
            timing = time_calls(score, len(inputs), spec["budget"])
            cells.append({"batch": size, "threads": threads, "timing": asdict(timing)})
            del score
        del inputs
    return {"cells": cells, "call_floor": lib.call_floor(), "schema": lib.schema}


def run_probe(spec: dict[str, Any]) -> dict[str, Any]:
    """Run probe() in a fresh Python process; its JSON answer."""
    import subprocess

    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "probe"], input=json.dumps(spec),
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"the quiver probe failed ({proc.returncode}): {proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- the peers


def peer_scorer(library: str, model: Any, inputs: list[np.ndarray], threads: int) -> Callable[[int], Any]:
    """``score(i)`` for time_calls, through the peer's usual predict call.

    Parameters
    ----------
    library
        A key of PEERS.
    model
        LightGBM's Booster, XGBoost's Booster, tl2cgen's library path, or the
        compiled lleaves.Model.
    inputs
        The cell's batches (from batches()).
    threads
        Threads the peer may use.

    Returns
    -------
    callable
        Scores batch i: LightGBM ``predict(X, num_threads=threads)``,
        XGBoost ``inplace_predict(X)`` with ``nthread`` set on the booster,
        tl2cgen ``Predictor(nthread=threads).predict(dmatrix)`` over a
        DMatrix built per batch beforehand, lleaves ``predict(X,
        n_jobs=threads)``.
    """
    if library == "lightgbm":
        return lambda i: model.predict(inputs[i], num_threads=threads)
    if library == "xgboost":
        model.set_param({"nthread": threads})
        return lambda i: model.inplace_predict(inputs[i])
    if library == "tl2cgen":
        import tl2cgen

        predictor = tl2cgen.Predictor(model, nthread=threads)
        dmats = [tl2cgen.DMatrix(b, dtype="float64") for b in inputs]
        return lambda i: predictor.predict(dmats[i])
    if library == "lleaves":
        return lambda i: model.predict(inputs[i], n_jobs=threads)
    raise ValueError(f"not a peer: {library!r}")


def peer_probability(library: str, model: Any, X: np.ndarray) -> np.ndarray:
    """P(class 1) of every row of X by the peer (float64), on two threads."""
    if library == "lightgbm":
        return np.asarray(model.predict(X, num_threads=2), dtype=np.float64).reshape(-1)
    if library == "xgboost":
        model.set_param({"nthread": 2})
        return np.asarray(model.inplace_predict(X), dtype=np.float64).reshape(-1)
    if library == "tl2cgen":
        import tl2cgen

        return np.asarray(tl2cgen.Predictor(model, nthread=2).predict(tl2cgen.DMatrix(X, dtype="float64")),
                          dtype=np.float64).reshape(-1)
    if library == "lleaves":
        return np.asarray(model.predict(X, n_jobs=2), dtype=np.float64).reshape(-1)
    raise ValueError(f"not a peer: {library!r}")


def measure_peer(library: str, model: Any, pool: np.ndarray, sizes: tuple[int, ...],
                 budget: float) -> list[dict[str, Any]]:
    """Every cell of a peer: each batch size on each thread count.

    Returns
    -------
    list of dict
        ``batch``, ``threads``, ``timing`` (a Timing as a dict), as the probe
        answers.
    """
    warm = peer_scorer(library, model, batches(pool, 1), 1)
    warm(0)
    cells = []
    for size in sizes:
        inputs = batches(pool, size)
        for threads in THREADS:
            score = peer_scorer(library, model, inputs, threads)
            score(0)  # thread pools started, buffers allocated
            cells.append({"batch": size, "threads": threads,
                          "timing": asdict(time_calls(score, len(inputs), budget))})
            del score
        del inputs
    return cells


# ---------------------------------------------------------------- results


@dataclass
class Cell:
    library: str
    model: str  # model_key
    threads: int
    batch: int
    trees: int
    timing: Timing
    same_as_one_thread: bool = False  # quiver at batch size 1 on "two" threads: the one-thread call

    @property
    def seconds(self) -> float:
        return self.timing.median

    @property
    def ns_per_tree_row(self) -> float:
        return self.seconds / self.batch / self.trees * 1e9


@dataclass
class Serve:
    rows: int  # rows per request body
    result: dict[str, Any]  # the load generator's JSON
    info: dict[str, Any] = field(default_factory=dict)


# Filled by the tests, read by the conftest at session end.
CELLS: dict[tuple[str, str, int, int], Cell] = {}  # (model, library, threads, batch)
SERVE: dict[int, Serve] = {}  # by rows per request
SKIPPED: dict[str, str] = {}  # library (or "serve") -> why it was not measured
DATA_INFO: dict[str, Any] = {}  # versions, trees, build times, the probe's floor...
SIZES: dict[str, dict[str, int]] = {}  # model -> artifact -> bytes


def record(library: str, model: str, trees: int, cells: list[dict[str, Any]]) -> None:
    """Record a library's cells on a model (as measure_peer or the probe
    answers them); quiver's batch-size-1 cell also stands for two threads."""
    for c in cells:
        cell = Cell(library, model, c["threads"], c["batch"], trees, Timing(**c["timing"]))
        CELLS[(model, library, cell.threads, cell.batch)] = cell
        if library == "quiver" and cell.batch == 1 and cell.threads == 1:
            for t in THREADS[1:]:
                CELLS[(model, library, t, 1)] = Cell(library, model, t, 1, trees, cell.timing, True)


def record_size(model: str, sizes: dict[str, int]) -> None:
    SIZES[model] = sizes


def record_serve(serve: Serve) -> None:
    SERVE[serve.rows] = serve


def measured() -> bool:
    return bool(CELLS) or bool(SERVE) or bool(SIZES)


def complete() -> bool:
    """Whether the REQUIRED libraries were measured in every cell of both
    models, and serve under every body."""
    s = scale()
    keys = [model_key(*m) for m in s.models]
    return (all((m, lib, t, b) in CELLS for m in keys for lib in REQUIRED for t in THREADS for b in s.batches)
            and all(k in SERVE for k in s.http_bodies) and all(m in SIZES for m in keys))


# ---------------------------------------------------------------- RESULTS.md


def _ns(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:,.0f}"


def _us(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:.2f}" if us < 100 else f"{us:,.0f}"


def _rows(b: int) -> str:
    return f"{b:,}"


def _batch(b: int) -> str:
    return f"{b:,} row" + ("s" if b != 1 else "")


def _flag(*cells: Cell | None) -> str:
    """A note when a cell ran while other processes took a share of the CPU."""
    import _bench

    worst = max((c.timing.load for c in cells if c is not None and c.timing.load is not None), default=0.0)
    return f" (load {worst:.0%})" if worst > _bench.LOAD_FLAG else ""


def _named(library: str) -> str:
    v = DATA_INFO.get("versions", {}).get(library)
    return f"{LABELS[library]} {v}" if v else LABELS[library]


def _speed_rows(s: Scale, keys: list[str]) -> tuple[list[str], list[bool], list[str]]:
    """The target table: one row per model, thread count and batch size,
    peer time ÷ quiver time per peer. Also whether each comparison was met,
    and the peers never compared."""
    rows: list[str] = []
    met: list[bool] = []
    compared: set[str] = set()
    for m in keys:
        for t in THREADS:
            for b in s.batches:
                q = CELLS.get((m, "quiver", t, b))
                if q is None:
                    continue
                cols, ok_row = [], []
                for peer in PEERS:
                    p = CELLS.get((m, peer, t, b))
                    if p is None:
                        cols.append("n/a")
                        continue
                    compared.add(peer)
                    r = p.seconds / q.seconds
                    ok_row.append(r > 1.0)
                    cols.append(_bench_ratio(r) + ("" if r > 1.0 else " ✗") + _flag(p))
                met += ok_row
                qcell = _ns(q.ns_per_tree_row) + (" (1 call)" if q.same_as_one_thread else "") + _flag(q)
                verdict = "n/a" if not ok_row else ("**yes**" if all(ok_row) else "**no**")
                rows.append(f"| {model_title(m)} | {t} | {_rows(b)} | {qcell} | " + " | ".join(cols)
                            + f" | {verdict} |")
    return rows, met, [LABELS[p] for p in PEERS if p not in compared]


def _bench_ratio(x: float) -> str:
    return f"{x:.2f}×"


def render(details: list[str]) -> list[str]:
    """The compiled-scorer section of RESULTS.md.

    Parameters
    ----------
    details
        The Details section's lines; every cell's calls and the serve runs
        are appended to it.

    Returns
    -------
    list of str
        The section's lines.
    """
    s = scale()
    d = DATA_INFO
    keys = [model_key(*m) for m in s.models]
    lines = [
        "",
        "## Compiled scorers: quiver.export against LightGBM, XGBoost, treelite (tl2cgen) and lleaves",
        "",
        f"- data: the dense set of the gradient-boosted-tree benchmark (`make_classification({d.get('call', '...')})`"
        f" as float32), trained on its first {d.get('train', 0):,} rows; scored rows come from the "
        f"{d.get('test', 0):,} held out, as a float64 C-contiguous matrix made before any timing",
        f"- models: {' and '.join(model_title(k) for k in keys)}, learning rate 0.1, 255 bins, binary log loss, "
        f"trained on {TRAIN_THREADS} threads (training is not timed here); the calls below are the first "
        "model's, the second differs only in its rounds and leaves:",
        f"  - {_named('quiver')}: `quiver.gbdt` (`{_gbdt_call('quiver')}`), exported with "
        "`quiver.export(predict, path, target=\"c-shared\")` and called through ctypes: "
        "`quiver_predict_matrix(x, rows, 28, out, out_len, NULL)` with pointers and the output buffer made before "
        "timing; two threads = the batch cut in two halves, scored by two Python threads at once (ctypes releases "
        "the GIL); at batch size 1 there is nothing to split, so the two-thread row repeats the one-thread call "
        "(\"1 call\"). It runs in a fresh Python process that imports only numpy and ctypes, because the library "
        "holds a Go runtime and quiver's engine (loaded to train) holds another, and a process may hold only one",
        f"  - {_named('lightgbm')}: `LGBMClassifier({_gbdt_call('lightgbm')})`, scored with "
        "`booster_.predict(X, num_threads=threads)`",
        f"  - {_named('xgboost')}: `XGBClassifier({_gbdt_call('xgboost')})`, scored with "
        "`get_booster().inplace_predict(X)` after `set_param({\"nthread\": threads})`",
        f"  - {_named('tl2cgen')}: LightGBM's model file through `treelite.frontend.load_lightgbm_model`, "
        "`tl2cgen.export_lib(model, toolchain=\"gcc\", params={\"parallel_comp\": 2})`, scored with "
        "`tl2cgen.Predictor(lib, nthread=threads).predict(dmatrix)` over a `tl2cgen.DMatrix` built per batch "
        "before timing",
        f"  - {_named('lleaves')}: `lleaves.Model(model_file=...).compile()` of LightGBM's model file, scored with "
        "`predict(X, n_jobs=threads)`",
        "- the compiled peers score LightGBM's trees, so their times compare with LightGBM's directly; XGBoost's "
        "model has its own trees (grown with the same limits); ns per tree per row divides by each model's own "
        "tree count" + (f" (trees: {_trees_summary(keys)})" if d.get("trees") else ""),
        "- timing: for each batch size, calls on successive disjoint slices of the held-out rows (so that repeated "
        f"small batches are not the same rows; up to {MAX_BATCHES:,} distinct batches, cycled; a batch larger than "
        "the held-out rows repeats them in order), each call timed on its own after a warm-up call, for about "
        f"{s.budget:g} s and at least {MIN_REPS} calls per cell; the median call is reported, as ns per tree per "
        "row (time / rows / trees) and as the single-row latency at batch size 1",
        f"- checks (asserted): quiver's library gives `predict(test)`'s `probability_1` from Python bit for bit on "
        f"every held-out row; tl2cgen's and lleaves' probabilities are within {PEER_ATOL:g} of LightGBM's on them",
        "- others' load: the share of the machine's CPU other processes took during a cell; shown next to a "
        "number when above 10 %",
    ]
    skipped = [v for k, v in SKIPPED.items() if k in PEERS + ("quiver",) and not any(c.library == k
                                                                                    for c in CELLS.values())]
    if skipped:
        lines.append(f"- not measured: {'; '.join(skipped)}")

    rows, met, missing = _speed_rows(s, keys)
    if met:
        verdict = ("**met**" if all(met) else f"**not met** ({met.count(False)} of {len(met)} comparisons "
                   "have quiver slower)")
        if missing:
            verdict += "; not judged against " + ", ".join(missing) + " (not measured)"
    else:
        verdict = "not judged (nothing to compare)"
    few = []
    for m in keys:
        for b in s.batches:
            q = CELLS.get((m, "quiver", 1, b))
            if q is not None and b >= BIG_BATCH:
                few.append((m, b, q.ns_per_tree_row))
    if few:
        few_ok = all(x <= FEW_NS for _, _, x in few)
        few_text = ("**met**" if few_ok else "**not met**") + ": " + "; ".join(
            f"{model_title(m)} at {_rows(b)} rows {_ns(x)} ns" for m, b, x in few)
    else:
        few_text = "not judged (quiver not measured)"
    lines += [
        "",
        "### The issue's targets",
        "",
        f"The compiled scorer faster than every peer at every batch size, on one thread and on two: {verdict}.",
        "",
        f"Close to the limit of a few nanoseconds per tree per row (read here as at most {FEW_NS:g} ns on one "
        f"thread at {BIG_BATCH:,} rows and more, where the call's own cost is spread thin): {few_text}.",
        "",
        "Peer time ÷ quiver time per call (above 1: quiver faster; ✗: quiver slower):",
        "",
        "| model | threads | batch | quiver ns / tree / row | " + " | ".join(f"{LABELS[p]} ÷ quiver" for p in PEERS)
        + " | quiver fastest |",
        "|---|---:|---:|---:|" + "---:|" * len(PEERS) + "---|",
        *rows,
    ]

    # ns per tree per row, one table per model
    for m in keys:
        if not any(k[0] == m for k in CELLS):
            continue
        lines += ["", f"### Nanoseconds per tree per row: {model_title(m)}", "",
                  "| library | threads | " + " | ".join(_batch(b) for b in s.batches) + " |",
                  "|---|---:|" + "---:|" * len(s.batches)]
        for lib in LIBRARIES:
            for t in THREADS:
                cells = [CELLS.get((m, lib, t, b)) for b in s.batches]
                if not any(cells):
                    continue
                text = [("n/a" if c is None else _ns(c.ns_per_tree_row) + (" (1 call)" if c.same_as_one_thread
                                                                           else "") + _flag(c)) for c in cells]
                lines.append(f"| {LABELS[lib]} | {t} | " + " | ".join(text) + " |")

    if any(k[3] == 1 for k in CELLS):
        lines += ["", "### Single-row latency (batch size 1), µs per call (median)", "",
                  "| library | " + " | ".join(f"{model_title(m)}, {t} thread{'s' if t > 1 else ''}"
                                             for m in keys for t in THREADS) + " |",
                  "|---|" + "---:|" * (len(keys) * len(THREADS))]
        for lib in LIBRARIES:
            cells = [CELLS.get((m, lib, t, 1)) for m in keys for t in THREADS]
            if not any(cells):
                continue
            lines.append(f"| {LABELS[lib]} | " + " | ".join(
                "n/a" if c is None else _us(c.seconds) + (" (1 call)" if c.same_as_one_thread else "")
                for c in cells) + " |")
        floor = d.get("call_floor")
        if floor:
            lines += ["", "quiver's single-row time includes the ctypes call from Python: a call into the library "
                      "that does nothing (`quiver_n_inputs`) takes "
                      + ", ".join(f"{_us(v)} µs ({model_title(m)})" for m, v in floor.items()) + " in the probe."]

    if SIZES:
        kinds = sorted({k for v in SIZES.values() for k in v}, reverse=True)
        lines += ["", "### Artifact sizes", "",
                  f"`quiver.export` builds stripped (`-ldflags=-s -w`) artifacts for {sys.platform}/"
                  f"{platform.machine()}; the issue asks for a tree model's executable of at most a few megabytes.",
                  "", "| model | " + " | ".join(f"{k}, MB" for k in kinds) + " |",
                  "|---|" + "---:|" * len(kinds)]
        for m in keys:
            if m in SIZES:
                lines.append(f"| {model_title(m)} | " + " | ".join(
                    f"{SIZES[m][k] / 2**20:.2f}" if k in SIZES[m] else "n/a" for k in kinds) + " |")

    if SERVE:
        lines += [
            "",
            "### HTTP: `serve` of the exported executable",
            "",
            f"The {model_title(keys[0])} model exported with `target=\"exe\"`, run as `serve --addr "
            "127.0.0.1:PORT`, driven by the load generator `cmd/quiver-loadgen` (Go, standard library): keep-alive "
            "connections, each sending `POST /predict` with a fixed JSON body (an array of row objects from the "
            "held-out rows) again as soon as the previous answer is read in full; the first "
            f"{s.http_warmup:g} s are not counted. Loopback, with the load generator on the same "
            f"{os.cpu_count()} cores as the server, so it takes part of the CPU the server could use. There is no "
            "peer HTTP server to compare against (LightGBM, XGBoost, treelite and lleaves ship none), so no "
            "target is judged here.",
            "",
            "| rows per request | connections | seconds | requests | requests / s | rows / s | p50 ms | p90 ms | "
            "p99 ms | max ms | errors |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for k in sorted(SERVE):
            r = SERVE[k].result
            lat = r.get("latency_ms", {})
            lines.append(f"| {k:,} | {r.get('connections')} | {r.get('duration_seconds', 0):.1f} | "
                         f"{r.get('requests', 0):,} | {r.get('requests_per_second', 0):,.0f} | "
                         f"{r.get('requests_per_second', 0) * k:,.0f} | {lat.get('p50', 0):.3f} | "
                         f"{lat.get('p90', 0):.3f} | {lat.get('p99', 0):.3f} | {lat.get('max', 0):.2f} | "
                         f"{r.get('errors', 0)} |")
            extra = ", ".join(f"{a} {b}" for a, b in SERVE[k].info.items())
            details.append(f"- serve, {k} row(s) per request: connections opened {r.get('connections_opened')}, "
                           f"mean latency {lat.get('mean', 0):.3f} ms, bytes read {r.get('bytes_read', 0):,}"
                           + (f"; {extra}" if extra else ""))
    elif "serve" in SKIPPED:
        lines += ["", f"HTTP `serve`: not measured: {SKIPPED['serve']}."]

    for key, info in sorted(d.get("build", {}).items()):
        details.append(f"- compiled scorers, {key}: " + ", ".join(f"{a} {b}" for a, b in info.items()))
    for (m, lib, t, b), c in sorted(CELLS.items()):
        if c.same_as_one_thread:
            continue
        tm = c.timing
        details.append(f"- compiled scorers, {model_title(m)}, {LABELS[lib]}, {t} thread(s), {b:,} rows: "
                       f"{tm.reps:,} calls in {tm.total:.2f} s; median {_us(tm.median)} µs, min {_us(tm.minimum)} µs, "
                       f"p90 {_us(tm.p90)} µs; {c.trees} trees"
                       + (f"; others' load {tm.load:.0%}" if tm.load is not None else ""))
    return lines


def _gbdt_call(library: str) -> str:
    """The training hyperparameters as RESULTS.md shows them (the first model's)."""
    p = DATA_INFO.get("params", {}).get(library)
    return p if p else "..."


def _trees_summary(keys: list[str]) -> str:
    trees = DATA_INFO.get("trees", {})
    parts = []
    for m in keys:
        t = trees.get(m)
        if t:
            parts.append(f"{model_title(m)}: " + ", ".join(f"{LABELS[lib]} {n}" for lib, n in t.items()))
    return "; ".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] != ["probe"]:
        sys.exit("usage: python _export.py probe < spec.json")
    json.dump(probe(json.load(sys.stdin)), sys.stdout)
