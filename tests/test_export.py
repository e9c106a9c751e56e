"""quiver.export: standalone scorers built from fitted models, checked
against the Python predict function on held-out rows."""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import quiver

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="building scorers needs the Go toolchain")

FAST_GBDT = dict(max_iter=25, num_leaves=15, objective="log_loss")


def frame(n: int, seed: int, unseen: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    color = rng.choice(["red", "green", "blue"], n).astype(object)
    if unseen:
        color[::9] = "violet"
    color[::13] = None
    df = pd.DataFrame({
        "a": rng.standard_normal(n),
        "b": rng.uniform(0, 10, n).astype(np.float32),
        "color": color,
        "flag": rng.integers(0, 2, n).astype(bool),
    })
    df.loc[::7, "a"] = np.nan
    z = df.a.fillna(0) + 0.3 * df.b - (df.color == "red") + df.flag
    df["label"] = np.where(z > 1.5, "yes", "no")
    df["y"] = z + rng.standard_normal(n) * 0.1
    return df


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return frame(2000, 1)


@pytest.fixture(scope="module")
def test() -> pd.DataFrame:
    return frame(500, 2, unseen=True).drop(columns=["label", "y"])


@pytest.fixture(scope="module")
def classifier(train):
    predict, _, _ = quiver.gbdt(train.drop(columns=["y"]), target="label", **FAST_GBDT)
    return predict


@pytest.fixture(scope="module")
def exe(classifier, tmp_path_factory):
    return quiver.export(classifier, tmp_path_factory.mktemp("exe") / "scorer")


def run(exe, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], input=data, capture_output=True, timeout=120)


def same_floats(got, want, name: str) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, name
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64)), f"{name}: not bit for bit"


def ipc_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue()


def test_executable_predicts_as_python_does(classifier, exe, test):
    want = classifier(test)
    # Arrow IPC in and out, in chunks smaller than the input
    out = run(exe, "predict", "--input-format", "arrows", "--output-format", "arrows", "--chunk-rows", "64",
              data=ipc_bytes(pa.Table.from_pandas(test, preserve_index=False)))
    assert out.returncode == 0, out.stderr.decode()
    got = pa.ipc.open_stream(out.stdout).read_all()
    assert got.column_names[: len(test.columns)] == list(test.columns)
    for name in ["probability_no", "probability_yes"]:
        same_floats(got.column(name).to_numpy(), want[name].to_numpy(), name)
    assert got.column("prediction").to_pylist() == want["prediction"].tolist()
    # CSV in and out: the same numbers, printed exactly
    csv = test.to_csv(index=False).encode()
    out = run(exe, "predict", "--input-format", "csv", "--output-format", "csv", data=csv)
    assert out.returncode == 0, out.stderr.decode()
    got = pacsv.read_csv(io.BytesIO(out.stdout))
    same_floats(got.column("probability_yes").to_numpy(), want["probability_yes"].to_numpy(), "csv")


