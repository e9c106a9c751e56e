package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
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
	leaves  int
}

// Column describes a top-level column of a file.
type Column struct {
	Name string
	// Type is the Arrow type the column reads as, nil when it cannot be
	// read.
	Type arrow.DataType
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
	return f, nil
}

// readSchema lists the top-level columns and where their chunks are.
func (f *File) readSchema() error {
	s := f.meta.schema
	if len(s) == 0 || s[0].numChildren < 0 {
		return errors.New("corrupt schema")
	}
	i := 1
	for range s[0].numChildren {
		if i >= len(s) {
			return errors.New("corrupt schema")
		}
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
		switch {
		case e.numChildren > 0:
			col.Err = fmt.Errorf("column %q is nested, which is not supported", e.name)
		case e.repetition == repRepeated:
			col.Err = fmt.Errorf("column %q is repeated, which is not supported", e.name)
		case e.repetition != repRequired && e.repetition != repOptional:
			col.Err = fmt.Errorf("column %q has unknown repetition %d", e.name, e.repetition)
		default:
			col.Type, col.Err = arrowType(e)
		}
		f.columns = append(f.columns, col)
		f.elems = append(f.elems, e)
		f.chunk = append(f.chunk, start)
	}
	return nil
}

// arrowType is the Arrow type of a flat column, from its physical type
// and its annotation: the logical type when there is one, else the
// converted type.
func arrowType(e schemaElement) (arrow.DataType, error) {
	l, c := e.logical, e.converted
	bad := func() (arrow.DataType, error) {
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
			return arrow.FixedWidthTypes.Boolean, nil
		}
	case typeInt32:
		switch {
		case l.kind == logInteger && l.bitWidth <= 32:
			return intType(int(l.bitWidth), l.signed)
		case l.kind == logDate || l.kind == 0 && c == convDate:
			return arrow.FixedWidthTypes.Date32, nil
		case l.kind == 0 && c >= convUint8 && c <= convUint32:
			return intType(8<<(c-convUint8), false)
		case l.kind == 0 && c >= convInt8 && c <= convInt32:
			return intType(8<<(c-convInt8), true)
		case l.kind == 0 && c == convNone:
			return arrow.PrimitiveTypes.Int32, nil
		}
	case typeInt64:
		switch {
		case l.kind == logInteger && l.bitWidth == 64 || l.kind == 0 && (c == convInt64 || c == convUint64):
			if l.kind == logInteger && !l.signed || c == convUint64 {
				return arrow.PrimitiveTypes.Uint64, nil
			}
			return arrow.PrimitiveTypes.Int64, nil
		case l.kind == logTimestamp && l.unit >= 1 && l.unit <= 3:
			tz := ""
			if l.utc {
				tz = "UTC"
			}
			units := [...]arrow.TimeUnit{arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond}
			return &arrow.TimestampType{Unit: units[l.unit-1], TimeZone: tz}, nil
		case l.kind == 0 && (c == convTSMillis || c == convTSMicros):
			return &arrow.TimestampType{Unit: arrow.Millisecond + arrow.TimeUnit(c-convTSMillis), TimeZone: "UTC"}, nil
		case l.kind == 0 && c == convNone:
			return arrow.PrimitiveTypes.Int64, nil
		}
	case typeFloat, typeDouble:
		if l.kind == 0 && c == convNone {
			if e.typ == typeFloat {
				return arrow.PrimitiveTypes.Float32, nil
			}
			return arrow.PrimitiveTypes.Float64, nil
		}
	case typeByteArray:
		switch l.kind {
		case logString, logEnum, logJSON:
			return arrow.BinaryTypes.String, nil
		case 0:
			if c == convNone || c == convUTF8 || c == convEnum || c == convJSON {
				return arrow.BinaryTypes.String, nil
			}
		}
	}
	return bad()
}

