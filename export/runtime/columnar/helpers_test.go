package columnar

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCopyBits checks CopyBits against a bit-by-bit copy at every pair of
// offsets, and that it leaves dst's other bits alone.
func TestCopyBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]byte, 12)
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	for srcOff := range 17 {
		for dstOff := range 11 {
			for n := 0; srcOff+n <= 8*len(src) && n < 70; n++ {
				dst := make([]byte, 12)
				for i := range dst {
					dst[i] = 0xa5
				}
				want := append([]byte(nil), dst...)
				for i := range n {
					if Bit(src, srcOff+i) {
						SetBit(want, dstOff+i)
					} else {
						want[(dstOff+i)>>3] &^= 1 << ((dstOff + i) & 7)
					}
				}
				// src ends at the byte of its last bit read.
				CopyBits(dst, dstOff, src[:BitmapBytes(srcOff+n)], srcOff, n)
				if string(dst) != string(want) {
					t.Fatalf("CopyBits(dst@%d, src@%d, %d) = % x, want % x", dstOff, srcOff, n, dst, want)
				}
			}
		}
	}
}

func TestSetBits(t *testing.T) {
	for from := range 17 {
		for n := range 40 {
			b := make([]byte, 8)
			SetBits(b, from, n)
			for i := range 64 {
				if Bit(b, i) != (i >= from && i < from+n) {
					t.Fatalf("SetBits(%d, %d): bit %d is %t", from, n, i, Bit(b, i))
				}
			}
		}
	}
}

func TestMakeAligned(t *testing.T) {
	for n := range 20 {
		for _, b := range [][]byte{MakeAligned[uint8](n), AsBytes(MakeAligned[int32](n)), AsBytes(MakeAligned[uint16](n))} {
			if !IsAligned(b) || b == nil {
				t.Fatalf("%d values: not aligned or nil", n)
			}
		}
		if v := MakeAligned[int32](n); len(v) != n || cap(v) < n {
			t.Fatalf("MakeAligned(%d) has length %d", n, len(v))
		}
	}
	if b := AsBytes([]int64{1}); len(b) != 8 || b[0] != 1 {
		t.Errorf("AsBytes: % x", b)
	}
}

func listOf(child *Array, offsets ...int32) *Array {
	return &Array{Type: &Type{ID: List, Fields: []Field{{Name: "item", Type: child.Type}}}, Len: len(offsets) - 1,
		Buffers: [][]byte{nil, AsBytes(offsets)}, Children: []*Array{child}}
}

func TestAccessors(t *testing.T) {
	l := listOf(Float64s([]float64{1, 2, 3, 4}), 0, 1, 1, 4)
	if lo, hi := l.Slice(1, 3).ListRange(1); lo != 1 || hi != 4 {
		t.Errorf("ListRange = %d, %d", lo, hi)
	}
	if o := l.ValueOffset(3); o != 4 {
		t.Errorf("ValueOffset(3) = %d", o)
	}
	ll := &Array{Type: &Type{ID: LargeList, Fields: l.Type.Fields}, Len: 2, Offset: 1, Buffers: [][]byte{nil, AsBytes([]int64{0, 2, 3, 4})}, Children: l.Children}
	if lo, hi := ll.ListRange(1); lo != 3 || hi != 4 {
		t.Errorf("large ListRange = %d, %d", lo, hi)
	}
	fsl := &Array{Type: &Type{ID: FixedSizeList, Size: 2, Fields: l.Type.Fields}, Len: 1, Offset: 1, Buffers: [][]byte{nil}, Children: l.Children}
	if lo, hi := fsl.ListRange(0); lo != 2 || hi != 4 {
		t.Errorf("fixed-size ListRange = %d, %d", lo, hi)
	}
	ls := &Array{Type: LargeStringType, Len: 2, Buffers: [][]byte{nil, AsBytes([]int64{0, 1, 3}), []byte("abc")}}
	if ls.Str(1) != "bc" {
		t.Errorf("large string %q", ls.Str(1))
	}
	for _, c := range []struct {
		index *Type
		buf   []byte
		want  []int
	}{
		{Int8Type, AsBytes([]int8{-1, 0, 5}), []int{-1, 0, 5}},
		{Uint8Type, AsBytes([]uint8{255, 0, 5}), []int{255, 0, 5}},
		{Int16Type, AsBytes([]int16{-300, 0, 5}), []int{-300, 0, 5}},
		{Uint16Type, AsBytes([]uint16{65535, 0, 5}), []int{65535, 0, 5}},
		{Int32Type, AsBytes([]int32{-7, 0, 5}), []int{-7, 0, 5}},
		{Uint32Type, AsBytes([]uint32{1 << 31, 0, 5}), []int{1 << 31, 0, 5}},
		{Int64Type, AsBytes([]int64{-1 << 40, 0, 5}), []int{-1 << 40, 0, 5}},
		{Uint64Type, AsBytes([]uint64{1 << 63, 0, 5}), []int{-1, 0, 5}},
	} {
		d := &Array{Type: &Type{ID: Dictionary, Index: c.index, Value: Float64Type}, Len: 2, Offset: 1, Buffers: [][]byte{nil, c.buf}}
		full := &Array{Type: d.Type, Len: 3, Buffers: d.Buffers}
		if full.Index(0) != c.want[0] || d.Index(0) != c.want[1] || d.Index(1) != c.want[2] {
			t.Errorf("%s indices %d %d %d, want %v", c.index, full.Index(0), d.Index(0), d.Index(1), c.want)
		}
	}
}

