package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FormatVersion is the version of the model file format. Readers refuse
// files of a newer version.
const FormatVersion = 1

// Version is the library version recorded in model files and logs.
const Version = "0.1.0"

// ModelFile is the file form of a fitted model: metadata plus named
// parameter tables (coefficients, tree nodes, layer weights).
//
// On disk it is one Arrow IPC file holding one record batch of one row. Each
// table is a column of type large_list<struct<...>> whose single list holds
// the table's rows, so any Arrow reader can open and inspect it; the metadata
// is kept in the schema's key-value metadata under "quiver.*" keys.
type ModelFile struct {
	Learner string
	Params  map[string]any
	Inputs  []Field
	Outputs []Field
	// State is small learner-specific metadata, such as class labels.
	State json.RawMessage
	// Tables are the parameter tables, in order, with unique names.
	Tables []Table
}

// Table is a named parameter table of a model file.
type Table struct {
	Name  string
	Frame *Frame
}

// Table returns the named table or an error naming it.
func (m *ModelFile) Table(name string) (*Frame, error) {
	for _, t := range m.Tables {
		if t.Name == name {
			return t.Frame, nil
		}
	}
	return nil, Errorf(KindFormat, "model file: table %q is missing", name)
}

// Release gives back the tables' columns.
func (m *ModelFile) Release() {
	for _, t := range m.Tables {
		t.Frame.Release()
	}
}

const metaPrefix = "quiver."

// Marshal encodes the model file as Arrow IPC file bytes. The encoding is
// deterministic: the same model gives the same bytes.
func (m *ModelFile) Marshal() ([]byte, error) {
	meta := map[string]string{
		metaPrefix + "format_version": strconv.Itoa(FormatVersion),
		metaPrefix + "learner":        m.Learner,
		metaPrefix + "version":        Version,
	}
	for key, v := range map[string]any{"params": m.Params, "inputs": m.Inputs, "outputs": m.Outputs, "state": m.State} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("model file: encoding %s: %w", key, err)
		}
		meta[metaPrefix+key] = string(b)
	}
	mem := memory.DefaultAllocator
	fields := make([]arrow.Field, len(m.Tables))
	cols := make([]arrow.Array, len(m.Tables))
	defer releaseAll(cols)
	for i, t := range m.Tables {
		if t.Frame == nil || slices.IndexFunc(m.Tables, func(u Table) bool { return u.Name == t.Name }) != i {
			return nil, fmt.Errorf("model file: table %q is nil or appears more than once", t.Name)
		}
		for j, c := range t.Frame.cols {
			if !modelFileType(c.DataType()) {
				return nil, fmt.Errorf("model file: table %q column %q has type %s, which model files do not hold", t.Name, t.Frame.names[j], c.DataType())
			}
		}
		list := tableAsList(t.Frame, mem)
		cols[i] = list
		fields[i] = arrow.Field{Name: t.Name, Type: list.DataType()}
	}
	keys, vals := sortedKV(meta)
	md := arrow.NewMetadata(keys, vals)
	schema := arrow.NewSchema(fields, &md)
	rec := array.NewRecord(schema, cols, 1)
	defer rec.Release()
	var buf writeSeeker
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.b, nil
}

func sortedKV(m map[string]string) ([]string, []string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return keys, vals
}

func tableAsList(f *Frame, mem memory.Allocator) arrow.Array {
	fields := make([]arrow.Field, len(f.cols))
	data := make([]arrow.ArrayData, len(f.cols))
	for i, c := range f.cols {
		fields[i] = arrow.Field{Name: f.names[i], Type: c.DataType(), Nullable: true}
		data[i] = c.Data()
	}
	st := arrow.StructOf(fields...)
	sd := array.NewData(st, f.rows, []*memory.Buffer{nil}, data, 0, 0)
	defer sd.Release()
	offsets := memory.NewResizableBuffer(mem)
	offsets.Resize(16)
	copy(offsets.Bytes(), arrow.Int64Traits.CastToBytes([]int64{0, int64(f.rows)}))
	defer offsets.Release()
	ld := array.NewData(arrow.LargeListOf(st), 1, []*memory.Buffer{nil, offsets}, []arrow.ArrayData{sd}, 0, 0)
	defer ld.Release()
	return array.MakeFromData(ld)
}