func intType(bits int, signed bool) (arrow.DataType, error) {
	types := map[int][2]arrow.DataType{
		8:  {arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int8},
		16: {arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Int16},
		32: {arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Int32},
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

// Reader yields a file's rows as Arrow records, row group by row group.
type Reader struct {
	f         *File
	cols      []int // indices into f.columns
	schema    *arrow.Schema
	chunkRows int64
	group     int // the next row group to read
	arrays    []arrow.Array
	rows, off int64 // of the current row group
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
	fields := make([]arrow.Field, len(names))
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
		r.cols = append(r.cols, j)
		fields[i] = arrow.Field{Name: name, Type: f.columns[j].Type, Nullable: f.elems[j].repetition == repOptional}
	}
	r.schema = arrow.NewSchema(fields, nil)
	return r, nil
}

// Schema is the schema of the records.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Next returns the next record, which the caller releases, or io.EOF
// after the last. It fails when a column chunk is corrupt, uses an
// encoding or compression this package does not read, or does not have
// its row group's number of rows.
func (r *Reader) Next() (arrow.Record, error) {
	for r.off == r.rows {
		r.releaseGroup()
		if r.group == len(r.f.meta.rowGroups) {
			return nil, io.EOF
		}
		if err := r.readGroup(); err != nil {
			return nil, fmt.Errorf("parquet: row group %d: %w", r.group-1, err)
		}
	}
	end := min(r.off+r.chunkRows, r.rows)
	cols := make([]arrow.Array, len(r.arrays))
	for i, a := range r.arrays {
		cols[i] = array.NewSlice(a, r.off, end)
	}
	rec := array.NewRecord(r.schema, cols, end-r.off)
	for _, c := range cols {
		c.Release()
	}
	r.off = end
	return rec, nil
}

// Close releases the reader's buffers.
func (r *Reader) Close() error {
	r.releaseGroup()
	r.dec.close()
	return nil
}

func (r *Reader) releaseGroup() {
	for _, a := range r.arrays {
		a.Release()
	}
	r.arrays, r.rows, r.off = nil, 0, 0
}

// readGroup decodes the wanted columns of the next row group.
func (r *Reader) readGroup() error {
	g := r.f.meta.rowGroups[r.group]
	r.group++
	// Rows cost memory even when their pages are tiny (runs of nulls or
	// of one value), so a row group claiming far more values than a file
	// of its size plausibly holds is refused before anything is
	// allocated. Real data takes at least a few bits a value.
	if limit := (1<<24 + 256*r.f.end) / int64(max(1, len(r.cols))); g.numRows > limit {
		return fmt.Errorf("%d rows of %d columns is implausible for a file of %d bytes", g.numRows, len(r.cols), r.f.end+8)
	}
	for _, j := range r.cols {
		a, err := r.readChunk(j, g.columns[r.f.chunk[j]], g.numRows)
		if err != nil {
			return err
		}
		r.arrays = append(r.arrays, a)
	}
	r.rows = g.numRows
	return nil
}

// chunk accumulates a column chunk's values as its pages are decoded.
type chunk struct {
	elem     schemaElement
	width    int    // bytes per value of fixed-width types; 1 (0 or 1) for booleans
	defs     []byte // 1 for each row with a value, 0 for a null; nil when required
	nulls    int
	fixed    []byte // little-endian values, zero for nulls
	offsets  []int32
	data     []byte
	dict     []byte   // fixed-width dictionary values
	dictBin  [][]byte // byte array dictionary values
	dictSize int
	hasDict  bool
	idx      []uint32
	bins     [][]byte
}

func (r *Reader) readChunk(j int, cm columnMeta, rows int64) (arrow.Array, error) {
	e := r.f.elems[j]
	a, err := r.decodeChunk(e, cm, rows)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", e.name, err)
	}
	return a, nil
}

