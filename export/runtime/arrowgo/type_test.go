package arrowgo

import (
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

var (
	md     = arrow.NewMetadata([]string{"unit", "source"}, []string{"cm", "scan"})
	i32    = arrow.PrimitiveTypes.Int32
	f64    = arrow.PrimitiveTypes.Float64
	str    = arrow.BinaryTypes.String
	dictTy = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: str, Ordered: true}
)

// mapOf is a map type with keys sorted and values not nullable, and
// metadata on both, to see that they survive.
func mapOf() arrow.DataType {
	m := arrow.MapOfWithMetadata(str, md, arrow.ListOf(f64), arrow.NewMetadata([]string{"k"}, []string{"v"}))
	m.SetItemNullable(false)
	m.KeysSorted = true
	return m
}

// types are the arrow-go types columnar has, with parameters, names,
// nullability and metadata to keep.
var types = []arrow.DataType{
	arrow.Null,
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, i32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.FixedWidthTypes.Float16, arrow.PrimitiveTypes.Float32, f64,
	str, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
	&arrow.FixedSizeBinaryType{ByteWidth: 3},
	arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
	arrow.FixedWidthTypes.Time32s, arrow.FixedWidthTypes.Time32ms,
	arrow.FixedWidthTypes.Time64us, arrow.FixedWidthTypes.Time64ns,
	&arrow.TimestampType{Unit: arrow.Second},
	&arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"},
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Paris"},
	&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "+07:30"},
	arrow.FixedWidthTypes.Duration_s, arrow.FixedWidthTypes.Duration_ms,
	arrow.FixedWidthTypes.Duration_us, arrow.FixedWidthTypes.Duration_ns,
	&arrow.Decimal128Type{Precision: 10, Scale: 3},
	&arrow.Decimal128Type{Precision: 38, Scale: -2},
	&arrow.Decimal256Type{Precision: 76, Scale: 20},
	arrow.ListOf(i32),
	arrow.ListOfField(arrow.Field{Name: "score", Type: f64, Metadata: md}),
	arrow.LargeListOf(str),
	arrow.LargeListOfField(arrow.Field{Name: "w", Type: str, Nullable: true, Metadata: md}),
	arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32),
	arrow.FixedSizeListOfField(2, arrow.Field{Name: "xy", Type: f64, Metadata: md}),
	arrow.StructOf(),
	arrow.StructOf(
		arrow.Field{Name: "a", Type: i32, Nullable: true},
		arrow.Field{Name: "b", Type: str, Metadata: md},
		arrow.Field{Name: "a", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "c", Type: f64}))},
	),
	arrow.MapOf(str, i32),
	mapOf(),
	&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: str},
	dictTy,
	&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint64, ValueType: arrow.StructOf(arrow.Field{Name: "x", Type: f64})},
	arrow.ListOf(dictTy),
}

// sameType checks that want and got are the same arrow-go type, down to
// the names and metadata of fields at every depth, which
// arrow.TypeEqual does not compare everywhere.
func sameType(t *testing.T, got, want arrow.DataType) {
	t.Helper()
	if !arrow.TypeEqual(got, want, arrow.CheckMetadata()) {
		t.Fatalf("type %s, want %s", got, want)
	}
	if got.String() != want.String() {
		t.Fatalf("type %q, want %q", got, want)
	}
	var walk func(got, want arrow.DataType, path string)
	walk = func(got, want arrow.DataType, path string) {
		if d, ok := want.(*arrow.DictionaryType); ok {
			g := got.(*arrow.DictionaryType)
			walk(g.IndexType, d.IndexType, path+".index")
			walk(g.ValueType, d.ValueType, path+".value")
			if g.Ordered != d.Ordered {
				t.Errorf("%s: ordered %t, want %t", path, g.Ordered, d.Ordered)
			}
			return
		}
		n, ok := want.(arrow.NestedType)
		if !ok {
			return
		}
		gf, wf := got.(arrow.NestedType).Fields(), n.Fields()
		if len(gf) != len(wf) {
			t.Fatalf("%s: %d fields, want %d", path, len(gf), len(wf))
		}
		for i := range wf {
			g, w := gf[i], wf[i]
			if g.Name != w.Name || g.Nullable != w.Nullable || !g.Metadata.Equal(w.Metadata) {
				t.Errorf("%s: field %v, want %v", path, g, w)
			}
			walk(g.Type, w.Type, path+"."+w.Name)
		}
	}
	walk(got, want, "type")
}

