"""Hyperparameter spaces, as declared by each learner in the engine."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from . import _adapters
from ._bridge import call, engine

__all__ = ["Param", "Space", "space", "space_schema", "learners"]

_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its kind, bounds or choices, default and doc."""

    name: str
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    runtime: bool = False
    """Changes how a fit runs but not the model (such as ``n_threads``)."""
    step: float = 0.0
    """When positive, tuners draw only ``low + k * step``."""
    condition: tuple[str, tuple[Any, ...]] | None = None
    """``(parent, values)``: the parameter matters only while ``parent``
    takes one of ``values``."""
    tuned: bool = False
    """Worth searching by default."""
    search: tuple[float, float, bool] | None = None
    """``(low, high, log)``: the range tuners search (``low``/``high`` bound
    what is valid, not what is sensible to try)."""

    def search_range(self) -> tuple[float, float, bool]:
        """The range a tuner draws from: ``search`` if declared, else the bounds."""
        return self.search if self.search is not None else (self.low, self.high, self.log)

    @classmethod
    def from_dict(cls, p: Mapping[str, Any]) -> "Param":
        """A parameter from its JSON form."""
        numeric = p["kind"] in ("float", "int")
        cond = p.get("condition")
        return cls(
            name=p["name"], kind=p["kind"],
            default=float(p["default"]) if p["kind"] == "float" else p["default"],
            doc=p.get("doc", ""),
            low=float(p.get("low", 0.0)) if numeric else None,
            high=float(p.get("high", 0.0)) if numeric else None,
            log=p.get("log", False), choices=tuple(p.get("choices") or ()), runtime=p.get("runtime", False),
            step=float(p.get("step", 0.0)),
            condition=(cond["param"], tuple(cond["values"])) if cond else None,
            tuned=p.get("tuned", False),
            search=(float(p["search"]["low"]), float(p["search"]["high"]), p["search"].get("log", False))
            if p.get("search") else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The parameter in the engine's JSON form."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind in ("float", "int"):
            out["low"], out["high"] = self.low, self.high
        if self.log:
            out["log"] = True
        if self.step:
            out["step"] = self.step
        if self.choices:
            out["choices"] = list(self.choices)
        out["default"] = self.default
        out["doc"] = self.doc
        if self.runtime:
            out["runtime"] = True
        if self.condition is not None:
            out["condition"] = {"param": self.condition[0], "values": list(self.condition[1])}
        if self.tuned:
            out["tuned"] = True
        if self.search is not None:
            low, high, log = self.search
            out["search"] = {"low": low, "high": high, **({"log": True} if log else {})}
        return out

    def allowed(self) -> str:
        """What the parameter accepts, in words."""
        if self.kind in ("float", "int"):
            scale = ", log scale" if self.log else ""
            return f"{self.kind} in [{self.low:g}, {self.high:g}]{scale}"
        if self.kind == "bool":
            return "bool"
        if self.kind == "text":
            return "str"
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def coerce(self, learner: str, value: Any) -> Any:
        """Check ``value`` and return it in the parameter's own type.

        Raises
        ------
        ValueError
            If the value is of the wrong kind or out of range; the message
            names the learner, the parameter, the value and what is allowed.
        """

        def bad() -> ValueError:
            return ValueError(
                f"{learner}: hyperparameter {self.name!r} must be {self.allowed()}, got {value!r}"
            )

        if self.kind == "bool":
            if not isinstance(value, (bool, _np_bool())):
                raise bad()
            return bool(value)
        if self.kind == "categorical":
            if value not in self.choices:
                raise bad()
            return str(value)
        if self.kind == "text":
            if isinstance(value, Mapping):
                # A mapping (such as costs per column) travels as JSON text.
                return json.dumps(dict(value), sort_keys=True)
            if isinstance(value, (list, tuple)):
                # So does a list (such as layer widths); numpy scalars as Python ones.
                try:
                    return json.dumps([v.item() if hasattr(v, "item") else v for v in value])
                except TypeError:
                    raise bad() from None
            if not isinstance(value, str):
                raise bad()
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise bad()
        number = float(value)
        if math.isnan(number) or not (self.low <= number <= self.high):
            raise bad()
        if self.kind == "int":
            if number != int(number):
                raise bad()
            return int(number)
        return number


def _np_bool() -> type:
    import numpy as np

    return np.bool_


@dataclass(frozen=True)
class Space:
    """The hyperparameter space of one learner.

    Iterating gives its :class:`Param` objects in declaration order;
    ``space["l2"]`` looks one up by name.
    """

    learner: str
    doc: str
    params: tuple[Param, ...]
    holdout: str = ""
    """Keyword of the second frame the learner takes: ``"valid"`` (early
    stopping), ``"test"`` (statistics only) or ``""`` (none)."""
    transformer: bool = False
    """A feature step (imputer, encoder, scaler): it needs no target."""
    forbidden: tuple[tuple[tuple[str, Any], ...], ...] = ()
    """Combinations of ``(param, value)`` that may not hold together."""

    @classmethod
    def from_dict(cls, s: Mapping[str, Any]) -> "Space":
        """A space from its JSON form (see :func:`space_schema`)."""
        return cls(
            learner=s["learner"], doc=s.get("doc", ""),
            params=tuple(Param.from_dict(p) for p in s["params"]),
            holdout=s.get("holdout", ""), transformer=s.get("transformer", False),
            forbidden=tuple(tuple((c["param"], c["value"]) for c in f) for f in s.get("forbidden") or ()),
        )

    def __iter__(self):
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def names(self) -> list[str]:
        """Parameter names in declaration order."""
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        """Every parameter's default value."""
        return {p.name: p.default for p in self.params}

    def validate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``values`` against the space.

        Returns the values converted to each parameter's type (defaults are
        not filled in). Raises ``ValueError`` for an unknown name or a bad
        value, naming the parameter, the value and what is allowed.
        """
        out = {}
        for name, value in values.items():
            try:
                param = self[name]
            except KeyError:
                raise ValueError(
                    f"{self.learner}: unknown hyperparameter {name!r}; known hyperparameters are "
                    + ", ".join(self.names())
                ) from None
            out[name] = param.coerce(self.learner, value)
        full = {**self.defaults(), **out}
        for name, value in out.items():
            p = self[name]
            # As the engine: an inactive parameter may be given at its default.
            if p.condition is not None and not self.is_active(name, full) and value != p.default:
                parent, allowed = p.condition
                raise ValueError(f"{self.learner}: hyperparameter {name!r} only applies when {parent!r} is one of "
                                 f"{list(allowed)}, and it is {full.get(parent)!r}")
        for combination in self.forbidden:
            if all(full.get(n) == v for n, v in combination):
                pairs = " with ".join(f"{n}={v!r}" for n, v in combination)
                raise ValueError(f"{self.learner}: {pairs} is a forbidden combination")
        return out

    def is_active(self, name: str, values: Mapping[str, Any]) -> bool:
        """Whether parameter ``name`` matters given ``values`` (its condition
        holds, and so do its parent's)."""
        p, hops = self[name], 0
        while p.condition is not None and hops <= len(self.params):
            parent, allowed = p.condition
            if values.get(parent, self[parent].default) not in allowed:
                return False
            p, hops = self[parent], hops + 1
        return True

    def sample(self, seed: int | None = None) -> dict[str, Any]:
        """One random configuration (see :func:`quiver._adapters.sample`)."""
        return _adapters.sample(self, seed)

    def grid(self, points: int = 3) -> list[dict[str, Any]]:
        """Every configuration of a grid with ``points`` values per numeric
        parameter and every choice (see :func:`quiver._adapters.grid`)."""
        return _adapters.grid(self, points)

    def suggest(self, trial: Any) -> dict[str, Any]:
        """A configuration drawn by an Optuna trial."""
        return _adapters.suggest(self, trial)

    def to_hyperopt(self) -> dict[str, Any]:
        """A hyperopt search space; flatten its draws with :meth:`from_hyperopt`."""
        return _adapters.to_hyperopt(self)

    def from_hyperopt(self, draw: Mapping[str, Any]) -> dict[str, Any]:
        """A configuration from a draw of :meth:`to_hyperopt`'s space."""
        return _adapters.from_hyperopt(self, dict(draw))

    def to_sklearn(self) -> list[dict[str, Any]]:
        """Distributions for scikit-learn's ``RandomizedSearchCV`` (a list of
        dicts, one per branch of the conditions)."""
        return _adapters.to_sklearn(self)

    def to_dict(self) -> dict[str, Any]:
        """The space in the engine's JSON form."""
        return {
            "learner": self.learner,
            "doc": self.doc,
            **({"holdout": self.holdout} if self.holdout else {}),
            **({"transformer": True} if self.transformer else {}),
            "params": [p.to_dict() for p in self.params],
            **({"forbidden": [[{"param": n, "value": v} for n, v in f] for f in self.forbidden]}
               if self.forbidden else {}),
        }


@lru_cache(maxsize=None)
def _spaces() -> dict[str, Space]:
    doc = json.loads(call(engine.Spaces))
    if doc.get("version") != _SCHEMA_VERSION:
        raise RuntimeError(f"engine speaks space schema version {doc.get('version')}, expected {_SCHEMA_VERSION}")
    return {s["learner"]: Space.from_dict(s) for s in doc["spaces"]}


def space_schema() -> dict[str, Any]:
    """The JSON Schema of the spaces' versioned JSON form (draft 2020-12),
    as the engine publishes it."""
    return json.loads(call(engine.SpaceSchema))


def learners() -> list[str]:
    """Names of the learners the engine provides."""
    return sorted(_spaces())


def space(learner: str) -> Space:
    """The hyperparameter space of a learner, such as ``"logistic_regression"``.

    Raises
    ------
    ValueError
        If no learner has that name.
    """
    try:
        return _spaces()[learner]
    except KeyError:
        raise ValueError(f"unknown learner {learner!r}; known learners are {learners()}") from None