func TestDecimalHugeScale(t *testing.T) {
	dec := func(v uint64, neg bool, scale int32) *Array {
		hi := uint64(0)
		if neg {
			v, hi = -v, ^uint64(0)
		}
		return &Array{Type: &Type{ID: Decimal128, Precision: 38, Scale: scale}, Len: 1, Buffers: [][]byte{nil, AsBytes([]uint64{v, hi})}}
	}
	for _, c := range []struct {
		a    *Array
		want string
	}{
		{dec(12345, false, 2147483647), "12345E-2147483647"},
		{dec(12345, true, -2147483648), "-12345E+2147483648"},
		{dec(12345, false, -100), "12345" + strings.Repeat("0", 100)},
		{dec(12345, false, -101), "12345E+101"},
		{dec(12345, false, 105), "0." + strings.Repeat("0", 100) + "12345"},
		{dec(12345, false, 106), "12345E-106"},
	} {
		if got := c.a.ValueString(0); got != c.want {
			t.Errorf("scale %d: %q, want %q", c.a.Type.Scale, got, c.want)
		}
	}
}

func TestTypeEqual(t *testing.T) {
	md := func(kv ...string) Metadata {
		var m Metadata
		for i := 0; i < len(kv); i += 2 {
			m.Keys, m.Values = append(m.Keys, kv[i]), append(m.Values, kv[i+1])
		}
		return m
	}
	list := func(f Field) *Type { return &Type{ID: List, Fields: []Field{f}} }
	item := Field{Name: "item", Type: Int32Type, Nullable: true, Metadata: md("a", "1", "b", "2")}
	dict := func(ordered bool) *Type {
		return &Type{ID: Dictionary, Index: Int16Type, Value: StringType, Ordered: ordered}
	}
	for _, c := range []struct {
		a, b         *Type
		equal, names bool // Equal, EqualIgnoringNames
	}{
		{Float64Type, &Type{ID: Float64}, true, true},
		{nil, nil, true, true},
		{nil, Float64Type, false, false},
		{&Type{ID: Timestamp, Unit: Microsecond}, &Type{ID: Timestamp, Unit: Microsecond, TimeZone: "UTC"}, false, false},
		{list(item), list(Field{Name: "item", Type: Int32Type, Nullable: true, Metadata: md("b", "2", "a", "1")}), true, true},
		{list(item), list(Field{Name: "item", Type: Int32Type, Nullable: true, Metadata: md("a", "1", "b", "3")}), false, true},
		{list(item), list(Field{Name: "element", Type: Int32Type, Nullable: true, Metadata: item.Metadata}), false, true},
		{list(item), list(Field{Name: "item", Type: Int32Type, Metadata: item.Metadata}), false, true},
		{list(item), list(Field{Name: "item", Type: Int64Type, Nullable: true, Metadata: item.Metadata}), false, false},
		{dict(false), dict(false), true, true},
		{dict(false), dict(true), false, false},
		{&Type{ID: Decimal128, Precision: 10, Scale: 2}, &Type{ID: Decimal128, Precision: 10, Scale: 3}, false, false},
	} {
		if got := c.a.Equal(c.b); got != c.equal {
			t.Errorf("%s.Equal(%s) = %t", c.a, c.b, got)
		}
		if got := c.a.EqualIgnoringNames(c.b); got != c.names {
			t.Errorf("%s.EqualIgnoringNames(%s) = %t", c.a, c.b, got)
		}
	}
	s := &Schema{Fields: []Field{item}, Metadata: md("x", "y")}
	for _, c := range []struct {
		o     *Schema
		equal bool
	}{
		{&Schema{Fields: []Field{item}}, true}, // schema metadata is not compared
		{&Schema{Fields: []Field{{Name: "item", Type: Int32Type, Nullable: true}}}, false},
		{&Schema{}, false},
		{nil, false},
	} {
		if got := s.Equal(c.o); got != c.equal {
			t.Errorf("Schema.Equal(%v) = %t", c.o, got)
		}
	}
	if (Metadata{Keys: []string{"a"}}).Equal(Metadata{Keys: []string{"a"}, Values: []string{""}}) {
		t.Error("metadata of a key without its value equals one with")
	}
	if err := (&Schema{Fields: []Field{{Name: "l", Type: list(Field{Name: "x", Type: Int8Type, Metadata: Metadata{Keys: []string{"k"}}})}}}).Validate(); err == nil || !strings.Contains(err.Error(), `field "l.x": metadata of 1 keys and 0 values`) {
		t.Errorf("schema of bad metadata: %v", err)
	}
	if got := (&Type{ID: List}).String(); got != "list<?>" {
		t.Errorf("list without a child is %q", got)
	}
}

