package parquet_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

var utc = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// testSchema has a column of every type the package reads and writes.
var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: utc, Nullable: true},
	{Name: "tsns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
}, nil)

// testRecord has n rows of testSchema; a fraction nulls of the values
// are null. Values repeat enough for dictionaries to pay.
func testRecord(n int, nulls float64, seed uint64) arrow.Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := array.NewRecordBuilder(memory.DefaultAllocator, testSchema)
	defer b.Release()
	words := []string{"", "a", "apple", "apricot", "banana", "ü-umlaut", strings.Repeat("long", 50)}
	for i := range n {
		for j := range testSchema.NumFields() {
			fb := b.Field(j)
			if rng.Float64() < nulls {
				fb.AppendNull()
				continue
			}
			k := rng.Int64N(1000) - 500
			if i%7 == 0 {
				k = rng.Int64()
			}
			switch fb := fb.(type) {
			case *array.BooleanBuilder:
				fb.Append(k%3 == 0)
			case *array.Int8Builder:
				fb.Append(int8(k))
			case *array.Int16Builder:
				fb.Append(int16(k))
			case *array.Int32Builder:
				fb.Append(int32(k))
			case *array.Int64Builder:
				fb.Append(k)
			case *array.Uint8Builder:
				fb.Append(uint8(k))
			case *array.Uint16Builder:
				fb.Append(uint16(k))
			case *array.Uint32Builder:
				fb.Append(uint32(k))
			case *array.Uint64Builder:
				fb.Append(uint64(k))
			case *array.Float32Builder:
				fb.Append(float32(k) / 3)
			case *array.Float64Builder:
				if i%11 == 0 {
					fb.Append(math.NaN())
				} else {
					fb.Append(rng.NormFloat64())
				}
			case *array.StringBuilder:
				w := words[rng.IntN(len(words))]
				if i%5 == 0 {
					w += fmt.Sprint(i)
				}
				fb.Append(w)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(k))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(k))
			}
		}
	}
	return b.NewRecord()
}

