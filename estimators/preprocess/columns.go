package preprocess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// kind is how a step reads a column.
type kind uint8

const (
	kindNumber kind = iota + 1 // numeric (booleans as 0 and 1), read as float64; NaN and null are missing
	kindText                   // string or dictionary of strings; null is missing
	kindBool                   // bool, kept as bool; null is missing
	kindAny                    // any type, passed on as it is (the column steps)
)

var kindNames = [...]string{kindNumber: "number", kindText: "text", kindBool: "bool", kindAny: "any"}

func (k kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

func parseKind(s string) (kind, bool) {
	for k, name := range kindNames {
		if name != "" && name == s {
			return kind(k), true
		}
	}
	return 0, false
}

func isBool(t arrow.DataType) bool { return t.ID() == arrow.BOOL }

// isPlainNumeric reports whether t is numeric and not bool: the columns the
// numeric steps take by default.
func isPlainNumeric(t arrow.DataType) bool { return engine.IsNumeric(t) && !isBool(t) }

// numericTypes are the names of the Arrow types read as numbers.
var numericTypes = map[string]bool{
	"float64": true, "float32": true, "float16": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true, "bool": true,
}

// typeFits reports whether an input recorded with Arrow type name typ can
// be read as kind k: the check of a model file's inputs.
func typeFits(k kind, typ string) bool {
	switch k {
	case kindNumber:
		return numericTypes[typ]
	case kindBool:
		return typ == "bool"
	case kindAny:
		return typ != ""
	case kindText:
		switch typ {
		case "utf8", "large_utf8", "string_view":
			return true
		}
		for _, v := range []string{"utf8", "large_utf8", "string_view"} {
			if strings.HasPrefix(typ, "dictionary<values="+v+", ") {
				return true
			}
		}
	}
	return false
}

// selection says which columns a step takes.
type selection struct {
	// byDefault reports whether a column of type t is taken when
	// spec.Features is empty.
	byDefault func(t arrow.DataType) bool
	// kindOf returns how a column of type t is read, or 0 if the step
	// cannot take it.
	kindOf func(t arrow.DataType) kind
	// what names the columns the step takes, for errors.
	what string
}

// numericSelection takes numeric columns, booleans only when named.
var numericSelection = selection{
	byDefault: isPlainNumeric,
	kindOf: func(t arrow.DataType) kind {
		if engine.IsNumeric(t) {
			return kindNumber
		}
		return 0
	},
	what: "numeric columns",
}

// encoderSelection takes string, categorical and bool columns.
var encoderSelection = selection{
	byDefault: func(t arrow.DataType) bool { return engine.IsCategorical(t) || isBool(t) },
	kindOf: func(t arrow.DataType) kind {
		switch {
		case engine.IsCategorical(t):
			return kindText
		case isBool(t):
			return kindBool
		}
		return 0
	},
	what: "string, categorical or bool columns",
}

// fitData is what every fit starts from: the validated hyperparameters and
// the columns the step acts on.
type fitData struct {
	learner  string
	vals     hyperspace.Values
	threads  int
	n        int
	names    []string
	cols     []arrow.Array
	kinds    []kind
	warnings []string
	start    time.Time
}

// prepare validates a fit's arguments and picks its columns.
func prepare(learner string, sp hyperspace.Space, data *engine.Frame, spec estimators.Spec, params hyperspace.Values, sel selection) (*fitData, error) {
	start := time.Now()
	vals, err := sp.Validate(params)
	if err != nil {
		return nil, engine.Errorf(engine.KindValue, "%v", err)
	}
	if spec.Valid != nil {
		return nil, engine.Errorf(engine.KindValue, "%s is a feature step and takes no validation frame", learner)
	}
	if data == nil || data.NumRows() == 0 {
		return nil, engine.Errorf(engine.KindValue, "%s cannot be fitted on an empty frame (0 rows)", learner)
	}
	d := &fitData{learner: learner, vals: vals, threads: vals.Int("n_threads"), n: data.NumRows(), start: start}
	if spec.Weight != "" {
		d.warnings = append(d.warnings, fmt.Sprintf("%s does not use sample weights; the weight column %q is left as it is", learner, spec.Weight))
	}
	if len(spec.Features) > 0 {
		features, err := estimators.ResolveFeatures(data, spec)
		if err != nil {
			return nil, err
		}
		for _, f := range features {
			c, err := data.Require(f, "feature")
			if err != nil {
				return nil, err
			}
			k := sel.kindOf(c.DataType())
			if k == 0 {
				return nil, engine.Errorf(engine.KindType, "%s: column %q has type %s; it takes %s", learner, f, c.DataType(), sel.what)
			}
			d.names, d.cols, d.kinds = append(d.names, f), append(d.cols, c), append(d.kinds, k)
		}
		return d, nil
	}
	for i, name := range data.Names() {
		if name == spec.Target || (spec.Weight != "" && name == spec.Weight) {
			continue
		}
		c := data.Columns()[i]
		if sel.byDefault(c.DataType()) {
			d.names, d.cols, d.kinds = append(d.names, name), append(d.cols, c), append(d.kinds, sel.kindOf(c.DataType()))
		}
	}
	if len(d.names) == 0 {
		return nil, engine.Errorf(engine.KindValue, "%s found no %s to act on among the columns %q (the target and weight aside); name the columns with features", learner, sel.what, data.Names())
	}
	return d, nil
}

// input describes column j as a model input.
func (d *fitData) input(j int, categories []string) engine.Field {
	f := engine.Field{Name: d.names[j], Type: d.cols[j].DataType().String()}
	if d.kinds[j] == kindText {
		f.Categories = categories
	}
	return f
}

// log returns the fit's log.
func (d *fitData) log(outputs []engine.Field) estimators.Log {
	names := make([]string, len(outputs))
	for i, o := range outputs {
		names[i] = o.Name
	}
	warnings := d.warnings
	if warnings == nil {
		warnings = []string{}
	}
	return estimators.Log{
		"learner":         d.learner,
		"hyperparameters": map[string]any(d.vals),
		"features":        slices.Clone(d.names),
		"outputs":         names,
		"n_rows":          d.n,
		"n_features":      len(d.names),
		"n_outputs":       len(outputs),
		"library_version": engine.Version,
		"warnings":        warnings,
		"fit_seconds":     time.Since(d.start).Seconds(),
	}
}

// checkOutputs refuses outputs that repeat a name, or that take the name of
// a column of the frame the step does not replace (which the output would
// silently overwrite).
func checkOutputs(learner string, data *engine.Frame, outputs []engine.Field, replaces []string) error {
	seen := make(map[string]bool, len(outputs))
	for _, o := range outputs {
		if seen[o.Name] {
			return engine.Errorf(engine.KindValue, "%s would make two columns named %q; rename the column or level that gives it", learner, o.Name)
		}
		seen[o.Name] = true
		if data.Column(o.Name) != nil && !slices.Contains(replaces, o.Name) {
			return engine.Errorf(engine.KindValue, "%s would make a column %q, but the frame already has a column of that name that it does not replace; rename that column", learner, o.Name)
		}
	}
	return nil
}

// inputColumn returns the input column of data that in names, checking
// that it can be read as kind k. A column of the null type (every value
// missing) fits any kind.
func inputColumn(data *engine.Frame, in engine.Field, k kind) (arrow.Array, error) {
	c, err := data.Require(in.Name, "input")
	if err != nil {
		return nil, err
	}
	t := c.DataType()
	ok := t.ID() == arrow.NULL
	switch k {
	case kindNumber:
		ok = ok || engine.IsNumeric(t)
	case kindText:
		ok = ok || engine.IsCategorical(t)
	case kindBool:
		ok = ok || isBool(t)
	case kindAny:
		ok = true
	}
	if !ok {
		return nil, engine.Errorf(engine.KindType, "input column %q has type %s at predict time but was %s (%s) when the model was fitted", in.Name, t, describeKind(k), in.Type)
	}
	return c, nil
}

func describeKind(k kind) string {
	switch k {
	case kindNumber:
		return "numeric"
	case kindText:
		return "a string or categorical column"
	case kindAny:
		return "a column"
	}
	return "bool"
}

// inputColumns returns the input columns of data for a model.
func inputColumns(data *engine.Frame, inputs []engine.Field, kinds []kind) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(inputs))
	for j, in := range inputs {
		var err error
		if cols[j], err = inputColumn(data, in, kinds[j]); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// readNumbers copies rows [lo, lo+len(dst)) of a numeric (or null-typed)
// column into dst as float64, with NaN for missing values.
func readNumbers(c arrow.Array, lo int, dst []float64) {
	if c.DataType().ID() == arrow.NULL {
		for i := range dst {
			dst[i] = nan
		}
		return
	}
	engine.ReadFloat64s(c, lo, dst)
}

// Bool levels, as engine.Classes names them.
const (
	levelFalse = "false"
	levelTrue  = "true"
)

// readLevels reads a text or bool column of a training frame: its distinct
// levels, sorted, and per row the index of its level, -1 where missing.
func readLevels(name string, c arrow.Array, k kind) ([]string, []int32, error) {
	if k == kindText {
		cats, err := engine.ReadCategories(name, c)
		if err != nil {
			return nil, nil, err
		}
		return cats.Values, cats.Codes, nil
	}
	b, ok := c.(*array.Boolean)
	if !ok {
		return nil, nil, engine.Errorf(engine.KindType, "column %q has type %s, not bool", name, c.DataType())
	}
	codes := make([]int32, b.Len())
	var seen [2]bool
	for i := range codes {
		switch {
		case b.IsNull(i):
			codes[i] = -1
		case b.Value(i):
			codes[i] = 1
			seen[1] = true
		default:
			seen[0] = true
		}
	}
	switch {
	case seen[0] && seen[1]:
		return []string{levelFalse, levelTrue}, codes, nil
	case seen[1]:
		for i, v := range codes {
			if v == 1 {
				codes[i] = 0
			}
		}
		return []string{levelTrue}, codes, nil
	case seen[0]:
		return []string{levelFalse}, codes, nil
	}
	return nil, codes, nil
}

// Codes that levelCodes gives besides level indices.
const (
	codeMissing int32 = -1
	codeUnknown int32 = -2
)

// levelCodes reads a text or bool column at predict time: per row the
// index of its level among levels (sorted), codeMissing where missing, and
// codeUnknown for a level not among them. It also returns the first unknown
// level, for error messages.
func levelCodes(name string, c arrow.Array, k kind, levels []string) ([]int32, string, error) {
	n := c.Len()
	codes := make([]int32, n)
	if c.DataType().ID() == arrow.NULL {
		for i := range codes {
			codes[i] = codeMissing
		}
		return codes, "", nil
	}
	var local []string
	if k == kindText {
		cats, err := engine.ReadCategories(name, c)
		if err != nil {
			return nil, "", err
		}
		local, codes = cats.Values, cats.Codes
	} else {
		var err error
		if local, codes, err = readLevels(name, c, k); err != nil {
			return nil, "", err
		}
	}
	remap := make([]int32, len(local))
	firstUnknown := -1
	for i, v := range local {
		j, ok := slices.BinarySearch(levels, v)
		remap[i] = int32(j)
		if !ok {
			remap[i] = codeUnknown
		}
	}
	for i, code := range codes {
		if code >= 0 {
			codes[i] = remap[code]
			if codes[i] == codeUnknown && firstUnknown < 0 {
				firstUnknown = int(code)
			}
		}
	}
	first := ""
	if firstUnknown >= 0 {
		first = local[firstUnknown]
	}
	return codes, first, nil
}

// forColumnChunks calls fn for every column j in [0, ncols) and every chunk
// [lo, hi) of n rows, on threads goroutines.
func forColumnChunks(ctx context.Context, threads, ncols, n int, fn func(j, lo, hi int)) error {
	nc := engine.NumChunks(n)
	return engine.ForTasks(ctx, threads, ncols*nc, func(t int) {
		j, c := t/nc, t%nc
		fn(j, c*engine.ChunkRows, min(n, (c+1)*engine.ChunkRows))
	})
}

// floatOuts are float64 output columns under construction, on
// engine.Allocator.
type floatOuts struct {
	bufs []*memory.Buffer
	vals [][]float64
	n    int
}

func newFloatOuts(k, n int) *floatOuts {
	o := &floatOuts{bufs: make([]*memory.Buffer, k), vals: make([][]float64, k), n: n}
	for i := range o.bufs {
		o.bufs[i], o.vals[i] = engine.NewFloat64Buffer(engine.Allocator, n)
	}
	return o
}

func (o *floatOuts) release() {
	for _, b := range o.bufs {
		b.Release()
	}
}

// arrays finishes the columns, taking over the buffers' references.
func (o *floatOuts) arrays() []arrow.Array {
	out := make([]arrow.Array, len(o.bufs))
	for i, b := range o.bufs {
		out[i] = engine.FinishFloat64(b, o.n)
	}
	o.bufs = nil
	return out
}

// newFrame builds the result frame, releasing the columns if it cannot.
func newFrame(names []string, cols []arrow.Array) (*engine.Frame, error) {
	f, err := engine.NewFrameOf(names, cols)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// fieldNames returns the names of fields.
func fieldNames(fields []engine.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// base holds what every model of the package has.
type base struct {
	learner string
	params  hyperspace.Values
	inputs  []engine.Field
	kinds   []kind
	nRows   int
}

// Learner returns the name of the learner that fitted the model.
func (b *base) Learner() string { return b.learner }

// Inputs returns the columns the model reads, with the categories of
// string and categorical ones.
func (b *base) Inputs() []engine.Field {
	out := slices.Clone(b.inputs)
	for i := range out {
		out[i].Categories = slices.Clone(out[i].Categories)
	}
	return out
}

// Params returns the validated hyperparameters of the fit.
func (b *base) Params() hyperspace.Values {
	out := make(hyperspace.Values, len(b.params))
	for k, v := range b.params {
		out[k] = v
	}
	return out
}

// features returns the input names.
func (b *base) features() []string { return fieldNames(b.inputs) }
