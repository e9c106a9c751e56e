"""The one place that talks to the gopy-built engine.

Every engine function returns a value or raises ``RuntimeError("<Kind>: <message>")``;
``call`` turns that into the exception class the kind names.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable

from .errors import ColumnNotFoundError, EngineError, ModelFileError

try:
    from ._gopy import pybridge as _engine
except ImportError as exc:  # pragma: no cover - only on a broken install
    raise ImportError(
        "quiver's compiled engine is missing; reinstall with `pip install .` "
        "from a checkout (it needs Go 1.26+ and a C compiler)"
    ) from exc

_KINDS: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "TypeError": TypeError,
    "ColumnError": ColumnNotFoundError,
    "ModelFileError": ModelFileError,
    "InternalError": EngineError,
}


class Cancelled(Exception):
    """Raised by ``call`` when the engine reports a cancelled job."""


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """Call an engine function, mapping its error to a Python exception."""
    try:
        return fn(*args)
    except RuntimeError as exc:
        kind, sep, message = str(exc).partition(": ")
        if not sep:
            raise EngineError(str(exc)) from None
        if kind == "Cancelled":
            raise Cancelled(message) from None
        raise _KINDS.get(kind, EngineError)(message) from None


engine = _engine

_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def stream_address(capsule: Any) -> int:
    """The address of the ArrowArrayStream inside a PyCapsule."""
    return _get_pointer(capsule, b"arrow_array_stream")
