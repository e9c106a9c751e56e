package parquet_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/schema"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

// listSchema has columns of lists of each kind and of several element
// types, and a flat column among them.
var listSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ld", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
	{Name: "lf", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "vec", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "li8", Type: arrow.ListOf(arrow.PrimitiveTypes.Int8), Nullable: true},
	{Name: "li64", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: "lb", Type: arrow.ListOf(arrow.FixedWidthTypes.Boolean), Nullable: true},
	{Name: "ls", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// listRecord has n rows of listSchema: a fraction nulls of the lists are
// null, as many empty, and as many of the elements null. Lists hold up to
// maxLen elements, which repeat enough for dictionaries to pay.
func listRecord(n int, nulls float64, maxLen int, seed uint64) arrow.Record {
	return listRecordOpt(n, nulls, maxLen, seed, true)
}

// listRecordOpt is listRecord, with null fixed-size lists only when
// nullVecs is set: arrow-go does not write them, since they hold values.
func listRecordOpt(n int, nulls float64, maxLen int, seed uint64, nullVecs bool) arrow.Record {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := array.NewRecordBuilder(memory.DefaultAllocator, listSchema)
	defer b.Release()
	elem := func(vb array.Builder) {
		if rng.Float64() < nulls {
			vb.AppendNull()
			return
		}
		k := rng.IntN(50) - 25
		switch vb := vb.(type) {
		case *array.Float64Builder:
			vb.Append(float64(k) / 7)
		case *array.Float32Builder:
			vb.Append(float32(k) / 3)
		case *array.Int8Builder:
			vb.Append(int8(k))
		case *array.Int64Builder:
			vb.Append(int64(k) << 40)
		case *array.BooleanBuilder:
			vb.Append(k%3 == 0)
		case *array.StringBuilder:
			vb.Append(strings.Repeat("w", (k+25)%4+1) + fmt.Sprint(k))
		}
	}
	for range n {
		for j := range listSchema.NumFields() {
			switch fb := b.Field(j).(type) {
			case *array.Float64Builder:
				elem(fb)
			case *array.FixedSizeListBuilder:
				if rng.Float64() < nulls && nullVecs {
					fb.AppendNull()
					continue
				}
				fb.Append(true)
				for range 3 {
					elem(fb.ValueBuilder())
				}
			case array.ListLikeBuilder:
				switch r := rng.Float64(); {
				case r < nulls:
					fb.AppendNull()
				case r < 2*nulls:
					fb.Append(true) // empty
				default:
					fb.Append(true)
					for range 1 + rng.IntN(maxLen) {
						elem(fb.ValueBuilder())
					}
				}
			}
		}
	}
	return b.NewRecord()
}

// checkLists reads data's columns in chunks of each size and compares
// them with recs.
func checkLists(t *testing.T, data []byte, recs []arrow.Record, names []string, chunks ...int) {
	t.Helper()
	for _, chunk := range chunks {
		got, err := readAll(t, data, names, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		checkEqual(t, got, recs, names)
	}
}

// TestReadListsArrowGo reads lists arrow-go wrote in every layout it
// writes them in, in chunks of one row, of a few, and of more than a row
// group.
func TestReadListsArrowGo(t *testing.T) {
	recs := []arrow.Record{listRecordOpt(2000, 0.1, 6, 1, false), listRecordOpt(300, 0, 4, 2, false), listRecordOpt(100, 1, 3, 3, false), listRecordOpt(500, 0.3, 40, 4, false)}
	names := names(listSchema)
	for _, c := range []struct {
		name  string
		props []pq.WriterProperty
		// Whether arrow-go writes more than one row group, in which it
		// writes every row group's fixed-size lists from the first row's
		// (in v17), so that column is compared with what it reads.
		groups bool
	}{
		{"plain", []pq.WriterProperty{pq.WithDictionaryDefault(false)}, false},
		{"dictionary", nil, false},
		{"snappy", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy)}, false},
		{"v2", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithCompression(compress.Codecs.Zstd)}, false},
		{"v2 plain", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)}, false},
		{"small pages and row groups", []pq.WriterProperty{pq.WithDataPageSize(200), pq.WithBatchSize(37), pq.WithMaxRowGroupLength(777), pq.WithDictionaryPageSizeLimit(256)}, true},
		{"small v2 pages", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(100), pq.WithBatchSize(10), pq.WithMaxRowGroupLength(1000)}, true},
		{"delta", []pq.WriterProperty{pq.WithDictionaryDefault(false), pq.WithEncodingFor("li64.list.element", pq.Encodings.DeltaBinaryPacked),
			pq.WithEncodingFor("ls.list.element", pq.Encodings.DeltaByteArray), pq.WithEncodingFor("lb.list.element", pq.Encodings.RLE)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := pqarrowFile(t, listSchema, recs, c.props...)
			var byArrowGo []arrow.Array
			if c.name != "delta" { // arrow-go v17's reader panics on delta-encoded lists
				byArrowGo = readByArrowGo(t, data)
			}
			for _, chunk := range []int{1, 7, 1000, 5000} {
				got, err := readAll(t, data, names, chunk)
				if err != nil {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				for j, name := range names {
					if byArrowGo == nil {
						break
					}
					if err := compareColumn(got[j], byArrowGo[j]); err != nil {
						t.Errorf("chunk %d: column %q differs from what arrow-go reads: %v", chunk, name, err)
					}
				}
				if c.groups { // leave vec out
					checkEqual(t, slices.Delete(slices.Clone(got), 3, 4), recs, slices.Delete(slices.Clone(names), 3, 4))
				} else {
					checkEqual(t, got, recs, names)
				}
			}
		})
	}
}