def test_schema_metadata_and_stream(exe, classifier, test):
    schema = json.loads(run(exe, "schema").stdout)
    assert [c["name"] for c in schema["inputs"]] == classifier.inputs
    meta = json.loads(run(exe, "metadata").stdout)
    assert meta["learner"] == "gbdt" and meta["inputs"] == classifier.inputs
    rows = test.head(5).replace({np.nan: None}).to_dict("records")
    lines = [json.dumps({k: (bool(v) if isinstance(v, np.bool_) else v) for k, v in r.items()}) for r in rows]
    lines.insert(2, "{not json")
    out = run(exe, "stream", data=("\n".join(lines) + "\n").encode())
    answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(answers) == 6 and "error" in answers[2]
    want = classifier(test.head(5))
    got = [a["probability_yes"] for i, a in enumerate(answers) if i != 2]
    same_floats(got, want["probability_yes"].to_numpy(), "stream")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_serve_answers_concurrent_requests_and_bad_input(exe, classifier, test):
    port = free_port()
    proc = subprocess.Popen([str(exe), "serve", "--addr", f"127.0.0.1:{port}", "--max-body-bytes", "200000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("serve did not come up")
        rows = json.loads(test.to_json(orient="records"))
        want = classifier(test)["probability_yes"].to_numpy()

        def ask(k: int) -> tuple[int, np.ndarray]:
            part = rows[k * 10:(k + 1) * 10]
            status, body = post(base + "/predict", json.dumps(part).encode())
            return status, np.array([r["probability_yes"] for r in json.loads(body)]) if status == 200 else body

        with cf.ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(ask, range(50)))
        for k, (status, got) in enumerate(answers):
            assert status == 200, got
            same_floats(got, want[k * 10:(k + 1) * 10], f"request {k}")
        status, body = post(base + "/predict", b"{not json")
        assert status == 400 and "error" in json.loads(body)
        status, body = post(base + "/predict", json.dumps([{"a": 1.0}]).encode())
        assert status == 400 and "b" in json.loads(body)["error"]
        status, body = post(base + "/predict", json.dumps([{"a": "x", "b": 1, "color": "red", "flag": True}]).encode())
        assert status == 400 and "a" in json.loads(body)["error"]
        status, _ = post(base + "/predict", b"[" + b" " * 300000 + b"]")
        assert status == 413
        # still serving
        status, _ = post(base + "/predict", json.dumps(rows[:2]).encode())
        assert status == 200
        # Arrow IPC in, Arrow IPC out
        status, body = post(base + "/predict", ipc_bytes(pa.Table.from_pandas(test.head(20), preserve_index=False)),
                            "application/vnd.apache.arrow.stream")
        assert status == 200
        same_floats(pa.ipc.open_stream(body).read_all().column("probability_yes").to_numpy(), want[:20], "ipc")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr.read().decode()


def test_executable_reads_and_writes_parquet(classifier, exe, test, tmp_path):
    import pyarrow.parquet as pq

    want = classifier(test)
    table = pa.Table.from_pandas(test, preserve_index=False)
    n = table.num_rows
    # Columns the scorer cannot read but does not need (INT96 timestamps)
    # are left out of its output; lists pass through.
    extra = table.append_column("when", pa.array(pd.date_range("2024-01-01", periods=n, freq="h")))
    extra = extra.append_column("tags", pa.array([[i, i + 1] for i in range(n)]))
    extra = extra.append_column("id", pa.array(np.arange(n, dtype=np.int64)))
    for name, tbl, kwargs in [
        ("default", table, {}),
        ("v2 zstd split", table, dict(compression="zstd", data_page_version="2.0", use_dictionary=["color"],
                                      use_byte_stream_split=["a", "b"], row_group_size=120)),
        ("lz4 delta", table, dict(compression="lz4", use_dictionary=False,
                                  column_encoding={"color": "DELTA_BYTE_ARRAY"})),
        ("int96 and lists", extra, dict(use_deprecated_int96_timestamps=True, compression="gzip")),
    ]:
        src, dst = tmp_path / "in.parquet", tmp_path / "out.parquet"
        pq.write_table(tbl, src, **kwargs)
        out = run(exe, "predict", "-i", str(src), "-o", str(dst), "--chunk-rows", "100")
        assert out.returncode == 0, (name, out.stderr.decode())
        got = pq.read_table(dst)
        kept = [c for c in tbl.column_names if c != "when"]
        assert got.column_names == kept + ["prediction", "probability_no", "probability_yes"], name
        for c in kept:
            assert got.column(c).equals(tbl.column(c).cast(got.schema.field(c).type)), (name, c)
        for c in ["probability_no", "probability_yes"]:
            same_floats(got.column(c).to_numpy(), want[c].to_numpy(), f"{name}: {c}")
        assert got.column("prediction").to_pylist() == want["prediction"].tolist(), name
    # A column the model needs must be readable; the error names it.
    bad = table.set_column(0, "a", pa.array([[1.0]] * n))
    pq.write_table(bad, tmp_path / "bad.parquet")
    out = run(exe, "predict", "-i", str(tmp_path / "bad.parquet"), "-o", str(tmp_path / "bad_out.parquet"))
    assert out.returncode != 0 and b'"a"' in out.stderr and b"panic" not in out.stderr
    assert not (tmp_path / "bad_out.parquet").exists()


def test_bad_input_to_the_executable(exe, test):
    out = run(exe, "predict", "--input-format", "csv", data=b"a,b\n1,2\n")
    assert out.returncode != 0 and b"color" in out.stderr and b"panic" not in out.stderr
    out = run(exe, "predict", "--input-format", "csv", data=b"a,b,color,flag\nx,2,red,true\n")
    assert out.returncode != 0 and b"a" in out.stderr and b"panic" not in out.stderr
    assert run(exe, "nonsense").returncode != 0


C_PROGRAM = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "libscorer.h"

int main(void) {
    int64_t rows, cols = quiver_n_inputs(), outs = quiver_n_outputs();
    if (scanf("%lld", (long long *)&rows) != 1) return 2;
    double *x = malloc(sizeof(double) * rows * cols), *y = malloc(sizeof(double) * rows * outs);
    for (int64_t i = 0; i < rows * cols; i++) {
        char tok[64];
        if (scanf("%63s", tok) != 1) return 2;
        x[i] = tok[0] == 'n' ? NAN : strtod(tok, NULL);
    }
    char *err = NULL;
    int rc = quiver_predict_matrix(x, rows, cols, y, rows * outs, &err);
    if (rc != 0) { printf("error %d %s\n", rc, err); quiver_free(err); return 0; }
    for (int64_t i = 0; i < rows * outs; i++) printf("%.17g\n", y[i]);
    rc = quiver_predict_matrix(x, rows, cols + 1, y, rows * outs, &err);
    printf("error %d %s\n", rc, err ? err : "");
    quiver_free(err);
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None or sys.platform != "linux", reason="needs gcc on Linux")
def test_c_library_predicts_as_python_does(classifier, test, tmp_path):
    lib = quiver.export(classifier, tmp_path / "libscorer.so", target="c-shared")
    assert (tmp_path / "libscorer.h").is_file()
    (tmp_path / "main.c").write_text(C_PROGRAM)
    subprocess.run(["gcc", "-O1", "-o", str(tmp_path / "main"), str(tmp_path / "main.c"), f"-I{tmp_path}",
                    f"-L{tmp_path}", "-lscorer", "-lm", f"-Wl,-rpath,{tmp_path}"], check=True)
    schema = json.loads(run(quiver.export(classifier, tmp_path / "exe"), "schema").stdout)
    cats = {c["name"]: c.get("categories") for c in schema["inputs"]}
    rows = test.head(40)
    tokens = []
    for _, r in rows.iterrows():
        for name in classifier.inputs:
            v = r[name]
            if cats[name] is not None:  # a category travels as its code
                v = cats[name].index(v) if v in cats[name] else (float("nan") if v is None else -2)
            tokens.append("nan" if v is None or (isinstance(v, float) and np.isnan(v)) else repr(float(v)))
    stdin = f"{len(rows)}\n" + " ".join(tokens)
    out = subprocess.run([str(tmp_path / "main")], input=stdin.encode(), capture_output=True, timeout=60)
    lines = out.stdout.decode().splitlines()
    assert not lines[0].startswith("error"), lines[0]
    values = np.array([float(v) for v in lines[:-1]]).reshape(len(rows), -1)
    names = [c["name"] for c in schema["outputs"]]
    want = classifier(rows)
    same_floats(values[:, names.index("probability_yes")], want["probability_yes"].to_numpy(), "c")
    assert lines[-1] == "error 1 cols is 5, but the model has 4 inputs"
    assert lib == tmp_path / "libscorer.so"


def test_go_package_and_cross_compilation(classifier, tmp_path):
    pkg = quiver.export(classifier, tmp_path / "gopkg", target="go", package="churn")
    source = (pkg / "model.go").read_text()
    assert "package churn" in source and "func Predict(" in source and "<=" in source
    subprocess.run(["go", "vet", "./..."], cwd=pkg, check=True, capture_output=True)
    arm = quiver.export(classifier, tmp_path / "scorer-arm64", goos="linux", goarch="arm64")
    head = arm.read_bytes()[:20]
    assert head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183  # EM_AARCH64
    wasm = quiver.export(classifier, tmp_path / "scorer.wasm", goos="wasip1", goarch="wasm")
    assert wasm.read_bytes()[:4] == b"\0asm"


def run_wasi(wasm, args: list[str], stdin: bytes, tmp_path) -> tuple[int, bytes, bytes]:
    """Run a WASI module's _start under wasmtime with args and stdin; return
    its exit code, stdout and stderr."""
    wasmtime = pytest.importorskip("wasmtime")
    files = {name: tmp_path / f"wasi.{name}" for name in ("stdin", "stdout", "stderr")}
    files["stdin"].write_bytes(stdin)
    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = ["scorer", *args]
    config.stdin_file, config.stdout_file, config.stderr_file = (str(files[n]) for n in ("stdin", "stdout", "stderr"))
    store.set_wasi(config)
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm)))
    code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    return code, files["stdout"].read_bytes(), files["stderr"].read_bytes()


