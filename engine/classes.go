package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ClassKind is the type family of a classification target. It decides how
// labels are ordered and written, and the type of the prediction column.
type ClassKind string

// The kinds of classification target.
const (
	// ClassInt is a signed or unsigned integer target; predictions are int64.
	ClassInt ClassKind = "int"
	// ClassFloat is a float target; predictions are float64.
	ClassFloat ClassKind = "float"
	// ClassBool is a boolean target; predictions are bool.
	ClassBool ClassKind = "bool"
	// ClassString is a utf8, large_utf8 or dictionary-of-string target;
	// predictions are utf8.
	ClassString ClassKind = "string"
)

// Classes are the distinct labels of a classification target, in class
// order: numbers numerically, strings lexically (byte order, which is code
// point order), false before true. Class k is the k-th label; models number
// their outputs by class.
//
// A Classes is immutable once built. It encodes to JSON as
// {"kind": ..., "labels": [...]} for model files, and decoding checks the
// kind, that every label parses, and that the labels are distinct and sorted.
type Classes struct {
	kind   ClassKind
	labels []string
	ints   []int64   // ClassInt: the values, in class order
	floats []float64 // ClassFloat: the values, in class order
}

// maxDenseIntRange bounds the value range for which integer targets are
// encoded through a lookup table instead of a map.
const maxDenseIntRange = 1 << 16

