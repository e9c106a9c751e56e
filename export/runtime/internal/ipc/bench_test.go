package ipc_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	aipc "github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// benchRecord is 1M rows of 28 float64 columns, the size of a batch an
// exported scorer reads.
func benchRecord() *columnar.Record {
	const rows, cols = 1 << 20, 28
	s := &columnar.Schema{}
	r := &columnar.Record{Schema: s, Len: rows}
	for c := range cols {
		s.Fields = append(s.Fields, columnar.Field{Name: fmt.Sprintf("f%d", c), Type: columnar.Float64Type})
		v := make([]float64, rows)
		for i := range v {
			v[i] = float64(i*c) / 3
		}
		r.Cols = append(r.Cols, columnar.Float64s(v))
	}
	return r
}

func BenchmarkRead(b *testing.B) {
	data, err := writeAll(benchRecord().Schema, []*columnar.Record{benchRecord()}, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ipc", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := ipc.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Next(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("arrow-go", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := aipc.NewReader(bytes.NewReader(data), aipc.WithAllocator(mem))
			if err != nil {
				b.Fatal(err)
			}
			for r.Next() {
			}
			if r.Err() != nil {
				b.Fatal(r.Err())
			}
			r.Release()
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	rec := benchRecord()
	var buf bytes.Buffer
	b.Run("ipc", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			w, err := ipc.NewWriter(&buf, rec.Schema)
			if err != nil {
				b.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
		}
	})
	b.Run("arrow-go", func(b *testing.B) {
		fields := make([]arrow.Field, len(rec.Cols))
		cols := make([]arrow.Array, len(rec.Cols))
		for i, c := range rec.Cols {
			fields[i] = arrow.Field{Name: rec.Schema.Fields[i].Name, Type: arrow.PrimitiveTypes.Float64}
			cols[i] = array.NewFloat64Data(array.NewData(arrow.PrimitiveTypes.Float64, c.Len, []*memory.Buffer{nil, memory.NewBufferBytes(c.Buffers[1])}, nil, 0, 0))
		}
		s := arrow.NewSchema(fields, nil)
		ar := array.NewRecord(s, cols, int64(rec.Len))
		for b.Loop() {
			buf.Reset()
			w := aipc.NewWriter(&buf, aipc.WithSchema(s), aipc.WithAllocator(mem))
			if err := w.Write(ar); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(buf.Len()))
		}
	})
}
