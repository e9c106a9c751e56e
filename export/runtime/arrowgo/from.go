package arrowgo

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// FromArray returns a columnar view of arr without copying: the view's
// buffers are arr's (and its children's and dictionary's), with arr's
// Offset, so arr must stay retained, and unchanged, while the view is
// used. It only adapts what the conventions of the two differ in: a
// validity bitmap of an array without nulls is left out, a struct's
// children are sliced with it, an empty array gets the buffers it lacks
// (a variable-length one, offsets of one zero), and an arrow-go null
// count not yet known is counted.
//
// It fails for a nil array, a type Type refuses, and an array whose
// buffers are too short for its length and offset, whose first or last
// offset is out of range, or which lacks a child or dictionary. It does
// not read the values, so offsets between the first and last, dictionary
// indices and UTF-8 are not checked.
func FromArray(arr arrow.Array) (*columnar.Array, error) {
	if arr == nil {
		return nil, errors.New("arrowgo: nil arrow array")
	}
	t, err := typeOf(arr.DataType(), 0)
	if err != nil {
		return nil, wrap(err)
	}
	a, err := fromData(arr.Data(), t, 0)
	return a, wrap(err)
}

// FromRecord returns a columnar view of rec without copying, as FromArray
// views each column; the columns' types are the schema's fields'. rec
// must stay retained while the view is used. A column longer than rec
// (arrow-go allows it) is sliced to rec's rows.
//
// It fails, naming the column, as Schema and FromArray do.
func FromRecord(rec arrow.Record) (*columnar.Record, error) {
	if rec == nil {
		return nil, errors.New("arrowgo: nil arrow record")
	}
	s, err := Schema(rec.Schema())
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	out := &columnar.Record{Schema: s, Len: n, Cols: make([]*columnar.Array, len(s.Fields))}
	if int(rec.NumCols()) != len(s.Fields) {
		return nil, fmt.Errorf("arrowgo: a record of %d columns for %d fields", rec.NumCols(), len(s.Fields))
	}
	for i, f := range s.Fields {
		c, err := fromData(rec.Column(i).Data(), f.Type, 0)
		if err != nil {
			return nil, fmt.Errorf("arrowgo: column %q: %w", f.Name, err)
		}
		if c.Len < n {
			return nil, fmt.Errorf("arrowgo: column %q has %d values for %d rows", f.Name, c.Len, n)
		}
		if c.Len > n {
			c = c.Slice(0, n)
		}
		out.Cols[i] = c
	}
	return out, nil
}

