package engine

// These tests are inside the package so that they can patch the flatbuffer
// footer of a file with the same helpers the checks use.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func mustFrame(t testing.TB, names []string, cols ...arrow.Array) *Frame {
	t.Helper()
	f, err := NewFrame(names, cols)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func arrayFromJSON(t testing.TB, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	a, _, err := array.FromJSON(memory.DefaultAllocator, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("%s %s: %v", dt, js, err)
	}
	return a
}

// testModel is a model file with two tables of float64, utf8, int64 and
// list<float64> columns, nulls included.
func testModel(t testing.TB) *ModelFile {
	f64, i64, str := arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String
	coef := mustFrame(t, []string{"feature", "weight", "index"},
		arrayFromJSON(t, str, `["x1", "x2", "city=b"]`),
		arrayFromJSON(t, f64, `[0.5, -1.25, 3e100]`),
		arrayFromJSON(t, i64, `[0, 1, 9007199254740993]`))
	nodes := mustFrame(t, []string{"feature", "threshold", "label", "weights"},
		arrayFromJSON(t, i64, `[0, 1, -1, -1, -1]`),
		arrayFromJSON(t, f64, `[0.5, null, 0, 0, 0]`),
		arrayFromJSON(t, str, `["", null, "a", "b", "ünïcode"]`),
		arrayFromJSON(t, arrow.ListOf(f64), `[[1, 2], [], null, [3], [null]]`))
	return &ModelFile{
		Learner: "gbdt",
		Params:  map[string]any{"learning_rate": 0.1, "max_iter": 100.0, "loss": "squared_error", "fit_intercept": true, "seed": nil},
		Inputs: []Field{
			{Name: "x1", Type: "float64"},
			{Name: "city", Type: "utf8", Categories: []string{"a", "b"}},
		},
		Outputs: []Field{{Name: "prediction", Type: "float64"}},
		State:   json.RawMessage(`{"classes":[0,1],"base_score":0.25}`),
		Tables:  []Table{{"coef", coef}, {"nodes", nodes}},
	}
}

func marshalModel(t testing.TB, m *ModelFile) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func modelsEqual(t *testing.T, got, want *ModelFile) {
	t.Helper()
	if got.Learner != want.Learner {
		t.Errorf("Learner = %q, want %q", got.Learner, want.Learner)
	}
	if !reflect.DeepEqual(got.Params, want.Params) {
		t.Errorf("Params = %#v, want %#v", got.Params, want.Params)
	}
	if !reflect.DeepEqual(got.Inputs, want.Inputs) {
		t.Errorf("Inputs = %+v, want %+v", got.Inputs, want.Inputs)
	}
	if !reflect.DeepEqual(got.Outputs, want.Outputs) {
		t.Errorf("Outputs = %+v, want %+v", got.Outputs, want.Outputs)
	}
	state := want.State
	if state == nil {
		state = json.RawMessage("null") // a nil State is encoded as JSON null
	}
	if !bytes.Equal(got.State, state) {
		t.Errorf("State = %s, want %s", got.State, state)
	}
	if len(got.Tables) != len(want.Tables) {
		t.Fatalf("%d tables, want %d", len(got.Tables), len(want.Tables))
	}
	for i, w := range want.Tables {
		g := got.Tables[i]
		if g.Name != w.Name || !slices.Equal(g.Frame.Names(), w.Frame.Names()) || g.Frame.NumRows() != w.Frame.NumRows() {
			t.Errorf("table %d is %q %v, want %q %v", i, g.Name, g.Frame, w.Name, w.Frame)
			continue
		}
		for j, name := range w.Frame.Names() {
			gc, wc := g.Frame.Columns()[j], w.Frame.Columns()[j]
			if !array.Equal(gc, wc) {
				t.Errorf("table %q column %q = %v, want %v", w.Name, name, gc, wc)
			}
		}
	}
}

