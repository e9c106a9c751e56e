"""Multi-layer perceptrons in the benchmark suite: the settings every library
shares, the peers' runners, what the tests record, and the RESULTS.md section.

The workload (see test_mlp.py): the dense set of the gradient-boosted-tree
benchmark (1,000,000 training rows × 28 float32 features and 100,000 held out
at full scale), a perceptron with hidden layers [64, 64] and ReLU, Adam at
learning rate 1e-3, batches of 256, 3 epochs, 2 threads, one logistic output
trained on the log loss; quiver against scikit-learn's ``MLPClassifier`` and
PyTorch on the CPU. Reported: seconds per epoch (the whole fit over the
epochs) and test AUC.

At module level this imports only numpy; each library is imported where it is
used, so that a missing peer costs nothing but its own test.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import statistics
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from _gbdt import REBUILD

LIBRARIES = ("quiver", "scikit-learn", "pytorch")
LABELS = {"quiver": "quiver", "scikit-learn": "scikit-learn", "pytorch": "PyTorch"}
PEERS = ("scikit-learn", "pytorch")
# A full-size run counts as complete (and writes benchmarks/RESULTS.md) only
# with these; PyTorch is optional because it is not always installable (below).
REQUIRED = ("quiver", "scikit-learn")

TARGET = "y"
HIDDEN = (64, 64)
ACTIVATION = "relu"
LEARNING_RATE = 1e-3
BATCH_SIZE = 256
EPOCHS = 3
L2 = 0.0
SEED = 0
N_THREADS = 2

# The targets: quiver's seconds per epoch at least this many times
# faster than each peer's, at a test AUC within AUC_TARGET of theirs.
SPEEDUP_TARGET = {"scikit-learn": 2.0, "pytorch": 1.0}
AUC_TARGET = 0.005
# Sanity bound the suite asserts on every library's test AUC, so that broken
# code fails even the smoke run (3 epochs reach about 0.81 on the smoke set's
# 20,000 training rows and 0.95 on the full million).
AUC_ASSERT = 0.6
# Timed rounds per fit (median reported); QUIVER_BENCH_ROUNDS overrides them.
ROUNDS = {"full": 3, "smoke": 1}

# Why PyTorch may be missing: measured on this project's machines (Linux
# x86_64, PyPI the only Python registry they reach) with torch 2.15.0.
TORCH_NOT_INSTALLED = (
    "PyPI has no CPU-only PyTorch for Linux x86_64: its torch wheel is the CUDA build (torch 2.15.0: a 539 MB "
    "wheel that does not import without the CUDA packages it requires, such as nvidia-cudnn-cu13 at 519 MB, "
    "nvidia-cublas at 405 MB, triton at 286 MB and nvidia-nccl-cu13 at 216 MB: over 2 GB to download and "
    "5.3 GB installed in all), and the CPU-only builds are published only on PyTorch's own package index, "
    "which these machines do not reach; so `make bench` does not install it"
)


def rounds(scale_name: str) -> int:
    """Timed rounds of every fit.

    Parameters
    ----------
    scale_name
        ``"full"`` or ``"smoke"`` (QUIVER_BENCH_SCALE).

    Returns
    -------
    int
        ROUNDS of the scale, or QUIVER_BENCH_ROUNDS if set, as for the other
        benchmarks.
    """
    override = os.environ.get("QUIVER_BENCH_ROUNDS")
    return max(1, int(override)) if override else ROUNDS[scale_name]


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
    if library == "quiver":
        try:
            import quiver
        except ImportError as exc:
            return f"quiver is not installed ({exc})"
        if "mlp" not in quiver.learners():
            return (f"quiver.mlp is not built yet: quiver.learners() is {quiver.learners()} "
                    f"(rebuild from the source tree with `{REBUILD}`)")
        return None
    if library == "scikit-learn":
        try:
            importlib.import_module("sklearn.neural_network")
            importlib.import_module("threadpoolctl")
        except ImportError as exc:
            return f"scikit-learn's MLPClassifier or threadpoolctl cannot be imported ({exc})"
        return None
    if library == "pytorch":
        try:
            importlib.import_module("torch")
        except ImportError as exc:
            return f"PyTorch is not installed ({exc}). {TORCH_NOT_INSTALLED}"
        except Exception as exc:  # noqa: BLE001 - e.g. a CUDA build installed without its CUDA libraries
            return f"PyTorch is installed but does not import ({type(exc).__name__}: {exc})"
        return None
    raise ValueError(f"unknown library {library!r}")


def version(library: str) -> str:
    """The library's ``__version__``, or why there is none."""
    module = {"quiver": "quiver", "scikit-learn": "sklearn", "pytorch": "torch"}[library]
    try:
        return str(getattr(importlib.import_module(module), "__version__", "unknown"))
    except Exception:  # noqa: BLE001 - not installed, or broken
        return "not installed"


