package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
)

// This file reads and builds flatbuffers, the encoding of Arrow's IPC
// metadata, by hand: a table is a signed offset to its vtable followed by
// its fields; the vtable lists each field's position in the table (0 when
// absent); tables, vectors and strings refer to one another by unsigned
// 32-bit offsets from where the offset is stored.

// fbuf is a flatbuffer being read. The first problem found is kept in
// err and reads after it return zero values, so that a decoder can read
// a whole table and check err once.
type fbuf struct {
	b   []byte
	err error
}

func (f *fbuf) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf("arrow ipc: corrupt flatbuffer: "+format, args...)
	}
}

// u8, u16, u32, u64 read at p, which the caller has checked.
func (f *fbuf) u16(p int) uint16 { return binary.LittleEndian.Uint16(f.b[p:]) }
func (f *fbuf) u32(p int) uint32 { return binary.LittleEndian.Uint32(f.b[p:]) }
func (f *fbuf) u64(p int) uint64 { return binary.LittleEndian.Uint64(f.b[p:]) }

// has reports whether n bytes at p lie in the buffer.
func (f *fbuf) has(p, n int) bool { return p >= 0 && n >= 0 && p <= len(f.b) && n <= len(f.b)-p }

// deref follows the unsigned offset stored at p; -1 when it leaves the
// buffer.
func (f *fbuf) deref(p int) int {
	if !f.has(p, 4) {
		f.fail("offset at %d outside %d bytes", p, len(f.b))
		return -1
	}
	u := f.u32(p)
	if uint64(u) > uint64(len(f.b)-p) {
		f.fail("offset %d at %d outside %d bytes", u, p, len(f.b))
		return -1
	}
	return p + int(u)
}

// root is the buffer's root table.
func (f *fbuf) root() table { return f.tableAt(f.deref(0)) }

// table is one table of an fbuf. The zero table of an fbuf (vtLen 0)
// has every field absent: reading a table that is not there, or is
// corrupt, gives defaults and records the error.
type table struct {
	f      *fbuf
	pos    int // where the table starts: its vtable offset
	vt     int // where its vtable starts
	vtLen  int // the vtable's size in bytes
	objLen int // the table's size in bytes
}

func (f *fbuf) tableAt(pos int) table {
	if pos < 0 || !f.has(pos, 4) {
		if pos >= 0 {
			f.fail("table at %d outside %d bytes", pos, len(f.b))
		}
		return table{f: f}
	}
	vt := int64(pos) - int64(int32(f.u32(pos)))
	if vt < 0 || vt > int64(len(f.b)) || !f.has(int(vt), 4) {
		f.fail("vtable of table at %d outside the buffer", pos)
		return table{f: f}
	}
	t := table{f: f, pos: pos, vt: int(vt), vtLen: int(f.u16(int(vt))), objLen: int(f.u16(int(vt) + 2))}
	if t.vtLen < 4 || !f.has(t.vt, t.vtLen) || t.objLen < 4 || !f.has(pos, t.objLen) {
		f.fail("table at %d has a vtable of %d bytes for %d bytes of fields", pos, t.vtLen, t.objLen)
		return table{f: f}
	}
	return t
}

// field is the position of field slot's size bytes, or -1 when absent.
func (t table) field(slot, size int) int {
	at := 4 + 2*slot
	if at+2 > t.vtLen {
		return -1
	}
	off := int(t.f.u16(t.vt + at))
	if off == 0 {
		return -1
	}
	// Fields are checked against the buffer, not the table's size: some
	// writers (flatbuffers' Go builder) record a size short of the last
	// field when they share a vtable.
	if !t.f.has(t.pos+off, size) {
		t.f.fail("field %d of table at %d runs past the buffer's %d bytes", slot, t.pos, len(t.f.b))
		return -1
	}
	return t.pos + off
}

func (t table) int64(slot int, def int64) int64 {
	if p := t.field(slot, 8); p >= 0 {
		return int64(t.f.u64(p))
	}
	return def
}

