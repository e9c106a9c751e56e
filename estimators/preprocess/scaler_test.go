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

func TestSpaces(t *testing.T) {
	want := []string{StandardScalerName, MinMaxScalerName, ImputerName, OneHotName, OrdinalEncoderName,
		TargetEncoderName, RegexFeaturesName, HashedTokensName, LogTransformName, ClipName, BucketizeName,
		SelectColumnsName, DropColumnsName, RenameColumnsName}
	for i, l := range allLearners {
		sp := l.Space()
		if err := sp.Check(); err != nil {
			t.Errorf("%s: %v", l.Name(), err)
		}
		if l.Name() != want[i] || sp.Learner != want[i] || !sp.Transformer || sp.Holdout != "" {
			t.Errorf("%s: space %q, transformer %v, holdout %q", l.Name(), sp.Learner, sp.Transformer, sp.Holdout)
		}
		if got, err := estimators.Lookup(want[i]); err != nil || got.Name() != want[i] {
			t.Errorf("%s is not registered: %v", want[i], err)
		}
	}
}

// numericFrame has numeric columns with missing values (x), a constant (c),
// integers (k), and columns the numeric steps leave alone by default: a
// string (s), a bool (b), the target (y) and the weight (w).
func numericFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"x", f64(1, 2, math.NaN(), 4, na)},
		col{"c", f64(5, 5, 5, 5, 5)},
		col{"k", i64(1, 2, 3, 4, 10)},
		col{"s", strs("a", "b", "a", "c", "b")},
		col{"b", boolsOf("t", "f", "t", "t", "")},
		col{"y", f64(0, 1, 0, 1, 0)},
		col{"w", f64(1, 1, 1, 1, 2)},
	)
}

// refStandard standardizes x (NaN missing) naively.
func refStandard(x []float64, withMean, withStd bool) []float64 {
	var sum float64
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	mean := sum / float64(n)
	var ss float64
	for _, v := range x {
		if !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	std := math.Sqrt(ss / float64(n))
	if std == 0 || !withStd {
		std = 1
	}
	if !withMean {
		mean = 0
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = (v - mean) / std
	}
	return out
}

func TestStandardScaler(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	xs := map[string][]float64{
		"x": {1, 2, math.NaN(), 4, math.NaN()},
		"c": {5, 5, 5, 5, 5},
		"k": {1, 2, 3, 4, 10},
		"b": {1, 0, 1, 1, math.NaN()},
	}
	for _, c := range []struct {
		name     string
		params   map[string]any
		features []string
		want     []string
	}{
		{"default", nil, nil, []string{"x", "c", "k"}},
		{"without mean", map[string]any{"with_mean": false}, nil, []string{"x", "c", "k"}},
		{"without std", map[string]any{"with_std": false}, nil, []string{"x", "c", "k"}},
		{"neither", map[string]any{"with_std": false, "with_mean": false}, []string{"k"}, []string{"k"}},
		{"named bool", nil, []string{"b", "x"}, []string{"b", "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, StandardScaler{}, f, estimators.Spec{Target: "y", Weight: "w", Features: c.features}, c.params)
			if got := fieldNames(m.Inputs()); !slices.Equal(got, c.want) {
				t.Fatalf("inputs %q, want %q", got, c.want)
			}
			tr := m.(estimators.Transformer)
			if !slices.Equal(tr.Replaces(), c.want) || !slices.Equal(fieldNames(m.Outputs()), c.want) {
				t.Errorf("replaces %q, outputs %v", tr.Replaces(), m.Outputs())
			}
			if len(log["warnings"].([]string)) != 1 {
				t.Errorf("no warning about the unused weight: %v", log["warnings"])
			}
			out := mustApply(t, m, f)
			if !slices.Equal(out.Names(), c.want) {
				t.Errorf("apply gives %q", out.Names())
			}
			vals, _ := StandardScalerSpace().Validate(c.params)
			for _, name := range c.want {
				want := refStandard(xs[name], vals.Bool("with_mean"), vals.Bool("with_std"))
				if got := floatsOf(t, out, name); !sameFloats(got, want, 1e-14) {
					t.Errorf("%s: got %v, want %v", name, got, want)
				}
			}
		})
	}
	m, _ := mustFit(t, StandardScaler{}, f, estimators.Spec{Features: []string{"x", "c"}}, nil)
	s := m.Summary()
	if mean := s["mean"].([]float64); !sameFloats(mean, []float64{7.0 / 3, 5}, 1e-15) {
		t.Errorf("mean %v", mean)
	}
	if v := s["var"].([]float64); !sameFloats(v, []float64{14.0 / 9, 0}, 1e-15) {
		t.Errorf("var %v", v)
	}
	if sc := s["scale"].([]float64); !sameFloats(sc, []float64{math.Sqrt(14) / 3, 1}, 1e-15) {
		t.Errorf("scale %v", sc)
	}
	if n := s["n_samples_seen"].([]int64); !slices.Equal(n, []int64{3, 5}) {
		t.Errorf("n_samples_seen %v", n)
	}
}

// A column that is constant up to rounding is scaled by 1, as in
// scikit-learn, rather than blown up by its rounding noise.
func TestStandardScalerNearConstant(t *testing.T) {
	v := 0.1 + 0.2
	f := frameOf(t, col{"x", f64(v, 0.3, v, 0.3, v)})
	defer f.Release()
	m, _ := mustFit(t, StandardScaler{}, f, estimators.Spec{}, nil)
	if sc := m.(*StandardScalerModel).Scale(); sc[0] != 1 {
		t.Errorf("scale %v, want 1", sc)
	}
}

func TestMinMaxScaler(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	test := frameOf(t, col{"x", f64(-2, 1, 2.5, 4, 7, math.NaN())}, col{"c", f64(4, 5, 6, 5, 5, na)})
	defer test.Release()
	for _, c := range []struct {
		name   string
		params map[string]any
		x, c   []float64
	}{
		{"default", nil,
			[]float64{-1, 0, 0.5, 1, 2, math.NaN()}, []float64{-1, 0, 1, 0, 0, math.NaN()}},
		{"range", map[string]any{"feature_range_low": -1, "feature_range_high": 1.0},
			[]float64{-3, -1, 0, 1, 3, math.NaN()}, []float64{-3, -1, 1, -1, -1, math.NaN()}},
		{"clip", map[string]any{"feature_range_low": -1, "feature_range_high": 1.0, "clip": true},
			[]float64{-1, -1, 0, 1, 1, math.NaN()}, []float64{-1, -1, 1, -1, -1, math.NaN()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, MinMaxScaler{}, f, estimators.Spec{Features: []string{"x", "c"}}, c.params)
			out := mustApply(t, m, test)
			if got := floatsOf(t, out, "x"); !sameFloats(got, c.x, 1e-15) {
				t.Errorf("x: got %v, want %v", got, c.x)
			}
			if got := floatsOf(t, out, "c"); !sameFloats(got, c.c, 1e-15) {
				t.Errorf("c: got %v, want %v", got, c.c)
			}
		})
	}
	m, _ := mustFit(t, MinMaxScaler{}, f, estimators.Spec{Target: "y", Weight: "w"}, nil)
	s := m.Summary()
	if !slices.Equal(s["features"].([]string), []string{"x", "c", "k"}) ||
		!slices.Equal(s["data_min"].([]float64), []float64{1, 5, 1}) || !slices.Equal(s["data_max"].([]float64), []float64{4, 5, 10}) {
		t.Errorf("summary %v", s)
	}
}

