package ipc

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// File is an Arrow IPC file (the file format, "Feather V2") opened for
// reading its record batches in any order.
type File struct {
	r       io.ReaderAt
	end     int64 // where the footer starts
	schema  *columnar.Schema
	nodes   []*fieldNode
	dicts   *dictMemo
	batches []block
}

// block locates a message in a file, as the footer's Block struct does.
type block struct {
	offset  int64
	metaLen int32
	bodyLen int64
}

// OpenFile reads the footer of the Arrow IPC file of size bytes in r, and
// its dictionaries. It fails when r does not hold a file in the file
// format (a stream has no footer: use NewReader), when the footer or a
// dictionary is corrupt, or when the schema holds a type this package
// does not read, naming the field.
func OpenFile(r io.ReaderAt, size int64) (*File, error) {
	const tail = 4 + len(magic) // footer length and magic
	if size < int64(8+tail) {
		return nil, fmt.Errorf("arrow ipc: file of %d bytes is too short for the file format", size)
	}
	var head [8]byte
	var end [tail]byte
	if err := readAt(r, head[:], 0); err != nil {
		return nil, err
	}
	if err := readAt(r, end[:], size-int64(tail)); err != nil {
		return nil, err
	}
	if string(head[:len(magic)]) != magic || string(end[4:]) != magic {
		return nil, errors.New("arrow ipc: not a file in the Arrow IPC file format (no ARROW1 magic)")
	}
	footerLen := int64(int32(binary.LittleEndian.Uint32(end[:])))
	if footerLen <= 0 || footerLen > size-int64(8+tail) {
		return nil, fmt.Errorf("arrow ipc: footer of %d bytes in a file of %d", footerLen, size)
	}
	f := &File{r: r, end: size - int64(tail) - footerLen}
	footer := columnar.MakeAligned[byte](int(footerLen))
	if err := readAt(r, footer, f.end); err != nil {
		return nil, err
	}
	fb := &fbuf{b: footer}
	ft := fb.root()
	st, ok := ft.table(1)
	dictBlocks := blocks(ft.vector(2, 24))
	f.batches = blocks(ft.vector(3, 24))
	if fb.err != nil {
		return nil, fb.err
	}
	if !ok {
		return nil, errors.New("arrow ipc: file footer without a schema")
	}
	var err error
	if f.schema, f.nodes, err = decodeSchema(st); err != nil {
		return nil, err
	}
	if f.dicts, err = newDictMemo(f.nodes); err != nil {
		return nil, err
	}
	// Dictionary blocks must not overlap, so that deltas cannot make a
	// dictionary larger than the file by reading one block many times.
	sorted := slices.SortedFunc(slices.Values(dictBlocks), func(a, b block) int { return cmp.Compare(a.offset, b.offset) })
	for i := 1; i < len(sorted); i++ {
		if p := sorted[i-1]; p.offset+int64(p.metaLen)+p.bodyLen > sorted[i].offset {
			return nil, fmt.Errorf("arrow ipc: dictionary blocks at %d and %d overlap", p.offset, sorted[i].offset)
		}
	}
	for _, b := range dictBlocks {
		msg, body, err := f.read(b)
		if err != nil {
			return nil, err
		}
		if msg.kind != hdrDictionaryBatch {
			return nil, errors.New("arrow ipc: a dictionary block of the footer holds another message")
		}
		if err := f.dicts.apply(msg.header, body, false); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func blocks(v vector) []block {
	bs := make([]block, v.n)
	for i := range bs {
		bs[i] = block{offset: v.int64(i, 0), metaLen: v.int32(i, 8), bodyLen: v.int64(i, 16)}
	}
	return bs
}

// Schema returns the file's schema, which every record shares.
func (f *File) Schema() *columnar.Schema { return f.schema }

// NumRecords is the number of record batches in the file.
func (f *File) NumRecords() int { return len(f.batches) }

// Record reads record batch i, counting from 0. It fails when i is out
// of range or the batch is corrupt. Records may be read concurrently.
func (f *File) Record(i int) (*columnar.Record, error) {
	if i < 0 || i >= len(f.batches) {
		return nil, fmt.Errorf("arrow ipc: record %d of a file of %d", i, len(f.batches))
	}
	msg, body, err := f.read(f.batches[i])
	if err != nil {
		return nil, err
	}
	if msg.kind != hdrRecordBatch {
		return nil, fmt.Errorf("arrow ipc: record block %d of the footer holds another message", i)
	}
	cols, n, err := decodeBatch(msg.header, body, f.nodes, f.dicts)
	if err != nil {
		return nil, err
	}
	return &columnar.Record{Schema: f.schema, Len: n, Cols: cols}, nil
}

// read reads the message a block locates, and its body.
func (f *File) read(b block) (*message, []byte, error) {
	if b.offset < 8 || b.metaLen < 8 || b.bodyLen < 0 || b.offset > f.end || int64(b.metaLen) > f.end-b.offset ||
		b.bodyLen > f.end-b.offset-int64(b.metaLen) {
		return nil, nil, fmt.Errorf("arrow ipc: block of %d+%d bytes at %d outside the file's %d", b.metaLen, b.bodyLen, b.offset, f.end)
	}
	meta := make([]byte, b.metaLen)
	if err := readAt(f.r, meta, b.offset); err != nil {
		return nil, nil, err
	}
	start := 4
	if binary.LittleEndian.Uint32(meta) == continuation {
		start = 8
	}
	n := int64(binary.LittleEndian.Uint32(meta[start-4:]))
	if n > int64(len(meta)-start) {
		return nil, nil, fmt.Errorf("arrow ipc: message metadata of %d bytes in a block of %d", n, b.metaLen)
	}
	msg, err := parseMessage(meta[start : start+int(n)])
	if err != nil {
		return nil, nil, err
	}
	if msg.bodyLen > b.bodyLen {
		return nil, nil, fmt.Errorf("arrow ipc: message body of %d bytes in a block of %d", msg.bodyLen, b.bodyLen)
	}
	body := columnar.MakeAligned[byte](int(msg.bodyLen))
	if err := readAt(f.r, body, b.offset+int64(b.metaLen)); err != nil {
		return nil, nil, err
	}
	return msg, body, nil
}

// readAt fills p from offset off of r, which may say io.EOF on reading
// the last byte.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("arrow ipc: reading %d bytes at %d: %w", len(p), off, err)
}