// UnmarshalModelFile decodes model file bytes. It checks the structure, the
// metadata and every column's buffers, offsets and validity bitmap, and
// returns an error of kind KindFormat, never a panic, for anything
// malformed; the learner's Decode checks the tables' contents. Columns of a
// decoded file can be read without further checks.
func UnmarshalModelFile(b []byte) (m *ModelFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			if m != nil {
				m.Release()
			}
			m, err = nil, Errorf(KindFormat, "model file is corrupt: %v", r)
		}
	}()
	bad := func(format string, args ...any) error {
		return Errorf(KindFormat, "model file is corrupt: "+format, args...)
	}
	// The Arrow reader trusts the sizes in the file: check the footer's
	// schema first and cap what the reader may allocate.
	if err := checkFooter(b); err != nil {
		return nil, bad("%v", err)
	}
	mem := newBudgetAllocator(8*len(b) + 1<<16)
	defer mem.lift()
	rdr, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		return nil, bad("not an Arrow IPC file (%v)", err)
	}
	defer rdr.Close()
	md := rdr.Schema().Metadata()
	get := func(key string) (string, error) {
		i := md.FindKey(metaPrefix + key)
		if i < 0 {
			return "", bad("metadata key %q is missing", metaPrefix+key)
		}
		return md.Values()[i], nil
	}
	ver, err := get("format_version")
	if err != nil {
		return nil, err
	}
	if v, convErr := strconv.Atoi(ver); convErr != nil || v < 1 || v > FormatVersion {
		return nil, Errorf(KindFormat, "model file has format version %q; this library (%s) reads versions 1 to %d", ver, Version, FormatVersion)
	}
	m = &ModelFile{}
	if m.Learner, err = get("learner"); err != nil {
		return nil, err
	}
	for _, kv := range []struct {
		key string
		dst any
	}{{"params", &m.Params}, {"inputs", &m.Inputs}, {"outputs", &m.Outputs}, {"state", &m.State}} {
		s, err := get(kv.key)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(s), kv.dst); err != nil {
			return nil, bad("metadata %q is not valid JSON (%v)", metaPrefix+kv.key, err)
		}
	}
	if rdr.NumRecords() != 1 {
		return nil, bad("expected one record batch, found %d", rdr.NumRecords())
	}
	rec, err := rdr.Record(0)
	if err != nil {
		return nil, bad("%v", err)
	}
	if rec.NumRows() != 1 {
		return nil, bad("expected one row, found %d", rec.NumRows())
	}
	for i, fld := range rec.Schema().Fields() {
		if _, err := m.Table(fld.Name); err == nil {
			m.Release()
			return nil, bad("table %q appears more than once", fld.Name)
		}
		t, err := listAsTable(rec.Column(i))
		if err != nil {
			m.Release()
			return nil, bad("table %q: %v", fld.Name, err)
		}
		m.Tables = append(m.Tables, Table{Name: fld.Name, Frame: t})
	}
	return m, nil
}

func listAsTable(c arrow.Array) (*Frame, error) {
	list, ok := c.(*array.LargeList)
	if !ok {
		return nil, fmt.Errorf("column has type %s, not large_list<struct>", c.DataType())
	}
	st, ok := list.ListValues().(*array.Struct)
	if !ok {
		return nil, fmt.Errorf("list values have type %s, not struct", list.ListValues().DataType())
	}
	if list.NullN() != 0 {
		return nil, fmt.Errorf("table is null")
	}
	if st.NullN() != 0 {
		return nil, fmt.Errorf("table has null rows")
	}
	lo, hi := list.ValueOffsets(0)
	if lo != 0 || hi != int64(st.Len()) || hi < 0 {
		return nil, fmt.Errorf("list offsets [%d, %d] do not cover the %d rows", lo, hi, st.Len())
	}
	typ := st.DataType().(*arrow.StructType)
	names := make([]string, st.NumField())
	cols := make([]arrow.Array, st.NumField())
	for i := range cols {
		names[i] = typ.Field(i).Name
		// Struct.Field is already sliced to the struct's rows.
		col := st.Field(i)
		if col.Len() != st.Len() {
			releaseAll(cols[:i])
			return nil, fmt.Errorf("column %q has %d rows, the table %d", names[i], col.Len(), st.Len())
		}
		cols[i] = array.NewSlice(col, 0, int64(st.Len()))
		if err := checkColumn(cols[i], 0); err != nil {
			releaseAll(cols[:i+1])
			return nil, fmt.Errorf("column %q: %v", names[i], err)
		}
	}
	f, err := NewFrame(names, cols)
	if err != nil {
		releaseAll(cols)
		return nil, err
	}
	return f, nil
}

