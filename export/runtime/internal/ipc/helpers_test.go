package ipc_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/decimal256"
	"github.com/apache/arrow/go/v17/arrow/float16"
	aipc "github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

var mem = memory.DefaultAllocator

func md(kv ...string) arrow.Metadata {
	var k, v []string
	for i := 0; i < len(kv); i += 2 {
		k, v = append(k, kv[i]), append(v, kv[i+1])
	}
	return arrow.NewMetadata(k, v)
}

// allTypesSchema has a field of every type the package supports, most
// of them nullable, with metadata on the schema and some fields.
func allTypesSchema() *arrow.Schema {
	dictStr := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	fields := []arrow.Field{
		{Name: "null", Type: arrow.Null, Nullable: true},
		{Name: "bool", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true, Metadata: md("unit", "kg", "k2", "")},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f16", Type: arrow.FixedWidthTypes.Float16, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "utf8", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "large_utf8", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "binary", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "large_binary", Type: arrow.BinaryTypes.LargeBinary, Nullable: true},
		{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 5}, Nullable: true},
		{Name: "date32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "date64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
		{Name: "time32s", Type: arrow.FixedWidthTypes.Time32s, Nullable: true},
		{Name: "time32ms", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
		{Name: "time64us", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "time64ns", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
		{Name: "ts_s", Type: arrow.FixedWidthTypes.Timestamp_s, Nullable: true},
		{Name: "ts_us_ny", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"}, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "dur_s", Type: arrow.FixedWidthTypes.Duration_s, Nullable: true},
		{Name: "dur_ms", Type: arrow.FixedWidthTypes.Duration_ms, Nullable: true},
		{Name: "dur_us", Type: arrow.FixedWidthTypes.Duration_us, Nullable: true},
		{Name: "dur_ns", Type: arrow.FixedWidthTypes.Duration_ns, Nullable: true},
		{Name: "dec128", Type: &arrow.Decimal128Type{Precision: 20, Scale: 4}, Nullable: true},
		{Name: "dec256", Type: &arrow.Decimal256Type{Precision: 50, Scale: 10}, Nullable: true},
		{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "large_list", Type: arrow.LargeListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "fsl", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "struct", Type: arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: md("inner", "yes")},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "c", Type: arrow.FixedWidthTypes.Boolean},
		), Nullable: true},
		{Name: "map", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "nested", Type: arrow.ListOf(arrow.StructOf(
			arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
			arrow.Field{Name: "y", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Uint8), Nullable: true},
			arrow.Field{Name: "z", Type: arrow.FixedSizeListOf(2, arrow.BinaryTypes.String), Nullable: true},
		)), Nullable: true},
		{Name: "dict_str", Type: dictStr, Nullable: true, Metadata: md("dict", "yes")},
		{Name: "dict_i64", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.PrimitiveTypes.Int64, Ordered: true}, Nullable: true},
		{Name: "list_dict", Type: arrow.ListOf(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}), Nullable: true},
		{Name: "struct_dict", Type: arrow.StructOf(
			arrow.Field{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Float64}, Nullable: true},
		), Nullable: true},
	}
	m := md("origin", "quiver test", "empty", "")
	return arrow.NewSchema(fields, &m)
}

// buildRecord builds n rows of s from row start; values and nulls are a
// function of the row, so that records built from different starts hold
// different values.
func buildRecord(s *arrow.Schema, start, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i := start; i < start+n; i++ {
		for f := range s.Fields() {
			appendValue(b.Field(f), i, f, s.Field(f).Nullable)
		}
	}
	return b.NewRecord()
}

