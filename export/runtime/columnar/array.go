package columnar

import (
	"fmt"
	"math"
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
	switch a.Type.ID {
	case String, Binary, LargeString, LargeBinary:
	default:
		panic("columnar: Bytes of a " + a.Type.String() + " array")
	}
	lo, hi := a.ValueOffset(i), a.ValueOffset(i+1)
	return a.Buffers[2][lo:hi:hi]
}

// load is value j of the buffer b of T values, bounds checked.
func load[T Native](b []byte, j int) T {
	var zero T
	w := int(unsafe.Sizeof(zero))
	_ = b[(j+1)*w-1]
	return *(*T)(unsafe.Pointer(&b[j*w]))
}

// sizeof is the size of a T.
func sizeof[T Native](T) uintptr {
	var zero T
	return unsafe.Sizeof(zero)
}

// unsafeAddr is the address b starts at.
func unsafeAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// view is the first n values of T in b, which holds them and is aligned
// for them.
func view[T Native](b []byte, n int) []T {
	if n == 0 {
		return nil
	}
	_ = b[n*int(sizeof(T(0)))-1]
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

// ValueOffset returns offset i, counted from Offset, of a String,
// LargeString, Binary, LargeBinary, List, LargeList or Map array: where
// value i starts in its data or child, and value i−1 ends. i may be Len.
func (a *Array) ValueOffset(i int) int {
	switch a.Type.ID {
	case String, Binary, List, Map:
		return int(load[int32](a.Buffers[1], a.Offset+i))
	case LargeString, LargeBinary, LargeList:
		return int(load[int64](a.Buffers[1], a.Offset+i))
	}
	panic("columnar: ValueOffset of a " + a.Type.String() + " array")
}

// ListRange returns where list i of a List, LargeList, Map or
// FixedSizeList array lies in its child: values lo to hi−1.
func (a *Array) ListRange(i int) (lo, hi int) {
	if a.Type.ID == FixedSizeList {
		lo = (a.Offset + i) * a.Type.Size
		return lo, lo + a.Type.Size
	}
	switch a.Type.ID {
	case List, LargeList, Map:
		return a.ValueOffset(i), a.ValueOffset(i + 1)
	}
	panic("columnar: ListRange of a " + a.Type.String() + " array")
}

// Index returns index i of a Dictionary array, whatever the integer type
// of its indices: the position of value i in Dict. An index that does not
// fit an int (a uint64 above math.MaxInt) is −1. A null's is unspecified.
// Validate checks that the indices of valid values are within Dict.
func (a *Array) Index(i int) int {
	b, j := a.Buffers[1], a.Offset+i
	switch a.Type.Index.ID {
	case Int8:
		return int(int8(b[j]))
	case Uint8:
		return int(b[j])
	case Int16:
		return int(load[int16](b, j))
	case Uint16:
		return int(load[uint16](b, j))
	case Int32:
		return int(load[int32](b, j))
	case Uint32:
		return int(load[uint32](b, j))
	case Int64:
		return int(load[int64](b, j))
	case Uint64:
		if v := load[uint64](b, j); v <= math.MaxInt {
			return int(v)
		}
		return -1
	}
	panic("columnar: Index of a " + a.Type.String() + " array")
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

// Validate checks r deeply, as a reader should before handing a record
// on and a writer before reading one: its schema (Schema.Validate), as
// many columns as fields, each of the record's length and of its field's
// type (Type.EqualIgnoringNames), and each column as Array.Validate does,
// named after its field. Its cost is a few checks per column, plus a pass
// over what it must read: validity bitmaps (counted), offsets and
// dictionary indices; not over fixed-width values.
func (r *Record) Validate() error {
	if err := r.Schema.Validate(); err != nil {
		return err
	}
	if len(r.Cols) != len(r.Schema.Fields) {
		return fmt.Errorf("columnar: %d columns for %d fields", len(r.Cols), len(r.Schema.Fields))
	}
	for i, c := range r.Cols {
		f := r.Schema.Fields[i]
		if c == nil {
			return fmt.Errorf("columnar: column %q is missing", f.Name)
		}
		if c.Len != r.Len {
			return fmt.Errorf("columnar: column %q has %d values in a record of %d rows", f.Name, c.Len, r.Len)
		}
		if !c.Type.EqualIgnoringNames(f.Type) {
			return fmt.Errorf("columnar: column %q holds %s for a field of %s", f.Name, c.Type, f.Type)
		}
		if err := c.ValidateField(f.Name); err != nil {
			return err
		}
	}
	return nil
}
