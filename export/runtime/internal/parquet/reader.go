package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

const magic = "PAR1"

// File is an open Parquet file: its footer, read by Open, and the source
// its column chunks are read from on demand.
type File struct {
	r       io.ReaderAt
	end     int64 // where the footer starts: column chunks lie before it
	meta    *fileMeta
	columns []Column
	elems   []schemaElement // of each top-level column
	chunk   []int           // the column chunk index of each top-level column
	lists   []*listShape    // of each top-level column read as lists; nil for others
	leaves  int
}

// Column describes a top-level column of a file.
type Column struct {
	Name string
	// Type is the Arrow type the column reads as, nil when it cannot be
	// read.
	Type *columnar.Type
	// Err says why the column cannot be read, naming it; nil when it can.
	Err error
}

// Open reads the footer of the Parquet file of size bytes that r holds.
// It fails when the file is not Parquet or its footer is corrupt; columns
// this package cannot read do not make it fail (see Columns).
func Open(r io.ReaderAt, size int64) (*File, error) {
	if size < 12 {
		return nil, errors.New("parquet: file too short")
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("parquet: reading footer: %w", err)
	}
	var head [4]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, fmt.Errorf("parquet: reading header: %w", err)
	}
	if string(head[:]) != magic || string(tail[4:]) != magic {
		return nil, errors.New("parquet: not a Parquet file (no PAR1 magic)")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:]))
	if n > size-12 {
		return nil, fmt.Errorf("parquet: footer of %d bytes in a file of %d", n, size)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-8-n); err != nil {
		return nil, fmt.Errorf("parquet: reading footer: %w", err)
	}
	d := &tdec{b: buf}
	m := d.fileMeta()
	if d.err != nil {
		return nil, fmt.Errorf("parquet: %w in footer", d.err)
	}
	f := &File{r: r, end: size - 8 - n, meta: m}
	if err := f.readSchema(); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	for i, g := range m.rowGroups {
		if len(g.columns) != f.leaves || g.numRows < 0 {
			return nil, fmt.Errorf("parquet: row group %d has %d column chunks and %d rows for %d columns", i, len(g.columns), g.numRows, f.leaves)
		}
	}
	// Lists read as large_list when a column chunk holds more values
	// than int32 offsets reach, since a record may hold them all.
	for j, sh := range f.lists {
		for _, g := range m.rowGroups {
			if sh != nil && g.columns[f.chunk[j]].numValues > math.MaxInt32 {
				sh.large = true
				f.columns[j].Type, _ = sh.columnType()
			}
		}
	}
	return f, nil
}

// readSchema lists the top-level columns and where their chunks are, and
// the shape of those that are lists.
func (f *File) readSchema() error {
	s := f.meta.schema
	if len(s) == 0 || s[0].numChildren < 0 {
		return errors.New("corrupt schema")
	}
	i := 1
	n := min(int(s[0].numChildren), len(s))
	f.columns, f.elems, f.chunk, f.lists = make([]Column, 0, n), make([]schemaElement, 0, n), make([]int, 0, n), make([]*listShape, 0, n)
	for range s[0].numChildren {
		if i >= len(s) {
			return errors.New("corrupt schema")
		}
		top := i
		e := s[i]
		col := Column{Name: e.name}
		// A group's subtree is skipped, counting its leaves.
		start, pending := f.leaves, 1
		for ; pending > 0; pending-- {
			if i >= len(s) || s[i].numChildren < 0 {
				return errors.New("corrupt schema")
			}
			if s[i].numChildren > 0 {
				pending += int(s[i].numChildren)
				if pending > len(s) {
					return errors.New("corrupt schema")
				}
			} else {
				f.leaves++
			}
			i++
		}
		var shape *listShape
		switch {
		case e.numChildren > 0 || e.repetition == repRepeated:
			shape, col.Err = shapeOf(s[top:i])
			if col.Err == nil {
				col.Type, col.Err = shape.columnType()
			}
		case e.repetition != repRequired && e.repetition != repOptional:
			col.Err = fmt.Errorf("column %q has unknown repetition %d", e.name, e.repetition)
		default:
			col.Type, col.Err = columnType(e)
		}
		if col.Err != nil {
			shape = nil
		}
		f.columns = append(f.columns, col)
		f.elems = append(f.elems, e)
		f.lists = append(f.lists, shape)
		f.chunk = append(f.chunk, start)
	}
	return nil
}