// EncodeClasses finds the classes of the target column c (named name in
// error messages) and returns them with the class code of every row.
//
// It accepts integer (signed or unsigned), float, bool, utf8, large_utf8 and
// dictionary-of-string columns; any other type is a KindType error. Nulls or
// NaNs are a KindValue error naming the column and how many there are, as is
// an unsigned value above the int64 range, as are float labels that are
// not whole numbers (a continuous target). Float labels are written with
// strconv's 'g' format ("1", "2"), and -0 is the same class as 0. Only labels that
// occur in the column are classes, even for dictionary columns.
func EncodeClasses(name string, c arrow.Array) (*Classes, []int32, error) {
	n := c.Len()
	missing := c.NullN()
	switch a := c.(type) {
	case *array.Float64:
		missing += countNaNValid(a, a.Float64Values())
	case *array.Float32:
		for i, v := range a.Float32Values() {
			if v != v && a.IsValid(i) {
				missing++
			}
		}
	}
	if missing > 0 {
		return nil, nil, Errorf(KindValue, "target column %q has %d missing values (null or NaN) out of %d; drop those rows or fill them in before fitting", name, missing, n)
	}
	if IsFloat(c.DataType()) {
		vals, _ := Float64s(name, c)
		for _, v := range vals {
			if v != math.Trunc(v) {
				return nil, nil, Errorf(KindValue, "target column %q holds continuous values such as %v; a classifier needs class labels (whole numbers, bools or strings)", name, v)
			}
		}
	}
	codes := make([]int32, n)
	var cl *Classes
	var err error
	switch a := c.(type) {
	case *array.Int8:
		cl, err = intClasses(a.Int8Values(), codes)
	case *array.Int16:
		cl, err = intClasses(a.Int16Values(), codes)
	case *array.Int32:
		cl, err = intClasses(a.Int32Values(), codes)
	case *array.Int64:
		cl, err = intClasses(a.Int64Values(), codes)
	case *array.Uint8:
		cl, err = intClasses(a.Uint8Values(), codes)
	case *array.Uint16:
		cl, err = intClasses(a.Uint16Values(), codes)
	case *array.Uint32:
		cl, err = intClasses(a.Uint32Values(), codes)
	case *array.Uint64:
		for _, v := range a.Uint64Values() {
			if v > math.MaxInt64 {
				return nil, nil, Errorf(KindValue, "target column %q has the value %d, above the largest class label this library supports (%d)", name, v, int64(math.MaxInt64))
			}
		}
		cl, err = intClasses(a.Uint64Values(), codes)
	case *array.Float64:
		cl = floatClasses(a.Float64Values(), 64, codes)
	case *array.Float32:
		vals := make([]float64, n)
		for i, v := range a.Float32Values() {
			vals[i] = float64(v)
		}
		cl = floatClasses(vals, 32, codes)
	case *array.Boolean:
		cl = boolClasses(a, codes)
	case *array.String, *array.LargeString, *array.StringView, *array.Dictionary:
		cl, err = categoryClasses(name, a, codes)
	default:
		return nil, nil, Errorf(KindType, "target column %q has type %s, which cannot hold class labels; use integer, float, bool or string labels", name, c.DataType())
	}
	if err != nil {
		return nil, nil, err
	}
	return cl, codes, nil
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// intClasses encodes integer values (nulls have been ruled out; values fit
// in int64).
func intClasses[T integer](vals []T, codes []int32) (*Classes, error) {
	if len(vals) == 0 {
		return newClasses(ClassInt, nil, nil, nil), nil
	}
	lo, hi := int64(vals[0]), int64(vals[0])
	for _, v := range vals {
		lo, hi = min(lo, int64(v)), max(hi, int64(v))
	}
	var uniq []int64
	if uint64(hi-lo) < maxDenseIntRange {
		// Dense path: a table indexed by value - lo.
		seen := make([]int32, hi-lo+1)
		for _, v := range vals {
			seen[int64(v)-lo] = 1
		}
		k := int32(0)
		for i, s := range seen {
			if s != 0 {
				seen[i] = k
				uniq = append(uniq, lo+int64(i))
				k++
			}
		}
		for i, v := range vals {
			codes[i] = seen[int64(v)-lo]
		}
	} else {
		idx := map[int64]int32{}
		for _, v := range vals {
			if _, ok := idx[int64(v)]; !ok {
				idx[int64(v)] = 0
				uniq = append(uniq, int64(v))
			}
		}
		slices.Sort(uniq)
		for k, v := range uniq {
			idx[v] = int32(k)
		}
		for i, v := range vals {
			codes[i] = idx[int64(v)]
		}
	}
	labels := make([]string, len(uniq))
	for k, v := range uniq {
		labels[k] = strconv.FormatInt(v, 10)
	}
	return newClasses(ClassInt, labels, uniq, nil), nil
}

// floatClasses encodes float values without NaN; bits is the column's
// precision, used to write labels.
func floatClasses(vals []float64, bits int, codes []int32) *Classes {
	idx := map[float64]int32{}
	var uniq []float64
	for _, v := range vals {
		if v == 0 {
			v = 0 // -0 is class 0
		}
		if _, ok := idx[v]; !ok {
			idx[v] = 0
			uniq = append(uniq, v)
		}
	}
	slices.Sort(uniq)
	for k, v := range uniq {
		idx[v] = int32(k)
	}
	for i, v := range vals {
		if v == 0 {
			v = 0
		}
		codes[i] = idx[v]
	}
	labels := make([]string, len(uniq))
	values := make([]float64, len(uniq))
	for k, v := range uniq {
		labels[k] = strconv.FormatFloat(v, 'g', -1, bits)
		values[k], _ = strconv.ParseFloat(labels[k], 64)
	}
	return newClasses(ClassFloat, labels, nil, values)
}

func boolClasses(a *array.Boolean, codes []int32) *Classes {
	var seen [2]bool
	for i := range codes {
		if a.Value(i) {
			codes[i] = 1
			seen[1] = true
		} else {
			seen[0] = true
		}
	}
	switch {
	case seen[0] && seen[1]:
		return newClasses(ClassBool, []string{"false", "true"}, nil, nil)
	case seen[1]:
		clear(codes)
		return newClasses(ClassBool, []string{"true"}, nil, nil)
	case seen[0]:
		return newClasses(ClassBool, []string{"false"}, nil, nil)
	}
	return newClasses(ClassBool, nil, nil, nil)
}

// categoryClasses encodes a string or dictionary column (nulls have been
// ruled out).
func categoryClasses(name string, c arrow.Array, codes []int32) (*Classes, error) {
	cats, err := ReadCategories(name, c)
	if err != nil {
		return nil, err
	}
	copy(codes, cats.Codes)
	return newClasses(ClassString, cats.Values, nil, nil), nil
}

func newClasses(kind ClassKind, labels []string, ints []int64, floats []float64) *Classes {
	if labels == nil {
		labels = []string{}
	}
	return &Classes{kind: kind, labels: labels, ints: ints, floats: floats}
}

// NewClasses builds classes of the given kind from labels written as
// EncodeClasses writes them. It fails unless every label parses for the kind
// and the labels are distinct and in class order.
func NewClasses(kind ClassKind, labels []string) (*Classes, error) {
	c := &Classes{kind: kind, labels: slices.Clone(labels)}
	if c.labels == nil {
		c.labels = []string{}
	}
	switch kind {
	case ClassInt:
		c.ints = make([]int64, len(labels))
		for k, l := range labels {
			v, err := strconv.ParseInt(l, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("class label %q is not an integer", l)
			}
			if k > 0 && v <= c.ints[k-1] {
				return nil, fmt.Errorf("class labels %q and %q are not in increasing order", labels[k-1], l)
			}
			c.ints[k] = v
		}
	case ClassFloat:
		c.floats = make([]float64, len(labels))
		for k, l := range labels {
			v, err := strconv.ParseFloat(l, 64)
			if err != nil || math.IsNaN(v) {
				return nil, fmt.Errorf("class label %q is not a number", l)
			}
			if k > 0 && v <= c.floats[k-1] {
				return nil, fmt.Errorf("class labels %q and %q are not in increasing order", labels[k-1], l)
			}
			c.floats[k] = v
		}
	case ClassBool:
		if !slices.Equal(labels, []string{"false", "true"}) && !slices.Equal(labels, []string{"false"}) &&
			!slices.Equal(labels, []string{"true"}) && len(labels) != 0 {
			return nil, fmt.Errorf("bool class labels must be \"false\" and/or \"true\" in that order, got %q", labels)
		}
	case ClassString:
		for k := 1; k < len(labels); k++ {
			if labels[k] <= labels[k-1] {
				return nil, fmt.Errorf("class labels %q and %q are not in increasing order", labels[k-1], labels[k])
			}
		}
	default:
		return nil, fmt.Errorf("unknown class kind %q", kind)
	}
	return c, nil
}

// Kind returns the target's type family.
func (c *Classes) Kind() ClassKind { return c.kind }

// Len returns the number of classes.
func (c *Classes) Len() int { return len(c.labels) }

// Labels returns the labels in class order. The caller must not modify the
// slice.
func (c *Classes) Labels() []string { return c.labels }

// Label returns the label of class k.
func (c *Classes) Label(k int) string { return c.labels[k] }

// ProbabilityNames returns the names of the probability output columns,
// "probability_<label>" for every class in order.
func (c *Classes) ProbabilityNames() []string {
	out := make([]string, len(c.labels))
	for k, l := range c.labels {
		out[k] = "probability_" + l
	}
	return out
}

// DataType returns the type of the prediction column: int64, float64, bool
// or utf8.
func (c *Classes) DataType() arrow.DataType {
	switch c.kind {
	case ClassInt:
		return arrow.PrimitiveTypes.Int64
	case ClassFloat:
		return arrow.PrimitiveTypes.Float64
	case ClassBool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}

// Column builds a prediction column on mem holding the label of class
// codes[i] in row i, with the type DataType reports. Every code must be a
// class index; Column panics otherwise, which is a programming error.
func (c *Classes) Column(codes []int32, mem memory.Allocator) arrow.Array {
	n := len(codes)
	for _, k := range codes {
		if k < 0 || int(k) >= len(c.labels) {
			panic(fmt.Sprintf("engine.Classes.Column: class code %d outside [0, %d)", k, len(c.labels)))
		}
	}
	switch c.kind {
	case ClassInt:
		buf, vals := newBuffer[int64](mem, n)
		for i, k := range codes {
			vals[i] = c.ints[k]
		}
		return finishFixed(arrow.PrimitiveTypes.Int64, n, buf)
	case ClassFloat:
		buf, vals := newBuffer[float64](mem, n)
		for i, k := range codes {
			vals[i] = c.floats[k]
		}
		return finishFixed(arrow.PrimitiveTypes.Float64, n, buf)
	case ClassBool:
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(int(bitutil.BytesForBits(int64(n))))
		bits := buf.Bytes()
		clear(bits)
		for i, k := range codes {
			if c.labels[k] == "true" {
				bitutil.SetBit(bits, i)
			}
		}
		return finishFixed(arrow.FixedWidthTypes.Boolean, n, buf)
	}
	total := 0
	for _, k := range codes {
		total += len(c.labels[k])
	}
	if total > math.MaxInt32 {
		b := array.NewLargeStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		b.ReserveData(total)
		for _, k := range codes {
			b.Append(c.labels[k])
		}
		return b.NewArray()
	}
	offBuf, offs := newBuffer[int32](mem, n+1)
	dataBuf := memory.NewResizableBuffer(mem)
	dataBuf.Resize(total)
	data := dataBuf.Bytes()
	pos := 0
	for i, k := range codes {
		offs[i] = int32(pos)
		pos += copy(data[pos:], c.labels[k])
	}
	offs[n] = int32(pos)
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offBuf, dataBuf}, nil, 0, 0)
	offBuf.Release()
	dataBuf.Release()
	defer d.Release()
	return array.MakeFromData(d)
}

