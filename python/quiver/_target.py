"""quiver.target_encoder: target encoding whose training frame is encoded
out of fold.

The engine's ``target_encoder`` learner fits the encoding on every row it is
given, and its model encodes any frame with it. Encoding the training frame
with that model would leak each row's own target into its encoding (a level
seen once would be encoded by its row's target), so a model fitted on it
would learn from the leak. Feature steps return ``(predict, scored, log)``
and pipelines fit the next step on ``scored``, so this wrapper makes
``scored`` out of fold, as scikit-learn's ``TargetEncoder.fit_transform``
does: the rows are dealt to ``n_folds`` folds by
``quiver.KFold(n_folds, shuffle=True, seed=seed)``, and each fold is encoded
by the learner fitted on the other folds. ``predict`` is the model fitted on
every row, for new data; it is an ordinary engine model, so it saves,
pickles and joins all-quiver pipelines as one model file.

The fold fits go through the engine as the full fit does, so the encoding
has one implementation. A two-class string target is given to them as a
bool (the positive class of the full fit against the rest), so that a fold
whose training rows hold one class only still encodes the right
probability.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._frames import as_arrow, attach
from ._learners import _docstring, _public, fit
from ._space import space
from ._validation import KFold
from ._version import __version__

__all__ = ["target_encoder"]

NAME = "target_encoder"

_TARGET_DOC = ("target : str, optional\n"
               "    A column to leave as it is, such as the target of a later step.")

_OOF_DOC = """
Notes
-----
``scored`` is encoded out of fold: the training rows are dealt to ``n_folds``
folds by ``quiver.KFold(n_folds, shuffle=True, seed=seed)`` and each fold is
encoded by the learner fitted on the other folds, as scikit-learn's
``TargetEncoder.fit_transform``; so no training row's encoding has seen its
own target. ``predict`` encodes with every training row, for new frames; note
that ``predict(train)`` is therefore *not* ``scored``. The log's
``out_of_fold`` entry records the folds' sizes."""


def _fold_target(table: pa.Table, target: str, summary: dict[str, Any]) -> pa.Table:
    """``table`` with a two-class string target turned into a bool: true for
    the full fit's positive class."""
    i = table.schema.get_field_index(target)
    col = table.column(i)
    t = col.type
    if pa.types.is_dictionary(t):
        t = t.value_type
        col = col.cast(t)
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)):
        return table
    return table.set_column(i, target, pc.equal(col, pa.scalar(summary["positive_class"], col.type)))


def target_encoder(data: Any = None, /, *, target: str | None = None, features: list[str] | None = None,
                   weight: str | None = None, progress: bool | None = None, score: bool = True,
                   **hyperparameters: Any) -> Any:
    params = space(NAME).validate(hyperparameters)
    if not isinstance(score, bool):
        raise TypeError(f"{NAME}: score must be True or False, got {score!r}")
    if data is None:
        return functools.partial(target_encoder, target=target, features=features, weight=weight,
                                 progress=progress, **params)
    if target is None:
        raise ValueError(f"{NAME}: target is required: name the column whose mean per level encodes the levels")
    started = time.perf_counter()
    predict, _, log = fit(NAME, data, target=target, features=features, weight=weight, params=params,
                          progress=progress, score=False)
    if not score:
        # The out-of-fold encodings exist only to score the training rows.
        return predict, None, log
    table, kind = as_arrow(data)
    n_folds, seed = predict.params["n_folds"], predict.params["seed"]
    n = table.num_rows
    if n < n_folds:
        raise ValueError(f"{NAME}: cannot encode {n} training rows out of fold in n_folds={n_folds} folds; "
                         f"lower hyperparameter 'n_folds' to {max(n, 2)} or less, or give more rows")
    folds_started = time.perf_counter()
    table = _fold_target(table, target, predict.summary)
    inputs, outputs = predict.inputs, predict.outputs
    oof = {name: np.empty(n, dtype=np.float64) for name in outputs}
    sizes = []
    for train_idx, test_idx in KFold(n_folds, shuffle=True, seed=seed).split(n):
        fold, _, _ = fit(NAME, table.take(train_idx), target=target, features=inputs, weight=weight,
                         params=params, progress=False, score=False)
        encoded = fold(table.take(test_idx).select(inputs))
        for name in outputs:
            oof[name][test_idx] = encoded.column(name).to_numpy()
        sizes.append(int(len(test_idx)))
    step_log = log[NAME]
    step_log["out_of_fold"] = {"n_folds": n_folds, "seed": seed, "fold_sizes": sizes,
                               "how": step_log.get("out_of_fold", "")}
    scored = attach(data, kind, pa.table(oof), predict.replaces)
    now = time.perf_counter()
    step_log["timings"] = {**step_log.get("timings", {}), "out_of_fold_seconds": now - folds_started,
                           "fit_seconds": now - started}
    step_log["version"] = __version__
    predict.log = log
    return predict, scored, log


def _signature() -> Any:
    import inspect

    sp = space(NAME)
    kw = inspect.Parameter.KEYWORD_ONLY
    annotations = {"float": float, "int": int, "bool": bool, "categorical": str, "text": str}
    return inspect.Signature([
        inspect.Parameter("data", inspect.Parameter.POSITIONAL_ONLY, default=None, annotation="FrameLike | None"),
        inspect.Parameter("target", kw, default=None, annotation="str | None"),
        inspect.Parameter("features", kw, default=None, annotation="list[str] | None"),
        inspect.Parameter("weight", kw, default=None, annotation="str | None"),
        *(inspect.Parameter(p.name, kw, default=p.default, annotation=annotations[p.kind]) for p in sp),
        inspect.Parameter("progress", kw, default=None, annotation="bool | None"),
        inspect.Parameter("score", kw, default=True, annotation="bool"),
    ])


def _doc() -> str:
    doc = _docstring(space(NAME))
    doc = doc.replace(_TARGET_DOC, "target : str\n    The column whose mean per level encodes the levels "
                                   "(numeric, bool, or two classes).")
    doc = doc.replace("``scored`` is the training frame so transformed",
                      "``scored`` is the training frame so transformed, out of fold (see Notes)")
    return doc + "\n" + _OOF_DOC


target_encoder.__module__ = "quiver"
target_encoder.__doc__ = _doc()
target_encoder.__signature__ = _signature()  # type: ignore[attr-defined]
# Pipelines, tune and validate treat it as the learner of its name.
_public[NAME] = target_encoder
