"""Hyperparameter spaces, as declared by each learner in the engine."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from ._bridge import call, engine

__all__ = ["Param", "Space", "space", "learners"]

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
        return out

    def to_dict(self) -> dict[str, Any]:
        """The space in the engine's JSON form."""
        return {
            "learner": self.learner,
            "doc": self.doc,
            **({"holdout": self.holdout} if self.holdout else {}),
            "params": [
                {k: v for k, v in p.__dict__.items() if v not in (None, (), False) or k == "default"}
                for p in self.params
            ],
        }


@lru_cache(maxsize=None)
def _spaces() -> dict[str, Space]:
    doc = json.loads(call(engine.Spaces))
    if doc.get("version") != _SCHEMA_VERSION:
        raise RuntimeError(f"engine speaks space schema version {doc.get('version')}, expected {_SCHEMA_VERSION}")
    spaces = {}
    for s in doc["spaces"]:
        params = tuple(
            Param(
                name=p["name"],
                kind=p["kind"],
                default=float(p["default"]) if p["kind"] == "float" else p["default"],
                doc=p["doc"],
                low=p.get("low", 0.0) if p["kind"] in ("float", "int") else None,
                high=p.get("high", 0.0) if p["kind"] in ("float", "int") else None,
                log=p.get("log", False),
                choices=tuple(p.get("choices") or ()),
                runtime=p.get("runtime", False),
            )
            for p in s["params"]
        )
        spaces[s["learner"]] = Space(learner=s["learner"], doc=s.get("doc", ""), params=params,
                                     holdout=s.get("holdout", ""))
    return spaces


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
