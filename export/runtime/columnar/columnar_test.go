package columnar

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCountSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 40)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	for off := range 20 {
		for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 130, 320 - off} {
			want := 0
			for i := off; i < off+n; i++ {
				if Bit(b, i) {
					want++
				}
			}
			if got := CountSet(b, off, n); got != want {
				t.Errorf("CountSet(off %d, n %d) = %d, want %d", off, n, got, want)
			}
		}
	}
}

func TestSlice(t *testing.T) {
	v := NewValidity(10)
	v.SetNull(1)
	v.SetNull(8)
	bm, nulls := v.Bitmap()
	a := FromValues(Int32Type, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, bm, nulls)
	s := a.Slice(2, 9)
	if s.Len != 7 || s.Nulls != 1 || !s.IsNull(6) || s.IsNull(0) {
		t.Fatalf("slice: len %d, nulls %d", s.Len, s.Nulls)
	}
	if got := Values[int32](s); got[0] != 2 || len(got) != 7 {
		t.Errorf("values %v", got)
	}
	if s2 := s.Slice(1, 3); s2.Nulls != 0 || s2.Buffers[0] != nil || Values[int32](s2)[1] != 4 {
		t.Errorf("slice of a slice: nulls %d, values %v", s2.Nulls, Values[int32](s2))
	}
	st := &Array{Type: &Type{ID: Struct, Fields: []Field{{Name: "x", Type: Int32Type}}}, Len: 10, Buffers: [][]byte{nil}, Children: []*Array{a}}
	if c := st.Slice(8, 10).Children[0]; c.Len != 2 || Values[int32](c)[1] != 9 || !c.IsNull(0) {
		t.Errorf("a struct's child is not sliced with it: %+v", c)
	}
	defer func() {
		if recover() == nil {
			t.Error("slicing past the end did not panic")
		}
	}()
	a.Slice(5, 11)
}

func TestBuilders(t *testing.T) {
	sb := NewStringBuilder(3)
	sb.Append("héllo")
	sb.AppendNull()
	sb.Append("")
	s := sb.Array()
	if s.Len != 3 || s.Nulls != 1 || s.Str(0) != "héllo" || !s.IsNull(1) || s.Str(2) != "" || s.IsNull(2) {
		t.Errorf("strings: %+v", s)
	}
	bb := NewBoolBuilder(3)
	bb.Set(0)
	bb.SetNull(2)
	b := bb.Array()
	if !b.Bool(0) || b.Bool(1) || !b.IsNull(2) || b.Nulls != 1 {
		t.Errorf("bools: %+v", b)
	}
	grown := NewStringBuilder(0)
	for i := range 20 {
		if i%7 == 3 {
			grown.AppendNull()
		} else {
			grown.Append("v")
		}
	}
	if g := grown.Array(); g.Len != 20 || g.Nulls != 3 || !g.IsNull(17) || g.IsNull(19) || g.Str(19) != "v" {
		t.Errorf("a builder grown past its size: %+v", g)
	}
	if f := Float64s([]float64{math.NaN()}); f.Nulls != 0 || f.IsNull(0) {
		t.Error("NaN is a value, not a null")
	}
}

// le returns the little-endian bytes of vals.
func le[T int32 | int64 | uint16 | uint64](vals ...T) []byte {
	var b []byte
	for _, v := range vals {
		b, _ = binary.Append(b, binary.LittleEndian, v)
	}
	return b
}

