package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// IndicatorSuffix ends the name of the imputer's missing-value indicators:
// "<col>_missing".
const IndicatorSuffix = "_missing"

// Imputer is the imputer learner: it replaces missing values (nulls, and
// NaN in numeric columns) as scikit-learn's SimpleImputer does, with
//
//   - mean: the mean of the column's observed values (numeric columns);
//   - median: their median, the mean of the two middle values for an even
//     count (numeric columns);
//   - most_frequent: the most frequent value, the smallest among ties in
//     numeric or string order (false before true);
//   - constant: fill_value for numeric columns (0 or 1 for bool columns,
//     false or true) and fill_text for string and categorical columns.
//
// By default mean and median take the numeric columns other than booleans
// and most_frequent and constant take every numeric, bool, string and
// categorical column. Numeric outputs are float64 (a bool column named in
// the features is read as 0 and 1 with mean and median), string and
// categorical outputs utf8, and bool outputs bool, each with the input's
// name. With add_indicator, every column that had missing values in
// training also gets a bool "<col>_missing" column, after the imputed ones.
//
// A column without any observed value cannot give a statistic and is
// refused (scikit-learn drops it); so are infinite values, except with the
// constant strategy.
type Imputer struct{}

// Name returns "imputer".
func (Imputer) Name() string { return ImputerName }

// Space returns ImputerSpace().
func (Imputer) Space() hyperspace.Space { return ImputerSpace() }

// imputerSelection returns the columns a strategy takes.
func imputerSelection(strategy string) selection {
	if strategy == strategyMean || strategy == strategyMedian {
		sel := numericSelection
		sel.what = fmt.Sprintf("numeric columns with strategy %q (use most_frequent or constant for string, categorical and bool columns)", strategy)
		return sel
	}
	return selection{
		byDefault: func(t arrow.DataType) bool { return engine.IsNumeric(t) || engine.IsCategorical(t) },
		kindOf: func(t arrow.DataType) kind {
			switch {
			case isBool(t):
				return kindBool
			case engine.IsNumeric(t):
				return kindNumber
			case engine.IsCategorical(t):
				return kindText
			}
			return 0
		},
		what: "numeric, bool, string or categorical columns",
	}
}

