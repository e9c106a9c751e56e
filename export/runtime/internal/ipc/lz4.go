package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/pierrec/lz4/v4"
)

// lz4Frames decodes LZ4 frames (the format of lz4's frame specification,
// which Arrow's LZ4_FRAME codec names) from src into all of out, block by
// block with lz4's block decoder: the library's frame reader allocates
// a block buffer of up to 4 MB for every frame, which is for every
// buffer of a body. Checksums are verified.
func lz4Frames(src, out []byte) error {
	pos := 0
	for len(src) > 0 {
		if len(src) < 4 {
			return errors.New("truncated lz4 frame")
		}
		magic := binary.LittleEndian.Uint32(src)
		if magic&0xFFFFFFF0 == 0x184D2A50 { // a skippable frame
			if len(src) < 8 || uint64(binary.LittleEndian.Uint32(src[4:])) > uint64(len(src)-8) {
				return errors.New("truncated lz4 skippable frame")
			}
			src = src[8+binary.LittleEndian.Uint32(src[4:]):]
			continue
		}
		if magic != 0x184D2204 {
			return fmt.Errorf("not an lz4 frame (magic %#x)", magic)
		}
		src = src[4:]
		if len(src) < 3 {
			return errors.New("truncated lz4 frame header")
		}
		flg, bd := src[0], src[1]
		if flg>>6 != 1 {
			return fmt.Errorf("lz4 frame version %d", flg>>6)
		}
		if flg&1 != 0 {
			return errors.New("lz4 frame needs a dictionary")
		}
		independent, blockSums, contentSum := flg&0x20 != 0, flg&0x10 != 0, flg&0x04 != 0
		hdr := 2
		if flg&0x08 != 0 { // content size
			hdr += 8
		}
		if len(src) < hdr+1 {
			return errors.New("truncated lz4 frame header")
		}
		if byte(xxh32(src[:hdr])>>8) != src[hdr] {
			return errors.New("lz4 frame header checksum mismatch")
		}
		maxBlock := 1 << (8 + 2*int(bd>>4&7))
		if bd>>4&7 < 4 {
			return fmt.Errorf("lz4 block size code %d", bd>>4&7)
		}
		src = src[hdr+1:]
		start := pos
		for {
			if len(src) < 4 {
				return errors.New("truncated lz4 frame")
			}
			word := binary.LittleEndian.Uint32(src)
			src = src[4:]
			if word == 0 {
				break
			}
			size := int(word & 0x7FFFFFFF)
			if size > maxBlock || size > len(src) {
				return fmt.Errorf("lz4 block of %d bytes", size)
			}
			block := src[:size]
			src = src[size:]
			var sum uint32
			if blockSums {
				if len(src) < 4 {
					return errors.New("truncated lz4 frame")
				}
				sum = binary.LittleEndian.Uint32(src)
				src = src[4:]
			}
			n := 0
			if word>>31 == 1 { // stored uncompressed
				if size > len(out)-pos {
					return errors.New("lz4 data longer than its length")
				}
				n = copy(out[pos:], block)
			} else {
				dst := out[pos:min(len(out), pos+maxBlock)]
				var err error
				if independent || pos == start {
					n, err = lz4.UncompressBlock(block, dst)
				} else {
					n, err = lz4.UncompressBlockWithDict(block, dst, out[max(start, pos-64<<10):pos])
				}
				if err != nil {
					return fmt.Errorf("lz4: %w", err)
				}
			}
			// The specification sums the block as stored; pierrec/lz4's
			// writer sums it decoded.
			if blockSums && sum != xxh32(block) && sum != xxh32(out[pos:pos+n]) {
				return errors.New("lz4 block checksum mismatch")
			}
			pos += n
		}
		if contentSum {
			if len(src) < 4 || binary.LittleEndian.Uint32(src) != xxh32(out[start:pos]) {
				return errors.New("lz4 content checksum mismatch")
			}
			src = src[4:]
		}
	}
	if pos != len(out) {
		return fmt.Errorf("lz4 data of %d bytes for %d", pos, len(out))
	}
	return nil
}

// xxh32 is the 32-bit xxHash of b with seed 0, the checksum of LZ4
// frames.
func xxh32(b []byte) uint32 {
	const (
		p1 uint32 = 2654435761
		p2 uint32 = 2246822519
		p3 uint32 = 3266489917
		p4 uint32 = 668265263
		p5 uint32 = 374761393
	)
	n := len(b)
	var h uint32
	if n >= 16 {
		prime1 := p1 // not a constant, to wrap around
		v1, v2, v3, v4 := prime1+p2, p2, uint32(0), -prime1
		for ; len(b) >= 16; b = b[16:] {
			v1 = bits.RotateLeft32(v1+binary.LittleEndian.Uint32(b)*p2, 13) * p1
			v2 = bits.RotateLeft32(v2+binary.LittleEndian.Uint32(b[4:])*p2, 13) * p1
			v3 = bits.RotateLeft32(v3+binary.LittleEndian.Uint32(b[8:])*p2, 13) * p1
			v4 = bits.RotateLeft32(v4+binary.LittleEndian.Uint32(b[12:])*p2, 13) * p1
		}
		h = bits.RotateLeft32(v1, 1) + bits.RotateLeft32(v2, 7) + bits.RotateLeft32(v3, 12) + bits.RotateLeft32(v4, 18)
	} else {
		h = p5
	}
	h += uint32(n)
	for ; len(b) >= 4; b = b[4:] {
		h = bits.RotateLeft32(h+binary.LittleEndian.Uint32(b)*p3, 17) * p4
	}
	for _, c := range b {
		h = bits.RotateLeft32(h+uint32(c)*p5, 11) * p1
	}
	h ^= h >> 15
	h *= p2
	h ^= h >> 13
	h *= p3
	h ^= h >> 16
	return h
}
