package runtime

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BatchFromRecord reads the scorer's inputs from rec's columns of the same
// names; rec's other columns are ignored. It reads
//
//   - a Number input from any integer or floating-point column, a null
//     as NaN;
//   - a Boolean input from a bool column, or from an integer or
//     floating-point column holding only 0 and 1, a null as NaN;
//   - a Category input from a utf8, large_utf8 or utf8_view column or a
//     dictionary of those, as the value's code in Column.Categories, a
//     null as Missing and a value not among the categories as Unseen. An
//     integer or bool column is read as its values' text ("12", "true"),
//     for models whose categories are such text;
//   - a Text input from the same columns, as its values;
//   - a Vector input from a fixed_size_list column of Column.Width
//     numbers of any of the types a Number reads, a null list or element
//     as NaN.
//
// It fails, naming the column, when an input is missing from rec or its
// column has another type, when a Boolean column holds a number other
// than 0 and 1, or when the Scorer itself is malformed.
func (s *Scorer) BatchFromRecord(rec arrow.Record) (*Batch, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	b := newBatch(s, n)
	sc := rec.Schema()
	for j, c := range s.Inputs {
		idx := sc.FieldIndices(c.Name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("column %q is missing", c.Name)
		}
		arr := rec.Column(idx[0])
		switch c.Kind {
		case Number:
			if !readNumbers(arr, b.Floats[j]) {
				return nil, wrongType(c, arr.DataType())
			}
		case Boolean:
			if a, ok := arr.(*array.Boolean); ok {
				for i := range n {
					switch {
					case a.IsNull(i):
						b.Floats[j][i] = math.NaN()
					case a.Value(i):
						b.Floats[j][i] = 1
					}
				}
				break
			}
			if !readNumbers(arr, b.Floats[j]) {
				return nil, wrongType(c, arr.DataType())
			}
			for i, v := range b.Floats[j] {
				if v != 0 && v != 1 && !math.IsNaN(v) {
					return nil, fmt.Errorf("column %q row %d: %v is not a boolean (0 or 1)", c.Name, i, v)
				}
			}
		case Category:
			if !readCodes(arr, p.codes[j], b.Codes[j]) {
				return nil, wrongType(c, arr.DataType())
			}
		case Text:
			vals, ok := readStrings(arr, b.Codes[j])
			if !ok {
				return nil, wrongType(c, arr.DataType())
			}
			b.Strings[j] = vals
		case Vector:
			if err := readVectors(c, arr, b.Floats[j]); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// readVectors writes the lists of the fixed_size_list column arr to dst,
// Width values per row.
func readVectors(c Column, arr arrow.Array, dst []float64) error {
	a, ok := arr.(*array.FixedSizeList)
	if !ok || int(a.DataType().(*arrow.FixedSizeListType).Len()) != c.Width {
		return fmt.Errorf("column %q has type %s; the model reads it as a vector of %d numbers (a fixed_size_list of that size; CSV cannot hold one)", c.Name, arr.DataType(), c.Width)
	}
	// The child holds every row's slots, a null list's included.
	lo, _ := a.ValueOffsets(0)
	vals := array.NewSlice(a.ListValues(), lo, lo+int64(len(dst)))
	defer vals.Release()
	if !readNumbers(vals, dst) {
		return fmt.Errorf("column %q has type %s; the model reads it as a vector of numbers", c.Name, arr.DataType())
	}
	for i := range a.Len() {
		if a.IsNull(i) {
			for k := range c.Width {
				dst[i*c.Width+k] = math.NaN()
			}
		}
	}
	return nil
}

// newBatch allocates a Batch for n rows of the scorer's inputs, leaving
// Strings to the reader.
func newBatch(s *Scorer, n int) *Batch {
	b := &Batch{
		N:       n,
		Floats:  make([][]float64, len(s.Inputs)),
		Codes:   make([][]int32, len(s.Inputs)),
		Strings: make([][]string, len(s.Inputs)),
	}
	for j, c := range s.Inputs {
		switch c.Kind {
		case Category, Text:
			b.Codes[j] = make([]int32, n)
		case Vector:
			b.Floats[j] = make([]float64, n*c.Width)
		default:
			b.Floats[j] = make([]float64, n)
		}
	}
	return b
}

// wrongType is the error for an input column whose Arrow type the model
// cannot read as the input's kind.
func wrongType(c Column, dt arrow.DataType) error {
	return fmt.Errorf("column %q has type %s; the model reads it as a %v", c.Name, dt, c.Kind)
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// convert writes vals as float64 to dst, NaN where arr is null.
func convert[T number](vals []T, arr arrow.Array, dst []float64) {
	for i, v := range vals[:len(dst)] {
		dst[i] = float64(v)
	}
	if arr.NullN() > 0 {
		for i := range dst {
			if arr.IsNull(i) {
				dst[i] = math.NaN()
			}
		}
	}
}

// readNumbers writes a numeric column's values to dst, reporting false
// when arr is not numeric.
func readNumbers(arr arrow.Array, dst []float64) bool {
	switch a := arr.(type) {
	case *array.Float64:
		convert(a.Float64Values(), a, dst)
	case *array.Float32:
		convert(a.Float32Values(), a, dst)
	case *array.Int64:
		convert(a.Int64Values(), a, dst)
	case *array.Int32:
		convert(a.Int32Values(), a, dst)
	case *array.Int16:
		convert(a.Int16Values(), a, dst)
	case *array.Int8:
		convert(a.Int8Values(), a, dst)
	case *array.Uint64:
		convert(a.Uint64Values(), a, dst)
	case *array.Uint32:
		convert(a.Uint32Values(), a, dst)
	case *array.Uint16:
		convert(a.Uint16Values(), a, dst)
	case *array.Uint8:
		convert(a.Uint8Values(), a, dst)
	default:
		return false
	}
	return true
}

// codeOf is a category's code in m: Unseen when it is not there.
func codeOf(m map[string]int32, v string) int32 {
	if c, ok := m[v]; ok {
		return c
	}
	return Unseen
}

// readCodes writes a text-like column's values as codes in m to dst,
// reporting false when arr's type cannot be read as categories.
func readCodes(arr arrow.Array, m map[string]int32, dst []int32) bool {
	if a, ok := arr.(*array.Dictionary); ok {
		// Code the dictionary once, then each row is an index.
		dict := a.Dictionary()
		if !isString(dict) {
			return false
		}
		dictCodes := make([]int32, dict.Len())
		readCodes(dict, m, dictCodes)
		for i := range dst {
			if a.IsNull(i) {
				dst[i] = Missing
			} else {
				dst[i] = dictCodes[a.GetValueIndex(i)]
			}
		}
		return true
	}
	text := textOf(arr)
	if text == nil {
		return false
	}
	for i := range dst {
		if arr.IsNull(i) {
			dst[i] = Missing
		} else {
			dst[i] = codeOf(m, text(i))
		}
	}
	return true
}

// readStrings reads a text-like column as values and a code per row into
// dst (the row's index among the values, Missing for a null), reporting
// false when arr's type cannot be read as text. A dictionary's values are
// its dictionary.
func readStrings(arr arrow.Array, dst []int32) ([]string, bool) {
	var text func(i int) string
	n := len(dst)
	index := func(i int) int { return i }
	if a, ok := arr.(*array.Dictionary); ok {
		if !isString(a.Dictionary()) {
			return nil, false
		}
		text, n, index = textOf(a.Dictionary()), a.Dictionary().Len(), a.GetValueIndex
	} else if text = textOf(arr); text == nil {
		return nil, false
	}
	vals := make([]string, n)
	for i := range vals {
		vals[i] = text(i)
	}
	for i := range dst {
		if arr.IsNull(i) {
			dst[i] = Missing
		} else {
			dst[i] = int32(index(i))
		}
	}
	return vals, true
}

// isString reports whether arr holds strings.
func isString(arr arrow.Array) bool {
	switch arr.(type) {
	case *array.String, *array.LargeString, *array.StringView:
		return true
	}
	return false
}

// textOf returns the text of a string, bool or integer column's value i,
// or nil for a column of another type.
func textOf(arr arrow.Array) func(i int) string {
	switch a := arr.(type) {
	case *array.String:
		return a.Value
	case *array.LargeString:
		return a.Value
	case *array.StringView:
		return a.Value
	case *array.Boolean:
		return func(i int) string { return strconv.FormatBool(a.Value(i)) }
	case *array.Int64:
		return func(i int) string { return strconv.FormatInt(a.Value(i), 10) }
	case *array.Int32:
		return func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }
	case *array.Int16:
		return func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }
	case *array.Int8:
		return func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }
	case *array.Uint64:
		return func(i int) string { return strconv.FormatUint(a.Value(i), 10) }
	case *array.Uint32:
		return func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }
	case *array.Uint16:
		return func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }
	case *array.Uint8:
		return func(i int) string { return strconv.FormatUint(uint64(a.Value(i)), 10) }
	}
	return nil
}