// Fit computes each column's fill value.
func (Imputer) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	sp := ImputerSpace()
	vals, err := sp.Validate(params)
	if err != nil {
		return nil, nil, engine.Errorf(engine.KindValue, "%v", err)
	}
	strategy := vals.String("strategy")
	d, err := prepare(ImputerName, sp, data, spec, params, imputerSelection(strategy))
	if err != nil {
		return nil, nil, err
	}
	p := len(d.names)
	m := &ImputerModel{
		base:     base{learner: ImputerName, params: d.vals, inputs: make([]engine.Field, p), kinds: d.kinds, nRows: d.n},
		missing:  make([]int64, p),
		fillNum:  make([]float64, p),
		fillText: make([]string, p),
		fillBool: make([]bool, p),
	}
	fillValue := d.vals.Float("fill_value")
	errs := make([]error, p)
	cats := make([][]string, p)
	err = engine.ForTasks(ctx, d.threads, p, func(j int) {
		name, c := d.names[j], d.cols[j]
		switch d.kinds[j] {
		case kindNumber:
			var x []float64
			if x, errs[j] = engine.Float64s(name, c); errs[j] != nil {
				return
			}
			m.missing[j] = int64(engine.CountMissing(c, x))
			m.fillNum[j], errs[j] = numberFill(name, strategy, x, int(m.missing[j]), fillValue)
		case kindText:
			var codes []int32
			if cats[j], codes, errs[j] = readLevels(name, c, kindText); errs[j] != nil {
				return
			}
			m.missing[j] = int64(c.NullN())
			m.fillText[j] = d.vals.String("fill_text")
			if strategy == strategyMostFrequent {
				k, ok := mostFrequentCode(codes, len(cats[j]))
				if !ok {
					errs[j] = noValues(name, strategy)
					return
				}
				m.fillText[j] = cats[j][k]
			}
		case kindBool:
			m.missing[j] = int64(c.NullN())
			if strategy == strategyConstant {
				if fillValue != 0 && fillValue != 1 {
					errs[j] = engine.Errorf(engine.KindValue, "%s: hyperparameter \"fill_value\" must be 0 (false) or 1 (true) to fill the bool column %q, got %v", ImputerName, name, fillValue)
				}
				m.fillBool[j] = fillValue == 1
				return
			}
			b := c.(*array.Boolean)
			trues := 0
			for i := range b.Len() {
				if b.IsValid(i) && b.Value(i) {
					trues++
				}
			}
			falses := b.Len() - b.NullN() - trues
			if trues+falses == 0 {
				errs[j] = noValues(name, strategy)
			}
			m.fillBool[j] = trues > falses
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for j, e := range errs {
		if e != nil {
			return nil, nil, e
		}
		m.inputs[j] = d.input(j, cats[j])
	}
	if err := checkOutputs(ImputerName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	log := d.log(m.Outputs())
	log["n_missing"] = append([]int64(nil), m.missing...)
	return m, log, nil
}

func noValues(name, strategy string) error {
	return engine.Errorf(engine.KindValue, "%s: column %q has only missing values, so it has no %s to fill them with; drop the column or use strategy='constant'", ImputerName, name, describeStrategy(strategy))
}

func describeStrategy(s string) string {
	if s == strategyMostFrequent {
		return "most frequent value"
	}
	return s
}

// numberFill computes the fill value of a numeric column read as x, with
// nMissing nulls and NaN.
func numberFill(name, strategy string, x []float64, nMissing int, fillValue float64) (float64, error) {
	if strategy == strategyConstant {
		return fillValue, nil
	}
	if nMissing == len(x) {
		return 0, noValues(name, strategy)
	}
	obs := make([]float64, 0, len(x)-nMissing)
	var sum float64
	for _, v := range x {
		if v != v {
			continue
		}
		if math.IsInf(v, 0) {
			return 0, engine.Errorf(engine.KindValue, "%s: column %q has infinite values; replace them before fitting", ImputerName, name)
		}
		obs = append(obs, v)
		sum += v
	}
	switch strategy {
	case strategyMean:
		if math.IsInf(sum, 0) {
			return 0, engine.Errorf(engine.KindValue, "%s: column %q has values so large that their sum overflows; rescale it", ImputerName, name)
		}
		return sum / float64(len(obs)), nil
	case strategyMedian:
		slices.Sort(obs)
		k := len(obs) / 2
		if len(obs)%2 == 1 {
			return obs[k], nil
		}
		if mid := (obs[k-1] + obs[k]) / 2; !math.IsInf(mid, 0) {
			return mid, nil
		}
		return obs[k-1]/2 + obs[k]/2, nil
	}
	// most_frequent: the first of the longest runs of the sorted values.
	slices.Sort(obs)
	best, bestN := obs[0], 0
	for i := 0; i < len(obs); {
		k := i + 1
		for k < len(obs) && obs[k] == obs[i] {
			k++
		}
		if k-i > bestN {
			best, bestN = obs[i], k-i
		}
		i = k
	}
	return best, nil
}

// mostFrequentCode returns the most frequent of codes in [0, k) (the
// smallest among ties), ignoring negative (missing) codes; ok is false if
// there are none.
func mostFrequentCode(codes []int32, k int) (int, bool) {
	counts := make([]int, k)
	for _, c := range codes {
		if c >= 0 {
			counts[c]++
		}
	}
	best := -1
	for i, n := range counts {
		if n > 0 && (best < 0 || n > counts[best]) {
			best = i
		}
	}
	return best, best >= 0
}

// Decode rebuilds an imputer model from its file form.
func (Imputer) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(ImputerName, &model, &err)
	b, r, err := decodeBase(ImputerName, ImputerSpace(), file)
	if err != nil {
		return nil, err
	}
	m := &ImputerModel{base: *b, missing: r.ints("missing"), fillNum: r.floats("fill_number"),
		fillText: r.strings("fill_text"), fillBool: r.bools("fill_bool")}
	if r.err != nil {
		return nil, r.err
	}
	strategy := b.params.String("strategy")
	fillValue := b.params.Float("fill_value")
	for j, in := range b.inputs {
		k := b.kinds[j]
		bad := func(what string) error { return corrupt(ImputerName, "input %q: %s", in.Name, what) }
		switch {
		case k != kindNumber && k != kindText && k != kindBool:
			return nil, bad(fmt.Sprintf("kind %s, which the imputer does not take", k))
		case m.missing[j] < 0 || m.missing[j] > int64(b.nRows):
			return nil, bad(fmt.Sprintf("%d missing values of %d rows", m.missing[j], b.nRows))
		case (strategy == strategyMean || strategy == strategyMedian) && k != kindNumber:
			return nil, bad(fmt.Sprintf("strategy %q for a column of kind %s", strategy, k))
		case !finite(m.fillNum[j]):
			return nil, bad(fmt.Sprintf("fill value %v", m.fillNum[j]))
		case k != kindNumber && m.fillNum[j] != 0, k != kindText && m.fillText[j] != "", k != kindBool && m.fillBool[j]:
			return nil, bad("a fill value of another kind")
		case strategy == strategyConstant && k == kindNumber && m.fillNum[j] != fillValue,
			strategy == strategyConstant && k == kindText && m.fillText[j] != b.params.String("fill_text"),
			strategy == strategyConstant && k == kindBool && (fillValue != 0 && fillValue != 1 || m.fillBool[j] != (fillValue == 1)):
			return nil, bad("a fill value that is not the constant")
		case strategy == strategyMostFrequent && k == kindText && !slices.Contains(in.Categories, m.fillText[j]):
			return nil, bad(fmt.Sprintf("most frequent value %q is not a category", m.fillText[j]))
		}
	}
	if err := checkOutputsMatch(ImputerName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// ImputerModel is a fitted imputer.
type ImputerModel struct {
	base
	missing  []int64 // missing values per column in training
	fillNum  []float64
	fillText []string
	fillBool []bool
}

// indicator reports whether column j gets a missing-value indicator.
func (m *ImputerModel) indicator(j int) bool {
	return m.params.Bool("add_indicator") && m.missing[j] > 0
}

// Statistics returns each column's fill value: a float64, a string or a
// bool.
func (m *ImputerModel) Statistics() []any {
	out := make([]any, len(m.inputs))
	for j := range out {
		switch m.kinds[j] {
		case kindNumber:
			out[j] = m.fillNum[j]
		case kindText:
			out[j] = m.fillText[j]
		default:
			out[j] = m.fillBool[j]
		}
	}
	return out
}

// Outputs returns the imputed columns, with the inputs' names (float64 for
// numeric columns, utf8 for string and categorical ones, bool for bool
// ones), then a bool "<col>_missing" column per column with an indicator.
func (m *ImputerModel) Outputs() []engine.Field {
	out := make([]engine.Field, 0, len(m.inputs))
	for j, in := range m.inputs {
		t := arrow.PrimitiveTypes.Float64.String()
		switch m.kinds[j] {
		case kindText:
			t = arrow.BinaryTypes.String.String()
		case kindBool:
			t = arrow.FixedWidthTypes.Boolean.String()
		}
		out = append(out, engine.Field{Name: in.Name, Type: t})
	}
	for j, in := range m.inputs {
		if m.indicator(j) {
			out = append(out, engine.Field{Name: in.Name + IndicatorSuffix, Type: arrow.FixedWidthTypes.Boolean.String()})
		}
	}
	return out
}

// Replaces returns the input names: each imputed column stands in for its
// input.
func (m *ImputerModel) Replaces() []string { return m.features() }

// Apply fills the missing values of every input column.
func (m *ImputerModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	n := data.NumRows()
	p := len(cols)
	filled := make([]arrow.Array, p)
	flags := make([]arrow.Array, p)
	errs := make([]error, p)
	release := func() {
		for j := range p {
			for _, a := range []arrow.Array{filled[j], flags[j]} {
				if a != nil {
					a.Release()
				}
			}
		}
	}
	err = engine.ForTasks(ctx, threads, p, func(j int) {
		filled[j], flags[j], errs[j] = m.applyColumn(j, cols[j], n)
	})
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		release()
		return nil, err
	}
	names := m.features()
	for j := range p {
		if m.indicator(j) {
			names = append(names, m.inputs[j].Name+IndicatorSuffix)
			filled = append(filled, flags[j])
		} else if flags[j] != nil {
			flags[j].Release()
		}
	}
	return newFrame(names, filled)
}

// applyColumn returns column j imputed and, if it has an indicator, its
// indicator.
func (m *ImputerModel) applyColumn(j int, c arrow.Array, n int) (arrow.Array, arrow.Array, error) {
	var flags *array.BooleanBuilder
	if m.indicator(j) {
		flags = array.NewBooleanBuilder(engine.Allocator)
		defer flags.Release()
		flags.Reserve(n)
	}
	flag := func(missing bool) {
		if flags != nil {
			flags.UnsafeAppend(missing)
		}
	}
	var out arrow.Array
	switch m.kinds[j] {
	case kindNumber:
		buf, x := engine.NewFloat64Buffer(engine.Allocator, n)
		readNumbers(c, 0, x)
		fill := m.fillNum[j]
		for i, v := range x {
			if v != v {
				x[i] = fill
			}
			flag(v != v)
		}
		out = engine.FinishFloat64(buf, n)
	case kindText:
		var values []string
		codes := make([]int32, n)
		if c.DataType().ID() == arrow.NULL {
			for i := range codes {
				codes[i] = -1
			}
		} else {
			cats, err := engine.ReadCategories(m.inputs[j].Name, c)
			if err != nil {
				return nil, nil, err
			}
			values, codes = cats.Values, cats.Codes
		}
		b := array.NewStringBuilder(engine.Allocator)
		defer b.Release()
		b.Reserve(n)
		fill := m.fillText[j]
		for _, code := range codes {
			if code >= 0 {
				b.Append(values[code])
			} else {
				b.Append(fill)
			}
			flag(code < 0)
		}
		out = b.NewArray()
	case kindBool:
		b := array.NewBooleanBuilder(engine.Allocator)
		defer b.Release()
		b.Reserve(n)
		src, _ := c.(*array.Boolean) // nil for the null type
		fill := m.fillBool[j]
		for i := range n {
			missing := src == nil || src.IsNull(i)
			if missing {
				b.UnsafeAppend(fill)
			} else {
				b.UnsafeAppend(src.Value(i))
			}
			flag(missing)
		}
		out = b.NewArray()
	}
	if flags == nil {
		return out, nil, nil
	}
	return out, flags.NewArray(), nil
}

// firstError returns the first non-nil error.
func firstError(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Encode returns the model file: a "columns" table with the name, kind,
// count of missing training values and fill value of every input (in
// fill_number, fill_text or fill_bool by kind; the others hold 0, "" and
// false).
func (m *ImputerModel) Encode() (*engine.ModelFile, error) {
	w := newTableWriter(&m.base)
	w.ints("missing", m.missing)
	w.floats("fill_number", m.fillNum)
	w.strings("fill_text", m.fillText)
	w.bools("fill_bool", m.fillBool)
	return w.file(&m.base, ImputerSpace(), m.Outputs())
}

// Summary returns the features, their fill values ("statistics"), their
// counts of missing training values and the indicator columns.
func (m *ImputerModel) Summary() map[string]any {
	var indicators []string
	for j, in := range m.inputs {
		if m.indicator(j) {
			indicators = append(indicators, in.Name+IndicatorSuffix)
		}
	}
	if indicators == nil {
		indicators = []string{}
	}
	return map[string]any{
		"features": m.features(), "statistics": m.Statistics(), "strategy": m.params.String("strategy"),
		"n_missing": append([]int64(nil), m.missing...), "indicators": indicators, "n_rows": m.nRows,
	}
}

// String describes the model.
func (m *ImputerModel) String() string {
	return fmt.Sprintf("%s(%s, %d columns)", m.learner, m.params.String("strategy"), len(m.inputs))
}