// modelFileType reports whether model file tables may hold columns of type
// t: booleans, integers, float32 and float64, strings and binaries, and
// lists of these.
func modelFileType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return true
	case arrow.LIST, arrow.LARGE_LIST:
		return modelFileType(t.(arrow.ListLikeType).Elem())
	}
	return false
}

// maxNesting is the deepest nesting of list types that model files may use,
// as Arrow's IPC reader allows.
const maxNesting = 64

// checkColumn checks that a column read from a file is consistent, so that
// reading any of its values cannot fail later: a type model files use, a
// validity bitmap that covers its rows and agrees with its null count, value
// buffers long enough for its rows, and offsets that never decrease and stay
// within their data. Arrow's reader checks little of this.
func checkColumn(c arrow.Array, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("lists nest deeper than %d levels", maxNesting)
	}
	d := c.Data()
	off, n := d.Offset(), d.Len()
	if off < 0 || n < 0 {
		return fmt.Errorf("negative offset %d or length %d", off, n)
	}
	bufs := d.Buffers()
	bufLen := func(i int) int {
		if i < len(bufs) && bufs[i] != nil {
			return bufs[i].Len()
		}
		return 0
	}
	if bitmap := c.NullBitmapBytes(); len(bitmap) > 0 {
		if len(bitmap) < bitBytes(off+n) {
			return fmt.Errorf("validity bitmap has %d bytes for %d rows", len(bitmap), n)
		}
		nulls := n - bitutil.CountSetBits(bitmap, off, n)
		if d.NullN() != array.UnknownNullCount && d.NullN() != nulls {
			return fmt.Errorf("null count %d disagrees with the validity bitmap (%d)", d.NullN(), nulls)
		}
	} else if d.NullN() != 0 {
		return fmt.Errorf("null count %d without a validity bitmap", d.NullN())
	}
	switch c.DataType().ID() {
	case arrow.BOOL:
		if bufLen(1) < bitBytes(off+n) {
			return fmt.Errorf("bool data has %d bytes for %d rows", bufLen(1), n)
		}
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16,
		arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64:
		width := c.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
		if bufLen(1) < (off+n)*width {
			return fmt.Errorf("%s data has %d bytes for %d rows", c.DataType(), bufLen(1), n)
		}
	case arrow.STRING, arrow.BINARY:
		return checkOffsets(arrow.Int32Traits.CastFromBytes(bufBytes(bufs, 1)), off, n, bufLen(2))
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return checkOffsets(arrow.Int64Traits.CastFromBytes(bufBytes(bufs, 1)), off, n, bufLen(2))
	case arrow.LIST:
		values := c.(*array.List).ListValues()
		if err := checkOffsets(arrow.Int32Traits.CastFromBytes(bufBytes(bufs, 1)), off, n, values.Len()); err != nil {
			return err
		}
		return checkColumn(values, depth+1)
	case arrow.LARGE_LIST:
		values := c.(*array.LargeList).ListValues()
		if err := checkOffsets(arrow.Int64Traits.CastFromBytes(bufBytes(bufs, 1)), off, n, values.Len()); err != nil {
			return err
		}
		return checkColumn(values, depth+1)
	default:
		return fmt.Errorf("type %s is not used in model files", c.DataType())
	}
	return nil
}

func bitBytes(bits int) int { return (bits + 7) / 8 }

func bufBytes(bufs []*memory.Buffer, i int) []byte {
	if i < len(bufs) && bufs[i] != nil {
		return bufs[i].Bytes()
	}
	return nil
}

// checkOffsets checks the n+1 offsets of rows [off, off+n): they start at or
// above 0, never decrease and end at or below limit, the length of the data.
func checkOffsets[T int32 | int64](offsets []T, off, n, limit int) error {
	if n == 0 {
		return nil
	}
	if len(offsets) < off+n+1 {
		return fmt.Errorf("%d offsets for %d rows", len(offsets), n)
	}
	o := offsets[off : off+n+1]
	if o[0] < 0 {
		return fmt.Errorf("negative offset %d", o[0])
	}
	for i := 1; i < len(o); i++ {
		if o[i] < o[i-1] {
			return fmt.Errorf("offsets decrease from %d to %d at row %d", o[i-1], o[i], i)
		}
	}
	if int64(o[n]) > int64(limit) {
		return fmt.Errorf("offset %d is beyond the %d values", o[n], limit)
	}
	return nil
}

