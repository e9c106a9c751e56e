package mlp

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Learner is the mlp learner. It registers itself under Name.
type Learner struct{}

func init() { estimators.Register(Learner{}) }

// Name returns "mlp".
func (Learner) Name() string { return Name }

// Space returns the hyperparameter space.
func (Learner) Space() hyperspace.Space { return Space() }

// Fit trains the network. It fails with KindColumn for missing columns,
// KindType for string or categorical features, ragged list features or a
// target that does not fit the objective, and KindValue for missing
// values, bad hidden_layers, a one-class target, sample weights, or a loss
// that diverges.
func (Learner) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	m, log, err := fit(ctx, data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	return m, log, nil
}

// Decode rebuilds a model from its file form.
func (Learner) Decode(file *engine.ModelFile) (estimators.Model, error) { return decode(file) }

// Model is a fitted perceptron with the standardisation of its inputs.
type Model struct {
	params    hyperspace.Values
	nt        *network
	inputs    []input
	standard  *standard
	objective string
	classes   *engine.Classes
	target    string
}

// Learner returns "mlp".
func (m *Model) Learner() string { return Name }

// Inputs returns the feature columns.
func (m *Model) Inputs() []engine.Field {
	out := make([]engine.Field, len(m.inputs))
	for i, in := range m.inputs {
		out[i] = engine.Field{Name: in.name, Type: in.typ}
	}
	return out
}

// Params returns the hyperparameters of the fit.
func (m *Model) Params() hyperspace.Values { return maps.Clone(m.params) }

// Outputs lists "prediction", and for classifiers "probability_<label>"
// per class.
func (m *Model) Outputs() []engine.Field { return engine.PredictionFields(m.classes) }

// Apply scores every row of data. It fails with KindColumn for a missing
// feature, KindType for a feature of another kind than in training (or a
// list of another length) and KindValue for missing values.
func (m *Model) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	names := make([]string, len(m.inputs))
	for i, in := range m.inputs {
		names[i] = in.name
	}
	ins, err := describeInputs(data, names)
	if err != nil {
		return nil, err
	}
	for i, in := range ins {
		if in.width != m.inputs[i].width {
			return nil, engine.Errorf(engine.KindType, "feature %q has %d values per row; the model was trained on %d",
				in.name, in.width, m.inputs[i].width)
		}
	}
	x, _, err := readMatrix(ctx, data, m.inputs, m.standard, threads)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	z, err := predictRaw(ctx, m.nt, x, totalWidth(m.inputs), threads)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		z = nil
	}
	var names2 []string
	var cols []arrow.Array
	if m.classes == nil {
		buf, v := engine.NewFloat64Buffer(engine.Allocator, n)
		for i := range n {
			v[i] = float64(z[i])
		}
		names2, cols = []string{"prediction"}, []arrow.Array{engine.FinishFloat64(buf, n)}
	} else {
		K := m.classes.Len()
		outs := m.nt.sizes[len(m.nt.sizes)-1]
		eta := make([][]float64, outs)
		for k := range eta {
			eta[k] = make([]float64, n)
			for i := range n {
				eta[k][i] = float64(z[i*outs+k])
			}
		}
		bufs := make([]*memory.Buffer, K)
		probs := make([][]float64, K)
		for k := range probs {
			bufs[k], probs[k] = engine.NewFloat64Buffer(engine.Allocator, n)
		}
		codes := make([]int32, n)
		engine.Probabilities(eta, probs, codes)
		names2 = append(names2, "prediction")
		cols = append(cols, m.classes.Column(codes, engine.Allocator))
		for k, name := range m.classes.ProbabilityNames() {
			names2 = append(names2, name)
			cols = append(cols, engine.FinishFloat64(bufs[k], n))
		}
	}
	f, err := engine.NewFrameOf(names2, cols)
	return f, err
}

// Summary gives the architecture and the standardisation.
func (m *Model) Summary() map[string]any {
	widths := make([]int, len(m.inputs))
	for i, in := range m.inputs {
		widths[i] = in.width
	}
	return map[string]any{
		"sizes": m.nt.sizes, "activation": m.nt.act.name, "objective": m.objective,
		"n_params": len(m.nt.params), "input_widths": widths,
		"mean": m.standard.mean, "scale": m.standard.scale,
	}
}

// state is the learner-specific metadata of a model file.
type state struct {
	Objective  string          `json:"objective"`
	Target     string          `json:"target"`
	Classes    *engine.Classes `json:"classes,omitempty"`
	Sizes      []int           `json:"sizes"`
	Activation string          `json:"activation"`
	Widths     []int           `json:"input_widths"`
	Mean       []float64       `json:"mean"`
	Scale      []float64       `json:"scale"`
}

