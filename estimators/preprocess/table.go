package preprocess

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/hyperspace"
)

var nan = math.NaN()

// tableName is the name of the one table of every model file of the
// package.
const tableName = "columns"

// state is the learner-specific metadata of a model file.
type state struct {
	// NRows is the number of training rows.
	NRows int `json:"n_rows"`
	// Target describes the target of a target_encoder; the other steps
	// have none.
	Target *targetState `json:"target,omitempty"`
}

// targetState is what a target_encoder records of its target.
type targetState struct {
	// Name is the target column's name.
	Name string `json:"name"`
	// Type is "binary" or "continuous".
	Type string `json:"type"`
	// Positive is the level read as 1 for a binary target ("true" for a
	// bool, "1" for 0/1 numbers); "" for a continuous one.
	Positive string `json:"positive"`
	// Mean is the target's mean over the training rows: the prior that
	// encodings are smoothed toward.
	Mean float64 `json:"mean"`
}

// tableWriter builds the "columns" table of a model file.
type tableWriter struct {
	names []string
	cols  []arrow.Array
}

func (w *tableWriter) add(name string, b array.Builder) {
	w.names = append(w.names, name)
	w.cols = append(w.cols, b.NewArray())
	b.Release()
}

func (w *tableWriter) strings(name string, v []string) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	w.add(name, b)
}

func (w *tableWriter) floats(name string, v []float64) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	w.add(name, b)
}

func (w *tableWriter) ints(name string, v []int64) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	w.add(name, b)
}

func (w *tableWriter) bools(name string, v []bool) {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	b.AppendValues(v, nil)
	w.add(name, b)
}

func (w *tableWriter) floatLists(name string, v [][]float64) {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	vb := b.ValueBuilder().(*array.Float64Builder)
	for _, l := range v {
		b.Append(true)
		vb.AppendValues(l, nil)
	}
	w.add(name, b)
}

func (w *tableWriter) intLists(name string, v [][]int64) {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int64)
	vb := b.ValueBuilder().(*array.Int64Builder)
	for _, l := range v {
		b.Append(true)
		vb.AppendValues(l, nil)
	}
	w.add(name, b)
}

func (w *tableWriter) stringLists(name string, v [][]string) {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	vb := b.ValueBuilder().(*array.StringBuilder)
	for _, l := range v {
		b.Append(true)
		vb.AppendValues(l, nil)
	}
	w.add(name, b)
}

func (w *tableWriter) boolLists(name string, v [][]bool) {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.FixedWidthTypes.Boolean)
	vb := b.ValueBuilder().(*array.BooleanBuilder)
	for _, l := range v {
		b.Append(true)
		vb.AppendValues(l, nil)
	}
	w.add(name, b)
}

// file returns the model file of m with this table, whose first columns
// must be the inputs' names and kinds.
func (w *tableWriter) file(m *base, sp hyperspace.Space, outputs []engine.Field) (*engine.ModelFile, error) {
	return w.fileWith(m, sp, outputs, state{NRows: m.nRows})
}

// fileWith is file with the given state.
func (w *tableWriter) fileWith(m *base, sp hyperspace.Space, outputs []engine.Field, st state) (*engine.ModelFile, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	tab, err := engine.NewFrameOf(w.names, w.cols)
	if err != nil {
		return nil, err
	}
	return &engine.ModelFile{
		Learner: m.learner,
		Params:  sp.ModelParams(m.params),
		Inputs:  m.Inputs(),
		Outputs: outputs,
		State:   raw,
		Tables:  []engine.Table{{Name: tableName, Frame: tab}},
	}, nil
}

// newTableWriter starts the table of m with the "name" and "kind" columns.
func newTableWriter(m *base) *tableWriter {
	w := &tableWriter{}
	kinds := make([]string, len(m.kinds))
	for j, k := range m.kinds {
		kinds[j] = k.String()
	}
	w.strings("name", m.features())
	w.strings("kind", kinds)
	return w
}

// tableReader reads the columns of a decoded table; the first failure is
// kept in err and later reads return nil.
type tableReader struct {
	learner string
	tab     *engine.Frame
	err     error
}

func (r *tableReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = corrupt(r.learner, format, args...)
	}
}

func (r *tableReader) column(name string) arrow.Array {
	if r.err != nil {
		return nil
	}
	c := r.tab.Column(name)
	if c == nil {
		r.fail("the %s table has no %q column", tableName, name)
		return nil
	}
	if c.NullN() > 0 {
		r.fail("the %s table's %q column has nulls", tableName, name)
		return nil
	}
	return c
}

