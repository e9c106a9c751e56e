"""Hyperparameter search over a learner's or a pipeline's space.

``quiver.tune`` draws configurations (at random, by Optuna's TPE, or by
successive halving over random draws), scores each by cross-validation with
:func:`quiver.validate`, and refits the best configuration on all the data.
Trials run a few at a time on Python threads: a fit runs in the engine
without the GIL, so they share the engine's threads rather than queue.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ._space import Space, space as learner_space

__all__ = ["TuneResult", "tune"]

# Metrics for which a larger value is better.
_MAXIMISE = {"auc", "accuracy", "balanced_accuracy", "f1", "r2"}
_METHODS = ("random", "tpe", "halving")


@dataclass
class TuneResult:
    """What :func:`tune` found.

    Attributes
    ----------
    trials : DataFrame or pyarrow Table
        One row per trial: its number, its parameters, the mean and standard
        deviation of the metric over the folds, the share of rows it saw
        (below 1 for early rungs of halving), and its seconds.
    best_params : dict
        The parameters of the best full-data trial.
    best_score : float
        Its mean cross-validated metric.
    predict, scored, log
        The step refitted on all the data with ``best_params`` (None if the
        search was interrupted before any trial finished).
    interrupted : bool
        Whether Ctrl-C stopped the search early.
    """

    trials: Any
    best_params: dict[str, Any]
    best_score: float
    predict: Any = None
    scored: Any = None
    log: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False


def _space_of(step: Any) -> Space:
    """The space of a step: a pipeline's union of step spaces, or the
    learner's own."""
    if hasattr(step, "space") and callable(step.space):
        return step.space()
    func = getattr(step, "func", step)
    name = getattr(func, "__name__", None)
    try:
        return learner_space(name)
    except ValueError:
        raise TypeError(f"tune: cannot tell the hyperparameter space of {step!r}; pass space=") from None


def tune(
    step: Any,
    data: Any,
    *,
    target: str,
    metric: str,
    space: Space | None = None,
    split: Any = None,
    n_trials: int = 20,
    method: str = "random",
    seed: int = 0,
    parallel: int = 1,
    search: list[str] | None = None,
    progress: bool | None = None,
    refit: bool = True,
) -> TuneResult:
    """Search ``space`` for the parameters of ``step`` that score best by
    cross-validation, and refit them on all of ``data``.

    Parameters
    ----------
    step : learner step or pipeline
        A curried learner (``quiver.gbdt(max_iter=100)``) or a pipeline.
    data : frame
        The training frame.
    target : str
        The column to predict.
    metric : str
        A metric of :func:`quiver.score` (auc, log_loss, accuracy,
        balanced_accuracy, f1, rmse, mae, r2); its direction is known.
    space : Space, optional
        Defaults to the step's space (for a pipeline, ``step__param`` names).
        Runtime and text parameters are not searched.
    split : splitter, optional
        Defaults to 3-fold :class:`quiver.KFold` (stratified for classes is
        up to the caller: pass ``quiver.StratifiedKFold``).
    n_trials : int
        Configurations to try (for halving, the first rung's count).
    method : {"random", "tpe", "halving"}
        Random draws; Optuna's TPE (needs ``optuna``); or successive halving
        of random draws on growing shares of the rows (a third survive each
        rung).
    seed : int
        Seed of the draws.
    parallel : int
        Trials fitted at once (random and halving).
    search : list of str, optional
        Only these parameters are searched. By default every parameter of
        the space except those the step was curried with
        (``quiver.gbdt(objective="log_loss")`` keeps its objective).
    progress : bool, optional
        A tqdm bar over trials; by default when tqdm is installed.
    refit : bool
        Refit the best parameters on all of ``data``.

    Raises
    ------
    ValueError
        For an unknown method or metric, n_trials below 1, or an empty space.
    """
    from ._validation import KFold, _scores_frame, validate

    if method not in _METHODS:
        raise ValueError(f"tune: method must be one of {', '.join(_METHODS)}, got {method!r}")
    if n_trials < 1:
        raise ValueError(f"tune: n_trials must be at least 1, got {n_trials}")
    sp = space if space is not None else _space_of(step)
    fixed = _fixed(step)
    if search is not None:
        unknown = [n for n in search if n not in sp.names()]
        if unknown:
            raise ValueError(f"tune: search names {unknown} not in the space of {sp.learner!r}; "
                             f"it has {', '.join(sp.names())}")
    keep = [p for p in sp if (search is None and p.name not in fixed) or (search is not None and p.name in search)]
    sp = Space(learner=sp.learner, doc=sp.doc, params=tuple(keep), holdout=sp.holdout,
               transformer=sp.transformer,
               forbidden=tuple(f for f in sp.forbidden if all(n in {p.name for p in keep} for n, _ in f)))
    if not any(not p.runtime and p.kind != "text" for p in sp):
        raise ValueError(f"tune: the space of {sp.learner!r} has nothing to search")
    maximise = metric in _MAXIMISE
    split = split if split is not None else KFold(3, shuffle=True, seed=seed)
    sign = 1.0 if maximise else -1.0
    rows: list[dict[str, Any]] = []
    # halving's rungs re-evaluate survivors: its total is not known up front
    bar = _bar(progress, None if method == "halving" else n_trials, method)

    # Every finished trial lands here at once, so that Ctrl-C keeps them.
    finished: list[dict[str, Any]] = []
    stopped = threading.Event()

    def evaluate(number: int, params: dict[str, Any], share: float = 1.0) -> dict[str, Any]:
        started = time.perf_counter()
        frame = data if share >= 1 else _head(data, share)
        scores, _ = validate(_with(step, params), frame, target=target, split=split, metrics=[metric],
                             progress=False)
        values = [float(v) for v in _column(scores, metric)]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        row = {"trial": number, **{f"param_{k}": v for k, v in params.items()}, metric: mean,
               f"{metric}_std": sd, "rows_share": share, "seconds": time.perf_counter() - started}
        if not stopped.is_set():  # a trial still running at Ctrl-C is dropped
            finished.append(row)
            if bar is not None:
                bar.update(1)
        return row

    interrupted = False
    try:
        if method == "tpe":
            rows = _tpe(sp, evaluate, n_trials, seed, maximise, metric)
        else:
            configs = [sp.sample(seed=seed * 100_003 + i) for i in range(n_trials)]
            if method == "random":
                rows = _map(evaluate, [(i, c, 1.0) for i, c in enumerate(configs)], parallel)
            else:
                rows = _halving(configs, evaluate, metric, sign, parallel)
    except KeyboardInterrupt:
        stopped.set()
        interrupted = True
        rows = sorted(finished, key=lambda r: (r["rows_share"], r["trial"]))
    finally:
        if bar is not None:
            bar.close()
    full = [r for r in rows if r["rows_share"] >= 1]
    if not full:
        return TuneResult(trials=_scores_frame(rows), best_params={}, best_score=math.nan, interrupted=interrupted)
    best = max(full, key=lambda r: sign * r[metric])
    params = {k[len("param_"):]: v for k, v in best.items() if k.startswith("param_") and not _missing(v)}
    result = TuneResult(trials=_scores_frame(rows), best_params=params, best_score=best[metric], interrupted=interrupted)
    if refit:
        result.predict, result.scored, result.log = _with(step, params)(data, target=target)
    return result


