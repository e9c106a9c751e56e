package parquet

import (
	"encoding/binary"
	"errors"
	"math"
)

// The footer and page headers are Thrift structs in the compact protocol.
// Only the fields this package uses are decoded; the rest are skipped by
// their wire type, so files from newer writers still read.

// Compact protocol wire types.
const (
	ctStop   = 0
	ctTrue   = 1
	ctFalse  = 2
	ctByte   = 3
	ctI16    = 4
	ctI32    = 5
	ctI64    = 6
	ctDouble = 7
	ctBinary = 8
	ctList   = 9
	ctSet    = 10
	ctMap    = 11
	ctStruct = 12
)

// maxDepth bounds struct nesting so that a hostile footer cannot exhaust
// the stack; the Parquet structs nest a handful of levels.
const maxDepth = 32

var errThrift = errors.New("corrupt metadata")

// tdec decodes compact-protocol values from a byte slice. The first
// error sticks: later reads return zero values, so callers check err once.
type tdec struct {
	b     []byte
	err   error
	depth int
}

func (d *tdec) fail() {
	if d.err == nil {
		d.err = errThrift
	}
	d.b = nil
}

func (d *tdec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *tdec) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *tdec) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// i32 reads a 32-bit integer, failing on values out of its range.
func (d *tdec) i32() int32 {
	v := d.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int32(v)
}

func (d *tdec) binary() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *tdec) str() string { return string(d.binary()) }

// list reads a list or set header: the element type and a length that is
// at most the bytes left, since every element takes at least one byte.
func (d *tdec) list() (byte, int) {
	h := d.byte()
	n := uint64(h >> 4)
	if n == 15 {
		n = d.uvarint()
	}
	if n > uint64(len(d.b)) {
		d.fail()
		return 0, 0
	}
	return h & 0x0f, int(n)
}

// listOf reads a list of structs, each by elem.
func listOf[T any](d *tdec, elem func() T) []T {
	_, n := d.list()
	out := make([]T, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, elem())
	}
	return out
}

// fields calls fn with each field of a struct until its stop byte; fn
// reads the value of the fields it knows and returns false for the rest,
// which are skipped.
func (d *tdec) fields(fn func(id int16, typ byte) bool) {
	d.depth++
	if d.depth > maxDepth {
		d.fail()
	}
	var id int16
	for d.err == nil {
		h := d.byte()
		typ := h & 0x0f
		if typ == ctStop {
			break
		}
		if delta := int16(h >> 4); delta != 0 {
			id += delta
		} else {
			v := d.varint()
			if v < math.MinInt16 || v > math.MaxInt16 {
				d.fail()
				break
			}
			id = int16(v)
		}
		if !fn(id, typ) {
			d.skip(typ)
		}
	}
	d.depth--
}

// skip passes over a value of wire type typ.
func (d *tdec) skip(typ byte) {
	switch typ {
	case ctTrue, ctFalse:
	case ctByte:
		d.byte()
	case ctI16, ctI32, ctI64:
		d.uvarint()
	case ctDouble:
		if len(d.b) < 8 {
			d.fail()
			return
		}
		d.b = d.b[8:]
	case ctBinary:
		d.binary()
	case ctList, ctSet:
		et, n := d.list()
		for i := 0; i < n && d.err == nil; i++ {
			d.skipElem(et)
		}
	case ctMap:
		n := d.uvarint()
		if n == 0 {
			return
		}
		if n > uint64(len(d.b)) {
			d.fail()
			return
		}
		kv := d.byte()
		for i := uint64(0); i < n && d.err == nil; i++ {
			d.skipElem(kv >> 4)
			d.skipElem(kv & 0x0f)
		}
	case ctStruct:
		d.fields(func(int16, byte) bool { return false })
	default:
		d.fail()
	}
}

// skipElem skips a collection element; booleans there take a byte.
func (d *tdec) skipElem(typ byte) {
	if typ == ctTrue || typ == ctFalse {
		d.byte()
		return
	}
	d.skip(typ)
}

// boolean reads a struct field's boolean, which its type carries.
func (d *tdec) boolean(typ byte) bool { return typ == ctTrue }

// tenc encodes compact-protocol structs. Fields must be written in
// increasing id order within a struct.
type tenc struct {
	b    []byte
	last []int16 // the last field id of each open struct
}

func (e *tenc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *tenc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *tenc) field(id int16, typ byte) {
	top := &e.last[len(e.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		e.b = append(e.b, byte(d)<<4|typ)
	} else {
		e.b = append(e.b, typ)
		e.varint(int64(id))
	}
	*top = id
}

func (e *tenc) begin()               { e.last = append(e.last, 0) }
func (e *tenc) end()                 { e.b = append(e.b, ctStop); e.last = e.last[:len(e.last)-1] }
func (e *tenc) structField(id int16) { e.field(id, ctStruct); e.begin() }

func (e *tenc) i32(id int16, v int32) { e.field(id, ctI32); e.varint(int64(v)) }
func (e *tenc) i8(id int16, v int8)   { e.field(id, ctByte); e.b = append(e.b, byte(v)) }
func (e *tenc) i64(id int16, v int64) { e.field(id, ctI64); e.varint(v) }

func (e *tenc) bool(id int16, v bool) {
	if v {
		e.field(id, ctTrue)
	} else {
		e.field(id, ctFalse)
	}
}

func (e *tenc) str(id int16, s string) {
	e.field(id, ctBinary)
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// list starts a list field of n elements of type typ.
func (e *tenc) list(id int16, typ byte, n int) {
	e.field(id, ctList)
	if n < 15 {
		e.b = append(e.b, byte(n)<<4|typ)
	} else {
		e.b = append(e.b, 0xf0|typ)
		e.uvarint(uint64(n))
	}
}
