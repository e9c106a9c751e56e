package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// observed returns the values of a numeric column that are not missing,
// sorted if asked, refusing infinite values and a column with none.
func observed(d *fitData, j int, sorted bool) ([]float64, error) {
	x, err := engine.Float64s(d.names[j], d.cols[j])
	if err != nil {
		return nil, err
	}
	obs := make([]float64, 0, len(x))
	infs := 0
	for _, v := range x {
		switch {
		case v != v:
		case math.IsInf(v, 0):
			infs++
		default:
			obs = append(obs, v)
		}
	}
	switch {
	case infs > 0:
		return nil, engine.Errorf(engine.KindValue, "%s: column %q has %d infinite values; replace them before fitting", d.learner, d.names[j], infs)
	case len(obs) == 0:
		return nil, engine.Errorf(engine.KindValue, "%s: column %q has no values, only missing ones; drop it or impute it first", d.learner, d.names[j])
	}
	if sorted {
		slices.Sort(obs)
	}
	return obs, nil
}

// quantile returns the q-quantile of sorted, non-empty values with linear
// interpolation, computed as numpy's quantile(method="linear") computes it,
// so that the results agree to the last bit.
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	vi := float64(n-1) * q
	switch {
	case vi >= float64(n-1):
		return sorted[n-1]
	case vi < 0:
		return sorted[0]
	}
	prev := math.Floor(vi)
	i := int(prev)
	return lerp(sorted[i], sorted[i+1], vi-prev)
}

// lerp is numpy's _lerp: a + (b-a)·t, computed from b when t >= 0.5.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// linspace returns num evenly spaced values from start to stop, as numpy's
// linspace computes them: start + i·step, and stop exactly last.
func linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	div := float64(num - 1)
	step := (stop - start) / div
	for i := range out {
		if step == 0 {
			out[i] = float64(i)/div*(stop-start) + start
		} else {
			out[i] = float64(i)*step + start
		}
	}
	out[num-1] = stop
	return out
}

// applyNumericChecked is applyNumeric with a transform that may refuse a
// value: f returns an error for the first value of its block it cannot
// transform, and Apply returns the error of the first such block in column
// and row order.
func applyNumericChecked(ctx context.Context, m *base, data *engine.Frame, threads int, f func(j int, x []float64) error) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	nc := engine.NumChunks(n)
	outs := newFloatOuts(len(cols), n)
	errs := make([]error, len(cols)*nc)
	err = forColumnChunks(ctx, threads, len(cols), n, func(j, lo, hi int) {
		x := outs.vals[j][lo:hi]
		readNumbers(cols[j], lo, x)
		errs[j*nc+lo/engine.ChunkRows] = f(j, x)
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		outs.release()
		return nil, err
	}
	return newFrame(m.features(), outs.arrays())
}

// numericInputs checks that every input of a decoded numeric step is
// numeric.
func numericInputs(learner string, b *base) error {
	for j, in := range b.inputs {
		if b.kinds[j] != kindNumber {
			return corrupt(learner, "input %q is not numeric", in.Name)
		}
	}
	return nil
}

// LogTransform is the log_transform learner: it replaces each numeric
// column by log1p(x + offset) or log(x + offset), as numpy's log1p and log.
// Values must be non-negative for log1p and positive for log once offset is
// added: a value that is not is an error, in training and at predict time,
// naming the column, the value and the offset that would do. Missing values
// stay NaN, and +Inf gives +Inf. Nothing is learnt beyond the columns and
// their smallest training values, which the summary reports.
type LogTransform struct{}

// Name returns "log_transform".
func (LogTransform) Name() string { return LogTransformName }

// Space returns LogTransformSpace().
func (LogTransform) Space() hyperspace.Space { return LogTransformSpace() }