func (r *tableReader) strings(name string) []string {
	c, ok := r.column(name).(*array.String)
	if !ok {
		r.fail("the %s table's %q column is missing or not utf8", tableName, name)
		return nil
	}
	out := make([]string, c.Len())
	for i := range out {
		out[i] = c.Value(i)
	}
	return out
}

func (r *tableReader) floats(name string) []float64 {
	c, ok := r.column(name).(*array.Float64)
	if !ok {
		r.fail("the %s table's %q column is missing or not float64", tableName, name)
		return nil
	}
	return slices.Clone(c.Float64Values())
}

func (r *tableReader) ints(name string) []int64 {
	c, ok := r.column(name).(*array.Int64)
	if !ok {
		r.fail("the %s table's %q column is missing or not int64", tableName, name)
		return nil
	}
	return slices.Clone(c.Int64Values())
}

func (r *tableReader) bools(name string) []bool {
	c, ok := r.column(name).(*array.Boolean)
	if !ok {
		r.fail("the %s table's %q column is missing or not bool", tableName, name)
		return nil
	}
	out := make([]bool, c.Len())
	for i := range out {
		out[i] = c.Value(i)
	}
	return out
}

// list returns the list column name and its values, checking that neither
// has nulls.
func (r *tableReader) list(name string) (*array.List, arrow.Array) {
	c, ok := r.column(name).(*array.List)
	if !ok {
		r.fail("the %s table's %q column is missing or not a list", tableName, name)
		return nil, nil
	}
	if c.ListValues().NullN() > 0 {
		r.fail("the %s table's %q column has null elements", tableName, name)
		return nil, nil
	}
	return c, c.ListValues()
}

func (r *tableReader) stringLists(name string) [][]string {
	c, vals := r.list(name)
	if c == nil {
		return nil
	}
	s, ok := vals.(*array.String)
	if !ok {
		r.fail("the %s table's %q column is not a list of utf8", tableName, name)
		return nil
	}
	out := make([][]string, c.Len())
	for i := range out {
		lo, hi := c.ValueOffsets(i)
		if lo < 0 || hi < lo || hi > int64(s.Len()) {
			r.fail("the %s table's %q column has bad offsets", tableName, name)
			return nil
		}
		out[i] = make([]string, 0, hi-lo)
		for k := lo; k < hi; k++ {
			out[i] = append(out[i], s.Value(int(k)))
		}
	}
	return out
}

// numberLists reads a list column of float64 (as floats) or int64 (as
// ints) values.
func numberLists[T float64 | int64](r *tableReader, name string, values func(arrow.Array) ([]T, bool)) [][]T {
	c, vals := r.list(name)
	if c == nil {
		return nil
	}
	v, ok := values(vals)
	if !ok {
		r.fail("the %s table's %q column is not a list of the right type", tableName, name)
		return nil
	}
	out := make([][]T, c.Len())
	for i := range out {
		lo, hi := c.ValueOffsets(i)
		if lo < 0 || hi < lo || hi > int64(len(v)) {
			r.fail("the %s table's %q column has bad offsets", tableName, name)
			return nil
		}
		out[i] = slices.Clone(v[lo:hi])
	}
	return out
}

func (r *tableReader) floatLists(name string) [][]float64 {
	return numberLists(r, name, func(a arrow.Array) ([]float64, bool) {
		f, ok := a.(*array.Float64)
		if !ok {
			return nil, false
		}
		return f.Float64Values(), true
	})
}

func (r *tableReader) intLists(name string) [][]int64 {
	return numberLists(r, name, func(a arrow.Array) ([]int64, bool) {
		f, ok := a.(*array.Int64)
		if !ok {
			return nil, false
		}
		return f.Int64Values(), true
	})
}

func (r *tableReader) boolLists(name string) [][]bool {
	c, vals := r.list(name)
	if c == nil {
		return nil
	}
	b, ok := vals.(*array.Boolean)
	if !ok {
		r.fail("the %s table's %q column is not a list of bool", tableName, name)
		return nil
	}
	out := make([][]bool, c.Len())
	for i := range out {
		lo, hi := c.ValueOffsets(i)
		if lo < 0 || hi < lo || hi > int64(b.Len()) {
			r.fail("the %s table's %q column has bad offsets", tableName, name)
			return nil
		}
		out[i] = make([]bool, 0, hi-lo)
		for k := lo; k < hi; k++ {
			out[i] = append(out[i], b.Value(int(k)))
		}
	}
	return out
}

