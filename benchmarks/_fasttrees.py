"""The fasttrees package (PyPI, ``FastFrugalTreeClassifier``) as a peer of the
fast-and-frugal tree benchmark, behind a small compatibility layer.

fasttrees 1.3.1 is the version the benchmark measures. Its metadata pins
numpy<=1.19.5, pandas<=0.25.3 and scikit-learn<=0.23.2, none of which install
on Python 3.11, so the Makefile installs it with ``--no-deps`` and this module
makes it run on the current libraries. Nothing in the installed fasttrees
files is edited, and pandas and numpy themselves are left alone: fasttrees'
module looks pandas and numpy up through its globals ``pd`` and ``np``, and
only those two names, in that one module, are pointed at thin proxies that
forward everything to the real libraries except for these substitutions:

``pd.MultiIndex(labels=...)``
    The keyword was renamed ``codes`` in pandas 0.24 and removed in 1.0;
    the proxy passes ``labels`` on as ``codes``.
``pd.Series`` (its ``set_value``)
    ``Series.set_value`` was removed in pandas 1.0. fasttrees only calls it on
    the empty series it builds with ``pd.Series()``, so the proxy's ``Series``
    is a subclass with ``set_value(label, value)``, doing what pandas 0.25 did:
    ``self.loc[label] = value``, which enlarges the series in place.
``np.binary_repr``
    fasttrees writes the tree's exits as the digits ``'0'``/``'1'`` of this
    string into a column that it converted to float for the previous tree.
    pandas <3 upcast the column to object to take the string (and fasttrees
    converts it back to float right after); pandas 3 raises instead. The
    proxy's ``binary_repr`` returns the same digits as floats, the values the
    column holds after fasttrees' own ``astype(float)`` anyway.
``np.float``
    The alias of ``float`` removed in numpy 1.24; fasttrees uses it only when
    fit is given an object-dtype numpy array (never here, but it costs a line).

Two more differences of the current libraries are met through fasttrees'
public interface, not by patching:

* The scorer. pandas 3 no longer downcasts object columns after ``ffill``,
  so the predictions fasttrees scores while growing its trees stay an
  object-dtype series of ``True``/``False``, which scikit-learn's metrics
  reject as an "unknown" target type. fasttrees takes the scorer as a
  hyperparameter; it gets scikit-learn's ``balanced_accuracy_score`` (its
  default) wrapped to infer the dtype first, as ffill itself did before pandas 3.
* Warnings. fasttrees enlarges frames with ``.at`` and drops rows with
  ``inplace=True``, which pandas 3 deprecates (``Pandas4Warning``), and
  ``in_words`` warns that it is little tested. Those warnings are silenced
  around the calls; a future pandas that turns the deprecations into errors
  will show as a failure here, and ``AVAILABLE`` still says True.

Import this module, not fasttrees: ``AVAILABLE`` says whether the peer can
run and ``REASON`` why not, so a benchmark can skip cleanly.
"""

from __future__ import annotations

import contextlib
import time
import types
import warnings
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

VERSION = "1.3.1"  # the fasttrees version the substitutions above were written for
NA_LEVEL = "NA"  # the category missing values of non-numeric columns become (as FFTrees shows them)


class _Series(pd.Series):
    """``pandas.Series`` with the ``set_value`` pandas 1.0 removed."""

    def set_value(self, label: Any, value: Any) -> _Series:
        """Set ``value`` at ``label``, adding the label if it is new.

        Parameters
        ----------
        label : hashable
            The index label.
        value : object
            The value to store.

        Returns
        -------
        _Series
            This series, changed in place (as pandas 0.25 returned it).
        """
        self.loc[label] = value
        return self


def _multi_index(*args: Any, labels: Any = None, **kwargs: Any) -> pd.MultiIndex:
    """``pandas.MultiIndex`` accepting the pre-1.0 keyword ``labels`` for ``codes``."""
    if labels is not None:
        kwargs["codes"] = labels
    return pd.MultiIndex(*args, **kwargs)


