package ipc_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
)

// pyarrowPython is a Python with pyarrow, or "" when there is none.
func pyarrowPython() string {
	for _, p := range []string{os.Getenv("QUIVER_PYTHON"), "../../../../.venv/bin/python", "python3"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import pyarrow").Run() == nil {
			return path
		}
	}
	return ""
}

func runPython(t *testing.T, script string, args ...string) string {
	t.Helper()
	python := pyarrowPython()
	if python == "" {
		t.Skip("no Python with pyarrow")
	}
	out, err := exec.Command(python, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return string(out)
}

// pyarrowWrite writes one table in the ways pyarrow can: streams and
// files, compressed or not, of metadata V4 and V5, in the format from
// before Arrow 0.15, with dictionaries that grow by deltas.
const pyarrowWrite = `
import sys, datetime, decimal
import numpy as np, pyarrow as pa, pyarrow.ipc as ipc
out = sys.argv[1]
n = 300
def maybe(v, i, k=7):
    return None if i % k == 3 else v
words = pa.array([maybe("w%d" % (i % 11), i, 5) for i in range(n)]).dictionary_encode()
t = pa.table({
    "null": pa.nulls(n),
    "bool": pa.array([maybe(i % 3 == 0, i) for i in range(n)]),
    "i8": pa.array([maybe(i % 120 - 60, i) for i in range(n)], pa.int8()),
    "i16": pa.array([i * 7 - 900 for i in range(n)], pa.int16()),
    "i32": pa.array([maybe(i * 70001, i) for i in range(n)], pa.int32()),
    "i64": pa.array([maybe(i * 1234567891011, i, 4) for i in range(n)], pa.int64()),
    "u8": pa.array([i % 256 for i in range(n)], pa.uint8()),
    "u16": pa.array([maybe(i * 200, i) for i in range(n)], pa.uint16()),
    "u32": pa.array([maybe(i * 1000003, i) for i in range(n)], pa.uint32()),
    "u64": pa.array([maybe(i << 50, i) for i in range(n)], pa.uint64()),
    "f16": pa.array(np.array([i / 8 for i in range(n)], dtype=np.float16)),
    "f32": pa.array([maybe(i / 3, i) for i in range(n)], pa.float32()),
    "f64": pa.array([maybe(i / 7 - 20, i) for i in range(n)], pa.float64()),
    "utf8": pa.array([maybe("é" * (i % 4) + str(i), i) for i in range(n)]),
    "large_utf8": pa.array([maybe("s%d" % i, i, 6) for i in range(n)], pa.large_string()),
    "binary": pa.array([maybe(bytes([i % 256]) * (i % 3), i) for i in range(n)], pa.binary()),
    "large_binary": pa.array([maybe(b"xy" * (i % 4), i) for i in range(n)], pa.large_binary()),
    "fsb": pa.array([maybe(bytes([i % 256, 1, 2]), i) for i in range(n)], pa.binary(3)),
    "date32": pa.array([maybe(datetime.date(2000, 1, 1) + datetime.timedelta(days=i), i) for i in range(n)], pa.date32()),
    "date64": pa.array([maybe(datetime.date(1960, 1, 1) + datetime.timedelta(days=i), i) for i in range(n)], pa.date64()),
    "time32": pa.array([maybe(i * 61, i) for i in range(n)], pa.time32("s")),
    "time64": pa.array([maybe(i * 1000001, i) for i in range(n)], pa.time64("ns")),
    "ts": pa.array([maybe(i * 1000003, i) for i in range(n)], pa.timestamp("us", tz="Europe/Paris")),
    "ts_naive": pa.array([maybe(-i * 999, i) for i in range(n)], pa.timestamp("ms")),
    "dur": pa.array([maybe(i - 100, i) for i in range(n)], pa.duration("ns")),
    "dec128": pa.array([maybe(decimal.Decimal(i * 12345 - 99999) / 1000, i) for i in range(n)], pa.decimal128(12, 3)),
    "dec256": pa.array([maybe(decimal.Decimal(i) ** 9 / 100000, i) for i in range(n)], pa.decimal256(60, 5)),
    "list": pa.array([maybe(list(range(i % 4)), i) for i in range(n)], pa.list_(pa.int32())),
    "large_list": pa.array([maybe(["a"] * (i % 3), i) for i in range(n)], pa.large_list(pa.string())),
    "fsl": pa.array([maybe([i, None, -i], i) for i in range(n)], pa.list_(pa.int64(), 3)),
    "struct": pa.array([maybe({"a": i, "b": maybe(str(i), i, 4)}, i) for i in range(n)], pa.struct([("a", pa.int16()), ("b", pa.string())])),
    "map": pa.array([maybe([("k%d" % j, j) for j in range(i % 3)], i) for i in range(n)], pa.map_(pa.string(), pa.int32())),
    "dict": words,
    "dict_int": pa.array([i % 4 for i in range(n)], pa.int64()).dictionary_encode(),
    "list_dict": pa.ListArray.from_arrays(pa.array(list(range(0, n + 1))), pa.array(["v%d" % (i % 5) for i in range(n)]).dictionary_encode()),
})
t = t.replace_schema_metadata({"origin": "pyarrow", "n": str(n)})
f = t.schema.field("i32").with_metadata({"unit": "m"})
t = t.cast(t.schema.set(t.schema.get_field_index("i32"), f))
def stream(name, **kw):
    with ipc.new_stream(out + "/" + name, t.schema, options=ipc.IpcWriteOptions(**kw)) as w:
        for b in t.to_batches(max_chunksize=128):
            w.write_batch(b)
def file(name, **kw):
    with ipc.new_file(out + "/" + name, t.schema, options=ipc.IpcWriteOptions(**kw)) as w:
        for b in t.to_batches(max_chunksize=128):
            w.write_batch(b)
stream("stream.arrows")
stream("stream_lz4.arrows", compression="lz4")
stream("stream_zstd.arrows", compression="zstd")
stream("stream_v4.arrows", metadata_version=ipc.MetadataVersion.V4)
stream("stream_legacy.arrows", use_legacy_format=True)
file("file.arrow")
file("file_zstd.arrow", compression="zstd")
file("file_lz4.arrow", compression="lz4")
file("file_legacy.arrow", use_legacy_format=True)

# Buffers over 64 kB, which LZ4 frames hold in linked blocks.
big = pa.table({"i": pa.array([i // 3 for i in range(200000)], pa.int64()), "s": pa.array(["row %d" % (i % 1000) for i in range(200000)])})
for codec in ("lz4", "zstd"):
    with ipc.new_stream(out + "/big_" + codec + ".arrows", big.schema, options=ipc.IpcWriteOptions(compression=codec)) as w:
        for b in big.to_batches(max_chunksize=100000):
            w.write_batch(b)

# Dictionaries that grow from batch to batch, sent as deltas.
ds = pa.schema([("d", pa.dictionary(pa.int32(), pa.string()))])
batches = []
for k in (3, 5, 9):
    dictionary = pa.array(["d%d" % j for j in range(k)])
    indices = pa.array([maybe(j % k, j) for j in range(20)], pa.int32())
    batches.append(pa.record_batch([pa.DictionaryArray.from_arrays(indices, dictionary)], schema=ds))
for name, new in (("delta.arrows", ipc.new_stream), ("delta.arrow", ipc.new_file)):
    with new(out + "/" + name, ds, options=ipc.IpcWriteOptions(emit_dictionary_deltas=True)) as w:
        for b in batches:
            w.write_batch(b)
# ... and replaced, in a stream.
with ipc.new_stream(out + "/replaced.arrows", ds) as w:
    for k in (3, 2):
        dictionary = pa.array(["r%d-%d" % (k, j) for j in range(k)])
        w.write_batch(pa.record_batch([pa.DictionaryArray.from_arrays(pa.array([1, 0, None], pa.int32()), dictionary)], schema=ds))
`

func TestReadPyarrow(t *testing.T) {
	dir := t.TempDir()
	runPython(t, pyarrowWrite, dir)
	for _, name := range []string{
		"stream.arrows", "stream_lz4.arrows", "stream_zstd.arrows", "stream_v4.arrows", "stream_legacy.arrows",
		"file.arrow", "file_zstd.arrow", "file_lz4.arrow", "file_legacy.arrow", "delta.arrows", "delta.arrow", "replaced.arrows",
		"big_lz4.arrows", "big_zstd.arrows",
	} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			file := strings.HasSuffix(name, ".arrow")
			wantSchema, want := arrowGoRead(t, data, file)
			schema, got, err := readAll(data, file)
			if err != nil {
				t.Fatal(err)
			}
			arrowtest.CompareSchema(t, wantSchema, schema)
			if len(got) != len(want) || len(got) < 2 {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			for i := range want {
				arrowtest.CompareRecord(t, fmt.Sprintf("record %d", i), want[i], got[i])
			}
		})
	}
}

