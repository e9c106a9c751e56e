package linear

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/hyperspace"
)

// InterceptTerm is the term name of the intercept row of the coefficients
// table.
const InterceptTerm = "(intercept)"

// The tasks a model file's state can name.
const (
	taskRegression  = "regression"
	taskBinary      = "binary"
	taskMultinomial = "multinomial"
)

// Model is a fitted linear_regression or logistic_regression model. Its
// coefficients are on the original scale of the features: the margin of
// vector k is Intercept()[k] + Σ_j Coef()[k][j]·x_j.
type Model struct {
	learner    string
	params     hyperspace.Values
	features   []string
	inputs     []engine.Field
	target     string
	targetType string
	classes    *engine.Classes // nil for regression
	intercept  []float64       // one per coefficient vector
	coef       [][]float64     // one per vector, one value per feature
}

// Learner returns the learner's name.
func (m *Model) Learner() string { return m.learner }

// Inputs returns the feature columns the model reads.
func (m *Model) Inputs() []engine.Field { return slices.Clone(m.inputs) }

// Params returns the validated hyperparameters of the fit.
func (m *Model) Params() hyperspace.Values { return maps.Clone(m.params) }

// Features returns the feature names in coefficient order.
func (m *Model) Features() []string { return slices.Clone(m.features) }

// Classes returns the classes of a classifier, or nil for a regression.
func (m *Model) Classes() *engine.Classes { return m.classes }

// Intercept returns the intercept of every coefficient vector: one for
// regression and binary classification, one per class for multinomial
// models (centred to sum to zero).
func (m *Model) Intercept() []float64 { return slices.Clone(m.intercept) }

// Coef returns the coefficient vectors on the original scale of the
// features, one value per feature (zero for constant features).
func (m *Model) Coef() [][]float64 {
	out := make([][]float64, len(m.coef))
	for k, c := range m.coef {
		out[k] = slices.Clone(c)
	}
	return out
}

// Outputs lists the columns Apply returns: "prediction" (float64 for
// regression, the target's type family for classifiers), then
// "probability_<label>" for every class, in class order.
func (m *Model) Outputs() []engine.Field {
	return engine.PredictionFields(m.classes)
}

// Apply computes the output columns for every row of data, on threads
// threads (0 for all CPUs). The columns are built on engine.Allocator. It
// fails with a KindColumn or KindType error for a missing or non-numeric
// input column, and with KindValue for missing or infinite values.
func (m *Model) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	if err := engine.CheckNumericInputs(data, m.inputs); err != nil {
		return nil, err
	}
	n := data.NumRows()
	p := len(m.features)
	cols := make([][]float64, p)
	for j, f := range m.features {
		var err error
		if cols[j], err = engine.Float64s(f, data.Column(f)); err != nil {
			return nil, err
		}
	}
	nv := len(m.coef)
	// Margins go straight into the output buffers: the float64 prediction
	// of a regression, the probability columns of a classifier.
	nout := 1
	if m.classes != nil {
		nout = m.classes.Len()
	}
	bufs := make([]*memory.Buffer, nout)
	outs := make([][]float64, nout)
	for k := range bufs {
		bufs[k], outs[k] = engine.NewFloat64Buffer(engine.Allocator, n)
	}
	release := func() {
		for _, b := range bufs {
			b.Release()
		}
	}
	// For a binary classifier the single margin goes into class 1's column.
	marg := outs
	if m.classes != nil && nv == 1 {
		marg = outs[1:2]
	}
	// Per block of rows, the features are copied into one contiguous
	// buffer and every margin is one fused multiply-add kernel over it.
	bs := min(512, max(16, (64<<10)/max(1, p)))
	bad := make([]bool, engine.NumChunks(n))
	pool := sync.Pool{New: func() any { s := make([]float64, p*bs); return &s }}
	err := engine.ForChunks(ctx, threads, n, func(c, lo, hi int) {
		bufp := pool.Get().(*[]float64)
		defer pool.Put(bufp)
		for a := lo; a < hi; a += bs {
			b := min(hi, a+bs)
			nb := b - a
			x := (*bufp)[:p*nb]
			for j, col := range cols {
				copy(x[j*nb:(j+1)*nb], col[a:b])
			}
			for k := range marg {
				o := marg[k][a:b]
				engine.VecMat(o, m.coef[k], x)
				engine.AddConst(o, m.intercept[k])
			}
		}
		// A missing or infinite input makes the margins non-finite (the
		// kernel multiplies zero coefficients too).
		for k := range marg {
			if s := engine.Sum(marg[k][lo:hi]); math.IsNaN(s) || math.IsInf(s, 0) {
				bad[c] = true
			}
		}
	})
	if err != nil {
		release()
		return nil, err
	}
	for c := range bad {
		if !bad[c] {
			continue
		}
		for j, f := range m.features {
			nulls, nans, infs := engine.CountBad(data.Column(f), cols[j])
			if nulls+nans+infs > 0 {
				release()
				return nil, engine.Errorf(engine.KindValue, "input column %q has %d missing or non-finite values (%d null, %d NaN, %d infinite); impute them before predicting", f, nulls+nans+infs, nulls, nans, infs)
			}
		}
		break // the margins overflow on finite inputs: so be it
	}
	names := []string{"prediction"}
	var result []arrow.Array
	if m.classes == nil {
		result = []arrow.Array{engine.FinishFloat64(bufs[0], n)}
	} else {
		codes := make([]int32, n)
		// For two classes the margin (log-odds of class 1) sits in outs[1].
		eta := outs
		if len(m.coef) == 1 {
			eta = outs[1:]
		}
		err := engine.ForChunks(ctx, threads, n, func(_, lo, hi int) {
			engine.Probabilities(engine.Rows(eta, lo, hi), engine.Rows(outs, lo, hi), codes[lo:hi])
		})
		if err != nil {
			release()
			return nil, err
		}
		result = append(result, m.classes.Column(codes, engine.Allocator))
		for k := range bufs {
			result = append(result, engine.FinishFloat64(bufs[k], n))
		}
		names = append(names, m.classes.ProbabilityNames()...)
	}
	return engine.NewFrame(names, result)
}

