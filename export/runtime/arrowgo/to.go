package arrowgo

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// ToArray copies a into an arrow-go array whose buffers come from mem
// (memory.DefaultAllocator when nil), to hand to code that speaks arrow-go
// or to export through the C Data Interface with memory from a C
// allocator. The caller releases the result.
//
// The copy is rebased: it holds only a's values, at offset 0, whatever
// a's Offset, so a slice copies only its rows. Offsets are rebased to
// start at 0, a list's or map's child is copied from its first element
// to its last, a fixed_size_list's from its first row's elements, a
// dictionary is copied whole, and an array without nulls gets no
// validity bitmap.
//
// It fails, naming the field or dictionary it was reading, for a nil
// array, a type DataType refuses, and a malformed array: a negative
// length, offset or null count, a null count that its validity bitmap
// does not bear out, a buffer too short for its length and offset,
// offsets that fall or point past their data or child, a missing child
// or dictionary, a child whose type does not match its field's, or a
// dictionary index out of range. It reads a's buffers only where its
// length and offset say, checking their sizes first, so it does not
// panic on such arrays.
func ToArray(a *columnar.Array, mem memory.Allocator) (arrow.Array, error) {
	if a == nil {
		return nil, errors.New("arrowgo: nil columnar array")
	}
	dt, err := dataType(a.Type, 0)
	if err != nil {
		return nil, wrap(err)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	d, err := toData(mem, a, a.Type, dt, 0, a.Len, 0)
	if err != nil {
		return nil, wrap(err)
	}
	defer d.Release()
	return array.MakeFromData(d), nil
}

// ToRecord copies rec into an arrow-go record whose buffers come from mem
// (memory.DefaultAllocator when nil), each column as ToArray copies it,
// under the schema ArrowSchema returns for rec's. The caller releases the
// result.
//
// It fails as ArrowSchema and ToArray do, naming the column, and for a
// nil record or schema, a record with a negative length, or with another
// number of columns than fields, a missing column, or a column of another
// length than the record's.
func ToRecord(rec *columnar.Record, mem memory.Allocator) (arrow.Record, error) {
	if rec == nil || rec.Schema == nil {
		return nil, errors.New("arrowgo: nil columnar record or schema")
	}
	schema, err := ArrowSchema(rec.Schema)
	if err != nil {
		return nil, err
	}
	if rec.Len < 0 {
		return nil, fmt.Errorf("arrowgo: record of %d rows", rec.Len)
	}
	if len(rec.Cols) != len(rec.Schema.Fields) {
		return nil, fmt.Errorf("arrowgo: record of %d columns for %d fields", len(rec.Cols), len(rec.Schema.Fields))
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	cols := make([]arrow.Array, 0, len(rec.Cols))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, f := range rec.Schema.Fields {
		c := rec.Cols[i]
		switch {
		case c == nil:
			return nil, fmt.Errorf("arrowgo: column %q is missing", f.Name)
		case c.Len != rec.Len:
			return nil, fmt.Errorf("arrowgo: column %q has %d values for %d rows", f.Name, c.Len, rec.Len)
		}
		d, err := toData(mem, c, f.Type, schema.Field(i).Type, 0, c.Len, 0)
		if err != nil {
			return nil, fmt.Errorf("arrowgo: column %q: %w", f.Name, err)
		}
		cols = append(cols, array.MakeFromData(d))
		d.Release()
	}
	return array.NewRecord(schema, cols, int64(rec.Len)), nil
}

// toData copies rows off to off+n−1 of a, an array of type t (or one of
// the same layout), into memory from mem, as an array of dt, t's arrow-go
// type.
func toData(mem memory.Allocator, a *columnar.Array, t *columnar.Type, dt arrow.DataType, off, n, depth int) (_ *array.Data, err error) {
	switch {
	case depth > maxDepth:
		return nil, errDepth
	case a == nil:
		return nil, fmt.Errorf("nil %s array", t)
	case !a.Type.EqualIgnoringNames(t):
		return nil, fmt.Errorf("%s array for a field of %s", a.Type, t)
	case a.Len < 0 || a.Offset < 0 || a.Len > maxLen || a.Offset > maxLen-a.Len:
		return nil, fmt.Errorf("%s array of length %d at offset %d", t, a.Len, a.Offset)
	case a.Nulls < 0 || a.Nulls > a.Len:
		return nil, fmt.Errorf("%s array of %d values with %d nulls", t, a.Len, a.Nulls)
	case off < 0 || n < 0 || off > a.Len-n:
		return nil, fmt.Errorf("%s array of %d values read at %d to %d", t, a.Len, off, off+n)
	}
	if t.ID == columnar.Null {
		return array.NewData(dt, n, []*memory.Buffer{nil}, nil, n, 0), nil
	}
	start := a.Offset + off
	src := func(i int) []byte {
		if i < len(a.Buffers) {
			return a.Buffers[i]
		}
		return nil
	}

	// The buffers and children made so far, released when done: on
	// success, NewData holds its own references.
	bufs := make([]*memory.Buffer, t.ID.NumBuffers())
	var kids []arrow.ArrayData
	var dict *array.Data
	defer func() {
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
		for _, k := range kids {
			k.Release()
		}
		if dict != nil {
			dict.Release()
		}
	}()
	alloc := func(i, size int) []byte {
		b := memory.NewResizableBuffer(mem)
		b.Resize(size)
		bufs[i] = b
		return b.Bytes()
	}

	// Validity: a's nulls count only when it says it has some.
	nulls := 0
	if a.Nulls > 0 && n > 0 {
		bm := src(0)
		if len(bm) < columnar.BitmapBytes(start+n) {
			return nil, tooShort(t, "validity", len(bm), start+n)
		}
		nulls = n - columnar.CountSet(bm, start, n)
		if off == 0 && n == a.Len && nulls != a.Nulls {
			return nil, fmt.Errorf("%s array of %d nulls whose validity bitmap has %d", t, a.Nulls, nulls)
		}
		if nulls > 0 {
			dst := alloc(0, columnar.BitmapBytes(n))
			clear(dst)
			columnar.CopyBits(dst, 0, bm, start, n)
		}
	}

	switch t.ID {
	case columnar.Bool:
		v := src(1)
		if n > 0 && len(v) < columnar.BitmapBytes(start+n) {
			return nil, tooShort(t, "values", len(v), start+n)
		}
		dst := alloc(1, columnar.BitmapBytes(n))
		clear(dst)
		if n > 0 {
			columnar.CopyBits(dst, 0, v, start, n)
		}

	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
		lo, hi, err := rebase(t, src(1), start, n, alloc)
		if err != nil {
			return nil, err
		}
		data := src(2)
		if hi > len(data) {
			return nil, fmt.Errorf("%s array of values to byte %d of %d", t, hi, len(data))
		}
		copy(alloc(2, hi-lo), data[lo:hi])

	case columnar.List, columnar.LargeList, columnar.Map:
		lo, hi, err := rebase(t, src(1), start, n, alloc)
		if err != nil {
			return nil, err
		}
		if lo == hi {
			lo, hi = 0, 0 // read nothing, from a child that may be missing
		}
		c, err := childOf(a, t, 0, lo == hi)
		if err != nil {
			return nil, err
		}
		if hi > c.Len {
			return nil, fmt.Errorf("%s array of elements to %d of %d", t, hi, c.Len)
		}
		kd, err := toChild(mem, c, t.Fields[0], elemType(dt), lo, hi-lo, depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, kd)

	case columnar.FixedSizeList:
		lo, okLo := bytesFor(start, t.Size)
		count, okCount := bytesFor(n, t.Size)
		if count == 0 {
			lo = 0 // read nothing, from a child that may be missing
		}
		c, err := childOf(a, t, 0, count == 0)
		if err != nil {
			return nil, err
		}
		if !okLo || !okCount || lo > c.Len-count {
			return nil, fmt.Errorf("%s array of %d values at offset %d with %d elements", t, n, start, c.Len)
		}
		kd, err := toChild(mem, c, t.Fields[0], elemType(dt), lo, count, depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, kd)

	case columnar.Struct:
		if len(a.Children) != len(t.Fields) && n > 0 {
			return nil, fmt.Errorf("%s array of %d children", t, len(a.Children))
		}
		afs := dt.(*arrow.StructType).Fields()
		for k, f := range t.Fields {
			c, err := childOf(a, t, k, n == 0)
			if err != nil {
				return nil, err
			}
			// The children are sliced with the struct.
			if c.Len < off+n {
				return nil, fmt.Errorf("field %q: %d values for a struct of %d", f.Name, c.Len, a.Len)
			}
			kd, err := toChild(mem, c, f, afs[k].Type, off, n, depth)
			if err != nil {
				return nil, err
			}
			kids = append(kids, kd)
		}

	case columnar.Dictionary:
		w := t.Index.ByteWidth()
		if err := copyFixed(t, src(1), start, n, w, alloc); err != nil {
			return nil, err
		}
		v := a.Dict
		if v == nil {
			if n > 0 {
				return nil, fmt.Errorf("%s array without a dictionary", t)
			}
			v = &columnar.Array{Type: t.Value}
		}
		if v.Len < 0 {
			return nil, fmt.Errorf("dictionary of length %d", v.Len)
		}
		dict, err = toData(mem, v, t.Value, dt.(*arrow.DictionaryType).ValueType, 0, v.Len, depth+1)
		if err != nil {
			return nil, fmt.Errorf("dictionary: %w", err)
		}
		var valid []byte
		if bufs[0] != nil {
			valid = bufs[0].Bytes()
		}
		if err := checkIndices(t.Index.ID, bufs[1].Bytes(), valid, n, v.Len); err != nil {
			return nil, err
		}
		return array.NewDataWithDictionary(dt, n, bufs, nulls, 0, dict), nil

	default:
		if err := copyFixed(t, src(1), start, n, t.ByteWidth(), alloc); err != nil {
			return nil, err
		}
	}
	return array.NewData(dt, n, bufs, kids, nulls, 0), nil
}

// toChild copies rows off to off+n−1 of c, the child of field f, whose
// arrow-go type is dt.
func toChild(mem memory.Allocator, c *columnar.Array, f columnar.Field, dt arrow.DataType, off, n, depth int) (*array.Data, error) {
	d, err := toData(mem, c, f.Type, dt, off, n, depth+1)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", f.Name, err)
	}
	return d, nil
}

// elemType is the type of the elements of dt, a list, large_list,
// fixed_size_list or map type; a map's is its entries' struct.
func elemType(dt arrow.DataType) arrow.DataType { return dt.(arrow.ListLikeType).Elem() }

// childOf is a's child k, of t's field k; an empty array of the field's
// type when a lacks it and none of its values are read.
func childOf(a *columnar.Array, t *columnar.Type, k int, empty bool) (*columnar.Array, error) {
	if k < len(a.Children) && a.Children[k] != nil {
		return a.Children[k], nil
	}
	if empty {
		return &columnar.Array{Type: t.Fields[k].Type}, nil
	}
	return nil, fmt.Errorf("%s array without its child %q", t, t.Fields[k].Name)
}

// maxLen bounds an array's offset plus length, far above any array's, so
// that its bytes at up to 64 a value can be counted in an int; wider
// values, of a fixed_size_binary or a fixed_size_list, are counted with
// bytesFor.
const maxLen = math.MaxInt / 64

// bytesFor is count·w, and false when that overflows.
func bytesFor(count, w int) (int, bool) {
	if w > 0 && count > math.MaxInt/w {
		return 0, false
	}
	return count * w, true
}

// copyFixed copies values start to start+n−1, of w bytes each, from v to
// buffer 1.
func copyFixed(t *columnar.Type, v []byte, start, n, w int, alloc func(i, size int) []byte) error {
	lo, ok1 := bytesFor(start, w)
	size, ok2 := bytesFor(n, w)
	if n > 0 && (!ok1 || !ok2 || lo > len(v)-size) {
		return tooShort(t, "values", len(v), start+n)
	}
	copy(alloc(1, size), v[lo:lo+size])
	return nil
}

// rebase copies offsets start to start+n of a variable-length or list
// array of t from src to buffer 1, less the first, and returns the first
// and last. It fails when src is too short, or the offsets are negative
// or fall.
func rebase(t *columnar.Type, src []byte, start, n int, alloc func(i, size int) []byte) (lo, hi int, err error) {
	w := t.OffsetWidth()
	if n == 0 {
		clear(alloc(1, w))
		return 0, 0, nil
	}
	if end, ok := bytesFor(start+n+1, w); !ok || len(src) < end {
		return 0, 0, fmt.Errorf("%s array with an offsets buffer of %d bytes for %d values", t, len(src), start+n)
	}
	dst := alloc(1, (n+1)*w)
	lo = offsetAt(src, w, start)
	if lo < 0 {
		return 0, 0, fmt.Errorf("%s array with offset %d", t, lo)
	}
	hi = lo
	for i := 0; i <= n; i++ {
		v := offsetAt(src, w, start+i)
		if v < hi {
			return 0, 0, fmt.Errorf("%s array whose offsets fall from %d to %d at value %d", t, hi, v, i)
		}
		hi = v
		if w == 4 {
			*(*int32)(unsafe.Pointer(&dst[i*4])) = int32(v - lo)
		} else {
			*(*int64)(unsafe.Pointer(&dst[i*8])) = int64(v - lo)
		}
	}
	return lo, hi, nil
}

// checkIndices checks that the n dictionary indices idx, of the integer
// type id, that valid (nil for all) marks valid index a dictionary of
// size values.
func checkIndices(id columnar.ID, idx, valid []byte, n, size int) error {
	switch id {
	case columnar.Int8:
		return indicesIn[int8](idx, valid, n, size)
	case columnar.Int16:
		return indicesIn[int16](idx, valid, n, size)
	case columnar.Int32:
		return indicesIn[int32](idx, valid, n, size)
	case columnar.Int64:
		return indicesIn[int64](idx, valid, n, size)
	case columnar.Uint8:
		return indicesIn[uint8](idx, valid, n, size)
	case columnar.Uint16:
		return indicesIn[uint16](idx, valid, n, size)
	case columnar.Uint32:
		return indicesIn[uint32](idx, valid, n, size)
	}
	return indicesIn[uint64](idx, valid, n, size)
}

func indicesIn[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](idx, valid []byte, n, size int) error {
	if n == 0 {
		return nil
	}
	for i, v := range unsafe.Slice((*T)(unsafe.Pointer(&idx[0])), n) {
		if (v < 0 || uint64(v) >= uint64(size)) && (valid == nil || columnar.Bit(valid, i)) {
			return fmt.Errorf("dictionary index %d at row %d out of range for %d values", v, i, size)
		}
	}
	return nil
}
