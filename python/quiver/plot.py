"""Plots of fitted models.

matplotlib is imported only when a plot is drawn, so ``import quiver`` and
``import quiver.plot`` work without it; install it with
``pip install 'quiver-ml[plot]'``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ._frames import as_arrow
from ._model import Predictor

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    from matplotlib.axes import Axes

__all__ = ["fft"]

# Colours of the two sides, after FFTrees' noise (left) and signal (right)
# sides; the blue/orange pair stays apart for the common kinds of colour
# blindness.
_FILL = {False: "#dbe9f6", True: "#fde3c8"}
_EDGE = {False: "#2c6fad", True: "#c9661a"}
_CUE_FILL = "#f2f2f2"
_CUE_EDGE = "#555555"
_TEXT = "#222222"
_MUTED = "#666666"

# Layout in data units: x runs over [0, 1] (the cues in the middle column,
# decide False exits on the left, decide True exits on the right) and each
# level takes one unit of y, going down.
_X_CUE, _X_FALSE, _X_TRUE = 0.5, 0.14, 0.86
_LEAF_DROP = 0.5  # how far below its cue a non-final level's exit sits
_WRAP = 28  # characters per line of a condition
_PAD = 0.45  # box padding, in fractions of the font size


@dataclass(frozen=True)
class _Exit:
    """One exit of the tree: the decision it gives and the cases that left there."""

    level: int  # 1-based
    decide: bool
    n_true: int  # cases whose criterion is True
    n_false: int
    otherwise: bool = False  # the last level's "otherwise" exit

    @property
    def n(self) -> int:
        return self.n_true + self.n_false

    @property
    def correct(self) -> int:
        return self.n_true if self.decide else self.n_false

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else math.nan


def fft(predict: Predictor, data: Any = None, *, ax: "Axes | None" = None, title: str | None = None) -> "Axes":
    """Draw a fast-and-frugal tree in the style of FFTrees' plots.

    The questions (one per level) are boxes from top to bottom. Every level
    but the last has one exit, drawn on the side of its decision: decide
    False on the left, decide True on the right (FFTrees' "noise" and
    "signal" sides). The last level has both exits. Each exit shows its
    decision, how many cases left there with a True and with a False
    criterion, and its accuracy (the share of those cases it decides
    correctly). A header gives the tree's n, sensitivity, specificity,
    balanced accuracy and accuracy.

    Parameters
    ----------
    predict : quiver.Predictor
        A predictor returned by :func:`quiver.fft`.
    data : frame, optional
        A frame (pandas or polars DataFrame, pyarrow Table, dict of arrays)
        holding the tree's cues and the criterion column
        (``predict.summary["target"]``). When given, the counts and
        statistics are those of ``data``, as decided by ``predict``;
        otherwise they are the training ones. Rows whose criterion is
        missing are left out.
    ax : matplotlib.axes.Axes, optional
        The axes to draw in; by default a new figure sized to the tree.
    title : str, optional
        The title; by default names the criterion.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn in (its axis lines are turned off).

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    TypeError
        If ``predict`` is not a :class:`quiver.Predictor`, or the criterion
        in ``data`` is neither boolean nor numeric.
    ValueError
        If ``predict`` was not fitted by :func:`quiver.fft`, ``data`` lacks the
        criterion column, or its criterion holds values other than 0 and 1.

    Notes
    -----
    Numeric thresholds are shown to four significant digits; the tree in
    full precision is ``predict.summary["tree"]``.

    Examples
    --------
    >>> predict, _, _ = quiver.fft(train, target="diagnosis")   # doctest: +SKIP
    >>> ax = quiver.plot.fft(predict, test)                      # doctest: +SKIP
    >>> ax.figure.savefig("tree.png", dpi=150)                   # doctest: +SKIP
    """
    summary = _fft_summary(predict)
    target = summary["target"]
    levels = summary["levels"]
    if data is None:
        exits = _training_exits(levels)
        stats = summary["train"]
        source = "training"
        dropped = 0
    else:
        exits, stats, dropped = _data_exits(predict, levels, data, target)
        source = "data"

    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("quiver.plot needs matplotlib: pip install 'quiver-ml[plot]'") from exc

    n_levels = len(levels)
    conditions = [_wrap(_shorten_numbers(level["condition"]), level["cue"]) for level in levels]
    if ax is None:
        # Taller rows when a condition wraps onto several lines, so its box
        # keeps clear of the exits below. pyplot (not a bare Figure) so that
        # the figure shows in notebooks and with plt.show() like any other.
        lines = max(c.count("\n") + 1 for c in conditions)
        _, ax = plt.subplots(figsize=(8.0, 1.9 + (1.15 + 0.2 * (lines - 1)) * n_levels))
    ax.set_xlim(0.0, 1.0)
    # Room above the first cue for the side headings, and below the last
    # level for its two exits.
    ax.set_ylim(n_levels - 1 + _LEAF_DROP + 0.55, -0.55)
    ax.set_axis_off()

    header = _header(stats, source, dropped)
    # The header sits between the title and the axes, so the title is
    # lifted by the header's height (one line, or two with a note).
    if title is None:
        # The scikit-learn wrapper fits under an internal target name, not worth showing.
        title = "Fast-and-frugal tree" if target.startswith("__quiver") else f"Fast-and-frugal tree for {target}"
    ax.set_title(title, fontsize=12,
                 color=_TEXT, pad=10 + 12 * (header.count("\n") + 1))
    ax.text(0.5, 1.0, header, transform=ax.transAxes, ha="center", va="bottom", fontsize=9, color=_MUTED,
            gid="fft-header")
    ax.text(_X_FALSE, -0.42, "\u2190 decide False", ha="center", va="center", fontsize=9, color=_EDGE[False],
            gid="fft-side-false")
    ax.text(_X_TRUE, -0.42, "decide True \u2192", ha="center", va="center", fontsize=9, color=_EDGE[True],
            gid="fft-side-true")

    # Boxes are text bboxes, so they fit their text at any figure size;
    # arrows are drawn between the boxes' artists (resolved at draw time),
    # so they meet the box edges whatever size the boxes come out.
    cues = []
    for i, condition in enumerate(conditions):
        cues.append(ax.text(_X_CUE, i, condition, ha="center", va="center", fontsize=10, color=_TEXT,
                            gid=f"fft-cue-{i + 1}", zorder=3,
                            bbox=dict(boxstyle=f"round,pad={_PAD}", fc=_CUE_FILL, ec=_CUE_EDGE, lw=1.0)))

    for i, cue in enumerate(cues):
        last = i == n_levels - 1
        for ex in (e for e in exits if e.level == i + 1):
            x = _X_TRUE if ex.decide else _X_FALSE
            y = i + _LEAF_DROP if not last else i + _LEAF_DROP + 0.15
            leaf = ax.text(x, y, _leaf_text(ex), ha="center", va="center", fontsize=9, color=_TEXT, zorder=3,
                           linespacing=1.35, gid=f"fft-exit-{ex.level}" + ("-otherwise" if ex.otherwise else ""),
                           bbox=dict(boxstyle=f"round,pad={_PAD}", fc=_FILL[ex.decide], ec=_EDGE[ex.decide],
                                     lw=1.2))
            # From the cue's side facing the exit, across and then down into
            # the top of the exit: an elbow, so that the arrowhead meets the
            # box square on whatever the boxes' widths.
            _arrow(ax, cue, (1.0 if ex.decide else 0.0, 0.5), leaf, (0.5, 1.0), elbow=True)
            # "yes" for the level's own condition, "no" for the last level's
            # otherwise; beside the arrow's vertical part, clear of a wide
            # cue box.
            ax.text(x + 0.015 if ex.decide else x - 0.015, i + 0.14, "no" if ex.otherwise else "yes",
                    ha="left" if ex.decide else "right", va="center", fontsize=8, color=_MUTED, style="italic",
                    gid="fft-edge-label")
        if not last:
            _arrow(ax, cue, (0.5, 0.0), cues[i + 1], (0.5, 1.0))
            ax.text(_X_CUE + 0.015, i + 0.5, "no", ha="left", va="center", fontsize=8, color=_MUTED,
                    style="italic", gid="fft-edge-label")
    return ax


def _fft_summary(predict: Any) -> dict[str, Any]:
    """``predict.summary``, once ``predict`` is known to be an fft predictor."""
    if not isinstance(predict, Predictor):
        hint = ""
        if hasattr(predict, "predictor_"):
            hint = " (for a fitted quiver.sklearn.FFTClassifier pass its predictor_)"
        raise TypeError(f"quiver.plot.fft: predict must be the quiver.Predictor returned by quiver.fft, "
                        f"got {type(predict).__name__}{hint}")
    if predict.learner != "fft":
        raise ValueError(f"quiver.plot.fft: predict was fitted by {predict.learner!r}, not 'fft'; "
                         f"only fast-and-frugal trees can be drawn")
    return predict.summary


def _training_exits(levels: list[dict[str, Any]]) -> list[_Exit]:
    """The exits with the training counts that the summary keeps."""
    exits = []
    for i, level in enumerate(levels):
        decide = bool(level["decide"])
        exits.append(_Exit(i + 1, decide, int(level["exit_true"]), int(level["exit_false"])))
        if i == len(levels) - 1:
            exits.append(_Exit(i + 1, not decide, int(level["otherwise_true"]), int(level["otherwise_false"]),
                               otherwise=True))
    return exits


def _data_exits(predict: Predictor, levels: list[dict[str, Any]], data: Any,
                target: str) -> tuple[list[_Exit], dict[str, float], int]:
    """The exits, statistics and number of rows left out (missing
    criterion) of ``data`` as the tree decides it."""
    table, _ = as_arrow(data)
    if target not in table.column_names:
        raise ValueError(f"quiver.plot.fft: data has no criterion column {target!r} (the tree's target); "
                         f"its columns are {table.column_names}")
    truth, known = _criterion(table.column(target), target)
    out = predict(table, exit_level=True)
    level = np.asarray(out.column("exit_level").to_numpy(zero_copy_only=False))[known]
    decided = np.asarray(out.column("prediction").to_numpy(zero_copy_only=False), dtype=bool)[known]
    truth = truth[known]

    exits = []
    n_levels = len(levels)
    for i, lv in enumerate(levels):
        decide = bool(lv["decide"])
        here = level == i + 1
        if i < n_levels - 1:
            exits.append(_Exit(i + 1, decide, int(np.sum(truth[here])), int(np.sum(~truth[here]))))
            continue
        # Both exits of the last level report the same exit_level; the
        # decision tells them apart (a missing cue there takes the exit
        # whose decision is summary["missing_last"], so this still holds).
        own = here & (decided == decide)
        other = here & (decided != decide)
        exits.append(_Exit(i + 1, decide, int(np.sum(truth[own])), int(np.sum(~truth[own]))))
        exits.append(_Exit(i + 1, not decide, int(np.sum(truth[other])), int(np.sum(~truth[other])),
                           otherwise=True))
    return exits, _stats(decided, truth), int(np.sum(~known))


def _criterion(column: pa.ChunkedArray, target: str) -> tuple[np.ndarray, np.ndarray]:
    """The criterion as booleans and a mask of the rows where it is known."""
    known = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    kind = column.type
    if pa.types.is_boolean(kind):
        values = np.asarray(column.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
        return values, known
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
        known &= ~np.isnan(values)  # NaN is a missing criterion, as null is
        bad = known & (values != 0) & (values != 1)
        if bad.any():
            raise ValueError(f"quiver.plot.fft: criterion {target!r} must be binary (bool, or numbers 0 and 1); "
                             f"it holds {values[bad][0]!r}")
        return values == 1, known
    raise TypeError(f"quiver.plot.fft: criterion {target!r} has type {kind}; it must be bool, or numbers 0 and 1")


def _stats(decided: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """The header's statistics, defined as in the summary's "train"."""
    hi = int(np.sum(decided & truth))
    fa = int(np.sum(decided & ~truth))
    mi = int(np.sum(~decided & truth))
    cr = int(np.sum(~decided & ~truth))
    n = hi + fa + mi + cr
    sens = hi / (hi + mi) if hi + mi else math.nan
    spec = cr / (cr + fa) if cr + fa else math.nan
    return {"n": n, "hi": hi, "fa": fa, "mi": mi, "cr": cr, "sens": sens, "spec": spec,
            "bacc": (sens + spec) / 2, "acc": (hi + cr) / n if n else math.nan}


def _header(stats: dict[str, Any], source: str, dropped: int) -> str:
    parts = [f"{source}: n = {int(stats['n'])}"]
    parts += [f"{name} {_fmt(stats[name])}" for name in ("sens", "spec", "bacc", "acc")]
    text = "   ".join(parts)
    if dropped:
        text += f"\n({dropped} row{'s' if dropped != 1 else ''} with a missing criterion left out)"
    return text


def _leaf_text(ex: _Exit) -> str:
    return (f"decide {ex.decide}\n"
            f"{ex.n_true} True \u00b7 {ex.n_false} False\n"
            f"acc {_fmt(ex.accuracy)}" + (f" ({ex.correct}/{ex.n})" if ex.n else ""))


def _fmt(value: Any) -> str:
    value = float(value)
    return "\u2013" if math.isnan(value) else f"{value:.2f}"


_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:[eE][-+]?\d+)?(?![\w.])")


def _shorten_numbers(condition: str) -> str:
    """Thresholds to four significant digits, written without an exponent:
    the engine prints them in full precision, which crowds a box."""
    def short(m: re.Match[str]) -> str:
        v = float(m.group(0))
        return np.format_float_positional(float(f"{v:.4g}"), trim="-")

    return _LONG_NUMBER.sub(short, condition)


def _wrap(condition: str, cue: str) -> str:
    """Break a long condition into "cue op" and its value, the value (a
    long set of levels) broken after its commas, so boxes stay narrow."""
    if len(condition) <= _WRAP or not condition.startswith(cue + " "):
        return condition
    op, _, value = condition[len(cue) + 1:].partition(" ")
    lines, line = [f"{cue} {op}"], ""
    for piece in re.split(r"(?<=,)", value):
        if line and len(line) + len(piece) > _WRAP:
            lines.append(line)
            line = piece
        else:
            line += piece
    lines.append(line)
    return "\n".join(lines)


def _arrow(ax: "Axes", start: Any, start_at: tuple[float, float], end: Any, end_at: tuple[float, float], *,
           elbow: bool = False) -> None:
    """An arrow from a point of one text's box to a point of another's,
    given as fractions of each text's extent; ``elbow`` goes horizontally
    first, then vertically."""
    # A text's extent excludes its bbox padding, and the arrow is shrunk
    # along its own direction: as it leaves and enters the boxes straight
    # (horizontally or vertically), shrinking by the padding puts its ends
    # on the drawn box edges.
    pad_a = _PAD * start.get_fontsize() + 1.0
    pad_b = _PAD * end.get_fontsize() + 1.0
    props = dict(arrowstyle="-|>", color=_CUE_EDGE, lw=1.0, shrinkA=pad_a, shrinkB=pad_b, mutation_scale=12)
    if elbow:
        props["connectionstyle"] = "angle,angleA=0,angleB=90,rad=6"
    ax.annotate("", xy=end_at, xycoords=end, xytext=start_at, textcoords=start, zorder=2, gid="fft-arrow",
                arrowprops=props)
