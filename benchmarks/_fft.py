"""Fast-and-frugal trees in the benchmark suite: the reference data, what the
tests record, and the RESULTS.md section.

Two workloads (see test_fft.py):

- reference: the seven data sets FFTrees ships, split once into halves, with
  FFTrees 2.1's own fit time and test balanced accuracy on those splits
  (``../shared/data/fftrees/reference.csv``, or ``$QUIVER_FFTREES_DATA``),
  against quiver (ifan and dfan, FFTrees' defaults) and the Python package
  fasttrees, run in the same session;
- scale: the dense set of the gradient-boosted-tree benchmark
  (1,000,000 training rows × 28 float32 features at full scale), fit time at
  ``max_levels=4``.
"""

from __future__ import annotations

import csv
import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("QUIVER_FFTREES_DATA", HERE.parents[1] / "shared" / "data" / "fftrees"))

# The targets.
SPEEDUP_TARGET = 100.0  # quiver's fit at least this many times faster than FFTrees' on every data set
SCALE_TARGET = 1.0  # seconds for the 1,000,000-row fit on 2 cores
# Sanity bound the suite asserts (so that broken code fails even the smoke run):
# quiver's test balanced accuracy may not fall further below FFTrees'.
BACC_ASSERT = 0.01
ALGORITHMS = ("ifan", "dfan")


def reference() -> list[dict[str, str]]:
    """The rows of reference.csv, or [] where the data are absent."""
    path = DATA / "reference.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def datasets() -> dict[str, str]:
    """Data set -> criterion, in the reference's order."""
    out: dict[str, str] = {}
    for row in reference():
        out.setdefault(row["dataset"], row["criterion"])
    return out


@dataclass
class Fit:
    dataset: str
    library: str  # quiver, FFTrees or fasttrees
    algorithm: str
    times: list[float]
    test_bacc: float
    tree: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)


# Filled by the tests, read by the conftest at session end.
FITS: dict[tuple[str, str, str], Fit] = {}  # (dataset, library, algorithm)
SCALE: dict[str, Fit] = {}  # by label
SKIPPED: dict[str, str] = {}  # library -> why it was not measured
DATA_INFO: dict[str, Any] = {}


def record(fit: Fit) -> None:
    FITS[(fit.dataset, fit.library, fit.algorithm)] = fit


def measured() -> bool:
    return bool(FITS) or bool(SCALE)


def complete() -> bool:
    """Whether quiver was measured on every reference fit and at scale."""
    rows = reference()
    return bool(rows) and all((r["dataset"], "quiver", r["algorithm"]) in FITS for r in rows) and "ifan" in SCALE


