package preprocess

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

func init() {
	estimators.Register(StandardScaler{})
	estimators.Register(MinMaxScaler{})
	estimators.Register(Imputer{})
	estimators.Register(OneHot{})
	estimators.Register(OrdinalEncoder{})
	estimators.Register(TargetEncoder{})
	estimators.Register(RegexFeatures{})
	estimators.Register(HashedTokens{})
	estimators.Register(LogTransform{})
	estimators.Register(Clip{})
	estimators.Register(Bucketize{})
	estimators.Register(SelectColumns{})
	estimators.Register(DropColumns{})
	estimators.Register(RenameColumns{})
}

// eps is the float64 machine epsilon.
const eps = 0x1p-52

// colStats are the statistics of a numeric column's observed values.
type colStats struct {
	count         int     // values that are not missing
	mean, var_    float64 // population variance
	lo, hi        float64 // minimum and maximum
	nulls, nans   int
	infs          int
	sumOverflowed bool
}

// numericStats computes the statistics of numeric columns, one task per
// column. The variance is the two-pass estimate with scikit-learn's
// correction term: (Σd² - (Σd)²/n) / n with d = x - mean, and the mean is
// corrected by Σd/n.
func numericStats(ctx context.Context, d *fitData) ([]colStats, error) {
	out := make([]colStats, len(d.cols))
	errs := make([]error, len(d.cols))
	err := engine.ForTasks(ctx, d.threads, len(d.cols), func(j int) {
		x, err := engine.Float64s(d.names[j], d.cols[j])
		if err != nil {
			errs[j] = err
			return
		}
		st := &out[j]
		st.lo, st.hi = math.Inf(1), math.Inf(-1)
		var sum float64
		for _, v := range x {
			switch {
			case v != v:
				continue
			case math.IsInf(v, 0):
				st.infs++
				continue
			}
			st.count++
			sum += v
			st.lo = min(st.lo, v)
			st.hi = max(st.hi, v)
		}
		st.nulls = d.cols[j].NullN()
		st.nans = len(x) - st.count - st.infs - st.nulls
		if st.count == 0 || st.infs > 0 {
			return
		}
		if math.IsInf(sum, 0) {
			st.sumOverflowed = true
			return
		}
		st.mean = sum / float64(st.count)
		var corr, ss float64
		for _, v := range x {
			if v == v {
				dv := v - st.mean
				corr += dv
				ss += dv * dv
			}
		}
		st.var_ = max(0, (ss-corr*corr/float64(st.count))/float64(st.count))
		// The deviations' sum is the rounding error of the first pass's
		// mean: adding it back gives a mean accurate to about one ulp.
		st.mean += corr / float64(st.count)
		if math.IsInf(ss, 0) {
			st.sumOverflowed = true
		}
	})
	if err != nil {
		return nil, err
	}
	for j, e := range errs {
		if e != nil {
			return nil, e
		}
		st := out[j]
		switch {
		case st.infs > 0:
			return nil, engine.Errorf(engine.KindValue, "%s: column %q has %d infinite values; replace them before fitting", d.learner, d.names[j], st.infs)
		case st.count == 0:
			return nil, engine.Errorf(engine.KindValue, "%s: column %q has no values, only missing ones (%d null, %d NaN); drop it or impute it with a constant first", d.learner, d.names[j], st.nulls, st.nans)
		case st.sumOverflowed:
			return nil, engine.Errorf(engine.KindValue, "%s: column %q has values so large that their sum overflows; rescale it", d.learner, d.names[j])
		}
	}
	return out, nil
}

// isConstant reports whether a column whose variance is v and mean mu over
// n values cannot be told apart from a constant, with scikit-learn's bound
// on the rounding error of the variance.
func isConstant(v, mu float64, n int) bool {
	nf := float64(n)
	return v <= nf*eps*v+(nf*mu*eps)*(nf*mu*eps)
}

// StandardScaler is the standard_scaler learner: (x - mean) / std per
// numeric column, with the population standard deviation (ddof=0), as
// scikit-learn's StandardScaler. Missing values (null or NaN) are left out
// of the statistics and stay NaN; a column whose variance cannot be told
// apart from zero is scaled by 1. Infinite values are refused in training.
type StandardScaler struct{}

