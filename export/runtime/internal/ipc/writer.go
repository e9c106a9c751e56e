package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Writer writes records in the Arrow IPC stream or file format, without
// compression.
type Writer struct {
	w      io.Writer
	schema *columnar.Schema
	nodes  []*fieldNode
	file   bool
	pos    int64                     // bytes written
	dicts  map[int64]*columnar.Array // the dictionaries written, by id
	// dictBlocks and batchBlocks locate the messages for a file's footer.
	dictBlocks, batchBlocks []block
	err                     error
	closed                  bool
}

// NewWriter writes the schema that starts an Arrow IPC stream to w and
// returns a Writer for the stream's records. It fails when the schema
// holds a type this package does not write (such as unions), naming the
// field, or when writing to w fails.
func NewWriter(w io.Writer, schema *columnar.Schema) (*Writer, error) {
	return newWriter(w, schema, false)
}

// NewFileWriter starts an Arrow IPC file (the file format, "Feather V2")
// in w, which need not seek: the Writer counts what it writes to make the
// footer Close writes. It fails as NewWriter does.
func NewFileWriter(w io.Writer, schema *columnar.Schema) (*Writer, error) {
	return newWriter(w, schema, true)
}

func newWriter(w io.Writer, schema *columnar.Schema, file bool) (*Writer, error) {
	if schema == nil {
		return nil, errors.New("arrow ipc: no schema")
	}
	nodes, err := newNodes(schema.Fields)
	if err != nil {
		return nil, err
	}
	wr := &Writer{w: w, schema: schema, nodes: nodes, file: file, dicts: map[int64]*columnar.Array{}}
	if file {
		wr.write([]byte(magic + "\x00\x00"))
	}
	b := newBuilder(1024)
	wr.writeMessage(b, hdrSchema, encodeSchema(b, schema, nodes), nil)
	if wr.err != nil {
		return nil, wr.err
	}
	return wr, nil
}

// Write writes a record, after the dictionaries of its dictionary-encoded
// columns when they differ from those written before: in full the first
// time, as a delta when a dictionary only grew, and otherwise as a
// replacement, which only the stream format allows. Columns may be
// slices of larger arrays. Write fails without writing the record when
// the record does not match the schema, an array's buffers are too short
// for it, or a file's dictionary changed other than by growing (the
// dictionaries written before that stay valid, and the Writer usable);
// and when writing to w fails, after which every call fails.
func (w *Writer) Write(rec *columnar.Record) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("arrow ipc: write after Close")
	}
	if rec == nil || len(rec.Cols) != len(w.schema.Fields) || rec.Len < 0 {
		return errors.New("arrow ipc: the record does not have the schema's columns")
	}
	for i, c := range rec.Cols {
		f := w.schema.Fields[i]
		if c == nil || !c.Type.EqualIgnoringNames(f.Type) {
			var t *columnar.Type
			if c != nil {
				t = c.Type
			}
			return fmt.Errorf("arrow ipc: column %q holds %s for a field of %s", f.Name, t, f.Type)
		}
		if c.Len != rec.Len {
			return fmt.Errorf("arrow ipc: column %q has %d values in a record of %d rows", f.Name, c.Len, rec.Len)
		}
		if err := validate(c, w.nodes[i].path); err != nil {
			return err
		}
	}
	e := &batchEncoder{}
	for i, c := range rec.Cols {
		if err := e.array(c, w.nodes[i], 0); err != nil {
			return err
		}
	}
	if err := w.writeDicts(e.dicts, 0); err != nil {
		return err
	}
	b := newBuilder(256 + 32*(len(e.nodes)+len(e.bufs)))
	blk := w.writeMessage(b, hdrRecordBatch, e.recordBatch(b, rec.Len), e)
	w.batchBlocks = append(w.batchBlocks, blk)
	return w.err
}

// Close ends the stream with its end-of-stream marker, and a file with
// its footer. It does not close the underlying writer. It fails when
// writing fails or a Write failed in writing.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	var eos [8]byte
	binary.LittleEndian.PutUint32(eos[:], continuation)
	w.write(eos[:])
	if w.file {
		b := newBuilder(1024 + 24*(len(w.dictBlocks)+len(w.batchBlocks)))
		schema := encodeSchema(b, w.schema, w.nodes)
		dicts := blockVector(b, w.dictBlocks)
		batches := blockVector(b, w.batchBlocks)
		b.startTable(4)
		b.addOffset(1, schema)
		b.addOffset(2, dicts)
		b.addOffset(3, batches)
		b.addInt16(0, versionV5)
		footer := b.finish(b.endTable())
		w.write(footer)
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(footer)))
		w.write(n[:])
		w.write([]byte(magic))
	}
	return w.err
}