def _ms(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def render(details: list[str]) -> list[str]:
    """The fast-and-frugal tree section of RESULTS.md."""
    rows = reference()
    lines = [
        "",
        "## Fast-and-frugal trees: quiver against FFTrees (R) and fasttrees (Python)",
        "",
        "- reference data: the seven data sets of FFTrees, split once into halves (`../shared/data/fftrees`); "
        "FFTrees' fit time and test balanced accuracy are its own, recorded in `reference.csv` (FFTrees 2.1.0, "
        "R 4.2.2, a 2-core machine of this kind, defaults: `goal = \"bacc\"`, `numthresh.method = \"o\"`, "
        "`max.levels = 4`, the test half passed as `data.test`)",
        "- quiver: `quiver.fft(train, target=..., test=test, algorithm=...)` with its defaults, which are FFTrees' "
        "(threshold grid `numthresh_method=\"o\"`, goal bacc, 4 levels, exemplar stopping at 0.1); timed as the "
        "whole call from pyarrow tables: fitting, scoring the training frame, and every candidate tree's "
        "statistics on the test half. Constant columns (mushrooms' `vtype`) are left out, as fft rejects a cue "
        "with a single value",
        "- fasttrees 1.3.1 (`FastFrugalTreeClassifier` with its defaults: marginal fan, 4 levels, balanced "
        "accuracy), run in this session through `benchmarks/_fasttrees.py` (a compatibility layer for current "
        "pandas); timed: `fit` alone, on pandas frames it is given before the clock starts",
        f"- quiver: median of {DATA_INFO.get('rounds', '?')} rounds; fasttrees: 1 round",
    ]
    skipped = [f"{k} ({v})" for k, v in SKIPPED.items()]
    if skipped:
        lines.append(f"- not measured: {'; '.join(skipped)}")
    lines += [
        "",
        f"| data set | algorithm | quiver | FFTrees | FFTrees / quiver (target ≥ {SPEEDUP_TARGET:g}×) | fasttrees | "
        "fasttrees / quiver | test bacc: quiver | FFTrees | fasttrees | same tree as FFTrees |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        q = FITS.get((r["dataset"], "quiver", r["algorithm"]))
        ft = FITS.get((r["dataset"], "fasttrees", "ifan")) if r["algorithm"] == "ifan" else None
        ref_s, ref_bacc = float(r["fit_seconds"]), float(r["test_bacc"])
        if q is None:
            lines.append(f"| {r['dataset']} | {r['algorithm']} | (not measured) | {ref_s:.3f} s | | | | | "
                         f"{ref_bacc:.4f} | | |")
            continue
        speedup = ref_s / q.seconds
        met = "" if speedup >= SPEEDUP_TARGET else " (**below target**)"
        ft_cells = f"{ft.seconds:.3f} s | {ft.seconds / q.seconds:,.0f}×" if ft else " | "
        lines.append(
            f"| {r['dataset']} | {r['algorithm']} | {_ms(q.seconds)} | {ref_s:.3f} s | {speedup:,.0f}×{met} | "
            f"{ft_cells} | {q.test_bacc:.4f} | {ref_bacc:.4f} | "
            f"{(f'{ft.test_bacc:.4f}' if ft else '')} | {'yes' if q.tree == r['tree'] else 'no'} |")
        for f in (q, ft):
            if f is not None:
                details.append(f"- fft {r['dataset']} {r['algorithm']}, {f.library}: rounds "
                               f"{', '.join(f'{t * 1000:.2f}' for t in f.times[:10])}"
                               f"{' ...' if len(f.times) > 10 else ''} ms; tree: {f.tree}")
    measured = [FITS.get((r["dataset"], "quiver", r["algorithm"])) for r in rows]
    if rows and all(measured):
        worst = min(float(r["fit_seconds"]) / q.seconds for r, q in zip(rows, measured))
        # reference.csv rounds to four decimals
        bacc_ok = all(round(q.test_bacc, 4) >= float(r["test_bacc"]) for r, q in zip(rows, measured))
        lines += ["", f"Smallest speed-up over FFTrees: {worst:,.0f}× (target ≥ {SPEEDUP_TARGET:g}×: "
                  f"{'**met**' if worst >= SPEEDUP_TARGET else '**not met**'}); test balanced accuracy at least "
                  f"FFTrees' on every fit: {'**yes**' if bacc_ok else '**no**'}."]
    if SCALE:
        s = DATA_INFO.get("scale", {})
        lines += [
            "",
            "### Scale",
            "",
            f"- data: the dense set of the gradient-boosted-tree benchmark, {s.get('train', 0):,} training rows × 28 "
            f"float32 features (0/1 target), {s.get('test', 0):,} held out; `max_levels=4`, `n_threads=2`, "
            "timed as the fit without scoring the training frame (`quiver._learners.fit(\"fft\", ..., score=False)`)",
            "",
            f"| fit | seconds (target < {SCALE_TARGET:g} s for ifan, the default) | test bacc | tree |",
            "|---|---:|---:|---|",
        ]
        for label, f in SCALE.items():
            met = ""
            if label == "ifan":
                met = " (met)" if f.seconds < SCALE_TARGET else " (**not met**)"
            lines.append(f"| {label} | {f.seconds:.3f}{met} | {f.test_bacc:.4f} | {f.tree} |")
            details.append(f"- fft scale {label}: rounds {', '.join(f'{t:.3f}' for t in f.times)} s")
    return lines
