package gbdt

import (
	"context"
	"maps"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Learner is the gbdt learner. It registers itself under Name.
type Learner struct{}

func init() { estimators.Register(Learner{}) }

// Name returns "gbdt".
func (Learner) Name() string { return Name }

// Space returns the hyperparameter space.
func (Learner) Space() hyperspace.Space { return Space() }

// Fit grows the trees. It fails with KindColumn for missing columns,
// KindType for a feature or target of a type gbdt cannot read, and
// KindValue for bad values: a target with missing values, a classification
// target with one class, a validation frame that does not match, too many
// categories.
func (Learner) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	m, log, err := fit(ctx, data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	return m, log, nil
}

// Decode rebuilds a model from its file form.
func (Learner) Decode(file *engine.ModelFile) (estimators.Model, error) { return decode(file) }

// Model is a fitted gbdt model: an additive ensemble of trees over raw
// scores, one score per class for softmax and one otherwise.
type Model struct {
	params       hyperspace.Values
	features     []string
	mappers      []*mapper // categories of categorical features; bin bounds only while training
	inputs       []engine.Field
	objective    string
	classes      *engine.Classes
	target       string
	targetType   string
	initScore    []float64
	treesPerIter int
	trees        []*Tree
}

func errorf(format string, args ...any) error {
	return engine.Errorf(engine.KindFormat, "gbdt model file is corrupt: "+format, args...)
}

// field describes input j as the model file records it.
func (m *Model) field(j int, col arrow.Array) engine.Field {
	f := engine.Field{Name: m.features[j], Type: col.DataType().String()}
	if m.mappers[j].categorical {
		f.Categories = m.mappers[j].categories
	}
	return f
}

// Learner returns "gbdt".
func (m *Model) Learner() string { return Name }

// Inputs returns the feature columns, with the categories of categorical
// ones.
func (m *Model) Inputs() []engine.Field { return slices.Clone(m.inputs) }

// Params returns the hyperparameters of the fit.
func (m *Model) Params() hyperspace.Values { return maps.Clone(m.params) }

// Trees returns the trees in boosting order; with several classes, tree i
// scores class i mod the number of classes.
func (m *Model) Trees() []*Tree { return m.trees }

// Outputs lists the default output columns: "prediction", and for
// classifiers "probability_<label>" per class.
func (m *Model) Outputs() []engine.Field {
	return engine.PredictionFields(m.classes)
}

// Apply scores every row of data.
func (m *Model) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	return m.Explain(ctx, data, estimators.ApplyOptions{Threads: threads})
}

// scoreNames returns the suffixes of per-score columns: none for one
// score, "_<label>" per class for softmax.
func (m *Model) scoreSuffixes() []string {
	if m.treesPerIter == 1 {
		return []string{""}
	}
	out := make([]string, m.treesPerIter)
	for k := range out {
		out[k] = "_" + m.classes.Label(k)
	}
	return out
}