func TestModelFileRoundTrip(t *testing.T) {
	m := testModel(t)
	defer m.Release()
	b := marshalModel(t, m)
	got, err := UnmarshalModelFile(b)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	modelsEqual(t, got, m)

	coef, err := got.Table("coef")
	if err != nil || coef.NumRows() != 3 {
		t.Errorf("Table(coef) = %v, %v", coef, err)
	}
	w, err := Float64s("weight", coef.Column("weight"))
	if err != nil || !slices.Equal(w, []float64{0.5, -1.25, 3e100}) {
		t.Errorf("weights = %v, %v", w, err)
	}
	if _, err := got.Table("trees"); KindOf(err) != KindFormat || !strings.Contains(err.Error(), `"trees"`) {
		t.Errorf("Table(trees) error = %v", err)
	}

	// A decoded model encodes to the same bytes.
	again := marshalModel(t, got)
	if !bytes.Equal(again, b) {
		t.Error("Marshal(Unmarshal(b)) differs from b")
	}
}

func TestModelFileEmpty(t *testing.T) {
	empty := mustFrame(t, nil)
	noRows := mustFrame(t, []string{"w"}, arrayFromJSON(t, arrow.PrimitiveTypes.Float64, `[]`))
	for _, m := range []*ModelFile{
		{Learner: "identity"},
		{Learner: "x", Tables: []Table{{"empty", empty}, {"no rows", noRows}}},
	} {
		got, err := UnmarshalModelFile(marshalModel(t, m))
		if err != nil {
			t.Fatal(err)
		}
		modelsEqual(t, got, m)
	}
}

func TestModelFileMarshalIsDeterministic(t *testing.T) {
	m := testModel(t)
	first := marshalModel(t, m)
	for range 5 {
		if !bytes.Equal(marshalModel(t, m), first) {
			t.Fatal("Marshal gave different bytes for the same model")
		}
	}
	// A model built afresh, with the params map filled in another order.
	m2 := testModel(t)
	m2.Params = map[string]any{}
	for _, k := range []string{"seed", "loss", "max_iter", "fit_intercept", "learning_rate"} {
		m2.Params[k] = m.Params[k]
	}
	if !bytes.Equal(marshalModel(t, m2), first) {
		t.Error("an equal model gave different bytes")
	}
}

func TestModelFileMarshalErrors(t *testing.T) {
	f := mustFrame(t, []string{"w"}, arrayFromJSON(t, arrow.PrimitiveTypes.Float64, `[1]`))
	for name, m := range map[string]*ModelFile{
		"duplicate table": {Tables: []Table{{"t", f}, {"t", f}}},
		"nil table":       {Tables: []Table{{"t", nil}}},
		"date column":     {Tables: []Table{{"t", mustFrame(t, []string{"d"}, arrayFromJSON(t, arrow.FixedWidthTypes.Date32, `[1]`))}}},
		"struct column":   {Tables: []Table{{"t", mustFrame(t, []string{"s"}, arrayFromJSON(t, arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int8}), `[{"a": 1}]`))}}},
		"bad params":      {Params: map[string]any{"f": func() {}}},
	} {
		if _, err := m.Marshal(); err == nil {
			t.Errorf("%s: Marshal succeeded", name)
		}
	}
}

func TestModelFileIsPlainArrow(t *testing.T) {
	m := testModel(t)
	b := marshalModel(t, m)
	r, err := ipc.NewFileReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.NumRecords() != 1 {
		t.Fatalf("%d records, want 1", r.NumRecords())
	}
	rec, err := r.Record(0)
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 1 || rec.NumCols() != 2 || rec.ColumnName(0) != "coef" || rec.ColumnName(1) != "nodes" {
		t.Fatalf("record is %v", rec.Schema())
	}
	for i := range rec.NumCols() {
		lt, ok := rec.Column(int(i)).DataType().(*arrow.LargeListType)
		if !ok {
			t.Fatalf("column %d has type %s, want large_list", i, rec.Column(int(i)).DataType())
		}
		if _, ok := lt.Elem().(*arrow.StructType); !ok {
			t.Errorf("column %d has type %s, want large_list<struct>", i, lt)
		}
	}
	st := rec.Column(0).(*array.LargeList).ListValues().(*array.Struct)
	if st.Len() != 3 || st.Field(1).(*array.Float64).Value(1) != -1.25 {
		t.Errorf("coef table reads as %v", st)
	}
	md := r.Schema().Metadata()
	want := map[string]string{
		"quiver.format_version": strconv.Itoa(FormatVersion),
		"quiver.learner":        "gbdt",
		"quiver.version":        Version,
		"quiver.params":         `{"fit_intercept":true,"learning_rate":0.1,"loss":"squared_error","max_iter":100,"seed":null}`,
		"quiver.inputs":         `[{"name":"x1","type":"float64"},{"name":"city","type":"utf8","categories":["a","b"]}]`,
		"quiver.outputs":        `[{"name":"prediction","type":"float64"}]`,
		"quiver.state":          `{"classes":[0,1],"base_score":0.25}`,
	}
	if md.Len() != len(want) {
		t.Errorf("metadata has %d keys, want %d: %v", md.Len(), len(want), md)
	}
	for k, v := range want {
		if i := md.FindKey(k); i < 0 || md.Values()[i] != v {
			t.Errorf("metadata %s = %q, want %q", k, md.Values()[max(i, 0)], v)
		}
	}
}

