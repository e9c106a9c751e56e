package parquet_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// pyarrowScript writes one table as Parquet in ways arrow-go cannot
// (BYTE_STREAM_SPLIT, LZ4_RAW, Brotli, INT96), each next to an Arrow IPC
// copy of what it holds.
const pyarrowScript = `
import sys, datetime
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather as feather
out = sys.argv[1]
n = 5000
def maybe(v, i, k=7):
    return None if i % k == 3 else v
t = pa.table({
    "f64": pa.array([maybe(i / 7 - 300, i) for i in range(n)], pa.float64()),
    "f32": pa.array([maybe(i / 3, i, 5) for i in range(n)], pa.float32()),
    "i32": pa.array([maybe((i * 7919) % 65536 - 30000, i) for i in range(n)], pa.int32()),
    "i64": pa.array([maybe(i * 1234567891011, i, 11) for i in range(n)], pa.int64()),
    "u16": pa.array([i % 60000 for i in range(n)], pa.uint16()),
    "b": pa.array([maybe(i % 3 == 0, i) for i in range(n)], pa.bool_()),
    "s": pa.array([maybe("item-%d" % (i % 97) * (i % 4), i) for i in range(n)], pa.string()),
    "d": pa.array([maybe(datetime.date(2020, 1, 1) + datetime.timedelta(days=i), i) for i in range(n)], pa.date32()),
    "ts": pa.array([maybe(i * 1000003, i) for i in range(n)], pa.timestamp("us", tz="UTC")),
})
feather.write_feather(t, out + "/want.arrow", compression="uncompressed")
cols = ["f64", "f32", "i32", "i64"]
pq.write_table(t, out + "/bss.parquet", use_dictionary=False, use_byte_stream_split=cols, compression="none", row_group_size=1500)
pq.write_table(t, out + "/bss_v2_zstd.parquet", use_dictionary=["s"], use_byte_stream_split=cols, compression="zstd", data_page_version="2.0")
pq.write_table(t, out + "/lz4raw.parquet", compression="lz4", data_page_size=4096)
pq.write_table(t, out + "/delta.parquet", use_dictionary=False, compression="snappy", data_page_version="2.0",
    column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "s": "DELTA_BYTE_ARRAY", "u16": "DELTA_BINARY_PACKED"})
pq.write_table(t, out + "/dlba_gzip.parquet", use_dictionary=False, compression="gzip", column_encoding={"s": "DELTA_LENGTH_BYTE_ARRAY", "b": "RLE"})
pq.write_table(t, out + "/brotli.parquet", compression={"f64": "brotli", "s": "brotli"})
pq.write_table(t, out + "/int96.parquet", use_deprecated_int96_timestamps=True)
`

// pyarrowFiles runs pyarrowScript with a Python that has pyarrow, skipping
// the test when there is none.
func pyarrowFiles(t *testing.T) string {
	dir := t.TempDir()
	runPython(t, pyarrowScript, dir)
	return dir
}

// runPython runs script with args and a Python that has pyarrow,
// skipping the test when there is none.
func runPython(t *testing.T, script string, args ...string) {
	t.Helper()
	var python string
	for _, p := range []string{os.Getenv("QUIVER_PYTHON"), "../../../../.venv/bin/python", "python3"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import pyarrow").Run() == nil {
			python = path
			break
		}
	}
	if python == "" {
		t.Skip("no Python with pyarrow")
	}
	if out, err := exec.Command(python, append([]string{"-c", script}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestReadPyarrowFiles(t *testing.T) {
	dir := pyarrowFiles(t)
	want := readFeather(t, filepath.Join(dir, "want.arrow"))
	all := names(want[0].Schema())
	for _, c := range []struct {
		file, unread, err string // unread: a column that cannot be read, failing with err
	}{
		{"bss.parquet", "", ""},
		{"bss_v2_zstd.parquet", "", ""},
		{"lz4raw.parquet", "", ""},
		{"delta.parquet", "", ""},
		{"dlba_gzip.parquet", "", ""},
		{"brotli.parquet", "s", `column "s": compression BROTLI is not supported`},
		{"int96.parquet", "ts", `column "ts": Parquet type INT96 is not supported`},
	} {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			cols := all
			if c.unread != "" {
				_, err := readAll(t, data, []string{"i32", c.unread}, 1000)
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("reading %s: err = %v, want %q", c.unread, err, c.err)
				}
				cols = nil
				for _, name := range all {
					if name != c.unread && !(c.file == "brotli.parquet" && name == "f64") {
						cols = append(cols, name)
					}
				}
			}
			got, err := readAll(t, data, cols, 1000)
			if err != nil {
				t.Fatal(err)
			}
			checkEqual(t, got, want, cols)
		})
	}
}

// readFeather reads the records of an Arrow IPC file.
func readFeather(t *testing.T, path string) []arrow.Record {
	t.Helper()
	wf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wf.Close() })
	ir, err := ipc.NewFileReader(wf, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatal(err)
	}
	var recs []arrow.Record
	for i := range ir.NumRecords() {
		rec, err := ir.RecordAt(i)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		t.Fatalf("%s holds no records", path)
	}
	return recs
}