func TestTypeRoundTrip(t *testing.T) {
	for _, dt := range types {
		t.Run(dt.String(), func(t *testing.T) {
			ct, err := Type(dt)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DataType(ct)
			if err != nil {
				t.Fatal(err)
			}
			sameType(t, back, dt)
		})
	}
}

// TestTypeFields checks the columnar side of a few types: parameters
// and fields where columnar's documentation puts them.
func TestTypeFields(t *testing.T) {
	for _, c := range []struct {
		dt   arrow.DataType
		want *columnar.Type
	}{
		{arrow.FixedWidthTypes.Float16, columnar.Float16Type},
		{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, &columnar.Type{ID: columnar.Timestamp, Unit: columnar.Microsecond, TimeZone: "UTC"}},
		{arrow.FixedWidthTypes.Time32ms, &columnar.Type{ID: columnar.Time32, Unit: columnar.Millisecond}},
		{&arrow.Decimal256Type{Precision: 40, Scale: 5}, &columnar.Type{ID: columnar.Decimal256, Precision: 40, Scale: 5}},
		{&arrow.FixedSizeBinaryType{ByteWidth: 16}, &columnar.Type{ID: columnar.FixedSizeBinary, Size: 16}},
		{arrow.FixedSizeListOfNonNullable(4, f64), &columnar.Type{ID: columnar.FixedSizeList, Size: 4, Fields: []columnar.Field{{Name: "item", Type: columnar.Float64Type}}}},
		{arrow.ListOfField(arrow.Field{Name: "x", Type: i32, Nullable: true, Metadata: md}), &columnar.Type{ID: columnar.List, Fields: []columnar.Field{
			{Name: "x", Type: columnar.Int32Type, Nullable: true, Metadata: columnar.Metadata{Keys: []string{"unit", "source"}, Values: []string{"cm", "scan"}}},
		}}},
		{mapOf(), &columnar.Type{ID: columnar.Map, KeysSorted: true, Fields: []columnar.Field{{Name: "entries", Type: &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{
			{Name: "key", Type: columnar.StringType, Metadata: columnar.Metadata{Keys: []string{"unit", "source"}, Values: []string{"cm", "scan"}}},
			{Name: "value", Type: &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "item", Type: columnar.Float64Type, Nullable: true}}}, Metadata: columnar.Metadata{Keys: []string{"k"}, Values: []string{"v"}}},
		}}}}}},
		{dictTy, &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int16Type, Value: columnar.StringType, Ordered: true}},
	} {
		got, err := Type(c.dt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: columnar type %#v, want %#v", c.dt, got, c.want)
		}
		if got.String() != c.want.String() {
			t.Errorf("%s: columnar type %s, want %s", c.dt, got, c.want)
		}
	}
}

// extType is an extension type, which columnar does not have.
type extType struct{ arrow.ExtensionBase }

func (extType) ArrayType() reflect.Type { return reflect.TypeOf(array.ExtensionArrayBase{}) }
func (extType) ExtensionName() string   { return "quiver.test" }
func (extType) Serialize() string       { return "" }
func (e extType) ExtensionEquals(o arrow.ExtensionType) bool {
	return o.ExtensionName() == e.ExtensionName()
}
func (extType) Deserialize(arrow.DataType, string) (arrow.ExtensionType, error) {
	return &extType{arrow.ExtensionBase{Storage: arrow.PrimitiveTypes.Int64}}, nil
}

