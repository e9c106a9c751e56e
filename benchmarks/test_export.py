"""Compiled scorers: quiver's exported shared library against LightGBM's
predict, XGBoost's inplace_predict, treelite (tl2cgen) and lleaves, scoring
the dense set's held-out rows at several batch sizes on one thread and two;
and the exported executable's ``serve`` under an HTTP load (see _export.py).

One test per model and library, timing every batch size and thread count
of it; one per request body for serve. Nothing here asserts on time: the
asserts are sanity checks (quiver's library equal to Python's predict bit
for bit, tl2cgen and lleaves within 1e-6 of the LightGBM model they compile,
every model's held-out AUC above a floor) so that broken code fails even the
smoke run. A library that cannot run skips with the reason, which RESULTS.md
lists.

Every model is trained, exported and compiled once per session (lleaves
needs minutes for the 100 × 255 model), into a temporary directory that
the session removes: nothing is cached across runs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import _export
import _gbdt
import _gbdt_data

SCALE = _export.scale()
MODEL_KEYS = [_export.model_key(*m) for m in SCALE.models]
CASES = [(m, lib) for m in MODEL_KEYS for lib in _export.LIBRARIES]
REPO = Path(__file__).resolve().parent.parent


class Models:
    """Every library's model of each (trees, leaves), trained or compiled on
    first use and kept for the module.

    Parameters
    ----------
    dense
        The dense set.
    root
        A temporary directory for model files, libraries and executables.
    """

    def __init__(self, dense: _gbdt_data.Dense, root: Path) -> None:
        self.dense = dense
        self.root = root
        self._cache: dict[tuple[str, str], Any] = {}

    def _get(self, what: str, key: str, build: Any) -> Any:
        if (what, key) not in self._cache:
            started = time.perf_counter()
            self._cache[(what, key)] = build()
            _export.DATA_INFO.setdefault("build", {}).setdefault(_export.model_title(key), {})[
                f"{what} seconds"] = round(time.perf_counter() - started, 1)
        return self._cache[(what, key)]

    @staticmethod
    def _shape(key: str) -> tuple[int, int]:
        trees, leaves = (int(v) for v in key.split("x"))
        return trees, leaves

    def quiver(self, key: str) -> tuple[Any, dict[str, Any]]:
        """quiver.gbdt's (predict, log), trained on TRAIN_THREADS threads."""
        return self._get("quiver fit", key, lambda: _gbdt.fit_quiver(self.dense.train_table(), *self._shape(key)))

    def quiver_library(self, key: str) -> Path:
        """The model exported as a C shared library."""
        import quiver

        path = self.root / key / "libquiver_scorer.so"
        return self._get("quiver export c-shared", key,
                         lambda: quiver.export(self.quiver(key)[0], path, target="c-shared"))

    def quiver_exe(self, key: str) -> Path:
        """The model exported as an executable."""
        import quiver

        path = self.root / key / "quiver-scorer"
        return self._get("quiver export exe", key, lambda: quiver.export(self.quiver(key)[0], path, target="exe"))

    def lightgbm(self, key: str) -> tuple[Any, Path]:
        """LightGBM's Booster and its model file."""

        def build() -> tuple[Any, Path]:
            model = _gbdt.fit_peer("lightgbm", self.dense.X_train, self.dense.y_train, *self._shape(key))
            path = self.root / key / "lightgbm.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            model.booster_.save_model(str(path))
            return model.booster_, path

        return self._get("LightGBM fit", key, build)

    def xgboost(self, key: str) -> Any:
        """XGBoost's Booster."""
        return self._get("XGBoost fit", key, lambda: _gbdt.fit_peer(
            "xgboost", self.dense.X_train, self.dense.y_train, *self._shape(key)).get_booster())

    def tl2cgen(self, key: str) -> Path:
        """LightGBM's model compiled by tl2cgen with gcc: the library's path."""

        def build() -> Path:
            import tl2cgen
            import treelite

            model = treelite.frontend.load_lightgbm_model(str(self.lightgbm(key)[1]))
            path = self.root / key / "tl2cgen.so"
            tl2cgen.export_lib(model, toolchain="gcc", libpath=str(path), params={"parallel_comp": 2})
            return path

        return self._get("tl2cgen compile", key, build)

    def lleaves(self, key: str) -> Any:
        """LightGBM's model compiled by lleaves."""

        def build() -> Any:
            import lleaves

            model = lleaves.Model(model_file=str(self.lightgbm(key)[1]))
            model.compile()
            return model

        return self._get("lleaves compile", key, build)

    def peer(self, library: str, key: str) -> Any:
        """What _export.peer_scorer takes for the library."""
        if library == "lightgbm":
            return self.lightgbm(key)[0]
        return getattr(self, library)(key)


