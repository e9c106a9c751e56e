"""Exceptions raised by quiver.

Bad input raises the built-in exception a Python user expects (``ValueError``,
``TypeError``) or one of the subclasses below, always with a message that names
the column, hyperparameter or value at fault.
"""

from __future__ import annotations

__all__ = ["ColumnNotFoundError", "EngineError", "ModelFileError"]


class ColumnNotFoundError(ValueError):
    """A column the learner or model needs is not in the frame."""


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, or of an unsupported version."""


class EngineError(RuntimeError):
    """The engine failed in a way that is a bug in quiver; please report it."""
