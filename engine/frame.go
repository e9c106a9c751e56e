package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Frame is a set of named Arrow columns of equal length. It owns one
// reference to each column; Release gives them back.
type Frame struct {
	names []string
	cols  []arrow.Array
	rows  int
}

// NewFrame builds a frame from names and columns, taking ownership of the
// columns' references. It fails if the lengths or the number of names differ,
// or if a name repeats; the columns' references then stay with the caller.
func NewFrame(names []string, cols []arrow.Array) (*Frame, error) {
	if len(names) != len(cols) {
		return nil, Errorf(KindValue, "frame has %d names for %d columns", len(names), len(cols))
	}
	f := &Frame{names: names, cols: cols}
	for i, c := range cols {
		if slices.Index(names, names[i]) != i {
			return nil, Errorf(KindValue, "column %q appears more than once", names[i])
		}
		if i == 0 {
			f.rows = c.Len()
		} else if c.Len() != f.rows {
			return nil, Errorf(KindValue, "column %q has %d rows, column %q has %d", names[i], c.Len(), names[0], f.rows)
		}
	}
	return f, nil
}

// NewFrameOf is NewFrame for callers that made the columns only for the
// frame: on failure it releases them instead of handing them back.
func NewFrameOf(names []string, cols []arrow.Array) (*Frame, error) {
	f, err := NewFrame(names, cols)
	if err != nil {
		releaseAll(cols)
	}
	return f, err
}

// FrameFromBuilders finishes builders into the columns of a frame, in
// order, and releases the builders. On failure the columns are released.
func FrameFromBuilders(names []string, builders ...array.Builder) (*Frame, error) {
	cols := make([]arrow.Array, len(builders))
	for i, b := range builders {
		cols[i] = b.NewArray()
		b.Release()
	}
	return NewFrameOf(names, cols)
}

// FrameFromRecords joins record batches with one schema into a frame. A
// single batch is used in place; several are concatenated, which copies them.
func FrameFromRecords(schema *arrow.Schema, recs []arrow.Record, mem memory.Allocator) (*Frame, error) {
	names := make([]string, schema.NumFields())
	cols := make([]arrow.Array, schema.NumFields())
	for i, fld := range schema.Fields() {
		names[i] = fld.Name
		switch len(recs) {
		case 0:
			cols[i] = array.MakeArrayOfNull(mem, fld.Type, 0)
		case 1:
			cols[i] = recs[0].Column(i)
			cols[i].Retain()
		default:
			parts := make([]arrow.Array, len(recs))
			for j, r := range recs {
				parts[j] = r.Column(i)
			}
			joined, err := array.Concatenate(parts, mem)
			if err != nil {
				releaseAll(cols[:i])
				return nil, Errorf(KindValue, "column %q: cannot join batches: %v", fld.Name, err)
			}
			cols[i] = joined
		}
	}
	f, err := NewFrame(names, cols)
	if err != nil {
		releaseAll(cols)
		return nil, err
	}
	return f, nil
}

// NumRows returns the number of rows.
func (f *Frame) NumRows() int { return f.rows }

// Names returns the column names in order.
func (f *Frame) Names() []string { return f.names }

// Column returns the named column, or nil if there is none.
func (f *Frame) Column(name string) arrow.Array {
	if i := slices.Index(f.names, name); i >= 0 {
		return f.cols[i]
	}
	return nil
}

// Columns returns the columns in order.
func (f *Frame) Columns() []arrow.Array { return f.cols }

// Record returns the frame as an Arrow record batch sharing its columns.
func (f *Frame) Record() arrow.Record {
	fields := make([]arrow.Field, len(f.cols))
	for i, c := range f.cols {
		fields[i] = arrow.Field{Name: f.names[i], Type: c.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), f.cols, int64(f.rows))
}

// Release gives back the frame's references to its columns.
func (f *Frame) Release() {
	releaseAll(f.cols)
	f.cols = nil
}

func releaseAll(cols []arrow.Array) {
	for _, c := range cols {
		if c != nil {
			c.Release()
		}
	}
}

// Require returns the named column or an error that names it and lists the
// columns the frame has.
func (f *Frame) Require(name, role string) (arrow.Array, error) {
	c := f.Column(name)
	if c == nil {
		return nil, Errorf(KindColumn, "%s column %q is not in the frame; its columns are %q", role, name, f.names)
	}
	return c, nil
}

// IsNumeric reports whether values of type t can be read as float64.
func IsNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT64, arrow.FLOAT32, arrow.FLOAT16, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.BOOL:
		return true
	}
	return false
}

// IsFloat reports whether t is a floating-point type.
func IsFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT64 || t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT16
}