def test_wasm_scorer_runs(classifier, test, tmp_path):
    wasm = quiver.export(classifier, tmp_path / "scorer.wasm", goos="wasip1", goarch="wasm")
    code, out, err = run_wasi(wasm, ["schema"], b"", tmp_path)
    assert code == 0, err.decode()
    assert [c["name"] for c in json.loads(out)["inputs"]] == classifier.inputs
    rows = test.head(200)
    code, out, err = run_wasi(wasm, ["predict", "--input-format", "csv", "--output-format", "csv"],
                              rows.to_csv(index=False).encode(), tmp_path)
    assert code == 0, err.decode()
    got = pacsv.read_csv(io.BytesIO(out))
    want = classifier(rows)
    # The same sums; only the sigmoid's exp may differ in its last bit
    # between amd64's and wasm's math.Exp.
    np.testing.assert_allclose(got.column("probability_yes").to_numpy(), want["probability_yes"].to_numpy(), rtol=1e-14)
    assert got.column("prediction").to_pylist() == want["prediction"].tolist()
    code, _, err = run_wasi(wasm, ["predict", "--input-format", "csv"], b"no,such\n1,2\n", tmp_path)
    assert code != 0 and b"missing" in err


def test_command_line_export(classifier, tmp_path):
    model = tmp_path / "model.quiver"
    classifier.save(model)
    from quiver.__main__ import main

    assert main(["export", str(model), str(tmp_path / "cli-scorer")]) == 0
    assert json.loads(run(tmp_path / "cli-scorer", "schema").stdout)["inputs"]
    assert main(["export", str(tmp_path / "missing.quiver"), str(tmp_path / "x")]) == 1