// columnType is the Arrow type of a flat column, from its physical type
// and its annotation: the logical type when there is one, else the
// converted type.
func columnType(e schemaElement) (*columnar.Type, error) {
	l, c := e.logical, e.converted
	bad := func() (*columnar.Type, error) {
		if e.typ < 0 || int(e.typ) >= len(typeNames) {
			return nil, fmt.Errorf("column %q: unknown Parquet type %d", e.name, e.typ)
		}
		what := "Parquet type " + typeNames[e.typ]
		if l.kind != 0 || c != convNone {
			what += " annotated " + annotation(e)
		}
		return nil, fmt.Errorf("column %q: %s is not supported", e.name, what)
	}
	switch e.typ {
	case typeBoolean:
		if l.kind == 0 && c == convNone {
			return columnar.BoolType, nil
		}
	case typeInt32:
		switch {
		case l.kind == logInteger && l.bitWidth <= 32:
			return intType(int(l.bitWidth), l.signed)
		case l.kind == logDate || l.kind == 0 && c == convDate:
			return columnar.Date32Type, nil
		case l.kind == 0 && c >= convUint8 && c <= convUint32:
			return intType(8<<(c-convUint8), false)
		case l.kind == 0 && c >= convInt8 && c <= convInt32:
			return intType(8<<(c-convInt8), true)
		case l.kind == 0 && c == convNone:
			return columnar.Int32Type, nil
		}
	case typeInt64:
		switch {
		case l.kind == logInteger && l.bitWidth == 64 || l.kind == 0 && (c == convInt64 || c == convUint64):
			if l.kind == logInteger && !l.signed || c == convUint64 {
				return columnar.Uint64Type, nil
			}
			return columnar.Int64Type, nil
		case l.kind == logTimestamp && l.unit >= 1 && l.unit <= 3:
			tz := ""
			if l.utc {
				tz = "UTC"
			}
			return &columnar.Type{ID: columnar.Timestamp, Unit: columnar.Millisecond + columnar.TimeUnit(l.unit-1), TimeZone: tz}, nil
		case l.kind == 0 && (c == convTSMillis || c == convTSMicros):
			return &columnar.Type{ID: columnar.Timestamp, Unit: columnar.Millisecond + columnar.TimeUnit(c-convTSMillis), TimeZone: "UTC"}, nil
		case l.kind == 0 && c == convNone:
			return columnar.Int64Type, nil
		}
	case typeFloat, typeDouble:
		if l.kind == 0 && c == convNone {
			if e.typ == typeFloat {
				return columnar.Float32Type, nil
			}
			return columnar.Float64Type, nil
		}
	case typeByteArray:
		switch l.kind {
		case logString, logEnum, logJSON:
			return columnar.StringType, nil
		case 0:
			if c == convNone || c == convUTF8 || c == convEnum || c == convJSON {
				return columnar.StringType, nil
			}
		}
	}
	return bad()
}

func intType(bits int, signed bool) (*columnar.Type, error) {
	types := map[int][2]*columnar.Type{
		8:  {columnar.Uint8Type, columnar.Int8Type},
		16: {columnar.Uint16Type, columnar.Int16Type},
		32: {columnar.Uint32Type, columnar.Int32Type},
	}
	t, ok := types[bits]
	if !ok {
		return nil, fmt.Errorf("integer of %d bits", bits)
	}
	if signed {
		return t[1], nil
	}
	return t[0], nil
}