func TestTypeUnsupported(t *testing.T) {
	for _, c := range []struct {
		dt   arrow.DataType
		want string
	}{
		{nil, "nil arrow type"},
		{arrow.BinaryTypes.StringView, "arrow type string_view has no columnar equivalent"},
		{arrow.BinaryTypes.BinaryView, "binary_view has no columnar equivalent"},
		{arrow.ListViewOf(i32), "list_view<item: int32, nullable> has no columnar equivalent"},
		{arrow.LargeListViewOf(i32), "large_list_view"},
		{arrow.SparseUnionOf([]arrow.Field{{Name: "a", Type: i32}}, []arrow.UnionTypeCode{0}), "sparse_union"},
		{arrow.DenseUnionOf([]arrow.Field{{Name: "a", Type: i32}}, []arrow.UnionTypeCode{0}), "dense_union"},
		{arrow.RunEndEncodedOf(i32, f64), "run_end_encoded"},
		{arrow.FixedWidthTypes.MonthInterval, "month_interval"},
		{arrow.FixedWidthTypes.DayTimeInterval, "day_time_interval"},
		{arrow.FixedWidthTypes.MonthDayNanoInterval, "month_day_nano_interval"},
		{&extType{arrow.ExtensionBase{Storage: arrow.PrimitiveTypes.Int64}}, "arrow extension type quiver.test (extension_type<storage=int64>) has no"},
		{arrow.StructOf(arrow.Field{Name: "deep", Type: arrow.ListOf(arrow.BinaryTypes.StringView)}), `field "deep": field "item": arrow type string_view`},
		{&arrow.DictionaryType{IndexType: f64, ValueType: str}, "index type float64 is not an integer type"},
	} {
		_, err := Type(c.dt)
		if err == nil || !strings.HasPrefix(err.Error(), "arrowgo: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Type(%v): error %v, want one containing %q", c.dt, err, c.want)
		}
	}
}

