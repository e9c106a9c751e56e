"""Pipelines: named steps fitted one after another, in the style of fklearn.

``quiver.pipeline(("scale", quiver.standard_scaler), ("gbdt", quiver.gbdt(num_leaves=15)))``
is itself a learner: called with a frame it fits every step on the frame the
step before leaves and returns ``(predict, scored, log)``; called without
one it returns itself, curried, as a step for another pipeline.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import json
import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._bridge import call, engine
from ._frames import as_arrow, attach, column_names
from ._learners import _public
from ._model import Predictor
from ._space import Space, space

__all__ = ["Pipeline", "PipelinePredictor", "pipeline"]

# Joins a step's name to its hyperparameters' names; step names may not
# contain it, so "outer__inner__param" splits back without ambiguity.
SEP = "__"

_KINDS_HELP = (
    "a step is a quiver learner (such as quiver.gbdt, or quiver.gbdt(num_leaves=15) to "
    "fix hyperparameters), a quiver.pipeline, or a Python function of a frame that "
    "returns (predict, scored, log)"
)


@dataclasses.dataclass(frozen=True)
class _Step:
    """A pipeline step, classified once when the pipeline is built."""

    name: str
    step: Callable[..., Any]
    kind: str  # "learner", "pipeline" or "python"
    learner: str = ""  # the learner's name, for kind "learner"

    @property
    def curried(self) -> dict[str, Any]:
        """The keywords a learner step was curried with."""
        return dict(self.step.keywords) if isinstance(self.step, functools.partial) else {}

    def space(self) -> Space | None:
        """The step's own space (None for Python steps)."""
        if self.kind == "learner":
            return space(self.learner)
        if self.kind == "pipeline":
            return self.step.space()
        return None


def _learner_of(fn: Any) -> str:
    """The learner name of a generated learner function, or ""."""
    for name, public in _public.items():
        if fn is public:
            return name
    return ""


def _classify(index: int, item: Any) -> _Step:
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise TypeError(f"pipeline step {index} is {_describe(item)}; steps are (name, step) pairs, where {_KINDS_HELP}")
    name, step = item
    if not isinstance(name, str):
        raise TypeError(f"pipeline step {index} has name {name!r}; step names are strings")
    if not name:
        raise ValueError(f"pipeline step {index} has an empty name; every step needs a name")
    if SEP in name:
        raise ValueError(f"pipeline step name {name!r} contains {SEP!r}, which joins step and hyperparameter "
                         f"names ({name}{SEP}param); choose another name, such as {name.replace(SEP, '_')!r}")
    if isinstance(step, Pipeline):
        return _Step(name, step, "pipeline")
    if isinstance(step, functools.partial) and _learner_of(step.func):
        if step.args:
            raise TypeError(f"pipeline step {name!r} is a learner already given a frame; pass the learner "
                            f"without one, such as quiver.{_learner_of(step.func)}(num_leaves=15)")
        return _Step(name, step, "learner", _learner_of(step.func))
    if _learner_of(step):
        return _Step(name, functools.partial(step), "learner", _learner_of(step))
    if isinstance(step, type) or not callable(step):
        raise TypeError(f"pipeline step {name!r} is {_describe(step)}; {_KINDS_HELP}")
    return _Step(name, step, "python")


def _describe(obj: Any) -> str:
    if isinstance(obj, type):
        return f"the class {obj.__module__}.{obj.__qualname__}"
    text = repr(obj)
    # Short one-line reprs help ("gbdt", 3); frames' many-line ones do not.
    return f"a {type(obj).__name__}" + (f" ({text})" if len(text) <= 60 and "\n" not in text else "")


