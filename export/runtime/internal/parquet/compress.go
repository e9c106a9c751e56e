package parquet

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// maxPage bounds a page's uncompressed size; writers cut pages at about
// a megabyte, and a far larger claim is a corrupt header.
const maxPage = 1 << 27

// decompressor holds the stream decoders a file's pages reuse.
type decompressor struct {
	zstd *zstd.Decoder
	gzip *gzip.Reader
}

func (d *decompressor) close() {
	if d.zstd != nil {
		d.zstd.Close()
	}
}

// decompress returns src, compressed with codec, as the size bytes it
// must expand to. Block codecs have a bounded ratio, checked before
// allocating; gzip grows its output as it arrives, so a size the data
// does not back costs no memory.
func (d *decompressor) decompress(codec int32, src []byte, size int) ([]byte, error) {
	if size < 0 || size > maxPage {
		return nil, fmt.Errorf("page of %d bytes", size)
	}
	var (
		out []byte
		err error
	)
	switch codec {
	case codecNone:
		out = src
	case codecSnappy:
		n, e := snappy.DecodedLen(src)
		if e != nil || n != size || size > 32*len(src)+64 {
			return nil, errors.New("corrupt snappy page")
		}
		out, err = snappy.Decode(make([]byte, size), src)
	case codecGzip:
		if d.gzip == nil {
			d.gzip = new(gzip.Reader)
		}
		if err = d.gzip.Reset(bytes.NewReader(src)); err == nil {
			out, err = readSized(d.gzip, size)
		}
	case codecZstd:
		if d.zstd == nil {
			// A frame's window is allocated as its header says, so the
			// header may ask for no more than a page.
			if d.zstd, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(maxPage), zstd.WithDecoderMaxMemory(maxPage)); err != nil {
				return nil, err
			}
		}
		// Whole-frame decoding is a third faster than streaming; it
		// sizes its output by the frame's header, capped at maxPage.
		out, err = d.zstd.DecodeAll(src, make([]byte, 0, min(size, 64*len(src)+1<<20)))
	case codecLZ4Raw:
		out, err = lz4Block(src, size)
	case codecLZ4:
		// The old LZ4 codec is Hadoop's framing of LZ4 blocks in some
		// writers and a bare block in others.
		if out, err = hadoopLZ4(src, size); err != nil {
			out, err = lz4Block(src, size)
		}
	default:
		name := fmt.Sprint(codec)
		if codec >= 0 && int(codec) < len(codecNames) {
			name = codecNames[codec]
		}
		return nil, fmt.Errorf("compression %s is not supported", name)
	}
	if err == nil && len(out) != size {
		err = fmt.Errorf("page is %d bytes, its header says %d", len(out), size)
	}
	if err != nil {
		return nil, fmt.Errorf("decompressing %s page: %v", codecNames[codec], err)
	}
	return out, nil
}

// readSized reads exactly size bytes from r, growing its buffer as data
// comes rather than trusting size up front.
func readSized(r io.Reader, size int) ([]byte, error) {
	buf := make([]byte, min(size, 1<<20))
	n := 0
	for n < size {
		if n == len(buf) {
			buf = append(buf, make([]byte, min(size-n, len(buf)))...)
		}
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf[:n], nil
}

func lz4Block(src []byte, size int) ([]byte, error) {
	if size > 255*len(src)+64 {
		return nil, errors.New("corrupt lz4 block")
	}
	out := make([]byte, size)
	n, err := lz4.UncompressBlock(src, out)
	return out[:n], err
}

// hadoopLZ4 reads blocks each after its big-endian uncompressed and
// compressed sizes.
func hadoopLZ4(src []byte, size int) ([]byte, error) {
	var out []byte
	for len(src) > 0 {
		if len(src) < 8 {
			return nil, errShort
		}
		raw, n := binary.BigEndian.Uint32(src), binary.BigEndian.Uint32(src[4:])
		src = src[8:]
		if uint64(n) > uint64(len(src)) || uint64(raw) > uint64(size-len(out)) {
			return nil, errors.New("not Hadoop framing")
		}
		b, err := lz4Block(src[:n], int(raw))
		if err != nil || len(b) != int(raw) {
			return nil, errors.New("not Hadoop framing")
		}
		out = append(out, b...)
		src = src[n:]
	}
	return out, nil
}