// Fit checks that every training value is in the logarithm's domain.
func (LogTransform) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(LogTransformName, LogTransformSpace(), data, spec, params, numericSelection)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &LogTransformModel{
		base:    base{learner: LogTransformName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		dataMin: make([]float64, p),
	}
	errs := make([]error, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		x, err := engine.Float64s(d.names[j], d.cols[j])
		if err != nil {
			errs[j] = err
			return
		}
		lo, seen := math.Inf(1), false
		for _, v := range x {
			if v == v {
				lo, seen = min(lo, v), true
			}
		}
		if !seen {
			errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has no values, only missing ones; drop it or impute it first", LogTransformName, d.names[j])
			return
		}
		m.dataMin[j] = lo
		errs[j] = m.checkDomain(d.names[j], lo)
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		return nil, nil, err
	}
	for j := range p {
		m.inputs[j] = d.input(j, nil)
	}
	if err := checkOutputs(LogTransformName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["data_min"] = cloneFloats(m.dataMin)
	return m, log, nil
}

// Decode rebuilds a log_transform model from its file form.
func (LogTransform) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(LogTransformName, &model, &err)
	b, r, err := decodeBase(LogTransformName, LogTransformSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &LogTransformModel{base: *b, dataMin: r.floats("data_min")}
	if r.err != nil {
		return nil, r.err
	}
	if err := numericInputs(LogTransformName, b); err != nil {
		return nil, err
	}
	for j, in := range b.inputs {
		if math.IsNaN(m.dataMin[j]) || math.IsInf(m.dataMin[j], 1) {
			return nil, corrupt(LogTransformName, "input %q has minimum %v", in.Name, m.dataMin[j])
		}
		if err := m.checkDomain(in.Name, m.dataMin[j]); err != nil {
			return nil, corrupt(LogTransformName, "%v", err)
		}
	}
	if err := checkOutputsMatch(LogTransformName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// LogTransformModel is a fitted log_transform.
type LogTransformModel struct {
	base
	dataMin []float64 // per column, the smallest training value
}

// inDomain reports whether v, once the offset is added, is in the
// logarithm's domain (missing values are).
func (m *LogTransformModel) inDomain(v float64) bool {
	s := v + m.params.Float("offset")
	if m.params.String("function") == logLog {
		return s > 0 || v != v
	}
	return s >= 0 || v != v
}

// checkDomain refuses a value v of column name outside the logarithm's
// domain, naming the offset that would do.
func (m *LogTransformModel) checkDomain(name string, v float64) error {
	if m.inDomain(v) {
		return nil
	}
	offset, fn := m.params.Float("offset"), m.params.String("function")
	what, need, fix := "negative", ">= 0", fmt.Sprintf("to at least %v", 0-v)
	if fn == logLog {
		what, need, fix = "negative or zero", "> 0", fmt.Sprintf("above %v (such as %v)", 0-v, 1-v)
	}
	return engine.Errorf(engine.KindValue, "%s: column %q has the value %v, which is %s once the offset %v is added; %s(x + offset) needs x + offset %s: set hyperparameter \"offset\" %s, or clip the column first",
		LogTransformName, name, v, what, offset, fn, need, fix)
}

// DataMin returns each column's smallest training value.
func (m *LogTransformModel) DataMin() []float64 { return cloneFloats(m.dataMin) }

// Outputs returns one float64 column per input, of the same name.
func (m *LogTransformModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *LogTransformModel) Replaces() []string { return m.features() }

// Apply takes the logarithm of every input column. It fails with a
// KindValue error for a value outside the logarithm's domain.
func (m *LogTransformModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	offset := m.params.Float("offset")
	log := m.params.String("function") == logLog
	lowest := 0.0 // the smallest value of x + offset in the domain
	if log {
		lowest = math.SmallestNonzeroFloat64
	}
	return applyNumericChecked(ctx, &m.base, data, threads, func(j int, x []float64) error {
		for i, v := range x {
			s := v + offset
			if s < lowest { // NaN never is
				return m.checkDomain(m.inputs[j].Name, v)
			}
			if log {
				x[i] = math.Log(s)
			} else {
				x[i] = math.Log1p(s)
			}
		}
		return nil
	})
}

// Encode returns the model file: a "columns" table with the name, kind and
// smallest training value (data_min) of every input.
func (m *LogTransformModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.floats("data_min", m.dataMin)
	return w.file(&m.base, LogTransformSpace(), m.Outputs())
}

// Summary returns the features, the function, the offset and each
// column's smallest training value.
func (m *LogTransformModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "function": m.params.String("function"),
		"offset": m.params.Float("offset"), "data_min": jsonFloats(m.dataMin), "n_rows": m.nRows}
}

// String describes the model.
func (m *LogTransformModel) String() string {
	return fmt.Sprintf("%s(%s, %d columns)", m.learner, m.params.String("function"), len(m.inputs))
}

// jsonFloats returns v with nil for NaN and infinities, which JSON cannot
// hold.
func jsonFloats(v []float64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = estimators.JSONFloat(x)
	}
	return out
}

// Clip is the clip learner: it clips each numeric column to [low, high],
// as numpy's clip. With bounds='quantile' (the default) the bounds are the
// quantile_low and quantile_high quantiles of the column's observed
// training values, with linear interpolation as numpy's quantile (so the
// defaults, 0 and 1, clip to the training range); with bounds='value' they
// are low and high, where -1e12 and 1e12 (the defaults) mean no bound.
// Missing values stay NaN; with bounds='quantile' infinite training values
// are refused.
type Clip struct{}

// Name returns "clip".
func (Clip) Name() string { return ClipName }

// Space returns ClipSpace().
func (Clip) Space() hyperspace.Space { return ClipSpace() }

// checkBounds refuses a lower bound above the upper one.
func checkBounds(vals hyperspace.Values) error {
	lo, hi, what := vals.Float("quantile_low"), vals.Float("quantile_high"), "quantile_"
	if vals.String("bounds") == boundsValue {
		lo, hi, what = vals.Float("low"), vals.Float("high"), ""
	}
	if lo > hi {
		return engine.Errorf(engine.KindValue, "%s: hyperparameter \"%slow\" (%v) is above \"%shigh\" (%v)", ClipName, what, lo, what, hi)
	}
	return nil
}

// valueBounds returns clip's bounds with bounds='value', the defaults
// standing for none.
func valueBounds(vals hyperspace.Values) (float64, float64) {
	lo, hi := vals.Float("low"), vals.Float("high")
	if lo == -valueBound {
		lo = math.Inf(-1)
	}
	if hi == valueBound {
		hi = math.Inf(1)
	}
	return lo, hi
}

// Fit finds each column's bounds.
func (Clip) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(ClipName, ClipSpace(), data, spec, params, numericSelection)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBounds(d.vals); err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &ClipModel{
		base: base{learner: ClipName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		low:  make([]float64, p), high: make([]float64, p),
	}
	byValue := d.vals.String("bounds") == boundsValue
	errs := make([]error, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		if byValue {
			m.low[j], m.high[j] = valueBounds(d.vals)
			return
		}
		obs, err := observed(d, j, true)
		if err != nil {
			errs[j] = err
			return
		}
		m.low[j], m.high[j] = quantile(obs, d.vals.Float("quantile_low")), quantile(obs, d.vals.Float("quantile_high"))
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		return nil, nil, err
	}
	for j := range p {
		m.inputs[j] = d.input(j, nil)
	}
	if err := checkOutputs(ClipName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["low"], log["high"] = jsonFloats(m.low), jsonFloats(m.high)
	return m, log, nil
}

// Decode rebuilds a clip model from its file form.
func (Clip) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(ClipName, &model, &err)
	b, r, err := decodeBase(ClipName, ClipSpace(), file)
	if err != nil {
		return nil, err
	}
	if err := checkBounds(b.params); err != nil {
		return nil, corrupt(ClipName, "%v", err)
	}
	m := &ClipModel{base: *b, low: r.floats("low"), high: r.floats("high")}
	if r.err != nil {
		return nil, r.err
	}
	if err := numericInputs(ClipName, b); err != nil {
		return nil, err
	}
	byValue := b.params.String("bounds") == boundsValue
	lo, hi := valueBounds(b.params)
	for j, in := range b.inputs {
		switch {
		case byValue && (m.low[j] != lo || m.high[j] != hi):
			return nil, corrupt(ClipName, "input %q has bounds [%v, %v], not the hyperparameters' [%v, %v]", in.Name, m.low[j], m.high[j], lo, hi)
		case !byValue && (!finite(m.low[j], m.high[j]) || m.low[j] > m.high[j]):
			return nil, corrupt(ClipName, "input %q has bounds [%v, %v]", in.Name, m.low[j], m.high[j])
		}
	}
	if err := checkOutputsMatch(ClipName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// ClipModel is a fitted clip.
type ClipModel struct {
	base
	low, high []float64 // per column; ±Inf for no bound
}

// Low returns each column's lower bound (-Inf for none).
func (m *ClipModel) Low() []float64 { return cloneFloats(m.low) }

// High returns each column's upper bound (+Inf for none).
func (m *ClipModel) High() []float64 { return cloneFloats(m.high) }

// Outputs returns one float64 column per input, of the same name.
func (m *ClipModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *ClipModel) Replaces() []string { return m.features() }

// Apply clips every input column; missing values give NaN.
func (m *ClipModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	return applyNumeric(ctx, &m.base, data, threads, func(j int, x []float64) {
		lo, hi := m.low[j], m.high[j]
		for i, v := range x {
			if v < lo {
				x[i] = lo
			} else if v > hi {
				x[i] = hi
			}
		}
	})
}

// Encode returns the model file: a "columns" table with the name, kind and
// bounds (low, high; ±Inf for none) of every input.
func (m *ClipModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.floats("low", m.low)
	w.floats("high", m.high)
	return w.file(&m.base, ClipSpace(), m.Outputs())
}

// Summary returns the features and their bounds (null for none).
func (m *ClipModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "low": jsonFloats(m.low), "high": jsonFloats(m.high), "n_rows": m.nRows}
}

// String describes the model.
func (m *ClipModel) String() string {
	return fmt.Sprintf("%s(%d columns)", m.learner, len(m.inputs))
}

// Bucketize is the bucketize learner: it replaces each numeric column by
// the index (0 to k-1, as a float64) of the bucket each value falls in,
// among k buckets whose edges it learns from the column's observed training
// values, as scikit-learn's KBinsDiscretizer(encode='ordinal'):
//
//   - strategy='quantile': the edges are the quantiles at
//     linspace(0, 100, n_buckets+1) percent, with linear interpolation (as
//     KBinsDiscretizer's quantile_method='linear'; its default,
//     'averaged_inverted_cdf', differs), and an edge within 1e-8 of the one
//     before is dropped, so a column may get fewer buckets;
//   - strategy='uniform': the edges are linspace(min, max, n_buckets+1).
//
// A value's bucket is the number of inner edges at or below it
// (numpy.searchsorted(edges[1:-1], x, side='right')), so values beyond the
// training range fall in the first or last bucket. A constant column gets
// one bucket, 0 (its edges are recorded as [v, v] where scikit-learn
// records [-inf, inf]). Missing values are left out of the edges and stay
// NaN; infinite training values are refused. Unlike KBinsDiscretizer, every
// row is used (it subsamples beyond 200000 rows for quantiles).
type Bucketize struct{}

// Name returns "bucketize".
func (Bucketize) Name() string { return BucketizeName }

// Space returns BucketizeSpace().
func (Bucketize) Space() hyperspace.Space { return BucketizeSpace() }

// bucketEdges computes the edges of one column's buckets.
func bucketEdges(obs []float64, n int, strategy string) []float64 {
	lo, hi := obs[0], obs[len(obs)-1] // obs is sorted
	if lo == hi {
		return []float64{lo, hi}
	}
	if strategy == strategyUniform {
		return linspace(lo, hi, n+1)
	}
	levels := linspace(0, 100, n+1)
	edges := make([]float64, n+1)
	for i, p := range levels {
		edges[i] = quantile(obs, p/100)
	}
	// scikit-learn's rule: keep an edge if it is more than 1e-8 above the
	// edge before it (kept or not); always keep the first.
	kept := []float64{edges[0]}
	for i := 1; i < len(edges); i++ {
		if edges[i]-edges[i-1] > 1e-8 {
			kept = append(kept, edges[i])
		}
	}
	if len(kept) < 2 {
		// A range within 1e-8: scikit-learn keeps the one edge and puts
		// every value in bucket 0, as one bucket does.
		return []float64{lo, hi}
	}
	return kept
}

// Fit computes each column's bucket edges.
func (Bucketize) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(BucketizeName, BucketizeSpace(), data, spec, params, numericSelection)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &BucketizeModel{
		base:  base{learner: BucketizeName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		edges: make([][]float64, p),
	}
	errs := make([]error, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		obs, err := observed(d, j, true)
		if err != nil {
			errs[j] = err
			return
		}
		if math.IsInf(obs[len(obs)-1]-obs[0], 0) {
			errs[j] = engine.Errorf(engine.KindValue, "%s: column %q spans [%g, %g], a range wider than float64 holds; rescale it", BucketizeName, d.names[j], obs[0], obs[len(obs)-1])
			return
		}
		m.edges[j] = bucketEdges(obs, d.vals.Int("n_buckets"), d.vals.String("strategy"))
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		return nil, nil, err
	}
	for j := range p {
		m.inputs[j] = d.input(j, nil)
	}
	if err := checkOutputs(BucketizeName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["n_buckets"] = m.NBuckets()
	return m, log, nil
}

// Decode rebuilds a bucketize model from its file form.
func (Bucketize) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(BucketizeName, &model, &err)
	b, r, err := decodeBase(BucketizeName, BucketizeSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &BucketizeModel{base: *b, edges: r.floatLists("edges")}
	if r.err != nil {
		return nil, r.err
	}
	if err := numericInputs(BucketizeName, b); err != nil {
		return nil, err
	}
	n := b.params.Int("n_buckets")
	for j, in := range b.inputs {
		e := m.edges[j]
		if len(e) < 2 || len(e) > n+1 || !finite(e...) || !slices.IsSorted(e) {
			return nil, corrupt(BucketizeName, "input %q has edges %v", in.Name, e)
		}
	}
	if err := checkOutputsMatch(BucketizeName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// BucketizeModel is a fitted bucketize.
type BucketizeModel struct {
	base
	edges [][]float64 // per column, sorted (two equal ones for a constant column)
}

// Edges returns each column's bucket edges.
func (m *BucketizeModel) Edges() [][]float64 { return cloneLists(m.edges) }

// NBuckets returns each column's number of buckets.
func (m *BucketizeModel) NBuckets() []int {
	out := make([]int, len(m.edges))
	for j, e := range m.edges {
		out[j] = len(e) - 1
	}
	return out
}

// Outputs returns one float64 column per input, of the same name.
func (m *BucketizeModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *BucketizeModel) Replaces() []string { return m.features() }

// Apply puts every value in its bucket; missing values give NaN.
func (m *BucketizeModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	return applyNumeric(ctx, &m.base, data, threads, func(j int, x []float64) {
		inner := m.edges[j][1 : len(m.edges[j])-1]
		for i, v := range x {
			if v != v {
				continue
			}
			// The number of inner edges at or below v.
			lo, hi := 0, len(inner)
			for lo < hi {
				if mid := int(uint(lo+hi) >> 1); inner[mid] <= v {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			x[i] = float64(lo)
		}
	})
}

// Encode returns the model file: a "columns" table with the name, kind and
// bucket edges (list<float64>) of every input.
func (m *BucketizeModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.floatLists("edges", m.edges)
	return w.file(&m.base, BucketizeSpace(), m.Outputs())
}

// Summary returns the features, their bucket edges ("bin_edges") and
// numbers of buckets ("n_bins").
func (m *BucketizeModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "bin_edges": m.Edges(), "n_bins": m.NBuckets(), "n_rows": m.nRows}
}

// String describes the model.
func (m *BucketizeModel) String() string {
	return fmt.Sprintf("%s(%s, %d columns)", m.learner, m.params.String("strategy"), len(m.inputs))
}