func blockVector(b *builder, blocks []block) int {
	b.startVector(24, len(blocks), 8)
	for i := len(blocks) - 1; i >= 0; i-- {
		b.putU64(uint64(blocks[i].bodyLen))
		b.putU32(0)
		b.putU32(uint32(blocks[i].metaLen))
		b.putU64(uint64(blocks[i].offset))
	}
	return b.endVector(len(blocks))
}

func (w *Writer) write(p []byte) {
	if w.err != nil || len(p) == 0 {
		return
	}
	n, err := w.w.Write(p)
	w.pos += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("arrow ipc: %w", err)
	}
}

var zeros [8]byte

// padding is how many bytes pad n to a multiple of 8.
func padding(n int) int { return -n & 7 }

// writeMessage finishes a Message around header, writes it and the body
// e holds, and returns where it was written.
func (w *Writer) writeMessage(b *builder, kind uint8, header int, e *batchEncoder) block {
	var bodyLen int64
	if e != nil {
		bodyLen = e.bodyLen
	}
	b.startTable(5)
	b.addInt64(3, bodyLen)
	b.addOffset(2, header)
	b.addInt16(0, versionV5)
	b.addUint8(1, kind)
	fb := b.finish(b.endTable())
	if len(fb) > math.MaxInt32-8 {
		w.err = fmt.Errorf("arrow ipc: message metadata of %d bytes", len(fb))
		return block{}
	}
	blk := block{offset: w.pos, metaLen: int32(8 + len(fb)), bodyLen: bodyLen}
	var prefix [8]byte
	binary.LittleEndian.PutUint32(prefix[:], continuation)
	binary.LittleEndian.PutUint32(prefix[4:], uint32(len(fb)))
	w.write(prefix[:])
	w.write(fb) // a multiple of 8 bytes long
	if e != nil {
		for _, buf := range e.bufs {
			w.write(buf)
			w.write(zeros[:padding(len(buf))])
		}
	}
	return blk
}

// writeDicts writes the dictionaries a batch uses that differ from those
// written before.
func (w *Writer) writeDicts(uses []dictUse, depth int) error {
	for _, u := range uses {
		if err := w.writeDict(u.node, u.dict, depth); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) writeDict(n *fieldNode, dict *columnar.Array, depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("arrow ipc: field %q nests dictionaries more than %d deep", n.path, maxDepth)
	}
	last := w.dicts[n.dictID]
	if dict == last {
		return nil
	}
	vn := n.valueNode()
	e := &batchEncoder{}
	if err := e.array(dict, vn, 0); err != nil { // validated with its column
		return err
	}
	delta := false
	if last != nil {
		switch {
		case dict.Len >= last.Len && equal(last, 0, dict, 0, last.Len, vn.typ):
			if dict.Len == last.Len {
				w.dicts[n.dictID] = dict
				return nil
			}
			e = &batchEncoder{}
			if err := e.array(dict.Slice(last.Len, dict.Len), vn, 0); err != nil {
				return err
			}
			delta = true
		case w.file:
			return fmt.Errorf("arrow ipc: field %q: the dictionary changed between records, "+
				"which the file format cannot hold (a dictionary may only grow): write a stream, or unify the dictionaries", n.path)
		}
	}
	if err := w.writeDicts(e.dicts, depth+1); err != nil {
		return err
	}
	b := newBuilder(256 + 32*(len(e.nodes)+len(e.bufs)))
	data := e.recordBatch(b, int(e.nodes[0]))
	b.startTable(3)
	b.addInt64(0, n.dictID)
	b.addOffset(1, data)
	b.addBool(2, delta)
	blk := w.writeMessage(b, hdrDictionaryBatch, b.endTable(), e)
	w.dictBlocks = append(w.dictBlocks, blk)
	w.dicts[n.dictID] = dict
	return w.err
}

// batchEncoder lays out arrays as a RecordBatch: its field nodes and the
// buffers of its body.
type batchEncoder struct {
	nodes   []int64 // length and null count of each field node
	bufs    [][]byte
	bodyLen int64
	dicts   []dictUse // the dictionaries the arrays use
}

type dictUse struct {
	node *fieldNode
	dict *columnar.Array
}