def _binary_repr(num: int, width: int | None = None) -> tuple[float, ...]:
    """The digits of ``numpy.binary_repr(num, width)`` as floats (see the module docstring)."""
    return tuple(float(digit) for digit in np.binary_repr(num, width=width))


class _Proxy(types.ModuleType):
    """A module that forwards every attribute it does not define to ``target``."""

    def __init__(self, target: types.ModuleType, **overrides: Any) -> None:
        super().__init__(f"{target.__name__} (as fasttrees sees it)")
        self._target = target
        for name, value in overrides.items():
            setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called for names not set in __init__.
        return getattr(self._target, name)


def _balanced_accuracy(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """scikit-learn's ``balanced_accuracy_score``, taking True/False held as objects.

    See the module docstring: fasttrees' predictions come as an object-dtype
    series under pandas 3. Their dtype is inferred first; anything that is
    not all booleans stays object and scikit-learn still rejects it.
    """
    from sklearn.metrics import balanced_accuracy_score  # imported here so AVAILABLE can be False without sklearn

    if getattr(y_pred, "dtype", None) == object:
        y_pred = pd.Series(y_pred).infer_objects()
    return balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight)


# fasttrees names its score columns after the scorer, as with its default one.
_balanced_accuracy.__name__ = "balanced_accuracy_score"


def _load() -> tuple[Callable[..., Any] | None, str | None]:
    """Import fasttrees and point its ``pd`` and ``np`` at the proxies.

    Returns
    -------
    classifier : type or None
        ``FastFrugalTreeClassifier``, or None if it cannot be used.
    reason : str or None
        Why it cannot be used, or None if it can.
    """
    try:
        import fasttrees
        from fasttrees import fasttrees as module
    except Exception as exc:  # noqa: BLE001 - also a broken import, e.g. a moved private sklearn name
        return None, (f"fasttrees is not importable ({type(exc).__name__}: {exc}); "
                      f"install it with `pip install --no-deps fasttrees=={VERSION}`")
    found = getattr(fasttrees, "__version__", "unknown")
    if found != VERSION:
        return None, f"fasttrees {found} is installed; the compatibility layer is written for {VERSION}"
    module.pd = _Proxy(pd, MultiIndex=_multi_index, Series=_Series)
    module.np = _Proxy(np, binary_repr=_binary_repr, float=float)
    return module.FastFrugalTreeClassifier, None