// fromData views d as an array of t, the columnar type of d's type.
func fromData(d arrow.ArrayData, t *columnar.Type, depth int) (*columnar.Array, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	n, off := d.Len(), d.Offset()
	if n < 0 || off < 0 || n > maxLen || off > maxLen-n {
		return nil, fmt.Errorf("%s array of length %d at offset %d", t, n, off)
	}
	a := &columnar.Array{Type: t, Len: n, Offset: off}
	if t.ID == columnar.Null {
		a.Nulls = n
		return a, nil
	}
	bufs := d.Buffers()
	buf := func(i int) []byte {
		if i < len(bufs) && bufs[i] != nil {
			return bufs[i].Bytes()
		}
		return nil
	}
	a.Buffers = make([][]byte, t.ID.NumBuffers())

	// Validity. arrow-go counts the nulls of a slice when asked, so an
	// ArrayData's count may be unknown (negative).
	bm := buf(0)
	nulls := d.NullN()
	if nulls != 0 && bm != nil && len(bm) < columnar.BitmapBytes(off+n) {
		return nil, tooShort(t, "validity", len(bm), off+n)
	}
	switch {
	case nulls < 0 && bm == nil:
		nulls = 0
	case nulls < 0:
		nulls = n - columnar.CountSet(bm, off, n)
	case nulls > n:
		return nil, fmt.Errorf("%s array of %d values with %d nulls", t, n, nulls)
	case nulls > 0 && bm == nil:
		return nil, fmt.Errorf("%s array with %d nulls and no validity bitmap", t, nulls)
	}
	if nulls > 0 {
		a.Nulls, a.Buffers[0] = nulls, bm
	}

	switch t.ID {
	case columnar.Bool:
		v := buf(1)
		if len(v) < columnar.BitmapBytes(off+n) && n > 0 {
			return nil, tooShort(t, "values", len(v), off+n)
		}
		a.Buffers[1] = nonNil(v)

	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
		lo, hi, err := offsets(a, buf(1))
		if err != nil {
			return nil, err
		}
		data := buf(2)
		if lo < 0 || hi < lo || hi > len(data) {
			return nil, fmt.Errorf("%s array of values %d to %d of %d bytes", t, lo, hi, len(data))
		}
		a.Buffers[2] = nonNil(data)

	case columnar.List, columnar.LargeList, columnar.Map:
		lo, hi, err := offsets(a, buf(1))
		if err != nil {
			return nil, err
		}
		c, err := child(d, t, 0, depth)
		if err != nil {
			return nil, err
		}
		if lo < 0 || hi < lo || hi > c.Len {
			return nil, fmt.Errorf("%s array of elements %d to %d of %d", t, lo, hi, c.Len)
		}
		a.Children = []*columnar.Array{c}

	case columnar.FixedSizeList:
		c, err := child(d, t, 0, depth)
		if err != nil {
			return nil, err
		}
		if need, ok := bytesFor(off+n, t.Size); !ok || c.Len < need {
			return nil, fmt.Errorf("%s array of %d values at offset %d with %d elements", t, n, off, c.Len)
		}
		a.Children = []*columnar.Array{c}

	case columnar.Struct:
		if len(d.Children()) != len(t.Fields) {
			return nil, fmt.Errorf("%s array with %d children", t, len(d.Children()))
		}
		a.Children = make([]*columnar.Array, len(t.Fields))
		for k := range t.Fields {
			c, err := child(d, t, k, depth)
			if err != nil {
				return nil, err
			}
			// arrow-go's struct children start where the struct's
			// buffers do; columnar's start with the struct.
			if c.Len < off+n {
				return nil, fmt.Errorf("field %q: %d values for a struct of %d at offset %d", t.Fields[k].Name, c.Len, n, off)
			}
			if off != 0 || c.Len != n {
				c = c.Slice(off, off+n)
			}
			a.Children[k] = c
		}

	case columnar.Dictionary:
		if err := fixed(a, buf(1), t.Index.ByteWidth()); err != nil {
			return nil, err
		}
		dict := d.Dictionary()
		if isNil(dict) {
			return nil, fmt.Errorf("%s array without a dictionary", t)
		}
		v, err := fromData(dict, t.Value, depth+1)
		if err != nil {
			return nil, fmt.Errorf("dictionary: %w", err)
		}
		a.Dict = v

	default:
		if err := fixed(a, buf(1), t.ByteWidth()); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// nonNil is b, or an empty slice for nil, so that an empty array's
// buffers are there to take.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func tooShort(t *columnar.Type, what string, size, values int) error {
	return fmt.Errorf("%s array with a %s buffer of %d bytes for %d values", t, what, size, values)
}

// fixed sets a's values buffer, of w bytes a value, to v.
func fixed(a *columnar.Array, v []byte, w int) error {
	if need, ok := bytesFor(a.Offset+a.Len, w); a.Len > 0 && (!ok || len(v) < need) {
		return tooShort(a.Type, "values", len(v), a.Offset+a.Len)
	}
	a.Buffers[1] = nonNil(v)
	return nil
}

// offsets sets a's offsets buffer to b and returns its first and last
// offsets. An empty array whose offsets are too short gets offsets of
// one zero, at offset 0.
func offsets(a *columnar.Array, b []byte) (lo, hi int, err error) {
	w := a.Type.OffsetWidth()
	if len(b) < (a.Offset+a.Len+1)*w {
		if a.Len > 0 {
			return 0, 0, fmt.Errorf("%s array with an offsets buffer of %d bytes for %d values", a.Type, len(b), a.Offset+a.Len)
		}
		a.Offset, b = 0, columnar.MakeAligned[byte](w)
	}
	a.Buffers[1] = b
	return a.ValueOffset(0), a.ValueOffset(a.Len), nil
}

// offsetAt is offset i of an offsets buffer of w bytes an offset.
func offsetAt(b []byte, w, i int) int {
	if w == 4 {
		return int(*(*int32)(unsafe.Pointer(&b[i*4])))
	}
	return int(*(*int64)(unsafe.Pointer(&b[i*8])))
}

// child views child k of d, whose columnar type is t.
func child(d arrow.ArrayData, t *columnar.Type, k, depth int) (*columnar.Array, error) {
	cs := d.Children()
	f := t.Fields[k]
	if k >= len(cs) || isNil(cs[k]) {
		return nil, fmt.Errorf("%s array without its child %q", t, f.Name)
	}
	c, err := fromData(cs[k], f.Type, depth+1)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", f.Name, err)
	}
	return c, nil
}

// isNil reports whether d is nil, or a nil *array.Data, as arrow-go's
// Data.Dictionary returns for no dictionary.
func isNil(d arrow.ArrayData) bool {
	p, ok := d.(*array.Data)
	return d == nil || ok && p == nil
}