// state is the learner-specific metadata of a model file.
type state struct {
	Task       string          `json:"task"`
	Target     string          `json:"target"`
	TargetType string          `json:"target_type"`
	Features   []string        `json:"features"`
	Classes    *engine.Classes `json:"classes,omitempty"`
}

func (m *Model) task() string {
	switch {
	case m.classes == nil:
		return taskRegression
	case m.classes.Len() == 2:
		return taskBinary
	}
	return taskMultinomial
}

// coefColumns returns the names of the coefficient columns of the
// coefficients table: "value" for one vector, the class labels otherwise
// (with "_" appended to a label that is "term").
func coefColumns(task string, classes *engine.Classes) []string {
	if task != taskMultinomial {
		return []string{"value"}
	}
	out := slices.Clone(classes.Labels())
	for k, l := range out {
		if l == "term" {
			out[k] = "term_"
		}
	}
	return out
}

// Encode returns the model file: the hyperparameters that shape the model,
// the inputs and outputs, the state (task, target, classes) and one table,
// "coefficients", with a utf8 "term" column ("(intercept)" then the
// features) and one float64 column per coefficient vector.
func (m *Model) Encode() (*engine.ModelFile, error) {
	st := state{Task: m.task(), Target: m.target, TargetType: m.targetType, Features: m.features, Classes: m.classes}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	tb := array.NewStringBuilder(mem)
	defer tb.Release()
	tb.Append(InterceptTerm)
	tb.AppendValues(m.features, nil)
	names := []string{"term"}
	cols := []arrow.Array{tb.NewArray()}
	for k, name := range coefColumns(st.Task, m.classes) {
		fb := array.NewFloat64Builder(mem)
		fb.Append(m.intercept[k])
		fb.AppendValues(m.coef[k], nil)
		cols = append(cols, fb.NewArray())
		fb.Release()
		names = append(names, name)
	}
	frame, err := engine.NewFrame(names, cols)
	if err != nil {
		for _, c := range cols {
			c.Release()
		}
		return nil, err
	}
	return &engine.ModelFile{
		Learner: m.learner,
		Params:  spaceOf(m.learner).ModelParams(m.params),
		Inputs:  m.Inputs(),
		Outputs: m.Outputs(),
		State:   raw,
		Tables:  []engine.Table{{Name: "coefficients", Frame: frame}},
	}, nil
}

// Summary returns the features, intercepts, coefficient vectors and, for
// classifiers, the class labels.
func (m *Model) Summary() map[string]any {
	out := map[string]any{
		"features":  m.Features(),
		"intercept": m.Intercept(),
		"coef":      m.Coef(),
	}
	if m.classes != nil {
		out["classes"] = slices.Clone(m.classes.Labels())
	}
	return out
}

// numericTypes are the Arrow type names of numeric input columns.
var numericTypes = map[string]bool{
	"float64": true, "float32": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true, "bool": true,
}

