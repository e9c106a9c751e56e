package pipeline

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Two small stand-in learners, registered for the tests only, exercise the
// chain without the cost or opacity of real estimators: test_affine, a
// Transformer that maps columns to a*x+b (in place, or under a suffixed
// name, dropping the original), and test_sum, a model whose "prediction"
// is the sum of its inputs.
const (
	affineName = "test_affine"
	sumName    = "test_sum"
)

func init() {
	estimators.Register(affineLearner{})
	estimators.Register(sumLearner{})
}

func affineSpace() hyperspace.Space {
	return hyperspace.Space{Learner: affineName, Doc: "a*x+b", Transformer: true, Params: []hyperspace.Param{
		{Name: "a", Kind: hyperspace.Float, Low: -100, High: 100, Default: 1.0, Doc: "slope"},
		{Name: "b", Kind: hyperspace.Float, Low: -100, High: 100, Default: 0.0, Doc: "shift"},
		{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 64, Default: 0, Doc: "threads", Runtime: true},
	}}
}

type affineLearner struct{}

func (affineLearner) Name() string            { return affineName }
func (affineLearner) Space() hyperspace.Space { return affineSpace() }
func (affineLearner) Fit(context.Context, *engine.Frame, estimators.Spec, hyperspace.Values) (estimators.Model, estimators.Log, error) {
	return nil, nil, engine.Errorf(engine.KindValue, "test_affine is built with newAffine")
}

func (affineLearner) Decode(file *engine.ModelFile) (estimators.Model, error) {
	bad := func(msg string) error { return engine.Errorf(engine.KindFormat, "test_affine: %s", msg) }
	if file == nil || file.Learner != affineName {
		return nil, bad("wrong learner")
	}
	vals, err := affineSpace().Validate(file.Params)
	if err != nil {
		return nil, bad(err.Error())
	}
	var st affineState
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, bad(err.Error())
	}
	if len(st.Columns) == 0 {
		return nil, bad("no columns")
	}
	for i, c := range st.Columns {
		if c == "" || slices.Contains(st.Columns[:i], c) || (st.Suffix != "" && slices.Contains(st.Columns, c+st.Suffix)) {
			return nil, bad("bad columns")
		}
	}
	m := newAffine(st.Columns, st.Suffix, vals["a"].(float64), vals["b"].(float64))
	if !sameFields(m.Inputs(), file.Inputs) || !sameFields(m.Outputs(), file.Outputs) {
		return nil, bad("inputs or outputs disagree with the state")
	}
	return m, nil
}

type affineState struct {
	Columns []string `json:"columns"`
	Suffix  string   `json:"suffix"`
}

type affine struct {
	cols   []string
	suffix string
	a, b   float64
}

func newAffine(cols []string, suffix string, a, b float64) *affine {
	return &affine{cols: cols, suffix: suffix, a: a, b: b}
}

func (m *affine) Learner() string { return affineName }
func (m *affine) Inputs() []engine.Field {
	out := make([]engine.Field, len(m.cols))
	for i, c := range m.cols {
		out[i] = engine.Field{Name: c, Type: "float64"}
	}
	return out
}
func (m *affine) Outputs() []engine.Field {
	out := m.Inputs()
	for i := range out {
		out[i].Name += m.suffix
	}
	return out
}
func (m *affine) Replaces() []string { return slices.Clone(m.cols) }
func (m *affine) Params() hyperspace.Values {
	return hyperspace.Values{"a": m.a, "b": m.b, "n_threads": 0}
}
func (m *affine) Summary() map[string]any { return map[string]any{"a": m.a, "b": m.b} }

func (m *affine) Apply(_ context.Context, data *engine.Frame, _ int) (*engine.Frame, error) {
	if err := engine.CheckNumericInputs(data, m.Inputs()); err != nil {
		return nil, err
	}
	names := make([]string, len(m.cols))
	cols := make([]arrow.Array, len(m.cols))
	for i, c := range m.cols {
		x, _ := engine.Float64s(c, data.Column(c))
		y := make([]float64, len(x))
		for r, v := range x {
			y[r] = m.a*v + m.b
		}
		names[i], cols[i] = c+m.suffix, floats(engine.Allocator, y...)
	}
	return engine.NewFrame(names, cols)
}