func TestDataTypeMalformed(t *testing.T) {
	cyclic := &columnar.Type{ID: columnar.List}
	cyclic.Fields = []columnar.Field{{Name: "self", Type: cyclic}}
	for _, c := range []struct {
		name string
		t    *columnar.Type
		want string
	}{
		{"nil", nil, "nil columnar type"},
		{"unknown ID", &columnar.Type{ID: 200}, "unknown columnar type type(200)"},
		{"time32 in us", &columnar.Type{ID: columnar.Time32, Unit: columnar.Microsecond}, "time32[us]: a time32 is in s or ms"},
		{"time64 in s", &columnar.Type{ID: columnar.Time64, Unit: columnar.Second}, "time64[s]: a time64 is in us or ns"},
		{"unknown unit", &columnar.Type{ID: columnar.Timestamp, Unit: 9}, "unknown time unit"},
		{"precision 0", &columnar.Type{ID: columnar.Decimal128, Precision: 0}, "precision out of range 1 to 38"},
		{"precision 39", &columnar.Type{ID: columnar.Decimal128, Precision: 39}, "precision out of range 1 to 38"},
		{"precision 77", &columnar.Type{ID: columnar.Decimal256, Precision: 77}, "precision out of range 1 to 76"},
		{"negative width", &columnar.Type{ID: columnar.FixedSizeBinary, Size: -1}, "byte width out of range"},
		{"negative size", &columnar.Type{ID: columnar.FixedSizeList, Size: -2, Fields: []columnar.Field{{Name: "x", Type: columnar.Int8Type}}}, "size out of range"},
		{"list of no field", &columnar.Type{ID: columnar.List}, "has 0 fields, not 1"},
		{"field without type", &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "x"}}}, `field "x": nil columnar type`},
		{"map of ints", &columnar.Type{ID: columnar.Map, Fields: []columnar.Field{{Name: "e", Type: columnar.Int8Type}}}, "entries of type int8, not a struct of key and value"},
		{"map of one", &columnar.Type{ID: columnar.Map, Fields: []columnar.Field{{Name: "e", Type: &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "k", Type: columnar.Int8Type}}}}}}, "not a struct of key and value"},
		{"float index", &columnar.Type{ID: columnar.Dictionary, Index: columnar.Float32Type, Value: columnar.StringType}, "the index type is not an integer type"},
		{"no value", &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int32Type}, "nil columnar type"},
		{"metadata", &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "x", Type: columnar.Int8Type, Metadata: columnar.Metadata{Keys: []string{"a", "b"}, Values: []string{"1"}}}}}, `field "x" metadata of 2 keys and 1 values`},
		{"cyclic", cyclic, "nested more than 64 levels deep"},
	} {
		_, err := DataType(c.t)
		if err == nil || !strings.HasPrefix(err.Error(), "arrowgo: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestMapNames: arrow-go names a map's fields itself, so a columnar map
// with other names (as Parquet's "key_value") converts, under arrow-go's.
func TestMapNames(t *testing.T) {
	ct := &columnar.Type{ID: columnar.Map, Fields: []columnar.Field{{Name: "key_value", Type: &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{
		{Name: "k", Type: columnar.StringType},
		{Name: "v", Type: columnar.Int64Type, Nullable: true},
	}}}}}
	dt, err := DataType(ct)
	if err != nil {
		t.Fatal(err)
	}
	sameType(t, dt, arrow.MapOf(str, arrow.PrimitiveTypes.Int64))
}

func TestSchemaRoundTrip(t *testing.T) {
	fields := make([]arrow.Field, len(types))
	for i, dt := range types {
		fields[i] = arrow.Field{Name: "c" + dt.Name(), Type: dt, Nullable: i%2 == 0}
	}
	fields[3].Metadata = md
	for _, s := range []*arrow.Schema{
		arrow.NewSchema(fields, &md),
		arrow.NewSchema(fields[:2], nil),
		arrow.NewSchema(nil, nil),
	} {
		cs, err := Schema(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs.Fields) != s.NumFields() || len(cs.Metadata.Keys) != s.Metadata().Len() {
			t.Fatalf("columnar schema of %d fields and %d metadata keys for %s", len(cs.Fields), len(cs.Metadata.Keys), s)
		}
		back, err := ArrowSchema(cs)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(s) || !back.Metadata().Equal(s.Metadata()) {
			t.Fatalf("schema\n%s\nwant\n%s", back, s)
		}
		for i, f := range s.Fields() {
			sameType(t, back.Field(i).Type, f.Type)
			if !back.Field(i).Metadata.Equal(f.Metadata) {
				t.Errorf("field %q metadata %v, want %v", f.Name, back.Field(i).Metadata, f.Metadata)
			}
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	if _, err := Schema(nil); err == nil {
		t.Error("Schema(nil) did not fail")
	}
	if _, err := ArrowSchema(nil); err == nil {
		t.Error("ArrowSchema(nil) did not fail")
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "ok", Type: i32}, {Name: "v", Type: arrow.BinaryTypes.StringView}}, nil)
	if _, err := Schema(s); err == nil || err.Error() != `arrowgo: field "v": arrow type string_view has no columnar equivalent` {
		t.Errorf("Schema of a view: %v", err)
	}
	cs := &columnar.Schema{Fields: []columnar.Field{{Name: "bad", Type: &columnar.Type{ID: columnar.List}}}}
	if _, err := ArrowSchema(cs); err == nil || err.Error() != `arrowgo: field "bad": list<?> has 0 fields, not 1` {
		t.Errorf("ArrowSchema of a list without a field: %v", err)
	}
	cs = &columnar.Schema{Metadata: columnar.Metadata{Keys: []string{"a"}}}
	if _, err := ArrowSchema(cs); err == nil || err.Error() != "arrowgo: schema metadata of 1 keys and 0 values" {
		t.Errorf("ArrowSchema of bad metadata: %v", err)
	}
}
