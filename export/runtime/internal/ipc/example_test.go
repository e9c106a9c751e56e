package ipc_test

import (
	"bytes"
	"fmt"
	"io"
	"log"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// Example writes a record as an Arrow IPC stream and reads it back.
func Example() {
	schema := &columnar.Schema{Fields: []columnar.Field{
		{Name: "score", Type: columnar.Float64Type},
		{Name: "label", Type: columnar.StringType, Nullable: true},
	}}
	labels := columnar.NewStringBuilder(3)
	labels.Append("cat")
	labels.AppendNull()
	labels.Append("dog")
	rec := &columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{
		columnar.Float64s([]float64{0.25, 0.5, 0.75}),
		labels.Array(),
	}}

	var buf bytes.Buffer
	w, err := ipc.NewWriter(&buf, schema)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	r, err := ipc.NewReader(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Schema().Fields)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		scores, labels := columnar.Values[float64](rec.Cols[0]), rec.Cols[1]
		for i := range rec.Len {
			if labels.IsNull(i) {
				fmt.Println(scores[i], "null")
			} else {
				fmt.Println(scores[i], labels.Str(i))
			}
		}
	}
	// Output:
	// [score: float64 label: utf8, nullable]
	// 0.25 cat
	// 0.5 null
	// 0.75 dog
}