// annotation names a column's logical or converted type for errors.
func annotation(e schemaElement) string {
	logicals := map[int16]string{1: "STRING", 2: "MAP", 3: "LIST", 4: "ENUM", 5: "DECIMAL", 6: "DATE", 7: "TIME",
		8: "TIMESTAMP", 10: "INTEGER", 11: "UNKNOWN", 12: "JSON", 13: "BSON", 14: "UUID", 15: "FLOAT16"}
	converted := []string{"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS",
		"TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64",
		"INT_8", "INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"}
	if l := e.logical; l.kind != 0 {
		if s, ok := logicals[l.kind]; ok {
			if l.kind == logInteger {
				return fmt.Sprintf("%s(%d, signed=%v)", s, l.bitWidth, l.signed)
			}
			return s
		}
		return fmt.Sprintf("logical type %d", l.kind)
	}
	if e.converted >= 0 && int(e.converted) < len(converted) {
		return converted[e.converted]
	}
	return fmt.Sprintf("converted type %d", e.converted)
}

// Columns lists the file's top-level columns in order, each with the Arrow
// type it reads as or why it cannot be read.
func (f *File) Columns() []Column { return f.columns }

// NumRows is the number of rows the footer declares.
func (f *File) NumRows() int64 { return f.meta.numRows }

// Reader yields a file's rows as columnar records, row group by row group.
// Within a row group it holds, for each wanted column, the column's
// dictionary and one page, decoded, so its memory is a page a column and
// a record, whatever the size of the row group.
type Reader struct {
	f         *File
	schema    *columnar.Schema
	chunkRows int64
	group     int       // the next row group to read
	rows, off int64     // of the current row group
	cursors   []*cursor // of each wanted column
	err       error     // the first error, which every later Next returns
	dec       decompressor
}

// Records starts reading the named columns, in that order, as records of
// at most chunkRows rows. It fails when a name is not a column of the
// file or names a column that cannot be read.
func (f *File) Records(names []string, chunkRows int) (*Reader, error) {
	if chunkRows < 1 {
		return nil, errors.New("parquet: chunk rows must be at least 1")
	}
	r := &Reader{f: f, chunkRows: int64(chunkRows)}
	fields := make([]columnar.Field, len(names))
	for i, name := range names {
		j := -1
		for k, c := range f.columns {
			if c.Name == name {
				j = k
				break
			}
		}
		switch {
		case j < 0:
			return nil, fmt.Errorf("parquet: no column %q", name)
		case f.columns[j].Err != nil:
			return nil, fmt.Errorf("parquet: %w", f.columns[j].Err)
		}
		e, nullable := f.elems[j], f.elems[j].repetition == repOptional
		sh := f.lists[j]
		if sh != nil {
			// The leaf's values are read, under the column's name.
			e, nullable = sh.leaf, sh.nullable
			e.name = sh.name
		}
		c := &cursor{elem: e, typ: f.columns[j].Type, leaf: f.chunk[j], optional: nullable && sh == nil, list: sh, dec: &r.dec}
		c.src.r = f.r
		switch e.typ {
		case typeBoolean:
			c.width = 1
		case typeInt32, typeFloat:
			c.width = 4
		case typeInt64, typeDouble:
			c.width = 8
		}
		r.cursors = append(r.cursors, c)
		fields[i] = columnar.Field{Name: name, Type: c.typ, Nullable: nullable}
	}
	r.schema = &columnar.Schema{Fields: fields}
	return r, nil
}

// Schema is the schema of the records: the columns asked for, in that
// order, each nullable when the file's column is OPTIONAL.
func (r *Reader) Schema() *columnar.Schema { return r.schema }

// Next returns the next record, or io.EOF after the last. The record's
// arrays are new and the caller's: the reader keeps no reference to them.
// Next fails when a column chunk is corrupt, uses an encoding or
// compression this package does not read, or does not have its row
// group's number of rows. Pages are read as records need them, so a row
// group's records before a corrupt page are returned first. After an
// error, Next returns it again.
func (r *Reader) Next() (*columnar.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next()
	if err != nil && err != io.EOF {
		r.err = fmt.Errorf("parquet: row group %d: %w", r.group-1, err)
		return nil, r.err
	}
	return rec, err
}

