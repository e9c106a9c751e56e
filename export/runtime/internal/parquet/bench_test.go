package parquet_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

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
		f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		r, err := f.Records(names, 65536)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
}