# ---------------------------------------------------------------- settings


def params(library: str) -> dict[str, Any]:
    """The library's hyperparameters for the issue's setting.

    Parameters
    ----------
    library
        A key of LABELS.

    Returns
    -------
    dict
        quiver's ``mlp`` parameters, ``MLPClassifier``'s keyword arguments, or
        for PyTorch, which has no estimator, what fit_torch does (for
        RESULTS.md).
    """
    if library == "quiver":
        return dict(objective="log_loss", hidden_layers=list(HIDDEN), activation=ACTIVATION, optimizer="adam",
                    learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, max_iter=EPOCHS, l2=L2, seed=SEED,
                    n_threads=N_THREADS, shuffle=True)
    if library == "scikit-learn":
        # tol=0 and n_iter_no_change past max_iter: every epoch runs, as in the
        # others, however the training loss moves.
        return dict(hidden_layer_sizes=HIDDEN, activation=ACTIVATION, solver="adam",
                    learning_rate_init=LEARNING_RATE, batch_size=BATCH_SIZE, max_iter=EPOCHS, alpha=L2,
                    shuffle=True, random_state=SEED, tol=0.0, n_iter_no_change=EPOCHS + 1, early_stopping=False)
    if library == "pytorch":
        layers = f"Linear(28, {HIDDEN[0]}), ReLU, Linear({HIDDEN[0]}, {HIDDEN[1]}), ReLU, Linear({HIDDEN[1]}, 1)"
        return dict(layers=layers, loss="BCEWithLogitsLoss()", optimizer=f"Adam(lr={LEARNING_RATE:g})",
                    batch_size=BATCH_SIZE, epochs=EPOCHS, threads=N_THREADS, seed=SEED)
    raise ValueError(f"unknown library {library!r}")


def call(library: str) -> str:
    """The hyperparameters as keyword arguments, for RESULTS.md."""
    return ", ".join(f"{k}={v!r}" for k, v in params(library).items())


# ---------------------------------------------------------------- the peers' data


@dataclass
class Standardized:
    """The peers' inputs: the features standardised with the training rows'
    mean and standard deviation (quiver does this inside its model, the peers
    expect it done), float32, C-ordered."""

    X_train: np.ndarray
    X_test: np.ndarray
    mean: np.ndarray  # float64, per feature
    std: np.ndarray
    seconds: float  # how long standardising took (not part of any timed fit)


def standardize(X_train: np.ndarray, X_test: np.ndarray) -> Standardized:
    """(X − mean) / std with the training rows' statistics.

    The statistics are accumulated in float64 (a float32 sum over a million
    rows loses digits) and applied in float32, the dtype every library
    trains in, without a float64 copy of the data.

    Parameters
    ----------
    X_train, X_test
        The training and held-out features, float32, rows by columns.

    Returns
    -------
    Standardized
        Both standardised, with the statistics and the time it took.
    """
    started = time.perf_counter()
    mean = X_train.mean(axis=0, dtype=np.float64)
    std = X_train.std(axis=0, dtype=np.float64)
    std = np.where(std > 0, std, 1.0)  # a constant column stays 0 rather than NaN

    def apply(X: np.ndarray) -> np.ndarray:
        out = np.empty(X.shape, dtype=np.float32)
        np.subtract(X, mean.astype(np.float32), out=out)
        np.divide(out, std.astype(np.float32), out=out)
        return out

    X_train_s, X_test_s = apply(X_train), apply(X_test)
    return Standardized(X_train_s, X_test_s, mean, std, time.perf_counter() - started)


# ---------------------------------------------------------------- the runners


def fit_quiver(table: Any) -> tuple[Any, dict[str, Any]]:
    """quiver's fit without scoring the training frame: the engine call that
    ``quiver.mlp`` makes, timed as test_gbdt.py times gbdt's.

    Parameters
    ----------
    table
        The training frame: the raw feature columns and the 0/1 target TARGET.

    Returns
    -------
    predict : quiver.Predictor
        Adds ``prediction``, ``probability_0`` and ``probability_1``.
    log : dict
        ``log["mlp"]``: per-epoch ``loss`` and ``epoch_seconds``, ``timings``.
    """
    import quiver
    from quiver import _learners

    predict, _, log = _learners.fit("mlp", table, target=TARGET, params=quiver.space("mlp").validate(params("quiver")),
                                    progress=False, score=False)
    return predict, log["mlp"]


