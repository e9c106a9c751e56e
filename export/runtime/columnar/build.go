package columnar

import "unsafe"

// AsBytes views a slice of fixed-width values as its bytes, sharing its
// memory; an empty slice's are empty, not nil.
func AsBytes[T Native](v []T) []byte {
	if len(v) == 0 {
		return []byte{}
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(zero)))
}

// MakeAligned returns n zero values of T starting at an 8-byte-aligned
// address, as buffers should (see the package documentation), whatever
// T's own alignment; never nil.
func MakeAligned[T Native](n int) []T {
	var zero T
	words := make([]uint64, (n*int(unsafe.Sizeof(zero))+7)/8)
	if len(words) == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&words[0])), n)
}

// IsAligned reports whether b starts at an 8-byte-aligned address (or is
// empty).
func IsAligned(b []byte) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%8 == 0
}

// FromValues returns an array of type t over vals, sharing their memory;
// T must be t's Go type. validity is its bitmap (nil when no value is
// null) and nulls the number of null values it marks.
func FromValues[T Native](t *Type, vals []T, validity []byte, nulls int) *Array {
	if nulls == 0 {
		validity = nil
	}
	return &Array{Type: t, Len: len(vals), Nulls: nulls, Buffers: [][]byte{validity, AsBytes(vals)}}
}

// Float64s returns a Float64 array over vals, sharing their memory, with
// no nulls: NaN stays a value.
func Float64s(vals []float64) *Array { return FromValues(Float64Type, vals, nil, 0) }

// Validity builds a validity bitmap, all valid until SetNull.
type Validity struct {
	bits  []byte
	nulls int
}

// NewValidity returns a Validity for n values.
func NewValidity(n int) *Validity {
	v := &Validity{}
	v.grow(n)
	return v
}

// grow makes room for n values, the new ones valid.
func (v *Validity) grow(n int) {
	for len(v.bits) < BitmapBytes(n) {
		v.bits = append(v.bits, 0xff)
	}
}

// SetNull marks value i null, which must be below the number of values
// the Validity was made for.
func (v *Validity) SetNull(i int) {
	v.bits[i>>3] &^= 1 << (i & 7)
	v.nulls++
}

// Bitmap returns the bitmap, nil when no value is null, and the number
// of nulls.
func (v *Validity) Bitmap() ([]byte, int) {
	if v.nulls == 0 {
		return nil, 0
	}
	return v.bits, v.nulls
}

// StringBuilder builds a String array.
type StringBuilder struct {
	offsets []int32
	data    []byte
	valid   *Validity
	n       int
}

// NewStringBuilder returns a builder with room for n strings; it grows
// past them as needed.
func NewStringBuilder(n int) *StringBuilder {
	return &StringBuilder{offsets: make([]int32, 1, n+1), valid: NewValidity(n)}
}

// Append adds s.
func (b *StringBuilder) Append(s string) {
	b.data = append(b.data, s...)
	b.offsets = append(b.offsets, int32(len(b.data)))
	b.n++
}

// AppendNull adds a null.
func (b *StringBuilder) AppendNull() {
	b.valid.grow(b.n + 1)
	b.valid.SetNull(b.n)
	b.offsets = append(b.offsets, int32(len(b.data)))
	b.n++
}

// Array returns the strings appended.
func (b *StringBuilder) Array() *Array {
	b.valid.grow(b.n)
	bm, nulls := b.valid.Bitmap()
	if b.data == nil {
		b.data = []byte{}
	}
	return &Array{Type: StringType, Len: b.n, Nulls: nulls, Buffers: [][]byte{bm, AsBytes(b.offsets), b.data}}
}

// BoolBuilder builds a Bool array of a fixed length.
type BoolBuilder struct {
	n     int
	vals  []byte
	valid *Validity
}

// NewBoolBuilder returns a builder for n booleans, all false and valid.
func NewBoolBuilder(n int) *BoolBuilder {
	return &BoolBuilder{n: n, vals: make([]byte, BitmapBytes(n)), valid: NewValidity(n)}
}

// Set makes value i true.
func (b *BoolBuilder) Set(i int) { SetBit(b.vals, i) }

// SetNull makes value i null.
func (b *BoolBuilder) SetNull(i int) { b.valid.SetNull(i) }

// Array returns the booleans.
func (b *BoolBuilder) Array() *Array {
	bm, nulls := b.valid.Bitmap()
	return &Array{Type: BoolType, Len: b.n, Nulls: nulls, Buffers: [][]byte{bm, b.vals}}
}
