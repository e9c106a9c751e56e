package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
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

// UnmarshalModelFile decodes model file bytes. It checks the structure and
// the metadata and returns an error of kind KindFormat, never a panic, for
// anything malformed; the learner's Decode checks the tables' contents.
func UnmarshalModelFile(b []byte) (m *ModelFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, Errorf(KindFormat, "model file is corrupt: %v", r)
		}
	}()
	bad := func(format string, args ...any) error {
		return Errorf(KindFormat, "model file is corrupt: "+format, args...)
	}
	rdr, err := ipc.NewFileReader(bytes.NewReader(b), ipc.WithAllocator(memory.DefaultAllocator))
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
	for key, dst := range map[string]any{"params": &m.Params, "inputs": &m.Inputs, "outputs": &m.Outputs, "state": &m.State} {
		s, err := get(key)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(s), dst); err != nil {
			return nil, bad("metadata %q is not valid JSON (%v)", metaPrefix+key, err)
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
	lo, hi := list.ValueOffsets(0)
	if lo != 0 || hi != int64(st.Len()) {
		return nil, fmt.Errorf("list offsets [%d, %d] do not cover the %d rows", lo, hi, st.Len())
	}
	typ := st.DataType().(*arrow.StructType)
	names := make([]string, st.NumField())
	cols := make([]arrow.Array, st.NumField())
	for i := range cols {
		names[i] = typ.Field(i).Name
		col := st.Field(i)
		if col.Len() < st.Len() {
			return nil, fmt.Errorf("column %q has %d rows, the table %d", names[i], col.Len(), st.Len())
		}
		cols[i] = array.NewSlice(col, int64(st.Offset()), int64(st.Offset()+st.Len()))
	}
	return NewFrame(names, cols)
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