// decode rebuilds a model from its file form, checking everything.
func decode(learner string, file *engine.ModelFile) (model *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, engine.Errorf(engine.KindFormat, "%s model file is corrupt: %v", learner, r)
		}
	}()
	bad := func(format string, args ...any) error {
		return engine.Errorf(engine.KindFormat, "%s model file is corrupt: "+format, append([]any{learner}, args...)...)
	}
	if file == nil {
		return nil, bad("no model file")
	}
	if file.Learner != learner {
		return nil, bad("it was written by learner %q", file.Learner)
	}
	sp := spaceOf(learner)
	vals, err := sp.Validate(file.Params)
	if err != nil {
		return nil, bad("hyperparameters: %v", err)
	}
	var st state
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, bad("state: %v", err)
	}
	switch {
	case learner == RegressionName && st.Task != taskRegression,
		learner == LogisticName && st.Task != taskBinary && st.Task != taskMultinomial:
		return nil, bad("task %q does not belong to this learner", st.Task)
	case st.Task == taskRegression && st.Classes != nil:
		return nil, bad("a regression has no classes")
	case st.Task == taskBinary && (st.Classes == nil || st.Classes.Len() != 2):
		return nil, bad("a binary model needs two classes")
	case st.Task == taskMultinomial && (st.Classes == nil || st.Classes.Len() < 3):
		return nil, bad("a multinomial model needs at least three classes")
	case len(st.Features) == 0:
		return nil, bad("no features")
	}
	seen := map[string]bool{}
	for _, f := range st.Features {
		if seen[f] {
			return nil, bad("feature %q appears twice", f)
		}
		seen[f] = true
	}
	if len(file.Inputs) != len(st.Features) {
		return nil, bad("%d inputs for %d features", len(file.Inputs), len(st.Features))
	}
	for j, in := range file.Inputs {
		if in.Name != st.Features[j] || !numericTypes[in.Type] {
			return nil, bad("input %d is %q of type %q, expected numeric feature %q", j, in.Name, in.Type, st.Features[j])
		}
	}
	m := &Model{
		learner:    learner,
		params:     vals,
		features:   st.Features,
		inputs:     slices.Clone(file.Inputs),
		target:     st.Target,
		targetType: st.TargetType,
		classes:    st.Classes,
	}
	outs := m.Outputs()
	if len(outs) != len(file.Outputs) {
		return nil, bad("%d outputs, expected %d", len(file.Outputs), len(outs))
	}
	for i := range outs {
		if outs[i].Name != file.Outputs[i].Name || outs[i].Type != file.Outputs[i].Type {
			return nil, bad("output %d is %q of type %q, expected %q of type %q", i, file.Outputs[i].Name, file.Outputs[i].Type, outs[i].Name, outs[i].Type)
		}
	}
	tab, err := file.Table("coefficients")
	if err != nil {
		return nil, err
	}
	if tab == nil {
		return nil, bad("the coefficients table is empty")
	}
	want := coefColumns(st.Task, st.Classes)
	p := len(st.Features)
	if got := tab.Names(); len(got) != 1+len(want) {
		return nil, bad("the coefficients table has columns %q, expected %q", got, append([]string{"term"}, want...))
	}
	if tab.NumRows() != 1+p {
		return nil, bad("the coefficients table has %d rows, expected %d (intercept and %d features)", tab.NumRows(), 1+p, p)
	}
	terms, ok := tab.Column("term").(*array.String)
	if !ok || terms.NullN() > 0 {
		return nil, bad("the term column is missing, null or not utf8")
	}
	if terms.Value(0) != InterceptTerm {
		return nil, bad("the first term is %q, expected %q", terms.Value(0), InterceptTerm)
	}
	for j, f := range st.Features {
		if terms.Value(1+j) != f {
			return nil, bad("term %d is %q, expected feature %q", 1+j, terms.Value(1+j), f)
		}
	}
	for _, name := range want {
		col, ok := tab.Column(name).(*array.Float64)
		if !ok || col.NullN() > 0 {
			return nil, bad("coefficient column %q is missing, null or not float64", name)
		}
		vals := col.Float64Values()
		if !finite(vals) {
			return nil, bad("coefficient column %q has non-finite values", name)
		}
		m.intercept = append(m.intercept, vals[0])
		m.coef = append(m.coef, slices.Clone(vals[1:]))
	}
	return m, nil
}

// String describes the model.
func (m *Model) String() string {
	return fmt.Sprintf("%s(%d features, %d coefficient vectors)", m.learner, len(m.features), len(m.coef))
}
