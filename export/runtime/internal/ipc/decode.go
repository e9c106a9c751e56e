package ipc

import (
	"errors"
	"fmt"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Members of the MessageHeader union of Message.fbs.
const (
	hdrSchema          = 1
	hdrDictionaryBatch = 2
	hdrRecordBatch     = 3
)

var headerNames = map[uint8]string{4: "tensor", 5: "sparse tensor"}

// Members of MetadataVersion.
const (
	versionV4 = 3
	versionV5 = 4
)

// message is the metadata of an IPC message: its header table and the
// length of the body that follows it.
type message struct {
	kind    uint8
	header  table
	bodyLen int64
}

// parseMessage reads a Message flatbuffer.
func parseMessage(meta []byte) (*message, error) {
	f := &fbuf{b: meta}
	m := f.root()
	version := m.int16(0, 0)
	msg := &message{kind: m.uint8(1, 0), bodyLen: m.int64(3, 0)}
	h, ok := m.table(2)
	msg.header = h
	switch {
	case f.err != nil:
		return nil, f.err
	case version < versionV4 || version > versionV5:
		return nil, fmt.Errorf("arrow ipc: metadata version V%d is not supported (V4 and V5 are)", int(version)+1)
	case !ok:
		return nil, errors.New("arrow ipc: message without a header")
	case msg.bodyLen < 0 || msg.bodyLen > maxLen:
		return nil, fmt.Errorf("arrow ipc: message body of %d bytes", msg.bodyLen)
	case msg.kind < hdrSchema || msg.kind > hdrRecordBatch:
		name := headerNames[msg.kind]
		if name == "" {
			name = fmt.Sprintf("number %d", msg.kind)
		}
		return nil, fmt.Errorf("arrow ipc: message of type %s is not supported", name)
	}
	return msg, nil
}

// dictMemo holds the dictionaries read so far, by id.
type dictMemo struct {
	nodes map[int64]*fieldNode // the values of each dictionary
	dicts map[int64]*columnar.Array
}

// newDictMemo finds the dictionary-encoded fields of a schema.
func newDictMemo(nodes []*fieldNode) (*dictMemo, error) {
	m := &dictMemo{nodes: map[int64]*fieldNode{}, dicts: map[int64]*columnar.Array{}}
	var walk func(n *fieldNode) error
	walk = func(n *fieldNode) error {
		if n.typ.ID == columnar.Dictionary {
			if prev := m.nodes[n.dictID]; prev != nil && !prev.typ.EqualIgnoringNames(n.typ.Value) {
				return fmt.Errorf("arrow ipc: fields %q and %q share dictionary %d but not a type", prev.path, n.path, n.dictID)
			}
			m.nodes[n.dictID] = n.valueNode()
		}
		for _, c := range n.children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := walk(n); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// apply reads a DictionaryBatch into the memo: a new dictionary, a
// replacement when replace allows it, or a delta appended to the
// dictionary before.
func (m *dictMemo) apply(h table, body []byte, replace bool) error {
	id := h.int64(0, 0)
	data, ok := h.table(1)
	delta := h.bool(2)
	if h.f.err != nil {
		return h.f.err
	}
	n := m.nodes[id]
	if n == nil {
		return fmt.Errorf("arrow ipc: dictionary batch for id %d, which no field has", id)
	}
	if !ok {
		return fmt.Errorf("arrow ipc: dictionary batch for field %q without data", n.path)
	}
	cols, _, err := decodeBatch(data, body, []*fieldNode{n}, m)
	if err != nil {
		return err
	}
	dict := cols[0]
	prev := m.dicts[id]
	switch {
	case prev != nil && delta:
		if dict, err = concat(prev, dict, n.typ, n.path); err != nil {
			return err
		}
	case prev != nil && !replace:
		return fmt.Errorf("arrow ipc: field %q: a second dictionary, which the file format does not allow", n.path)
	}
	m.dicts[id] = dict
	return nil
}

// batchDecoder reads the arrays of a RecordBatch from its body.
type batchDecoder struct {
	f          *fbuf
	nodes, buf vector
	ni, bi     int
	body       []byte
	codec      int
	dicts      *dictMemo
}

// decodeBatch reads a RecordBatch table and its body as arrays of the
// given fields, returning them and the batch's length.
func decodeBatch(h table, body []byte, fields []*fieldNode, dicts *dictMemo) ([]*columnar.Array, int, error) {
	d := &batchDecoder{f: h.f, nodes: h.vector(1, 16), buf: h.vector(2, 16), body: body, codec: codecNone, dicts: dicts}
	length := h.int64(0, 0)
	if c, ok := h.table(3); ok {
		d.codec = int(c.uint8(0, 0))
		if c.uint8(1, 0) != 0 {
			return nil, 0, fmt.Errorf("arrow ipc: body compression method %d is not supported", c.uint8(1, 0))
		}
		if d.codec != codecLZ4 && d.codec != codecZstd {
			return nil, 0, fmt.Errorf("arrow ipc: compression codec %d is not supported", d.codec)
		}
	}
	if h.f.err != nil {
		return nil, 0, h.f.err
	}
	if length < 0 || length > maxLen {
		return nil, 0, fmt.Errorf("arrow ipc: record batch of %d rows", length)
	}
	cols := make([]*columnar.Array, len(fields))
	for i, n := range fields {
		a, err := d.array(n, 0)
		if err != nil {
			return nil, 0, err
		}
		if a.Len != int(length) {
			return nil, 0, fmt.Errorf("arrow ipc: column %q of %d values in a record batch of %d rows", n.path, a.Len, length)
		}
		if err := validate(a, n.path); err != nil {
			return nil, 0, err
		}
		cols[i] = a
	}
	return cols, int(length), nil
}

// node reads the next field node: a length and a null count.
func (d *batchDecoder) node(n *fieldNode) (int, int, error) {
	if d.ni >= d.nodes.n {
		return 0, 0, fmt.Errorf("arrow ipc: record batch has no field node for %q", n.path)
	}
	length, nulls := d.nodes.int64(d.ni, 0), d.nodes.int64(d.ni, 8)
	d.ni++
	if length < 0 || length > maxLen || nulls < 0 || nulls > length {
		return 0, 0, fmt.Errorf("arrow ipc: field %q: %d nulls among %d values", n.path, nulls, length)
	}
	return int(length), int(nulls), nil
}

// buffer reads the next buffer, 8-aligned; nil when empty.
func (d *batchDecoder) buffer(n *fieldNode) ([]byte, error) {
	if d.bi >= d.buf.n {
		return nil, fmt.Errorf("arrow ipc: record batch has too few buffers for %q", n.path)
	}
	off, length := d.buf.int64(d.bi, 0), d.buf.int64(d.bi, 8)
	d.bi++
	if off < 0 || length < 0 || off > int64(len(d.body)) || length > int64(len(d.body))-off {
		return nil, fmt.Errorf("arrow ipc: field %q: buffer of %d bytes at %d outside a body of %d", n.path, length, off, len(d.body))
	}
	b := d.body[off : off+length]
	if d.codec != codecNone {
		b, err := decompress(d.codec, b)
		if err != nil {
			return nil, fmt.Errorf("arrow ipc: field %q: %w", n.path, err)
		}
		return b, nil
	}
	if length == 0 {
		return nil, nil
	}
	if !columnar.IsAligned(b) {
		c := columnar.MakeAligned[byte](len(b))
		copy(c, b)
		b = c
	}
	return b, nil
}

// array reads the array of field n and its children.
func (d *batchDecoder) array(n *fieldNode, depth int) (*columnar.Array, error) {
	if depth >= maxDepth {
		return nil, fmt.Errorf("arrow ipc: field %q nests arrays more than %d deep", n.path, maxDepth)
	}
	length, nulls, err := d.node(n)
	if err != nil {
		return nil, err
	}
	t := n.typ
	a := &columnar.Array{Type: t, Len: length, Nulls: nulls}
	if t.ID == columnar.Null {
		a.Nulls = length
		return a, nil
	}
	a.Buffers = make([][]byte, t.ID.NumBuffers())
	for i := range a.Buffers {
		if a.Buffers[i], err = d.buffer(n); err != nil {
			return nil, err
		}
	}
	if nulls == 0 {
		a.Buffers[0] = nil
	} else if a.Buffers[0] == nil {
		return nil, fmt.Errorf("arrow ipc: field %q: %d nulls but no validity bitmap", n.path, nulls)
	}
	if t.OffsetWidth() > 0 && len(a.Buffers[1]) == 0 && length == 0 {
		a.Buffers[1] = columnar.MakeAligned[byte](8) // one zero offset
	}
	if len(a.Buffers) > 2 && a.Buffers[2] == nil {
		a.Buffers[2] = []byte{}
	}
	for _, c := range n.children {
		if t.ID == columnar.Dictionary {
			break // the children of the values, in the dictionary's batches
		}
		child, err := d.array(c, depth+1)
		if err != nil {
			return nil, err
		}
		if t.ID == columnar.Struct && child.Len > length {
			// A struct's children may be longer than it; columnar's
			// are as long.
			if err := validate(child, c.path); err != nil {
				return nil, err
			}
			child = child.Slice(0, length)
		}
		a.Children = append(a.Children, child)
	}
	if t.ID == columnar.Dictionary {
		if a.Dict = d.dicts.dicts[n.dictID]; a.Dict == nil {
			return nil, fmt.Errorf("arrow ipc: field %q: no dictionary with id %d came before the record batch", n.path, n.dictID)
		}
	}
	return a, nil // decodeBatch validates it
}
