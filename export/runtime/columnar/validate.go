package columnar

import (
	"fmt"
	"math"
)

// A ValidationError is what Validate finds wrong with an array.
type ValidationError struct {
	// Path names the array: the name given to ValidateField ("" for
	// Validate), then the names of the fields down to the faulty child,
	// joined by dots; a dictionary's values are ".dictionary".
	Path string
	Type *Type // the faulty array's type
	Msg  string
}

func (e *ValidationError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("columnar: %s array: %s", e.Type, e.Msg)
	}
	return fmt.Sprintf("columnar: field %q (%s): %s", e.Path, e.Type, e.Msg)
}

// Validate checks that a keeps the rules of the package documentation,
// down its children and dictionary, so that this package's accessors
// cannot go out of bounds or read misaligned memory on it, whatever a
// corrupt or hostile input put in it:
//
//   - Len, Offset and Nulls are not negative, and Nulls is at most Len;
//   - it has its type's buffers (ID.NumBuffers), each long enough for
//     Offset+Len values and aligned for the values read from it;
//   - when Nulls > 0, its validity bitmap marks exactly Nulls of the Len
//     values null;
//   - offsets (Len+1 of them, even when Len is 0) do not fall, and lie
//     within the data or the child;
//   - its children are as many as its type's fields, each of the
//     field's type (Type.EqualIgnoringNames); a struct's exactly as long
//     as it, a fixed_size_list's long enough for Offset+Len lists;
//   - a dictionary array has its dictionary, of the value type, and the
//     index of every valid value lies within it.
//
// The values themselves (UTF-8, NaN, dates) are not checked. The
// error, a *ValidationError, names the faulty array.
func (a *Array) Validate() error { return a.validate(a.Type, "", 0) }

// ValidateField is Validate for the array of the field name: errors
// name name, then its children's fields, "name.child".
func (a *Array) ValidateField(name string) error { return a.validate(a.Type, name, 0) }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// mulFits returns x·y and whether it fits an int; x and y are not
// negative.
func mulFits(x, y int) (int, bool) {
	if x != 0 && y > math.MaxInt/x {
		return 0, false
	}
	return x * y, true
}

// validate checks a, which should be of type t.
func (a *Array) validate(t *Type, path string, depth int) error {
	bad := func(format string, args ...any) error {
		return &ValidationError{Path: path, Type: t, Msg: fmt.Sprintf(format, args...)}
	}
	if a == nil {
		return bad("missing array")
	}
	if err := t.validate(depth); err != nil {
		return bad("%v", err)
	}
	if !a.Type.EqualIgnoringNames(t) {
		return bad("array of type %s", a.Type)
	}
	if a.Len < 0 || a.Offset < 0 || a.Offset > math.MaxInt-1-a.Len {
		return bad("array of %d values from %d", a.Len, a.Offset)
	}
	if a.Nulls < 0 || a.Nulls > a.Len {
		return bad("%d nulls among %d values", a.Nulls, a.Len)
	}
	if t.ID == Null {
		return nil
	}
	if len(a.Buffers) < t.ID.NumBuffers() {
		return bad("%d buffers, not %d", len(a.Buffers), t.ID.NumBuffers())
	}
	end := a.Offset + a.Len
	if a.Nulls > 0 {
		v := a.Buffers[0]
		if len(v) < BitmapBytes(end) {
			return bad("validity bitmap of %d bytes for %d values", len(v), end)
		}
		if n := a.Len - CountSet(v, a.Offset, a.Len); n != a.Nulls {
			return bad("%d nulls, but the validity bitmap marks %d", a.Nulls, n)
		}
	}
	child := func(c *Array, f Field, depth int) error {
		return c.validate(f.Type, join(path, f.Name), depth)
	}
	switch t.ID {
	case Bool:
		if len(a.Buffers[1]) < BitmapBytes(end) {
			return bad("bitmap of %d bytes for %d values", len(a.Buffers[1]), end)
		}
	case Struct:
		if len(a.Children) != len(t.Fields) {
			return bad("%d children for %d fields", len(a.Children), len(t.Fields))
		}
		for i, c := range a.Children {
			if c != nil && c.Len != a.Len {
				return bad("child %q is not %d long", t.Fields[i].Name, a.Len)
			}
			if err := child(c, t.Fields[i], depth+1); err != nil {
				return err
			}
		}
	case FixedSizeList:
		if len(a.Children) != 1 {
			return bad("%d children, not 1", len(a.Children))
		}
		n, ok := mulFits(end, t.Size)
		if c := a.Children[0]; c != nil && (!ok || c.Len < n) {
			return bad("child shorter than %d lists of %d", end, t.Size)
		}
		return child(a.Children[0], t.Fields[0], depth+1)
	case String, Binary, LargeString, LargeBinary, List, LargeList, Map:
		var limit int
		if t.ID == List || t.ID == LargeList || t.ID == Map {
			if len(a.Children) != 1 || a.Children[0] == nil {
				return bad("no child array")
			}
			limit = a.Children[0].Len
		} else {
			limit = len(a.Buffers[2])
		}
		var err error
		if t.OffsetWidth() == 8 {
			err = checkOffsets[int64](a.Buffers[1], a.Offset, end, limit)
		} else {
			err = checkOffsets[int32](a.Buffers[1], a.Offset, end, limit)
		}
		if err != nil {
			return bad("%v", err)
		}
		if len(a.Children) == 1 {
			return child(a.Children[0], t.Fields[0], depth+1)
		}
	default: // fixed width, and dictionary indices
		w := t.ByteWidth()
		if w <= 0 && t.ID != FixedSizeBinary {
			return bad("no byte width")
		}
		v := a.Buffers[1]
		if n, ok := mulFits(end, w); !ok || len(v) < n {
			return bad("values buffer of %d bytes for %d values of %d bytes", len(v), end, w)
		}
		if align := min(w, 8); t.ID != FixedSizeBinary && !alignedTo(v, align) {
			return bad("values buffer not aligned to %d bytes", align)
		}
		if t.ID == Dictionary {
			if a.Dict == nil {
				return bad("no dictionary")
			}
			if err := a.Dict.validate(t.Value, join(path, "dictionary"), depth+1); err != nil {
				return err
			}
			if err := a.checkIndices(); err != nil {
				return bad("%v", err)
			}
		}
	}
	return nil
}

