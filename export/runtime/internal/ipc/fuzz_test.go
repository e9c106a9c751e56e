package ipc_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	aipc "github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
	"github.com/quiver-ml/quiver/export/runtime/internal/ipc"
)

// validInputs are small streams and files of every kind the reader
// reads, to mutate.
func validInputs(t testing.TB) map[string][]byte {
	s := allTypesSchema()
	whole := buildRecord(s, 0, 24)
	recs := []arrow.Record{whole.NewSlice(0, 11), whole.NewSlice(11, 24)}
	grown := recordSets(s)["growing"]
	var grownCol []*columnar.Record
	for _, r := range grown {
		grownCol = append(grownCol, arrowtest.ColumnarRecord(t, r.NewSlice(0, min(r.NumRows(), 9))))
	}
	mineFile, err := writeAll(arrowtest.Schema(s), grownCol, true)
	if err != nil {
		t.Fatal(err)
	}
	mineStream, err := writeAll(arrowtest.Schema(s), []*columnar.Record{arrowtest.ColumnarRecord(t, recs[1])}, false)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"stream":        arrowGoWrite(t, false, s, recs),
		"stream lz4":    arrowGoWrite(t, false, s, recs, aipc.WithLZ4()),
		"stream zstd":   arrowGoWrite(t, false, s, recs, aipc.WithZstd()),
		"file":          arrowGoWrite(t, true, s, recs),
		"file zstd":     arrowGoWrite(t, true, s, recs[:1], aipc.WithZstd()),
		"mine file":     mineFile,
		"mine stream":   mineStream,
		"legacy stream": legacy(t, mineStream),
	}
}

// legacy rewrites a stream as Arrow before 0.15 wrote it: without the
// continuation markers.
func legacy(t testing.TB, stream []byte) []byte {
	var out []byte
	for len(stream) >= 8 {
		n := int(binary.LittleEndian.Uint32(stream[4:]))
		if n == 0 {
			break
		}
		meta := stream[8 : 8+n]
		// Message.bodyLength, field 3 of the root table.
		table := int(binary.LittleEndian.Uint32(meta))
		vt := table - int(int32(binary.LittleEndian.Uint32(meta[table:])))
		var body int
		if binary.LittleEndian.Uint16(meta[vt:]) > 10 {
			if off := int(binary.LittleEndian.Uint16(meta[vt+10:])); off != 0 {
				body = int(binary.LittleEndian.Uint64(meta[table+off:]))
			}
		}
		out = append(out, stream[4:8+n+body]...)
		stream = stream[8+n+body:]
	}
	return append(out, 0, 0, 0, 0)
}

// touch reads every value of a with columnar's accessors, as a user of
// the record would, and checks that what indexes other arrays (offsets,
// dictionary indices) stays within them.
func touch(a *columnar.Array, depth int) error {
	if depth > 100 {
		return errors.New("too deep")
	}
	t := a.Type
	if t.ID == columnar.Null {
		return nil
	}
	n := a.Len
	for i := range n {
		a.IsNull(i)
	}
	if n > 0 {
		a.Slice(n/3, n).Slice(0, (n-n/3)/2)
	}
	switch t.ID {
	case columnar.Bool:
		for i := range n {
			a.Bool(i)
		}
	case columnar.Int8, columnar.Uint8:
		columnar.Values[uint8](a)
	case columnar.Int16, columnar.Uint16, columnar.Float16:
		columnar.Values[int16](a)
	case columnar.Int32, columnar.Uint32, columnar.Float32, columnar.Date32, columnar.Time32:
		columnar.Values[int32](a)
	case columnar.Int64, columnar.Uint64, columnar.Float64, columnar.Date64, columnar.Time64, columnar.Timestamp, columnar.Duration:
		columnar.Values[float64](a)
	case columnar.Decimal128, columnar.Decimal256, columnar.FixedSizeBinary:
		if len(a.Buffers[1]) < (a.Offset+n)*t.ByteWidth() {
			return fmt.Errorf("%s buffer too short", t)
		}
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
		for i := range n {
			a.Str(i)
		}
	case columnar.List, columnar.LargeList, columnar.Map:
		for i := range n {
			if lo, hi := a.ListRange(i); lo < 0 || hi < lo || hi > a.Children[0].Len {
				return fmt.Errorf("list %d from %d to %d of %d", i, lo, hi, a.Children[0].Len)
			}
		}
		return touch(a.Children[0], depth+1)
	case columnar.FixedSizeList:
		if a.Children[0].Len < (a.Offset+n)*t.Size {
			return errors.New("fixed-size list child too short")
		}
		return touch(a.Children[0], depth+1)
	case columnar.Struct:
		for _, c := range a.Children {
			if c.Len != n {
				return errors.New("struct child of another length")
			}
			if err := touch(c, depth+1); err != nil {
				return err
			}
		}
	case columnar.Dictionary:
		for i := range n {
			if k := a.Index(i); !a.IsNull(i) && (k < 0 || k >= a.Dict.Len) {
				return fmt.Errorf("index %d of a dictionary of %d", k, a.Dict.Len)
			}
		}
		return touch(a.Dict, depth+1)
	}
	return nil
}

