package pipeline

import (
	"context"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

func init() { estimators.Register(Learner{}) }

// Learner is the registered "pipeline" learner. It decodes pipeline model
// files; it does not fit.
type Learner struct{}

// Name returns "pipeline".
func (Learner) Name() string { return Name }

// Space returns an empty space: a pipeline's hyperparameters are its
// steps', which Python namespaces as step__param.
func (Learner) Space() hyperspace.Space {
	return hyperspace.Space{
		Learner: Name,
		Doc:     "A chain of named steps fitted one after the other; its hyperparameters are its steps', named step__param.",
		Params:  []hyperspace.Param{},
	}
}

// Fit always fails with a KindValue error: a pipeline's steps may be Python
// functions, so pipelines are fitted step by step from Python and the
// fitted steps chained with New.
func (Learner) Fit(context.Context, *engine.Frame, estimators.Spec, hyperspace.Values) (estimators.Model, estimators.Log, error) {
	return nil, nil, engine.Errorf(engine.KindValue, "pipelines are fitted step by step from Python: quiver.pipeline((name, step), ...)(frame, target=...); the engine only chains fitted steps")
}

// Decode rebuilds a pipeline from its model file; see the package
// documentation for the format.
func (Learner) Decode(file *engine.ModelFile) (estimators.Model, error) { return decode(file) }

// stepsTable is the name of the model file table that holds the steps.
const stepsTable = "steps"

// Encode returns the pipeline's model file: the steps' namespaced
// hyperparameters (for reading only; each step's file holds its own), the
// pipeline's inputs and outputs, and the "steps" table of names, learners
// and the steps' own model files.
func (p *Pipeline) Encode() (*engine.ModelFile, error) {
	mem := memory.DefaultAllocator
	nb := array.NewStringBuilder(mem)
	defer nb.Release()
	lb := array.NewStringBuilder(mem)
	defer lb.Release()
	mb := array.NewBinaryBuilder(mem, arrow.BinaryTypes.LargeBinary)
	defer mb.Release()
	for _, s := range p.steps {
		f, err := s.Model.Encode()
		if err != nil {
			return nil, stepError(s.Name, err)
		}
		b, err := f.Marshal()
		f.Release()
		if err != nil {
			return nil, stepError(s.Name, err)
		}
		nb.Append(s.Name)
		lb.Append(s.Model.Learner())
		mb.Append(b)
	}
	cols := []arrow.Array{nb.NewArray(), lb.NewArray(), mb.NewArray()}
	frame, err := engine.NewFrameOf([]string{"name", "learner", "model"}, cols)
	if err != nil {
		return nil, err
	}
	return &engine.ModelFile{
		Learner: Name,
		Params:  map[string]any(p.Params()),
		Inputs:  p.Inputs(),
		Outputs: p.Outputs(),
		Tables:  []engine.Table{{Name: stepsTable, Frame: frame}},
	}, nil
}

// decode rebuilds a pipeline, decoding each step with the learner that
// wrote it. Nested pipelines decode recursively; each level needs a whole
// model file inside the bytes of the level above, so the depth is bounded
// by the file's size.
func decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, engine.Errorf(engine.KindFormat, "pipeline model file is corrupt: %v", r)
		}
	}()
	bad := func(format string, args ...any) error {
		return engine.Errorf(engine.KindFormat, "pipeline model file is corrupt: "+format, args...)
	}
	if file == nil {
		return nil, bad("no model file")
	}
	if file.Learner != Name {
		return nil, bad("it was written by learner %q", file.Learner)
	}
	if len(file.Tables) != 1 {
		return nil, bad("it has %d tables, expected one (%q)", len(file.Tables), stepsTable)
	}
	tab, err := file.Table(stepsTable)
	if err != nil {
		return nil, err
	}
	if got := tab.Names(); !slices.Equal(got, []string{"name", "learner", "model"}) {
		return nil, bad("the steps table has columns %q, expected [\"name\" \"learner\" \"model\"]", got)
	}
	names, ok1 := tab.Column("name").(*array.String)
	learners, ok2 := tab.Column("learner").(*array.String)
	if !ok1 || !ok2 || names.NullN() > 0 || learners.NullN() > 0 {
		return nil, bad("the name and learner columns must be utf8 without nulls")
	}
	var blob func(i int) []byte
	switch c := tab.Column("model").(type) {
	case *array.Binary:
		blob = c.Value
	case *array.LargeBinary:
		blob = c.Value
	default:
		return nil, bad("the model column has type %s, expected large_binary", tab.Column("model").DataType())
	}
	if tab.Column("model").NullN() > 0 {
		return nil, bad("the model column has nulls")
	}
	steps := make([]Step, tab.NumRows())
	for i := range steps {
		name, learner := names.Value(i), learners.Value(i)
		sf, err := engine.UnmarshalModelFile(blob(i))
		if err != nil {
			return nil, bad("step %q: %v", name, err)
		}
		if sf.Learner != learner {
			sf.Release()
			return nil, bad("step %q is listed as %q but its model file was written by %q", name, learner, sf.Learner)
		}
		m, err := estimators.Decode(sf)
		sf.Release()
		if err != nil {
			return nil, bad("step %q: %v", name, err)
		}
		steps[i] = Step{Name: name, Model: m}
	}
	m, err := New(steps)
	if err != nil {
		return nil, bad("%v", err)
	}
	p, _ := Of(m)
	if !sameFields(p.inputs, file.Inputs) {
		return nil, bad("it records inputs %v but its steps read %v", file.Inputs, p.inputs)
	}
	if !sameFields(p.outputs, file.Outputs) {
		return nil, bad("it records outputs %v but its steps give %v", file.Outputs, p.outputs)
	}
	return m, nil
}

// sameFields reports whether two field lists agree in names, types and
// categories.
func sameFields(a, b []engine.Field) bool {
	return slices.EqualFunc(a, b, func(x, y engine.Field) bool {
		return x.Name == y.Name && x.Type == y.Type && slices.Equal(x.Categories, y.Categories)
	})
}
