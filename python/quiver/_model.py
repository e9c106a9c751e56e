"""Fitted models as predict functions: call, save, load, pickle."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from ._bridge import call, engine, stream_address
from ._frames import as_arrow, attach
from .errors import ModelFileError

__all__ = ["Predictor", "load"]


class Predictor:
    """A fitted model, used as a function of a frame.

    ``predictor(frame)`` returns ``frame`` in its own type (pandas, polars,
    pyarrow, dict of arrays) with every input column kept and the model's
    output columns added: ``prediction``, and ``probability_<class>`` for
    classifiers. A feature step (a transformer: scaler, imputer, encoder)
    instead returns the frame with the columns it :attr:`replaces` removed
    and its outputs added, an output named like a kept column taking its
    place.

    A predictor pickles through the model file format, so joblib and
    multiprocessing work; ``save`` writes that file and :func:`quiver.load`
    reads it back.
    """

    def __init__(self, handle: int, log: dict[str, Any] | None = None) -> None:
        self._handle = handle
        self._info = json.loads(call(engine.ModelInfo, handle))
        self.log = log or {}

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            try:
                engine.ModelFree(handle)
            except Exception:  # noqa: BLE001 - interpreter shutdown
                pass

    def __call__(self, data: Any, *, n_threads: int | None = None, raw_score: bool = False,
                 contributions: bool = False, exit_level: bool = False) -> Any:
        """Score ``data`` and return it with the output columns added.

        Parameters
        ----------
        data
            A frame holding at least the model's input columns.
        n_threads
            Threads to use; 0 or None means every CPU. (A model file records
            the hyperparameters that shape the model, not runtime ones such
            as the ``n_threads`` of the fit.)
        raw_score
            Also add the scores before the link function: ``raw_score``, or
            ``raw_score_<class>`` for a multiclass model.
        contributions
            Also add per-row feature contributions (exact TreeSHAP for
            trees): ``contribution_<feature>`` for every input plus
            ``contribution_bias``, summing to the raw score (suffixed
            ``_<class>`` for a multiclass model).
        exit_level
            Also add ``exit_level``: the level (from 1) at which each row
            leaves a fast-and-frugal tree.

        Raises
        ------
        quiver.errors.ColumnNotFoundError
            If an input column is missing.
        TypeError
            If an input column has a type the model cannot read.
        ValueError
            If an input column holds values the model cannot score.
        """
        threads = 0 if n_threads is None else n_threads
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 0:
            raise ValueError(f"n_threads must be a non-negative int, got {threads!r}")
        request = json.dumps({"n_threads": threads, "raw_score": bool(raw_score),
                              "contributions": bool(contributions), "exit_level": bool(exit_level)})
        table, kind = as_arrow(data)
        capsule = table.__arrow_c_stream__()
        out_ptr = call(engine.ModelApply, self._handle, stream_address(capsule), request)
        try:
            reader = pa.RecordBatchReader._import_from_c(out_ptr)
        finally:
            call(engine.FreeC, out_ptr)
        return attach(data, kind, reader.read_all(), self.replaces)

    @property
    def learner(self) -> str:
        """The name of the learner that fitted the model."""
        return self._info["learner"]

    @property
    def params(self) -> dict[str, Any]:
        """The hyperparameters of the fit, defaults included."""
        return self._info["params"]

    @property
    def inputs(self) -> list[str]:
        """The columns the model reads."""
        return [f["name"] for f in self._info["inputs"]]

    @property
    def outputs(self) -> list[str]:
        """The columns the model adds."""
        return [f["name"] for f in self._info["outputs"]]

    @property
    def replaces(self) -> list[str]:
        """The input columns a transformer's outputs stand in for, which
        calling it drops; empty for other models."""
        return list(self._info.get("replaces") or ())

    @property
    def exportable(self) -> bool:
        """Whether :func:`quiver.export` can compile the model into a
        standalone scorer; :attr:`export_blocker` says why not."""
        return not self.export_blocker

    @property
    def export_blocker(self) -> str:
        """Why the model cannot be exported, or ``""`` when it can."""
        return call(engine.ExportBlocker, self._handle)

    def check_exportable(self) -> None:
        """Raise ``ValueError`` with :attr:`export_blocker` if the model
        cannot be exported."""
        reason = self.export_blocker
        if reason:
            raise ValueError(f"this model cannot be exported: {reason}")

    @property
    def summary(self) -> dict[str, Any]:
        """The fitted state in brief, such as coefficients."""
        return self._info["summary"]

    def to_bytes(self) -> bytes:
        """The model in its file form (an Arrow IPC file)."""
        import ctypes

        loc = json.loads(call(engine.ModelEncode, self._handle))
        try:
            return ctypes.string_at(loc["addr"], loc["size"])
        finally:
            call(engine.FreeC, loc["addr"])

    @classmethod
    def from_bytes(cls, data: bytes, log: dict[str, Any] | None = None) -> "Predictor":
        """Rebuild a predictor from :meth:`to_bytes` output.

        Raises
        ------
        quiver.errors.ModelFileError
            If the bytes are not a valid model file.
        """
        import ctypes

        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(data).__name__}")
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        handle = call(engine.ModelDecode, ctypes.addressof(buf), len(data))
        return cls(handle, log)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model file to ``path`` (replaced atomically)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        os.replace(tmp, path)

    def __reduce__(self):
        return (Predictor.from_bytes, (self.to_bytes(), self.log))

    def __repr__(self) -> str:
        return f"<quiver.Predictor {self.learner}: {', '.join(self.inputs)} -> {', '.join(self.outputs)}>"


def load(path: str | os.PathLike[str]) -> Predictor:
    """Read a model file written by :meth:`Predictor.save`.

    Loading never runs code: the file is Arrow data, checked before use.

    Raises
    ------
    quiver.errors.ModelFileError
        If the file is corrupt or of a newer format version.
    """
    data = Path(path).read_bytes()
    if data[:1] == b"\x80":
        # The pickle protocol's first opcode: most likely a pipeline with
        # Python steps, which PipelinePredictor.save pickles.
        raise ModelFileError(
            f"{os.fspath(path)!r} is a pickle, not a model file: a pipeline with Python steps is saved as "
            "a pickle; quiver.load never runs code, so read it with quiver.PipelinePredictor.load(path), "
            "which unpickles it, and only if you trust the file"
        )
    return Predictor.from_bytes(data)
