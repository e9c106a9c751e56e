"""What the benchmarks share: objectives, the store of results, and the
RESULTS.md table written at the end of the session."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import _data
from _cpu import cpu_seconds
import _export
import _fft
import _gbdt
import _mlp
import _pipelines

WORKLOADS = {
    "logistic": "logistic regression, L2",
    "ridge": "ridge regression",
}
# The RESULTS.md written by the full-size run.
RESULTS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
# Memory target of the issue: peak RSS of the fitting process over the table's size.
MEMORY_TARGET = 1.3
# The objective-gap target of the issue, and the looser bound the suite asserts
# so that broken code fails even the smoke run.
GAP_TARGET = 1e-6
GAP_ASSERT = 1e-4


# ---------------------------------------------------------------- objectives


def l2_of(workload: str) -> float:
    return 1.0 / _data.C if workload == "logistic" else _data.ALPHA


def _eta(X: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    return X @ coef + intercept


def objective(workload: str, X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float) -> float:
    """Σ loss + (l2/2)·||coef||², intercept unpenalised; loss is the log loss
    (y in {0, 1}) or ½(y − η)². The same formula for every library."""
    eta = _eta(X, coef, intercept)
    if workload == "logistic":
        loss = float(np.sum(np.logaddexp(0.0, eta) - y * eta))
    else:
        loss = 0.5 * float(np.sum((y - eta) ** 2))
    return loss + 0.5 * l2_of(workload) * float(coef @ coef)


def max_gradient(workload: str, X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float) -> float:
    """max |∂objective| over intercept and coefficients, divided by n (the
    scale of scikit-learn's own stopping test)."""
    eta = _eta(X, coef, intercept)
    if workload == "logistic":
        r = 0.5 * (1.0 + np.tanh(0.5 * eta)) - y  # sigmoid(eta) - y, stable
    else:
        r = eta - y
    g = X.T @ r + l2_of(workload) * coef
    return float(max(abs(r.sum()), np.max(np.abs(g)))) / len(y)


# ---------------------------------------------------------------- results


@dataclass
class Fit:
    workload: str
    library: str  # "quiver" or the peer's name, e.g. "scikit-learn"
    variant: str  # e.g. "lbfgs"; "" for quiver
    times: list[float]
    objective: float
    max_gradient: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)

    @property
    def label(self) -> str:
        return f"{self.library} {self.variant}".strip()


# Filled by the tests, read by the conftest at session end.
FITS: dict[str, list[Fit]] = {w: [] for w in WORKLOADS}
MEMORY: dict[str, dict[str, Any]] = {}


def record(fit: Fit) -> None:
    FITS[fit.workload] = [f for f in FITS[fit.workload] if f.label != fit.label] + [fit]


def quiver_fit(workload: str) -> Fit | None:
    return next((f for f in FITS[workload] if f.library == "quiver"), None)


def peer_fits(workload: str) -> list[Fit]:
    return [f for f in FITS[workload] if f.library != "quiver"]


def gap(q: Fit, peer: Fit) -> float:
    """(quiver − peer) / |peer| of the objective; negative means quiver's is lower."""
    return (q.objective - peer.objective) / abs(peer.objective)


def others_load(before: tuple[float, float] | None, after: tuple[float, float] | None, elapsed: float) -> float | None:
    """The share of the machine's CPU time that other processes (or the
    hypervisor) took between two cpu_seconds() readings elapsed seconds apart;
    None for intervals under half a second, too short for /proc/stat's
    10 ms ticks."""
    if before is None or after is None or elapsed < 0.5:
        return None
    others = (after[0] - before[0]) - (after[1] - before[1])
    return min(1.0, max(0.0, others / (elapsed * (os.cpu_count() or 1))))


