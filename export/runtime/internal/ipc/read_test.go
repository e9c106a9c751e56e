package ipc_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/endian"
	aipc "github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// recordSets are the batches the tests write: slices of one record
// (sharing its dictionaries), records of one builder (whose dictionaries
// grow), and records of separate builders (whose dictionaries differ).
func recordSets(s *arrow.Schema) map[string][]arrow.Record {
	whole := buildRecord(s, 0, 200)
	grow := array.NewRecordBuilder(mem, s)
	var grown []arrow.Record
	for _, n := range []int{30, 0, 70, 100} {
		start := len(grown) * 50
		for i := start; i < start+n; i++ {
			for f := range s.Fields() {
				appendValue(grow.Field(f), i, f, s.Field(f).Nullable)
			}
		}
		grown = append(grown, grow.NewRecord())
	}
	return map[string][]arrow.Record{
		// arrow-go cannot write an empty slice of a binary array.
		"slices":   {whole.NewSlice(0, 64), whole.NewSlice(64, 131), whole.NewSlice(131, 200)},
		"one":      {whole},
		"growing":  grown,
		"separate": {buildRecord(s, 0, 40), buildRecord(s, 1000, 17), buildRecord(s, 5, 0), buildRecord(s, 77, 90)},
	}
}

func TestReadArrowGo(t *testing.T) {
	s := allTypesSchema()
	sets := recordSets(s)
	cases := []struct {
		name string
		set  string
		file bool
		opts []aipc.Option
	}{
		{"stream", "slices", false, nil},
		{"stream lz4", "slices", false, []aipc.Option{aipc.WithLZ4()}},
		{"stream zstd", "slices", false, []aipc.Option{aipc.WithZstd()}},
		{"stream one batch", "one", false, nil},
		{"stream replaced dictionaries", "separate", false, nil},
		{"stream replaced dictionaries zstd", "separate", false, []aipc.Option{aipc.WithZstd()}},
		{"stream delta dictionaries", "growing", false, []aipc.Option{aipc.WithDictionaryDeltas(true)}},
		{"stream grown dictionaries replaced", "growing", false, nil},
		{"file", "slices", true, nil},
		{"file lz4", "slices", true, []aipc.Option{aipc.WithLZ4()}},
		{"file zstd", "slices", true, []aipc.Option{aipc.WithZstd()}},
		// arrow-go writes no delta dictionaries in files.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := sets[c.set]
			data := arrowGoWrite(t, c.file, s, want, c.opts...)
			schema, got, err := readAll(data, c.file)
			if err != nil {
				t.Fatal(err)
			}
			arrowtest.CompareSchema(t, s, schema)
			if len(got) != len(want) {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			for i := range want {
				arrowtest.CompareRecord(t, fmt.Sprintf("record %d", i), want[i], got[i])
				for k, col := range got[i].Cols {
					arrowtest.CheckAligned(t, s.Field(k).Name, col)
				}
			}
			if c.file {
				// The stream inside a file reads as a stream.
				_, got, err := readAll(data, false)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%d records in the file's stream, want %d", len(got), len(want))
				}
			}
		})
	}
}

// TestReadEmpty reads a stream and a file of no records.
func TestReadEmpty(t *testing.T) {
	s := allTypesSchema()
	for _, file := range []bool{false, true} {
		schema, recs, err := readAll(arrowGoWrite(t, file, s, nil), file)
		if err != nil {
			t.Fatal(err)
		}
		if err := arrowtest.SchemaDiff(s, schema); err != nil || len(recs) != 0 {
			t.Fatalf("file %t: %v, %d records", file, err, len(recs))
		}
	}
}

// TestReadWithoutEOS reads a stream that ends without the end-of-stream
// marker, which is the end all the same.
func TestReadWithoutEOS(t *testing.T) {
	s := allTypesSchema()
	recs := []arrow.Record{buildRecord(s, 0, 10)}
	data := arrowGoWrite(t, false, s, recs)
	data = data[:len(data)-8]
	_, got, err := readAll(data, false)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v, %d records", err, len(got))
	}
	// Cut inside a message, it is an error.
	if _, _, err := readAll(data[:len(data)-3], false); err == nil || !strings.HasPrefix(err.Error(), "arrow ipc: ") {
		t.Fatalf("truncated stream: %v", err)
	}
}