// Errors common to every learner of the package, and those of the scalers.
func TestFitErrors(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	empty := frameOf(t, col{"x", f64()})
	defer empty.Release()
	strings := frameOf(t, col{"s", strs("a")}, col{"b", boolsOf("t")})
	defer strings.Release()
	numbers := frameOf(t, col{"x", f64(1, 2)})
	defer numbers.Release()
	bad := frameOf(t, col{"inf", f64(1, math.Inf(1))}, col{"none", f64(math.NaN(), na)},
		col{"huge", f64(-math.MaxFloat64, math.MaxFloat64)}, col{"big", f64(math.MaxFloat64, math.MaxFloat64)})
	defer bad.Release()
	type fit struct {
		l      estimators.Learner
		data   *engine.Frame
		spec   estimators.Spec
		params map[string]any
	}
	for _, c := range []struct {
		name string
		fit
		kind engine.Kind
	}{
		{"empty frame", fit{StandardScaler{}, empty, estimators.Spec{}, nil}, engine.KindValue},
		{"nil frame", fit{OneHot{}, nil, estimators.Spec{}, nil}, engine.KindValue},
		{"nothing numeric", fit{StandardScaler{}, strings, estimators.Spec{}, nil}, engine.KindValue},
		{"nothing categorical", fit{OrdinalEncoder{}, numbers, estimators.Spec{}, nil}, engine.KindValue},
		{"nothing for the mean", fit{Imputer{}, strings, estimators.Spec{}, nil}, engine.KindValue},
		{"string feature", fit{MinMaxScaler{}, f, estimators.Spec{Features: []string{"x", "s"}}, nil}, engine.KindType},
		{"numeric feature", fit{OneHot{}, f, estimators.Spec{Features: []string{"x"}}, nil}, engine.KindType},
		{"string mean", fit{Imputer{}, f, estimators.Spec{Features: []string{"s"}}, map[string]any{"strategy": "median"}}, engine.KindType},
		{"missing feature", fit{StandardScaler{}, f, estimators.Spec{Features: []string{"nope"}}, nil}, engine.KindColumn},
		{"target as feature", fit{StandardScaler{}, f, estimators.Spec{Target: "y", Features: []string{"y"}}, nil}, engine.KindValue},
		{"repeated feature", fit{StandardScaler{}, f, estimators.Spec{Features: []string{"x", "x"}}, nil}, engine.KindValue},
		{"validation frame", fit{StandardScaler{}, f, estimators.Spec{Valid: f}, nil}, engine.KindValue},
		{"unknown param", fit{StandardScaler{}, f, estimators.Spec{}, map[string]any{"with_means": true}}, engine.KindValue},
		{"bad strategy", fit{Imputer{}, f, estimators.Spec{}, map[string]any{"strategy": "mode"}}, engine.KindValue},
		{"inverted range", fit{MinMaxScaler{}, f, estimators.Spec{}, map[string]any{"feature_range_low": 1.0, "feature_range_high": 1.0}}, engine.KindValue},
		{"infinite", fit{StandardScaler{}, bad, estimators.Spec{Features: []string{"inf"}}, nil}, engine.KindValue},
		{"only missing", fit{MinMaxScaler{}, bad, estimators.Spec{Features: []string{"none"}}, nil}, engine.KindValue},
		{"range overflows", fit{MinMaxScaler{}, bad, estimators.Spec{Features: []string{"huge"}}, nil}, engine.KindValue},
		{"sum overflows", fit{StandardScaler{}, bad, estimators.Spec{Features: []string{"big"}}, nil}, engine.KindValue},
	} {
		_, _, err := c.l.Fit(context.Background(), c.data, c.spec, c.params)
		wantKind(t, c.name, err, c.kind)
	}
}