def timed(benchmark: Any, fn: Callable[[], Any], rounds: int,
          load: list[float] | None = None) -> tuple[Any, list[float]]:
    """Run fn `rounds` times under pytest-benchmark's pedantic mode; return
    the last result and every round's wall time.

    If `load` is a list, each round also appends the share of the machine's
    CPU time that other processes took meanwhile (others_load): about 0 when
    the benchmark has the machine to itself; when it is not, the round's
    time says little.
    """
    times: list[float] = []

    def run() -> Any:
        before = cpu_seconds()
        started = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        share = others_load(before, cpu_seconds(), elapsed)
        if load is not None and share is not None:
            load.append(share)
        return out

    result = benchmark.pedantic(run, rounds=rounds, iterations=1, warmup_rounds=0)
    return result, times


# ---------------------------------------------------------------- gradient-boosted trees
# quiver against LightGBM (the reference of every ratio), XGBoost and
# scikit-learn; see test_gbdt.py.

GBDT_WORKLOADS = {
    "dense": "dense (make_classification)",
    "categorical": "categorical (airline-shaped)",
}
GBDT_LIBRARIES = _gbdt.LIBRARIES
GBDT_LABELS = _gbdt.LABELS
GBDT_REFERENCE = _gbdt.REFERENCE
# The targets, quiver against LightGBM.
GBDT_TIME_TARGET = 1.0  # training time ratio at most
GBDT_AUC_TARGET = 0.002  # |test AUC difference| at most
GBDT_MEMORY_TARGET = 1.0  # peak RSS ratio at most
GBDT_THROUGHPUT_TARGET = 1.0  # prediction rows/s ratio at least
# Sanity bounds the suite asserts, so that broken code fails even the smoke
# run: every library's test AUC, and how far quiver's may fall below LightGBM's.
GBDT_AUC_ASSERT = 0.6
GBDT_AUC_GAP_ASSERT = 0.02
# Others' CPU load above which RESULTS.md flags a time as measured on a busy machine.
LOAD_FLAG = 0.10


@dataclass
class GBDTFit:
    workload: str  # a key of GBDT_WORKLOADS
    library: str  # a key of GBDT_LABELS
    times: list[float]
    auc: float  # on the held-out rows
    info: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)  # others' CPU load during each round (see timed)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)


@dataclass
class GBDTPredict:
    library: str
    rows: int
    times: list[float]
    info: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)  # others' CPU load during each round (see timed)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


# Filled by the tests and fixtures, read by the conftest at session end.
GBDT_FITS: dict[str, dict[str, GBDTFit]] = {w: {} for w in GBDT_WORKLOADS}
GBDT_PREDICTS: dict[str, GBDTPredict] = {}
GBDT_MEMORY: dict[str, dict[str, Any]] = {}  # by library, the probe's JSON
GBDT_DATA: dict[str, Any] = {}  # what the fixtures built, described in RESULTS.md
GBDT_SKIPPED: dict[str, str] = {}  # library -> why it was not measured


def record_gbdt(fit: GBDTFit) -> None:
    GBDT_FITS[fit.workload][fit.library] = fit


def gbdt_measured() -> bool:
    return any(GBDT_FITS.values()) or bool(GBDT_PREDICTS) or bool(GBDT_MEMORY)


def gbdt_complete() -> bool:
    """Whether quiver and LightGBM were measured on every GBDT workload."""
    need = ("quiver", GBDT_REFERENCE)
    return (all(lib in GBDT_FITS[w] for w in GBDT_WORKLOADS for lib in need)
            and all(lib in GBDT_PREDICTS for lib in need) and all(lib in GBDT_MEMORY for lib in need))


# ---------------------------------------------------------------- RESULTS.md


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_total() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(module: str) -> str:
    try:
        mod = __import__(module)
    except Exception:  # noqa: BLE001 - not installed, or broken
        return "not installed"
    return getattr(mod, "__version__", "unknown")


def _go_version() -> str:
    try:
        out = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "not on PATH"


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    parts = [f"{i.get('internal_api')} {i.get('version') or ''} ({i.get('num_threads')} threads)".replace("  ", " ")
             for i in threadpool_info()]
    return ", ".join(parts) or "none loaded"