func (r *Reader) next() (*columnar.Record, error) {
	for r.off == r.rows {
		if r.group == len(r.f.meta.rowGroups) {
			return nil, io.EOF
		}
		if err := r.startGroup(); err != nil {
			return nil, err
		}
	}
	n := min(r.chunkRows, r.rows-r.off)
	cols := make([]*columnar.Array, len(r.cursors))
	for i, c := range r.cursors {
		a, err := c.take(int(n))
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.elem.name, err)
		}
		cols[i] = a
	}
	r.off += n
	return &columnar.Record{Schema: r.schema, Len: int(n), Cols: cols}, nil
}

// Close releases the reader's buffers; Next then fails.
func (r *Reader) Close() error {
	if r.err == nil {
		r.err = errors.New("parquet: reader is closed")
	}
	r.cursors = nil
	r.dec.close()
	return nil
}

// startGroup points the cursors at the next row group's column chunks.
func (r *Reader) startGroup() error {
	g := r.f.meta.rowGroups[r.group]
	r.group++
	// Rows cost memory even when their pages are tiny (runs of nulls or
	// of one value), since a page is decoded whole, so a row group
	// claiming far more values than a file of its size plausibly holds
	// is refused before anything is allocated. Real data takes at least
	// a few bits a value.
	limit := (1<<24 + 256*r.f.end) / int64(max(1, len(r.cursors)))
	if g.numRows > limit {
		return fmt.Errorf("%d rows of %d columns is implausible for a file of %d bytes", g.numRows, len(r.cursors), r.f.end+8)
	}
	for _, c := range r.cursors {
		// The same bound holds a page of lists, whose values are not
		// bounded by the rows.
		c.limit = limit
		if err := c.start(g.columns[c.leaf], g.numRows, r.f.end); err != nil {
			return fmt.Errorf("column %q: %w", c.elem.name, err)
		}
	}
	r.rows, r.off = g.numRows, 0
	return nil
}

// cursor reads a column chunk a page at a time, keeping the chunk's
// dictionary and the current data page's decoded values until records
// have taken all its rows.
type cursor struct {
	elem     schemaElement
	typ      *columnar.Type // the type the column reads as
	leaf     int            // the column's chunk in each row group
	optional bool
	width    int // bytes per value of fixed-width types; 1 (0 or 1) for booleans; 0 for byte arrays
	dec      *decompressor
	list     *listShape // of a column of lists; nil for a flat one
	limit    int64      // the most values a page may plausibly hold

	// The column chunk.
	codec      int32
	src        window
	pos        int64    // where the next page header lies
	rows, done int64    // the row group's rows, and those of the data pages read so far
	dict       []byte   // fixed-width dictionary values
	dictBin    [][]byte // byte array dictionary values
	dictSize   int
	hasDict    bool
	idx        []uint32 // dictionary indices of a page

	// The current data page: n rows (of lists: n values, a level of
	// each), present of them with values, of which the first next rows
	// and nextBin values have been taken.
	n, present    int
	next, nextBin int
	defs          []byte   // 1 for each row with a value, 0 for a null; nil when required
	reps, ldefs   []byte   // a page of lists' repetition and definition levels, of its n values
	fixed         []byte   // fixed-width values of the n rows, zero for nulls
	own           []byte   // the buffer fixed uses when it cannot point into the page
	bins          [][]byte // byte array values of the present rows
}