// budgetAllocator refuses, by panicking, to hand out more than a budget of
// bytes in total, so that sizes read from a corrupt file cannot make the
// Arrow reader allocate without bound (an allocation that exhausts memory
// kills the process; a panic is recovered). lift removes the cap once
// reading is done, since the decoded columns keep the allocator.
type budgetAllocator struct {
	memory.Allocator
	left atomic.Int64
}

func newBudgetAllocator(budget int) *budgetAllocator {
	a := &budgetAllocator{Allocator: memory.DefaultAllocator}
	a.left.Store(int64(budget))
	return a
}

func (a *budgetAllocator) spend(n int) {
	if n > 0 && a.left.Add(-int64(n)) < 0 {
		panic("the sizes it records ask for far more memory than its length can hold")
	}
}

func (a *budgetAllocator) Allocate(size int) []byte {
	a.spend(size)
	return a.Allocator.Allocate(size)
}

func (a *budgetAllocator) Reallocate(size int, b []byte) []byte {
	a.spend(size - len(b))
	return a.Allocator.Reallocate(size, b)
}

func (a *budgetAllocator) lift() { a.left.Store(math.MaxInt64 / 2) }

// Arrow's file footer is a flatbuffer; these are the slots (vtable offsets)
// and type codes of Arrow's Schema.fbs that checkFooter reads.
const (
	fbFooterSchema    = 6
	fbSchemaFields    = 6
	fbSchemaMetadata  = 8
	fbFieldName       = 4
	fbFieldTypeType   = 8
	fbFieldDictionary = 12
	fbFieldChildren   = 14
	fbFieldMetadata   = 16
	fbKeyValueKey     = 4
	fbKeyValueValue   = 6

	fbTypeInt           = 2
	fbTypeFloatingPoint = 3
	fbTypeBinary        = 4
	fbTypeUtf8          = 5
	fbTypeBool          = 6
	fbTypeList          = 12
	fbTypeStruct        = 13
	fbTypeLargeBinary   = 19
	fbTypeLargeUtf8     = 20
	fbTypeLargeList     = 21
)

// checkFooter checks the schema in the footer of an Arrow IPC file before
// Arrow's reader decodes it. The reader trusts the footer: it recurses
// through a field's children without a depth limit (a cycle overflows the
// stack), decodes shared children again for every reference (a few bytes can
// stand for billions of fields), and allocates every vector at its recorded
// length before reading it. A stack overflow or an exhausted memory kills
// the process, which no recover can catch. checkFooter bounds the nesting,
// the total size of the decoded fields and every vector by the size of the
// footer, and accepts only the column types model files use. Reads beyond
// the footer panic and are recovered by the caller; a file too malformed to
// locate its footer is left for the reader to reject.
func checkFooter(b []byte) error {
	const tail = 10 // footer length (4 bytes) and "ARROW1"
	if len(b) < 16 || string(b[len(b)-6:]) != "ARROW1" {
		return nil
	}
	size := int(binary.LittleEndian.Uint32(b[len(b)-tail:]))
	if size <= 0 || size+16 > len(b) {
		return nil
	}
	fb := b[len(b)-tail-size : len(b)-tail]
	footer := fbTable{fb, binary.LittleEndian.Uint32(fb)}
	schema, ok := footer.table(fbFooterSchema)
	if !ok {
		return nil
	}
	w := footerWalker{left: 2*size + 1024}
	if err := w.metadata(schema, fbSchemaMetadata); err != nil {
		return err
	}
	start, n, err := schema.vector(fbSchemaFields, 4)
	if err != nil {
		return err
	}
	for j := range n {
		if err := w.field(schema.elem(start, j), 0); err != nil {
			return err
		}
	}
	return nil
}

// footerWalker walks the fields of a footer's schema within a budget of
// bytes the decoded schema may take.
type footerWalker struct{ left int }

func (w *footerWalker) spend(n int) error {
	w.left -= n
	if w.left < 0 {
		return fmt.Errorf("the schema decodes to more than its footer holds (shared, cyclic or oversized entries)")
	}
	return nil
}

