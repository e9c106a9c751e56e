package parquet_test

import (
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

// TestWriteSlices writes slices of a record, starting at every bit of a
// byte of the validity bitmaps, and reads them back with the package's
// reader and with arrow-go.
func TestWriteSlices(t *testing.T) {
	rec := testRecord(700, 0.3, 14)
	for _, s := range [][2]int64{{0, 700}, {1, 700}, {3, 5}, {7, 8}, {8, 9}, {13, 600}, {250, 251}, {699, 700}, {5, 5}} {
		slice := rec.NewSlice(s[0], s[1])
		data := ownFile(t, testSchema, slice)
		recs := []arrow.Record{slice}
		got, err := readAll(t, data, names(testSchema), 64)
		if err != nil {
			t.Fatalf("rows %d to %d: %v", s[0], s[1], err)
		}
		checkEqual(t, got, recs, names(testSchema))
		if s[1] > s[0] { // arrow-go cannot concatenate no arrays
			checkArrowEqual(t, readByArrowGo(t, data), recs, names(testSchema))
		}
	}
}

// TestWriteStrings writes plain, large and dictionary strings, sliced,
// and reads them back as utf8 with the package's reader and arrow-go.
func TestWriteStrings(t *testing.T) {
	recs := []arrow.Record{stringsRecord(3000).NewSlice(11, 2990), stringsRecord(20).NewSlice(3, 3), stringsRecord(50)}
	data := ownFile(t, stringsSchema, recs...)
	got, err := readAll(t, data, names(stringsSchema), 100)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, got, recs, names(stringsSchema))
	for j, a := range readByArrowGo(t, data) {
		var want []arrow.Array
		for _, r := range recs {
			want = append(want, r.Column(j))
		}
		if err := compareColumn([]*columnar.Array{toColumnar(a)}, concat(t, want)); err != nil {
			t.Errorf("arrow-go read column %s: %v", stringsSchema.Field(j).Name, err)
		}
	}
}

// TestWriterChecksRecords checks that records not matching the writer's
// schema are refused, and so are fields the writer cannot write.
func TestWriterChecksRecords(t *testing.T) {
	us := &columnar.Type{ID: columnar.Timestamp, Unit: columnar.Microsecond, TimeZone: "UTC"}
	md := columnar.Metadata{Keys: []string{"a", "b"}, Values: []string{"1", "2"}}
	schema := &columnar.Schema{Fields: []columnar.Field{
		{Name: "ts", Type: us, Nullable: true, Metadata: md},
		{Name: "s", Type: &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int16Type, Value: columnar.StringType}, Nullable: true},
	}}
	words := columnar.NewStringBuilder(2)
	words.Append("a")
	words.Append("b")
	ts := columnar.FromValues(us, []int64{1, 2, 3}, nil, 0)
	dict := columnar.FromValues(schema.Fields[1].Type, []int16{1, 0, 1}, nil, 0)
	dict.Dict = words.Array()
	// A schema equal but for the order of a field's metadata is the same.
	same := &columnar.Schema{Fields: []columnar.Field{schema.Fields[0], schema.Fields[1]}}
	same.Fields[0].Metadata = columnar.Metadata{Keys: []string{"b", "a"}, Values: []string{"2", "1"}}

	w, err := parquet.NewWriter(io.Discard, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&columnar.Record{Schema: same, Len: 3, Cols: []*columnar.Array{ts, dict}}); err != nil {
		t.Fatalf("writing a good record: %v", err)
	}
	renamed := &columnar.Schema{Fields: []columnar.Field{schema.Fields[0], {Name: "t", Type: schema.Fields[1].Type, Nullable: true}}}
	ms := &columnar.Type{ID: columnar.Timestamp, Unit: columnar.Millisecond, TimeZone: "UTC"}
	noDict := *dict
	noDict.Dict = nil
	for _, c := range []struct {
		name string
		rec  *columnar.Record
		want string
	}{
		{"other schema", &columnar.Record{Schema: renamed, Len: 3, Cols: []*columnar.Array{ts, dict}}, "schema differs"},
		{"other unit", &columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{columnar.FromValues(ms, []int64{1, 2, 3}, nil, 0), dict}}, `column "ts" holds timestamp[ms, tz=UTC]`},
		{"short column", &columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{ts, dict.Slice(0, 2)}}, `column "s" has 2 values`},
		{"missing column", &columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{ts}}, "1 columns for 2 fields"},
		{"no dictionary", &columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{ts, &noDict}}, `field "s" (dictionary<values=utf8, indices=int16, ordered=false>): no dictionary`},
	} {
		w, err := parquet.NewWriter(io.Discard, schema)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(c.rec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}

	for _, c := range []struct {
		typ  *columnar.Type
		want string
	}{
		{&columnar.Type{ID: columnar.Timestamp, Unit: columnar.Second}, "cannot write timestamps in seconds"},
		{&columnar.Type{ID: columnar.Dictionary, Index: columnar.Int32Type, Value: columnar.Float64Type}, "cannot write dictionaries of float64"},
		{&columnar.Type{ID: columnar.Dictionary, Index: columnar.Float32Type, Value: columnar.StringType}, "cannot write dictionaries indexed by float32"},
		{columnar.BinaryType, "cannot write binary"},
		{nil, "has no type"},
	} {
		_, err := parquet.NewWriter(io.Discard, &columnar.Schema{Fields: []columnar.Field{{Name: "c", Type: c.typ}}})
		if err == nil || !strings.Contains(err.Error(), `column "c"`) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.typ, err, c.want)
		}
	}
}