// start points c at the column chunk cm of a row group of rows rows,
// in a file whose column chunks end at end.
func (c *cursor) start(cm columnMeta, rows, end int64) error {
	if cm.typ != c.elem.typ {
		return fmt.Errorf("chunk of type %d in a column of type %d", cm.typ, c.elem.typ)
	}
	start := cm.dataOffset
	if cm.dictOffset > 0 && cm.dictOffset < start {
		start = cm.dictOffset
	}
	if start < 4 || cm.compressedSize < 0 || cm.compressedSize > end-start {
		return fmt.Errorf("chunk at %d of %d bytes lies outside the file", start, cm.compressedSize)
	}
	c.codec, c.pos, c.rows, c.done = cm.codec, start, rows, 0
	c.src.reset(start + cm.compressedSize)
	c.dict, c.dictBin, c.dictSize, c.hasDict = nil, nil, 0, false
	c.n, c.present, c.next, c.nextBin = 0, 0, 0, 0
	c.fixed = nil
	clear(c.bins) // do not pin the last chunk's pages
	c.bins = c.bins[:0]
	return nil
}

// take returns the column's next k rows, reading pages as it needs them.
// Values buffers are allocated 8-byte aligned, the validity bitmap only
// once a null is met, and strings have int32 offsets.
func (c *cursor) take(k int) (*columnar.Array, error) {
	if c.list != nil {
		return c.takeLists(k)
	}
	var (
		valid   []byte // allocated at the first null
		nulls   int
		values  []byte  // fixed-width values
		offsets []int32 // and byte arrays
		data    []byte
	)
	w := c.width // of a value in the array
	switch {
	case c.width == 0:
		offsets = columnar.MakeAligned[int32](k + 1)[:1]
	case c.width == 1:
		values = columnar.MakeAligned[uint8](columnar.BitmapBytes(k))
	default:
		w = c.typ.ByteWidth()
		values = columnar.MakeAligned[uint8](k * w)
	}
	for filled := 0; filled < k; {
		if c.next == c.n {
			if err := c.readPage(); err != nil {
				return nil, err
			}
			continue
		}
		m := min(k-filled, c.n-c.next)
		var defs []byte // nil when every row has a value
		if c.present < c.n {
			defs = c.defs[c.next : c.next+m]
			if valid == nil {
				valid = make([]byte, columnar.BitmapBytes(k))
				columnar.SetBits(valid, 0, filled)
			}
			for i, d := range defs {
				if d == 1 {
					columnar.SetBit(valid, filled+i)
				} else {
					nulls++
				}
			}
		} else if valid != nil {
			columnar.SetBits(valid, filled, m)
		}
		src := c.fixed[c.next*c.width : (c.next+m)*c.width]
		switch {
		case c.width == 0:
			for i := range m {
				if defs == nil || defs[i] == 1 {
					data = append(data, c.bins[c.nextBin]...)
					c.nextBin++
				}
				if len(data) > 1<<31-1 {
					return nil, fmt.Errorf("over 2 GiB of strings in %d rows", k)
				}
				offsets = append(offsets, int32(len(data)))
			}
		case c.width == 1:
			for i, v := range src {
				if v == 1 {
					columnar.SetBit(values, filled+i)
				}
			}
		case w == c.width:
			copy(values[filled*w:], src)
		default: // narrow integers are stored as INT32
			for i := range m {
				copy(values[(filled+i)*w:(filled+i+1)*w], src[i*c.width:])
			}
		}
		c.next += m
		filled += m
	}
	if nulls == 0 {
		valid = nil // a page's levels may have been read without finding a null
	}
	a := &columnar.Array{Type: c.typ, Len: k, Nulls: nulls}
	if c.width == 0 {
		if data == nil {
			data = []byte{}
		}
		a.Buffers = [][]byte{valid, columnar.AsBytes(offsets), data}
	} else {
		if !littleEndian && c.width > 1 {
			toNative(values, w)
		}
		a.Buffers = [][]byte{valid, values}
	}
	return a, nil
}

// readPage reads pages up to the next data page, and decodes it.
func (c *cursor) readPage() error {
	ok, err := c.nextPage()
	if err == nil && !ok {
		err = fmt.Errorf("pages hold %d of the row group's %d rows", c.done, c.rows)
	}
	return err
}