func names(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// pqarrowFile writes recs with arrow-go's writer and props.
func pqarrowFile(t testing.TB, schema *arrow.Schema, recs []arrow.Record, props ...pq.WriterProperty) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, pq.NewWriterProperties(props...), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.WriteBuffered(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ownFile writes recs, converted to columnar records sharing their
// buffers, with the package's Writer.
func ownFile(t testing.TB, schema *arrow.Schema, recs ...arrow.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, toColumnarSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(toColumnarRecord(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads the named columns of data, checking every record is
// valid, has the reader's schema and at most chunkRows rows, and returns
// each column's arrays, record by record.
func readAll(t testing.TB, data []byte, names []string, chunkRows int) ([][]*columnar.Array, error) {
	t.Helper()
	f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	r, err := f.Records(names, chunkRows)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if s := r.Schema(); len(s.Fields) != len(names) {
		t.Fatalf("schema of %d fields for %d columns", len(s.Fields), len(names))
	}
	parts := make([][]*columnar.Array, len(names))
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if rec.Len > chunkRows || rec.Len == 0 {
			t.Errorf("record of %d rows, chunks of %d", rec.Len, chunkRows)
		}
		if rec.Schema != r.Schema() {
			t.Errorf("record schema %p, reader's %p", rec.Schema, r.Schema())
		}
		if err := rec.Validate(); err != nil {
			t.Fatal(err)
		}
		for j := range names {
			parts[j] = append(parts[j], rec.Cols[j])
		}
	}
	return parts, nil
}

// concat concatenates arrays of one type.
func concat(t testing.TB, parts []arrow.Array) arrow.Array {
	t.Helper()
	a, err := array.Concatenate(parts, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkEqual compares columns read back with the records written.
func checkEqual(t *testing.T, got [][]*columnar.Array, recs []arrow.Record, names []string) {
	t.Helper()
	for j, name := range names {
		var parts []arrow.Array
		for _, r := range recs {
			parts = append(parts, r.Column(r.Schema().FieldIndices(name)[0]))
		}
		want := concat(t, parts)
		if err := compareColumn(got[j], want); err != nil {
			t.Errorf("column %q: %v", name, err)
		}
	}
}

// checkArrowEqual compares columns arrow-go read with the records
// written.
func checkArrowEqual(t *testing.T, got []arrow.Array, recs []arrow.Record, names []string) {
	t.Helper()
	for j, name := range names {
		var parts []arrow.Array
		for _, r := range recs {
			parts = append(parts, r.Column(r.Schema().FieldIndices(name)[0]))
		}
		want := concat(t, parts)
		if !arrow.TypeEqual(got[j].DataType(), want.DataType()) {
			t.Errorf("column %q: type %s, want %s", name, got[j].DataType(), want.DataType())
			continue
		}
		if !array.ApproxEqual(got[j], want, array.WithNaNsEqual(true)) {
			t.Errorf("column %q differs:\n got %.300s\nwant %.300s", name, got[j], want)
		}
	}
}

func TestReadArrowGoFiles(t *testing.T) {
	recs := []arrow.Record{testRecord(3000, 0.2, 1), testRecord(1000, 0, 2), testRecord(500, 1, 3)}
	names := names(testSchema)
	for _, c := range []struct {
		name  string
		props []pq.WriterProperty
	}{
		{"plain", []pq.WriterProperty{pq.WithDictionaryDefault(false)}},
		{"dictionary", nil},
		{"snappy", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy)}},
		{"gzip", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Gzip)}},
		{"zstd", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Zstd)}},
		{"v2", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithCompression(compress.Codecs.Zstd)}},
		{"v2 plain", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)}},
		{"v2 uncompressed dictionary", []pq.WriterProperty{pq.WithDataPageVersion(pq.DataPageV2)}},
		{"small pages and row groups", []pq.WriterProperty{pq.WithDataPageSize(512), pq.WithMaxRowGroupLength(777), pq.WithDictionaryPageSizeLimit(256)}},
		{"delta", []pq.WriterProperty{pq.WithDictionaryDefault(false),
			pq.WithEncodingFor("i32", pq.Encodings.DeltaBinaryPacked), pq.WithEncodingFor("i64", pq.Encodings.DeltaBinaryPacked),
			pq.WithEncodingFor("u64", pq.Encodings.DeltaBinaryPacked), pq.WithEncodingFor("i8", pq.Encodings.DeltaBinaryPacked),
			pq.WithEncodingFor("s", pq.Encodings.DeltaByteArray), pq.WithEncodingFor("b", pq.Encodings.RLE)}},
		{"delta lengths", []pq.WriterProperty{pq.WithDictionaryDefault(false), pq.WithDataPageVersion(pq.DataPageV2),
			pq.WithEncodingFor("s", pq.Encodings.DeltaLengthByteArray), pq.WithEncodingFor("b", pq.Encodings.RLE),
			pq.WithEncodingFor("ts", pq.Encodings.DeltaBinaryPacked)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := pqarrowFile(t, testSchema, recs, c.props...)
			for _, chunk := range []int{1 << 20, 1000, 7} {
				got, err := readAll(t, data, names, chunk)
				if err != nil {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				checkEqual(t, got, recs, names)
			}
		})
	}
}

func TestRequiredColumns(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range 2000 {
		b.Field(0).(*array.Float64Builder).Append(float64(i) / 7)
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprint(i % 13))
		b.Field(2).(*array.BooleanBuilder).Append(i%3 == 0)
	}
	recs := []arrow.Record{b.NewRecord()}
	for _, v := range []pq.DataPageVersion{pq.DataPageV1, pq.DataPageV2} {
		data := pqarrowFile(t, schema, recs, pq.WithDataPageVersion(v))
		// Projection picks and orders columns.
		got, err := readAll(t, data, []string{"b", "x"}, 300)
		if err != nil {
			t.Fatal(err)
		}
		checkEqual(t, got, recs, []string{"b", "x"})
	}
}

// TestWriteReadByArrowGo checks arrow-go reads what Writer writes, and so
// does the package's own reader.
func TestWriteReadByArrowGo(t *testing.T) {
	recs := []arrow.Record{testRecord(3000, 0.1, 4), testRecord(10, 0, 5), testRecord(200, 1, 6), testRecord(1<<18, 0.01, 7)}
	data := ownFile(t, testSchema, recs...)

	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if pf.NumRowGroups() != len(recs) {
		t.Errorf("%d row groups, want %d", pf.NumRowGroups(), len(recs))
	}
	checkArrowEqual(t, readByArrowGo(t, data), recs, names(testSchema))

	own, err := readAll(t, data, names(testSchema), 5000)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, own, recs, names(testSchema))
}

