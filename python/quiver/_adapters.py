"""Samplers and tuner adapters over a hyperparameter space.

Every adapter honours the space's conditions (a parameter whose condition
does not hold is left out of a configuration, so the learner keeps its
default) and forbidden combinations (never produced; Optuna trials that
draw one are pruned). Runtime and text parameters are not searched.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._space import Param, Space

__all__ = ["grid", "sample", "suggest", "to_hyperopt", "to_sklearn"]

# Draws before sample() gives up on a space whose forbidden combinations
# cover (almost) everything.
_MAX_DRAWS = 1000


def searched(space: "Space") -> list["Param"]:
    """The parameters a tuner searches (those marked tuned, if any is; else
    all but runtime and text ones), parents before the parameters whose
    conditions name them."""
    params = [p for p in space.params if not p.runtime and p.kind != "text"]
    if any(p.tuned for p in params):
        params = [p for p in params if p.tuned]
    by_name = {p.name: p for p in params}
    ordered: list[Param] = []
    seen: set[str] = set()

    def visit(p: "Param") -> None:
        if p.name in seen:
            return
        seen.add(p.name)
        if p.condition is not None and p.condition[0] in by_name:
            visit(by_name[p.condition[0]])
        ordered.append(p)

    for p in params:
        visit(p)
    return ordered


def active(p: "Param", config: dict[str, Any], space: "Space") -> bool:
    """Whether p's condition holds in config (parents already decided; a
    parent that is not searched keeps its default)."""
    return space.is_active(p.name, config)


def forbidden(space: "Space", config: dict[str, Any]) -> bool:
    """Whether config contains one of the space's forbidden combinations
    (a parameter left out counts as its default)."""
    defaults = space.defaults()
    for combination in space.forbidden:
        if all(config.get(name, defaults.get(name)) == value for name, value in combination):
            return True
    return False


def _draw(p: "Param", rng: random.Random) -> Any:
    if p.kind == "categorical":
        return rng.choice(p.choices)
    if p.kind == "bool":
        return rng.random() < 0.5
    low, high, log = p.search_range()
    if log:
        x = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        x = rng.uniform(low, high)
    if p.step:
        x = low + round((x - low) / p.step) * p.step
        x = min(max(x, low), high)
    if p.kind == "int":
        return int(min(max(round(x), math.ceil(low)), math.floor(high)))
    return float(x)


def sample(space: "Space", seed: int | None = None) -> dict[str, Any]:
    """One random configuration: uniform (log-uniform for log parameters)
    within bounds and steps, uniform over choices.

    Raises
    ------
    ValueError
        If no allowed configuration turns up in many draws (the forbidden
        combinations cover the space).
    """
    rng = random.Random(seed)
    params = searched(space)
    for _ in range(_MAX_DRAWS):
        config: dict[str, Any] = {}
        for p in params:
            if active(p, config, space):
                config[p.name] = _draw(p, rng)
        if not forbidden(space, config):
            return config
    raise ValueError(f"{space.learner}: no allowed configuration in {_MAX_DRAWS} draws; "
                     "the forbidden combinations cover the space")


def _points(p: "Param", points: int) -> list[Any]:
    if p.kind == "categorical":
        return list(p.choices)
    if p.kind == "bool":
        return [False, True]
    if points < 1:
        raise ValueError(f"grid: points must be at least 1, got {points}")
    low, high, log = p.search_range()
    if points == 1:
        xs = [p.default]
    elif log:
        xs = [math.exp(math.log(low) + i * (math.log(high) - math.log(low)) / (points - 1)) for i in range(points)]
    else:
        xs = [low + i * (high - low) / (points - 1) for i in range(points)]
    if p.step:
        xs = [min(max(low + round((x - low) / p.step) * p.step, low), high) for x in xs]
    if p.kind == "int":
        xs = [int(round(x)) for x in xs]
    out: list[Any] = []
    for x in xs:
        if x not in out:
            out.append(x if p.kind == "int" else float(x))
    return out


def grid(space: "Space", points: int = 3) -> list[dict[str, Any]]:
    """Every combination of `points` values per numeric parameter (evenly
    spaced, on a log scale for log parameters, on the step) and every
    choice, without forbidden combinations; a parameter whose condition
    does not hold is left out (so inactive branches are not repeated)."""
    configs: list[dict[str, Any]] = [{}]
    for p in searched(space):
        values = _points(p, points)
        nxt: list[dict[str, Any]] = []
        for c in configs:
            if active(p, c, space):
                nxt.extend({**c, p.name: v} for v in values)
            else:
                nxt.append(c)
        configs = nxt
    return [c for c in configs if not forbidden(space, c)]


def suggest(space: "Space", trial: Any) -> dict[str, Any]:
    """A configuration drawn by an Optuna trial (``trial.suggest_*``);
    conditional parameters are suggested only where their condition holds.
    A forbidden combination prunes the trial (``optuna.TrialPruned``)."""
    config: dict[str, Any] = {}
    for p in searched(space):
        if not active(p, config, space):
            continue
        if p.kind == "categorical":
            config[p.name] = trial.suggest_categorical(p.name, list(p.choices))
        elif p.kind == "bool":
            config[p.name] = trial.suggest_categorical(p.name, [False, True])
        elif p.kind == "int":
            low, high, log = p.search_range()
            step = max(1, int(p.step)) if p.step else 1
            config[p.name] = trial.suggest_int(p.name, int(math.ceil(low)), int(math.floor(high)),
                                               step=step, log=log and step == 1)
        else:
            low, high, log = p.search_range()
            config[p.name] = trial.suggest_float(p.name, low, high, log=log and not p.step, step=p.step or None)
    if forbidden(space, config):
        import optuna

        raise optuna.TrialPruned(f"forbidden combination: {config}")
    return config


def to_sklearn(space: "Space") -> list[dict[str, Any]]:
    """Distributions for scikit-learn's ``RandomizedSearchCV``: a list of
    dicts, one per branch of the conditions (scikit-learn samples each dict
    independently), with scipy.stats distributions for numeric parameters
    and lists for choices. Forbidden combinations cannot be expressed to
    scikit-learn; the learner refuses them at fit time."""
    from scipy import stats

    def dist(p: "Param") -> Any:
        if p.kind == "categorical":
            return list(p.choices)
        if p.kind == "bool":
            return [False, True]
        low, high, log = p.search_range()
        if p.kind == "int" and not log and not p.step:
            return stats.randint(int(math.ceil(low)), int(math.floor(high)) + 1)
        d = stats.loguniform(low, high) if log else stats.uniform(low, high - low)
        return _Rounded(d, p)

    branches: list[dict[str, Any]] = [{}]
    for p in searched(space):
        nxt = []
        for b in branches:
            if p.condition is None:
                nxt.append({**b, p.name: dist(p)})
                continue
            parent, values = p.condition
            if parent not in b:
                nxt.append(b)
                continue
            choices = b[parent] if isinstance(b[parent], list) else None
            if choices is None:  # a continuous parent: cannot branch
                nxt.append(b)
                continue
            on = [v for v in choices if v in values]
            off = [v for v in choices if v not in values]
            if on:
                nxt.append({**b, parent: on, p.name: dist(p)})
            if off:
                nxt.append({**b, parent: off})
        branches = nxt
    return branches


class _Rounded:
    """A continuous scipy distribution put on a parameter's step and, for
    an int parameter, made whole (scikit-learn only calls ``rvs``)."""

    def __init__(self, dist: Any, p: "Param") -> None:
        self._dist, self._p = dist, p

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        import numpy as np

        p = self._p
        x = np.asarray(self._dist.rvs(size=size, random_state=random_state), dtype=float)
        if p.step:
            x = np.clip(p.low + np.round((x - p.low) / p.step) * p.step, p.low, p.high)
        if p.kind == "int":
            x = np.clip(np.rint(x), math.ceil(p.low), math.floor(p.high)).astype(int)
            return x if size is not None else int(x)
        return x if size is not None else float(x)


def to_hyperopt(space: "Space") -> dict[str, Any]:
    """A hyperopt search space (``hp.*`` expressions). A conditional
    parameter goes inside an ``hp.choice`` over its parent's values, so it
    is drawn only where its condition holds; hyperopt then returns the
    parent's value and the branch's parameters together (flatten the draw
    with :func:`from_hyperopt`)."""
    from hyperopt import hp

    def expr(p: "Param") -> Any:
        if p.kind == "categorical":
            return hp.choice(p.name, list(p.choices))
        if p.kind == "bool":
            return hp.choice(p.name, [False, True])
        low, high, log = p.search_range()
        if p.kind == "int":
            q = max(1, int(p.step)) if p.step else 1
            if log:
                return hp.qloguniform(p.name, math.log(low), math.log(high), q)
            return hp.quniform(p.name, low, high, q)
        if p.step:
            return hp.quniform(p.name, low, high, p.step)
        if log:
            return hp.loguniform(p.name, math.log(low), math.log(high))
        return hp.uniform(p.name, low, high)

    params = searched(space)
    children: dict[str, list[Param]] = {}
    for p in params:
        if p.condition is not None:
            children.setdefault(p.condition[0], []).append(p)
    out: dict[str, Any] = {}
    for p in params:
        if p.condition is not None:
            continue
        kids = children.get(p.name)
        if not kids or p.kind not in ("categorical", "bool"):
            out[p.name] = expr(p)
            continue
        values = list(p.choices) if p.kind == "categorical" else [False, True]
        out[p.name] = hp.choice(p.name, [
            {"__value": v, **{k.name: expr(k) for k in kids if v in k.condition[1]}} for v in values
        ])
    return out


def from_hyperopt(space: "Space", draw: dict[str, Any]) -> dict[str, Any]:
    """A configuration from a hyperopt draw of :func:`to_hyperopt`'s space
    (``hyperopt.pyll.stochastic.sample`` or ``space_eval``): branches
    flattened, integers made ints."""
    kinds = {p.name: p.kind for p in space.params}
    out: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if isinstance(value, dict):
            out[name] = value["__value"]
            for k, v in value.items():
                if k != "__value":
                    put(k, v)
        else:
            out[name] = int(round(value)) if kinds.get(name) == "int" else value

    for name, value in draw.items():
        put(name, value)
    return out
