package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Suffixes of one_hot's columns besides "<col>_<level>".
const (
	// MissingSuffix ends the name of the column of missing values,
	// "<col>_NA", which one_hot makes for a column that had missing values
	// in training.
	MissingSuffix = "_NA"
	// InfrequentSuffix ends the name of the column of the levels beyond
	// max_categories, "<col>_infrequent".
	InfrequentSuffix = "_infrequent"
)

// fitLevels reads the training levels of every encoder column, in
// parallel: per column the sorted levels, the count of each, and the
// number of missing values.
func fitLevels(ctx context.Context, d *fitData) (levels [][]string, counts [][]int, missing []int, err error) {
	p := len(d.names)
	levels, counts, missing = make([][]string, p), make([][]int, p), make([]int, p)
	errs := make([]error, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		lv, codes, err := readLevels(d.names[j], d.cols[j], d.kinds[j])
		if err != nil {
			errs[j] = err
			return
		}
		if len(lv) > MaxLevels {
			errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has %d distinct values, more than the %d an encoder takes; it looks like an identifier rather than a category", d.learner, d.names[j], len(lv), MaxLevels)
			return
		}
		cnt := make([]int, len(lv))
		for _, c := range codes {
			if c >= 0 {
				cnt[c]++
			} else {
				missing[j]++
			}
		}
		levels[j], counts[j] = lv, cnt
	})
	if err == nil {
		err = firstError(errs)
	}
	return levels, counts, missing, err
}

// checkLevels checks the levels of a decoded encoder input: sorted and
// distinct, at most MaxLevels, the input's categories for a text column,
// "false" and/or "true" for a bool one.
func checkLevels(learner string, in engine.Field, k kind, levels []string) error {
	switch {
	case k != kindText && k != kindBool:
		return corrupt(learner, "input %q of kind %s cannot be encoded", in.Name, k)
	case len(levels) > MaxLevels || !strictlySorted(levels):
		return corrupt(learner, "the levels of input %q are not sorted and distinct, or too many", in.Name)
	case k == kindText && !slices.Equal(levels, in.Categories):
		return corrupt(learner, "the levels of input %q are not its categories", in.Name)
	case k == kindBool && slices.ContainsFunc(levels, func(l string) bool { return l != levelFalse && l != levelTrue }):
		return corrupt(learner, "bool input %q has levels %q", in.Name, levels)
	}
	return nil
}

// OneHot is the one_hot learner: it replaces each string, categorical or
// bool column by float64 0/1 columns, one per training level, named
// "<col>_<level>" with levels in sorted (byte) order (bool levels are
// "false" and "true"), as scikit-learn's OneHotEncoder.
//
// With max_categories = k > 0, a column of more than k levels keeps the
// k-1 most frequent (among levels of equal count, the later in sorted
// order, as scikit-learn), and its other levels share one column
// "<col>_infrequent", after the kept ones.
//
// Missing values (nulls) get a column "<col>_NA", after the level columns
// and before the infrequent one, if training had any; otherwise they are
// treated as unseen levels. An unseen level gives zeros in every column of
// its column with handle_unknown='ignore', and an error with 'error'.
type OneHot struct{}

// Name returns "one_hot".
func (OneHot) Name() string { return OneHotName }

// Space returns OneHotSpace().
func (OneHot) Space() hyperspace.Space { return OneHotSpace() }

