package parquet

import (
	"cmp"
	"slices"
	"unsafe"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Helpers for columnar arrays that the columnar package does not have.

// aligned returns n zero values of T in memory aligned to 8 bytes, as the
// Arrow layout wants of buffers, whatever T's own alignment.
func aligned[T columnar.Native](n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	words := make([]uint64, (n*size+7)/8)
	if len(words) == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&words[0])), n)
}

// asBytes views a slice of fixed-width values as its bytes.
func asBytes[T columnar.Native](v []T) []byte {
	if len(v) == 0 {
		return []byte{}
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(zero)))
}

// view views a buffer as the values of T it holds, from its start;
// bytes past the last whole value are left out. b must be aligned for T,
// as Arrow buffers are.
func view[T columnar.Native](b []byte) []T {
	var zero T
	n := len(b) / int(unsafe.Sizeof(zero))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

// validity is a's validity bitmap, from the start of its buffers, or nil
// when no value is null.
func validity(a *columnar.Array) []byte {
	if a.Nulls == 0 || len(a.Buffers) == 0 {
		return nil
	}
	return a.Buffers[0]
}

// setBits sets bits from to from+n−1 of b.
func setBits(b []byte, from, n int) {
	i, end := from, from+n
	for ; i < end && i&7 != 0; i++ {
		columnar.SetBit(b, i)
	}
	if whole := (end - i) / 8; whole > 0 {
		s := b[i>>3 : i>>3+whole]
		for k := range s {
			s[k] = 0xff
		}
		i += 8 * whole
	}
	for ; i < end; i++ {
		columnar.SetBit(b, i)
	}
}

// copyBits copies bits off to off+n−1 of src to bits 0 to n−1 of dst,
// and clears the rest of dst's last byte.
func copyBits(dst, src []byte, off, n int) {
	if n == 0 {
		return
	}
	m := (n + 7) / 8
	s := src[off>>3:]
	if shift := uint(off & 7); shift == 0 {
		copy(dst[:m], s)
	} else {
		// Byte k of dst is the high bits of source byte k and the low
		// bits of byte k+1, which is past src at the end of a bitmap
		// whose last bits are needed.
		last := (off+n-1)>>3 - off>>3
		for k := range m {
			v := s[k] >> shift
			if k+1 <= last {
				v |= s[k+1] << (8 - shift)
			}
			dst[k] = v
		}
	}
	if r := n & 7; r != 0 {
		dst[m-1] &= 1<<r - 1
	}
}

// schemaEqual reports whether two schemas have equal fields, as arrow-go
// compares them: by name, nullability, type and metadata, ignoring the
// schemas' own metadata.
func schemaEqual(a, b *columnar.Schema) bool {
	switch {
	case a == b:
		return true
	case a == nil || b == nil || len(a.Fields) != len(b.Fields):
		return false
	}
	for i := range a.Fields {
		if !fieldEqual(a.Fields[i], b.Fields[i]) {
			return false
		}
	}
	return true
}

func fieldEqual(a, b columnar.Field) bool {
	return a.Name == b.Name && a.Nullable == b.Nullable && typeEqual(a.Type, b.Type) && metadataEqual(a.Metadata, b.Metadata)
}

// typeEqual reports whether two types are the same, children and
// dictionary types included.
func typeEqual(a, b *columnar.Type) bool {
	switch {
	case a == b:
		return true
	case a == nil || b == nil:
		return false
	case a.ID != b.ID || a.Unit != b.Unit || a.TimeZone != b.TimeZone || a.Size != b.Size ||
		a.Precision != b.Precision || a.Scale != b.Scale || a.KeysSorted != b.KeysSorted || a.Ordered != b.Ordered ||
		len(a.Fields) != len(b.Fields) || !typeEqual(a.Index, b.Index) || !typeEqual(a.Value, b.Value):
		return false
	}
	for i := range a.Fields {
		if !fieldEqual(a.Fields[i], b.Fields[i]) {
			return false
		}
	}
	return true
}

// metadataEqual reports whether two metadata hold the same pairs, in any
// order.
func metadataEqual(a, b columnar.Metadata) bool {
	switch {
	case slices.Equal(a.Keys, b.Keys) && slices.Equal(a.Values, b.Values):
		return true
	case len(a.Keys) != len(b.Keys) || len(a.Keys) != len(a.Values) || len(b.Keys) != len(b.Values):
		return false
	}
	pairs := func(m columnar.Metadata) [][2]string {
		p := make([][2]string, len(m.Keys))
		for i := range p {
			p[i] = [2]string{m.Keys[i], m.Values[i]}
		}
		slices.SortFunc(p, func(x, y [2]string) int {
			if c := cmp.Compare(x[0], y[0]); c != 0 {
				return c
			}
			return cmp.Compare(x[1], y[1])
		})
		return p
	}
	return slices.Equal(pairs(a), pairs(b))
}
