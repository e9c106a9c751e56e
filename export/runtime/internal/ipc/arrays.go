package ipc

import (
	"bytes"
	"fmt"
	"math"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// maxLen bounds array lengths and offsets, so that a length times a byte
// width of up to 2³¹ cannot overflow an int.
const maxLen = math.MaxInt >> 32

// validate checks a, the array of the field at path, deeply (see
// columnar's Array.Validate), in this package's words.
func validate(a *columnar.Array, path string) error {
	err := a.ValidateField(path)
	if ve, ok := err.(*columnar.ValidationError); ok {
		return fmt.Errorf("arrow ipc: field %q (%s): %s", ve.Path, ve.Type, ve.Msg)
	}
	return err
}

// equal reports whether a's values from i and b's from j are equal for n
// values; both are arrays of type t that were validated.
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
			alo, ahi := a.ListRange(i + k)
			blo, bhi := b.ListRange(j + k)
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
			if !equal(a.Dict, a.Index(i+k), b.Dict, b.Index(j+k), 1, t.Value) {
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
// of type t that were validated: a dictionary delta appended to what came
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
	c.Buffers = make([][]byte, t.ID.NumBuffers())
	// bits appends the bitmaps, or all ones for a nil one.
	bits := func(ab, bb []byte) []byte {
		v := columnar.MakeAligned[byte](columnar.BitmapBytes(n))
		for _, p := range []struct {
			bm       []byte
			at, from int
			n        int
		}{{ab, 0, a.Offset, a.Len}, {bb, a.Len, b.Offset, b.Len}} {
			if p.bm == nil {
				columnar.SetBits(v, p.at, p.n)
			} else {
				columnar.CopyBits(v, p.at, p.bm, p.from, p.n)
			}
		}
		return v
	}
	if c.Nulls > 0 {
		c.Buffers[0] = bits(validity(a), validity(b))
	}
	switch t.ID {
	case columnar.Bool:
		c.Buffers[1] = bits(a.Buffers[1], b.Buffers[1])
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary,
		columnar.List, columnar.LargeList, columnar.Map:
		alo, ahi, blo, bhi := a.ValueOffset(0), a.ValueOffset(a.Len), b.ValueOffset(0), b.ValueOffset(b.Len)
		total := ahi - alo + bhi - blo
		var offs []byte
		if t.OffsetWidth() == 8 {
			offs = concatOffsets[int64](a, b, n, alo, ahi, blo)
		} else {
			if total > math.MaxInt32 {
				return nil, fmt.Errorf("arrow ipc: field %q: dictionary of over 2 GB in %s", path, t)
			}
			offs = concatOffsets[int32](a, b, n, alo, ahi, blo)
		}
		c.Buffers[1] = offs
		if t.ID == columnar.List || t.ID == columnar.LargeList || t.ID == columnar.Map {
			ac, bc := a.Children[0].Slice(alo, ahi), b.Children[0].Slice(blo, bhi)
			child, err := concat(ac, bc, t.Fields[0].Type, joinPath(path, t.Fields[0].Name))
			if err != nil {
				return nil, err
			}
			c.Children = []*columnar.Array{child}
		} else {
			data := columnar.MakeAligned[byte](total)
			copy(data[copy(data, a.Buffers[2][alo:ahi]):], b.Buffers[2][blo:bhi])
			c.Buffers[2] = data
		}
	case columnar.FixedSizeList:
		ac := a.Children[0].Slice(a.Offset*t.Size, (a.Offset+a.Len)*t.Size)
		bc := b.Children[0].Slice(b.Offset*t.Size, (b.Offset+b.Len)*t.Size)
		child, err := concat(ac, bc, t.Fields[0].Type, joinPath(path, t.Fields[0].Name))
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
		v := columnar.MakeAligned[byte](n * w)
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

// validity is a's validity bitmap, nil when no value is null.
func validity(a *columnar.Array) []byte {
	if a.Nulls == 0 {
		return nil
	}
	return a.Buffers[0]
}

// concatOffsets returns the offsets of a's values followed by b's, of
// n values in all, rebased to start at 0: alo to ahi are a's, b's start
// at blo.
func concatOffsets[T int32 | int64](a, b *columnar.Array, n, alo, ahi, blo int) []byte {
	offs := columnar.MakeAligned[T](n + 1)
	for k := 0; k <= n; k++ {
		if k <= a.Len {
			offs[k] = T(a.ValueOffset(k) - alo)
		} else {
			offs[k] = T(ahi - alo + b.ValueOffset(k-a.Len) - blo)
		}
	}
	return columnar.AsBytes(offs)
}