// Name returns "standard_scaler".
func (StandardScaler) Name() string { return StandardScalerName }

// Space returns StandardScalerSpace().
func (StandardScaler) Space() hyperspace.Space { return StandardScalerSpace() }

// Fit computes the mean and standard deviation of each column.
func (StandardScaler) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(StandardScalerName, StandardScalerSpace(), data, spec, params, numericSelection)
	if err != nil {
		return nil, nil, err
	}
	stats, err := numericStats(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &StandardScalerModel{
		base:  base{learner: StandardScalerName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		count: make([]int64, p), mean: make([]float64, p), variance: make([]float64, p), scale: make([]float64, p),
	}
	for j, st := range stats {
		m.inputs[j] = d.input(j, nil)
		m.count[j], m.mean[j], m.variance[j] = int64(st.count), st.mean, st.var_
		m.scale[j] = 1
		if d.vals.Bool("with_std") && !isConstant(st.var_, st.mean, st.count) {
			m.scale[j] = math.Sqrt(st.var_)
		}
	}
	if err := checkOutputs(StandardScalerName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	return m, d.log(m.Outputs()), nil
}

// Decode rebuilds a standard_scaler model from its file form.
func (StandardScaler) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(StandardScalerName, &model, &err)
	b, r, err := decodeBase(StandardScalerName, StandardScalerSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &StandardScalerModel{base: *b, count: r.ints("count"), mean: r.floats("mean"), variance: r.floats("var"), scale: r.floats("scale")}
	if r.err != nil {
		return nil, r.err
	}
	withStd := b.params.Bool("with_std")
	for j, in := range b.inputs {
		switch {
		case b.kinds[j] != kindNumber:
			return nil, corrupt(StandardScalerName, "input %q is not numeric", in.Name)
		case m.count[j] < 1:
			return nil, corrupt(StandardScalerName, "input %q has %d training values", in.Name, m.count[j])
		case !finite(m.mean[j], m.variance[j], m.scale[j]) || m.variance[j] < 0 || m.scale[j] <= 0:
			return nil, corrupt(StandardScalerName, "input %q has mean %v, variance %v and scale %v", in.Name, m.mean[j], m.variance[j], m.scale[j])
		case !withStd && m.scale[j] != 1:
			return nil, corrupt(StandardScalerName, "input %q has scale %v without with_std", in.Name, m.scale[j])
		}
	}
	if err := checkOutputsMatch(StandardScalerName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// StandardScalerModel is a fitted standard_scaler: output j is
// (x_j - Mean()[j]) / Scale()[j], without the mean if with_mean is false.
type StandardScalerModel struct {
	base
	count    []int64
	mean     []float64
	variance []float64
	scale    []float64
}

// Mean returns each column's mean over its observed training values.
func (m *StandardScalerModel) Mean() []float64 { return cloneFloats(m.mean) }

// Var returns each column's population variance.
func (m *StandardScalerModel) Var() []float64 { return cloneFloats(m.variance) }

// Scale returns what each column is divided by: its standard deviation, or
// 1 for a constant column or without with_std.
func (m *StandardScalerModel) Scale() []float64 { return cloneFloats(m.scale) }

// Outputs returns one float64 column per input, of the same name.
func (m *StandardScalerModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *StandardScalerModel) Replaces() []string { return m.features() }

// Apply scales every input column; missing values give NaN.
func (m *StandardScalerModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	center := make([]float64, len(m.mean))
	if m.params.Bool("with_mean") {
		copy(center, m.mean)
	}
	return applyNumeric(ctx, &m.base, data, threads, func(j int, x []float64) {
		c, s := center[j], m.scale[j]
		for i, v := range x {
			x[i] = (v - c) / s
		}
	})
}

// Encode returns the model file: a "columns" table with the name, kind,
// count of training values, mean, variance and scale of every input.
func (m *StandardScalerModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.ints("count", m.count)
	w.floats("mean", m.mean)
	w.floats("var", m.variance)
	w.floats("scale", m.scale)
	return w.file(&m.base, StandardScalerSpace(), m.Outputs())
}

// Summary returns the features and their means, variances, scales and
// counts of observed training values.
func (m *StandardScalerModel) Summary() map[string]any {
	return map[string]any{
		"features": m.features(), "mean": m.Mean(), "var": m.Var(), "scale": m.Scale(),
		"n_samples_seen": append([]int64(nil), m.count...), "n_rows": m.nRows,
	}
}

// String describes the model.
func (m *StandardScalerModel) String() string {
	return fmt.Sprintf("%s(%d columns)", m.learner, len(m.inputs))
}

// MinMaxScaler is the min_max_scaler learner: it maps each numeric
// column's training range [min, max] onto [feature_range_low,
// feature_range_high] as scikit-learn's MinMaxScaler does, x·scale + shift
// with scale = (high - low) / (max - min) (a range below 10·eps counts as 1)
// and shift = low - min·scale, then clips to the range if clip is set.
// Missing values (null or NaN) are left out of the minimum and maximum and
// stay NaN. Infinite values are refused in training.
type MinMaxScaler struct{}

// Name returns "min_max_scaler".
func (MinMaxScaler) Name() string { return MinMaxScalerName }

// Space returns MinMaxScalerSpace().
func (MinMaxScaler) Space() hyperspace.Space { return MinMaxScalerSpace() }

// Fit computes the minimum and maximum of each column.
func (MinMaxScaler) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(MinMaxScalerName, MinMaxScalerSpace(), data, spec, params, numericSelection)
	if err != nil {
		return nil, nil, err
	}
	if err := checkRange(d.vals); err != nil {
		return nil, nil, err
	}
	stats, err := numericStats(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &MinMaxScalerModel{
		base:  base{learner: MinMaxScalerName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		count: make([]int64, p), dataMin: make([]float64, p), dataMax: make([]float64, p),
	}
	for j, st := range stats {
		if math.IsInf(st.hi-st.lo, 0) {
			return nil, nil, engine.Errorf(engine.KindValue, "%s: column %q spans [%g, %g], a range wider than float64 holds; rescale it", MinMaxScalerName, d.names[j], st.lo, st.hi)
		}
		m.inputs[j] = d.input(j, nil)
		m.count[j], m.dataMin[j], m.dataMax[j] = int64(st.count), st.lo, st.hi
	}
	m.derive()
	if err := checkOutputs(MinMaxScalerName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	return m, d.log(m.Outputs()), nil
}

// checkRange refuses a feature range whose low end is not below its high
// end.
func checkRange(vals hyperspace.Values) error {
	if lo, hi := vals.Float("feature_range_low"), vals.Float("feature_range_high"); lo >= hi {
		return engine.Errorf(engine.KindValue, "%s: hyperparameter \"feature_range_low\" (%v) must be below \"feature_range_high\" (%v)", MinMaxScalerName, lo, hi)
	}
	return nil
}

// Decode rebuilds a min_max_scaler model from its file form.
func (MinMaxScaler) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(MinMaxScalerName, &model, &err)
	b, r, err := decodeBase(MinMaxScalerName, MinMaxScalerSpace(), file)
	if err != nil {
		return nil, err
	}
	if err := checkRange(b.params); err != nil {
		return nil, corrupt(MinMaxScalerName, "%v", err)
	}
	m := &MinMaxScalerModel{base: *b, count: r.ints("count"), dataMin: r.floats("data_min"), dataMax: r.floats("data_max")}
	if r.err != nil {
		return nil, r.err
	}
	for j, in := range b.inputs {
		switch {
		case b.kinds[j] != kindNumber:
			return nil, corrupt(MinMaxScalerName, "input %q is not numeric", in.Name)
		case m.count[j] < 1:
			return nil, corrupt(MinMaxScalerName, "input %q has %d training values", in.Name, m.count[j])
		case !finite(m.dataMin[j], m.dataMax[j], m.dataMax[j]-m.dataMin[j]) || m.dataMin[j] > m.dataMax[j]:
			return nil, corrupt(MinMaxScalerName, "input %q has range [%v, %v]", in.Name, m.dataMin[j], m.dataMax[j])
		}
	}
	m.derive()
	if err := checkOutputsMatch(MinMaxScalerName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// MinMaxScalerModel is a fitted min_max_scaler: output j is
// x_j·Scale()[j] + Min()[j], clipped to the feature range with clip.
type MinMaxScalerModel struct {
	base
	count            []int64
	dataMin, dataMax []float64
	scale, shift     []float64 // derived from the above and the range
}

// derive computes the scales and shifts from the training ranges.
func (m *MinMaxScalerModel) derive() {
	lo, hi := m.params.Float("feature_range_low"), m.params.Float("feature_range_high")
	m.scale = make([]float64, len(m.dataMin))
	m.shift = make([]float64, len(m.dataMin))
	for j := range m.scale {
		r := m.dataMax[j] - m.dataMin[j]
		if r < 10*eps {
			r = 1
		}
		m.scale[j] = (hi - lo) / r
		m.shift[j] = lo - m.dataMin[j]*m.scale[j]
	}
}

// DataMin returns each column's training minimum.
func (m *MinMaxScalerModel) DataMin() []float64 { return cloneFloats(m.dataMin) }

// DataMax returns each column's training maximum.
func (m *MinMaxScalerModel) DataMax() []float64 { return cloneFloats(m.dataMax) }

// Scale returns each column's factor.
func (m *MinMaxScalerModel) Scale() []float64 { return cloneFloats(m.scale) }

// Min returns each column's shift, added after scaling (scikit-learn's
// min_).
func (m *MinMaxScalerModel) Min() []float64 { return cloneFloats(m.shift) }

// Outputs returns one float64 column per input, of the same name.
func (m *MinMaxScalerModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *MinMaxScalerModel) Replaces() []string { return m.features() }

// Apply scales every input column; missing values give NaN.
func (m *MinMaxScalerModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	lo, hi := m.params.Float("feature_range_low"), m.params.Float("feature_range_high")
	clip := m.params.Bool("clip")
	return applyNumeric(ctx, &m.base, data, threads, func(j int, x []float64) {
		s, t := m.scale[j], m.shift[j]
		for i, v := range x {
			x[i] = v*s + t
		}
		if clip {
			for i, v := range x {
				if v < lo {
					x[i] = lo
				} else if v > hi {
					x[i] = hi
				}
			}
		}
	})
}

// Encode returns the model file: a "columns" table with the name, kind,
// count of training values, minimum and maximum of every input.
func (m *MinMaxScalerModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.ints("count", m.count)
	w.floats("data_min", m.dataMin)
	w.floats("data_max", m.dataMax)
	return w.file(&m.base, MinMaxScalerSpace(), m.Outputs())
}

// Summary returns the features, their training minima and maxima, and the
// scales and shifts applied.
func (m *MinMaxScalerModel) Summary() map[string]any {
	return map[string]any{
		"features": m.features(), "data_min": m.DataMin(), "data_max": m.DataMax(),
		"scale": m.Scale(), "min": m.Min(), "n_samples_seen": append([]int64(nil), m.count...), "n_rows": m.nRows,
	}
}

// String describes the model.
func (m *MinMaxScalerModel) String() string {
	return fmt.Sprintf("%s(%d columns)", m.learner, len(m.inputs))
}

// applyNumeric reads every numeric input into a float64 output column of
// its name, block by block, and transforms the block in place with f.
func applyNumeric(ctx context.Context, m *base, data *engine.Frame, threads int, f func(j int, x []float64)) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	outs := newFloatOuts(len(cols), n)
	err = forColumnChunks(ctx, threads, len(cols), n, func(j, lo, hi int) {
		x := outs.vals[j][lo:hi]
		readNumbers(cols[j], lo, x)
		f(j, x)
	})
	if err != nil {
		outs.release()
		return nil, err
	}
	return newFrame(m.features(), outs.arrays())
}

// sameNameFloats returns a float64 field of the name of every input.
func sameNameFloats(inputs []engine.Field) []engine.Field {
	out := make([]engine.Field, len(inputs))
	for j, in := range inputs {
		out[j] = engine.Field{Name: in.Name, Type: arrow.PrimitiveTypes.Float64.String()}
	}
	return out
}

func cloneFloats(v []float64) []float64 { return append([]float64(nil), v...) }

// recoverCorrupt turns a panic while decoding into a KindFormat error.
func recoverCorrupt(learner string, model *estimators.Model, err *error) {
	if r := recover(); r != nil {
		*model, *err = nil, corrupt(learner, "%v", r)
	}
}
