"""quiver: machine learning on a Go engine over Arrow.

Learners are functions of a frame that return ``(predict, scored, log)``::

    import quiver
    predict, scored, log = quiver.logistic_regression(train, target="label", l2=1.0)
    out = predict(test)   # test's own frame type, with prediction columns added

The learners are :func:`linear_regression`, :func:`logistic_regression`,
:func:`gbdt` (gradient-boosted trees) and :func:`fft` (fast-and-frugal trees). Frames may be pandas or polars
DataFrames, pyarrow Tables or RecordBatches, or dicts of numpy arrays.
:func:`pipeline` chains named steps (learners, feature steps, Python
functions) into one learner. Scikit-learn-compatible classes live in :mod:`quiver.sklearn`, plots in
:mod:`quiver.plot` (``quiver.plot.fft(predict)`` draws a fast-and-frugal tree).
"""

from ._export import export
from ._learners import make_learner as _make_learner
from ._model import Predictor, load
from ._pipeline import Pipeline, PipelinePredictor, pipeline
from ._space import Param, Space, learners, space, space_schema
from ._target import target_encoder
from ._tune import TuneResult, tune
from ._validation import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit, score, validate
from ._version import __version__

linear_regression = _make_learner("linear_regression")
logistic_regression = _make_learner("logistic_regression")
fft = _make_learner("fft")
mlp = _make_learner("mlp")
gbdt = _make_learner("gbdt")
standard_scaler = _make_learner("standard_scaler")
min_max_scaler = _make_learner("min_max_scaler")
imputer = _make_learner("imputer")
one_hot = _make_learner("one_hot")
ordinal_encoder = _make_learner("ordinal_encoder")
regex_features = _make_learner("regex_features")
hashed_tokens = _make_learner("hashed_tokens")
log_transform = _make_learner("log_transform")
clip = _make_learner("clip")
bucketize = _make_learner("bucketize")
select_columns = _make_learner("select_columns")
drop_columns = _make_learner("drop_columns")
rename_columns = _make_learner("rename_columns")

__all__ = [
    "GroupKFold",
    "KFold",
    "Param",
    "Pipeline",
    "PipelinePredictor",
    "Predictor",
    "Space",
    "StratifiedKFold",
    "TimeSeriesSplit",
    "TuneResult",
    "__version__",
    "bucketize",
    "clip",
    "drop_columns",
    "export",
    "fft",
    "gbdt",
    "hashed_tokens",
    "imputer",
    "learners",
    "linear_regression",
    "load",
    "log_transform",
    "logistic_regression",
    "min_max_scaler",
    "mlp",
    "one_hot",
    "ordinal_encoder",
    "pipeline",
    "regex_features",
    "rename_columns",
    "score",
    "select_columns",
    "space",
    "space_schema",
    "standard_scaler",
    "target_encoder",
    "tune",
    "validate",
]


def __getattr__(name: str) -> object:
    # quiver.plot is loaded on first use rather than at import, so that
    # `import quiver` stays lean; plot itself imports matplotlib only when
    # drawing.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