func (t table) int32(slot int, def int32) int32 {
	if p := t.field(slot, 4); p >= 0 {
		return int32(t.f.u32(p))
	}
	return def
}

func (t table) int16(slot int, def int16) int16 {
	if p := t.field(slot, 2); p >= 0 {
		return int16(t.f.u16(p))
	}
	return def
}

func (t table) uint8(slot int, def uint8) uint8 {
	if p := t.field(slot, 1); p >= 0 {
		return t.f.b[p]
	}
	return def
}

func (t table) bool(slot int) bool { return t.uint8(slot, 0) != 0 }

// table returns the table field slot refers to, and whether it is present.
func (t table) table(slot int) (table, bool) {
	p := t.field(slot, 4)
	if p < 0 {
		return table{f: t.f}, false
	}
	return t.f.tableAt(t.f.deref(p)), true
}

// str returns string field slot, "" when absent.
func (t table) str(slot int) string {
	p := t.field(slot, 4)
	if p < 0 {
		return ""
	}
	s := t.f.deref(p)
	if s < 0 || !t.f.has(s, 4) {
		t.f.fail("string at %d outside the buffer", s)
		return ""
	}
	n := t.f.u32(s)
	if uint64(n) > uint64(len(t.f.b)-s-4) {
		t.f.fail("string of %d bytes at %d outside %d bytes", n, s, len(t.f.b))
		return ""
	}
	return string(t.f.b[s+4 : s+4+int(n)])
}

// vector is a vector field: n elements of elem bytes from start.
type vector struct {
	f        *fbuf
	start, n int
	elem     int
}

// vector returns vector field slot of elements of elem bytes; empty when
// absent.
func (t table) vector(slot, elem int) vector {
	v := vector{f: t.f, elem: elem}
	p := t.field(slot, 4)
	if p < 0 {
		return v
	}
	s := t.f.deref(p)
	if s < 0 || !t.f.has(s, 4) {
		t.f.fail("vector at %d outside the buffer", s)
		return v
	}
	n := uint64(t.f.u32(s))
	if n*uint64(elem) > uint64(len(t.f.b)-s-4) {
		t.f.fail("vector of %d elements of %d bytes at %d outside %d bytes", n, elem, s, len(t.f.b))
		return v
	}
	v.start, v.n = s+4, int(n)
	return v
}

// table is element i of a vector of tables.
func (v vector) table(i int) table { return v.f.tableAt(v.f.deref(v.start + 4*i)) }

// int64 and int32 read the field at byte field of struct element i.
func (v vector) int64(i, field int) int64 { return int64(v.f.u64(v.start + v.elem*i + field)) }
func (v vector) int32(i, field int) int32 { return int32(v.f.u32(v.start + v.elem*i + field)) }

// builder builds a flatbuffer back to front, as flatbuffers are meant to
// be built: the children of a table before the table, so that every
// offset points forward. Positions are offsets from the end of the
// buffer, which do not change as it grows at the front.
type builder struct {
	buf      []byte // the flatbuffer is buf[head:]
	head     int
	fields   []int // the current table's fields' positions, 0 if absent
	objStart int
	inTable  bool
}

func newBuilder(size int) *builder {
	return &builder{buf: make([]byte, size), head: size}
}

// offset is the position of the front of what has been built.
func (b *builder) offset() int { return len(b.buf) - b.head }

// reserve makes room for n more bytes at the front.
func (b *builder) reserve(n int) {
	if n <= b.head {
		return
	}
	size := max(2*len(b.buf), len(b.buf)+n, 64)
	nb := make([]byte, size)
	copy(nb[size-b.offset():], b.buf[b.head:])
	b.head = size - b.offset()
	b.buf = nb
}

// prep pads so that once extra more bytes are written the front is
// aligned to size, and makes room for them and a value of size bytes.
func (b *builder) prep(size, extra int) {
	pad := (-(b.offset() + extra)) & (size - 1)
	b.reserve(pad + size + extra)
	for range pad {
		b.head--
		b.buf[b.head] = 0
	}
}

