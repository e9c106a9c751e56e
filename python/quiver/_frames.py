"""Frames in and out: any Arrow-speaking dataframe to an Arrow stream, and
prediction columns back onto the caller's own frame type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Sequence, Union

import numpy as np
import pyarrow as pa

FrameLike = Union["pa.Table", "pa.RecordBatch", "pd.DataFrame", "pl.DataFrame", Mapping[str, Any]]  # noqa: F821


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def as_arrow(data: Any) -> tuple[pa.Table, str]:
    """Wrap ``data`` as a pyarrow Table without copying numeric columns.

    A 2-D numpy array becomes columns ``x0, x1, ...`` (copied, as its columns
    are strided) and comes back from ``attach`` as a dict of arrays.

    Returns the table and the kind of the input, which ``attach`` uses to
    give results back in the same type.
    """
    if isinstance(data, pa.Table):
        return data, "table"
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data]), "batch"
    mod = _module(data)
    if mod == "pandas" and type(data).__name__ == "DataFrame":
        names = list(data.columns)
        if not all(isinstance(n, str) for n in names):
            raise TypeError(f"pandas column names must be strings, got {names!r}")
        return pa.Table.from_pandas(data, preserve_index=False), "pandas"
    if mod == "polars" and type(data).__name__ == "DataFrame":
        return data.to_arrow(), "polars"
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"a numpy array frame must be 2-D, got shape {data.shape}")
        return pa.table({f"x{j}": data[:, j] for j in range(data.shape[1])}), "dict"
    if isinstance(data, Mapping):
        columns = {}
        for name, values in data.items():
            if not isinstance(name, str):
                raise TypeError(f"column names must be strings, got {name!r}")
            arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else np.asarray(values)
            if isinstance(arr, np.ndarray) and arr.ndim != 1:
                raise ValueError(f"column {name!r} must be one-dimensional, got shape {arr.shape}")
            columns[name] = arr
        lengths = {name: len(col) for name, col in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns have different lengths: {lengths}")
        return pa.table(columns), "dict"
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data), "table"
    raise TypeError(
        f"expected a pandas or polars DataFrame, a pyarrow Table or RecordBatch, a dict of "
        f"arrays, or an object with __arrow_c_stream__; got {type(data).__name__}"
    )


def attach(data: Any, kind: str, out: pa.Table, replaces: Sequence[str] = ()) -> Any:
    """Return ``data`` with the columns of ``out`` added, in ``data``'s own type.

    A column of ``out`` named like a column of ``data`` takes its place;
    the others follow ``data``'s columns. The columns named in ``replaces``
    (the inputs a transformer's outputs stand in for) are dropped first,
    unless an output of the same name takes their place.
    """
    names = out.column_names
    present = set(column_names(data))
    drop = [r for r in dict.fromkeys(replaces) if r not in names and r in present]
    if kind == "table":
        table = data if isinstance(data, pa.Table) else pa.table(data)
        if drop:
            table = table.drop_columns(drop)
        for name in names:
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, out[name]) if i >= 0 else table.append_column(name, out[name])
        return table
    if kind == "batch":
        cols = {n: data.column(n) for n in data.schema.names if n not in drop}
        for name in names:
            cols[name] = out[name].combine_chunks()
        return pa.RecordBatch.from_arrays(list(cols.values()), names=list(cols))
    if kind == "pandas":
        frame = data.drop(columns=drop) if drop else data
        return frame.assign(**{name: _to_numpy(out[name]) for name in names})
    if kind == "polars":
        import polars as pl

        frame = data.drop(drop) if drop else data
        return frame.with_columns(pl.from_arrow(out).get_columns())
    if kind == "dict":
        if isinstance(data, np.ndarray):
            data = {f"x{j}": data[:, j] for j in range(data.shape[1])}
        kept = {k: v for k, v in data.items() if k not in drop}
        return {**kept, **{name: _to_numpy(out[name]) for name in names}}
    raise AssertionError(f"unknown frame kind {kind!r}")


def column_names(data: Any) -> list[str]:
    """The column names of a frame of any kind ``as_arrow`` takes, without
    converting it."""
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        return list(data.schema.names)
    mod = _module(data)
    if mod in ("pandas", "polars") and type(data).__name__ == "DataFrame":
        return [str(c) for c in data.columns]
    if isinstance(data, np.ndarray) and data.ndim == 2:
        return [f"x{j}" for j in range(data.shape[1])]
    if isinstance(data, Mapping):
        return list(data)
    return list(as_arrow(data)[0].column_names)


def _to_numpy(col: pa.ChunkedArray) -> np.ndarray:
    return col.to_numpy()
