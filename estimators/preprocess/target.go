package preprocess

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// The target types of target_encoder.
const (
	targetBinary     = "binary"
	targetContinuous = "continuous"
)

// OutOfFoldNote is the "out_of_fold" entry of target_encoder's log: how the
// training frame is encoded.
const OutOfFoldNote = "the model encodes with every training row; quiver.target_encoder scores the training frame out of fold, each row by a fit on the other n_folds-1 folds, so that no row's encoding has seen its own target"

// TargetEncoder is the target_encoder learner: it replaces each string,
// categorical or bool column by a float64 column of the same name holding,
// for each row's level, the m-estimate of the target's mean among the
// training rows of that level:
//
//	(sum of the level's targets + smooth·mean) / (the level's rows + smooth)
//
// where mean is the target's mean over every training row, as
// scikit-learn's TargetEncoder with a float smooth. Missing values are a
// level of their own; levels unseen in training (and missing values, if
// training had none) get the mean.
//
// The target is read as numbers: a numeric column as it is (so a 0/1
// column gives the probability of 1), a bool column as 0 and 1, and a
// string or categorical column of two levels as 1 for the second in sorted
// order and 0 for the first, as scikit-learn's LabelEncoder. A string
// target of more than two levels (multiclass) is refused, as are missing
// and infinite target values.
//
// The model encodes with every training row. Encoding the training frame
// with it would leak each row's own target into its encoding, so
// quiver.target_encoder (in Python) scores the training frame out of fold:
// it fits this learner on n_folds-1 folds at a time (folds dealt by
// quiver.KFold(n_folds, seed=seed)) and encodes the remaining fold with
// that fit. Fit itself uses neither n_folds nor seed; they are recorded
// with the model, and the log's "out_of_fold" entry says so.
type TargetEncoder struct{}

// Name returns "target_encoder".
func (TargetEncoder) Name() string { return TargetEncoderName }

// Space returns TargetEncoderSpace().
func (TargetEncoder) Space() hyperspace.Space { return TargetEncoderSpace() }

// readTarget reads the target column as float64 values and describes it.
func readTarget(name string, c arrow.Array) ([]float64, *targetState, error) {
	n := c.Len()
	t := c.DataType()
	st := &targetState{Name: name, Type: targetContinuous}
	var y []float64
	switch {
	case isBool(t):
		b := c.(*array.Boolean)
		if b.NullN() > 0 {
			return nil, nil, missingTarget(name, b.NullN(), n)
		}
		y = make([]float64, n)
		for i := range y {
			if b.Value(i) {
				y[i] = 1
			}
		}
		st.Type, st.Positive = targetBinary, levelTrue
	case engine.IsNumeric(t):
		var err error
		if y, err = engine.Float64s(name, c); err != nil {
			return nil, nil, err
		}
		nulls, nans, infs := engine.CountBad(c, y)
		if nulls+nans > 0 {
			return nil, nil, missingTarget(name, nulls+nans, n)
		}
		if infs > 0 {
			return nil, nil, engine.Errorf(engine.KindValue, "%s: target column %q has %d infinite values; a mean of them is not a number", TargetEncoderName, name, infs)
		}
		st.Type, st.Positive = targetBinary, "1"
		for _, v := range y {
			if v != 0 && v != 1 {
				st.Type, st.Positive = targetContinuous, ""
				break
			}
		}
	case engine.IsCategorical(t):
		cats, err := engine.ReadCategories(name, c)
		if err != nil {
			return nil, nil, err
		}
		if nulls := c.NullN(); nulls > 0 {
			return nil, nil, missingTarget(name, nulls, n)
		}
		switch k := len(cats.Values); {
		case k > 2:
			shown := cats.Values[:min(k, 5)]
			more := ""
			if k > 5 {
				more = ", ..."
			}
			return nil, nil, engine.Errorf(engine.KindValue, "%s: target column %q has %d classes (%q%s); multiclass targets are not supported: the encoder takes a numeric target, or a two-class one (bool, 0/1 or two strings); encode one class against the rest first", TargetEncoderName, name, k, shown, more)
		case k < 2:
			return nil, nil, engine.Errorf(engine.KindValue, "%s: target column %q has the one class %q; a two-class target needs both classes (or give it as 0/1 numbers or bools)", TargetEncoderName, name, cats.Values)
		}
		y = make([]float64, n)
		for i, code := range cats.Codes {
			y[i] = float64(code)
		}
		st.Type, st.Positive = targetBinary, cats.Values[1]
	default:
		return nil, nil, engine.Errorf(engine.KindType, "%s: target column %q has type %s; the target must be numeric, bool, or a string or categorical column of two classes", TargetEncoderName, name, t)
	}
	var sum float64
	for _, v := range y {
		sum += v
	}
	st.Mean = sum / float64(n)
	if math.IsInf(st.Mean, 0) || math.IsInf(sum, 0) {
		return nil, nil, engine.Errorf(engine.KindValue, "%s: target column %q has values so large that their sum overflows; rescale it", TargetEncoderName, name)
	}
	return y, st, nil
}

