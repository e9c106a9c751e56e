package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Members of CompressionType in Message.fbs.
const (
	codecNone = -1
	codecLZ4  = 0
	codecZstd = 1
)

// maxWindow bounds the window a zstd frame may ask the decoder to
// allocate.
const maxWindow = 1 << 27

// zstdDecoder decodes whole zstd frames into buffers sized by the caller;
// DecodeAll may be called concurrently.
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderMaxWindow(maxWindow), zstd.WithDecodeAllCapLimit(true))
})

// decompress expands one buffer of a compressed body: a little-endian
// int64 of its uncompressed length (−1 when the rest is not compressed)
// and the compressed bytes, or nothing for an empty buffer. The result
// is 8-aligned. Memory is allocated up front only for lengths the codec
// could reach from the input; a larger claim (possible for zstd) grows
// its buffer as bytes come out.
func decompress(codec int, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return nil, nil
	}
	if len(src) < 8 {
		return nil, fmt.Errorf("compressed buffer of %d bytes lacks its length", len(src))
	}
	n := int64(binary.LittleEndian.Uint64(src))
	data := src[8:]
	switch {
	case n == -1:
		if columnar.IsAligned(data) {
			return data, nil
		}
		b := columnar.MakeAligned[byte](len(data))
		copy(b, data)
		return b, nil
	case n < 0 || n > maxLen:
		return nil, fmt.Errorf("compressed buffer claims %d bytes", n)
	case n == 0:
		return nil, nil
	}
	// LZ4 expands at most 255 times; zstd's most compact blocks further.
	plausible := n <= 256*int64(len(data))+1<<16
	switch codec {
	case codecLZ4:
		if !plausible {
			return nil, fmt.Errorf("lz4 buffer of %d bytes claims %d", len(data), n)
		}
		out := columnar.MakeAligned[byte](int(n))
		if err := lz4Frames(data, out); err != nil {
			return nil, err
		}
		return out, nil
	case codecZstd:
		if plausible {
			dec, err := zstdDecoder()
			if err != nil {
				return nil, err
			}
			out := columnar.MakeAligned[byte](int(n))
			got, err := dec.DecodeAll(data, out[:0])
			if err != nil {
				return nil, fmt.Errorf("zstd: %w", err)
			}
			if len(got) != int(n) {
				return nil, fmt.Errorf("zstd buffer of %d bytes for %d", len(got), n)
			}
			return out, nil
		}
		zr, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxWindow))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		out, err := readGrowing(zr, int(n))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if err := atEnd(zr); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown compression codec %d", codec)
}

// atEnd checks that a decompressor has nothing more to give, so that
// a frame's checksum is verified and data past the length is noticed.
func atEnd(r io.Reader) error {
	k, err := r.Read(make([]byte, 1))
	if k != 0 {
		return errors.New("buffer longer than its length")
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

// readGrowing reads n bytes into 8-aligned memory that grows as bytes
// arrive, so that a length the input does not back costs no more than
// twice what was read.
func readGrowing(r io.Reader, n int) ([]byte, error) {
	const step = 1 << 20
	if n <= step {
		b := columnar.MakeAligned[byte](n)
		_, err := io.ReadFull(r, b)
		return b, noEOF(err)
	}
	b := columnar.MakeAligned[byte](step)
	got := 0
	for {
		k, err := io.ReadFull(r, b[got:])
		got += k
		if err != nil {
			return nil, noEOF(err)
		}
		if got == n {
			return b, nil
		}
		nb := columnar.MakeAligned[byte](min(n, 2*len(b)))
		copy(nb, b)
		b = nb
	}
}

// noEOF turns io.EOF, which ends input only between messages, into
// io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