FastFrugalTreeClassifier, REASON = _load()
AVAILABLE: bool = REASON is None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the warnings listed in the module docstring, and no others."""
    import pandas.errors

    with warnings.catch_warnings():
        # Pandas4Warning exists from pandas 3 on; before it there is nothing to silence.
        if hasattr(pandas.errors, "Pandas4Warning"):
            warnings.filterwarnings("ignore", category=pandas.errors.Pandas4Warning, module="fasttrees")
        warnings.filterwarnings("ignore", message=r".*in_words.* is not thoroughly tested", category=UserWarning)
        yield


def criterion(values: pd.Series) -> np.ndarray:
    """The criterion as a boolean array.

    Parameters
    ----------
    values : pandas.Series
        Booleans (``TRUE``/``FALSE`` in the CSV files read as bool), 0/1, or
        the strings true/false in any case. Missing values are an error: a
        row without a label cannot be fitted or scored.

    Returns
    -------
    numpy.ndarray
        dtype bool.
    """
    if values.isna().any():
        raise ValueError(f"criterion {values.name!r} has {int(values.isna().sum())} missing values")
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        if not values.isin([0, 1]).all():
            raise ValueError(f"criterion {values.name!r} is numeric but not 0/1")
        return values.to_numpy(dtype=bool)
    words = values.astype(str).str.lower()
    if not words.isin(["true", "false"]).all():
        raise ValueError(f"criterion {values.name!r} holds values other than true/false")
    return (words == "true").to_numpy()


def _as_level(value: Any) -> str:
    # Booleans read back as TRUE/FALSE, as in the CSV files and in FFTrees'
    # trees, and a missing value becomes a level of its own.
    if pd.isna(value):
        return NA_LEVEL
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    return str(value)


def features(train: pd.DataFrame, test: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The feature columns of ``train`` and ``test`` in the dtypes fasttrees handles.

    fasttrees 1.3.1 knows two kinds of cue, told apart by the pandas dtype:
    ``category`` columns, for which it tries every subset of up to
    ``max_categories`` levels with ``in``, and everything else, which it treats
    as numeric (thresholds at percentiles, ``<=`` and ``>``). It handles no
    missing values: scikit-learn's ``check_X_y`` rejects them in fit. So, with
    every decision taken on ``train`` alone:

    * numeric columns (not bool) stay numeric; missing values, if any, get the
      train median (none of the FFTrees reference data sets has any);
    * every other column (strings, booleans, booleans with missing values such
      as voting's ``NA`` votes) becomes a category of strings, booleans as
      ``TRUE``/``FALSE`` and a missing value as the level ``NA``, as FFTrees
      treats them: not voting is itself informative, so ``{FALSE, NA}`` can be
      one branch;
    * columns with a single value in train are dropped: they cannot split,
      and a one-level category gives fasttrees no candidate subset at all,
      which ends its fit in ``idxmax`` of an all-missing score (mushrooms'
      ``vtype``).

    Parameters
    ----------
    train, test : pandas.DataFrame
        The data sets, with the criterion column ``target``.
    target : str
        The criterion's column name.

    Returns
    -------
    train_x, test_x : pandas.DataFrame
        The converted feature columns, the same in both, in train's order.
    """
    train_x = train.drop(columns=[target])
    test_x = test.drop(columns=[target])
    columns: dict[str, tuple[pd.Series, pd.Series]] = {}
    for name in train_x.columns:
        a, b = train_x[name], test_x[name]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            fill = a.median()
            a, b = a.fillna(fill), b.fillna(fill)
        else:
            a, b = a.map(_as_level).astype("category"), b.map(_as_level).astype("category")
        if a.nunique(dropna=False) > 1:
            columns[name] = (a, b)
    return (pd.DataFrame({name: a for name, (a, _) in columns.items()}, index=train_x.index),
            pd.DataFrame({name: b for name, (_, b) in columns.items()}, index=test_x.index))


def fit_score(train: pd.DataFrame, test: pd.DataFrame, target: str) -> dict[str, Any]:
    """Fit fasttrees' ``FastFrugalTreeClassifier`` on ``train`` and score it on ``test``.

    The classifier has fasttrees' defaults (``marginal_fan``, at most 4
    levels, balanced accuracy as the goal); the columns are converted by
    :func:`features` and the criterion by :func:`criterion`.

    Parameters
    ----------
    train, test : pandas.DataFrame
        The data sets, with the criterion column ``target``.
    target : str
        The criterion's column name.

    Returns
    -------
    dict
        ``fit_seconds``: wall time of the fit alone (``time.perf_counter``);
        ``test_bacc``: balanced accuracy on ``test``;
        ``tree``: the best tree in words (``in_words()``).

    Raises
    ------
    RuntimeError
        If fasttrees is not available (``REASON`` says why).
    """
    if not AVAILABLE:
        raise RuntimeError(REASON)
    from sklearn.metrics import balanced_accuracy_score

    train_x, test_x = features(train, test, target)
    train_y, test_y = criterion(train[target]), criterion(test[target])
    model = FastFrugalTreeClassifier(scorer=_balanced_accuracy)
    with _quiet():
        start = time.perf_counter()
        model.fit(train_x, train_y)
        fit_seconds = time.perf_counter() - start
        predicted = model.predict(test_x)
        tree = model.in_words()
    return {
        "fit_seconds": fit_seconds,
        "test_bacc": float(balanced_accuracy_score(test_y, np.asarray(predicted, dtype=bool))),
        "tree": tree,
    }