func TestReadUnsupported(t *testing.T) {
	cases := []struct {
		name string
		typ  arrow.DataType
		want string
	}{
		{"union", arrow.SparseUnionOf([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}}, []arrow.UnionTypeCode{0}), `field "col.u": type union is not supported`},
		{"interval", arrow.FixedWidthTypes.MonthInterval, `field "col.u": type interval is not supported`},
		{"run-end", arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), `type run_end_encoded is not supported`},
		{"string view", arrow.BinaryTypes.StringView, `type utf8_view is not supported`},
		{"list view", arrow.ListViewOf(arrow.PrimitiveTypes.Int8), `type list_view is not supported`},
		{"decimal precision", &arrow.Decimal128Type{Precision: 40, Scale: 2}, `decimal(40, 2) has a precision outside 1 to 38`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := arrow.NewSchema([]arrow.Field{{Name: "col", Type: arrow.StructOf(arrow.Field{Name: "u", Type: c.typ, Nullable: true})}}, nil)
			b := array.NewRecordBuilder(mem, s)
			rec := b.NewRecord()
			data := arrowGoWrite(t, false, s, []arrow.Record{rec})
			_, err := ipc.NewReader(bytes.NewReader(data))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "arrow ipc: ") {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

func TestReadBigEndian(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32}}, nil)
	s = s.WithEndianness(endian.BigEndian)
	var buf bytes.Buffer
	w := aipc.NewWriter(&buf, aipc.WithSchema(s))
	w.Close()
	if _, err := ipc.NewReader(&buf); err == nil || !strings.Contains(err.Error(), "big-endian") {
		t.Fatalf("got %v, want a big-endian error", err)
	}
}

func TestReadErrors(t *testing.T) {
	s := allTypesSchema()
	stream := arrowGoWrite(t, false, s, []arrow.Record{buildRecord(s, 0, 10)})
	file := arrowGoWrite(t, true, s, []arrow.Record{buildRecord(s, 0, 10)})
	streamCases := map[string][]byte{
		"empty":           nil,
		"only EOS":        {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0},
		"short prefix":    {0xff, 0xff},
		"huge metadata":   {0xff, 0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0x7f},
		"negative":        {0xff, 0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0xff},
		"bad magic":       []byte("ARROW2\x00\x00"),
		"garbage":         []byte("hello, world, this is not arrow"),
		"schema only cut": stream[:100],
	}
	for name, data := range streamCases {
		rd, err := ipc.NewReader(bytes.NewReader(data))
		if err == nil {
			_, err = rd.Next()
		}
		if err == nil || errors.Is(err, io.EOF) || !strings.HasPrefix(err.Error(), "arrow ipc: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
	fileCases := map[string][]byte{
		"empty":         nil,
		"stream":        stream,
		"no footer":     append([]byte("ARROW1\x00\x00"), []byte("ARROW1")...),
		"cut":           file[:len(file)-1],
		"footer length": append(append([]byte{}, file[:len(file)-10]...), 0xff, 0xff, 0xff, 0x7f, 'A', 'R', 'R', 'O', 'W', '1'),
	}
	for name, data := range fileCases {
		if _, err := ipc.OpenFile(bytes.NewReader(data), int64(len(data))); err == nil || !strings.HasPrefix(err.Error(), "arrow ipc: ") {
			t.Errorf("file %s: %v", name, err)
		}
	}
	f, err := ipc.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Record(1); err == nil {
		t.Error("record 1 of 1")
	}
	if _, err := f.Record(-1); err == nil {
		t.Error("record -1")
	}
}

// TestReadHighlyCompressed reads buffers that compress far more than
// 256 times, which zstd decodes as its output grows.
func TestReadHighlyCompressed(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{{Name: "zeros", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewInt64Builder(mem)
	b.AppendValues(make([]int64, 1<<20), nil)
	rec := array.NewRecord(s, []arrow.Array{b.NewArray()}, 1<<20)
	for _, opt := range []aipc.Option{aipc.WithZstd(), aipc.WithLZ4()} {
		data := arrowGoWrite(t, false, s, []arrow.Record{rec}, opt)
		_, got, err := readAll(data, false)
		if err != nil {
			t.Fatal(err)
		}
		arrowtest.CompareRecord(t, "", rec, got[0])
		t.Logf("%d bytes for %d", len(data), 8<<20)
	}
}
