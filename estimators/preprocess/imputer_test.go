package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// imputeFrame has missing values in x (NaN and null), s (string), d
// (dictionary) and b (bool), none in k, and a target y.
func imputeFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"x", f64(1, math.NaN(), 3, 3, na, 10)},
		col{"k", i64(5, 2, 2, 5, 7, 1)},
		col{"s", strs("b", nullStr, "a", "b", "a", nullStr)},
		col{"d", dict("lo", "hi", nullStr, "hi", "lo", "lo")},
		col{"b", boolsOf("t", "f", "", "t", "f", "")},
		col{"y", f64(0, 1, 0, 1, 0, 1)},
	)
}

func TestImputer(t *testing.T) {
	f := imputeFrame(t)
	defer f.Release()
	k := []float64{5, 2, 2, 5, 7, 1}
	for _, c := range []struct {
		name    string
		params  map[string]any
		outputs []string
		x       []float64
		s, d    []string
		b       []string
	}{
		{"mean", nil, []string{"x", "k"}, []float64{1, 4.25, 3, 3, 4.25, 10}, nil, nil, nil},
		{"median", map[string]any{"strategy": "median"}, []string{"x", "k"}, []float64{1, 3, 3, 3, 3, 10}, nil, nil, nil},
		{"mean with indicator", map[string]any{"add_indicator": true}, []string{"x", "k", "x_missing"},
			[]float64{1, 4.25, 3, 3, 4.25, 10}, nil, nil, nil},
		{"most frequent", map[string]any{"strategy": "most_frequent"}, []string{"x", "k", "s", "d", "b"},
			[]float64{1, 3, 3, 3, 3, 10},
			[]string{"b", "a", "a", "b", "a", "a"},
			[]string{"lo", "hi", "lo", "hi", "lo", "lo"},
			[]string{"t", "f", "f", "t", "f", "f"}},
		{"constant", map[string]any{"strategy": "constant", "fill_value": 1, "fill_text": "?", "add_indicator": true},
			[]string{"x", "k", "s", "d", "b", "x_missing", "s_missing", "d_missing", "b_missing"},
			[]float64{1, 1, 3, 3, 1, 10},
			[]string{"b", "?", "a", "b", "a", "?"},
			[]string{"lo", "hi", "?", "hi", "lo", "lo"},
			[]string{"t", "f", "t", "t", "f", "t"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, Imputer{}, f, estimators.Spec{Target: "y"}, c.params)
			if got := fieldNames(m.Outputs()); !slices.Equal(got, c.outputs) {
				t.Fatalf("outputs %q, want %q", got, c.outputs)
			}
			if got := m.(estimators.Transformer).Replaces(); !slices.Equal(got, fieldNames(m.Inputs())) {
				t.Errorf("replaces %q", got)
			}
			if log["n_outputs"] != len(c.outputs) {
				t.Errorf("log %v", log)
			}
			out := mustApply(t, m, f)
			if !slices.Equal(out.Names(), c.outputs) {
				t.Fatalf("apply gives %q", out.Names())
			}
			if got := floatsOf(t, out, "x"); !sameFloats(got, c.x, 0) {
				t.Errorf("x: %v, want %v", got, c.x)
			}
			if got := floatsOf(t, out, "k"); !sameFloats(got, k, 0) {
				t.Errorf("k: %v, want %v", got, k)
			}
			if c.s != nil {
				if got := stringsOf(t, out, "s"); !slices.Equal(got, c.s) {
					t.Errorf("s: %q, want %q", got, c.s)
				}
				if got := stringsOf(t, out, "d"); !slices.Equal(got, c.d) {
					t.Errorf("d: %q, want %q", got, c.d)
				}
				if got := boolStrings(t, out, "b"); !slices.Equal(got, c.b) {
					t.Errorf("b: %q, want %q", got, c.b)
				}
			}
			if slices.Contains(c.outputs, "x_missing") {
				want := []string{"f", "t", "f", "f", "t", "f"}
				if got := boolStrings(t, out, "x_missing"); !slices.Equal(got, want) {
					t.Errorf("x_missing: %q, want %q", got, want)
				}
			}
			if slices.Contains(c.outputs, "d_missing") {
				want := []string{"f", "f", "t", "f", "f", "f"}
				if got := boolStrings(t, out, "d_missing"); !slices.Equal(got, want) {
					t.Errorf("d_missing: %q, want %q", got, want)
				}
			}
		})
	}
}

