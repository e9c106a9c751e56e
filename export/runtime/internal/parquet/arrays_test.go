package parquet

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// TestCopyBits checks copyBits against a bit-by-bit copy at every offset,
// from a source no longer than the bits it holds, so that it must not
// read past them.
func TestCopyBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for off := range 70 {
		for n := range 150 {
			src := make([]byte, columnar.BitmapBytes(off+n))
			for i := range src {
				src[i] = byte(rng.Uint32())
			}
			dst := make([]byte, columnar.BitmapBytes(n))
			for i := range dst {
				dst[i] = 0xa5 // copyBits must overwrite, not OR into, dst
			}
			copyBits(dst, src, off, n)
			for i := range 8 * len(dst) {
				if want := i < n && columnar.Bit(src, off+i); columnar.Bit(dst, i) != want {
					t.Fatalf("offset %d, %d bits: bit %d is %v, want %v", off, n, i, !want, want)
				}
			}
		}
	}
}

func TestSetBits(t *testing.T) {
	for from := range 40 {
		for n := range 90 {
			b := make([]byte, columnar.BitmapBytes(from+n)+1)
			setBits(b, from, n)
			for i := range 8 * len(b) {
				if want := i >= from && i < from+n; columnar.Bit(b, i) != want {
					t.Fatalf("from %d, %d bits: bit %d is %v", from, n, i, !want)
				}
			}
		}
	}
}

func TestAligned(t *testing.T) {
	for n := range 40 {
		for _, b := range [][]byte{aligned[uint8](n), asBytes(aligned[int32](n)), asBytes(aligned[uint16](n))} {
			if len(b) > 0 && uintptr(unsafe.Pointer(&b[0]))%8 != 0 {
				t.Fatalf("%d values at %p", n, &b[0])
			}
		}
		if v := aligned[int32](n); len(v) != n || cap(v) < n {
			t.Fatalf("aligned(%d) has length %d", n, len(v))
		}
	}
}

func TestTypeEqual(t *testing.T) {
	ts := func(u columnar.TimeUnit, tz string) *columnar.Type {
		return &columnar.Type{ID: columnar.Timestamp, Unit: u, TimeZone: tz}
	}
	dict := func(index, value *columnar.Type) *columnar.Type {
		return &columnar.Type{ID: columnar.Dictionary, Index: index, Value: value}
	}
	for _, c := range []struct {
		a, b  *columnar.Type
		equal bool
	}{
		{columnar.Float64Type, &columnar.Type{ID: columnar.Float64}, true},
		{columnar.Float64Type, columnar.Float32Type, false},
		{ts(columnar.Microsecond, "UTC"), ts(columnar.Microsecond, "UTC"), true},
		{ts(columnar.Microsecond, "UTC"), ts(columnar.Millisecond, "UTC"), false},
		{ts(columnar.Microsecond, "UTC"), ts(columnar.Microsecond, ""), false},
		{dict(columnar.Int32Type, columnar.StringType), dict(columnar.Int32Type, columnar.StringType), true},
		{dict(columnar.Int32Type, columnar.StringType), dict(columnar.Int8Type, columnar.StringType), false},
		{dict(columnar.Int32Type, columnar.StringType), dict(columnar.Int32Type, columnar.LargeStringType), false},
		{columnar.StringType, nil, false},
	} {
		if got := typeEqual(c.a, c.b); got != c.equal {
			t.Errorf("typeEqual(%s, %s) = %v", c.a, c.b, got)
		}
	}
	md := func(kv ...string) columnar.Metadata {
		var m columnar.Metadata
		for i := 0; i < len(kv); i += 2 {
			m.Keys, m.Values = append(m.Keys, kv[i]), append(m.Values, kv[i+1])
		}
		return m
	}
	schema := func(m columnar.Metadata) *columnar.Schema {
		return &columnar.Schema{Fields: []columnar.Field{{Name: "x", Type: columnar.Int64Type, Metadata: m}}}
	}
	for _, c := range []struct {
		a, b  columnar.Metadata
		equal bool
	}{
		{md(), md(), true},
		{md("a", "1", "b", "2"), md("b", "2", "a", "1"), true},
		{md("a", "1", "b", "2"), md("a", "2", "b", "1"), false},
		{md("a", "1"), md(), false},
		{md("a", "1"), columnar.Metadata{Keys: []string{"a"}}, false},
	} {
		if got := schemaEqual(schema(c.a), schema(c.b)); got != c.equal {
			t.Errorf("fields with metadata %v and %v: equal = %v", c.a, c.b, got)
		}
	}
}