func TestWriteDictionaryStrings(t *testing.T) {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: dt, Nullable: true}}, nil)
	b := array.NewDictionaryBuilder(memory.DefaultAllocator, dt).(*array.BinaryDictionaryBuilder)
	for i := range 100 {
		if i%9 == 0 {
			b.AppendNull()
		} else {
			b.AppendString([]string{"x", "y", "zz"}[i%3])
		}
	}
	col := b.NewArray()
	data := ownFile(t, schema, array.NewRecord(schema, []arrow.Array{col}, 100))
	got, err := readAll(t, data, []string{"d"}, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := compareColumn(got[0], col); err != nil {
		t.Error(err)
	}
}

func TestWriterRefusesTypes(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "ok", Type: arrow.PrimitiveTypes.Float64}, {Name: "lst", Type: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32))}}, nil)
	_, err := parquet.NewWriter(io.Discard, toColumnarSchema(schema))
	if err == nil || !strings.Contains(err.Error(), `"lst"`) {
		t.Errorf("err = %v, want one naming column lst", err)
	}
}

// unsupportedFile has a readable column x and columns of types the
// package does not read.
func unsupportedFile(t testing.TB) []byte {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "lst", Type: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32)), Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "b", Type: arrow.PrimitiveTypes.Int64}), Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range 50 {
		b.Field(0).(*array.Float64Builder).Append(float64(i))
		b.Field(1).AppendNull()
		b.Field(2).AppendNull()
		b.Field(3).AppendNull()
		b.Field(4).(*array.Int64Builder).Append(int64(-i))
	}
	return pqarrowFile(t, schema, []arrow.Record{b.NewRecord()})
}