// Fit finds each column's levels.
func (OneHot) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(OneHotName, OneHotSpace(), data, spec, params, encoderSelection)
	if err != nil {
		return nil, nil, err
	}
	levels, counts, missing, err := fitLevels(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &OneHotModel{
		base:   base{learner: OneHotName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		levels: levels, infrequent: make([][]bool, p), hasNA: make([]bool, p),
	}
	maxCats := d.vals.Int("max_categories")
	for j := range p {
		m.inputs[j] = d.input(j, levels[j])
		m.hasNA[j] = missing[j] > 0
		m.infrequent[j] = make([]bool, len(levels[j]))
		if maxCats > 0 && len(levels[j]) > maxCats {
			// scikit-learn's rule: a stable sort by increasing count, of
			// which all but the last maxCats-1 are infrequent.
			order := make([]int, len(levels[j]))
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(a, b int) int { return counts[j][a] - counts[j][b] })
			for _, i := range order[:len(order)-(maxCats-1)] {
				m.infrequent[j][i] = true
			}
		}
	}
	m.derive()
	if err := checkOutputs(OneHotName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["n_missing"] = missing
	return m, log, nil
}

// Decode rebuilds a one_hot model from its file form.
func (OneHot) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(OneHotName, &model, &err)
	b, r, err := decodeBase(OneHotName, OneHotSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &OneHotModel{base: *b, levels: r.stringLists("levels"), infrequent: r.boolLists("infrequent"), hasNA: r.bools("has_missing")}
	if r.err != nil {
		return nil, r.err
	}
	maxCats := b.params.Int("max_categories")
	for j, in := range b.inputs {
		if err := checkLevels(OneHotName, in, b.kinds[j], m.levels[j]); err != nil {
			return nil, err
		}
		nl := len(m.levels[j])
		if len(m.infrequent[j]) != nl {
			return nil, corrupt(OneHotName, "input %q has %d infrequent flags for %d levels", in.Name, len(m.infrequent[j]), nl)
		}
		kept := nl
		for _, f := range m.infrequent[j] {
			if f {
				kept--
			}
		}
		capped := maxCats > 0 && nl > maxCats
		if (capped && kept != maxCats-1) || (!capped && kept != nl) {
			return nil, corrupt(OneHotName, "input %q keeps %d of %d levels with max_categories %d", in.Name, kept, nl, maxCats)
		}
	}
	m.derive()
	if err := checkOutputsMatch(OneHotName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// OneHotModel is a fitted one_hot.
type OneHotModel struct {
	base
	levels     [][]string // per column, every training level, sorted
	infrequent [][]bool   // per column and level
	hasNA      []bool     // per column: training had missing values

	// Derived: per column, the output of each level (relative to the
	// column's first output), of missing values (-1 for none), and the
	// column's first output and number of outputs.
	slot   [][]int32
	naSlot []int32
	first  []int
	width  []int
}

// derive computes the output slots.
func (m *OneHotModel) derive() {
	p := len(m.inputs)
	m.slot, m.naSlot, m.first, m.width = make([][]int32, p), make([]int32, p), make([]int, p), make([]int, p)
	off := 0
	for j := range p {
		s := make([]int32, len(m.levels[j]))
		w, anyInfrequent := int32(0), false
		for l := range s {
			if m.infrequent[j][l] {
				anyInfrequent = true
				continue
			}
			s[l] = w
			w++
		}
		m.naSlot[j] = -1
		if m.hasNA[j] {
			m.naSlot[j] = w
			w++
		}
		if anyInfrequent {
			for l := range s {
				if m.infrequent[j][l] {
					s[l] = w
				}
			}
			w++
		}
		m.slot[j], m.first[j], m.width[j] = s, off, int(w)
		off += int(w)
	}
}

// Categories returns every column's training levels, sorted.
func (m *OneHotModel) Categories() [][]string {
	out := make([][]string, len(m.levels))
	for j, l := range m.levels {
		out[j] = slices.Clone(l)
	}
	return out
}

// InfrequentCategories returns every column's levels that share the
// "<col>_infrequent" column.
func (m *OneHotModel) InfrequentCategories() [][]string {
	out := make([][]string, len(m.levels))
	for j, l := range m.levels {
		out[j] = []string{}
		for i, v := range l {
			if m.infrequent[j][i] {
				out[j] = append(out[j], v)
			}
		}
	}
	return out
}

// Outputs returns, for every input in order, a float64 column
// "<col>_<level>" per kept level, "<col>_NA" if training had missing
// values, and "<col>_infrequent" if some levels are infrequent.
func (m *OneHotModel) Outputs() []engine.Field {
	var out []engine.Field
	f64 := arrow.PrimitiveTypes.Float64.String()
	for j, in := range m.inputs {
		anyInfrequent := false
		for l, v := range m.levels[j] {
			if m.infrequent[j][l] {
				anyInfrequent = true
				continue
			}
			out = append(out, engine.Field{Name: in.Name + "_" + v, Type: f64})
		}
		if m.hasNA[j] {
			out = append(out, engine.Field{Name: in.Name + MissingSuffix, Type: f64})
		}
		if anyInfrequent {
			out = append(out, engine.Field{Name: in.Name + InfrequentSuffix, Type: f64})
		}
	}
	if out == nil {
		out = []engine.Field{}
	}
	return out
}

// Replaces returns the input names: each input's level columns stand in
// for it.
func (m *OneHotModel) Replaces() []string { return m.features() }

// Apply encodes every input column. It fails with a KindValue error for an
// unseen level (or a missing value, if training had none) with
// handle_unknown='error'.
func (m *OneHotModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	p := len(cols)
	total := 0
	for _, w := range m.width {
		total += w
	}
	outs := newFloatOuts(total, n)
	strict := m.params.String("handle_unknown") == unknownError
	errs := make([]error, p)
	err = engine.ForTasks(ctx, threads, p, func(j int) {
		name := m.inputs[j].Name
		codes, firstUnknown, err := levelCodes(name, cols[j], m.kinds[j], m.levels[j])
		if err != nil {
			errs[j] = err
			return
		}
		dst := outs.vals[m.first[j] : m.first[j]+m.width[j]]
		for _, x := range dst {
			clear(x)
		}
		slot, na := m.slot[j], m.naSlot[j]
		for i, c := range codes {
			switch {
			case c >= 0:
				dst[slot[c]][i] = 1
			case c == codeMissing && na >= 0:
				dst[na][i] = 1
			case !strict:
			case c == codeMissing:
				errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has missing values, which it had none of in training (handle_unknown='error')", OneHotName, name)
				return
			default:
				errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has the level %q, unseen in training (handle_unknown='error'; 'ignore' gives it zeros)", OneHotName, name, firstUnknown)
				return
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
	return newFrame(fieldNames(m.Outputs()), outs.arrays())
}

// Encode returns the model file: a "columns" table with the name and kind
// of every input, its levels (list<utf8>), which of them are infrequent
// (list<bool>), and whether training had missing values (has_missing).
func (m *OneHotModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.stringLists("levels", m.levels)
	w.boolLists("infrequent", m.infrequent)
	w.bools("has_missing", m.hasNA)
	return w.file(&m.base, OneHotSpace(), m.Outputs())
}

// Summary returns the features, their levels ("categories"), their
// infrequent levels and whether each had missing values in training.
func (m *OneHotModel) Summary() map[string]any {
	return map[string]any{
		"features": m.features(), "categories": m.Categories(), "infrequent_categories": m.InfrequentCategories(),
		"has_missing": slices.Clone(m.hasNA), "n_rows": m.nRows,
	}
}

// String describes the model.
func (m *OneHotModel) String() string {
	return fmt.Sprintf("%s(%d columns into %d)", m.learner, len(m.inputs), len(m.Outputs()))
}

// OrdinalEncoder is the ordinal_encoder learner: it replaces each string,
// categorical or bool column by a float64 column of the same name holding
// the rank (0 to k-1) of each row's level among the column's k training
// levels in sorted (byte) order, as scikit-learn's OrdinalEncoder (bool
// levels are "false" and "true", so false gives 0 when both occur).
//
// Unseen levels and missing values give NaN with handle_unknown='nan' (the
// default), unknown_value with 'use_encoded_value', and with 'error' an
// unseen level is refused (missing values give NaN). unknown_value may not
// be a code of a training level, and is only used with
// 'use_encoded_value': changing it otherwise is an error, as in
// scikit-learn.
type OrdinalEncoder struct{}

// Name returns "ordinal_encoder".
func (OrdinalEncoder) Name() string { return OrdinalEncoderName }

// Space returns OrdinalEncoderSpace().
func (OrdinalEncoder) Space() hyperspace.Space { return OrdinalEncoderSpace() }

// defaultUnknownValue is unknown_value's default.
const defaultUnknownValue = -1.0

// checkUnknownValue refuses an unknown_value that is set without
// handle_unknown='use_encoded_value', or that is the code of a level.
func checkUnknownValue(vals hyperspace.Values, inputs []engine.Field, levels [][]string) error {
	u := vals.Float("unknown_value")
	if vals.String("handle_unknown") != unknownValue {
		if u != defaultUnknownValue {
			return engine.Errorf(engine.KindValue, "%s: hyperparameter \"unknown_value\" (%v) is only used with handle_unknown='use_encoded_value', not %q", OrdinalEncoderName, u, vals.String("handle_unknown"))
		}
		return nil
	}
	for j, l := range levels {
		if u >= 0 && u < float64(len(l)) && u == math.Trunc(u) {
			return engine.Errorf(engine.KindValue, "%s: hyperparameter \"unknown_value\" (%v) is the code of the level %q of column %q; pick a value outside 0 to %d, such as -1", OrdinalEncoderName, u, l[int(u)], inputs[j].Name, len(l)-1)
		}
	}
	return nil
}

// Fit finds each column's levels.
func (OrdinalEncoder) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, err := prepare(OrdinalEncoderName, OrdinalEncoderSpace(), data, spec, params, encoderSelection)
	if err != nil {
		return nil, nil, err
	}
	levels, _, missing, err := fitLevels(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &OrdinalEncoderModel{
		base:   base{learner: OrdinalEncoderName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		levels: levels,
	}
	for j := range p {
		m.inputs[j] = d.input(j, levels[j])
	}
	if err := checkUnknownValue(d.vals, m.inputs, levels); err != nil {
		return nil, nil, err
	}
	if err := checkOutputs(OrdinalEncoderName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["n_missing"] = missing
	return m, log, nil
}

// Decode rebuilds an ordinal_encoder model from its file form.
func (OrdinalEncoder) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(OrdinalEncoderName, &model, &err)
	b, r, err := decodeBase(OrdinalEncoderName, OrdinalEncoderSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &OrdinalEncoderModel{base: *b, levels: r.stringLists("levels")}
	if r.err != nil {
		return nil, r.err
	}
	for j, in := range b.inputs {
		if err := checkLevels(OrdinalEncoderName, in, b.kinds[j], m.levels[j]); err != nil {
			return nil, err
		}
	}
	if err := checkUnknownValue(b.params, b.inputs, m.levels); err != nil {
		return nil, corrupt(OrdinalEncoderName, "%v", err)
	}
	if err := checkOutputsMatch(OrdinalEncoderName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// OrdinalEncoderModel is a fitted ordinal_encoder.
type OrdinalEncoderModel struct {
	base
	levels [][]string // per column, every training level, sorted
}

// Categories returns every column's training levels, sorted: level i has
// code i.
func (m *OrdinalEncoderModel) Categories() [][]string {
	out := make([][]string, len(m.levels))
	for j, l := range m.levels {
		out[j] = slices.Clone(l)
	}
	return out
}

// Outputs returns one float64 column per input, of the same name.
func (m *OrdinalEncoderModel) Outputs() []engine.Field { return sameNameFloats(m.inputs) }

// Replaces returns the input names: each output stands in for its input.
func (m *OrdinalEncoderModel) Replaces() []string { return m.features() }

// Apply encodes every input column. With handle_unknown='error' it fails
// with a KindValue error for an unseen level.
func (m *OrdinalEncoderModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	p := len(cols)
	outs := newFloatOuts(p, n)
	mode := m.params.String("handle_unknown")
	missingCode, unknownCode := nan, nan
	if mode == unknownValue {
		missingCode = m.params.Float("unknown_value")
		unknownCode = missingCode
	}
	errs := make([]error, p)
	err = engine.ForTasks(ctx, threads, p, func(j int) {
		name := m.inputs[j].Name
		codes, firstUnknown, err := levelCodes(name, cols[j], m.kinds[j], m.levels[j])
		if err != nil {
			errs[j] = err
			return
		}
		if mode == unknownError && slices.Contains(codes, codeUnknown) {
			errs[j] = engine.Errorf(engine.KindValue, "%s: column %q has the level %q, unseen in training (handle_unknown='error')", OrdinalEncoderName, name, firstUnknown)
			return
		}
		dst := outs.vals[j]
		for i, c := range codes {
			switch c {
			case codeMissing:
				dst[i] = missingCode
			case codeUnknown:
				dst[i] = unknownCode
			default:
				dst[i] = float64(c)
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
// levels (list<utf8>) of every input.
func (m *OrdinalEncoderModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.stringLists("levels", m.levels)
	return w.file(&m.base, OrdinalEncoderSpace(), m.Outputs())
}

// Summary returns the features and their levels ("categories").
func (m *OrdinalEncoderModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "categories": m.Categories(), "n_rows": m.nRows}
}

// String describes the model.
func (m *OrdinalEncoderModel) String() string {
	return fmt.Sprintf("%s(%d columns)", m.learner, len(m.inputs))
}