func TestApplyErrors(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	wrong := frameOf(t, col{"x", strs("1")}, col{"s", f64(1)}, col{"b", strs("t")})
	defer wrong.Release()
	other := frameOf(t, col{"z", f64(1)})
	defer other.Release()
	for _, c := range []struct {
		l        estimators.Learner
		features []string
		params   map[string]any
	}{
		{StandardScaler{}, []string{"x"}, nil},
		{MinMaxScaler{}, []string{"x"}, nil},
		{Imputer{}, []string{"x"}, nil},
		{Imputer{}, []string{"s"}, map[string]any{"strategy": "most_frequent"}},
		{Imputer{}, []string{"b"}, map[string]any{"strategy": "most_frequent"}},
		{OneHot{}, []string{"s"}, nil},
		{OneHot{}, []string{"b"}, nil},
		{OrdinalEncoder{}, []string{"s"}, nil},
	} {
		m, _ := mustFit(t, c.l, f, estimators.Spec{Features: c.features}, c.params)
		_, err := m.Apply(context.Background(), other, 1)
		wantKind(t, c.l.Name()+" without its column", err, engine.KindColumn)
		_, err = m.Apply(context.Background(), wrong, 1)
		wantKind(t, c.l.Name()+" on a column of another type", err, engine.KindType)
	}
}

// Work is split by columns and chunks of rows whose bounds do not depend on
// the thread count, so every thread count gives the same bits; a cancelled
// context stops fits and applies.
func TestThreadsAndCancel(t *testing.T) {
	n := 3*engine.ChunkRows + 17
	x := make([]float64, n)
	s := make([]string, n)
	for i := range x {
		x[i] = math.Sin(float64(i)) * 1e3
		if i%97 == 0 {
			x[i] = math.NaN()
		}
		s[i] = string(rune('a' + i%7))
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(i % 3 % 2)
	}
	f := frameOf(t, col{"x", f64(x...)}, col{"s", strs(s...)}, col{"y", f64(y...)})
	defer f.Release()
	for _, l := range allLearners {
		spec, params := fitArgs(l)
		var first []*engine.Frame
		for _, threads := range []int{1, 3} {
			if _, ok := l.Space().Param("n_threads"); ok {
				params["n_threads"] = threads
			}
			m, _ := mustFit(t, l, f, spec, params)
			out, err := m.Apply(context.Background(), f, threads)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			first = append(first, out)
		}
		for _, name := range first[0].Names() {
			a, b := first[0].Column(name), first[1].Column(name)
			if a.String() != b.String() {
				t.Errorf("%s: column %q differs between 1 and 3 threads", l.Name(), name)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _, err := l.Fit(ctx, f, spec, params)
		wantKind(t, l.Name()+" fit cancelled", err, engine.KindCancelled)
	}
}

// A column of the null type at predict time is entirely missing.
func TestScalerNullColumn(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	test := frameOf(t, col{"x", array.NewNull(2)})
	defer test.Release()
	for _, l := range []estimators.Learner{StandardScaler{}, MinMaxScaler{}} {
		m, _ := mustFit(t, l, f, estimators.Spec{Features: []string{"x"}}, nil)
		if m.Learner() != l.Name() {
			t.Errorf("learner %q", m.Learner())
		}
		out := mustApply(t, m, test)
		if got := floatsOf(t, out, "x"); !math.IsNaN(got[0]) || !math.IsNaN(got[1]) {
			t.Errorf("%s: %v", l.Name(), got)
		}
	}
}