func (e *batchEncoder) add(b []byte) {
	e.bufs = append(e.bufs, b)
	e.bodyLen += int64(len(b) + padding(len(b)))
}

// array adds the field nodes and buffers of a, a validated array of
// field n.
func (e *batchEncoder) array(a *columnar.Array, n *fieldNode, depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("arrow ipc: field %q nests arrays more than %d deep", n.path, maxDepth)
	}
	t := n.typ
	nulls := a.Nulls
	if t.ID == columnar.Null {
		nulls = a.Len
	}
	e.nodes = append(e.nodes, int64(a.Len), int64(nulls))
	if t.ID == columnar.Null {
		return nil
	}
	if a.Nulls == 0 {
		e.add(nil)
	} else {
		e.add(bitmap(a.Buffers[0], a.Offset, a.Len))
	}
	end := a.Offset + a.Len
	switch t.ID {
	case columnar.Bool:
		e.add(bitmap(a.Buffers[1], a.Offset, a.Len))
	case columnar.Struct:
		for i, c := range a.Children {
			if err := e.array(c, n.children[i], depth+1); err != nil {
				return err
			}
		}
	case columnar.FixedSizeList:
		return e.array(a.Children[0].Slice(a.Offset*t.Size, end*t.Size), n.children[0], depth+1)
	case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary:
		first, last, offsets := rebase(a)
		e.add(offsets)
		e.add(a.Buffers[2][first:last])
	case columnar.List, columnar.LargeList, columnar.Map:
		first, last, offsets := rebase(a)
		e.add(offsets)
		return e.array(a.Children[0].Slice(first, last), n.children[0], depth+1)
	default: // fixed width, and dictionary indices
		w := t.ByteWidth()
		e.add(a.Buffers[1][a.Offset*w : end*w])
		if t.ID == columnar.Dictionary {
			e.dicts = append(e.dicts, dictUse{n, a.Dict})
		}
	}
	return nil
}

// recordBatch builds the RecordBatch table of what e holds.
func (e *batchEncoder) recordBatch(b *builder, length int) int {
	k := len(e.nodes) / 2
	b.startVector(16, k, 8)
	for i := k - 1; i >= 0; i-- {
		b.putU64(uint64(e.nodes[2*i+1]))
		b.putU64(uint64(e.nodes[2*i]))
	}
	nodes := b.endVector(k)
	offsets := make([]int64, len(e.bufs))
	var pos int64
	for i, buf := range e.bufs {
		offsets[i] = pos
		pos += int64(len(buf) + padding(len(buf)))
	}
	b.startVector(16, len(e.bufs), 8)
	for i := len(e.bufs) - 1; i >= 0; i-- {
		b.putU64(uint64(len(e.bufs[i])))
		b.putU64(uint64(offsets[i]))
	}
	bufs := b.endVector(len(e.bufs))
	b.startTable(3)
	b.addInt64(0, int64(length))
	b.addOffset(1, nodes)
	b.addOffset(2, bufs)
	return b.endTable()
}

// bitmap returns bits off to off+n−1 of b as a bitmap from bit 0: b's
// bytes when off is a multiple of 8, else a shifted copy.
func bitmap(b []byte, off, n int) []byte {
	nb := columnar.BitmapBytes(n)
	if off%8 == 0 {
		return b[off/8 : off/8+nb]
	}
	out := make([]byte, nb)
	columnar.CopyBits(out, 0, b, off, n)
	return out
}

// rebase returns the range of data or child values an array with
// offsets uses, and its offsets from Offset made to start at 0.
func rebase(a *columnar.Array) (first, last int, offsets []byte) {
	if a.Type.OffsetWidth() == 8 {
		return rebaseAs[int64](a)
	}
	return rebaseAs[int32](a)
}

func rebaseAs[T int32 | int64](a *columnar.Array) (first, last int, offsets []byte) {
	var zero T
	w := int(unsafe.Sizeof(zero))
	offs := columnar.Values[T](&columnar.Array{Len: a.Len + 1, Offset: a.Offset, Buffers: a.Buffers})
	first, last = int(offs[0]), int(offs[a.Len])
	if first == 0 {
		return first, last, a.Buffers[1][a.Offset*w : (a.Offset+a.Len+1)*w]
	}
	out := columnar.MakeAligned[T](a.Len + 1)
	for i, o := range offs {
		out[i] = o - offs[0]
	}
	return first, last, columnar.AsBytes(out)
}