func corrupt(learner, format string, args ...any) error {
	return engine.Errorf(engine.KindFormat, "%s model file is corrupt: %s", learner, fmt.Sprintf(format, args...))
}

// decodeBase checks what every model file of the package holds: the
// learner, the hyperparameters, the state, and inputs that match the
// table's "name" and "kind" columns (with sorted, distinct categories for
// text inputs and none for others). It returns the model's base and a
// reader of the table.
func decodeBase(learner string, sp hyperspace.Space, file *engine.ModelFile) (*base, *tableReader, error) {
	vals, st, tab, err := decodeHeader(learner, sp, file)
	if err != nil {
		return nil, nil, err
	}
	p := len(file.Inputs)
	if p == 0 {
		return nil, nil, corrupt(learner, "no inputs")
	}
	if tab.NumRows() != p {
		return nil, nil, corrupt(learner, "the %s table has %d rows for %d inputs", tableName, tab.NumRows(), p)
	}
	r := &tableReader{learner: learner, tab: tab}
	names, kindNames := r.strings("name"), r.strings("kind")
	if r.err != nil {
		return nil, nil, r.err
	}
	m := &base{learner: learner, params: vals, inputs: make([]engine.Field, p), kinds: make([]kind, p), nRows: st.NRows}
	seen := make(map[string]bool, p)
	for j, in := range file.Inputs {
		k, ok := parseKind(kindNames[j])
		switch {
		case in.Name != names[j]:
			return nil, nil, corrupt(learner, "input %d is %q but the table names %q", j, in.Name, names[j])
		case seen[in.Name]:
			return nil, nil, corrupt(learner, "input %q appears twice", in.Name)
		case !ok:
			return nil, nil, corrupt(learner, "input %q has unknown kind %q", in.Name, kindNames[j])
		case !typeFits(k, in.Type):
			return nil, nil, corrupt(learner, "input %q of type %q cannot be read as %s", in.Name, in.Type, k)
		case k != kindText && len(in.Categories) > 0:
			return nil, nil, corrupt(learner, "input %q of kind %s has categories", in.Name, k)
		case !strictlySorted(in.Categories):
			return nil, nil, corrupt(learner, "the categories of input %q are not sorted and distinct", in.Name)
		}
		seen[in.Name] = true
		m.inputs[j] = engine.Field{Name: in.Name, Type: in.Type, Categories: slices.Clone(in.Categories)}
		m.kinds[j] = k
	}
	return m, r, nil
}

// decodeHeader checks what every model file of the package holds besides
// its inputs: the learner, the hyperparameters, the state and a "columns"
// table.
func decodeHeader(learner string, sp hyperspace.Space, file *engine.ModelFile) (hyperspace.Values, state, *engine.Frame, error) {
	var st state
	if file == nil {
		return nil, st, nil, corrupt(learner, "no model file")
	}
	if file.Learner != learner {
		return nil, st, nil, corrupt(learner, "it was written by learner %q", file.Learner)
	}
	vals, err := sp.Validate(file.Params)
	if err != nil {
		return nil, st, nil, corrupt(learner, "hyperparameters: %v", err)
	}
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, st, nil, corrupt(learner, "state: %v", err)
	}
	if st.NRows < 0 {
		return nil, st, nil, corrupt(learner, "%d training rows", st.NRows)
	}
	tab, err := file.Table(tableName)
	if err != nil {
		return nil, st, nil, corrupt(learner, "%v", err)
	}
	if tab == nil {
		return nil, st, nil, corrupt(learner, "the %s table is empty", tableName)
	}
	return vals, st, tab, nil
}

// checkOutputsMatch compares the outputs a decoded model computes with
// those its file records.
func checkOutputsMatch(learner string, want, got []engine.Field) error {
	if len(want) != len(got) {
		return corrupt(learner, "%d outputs, expected %d", len(got), len(want))
	}
	seen := make(map[string]bool, len(want))
	for i := range want {
		if want[i].Name != got[i].Name || want[i].Type != got[i].Type || len(got[i].Categories) > 0 {
			return corrupt(learner, "output %d is %q of type %q, expected %q of type %q", i, got[i].Name, got[i].Type, want[i].Name, want[i].Type)
		}
		if seen[want[i].Name] {
			return corrupt(learner, "output %q appears twice", want[i].Name)
		}
		seen[want[i].Name] = true
	}
	return nil
}

// strictlySorted reports whether v is sorted with no repeats.
func strictlySorted(v []string) bool {
	for i := 1; i < len(v); i++ {
		if v[i-1] >= v[i] {
			return false
		}
	}
	return true
}

// finite reports whether every value is finite.
func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