func TestUnsupportedColumns(t *testing.T) {
	data := unsupportedFile(t)
	f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range f.Columns() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "x,lst,dec,st,y" {
		t.Errorf("columns %s", got)
	}
	// Columns after nested ones are found.
	got, err := readAll(t, data, []string{"y", "x"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	y, x := array.NewInt64Builder(memory.DefaultAllocator), array.NewFloat64Builder(memory.DefaultAllocator)
	for i := range 50 {
		y.Append(int64(-i))
		x.Append(float64(i))
	}
	for j, want := range []arrow.Array{y.NewArray(), x.NewArray()} {
		if err := compareColumn(got[j], want); err != nil {
			t.Errorf("column %d: %v", j, err)
		}
	}
	for _, c := range []struct{ name, want string }{
		{"lst", `column "lst" is nested`},
		{"dec", `column "dec": Parquet type FIXED_LEN_BYTE_ARRAY annotated DECIMAL is not supported`},
		{"st", `column "st" is nested`},
		{"nope", `no column "nope"`},
	} {
		_, err := f.Records([]string{"x", c.name}, 10)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestCorruptFiles(t *testing.T) {
	good := pqarrowFile(t, testSchema, []arrow.Record{testRecord(100, 0.1, 8)}, pq.WithCompression(compress.Codecs.Snappy))
	footer := len(good) - 8 - int(binary.LittleEndian.Uint32(good[len(good)-8:]))
	corrupt := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated", good[:len(good)/2], "magic"},
		{"bad magic", corrupt(func(b []byte) []byte { b[0] = 'X'; return b }), "magic"},
		{"footer too long", corrupt(func(b []byte) []byte { b[len(b)-5] = 0x7f; return b }), "footer of"},
		{"corrupt footer", corrupt(func(b []byte) []byte { copy(b[footer:], "\xff\xff\xff\xff\xff"); return b }), "corrupt"},
		{"footer cut", corrupt(func(b []byte) []byte { return append(b[:footer+10], b[len(b)-8:]...) }), ""},
		{"pages zeroed", corrupt(func(b []byte) []byte { clear(b[4:footer]); return b }), "column"},
		{"pages scrambled", corrupt(func(b []byte) []byte {
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 4; i < footer; i += 3 {
				b[i] = byte(rng.Uint32())
			}
			return b
		}), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readAll(t, c.data, names(testSchema), 30)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// seedFiles are small files in each layout, for fuzzing.
func seedFiles(t testing.TB) [][]byte {
	recs := []arrow.Record{testRecord(8, 0.3, 9)}
	return [][]byte{
		ownFile(t, testSchema, recs...),
		unsupportedFile(t),
		pqarrowFile(t, testSchema, recs),
		pqarrowFile(t, testSchema, recs, pq.WithDictionaryDefault(false), pq.WithDataPageVersion(pq.DataPageV2), pq.WithCompression(compress.Codecs.Snappy)),
		pqarrowFile(t, testSchema, recs, pq.WithDictionaryDefault(false), pq.WithEncodingFor("i64", pq.Encodings.DeltaBinaryPacked),
			pq.WithEncodingFor("s", pq.Encodings.DeltaByteArray), pq.WithEncodingFor("b", pq.Encodings.RLE), pq.WithCompression(compress.Codecs.Gzip)),
		pqarrowFile(t, testSchema, recs, pq.WithDictionaryDefault(false), pq.WithEncodingFor("s", pq.Encodings.DeltaLengthByteArray),
			pq.WithCompression(compress.Codecs.Zstd)),
		// Lists: the package's, arrow-go's with dictionaries and in v2
		// pages, and the older layouts.
		ownFile(t, listSchema, listRecord(8, 0.2, 3, 10)),
		pqarrowFile(t, listSchema, []arrow.Record{listRecordOpt(8, 0.2, 3, 11, false)}),
		pqarrowFile(t, listSchema, []arrow.Record{listRecordOpt(8, 0.2, 3, 12, false)}, pq.WithDictionaryDefault(false),
			pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(16), pq.WithBatchSize(4)),
		legacyFile(t),
	}
}

// readEverything reads every readable column of data and looks at every
// value, for the fuzzer: errors are fine, panics are not, and nor are
// records that break the columnar conventions, which panic here.
func readEverything(data []byte) {
	pf, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return
	}
	var names []string
	for _, c := range pf.Columns() {
		if c.Err == nil {
			names = append(names, c.Name)
		}
	}
	r, err := pf.Records(names, 16)
	if err != nil {
		return
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err != nil {
			return
		}
		if err := rec.Validate(); err != nil {
			panic(err)
		}
		for _, col := range rec.Cols {
			if err := checkArray(col); err != nil {
				panic(err)
			}
			touch(col)
		}
	}
}

// FuzzReader checks that no file makes the reader panic.
func FuzzReader(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { readEverything(data) })
}

// TestMutatedFiles reads files with a few bytes changed at random, which
// finds in a second what the fuzzer finds in minutes on files this size.
func TestMutatedFiles(t *testing.T) {
	seeds := seedFiles(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		data := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			i := rng.IntN(len(data))
			switch rng.IntN(3) {
			case 0:
				data[i] = byte(rng.Uint32())
			case 1:
				data[i] ^= 1 << rng.IntN(8)
			default:
				data[i] = []byte{0, 1, 0x7f, 0x80, 0xff}[rng.IntN(5)]
			}
		}
		func() {
			defer func() {
				if e := recover(); e != nil {
					t.Fatalf("panic: %v on %x", e, data)
				}
			}()
			readEverything(data)
		}()
	}
}

func BenchmarkReadDoubles(b *testing.B) {
	const rows, cols = 1 << 20, 28
	fields := make([]arrow.Field, cols)
	for j := range fields {
		fields[j] = arrow.Field{Name: fmt.Sprint("x", j), Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	rng := rand.New(rand.NewPCG(1, 1))
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, toColumnarSchema(schema))
	if err != nil {
		b.Fatal(err)
	}
	const group = 1 << 17
	for range rows / group {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for j := range cols {
			fb := rb.Field(j).(*array.Float64Builder)
			for range group {
				fb.Append(rng.NormFloat64())
			}
		}
		if err := w.Write(toColumnarRecord(rb.NewRecord())); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(rows * cols * 8)
	b.ResetTimer()
	for range b.N {
		f, err := parquet.Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		r, err := f.Records(names(schema), 65536)
		if err != nil {
			b.Fatal(err)
		}
		n := int64(0)
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += int64(rec.Len)
		}
		r.Close()
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
}
