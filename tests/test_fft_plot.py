"""quiver.plot.fft: the drawing of a fast-and-frugal tree.

Drawn with matplotlib's Agg backend; skipped where matplotlib is not
installed (but for the test of the error that says so). The artists are
found by the gids the plot gives them: ``fft-cue-<level>`` for the
questions, ``fft-exit-<level>`` for the exits (``-otherwise`` for the last
level's otherwise exit) and ``fft-header`` for the statistics.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import quiver
import quiver.plot

# The FFTrees reference data, in shared/ beside the repository (or where
# $QUIVER_FFTREES_DATA says, as in test_fft.py); the tests that read it skip
# where it is absent.
FFTREES = Path(os.environ.get("QUIVER_FFTREES_DATA",
                              Path(__file__).resolve().parents[2] / "shared" / "data" / "fftrees"))
needs_fftrees = pytest.mark.skipif(not (FFTREES / "heartdisease.train.csv").is_file(),
                                   reason=f"FFTrees reference data not found in {FFTREES}")

COUNTS = re.compile(r"(\d+) True \u00b7 (\d+) False")


@pytest.fixture
def plt():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def read_fftrees(name: str) -> tuple[pa.Table, pa.Table]:
    import pyarrow.csv as pcsv

    opts = pcsv.ConvertOptions(null_values=["NA"])
    return tuple(pcsv.read_csv(FFTREES / f"{name}.{part}.csv", convert_options=opts) for part in ("train", "test"))


def synthetic(n: int = 400, seed: int = 5) -> dict[str, np.ndarray]:
    """Two numeric cues and a categorical one that together predict ``y``."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    c = rng.choice(["red", "green", "blue"], size=n)
    score = 1.2 * a - 0.8 * b + (c == "red") + rng.normal(scale=0.8, size=n)
    return {"a": a, "b": b, "c": c, "y": score > 0.3}


@pytest.fixture(scope="module")
def fitted():
    train, test = synthetic(), synthetic(seed=6)
    predict, _, log = quiver.fft(train, target="y", test=test, max_levels=3)
    assert len(predict.summary["levels"]) >= 2, "the tests want a tree with a non-final level"
    return predict, log, train, test


def by_gid(ax, prefix: str) -> list:
    return [t for t in ax.texts if (t.get_gid() or "").startswith(prefix)]


def exit_counts(ax) -> list[tuple[str, int, int]]:
    """(gid, n True, n False) of every exit box, top to bottom."""
    out = []
    for t in sorted(by_gid(ax, "fft-exit-"), key=lambda t: (t.get_position()[1], t.get_position()[0])):
        m = COUNTS.search(t.get_text())
        assert m, f"exit text without counts: {t.get_text()!r}"
        out.append((t.get_gid(), int(m.group(1)), int(m.group(2))))
    return out


def summary_counts(summary: dict) -> dict[str, tuple[int, int]]:
    """The training counts of every exit, by the exit's gid."""
    levels = summary["levels"]
    out = {f"fft-exit-{i + 1}": (lv["exit_true"], lv["exit_false"]) for i, lv in enumerate(levels)}
    last = levels[-1]
    out[f"fft-exit-{len(levels)}-otherwise"] = (last["otherwise_true"], last["otherwise_false"])
    return out


def header(ax) -> str:
    (text,) = by_gid(ax, "fft-header")
    return text.get_text()


# --------------------------------------------------------------------------
# The drawing


def test_boxes_and_exits_match_the_tree(plt, fitted):
    predict, _, _, _ = fitted
    summary = predict.summary
    n_levels = len(summary["levels"])
    ax = quiver.plot.fft(predict)
    ax.figure.canvas.draw()  # the arrows are placed at draw time: this must not fail

    cues = by_gid(ax, "fft-cue-")
    assert len(cues) == n_levels
    for cue, level in zip(sorted(cues, key=lambda t: t.get_gid()), summary["levels"]):
        assert cue.get_text().replace("\n", "").startswith(level["cue"] + " ")

    exits = by_gid(ax, "fft-exit-")
    assert len(exits) == n_levels + 1
    counts = {gid: (t, f) for gid, t, f in exit_counts(ax)}
    assert counts == summary_counts(summary)
    assert sum(t + f for t, f in counts.values()) == summary["train"]["n"]


