package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/golang/snappy"
)

// pageSize is where the writer starts a new page, in plain-encoded bytes.
const pageSize = 1 << 20

// Writer writes records as a Parquet file: each record a row group of
// OPTIONAL columns, PLAIN-encoded, Snappy-compressed, in version 1 data
// pages.
type Writer struct {
	w      io.Writer
	pos    int64
	schema *arrow.Schema
	elems  []schemaElement
	groups []writtenGroup
	rows   int64
	err    error
}

type writtenGroup struct {
	rows   int64
	chunks []columnMeta
	size   int64 // uncompressed bytes
}

// NewWriter starts a Parquet file on w for records of schema. It fails,
// naming the column, when a column's type is not one the writer knows:
// booleans, integers, float32, float64, date32, timestamps in ms, us or
// ns, and strings (plain or dictionary-encoded).
func NewWriter(w io.Writer, schema *arrow.Schema) (*Writer, error) {
	pw := &Writer{w: w, schema: schema}
	for _, f := range schema.Fields() {
		e, err := element(f)
		if err != nil {
			return nil, err
		}
		pw.elems = append(pw.elems, e)
	}
	if err := pw.write([]byte(magic)); err != nil {
		return nil, err
	}
	return pw, nil
}

// element is the schema element of an Arrow field.
func element(f arrow.Field) (schemaElement, error) {
	e := schemaElement{name: f.Name, repetition: repOptional, converted: convNone}
	integer := func(typ int32, bits int8, signed bool, conv int32) {
		e.typ, e.converted = typ, conv
		e.logical = logical{kind: logInteger, bitWidth: bits, signed: signed}
	}
	t := f.Type
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
		if t.ID() != arrow.STRING && t.ID() != arrow.LARGE_STRING {
			return e, fmt.Errorf("parquet: column %q: cannot write dictionaries of %s", f.Name, t)
		}
	}
	switch t.ID() {
	case arrow.BOOL:
		e.typ = typeBoolean
	case arrow.INT8:
		integer(typeInt32, 8, true, convInt8)
	case arrow.INT16:
		integer(typeInt32, 16, true, convInt16)
	case arrow.INT32:
		e.typ = typeInt32
	case arrow.INT64:
		e.typ = typeInt64
	case arrow.UINT8:
		integer(typeInt32, 8, false, convUint8)
	case arrow.UINT16:
		integer(typeInt32, 16, false, convUint16)
	case arrow.UINT32:
		integer(typeInt32, 32, false, convUint32)
	case arrow.UINT64:
		integer(typeInt64, 64, false, convUint64)
	case arrow.FLOAT32:
		e.typ = typeFloat
	case arrow.FLOAT64:
		e.typ = typeDouble
	case arrow.DATE32:
		e.typ, e.converted, e.logical.kind = typeInt32, convDate, logDate
	case arrow.TIMESTAMP:
		ts := t.(*arrow.TimestampType)
		if ts.Unit == arrow.Second {
			return e, fmt.Errorf("parquet: column %q: cannot write timestamps in seconds", f.Name)
		}
		e.typ = typeInt64
		e.logical = logical{kind: logTimestamp, utc: ts.TimeZone != "", unit: int16(ts.Unit)}
	case arrow.STRING, arrow.LARGE_STRING:
		e.typ, e.converted, e.logical.kind = typeByteArray, convUTF8, logString
	default:
		return e, fmt.Errorf("parquet: column %q: cannot write %s", f.Name, f.Type)
	}
	return e, nil
}

func (w *Writer) write(b []byte) error {
	if w.err != nil {
		return w.err
	}
	n, err := w.w.Write(b)
	w.pos += int64(n)
	w.err = err
	return err
}

// Write writes rec, whose schema must be the writer's, as a row group.
// It fails when rec's schema differs or the underlying writer fails.
func (w *Writer) Write(rec arrow.Record) error {
	if w.err != nil {
		return w.err
	}
	if !rec.Schema().Equal(w.schema) {
		return errors.New("parquet: record schema differs from the file's")
	}
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	g := writtenGroup{rows: int64(n)}
	for j, col := range rec.Columns() {
		start := w.pos
		cm := columnMeta{typ: w.elems[j].typ, codec: codecSnappy, numValues: int64(n), dataOffset: start}
		var str func(int) string
		if cm.typ == typeByteArray {
			var ok bool
			if str, ok = stringsOf(col); !ok {
				return fmt.Errorf("parquet: column %q is %s, not strings", w.elems[j].name, col.DataType())
			}
		}
		for lo := 0; lo < n; {
			hi := pageEnd(col, str, lo, n)
			raw := pageBytes(col, str, lo, hi)
			comp := snappy.Encode(nil, raw)
			h := &tenc{}
			h.begin()
			h.i32(1, pageData)
			h.i32(2, int32(len(raw)))
			h.i32(3, int32(len(comp)))
			h.structField(5)
			h.i32(1, int32(hi-lo))
			h.i32(2, encPlain)
			h.i32(3, encRLE)
			h.i32(4, encRLE)
			h.end()
			h.end()
			cm.uncompressedSize += int64(len(h.b) + len(raw))
			if err := w.write(h.b); err != nil {
				return err
			}
			if err := w.write(comp); err != nil {
				return err
			}
			lo = hi
		}
		cm.compressedSize = w.pos - start
		g.size += cm.uncompressedSize
		g.chunks = append(g.chunks, cm)
	}
	w.groups = append(w.groups, g)
	w.rows += int64(n)
	return nil
}