// Encode returns the model file: the state and a "params" table of one
// float32 column holding every weight and bias, layer after layer (each
// layer's weights in×out row-major, then its biases).
func (m *Model) Encode() (*engine.ModelFile, error) {
	widths := make([]int, len(m.inputs))
	for i, in := range m.inputs {
		widths[i] = in.width
	}
	raw, err := json.Marshal(state{Objective: m.objective, Target: m.target, Classes: m.classes, Sizes: m.nt.sizes,
		Activation: m.nt.act.name, Widths: widths, Mean: m.standard.mean, Scale: m.standard.scale})
	if err != nil {
		return nil, err
	}
	b := array.NewFloat32Builder(memory.DefaultAllocator)
	b.AppendValues(m.nt.params, nil)
	tab, err := engine.FrameFromBuilders([]string{"value"}, b)
	if err != nil {
		return nil, err
	}
	return &engine.ModelFile{
		Learner: Name, Params: Space().ModelParams(m.params), Inputs: m.Inputs(), Outputs: m.Outputs(),
		State: raw, Tables: []engine.Table{{Name: "params", Frame: tab}},
	}, nil
}

func errorf(format string, args ...any) error {
	return engine.Errorf(engine.KindFormat, "mlp model file is corrupt: "+format, args...)
}

// decode rebuilds a model from its file form, checking every size.
func decode(file *engine.ModelFile) (model *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, errorf("%v", r)
		}
	}()
	if file == nil || file.Learner != Name {
		return nil, errorf("it was not written by mlp")
	}
	vals, err := Space().Validate(file.Params)
	if err != nil {
		return nil, errorf("hyperparameters: %v", err)
	}
	var st state
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, errorf("state: %v", err)
	}
	if len(st.Widths) != len(file.Inputs) || len(st.Widths) == 0 {
		return nil, errorf("%d input widths for %d inputs", len(st.Widths), len(file.Inputs))
	}
	d := 0
	ins := make([]input, len(file.Inputs))
	for i, f := range file.Inputs {
		if st.Widths[i] < 1 || st.Widths[i] > 1<<24 {
			return nil, errorf("input %q has width %d", f.Name, st.Widths[i])
		}
		ins[i] = input{name: f.Name, width: st.Widths[i], typ: f.Type}
		d += st.Widths[i]
	}
	if len(st.Sizes) < 2 || st.Sizes[0] != d || len(st.Mean) != d || len(st.Scale) != d {
		return nil, errorf("sizes %v for %d inputs, %d means, %d scales", st.Sizes, d, len(st.Mean), len(st.Scale))
	}
	total := 0
	for l := 0; l+1 < len(st.Sizes); l++ {
		if st.Sizes[l+1] < 1 || st.Sizes[l+1] > MaxWidth || total > 1<<31 {
			return nil, errorf("layer %d has %d units", l+1, st.Sizes[l+1])
		}
		total += st.Sizes[l]*st.Sizes[l+1] + st.Sizes[l+1]
	}
	for _, s := range st.Scale {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, errorf("a scale of %v", s)
		}
	}
	if !slices.Contains([]string{actReLU, actGELU, actTanh, actSigmoid}, st.Activation) {
		return nil, errorf("unknown activation %q", st.Activation)
	}
	outs := st.Sizes[len(st.Sizes)-1]
	switch st.Objective {
	case objSquared:
		if st.Classes != nil || outs != 1 {
			return nil, errorf("a regression with classes or %d outputs", outs)
		}
	case objLogLoss:
		if st.Classes == nil || st.Classes.Len() < 2 || outs != (&target{k: st.Classes.Len()}).outputs() {
			return nil, errorf("a classifier with %d outputs for its classes", outs)
		}
	default:
		return nil, errorf("unknown objective %q", st.Objective)
	}
	tab, err := file.Table("params")
	if err != nil {
		return nil, errorf("%v", err)
	}
	col, ok := tab.Column("value").(*array.Float32)
	if !ok || col.NullN() > 0 || col.Len() != total {
		return nil, errorf("the params table must hold %d float32 values", total)
	}
	nt := newNetwork(st.Sizes, activation{st.Activation})
	copy(nt.params, col.Float32Values())
	m := &Model{params: vals, nt: nt, inputs: ins, standard: &standard{mean: st.Mean, scale: st.Scale},
		objective: st.Objective, classes: st.Classes, target: st.Target}
	outsWant := m.Outputs()
	if len(outsWant) != len(file.Outputs) {
		return nil, errorf("%d outputs, expected %d", len(file.Outputs), len(outsWant))
	}
	return m, nil
}
