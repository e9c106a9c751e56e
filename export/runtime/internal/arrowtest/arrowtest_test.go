package arrowtest_test

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
)

func fromJSON(t *testing.T, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(memory.DefaultAllocator, dt, strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(arr.Release)
	return arr
}

// clone copies a's tree of arrays and buffers, so that changing the
// copy leaves arrow-go's memory alone.
func clone(a *columnar.Array) *columnar.Array {
	c := *a
	c.Buffers = nil
	for _, b := range a.Buffers {
		if b != nil {
			b = append([]byte{}, b...)
		}
		c.Buffers = append(c.Buffers, b)
	}
	c.Children = nil
	for _, ch := range a.Children {
		c.Children = append(c.Children, clone(ch))
	}
	if a.Dict != nil {
		c.Dict = clone(a.Dict)
	}
	return &c
}

// TestViewsCompareEqual: an arrow-go array's view, whole and sliced,
// holds its values.
func TestViewsCompareEqual(t *testing.T) {
	dt := arrow.StructOf(
		arrow.Field{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		arrow.Field{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	)
	arr := fromJSON(t, dt, `[{"f": 1.5, "l": ["a"], "d": "x"}, null, {"f": null, "l": ["b", null], "d": "y"},
		{"f": 2, "l": [], "d": null}, {"f": 3, "l": null, "d": "x"}]`)
	for _, a := range []arrow.Array{arr, array.NewSlice(arr, 1, 4), array.NewSlice(arr, 3, 3)} {
		arrowtest.Compare(t, "s", a, arrowtest.Columnar(t, a))
		arrowtest.CheckAligned(t, "s", arrowtest.Columnar(t, a))
	}
	nan := math.NaN()
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{nan, 1}, nil)
	f := b.NewArray()
	defer f.Release()
	arrowtest.Compare(t, "nan", f, arrowtest.Columnar(t, f))
}

// TestDiffs: every kind of difference is found, and named by its path.
func TestDiffs(t *testing.T) {
	dt := arrow.StructOf(
		arrow.Field{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
		arrow.Field{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	)
	arr := fromJSON(t, dt, `[{"i": 1, "l": [1, 2], "d": "x"}, {"i": null, "l": [3], "d": "y"}]`)
	for _, c := range []struct {
		name, want string
		change     func(a *columnar.Array)
	}{
		{"value", "s.i[0] = 7, want 1", func(a *columnar.Array) { columnar.Values[int32](a.Children[0])[0] = 7 }},
		{"null", "s.i[0]: null true, want false", func(a *columnar.Array) {
			a.Children[0].Buffers[0][0] = 0b10
			a.Children[0].Nulls = 1
		}},
		{"list item", "s.l[][2] = 0x8000000000000000 (-0), want 0x4008000000000000 (3)", func(a *columnar.Array) {
			columnar.Values[float64](a.Children[1].Children[0])[2] = math.Copysign(0, -1)
		}},
		{"nan", "s.l[][1] = 0x7ff8000000000001 (NaN), want 0x4000000000000000 (2)", func(a *columnar.Array) {
			columnar.Values[float64](a.Children[1].Children[0])[1] = math.NaN()
		}},
		{"dictionary", "s.d<dict>[0] = y, want x", func(a *columnar.Array) { a.Children[2].Buffers[1][0] = 1 }},
		{"length", "s: 1 values, want 2", func(a *columnar.Array) { a.Len = 1 }},
		{"type", "s: type struct<", func(a *columnar.Array) {
			st := *a.Type
			st.Fields = append([]columnar.Field{}, st.Fields...)
			st.Fields[0].Type = columnar.Uint32Type
			a.Type = &st
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := clone(arrowtest.Columnar(t, arr))
			if err := arrowtest.ArrayDiff("s", arr, got); err != nil {
				t.Fatalf("before the change: %v", err)
			}
			c.change(got)
			err := arrowtest.ArrayDiff("s", arr, got)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

func TestSchemaAndRecordDiffs(t *testing.T) {
	m := arrow.NewMetadata([]string{"k"}, []string{"v"})
	s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Metadata: m}}, &m)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, s, strings.NewReader(`[{"x": 1}, {"x": 2}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got := arrowtest.ColumnarRecord(t, rec)
	arrowtest.CompareSchema(t, s, got.Schema)
	arrowtest.CompareRecord(t, "rec", rec, got)
	other := *got.Schema
	other.Fields = append([]columnar.Field{}, other.Fields...)
	other.Fields[0].Metadata = columnar.Metadata{}
	if err := arrowtest.SchemaDiff(s, &other); err == nil {
		t.Error("no difference in field metadata")
	}
	if err := arrowtest.RecordDiff(rec, got.Slice(0, 1)); err == nil {
		t.Error("no difference in rows")
	}
}