// rewrite decodes a valid file with Arrow, lets edit change its metadata,
// fields, columns and record count, and encodes it again.
func rewrite(t testing.TB, b []byte, edit func(meta map[string]string, fields *[]arrow.Field, cols *[]arrow.Array, recs *int)) []byte {
	t.Helper()
	r, err := ipc.NewFileReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Record(0)
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{}
	md := r.Schema().Metadata()
	for i, k := range md.Keys() {
		meta[k] = md.Values()[i]
	}
	fields := slices.Clone(r.Schema().Fields())
	cols := slices.Clone(rec.Columns())
	nrecs := 1
	edit(meta, &fields, &cols, &nrecs)
	keys, vals := sortedKV(meta)
	newMD := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(fields, &newMD)
	var rows int64
	if len(cols) > 0 {
		rows = int64(cols[0].Len())
	}
	out := writeIPC(t, schema, cols, rows, nrecs)
	return out
}

func writeIPC(t testing.TB, schema *arrow.Schema, cols []arrow.Array, rows int64, nrecs int) []byte {
	t.Helper()
	var buf writeSeeker
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	for range nrecs {
		rec := array.NewRecord(schema, cols, rows)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.b
}

// tableColumn wraps a struct array of the given children as a one-row
// large_list column, as Marshal does, without checking anything.
func tableColumn(names []string, children []arrow.Array, structNulls *memory.Buffer, nullN int, listEnd int64) arrow.Array {
	fields := make([]arrow.Field, len(children))
	data := make([]arrow.ArrayData, len(children))
	n := 0
	for i, c := range children {
		fields[i] = arrow.Field{Name: names[i], Type: c.DataType(), Nullable: true}
		data[i] = c.Data()
		n = c.Len()
	}
	st := arrow.StructOf(fields...)
	sd := array.NewData(st, n, []*memory.Buffer{structNulls}, data, nullN, 0)
	offsets := memory.NewBufferBytes(arrow.Int64Traits.CastToBytes([]int64{0, listEnd}))
	ld := array.NewData(arrow.LargeListOf(st), 1, []*memory.Buffer{nil, offsets}, []arrow.ArrayData{sd}, 0, 0)
	return array.MakeFromData(ld)
}

// withTable returns a valid model file whose only table is col.
func withTable(t testing.TB, col arrow.Array) []byte {
	t.Helper()
	return rewrite(t, marshalModel(t, &ModelFile{Learner: "x"}), func(_ map[string]string, fields *[]arrow.Field, cols *[]arrow.Array, _ *int) {
		*fields = []arrow.Field{{Name: "t", Type: col.DataType()}}
		*cols = []arrow.Array{col}
	})
}

func rawData(dt arrow.DataType, n, nulls int, bufs ...[]byte) arrow.Array {
	mb := make([]*memory.Buffer, len(bufs))
	for i, b := range bufs {
		if b != nil {
			mb[i] = memory.NewBufferBytes(b)
		}
	}
	return array.MakeFromData(array.NewData(dt, n, mb, nil, nulls, 0))
}

// footer returns the flatbuffer footer of an IPC file, sharing b.
func footer(b []byte) fbTable {
	size := int(binary.LittleEndian.Uint32(b[len(b)-10:]))
	fb := b[len(b)-10-size : len(b)-10]
	return fbTable{fb, binary.LittleEndian.Uint32(fb)}
}

// fieldTable returns the flatbuffer of the first field of the schema and of
// its first child, the struct of a table.
func fieldTables(t testing.TB, b []byte) (top, item fbTable) {
	schema, ok := footer(b).table(fbFooterSchema)
	if !ok {
		t.Fatal("no schema in footer")
	}
	start, n, err := schema.vector(fbSchemaFields, 4)
	if err != nil || n == 0 {
		t.Fatalf("schema fields: %d, %v", n, err)
	}
	top = schema.elem(start, 0)
	start, n, err = top.vector(fbFieldChildren, 4)
	if err != nil || n == 0 {
		t.Fatalf("list children: %d, %v", n, err)
	}
	return top, top.elem(start, 0)
}

func TestUnmarshalModelFileRejectsCorruptFiles(t *testing.T) {
	valid := marshalModel(t, testModel(t))
	f64, str := arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String
	meta := func(edit func(map[string]string)) []byte {
		return rewrite(t, valid, func(m map[string]string, _ *[]arrow.Field, _ *[]arrow.Array, _ *int) { edit(m) })
	}
	tests := []struct {
		name  string
		b     []byte
		words []string
	}{
		{"empty", nil, []string{"not an Arrow IPC file"}},
		{"garbage", []byte("definitely not arrow, not at all"), []string{"not an Arrow IPC file"}},
		{"truncated to magic", valid[:8], []string{"not an Arrow IPC file"}},
		{"truncated by half", valid[:len(valid)/2], []string{"corrupt"}},
		{"last byte cut", valid[:len(valid)-1], []string{"corrupt"}},
		{"newer format", meta(func(m map[string]string) { m["quiver.format_version"] = "2" }), []string{`format version "2"`, "reads versions 1 to 1"}},
		{"format zero", meta(func(m map[string]string) { m["quiver.format_version"] = "0" }), []string{`format version "0"`}},
		{"format not a number", meta(func(m map[string]string) { m["quiver.format_version"] = "one" }), []string{`format version "one"`}},
		{"params not JSON", meta(func(m map[string]string) { m["quiver.params"] = "{learning_rate: 0.1" }), []string{`"quiver.params" is not valid JSON`}},
		{"params an array", meta(func(m map[string]string) { m["quiver.params"] = "[1, 2]" }), []string{`"quiver.params" is not valid JSON`}},
		{"inputs not JSON", meta(func(m map[string]string) { m["quiver.inputs"] = `[{"name":` }), []string{`"quiver.inputs"`}},
		{"outputs wrong shape", meta(func(m map[string]string) { m["quiver.outputs"] = `{"name":"p"}` }), []string{`"quiver.outputs"`}},
		{"state not JSON", meta(func(m map[string]string) { m["quiver.state"] = `{"classes":` }), []string{`"quiver.state"`}},
		{"no records", rewrite(t, valid, func(_ map[string]string, _ *[]arrow.Field, _ *[]arrow.Array, n *int) { *n = 0 }), []string{"one record batch, found 0"}},
		{"two records", rewrite(t, valid, func(_ map[string]string, _ *[]arrow.Field, _ *[]arrow.Array, n *int) { *n = 2 }), []string{"one record batch, found 2"}},
		{"two rows", rewrite(t, valid, func(_ map[string]string, fields *[]arrow.Field, cols *[]arrow.Array, _ *int) {
			*fields = []arrow.Field{{Name: "t", Type: f64}}
			*cols = []arrow.Array{arrayFromJSON(t, f64, `[1, 2]`)}
		}), []string{"one row, found 2"}},
		{"not a list", withTable(t, arrayFromJSON(t, f64, `[1]`)), []string{`table "t"`, "not large_list<struct>"}},
		{"list of floats", withTable(t, arrayFromJSON(t, arrow.LargeListOf(f64), `[[1, 2]]`)), []string{"not struct"}},
		{"null table", withTable(t, arrayFromJSON(t, arrow.LargeListOf(arrow.StructOf(arrow.Field{Name: "w", Type: f64})), `[null]`)), []string{"table is null"}},
		{"duplicate tables", rewrite(t, valid, func(_ map[string]string, fields *[]arrow.Field, cols *[]arrow.Array, _ *int) {
			(*fields)[1].Name = (*fields)[0].Name
		}), []string{`table "coef" appears more than once`}},
		{"duplicate columns", withTable(t, tableColumn([]string{"w", "w"}, []arrow.Array{arrayFromJSON(t, f64, `[1]`), arrayFromJSON(t, str, `["a"]`)}, nil, 0, 1)), []string{`"w" appears more than once`}},
		{"null rows", withTable(t, tableColumn([]string{"w"}, []arrow.Array{arrayFromJSON(t, f64, `[1, 2]`)}, memory.NewBufferBytes([]byte{1}), 1, 2)), []string{"null rows"}},
		{"unsupported type", withTable(t, tableColumn([]string{"d"}, []arrow.Array{arrayFromJSON(t, arrow.FixedWidthTypes.Date32, `[1]`)}, nil, 0, 1)), []string{"model files do not use"}},
		{"dictionary column", withTable(t, tableColumn([]string{"d"}, []arrow.Array{arrayFromJSON(t, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: str}, `["a"]`)}, nil, 0, 1)), []string{"dictionary-encoded"}},
		// Columns that Arrow's reader accepts but that would panic when read.
		{"decreasing string offsets", withTable(t, tableColumn([]string{"s"}, []arrow.Array{
			rawData(str, 2, 0, nil, arrow.Int32Traits.CastToBytes([]int32{0, 3, 1}), []byte("abc")),
		}, nil, 0, 2)), []string{`column "s"`, "offsets decrease"}},
		{"short bool data", withTable(t, tableColumn([]string{"b"}, []arrow.Array{
			rawData(arrow.FixedWidthTypes.Boolean, 100, 0, nil, []byte{0xff}),
		}, nil, 0, 100)), []string{`column "b"`, "bool data has"}},
		{"short validity bitmap", withTable(t, tableColumn([]string{"w"}, []arrow.Array{
			rawData(f64, 100, 3, []byte{0x0f}, make([]byte, 800)),
		}, nil, 0, 100)), []string{`column "w"`, "validity bitmap has 1 bytes for 100 rows"}},
	}
	for _, key := range []string{"format_version", "learner", "params", "inputs", "outputs", "state"} {
		tests = append(tests, struct {
			name  string
			b     []byte
			words []string
		}{"missing " + key, meta(func(m map[string]string) { delete(m, "quiver."+key) }), []string{`"quiver.` + key + `" is missing`}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := UnmarshalModelFile(tt.b)
			if err == nil {
				t.Fatalf("decoded a corrupt file: %+v", m)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindFormat {
				t.Fatalf("error %v (%T) is not an *Error of kind KindFormat", err, err)
			}
			for _, w := range tt.words {
				if !strings.Contains(e.Msg, w) {
					t.Errorf("error %q does not mention %q", e.Msg, w)
				}
			}
		})
	}
}

// Footers that make Arrow's reader recurse forever or allocate without
// bound: neither can be recovered, so they must be refused before.
func TestUnmarshalModelFileRefusesHostileFooters(t *testing.T) {
	valid := marshalModel(t, testModel(t))
	tests := []struct {
		name  string
		patch func(b []byte)
		words []string
	}{
		{"cyclic fields", func(b []byte) {
			top, item := fieldTables(t, b)
			start, _, _ := item.vector(fbFieldChildren, 4)
			binary.LittleEndian.PutUint32(item.b[start:], top.pos-start) // wraps around
		}, []string{"schema nests deeper than 64 levels"}},
		{"huge children vector", func(b []byte) {
			_, item := fieldTables(t, b)
			o := item.slot(fbFieldChildren)
			p := item.pos + o
			p += item.u32(p)
			binary.LittleEndian.PutUint32(item.b[p:], 1<<31-1)
		}, []string{"2147483647 elements"}},
		{"huge metadata vector", func(b []byte) {
			schema, _ := footer(b).table(fbFooterSchema)
			o := schema.slot(fbSchemaMetadata)
			p := schema.pos + o
			p += schema.u32(p)
			binary.LittleEndian.PutUint32(schema.b[p:], 1<<30)
		}, []string{"1073741824 elements"}},
		{"huge record body", func(b []byte) {
			f := footer(b)
			start, n, err := f.vector(10, 24) // record batch blocks
			if err != nil || n != 1 {
				t.Fatalf("blocks: %d, %v", n, err)
			}
			binary.LittleEndian.PutUint64(f.b[start+16:], 1<<40)
		}, []string{"memory"}},
		{"huge record metadata", func(b []byte) {
			f := footer(b)
			start, _, _ := f.vector(10, 24)
			binary.LittleEndian.PutUint32(f.b[start+8:], 1<<31-8)
		}, []string{"memory"}},
	}
	// Many tables, the first of them wide; then every table is made to share
	// the first one's field, a schema far larger decoded than on disk.
	wide := &ModelFile{Learner: "wide"}
	for i := range 50 {
		n := 1
		if i == 0 {
			n = 50
		}
		names, cols := make([]string, n), make([]arrow.Array, n)
		for j := range n {
			names[j], cols[j] = "c"+strconv.Itoa(j), arrayFromJSON(t, arrow.PrimitiveTypes.Float64, `[1]`)
		}
		wide.Tables = append(wide.Tables, Table{"t" + strconv.Itoa(i), mustFrame(t, names, cols...)})
	}
	wideBytes := marshalModel(t, wide)
	if _, err := UnmarshalModelFile(wideBytes); err != nil {
		t.Fatalf("the wide model does not decode: %v", err)
	}
	tests = append(tests, struct {
		name  string
		patch func(b []byte)
		words []string
	}{"shared fields", func(b []byte) {
		copy(b, wideBytes)
		schema, _ := footer(b).table(fbFooterSchema)
		start, n, _ := schema.vector(fbSchemaFields, 4)
		first := schema.elem(start, 0)
		for j := 1; j < n; j++ {
			e := start + uint32(4*j)
			binary.LittleEndian.PutUint32(schema.b[e:], first.pos-e)
		}
	}, []string{"shared, cyclic or oversized"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bytes.Clone(valid)
			if tt.name == "shared fields" {
				b = make([]byte, len(wideBytes))
			}
			tt.patch(b)
			_, err := UnmarshalModelFile(b)
			if KindOf(err) != KindFormat {
				t.Fatalf("error %v is not of kind KindFormat", err)
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// readEverything reads every value of every column of a decoded model,
// which must not panic however corrupt the file was.
func readEverything(m *ModelFile) {
	for _, tb := range m.Tables {
		for i, c := range tb.Frame.Columns() {
			readColumn(tb.Frame.Names()[i], c)
		}
	}
}

func readColumn(name string, c arrow.Array) {
	c.NullN()
	for i := range c.Len() {
		c.IsNull(i)
		_ = c.ValueStr(i)
	}
	if IsNumeric(c.DataType()) {
		vals, err := Float64s(name, c)
		if err != nil {
			panic(err)
		}
		CountMissing(c, vals)
	}
	switch a := c.(type) {
	case *array.List:
		readColumn(name, a.ListValues())
	case *array.LargeList:
		readColumn(name, a.ListValues())
	}
}

func TestUnmarshalModelFileSurvivesBitFlips(t *testing.T) {
	valid := marshalModel(t, testModel(t))
	decoded := 0
	for i := range valid {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(valid)
			b[i] ^= mask
			m, err := UnmarshalModelFile(b)
			if err != nil {
				if KindOf(err) != KindFormat {
					t.Fatalf("byte %d ^ %#x: error %v is not of kind KindFormat", i, mask, err)
				}
				continue
			}
			decoded++
			readEverything(m)
			m.Release()
		}
	}
	for n := range len(valid) {
		if _, err := UnmarshalModelFile(valid[:n]); KindOf(err) != KindFormat {
			t.Fatalf("truncated to %d bytes: error %v", n, err)
		}
	}
	t.Logf("%d of %d flipped files still decode (changed values)", decoded, 3*len(valid))
}

func FuzzUnmarshalModelFile(f *testing.F) {
	valid := marshalModel(f, testModel(f))
	f.Add(valid)
	f.Add(marshalModel(f, &ModelFile{Learner: "empty"}))
	f.Add([]byte{})
	f.Add(valid[:len(valid)/2])
	for _, i := range []int{len(valid) / 3, len(valid) - 12, len(valid) - 40} {
		b := bytes.Clone(valid)
		b[i] ^= 0xff
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModelFile(b)
		if err != nil {
			if KindOf(err) != KindFormat {
				t.Fatalf("error %v is not of kind KindFormat", err)
			}
			return
		}
		defer m.Release()
		readEverything(m)
		// What decodes encodes, and decodes again.
		again, err := m.Marshal()
		if err != nil {
			t.Fatalf("re-encoding a decoded file: %v", err)
		}
		m2, err := UnmarshalModelFile(again)
		if err != nil {
			t.Fatalf("decoding a re-encoded file: %v", err)
		}
		m2.Release()
	})
}
