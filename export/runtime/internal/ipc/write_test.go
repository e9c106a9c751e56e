package ipc_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// writeAll writes records with this package.
func writeAll(schema *columnar.Schema, recs []*columnar.Record, file bool) ([]byte, error) {
	var buf bytes.Buffer
	newWriter := ipc.NewWriter
	if file {
		newWriter = ipc.NewFileWriter
	}
	w, err := newWriter(&buf, schema)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// slicings make records to write from arrow-go's: as they are, sliced by
// arrow-go at odd offsets (so that struct children carry the offset),
// and sliced by columnar.
var slicings = map[string]func(testing.TB, arrow.Record) (arrow.Record, *columnar.Record){
	"whole": func(t testing.TB, r arrow.Record) (arrow.Record, *columnar.Record) {
		return r, arrowtest.ColumnarRecord(t, r)
	},
	"arrow-sliced": func(t testing.TB, r arrow.Record) (arrow.Record, *columnar.Record) {
		lo, hi := min(3, r.NumRows()), max(min(3, r.NumRows()), r.NumRows()-4)
		s := r.NewSlice(lo, hi)
		return s, arrowtest.ColumnarRecord(t, s)
	},
	"columnar-sliced": func(t testing.TB, r arrow.Record) (arrow.Record, *columnar.Record) {
		lo, hi := min(5, r.NumRows()), max(min(5, r.NumRows()), r.NumRows()-2)
		return r.NewSlice(lo, hi), arrowtest.ColumnarRecord(t, r).Slice(int(lo), int(hi))
	},
}

func TestWriteReadByArrowGo(t *testing.T) {
	s := allTypesSchema()
	sets := recordSets(s)
	for _, set := range []string{"slices", "one", "growing", "separate"} {
		for slicing, cut := range slicings {
			for _, file := range []bool{false, true} {
				name := set + "/" + slicing + "/stream"
				if file {
					name = set + "/" + slicing + "/file"
				}
				t.Run(name, func(t *testing.T) {
					var want []arrow.Record
					var recs []*columnar.Record
					for _, r := range sets[set] {
						a, c := cut(t, r)
						want, recs = append(want, a), append(recs, c)
					}
					data, err := writeAll(arrowtest.Schema(s), recs, file)
					if file && set == "separate" {
						// Dictionaries that change other than by growing
						// do not go in a file.
						if err == nil || !strings.Contains(err.Error(), "the dictionary changed") {
							t.Fatalf("got %v, want an error about changed dictionaries", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					schema, got := arrowGoRead(t, data, file)
					arrowtest.CompareSchema(t, schema, arrowtest.Schema(s))
					if !schema.Equal(s) || !schema.Metadata().Equal(s.Metadata()) {
						t.Fatalf("arrow-go reads schema\n%v\nwant\n%v", schema, s)
					}
					if len(got) != len(recs) {
						t.Fatalf("%d records, want %d", len(got), len(recs))
					}
					for i := range got {
						arrowtest.CompareRecord(t, fmt.Sprintf("record %d", i), got[i], recs[i])
					}
					// And this package reads what it wrote.
					cs, back, err := readAll(data, file)
					if err != nil {
						t.Fatal(err)
					}
					arrowtest.CompareSchema(t, s, cs)
					for i := range back {
						arrowtest.CompareRecord(t, fmt.Sprintf("record %d read back", i), want[i], back[i])
					}
				})
			}
		}
	}
}

// TestWriteDictionaries checks what the writer writes of dictionaries:
// once when they stay, a delta when they grow, a replacement when they
// change (in a stream).
func TestWriteDictionaries(t *testing.T) {
	dt := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int8Type, Value: columnar.StringType}
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "d", Type: dt, Nullable: true}}}
	strs := func(vals ...string) *columnar.Array {
		b := columnar.NewStringBuilder(len(vals))
		for _, v := range vals {
			b.Append(v)
		}
		return b.Array()
	}
	rec := func(dict *columnar.Array, idx ...int8) *columnar.Record {
		a := columnar.FromValues(dt, idx, nil, 0)
		a.Dict = dict
		return &columnar.Record{Schema: schema, Len: len(idx), Cols: []*columnar.Array{a}}
	}
	ab := strs("a", "b")
	cases := []struct {
		name       string
		recs       []*columnar.Record
		dictsFile  int // dictionary batches in a file; -1 for an error
		dictsTotal int // in a stream
	}{
		{"same", []*columnar.Record{rec(ab, 0, 1), rec(ab, 1), rec(strs("a", "b"), 0)}, 1, 1},
		{"grows", []*columnar.Record{rec(ab, 0, 1), rec(strs("a", "b", "c"), 2), rec(strs("a", "b", "c", "d", "e"), 4, 0)}, 3, 3},
		{"changes", []*columnar.Record{rec(ab, 0, 1), rec(strs("x", "y"), 1, 0), rec(strs("x"), 0)}, -1, 3},
	}
	for _, c := range cases {
		for _, file := range []bool{false, true} {
			data, err := writeAll(schema, c.recs, file)
			if file && c.dictsFile < 0 {
				if err == nil {
					t.Errorf("%s: a file with changed dictionaries", c.name)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			_, got := arrowGoRead(t, data, file)
			var want []string
			var have []string
			for i, r := range c.recs {
				for k := range r.Len {
					a := r.Cols[0]
					want = append(want, a.Dict.Str(int(columnar.Values[int8](a)[k])))
					have = append(have, got[i].Column(0).ValueStr(k))
				}
			}
			if strings.Join(have, ",") != strings.Join(want, ",") {
				t.Errorf("%s (file %t): arrow-go reads %v, want %v", c.name, file, have, want)
			}
			wantDicts := c.dictsTotal
			if n := bytes.Count(data, []byte{0xff, 0xff, 0xff, 0xff}) - 2 - len(c.recs); n != wantDicts {
				t.Errorf("%s (file %t): %d dictionary batches, want %d", c.name, file, n, wantDicts)
			}
		}
	}
}

func TestWriteEmpty(t *testing.T) {
	s := allTypesSchema()
	for _, file := range []bool{false, true} {
		data, err := writeAll(arrowtest.Schema(s), nil, file)
		if err != nil {
			t.Fatal(err)
		}
		schema, recs := arrowGoRead(t, data, file)
		if !schema.Equal(s) || len(recs) != 0 {
			t.Fatalf("file %t: schema %v, %d records", file, schema, len(recs))
		}
	}
}

func TestWriteErrors(t *testing.T) {
	f64 := columnar.Float64s([]float64{1, 2, 3})
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "x", Type: columnar.Float64Type}}}
	badSchemas := map[string]*columnar.Schema{
		`field "s.u" of type type(99): the type is not supported`: {Fields: []columnar.Field{{Name: "s", Type: &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "u", Type: &columnar.Type{ID: 99}}}}}}},
		`field "l" of type list<?>: 0 child fields`:               {Fields: []columnar.Field{{Name: "l", Type: &columnar.Type{ID: columnar.List}}}},
		`field "t": time32 is in seconds`:                         {Fields: []columnar.Field{{Name: "t", Type: &columnar.Type{ID: columnar.Time32, Unit: columnar.Nanosecond}}}},
		`dictionary indices must be integers`:                     {Fields: []columnar.Field{{Name: "d", Type: &columnar.Type{ID: columnar.Dictionary, Index: columnar.Float64Type, Value: columnar.StringType}}}},
		`field "nil" has no type`:                                 {Fields: []columnar.Field{{Name: "nil"}}},
		`precision outside 1 to 38`:                               {Fields: []columnar.Field{{Name: "dec", Type: &columnar.Type{ID: columnar.Decimal128, Precision: 39}}}},
	}
	for want, s := range badSchemas {
		_, err := ipc.NewWriter(&bytes.Buffer{}, s)
		if err == nil || !strings.HasPrefix(err.Error(), "arrow ipc: ") || !strings.Contains(err.Error(), strings.TrimPrefix(want, `field "t": `)) {
			t.Errorf("got %v, want %q", err, want)
		}
	}
	short := *f64
	short.Buffers = [][]byte{nil, f64.Buffers[1][:16]}
	badRecords := map[string]*columnar.Record{
		"columns":                   {Schema: schema, Len: 3},
		"holds int64":               {Schema: schema, Len: 3, Cols: []*columnar.Array{columnar.FromValues(columnar.Int64Type, []int64{1, 2, 3}, nil, 0)}},
		"has 3 values":              {Schema: schema, Len: 2, Cols: []*columnar.Array{f64}},
		"values buffer of 16 bytes": {Schema: schema, Len: 3, Cols: []*columnar.Array{&short}},
		"4 nulls":                   {Schema: schema, Len: 3, Cols: []*columnar.Array{{Type: columnar.Float64Type, Len: 3, Nulls: 4, Buffers: f64.Buffers}}},
		"validity bitmap":           {Schema: schema, Len: 3, Cols: []*columnar.Array{{Type: columnar.Float64Type, Len: 3, Nulls: 1, Buffers: f64.Buffers}}},
	}
	for want, r := range badRecords {
		var buf bytes.Buffer
		w, err := ipc.NewWriter(&buf, schema)
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(r)
		if err == nil || !strings.HasPrefix(err.Error(), "arrow ipc: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
		// The writer goes on.
		if err := w.Write(&columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{f64}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&columnar.Record{Schema: schema, Len: 3, Cols: []*columnar.Array{f64}}); err == nil {
			t.Error("write after close")
		}
		if _, recs := arrowGoRead(t, buf.Bytes(), false); len(recs) != 1 {
			t.Errorf("%d records", len(recs))
		}
	}
	strs := columnar.NewStringBuilder(2)
	strs.Append("ab")
	strs.Append("c")
	sa := strs.Array()
	badOffsets := *sa
	badOffsets.Buffers = [][]byte{nil, columnar.FromValues(columnar.Int32Type, []int32{0, 3, 2}, nil, 0).Buffers[1], sa.Buffers[2]}
	ss := &columnar.Schema{Fields: []columnar.Field{{Name: "s", Type: columnar.StringType}}}
	w, _ := ipc.NewWriter(&bytes.Buffer{}, ss)
	if err := w.Write(&columnar.Record{Schema: ss, Len: 2, Cols: []*columnar.Array{&badOffsets}}); err == nil || !strings.Contains(err.Error(), "offsets fall") {
		t.Errorf("falling offsets: %v", err)
	}
}

// TestWriteNestedTypeMismatch writes a struct whose child array's type
// is not the schema's: an error, not a panic.
func TestWriteNestedTypeMismatch(t *testing.T) {
	dt := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int32Type, Value: columnar.StringType}
	st := &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "d", Type: dt}}}
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "s", Type: st}}}
	child := columnar.FromValues(&columnar.Type{ID: columnar.Dictionary}, []int32{0}, nil, 0)
	child.Dict = columnar.Float64s([]float64{1})
	col := &columnar.Array{Type: st, Len: 1, Buffers: [][]byte{nil}, Children: []*columnar.Array{child}}
	w, err := ipc.NewWriter(&bytes.Buffer{}, schema)
	if err != nil {
		t.Fatal(err)
	}
	err = w.Write(&columnar.Record{Schema: schema, Len: 1, Cols: []*columnar.Array{col}})
	if err == nil || !strings.Contains(err.Error(), `field "s.d"`) {
		t.Fatalf("got %v", err)
	}
}
