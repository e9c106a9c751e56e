package preprocess

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// numpy's quantile and linspace, bit for bit (values from numpy).
func TestQuantileAndLinspace(t *testing.T) {
	x := []float64{3.0, -1.5, 7.25, 0.1, 2.0, 10.0, 4.4}
	slices.Sort(x)
	for _, c := range []struct{ q, want float64 }{
		{0, -1.5}, {0.1, -0.5399999999999999}, {0.25, 1.05}, {0.3, 1.6199999999999997},
		{0.5, 3.0}, {0.9, 8.350000000000001}, {1, 10.0},
	} {
		if got := quantile(x, c.q); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := quantile([]float64{5}, 0.3); got != 5 {
		t.Errorf("quantile of one value: %v", got)
	}
	if got := linspace(-1.5, 10, 5); !slices.Equal(got, []float64{-1.5, 1.375, 4.25, 7.125, 10}) {
		t.Errorf("linspace %v", got)
	}
	if got := bucketEdges(x, 3, strategyQuantile); !slices.Equal(got, []float64{-1.5, 2, 4.4, 10}) {
		t.Errorf("quantile edges %v", got)
	}
	// Edges within 1e-8 of the one before merge, as in scikit-learn.
	ties := []float64{0, 0, 0, 0, 0, 0, 1, 2}
	if got := bucketEdges(ties, 4, strategyQuantile); !slices.Equal(got, []float64{0, 0.25, 2}) {
		t.Errorf("tied edges %v", got)
	}
	if got := bucketEdges([]float64{1, 1 + 1e-12}, 3, strategyQuantile); len(got) != 2 {
		t.Errorf("a range within 1e-8: %v", got)
	}
}

func TestLogTransform(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	xs := []float64{1, 2, math.NaN(), 4, math.NaN()}
	for _, c := range []struct {
		name   string
		params map[string]any
		f      func(float64) float64
	}{
		{"log1p", nil, math.Log1p},
		{"log", map[string]any{"function": "log"}, math.Log},
		{"log1p with offset", map[string]any{"offset": -1}, func(v float64) float64 { return math.Log1p(v - 1) }},
		{"log with offset", map[string]any{"function": "log", "offset": 0.5}, func(v float64) float64 { return math.Log(v + 0.5) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, LogTransform{}, f, estimators.Spec{Target: "y", Features: []string{"x", "k"}}, c.params)
			if !slices.Equal(log["data_min"].([]float64), []float64{1, 1}) {
				t.Errorf("data_min %v", log["data_min"])
			}
			out := mustApply(t, m, f)
			want := make([]float64, len(xs))
			for i, v := range xs {
				want[i] = c.f(v)
			}
			if got := floatsOf(t, out, "x"); !sameFloats(got, want, 0) {
				t.Errorf("x: %v, want %v", got, want)
			}
			if got := m.(estimators.Transformer).Replaces(); !slices.Equal(got, []string{"x", "k"}) {
				t.Errorf("replaces %q", got)
			}
		})
	}
	m, _ := mustFit(t, LogTransform{}, f, estimators.Spec{Target: "y", Weight: "w"}, nil)
	if got := fieldNames(m.Inputs()); !slices.Equal(got, []string{"x", "c", "k"}) {
		t.Errorf("default inputs %q", got)
	}
	neg := frameOf(t, col{"x", f64(3, -0.5, math.NaN())}, col{"z", f64(0, 1, 2)})
	defer neg.Release()
	for _, c := range []struct {
		name     string
		features []string
		params   map[string]any
		bad      bool
	}{
		{"negative", []string{"x"}, nil, true},
		{"negative with an offset", []string{"x"}, map[string]any{"offset": 0.5}, false},
		{"zero for log", []string{"z"}, map[string]any{"function": "log"}, true},
		{"zero for log1p", []string{"z"}, nil, false},
		{"an offset too small", []string{"z"}, map[string]any{"offset": -0.5}, true},
	} {
		_, _, err := LogTransform{}.Fit(context.Background(), neg, estimators.Spec{Features: c.features}, c.params)
		if !c.bad {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantKind(t, c.name, err, engine.KindValue)
		if err != nil && (!strings.Contains(err.Error(), `"`+c.features[0]+`"`) || !strings.Contains(err.Error(), "negative") || !strings.Contains(err.Error(), `"offset"`)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// At predict time too.
	m, _ = mustFit(t, LogTransform{}, f, estimators.Spec{Features: []string{"x"}}, map[string]any{"function": "log"})
	for _, v := range []float64{0, -1, -1e300} { // (f64 reads -Inf as null)
		test := frameOf(t, col{"x", f64(1, v)})
		_, err := m.Apply(context.Background(), test, 1)
		wantKind(t, "log of a value out of its domain", err, engine.KindValue)
		test.Release()
	}
	inf := frameOf(t, col{"x", f64(math.Inf(1), na)})
	defer inf.Release()
	if got := floatsOf(t, mustApply(t, m, inf), "x"); !math.IsInf(got[0], 1) || !math.IsNaN(got[1]) {
		t.Errorf("+Inf and null: %v", got)
	}
}

func TestClip(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	test := frameOf(t, col{"x", f64(-2, 1, 2.5, 4, 7, math.NaN())}, col{"k", f64(0, 2, 5, 9, 11, na)})
	defer test.Release()
	nan := math.NaN()
	for _, c := range []struct {
		name   string
		params map[string]any
		x, k   []float64
	}{
		{"training range", nil, []float64{1, 1, 2.5, 4, 4, nan}, []float64{1, 2, 5, 9, 10, nan}},
		// x's values 1, 2, 4: quantiles 0.25 → 1.5, 0.75 → 3; k's 1, 2, 3, 4, 10: 2 and 4.
		{"quantiles", map[string]any{"quantile_low": 0.25, "quantile_high": 0.75}, []float64{1.5, 1.5, 2.5, 3, 3, nan}, []float64{2, 2, 4, 4, 4, nan}},
		{"values", map[string]any{"bounds": "value", "low": 0, "high": 3}, []float64{0, 1, 2.5, 3, 3, nan}, []float64{0, 2, 3, 3, 3, nan}},
		{"only a lower value", map[string]any{"bounds": "value", "low": 2}, []float64{2, 2, 2.5, 4, 7, nan}, []float64{2, 2, 5, 9, 11, nan}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, Clip{}, f, estimators.Spec{Features: []string{"x", "k"}}, c.params)
			out := mustApply(t, m, test)
			if got := floatsOf(t, out, "x"); !sameFloats(got, c.x, 1e-15) {
				t.Errorf("x: %v, want %v", got, c.x)
			}
			if got := floatsOf(t, out, "k"); !sameFloats(got, c.k, 1e-15) {
				t.Errorf("k: %v, want %v", got, c.k)
			}
		})
	}
	m, _ := mustFit(t, Clip{}, f, estimators.Spec{Features: []string{"x"}}, map[string]any{"bounds": "value", "high": 3})
	if s := m.Summary(); s["low"].([]any)[0] != nil || s["high"].([]any)[0] != 3.0 {
		t.Errorf("summary %v", s)
	}
	bad := frameOf(t, col{"inf", f64(1, math.Inf(1))}, col{"none", f64(math.NaN(), na)})
	defer bad.Release()
	for _, c := range []struct {
		name     string
		features []string
		params   map[string]any
		want     string
	}{
		{"inverted quantiles", []string{"inf"}, map[string]any{"quantile_low": 0.8, "quantile_high": 0.2}, "quantile_low"},
		{"inverted values", []string{"inf"}, map[string]any{"bounds": "value", "low": 1, "high": 0}, `"low"`},
		{"inactive low", []string{"inf"}, map[string]any{"low": 1}, `"low"`},
		{"quantile out of range", []string{"inf"}, map[string]any{"quantile_high": 1.5}, "quantile_high"},
		{"infinite", []string{"inf"}, nil, `"inf"`},
		{"only missing", []string{"none"}, nil, `"none"`},
	} {
		_, _, err := Clip{}.Fit(context.Background(), bad, estimators.Spec{Features: c.features}, c.params)
		wantKind(t, c.name, err, engine.KindValue)
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// With bounds='value' nothing is learnt, so infinite values are fine.
	m, _ = mustFit(t, Clip{}, bad, estimators.Spec{Features: []string{"inf"}}, map[string]any{"bounds": "value", "high": 5})
	if got := floatsOf(t, mustApply(t, m, bad), "inf"); !slices.Equal(got, []float64{1, 5}) {
		t.Errorf("clipped infinity: %v", got)
	}
}

func TestBucketize(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	test := frameOf(t, col{"x", f64(-5, 1, 1.9, 2, 2.5, 4, 100, math.NaN())}, col{"k", f64(0, 1, 2, 2.5, 3.4, 4, 10, na)}, col{"c", f64(1, 5, 9, 5, 5, 5, 5, 5)})
	defer test.Release()
	nan := math.NaN()
	for _, c := range []struct {
		name      string
		params    map[string]any
		edges     [][]float64
		x, k      []float64
		nBuckets  []int
		constants []float64
	}{
		// x: 1, 2, 4; k: 1, 2, 3, 4, 10.
		{"quantile", map[string]any{"n_buckets": 2}, [][]float64{{1, 2, 4}, {1, 3, 10}, {5, 5}},
			[]float64{0, 0, 0, 1, 1, 1, 1, nan}, []float64{0, 0, 0, 0, 1, 1, 1, nan}, []int{2, 2, 1}, []float64{0, 0, 0, 0, 0, 0, 0, 0}},
		{"uniform", map[string]any{"n_buckets": 3, "strategy": "uniform"}, [][]float64{{1, 2, 3, 4}, {1, 4, 7, 10}, {5, 5}},
			[]float64{0, 0, 0, 1, 1, 2, 2, nan}, []float64{0, 0, 0, 0, 0, 1, 2, nan}, []int{3, 3, 1}, []float64{0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, Bucketize{}, f, estimators.Spec{Features: []string{"x", "k", "c"}}, c.params)
			bm := m.(*BucketizeModel)
			if got := bm.Edges(); !slices.EqualFunc(got, c.edges, func(a, b []float64) bool { return sameFloats(a, b, 1e-15) }) {
				t.Errorf("edges %v, want %v", got, c.edges)
			}
			if !slices.Equal(log["n_buckets"].([]int), c.nBuckets) {
				t.Errorf("n_buckets %v", log["n_buckets"])
			}
			out := mustApply(t, m, test)
			for name, want := range map[string][]float64{"x": c.x, "k": c.k, "c": c.constants} {
				if got := floatsOf(t, out, name); !sameFloats(got, want, 0) {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
		})
	}
	bad := frameOf(t, col{"inf", f64(1, math.Inf(1))}, col{"none", f64(math.NaN(), math.NaN())}, col{"wide", f64(-math.MaxFloat64, math.MaxFloat64)})
	defer bad.Release()
	for _, name := range []string{"inf", "none", "wide"} {
		_, _, err := Bucketize{}.Fit(context.Background(), bad, estimators.Spec{Features: []string{name}}, nil)
		wantKind(t, name, err, engine.KindValue)
	}
	_, _, err := Bucketize{}.Fit(context.Background(), f, estimators.Spec{}, map[string]any{"n_buckets": 1})
	wantKind(t, "one bucket", err, engine.KindValue)
	_, _, err = Bucketize{}.Fit(context.Background(), f, estimators.Spec{}, map[string]any{"strategy": "kmeans"})
	wantKind(t, "kmeans", err, engine.KindValue)
}