def test_exits_sit_on_the_side_of_their_decision(plt, fitted):
    predict, _, _, _ = fitted
    ax = quiver.plot.fft(predict)
    for text in by_gid(ax, "fft-exit-"):
        decide_true = "decide True" in text.get_text()
        assert decide_true != ("decide False" in text.get_text())
        x = text.get_position()[0]
        assert (x > 0.5) == decide_true, "decide True on the right, decide False on the left"


def test_exit_accuracy(plt, fitted):
    predict, _, _, _ = fitted
    ax = quiver.plot.fft(predict)
    for text in by_gid(ax, "fft-exit-"):
        s = text.get_text()
        n_true, n_false = map(int, COUNTS.search(s).groups())
        correct = n_true if "decide True" in s else n_false
        if n_true + n_false:
            assert f"acc {correct / (n_true + n_false):.2f} ({correct}/{n_true + n_false})" in s


def test_header_holds_the_training_statistics(plt, fitted):
    predict, _, _, _ = fitted
    train = predict.summary["train"]
    text = header(quiver.plot.fft(predict))
    assert text.startswith(f"training: n = {train['n']}")
    for name in ("sens", "spec", "bacc", "acc"):
        assert f"{name} {train[name]:.2f}" in text


def test_title_and_given_axes(plt, fitted):
    predict, _, _, _ = fitted
    assert quiver.plot.fft(predict).get_title() == "Fast-and-frugal tree for y"
    fig, (left, right) = plt.subplots(1, 2)
    ax = quiver.plot.fft(predict, ax=right, title="my tree")
    assert ax is right
    assert ax.get_title() == "my tree"
    assert not left.texts, "nothing drawn outside the given axes"
    fig.canvas.draw()


def test_long_thresholds_are_shortened(plt):
    data = synthetic()
    predict, _, _ = quiver.fft(data, target="y", tree="If a > 0.123456789, decide True, otherwise, decide False.")
    (cue,) = by_gid(quiver.plot.fft(predict), "fft-cue-")
    assert cue.get_text() == "a > 0.1235"


# --------------------------------------------------------------------------
# Counts recomputed on data


def test_data_equal_to_the_training_frame_gives_the_training_counts(plt, fitted):
    predict, _, train, _ = fitted
    trained = quiver.plot.fft(predict)
    redone = quiver.plot.fft(predict, train)
    assert exit_counts(redone) == exit_counts(trained)
    assert header(redone) == header(trained).replace("training:", "data:", 1)


@pytest.mark.parametrize("kind", ["dict", "pandas", "arrow"])
def test_data_counts_and_statistics(plt, fitted, kind):
    predict, log, _, test = fitted
    frame = {"dict": test, "pandas": pd.DataFrame(test), "arrow": pa.table(test)}[kind]
    ax = quiver.plot.fft(predict, frame)
    stats = log["fft"]["test"]

    counts = exit_counts(ax)
    assert len(counts) == len(predict.summary["levels"]) + 1
    assert sum(t + f for _, t, f in counts) == len(test["y"])
    # Hits and false alarms are the True and False cases at the decide
    # True exits: the log's test statistics, counted independently.
    decide_true = {t.get_gid() for t in by_gid(ax, "fft-exit-") if "decide True" in t.get_text()}
    assert sum(t for gid, t, _ in counts if gid in decide_true) == stats["hi"]
    assert sum(f for gid, _, f in counts if gid in decide_true) == stats["fa"]
    assert sum(t for gid, t, _ in counts if gid not in decide_true) == stats["mi"]
    assert sum(f for gid, _, f in counts if gid not in decide_true) == stats["cr"]

    text = header(ax)
    assert text.startswith(f"data: n = {stats['n']}")
    for name in ("sens", "spec", "bacc", "acc"):
        assert f"{name} {stats[name]:.2f}" in text


def test_data_with_a_numeric_criterion_and_missing_values(plt, fitted):
    predict, log, _, test = fitted
    y = test["y"].astype(np.float64)
    y[:7] = np.nan
    ax = quiver.plot.fft(predict, {**test, "y": y})
    assert sum(t + f for _, t, f in exit_counts(ax)) == len(y) - 7
    assert "7 rows with a missing criterion left out" in header(ax)

    nulls = pa.table({**test, "y": pa.array([None if i < 3 else bool(v) for i, v in enumerate(test["y"])])})
    ax = quiver.plot.fft(predict, nulls)
    assert sum(t + f for _, t, f in exit_counts(ax)) == len(y) - 3


