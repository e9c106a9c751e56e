package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/golang/snappy"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// pageSize is where the writer starts a new page, in plain-encoded bytes.
const pageSize = 1 << 20

// Writer writes records as a Parquet file: each record a row group of
// OPTIONAL columns, PLAIN-encoded, Snappy-compressed, in version 1 data
// pages. Columns of lists are written in the standard three-level LIST
// layout.
type Writer struct {
	w      io.Writer
	pos    int64
	schema *columnar.Schema
	elems  []schemaElement // the leaf of each column
	nodes  []schemaElement // the schema's elements, depth first, but for the root
	paths  [][]string      // the path to each column's leaf
	lists  []bool          // whether each column holds lists
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
// ns, strings (utf8 or large_utf8, plain or dictionary-encoded with
// integer indices), and list, large_list or fixed_size_list of any of
// those.
func NewWriter(w io.Writer, schema *columnar.Schema) (*Writer, error) {
	pw := &Writer{w: w, schema: schema}
	for _, f := range schema.Fields {
		t, list := f.Type, false
		if t != nil && (t.ID == columnar.List || t.ID == columnar.LargeList || t.ID == columnar.FixedSizeList) {
			if len(t.Fields) != 1 || t.Fields[0].Type == nil {
				return nil, fmt.Errorf("parquet: column %q: cannot write %s", f.Name, t)
			}
			switch t.Fields[0].Type.ID {
			case columnar.List, columnar.LargeList, columnar.FixedSizeList, columnar.Map, columnar.Struct:
				return nil, fmt.Errorf("parquet: column %q: cannot write %s, which nests deeper than one list", f.Name, t)
			}
			t, list = t.Fields[0].Type, true
		}
		e, err := element(columnar.Field{Name: f.Name, Type: t})
		if err != nil {
			return nil, err
		}
		path := []string{f.Name}
		if list {
			// The standard layout: an OPTIONAL group annotated LIST, of a
			// repeated group named list, of an OPTIONAL field named element.
			pw.nodes = append(pw.nodes,
				schemaElement{typ: -1, repetition: repOptional, name: f.Name, numChildren: 1, converted: convList, logical: logical{kind: logList}},
				schemaElement{typ: -1, repetition: repRepeated, name: "list", numChildren: 1, converted: convNone})
			e.name = "element"
			path = append(path, "list", "element")
		}
		pw.elems = append(pw.elems, e)
		pw.nodes = append(pw.nodes, e)
		pw.paths = append(pw.paths, path)
		pw.lists = append(pw.lists, list)
	}
	if err := pw.write([]byte(magic)); err != nil {
		return nil, err
	}
	return pw, nil
}

// element is the schema element of an Arrow field.
func element(f columnar.Field) (schemaElement, error) {
	e := schemaElement{name: f.Name, repetition: repOptional, converted: convNone}
	integer := func(typ int32, bits int8, signed bool, conv int32) {
		e.typ, e.converted = typ, conv
		e.logical = logical{kind: logInteger, bitWidth: bits, signed: signed}
	}
	t := f.Type
	if t == nil {
		return e, fmt.Errorf("parquet: column %q has no type", f.Name)
	}
	if t.ID == columnar.Dictionary {
		if t.Index == nil || !t.Index.IsInteger() {
			return e, fmt.Errorf("parquet: column %q: cannot write dictionaries indexed by %s", f.Name, t.Index)
		}
		t = t.Value
		if t == nil || t.ID != columnar.String && t.ID != columnar.LargeString {
			return e, fmt.Errorf("parquet: column %q: cannot write dictionaries of %s", f.Name, t)
		}
	}
	switch t.ID {
	case columnar.Bool:
		e.typ = typeBoolean
	case columnar.Int8:
		integer(typeInt32, 8, true, convInt8)
	case columnar.Int16:
		integer(typeInt32, 16, true, convInt16)
	case columnar.Int32:
		e.typ = typeInt32
	case columnar.Int64:
		e.typ = typeInt64
	case columnar.Uint8:
		integer(typeInt32, 8, false, convUint8)
	case columnar.Uint16:
		integer(typeInt32, 16, false, convUint16)
	case columnar.Uint32:
		integer(typeInt32, 32, false, convUint32)
	case columnar.Uint64:
		integer(typeInt64, 64, false, convUint64)
	case columnar.Float32:
		e.typ = typeFloat
	case columnar.Float64:
		e.typ = typeDouble
	case columnar.Date32:
		e.typ, e.converted, e.logical.kind = typeInt32, convDate, logDate
	case columnar.Timestamp:
		if t.Unit < columnar.Millisecond || t.Unit > columnar.Nanosecond {
			return e, fmt.Errorf("parquet: column %q: cannot write timestamps in %s", f.Name, unitName(t.Unit))
		}
		e.typ = typeInt64
		// Parquet's TimeUnit union numbers MILLIS, MICROS and NANOS as
		// columnar numbers its units.
		e.logical = logical{kind: logTimestamp, utc: t.TimeZone != "", unit: int16(t.Unit)}
	case columnar.String, columnar.LargeString:
		e.typ, e.converted, e.logical.kind = typeByteArray, convUTF8, logString
	default:
		return e, fmt.Errorf("parquet: column %q: cannot write %s", f.Name, f.Type)
	}
	return e, nil
}

// unitName names a time unit for errors.
func unitName(u columnar.TimeUnit) string {
	if u == columnar.Second {
		return "seconds"
	}
	return u.String()
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

// Write writes rec, whose schema must equal the writer's, as a row group.
// Its arrays may be slices (Offset > 0). It fails when rec's schema
// differs, a column does not have its field's type or the record's length,
// a dictionary column has no dictionary, or the underlying writer fails.
func (w *Writer) Write(rec *columnar.Record) error {
	if w.err != nil {
		return w.err
	}
	if !rec.Schema.Equal(w.schema) {
		return errors.New("parquet: record schema differs from the file's")
	}
	if err := rec.Validate(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	n := rec.Len
	if n == 0 {
		return nil
	}
	g := writtenGroup{rows: int64(n)}
	var s strs
	for j, col := range rec.Cols {
		start := w.pos
		cm := columnMeta{typ: w.elems[j].typ, codec: codecSnappy, numValues: int64(n), dataOffset: start}
		vals := col
		if w.lists[j] {
			vals = col.Children[0]
		}
		str := (*strs)(nil)
		if cm.typ == typeByteArray {
			if !s.init(vals) {
				return fmt.Errorf("parquet: column %q is %s, not strings", rec.Schema.Fields[j].Name, col.Type)
			}
			str = &s
		}
		if w.lists[j] {
			if err := w.writeLists(&cm, col, str); err != nil {
				return err
			}
		}
		for lo := 0; lo < n && !w.lists[j]; {
			hi := pageEnd(str, lo, n)
			if err := w.page(&cm, pageBytes(col, str, lo, hi), hi-lo); err != nil {
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

// page writes a data page of values values whose uncompressed body is
// raw, compressed.
func (w *Writer) page(cm *columnMeta, raw []byte, values int) error {
	comp := snappy.Encode(nil, raw)
	h := &tenc{}
	h.begin()
	h.i32(1, pageData)
	h.i32(2, int32(len(raw)))
	h.i32(3, int32(len(comp)))
	h.structField(5)
	h.i32(1, int32(values))
	h.i32(2, encPlain)
	h.i32(3, encRLE)
	h.i32(4, encRLE)
	h.end()
	h.end()
	cm.uncompressedSize += int64(len(h.b) + len(raw))
	if err := w.write(h.b); err != nil {
		return err
	}
	return w.write(comp)
}

// strs reads the values of a string column, plain or dictionary-encoded,
// straight from its buffers.
type strs struct {
	col    *columnar.Array // the column
	dict   bool            // whether col is a dictionary array
	valid  []byte          // the column's validity bitmap, nil when no value is null
	offset int             // the column's Offset
	// The strings: the column's, or its dictionary's; value j lies
	// between offsets j and j+1 of off32 or off64, which start at the
	// first value.
	off32 []int32
	off64 []int64
	data  []byte
	// A dictionary column's indices when they are int8 or int32, which
	// Arrow and pandas write and which value reads fastest; nil for
	// other index types, which it reads with Array.Index.
	i8  []int8
	i32 []int32
}

// init points s at col, a validated array, reporting whether it holds
// strings.
func (s *strs) init(col *columnar.Array) bool {
	*s = strs{col: col, dict: col.Type.ID == columnar.Dictionary, valid: validity(col), offset: col.Offset}
	vals := col
	if s.dict {
		vals = col.Dict
		switch col.Type.Index.ID {
		case columnar.Int8:
			s.i8 = columnar.Values[int8](col)
		case columnar.Int32:
			s.i32 = columnar.Values[int32](col)
		}
	}
	offsets := &columnar.Array{Len: vals.Len + 1, Offset: vals.Offset, Buffers: vals.Buffers}
	switch vals.Type.ID {
	case columnar.String:
		s.off32 = columnar.Values[int32](offsets)
	case columnar.LargeString:
		s.off64 = columnar.Values[int64](offsets)
	default:
		return false
	}
	s.data = vals.Buffers[2]
	return true
}

// isValid reports whether row i has a value.
func (s *strs) isValid(i int) bool { return s.valid == nil || columnar.Bit(s.valid, s.offset+i) }

// value returns row i's string, which is not null.
func (s *strs) value(i int) []byte {
	j := i
	switch {
	case s.i32 != nil:
		j = int(s.i32[i])
	case s.i8 != nil:
		j = int(s.i8[i])
	case s.dict:
		j = s.col.Index(i)
	}
	if s.off32 != nil {
		return s.data[s.off32[j]:s.off32[j+1]]
	}
	return s.data[s.off64[j]:s.off64[j+1]]
}

// pageEnd is where the page starting at row lo of a column of n rows
// ends: after about pageSize bytes of values. str reads a string
// column's values, nil for other columns.
func pageEnd(str *strs, lo, n int) int {
	if str == nil {
		return min(n, lo+pageSize/8)
	}
	size := 0
	for i := lo; i < n; i++ {
		if size >= pageSize {
			return i
		}
		if str.isValid(i) {
			size += 4 + len(str.value(i))
		}
	}
	return n
}

// pageBytes is the uncompressed body of a data page of rows [lo, hi):
// the definition levels, then the present values.
func pageBytes(col *columnar.Array, str *strs, lo, hi int) []byte {
	n := hi - lo
	b := make([]byte, 4, 16+n/8+8*n)
	valid := validity(col)
	if valid == nil {
		// One run of n ones.
		b = binary.AppendUvarint(b, uint64(n)<<1)
		b = append(b, 1)
	} else {
		// Bit-packed groups of eight levels, which is the validity bitmap.
		groups := (n + 7) / 8
		b = binary.AppendUvarint(b, uint64(groups)<<1|1)
		at := len(b)
		b = b[:at+groups]
		columnar.CopyBits(b[at:], 0, valid, col.Offset+lo, n)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	if str != nil {
		return appendStrings(b, str, lo, hi)
	}
	off := col.Offset
	if col.Type.ID == columnar.Bool {
		vals := col.Buffers[1]
		bm := make([]byte, n/8+1)
		k := 0
		for i := off + lo; i < off+hi; i++ {
			if valid == nil || columnar.Bit(valid, i) {
				if columnar.Bit(vals, i) {
					columnar.SetBit(bm, k)
				}
				k++
			}
		}
		return append(b, bm[:(k+7)/8]...)
	}
	return appendFixed(b, col, lo, hi)
}

// appendStrings appends the PLAIN encoding of the strings of rows
// [lo, hi) that are not null.
func appendStrings(b []byte, str *strs, lo, hi int) []byte {
	for i := lo; i < hi; i++ {
		if str.isValid(i) {
			s := str.value(i)
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// appendFixed appends the PLAIN encoding of the values of rows [lo, hi)
// of a fixed-width column that are not null: narrow integers widen to
// INT32.
func appendFixed(b []byte, col *columnar.Array, lo, hi int) []byte {
	n, off, valid := hi-lo, col.Offset, validity(col)
	w := col.Type.ByteWidth()
	vals := col.Buffers[1][(off+lo)*w : (off+hi)*w]
	if valid == nil && w >= 4 && littleEndian {
		return append(b, vals...)
	}
	signed := col.Type.ID == columnar.Int8 || col.Type.ID == columnar.Int16
	for i := range n {
		if valid != nil && !columnar.Bit(valid, off+lo+i) {
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
	e.list(2, ctStruct, len(w.nodes)+1)
	e.begin()
	e.str(4, "schema")
	e.i32(5, int32(len(w.elems)))
	e.end()
	for _, el := range w.nodes {
		e.begin()
		if el.numChildren == 0 {
			e.i32(1, el.typ)
		}
		e.i32(3, el.repetition)
		e.str(4, el.name)
		if el.numChildren > 0 {
			e.i32(5, el.numChildren)
		}
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
			e.list(3, ctBinary, len(w.paths[j]))
			for _, name := range w.paths[j] {
				e.uvarint(uint64(len(name)))
				e.b = append(e.b, name...)
			}
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