// pyarrowCheck reads each pair of files given, this package's and
// arrow-go's of the same records, and checks that pyarrow reads the same
// from both and finds them valid.
const pyarrowCheck = `
import sys, pyarrow as pa, pyarrow.ipc as ipc
args = sys.argv[1:]
def read(path):
    with open(path, "rb") as f:
        return (ipc.open_file if path.endswith(".arrow") else ipc.open_stream)(f).read_all()
def norm(v):  # NaN equal to itself
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v
for mine, ref in zip(args[::2], args[1::2]):
    m, r = read(mine), read(ref)
    m.validate(full=True)
    assert m.schema.equals(r.schema, check_metadata=True), (mine, m.schema, r.schema)
    for name in r.schema.names:
        mc, rc = m.column(name), r.column(name)
        # equals finds NaN unequal to itself: compare such columns as lists.
        assert mc.type == rc.type and (mc.equals(rc) or norm(mc.to_pylist()) == norm(rc.to_pylist())), (mine, name, mc, rc)
    assert m.num_rows == r.num_rows and m.num_rows > 0, (mine, m.num_rows)
    print(mine, m.num_rows, "ok")
`

func TestWriteReadByPyarrow(t *testing.T) {
	if pyarrowPython() == "" {
		t.Skip("no Python with pyarrow")
	}
	s := allTypesSchema()
	sets := recordSets(s)
	dir := t.TempDir()
	var args []string
	for _, set := range []string{"slices", "growing", "separate"} {
		for slicing, cut := range slicings {
			for _, file := range []bool{false, true} {
				if file && set == "separate" {
					continue
				}
				var ref []arrow.Record
				var recs []*columnar.Record
				for _, r := range sets[set] {
					a, c := cut(t, r)
					ref, recs = append(ref, a), append(recs, c)
				}
				mine, err := writeAll(arrowtest.Schema(s), recs, file)
				if err != nil {
					t.Fatal(err)
				}
				ext := ".arrows"
				if file {
					ext = ".arrow"
				}
				base := filepath.Join(dir, set+"-"+slicing)
				if err := os.WriteFile(base+"-mine"+ext, mine, 0o644); err != nil {
					t.Fatal(err)
				}
				// arrow-go writes no deltas in files: its reference is a
				// stream, which pyarrow reads as a table all the same.
				refFile := file && set != "growing"
				refExt := ".arrows"
				if refFile {
					refExt = ".arrow"
				}
				if err := os.WriteFile(base+"-ref"+ext+refExt, arrowGoWrite(t, refFile, s, ref), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, base+"-mine"+ext, base+"-ref"+ext+refExt)
			}
		}
	}
	out := runPython(t, pyarrowCheck, args...)
	if strings.Count(out, " ok") != len(args)/2 {
		t.Fatal(out)
	}
}
