package parquet_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

func Example() {
	schema := &columnar.Schema{Fields: []columnar.Field{
		{Name: "x", Type: columnar.Float64Type, Nullable: true},
		{Name: "color", Type: columnar.StringType, Nullable: true},
	}}
	valid := columnar.NewValidity(4)
	valid.SetNull(2)
	bitmap, nulls := valid.Bitmap()
	x := columnar.FromValues(columnar.Float64Type, []float64{1.5, 2, 0, 4}, bitmap, nulls)
	colors := columnar.NewStringBuilder(4)
	for _, c := range []string{"red", "green", "blue", "red"} {
		colors.Append(c)
	}
	rec := &columnar.Record{Schema: schema, Len: 4, Cols: []*columnar.Array{x, colors.Array()}}

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
		fmt.Printf("record of %d rows:\n", rec.Len)
		color, x := rec.Cols[0], rec.Cols[1]
		for i := range rec.Len {
			if x.IsNull(i) {
				fmt.Println(" ", color.Str(i), "null")
			} else {
				fmt.Println(" ", color.Str(i), columnar.Values[float64](x)[i])
			}
		}
	}
	// Output:
	// x float64
	// color utf8
	// record of 3 rows:
	//   red 1.5
	//   green 2
	//   blue null
	// record of 1 rows:
	//   red 4
}