func (w *footerWalker) field(f fbTable, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("the schema nests deeper than %d levels", maxNesting)
	}
	if err := w.spend(16 + f.stringLen(fbFieldName)); err != nil {
		return err
	}
	var typ byte
	if o := f.slot(fbFieldTypeType); o != 0 {
		typ = f.b[f.pos+o]
	}
	switch typ {
	case fbTypeInt, fbTypeFloatingPoint, fbTypeBinary, fbTypeUtf8, fbTypeBool,
		fbTypeList, fbTypeStruct, fbTypeLargeBinary, fbTypeLargeUtf8, fbTypeLargeList:
	default:
		return fmt.Errorf("a column has an Arrow type (code %d) that model files do not use", typ)
	}
	if f.slot(fbFieldDictionary) != 0 {
		return fmt.Errorf("a column is dictionary-encoded, which model files do not use")
	}
	if err := w.metadata(f, fbFieldMetadata); err != nil {
		return err
	}
	start, n, err := f.vector(fbFieldChildren, 4)
	if err != nil {
		return err
	}
	for j := range n {
		if err := w.field(f.elem(start, j), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// metadata charges the key-value metadata in slot vo of t to the budget.
func (w *footerWalker) metadata(t fbTable, vo uint32) error {
	start, n, err := t.vector(vo, 4)
	if err != nil {
		return err
	}
	for j := range n {
		kv := t.elem(start, j)
		if err := w.spend(16 + kv.stringLen(fbKeyValueKey) + kv.stringLen(fbKeyValueValue)); err != nil {
			return err
		}
	}
	return nil
}

// fbTable is a flatbuffer table at position pos of b. Its arithmetic is
// that of the flatbuffers Go library, which Arrow's reader uses, offsets
// wrapping around at 32 bits, so both see the same structure.
type fbTable struct {
	b   []byte
	pos uint32
}

func (t fbTable) u32(off uint32) uint32 { return binary.LittleEndian.Uint32(t.b[off:]) }

// slot returns the position of the field at vtable offset vo relative to
// the table, or 0 if the field is absent.
func (t fbTable) slot(vo uint32) uint32 {
	vt := uint32(int32(t.pos) - int32(t.u32(t.pos)))
	if vo < uint32(binary.LittleEndian.Uint16(t.b[vt:])) {
		return uint32(binary.LittleEndian.Uint16(t.b[vt+vo:]))
	}
	return 0
}

// table returns the table referenced by the field at vo.
func (t fbTable) table(vo uint32) (fbTable, bool) {
	o := t.slot(vo)
	if o == 0 {
		return fbTable{}, false
	}
	p := t.pos + o
	return fbTable{t.b, p + t.u32(p)}, true
}

// vector returns the position of the first element and the length of the
// vector field at vo, checking that its elements of elemSize bytes fit in
// the buffer.
func (t fbTable) vector(vo uint32, elemSize int) (uint32, int, error) {
	o := t.slot(vo)
	if o == 0 {
		return 0, 0, nil
	}
	p := t.pos + o
	p += t.u32(p)
	n, start := int(t.u32(p)), p+4
	if n > (len(t.b)-int(start))/elemSize {
		return 0, 0, fmt.Errorf("a vector of the schema records %d elements, more than its footer holds", n)
	}
	return start, n, nil
}

// elem returns the table referenced by element j of the vector at start.
func (t fbTable) elem(start uint32, j int) fbTable {
	e := start + uint32(4*j)
	return fbTable{t.b, e + t.u32(e)}
}

// stringLen returns the length of the string field at vo, 0 if absent.
func (t fbTable) stringLen(vo uint32) int {
	o := t.slot(vo)
	if o == 0 {
		return 0
	}
	p := t.pos + o
	return int(t.u32(p + t.u32(p)))
}

// writeSeeker is an in-memory io.WriteSeeker, which the IPC file writer needs.
type writeSeeker struct {
	b   []byte
	pos int
}

func (w *writeSeeker) Write(p []byte) (int, error) {
	if need := w.pos + len(p); need > len(w.b) {
		w.b = append(w.b, make([]byte, need-len(w.b))...)
	}
	copy(w.b[w.pos:], p)
	w.pos += len(p)
	return len(p), nil
}

func (w *writeSeeker) Seek(offset int64, whence int) (int64, error) {
	base := 0
	switch whence {
	case io.SeekCurrent:
		base = w.pos
	case io.SeekEnd:
		base = len(w.b)
	}
	if p := base + int(offset); p >= 0 {
		w.pos = p
		return int64(p), nil
	}
	return 0, fmt.Errorf("seek before the start")
}