func missingTarget(name string, missing, n int) error {
	return engine.Errorf(engine.KindValue, "%s: target column %q has %d missing values (null or NaN) out of %d; drop those rows or fill them in before fitting", TargetEncoderName, name, missing, n)
}

// Fit sums the target per level of each column.
func (TargetEncoder) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	if spec.Target == "" {
		return nil, nil, engine.Errorf(engine.KindValue, "%s needs a target: name the column whose mean per level encodes the levels", TargetEncoderName)
	}
	d, err := prepare(TargetEncoderName, TargetEncoderSpace(), data, spec, params, encoderSelection)
	if err != nil {
		return nil, nil, err
	}
	tc, err := data.Require(spec.Target, "target")
	if err != nil {
		return nil, nil, err
	}
	y, target, err := readTarget(spec.Target, tc)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &TargetEncoderModel{
		base:   base{learner: TargetEncoderName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		target: *target,
		levels: make([][]string, p), sums: make([][]float64, p), counts: make([][]int64, p),
		missingSum: make([]float64, p), missingCount: make([]int64, p),
	}
	errs := make([]error, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		lv, codes, err := readLevels(d.names[j], d.cols[j], d.kinds[j])
		if err != nil {
			errs[j] = err
			return
		}
		if len(lv) > MaxLevels {
			errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has %d distinct values, more than the %d an encoder takes; it looks like an identifier rather than a category", TargetEncoderName, d.names[j], len(lv), MaxLevels)
			return
		}
		sums, counts := make([]float64, len(lv)), make([]int64, len(lv))
		for i, c := range codes {
			if c >= 0 {
				sums[c] += y[i]
				counts[c]++
			} else {
				m.missingSum[j] += y[i]
				m.missingCount[j]++
			}
		}
		m.levels[j], m.sums[j], m.counts[j] = lv, sums, counts
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		return nil, nil, err
	}
	for j := range p {
		m.inputs[j] = d.input(j, m.levels[j])
	}
	m.derive()
	if err := checkOutputs(TargetEncoderName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["target"] = target.Name
	log["target_type"] = target.Type
	log["target_mean"] = target.Mean
	log["n_missing"] = append([]int64(nil), m.missingCount...)
	log["out_of_fold"] = OutOfFoldNote
	return m, log, nil
}

// Decode rebuilds a target_encoder model from its file form.
func (TargetEncoder) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(TargetEncoderName, &model, &err)
	b, r, err := decodeBase(TargetEncoderName, TargetEncoderSpace(), file)
	if err != nil {
		return nil, err
	}
	_, st, _, _ := decodeHeader(TargetEncoderName, TargetEncoderSpace(), file)
	m := &TargetEncoderModel{base: *b, levels: r.stringLists("levels"), sums: r.floatLists("sum"), counts: r.intLists("count"),
		missingSum: r.floats("missing_sum"), missingCount: r.ints("missing_count")}
	if r.err != nil {
		return nil, r.err
	}
	t := st.Target
	switch {
	case t == nil:
		return nil, corrupt(TargetEncoderName, "the state does not describe the target")
	case t.Type != targetBinary && t.Type != targetContinuous:
		return nil, corrupt(TargetEncoderName, "target type %q", t.Type)
	case t.Type == targetBinary && (t.Positive == "" || t.Mean < 0 || t.Mean > 1):
		return nil, corrupt(TargetEncoderName, "a binary target with positive class %q and mean %v", t.Positive, t.Mean)
	case t.Type == targetContinuous && t.Positive != "":
		return nil, corrupt(TargetEncoderName, "a continuous target with positive class %q", t.Positive)
	case !finite(t.Mean) || b.nRows < 1:
		return nil, corrupt(TargetEncoderName, "target mean %v over %d rows", t.Mean, b.nRows)
	}
	m.target = *t
	for j, in := range b.inputs {
		if err := checkLevels(TargetEncoderName, in, b.kinds[j], m.levels[j]); err != nil {
			return nil, err
		}
		nl := len(m.levels[j])
		if len(m.sums[j]) != nl || len(m.counts[j]) != nl {
			return nil, corrupt(TargetEncoderName, "input %q has %d sums and %d counts for %d levels", in.Name, len(m.sums[j]), len(m.counts[j]), nl)
		}
		rows := m.missingCount[j]
		if rows < 0 || !m.sumFits(m.missingSum[j], rows) {
			return nil, corrupt(TargetEncoderName, "input %q has %d missing values whose targets sum to %v", in.Name, rows, m.missingSum[j])
		}
		for l, c := range m.counts[j] {
			if c < 1 || c > int64(b.nRows) || !m.sumFits(m.sums[j][l], c) {
				return nil, corrupt(TargetEncoderName, "level %q of input %q has %d rows whose targets sum to %v", m.levels[j][l], in.Name, c, m.sums[j][l])
			}
			rows += c
		}
		if rows != int64(b.nRows) {
			return nil, corrupt(TargetEncoderName, "input %q counts %d rows of %d", in.Name, rows, b.nRows)
		}
	}
	m.derive()
	if err := checkOutputsMatch(TargetEncoderName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// sumFits reports whether sum can be the sum of the targets of rows rows:
// finite, and for a binary target between 0 and rows.
func (m *TargetEncoderModel) sumFits(sum float64, rows int64) bool {
	if !finite(sum) || (rows == 0 && sum != 0) {
		return false
	}
	return m.target.Type != targetBinary || (sum >= 0 && sum <= float64(rows))
}

// TargetEncoderModel is a fitted target_encoder.
type TargetEncoderModel struct {
	base
	target       targetState
	levels       [][]string  // per column, every training level, sorted
	sums         [][]float64 // per column and level, the sum of its targets
	counts       [][]int64   // per column and level, its training rows
	missingSum   []float64   // per column, the sum of the targets of its missing values
	missingCount []int64     // per column, its missing values in training

	// Derived: per column, the encoding of each level and of missing
	// values.
	enc        [][]float64
	missingEnc []float64
}

// mEstimate is (sum + smooth·mean) / (rows + smooth), or mean without rows.
func mEstimate(sum float64, rows int64, smooth, mean float64) float64 {
	if rows == 0 {
		return mean
	}
	return (sum + smooth*mean) / (float64(rows) + smooth)
}

// derive computes the encodings.
func (m *TargetEncoderModel) derive() {
	smooth, mean := m.params.Float("smooth"), m.target.Mean
	m.enc = make([][]float64, len(m.levels))
	m.missingEnc = make([]float64, len(m.levels))
	for j := range m.levels {
		m.enc[j] = make([]float64, len(m.levels[j]))
		for l := range m.enc[j] {
			m.enc[j][l] = mEstimate(m.sums[j][l], m.counts[j][l], smooth, mean)
		}
		m.missingEnc[j] = mEstimate(m.missingSum[j], m.missingCount[j], smooth, mean)
	}
}

// Categories returns every column's training levels, sorted.
func (m *TargetEncoderModel) Categories() [][]string { return cloneLists(m.levels) }

// Encodings returns every column's encoding of each of its levels.
func (m *TargetEncoderModel) Encodings() [][]float64 { return cloneLists(m.enc) }

// TargetMean returns the target's mean over the training rows, which
// unseen levels get.
func (m *TargetEncoderModel) TargetMean() float64 { return m.target.Mean }

// Outputs returns one float64 column per input, of the same name.
func (m *TargetEncoderModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *TargetEncoderModel) Replaces() []string { return m.features() }

// Apply encodes every input column.
func (m *TargetEncoderModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	p := len(cols)
	outs := newFloatOuts(p, n)
	errs := make([]error, p)
	err = engine.ForTasks(ctx, threads, p, func(j int) {
		codes, _, err := levelCodes(m.inputs[j].Name, cols[j], m.kinds[j], m.levels[j])
		if err != nil {
			errs[j] = err
			return
		}
		dst, enc := outs.vals[j], m.enc[j]
		for i, c := range codes {
			switch {
			case c >= 0:
				dst[i] = enc[c]
			case c == codeMissing:
				dst[i] = m.missingEnc[j]
			default:
				dst[i] = m.target.Mean
			}
		}
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

// Encode returns the model file: a "columns" table with the name, kind and
// levels (list<utf8>) of every input, the sum of the targets (list<float64>)
// and the rows (list<int64>) of each level, and the sum of the targets and
// the count of its missing values (missing_sum, missing_count); the state
// describes the target (name, type, positive class and mean).
func (m *TargetEncoderModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.stringLists("levels", m.levels)
	w.floatLists("sum", m.sums)
	w.intLists("count", m.counts)
	w.floats("missing_sum", m.missingSum)
	w.ints("missing_count", m.missingCount)
	t := m.target
	return w.fileWith(&m.base, TargetEncoderSpace(), m.Outputs(), state{NRows: m.nRows, Target: &t})
}

// Summary returns the features, their levels ("categories") with their
// encodings and counts, the encoding of missing values, and the target's
// name, type, positive class and mean.
func (m *TargetEncoderModel) Summary() map[string]any {
	return map[string]any{
		"features": m.features(), "categories": m.Categories(), "encodings": m.Encodings(),
		"counts": cloneLists(m.counts), "missing_encoding": cloneFloats(m.missingEnc),
		"n_missing": append([]int64(nil), m.missingCount...),
		"target":    m.target.Name, "target_type": m.target.Type, "positive_class": m.target.Positive,
		"target_mean": m.target.Mean, "smooth": m.params.Float("smooth"), "n_rows": m.nRows,
	}
}

// String describes the model.
func (m *TargetEncoderModel) String() string {
	return fmt.Sprintf("%s(%d columns, %s target %q)", m.learner, len(m.inputs), m.target.Type, m.target.Name)
}

// cloneLists copies a list of lists.
func cloneLists[T any](v [][]T) [][]T {
	out := make([][]T, len(v))
	for i, l := range v {
		out[i] = append([]T{}, l...)
	}
	return out
}
