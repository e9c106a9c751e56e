package arrowgo_test

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/arrowgo"
	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// A record from arrow-go is read through a columnar view, which copies
// nothing, and a result built with columnar goes back to arrow-go as a
// copy in the caller's memory.
func Example() {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "city", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{1.5, 2, 4}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"Oslo", "", "Lima"}, []bool{true, false, true})
	rec := b.NewRecord()
	defer rec.Release() // after the view's last use

	view, err := arrowgo.FromRecord(rec)
	if err != nil {
		panic(err)
	}
	x, city := columnar.Values[float64](view.Cols[0]), view.Cols[1]
	for i := range view.Len {
		if city.IsNull(i) {
			fmt.Println(x[i], "(no city)")
			continue
		}
		fmt.Println(x[i], city.Str(i))
	}

	doubled := make([]float64, view.Len)
	for i, v := range x {
		doubled[i] = 2 * v
	}
	out := &columnar.Record{
		Schema: &columnar.Schema{Fields: []columnar.Field{{Name: "double", Type: columnar.Float64Type}}},
		Len:    view.Len,
		Cols:   []*columnar.Array{columnar.Float64s(doubled)},
	}
	res, err := arrowgo.ToRecord(out.Slice(1, 3), mem)
	if err != nil {
		panic(err)
	}
	defer res.Release()
	fmt.Println(res.Schema().Field(0).Name, res.Column(0))
	// Output:
	// 1.5 Oslo
	// 2 (no city)
	// 4 Lima
	// double [4 8]
}