def test_export_errors(classifier, train, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown target 'dll'"):
        quiver.export(classifier, tmp_path / "x", target="dll")
    with pytest.raises(TypeError, match="expected a fitted model"):
        quiver.export(lambda df: df, tmp_path / "x")

    def python_step(df):
        return (lambda d: d), df, {}

    pipe = quiver.pipeline(("py", python_step), ("model", quiver.gbdt(**FAST_GBDT)))
    predict, _, _ = pipe(train.drop(columns=["y"]), target="label")
    assert not predict.exportable
    with pytest.raises(ValueError, match="cannot be exported.*'py'"):
        quiver.export(predict, tmp_path / "x")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="needs the Go toolchain"):
        quiver.export(classifier, tmp_path / "x")
    assert classifier.exportable and classifier.export_blocker == ""


def test_pipeline_with_feature_steps_exports(train, test, tmp_path):
    pipe = quiver.pipeline(
        ("impute", quiver.imputer(strategy="most_frequent")),
        ("encode", quiver.one_hot(handle_unknown="ignore")),
        ("scale", quiver.standard_scaler()),
        ("model", quiver.gbdt(**FAST_GBDT)),
    )
    predict, _, _ = pipe(train.drop(columns=["y"]), target="label")
    assert predict.exportable
    exe = quiver.export(predict, tmp_path / "pipeline-scorer")
    want = predict(test)
    out = run(exe, "predict", "--input-format", "arrows", "--output-format", "arrows",
              data=ipc_bytes(pa.Table.from_pandas(test, preserve_index=False)))
    assert out.returncode == 0, out.stderr.decode()
    got = pa.ipc.open_stream(out.stdout).read_all()
    same_floats(got.column("probability_yes").to_numpy(), want["probability_yes"].to_numpy(), "pipeline")
    assert got.column("prediction").to_pylist() == want["prediction"].tolist()