// nextPage reads pages up to the next data page, and decodes it; it
// reports false when the column chunk has no more.
func (c *cursor) nextPage() (bool, error) {
	for {
		if c.pos == c.src.end {
			return false, nil
		}
		h, body, err := c.page()
		if err != nil {
			return false, err
		}
		switch h.typ {
		case pageDict:
			if err := c.readDict(h, body); err != nil {
				return false, err
			}
		case pageData, pageDataV2:
			if c.list != nil {
				return true, c.readLists(h, body)
			}
			if int64(h.numValues) > c.rows-c.done || h.numValues < 0 {
				return false, fmt.Errorf("pages hold more than the row group's %d rows", c.rows)
			}
			c.done += int64(h.numValues)
			return true, c.readData(h, body)
		}
	}
}

// page reads the header and the body of the page at c.pos, and moves
// past it. The body is valid until the next call.
func (c *cursor) page() (pageHeader, []byte, error) {
	left := c.src.end - c.pos
	// A header's size is known only once it is decoded, so it is decoded
	// from as many bytes as a read brings, and more if they do not hold it.
	for size := min(left, readAhead); ; size = min(2*size, left) {
		b, err := c.src.at(c.pos, int(size))
		if err != nil {
			return pageHeader{}, nil, err
		}
		d := &tdec{b: b}
		h := d.pageHeader()
		if d.err != nil {
			if size == left || size >= maxPage {
				return pageHeader{}, nil, errors.New("corrupt page header")
			}
			continue
		}
		hlen := int64(len(b) - len(d.b))
		if h.compressedSize < 0 || int64(h.compressedSize) > left-hlen {
			return pageHeader{}, nil, errors.New("page runs past its column chunk")
		}
		body, err := c.src.at(c.pos+hlen, int(h.compressedSize))
		c.pos += hlen + int64(h.compressedSize)
		return h, body, err
	}
}

func (c *cursor) readDict(h pageHeader, body []byte) error {
	if c.hasDict {
		return errors.New("second dictionary page")
	}
	if h.encoding != encPlain && h.encoding != encPlainDict {
		return fmt.Errorf("dictionary page encoded %s", encodingName(h.encoding))
	}
	b, err := c.dec.decompress(c.codec, body, int(h.uncompressedSize))
	if err != nil {
		return err
	}
	if c.codec == codecNone {
		// The dictionary outlives the window the page was read into.
		b = bytes.Clone(b)
	}
	n := int(h.numValues)
	if n < 0 || c.width == 0 && n > len(b)/4 {
		return errors.New("corrupt dictionary page")
	}
	switch {
	case c.width == 1:
		return errors.New("dictionary of booleans")
	case c.width > 0:
		if len(b) < n*c.width {
			return errShort
		}
		c.dict = b[:n*c.width]
	default:
		c.dictBin = make([][]byte, n)
		if err := plainBytes(b, c.dictBin); err != nil {
			return err
		}
	}
	c.dictSize, c.hasDict = n, true
	return nil
}

// readData decodes a data page's definition levels and values.
func (c *cursor) readData(h pageHeader, body []byte) error {
	n := int(h.numValues)
	var defs, values []byte
	if h.typ == pageData {
		b, err := c.dec.decompress(c.codec, body, int(h.uncompressedSize))
		if err != nil {
			return err
		}
		if c.optional {
			if h.defEncoding != encRLE {
				return fmt.Errorf("definition levels encoded %s", encodingName(h.defEncoding))
			}
			if len(b) < 4 || uint64(binary.LittleEndian.Uint32(b)) > uint64(len(b)-4) {
				return errShort
			}
			m := 4 + int(binary.LittleEndian.Uint32(b))
			defs, b = b[4:m], b[m:]
		}
		values = b
	} else {
		if h.repLength < 0 || h.defLength < 0 || int64(h.repLength)+int64(h.defLength) > int64(len(body)) {
			return errShort
		}
		defs = body[h.repLength : h.repLength+h.defLength]
		values = body[h.repLength+h.defLength:]
		if h.compressed {
			var err error
			if values, err = c.dec.decompress(c.codec, values, int(h.uncompressedSize-h.repLength-h.defLength)); err != nil {
				return err
			}
		}
	}
	// Each row's definition level says whether it has a value.
	present := n
	if c.optional {
		c.defs = slices.Grow(c.defs[:0], n)[:n]
		if err := hybrid(defs, 1, c.defs); err != nil {
			return fmt.Errorf("definition levels: %w", err)
		}
		present = bytes.Count(c.defs, []byte{1})
	}
	if err := c.readValues(h.encoding, values, n, present); err != nil {
		return err
	}
	c.n, c.present, c.next, c.nextBin = n, present, 0, 0
	return nil
}