def _accepts_target(fn: Callable[..., Any]) -> bool:
    """Whether a Python step takes a ``target`` keyword."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get("target")
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


def _note(exc: BaseException, text: str) -> None:
    # Notes keep the exception's own type and traceback (Python 3.11+).
    add = getattr(exc, "add_note", None)
    if add is not None:
        add(text)


class Pipeline:
    """A sequence of named steps that is itself a learner.

    Build one with :func:`quiver.pipeline`. Calling it with a frame fits
    the steps in order, each on the ``scored`` frame the step before
    returned, and returns ``(predict, scored, log)``; calling it without a
    frame returns it curried (with any hyperparameters given), as a step
    for another pipeline.
    """

    def __init__(self, steps: tuple[_Step, ...], params: Mapping[str, Any] | None = None,
                 target: str | None = None, weight: str | None = None, progress: bool | None = None) -> None:
        self._steps = steps
        self._params = dict(params or {})
        self._target = target
        self._weight = weight
        self._progress = progress

    @property
    def steps(self) -> list[tuple[str, Callable[..., Any]]]:
        """The ``(name, step)`` pairs, in order."""
        return [(s.name, s.step) for s in self._steps]

    def space(self) -> Space:
        """The union of the steps' spaces, each parameter named
        ``step__param`` (``outer__inner__param`` for a nested pipeline).

        Defaults are the values the pipeline fits with: a step's own
        default, or the value the step (or the pipeline) was curried with.
        Python steps have no hyperparameters.
        """
        params, forbidden = [], []
        transformer = True
        for s in self._steps:
            sp = s.space()
            transformer = transformer and sp is not None and sp.transformer
            if sp is None:
                continue
            curried = s.curried
            for p in sp:
                cond = p.condition
                params.append(dataclasses.replace(
                    p, name=s.name + SEP + p.name,
                    default=curried.get(p.name, p.default),
                    condition=None if cond is None else (s.name + SEP + cond[0], cond[1]),
                ))
            forbidden += [tuple((s.name + SEP + n, v) for n, v in combo) for combo in sp.forbidden]
        params = [dataclasses.replace(p, default=self._params[p.name]) if p.name in self._params else p
                  for p in params]
        return Space(
            learner="pipeline",
            doc="A pipeline of " + ", ".join(f"{s.name} ({s.learner or s.kind})" for s in self._steps) + ".",
            params=tuple(params), transformer=transformer, forbidden=tuple(forbidden),
        )

    def _validate(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``step__param`` overrides against the steps' spaces."""
        if not overrides:
            return {}
        sp = self.space()
        names = sp.names()
        steps = {s.name: s for s in self._steps}
        for key in overrides:
            if key in names:
                continue
            msg = f"pipeline: unknown hyperparameter {key!r}"
            step, sep, rest = key.partition(SEP)
            if not sep:
                # A bare parameter name: the steps that have it.
                owners = [n for n in names if n.split(SEP)[-1] == key]
                hint = owners[:1] or difflib.get_close_matches(key, names, n=1, cutoff=0.6)
                msg += f"; a pipeline's hyperparameters are named step{SEP}param"
                msg += f"; did you mean {hint[0]!r}?" if hint else (f", such as {names[0]!r}" if names else "")
            elif step not in steps:
                hint = difflib.get_close_matches(step, list(steps), n=1, cutoff=0.6)
                msg += f"; there is no step {step!r} (the steps are {list(steps)})"
                if hint and hint[0] + SEP + rest in names:
                    msg += f"; did you mean {hint[0] + SEP + rest!r}?"
            elif steps[step].kind == "python":
                msg += f"; step {step!r} is a Python function, which has no hyperparameters"
            else:
                own = [n for n in names if n.startswith(step + SEP)]
                hint = difflib.get_close_matches(key, own, n=1, cutoff=0.6)
                msg += f"; did you mean {hint[0]!r}?" if hint else f"; step {step!r} has " + ", ".join(own)
            raise ValueError(msg)
        return sp.validate(overrides)

    def __call__(self, data: Any = None, /, *, target: str | None = None, weight: str | None = None,
                 progress: bool | None = None, score: bool = True, **hyperparameters: Any) -> Any:
        """Fit the pipeline on ``data``, or curry it when ``data`` is None.

        Parameters
        ----------
        data : pandas or polars DataFrame, pyarrow Table or RecordBatch, dict of arrays, optional
            The training frame. Without it, the pipeline returns itself
            with the other arguments fixed, as a step for another pipeline.
        target : str, optional
            The column to predict; passed to every quiver step (feature
            steps leave it alone) and to Python steps that take a
            ``target`` keyword. A pipeline of feature steps needs none.
        weight : str, optional
            A column of sample weights, passed to every quiver step.
        progress : bool, optional
            Passed to every quiver step (see the learners).
        score : bool, default True
            Return the scored training frame. With False, ``scored`` is
            None and the last step does not score the training frame
            (the steps before it still transform it for the next).
        **hyperparameters
            ``step__param=value`` for any parameter of :meth:`space`, such as
            ``gbdt__num_leaves=63``; they override the values the steps were
            curried with.

        Returns
        -------
        predict : Predictor or PipelinePredictor
            A :class:`quiver.Predictor` over one engine model when every
            step is a quiver learner (it saves, loads, pickles and exports as
            one model file), otherwise a :class:`PipelinePredictor` that
            chains the steps' predict functions. For a pipeline that ends
            in a model it returns the frame it is given with the last step's
            outputs added; for one that ends in a feature step or a Python
            step, the frame as the chain leaves it.
        scored : frame or None
            ``predict`` applied to ``data``, in ``data``'s own type; None
            with ``score=False``.
        log : dict
            ``{step_name: step_log}`` in order.

        Raises
        ------
        ValueError
            For an unknown hyperparameter (with the nearest known name) or
            a bad value, a step that drops the target, or a step's own
            error. Every error raised by a step carries a note naming the
            step (Python 3.11+).
        TypeError
            For a step that returns something other than
            ``(predict, scored, log)``.
        """
        checked = self._validate(hyperparameters)
        if data is None:
            if not checked and target is None and weight is None and progress is None:
                return self
            return Pipeline(self._steps, {**self._params, **checked}, target if target is not None else self._target,
                            weight if weight is not None else self._weight,
                            progress if progress is not None else self._progress)
        params = {**self._params, **checked}
        target = target if target is not None else self._target
        weight = weight if weight is not None else self._weight
        progress = progress if progress is not None else self._progress
        for name in (target, weight):
            if name is not None and not isinstance(name, str):
                raise TypeError(f"pipeline: target and weight must be column names (str), got {name!r}")
        if not isinstance(score, bool):
            raise TypeError(f"pipeline: score must be True or False, got {score!r}")
        return self._fit(data, params, target, weight, progress, score=score)

    def _fit(self, data: Any, params: dict[str, Any], target: str | None, weight: str | None,
             progress: bool | None, before: tuple[tuple[str, Callable[[Any], Any]], ...] = (),
             score: bool = True) -> tuple[Any, Any, dict[str, Any]]:
        """Fit the steps in turn. ``before`` are the predict functions of the
        steps an enclosing pipeline fitted ahead of this one, which holdout
        frames (given in the caller's columns) go through first. Without
        ``score`` the last step skips scoring when it can and the scored
        frame is None."""
        per_step: dict[str, dict[str, Any]] = {s.name: {} for s in self._steps}
        for key, value in params.items():
            step, _, rest = key.partition(SEP)
            per_step[step][rest] = value
        fitted: list[tuple[str, Callable[[Any], Any]]] = []
        log: dict[str, Any] = {}
        cur = data
        for i, s in enumerate(self._steps):
            last = i == len(self._steps) - 1
            try:
                result = self._fit_step(s, cur, per_step[s.name], target, weight, progress, [*before, *fitted],
                                        score=score or not last)
            except Exception as exc:
                _note(exc, f"in pipeline step {s.name!r} ({s.learner or s.kind})")
                raise
            if not isinstance(result, tuple) or len(result) != 3 or not callable(result[0]):
                raise TypeError(f"pipeline step {s.name!r} returned {_describe(result)}; a step returns "
                                "(predict, scored, log) with a callable predict")
            predict, scored, step_log = result
            if not last and scored is None:
                raise TypeError(f"pipeline step {s.name!r} returned no scored frame; the next step fits on it")
            if not last:
                have = set(column_names(scored))
                for role, col in (("target", target), ("weight", weight)):
                    if col is not None and col not in have:
                        raise ValueError(
                            f"pipeline step {s.name!r} dropped the {role} column {col!r}, which later steps need; "
                            f"feature steps leave the {role} alone, and a Python step must keep it")
            fitted.append((s.name, predict))
            log[s.name] = dict(step_log) if isinstance(step_log, Mapping) else step_log
            cur = scored
        if all(isinstance(p, Predictor) for _, p in fitted):
            request = json.dumps([{"name": n, "model": p._handle} for n, p in fitted])
            predict = Predictor(call(engine.PipelineNew, request), log)
        else:
            predict = PipelinePredictor(fitted, log)
        predict.log = log
        if not score:
            return predict, None, log
        if cur is None:
            raise TypeError(f"pipeline step {self._steps[-1].name!r} returned no scored frame")
        return predict, _final_frame(data, cur, _predictive_outputs(predict)), log

    def _fit_step(self, s: _Step, frame: Any, params: dict[str, Any], target: str | None, weight: str | None,
                  progress: bool | None, fitted: list[tuple[str, Callable[[Any], Any]]], score: bool = True) -> Any:
        """Fit one step on ``frame`` and return what the step returns.
        ``fitted`` are the predict functions of every step fitted before it,
        an enclosing pipeline's included; ``score=False`` asks a quiver step
        not to score ``frame`` (a Python step scores it anyway)."""
        if s.kind == "python":
            return s.step(frame, target=target) if target is not None and _accepts_target(s.step) else s.step(frame)
        if s.kind == "pipeline":
            inner: Pipeline = s.step
            return inner._fit(frame, {**inner._params, **inner._validate(params)},
                              target if target is not None else inner._target,
                              weight if weight is not None else inner._weight,
                              progress if progress is not None else inner._progress, tuple(fitted), score=score)
        kw: dict[str, Any] = dict(params)
        kw["score"] = score
        curried = s.curried
        if target is not None:
            own = curried.get("target")
            if own is not None and own != target:
                raise ValueError(f"pipeline step {s.name!r} was given target={own!r}, but the pipeline is "
                                 f"fitted with target={target!r}")
            kw["target"] = target
        if weight is not None:
            kw["weight"] = weight
        if progress is not None:
            kw["progress"] = progress
        holdout = space(s.learner).holdout
        if holdout and curried.get(holdout) is not None and fitted:
            # The holdout frame is in the caller's columns: it goes
            # through the steps fitted so far, as the training frame did.
            kw[holdout] = _chain(fitted, curried[holdout])
        return s.step(frame, **kw)

    def __repr__(self) -> str:
        inner = ", ".join(f"({s.name!r}, {s.learner or s.kind})" for s in self._steps)
        return f"quiver.pipeline({inner})"