def _seconds(s: float) -> str:
    return f"{s:.3f}" if s < 10 else f"{s:.2f}"


def _size(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB"


def render(s: _data.Scale) -> str:
    """RESULTS.md from what the session recorded: the shared header, the
    sections of the linear models, the gradient-boosted trees, the
    fast-and-frugal trees, the multi-layer perceptrons and the pipelines
    (each only if measured), and the details of every measurement."""
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`pytest -q benchmarks -p no:cacheprovider`); every row is measured",
        "side by side in the same run. Do not edit by hand.",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {_cpu_model()}, {cores} cores ({usable} usable), {_memory_total()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- versions: quiver {_version('quiver')}, scikit-learn {_version('sklearn')}, "
        f"LightGBM {_version('lightgbm')}, XGBoost {_version('xgboost')}, numpy {_version('numpy')}, "
        f"pyarrow {_version('pyarrow')}, pandas {_version('pandas')}, scipy {_version('scipy')}, "
        f"Python {platform.python_version()}, Go {_go_version()}",
        f"- BLAS seen by numpy/scikit-learn: {_blas()}",
    ]
    notes: list[str] = []
    if any(FITS.values()) or MEMORY:
        lines += _render_linear(s, notes)
    if gbdt_measured():
        lines += _render_gbdt(notes)
    if _fft.measured():
        lines += _fft.render(notes)
    if _mlp.measured():
        lines += _mlp.render(notes)
    if _pipelines.measured():
        lines += _pipelines.render(notes)
    if _export.measured():
        lines += _export.render(notes)
    if notes:
        lines += ["", "## Details", ""] + notes
    return "\n".join(lines) + "\n"


