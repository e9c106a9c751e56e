package columnar

import "math/bits"

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

// SetBits sets bits from to from+n−1 of b.
func SetBits(b []byte, from, n int) {
	i, end := from, from+n
	for ; i < end && i&7 != 0; i++ {
		SetBit(b, i)
	}
	if whole := (end - i) / 8; whole > 0 {
		s := b[i>>3 : i>>3+whole]
		for k := range s {
			s[k] = 0xff
		}
		i += 8 * whole
	}
	for ; i < end; i++ {
		SetBit(b, i)
	}
}

// CopyBits copies bits srcOff to srcOff+n−1 of src to bits dstOff to
// dstOff+n−1 of dst, leaving dst's other bits as they were. It reads no
// byte of src past the one holding bit srcOff+n−1, so src may end there.
func CopyBits(dst []byte, dstOff int, src []byte, srcOff, n int) {
	if n <= 0 {
		return
	}
	if dstOff&7 != 0 {
		// Rare (appending bitmaps): bit by bit up to a byte boundary.
		for ; n > 0 && dstOff&7 != 0; n, dstOff, srcOff = n-1, dstOff+1, srcOff+1 {
			if Bit(src, srcOff) {
				SetBit(dst, dstOff)
			} else {
				dst[dstOff>>3] &^= 1 << (dstOff & 7)
			}
		}
		if n == 0 {
			return
		}
	}
	m := (n + 7) / 8
	d := dst[dstOff>>3 : dstOff>>3+m]
	last := d[m-1] // to keep its bits past n
	s := src[srcOff>>3:]
	if shift := uint(srcOff & 7); shift == 0 {
		copy(d, s[:m])
	} else {
		// Byte k of d is the high bits of source byte k and the low bits
		// of byte k+1, which is past src at the end of a bitmap whose
		// last bits are needed.
		end := (srcOff+n-1)>>3 - srcOff>>3
		for k := range d {
			v := s[k] >> shift
			if k+1 <= end {
				v |= s[k+1] << (8 - shift)
			}
			d[k] = v
		}
	}
	if r := n & 7; r != 0 {
		keep := byte(0xff) << r
		d[m-1] = d[m-1]&^keep | last&keep
	}
}