def test_data_with_missing_cues_at_the_last_level(plt):
    """A missing numeric cue at the last level takes the exit deciding
    summary["missing_last"]; its row must be counted at that exit."""
    data = synthetic()
    predict, _, _ = quiver.fft(data, target="y",
                               tree="If c = {red}, decide True. If a > 0.5, decide True, otherwise, decide False.")
    a = data["a"].copy()
    a[data["c"] != "red"] = np.nan  # every case reaching level 2 has no answer there
    ax = quiver.plot.fft(predict, {**data, "a": a})
    counts = {gid: t + f for gid, t, f in exit_counts(ax)}
    reach = int(np.sum(data["c"] != "red"))
    missing_exit = "fft-exit-2" if predict.summary["missing_last"] else "fft-exit-2-otherwise"
    assert counts[missing_exit] == reach


# --------------------------------------------------------------------------
# Errors


def test_rejects_what_is_not_an_fft_predictor(plt, fitted, synthetic_binary):
    with pytest.raises(TypeError, match="quiver.Predictor returned by quiver.fft"):
        quiver.plot.fft(lambda frame: frame)
    logistic, _, _ = quiver.logistic_regression(synthetic_binary, target="y")
    with pytest.raises(ValueError, match="fitted by 'logistic_regression'"):
        quiver.plot.fft(logistic)


def test_rejects_data_without_a_usable_criterion(plt, fitted):
    predict, _, _, test = fitted
    with pytest.raises(ValueError, match="no criterion column 'y'"):
        quiver.plot.fft(predict, {k: v for k, v in test.items() if k != "y"})
    with pytest.raises(ValueError, match="must be binary"):
        quiver.plot.fft(predict, {**test, "y": test["y"].astype(np.int64) + 1})
    with pytest.raises(TypeError, match="must be bool"):
        quiver.plot.fft(predict, {**test, "y": np.where(test["y"], "yes", "no")})


def test_missing_matplotlib_says_how_to_install(fitted, monkeypatch):
    predict = fitted[0]
    # None in sys.modules makes the import fail as if matplotlib were absent.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'quiver-ml[plot]'")):
        quiver.plot.fft(predict)


def test_importing_quiver_does_not_import_matplotlib():
    code = ("import sys, quiver; assert 'quiver.plot' not in sys.modules; "
            "import quiver.plot; assert quiver.plot.fft; quiver.plot; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    # quiver.plot also comes on attribute access, without its own import.
    subprocess.run([sys.executable, "-c", "import quiver; assert callable(quiver.plot.fft)"], check=True)


# --------------------------------------------------------------------------
# The reference trees


@needs_fftrees
@pytest.mark.parametrize("name, target, algorithm", [
    ("heartdisease", "diagnosis", "ifan"),
    ("heartdisease", "diagnosis", "dfan"),
    ("mushrooms", "poisonous", "ifan"),
    ("mushrooms", "poisonous", "dfan"),  # a tree of one level: both exits at level 1
])
def test_reference_trees(plt, tmp_path, name, target, algorithm):
    train, test = read_fftrees(name)
    features = [c for c in train.column_names if c not in (target, "vtype")]  # vtype is constant
    predict, _, log = quiver.fft(train, target=target, features=features, test=test, algorithm=algorithm)

    ax = quiver.plot.fft(predict)
    assert len(by_gid(ax, "fft-exit-")) == len(predict.summary["levels"]) + 1
    assert {gid: (t, f) for gid, t, f in exit_counts(ax)} == summary_counts(predict.summary)
    path = tmp_path / f"{name}-{algorithm}.png"
    ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 1000

    ax = quiver.plot.fft(predict, test)
    assert sum(t + f for _, t, f in exit_counts(ax)) == test.num_rows
    assert f"bacc {log['fft']['test']['bacc']:.2f}" in header(ax)
    ax.figure.savefig(tmp_path / f"{name}-{algorithm}-test.png", dpi=60)