@contextlib.contextmanager
def _sklearn_threads() -> Iterator[None]:
    """scikit-learn's MLP runs on numpy's BLAS: limit every pool to N_THREADS."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=N_THREADS):
        yield


def fit_sklearn(X: np.ndarray, y: np.ndarray) -> Any:
    """Fit scikit-learn's MLPClassifier on N_THREADS threads.

    With max_iter=3 it warns that it has not converged, which is the point of
    a fixed number of epochs: that warning is silenced.

    Parameters
    ----------
    X
        Standardised features, float32, C-ordered (it trains in float32).
    y
        The 0/1 target.

    Returns
    -------
    sklearn.neural_network.MLPClassifier
        The fitted model.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(**params("scikit-learn"))
    with _sklearn_threads(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def torch_tensors(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray) -> tuple[Any, Any, Any]:
    """The PyTorch inputs, built before the clock starts.

    Parameters
    ----------
    X_train, X_test
        Standardised features, float32, C-ordered (shared, not copied).
    y_train
        The 0/1 target.

    Returns
    -------
    tuple of torch.Tensor
        X_train, y_train as an (n, 1) float32 column (the shape and type
        BCEWithLogitsLoss takes), X_test.
    """
    import torch

    return (torch.from_numpy(np.ascontiguousarray(X_train, dtype=np.float32)),
            torch.from_numpy(y_train.astype(np.float32).reshape(-1, 1)),
            torch.from_numpy(np.ascontiguousarray(X_test, dtype=np.float32)))


def fit_torch(X: Any, y: Any) -> tuple[Any, dict[str, Any]]:
    """The same perceptron in PyTorch, trained the plain way.

    Each epoch draws a fresh random permutation of the rows and cuts it into
    batches of BATCH_SIZE (the last one shorter, as in scikit-learn); Adam
    steps on each batch's mean log loss.

    Parameters
    ----------
    X, y
        From torch_tensors.

    Returns
    -------
    model : torch.nn.Sequential
        The trained network; its output is the logit of P(class 1).
    log : dict
        ``loss`` (mean training log loss per epoch) and ``epoch_seconds``.
    """
    import torch
    from torch import nn

    torch.set_num_threads(N_THREADS)
    torch.manual_seed(SEED)  # the layers' initial weights
    order_rng = torch.Generator().manual_seed(SEED)
    model = nn.Sequential(nn.Linear(X.shape[1], HIDDEN[0]), nn.ReLU(), nn.Linear(HIDDEN[0], HIDDEN[1]), nn.ReLU(),
                          nn.Linear(HIDDEN[1], 1))
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    n = X.shape[0]
    losses: list[float] = []
    epoch_seconds: list[float] = []
    model.train()
    for _ in range(EPOCHS):
        started = time.perf_counter()
        order = torch.randperm(n, generator=order_rng)
        # Summed as a tensor, not with .item() per batch, so that recording
        # the loss adds no conversion to Python floats inside the loop.
        total = torch.zeros(())
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            xb, yb = X[batch], y[batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(batch)
        losses.append(float(total) / n)
        epoch_seconds.append(time.perf_counter() - started)
    return model, {"loss": losses, "epoch_seconds": epoch_seconds}


def probability(library: str, model: Any, X: Any) -> np.ndarray:
    """P(class 1) of every row.

    Parameters
    ----------
    library
        A key of LABELS.
    model
        What the library's fit returned: quiver's predict function, the
        MLPClassifier, the PyTorch network.
    X
        The rows: a frame for quiver, the standardised array for
        scikit-learn, the standardised tensor for PyTorch.

    Returns
    -------
    numpy.ndarray
        float64: quiver's column ``probability_1``, scikit-learn's
        ``predict_proba``, the sigmoid of PyTorch's logit.
    """
    if library == "quiver":
        out = model(X, n_threads=N_THREADS)
        return np.asarray(out["probability_1"], dtype=np.float64)
    if library == "scikit-learn":
        with _sklearn_threads():
            return np.asarray(model.predict_proba(X)[:, 1], dtype=np.float64)
    if library == "pytorch":
        import torch

        model.eval()
        with torch.no_grad():
            return torch.sigmoid(model(X)).reshape(-1).numpy().astype(np.float64)
    raise ValueError(f"unknown library {library!r}")


# ---------------------------------------------------------------- results


@dataclass
class Fit:
    library: str  # a key of LABELS
    times: list[float]  # wall seconds of each round's whole fit
    epochs: int  # epochs each fit ran
    auc: float  # on the held-out rows
    loss: list[float] = field(default_factory=list)  # training loss per epoch (last round), as the library reports it
    epoch_seconds: list[float] = field(default_factory=list)  # per epoch (last round), where the library reports them
    info: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)  # others' CPU load during each round (_bench.timed)

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / self.epochs


# Filled by the tests, read by the conftest at session end.
FITS: dict[str, Fit] = {}
SKIPPED: dict[str, str] = {}  # library -> why it was not measured
DATA_INFO: dict[str, Any] = {}


def record(fit: Fit) -> None:
    FITS[fit.library] = fit


def measured() -> bool:
    return bool(FITS)


def complete() -> bool:
    """Whether quiver and scikit-learn were both measured (PyTorch is optional)."""
    return all(library in FITS for library in REQUIRED)


# ---------------------------------------------------------------- RESULTS.md


def _target_rows(q: Fit | None) -> tuple[list[str], list[bool], list[str]]:
    """The target table's rows, whether each measured target was met, and the
    peers that could not be compared."""
    import _bench  # here, not at the top: _bench imports this module to render it

    rows: list[str] = []
    met: list[bool] = []
    missing: list[str] = []
    for peer in PEERS:
        p = FITS.get(peer)
        label = LABELS[peer]
        speedup = SPEEDUP_TARGET[peer]
        time_target = f"≥ {speedup:g}×" + (" (no slower)" if speedup == 1 else "")
        if q is None or p is None:
            absent = "quiver" if q is None else label
            missing.append(absent)
            why = f"not measured: {absent}"
            rows.append(f"| seconds per epoch: {label} ÷ quiver | {why} | | {time_target} | n/a |")
            rows.append(f"| test AUC: quiver − {label} | {why} | | within ±{AUC_TARGET:g} | n/a |")
            continue
        ratio = p.seconds_per_epoch / q.seconds_per_epoch
        ok = ratio >= speedup
        met.append(ok)
        rows.append(f"| seconds per epoch: {label} ÷ quiver | {_bench._seconds(q.seconds_per_epoch)} s vs "
                    f"{_bench._seconds(p.seconds_per_epoch)} s | {_bench._ratio(ratio)} | {time_target} | "
                    f"{_bench._busy(_bench._met(ok), q, p)} |")
        diff = q.auc - p.auc
        ok = abs(diff) <= AUC_TARGET
        met.append(ok)
        mark = _bench._met(ok) + (" (quiver's is higher)" if diff > AUC_TARGET else "")
        rows.append(f"| test AUC: quiver − {label} | {q.auc:.4f} vs {p.auc:.4f} | {diff:+.4f} | "
                    f"within ±{AUC_TARGET:g} | {mark} |")
    return rows, met, sorted(set(missing))


def _named(library: str) -> str:
    """The library's label with the version the session measured, if any."""
    v = DATA_INFO.get("versions", {}).get(library)
    return f"{LABELS[library]} {v}" if v else LABELS[library]


def render(details: list[str]) -> list[str]:
    """The multi-layer perceptron section of RESULTS.md.

    Parameters
    ----------
    details
        The Details section's lines; each fit's rounds, losses and epoch
        times are appended to it.

    Returns
    -------
    list of str
        The section's lines.
    """
    import _bench  # here, not at the top: _bench imports this module to render it

    d = DATA_INFO
    sk_dtype = d.get("sklearn_dtype", "float32")
    lines = [
        "",
        "## Multi-layer perceptrons: quiver against scikit-learn and PyTorch",
        "",
        f"- data: the dense set of the gradient-boosted-tree benchmark, `make_classification({d.get('call', '...')})` "
        f"as float32: the first {d.get('train', 0):,} rows train, the last {d.get('test', 0):,} are held out",
        f"- every library: hidden layers {list(HIDDEN)} with ReLU, one logistic output on the log loss, Adam "
        f"(learning rate {LEARNING_RATE:g}, β 0.9/0.999, ε 1e-8), batches of {BATCH_SIZE} drawn from a fresh "
        f"shuffle of the rows each epoch (the last batch shorter), {EPOCHS} epochs, no L2, {N_THREADS} threads, "
        "float32, seed 0; each library's own initial weights (scikit-learn's Glorot-uniform, PyTorch's "
        "`nn.Linear` default, quiver's own):",
        f"  - {_named('quiver')}: `{call('quiver')}`, fitted through "
        "`quiver._learners.fit(\"mlp\", ..., score=False)` (the call `quiver.mlp` makes, without scoring the "
        "training frame afterwards) on a pyarrow Table over the raw float32 columns (no copy); quiver "
        "standardises the inputs inside the model, from the training rows' mean and standard deviation, within "
        "the timed call",
        f"  - {_named('scikit-learn')}: `MLPClassifier({call('scikit-learn')})` "
        f"under `threadpool_limits({N_THREADS})` (its matrix products run on numpy's BLAS), the convergence "
        "warning of a fixed epoch count silenced; fed a C-ordered float32 array, in which it trains (its "
        f"weights were {sk_dtype}; it casts to float64 only input of another dtype)",
        f"  - {_named('pytorch')}: `nn.Sequential({params('pytorch')['layers']})`, "
        f"`BCEWithLogitsLoss()`, `Adam(lr={LEARNING_RATE:g})`, `torch.set_num_threads({N_THREADS})`, "
        f"`torch.manual_seed({SEED})`; the timed loop (`_mlp.fit_torch`) builds the model, then each epoch "
        f"draws `torch.randperm(n)` and steps on `X[batch]`, `y[batch]` for each slice of {BATCH_SIZE}, "
        "over float32 tensors made before the clock starts",
        "- the peers get X standardised with the training rows' mean and standard deviation (statistics in "
        "float64, applied in float32) before the clock starts"
        + (f" ({d['standardize_seconds']:.2f} s, not counted)" if "standardize_seconds" in d else "")
        + "; quiver's timed call includes its own standardisation and reading the Arrow columns",
        f"- wall time: median of {d.get('rounds', '?')} round(s) of the whole fit; seconds per epoch = fit "
        f"seconds / {EPOCHS}; test AUC from P(class 1) on the held-out rows, by one numpy function for every "
        "library (`_gbdt_data.auc`)",
        "- others' load: as for the trees, the largest share of the machine's CPU time other processes took "
        f"during a fit; above {_bench.LOAD_FLAG:.0%} a met or missed time target is flagged as unreliable",
    ]
    # Each reason names its library.
    skipped = [v for k, v in SKIPPED.items() if k not in FITS]
    if skipped:
        lines.append(f"- not measured: {'; '.join(skipped)}")

    q = FITS.get("quiver")
    rows, met, missing = _target_rows(q)
    if met and not missing:
        verdict = "**met**" if all(met) else "**not met**"
    elif met:
        verdict = (("**met**" if all(met) else "**not met**") + " where measured; not judged against "
                   + ", ".join(missing) + " (not measured)")
    else:
        verdict = "not judged (" + ", ".join(missing) + " not measured)"
    lines += [
        "",
        "### The issue's targets",
        "",
        f"At least {SPEEDUP_TARGET['scikit-learn']:g}× faster per epoch than scikit-learn and no slower than "
        f"PyTorch, at a test AUC within {AUC_TARGET:g} of theirs: {verdict}.",
        "",
        "| measure | quiver vs peer | ratio / difference | target | met |",
        "|---|---:|---:|---|---|",
        *rows,
    ]

    if FITS:
        lines += [
            "",
            "### Training",
            "",
            "| library | fit s | epochs | s / epoch | s / epoch ÷ quiver's | test AUC | quiver's AUC − this | "
            "final training loss | others' load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for library in LIBRARIES:
            f = FITS.get(library)
            if f is None:
                continue
            vs = _bench._ratio(f.seconds_per_epoch / q.seconds_per_epoch) if q else ""
            dauc = f"{q.auc - f.auc:+.4f}" if q and library != "quiver" else ""
            loss = f"{f.loss[-1]:.4f}" if f.loss else "n/a"
            lines.append(f"| {LABELS[library]} | {_bench._seconds(f.seconds)} | {f.epochs} | "
                         f"{_bench._seconds(f.seconds_per_epoch)} | {vs} | {f.auc:.4f} | {dauc} | {loss} | "
                         f"{_bench._load(f.load)} |")
            extra = ", ".join(f"{k} {v}" for k, v in f.info.items())
            details.append(
                f"- MLP, {LABELS[library]}: rounds {', '.join(_bench._seconds(t) for t in f.times)} s "
                f"(others' load {', '.join(f'{x:.0%}' for x in f.load) or 'n/a'}); test AUC {f.auc:.6f}; "
                f"training loss per epoch {', '.join(f'{x:.5f}' for x in f.loss) or 'not reported'}"
                + (f"; seconds per epoch as the library timed them {', '.join(f'{x:.3f}' for x in f.epoch_seconds)}"
                   if f.epoch_seconds else "")
                + (f"; {extra}" if extra else ""))
        lines += ["", "Training loss: the mean log loss over each epoch's batches as the library reports it "
                  "(scikit-learn's `loss_curve_`, PyTorch's loop, quiver's `log[\"mlp\"][\"loss\"]`), each "
                  "during its own epoch, so a rough comparison only."]
    return lines