// pageEnd is where the page starting at row lo ends: after about
// pageSize bytes of values. str reads a string column's values.
func pageEnd(col arrow.Array, str func(int) string, lo, n int) int {
	if str == nil {
		return min(n, lo+pageSize/8)
	}
	size := 0
	for i := lo; i < n; i++ {
		if size >= pageSize {
			return i
		}
		if col.IsValid(i) {
			size += 4 + len(str(i))
		}
	}
	return n
}

// stringsOf returns the accessor of a string column's values, plain or
// dictionary-encoded, and whether col is one.
func stringsOf(col arrow.Array) (func(int) string, bool) {
	switch a := col.(type) {
	case *array.String:
		return a.Value, true
	case *array.LargeString:
		return a.Value, true
	case *array.Dictionary:
		if dict, ok := stringsOf(a.Dictionary()); ok {
			return func(i int) string { return dict(a.GetValueIndex(i)) }, true
		}
	}
	return nil, false
}

// pageBytes is the uncompressed body of a data page of rows [lo, hi):
// the definition levels, then the present values.
func pageBytes(col arrow.Array, str func(int) string, lo, hi int) []byte {
	n := hi - lo
	b := make([]byte, 4, 16+n/8+8*n)
	if col.NullN() == 0 {
		// One run of n ones.
		b = binary.AppendUvarint(b, uint64(n)<<1)
		b = append(b, 1)
	} else {
		// Bit-packed groups of eight levels, which is the validity bitmap.
		groups := (n + 7) / 8
		b = binary.AppendUvarint(b, uint64(groups)<<1|1)
		bm := make([]byte, groups)
		bitutil.CopyBitmap(col.NullBitmapBytes(), col.Data().Offset()+lo, n, bm, 0)
		b = append(b, bm...)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	if str != nil {
		for i := lo; i < hi; i++ {
			if col.IsValid(i) {
				s := str(i)
				b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
				b = append(b, s...)
			}
		}
		return b
	}
	if a, ok := col.(*array.Boolean); ok {
		bm := make([]byte, n/8+1)
		k := 0
		for i := lo; i < hi; i++ {
			if a.IsValid(i) {
				if a.Value(i) {
					bitutil.SetBit(bm, k)
				}
				k++
			}
		}
		return append(b, bm[:(k+7)/8]...)
	}
	// Fixed-width values: narrow integers widen to INT32.
	d := col.Data()
	w := d.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
	vals := d.Buffers()[1].Bytes()[(d.Offset()+lo)*w : (d.Offset()+hi)*w]
	signed := false
	switch d.DataType().ID() {
	case arrow.INT8, arrow.INT16:
		signed = true
	}
	if col.NullN() == 0 && w >= 4 && littleEndian {
		return append(b, vals...)
	}
	for i := range n {
		if !col.IsValid(lo + i) {
			continue
		}
		v := vals[i*w : (i+1)*w]
		switch {
		case w >= 4 && littleEndian:
			b = append(b, v...)
		case w >= 4:
			at := len(b)
			b = append(b, v...)
			toNative(b[at:], w)
		default:
			var x uint32
			switch {
			case w == 1 && signed:
				x = uint32(int8(v[0]))
			case w == 1:
				x = uint32(v[0])
			case signed:
				x = uint32(int16(binary.NativeEndian.Uint16(v)))
			default:
				x = uint32(binary.NativeEndian.Uint16(v))
			}
			b = binary.LittleEndian.AppendUint32(b, x)
		}
	}
	return b
}

// Close writes the footer. It does not close the underlying writer.
func (w *Writer) Close() error {
	e := &tenc{}
	e.begin()
	e.i32(1, 1)
	e.list(2, ctStruct, len(w.elems)+1)
	e.begin()
	e.str(4, "schema")
	e.i32(5, int32(len(w.elems)))
	e.end()
	for _, el := range w.elems {
		e.begin()
		e.i32(1, el.typ)
		e.i32(3, el.repetition)
		e.str(4, el.name)
		if el.converted != convNone {
			e.i32(6, el.converted)
		}
		if l := el.logical; l.kind != 0 {
			e.structField(10)
			e.structField(l.kind)
			switch l.kind {
			case logInteger:
				e.i8(1, l.bitWidth)
				e.bool(2, l.signed)
			case logTimestamp:
				e.bool(1, l.utc)
				e.structField(2)
				e.structField(l.unit)
				e.end()
				e.end()
			}
			e.end()
			e.end()
		}
		e.end()
	}
	e.i64(3, w.rows)
	e.list(4, ctStruct, len(w.groups))
	for _, g := range w.groups {
		e.begin()
		e.list(1, ctStruct, len(g.chunks))
		for j, c := range g.chunks {
			e.begin()
			e.i64(2, c.dataOffset)
			e.structField(3)
			e.i32(1, c.typ)
			e.list(2, ctI32, 2)
			e.varint(encPlain)
			e.varint(encRLE)
			e.list(3, ctBinary, 1)
			e.uvarint(uint64(len(w.elems[j].name)))
			e.b = append(e.b, w.elems[j].name...)
			e.i32(4, c.codec)
			e.i64(5, c.numValues)
			e.i64(6, c.uncompressedSize)
			e.i64(7, c.compressedSize)
			e.i64(9, c.dataOffset)
			e.end()
			e.end()
		}
		e.i64(2, g.size)
		e.i64(3, g.rows)
		e.end()
	}
	e.str(6, "quiver scorer")
	e.end()
	if err := w.write(e.b); err != nil {
		return err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:], uint32(len(e.b)))
	copy(tail[4:], magic)
	return w.write(tail[:])
}