// appendValue appends the value of row i of a field, made different
// among fields by salt; null now and then when nullable.
func appendValue(b array.Builder, i, salt int, nullable bool) {
	if _, ok := b.(*array.NullBuilder); ok || nullable && (i+salt)%5 == 3 {
		b.AppendNull()
		return
	}
	k := i*31 + salt*7
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(k%3 == 0)
	case *array.Int8Builder:
		b.Append(int8(k))
	case *array.Int16Builder:
		b.Append(int16(k - 3000))
	case *array.Int32Builder:
		b.Append(int32(k*1000 - 5))
	case *array.Int64Builder:
		b.Append(int64(k)*1e12 - 1)
	case *array.Uint8Builder:
		b.Append(uint8(k))
	case *array.Uint16Builder:
		b.Append(uint16(k))
	case *array.Uint32Builder:
		b.Append(uint32(k) * 100003)
	case *array.Uint64Builder:
		b.Append(uint64(k) << 40)
	case *array.Float16Builder:
		b.Append(float16.New(float32(k) / 8))
	case *array.Float32Builder:
		b.Append(float32(k) / 3)
	case *array.Float64Builder:
		if k%11 == 0 {
			b.Append(math.NaN())
		} else {
			b.Append(float64(k)/7 - 100)
		}
	case *array.StringBuilder:
		b.Append(strings.Repeat("é", k%4) + strconv.Itoa(k))
	case *array.LargeStringBuilder:
		b.Append(strings.Repeat("x", k%5) + strconv.Itoa(-k))
	case *array.BinaryBuilder:
		b.Append([]byte{byte(k), 0, byte(k >> 8), 255}[:k%5%4])
	case *array.FixedSizeBinaryBuilder:
		v := make([]byte, b.Type().(*arrow.FixedSizeBinaryType).ByteWidth)
		for j := range v {
			v[j] = byte(k + j)
		}
		b.Append(v)
	case *array.Date32Builder:
		b.Append(arrow.Date32(k - 1000))
	case *array.Date64Builder:
		b.Append(arrow.Date64(int64(k-1000) * 86400000))
	case *array.Time32Builder:
		b.Append(arrow.Time32(k % 86400))
	case *array.Time64Builder:
		b.Append(arrow.Time64(int64(k) * 1000003))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(int64(k)*1e9 - 5))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(int64(k) - 50))
	case *array.Decimal128Builder:
		b.Append(decimal128.New(int64(k%3-1), uint64(k)*0x9E3779B97F4A7C15))
	case *array.Decimal256Builder:
		b.Append(decimal256.FromI64(int64(k)*1e15 - 123456789))
	case *array.ListBuilder:
		b.Append(true)
		for j := range k % 4 {
			appendValue(b.ValueBuilder(), i*4+j, salt+1, true)
		}
	case *array.LargeListBuilder:
		b.Append(true)
		for j := range k % 3 {
			appendValue(b.ValueBuilder(), i*3+j, salt+2, true)
		}
	case *array.FixedSizeListBuilder:
		b.Append(true)
		for j := range int(b.Type().(*arrow.FixedSizeListType).Len()) {
			appendValue(b.ValueBuilder(), i*5+j, salt+3, true)
		}
	case *array.StructBuilder:
		b.Append(true)
		st := b.Type().(*arrow.StructType)
		for f := range b.NumField() {
			appendValue(b.FieldBuilder(f), i, salt+f+1, st.Field(f).Nullable)
		}
	case *array.MapBuilder:
		b.Append(true)
		for j := range k % 3 {
			b.KeyBuilder().(*array.StringBuilder).Append(fmt.Sprintf("k%d", j))
			appendValue(b.ItemBuilder(), i*3+j, salt+4, true)
		}
	case *array.BinaryDictionaryBuilder:
		if err := b.AppendString(fmt.Sprintf("word%d", k%13)); err != nil {
			panic(err)
		}
	case *array.Int64DictionaryBuilder:
		if err := b.Append(int64(k%9) - 4); err != nil {
			panic(err)
		}
	case *array.Float64DictionaryBuilder:
		if err := b.Append(float64(k%6) / 2); err != nil {
			panic(err)
		}
	default:
		panic(fmt.Sprintf("no test values for %T", b))
	}
}

// seekBuffer is an in-memory io.WriteSeeker for arrow-go's file writer.
type seekBuffer struct {
	b   []byte
	pos int
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	if need := s.pos + len(p); need > len(s.b) {
		s.b = append(s.b, make([]byte, need-len(s.b))...)
	}
	copy(s.b[s.pos:], p)
	s.pos += len(p)
	return len(p), nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		s.pos = int(off)
	case io.SeekCurrent:
		s.pos += int(off)
	case io.SeekEnd:
		s.pos = len(s.b) + int(off)
	}
	return int64(s.pos), nil
}

// arrowGoWrite writes records with arrow-go, as a stream or a file.
func arrowGoWrite(t testing.TB, file bool, schema *arrow.Schema, recs []arrow.Record, opts ...aipc.Option) []byte {
	t.Helper()
	opts = append(opts, aipc.WithSchema(schema), aipc.WithAllocator(mem))
	if file {
		var sb seekBuffer
		w, err := aipc.NewFileWriter(&sb, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return sb.b
	}
	var buf bytes.Buffer
	w := aipc.NewWriter(&buf, opts...)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// arrowGoRead reads a stream or a file with arrow-go.
func arrowGoRead(t testing.TB, data []byte, file bool) (*arrow.Schema, []arrow.Record) {
	t.Helper()
	var recs []arrow.Record
	if file {
		r, err := aipc.NewFileReader(bytes.NewReader(data), aipc.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		for i := range r.NumRecords() {
			rec, err := r.Record(i)
			if err != nil {
				t.Fatal(err)
			}
			rec.Retain()
			recs = append(recs, rec)
		}
		return r.Schema(), recs
	}
	r, err := aipc.NewReader(bytes.NewReader(data), aipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		rec := r.Record()
		rec.Retain()
		recs = append(recs, rec)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return r.Schema(), recs
}

// readAll reads a stream or a file with this package.
func readAll(data []byte, file bool) (*columnar.Schema, []*columnar.Record, error) {
	var recs []*columnar.Record
	if file {
		f, err := ipc.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, nil, err
		}
		for i := range f.NumRecords() {
			rec, err := f.Record(i)
			if err != nil {
				return nil, nil, err
			}
			recs = append(recs, rec)
		}
		return f.Schema(), recs, nil
	}
	r, err := ipc.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Schema(), recs, nil
		}
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, rec)
	}
}

func tempFile(t testing.TB, data []byte) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.arrow")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