// readValues decodes the present values of a data page of n slots.
func (c *cursor) readValues(enc int32, values []byte, n, present int) error {
	if c.width == 0 {
		return c.readBinary(enc, values, present)
	}
	return c.readFixed(enc, values, n, present)
}

// readFixed decodes the present values of a page of n rows of a
// fixed-width column into c.fixed.
func (c *cursor) readFixed(enc int32, b []byte, n, present int) error {
	w := c.width
	if enc == encPlain && w > 1 && present == n {
		// Plain values are taken from the page where they lie.
		if len(b) < n*w {
			return errShort
		}
		c.fixed = b[:n*w]
		return nil
	}
	if cap(c.own) < n*w {
		c.own = make([]byte, n*w)
	}
	c.fixed = c.own[:n*w]
	// Values are decoded packed at the page's first row, then spread to
	// their rows when there are nulls.
	dst := c.fixed[:present*w]
	n = present
	switch {
	case enc == encPlain && w == 1:
		if len(b) < (n+7)/8 {
			return errShort
		}
		for i := range n {
			dst[i] = b[i/8] >> (i % 8) & 1
		}
	case enc == encRLE && w == 1:
		if len(b) < 4 {
			return errShort
		}
		l := binary.LittleEndian.Uint32(b)
		if uint64(l) > uint64(len(b)-4) {
			return errShort
		}
		if err := hybrid(b[4:4+l], 1, dst); err != nil {
			return err
		}
	case enc == encPlain:
		if len(b) < len(dst) {
			return errShort
		}
		copy(dst, b)
	case (enc == encPlainDict || enc == encRLEDict) && w > 1:
		idx, err := c.dictIndices(b, n)
		if err != nil {
			return err
		}
		if w == 8 {
			for i, k := range idx {
				binary.LittleEndian.PutUint64(dst[8*i:], binary.LittleEndian.Uint64(c.dict[8*k:]))
			}
		} else {
			for i, k := range idx {
				binary.LittleEndian.PutUint32(dst[4*i:], binary.LittleEndian.Uint32(c.dict[4*k:]))
			}
		}
	case enc == encDeltaBinary && (c.elem.typ == typeInt32 || c.elem.typ == typeInt64):
		vals := make([]int64, n)
		if _, err := deltaBinary(b, vals); err != nil {
			return err
		}
		for i, v := range vals {
			if w == 8 {
				binary.LittleEndian.PutUint64(dst[8*i:], uint64(v))
			} else {
				binary.LittleEndian.PutUint32(dst[4*i:], uint32(v))
			}
		}
	case enc == encByteStreamSpl && w > 1:
		// Byte k of every value is stored in stream k.
		if len(b) < n*w {
			return errShort
		}
		for k := range w {
			s := b[k*n : (k+1)*n]
			for i, v := range s {
				dst[i*w+k] = v
			}
		}
	default:
		return fmt.Errorf("%s encoding of %s is not supported", encodingName(enc), typeNames[c.elem.typ])
	}
	if present < len(c.defs) {
		clear(c.fixed[present*w:]) // nulls read as zero, not as an earlier page's values
		spread(c.fixed, c.defs, w, present)
	}
	return nil
}

