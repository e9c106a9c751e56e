package columnar

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// Array is a column of Len values of Type in the Arrow layout; see the
// package documentation for its buffers.
type Array struct {
	Type *Type
	Len  int
	// Offset is the index of the first value in the buffers.
	Offset int
	// Nulls is the number of null values among the Len.
	Nulls    int
	Buffers  [][]byte
	Children []*Array
	// Dict is a Dictionary array's values.
	Dict *Array
}

// IsNull reports whether value i is null.
func (a *Array) IsNull(i int) bool {
	if a.Type.ID == Null {
		return true
	}
	if a.Nulls == 0 || len(a.Buffers) == 0 || a.Buffers[0] == nil {
		return false
	}
	return !Bit(a.Buffers[0], a.Offset+i)
}

// Slice returns values i to j−1 of a, sharing its memory. It panics when
// the range is outside the array, as slicing a Go slice does.
func (a *Array) Slice(i, j int) *Array {
	if i < 0 || j < i || j > a.Len {
		panic(fmt.Sprintf("columnar: slice [%d:%d] of an array of %d", i, j, a.Len))
	}
	s := *a
	s.Offset, s.Len = a.Offset+i, j-i
	switch {
	case a.Type.ID == Null:
		s.Nulls = s.Len
	case a.Nulls == 0 || len(a.Buffers) == 0 || a.Buffers[0] == nil:
		s.Nulls = 0
	default:
		s.Nulls = s.Len - CountSet(a.Buffers[0], s.Offset, s.Len)
	}
	if s.Nulls == 0 && len(a.Buffers) > 0 && a.Buffers[0] != nil {
		s.Buffers = append([][]byte{nil}, a.Buffers[1:]...)
	}
	if a.Type.ID == Struct {
		s.Children = make([]*Array, len(a.Children))
		for k, c := range a.Children {
			s.Children[k] = c.Slice(i, j)
		}
	}
	return &s
}

// Native is the Go types of fixed-width Arrow values.
type Native interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Values returns the values buffer of a fixed-width array (or a
// Dictionary's indices) as a slice of T, from Offset, Len long. T must be
// the Go type of a's values, such as float64 for Float64 or int32 for
// Date32; Values panics when the buffer is too short for that.
func Values[T Native](a *Array) []T {
	if a.Len == 0 {
		return nil
	}
	b := a.Buffers[1]
	var zero T
	w := int(unsafe.Sizeof(zero))
	if len(b) < (a.Offset+a.Len)*w {
		panic(fmt.Sprintf("columnar: %s values buffer of %d bytes for %d values", a.Type, len(b), a.Offset+a.Len))
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), a.Offset+a.Len)[a.Offset:]
}

// Bool returns value i of a Bool array; a null's value is unspecified.
func (a *Array) Bool(i int) bool { return Bit(a.Buffers[1], a.Offset+i) }

// Bytes returns value i of a String, LargeString, Binary or LargeBinary
// array, sharing its memory; a null's is empty.
func (a *Array) Bytes(i int) []byte {
	var lo, hi int
	switch a.Type.ID {
	case String, Binary:
		off := unsafe.Slice((*int32)(unsafe.Pointer(&a.Buffers[1][0])), len(a.Buffers[1])/4)
		lo, hi = int(off[a.Offset+i]), int(off[a.Offset+i+1])
	case LargeString, LargeBinary:
		off := unsafe.Slice((*int64)(unsafe.Pointer(&a.Buffers[1][0])), len(a.Buffers[1])/8)
		lo, hi = int(off[a.Offset+i]), int(off[a.Offset+i+1])
	default:
		panic("columnar: Bytes of a " + a.Type.String() + " array")
	}
	return a.Buffers[2][lo:hi:hi]
}

// Str returns value i of a String, LargeString, Binary or LargeBinary
// array as a string (a copy).
func (a *Array) Str(i int) string { return string(a.Bytes(i)) }

// Record is a table: columns of equal length under a schema.
type Record struct {
	Schema *Schema
	Len    int
	Cols   []*Array
}

// Slice returns rows i to j−1 of r, sharing its memory.
func (r *Record) Slice(i, j int) *Record {
	s := &Record{Schema: r.Schema, Len: j - i, Cols: make([]*Array, len(r.Cols))}
	for k, c := range r.Cols {
		s.Cols[k] = c.Slice(i, j)
	}
	return s
}

// Validate checks that r's columns match its schema in number, type ID
// and length, as a reader should before handing a record on.
func (r *Record) Validate() error {
	if len(r.Cols) != len(r.Schema.Fields) {
		return fmt.Errorf("columnar: %d columns for %d fields", len(r.Cols), len(r.Schema.Fields))
	}
	for i, c := range r.Cols {
		f := r.Schema.Fields[i]
		if c.Len != r.Len {
			return fmt.Errorf("columnar: column %q has %d values in a record of %d rows", f.Name, c.Len, r.Len)
		}
		if c.Type.ID != f.Type.ID {
			return fmt.Errorf("columnar: column %q holds %s for a field of %s", f.Name, c.Type, f.Type)
		}
	}
	return nil
}

// Bit reports whether bit i of the bitmap b is set.
func Bit(b []byte, i int) bool { return b[i>>3]&(1<<(i&7)) != 0 }

// SetBit sets bit i of the bitmap b.
func SetBit(b []byte, i int) { b[i>>3] |= 1 << (i & 7) }

// BitmapBytes is the number of bytes a bitmap of n bits takes.
func BitmapBytes(n int) int { return (n + 7) / 8 }

// CountSet counts the set bits among bits off to off+n−1 of b.
func CountSet(b []byte, off, n int) int {
	count := 0
	i, end := off, off+n
	for ; i < end && i&7 != 0; i++ {
		if Bit(b, i) {
			count++
		}
	}
	for ; i+64 <= end; i += 64 {
		w := b[i>>3 : i>>3+8]
		count += bits.OnesCount64(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56)
	}
	for ; i+8 <= end; i += 8 {
		count += bits.OnesCount8(b[i>>3])
	}
	for ; i < end; i++ {
		if Bit(b, i) {
			count++
		}
	}
	return count
}