// alignedTo reports whether b starts at a multiple of align bytes.
func alignedTo(b []byte, align int) bool {
	return len(b) == 0 || uintptr(unsafeAddr(b))%uintptr(align) == 0
}

// checkOffsets checks that the offsets from..to (inclusive) of the buffer
// b rise from 0 or more to limit or less.
func checkOffsets[T int32 | int64](b []byte, from, to, limit int) error {
	var zero T
	w := int(sizeof(zero))
	if n, ok := mulFits(to+1, w); !ok || len(b) < n {
		return fmt.Errorf("offsets buffer of %d bytes for %d offsets", len(b), to+1)
	}
	if !alignedTo(b, w) {
		return fmt.Errorf("offsets buffer not aligned to %d bytes", w)
	}
	off := view[T](b, to+1)
	prev := off[from]
	if prev < 0 {
		return fmt.Errorf("offset %d is negative", prev)
	}
	for _, o := range off[from+1:] {
		if o < prev {
			return fmt.Errorf("offsets fall from %d to %d", prev, o)
		}
		prev = o
	}
	if int64(prev) > int64(limit) {
		return fmt.Errorf("offset %d past the %d values", prev, limit)
	}
	return nil
}

// checkIndices checks that a dictionary array's valid indices lie within
// its dictionary; its buffers were checked.
func (a *Array) checkIndices() error {
	switch a.Type.Index.ID {
	case Int8:
		return indicesIn(a, Values[int8](a))
	case Uint8:
		return indicesIn(a, Values[uint8](a))
	case Int16:
		return indicesIn(a, Values[int16](a))
	case Uint16:
		return indicesIn(a, Values[uint16](a))
	case Int32:
		return indicesIn(a, Values[int32](a))
	case Uint32:
		return indicesIn(a, Values[uint32](a))
	case Int64:
		return indicesIn(a, Values[int64](a))
	}
	return indicesIn(a, Values[uint64](a))
}

func indicesIn[T Native](a *Array, idx []T) error {
	n := uint64(a.Dict.Len)
	for i, v := range idx {
		if (v < 0 || uint64(v) >= n) && !a.IsNull(i) {
			return fmt.Errorf("index %v of value %d outside a dictionary of %d", v, i, n)
		}
	}
	return nil
}