// TestValidate breaks well-formed arrays one way each.
func TestValidate(t *testing.T) {
	v := NewValidity(4)
	v.SetNull(1)
	bm, nulls := v.Bitmap()
	ints := FromValues(Int32Type, []int32{1, 2, 3, 4}, bm, nulls)
	sb := NewStringBuilder(3)
	for _, s := range []string{"a", "bc", ""} {
		sb.Append(s)
	}
	strs := sb.Array()
	dictType := &Type{ID: Dictionary, Index: Int8Type, Value: StringType}
	dict := &Array{Type: dictType, Len: 3, Buffers: [][]byte{nil, AsBytes([]int8{2, 0, 1})}, Dict: strs}
	st := &Type{ID: Struct, Fields: []Field{{Name: "i", Type: Int32Type, Nullable: true}, {Name: "d", Type: dictType}}}
	fslType := &Type{ID: FixedSizeList, Size: 2, Fields: []Field{{Name: "item", Type: Int32Type}}}
	good := map[string]*Array{
		"ints":   ints,
		"slice":  ints.Slice(1, 3),
		"strs":   strs,
		"empty":  NewStringBuilder(0).Array(),
		"dict":   dict,
		"list":   listOf(ints, 0, 2, 2, 4),
		"struct": {Type: st, Len: 3, Buffers: [][]byte{nil}, Children: []*Array{ints.Slice(0, 3), dict}},
		"fsl":    {Type: fslType, Len: 2, Buffers: [][]byte{nil}, Children: []*Array{ints}},
		"null":   {Type: NullType, Len: 5, Nulls: 5},
	}
	for name, a := range good {
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	with := func(a *Array, f func(*Array)) *Array {
		c := *a
		c.Buffers = append([][]byte(nil), a.Buffers...)
		c.Children = append([]*Array(nil), a.Children...)
		f(&c)
		return &c
	}
	misaligned := MakeAligned[byte](20)[1:17]
	for _, c := range []struct {
		a    *Array
		want string
	}{
		{with(ints, func(a *Array) { a.Len = -1 }), "array of -1 values"},
		{with(ints, func(a *Array) { a.Nulls = 5 }), "5 nulls among 4 values"},
		{with(ints, func(a *Array) { a.Nulls = 2 }), "2 nulls, but the validity bitmap marks 1"},
		{with(ints, func(a *Array) { a.Buffers[0] = nil }), "validity bitmap of 0 bytes"},
		{with(ints, func(a *Array) { a.Offset = 1 }), "values buffer of 16 bytes for 5 values"},
		{with(ints, func(a *Array) { a.Buffers[1] = misaligned }), "not aligned to 4 bytes"},
		{with(ints, func(a *Array) { a.Buffers = a.Buffers[:1] }), "1 buffers, not 2"},
		{with(ints, func(a *Array) { a.Type = Int64Type }), "values buffer of 16 bytes for 4 values of 8 bytes"},
		{with(strs, func(a *Array) { a.Buffers[1] = AsBytes([]int32{0, 2, 1, 3}) }), "offsets fall from 2 to 1"},
		{with(strs, func(a *Array) { a.Buffers[2] = []byte("ab") }), "offset 3 past the 2 values"},
		{with(strs, func(a *Array) { a.Buffers[1] = AsBytes([]int32{-1, 0, 1, 2}) }), "offset -1 is negative"},
		{&Array{Type: StringType, Buffers: [][]byte{nil, nil, nil}}, "offsets buffer of 0 bytes for 1 offsets"},
		{with(dict, func(a *Array) { a.Buffers[1] = AsBytes([]int8{2, 3, 1}) }), "index 3 of value 1 outside a dictionary of 3"},
		{with(dict, func(a *Array) { a.Dict = nil }), "no dictionary"},
		{with(dict, func(a *Array) { a.Dict = Float64s([]float64{1, 2, 3}) }), `field "dictionary" (utf8): array of type float64`},
		{with(good["struct"], func(a *Array) { a.Children[0] = ints }), `child "i" is not 3 long`},
		{with(good["struct"], func(a *Array) { a.Children = a.Children[:1] }), "1 children for 2 fields"},
		{with(good["struct"], func(a *Array) {
			a.Children[1] = with(dict, func(a *Array) { a.Buffers[1] = AsBytes([]int8{2, -1, 1}) })
		}), `field "d" (dictionary<values=utf8, indices=int8, ordered=false>): index -1`},
		{with(good["list"], func(a *Array) { a.Children[0] = ints.Slice(0, 3) }), "offset 4 past the 3 values"},
		{with(good["list"], func(a *Array) { a.Children = nil }), "no child array"},
		{with(good["fsl"], func(a *Array) { a.Len = 3 }), "child shorter than 3 lists of 2"},
		{with(good["fsl"], func(a *Array) { a.Children[0] = Float64s(make([]float64, 4)) }), `field "item" (int32): array of type float64`},
		{&Array{Type: &Type{ID: Dictionary, Index: Float32Type, Value: StringType}, Len: 0, Buffers: [][]byte{nil, nil}}, "dictionary indices must be integers"},
		{&Array{Type: &Type{ID: List}, Buffers: [][]byte{nil, AsBytes([]int32{0})}}, "list<?> has 0 child fields"},
	} {
		err := c.a.Validate()
		var ve *ValidationError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ve) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
	// Nesting ends at the depth limit.
	deep := ints
	for range maxDepth {
		deep = &Array{Type: &Type{ID: Struct, Fields: []Field{{Name: "s", Type: deep.Type}}}, Len: deep.Len, Buffers: [][]byte{nil}, Children: []*Array{deep}}
	}
	if err := deep.Validate(); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("deep array: %v", err)
	}
	if err := good["struct"].ValidateField("col"); err != nil {
		t.Error(err)
	}
	bad := with(good["struct"], func(a *Array) { a.Children[0] = ints })
	if err := bad.ValidateField("col"); err == nil || !strings.HasPrefix(err.Error(), `columnar: field "col" (struct<`) {
		t.Errorf("ValidateField: %v", err)
	}
}