func (m *affine) Encode() (*engine.ModelFile, error) {
	st, _ := json.Marshal(affineState{Columns: m.cols, Suffix: m.suffix})
	return &engine.ModelFile{Learner: affineName, Params: affineSpace().ModelParams(m.Params()),
		Inputs: m.Inputs(), Outputs: m.Outputs(), State: st}, nil
}

type sumLearner struct{}

func (sumLearner) Name() string { return sumName }
func (sumLearner) Space() hyperspace.Space {
	return hyperspace.Space{Learner: sumName, Doc: "sum of the inputs", Params: []hyperspace.Param{}}
}
func (sumLearner) Fit(context.Context, *engine.Frame, estimators.Spec, hyperspace.Values) (estimators.Model, estimators.Log, error) {
	return nil, nil, engine.Errorf(engine.KindValue, "test_sum is built with newSum")
}

func (sumLearner) Decode(file *engine.ModelFile) (estimators.Model, error) {
	if file == nil || file.Learner != sumName || len(file.Inputs) == 0 || len(file.Outputs) != 1 || file.Outputs[0].Name != "prediction" {
		return nil, engine.Errorf(engine.KindFormat, "test_sum: bad file")
	}
	var cols []string
	for _, in := range file.Inputs {
		if in.Name == "" || slices.Contains(cols, in.Name) {
			return nil, engine.Errorf(engine.KindFormat, "test_sum: bad inputs")
		}
		cols = append(cols, in.Name)
	}
	return newSum(cols...), nil
}

type sum struct{ cols []string }

func newSum(cols ...string) *sum { return &sum{cols: cols} }

func (m *sum) Learner() string { return sumName }
func (m *sum) Inputs() []engine.Field {
	out := make([]engine.Field, len(m.cols))
	for i, c := range m.cols {
		out[i] = engine.Field{Name: c, Type: "float64"}
	}
	return out
}
func (m *sum) Outputs() []engine.Field   { return []engine.Field{{Name: "prediction", Type: "float64"}} }
func (m *sum) Params() hyperspace.Values { return hyperspace.Values{} }
func (m *sum) Summary() map[string]any   { return map[string]any{"columns": m.cols} }
func (m *sum) Apply(_ context.Context, data *engine.Frame, _ int) (*engine.Frame, error) {
	if err := engine.CheckNumericInputs(data, m.Inputs()); err != nil {
		return nil, err
	}
	y := make([]float64, data.NumRows())
	for _, c := range m.cols {
		x, _ := engine.Float64s(c, data.Column(c))
		for r, v := range x {
			y[r] += v
		}
	}
	return engine.NewFrame([]string{"prediction"}, []arrow.Array{floats(engine.Allocator, y...)})
}
func (m *sum) Encode() (*engine.ModelFile, error) {
	return &engine.ModelFile{Learner: sumName, Params: map[string]any{}, Inputs: m.Inputs(), Outputs: m.Outputs()}, nil
}

func floats(mem memory.Allocator, vals ...float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// frameOf builds a frame of float64 columns from alternating names and
// value slices.
func frameOf(t testing.TB, cols map[string][]float64, order ...string) *engine.Frame {
	t.Helper()
	arrs := make([]arrow.Array, len(order))
	for i, n := range order {
		arrs[i] = floats(memory.DefaultAllocator, cols[n]...)
	}
	f, err := engine.NewFrame(order, arrs)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// values returns a float64 column of f as a slice.
func values(t testing.TB, f *engine.Frame, name string) []float64 {
	t.Helper()
	c := f.Column(name)
	if c == nil {
		t.Fatalf("column %q is not in %v", name, f)
	}
	v, err := engine.Float64s(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(v)
}

func mustNew(t testing.TB, steps ...Step) estimators.Model {
	t.Helper()
	m, err := New(steps)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// roundTrip encodes a model to bytes and decodes it back through the
// registry, as pybridge does.
func roundTrip(t testing.TB, m estimators.Model) (estimators.Model, []byte) {
	t.Helper()
	file, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := file.Marshal()
	file.Release()
	if err != nil {
		t.Fatal(err)
	}
	back, err := engine.UnmarshalModelFile(b)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	m2, err := estimators.Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	return m2, b
}

// fitLearner fits a registered learner with the given hyperparameters.
func fitLearner(t testing.TB, name string, data *engine.Frame, spec estimators.Spec, params map[string]any) estimators.Model {
	t.Helper()
	l, err := estimators.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := l.Space().Validate(params)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := l.Fit(context.Background(), data, spec, vals)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