// NewResult allocates a Result for n rows of the scorer's outputs. A
// malformed Scorer gets a Result all the same; BatchFromRecord and the
// other entry points report it.
func (s *Scorer) NewResult(n int) *Result {
	r := &Result{
		N:       n,
		Floats:  make([][]float64, len(s.Outputs)),
		Codes:   make([][]int32, len(s.Outputs)),
		Strings: make([][]string, len(s.Outputs)),
	}
	for j, c := range s.Outputs {
		switch c.Kind {
		case Float, Boolean:
			r.Floats[j] = make([]float64, n)
		case Label, Text:
			r.Codes[j] = make([]int32, n)
		}
	}
	return r
}

// OutputSchema returns the schema RecordFromResult gives records whose
// input has schema in: in's fields, less any named like an output,
// followed by the outputs (a Float as float64, a Boolean as bool, a Label
// as its LabelType).
// It fails only when the Scorer is malformed.
func (s *Scorer) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, 0, in.NumFields()+len(p.outputFields))
	for _, f := range in.Fields() {
		if !p.outputNames[f.Name] {
			fields = append(fields, f)
		}
	}
	fields = append(fields, p.outputFields...)
	md := in.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// RecordFromResult returns a record with in's columns followed by res's
// outputs: a Float output as float64 (NaN kept as NaN), a Boolean as bool
// (NaN as null), a Label output as its class with the Arrow type
// Column.LabelType, a Missing code as null.
// An input column named like an output is left out, so scoring an
// already scored file replaces its outputs. Memory for the outputs comes
// from mem (the default allocator when nil). It fails when res does not
// have in's number of rows, when a label code is out of range, or when
// the Scorer is malformed.
func (s *Scorer) RecordFromResult(in arrow.Record, res *Result, mem memory.Allocator) (arrow.Record, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	n := int(in.NumRows())
	if res.N != n {
		return nil, fmt.Errorf("result has %d rows, input has %d", res.N, n)
	}
	schema, err := s.OutputSchema(in.Schema())
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, 0, schema.NumFields())
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for i, f := range in.Schema().Fields() {
		if !p.outputNames[f.Name] {
			c := in.Column(i)
			c.Retain()
			cols = append(cols, c)
		}
	}
	for j, c := range s.Outputs {
		var arr arrow.Array
		switch c.Kind {
		case Float:
			if len(res.Floats[j]) != n {
				release()
				return nil, fmt.Errorf("output %q has %d values for %d rows", c.Name, len(res.Floats[j]), n)
			}
			bld := array.NewFloat64Builder(mem)
			bld.AppendValues(res.Floats[j], nil)
			arr = bld.NewArray()
			bld.Release()
		case Boolean:
			if len(res.Floats[j]) != n {
				release()
				return nil, fmt.Errorf("output %q has %d values for %d rows", c.Name, len(res.Floats[j]), n)
			}
			bld := array.NewBooleanBuilder(mem)
			for _, v := range res.Floats[j] {
				if v != v {
					bld.AppendNull()
				} else {
					bld.Append(v != 0)
				}
			}
			arr = bld.NewArray()
			bld.Release()
		case Label:
			arr, err = labelArray(c, p.labels[j], res.Codes[j], n, mem)
		case Text:
			arr, err = textArray(c, res.Codes[j], res.Strings[j], n, mem)
		}
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
	}
	rec := array.NewRecord(schema, cols, int64(n))
	release()
	return rec, nil
}

// textOutput returns the value of row i of a Text output, whose codes
// index vals, reporting false for a missing one; it fails for a code out
// of range.
func textOutput(c Column, codes []int32, vals []string, i int) (string, bool, error) {
	code := codes[i]
	switch {
	case code == Missing:
		return "", false, nil
	case code < 0 || int(code) >= len(vals):
		return "", false, fmt.Errorf("output %q row %d: text code %d out of range [0, %d)", c.Name, i, code, len(vals))
	}
	return vals[code], true, nil
}

// textArray builds a Text output's utf8 column from its codes.
func textArray(c Column, codes []int32, vals []string, n int, mem memory.Allocator) (arrow.Array, error) {
	if len(codes) != n {
		return nil, fmt.Errorf("output %q has %d codes for %d rows", c.Name, len(codes), n)
	}
	bld := array.NewStringBuilder(mem)
	defer bld.Release()
	bld.Reserve(n)
	for i := range n {
		v, ok, err := textOutput(c, codes, vals, i)
		switch {
		case err != nil:
			return nil, err
		case ok:
			bld.Append(v)
		default:
			bld.AppendNull()
		}
	}
	return bld.NewArray(), nil
}

// labelArray builds a Label output's column from its codes.
func labelArray(c Column, ls labelSet, codes []int32, n int, mem memory.Allocator) (arrow.Array, error) {
	if len(codes) != n {
		return nil, fmt.Errorf("output %q has %d codes for %d rows", c.Name, len(codes), n)
	}
	nlabels := int32(len(c.Labels))
	for i, code := range codes {
		if code != Missing && (code < 0 || code >= nlabels) {
			return nil, fmt.Errorf("output %q row %d: class code %d out of range [0, %d)", c.Name, i, code, nlabels)
		}
	}
	bld := array.NewBuilder(mem, ls.typ)
	defer bld.Release()
	bld.Reserve(n)
	switch b := bld.(type) {
	case *array.StringBuilder:
		for _, code := range codes {
			if code == Missing {
				b.AppendNull()
			} else {
				b.Append(ls.strings[code])
			}
		}
	case *array.Int64Builder:
		for _, code := range codes {
			if code == Missing {
				b.AppendNull()
			} else {
				b.Append(ls.ints[code])
			}
		}
	case *array.BooleanBuilder:
		for _, code := range codes {
			if code == Missing {
				b.AppendNull()
			} else {
				b.Append(ls.bools[code])
			}
		}
	case *array.Float64Builder:
		for _, code := range codes {
			if code == Missing {
				b.AppendNull()
			} else {
				b.Append(ls.floats[code])
			}
		}
	}
	return bld.NewArray(), nil
}

// PanicError is the error the runtime returns when a Score function
// panics: a bug in the model rather than bad input.
type PanicError struct {
	Value any
}

// Error describes the panic.
func (e *PanicError) Error() string {
	return fmt.Sprintf("model panicked: %v", e.Value)
}

// ModelError is an error a Score function returned: input the model
// cannot score.
type ModelError struct {
	Err error
}

// Error returns the model's message.
func (e *ModelError) Error() string { return e.Err.Error() }

// Unwrap returns the model's error.
func (e *ModelError) Unwrap() error { return e.Err }

// score runs s.Score on in, turning a panic into a *PanicError and a
// returned error into a *ModelError. It does not call Score on an empty
// batch.
func (s *Scorer) score(in *Batch, out *Result) (err error) {
	if in.N == 0 {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v}
		}
	}()
	if err := s.Score(in, out); err != nil {
		return &ModelError{Err: err}
	}
	return nil
}

// ScoreBatch scores in into a new Result, like calling Score but
// recovering a panic into a *PanicError and wrapping the model's own
// error in a *ModelError. It fails too when the Scorer is malformed.
func (s *Scorer) ScoreBatch(in *Batch) (*Result, error) {
	if _, err := s.prepare(); err != nil {
		return nil, err
	}
	res := s.NewResult(in.N)
	if err := s.score(in, res); err != nil {
		return nil, err
	}
	return res, nil
}

// PredictRecord scores rec and returns its columns followed by the
// outputs, as BatchFromRecord, Score and RecordFromResult would, in the
// calling goroutine: it starts none. A panic in Score is returned as a
// *PanicError, an error from Score as a *ModelError; it fails as well for
// the reasons BatchFromRecord and RecordFromResult do. The caller
// releases the returned record.
func (s *Scorer) PredictRecord(rec arrow.Record) (arrow.Record, error) {
	if rec == nil {
		return nil, errors.New("no record")
	}
	b, err := s.BatchFromRecord(rec)
	if err != nil {
		return nil, err
	}
	res := s.NewResult(b.N)
	if err := s.score(b, res); err != nil {
		return nil, err
	}
	return s.RecordFromResult(rec, res, memory.DefaultAllocator)
}
