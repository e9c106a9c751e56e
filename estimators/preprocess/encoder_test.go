package preprocess

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// encodeFrame has a string column with missing values (s: a×3, b×2, c×1),
// a dictionary without (d: x×3, y×3, z×1), a bool (b) and a number (n).
func encodeFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"s", strs("b", "a", nullStr, "c", "a", "b", "a")},
		col{"d", dict("x", "y", "x", "x", "y", "y", "z")},
		col{"b", boolsOf("t", "f", "t", "t", "f", "t", "t")},
		col{"n", f64(1, 2, 3, 4, 5, 6, 7)},
	)
}

// encodeTest has unseen levels and missing values in every column.
func encodeTest(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"s", strs("c", "zzz", nullStr, "a")},
		col{"d", dict("z", "x", "new", nullStr)},
		col{"b", boolsOf("t", "f", "", "t")},
	)
}

func TestOneHot(t *testing.T) {
	f := encodeFrame(t)
	defer f.Release()
	test := encodeTest(t)
	defer test.Release()
	for _, c := range []struct {
		name   string
		params map[string]any
		want   map[string][]float64 // output -> values on encodeTest, in output order
		order  []string
		infreq [][]string
	}{
		{"default", nil, map[string][]float64{
			"s_a": {0, 0, 0, 1}, "s_b": {0, 0, 0, 0}, "s_c": {1, 0, 0, 0}, "s_NA": {0, 0, 1, 0},
			"d_x": {0, 1, 0, 0}, "d_y": {0, 0, 0, 0}, "d_z": {1, 0, 0, 0},
			"b_false": {0, 1, 0, 0}, "b_true": {1, 0, 0, 1},
		}, []string{"s_a", "s_b", "s_c", "s_NA", "d_x", "d_y", "d_z", "b_false", "b_true"}, [][]string{{}, {}, {}}},
		// scikit-learn's tie rule: of x and y (3 each), the later is kept.
		{"max_categories 2", map[string]any{"max_categories": 2}, map[string][]float64{
			"s_a": {0, 0, 0, 1}, "s_NA": {0, 0, 1, 0}, "s_infrequent": {1, 0, 0, 0},
			"d_y": {0, 0, 0, 0}, "d_infrequent": {1, 1, 0, 0},
			"b_false": {0, 1, 0, 0}, "b_true": {1, 0, 0, 1},
		}, []string{"s_a", "s_NA", "s_infrequent", "d_y", "d_infrequent", "b_false", "b_true"}, [][]string{{"b", "c"}, {"x", "z"}, {}}},
		{"max_categories 1", map[string]any{"max_categories": 1}, map[string][]float64{
			"s_NA": {0, 0, 1, 0}, "s_infrequent": {1, 0, 0, 1},
			"d_infrequent": {1, 1, 0, 0},
			"b_infrequent": {1, 1, 0, 1},
		}, []string{"s_NA", "s_infrequent", "d_infrequent", "b_infrequent"}, [][]string{{"a", "b", "c"}, {"x", "y", "z"}, {"false", "true"}}},
		{"max_categories 3", map[string]any{"max_categories": 3}, nil,
			[]string{"s_a", "s_b", "s_c", "s_NA", "d_x", "d_y", "d_z", "b_false", "b_true"}, [][]string{{}, {}, {}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, OneHot{}, f, estimators.Spec{Target: "n"}, c.params)
			if got := fieldNames(m.Outputs()); !slices.Equal(got, c.order) {
				t.Fatalf("outputs %q, want %q", got, c.order)
			}
			if got := m.(estimators.Transformer).Replaces(); !slices.Equal(got, []string{"s", "d", "b"}) {
				t.Errorf("replaces %q", got)
			}
			in := m.Inputs()
			if !slices.Equal(in[0].Categories, []string{"a", "b", "c"}) || !slices.Equal(in[1].Categories, []string{"x", "y", "z"}) || in[2].Categories != nil {
				t.Errorf("inputs %v", in)
			}
			if got := m.Summary()["infrequent_categories"].([][]string); !slices.EqualFunc(got, c.infreq, slices.Equal) {
				t.Errorf("infrequent %q, want %q", got, c.infreq)
			}
			out := mustApply(t, m, test)
			if !slices.Equal(out.Names(), c.order) {
				t.Fatalf("apply gives %q", out.Names())
			}
			for name, want := range c.want {
				if got := floatsOf(t, out, name); !slices.Equal(got, want) {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
			// On the training frame every row has exactly one 1 per column.
			train := mustApply(t, m, f)
			for i := range f.NumRows() {
				sum := 0.0
				for _, name := range train.Names() {
					sum += floatsOf(t, train, name)[i]
				}
				if sum != 3 {
					t.Errorf("training row %d has %v ones", i, sum)
				}
			}
		})
	}
}

func TestOneHotErrors(t *testing.T) {
	f := encodeFrame(t)
	defer f.Release()
	test := encodeTest(t)
	defer test.Release()
	m, _ := mustFit(t, OneHot{}, f, estimators.Spec{}, map[string]any{"handle_unknown": "error"})
	_, err := m.Apply(context.Background(), test, 1)
	wantKind(t, "unseen level", err, engine.KindValue)
	// Missing values count as unseen for d, which had none in training,
	// but not for s.
	onlyMissing := frameOf(t, col{"s", strs(nullStr)}, col{"d", dict("x")}, col{"b", boolsOf("t")})
	defer onlyMissing.Release()
	mustApply(t, m, onlyMissing)
	missingD := frameOf(t, col{"s", strs("a")}, col{"d", dict(nullStr)}, col{"b", boolsOf("t")})
	defer missingD.Release()
	_, err = m.Apply(context.Background(), missingD, 1)
	wantKind(t, "missing without _NA", err, engine.KindValue)

	for _, c := range []struct {
		name string
		cols []col
	}{
		{"output over a column", []col{{"s", strs("x", "y")}, {"s_x", f64(1, 2)}}},
		{"two outputs of one name", []col{{"a", strs("b_c", "d")}, {"a_b", strs("c", "e")}}},
		{"a level named NA", []col{{"s", strs("NA", nullStr)}}},
		{"a level named infrequent", []col{{"s", strs("infrequent", "infrequent", "a", "b", "c")}}},
	} {
		g := frameOf(t, c.cols...)
		_, _, err := OneHot{}.Fit(context.Background(), g, estimators.Spec{}, map[string]any{"max_categories": 2})
		wantKind(t, c.name, err, engine.KindValue)
		g.Release()
	}
}

// A bool column with one value in training has one level; a null-typed
// column at predict time is entirely missing.
func TestOneHotBoolAndNull(t *testing.T) {
	f := frameOf(t, col{"b", boolsOf("t", "t", "")}, col{"s", strs("a", nullStr, "b")})
	defer f.Release()
	m, _ := mustFit(t, OneHot{}, f, estimators.Spec{}, nil)
	if got := fieldNames(m.Outputs()); !slices.Equal(got, []string{"b_true", "b_NA", "s_a", "s_b", "s_NA"}) {
		t.Fatalf("outputs %q", got)
	}
	test := frameOf(t, col{"b", boolsOf("f", "t")}, col{"s", array.NewNull(2)})
	defer test.Release()
	out := mustApply(t, m, test)
	for name, want := range map[string][]float64{"b_true": {0, 1}, "b_NA": {0, 0}, "s_a": {0, 0}, "s_NA": {1, 1}} {
		if got := floatsOf(t, out, name); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

func TestOrdinalEncoder(t *testing.T) {
	f := encodeFrame(t)
	defer f.Release()
	test := encodeTest(t)
	defer test.Release()
	nan := math.NaN()
	for _, c := range []struct {
		name    string
		params  map[string]any
		s, d, b []float64
	}{
		{"nan", nil, []float64{2, nan, nan, 0}, []float64{2, 0, nan, nan}, []float64{1, 0, nan, 1}},
		{"encoded value", map[string]any{"handle_unknown": "use_encoded_value", "unknown_value": -1},
			[]float64{2, -1, -1, 0}, []float64{2, 0, -1, -1}, []float64{1, 0, -1, 1}},
		{"encoded value beyond the codes", map[string]any{"handle_unknown": "use_encoded_value", "unknown_value": 3},
			[]float64{2, 3, 3, 0}, []float64{2, 0, 3, 3}, []float64{1, 0, 3, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, OrdinalEncoder{}, f, estimators.Spec{}, c.params)
			if got := fieldNames(m.Outputs()); !slices.Equal(got, []string{"s", "d", "b"}) {
				t.Fatalf("outputs %q", got)
			}
			if got := m.(estimators.Transformer).Replaces(); !slices.Equal(got, []string{"s", "d", "b"}) {
				t.Errorf("replaces %q", got)
			}
			out := mustApply(t, m, test)
			for name, want := range map[string][]float64{"s": c.s, "d": c.d, "b": c.b} {
				if got := floatsOf(t, out, name); !sameFloats(got, want, 0) {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
		})
	}
	m, _ := mustFit(t, OrdinalEncoder{}, f, estimators.Spec{}, map[string]any{"handle_unknown": "error"})
	_, err := m.Apply(context.Background(), test, 1)
	wantKind(t, "unseen level", err, engine.KindValue)
	missing := frameOf(t, col{"s", strs(nullStr, "b")}, col{"d", dict("y", nullStr)}, col{"b", boolsOf("", "f")})
	defer missing.Release()
	out := mustApply(t, m, missing)
	if got := floatsOf(t, out, "s"); !sameFloats(got, []float64{nan, 1}, 0) {
		t.Errorf("missing values with handle_unknown='error': %v", got)
	}
	if got := m.Summary()["categories"].([][]string); !slices.EqualFunc(got, [][]string{{"a", "b", "c"}, {"x", "y", "z"}, {"false", "true"}}, slices.Equal) {
		t.Errorf("categories %q", got)
	}
	for name, params := range map[string]map[string]any{
		"unknown_value without its mode": {"unknown_value": 5},
		"unknown_value that is a code":   {"handle_unknown": "use_encoded_value", "unknown_value": 1},
		"bad mode":                       {"handle_unknown": "ignore"},
	} {
		_, _, err := OrdinalEncoder{}.Fit(context.Background(), f, estimators.Spec{}, params)
		wantKind(t, name, err, engine.KindValue)
	}
}