// TestWriteLists writes lists, sliced at offsets that are not multiples
// of 8 and spanning pages, and reads them back with the package's reader
// and with arrow-go.
func TestWriteLists(t *testing.T) {
	for _, c := range []struct {
		name string
		recs []arrow.Record
	}{
		{"whole", []arrow.Record{listRecord(1000, 0.1, 5, 5)}},
		{"sliced", []arrow.Record{listRecord(1000, 0.2, 5, 6).NewSlice(13, 987), listRecord(50, 0, 3, 7).NewSlice(1, 2)}},
		{"no nulls", []arrow.Record{listRecord(300, 0, 8, 8)}},
		{"all null", []arrow.Record{listRecord(30, 1, 8, 8)}},
		{"pages", []arrow.Record{listRecord(100_000, 0.05, 12, 9).NewSlice(3, 99_990), listRecord(10, 0.5, 2, 10)}},
		{"empty record", []arrow.Record{listRecord(10, 0.5, 2, 11).NewSlice(4, 4), listRecord(10, 0.5, 2, 12)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := ownFile(t, listSchema, c.recs...)
			checkLists(t, data, c.recs, names(listSchema), 1, 64, 200_000)
			var want []arrow.Record
			for _, r := range c.recs {
				if r.NumRows() > 0 {
					want = append(want, r)
				}
			}
			for j, a := range readByArrowGo(t, data) {
				var parts []arrow.Array
				for _, r := range want {
					parts = append(parts, r.Column(j))
				}
				if err := compareColumn([]*columnar.Array{toColumnar(a)}, concat(t, parts)); err != nil {
					t.Errorf("arrow-go read column %s: %v", listSchema.Field(j).Name, err)
				}
			}
		})
	}
}