def _chain(steps: list[tuple[str, Callable[[Any], Any]]], data: Any) -> Any:
    """Apply predict functions in turn, noting which step fails."""
    for name, predict in steps:
        try:
            data = predict(data)
        except Exception as exc:
            _note(exc, f"in pipeline step {name!r}")
            raise
    return data


def _predictive_outputs(predict: Any) -> list[str] | None:
    """The output columns of a predict function that adds predictions to the
    frame it is given, or None for one that returns the frame its chain
    leaves (a feature step, a Python step)."""
    if isinstance(predict, Predictor):
        return None if predict.replaces else predict.outputs
    if isinstance(predict, PipelinePredictor):
        return predict._outputs
    return None


def _final_frame(data: Any, chained: Any, outputs: list[str] | None) -> Any:
    """``data`` with the ``outputs`` columns of the chain's last frame, or
    that frame itself when ``outputs`` is None."""
    if outputs is None:
        return chained
    table, kind = as_arrow(data)
    last, _ = as_arrow(chained)
    if last.num_rows != table.num_rows:
        raise ValueError(f"the pipeline's steps turned {table.num_rows} rows into {last.num_rows}; "
                         "steps must keep the rows and their order")
    return attach(data, kind, last.select(outputs))


class PipelinePredictor:
    """A fitted pipeline with Python steps: its steps' predict functions, chained.

    ``predictor(frame)`` applies each step's predict function to the frame
    the one before returns. When the last step is a quiver model, the
    result is ``frame`` with that model's outputs added (as for
    :class:`quiver.Predictor`); otherwise it is the frame the chain leaves.

    It pickles with the standard pickle when its Python steps' predict
    functions do (module-level functions and classes do; lambdas and
    closures do not). It cannot be exported: see :attr:`export_blocker`.
    """

    def __init__(self, steps: list[tuple[str, Callable[[Any], Any]]], log: dict[str, Any] | None = None) -> None:
        self._steps = list(steps)
        self.log = log or {}
        self._outputs = _predictive_outputs(self._steps[-1][1])

    @property
    def steps(self) -> list[tuple[str, Callable[[Any], Any]]]:
        """The ``(name, predict)`` pairs, in order."""
        return list(self._steps)

    def __call__(self, data: Any) -> Any:
        """Apply the steps to ``data``; see the class documentation."""
        return _final_frame(data, _chain(self._steps, data), self._outputs)

    @property
    def exportable(self) -> bool:
        """False: a Python step cannot be compiled into a standalone
        program. :attr:`export_blocker` says which step."""
        return False

    @property
    def export_blocker(self) -> str:
        """Why the pipeline cannot be exported, naming the step."""
        for name, predict in self._steps:
            if isinstance(predict, PipelinePredictor):
                return f"in step {name!r}: {predict.export_blocker}"
            if not isinstance(predict, Predictor):
                what = getattr(predict, "__qualname__", type(predict).__qualname__)
                module = getattr(predict, "__module__", type(predict).__module__)
                return (f"step {name!r} predicts with the Python callable {module}.{what}; only pipelines "
                        "whose every step is a quiver learner compile to a standalone program")
        return "the pipeline has a Python step"

    def check_exportable(self) -> None:
        """Raise ``ValueError`` with :attr:`export_blocker`, as
        ``quiver.export`` does for such a pipeline."""
        raise ValueError(f"this pipeline cannot be exported: {self.export_blocker}")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Pickle the predictor to ``path`` (replaced atomically).

        A pipeline with Python steps has no model file; read the pickle back
        with :meth:`load`.
        """
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    @staticmethod
    def load(path: str | os.PathLike[str]) -> "PipelinePredictor":
        """Unpickle a predictor that :meth:`save` wrote.

        Unpickling runs code named in the file: load only files you trust.
        Files of quiver learners alone are model files, read safely by
        :func:`quiver.load`.
        """
        with open(path, "rb") as f:
            out = pickle.load(f)  # noqa: S301 - documented: trusted files only
        if not isinstance(out, PipelinePredictor):
            raise TypeError(f"{os.fspath(path)!r} holds a {type(out).__name__}, not a PipelinePredictor")
        return out

    def __repr__(self) -> str:
        return f"<quiver.PipelinePredictor {' -> '.join(name for name, _ in self._steps)}>"


def pipeline(*steps: tuple[str, Callable[..., Any]]) -> Pipeline:
    """Chain named steps into a learner.

    Parameters
    ----------
    *steps : (str, step) pairs
        Each step is a quiver learner function (``quiver.standard_scaler``),
        a learner curried with hyperparameters (``quiver.gbdt(num_leaves=15)``),
        another pipeline, or a Python function of a frame that returns
        ``(predict, scored, log)`` (it also gets ``target=`` if it takes
        that keyword). Names are non-empty, unique and free of ``"__"``,
        which joins step and hyperparameter names in :meth:`Pipeline.space`.
        A single list of pairs is accepted too.

    Returns
    -------
    Pipeline
        A learner: ``pipeline(frame, target="y", gbdt__num_leaves=63)``
        fits it and returns ``(predict, scored, log)``.

    Raises
    ------
    ValueError
        For no steps, or a name that is empty, repeated or contains ``"__"``.
    TypeError
        For a step that is not one of the kinds above.

    Examples
    --------
    >>> fit = quiver.pipeline(("scale", quiver.standard_scaler), ("model", quiver.logistic_regression))
    >>> predict, scored, log = fit(train, target="label", model__l2=0.5)  # doctest: +SKIP
    """
    if len(steps) == 1 and isinstance(steps[0], list):
        steps = tuple(steps[0])
    if not steps:
        raise ValueError("a pipeline needs at least one step: quiver.pipeline(('name', step), ...)")
    classified = tuple(_classify(i, item) for i, item in enumerate(steps))
    seen: set[str] = set()
    for s in classified:
        if s.name in seen:
            raise ValueError(f"pipeline step name {s.name!r} is used twice; step names must be unique")
        seen.add(s.name)
    return Pipeline(classified)