func TestValueString(t *testing.T) {
	strs := NewStringBuilder(2)
	strs.Append("red")
	strs.Append(`say "hi"`)
	decimal := func(lo, hi uint64, scale int32) *Array {
		return &Array{Type: &Type{ID: Decimal128, Precision: 38, Scale: scale}, Len: 1, Buffers: [][]byte{nil, le(lo, hi)}}
	}
	cases := []struct {
		name string
		a    *Array
		i    int
		want string
	}{
		{"float64", Float64s([]float64{0.1, math.NaN()}), 0, "0.1"},
		{"NaN", Float64s([]float64{0.1, math.NaN()}), 1, "NaN"},
		{"float32", FromValues(Float32Type, []float32{0.1}, nil, 0), 0, "0.1"},
		{"float16", &Array{Type: Float16Type, Len: 2, Buffers: [][]byte{nil, le[uint16](0x3c00, 0xc100)}}, 1, "-2.5"},
		{"int8", FromValues(Int8Type, []int8{-7}, nil, 0), 0, "-7"},
		{"uint64", FromValues(Uint64Type, []uint64{math.MaxUint64}, nil, 0), 0, "18446744073709551615"},
		{"bool", NewBoolBuilder(1).Array(), 0, "false"},
		{"utf8", strs.Array(), 1, `say "hi"`},
		{"binary", &Array{Type: BinaryType, Len: 1, Buffers: [][]byte{nil, le[int32](0, 3), []byte("abc")}}, 0, "YWJj"},
		{"date32", FromValues(Date32Type, []int32{19000}, nil, 0), 0, "2022-01-08"},
		{"date64", FromValues(Date64Type, []int64{86400000}, nil, 0), 0, "1970-01-02"},
		{"time64", &Array{Type: &Type{ID: Time64, Unit: Microsecond}, Len: 1, Buffers: [][]byte{nil, le[int64](3723500000)}}, 0, "01:02:03.5"},
		{"timestamp", &Array{Type: &Type{ID: Timestamp, Unit: Millisecond}, Len: 1, Buffers: [][]byte{nil, le[int64](-1)}}, 0, "1969-12-31 23:59:59.999"},
		{"timestamp UTC", &Array{Type: &Type{ID: Timestamp, Unit: Second, TimeZone: "UTC"}, Len: 1, Buffers: [][]byte{nil, le[int64](60)}}, 0, "1970-01-01 00:01:00Z"},
		{"duration", &Array{Type: &Type{ID: Duration, Unit: Nanosecond}, Len: 1, Buffers: [][]byte{nil, le[int64](42)}}, 0, "42ns"},
		{"decimal", decimal(12345, 0, 2), 0, "123.45"},
		{"decimal small", decimal(5, 0, 3), 0, "0.005"},
		{"decimal negative", decimal(math.MaxUint64, math.MaxUint64, 1), 0, "-0.1"},
		{"decimal wide", decimal(0, 1, 0), 0, "18446744073709551616"},
		{"decimal negative scale", decimal(7, 0, -2), 0, "700"},
		{"dictionary", &Array{Type: &Type{ID: Dictionary, Index: Int8Type, Value: StringType}, Len: 1, Buffers: [][]byte{nil, {1}}, Dict: strs.Array()}, 0, `say "hi"`},
		{"list", &Array{Type: &Type{ID: List, Fields: []Field{{Name: "item", Type: StringType}}}, Len: 1, Buffers: [][]byte{nil, le[int32](0, 2)}, Children: []*Array{strs.Array()}}, 0, `["red", "say \"hi\""]`},
		{"fixed_size_list", &Array{Type: &Type{ID: FixedSizeList, Size: 2, Fields: []Field{{Name: "item", Type: Float64Type}}}, Len: 2, Buffers: [][]byte{nil}, Children: []*Array{Float64s([]float64{1, 2, 3, 4})}}, 1, "[3, 4]"},
		{"struct", &Array{Type: &Type{ID: Struct, Fields: []Field{{Name: "a", Type: Int8Type}, {Name: "b", Type: StringType}}}, Len: 2, Buffers: [][]byte{nil}, Children: []*Array{FromValues(Int8Type, []int8{1, 2}, nil, 0), strs.Array()}}, 0, `{"a": 1, "b": "red"}`},
	}
	for _, c := range cases {
		if got := c.a.ValueString(c.i); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	nulls := NewValidity(1)
	nulls.SetNull(0)
	bm, n := nulls.Bitmap()
	if got := FromValues(Int64Type, []int64{5}, bm, n).ValueString(0); got != "" {
		t.Errorf("a null is %q, want empty", got)
	}
}

func TestHalfToFloat32(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 5.9604645e-08}, {0x03ff, 6.097555e-05}, {0x7c00, float32(math.Inf(1))},
	} {
		if got := HalfToFloat32(c.h); got != c.want {
			t.Errorf("%#04x: %v, want %v", c.h, got, c.want)
		}
	}
	if got := HalfToFloat32(0x7e00); got == got {
		t.Errorf("0x7e00 is %v, want NaN", got)
	}
}

func TestTypeString(t *testing.T) {
	for _, c := range []struct {
		t    *Type
		want string
	}{
		{Float64Type, "float64"},
		{&Type{ID: Timestamp, Unit: Microsecond, TimeZone: "UTC"}, "timestamp[us, tz=UTC]"},
		{&Type{ID: FixedSizeList, Size: 3, Fields: []Field{{Name: "item", Type: Float32Type, Nullable: true}}}, "fixed_size_list<item: float32, nullable>[3]"},
		{&Type{ID: Dictionary, Index: Int32Type, Value: StringType}, "dictionary<values=utf8, indices=int32, ordered=false>"},
		{&Type{ID: Decimal128, Precision: 10, Scale: 2}, "decimal(10, 2)"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
