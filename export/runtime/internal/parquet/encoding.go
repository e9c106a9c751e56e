package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var errShort = errors.New("page data ends early")

// littleEndian says whether this machine stores numbers as Parquet does,
// so that plain values can be copied as they are.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// hybrid decodes len(out) values of width bw in the RLE/bit-packed hybrid
// encoding, which holds definition levels, dictionary indices and RLE
// booleans; bw is at most the width of T, so levels and booleans decode
// straight into bytes.
func hybrid[T uint8 | uint32](b []byte, bw int, out []T) error {
	if bw > 32 {
		return fmt.Errorf("bit width %d is over 32", bw)
	}
	byteWidth := (bw + 7) / 8
	for i := 0; i < len(out); {
		h, n := binary.Uvarint(b)
		if n <= 0 {
			return errShort
		}
		b = b[n:]
		left := uint64(len(out) - i)
		if h&1 == 0 { // a run of one value
			if len(b) < byteWidth {
				return errShort
			}
			var v uint32
			for k := range byteWidth {
				v |= uint32(b[k]) << (8 * k)
			}
			b = b[byteWidth:]
			if v>>bw != 0 && bw < 32 {
				return fmt.Errorf("run value %d is wider than %d bits", v, bw)
			}
			m := int(min(h>>1, left))
			if m < 64 {
				for k := range m {
					out[i+k] = T(v)
				}
			} else {
				fill(out[i:i+m], T(v))
			}
			i += m
			continue
		}
		// Bit-packed groups of eight; the last group may be cut short
		// when its padding is not needed.
		groups := h >> 1
		if bw > 0 && groups > uint64(len(b)) {
			groups = uint64(len(b))
		}
		m := int(min(groups*8, left))
		need := (m*bw + 7) / 8
		if need > len(b) {
			return errShort
		}
		unpack(b, bw, out[i:i+m])
		b = b[min(int(groups)*bw, len(b)):]
		i += m
	}
	return nil
}

// fill sets every element of s to v by doubling copies, which for long
// runs, such as the definition levels of a page without nulls, is many
// times faster than storing each value.
func fill[T uint8 | uint32](s []T, v T) {
	s[0] = v
	for n := 1; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// unpack reads len(out) values of bw ≤ 32 bits, least significant bit
// first; b holds at least len(out)*bw bits.
func unpack[T uint8 | uint32](b []byte, bw int, out []T) {
	if bw == 0 {
		clear(out)
		return
	}
	var acc uint64
	var nb, p int
	mask := uint64(1)<<bw - 1
	for i := range out {
		for nb < bw {
			acc |= uint64(b[p]) << nb
			p++
			nb += 8
		}
		out[i] = T(acc & mask)
		acc >>= bw
		nb -= bw
	}
}

// bits reads the bw ≤ 64 bits at bit offset off of b.
func bits(b []byte, off, bw int) uint64 {
	var v uint64
	for k := 0; k < bw; {
		p, s := (off+k)/8, (off+k)%8
		take := min(8-s, bw-k)
		v |= uint64(b[p]>>s&(1<<take-1)) << k
		k += take
	}
	return v
}

// deltaBinary decodes DELTA_BINARY_PACKED integers, as many as out holds,
// and returns the bytes they took.
func deltaBinary(b []byte, out []int64) (int, error) {
	d := &tdec{b: b}
	blockSize, miniblocks, total := d.uvarint(), d.uvarint(), d.uvarint()
	first := d.varint()
	switch {
	case d.err != nil:
		return 0, errShort
	case blockSize == 0 || blockSize%128 != 0 || blockSize > 1<<20 || miniblocks == 0 || blockSize%miniblocks != 0 || blockSize/miniblocks%32 != 0:
		return 0, fmt.Errorf("bad DELTA_BINARY_PACKED block of %d values in %d miniblocks", blockSize, miniblocks)
	case total != uint64(len(out)):
		return 0, fmt.Errorf("DELTA_BINARY_PACKED holds %d values, want %d", total, len(out))
	}
	if len(out) == 0 {
		return len(b) - len(d.b), nil
	}
	out[0] = first
	vpm := int(blockSize / miniblocks)
	for i := 1; i < len(out); {
		minDelta := d.varint()
		if d.err != nil || uint64(len(d.b)) < miniblocks {
			return 0, errShort
		}
		widths := d.b[:miniblocks]
		d.b = d.b[miniblocks:]
		for _, bw := range widths {
			if i == len(out) {
				break
			}
			if bw > 64 {
				return 0, fmt.Errorf("bit width %d is over 64", bw)
			}
			size := vpm * int(bw) / 8
			cnt := min(vpm, len(out)-i)
			if len(d.b) < (cnt*int(bw)+7)/8 {
				return 0, errShort
			}
			for k := range cnt {
				out[i] = out[i-1] + minDelta + int64(bits(d.b, k*int(bw), int(bw)))
				i++
			}
			d.b = d.b[min(size, len(d.b)):]
		}
	}
	return len(b) - len(d.b), nil
}

// plainBytes splits n PLAIN byte arrays, each after its 4-byte length.
func plainBytes(b []byte, out [][]byte) error {
	for i := range out {
		if len(b) < 4 {
			return errShort
		}
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return errShort
		}
		out[i], b = b[:n:n], b[n:]
	}
	return nil
}

// deltaLengths splits DELTA_LENGTH_BYTE_ARRAY values and returns the bytes
// they took.
func deltaLengths(b []byte, out [][]byte) (int, error) {
	lens := make([]int64, len(out))
	p, err := deltaBinary(b, lens)
	if err != nil {
		return 0, err
	}
	for i, n := range lens {
		if n < 0 || n > int64(len(b)-p) {
			return 0, errShort
		}
		out[i] = b[p : p+int(n) : p+int(n)]
		p += int(n)
	}
	return p, nil
}

// maxExpansion bounds the bytes DELTA_BYTE_ARRAY may rebuild from a page,
// since shared prefixes let a small page claim huge values.
const maxExpansion = 1 << 28

// deltaStrings decodes DELTA_BYTE_ARRAY values: each is a prefix of the
// one before followed by its own suffix.
func deltaStrings(b []byte, out [][]byte) error {
	prefix := make([]int64, len(out))
	p, err := deltaBinary(b, prefix)
	if err != nil {
		return err
	}
	if _, err := deltaLengths(b[p:], out); err != nil {
		return err
	}
	// Sizes first, so that the values share one allocation.
	total, prevLen := 0, 0
	for i, n := range prefix {
		if n < 0 || n > int64(prevLen) {
			return fmt.Errorf("DELTA_BYTE_ARRAY prefix of %d bytes after a value of %d", n, prevLen)
		}
		prevLen = int(n) + len(out[i])
		total += prevLen
		if total > maxExpansion+64*len(b) {
			return errors.New("DELTA_BYTE_ARRAY values are implausibly large")
		}
	}
	arena := make([]byte, 0, total)
	var prev []byte
	for i, n := range prefix {
		start := len(arena)
		arena = append(append(arena, prev[:n]...), out[i]...)
		out[i] = arena[start:len(arena):len(arena)]
		prev = out[i]
	}
	return nil
}