// checkInput reads data as a stream and as a file. Reading may fail, but
// every record it returns must be valid and its values readable.
func checkInput(data []byte) error {
	checkRecord := func(r *columnar.Record) error {
		if err := r.Validate(); err != nil {
			return err
		}
		for _, c := range r.Cols {
			if err := touch(c, 0); err != nil {
				return err
			}
			for i := range min(c.Len, 1000) {
				c.ValueString(i) // formats every nested value too
			}
		}
		return nil
	}
	errPrefix := func(err error) error {
		if err != nil && !errors.Is(err, io.EOF) && !strings.HasPrefix(err.Error(), "arrow ipc: ") {
			return fmt.Errorf("error without the prefix: %v", err)
		}
		return nil
	}
	if rd, err := ipc.NewReader(bytes.NewReader(data)); err == nil {
		for range 1000 {
			rec, err := rd.Next()
			if err != nil {
				if err := errPrefix(err); err != nil {
					return err
				}
				break
			}
			if err := checkRecord(rec); err != nil {
				return err
			}
		}
	} else if err := errPrefix(err); err != nil {
		return err
	}
	f, err := ipc.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errPrefix(err)
	}
	for i := range min(f.NumRecords(), 1000) {
		rec, err := f.Record(i)
		if err != nil {
			if err := errPrefix(err); err != nil {
				return err
			}
			continue
		}
		if err := checkRecord(rec); err != nil {
			return err
		}
	}
	return nil
}

// mutate changes data in one of a few ways: flipping bits, setting bytes
// to values that make lengths extreme, cutting it short, or dropping or
// doubling a span.
func mutate(rng *rand.Rand, data []byte) []byte {
	d := append([]byte(nil), data...)
	switch rng.IntN(6) {
	case 0, 1:
		for range 1 + rng.IntN(4) {
			d[rng.IntN(len(d))] ^= 1 << rng.IntN(8)
		}
	case 2:
		d[rng.IntN(len(d))] = []byte{0, 0xff, 0x7f, 0x80, 1, 8}[rng.IntN(6)]
	case 3:
		d = d[:rng.IntN(len(d))]
	case 4:
		i := rng.IntN(len(d))
		j := min(len(d), i+1+rng.IntN(16))
		d = append(d[:i], d[j:]...)
	case 5:
		i := rng.IntN(len(d))
		j := min(len(d), i+1+rng.IntN(16))
		d = append(d[:j], append(append([]byte(nil), d[i:j]...), d[j:]...)...)
	}
	return d
}

// TestMutations reads thousands of damaged inputs: none may panic, and
// every record read must be valid.
func TestMutations(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for name, data := range validInputs(t) {
		if err := checkInput(data); err != nil {
			t.Fatalf("%s: valid input: %v", name, err)
		}
		if _, recs, err := readAll(data, strings.Contains(name, "file")); err != nil || len(recs) == 0 {
			t.Fatalf("%s: valid input: %v, %d records", name, err, len(recs))
		}
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(data))))
			for i := range n {
				d := mutate(rng, data)
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("mutation %d panics: %v\ninput: %x", i, p, d)
						}
					}()
					if err := checkInput(d); err != nil {
						t.Fatalf("mutation %d: %v\ninput: %x", i, err, d)
					}
				}()
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	for _, data := range validInputs(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkInput(data); err != nil {
			t.Fatal(err)
		}
	})
}