# Keywords of a curried learner that are not hyperparameters.
_NOT_PARAMS = {"target", "features", "weight", "progress", "score", "valid", "test"}


def _fixed(step: Any, prefix: str = "") -> set[str]:
    """The parameters a step was curried with (``step__param`` inside a
    pipeline), which tuning leaves as they are."""
    import functools

    from ._pipeline import Pipeline

    if isinstance(step, functools.partial):
        return {prefix + k for k in step.keywords if k not in _NOT_PARAMS}
    if isinstance(step, Pipeline):
        out = {prefix + k for k in step._params}
        for s in step._steps:
            out |= _fixed(s.step, f"{prefix}{s.name}__")
        return out
    return set()


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _with(step: Any, params: dict[str, Any]) -> Callable[..., Any]:
    """step with params bound as keyword arguments."""
    import functools

    return functools.partial(step, **params)


def _column(scores: Any, name: str) -> list[Any]:
    if hasattr(scores, "column"):  # pyarrow
        return scores.column(name).to_pylist()
    return list(scores[name])


def _head(data: Any, share: float) -> Any:
    """The first share of the rows of a frame, in the frame's own type
    (rows are expected in random order; halving's early rungs only need a
    smaller sample)."""
    if isinstance(data, dict):
        n = len(next(iter(data.values())))
        return {k: v[: max(1, int(n * share))] for k, v in data.items()}
    n = data.num_rows if hasattr(data, "num_rows") else len(data)
    k = max(1, int(n * share))
    if hasattr(data, "iloc"):  # pandas
        return data.iloc[:k]
    return data.slice(0, k)  # pyarrow and polars


def _map(evaluate: Callable[..., dict[str, Any]], jobs: list[tuple[int, dict[str, Any], float]],
         parallel: int) -> list[dict[str, Any]]:
    """evaluate every job, `parallel` at a time, in job order."""
    if parallel <= 1:
        return [evaluate(*job) for job in jobs]
    pool = cf.ThreadPoolExecutor(max_workers=parallel)
    try:
        rows = list(pool.map(lambda job: evaluate(*job), jobs))
    except BaseException:
        # Drop the queued trials and leave the running ones to finish on
        # their own: Ctrl-C (or a failing trial) returns now, not after them.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return rows


def _halving(configs: list[dict[str, Any]], evaluate: Callable[..., dict[str, Any]], metric: str, sign: float,
             parallel: int, eta: int = 3) -> list[dict[str, Any]]:
    """Successive halving: every configuration on a small share of the rows,
    the best 1/eta on eta times as many, up to all the rows."""
    rungs = max(0, math.ceil(math.log(len(configs), eta)))
    alive = list(enumerate(configs))
    rows: list[dict[str, Any]] = []
    for r in range(rungs + 1):
        share = float(eta) ** (r - rungs)
        got = _map(evaluate, [(i, c, share) for i, c in alive], parallel)
        rows += got
        if share >= 1:
            break
        ranked = sorted(zip(got, alive), key=lambda x: -sign * x[0][metric])
        alive = [a for _, a in ranked[:max(1, len(alive) // eta)]]
    return rows


def _tpe(sp: Space, evaluate: Callable[..., dict[str, Any]], n_trials: int, seed: int,
         maximise: bool, metric: str) -> list[dict[str, Any]]:
    try:
        import optuna
    except ImportError:
        raise ImportError("tune(method='tpe') needs optuna: pip install 'quiver-ml[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rows: list[dict[str, Any]] = []

    def objective(trial: Any) -> float:
        row = evaluate(trial.number, sp.suggest(trial))
        rows.append(row)
        return row[metric]

    study = optuna.create_study(direction="maximize" if maximise else "minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials, catch=())
    return rows


def _bar(progress: bool | None, total: int | None, method: str) -> Any:
    if progress is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise ImportError("progress=True needs tqdm: pip install tqdm") from None
        return None
    return tqdm(total=total, desc=f"tune ({method})", unit="trial")