func (r *Reader) decodeChunk(e schemaElement, cm columnMeta, rows int64) (arrow.Array, error) {
	if cm.typ != e.typ {
		return nil, fmt.Errorf("chunk of type %d in a column of type %d", cm.typ, e.typ)
	}
	start := cm.dataOffset
	if cm.dictOffset > 0 && cm.dictOffset < start {
		start = cm.dictOffset
	}
	if start < 4 || cm.compressedSize < 0 || cm.compressedSize > r.f.end-start {
		return nil, fmt.Errorf("chunk at %d of %d bytes lies outside the file", start, cm.compressedSize)
	}
	buf := make([]byte, cm.compressedSize)
	if _, err := r.f.r.ReadAt(buf, start); err != nil {
		return nil, err
	}
	c := &chunk{elem: e}
	switch e.typ {
	case typeBoolean:
		c.width = 1
	case typeInt32, typeFloat:
		c.width = 4
	case typeInt64, typeDouble:
		c.width = 8
	default:
		c.offsets = make([]int32, 1, rows+1)
	}
	// Rows were checked against the file's size, so the chunk's buffers
	// are allocated once, not grown page by page.
	if e.repetition == repOptional {
		c.defs = make([]byte, 0, rows)
	}
	if c.width > 0 {
		c.fixed = make([]byte, 0, rows*int64(c.width))
	}
	done := int64(0)
	for done < rows {
		d := &tdec{b: buf}
		h := d.pageHeader()
		if d.err != nil {
			return nil, errors.New("corrupt page header")
		}
		if h.compressedSize < 0 || int(h.compressedSize) > len(d.b) {
			return nil, errors.New("page runs past its column chunk")
		}
		body := d.b[:h.compressedSize]
		buf = d.b[h.compressedSize:]
		var err error
		switch h.typ {
		case pageDict:
			err = c.readDict(&r.dec, cm.codec, h, body)
		case pageData, pageDataV2:
			if int64(h.numValues) > rows-done || h.numValues < 0 {
				return nil, fmt.Errorf("pages hold more than the row group's %d rows", rows)
			}
			err = c.readData(&r.dec, cm.codec, h, body)
			done += int64(h.numValues)
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == 0 && done < rows {
			return nil, fmt.Errorf("pages hold %d of the row group's %d rows", done, rows)
		}
	}
	return c.array(rows)
}

func (c *chunk) readDict(dec *decompressor, codec int32, h pageHeader, body []byte) error {
	if c.hasDict {
		return errors.New("second dictionary page")
	}
	if h.encoding != encPlain && h.encoding != encPlainDict {
		return fmt.Errorf("dictionary page encoded %s", encodingName(h.encoding))
	}
	b, err := dec.decompress(codec, body, int(h.uncompressedSize))
	if err != nil {
		return err
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

func (c *chunk) readData(dec *decompressor, codec int32, h pageHeader, body []byte) error {
	n := int(h.numValues)
	var defs, values []byte
	if h.typ == pageData {
		b, err := dec.decompress(codec, body, int(h.uncompressedSize))
		if err != nil {
			return err
		}
		if c.defs != nil {
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
			if values, err = dec.decompress(codec, values, int(h.uncompressedSize-h.repLength-h.defLength)); err != nil {
				return err
			}
		}
	}
	// Each row's definition level says whether it has a value.
	present := n
	base := len(c.defs)
	if c.defs != nil {
		if len(c.idx) < n {
			c.idx = make([]uint32, n)
		}
		lv := c.idx[:n]
		if err := hybrid(defs, 1, lv); err != nil {
			return fmt.Errorf("definition levels: %w", err)
		}
		present = 0
		for _, v := range lv {
			c.defs = append(c.defs, byte(v))
			present += int(v)
		}
		c.nulls += n - present
	}
	if c.width == 0 {
		return c.readBinary(h.encoding, values, n, present, base)
	}
	// Values are decoded packed at the page's first row, then spread to
	// their rows when there are nulls.
	at := len(c.fixed)
	c.fixed = c.fixed[:at+n*c.width] // pages hold no more than the chunk's rows
	dst := c.fixed[at : at+present*c.width]
	if err := c.readFixed(h.encoding, values, present, dst); err != nil {
		return err
	}
	if present < n {
		spread(c.fixed[at:], c.defs[base:], c.width, present)
	}
	return nil
}

// readFixed decodes n values of a fixed-width column into dst.
func (c *chunk) readFixed(enc int32, b []byte, n int, dst []byte) error {
	w := c.width
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
		idx := c.indices(n)
		if err := hybrid(b[4:4+l], 1, idx); err != nil {
			return err
		}
		for i, v := range idx {
			dst[i] = byte(v)
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
	return nil
}

func (c *chunk) indices(n int) []uint32 {
	if cap(c.idx) < n {
		c.idx = make([]uint32, n)
	}
	return c.idx[:n]
}

// dictIndices decodes n dictionary indices, checking they are in range.
func (c *chunk) dictIndices(b []byte, n int) ([]uint32, error) {
	if !c.hasDict {
		return nil, errors.New("dictionary-encoded page without a dictionary")
	}
	idx := c.indices(n)
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

func (c *chunk) readBinary(enc int32, b []byte, n, present, base int) error {
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
	if err != nil {
		return err
	}
	k := 0
	for i := range n {
		if c.defs == nil || c.defs[base+i] == 1 {
			c.data = append(c.data, vals[k]...)
			k++
		}
		if len(c.data) > 1<<31-1 {
			return errors.New("over 2 GiB of strings in one row group")
		}
		c.offsets = append(c.offsets, int32(len(c.data)))
	}
	clear(vals) // do not pin the page
	return nil
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

// array builds the chunk's Arrow array of rows rows.
func (c *chunk) array(rows int64) (arrow.Array, error) {
	typ, err := arrowType(c.elem)
	if err != nil {
		return nil, err
	}
	var valid *memory.Buffer
	if c.nulls > 0 {
		bm := make([]byte, bitutil.BytesForBits(rows))
		for i, v := range c.defs {
			if v == 1 {
				bitutil.SetBit(bm, i)
			}
		}
		valid = memory.NewBufferBytes(bm)
	}
	var values *memory.Buffer
	switch {
	case c.width == 0:
		data := array.NewData(typ, int(rows), []*memory.Buffer{valid,
			memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)), memory.NewBufferBytes(c.data)}, nil, c.nulls, 0)
		defer data.Release()
		return array.MakeFromData(data), nil
	case c.width == 1:
		bm := make([]byte, bitutil.BytesForBits(rows))
		for i, v := range c.fixed {
			if v == 1 {
				bitutil.SetBit(bm, i)
			}
		}
		values = memory.NewBufferBytes(bm)
	default:
		b := c.fixed
		// Narrow integers are stored as INT32.
		if w := typ.(arrow.FixedWidthDataType).BitWidth() / 8; w < c.width {
			nb := make([]byte, int(rows)*w)
			for i := range int(rows) {
				copy(nb[i*w:(i+1)*w], b[i*c.width:])
			}
			b = nb
		}
		if !littleEndian {
			toNative(b, typ.(arrow.FixedWidthDataType).BitWidth()/8)
		}
		values = memory.NewBufferBytes(b)
	}
	data := array.NewData(typ, int(rows), []*memory.Buffer{valid, values}, nil, c.nulls, 0)
	defer data.Release()
	return array.MakeFromData(data), nil
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