func TestRecordValidate(t *testing.T) {
	s := &Schema{Fields: []Field{{Name: "x", Type: Float64Type}}}
	f := Float64s([]float64{1, 2})
	for _, c := range []struct {
		r    *Record
		want string
	}{
		{&Record{Schema: s, Len: 2, Cols: []*Array{f}}, ""},
		{&Record{Schema: s, Len: 2}, "0 columns for 1 fields"},
		{&Record{Schema: s, Len: 3, Cols: []*Array{f}}, `column "x" has 2 values in a record of 3 rows`},
		{&Record{Schema: s, Len: 2, Cols: []*Array{FromValues(Int64Type, []int64{1, 2}, nil, 0)}}, `column "x" holds int64`},
		{&Record{Schema: s, Len: 2, Cols: []*Array{{Type: Float64Type, Len: 2, Buffers: [][]byte{nil, nil}}}}, `field "x" (float64): values buffer of 0 bytes`},
		{&Record{Schema: &Schema{Fields: s.Fields, Metadata: Metadata{Values: []string{"v"}}}, Len: 2, Cols: []*Array{f}}, "schema metadata of 0 keys and 1 values"},
		{&Record{Len: 2, Cols: []*Array{f}}, "no schema"},
	} {
		err := c.r.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

// BenchmarkRecordValidate is the cost of the deep check on the runtime's
// typical input: a million rows of 28 float64 columns, one with nulls.
func BenchmarkRecordValidate(b *testing.B) {
	const rows, cols = 1 << 20, 28
	s := &Schema{}
	r := &Record{Schema: s, Len: rows}
	for c := range cols {
		s.Fields = append(s.Fields, Field{Name: fmt.Sprint("f", c), Type: Float64Type, Nullable: true})
		var bm []byte
		nulls := 0
		if c == 0 {
			v := NewValidity(rows)
			for i := 0; i < rows; i += 10 {
				v.SetNull(i)
			}
			bm, nulls = v.Bitmap()
		}
		r.Cols = append(r.Cols, FromValues(Float64Type, make([]float64, rows), bm, nulls))
	}
	b.ResetTimer()
	for range b.N {
		if err := r.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEqualCases are the cases the parquet writer tested its own type
// and schema comparisons with.
func TestEqualCases(t *testing.T) {
	ts := func(u TimeUnit, tz string) *Type {
		return &Type{ID: Timestamp, Unit: u, TimeZone: tz}
	}
	dict := func(index, value *Type) *Type {
		return &Type{ID: Dictionary, Index: index, Value: value}
	}
	for _, c := range []struct {
		a, b  *Type
		equal bool
	}{
		{Float64Type, &Type{ID: Float64}, true},
		{Float64Type, Float32Type, false},
		{ts(Microsecond, "UTC"), ts(Microsecond, "UTC"), true},
		{ts(Microsecond, "UTC"), ts(Millisecond, "UTC"), false},
		{ts(Microsecond, "UTC"), ts(Microsecond, ""), false},
		{dict(Int32Type, StringType), dict(Int32Type, StringType), true},
		{dict(Int32Type, StringType), dict(Int8Type, StringType), false},
		{dict(Int32Type, StringType), dict(Int32Type, LargeStringType), false},
		{StringType, nil, false},
	} {
		if got := c.a.Equal(c.b); got != c.equal {
			t.Errorf("%s.Equal(%s) = %v", c.a, c.b, got)
		}
	}
	md := func(kv ...string) Metadata {
		var m Metadata
		for i := 0; i < len(kv); i += 2 {
			m.Keys, m.Values = append(m.Keys, kv[i]), append(m.Values, kv[i+1])
		}
		return m
	}
	schema := func(m Metadata) *Schema {
		return &Schema{Fields: []Field{{Name: "x", Type: Int64Type, Metadata: m}}}
	}
	for _, c := range []struct {
		a, b  Metadata
		equal bool
	}{
		{md(), md(), true},
		{md("a", "1", "b", "2"), md("b", "2", "a", "1"), true},
		{md("a", "1", "b", "2"), md("a", "2", "b", "1"), false},
		{md("a", "1"), md(), false},
		{md("a", "1"), Metadata{Keys: []string{"a"}}, false},
	} {
		if got := schema(c.a).Equal(schema(c.b)); got != c.equal {
			t.Errorf("fields with metadata %v and %v: equal = %v", c.a, c.b, got)
		}
	}
}