// Float64s returns the values of a numeric column as float64. A float64
// column is returned in place, without copying; other numeric types and
// booleans are converted into a new slice. It fails, naming the column, when
// the column is not numeric. Nulls are read as NaN, so callers that cannot
// take missing values check with HasMissing.
func Float64s(name string, c arrow.Array) ([]float64, error) {
	if !IsNumeric(c.DataType()) {
		return nil, Errorf(KindType, "column %q has type %s, which is not numeric", name, c.DataType())
	}
	if c.Len() == 0 {
		return nil, nil
	}
	if a, ok := c.(*array.Float64); ok && a.NullN() == 0 {
		return a.Float64Values(), nil
	}
	out := make([]float64, c.Len())
	ReadFloat64s(c, 0, out)
	return out, nil
}

// ReadFloat64s copies the values of the numeric column c from row lo into
// dst (len(dst) rows), converting them to float64; nulls become NaN and
// booleans 0 or 1. It lets callers stream any numeric column through a
// small buffer instead of converting it whole. It panics if c is not
// numeric or the rows are out of range: callers check with IsNumeric.
func ReadFloat64s(c arrow.Array, lo int, dst []float64) {
	hi := lo + len(dst)
	switch a := c.(type) {
	case *array.Float64:
		copy(dst, a.Float64Values()[lo:hi])
	case *array.Float32:
		convert(dst, a.Float32Values()[lo:hi])
	case *array.Int64:
		convert(dst, a.Int64Values()[lo:hi])
	case *array.Int32:
		convert(dst, a.Int32Values()[lo:hi])
	case *array.Int16:
		convert(dst, a.Int16Values()[lo:hi])
	case *array.Int8:
		convert(dst, a.Int8Values()[lo:hi])
	case *array.Uint64:
		convert(dst, a.Uint64Values()[lo:hi])
	case *array.Uint32:
		convert(dst, a.Uint32Values()[lo:hi])
	case *array.Uint16:
		convert(dst, a.Uint16Values()[lo:hi])
	case *array.Uint8:
		convert(dst, a.Uint8Values()[lo:hi])
	case *array.Float16:
		for i, v := range a.Values()[lo:hi] {
			dst[i] = float64(v.Float32())
		}
	case *array.Boolean:
		for i := range dst {
			dst[i] = 0
			if a.Value(lo + i) {
				dst[i] = 1
			}
		}
	default:
		panic("engine: ReadFloat64s on a column of type " + c.DataType().String())
	}
	if c.NullN() > 0 {
		for i := range dst {
			if c.IsNull(lo + i) {
				dst[i] = math.NaN()
			}
		}
	}
}

func convert[T integer | float32](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// CountMissing returns the number of nulls and NaNs in a numeric column.
func CountMissing(c arrow.Array, values []float64) int {
	if c.NullN() > 0 {
		return c.NullN() + countNaNValid(c, values)
	}
	n := 0
	for _, v := range values {
		if v != v {
			n++
		}
	}
	return n
}

// CountBad counts the nulls, the NaNs that are not nulls, and the
// infinities of a numeric column read as vals.
func CountBad(c arrow.Array, vals []float64) (nulls, nans, infs int) {
	nulls = c.NullN()
	for i, v := range vals {
		switch {
		case v != v:
			if nulls == 0 || c.IsValid(i) {
				nans++
			}
		case math.IsInf(v, 0):
			infs++
		}
	}
	return nulls, nans, infs
}

func countNaNValid(c arrow.Array, values []float64) int {
	n := 0
	for i, v := range values {
		if v != v && c.IsValid(i) {
			n++
		}
	}
	return n
}

// Field describes a column a model reads or writes.
type Field struct {
	Name string `json:"name"`
	// Type is the Arrow type's name, such as "float64", "int64", "utf8", "bool".
	Type string `json:"type"`
	// Categories lists the levels of a categorical column, in code order.
	Categories []string `json:"categories,omitempty"`
}

// FieldOf describes a column of a frame.
func FieldOf(name string, c arrow.Array) Field {
	return Field{Name: name, Type: c.DataType().String()}
}

// CheckNumericInputs checks that every field is a numeric column of the frame,
// for models whose inputs are numeric. The error names the first column that
// is missing or not numeric.
func CheckNumericInputs(f *Frame, inputs []Field) error {
	for _, in := range inputs {
		c, err := f.Require(in.Name, "input")
		if err != nil {
			return err
		}
		if !IsNumeric(c.DataType()) {
			return Errorf(KindType, "input column %q has type %s at predict time but was numeric (%s) when the model was fitted", in.Name, c.DataType(), in.Type)
		}
	}
	return nil
}

// String describes the frame for error messages and logs.
func (f *Frame) String() string {
	return fmt.Sprintf("Frame(%d rows, columns %q)", f.rows, f.names)
}