def _render_linear(s: _data.Scale, details: list[str]) -> list[str]:
    lines = [
        "",
        "## Linear models: quiver against scikit-learn",
        "",
        f"- data: {s.n:,} rows × {s.p} float64 features (scale `{s.name}`), independent standard normals, "
        f"seed {_data.SEED}; y = x·β + {_data.INTERCEPT} (+ N(0,1) noise for ridge; Bernoulli(sigmoid) "
        "for logistic), β ~ N(0, 4/p)",
        "- quiver gets a pyarrow Table built column by column (one contiguous buffer per column); "
        "scikit-learn gets the same values as one C-ordered (row-major) float64 numpy array, "
        "the order LogisticRegression asks for (it would copy a Fortran-ordered one). Building either is not timed.",
        f"- quiver: `n_threads={_data.N_THREADS}, standardize=False`, default `tol`/`max_iter`, timed as the whole "
        "call (fit plus scoring the training frame, as `quiver.logistic_regression` returns it); "
        "scikit-learn: default threading (its BLAS and OpenMP use every core)",
        f"- logistic: quiver `l2={1.0 / _data.C:g}` vs `LogisticRegression(C={_data.C:g}, tol=1e-8, max_iter=1000)`, "
        "solvers lbfgs and newton-cholesky (tol is on the max |gradient| of the mean loss, tight enough that the "
        "peer sits at the optimum well within 1e-9 relative)",
        f"- ridge: quiver `l2={_data.ALPHA:g}` vs `Ridge(alpha={_data.ALPHA:g})`, solvers cholesky and auto",
        f"- wall time: median of {s.rounds} round(s)",
        "- objective, the same numpy formula for every library: Σ loss + (l2/2)·‖β‖², intercept unpenalised; "
        "gap = (quiver − peer) / |peer| (negative: quiver's objective is lower)",
        "",
        "| workload | quiver s | peer | peer s | ratio (quiver/peer, <1 = quiver faster) | objective gap |",
        "|---|---:|---|---:|---:|---:|",
    ]
    notes = []
    for w, title in WORKLOADS.items():
        q = quiver_fit(w)
        peers = peer_fits(w)
        fastest = min(peers, key=lambda f: f.seconds) if peers else None
        if q is None and not peers:
            continue
        if not peers:
            lines.append(f"| {title} | {_seconds(q.seconds)} | (no peer installed) | | | |")
        for peer in peers:
            mark = " (fastest)" if peer is fastest and len(peers) > 1 else ""
            if q is None:
                lines.append(f"| {title} | (failed) | {peer.label}{mark} | {_seconds(peer.seconds)} | | |")
                continue
            ratio = f"{q.seconds / peer.seconds:.2f}"
            if peer is fastest:
                ratio = f"**{ratio}**"
            lines.append(f"| {title} | {_seconds(q.seconds)} | {peer.label}{mark} | {_seconds(peer.seconds)} | "
                         f"{ratio} | {gap(q, peer):+.1e} |")
        for f in ([q] if q else []) + peers:
            detail = ", ".join(f"{k} {v}" for k, v in f.info.items())
            notes.append(f"- {title}, {f.label}: rounds {', '.join(_seconds(t) for t in f.times)} s; "
                         f"objective {f.objective:.10g}; max |gradient|/n {f.max_gradient:.1e}"
                         + (f"; {detail}" if detail else ""))
    lines += ["", "Bold: the ratio against the fastest peer, the one the issue's target is about "
              f"(quiver faster at an objective within {GAP_TARGET:g} relative)."]
    mem_notes: list[str] = []
    if MEMORY:
        lines += [
            "",
            "## Linear models: peak memory of a quiver fit",
            "",
            "Each fit runs in a fresh process that imports only numpy, pyarrow and quiver, builds the table column by",
            "column, and fits once (the same call as above, scoring of the training frame included). Peak RSS is the",
            "process's high-water mark (`VmHWM`; interpreter, libraries and table included). `getrusage`'s `ru_maxrss`",
            "is listed below too, but on Linux it also carries the RSS of the pytest process the probe was forked",
            "from (which holds the peers' copy of the data), so it overstates the probe's own peak.",
            "",
            f"| workload | table nbytes | RSS before fit | peak RSS | peak RSS / table nbytes (target < {MEMORY_TARGET}) |",
            "|---|---:|---:|---:|---:|",
        ]
        for w, title in WORKLOADS.items():
            m = MEMORY.get(w)
            if m is None:
                continue
            lines.append(f"| {title} | {_size(m['table_nbytes'])} | {_size(m['rss_before_fit'])} | "
                         f"{_size(m['peak_rss'])} | {m['peak_rss'] / m['table_nbytes']:.3f} |")
            mem_notes.append(f"- {title}, memory probe: {m['rows']:,} rows × {m['columns']} columns; peak RSS before "
                             f"the fit (building the table) {_size(m['peak_rss_before_fit'])}; RSS after the fit "
                             f"{_size(m['rss_after_fit'])}; ru_maxrss {_size(m['ru_maxrss'])}"
                             + (f"; also imported: {', '.join(m['other_modules'])}" if m["other_modules"] else ""))
    details += notes + mem_notes
    return lines


def _ratio(x: float) -> str:
    return f"{x:.2f}×"


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**yes**" if ok else "**no**")


def _rate(r: float) -> str:
    return f"{r:,.0f}"


def _load(values: list[float]) -> str:
    return f"{max(values):.0%}" if values else "n/a"


def _busy(met: str, *measured: Any) -> str:
    """met, flagged when a measurement behind it ran on a busy machine."""
    worst = max((max(m.load) for m in measured if m is not None and m.load), default=0.0)
    if worst > LOAD_FLAG:
        met += f" (unreliable: other processes took up to {worst:.0%} of the CPU)"
    return met


