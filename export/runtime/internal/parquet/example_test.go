package parquet_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

func Example() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "color", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{1.5, 2, 0, 4}, []bool{true, true, false, true})
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"red", "green", "blue", "red"}, nil)
	rec := b.NewRecord()
	defer rec.Release()

	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, schema)
	if err != nil {
		panic(err)
	}
	if err := w.Write(rec); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	f, err := parquet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		panic(err)
	}
	for _, c := range f.Columns() {
		fmt.Println(c.Name, c.Type)
	}
	r, err := f.Records([]string{"color", "x"}, 3)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.Column(0), rec.Column(1))
		rec.Release()
	}
	// Output:
	// x float64
	// color utf8
	// ["red" "green" "blue"] [1.5 2 (null)]
	// ["red"] [4]
}
