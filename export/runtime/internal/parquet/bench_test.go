package parquet_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

// benchmarkWrite writes rec as a file, again and again.
func benchmarkWrite(b *testing.B, arec arrow.Record) {
	rec := toColumnarRecord(arec)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w, err := parquet.NewWriter(io.Discard, rec.Schema)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteMixed writes a column of each type, a tenth null, from a
// sliced record.
func BenchmarkWriteMixed(b *testing.B) {
	benchmarkWrite(b, testRecord(1<<17+3, 0.1, 1).NewSlice(3, 1<<17+3))
}

// BenchmarkWriteStrings writes plain, large and dictionary strings.
func BenchmarkWriteStrings(b *testing.B) { benchmarkWrite(b, stringsRecord(1<<18)) }

// BenchmarkReadMixed reads a column of each type, a tenth null, from a
// file arrow-go wrote with its defaults: dictionary pages, no compression.
func BenchmarkReadMixed(b *testing.B) {
	data := pqarrowFile(b, testSchema, []arrow.Record{testRecord(1<<17, 0.1, 1)})
	names := names(testSchema)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		readThrough(b, data, names, 65536)
	}
}

// BenchmarkReadVectors reads a column of fixed_size_list<float32>[8] as
// lists, from a file the Writer wrote, a twentieth of the rows null.
func BenchmarkReadVectors(b *testing.B) {
	const rows, width = 1 << 17, 8
	vals := make([]float32, rows*width)
	for i := range vals {
		vals[i] = float32(i%1000) / 7
	}
	valid := make([]byte, columnar.BitmapBytes(rows))
	nulls := 0
	for i := range rows {
		if i%20 == 3 {
			nulls++
		} else {
			columnar.SetBit(valid, i)
		}
	}
	typ := &columnar.Type{ID: columnar.FixedSizeList, Size: width, Fields: []columnar.Field{{Name: "item", Type: columnar.Float32Type, Nullable: true}}}
	col := &columnar.Array{Type: typ, Len: rows, Nulls: nulls, Buffers: [][]byte{valid}, Children: []*columnar.Array{columnar.FromValues(columnar.Float32Type, vals, nil, 0)}}
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "v", Type: typ, Nullable: true}}}
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, schema)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Write(&columnar.Record{Schema: schema, Len: rows, Cols: []*columnar.Array{col}}); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(rows * width * 4)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		readThrough(b, data, []string{"v"}, 8192)
	}
}

// readThrough reads the columns names of the file data to the end, in
// records of chunk rows, keeping nothing: readAll's checks would be timed.
func readThrough(b *testing.B, data []byte, names []string, chunk int) {
	f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	r, err := f.Records(names, chunk)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
