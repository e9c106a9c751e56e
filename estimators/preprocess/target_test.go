package preprocess

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// targetFrame has a string column c (a×2, b×3, c×1 and a missing value), a
// bool column b, and targets of every kind: y01 (0/1 numbers), yb (bool),
// ys (two strings), yd (a dictionary of two strings), yn (numbers) and
// w, a weight.
func targetFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"c", strs("a", "a", "b", "b", "b", nullStr, "c")},
		col{"b", boolsOf("t", "f", "t", "t", "f", "f", "t")},
		col{"y01", f64(1, 0, 1, 1, 0, 1, 0)},
		col{"yb", boolsOf("t", "f", "t", "t", "f", "t", "f")},
		col{"ys", strs("yes", "no", "yes", "yes", "no", "yes", "no")},
		col{"yd", dict("yes", "no", "yes", "yes", "no", "yes", "no")},
		col{"yn", f64(2, 4, 6, 8, 10, 12, 14)},
		col{"w", f64(1, 1, 1, 1, 1, 1, 1)},
	)
}

// targetTest has every level of c, a missing value and an unseen level.
func targetTest(t testing.TB) *engine.Frame {
	return frameOf(t, col{"c", strs("a", "b", "c", nullStr, "zz")}, col{"b", boolsOf("t", "f", "", "t", "f")})
}

func TestTargetEncoder(t *testing.T) {
	f := targetFrame(t)
	defer f.Release()
	test := targetTest(t)
	defer test.Release()
	// Hand computation for the binary targets: the mean is 4/7; the levels
	// a, b, c and the missing value have sums 1, 2, 0, 1 over 2, 3, 1, 1
	// rows; b (bool) has sums 1 (false) and 3 (true) over 3 and 4 rows.
	mean := 4.0 / 7
	m2 := func(sum, n float64) float64 { return (sum + 2*mean) / (n + 2) }
	binary2 := []float64{m2(1, 2), m2(2, 3), m2(0, 1), m2(1, 1), mean}
	binaryB := []float64{m2(3, 4), m2(1, 3), mean, m2(3, 4), m2(1, 3)}
	for _, c := range []struct {
		name, target string
		params       map[string]any
		c, b         []float64
		typ, pos     string
		mean         float64
	}{
		{"0/1 numbers", "y01", map[string]any{"smooth": 2}, binary2, binaryB, targetBinary, "1", mean},
		{"bool", "yb", map[string]any{"smooth": 2}, binary2, binaryB, targetBinary, "true", mean},
		{"two strings", "ys", map[string]any{"smooth": 2}, binary2, binaryB, targetBinary, "yes", mean},
		{"dictionary", "yd", map[string]any{"smooth": 2}, binary2, binaryB, targetBinary, "yes", mean},
		{"no smoothing", "y01", map[string]any{"smooth": 0}, []float64{0.5, 2.0 / 3, 0, 1, mean}, []float64{0.75, 1.0 / 3, mean, 0.75, 1.0 / 3}, targetBinary, "1", mean},
		// yn: a 2+4, b 6+8+10, c 14, missing 12; mean 8.
		{"numbers", "yn", map[string]any{"smooth": 1}, []float64{(6 + 8.0) / 3, (24 + 8.0) / 4, (14 + 8.0) / 2, (12 + 8.0) / 2, 8},
			[]float64{(2 + 6 + 8 + 14 + 8.0) / 5, (4 + 10 + 12 + 8.0) / 4, 8, (30 + 8.0) / 5, (26 + 8.0) / 4}, targetContinuous, "", 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, TargetEncoder{}, f, estimators.Spec{Target: c.target, Weight: "w", Features: []string{"c", "b"}}, c.params)
			tr := m.(estimators.Transformer)
			if !slices.Equal(tr.Replaces(), []string{"c", "b"}) || !slices.Equal(fieldNames(m.Outputs()), []string{"c", "b"}) {
				t.Errorf("replaces %q, outputs %v", tr.Replaces(), m.Outputs())
			}
			if log["target_type"] != c.typ || log["out_of_fold"] != OutOfFoldNote || len(log["warnings"].([]string)) != 1 {
				t.Errorf("log %v", log)
			}
			out := mustApply(t, m, test)
			if got := floatsOf(t, out, "c"); !sameFloats(got, c.c, 1e-15) {
				t.Errorf("c: got %v, want %v", got, c.c)
			}
			if got := floatsOf(t, out, "b"); !sameFloats(got, c.b, 1e-15) {
				t.Errorf("b: got %v, want %v", got, c.b)
			}
			s := m.Summary()
			if s["target_type"] != c.typ || s["positive_class"] != c.pos || math.Abs(s["target_mean"].(float64)-c.mean) > 1e-15 || s["target"] != c.target {
				t.Errorf("summary %v", s)
			}
			if got := s["categories"].([][]string); !slices.Equal(got[0], []string{"a", "b", "c"}) || !slices.Equal(got[1], []string{"false", "true"}) {
				t.Errorf("categories %q", got)
			}
			if got := s["counts"].([][]int64); !slices.Equal(got[0], []int64{2, 3, 1}) || !slices.Equal(got[1], []int64{3, 4}) {
				t.Errorf("counts %v", got)
			}
		})
	}
	// By default the encoder takes the string, categorical and bool
	// columns, never the target or the weight.
	m, _ := mustFit(t, TargetEncoder{}, f, estimators.Spec{Target: "yn", Weight: "ys"}, nil)
	if got := fieldNames(m.Inputs()); !slices.Equal(got, []string{"c", "b", "yb", "yd"}) {
		t.Errorf("default inputs %q", got)
	}
	// A dictionary or null-typed column at predict time.
	m, _ = mustFit(t, TargetEncoder{}, f, estimators.Spec{Target: "y01", Features: []string{"c"}}, map[string]any{"smooth": 0})
	other := frameOf(t, col{"c", dict("c", nullStr, "a")})
	defer other.Release()
	if got := floatsOf(t, mustApply(t, m, other), "c"); !sameFloats(got, []float64{0, 1, 0.5}, 0) {
		t.Errorf("dictionary at predict time: %v", got)
	}
	nulls := frameOf(t, col{"c", array.NewNull(2)})
	defer nulls.Release()
	if got := floatsOf(t, mustApply(t, m, nulls), "c"); !sameFloats(got, []float64{1, 1}, 0) {
		t.Errorf("null column: %v", got)
	}
}

