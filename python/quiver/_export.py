"""Export a fitted model or pipeline as a standalone compiled scorer."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from ._bridge import call, engine

__all__ = ["export"]

TARGETS = ("exe", "c-shared", "go")


def go_sources() -> Path:
    """The Go sources a scorer builds against: the copy inside the installed
    package, or the checkout this module runs from."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_gosrc", here.parent.parent):
        if (candidate / "go.mod").is_file() and (candidate / "export" / "runtime").is_dir():
            return candidate
    raise RuntimeError(
        "quiver.export: the Go sources of the scorer runtime are missing from this installation "
        f"(looked in {here / '_gosrc'}); reinstall quiver-ml"
    )


def export(predict: Any, path: str | os.PathLike[str], *, target: str = "exe", goos: str | None = None,
           goarch: str | None = None, package: str | None = None, keep_source: bool = False) -> Path:
    """Compile a fitted model or pipeline into a standalone scorer.

    The scorer carries only what scoring needs: the model as generated Go
    source (trees as branches, weights as constants, feature steps as
    straight-line code) and a small runtime; not Python, not the engine,
    not the training code.

    Parameters
    ----------
    predict : Predictor
        What a learner or an all-quiver pipeline returned (or
        :func:`quiver.load` read). A pipeline with Python steps cannot be
        exported.
    path : str or path-like
        Where to write the artifact: the executable, the shared library
        (its C header ``quiver_scorer.h`` is written beside it, named after
        it), or for ``target="go"`` a directory that becomes a Go module
        holding the scorer package.
    target : {"exe", "c-shared", "go"}
        ``"exe"``: one executable with ``predict`` (CSV, Parquet or Arrow
        IPC in and out, streamed in chunks on every core), ``serve`` (HTTP) and
        ``stream`` (JSON lines). ``"c-shared"``: a C shared library over the
        Arrow C Data Interface and plain float matrices. ``"go"``: a Go
        package with ``Predict``.
    goos, goarch : str, optional
        Build for another platform, as Go names them (``"linux"``,
        ``"arm64"``, ``"wasip1"``/``"wasm"``...); by default this one.
    package : str, optional
        The Go package name for ``target="go"`` (default ``"scorer"``).
    keep_source : bool
        Keep the generated Go module of an executable or library instead of
        deleting it after the build; its directory is recorded in
        ``predict.log["export"]["source"]``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        For an unknown target, a model or step that cannot be compiled
        (naming it), or a failed build (with the compiler's output).
    RuntimeError
        When no Go toolchain (1.26 or newer) is on PATH: building a scorer
        needs one.
    TypeError
        For something that is not a fitted quiver model.
    """
    from ._model import Predictor
    from ._pipeline import PipelinePredictor

    if isinstance(predict, PipelinePredictor):
        predict.check_exportable()
    if not isinstance(predict, Predictor):
        raise TypeError(f"quiver.export: expected a fitted model (a quiver.Predictor), got {type(predict).__name__}")
    if target not in TARGETS:
        raise ValueError(f"quiver.export: unknown target {target!r}; targets are {', '.join(map(repr, TARGETS))}")
    for name, value in (("goos", goos), ("goarch", goarch), ("package", package)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"quiver.export: {name} must be a string, got {value!r}")
    if target != "go" and shutil.which("go") is None:
        raise RuntimeError(
            "quiver.export: building a scorer needs the Go toolchain (1.26 or newer) on PATH, and none was "
            "found; install it from https://go.dev/dl (or use target='go' to write the Go source only)"
        )
    path = Path(path)
    metadata = {"learner": predict.learner, "inputs": predict.inputs, "outputs": predict.outputs,
                "params": predict.params, "log": predict.log}
    request = {
        "target": target, "path": str(path.resolve()), "package": package or "", "goos": goos or "",
        "goarch": goarch or "", "source": str(go_sources()), "keep_source": keep_source,
        "metadata": json.loads(json.dumps(metadata, default=str)),
    }
    result = json.loads(call(engine.Export, predict._handle, json.dumps(request)))
    if keep_source and result.get("source"):
        predict.log.setdefault("export", {})["source"] = result["source"]
    return path