// TestWriteListsSpread writes a null list that holds values in the
// child, which the writer must skip, an empty list, and a list longer
// than a page.
func TestWriteListsSpread(t *testing.T) {
	vals := make([]float64, 300_000)
	for i := range vals {
		vals[i] = float64(i)
	}
	// Lists [0, 3), null over [3, 20), empty, and [20, 300000).
	offs := columnar.MakeAligned[int32](5)
	copy(offs, []int32{0, 3, 20, 20, 300_000})
	typ := &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "item", Type: columnar.Float64Type, Nullable: true}}}
	lists := &columnar.Array{Type: typ, Len: 4, Nulls: 1, Buffers: [][]byte{{0b1101}, columnar.AsBytes(offs)},
		Children: []*columnar.Array{columnar.Float64s(vals)}}
	s := &columnar.Schema{Fields: []columnar.Field{{Name: "l", Type: typ, Nullable: true}}}
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&columnar.Record{Schema: s, Len: 4, Cols: []*columnar.Array{lists}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, buf.Bytes(), []string{"l"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	a, b := got[0][0], got[0][1]
	if a.Len != 3 || b.Len != 1 || a.IsNull(0) || !a.IsNull(1) || a.IsNull(2) || b.IsNull(0) {
		t.Fatalf("lists of %d and %d rows", a.Len, b.Len)
	}
	if v := valueOf(a, 0); fmt.Sprint(v) != "[0 1 2]" {
		t.Errorf("first list %v", v)
	}
	for i := 1; i < 3; i++ {
		if lo, hi := a.ListRange(i); hi != lo {
			t.Errorf("list %d of %d values", i, hi-lo)
		}
	}
	last := columnar.Values[float64](b.Children[0])
	if len(last) != 299_980 || last[0] != 20 || last[len(last)-1] != 299_999 {
		t.Errorf("last list of %d values", len(last))
	}
}

// TestWriteLargeAndFixedLists writes large_list and fixed_size_list
// arrays that are slices, and reads them as lists.
func TestWriteLargeAndFixedLists(t *testing.T) {
	mem := memory.DefaultAllocator
	s := arrow.NewSchema([]arrow.Field{
		{Name: "large", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "vec", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	for i := range 100 {
		lb, vb := b.Field(0).(*array.LargeListBuilder), b.Field(1).(*array.FixedSizeListBuilder)
		if i%9 == 4 {
			lb.AppendNull()
			vb.AppendNull()
			continue
		}
		lb.Append(true)
		vb.Append(true)
		for k := range i % 4 {
			lb.ValueBuilder().(*array.Float64Builder).Append(float64(i*10 + k))
		}
		vb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(i), -int32(i)}, nil)
	}
	rec := b.NewRecord()
	for _, sl := range [][2]int64{{0, 100}, {5, 99}, {9, 10}} {
		recs := []arrow.Record{rec.NewSlice(sl[0], sl[1])}
		data := ownFile(t, s, recs...)
		checkLists(t, data, recs, names(s), 1, 50)
	}
}

// TestListsPyarrow reads lists pyarrow wrote, with and without the Arrow
// schema it stores, and has pyarrow read lists the Writer wrote.
func TestListsPyarrow(t *testing.T) {
	dir := t.TempDir()
	const script = `
import sys
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather as feather
out = sys.argv[1]
n = 3000
def lst(i, k, f):
    if i % 10 == 3: return None
    if i % 10 == 7: return []
    return [None if (i + j) % 9 == 4 else f(i, j) for j in range((i * 7) % k + 1)]
t = pa.table({
    "ld": pa.array([lst(i, 6, lambda i, j: i / 7 + j) for i in range(n)], pa.list_(pa.float64())),
    "lf": pa.array([lst(i, 4, lambda i, j: float(i * j) / 3) for i in range(n)], pa.list_(pa.float32())),
    "vec": pa.array([None if i % 11 == 5 else [None if (i + j) % 13 == 2 else (i + j) / 4 for j in range(3)] for i in range(n)], pa.list_(pa.float32(), 3)),
    "req": pa.array([[float(i), float(-i)] for i in range(n)], pa.list_(pa.field("item", pa.float64(), nullable=False))),
    "li": pa.array([lst(i, 5, lambda i, j: (i * j) % 17) for i in range(n)], pa.list_(pa.int32())),
    "lb": pa.array([lst(i, 5, lambda i, j: (i + j) % 3 == 0) for i in range(n)], pa.list_(pa.bool_())),
    "ls": pa.array([lst(i, 3, lambda i, j: "w%d" % ((i + j) % 5)) for i in range(n)], pa.list_(pa.string())),
    "x": pa.array([i / 2 for i in range(n)], pa.float64()),
})
feather.write_feather(t, out + "/want.arrow", compression="uncompressed")
pq.write_table(t, out + "/v1.parquet", data_page_size=512, write_batch_size=50, row_group_size=1000, use_dictionary=False, compression="none")
pq.write_table(t, out + "/v2.parquet", data_page_version="2.0", data_page_size=512, write_batch_size=64, compression="zstd")
pq.write_table(t, out + "/dict.parquet", row_group_size=1200)
pq.write_table(t, out + "/noschema.parquet", store_schema=False, use_compliant_nested_type=False, compression="gzip")
pq.write_table(t, out + "/bss.parquet", use_dictionary=False, use_byte_stream_split=["ld", "lf", "vec"], data_page_version="2.0")
`
	runPython(t, script, dir)
	want := readFeather(t, filepath.Join(dir, "want.arrow"))
	cols := names(want[0].Schema())
	for _, name := range []string{"v1", "v2", "dict", "noschema", "bss"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name+".parquet"))
			if err != nil {
				t.Fatal(err)
			}
			checkLists(t, data, want, cols, 1, 999, 4000)
		})
	}

	// pyarrow reads what the Writer writes.
	recs := []arrow.Record{listRecord(2000, 0.1, 6, 20).NewSlice(3, 1999), listRecord(100, 0.5, 3, 21)}
	if err := os.WriteFile(filepath.Join(dir, "own.parquet"), ownFile(t, listSchema, recs...), 0o644); err != nil {
		t.Fatal(err)
	}
	runPython(t, `
import sys, pyarrow.parquet as pq, pyarrow.feather as feather
t = pq.read_table(sys.argv[1] + "/own.parquet")
feather.write_feather(t, sys.argv[1] + "/own.arrow", compression="uncompressed")
`, dir)
	got := readFeather(t, filepath.Join(dir, "own.arrow"))
	for j, name := range names(listSchema) {
		var parts, wparts []arrow.Array
		for _, r := range got {
			parts = append(parts, r.Column(j))
		}
		for _, r := range recs {
			wparts = append(wparts, r.Column(j))
		}
		if err := compareColumn([]*columnar.Array{toColumnar(concat(t, parts))}, concat(t, wparts)); err != nil {
			t.Errorf("pyarrow read column %s: %v", name, err)
		}
	}
}

