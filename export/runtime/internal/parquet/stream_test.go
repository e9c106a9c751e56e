package parquet_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

// TestMemoryBoundedByPages reads a row group of 64 MB of doubles in
// chunks and checks the live heap never grows by more than a fraction of
// it: the reader must hold pages, not whole column chunks.
func TestMemoryBoundedByPages(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MB file")
	}
	const rows, cols, chunkRows = 2_000_000, 4, 10_000
	value := func(i, j int) float64 { return float64(i)*0.5 + float64(j)/8 }
	fields := make([]arrow.Field, cols)
	for j := range fields {
		fields[j] = arrow.Field{Name: fmt.Sprint("x", j), Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)

	// The file goes to disk, so that the heap holds only what the reader
	// allocates.
	path := filepath.Join(t.TempDir(), "big.parquet")
	func() {
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		w, err := pqarrow.NewFileWriter(schema, out, pq.NewWriterProperties(pq.WithDictionaryDefault(false),
			pq.WithDataPageSize(64<<10), pq.WithMaxRowGroupLength(rows), pq.WithCompression(compress.Codecs.Snappy)),
			pqarrow.DefaultWriterProps())
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		for j := range cols {
			fb := b.Field(j).(*array.Float64Builder)
			for i := range rows {
				fb.Append(value(i, j))
			}
		}
		rec := b.NewRecord()
		defer rec.Release()
		if err := w.WriteBuffered(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}()

	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.Open(in, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	if pf.NumRows() != rows {
		t.Fatalf("%d rows", pf.NumRows())
	}
	r, err := pf.Records(names(schema), chunkRows)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// The live heap is measured after a collection at every record, so
	// garbage awaiting the collector does not count. Two collections
	// first empty the writer's sync.Pools.
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	n := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Len != min(chunkRows, rows-n) {
			t.Fatalf("record of %d rows at row %d", rec.Len, n)
		}
		for j := range cols {
			vals := columnar.Values[float64](rec.Cols[j])
			for k, v := range vals {
				if want := value(n+k, j); v != want {
					t.Fatalf("row %d column %d: %v, want %v", n+k, j, v, want)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
		n += rec.Len
	}
	if n != rows {
		t.Fatalf("read %d rows, want %d", n, rows)
	}
	const decoded = rows * cols * 8
	t.Logf("live heap grew at most %.2f MB reading a row group of %.0f MB", float64(peak)/1e6, float64(decoded)/1e6)
	if peak > 16<<20 {
		t.Errorf("live heap grew by %d bytes reading a row group of %d bytes decoded", peak, decoded)
	}
}

// TestPagesAcrossChunks reads dictionary-encoded strings, doubles and
// booleans with runs of nulls that cross page boundaries, in chunks that
// end inside pages, at page ends and beyond the row group, and compares
// them with what arrow-go reads.
func TestPagesAcrossChunks(t *testing.T) {
	const rows = 5000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range rows {
		// Nulls come alone, in runs longer than a page, and in a block
		// of all but every 97th row.
		null := i%13 == 0 || i >= 700 && i < 1900 || i >= 3000 && i < 4000 && i%97 != 0
		if null {
			for j := range schema.NumFields() {
				b.Field(j).AppendNull()
			}
			continue
		}
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("word-%d", i%37))
		b.Field(1).(*array.Float64Builder).Append(math.Sqrt(float64(i)))
		b.Field(2).(*array.BooleanBuilder).Append(i%3 == 0)
		b.Field(3).(*array.Int8Builder).Append(int8(i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	for _, c := range []struct {
		name  string
		props []pq.WriterProperty
	}{
		{"v1", nil},
		{"v2 zstd", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithCompression(compress.Codecs.Zstd)}},
		// A small dictionary limit makes the writer fall back to plain
		// pages partway through the column chunk.
		{"dictionary fallback", []pq.WriterProperty{pq.WithDictionaryPageSizeLimit(200), pq.WithCompression(compress.Codecs.Snappy)}},
		{"two row groups", []pq.WriterProperty{pq.WithMaxRowGroupLength(3000)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			props := append([]pq.WriterProperty{pq.WithDataPageSize(300), pq.WithBatchSize(64)}, c.props...)
			data := pqarrowFile(t, schema, []arrow.Record{rec}, props...)
			want := readByArrowGo(t, data)
			for _, chunk := range []int{1, 7, 1000, rows + 1} {
				got, err := readAll(t, data, names(schema), chunk)
				if err != nil {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				for j := range got {
					if err := compareColumn(got[j], want[j]); err != nil {
						t.Errorf("chunk %d: column %s: %v", chunk, schema.Field(j).Name, err)
					}
				}
			}
		})
	}
}

// readByArrowGo reads data's columns with arrow-go.
func readByArrowGo(t *testing.T, data []byte) []arrow.Array {
	t.Helper()
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	out := make([]arrow.Array, tbl.NumCols())
	for j := range out {
		if out[j], err = array.Concatenate(tbl.Column(j).Data().Chunks(), memory.DefaultAllocator); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