@pytest.mark.parametrize("learner", ["logistic_regression", "mlp", "fft"])
def test_other_learners_export(learner, train, test, tmp_path):
    data = train.drop(columns=["y"]).dropna()
    if learner == "fft":  # a binary criterion
        data = data.assign(label=data["label"] == "yes")
    features = ["a", "b"] if learner != "fft" else ["a", "b", "color", "flag"]
    kw = dict(max_iter=5, hidden_layers=[8]) if learner == "mlp" else {}
    predict, _, _ = getattr(quiver, learner)(data, target="label", features=features, **kw)
    rows = test.dropna(subset=["a"]) if learner != "fft" else test
    want = predict(rows)
    exe = quiver.export(predict, tmp_path / f"{learner}-scorer")
    out = run(exe, "predict", "--input-format", "arrows", "--output-format", "arrows",
              data=ipc_bytes(pa.Table.from_pandas(rows, preserve_index=False)))
    assert out.returncode == 0, out.stderr.decode()
    got = pa.ipc.open_stream(out.stdout).read_all()
    prob = [c for c in want.columns if c.startswith("probability_")][-1]
    np.testing.assert_allclose(got.column(prob).to_numpy(), want[prob].to_numpy(), rtol=1e-6, atol=0)
    assert got.column("prediction").to_pylist() == want["prediction"].tolist()


def test_text_steps_export(tmp_path):
    rng = np.random.default_rng(3)
    words = ["red apple", "Green PEAR", "blue sky", "café au lait", "", "sky_high 42"]
    text = rng.choice(words, 400).astype(object)
    text[rng.random(400) < 0.1] = None
    y = np.array([len(t or "") for t in text], dtype=float) + rng.normal(size=400)
    df = pd.DataFrame({"text": text, "x": rng.normal(size=400), "y": y})
    pipe = quiver.pipeline(
        ("match", quiver.regex_features(patterns='{"sky": "sky", "digits": "[0-9]+"}', keep_input=True)),
        ("tokens", quiver.hashed_tokens(n_features=6)),
        ("model", quiver.gbdt(max_iter=25, num_leaves=15)),
    )
    predict, _, _ = pipe(df, target="y")
    assert predict.exportable, predict.export_blocker
    exe = quiver.export(predict, tmp_path / "text-scorer")
    rows = pd.DataFrame({"text": ["red apple", "never seen before", None, "", "SKY 7"], "x": [0.1, -1.0, 2.0, 0.0, 0.5]})
    want = predict(rows)["prediction"].to_numpy()
    out = run(exe, "stream", data="".join(json.dumps(r) + "\n" for r in rows.replace({np.nan: None}).to_dict("records")).encode())
    got = [json.loads(line)["prediction"] for line in out.stdout.decode().splitlines()]
    same_floats(got, want, "text stream")
    schema = json.loads(run(exe, "schema").stdout)
    assert {c["name"]: c["kind"] for c in schema["inputs"]}["text"] == "text"