// newBuffer allocates a buffer of n values of type T on mem and returns it
// with a slice over its memory.
func newBuffer[T int32 | int64 | float64](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var zero T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(zero)))
	if n == 0 {
		return buf, nil
	}
	return buf, unsafe.Slice((*T)(unsafe.Pointer(&buf.Bytes()[0])), n)
}

// finishFixed wraps a values buffer as a fixed-width array without nulls,
// taking over the caller's reference to buf.
func finishFixed(t arrow.DataType, n int, buf *memory.Buffer) arrow.Array {
	d := array.NewData(t, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer d.Release()
	return array.MakeFromData(d)
}

// classesJSON is the JSON form of Classes.
type classesJSON struct {
	Kind   ClassKind `json:"kind"`
	Labels []string  `json:"labels"`
}

// MarshalJSON encodes the classes as {"kind": ..., "labels": [...]}.
func (c *Classes) MarshalJSON() ([]byte, error) {
	return json.Marshal(classesJSON{Kind: c.kind, Labels: c.labels})
}

// UnmarshalJSON decodes classes written by MarshalJSON, checking them as
// NewClasses does.
func (c *Classes) UnmarshalJSON(b []byte) error {
	var j classesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	d, err := NewClasses(j.Kind, j.Labels)
	if err != nil {
		return err
	}
	*c = *d
	return nil
}

// PredictionFields lists the default outputs of a model: "prediction"
// (float64 for a regression, where classes is nil, else the labels' type),
// then "probability_<label>" for every class, in class order.
func PredictionFields(classes *Classes) []Field {
	if classes == nil {
		return []Field{{Name: "prediction", Type: "float64"}}
	}
	out := []Field{{Name: "prediction", Type: classes.DataType().String()}}
	for _, name := range classes.ProbabilityNames() {
		out = append(out, Field{Name: name, Type: "float64"})
	}
	return out
}