// legacyFile writes, with arrow-go's low-level writer, the older layouts
// of lists of doubles the format's backward-compatibility rules allow,
// each column holding rows [0], [1, 2], [], [3, 4, 5] (null in the
// nullable ones), and so on.
func legacyFile(t testing.TB) []byte {
	req, opt, rep := pq.Repetitions.Required, pq.Repetitions.Optional, pq.Repetitions.Repeated
	prim := func(name string, r pq.Repetition) schema.Node {
		n, err := schema.NewPrimitiveNode(name, r, pq.Types.Double, -1, -1)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	group := func(name string, r pq.Repetition, list bool, fields ...schema.Node) schema.Node {
		var n *schema.GroupNode
		var err error
		if list {
			n, err = schema.NewGroupNodeLogical(name, r, fields, schema.NewListLogicalType(), -1)
		} else {
			n, err = schema.NewGroupNode(name, r, fields, -1)
		}
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	root, err := schema.NewGroupNode("schema", req, schema.FieldList{
		// A repeated primitive as a column: lists never null.
		prim("bare", rep),
		// A LIST of a repeated primitive: required elements.
		group("two", opt, true, prim("array", rep)),
		// A LIST of a repeated group of one field named array or
		// <name>_tuple: lists of one-field structs, read as lists.
		group("arr", opt, true, group("array", rep, false, prim("v", opt))),
		group("tup", req, true, group("tup_tuple", rep, false, prim("v", req))),
		// The standard layout, with required lists and elements.
		group("std", req, true, group("list", rep, false, prim("element", req))),
	}, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := file.NewParquetWriter(&buf, root, file.WithWriterProps(pq.NewWriterProperties(pq.WithDataPageSize(64), pq.WithBatchSize(16), pq.WithDictionaryDefault(false))))
	const groups, rows = 2, 40
	for g := range groups {
		rg := w.AppendRowGroup()
		for col := range 5 {
			var vals []float64
			var defs, reps []int16
			next := float64(g * 1000)
			for i := range rows {
				n := i % 4
				if n == 2 {
					n = 0
				}
				if n == 0 {
					// An empty list, or a null one where lists may be null.
					reps = append(reps, 0)
					defs = append(defs, map[int]int16{0: 0, 1: 0, 2: 0, 3: 0, 4: 0}[col])
					if col == 1 || col == 2 {
						if i%8 == 2 {
							defs[len(defs)-1] = 1 // empty, not null
						}
					}
					continue
				}
				for k := range n {
					reps = append(reps, min(int16(k), 1))
					d := map[int]int16{0: 1, 1: 2, 2: 3, 3: 1, 4: 1}[col]
					if col == 2 && k == 1 {
						d = 2 // a null element
					} else {
						vals = append(vals, next)
					}
					defs = append(defs, d)
					next++
				}
			}
			cw, err := rg.NextColumn()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cw.(*file.Float64ColumnChunkWriter).WriteBatch(vals, defs, reps); err != nil {
				t.Fatal(err)
			}
			if err := cw.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if err := rg.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLegacyLists reads lists in the older layouts and compares them with
// what arrow-go reads, but for the lists of one-field structs, which are
// read as lists of the field's values.
func TestLegacyLists(t *testing.T) {
	data := legacyFile(t)
	cols := []string{"bare", "two", "arr", "tup", "std"}
	f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range f.Columns() {
		if c.Err != nil || c.Type.ID != columnar.List || c.Type.Fields[0].Type.ID != columnar.Float64 {
			t.Errorf("column %s: %s, %v", cols[i], c.Type, c.Err)
		}
	}
	want := readByArrowGo(t, data)
	for _, chunk := range []int{1, 3, 40, 100} {
		got, err := readAll(t, data, cols, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		for j, name := range cols {
			w := want[j]
			if st, ok := w.(*array.List).ListValues().(*array.Struct); ok {
				// arrow-go reads a list of one-field structs.
				w = array.NewListData(array.NewData(arrow.ListOf(st.Field(0).DataType()), w.Len(),
					w.Data().Buffers(), []arrow.ArrayData{st.Field(0).Data()}, w.NullN(), w.Data().Offset()))
			}
			if err := compareColumn(got[j], w); err != nil {
				t.Errorf("chunk %d: column %s: %v", chunk, name, err)
			}
		}
	}
}

// TestNestedTooDeep checks that lists of lists, of structs and maps are
// left out with an error naming the column, and not written.
func TestNestedTooDeep(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ll", Type: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), Nullable: true},
		{Name: "lst", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64})), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	for i := range 20 {
		b.Field(0).(*array.Float64Builder).Append(float64(i))
		for j := 1; j < 5; j++ {
			b.Field(j).AppendNull()
		}
	}
	data := pqarrowFile(t, s, []arrow.Record{b.NewRecord()})
	f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ll", "lst", "m"} {
		_, err := f.Records([]string{"x", name, "l"}, 10)
		if want := fmt.Sprintf("column %q is nested, which is not supported", name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
	if _, err := readAll(t, data, []string{"l", "x"}, 7); err != nil {
		t.Error(err)
	}
	for _, typ := range []*columnar.Type{
		{ID: columnar.List, Fields: []columnar.Field{{Name: "e", Type: &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "e", Type: columnar.Int32Type}}}}}},
		{ID: columnar.FixedSizeList, Size: 2, Fields: []columnar.Field{{Name: "e", Type: &columnar.Type{ID: columnar.Struct}}}},
		{ID: columnar.List, Fields: []columnar.Field{{Name: "e", Type: columnar.BinaryType}}},
		{ID: columnar.Struct, Fields: []columnar.Field{{Name: "e", Type: columnar.Int32Type}}},
	} {
		_, err := parquet.NewWriter(io.Discard, &columnar.Schema{Fields: []columnar.Field{{Name: "c", Type: typ}}})
		if err == nil || !strings.Contains(err.Error(), `column "c"`) {
			t.Errorf("%s: err = %v, want one naming column c", typ, err)
		}
	}
}

// TestWriteListsOfDictionaryStrings writes a list of dictionary-encoded
// strings, which reads back as a list of strings.
func TestWriteListsOfDictionaryStrings(t *testing.T) {
	words := columnar.NewStringBuilder(3)
	for _, w := range []string{"a", "bb", "ccc"} {
		words.Append(w)
	}
	dt := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int8Type, Value: columnar.StringType}
	idx := columnar.MakeAligned[int8](5)
	copy(idx, []int8{2, 0, 1, 1, 2})
	child := columnar.FromValues(dt, idx, []byte{0b11101}, 1) // the second is null
	child.Dict = words.Array()
	offs := columnar.MakeAligned[int32](4)
	copy(offs, []int32{0, 2, 2, 5})
	typ := &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "item", Type: dt, Nullable: true}}}
	col := &columnar.Array{Type: typ, Len: 3, Buffers: [][]byte{nil, columnar.AsBytes(offs)}, Children: []*columnar.Array{child}}
	s := &columnar.Schema{Fields: []columnar.Field{{Name: "l", Type: typ, Nullable: true}}}
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write((&columnar.Record{Schema: s, Len: 3, Cols: []*columnar.Array{col}}).Slice(1, 3)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, buf.Bytes(), []string{"l"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if a := got[0][0]; fmt.Sprint(valueOf(a, 0), valueOf(a, 1)) != "[] [bb bb ccc]" {
		t.Errorf("lists %v, %v", valueOf(a, 0), valueOf(a, 1))
	}
}