// At predict time, columns that had no missing values in training are
// imputed too (without an indicator), unseen levels are kept, and columns
// of the null type count as entirely missing.
func TestImputerPredict(t *testing.T) {
	f := imputeFrame(t)
	defer f.Release()
	m, _ := mustFit(t, Imputer{}, f, estimators.Spec{Target: "y"}, map[string]any{"strategy": "most_frequent", "add_indicator": true})
	s := m.Summary()
	if got := s["statistics"].([]any); !slices.Equal(got, []any{3.0, 2.0, "a", "lo", false}) {
		t.Errorf("statistics %v", got)
	}
	if got := m.Inputs(); !slices.Equal(got[2].Categories, []string{"a", "b"}) || !slices.Equal(got[3].Categories, []string{"hi", "lo"}) || got[0].Categories != nil {
		t.Errorf("inputs %v", got)
	}
	test := frameOf(t,
		col{"x", f64(na, 2)},
		col{"k", f64(math.NaN(), 3)},
		col{"s", strs("new", nullStr)},
		col{"d", array.NewNull(2)},
		col{"b", array.NewNull(2)},
	)
	defer test.Release()
	out := mustApply(t, m, test)
	if got := floatsOf(t, out, "k"); !slices.Equal(got, []float64{2, 3}) {
		t.Errorf("k: %v", got)
	}
	if got := stringsOf(t, out, "s"); !slices.Equal(got, []string{"new", "a"}) {
		t.Errorf("s: %q", got)
	}
	if got := stringsOf(t, out, "d"); !slices.Equal(got, []string{"lo", "lo"}) {
		t.Errorf("d: %q", got)
	}
	if got := boolStrings(t, out, "b_missing"); !slices.Equal(got, []string{"t", "t"}) {
		t.Errorf("b_missing: %q", got)
	}
	if out.Column("k_missing") != nil {
		t.Errorf("k has an indicator: %q", out.Names())
	}
}

func TestImputerErrors(t *testing.T) {
	f := frameOf(t,
		col{"b", boolsOf("t", "")},
		col{"none", strs(nullStr, nullStr)},
		col{"nonum", f64(na, math.NaN())},
		col{"inf", f64(1, math.Inf(1))},
		col{"x_missing", f64(1, 2)},
		col{"x", f64(1, na)},
	)
	defer f.Release()
	for _, c := range []struct {
		name     string
		features []string
		params   map[string]any
	}{
		{"bool fill 0.5", []string{"b"}, map[string]any{"strategy": "constant", "fill_value": 0.5}},
		{"no strings", []string{"none"}, map[string]any{"strategy": "most_frequent"}},
		{"no numbers", []string{"nonum"}, map[string]any{"strategy": "median"}},
		{"infinite", []string{"inf"}, map[string]any{"strategy": "mean"}},
		{"indicator over a column", []string{"x"}, map[string]any{"add_indicator": true}},
		{"indicator over an output", []string{"x", "x_missing"}, map[string]any{"add_indicator": true}},
	} {
		_, _, err := Imputer{}.Fit(context.Background(), f, estimators.Spec{Features: c.features}, c.params)
		wantKind(t, c.name, err, engine.KindValue)
	}
	// A constant needs no statistic: infinite values and empty columns are
	// fine.
	m, _ := mustFit(t, Imputer{}, f, estimators.Spec{Features: []string{"inf", "nonum", "none"}}, map[string]any{"strategy": "constant", "add_indicator": true})
	out := mustApply(t, m, f)
	if got := floatsOf(t, out, "inf"); !slices.Equal(got, []float64{1, math.Inf(1)}) {
		t.Errorf("inf: %v", got)
	}
	if got := stringsOf(t, out, "none"); !slices.Equal(got, []string{"missing_value", "missing_value"}) {
		t.Errorf("none: %q", got)
	}
}

// A bool column named with mean or median is read as 0 and 1.
func TestImputerBoolMean(t *testing.T) {
	f := frameOf(t, col{"b", boolsOf("t", "", "t", "f")})
	defer f.Release()
	m, _ := mustFit(t, Imputer{}, f, estimators.Spec{Features: []string{"b"}}, nil)
	out := mustApply(t, m, f)
	if got := floatsOf(t, out, "b"); !sameFloats(got, []float64{1, 2.0 / 3, 1, 0}, 1e-15) {
		t.Errorf("b: %v", got)
	}
	if m.Outputs()[0].Type != arrow.PrimitiveTypes.Float64.String() {
		t.Errorf("outputs %v", m.Outputs())
	}
}