func TestTargetEncoderErrors(t *testing.T) {
	f := targetFrame(t)
	defer f.Release()
	bad := frameOf(t,
		col{"c", strs("a", "b", "a", "b")},
		col{"three", strs("x", "y", "z", "x")},
		col{"one", strs("x", "x", "x", "x")},
		col{"nan", f64(1, math.NaN(), 0, 1)},
		col{"null", boolsOf("t", "", "f", "t")},
		col{"nullstr", strs("x", nullStr, "y", "x")},
		col{"inf", f64(1, math.Inf(1), 0, 1)},
		col{"nulltype", array.NewNull(4)},
	)
	defer bad.Release()
	for _, c := range []struct {
		name     string
		data     *engine.Frame
		target   string
		features []string
		params   map[string]any
		kind     engine.Kind
	}{
		{"no target", f, "", nil, nil, engine.KindValue},
		{"missing target column", f, "nope", []string{"c"}, nil, engine.KindColumn},
		{"target as feature", f, "ys", []string{"c", "ys"}, nil, engine.KindValue},
		{"numeric feature", f, "ys", []string{"yn"}, nil, engine.KindType},
		{"multiclass", bad, "three", []string{"c"}, nil, engine.KindValue},
		{"one class", bad, "one", []string{"c"}, nil, engine.KindValue},
		{"NaN target", bad, "nan", []string{"c"}, nil, engine.KindValue},
		{"null bool target", bad, "null", []string{"c"}, nil, engine.KindValue},
		{"null string target", bad, "nullstr", []string{"c"}, nil, engine.KindValue},
		{"infinite target", bad, "inf", []string{"c"}, nil, engine.KindValue},
		{"target of no type", bad, "nulltype", []string{"c"}, nil, engine.KindType},
		{"negative smooth", f, "yn", nil, map[string]any{"smooth": -1}, engine.KindValue},
		{"one fold", f, "yn", nil, map[string]any{"n_folds": 1}, engine.KindValue},
	} {
		_, _, err := TargetEncoder{}.Fit(context.Background(), c.data, estimators.Spec{Target: c.target, Features: c.features}, c.params)
		wantKind(t, c.name, err, c.kind)
	}
	_, _, err := TargetEncoder{}.Fit(context.Background(), bad, estimators.Spec{Target: "three", Features: []string{"c"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "multiclass") || !strings.Contains(err.Error(), `"three"`) {
		t.Errorf("multiclass error: %v", err)
	}
}