// dictIndices decodes n dictionary indices, checking they are in range.
func (c *cursor) dictIndices(b []byte, n int) ([]uint32, error) {
	if !c.hasDict {
		return nil, errors.New("dictionary-encoded page without a dictionary")
	}
	c.idx = slices.Grow(c.idx[:0], n)[:n]
	idx := c.idx
	if n == 0 {
		return idx, nil
	}
	if len(b) < 1 {
		return nil, errShort
	}
	if err := hybrid(b[1:], int(b[0]), idx); err != nil {
		return nil, fmt.Errorf("dictionary indices: %w", err)
	}
	for _, k := range idx {
		if int(k) >= c.dictSize {
			return nil, fmt.Errorf("dictionary index %d of %d values", k, c.dictSize)
		}
	}
	return idx, nil
}

// readBinary splits a page's present byte array values into c.bins;
// they point into the page, or the dictionary.
func (c *cursor) readBinary(enc int32, b []byte, present int) error {
	if cap(c.bins) < present {
		c.bins = make([][]byte, present)
	}
	vals := c.bins[:present]
	var err error
	switch enc {
	case encPlain:
		err = plainBytes(b, vals)
	case encPlainDict, encRLEDict:
		var idx []uint32
		if idx, err = c.dictIndices(b, present); err == nil {
			for i, k := range idx {
				vals[i] = c.dictBin[k]
			}
		}
	case encDeltaLength:
		_, err = deltaLengths(b, vals)
	case encDeltaByteArr:
		err = deltaStrings(b, vals)
	default:
		err = fmt.Errorf("%s encoding of BYTE_ARRAY is not supported", encodingName(enc))
	}
	c.bins = vals
	return err
}

// spread moves the present values packed at the start of b to the rows
// whose definition level is 1, back to front so that none is overwritten
// before it moves.
func spread(b, defs []byte, w, present int) {
	k := present - 1
	for i := len(defs) - 1; i >= 0 && k >= 0; i-- {
		if defs[i] == 1 {
			if k != i {
				copy(b[i*w:(i+1)*w], b[k*w:(k+1)*w])
				clear(b[k*w : (k+1)*w])
			}
			k--
		}
	}
}

// readAhead is how many bytes of a column chunk are read at least at a
// time, so that a small page is read with its header, and small pages
// several at a time.
const readAhead = 64 << 10

// window holds bytes of a column chunk that were read from the file.
type window struct {
	r   io.ReaderAt
	buf []byte // the file's bytes from off
	off int64
	end int64 // where the column chunk ends
}

func (w *window) reset(end int64) { w.buf, w.off, w.end = w.buf[:0], 0, end }

// at returns the n bytes at pos, which lie in the column chunk, reading
// them unless they are held. They are valid until the next call.
func (w *window) at(pos int64, n int) ([]byte, error) {
	if pos >= w.off && pos+int64(n) <= w.off+int64(len(w.buf)) {
		return w.buf[pos-w.off:][:n], nil
	}
	size := max(int64(n), min(readAhead, w.end-pos))
	// Bytes held already are moved to the front rather than read again.
	keep := 0
	if pos >= w.off && pos < w.off+int64(len(w.buf)) {
		keep = copy(w.buf, w.buf[pos-w.off:])
	}
	if int64(cap(w.buf)) < size {
		b := make([]byte, size)
		copy(b, w.buf[:keep])
		w.buf = b
	}
	w.buf, w.off = w.buf[:size], pos
	if m, err := w.r.ReadAt(w.buf[keep:], pos+int64(keep)); m < len(w.buf)-keep {
		w.buf = w.buf[:0]
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return w.buf[:n], nil
}

// toNative reverses the bytes of each w-byte value, for big-endian
// machines.
func toNative(b []byte, w int) {
	for i := 0; i+w <= len(b); i += w {
		v := b[i : i+w]
		for l, r := 0, w-1; l < r; l, r = l+1, r-1 {
			v[l], v[r] = v[r], v[l]
		}
	}
}

func encodingName(e int32) string {
	if s, ok := encodingNames[e]; ok {
		return s
	}
	return fmt.Sprintf("unknown (%d)", e)
}