def test_text_outputs_export(tmp_path):
    df = pd.DataFrame({"text": ["red apple", None, "sky \"42\"", "x"], "x": [1.0, 2.0, 3.0, 4.0]})
    steps = quiver.pipeline(("match", quiver.regex_features(patterns='{"digits": "[0-9]+"}', keep_input=True)))
    predict, _, _ = steps(df)
    assert predict.exportable, predict.export_blocker
    exe = quiver.export(predict, tmp_path / "text-out")
    want = predict(df)
    out = run(exe, "predict", "--input-format", "csv", "--output-format", "csv", data=df.to_csv(index=False).encode())
    assert out.returncode == 0, out.stderr.decode()
    got = pd.read_csv(io.BytesIO(out.stdout))
    assert got["text"].tolist()[:1] + got["text"].tolist()[2:] == ["red apple", 'sky "42"', "x"]
    assert pd.isna(got["text"][1])
    np.testing.assert_array_equal(got["text_digits"].to_numpy(), want["text_digits"].to_numpy().astype(float))
    lines = run(exe, "stream", data=b'{"text": "a\\tb", "x": 1}\n{"text": null, "x": 2}\n').stdout.decode().splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["a\tb", None]


def test_vector_features_export(tmp_path):
    rng = np.random.default_rng(4)
    emb = rng.standard_normal((600, 3))
    x = rng.standard_normal(600)
    y = emb @ np.array([1.0, -2.0, 0.5]) + x
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(emb.ravel(), pa.float32()), 3)
    table = pa.table({"emb": vectors, "x": x, "y": y})
    predict, _, _ = quiver.mlp(table, target="y", hidden_layers=[8], max_iter=5)
    assert predict.exportable, predict.export_blocker
    exe = quiver.export(predict, tmp_path / "vector-scorer")
    rows = table.slice(500).drop_columns(["y"])
    want = predict(rows)["prediction"].to_numpy()
    out = run(exe, "predict", "--input-format", "arrows", "--output-format", "arrows", data=ipc_bytes(rows))
    assert out.returncode == 0, out.stderr.decode()
    got = pa.ipc.open_stream(out.stdout).read_all().column("prediction").to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
    lines = "".join(json.dumps({"emb": e, "x": v}) + "\n" for e, v in zip(rows["emb"].to_pylist(), rows["x"].to_pylist()))
    streamed = [json.loads(line)["prediction"] for line in run(exe, "stream", data=lines.encode()).stdout.decode().splitlines()]
    np.testing.assert_allclose(streamed, want, rtol=1e-6, atol=0)
    schema = json.loads(run(exe, "schema").stdout)
    assert {c["name"]: (c["kind"], c.get("width")) for c in schema["inputs"]}["emb"] == ("vector", 3)
    bad = run(exe, "stream", data=b'{"emb": [1, 2], "x": 0}\n')
    assert "emb" in (bad.stdout + bad.stderr).decode()

    # Parquet in and out, the vectors passed through: as fixed_size_list,
    # and as the list<double> pyarrow makes of Python lists.
    import pyarrow.parquet as pq

    as_lists = rows.set_column(0, "emb", pa.array(rows["emb"].to_pylist(), pa.list_(pa.float64())))
    for name, tbl in (("fixed", rows), ("lists", as_lists)):
        src, dst = tmp_path / f"{name}.parquet", tmp_path / f"{name}-scored.parquet"
        pq.write_table(tbl, src)
        out = run(exe, "predict", "-i", str(src), "-o", str(dst))
        assert out.returncode == 0, out.stderr.decode()
        scored = pq.read_table(dst)
        np.testing.assert_allclose(scored.column("prediction").to_numpy(), want, rtol=1e-6, atol=0)
        np.testing.assert_array_equal(np.array(scored.column("emb").to_pylist()), np.array(tbl["emb"].to_pylist()))


def test_keep_source_leaves_the_generated_module(classifier, tmp_path):
    quiver.export(classifier, tmp_path / "kept", keep_source=True)
    from pathlib import Path

    source = Path(classifier.log["export"]["source"])
    try:
        assert (source / "model.go").is_file() and (source / "go.mod").is_file()
        assert "func Scorer()" in (source / "model.go").read_text()
    finally:
        shutil.rmtree(source, ignore_errors=True)
