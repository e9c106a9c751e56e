package ipc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// maxLen bounds array lengths and offsets, so that a length times a byte
// width of up to 2³¹ cannot overflow an int.
const maxLen = math.MaxInt >> 32

// alignedBytes returns n zero bytes starting at an 8-aligned address, as
// columnar.Values needs of a buffer.
func alignedBytes(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), len(w)*8)[:n:n]
}

// aligned reports whether b starts at a multiple of align.
func aligned(b []byte, align uintptr) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%align == 0
}

// ints views the first n values of b as integers of T, copying b first
// when it is not aligned for them.
func ints[T int32 | int64](b []byte, n int) []T {
	if n == 0 {
		return nil
	}
	var zero T
	size := int(unsafe.Sizeof(zero))
	if !aligned(b, uintptr(size)) {
		c := alignedBytes(n * size)
		copy(c, b)
		b = c
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// needBuffers is how many buffers an array of type t has; its children
// are separate.
func needBuffers(t *columnar.Type) int {
	switch t.ID {
	case columnar.Null:
		return 0
	case columnar.Struct, columnar.FixedSizeList:
		return 1
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
		return 3
	}
	return 2
}

// isLarge reports whether t has int64 offsets.
func isLarge(t *columnar.Type) bool {
	return t.ID == columnar.LargeString || t.ID == columnar.LargeBinary || t.ID == columnar.LargeList
}

// hasOffsets reports whether t's Buffers[1] holds offsets.
func hasOffsets(t *columnar.Type) bool {
	switch t.ID {
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary,
		columnar.List, columnar.LargeList, columnar.Map:
		return true
	}
	return false
}

// mulFits returns a·b and whether it is at most maxLen; a and b are
// not negative.
func mulFits(a, b int) (int, bool) {
	if a != 0 && b > maxLen/a {
		return 0, false
	}
	return a * b, a*b <= maxLen
}

// checkLevel checks that the buffers of a, an array of type t, hold its
// values from Offset to Offset+Len, so that reading or writing them
// cannot go out of bounds: lengths, offsets that rise within the data or
// child, struct children as long as a, dictionary indices within the
// dictionary. Its children and dictionary are checked apart.
func checkLevel(a *columnar.Array, t *columnar.Type, path string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("arrow ipc: field %q (%s): %s", path, t, fmt.Sprintf(format, args...))
	}
	if a == nil {
		return bad("missing array")
	}
	if !sameType(a.Type, t) { // so that a.Type can be used in place of t
		return bad("array of type %s", a.Type)
	}
	if a.Len < 0 || a.Offset < 0 || a.Len > maxLen || a.Offset > maxLen-a.Len {
		return bad("array of %d values from %d", a.Len, a.Offset)
	}
	if a.Nulls < 0 || a.Nulls > a.Len {
		return bad("%d nulls among %d values", a.Nulls, a.Len)
	}
	end := a.Offset + a.Len
	if t.ID == columnar.Null {
		return nil
	}
	if len(a.Buffers) < needBuffers(t) {
		return bad("%d buffers, not %d", len(a.Buffers), needBuffers(t))
	}
	if a.Nulls > 0 && len(a.Buffers[0]) < columnar.BitmapBytes(end) {
		return bad("validity bitmap of %d bytes for %d values", len(a.Buffers[0]), end)
	}
	switch t.ID {
	case columnar.Bool:
		if len(a.Buffers[1]) < columnar.BitmapBytes(end) {
			return bad("bitmap of %d bytes for %d values", len(a.Buffers[1]), end)
		}
	case columnar.Struct:
		if len(a.Children) != len(t.Fields) {
			return bad("%d children for %d fields", len(a.Children), len(t.Fields))
		}
		for i, c := range a.Children {
			if c == nil || c.Len != a.Len {
				return bad("child %q is not %d long", t.Fields[i].Name, a.Len)
			}
		}
	case columnar.FixedSizeList:
		n, ok := mulFits(end, t.Size)
		if len(a.Children) != 1 || a.Children[0] == nil || !ok || a.Children[0].Len < n {
			return bad("child shorter than %d lists of %d", end, t.Size)
		}
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary,
		columnar.List, columnar.LargeList, columnar.Map:
		limit := 0
		if t.ID == columnar.List || t.ID == columnar.LargeList || t.ID == columnar.Map {
			if len(a.Children) != 1 || a.Children[0] == nil {
				return bad("no child array")
			}
			limit = a.Children[0].Len
		} else {
			limit = len(a.Buffers[2])
		}
		var err error
		if isLarge(t) {
			err = checkOffsets(ints[int64](a.Buffers[1], min(len(a.Buffers[1])/8, end+1)), a.Offset, end, limit)
		} else {
			err = checkOffsets(ints[int32](a.Buffers[1], min(len(a.Buffers[1])/4, end+1)), a.Offset, end, limit)
		}
		if err != nil {
			return bad("%v", err)
		}
	default: // fixed width
		w := t.ByteWidth()
		if w <= 0 && t.ID != columnar.FixedSizeBinary {
			return bad("no byte width")
		}
		n, ok := mulFits(end, w)
		if !ok || len(a.Buffers[1]) < n {
			return bad("values buffer of %d bytes for %d values of %d bytes", len(a.Buffers[1]), end, w)
		}
		if t.ID == columnar.Dictionary {
			if a.Dict == nil {
				return bad("no dictionary")
			}
			if err := checkIndices(a, a.Dict.Len); err != nil {
				return bad("%v", err)
			}
		}
	}
	return nil
}

// checkOffsets checks that offsets from..to (inclusive) rise from 0 or
// more to limit or less.
func checkOffsets[T int32 | int64](off []T, from, to, limit int) error {
	if len(off) < to+1 {
		return fmt.Errorf("offsets buffer of %d offsets for %d values", len(off), to)
	}
	prev := off[from]
	if prev < 0 {
		return fmt.Errorf("offset %d is negative", prev)
	}
	for _, o := range off[from+1 : to+1] {
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

// checkIndices checks that a dictionary array's valid indices are within
// a dictionary of n values.
func checkIndices(a *columnar.Array, n int) error {
	switch a.Type.Index.ID {
	case columnar.Int8:
		return indicesIn(a, columnar.Values[int8](a), n)
	case columnar.Uint8:
		return indicesIn(a, columnar.Values[uint8](a), n)
	case columnar.Int16:
		return indicesIn(a, values[int16](a), n)
	case columnar.Uint16:
		return indicesIn(a, values[uint16](a), n)
	case columnar.Int32:
		return indicesIn(a, values[int32](a), n)
	case columnar.Uint32:
		return indicesIn(a, values[uint32](a), n)
	case columnar.Int64:
		return indicesIn(a, values[int64](a), n)
	case columnar.Uint64:
		return indicesIn(a, values[uint64](a), n)
	}
	return fmt.Errorf("indices of type %s", a.Type.Index)
}

// values is columnar.Values for a buffer that may not be aligned (an
// array built by a caller of Writer rather than by a Reader).
func values[T columnar.Native](a *columnar.Array) []T {
	var zero T
	if aligned(a.Buffers[1], unsafe.Sizeof(zero)) {
		return columnar.Values[T](a)
	}
	c := *a
	c.Buffers = append([][]byte(nil), a.Buffers...)
	b := alignedBytes(len(a.Buffers[1]))
	copy(b, a.Buffers[1])
	c.Buffers[1] = b
	return columnar.Values[T](&c)
}

func indicesIn[T columnar.Native](a *columnar.Array, idx []T, n int) error {
	for i, v := range idx {
		if (v < 0 || float64(v) >= float64(n)) && !a.IsNull(i) {
			return fmt.Errorf("index %v of value %d outside a dictionary of %d", v, i, n)
		}
	}
	return nil
}

// index is dictionary index i of a.
func index(a *columnar.Array, i int) int {
	b := a.Buffers[1]
	j := a.Offset + i
	switch a.Type.Index.ID {
	case columnar.Int8:
		return int(int8(b[j]))
	case columnar.Uint8:
		return int(b[j])
	case columnar.Int16:
		return int(int16(binary.LittleEndian.Uint16(b[2*j:])))
	case columnar.Uint16:
		return int(binary.LittleEndian.Uint16(b[2*j:]))
	case columnar.Int32:
		return int(int32(binary.LittleEndian.Uint32(b[4*j:])))
	case columnar.Uint32:
		return int(binary.LittleEndian.Uint32(b[4*j:]))
	default:
		return int(binary.LittleEndian.Uint64(b[8*j:]))
	}
}

// offset is offset i (counted from a's Offset) of an array with offsets.
func offset(a *columnar.Array, i int) int {
	j := a.Offset + i
	if isLarge(a.Type) {
		return int(binary.LittleEndian.Uint64(a.Buffers[1][8*j:]))
	}
	return int(int32(binary.LittleEndian.Uint32(a.Buffers[1][4*j:])))
}

// slice returns values i to j−1 of a, an array of type t that checkLevel
// accepted, as columnar's Array.Slice does, but with an error rather
// than a panic when a struct's children are not what its type says.
func slice(a *columnar.Array, t *columnar.Type, i, j int, path string, depth int) (*columnar.Array, error) {
	if depth >= maxDepth {
		return nil, fmt.Errorf("arrow ipc: field %q nests arrays more than %d deep", path, maxDepth)
	}
	if err := checkLevel(a, t, path); err != nil {
		return nil, err
	}
	s := *a
	s.Offset, s.Len = a.Offset+i, j-i
	switch {
	case t.ID == columnar.Null:
		s.Nulls = s.Len
	case a.Nulls == 0:
		s.Nulls = 0
	default:
		s.Nulls = s.Len - columnar.CountSet(a.Buffers[0], s.Offset, s.Len)
	}
	if t.ID == columnar.Struct {
		s.Children = make([]*columnar.Array, len(a.Children))
		for k, c := range a.Children {
			var err error
			if s.Children[k], err = slice(c, t.Fields[k].Type, i, j, joinPath(path, t.Fields[k].Name), depth+1); err != nil {
				return nil, err
			}
		}
	}
	return &s, nil
}

// equal reports whether a's values from i and b's from j are equal for n
// values; both are arrays of type t that were checked.
func equal(a *columnar.Array, i int, b *columnar.Array, j, n int, t *columnar.Type) bool {
	for k := range n {
		an, bn := a.IsNull(i+k), b.IsNull(j+k)
		if an != bn {
			return false
		}
		if an {
			continue
		}
		ai, bi := a.Offset+i+k, b.Offset+j+k
		switch t.ID {
		case columnar.Bool:
			if a.Bool(i+k) != b.Bool(j+k) {
				return false
			}
		case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
			if !bytes.Equal(a.Bytes(i+k), b.Bytes(j+k)) {
				return false
			}
		case columnar.List, columnar.LargeList, columnar.Map:
			alo, ahi := offset(a, i+k), offset(a, i+k+1)
			blo, bhi := offset(b, j+k), offset(b, j+k+1)
			if ahi-alo != bhi-blo || !equal(a.Children[0], alo, b.Children[0], blo, ahi-alo, t.Fields[0].Type) {
				return false
			}
		case columnar.FixedSizeList:
			if !equal(a.Children[0], ai*t.Size, b.Children[0], bi*t.Size, t.Size, t.Fields[0].Type) {
				return false
			}
		case columnar.Struct:
			for c, f := range t.Fields {
				if !equal(a.Children[c], i+k, b.Children[c], j+k, 1, f.Type) {
					return false
				}
			}
		case columnar.Dictionary:
			if !equal(a.Dict, index(a, i+k), b.Dict, index(b, j+k), 1, t.Value) {
				return false
			}
		default:
			w := t.ByteWidth()
			if !bytes.Equal(a.Buffers[1][ai*w:(ai+1)*w], b.Buffers[1][bi*w:(bi+1)*w]) {
				return false
			}
		}
	}
	return true
}

// concat returns a new array of a's values followed by b's, both arrays
// of type t that were checked: a dictionary delta appended to what came
// before.
func concat(a, b *columnar.Array, t *columnar.Type, path string) (*columnar.Array, error) {
	n := a.Len + b.Len
	if n > maxLen {
		return nil, fmt.Errorf("arrow ipc: field %q: dictionary of %d values", path, n)
	}
	c := &columnar.Array{Type: t, Len: n, Nulls: a.Nulls + b.Nulls}
	if t.ID == columnar.Null {
		return c, nil
	}
	c.Buffers = make([][]byte, needBuffers(t))
	if c.Nulls > 0 {
		v := alignedBytes(columnar.BitmapBytes(n))
		for k := range n {
			if k < a.Len && !a.IsNull(k) || k >= a.Len && !b.IsNull(k-a.Len) {
				columnar.SetBit(v, k)
			}
		}
		c.Buffers[0] = v
	}
	switch t.ID {
	case columnar.Bool:
		v := alignedBytes(columnar.BitmapBytes(n))
		for k := range n {
			if k < a.Len && a.Bool(k) || k >= a.Len && b.Bool(k-a.Len) {
				columnar.SetBit(v, k)
			}
		}
		c.Buffers[1] = v
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary,
		columnar.List, columnar.LargeList, columnar.Map:
		alo, ahi, blo, bhi := offset(a, 0), offset(a, a.Len), offset(b, 0), offset(b, b.Len)
		width := 4
		if isLarge(t) {
			width = 8
		}
		total := ahi - alo + bhi - blo
		if width == 4 && total > math.MaxInt32 {
			return nil, fmt.Errorf("arrow ipc: field %q: dictionary of over 2 GB in %s", path, t)
		}
		offs := alignedBytes((n + 1) * width)
		for k := 0; k <= n; k++ {
			var o int
			if k <= a.Len {
				o = offset(a, k) - alo
			} else {
				o = ahi - alo + offset(b, k-a.Len) - blo
			}
			if width == 8 {
				binary.LittleEndian.PutUint64(offs[8*k:], uint64(o))
			} else {
				binary.LittleEndian.PutUint32(offs[4*k:], uint32(o))
			}
		}
		c.Buffers[1] = offs
		if t.ID == columnar.List || t.ID == columnar.LargeList || t.ID == columnar.Map {
			ct := t.Fields[0].Type
			ac, err := slice(a.Children[0], ct, alo, ahi, path, 0)
			if err != nil {
				return nil, err
			}
			bc, err := slice(b.Children[0], ct, blo, bhi, path, 0)
			if err != nil {
				return nil, err
			}
			child, err := concat(ac, bc, ct, joinPath(path, t.Fields[0].Name))
			if err != nil {
				return nil, err
			}
			c.Children = []*columnar.Array{child}
		} else {
			data := alignedBytes(total)
			copy(data[copy(data, a.Buffers[2][alo:ahi]):], b.Buffers[2][blo:bhi])
			c.Buffers[2] = data
		}
	case columnar.FixedSizeList:
		ct := t.Fields[0].Type
		ac, err := slice(a.Children[0], ct, a.Offset*t.Size, (a.Offset+a.Len)*t.Size, path, 0)
		if err != nil {
			return nil, err
		}
		bc, err := slice(b.Children[0], ct, b.Offset*t.Size, (b.Offset+b.Len)*t.Size, path, 0)
		if err != nil {
			return nil, err
		}
		child, err := concat(ac, bc, ct, joinPath(path, t.Fields[0].Name))
		if err != nil {
			return nil, err
		}
		c.Children = []*columnar.Array{child}
	case columnar.Struct:
		for k, f := range t.Fields {
			child, err := concat(a.Children[k], b.Children[k], f.Type, joinPath(path, f.Name))
			if err != nil {
				return nil, err
			}
			c.Children = append(c.Children, child)
		}
	default: // fixed width, and dictionary indices
		w := t.ByteWidth()
		v := alignedBytes(n * w)
		copy(v[copy(v, a.Buffers[1][a.Offset*w:(a.Offset+a.Len)*w]):], b.Buffers[1][b.Offset*w:(b.Offset+b.Len)*w])
		c.Buffers[1] = v
		if t.ID == columnar.Dictionary {
			// Indices of both halves must mean the same in the newer
			// dictionary.
			if a.Dict != b.Dict && (a.Dict.Len > b.Dict.Len || !equal(a.Dict, 0, b.Dict, 0, a.Dict.Len, t.Value)) {
				return nil, fmt.Errorf("arrow ipc: field %q: a dictionary delta whose nested dictionary was replaced", path)
			}
			c.Dict = b.Dict
		}
	}
	return c, nil
}