@pytest.fixture(scope="module")
def data(dense: _gbdt_data.Dense, gbdt_scale: _gbdt_data.Scale, tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, Any]:
    """The held-out rows as the float64 C-contiguous pool every library
    scores (and as a .npy file for quiver's probe), with what RESULTS.md says
    about the data recorded."""
    call = ", ".join(f"{k}={v:_}" if isinstance(v, int) and v >= 10_000 else f"{k}={v}"
                     for k, v in _gbdt_data.dense_params(gbdt_scale).items())
    trees, leaves = SCALE.models[0]
    _export.DATA_INFO.update(
        call=call, train=dense.n_train, test=len(dense.y_test),
        params={lib: ", ".join(f"{k}={v!r}" for k, v in _gbdt.params(lib, trees, leaves).items()
                               if k != "enable_categorical") for lib in ("quiver", "lightgbm", "xgboost")})
    root = tmp_path_factory.mktemp("export")
    pool = np.ascontiguousarray(dense.X_test, dtype=np.float64)
    np.save(root / "pool.npy", pool)
    return {"pool": pool, "pool_path": root / "pool.npy", "root": root, "dense": dense}


@pytest.fixture(scope="module")
def models(data: dict[str, Any]) -> Models:
    return Models(data["dense"], data["root"])


def _require(library: str) -> None:
    reason = _export.unavailable(library)
    if reason:
        _export.SKIPPED[library] = reason
        pytest.skip(reason)
    _export.DATA_INFO.setdefault("versions", {})[library] = _export.version(library)


def _check(label: str, p: np.ndarray, y: np.ndarray) -> None:
    assert p.shape == y.shape, f"{label}: {p.shape} probabilities for {y.shape[0]} rows"
    assert np.all(np.isfinite(p)) and p.min() >= 0.0 and p.max() <= 1.0, f"{label}: probabilities not in [0, 1]"
    auc = _gbdt_data.auc(y, p)
    assert auc > _export.AUC_ASSERT, f"{label}: held-out AUC {auc:.4f}, not above {_export.AUC_ASSERT}"


def _trees(model: str, library: str, n: int) -> int:
    _export.DATA_INFO.setdefault("trees", {}).setdefault(model, {})[library] = n
    return n


@pytest.mark.parametrize(("model", "library"), CASES, ids=[f"{m}-{lib}" for m, lib in CASES])
def test_export_scoring(benchmark, data, models, model, library):  # noqa: ANN001
    _require(library)
    benchmark.group = f"compiled scorers, {_export.model_title(model)}"
    pool, y = data["pool"], data["dense"].y_test
    label = f"{_export.LABELS[library]}, {_export.model_title(model)}"
    if library == "quiver":
        predict, log = models.quiver(model)
        lib = models.quiver_library(model)
        n_trees = _trees(model, library, int(log.get("num_trees") or log["iterations"]))
        check = data["root"] / f"quiver-{model}-check.npy"
        spec = {"library": str(lib), "pool": str(data["pool_path"]), "batches": list(SCALE.batches),
                "threads": list(_export.THREADS), "budget": SCALE.budget, "check": str(check)}
        answer = benchmark.pedantic(lambda: _export.run_probe(spec), rounds=1, iterations=1, warmup_rounds=0)
        _export.DATA_INFO.setdefault("call_floor", {})[model] = answer["call_floor"]
        _export.record("quiver", model, n_trees, answer["cells"])
        out = np.load(check)
        names = [o["name"] for o in answer["schema"]["outputs"]]
        got = out[:, names.index("probability_1")]
        want = np.asarray(predict(data["dense"].test_table(), n_threads=2)["probability_1"], dtype=np.float64)
        mismatched = np.flatnonzero(got != want)
        assert mismatched.size == 0, (f"{label}: the library differs from predict() on {mismatched.size} rows, "
                                      f"first row {mismatched[:1]}: {got[mismatched[:1]]} vs {want[mismatched[:1]]}")
        _check(label, got, y)
        return

    source = None
    if library in ("tl2cgen", "lleaves"):
        _require("lightgbm")
        source = models.lightgbm(model)[0]
    peer = models.peer(library, model)
    if library == "xgboost":
        n_trees = _trees(model, library, int(peer.num_boosted_rounds()))
    else:
        n_trees = _trees(model, library, int((source or peer).num_trees()))
    cells = benchmark.pedantic(lambda: _export.measure_peer(library, peer, pool, SCALE.batches, SCALE.budget),
                               rounds=1, iterations=1, warmup_rounds=0)
    _export.record(library, model, n_trees, cells)
    p = _export.peer_probability(library, peer, pool)
    if source is not None:
        ref = _export.peer_probability("lightgbm", source, pool)
        worst = float(np.max(np.abs(p - ref)))
        assert worst <= _export.PEER_ATOL, f"{label}: probabilities differ from LightGBM's by up to {worst:.3g}"
    _check(label, p, y)