func (b *builder) putU8(v uint8) {
	b.head--
	b.buf[b.head] = v
}

func (b *builder) putU16(v uint16) {
	b.head -= 2
	binary.LittleEndian.PutUint16(b.buf[b.head:], v)
}

func (b *builder) putU32(v uint32) {
	b.head -= 4
	binary.LittleEndian.PutUint32(b.buf[b.head:], v)
}

func (b *builder) putU64(v uint64) {
	b.head -= 8
	binary.LittleEndian.PutUint64(b.buf[b.head:], v)
}

// putOffset writes an offset to what was built at position off; the
// front must be 4-aligned with room for it.
func (b *builder) putOffset(off int) { b.putU32(uint32(b.offset() + 4 - off)) }

func (b *builder) startTable(slots int) {
	if b.inTable {
		panic("ipc: nested flatbuffer table")
	}
	b.inTable = true
	b.fields = append(b.fields[:0], make([]int, slots)...)
	b.objStart = b.offset()
}

func (b *builder) addInt64(slot int, v int64) {
	b.prep(8, 0)
	b.putU64(uint64(v))
	b.fields[slot] = b.offset()
}

func (b *builder) addInt32(slot int, v int32) {
	b.prep(4, 0)
	b.putU32(uint32(v))
	b.fields[slot] = b.offset()
}

func (b *builder) addInt16(slot int, v int16) {
	b.prep(2, 0)
	b.putU16(uint16(v))
	b.fields[slot] = b.offset()
}

func (b *builder) addUint8(slot int, v uint8) {
	b.prep(1, 0)
	b.putU8(v)
	b.fields[slot] = b.offset()
}

func (b *builder) addBool(slot int, v bool) {
	if v {
		b.addUint8(slot, 1)
	} else {
		b.addUint8(slot, 0)
	}
}

// addOffset sets field slot to refer to what was built at off.
func (b *builder) addOffset(slot, off int) {
	b.prep(4, 0)
	b.putOffset(off)
	b.fields[slot] = b.offset()
}

// endTable writes the table's vtable and returns the table's position.
func (b *builder) endTable() int {
	b.prep(4, 0)
	b.putU32(0) // the vtable offset, set below
	obj := b.offset()
	n := len(b.fields)
	for n > 0 && b.fields[n-1] == 0 {
		n--
	}
	b.reserve(4 + 2*n)
	for i := n - 1; i >= 0; i-- {
		var v uint16
		if b.fields[i] != 0 {
			v = uint16(obj - b.fields[i])
		}
		b.putU16(v)
	}
	b.putU16(uint16(obj - b.objStart))
	b.putU16(uint16(4 + 2*n))
	binary.LittleEndian.PutUint32(b.buf[len(b.buf)-obj:], uint32(int32(b.offset()-obj)))
	b.inTable = false
	return obj
}

// createString builds a string and returns its position.
func (b *builder) createString(s string) int {
	b.prep(4, len(s)+1)
	b.putU8(0)
	b.head -= len(s)
	copy(b.buf[b.head:], s)
	b.putU32(uint32(len(s)))
	return b.offset()
}

// startVector makes room for n elements of elem bytes aligned to align,
// which the caller then puts last to first before calling endVector.
func (b *builder) startVector(elem, n, align int) {
	b.prep(4, elem*n)
	b.prep(align, elem*n)
}

func (b *builder) endVector(n int) int {
	b.putU32(uint32(n))
	return b.offset()
}

// createOffsets builds a vector of offsets to tables or strings.
func (b *builder) createOffsets(offs []int) int {
	b.startVector(4, len(offs), 4)
	for i := len(offs) - 1; i >= 0; i-- {
		b.putOffset(offs[i])
	}
	return b.endVector(len(offs))
}

// finish writes the offset to the root table and returns the flatbuffer,
// whose length is a multiple of 8.
func (b *builder) finish(root int) []byte {
	b.prep(8, 4)
	b.putOffset(root)
	return b.buf[b.head:]
}

// fitsInt32 reports whether n can be stored in a flatbuffer int.
func fitsInt32(n int) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }
