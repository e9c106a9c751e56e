package runtime

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// BatchFromRecord reads the scorer's inputs from rec's columns of the same
// names; rec's other columns are ignored. It reads
//
//   - a Number input from any integer or floating-point column, a null
//     as NaN;
//   - a Boolean input from a bool column, or from an integer or
//     floating-point column holding only 0 and 1, a null as NaN;
//   - a Category input from a utf8 or large_utf8 column or a dictionary
//     of those, as the value's code in Column.Categories, a null as
//     Missing and a value not among the categories as Unseen. An integer
//     or bool column is read as its values' text ("12", "true"), for
//     models whose categories are such text;
//   - a Text input from the same columns, as its values;
//   - a Vector input from a fixed_size_list column of Column.Width
//     numbers of any of the types a Number reads, a null list or element
//     as NaN.
//
// It fails, naming the column, when an input is missing from rec or its
// column has another type, when a Boolean column holds a number other
// than 0 and 1, or when the Scorer itself is malformed.
func (s *Scorer) BatchFromRecord(rec *columnar.Record) (*Batch, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	n := rec.Len
	b := newBatch(s, n)
	for j, c := range s.Inputs {
		idx := rec.Schema.FieldIndex(c.Name)
		if idx < 0 {
			return nil, fmt.Errorf("column %q is missing", c.Name)
		}
		arr := rec.Cols[idx]
		switch c.Kind {
		case Number:
			if !readNumbers(arr, b.Floats[j]) {
				return nil, wrongType(c, arr.Type)
			}
		case Boolean:
			if arr.Type.ID == columnar.Bool {
				for i := range n {
					switch {
					case arr.IsNull(i):
						b.Floats[j][i] = math.NaN()
					case arr.Bool(i):
						b.Floats[j][i] = 1
					}
				}
				break
			}
			if !readNumbers(arr, b.Floats[j]) {
				return nil, wrongType(c, arr.Type)
			}
			for i, v := range b.Floats[j] {
				if v != 0 && v != 1 && !math.IsNaN(v) {
					return nil, fmt.Errorf("column %q row %d: %v is not a boolean (0 or 1)", c.Name, i, v)
				}
			}
		case Category:
			if !readCodes(arr, p.codes[j], b.Codes[j]) {
				return nil, wrongType(c, arr.Type)
			}
		case Text:
			vals, ok := readStrings(arr, b.Codes[j])
			if !ok {
				return nil, wrongType(c, arr.Type)
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

// readVectors writes the lists of the fixed_size_list, list or
// large_list column arr to dst, Width values per row. A list or large_list
// row must hold Width values, or be null.
func readVectors(c Column, arr *columnar.Array, dst []float64) error {
	w := c.Width
	switch {
	case len(arr.Children) != 1:
		return wrongVector(c, arr.Type)
	case arr.Type.ID == columnar.FixedSizeList && arr.Type.Size == w:
	case arr.Type.ID == columnar.List || arr.Type.ID == columnar.LargeList:
		for i := range arr.Len {
			if lo, hi := arr.ListRange(i); hi-lo != w && !arr.IsNull(i) {
				return fmt.Errorf("column %q row %d: a list of %d numbers; the model reads vectors of %d", c.Name, i, hi-lo, w)
			}
		}
	default:
		return wrongVector(c, arr.Type)
	}
	child := arr.Children[0]
	notNumbers := func() error {
		return fmt.Errorf("column %q has type %s; the model reads it as a vector of numbers", c.Name, arr.Type)
	}
	// Rows usually lie one after another in the child, a null list's
	// slots included: then one read takes them all.
	first, _ := arr.ListRange(0)
	if arr.Len == 0 || contiguous(arr, first, w) {
		if child.Len < first+len(dst) {
			return fmt.Errorf("column %q: %d list values for %d rows of %d", c.Name, child.Len-first, arr.Len, w)
		}
		if !readNumbers(child.Slice(first, first+len(dst)), dst) {
			return notNumbers()
		}
	} else {
		for i := range arr.Len {
			if lo, hi := arr.ListRange(i); hi-lo == w && !readNumbers(child.Slice(lo, hi), dst[i*w:(i+1)*w]) {
				return notNumbers()
			}
		}
	}
	for i := range arr.Len {
		if arr.IsNull(i) {
			for k := range w {
				dst[i*w+k] = math.NaN()
			}
		}
	}
	return nil
}

// wrongVector is the error for a column whose type cannot hold c's
// vectors.
func wrongVector(c Column, t *columnar.Type) error {
	return fmt.Errorf("column %q has type %s; the model reads it as a vector of %d numbers (a fixed_size_list of that size, or a list of lists that size; CSV cannot hold one)", c.Name, t, c.Width)
}

// contiguous reports whether row i of the list array arr holds child
// values first+i·w to first+(i+1)·w for every row.
func contiguous(arr *columnar.Array, first, w int) bool {
	if arr.Type.ID == columnar.FixedSizeList {
		return true
	}
	for i := range arr.Len {
		if lo, hi := arr.ListRange(i); lo != first+i*w || hi != lo+w {
			return false
		}
	}
	return true
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
func wrongType(c Column, t *columnar.Type) error {
	return fmt.Errorf("column %q has type %s; the model reads it as a %v", c.Name, t, c.Kind)
}

// convert writes arr's values, of Go type T, as float64 to dst, NaN where
// arr is null.
func convert[T columnar.Native](arr *columnar.Array, dst []float64) {
	for i, v := range columnar.Values[T](arr)[:len(dst)] {
		dst[i] = float64(v)
	}
	if arr.Nulls > 0 {
		for i := range dst {
			if arr.IsNull(i) {
				dst[i] = math.NaN()
			}
		}
	}
}

// readNumbers writes a numeric column's values to dst, reporting false
// when arr is not numeric.
func readNumbers(arr *columnar.Array, dst []float64) bool {
	switch arr.Type.ID {
	case columnar.Float64:
		convert[float64](arr, dst)
	case columnar.Float32:
		convert[float32](arr, dst)
	case columnar.Int64:
		convert[int64](arr, dst)
	case columnar.Int32:
		convert[int32](arr, dst)
	case columnar.Int16:
		convert[int16](arr, dst)
	case columnar.Int8:
		convert[int8](arr, dst)
	case columnar.Uint64:
		convert[uint64](arr, dst)
	case columnar.Uint32:
		convert[uint32](arr, dst)
	case columnar.Uint16:
		convert[uint16](arr, dst)
	case columnar.Uint8:
		convert[uint8](arr, dst)
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
func readCodes(arr *columnar.Array, m map[string]int32, dst []int32) bool {
	if arr.Type.ID == columnar.Dictionary {
		// Code the dictionary once, then each row is an index.
		dict := arr.Dict
		if dict == nil || !isString(dict.Type) {
			return false
		}
		dictCodes := make([]int32, dict.Len)
		readCodes(dict, m, dictCodes)
		return dictionaryRows(arr, dst, func(i, k int) { dst[i] = dictCodes[k] })
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

// dictionaryRows calls set(i, k) for each row i of the dictionary array
// arr whose index is k, and sets dst[i] to Missing for a null row. It
// reports false for an index outside the dictionary (which a validated
// record does not have).
func dictionaryRows(arr *columnar.Array, dst []int32, set func(i, k int)) bool {
	// Fast paths for the index types Arrow and pandas write.
	switch arr.Type.Index.ID {
	case columnar.Int32:
		return eachIndex(columnar.Values[int32](arr), arr, dst, set)
	case columnar.Int8:
		return eachIndex(columnar.Values[int8](arr), arr, dst, set)
	case columnar.Int16:
		return eachIndex(columnar.Values[int16](arr), arr, dst, set)
	}
	for i := range dst {
		if arr.IsNull(i) {
			dst[i] = Missing
			continue
		}
		k := arr.Index(i)
		if k < 0 || k >= arr.Dict.Len {
			return false
		}
		set(i, k)
	}
	return true
}

func eachIndex[T int8 | int16 | int32](idx []T, arr *columnar.Array, dst []int32, set func(i, k int)) bool {
	size := arr.Dict.Len
	for i := range dst {
		if arr.IsNull(i) {
			dst[i] = Missing
			continue
		}
		k := int(idx[i])
		if k < 0 || k >= size {
			return false
		}
		set(i, k)
	}
	return true
}

// readStrings reads a text-like column as values and a code per row into
// dst (the row's index among the values, Missing for a null), reporting
// false when arr's type cannot be read as text. A dictionary's values are
// its dictionary.
func readStrings(arr *columnar.Array, dst []int32) ([]string, bool) {
	if arr.Type.ID == columnar.Dictionary {
		dict := arr.Dict
		if dict == nil || !isString(dict.Type) {
			return nil, false
		}
		vals := make([]string, dict.Len)
		for i := range vals {
			vals[i] = dict.Str(i)
		}
		return vals, dictionaryRows(arr, dst, func(i, k int) { dst[i] = int32(k) })
	}
	text := textOf(arr)
	if text == nil {
		return nil, false
	}
	vals := make([]string, len(dst))
	for i := range vals {
		if arr.IsNull(i) {
			dst[i] = Missing
		} else {
			vals[i], dst[i] = text(i), int32(i)
		}
	}
	return vals, true
}

// isString reports whether t is a string type.
func isString(t *columnar.Type) bool {
	return t.ID == columnar.String || t.ID == columnar.LargeString
}

// textOf returns the text of a string, bool or integer column's value i,
// or nil for a column of another type.
func textOf(arr *columnar.Array) func(i int) string {
	switch arr.Type.ID {
	case columnar.String, columnar.LargeString:
		return arr.Str
	case columnar.Bool:
		return func(i int) string { return strconv.FormatBool(arr.Bool(i)) }
	case columnar.Int64:
		return signedText(columnar.Values[int64](arr))
	case columnar.Int32:
		return signedText(columnar.Values[int32](arr))
	case columnar.Int16:
		return signedText(columnar.Values[int16](arr))
	case columnar.Int8:
		return signedText(columnar.Values[int8](arr))
	case columnar.Uint64:
		return unsignedText(columnar.Values[uint64](arr))
	case columnar.Uint32:
		return unsignedText(columnar.Values[uint32](arr))
	case columnar.Uint16:
		return unsignedText(columnar.Values[uint16](arr))
	case columnar.Uint8:
		return unsignedText(columnar.Values[uint8](arr))
	}
	return nil
}

func signedText[T ~int8 | ~int16 | ~int32 | ~int64](v []T) func(int) string {
	return func(i int) string { return strconv.FormatInt(int64(v[i]), 10) }
}

func unsignedText[T ~uint8 | ~uint16 | ~uint32 | ~uint64](v []T) func(int) string {
	return func(i int) string { return strconv.FormatUint(uint64(v[i]), 10) }
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
// as its LabelType, a Text as utf8).
// It fails only when the Scorer is malformed.
func (s *Scorer) OutputSchema(in *columnar.Schema) (*columnar.Schema, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	fields := make([]columnar.Field, 0, len(in.Fields)+len(p.outputFields))
	for _, f := range in.Fields {
		if !p.outputNames[f.Name] {
			fields = append(fields, f)
		}
	}
	fields = append(fields, p.outputFields...)
	return &columnar.Schema{Fields: fields, Metadata: in.Metadata}, nil
}

// OutputColumns returns res's outputs as columns, in the order of
// s.Outputs: a Float output as float64 (NaN kept as NaN, sharing res's
// memory), a Boolean as bool (NaN as null), a Label output as its class
// with the Arrow type Column.LabelType, a Text output as utf8, a Missing
// code as null. It fails when an output does not have res.N values, when
// a label or text code is out of range, or when the Scorer is malformed.
func (s *Scorer) OutputColumns(res *Result) ([]*columnar.Array, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	n := res.N
	cols := make([]*columnar.Array, len(s.Outputs))
	for j, c := range s.Outputs {
		var arr *columnar.Array
		switch c.Kind {
		case Float, Boolean:
			if len(res.Floats[j]) != n {
				return nil, fmt.Errorf("output %q has %d values for %d rows", c.Name, len(res.Floats[j]), n)
			}
			if c.Kind == Float {
				arr = columnar.Float64s(res.Floats[j])
				break
			}
			b := columnar.NewBoolBuilder(n)
			for i, v := range res.Floats[j] {
				if v != v {
					b.SetNull(i)
				} else if v != 0 {
					b.Set(i)
				}
			}
			arr = b.Array()
		case Label:
			arr, err = labelArray(c, p.labels[j], res.Codes[j], n)
		case Text:
			arr, err = textArray(c, res.Codes[j], res.Strings[j], n)
		}
		if err != nil {
			return nil, err
		}
		cols[j] = arr
	}
	return cols, nil
}

// RecordFromResult returns a record with in's columns followed by res's
// outputs as OutputColumns makes them. An input column named like an
// output is left out, so scoring an already scored file replaces its
// outputs. It fails when res does not have in's number of rows, or for
// the reasons OutputColumns does.
func (s *Scorer) RecordFromResult(in *columnar.Record, res *Result) (*columnar.Record, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	if res.N != in.Len {
		return nil, fmt.Errorf("result has %d rows, input has %d", res.N, in.Len)
	}
	schema, err := s.OutputSchema(in.Schema)
	if err != nil {
		return nil, err
	}
	outs, err := s.OutputColumns(res)
	if err != nil {
		return nil, err
	}
	cols := make([]*columnar.Array, 0, len(schema.Fields))
	for i, f := range in.Schema.Fields {
		if !p.outputNames[f.Name] {
			cols = append(cols, in.Cols[i])
		}
	}
	return &columnar.Record{Schema: schema, Len: in.Len, Cols: append(cols, outs...)}, nil
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
func textArray(c Column, codes []int32, vals []string, n int) (*columnar.Array, error) {
	if len(codes) != n {
		return nil, fmt.Errorf("output %q has %d codes for %d rows", c.Name, len(codes), n)
	}
	b := columnar.NewStringBuilder(n)
	for i := range n {
		v, ok, err := textOutput(c, codes, vals, i)
		switch {
		case err != nil:
			return nil, err
		case ok:
			b.Append(v)
		default:
			b.AppendNull()
		}
	}
	return b.Array(), nil
}

// labelArray builds a Label output's column from its codes.
func labelArray(c Column, ls labelSet, codes []int32, n int) (*columnar.Array, error) {
	if len(codes) != n {
		return nil, fmt.Errorf("output %q has %d codes for %d rows", c.Name, len(codes), n)
	}
	nlabels := int32(len(c.Labels))
	valid := columnar.NewValidity(n)
	for i, code := range codes {
		switch {
		case code == Missing:
			valid.SetNull(i)
		case code < 0 || code >= nlabels:
			return nil, fmt.Errorf("output %q row %d: class code %d out of range [0, %d)", c.Name, i, code, nlabels)
		}
	}
	bitmap, nulls := valid.Bitmap()
	switch ls.typ.ID {
	case columnar.Int64:
		return columnar.FromValues(ls.typ, classes(codes, ls.ints), bitmap, nulls), nil
	case columnar.Float64:
		return columnar.FromValues(ls.typ, classes(codes, ls.floats), bitmap, nulls), nil
	case columnar.Bool:
		b := columnar.NewBoolBuilder(n)
		for i, code := range codes {
			if code == Missing {
				b.SetNull(i)
			} else if ls.bools[code] {
				b.Set(i)
			}
		}
		return b.Array(), nil
	}
	b := columnar.NewStringBuilder(n)
	for _, code := range codes {
		if code == Missing {
			b.AppendNull()
		} else {
			b.Append(ls.strings[code])
		}
	}
	return b.Array(), nil
}

// classes maps each code to its class, the zero value for Missing.
func classes[T any](codes []int32, classes []T) []T {
	out := make([]T, len(codes))
	for i, code := range codes {
		if code >= 0 {
			out[i] = classes[code]
		}
	}
	return out
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
// the reasons BatchFromRecord and RecordFromResult do.
func (s *Scorer) PredictRecord(rec *columnar.Record) (*columnar.Record, error) {
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
	return s.RecordFromResult(rec, res)
}
