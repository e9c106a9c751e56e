"""Learner functions, generated from the spaces the engine declares.

Every learner is a function of a frame and keyword-only hyperparameters that
returns ``(predict, scored, log)``, in the style of fklearn. Called without a
frame it returns a step with its hyperparameters already checked, for
pipelines.
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from typing import Any, Callable

from ._bridge import Cancelled, call, engine, stream_address
from ._frames import as_arrow
from ._model import Predictor
from ._space import Space, space
from ._version import __version__

_ANNOTATIONS = {"float": float, "int": int, "bool": bool, "categorical": str, "text": str}

# What the second frame a learner may take is for, by its keyword.
_HOLDOUT_DOCS = {
    "valid": ["    A validation frame with the same columns, scored after every round; with",
              "    ``early_stopping_rounds`` the fit stops when its metric stops improving."],
    "test": ["    A test frame with the same columns; the log then holds every statistic on it",
             "    too. It never changes the fitted model."],
}

# Fits shorter than this never show a progress bar.
_PROGRESS_AFTER_SECONDS = 2.0


def _run_job(job: int, progress: bool | None, desc: str) -> dict[str, Any]:
    """Wait for a fit job, showing progress; Ctrl-C cancels it in Go."""
    bar = None
    started = time.monotonic()
    try:
        while not call(engine.JobWait, job, 50):
            if bar is None and progress is not False and (
                progress or time.monotonic() - started > _PROGRESS_AFTER_SECONDS
            ):
                bar = _progress_bar(desc)
            if bar is not None:
                bar.n = round(100 * call(engine.JobProgress, job), 1)
                bar.refresh()
    except KeyboardInterrupt:
        call(engine.JobCancel, job)
        while not call(engine.JobWait, job, 50):
            pass
        try:
            call(engine.JobResult, job)
        except Cancelled:
            pass
        raise
    finally:
        if bar is not None:
            bar.close()
    try:
        return json.loads(call(engine.JobResult, job))
    except Cancelled as exc:  # cancelled from another thread
        raise KeyboardInterrupt(str(exc)) from None


def _progress_bar(desc: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=100, desc=desc, unit="%", bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}]")


def fit(
    learner: str,
    data: Any,
    *,
    target: str | None,
    features: list[str] | None = None,
    weight: str | None = None,
    valid: Any = None,
    params: dict[str, Any],
    progress: bool | None = None,
    score: bool = True,
) -> tuple[Predictor, Any, dict[str, Any]]:
    """Fit ``learner`` on ``data``; see the generated learner functions.

    ``score=False`` skips scoring the training frame (``scored`` is then
    None), for callers such as the scikit-learn wrappers that never use it.
    ``target=None`` is for feature steps, which need no target; the engine
    then gets ``""``, which names no column.
    """
    if target is not None and not isinstance(target, str):
        raise TypeError(f"{learner}: target must be a column name (str), got {target!r}")
    if weight is not None and not isinstance(weight, str):
        raise TypeError(f"{learner}: weight must be a column name (str) or None, got {weight!r}")
    if features is not None:
        if isinstance(features, str) or not all(isinstance(f, str) for f in features):
            raise TypeError(f"{learner}: features must be a list of column names, got {features!r}")
        features = list(features)
    table, _ = as_arrow(data)
    request = json.dumps({"target": target or "", "weight": weight or "", "features": features or [], "params": params})
    started = time.perf_counter()
    capsule = table.__arrow_c_stream__()
    valid_capsule = None if valid is None else as_arrow(valid)[0].__arrow_c_stream__()
    valid_address = 0 if valid_capsule is None else stream_address(valid_capsule)
    job = call(engine.Fit, learner, stream_address(capsule), valid_address, request)
    del capsule, valid_capsule
    result = _run_job(job, progress, learner)
    fit_seconds = time.perf_counter() - started
    step_log = dict(result["log"])
    predict = Predictor(result["model"])
    step_log["timings"] = {**step_log.get("timings", {}), "fit_seconds": fit_seconds}
    scored = None
    if score:
        started = time.perf_counter()
        scored = predict(data)
        step_log["timings"]["score_training_seconds"] = time.perf_counter() - started
    step_log["version"] = __version__
    log = {learner: step_log}
    predict.log = log
    return predict, scored, log


def _docstring(sp: Space) -> str:
    if sp.transformer:
        what = [
            "Called with a frame, fits and returns ``(predict, scored, log)``: ``predict`` is a",
            ":class:`quiver.Predictor` that replaces the columns it was fitted on by its",
            "outputs in any frame, ``scored`` is the training frame so transformed, and",
            f"``log`` is a dict keyed by ``{sp.learner!r}`` with the hyperparameters, columns",
            "and timings. Called without a frame, checks the hyperparameters and returns a",
            "step that takes the frame later, as in :func:`quiver.pipeline`.",
        ]
        target = ["target : str, optional",
                  "    A column to leave as it is, such as the target of a later step."]
    else:
        what = [
            "Called with a frame, fits and returns ``(predict, scored, log)``: ``predict`` is a",
            ":class:`quiver.Predictor` that adds the model's output columns to any frame,",
            "``scored`` is the training frame with those columns, and ``log`` is a dict keyed",
            f"by ``{sp.learner!r}`` with the hyperparameters, iterations, metrics and timings.",
            "Called without a frame, checks the hyperparameters and returns a step that",
            "takes the frame later, as in :func:`quiver.pipeline`.",
        ]
        target = ["target : str", "    The column to predict."]
    lines = [
        sp.doc or sp.learner,
        "",
        *what,
        "",
        "Parameters",
        "----------",
        "data : pandas or polars DataFrame, pyarrow Table or RecordBatch, dict of arrays",
        "    The training frame.",
        *target,
        "features : list of str, optional",
        "    The input columns; by default every column but the target and the weight.",
        "weight : str, optional",
        "    A column of non-negative sample weights.",
    ]
    if sp.holdout:
        lines += [f"{sp.holdout} : frame, optional", *_HOLDOUT_DOCS[sp.holdout]]
    for p in sp.params:
        lines += [f"{p.name} : {p.kind}, default {p.default!r}", f"    {p.doc} ({p.allowed()})."]
    lines += [
        "progress : bool, optional",
        "    Show a progress bar (needs tqdm); by default one appears for fits longer than",
        f"    {_PROGRESS_AFTER_SECONDS:g} seconds.",
        "score : bool, default True",
        "    Score the training frame; with False, ``scored`` is None and the fit skips",
        "    that pass over the data (cross-validation folds do not need it).",
        "",
        "Raises",
        "------",
        "ValueError",
        "    For an unknown or out-of-range hyperparameter, or bad values in the data",
        "    (the message names the parameter or column).",
        "TypeError",
        "    For a column of a type the learner cannot use.",
        "quiver.errors.ColumnNotFoundError",
        "    For a target, weight or feature column that is not in the frame.",
        "KeyboardInterrupt",
        "    When the fit is interrupted; the fit stops in the engine too.",
    ]
    return "\n".join(lines)


def make_learner(name: str) -> Callable[..., Any]:
    """Build the public function of the learner ``name`` from its space."""
    sp = space(name)
    kw = inspect.Parameter.KEYWORD_ONLY
    holdout = sp.holdout
    signature = inspect.Signature(
        [
            inspect.Parameter("data", inspect.Parameter.POSITIONAL_ONLY, default=None, annotation="FrameLike | None"),
            inspect.Parameter("target", kw, default=None, annotation="str | None"),
            inspect.Parameter("features", kw, default=None, annotation="list[str] | None"),
            inspect.Parameter("weight", kw, default=None, annotation="str | None"),
            *([inspect.Parameter(holdout, kw, default=None, annotation="FrameLike | None")] if holdout else []),
            *(inspect.Parameter(p.name, kw, default=p.default, annotation=_ANNOTATIONS[p.kind]) for p in sp),
            inspect.Parameter("progress", kw, default=None, annotation="bool | None"),
            inspect.Parameter("score", kw, default=True, annotation="bool"),
        ]
    )

    def learner(data: Any = None, /, *, target: str | None = None, features: list[str] | None = None,
                weight: str | None = None, progress: bool | None = None, score: bool = True,
                **hyperparameters: Any):
        valid = hyperparameters.pop(holdout, None) if holdout else None
        params = sp.validate(hyperparameters)
        if not isinstance(score, bool):
            raise TypeError(f"{name}: score must be True or False, got {score!r}")
        if data is None:
            extra = {holdout: valid} if valid is not None else {}
            return functools.partial(learner, target=target, features=features, weight=weight,
                                     progress=progress, **extra, **params)
        if target is None and not sp.transformer:
            raise ValueError(f"{name}: target is required: name the column to predict")
        return fit(name, data, target=target, features=features, weight=weight, valid=valid,
                   params=params, progress=progress, score=score)

    learner.__name__ = learner.__qualname__ = name
    learner.__module__ = "quiver"
    learner.__doc__ = _docstring(sp)
    learner.__signature__ = signature  # type: ignore[attr-defined]
    _public[name] = learner
    return learner


# The learner functions by name, for the scikit-learn wrappers.
_public: dict[str, Callable[..., Any]] = {}