// Explain scores every row of data and adds the raw scores and TreeSHAP
// contributions on request. Missing values and unseen categories take each
// split's default side. It fails with KindColumn for a missing input and
// KindType for an input whose kind (numeric or categorical) differs from
// training.
func (m *Model) Explain(ctx context.Context, data *engine.Frame, opts estimators.ApplyOptions) (*engine.Frame, error) {
	if opts.ExitLevel {
		return nil, engine.Errorf(engine.KindValue, "gbdt models have no exit levels; exit_level is for fast-and-frugal trees")
	}
	cols, err := readColumns(data, m.features, m.mappers)
	if err != nil {
		return nil, err
	}
	n, K, nf := data.NumRows(), m.treesPerIter, len(m.features)
	out := newOutputs(n)
	defer out.release()
	raw := make([][]float64, K)
	for k := range raw {
		raw[k] = out.column()
	}
	var contrib [][]float64 // per class: one column per feature, then the bias
	if opts.Contributions {
		contrib = make([][]float64, K*(nf+1))
		for i := range contrib {
			contrib[i] = out.column()
		}
	}
	var bias []float64
	if opts.Contributions {
		if slices.Contains(m.features, "bias") {
			return nil, engine.Errorf(engine.KindValue, "feature \"bias\" would give a contribution column named like the bias column (contribution_bias); rename the feature to explain this model")
		}
		bias = slices.Clone(m.initScore)
		for ti, t := range m.trees {
			bias[ti%K] += t.expectation()
		}
	}
	const block = 256
	err = engine.ForChunks(ctx, opts.Threads, n, func(_, lo, hi int) {
		x := make([]float64, block*nf)
		colBuf := make([]float64, block)
		var phi []float64
		var scratch *shapScratch
		if contrib != nil {
			phi = make([]float64, K*(nf+1))
			scratch = newShapScratch(64)
		}
		for a := lo; a < hi; a += block {
			b := min(hi, a+block)
			nb := b - a
			for j := range cols {
				cols[j].values(a, colBuf[:nb])
				for i, v := range colBuf[:nb] {
					x[i*nf+j] = v
				}
			}
			for k := range K {
				fill(raw[k][a:b], m.initScore[k])
			}
			for ti, t := range m.trees {
				out := raw[ti%K][a:b]
				for i := range out {
					out[i] += t.Predict(x[i*nf : (i+1)*nf])
				}
			}
			if contrib == nil {
				continue
			}
			for i := range nb {
				clear(phi)
				for ti, t := range m.trees {
					k := ti % K
					t.contributions(x[i*nf:(i+1)*nf], phi[k*(nf+1):(k+1)*(nf+1)], scratch)
				}
				// The bias is the same for every row; set it from the
				// trees' expectations rather than each row's traversal, whose
				// order varies the last bits.
				for k := range K {
					phi[k*(nf+1)+nf] = bias[k]
				}
				for c, v := range phi {
					contrib[c][a+i] = v
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if m.classes == nil {
		pred := out.column()
		for i, v := range raw[0] {
			if m.objective == objPoisson {
				v = math.Exp(v)
			}
			pred[i] = v
		}
		out.emit("prediction", pred)
	} else {
		probs := make([][]float64, m.classes.Len())
		for k := range probs {
			probs[k] = out.column()
		}
		codes := make([]int32, n)
		err := engine.ForChunks(ctx, opts.Threads, n, func(_, lo, hi int) {
			engine.Probabilities(engine.Rows(raw, lo, hi), engine.Rows(probs, lo, hi), codes[lo:hi])
		})
		if err != nil {
			return nil, err
		}
		out.emitArray("prediction", m.classes.Column(codes, engine.Allocator))
		for k, name := range m.classes.ProbabilityNames() {
			out.emit(name, probs[k])
		}
	}
	suffixes := m.scoreSuffixes()
	if opts.RawScore {
		for k, sfx := range suffixes {
			out.emit("raw_score"+sfx, raw[k])
		}
	}
	for k, sfx := range suffixes {
		if contrib == nil {
			break
		}
		for j, f := range m.features {
			out.emit("contribution_"+f+sfx, contrib[k*(nf+1)+j])
		}
		out.emit("contribution_bias"+sfx, contrib[k*(nf+1)+nf])
	}
	return out.frame()
}

// outputs collects output columns built on engine.Allocator; columns never
// emitted are released with it.
type outputs struct {
	n      int
	bufs   []*memory.Buffer
	vals   [][]float64
	names  []string
	arrays []arrow.Array
}

func newOutputs(n int) *outputs { return &outputs{n: n} }

// column allocates a float64 column of n values.
func (o *outputs) column() []float64 {
	b, v := engine.NewFloat64Buffer(engine.Allocator, o.n)
	o.bufs = append(o.bufs, b)
	o.vals = append(o.vals, v)
	return v
}

// emit adds a column made by column to the result; a nil column is
// skipped.
func (o *outputs) emit(name string, v []float64) {
	if v == nil && o.n > 0 {
		return
	}
	for i, w := range o.vals {
		if o.bufs[i] != nil && (o.n == 0 || &w[0] == &v[0]) {
			o.names = append(o.names, name)
			o.arrays = append(o.arrays, engine.FinishFloat64(o.bufs[i], o.n))
			o.bufs[i] = nil
			return
		}
	}
}

func (o *outputs) emitArray(name string, a arrow.Array) {
	o.names = append(o.names, name)
	o.arrays = append(o.arrays, a)
}

// frame returns the emitted columns as a frame, which takes them over.
func (o *outputs) frame() (*engine.Frame, error) {
	f, err := engine.NewFrame(o.names, o.arrays)
	if err != nil {
		return nil, err // release frees the arrays
	}
	o.arrays = nil
	return f, nil
}

func (o *outputs) release() {
	for _, b := range o.bufs {
		if b != nil {
			b.Release()
		}
	}
	for _, a := range o.arrays {
		a.Release()
	}
}