# ---------------------------------------------------------------- serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def loadgen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cmd/quiver-loadgen, built into a temporary directory."""
    import shutil

    if shutil.which("go") is None:
        reason = "the load generator cmd/quiver-loadgen needs the Go toolchain on PATH"
        _export.SKIPPED["serve"] = reason
        pytest.skip(reason)
    path = tmp_path_factory.mktemp("loadgen") / "quiver-loadgen"
    subprocess.run(["go", "build", "-o", str(path), "./cmd/quiver-loadgen"], cwd=REPO, check=True,
                   capture_output=True, timeout=600)
    return path


@pytest.fixture(scope="module")
def server(models: Models, data: dict[str, Any]) -> Any:
    """serve of the first model's executable on a free loopback port: its
    base URL (stopped after the module)."""
    reason = _export.unavailable("quiver")
    if reason:
        _export.SKIPPED["serve"] = reason
        pytest.skip(reason)
    exe = models.quiver_exe(MODEL_KEYS[0])
    port = _free_port()
    proc = subprocess.Popen([str(exe), "serve", "--addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited: {proc.stderr.read().decode()}")
                time.sleep(0.05)
        else:
            pytest.fail("serve did not answer /health")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("model", MODEL_KEYS)
def test_export_sizes(data, models, model):  # noqa: ANN001
    """The exported artifacts' sizes (quiver.export strips them), and that
    the executable still scores: its --help and schema answer."""
    _require("quiver")
    exe = models.quiver_exe(model)
    library = models.quiver_library(model)
    out = subprocess.run([str(exe), "schema"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and '"inputs"' in out.stdout, out.stderr
    _export.record_size(model, {"executable": exe.stat().st_size, "C shared library": library.stat().st_size})


@pytest.mark.parametrize("rows", SCALE.http_bodies, ids=[f"{k}rows" for k in SCALE.http_bodies])
def test_export_serve(benchmark, data, models, loadgen, server, rows):  # noqa: ANN001
    benchmark.group = "compiled scorers, serve"
    dense = data["dense"]
    X = dense.X_test[:rows]
    names = _gbdt_data.feature_names(X.shape[1])
    body = json.dumps([{n: float(v) for n, v in zip(names, row)} for row in X]).encode()
    path = data["root"] / f"body-{rows}.json"
    path.write_bytes(body)

    # The answer, checked once against Python's predict before the load.
    req = urllib.request.Request(server + "/predict", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read())
    got = np.array([a["probability_1"] for a in answer], dtype=np.float64)
    predict, _ = models.quiver(MODEL_KEYS[0])
    want = np.asarray(predict(_gbdt_data.columns_table(dense.columns[dense.n_train:dense.n_train + rows]),
                              n_threads=1)["probability_1"], dtype=np.float64)
    assert np.array_equal(got, want), f"serve answered {got[:3]}..., predict() gives {want[:3]}..."

    cmd = [str(loadgen), "-url", server + "/predict", "-body", str(path),
           "-connections", str(SCALE.http_connections), "-duration", f"{SCALE.http_seconds}s",
           "-warmup", f"{SCALE.http_warmup}s"]

    def run() -> dict[str, Any]:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=SCALE.http_seconds + 120)
        assert out.returncode == 0, f"quiver-loadgen failed: {out.stderr}"
        return json.loads(out.stdout)

    result = benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    _export.record_serve(_export.Serve(rows, result, {"request body bytes": len(body)}))
    benchmark.extra_info.update(requests_per_second=result["requests_per_second"],
                                p99_ms=result["latency_ms"]["p99"])
    assert result["errors"] == 0, f"serve: {result['errors']} failed requests, first: {result['first_error']}"
    assert result["requests"] > 0