def _render_gbdt(details: list[str]) -> list[str]:
    d = GBDT_DATA
    ref = GBDT_REFERENCE
    lab = GBDT_LABELS
    lines = [
        "",
        "## Gradient-boosted trees: quiver against LightGBM, XGBoost and scikit-learn",
        "",
    ]
    if "dense" in d:
        lines.append(f"- dense data: `make_classification({d['dense']['call']})` as float32; the first "
                     f"{d['dense']['train']:,} rows train, the last {d['dense']['test']:,} are held out "
                     f"(cached in `benchmarks/.cache/`)")
    if "categorical" in d:
        c = d["categorical"]
        lines.append(f"- categorical data: an airline-shaped synthetic set of {c['rows']:,} rows "
                     f"(`_gbdt_data.make_airline`, seed {c['seed']}): categories month (12), day_of_week (7), carrier "
                     f"({c['carriers']}), origin and dest ({c['airports']} airports each; scikit-learn takes at most "
                     "255 categories natively); numbers dep_hour (0-23) and distance (from the airports' positions, "
                     "with noise); \"delayed\" "
                     f"({c['positive_rate']:.1%} of rows) drawn from a logistic model with carrier × hour, origin × "
                     "hour, month × destination and carrier × distance interactions. The last "
                     f"{c['test']:,} rows are held out; the AUC of the true probabilities on them (the best "
                     f"possible) is {c['bayes_auc']:.4f}")
    if "scale" in d:
        g = d["scale"]
        lines += [
            f"- every library: {g['max_iter']} rounds, {g['num_leaves']} leaves, learning rate 0.1, 255 bins, "
            "2 threads, binary log loss:",
            f"  - quiver: `{d['params']['quiver']}`, fitted through `quiver._learners.fit(\"gbdt\", ..., score=False)` "
            "(the call `quiver.gbdt` makes, without scoring the training frame afterwards)",
            f"  - LightGBM: `LGBMClassifier({d['params']['lightgbm']})`",
            f"  - XGBoost: `XGBClassifier({d['params']['xgboost']})` (`enable_categorical=True` on the categorical set)",
            f"  - scikit-learn: `HistGradientBoostingClassifier({d['params']['scikit-learn']})` "
            "under `threadpool_limits(2, \"openmp\")`",
            "- the data each library gets, built before the clock starts: the peers a C-ordered float32 numpy array "
            "(dense) or a pandas DataFrame with `category` columns (categorical); quiver a pyarrow Table over the "
            "same float32 values, one contiguous column each, without a copy (dense), or with dictionary<int16, "
            "string> columns (categorical). The timed call includes each library's own binning and data ingestion",
            f"- wall time: median of {g['fit_rounds']} round(s) per fit and {g['predict_rounds']} per prediction; "
            "test AUC from P(class 1) on the held-out rows, by one numpy function for every library",
            "- others' load: the largest share, over a measurement's rounds, of the machine's CPU time that other "
            "processes (or the hypervisor) took while it ran (`/proc/stat` minus the benchmark process's own CPU "
            f"time). Above {LOAD_FLAG:.0%} the libraries were competing for the cores and the time, and any ratio "
            "built on it, is unreliable: a met or missed target is flagged then",
        ]
    skipped = [f"{lab[k]} ({v})" for k, v in GBDT_SKIPPED.items()]
    if skipped:
        lines.append(f"- not measured: {'; '.join(skipped)}")

    # the targets
    rows = []
    for w, title in GBDT_WORKLOADS.items():
        q, r = GBDT_FITS[w].get("quiver"), GBDT_FITS[w].get(ref)
        if q and r:
            ratio = q.seconds / r.seconds
            rows.append(f"| {title}: training time | {_seconds(q.seconds)} s | {_seconds(r.seconds)} s | "
                        f"{_ratio(ratio)} | ≤ {GBDT_TIME_TARGET:g}× | "
                        f"{_busy(_met(ratio <= GBDT_TIME_TARGET), q, r)} |")
            diff = q.auc - r.auc
            met = _met(abs(diff) <= GBDT_AUC_TARGET)
            if diff > GBDT_AUC_TARGET:
                met += " (quiver's is higher)"
            rows.append(f"| {title}: test AUC | {q.auc:.4f} | {r.auc:.4f} | {diff:+.4f} | "
                        f"within ±{GBDT_AUC_TARGET:g} | {met} |")
        else:
            def cell(f: GBDTFit | None, what: str) -> str:
                if f is None:
                    return "(not measured)"
                return f"{_seconds(f.seconds)} s" if what == "time" else f"{f.auc:.4f}"

            rows.append(f"| {title}: training time | {cell(q, 'time')} | {cell(r, 'time')} | | "
                        f"≤ {GBDT_TIME_TARGET:g}× | n/a |")
            rows.append(f"| {title}: test AUC | {cell(q, 'auc')} | {cell(r, 'auc')} | | "
                        f"within ±{GBDT_AUC_TARGET:g} | n/a |")
    qm, rm = GBDT_MEMORY.get("quiver"), GBDT_MEMORY.get(ref)
    if qm and rm:
        ratio = qm["peak_rss"] / rm["peak_rss"]
        rows.append(f"| dense: peak RSS of a fresh process that loads the data and fits | {_size(qm['peak_rss'])} | "
                    f"{_size(rm['peak_rss'])} | {_ratio(ratio)} | ≤ {GBDT_MEMORY_TARGET:g}× | "
                    f"{_met(ratio <= GBDT_MEMORY_TARGET)} |")
    else:
        rows.append(f"| dense: peak RSS of a fresh process that loads the data and fits | "
                    f"{'(not measured)' if qm is None else _size(qm['peak_rss'])} | "
                    f"{'(not measured)' if rm is None else _size(rm['peak_rss'])} | | "
                    f"≤ {GBDT_MEMORY_TARGET:g}× | n/a |")
    qp, rp = GBDT_PREDICTS.get("quiver"), GBDT_PREDICTS.get(ref)
    if qp and rp:
        ratio = qp.rows_per_second / rp.rows_per_second
        rows.append(f"| dense: prediction throughput, {qp.rows:,} rows | {_rate(qp.rows_per_second)} rows/s | "
                    f"{_rate(rp.rows_per_second)} rows/s | {_ratio(ratio)} | ≥ {GBDT_THROUGHPUT_TARGET:g}× | "
                    f"{_busy(_met(ratio >= GBDT_THROUGHPUT_TARGET), qp, rp)} |")
    else:
        rows.append(f"| dense: prediction throughput | "
                    f"{'(not measured)' if qp is None else _rate(qp.rows_per_second) + ' rows/s'} | "
                    f"{'(not measured)' if rp is None else _rate(rp.rows_per_second) + ' rows/s'} | | "
                    f"≥ {GBDT_THROUGHPUT_TARGET:g}× | n/a |")
    lines += [
        "",
        "### The issue's targets: quiver against LightGBM",
        "",
        "| measure | quiver | LightGBM | quiver vs LightGBM | target | met |",
        "|---|---:|---:|---:|---|---|",
        *rows,
        "",
        "Ratios are quiver's over LightGBM's (time and memory: < 1 means quiver needs less; throughput: > 1 means "
        "quiver scores faster); the AUC column is quiver's minus LightGBM's.",
    ]

    # training, every library
    if any(GBDT_FITS.values()):
        lines += [
            "",
            "### Training",
            "",
            "| data set | library | fit s | time / LightGBM's | test AUC | AUC − LightGBM's | others' load |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for w, title in GBDT_WORKLOADS.items():
            r = GBDT_FITS[w].get(ref)
            for library in GBDT_LIBRARIES:
                f = GBDT_FITS[w].get(library)
                if f is None:
                    continue
                vs = _ratio(f.seconds / r.seconds) if r else ""
                dauc = f"{f.auc - r.auc:+.4f}" if r else ""
                lines.append(f"| {title} | {lab[library]} | {_seconds(f.seconds)} | {vs} | {f.auc:.4f} | {dauc} | "
                             f"{_load(f.load)} |")
                detail = ", ".join(f"{k} {v}" for k, v in f.info.items())
                details.append(f"- GBDT {title}, {lab[library]}: rounds {', '.join(_seconds(t) for t in f.times)} s "
                               f"(others' load {', '.join(f'{x:.0%}' for x in f.load) or 'n/a'}); "
                               f"test AUC {f.auc:.6f}" + (f"; {detail}" if detail else ""))

    # prediction throughput
    if GBDT_PREDICTS:
        r = GBDT_PREDICTS.get(ref)
        lines += [
            "",
            "### Prediction throughput",
            "",
            "The dense models above score the first rows of the dense set (P(class 1) of every row, 2 threads): "
            "quiver's predict function on a pyarrow Table (`predict(table, n_threads=2)`, which returns the table "
            "with `prediction`, `probability_0` and `probability_1` added), LightGBM's `Booster.predict(X, "
            "num_threads=2)`, XGBoost's `Booster.inplace_predict(X)` (nthread 2) and scikit-learn's `predict_proba(X)`.",
            "",
            "| library | rows | s | rows/s | throughput / LightGBM's | others' load |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for library in GBDT_LIBRARIES:
            p = GBDT_PREDICTS.get(library)
            if p is None:
                continue
            vs = _ratio(p.rows_per_second / r.rows_per_second) if r else ""
            lines.append(f"| {lab[library]} | {p.rows:,} | {_seconds(p.seconds)} | {_rate(p.rows_per_second)} | {vs} | "
                         f"{_load(p.load)} |")
            detail = ", ".join(f"{k} {v}" for k, v in p.info.items())
            details.append(f"- GBDT prediction, {lab[library]}: rounds {', '.join(_seconds(t) for t in p.times)} s "
                           f"(others' load {', '.join(f'{x:.0%}' for x in p.load) or 'n/a'})"
                           + (f"; {detail}" if detail else ""))

    # peak memory
    if GBDT_MEMORY:
        r = GBDT_MEMORY.get(ref)
        lines += [
            "",
            "### Peak memory of a dense fit",
            "",
            "Each library fits the dense set once in a fresh process (`_memory_probe.py gbdt LIBRARY ...`) that",
            "imports the library, loads the cached .npy files (the peers the row-major array, quiver the column-major",
            "one, wrapped in a pyarrow Table without a copy; all rows, the held-out ones included), and fits with",
            "the hyperparameters above. Peak RSS is the process's high-water mark (`VmHWM`: interpreter, the",
            "library and whatever it imports, the data and the fit). \"Fit's own\" is the peak minus the RSS just",
            "before the fit, the memory the fit itself added. The issue's target is on the peak. The probe's fit",
            "time is a second, independent timing of the same fit (one round, with others' load meanwhile).",
            "",
            "| library | data loaded | RSS before fit | peak RSS | peak / LightGBM's | fit's own (peak − before) | "
            "fit's own / LightGBM's | probe's fit s | others' load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for library in GBDT_LIBRARIES:
            m = GBDT_MEMORY.get(library)
            if m is None:
                continue
            own = m["peak_rss"] - m["rss_before_fit"]
            vs = _ratio(m["peak_rss"] / r["peak_rss"]) if r else ""
            own_ref = (r["peak_rss"] - r["rss_before_fit"]) if r else 0
            vs_own = _ratio(own / own_ref) if r and own_ref > 0 else ""
            load = m.get("others_load")
            lines.append(f"| {lab[library]} | {_size(m['data_nbytes'])} | {_size(m['rss_before_fit'])} | "
                         f"{_size(m['peak_rss'])} | {vs} | {_size(own)} | {vs_own} | {_seconds(m['fit_seconds'])} | "
                         f"{'n/a' if load is None else f'{load:.0%}'} |")
            details.append(f"- GBDT memory probe, {lab[library]}: {m['rows']:,} training rows × {m['columns']} "
                           f"features; peak RSS before the fit (imports and loading) {_size(m['peak_rss_before_fit'])}; "
                           f"RSS after the fit {_size(m['rss_after_fit'])}; fit {m['fit_seconds']:.2f} s; "
                           f"ru_maxrss {_size(m['ru_maxrss'])}; heavy modules loaded: "
                           f"{', '.join(m['modules']) or 'none'}")
    return lines
