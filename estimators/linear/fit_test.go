package linear

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

func TestRegistered(t *testing.T) {
	for _, name := range []string{RegressionName, LogisticName} {
		l, err := estimators.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		sp := l.Space()
		if err := sp.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		want := []string{"l1", "l2", "fit_intercept", "standardize", "tol", "max_iter", "n_threads"}
		if got := sp.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: parameters %v, want %v", name, got, want)
		}
		for _, p := range sp.Params {
			if p.Doc == "" {
				t.Errorf("%s: %s has no doc", name, p.Name)
			}
		}
	}
	l2, _ := LogisticSpace().Param("l2")
	if l2.Default != 1.0 {
		t.Errorf("logistic l2 default %v", l2.Default)
	}
	l2, _ = RegressionSpace().Param("l2")
	if l2.Default != 0.0 {
		t.Errorf("regression l2 default %v", l2.Default)
	}
}

// TestBadInputs checks that every kind of bad input is an error of the
// right kind whose message names the culprit.
func TestBadInputs(t *testing.T) {
	n := 6
	x := []float64{1, 2, 3, 4, 5, 6}
	y := []float64{1, 3, 2, 5, 4, 6}
	labels := []int64{0, 1, 0, 1, 1, 0}
	good := func(extra ...column) *engine.Frame {
		cols := []column{{"x", f64(x)}, {"y", f64(y)}, {"label", i64(labels)}}
		return frameOf(t, append(cols, extra...)...)
	}
	nanAt := func(i int, v float64) []float64 {
		out := append([]float64(nil), x...)
		out[i] = v
		return out
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	cases := []struct {
		name    string
		learner estimators.Learner
		frame   func() *engine.Frame
		spec    estimators.Spec
		params  map[string]any
		kind    engine.Kind
		mention string
	}{
		{"empty frame", Regression{}, func() *engine.Frame {
			return frameOf(t, column{"x", f64(nil)}, column{"y", f64(nil)})
		}, estimators.Spec{Target: "y"}, nil, engine.KindValue, "empty"},
		{"missing target", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "nope"}, nil, engine.KindColumn, "nope"},
		{"missing weight", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "y", Weight: "wt"}, nil, engine.KindColumn, "wt"},
		{"missing feature", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "y", Features: []string{"x", "z"}}, nil, engine.KindColumn, "z"},
		{"string feature", Regression{}, func() *engine.Frame {
			return good(column{"s", strs([]string{"a", "b", "a", "b", "a", "b"})})
		}, estimators.Spec{Target: "y", Features: []string{"x", "s"}}, nil, engine.KindType, "encode"},
		{"dictionary feature", Logistic{}, func() *engine.Frame {
			return good(column{"d", dict([]string{"a", "b", "a", "b", "a", "b"})})
		}, estimators.Spec{Target: "label", Features: []string{"d"}}, nil, engine.KindType, `"d"`},
		{"default features include a string", Regression{}, func() *engine.Frame {
			return frameOf(t, column{"x", f64(x)}, column{"y", f64(y)}, column{"s", strs([]string{"a", "b", "a", "b", "a", "b"})})
		}, estimators.Spec{Target: "y"}, nil, engine.KindType, `"s"`},
		{"null feature", Regression{}, func() *engine.Frame {
			return good(column{"z", f64Valid(x, []bool{true, false, true, true, false, true})})
		}, estimators.Spec{Target: "y", Features: []string{"z"}}, nil, engine.KindValue, "2 missing"},
		{"NaN feature", Logistic{}, func() *engine.Frame {
			return good(column{"z", f64(nanAt(2, math.NaN()))})
		}, estimators.Spec{Target: "label", Features: []string{"x", "z"}}, nil, engine.KindValue, `"z"`},
		{"infinite feature", Regression{}, func() *engine.Frame {
			return good(column{"z", f64(nanAt(0, math.Inf(-1)))})
		}, estimators.Spec{Target: "y", Features: []string{"z"}}, nil, engine.KindValue, "1 infinite"},
		{"string regression target", Regression{}, func() *engine.Frame {
			return good(column{"s", strs([]string{"a", "b", "a", "b", "a", "b"})})
		}, estimators.Spec{Target: "s", Features: []string{"x"}}, nil, engine.KindType, `"s"`},
		{"NaN regression target", Regression{}, func() *engine.Frame {
			return good(column{"t", f64(nanAt(1, math.NaN()))})
		}, estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, `"t"`},
		{"null regression target", Regression{}, func() *engine.Frame {
			return good(column{"t", f64Valid(y, []bool{true, true, true, true, true, false})})
		}, estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, "1 null"},
		{"infinite regression target", Regression{}, func() *engine.Frame {
			return good(column{"t", f64(nanAt(1, math.Inf(1)))})
		}, estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, "infinite"},
		{"null class target", Logistic{}, func() *engine.Frame {
			return good(column{"t", f64Valid([]float64{0, 1, 0, 1, 0, 1}, []bool{true, true, false, true, true, true})})
		}, estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, "1 missing"},
		{"single class", Logistic{}, func() *engine.Frame {
			return good(column{"t", i64([]int64{3, 3, 3, 3, 3, 3})})
		}, estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, "single class"},
		{"negative weight", Regression{}, func() *engine.Frame {
			return good(column{"w", f64([]float64{1, 1, -1, 1, 1, 1})})
		}, estimators.Spec{Target: "y", Weight: "w", Features: []string{"x"}}, nil, engine.KindValue, "negative"},
		{"NaN weight", Logistic{}, func() *engine.Frame {
			return good(column{"w", f64([]float64{1, math.NaN(), 1, 1, 1, 1})})
		}, estimators.Spec{Target: "label", Weight: "w", Features: []string{"x"}}, nil, engine.KindValue, `"w"`},
		{"zero weights", Regression{}, func() *engine.Frame {
			return good(column{"w", f64(make([]float64, n))})
		}, estimators.Spec{Target: "y", Weight: "w", Features: []string{"x"}}, nil, engine.KindValue, "zero"},
		{"string weight", Regression{}, func() *engine.Frame {
			return good(column{"w", strs([]string{"a", "b", "a", "b", "a", "b"})})
		}, estimators.Spec{Target: "y", Weight: "w", Features: []string{"x"}}, nil, engine.KindType, `"w"`},
		{"no features", Regression{}, func() *engine.Frame {
			return frameOf(t, column{"y", f64(y)}, column{"w", f64(ones)})
		}, estimators.Spec{Target: "y", Weight: "w"}, nil, engine.KindValue, "feature"},
		{"target as feature", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "y", Features: []string{"x", "y"}}, nil, engine.KindValue, `"y"`},
		{"duplicate feature", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "y", Features: []string{"x", "x"}}, nil, engine.KindValue, `"x"`},
		{"unknown hyperparameter", Regression{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "y", Features: []string{"x"}}, map[string]any{"alpha": 1.0}, engine.KindValue, "alpha"},
		{"out of range hyperparameter", Logistic{}, func() *engine.Frame { return good() },
			estimators.Spec{Target: "label", Features: []string{"x"}}, map[string]any{"l2": -1.0}, engine.KindValue, "l2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.frame()
			defer f.Release()
			_, _, err := c.learner.Fit(context.Background(), f, c.spec, c.params)
			if err == nil {
				t.Fatal("no error")
			}
			if k := engine.KindOf(err); k != c.kind {
				t.Errorf("kind %s, want %s: %v", k, c.kind, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("message %q does not mention %q", err, c.mention)
			}
		})
	}
}

func TestApplyBadInputs(t *testing.T) {
	pr := makeProblem(31, 50, 2, 2, false)
	f := pr.frame(t)
	defer f.Release()
	m, _ := mustFit(t, Logistic{}, f, pr.spec("label"), nil)
	x0 := append([]float64(nil), pr.X[0]...)
	x0[3] = math.NaN()
	cases := []struct {
		name  string
		frame *engine.Frame
		kind  engine.Kind
	}{
		{"missing column", frameOf(t, column{"x0", f64(pr.X[0])}), engine.KindColumn},
		{"string column", frameOf(t, column{"x0", f64(pr.X[0])}, column{"x1", strs(make([]string, 50))}), engine.KindType},
		{"NaN", frameOf(t, column{"x0", f64(x0)}, column{"x1", f64(pr.X[1])}), engine.KindValue},
		{"null", frameOf(t, column{"x0", f64(pr.X[0])}, column{"x1", f64Valid(pr.X[1], append([]bool{false}, make([]bool, 49)...))}), engine.KindValue},
	}
	for _, c := range cases {
		_, err := m.Apply(context.Background(), c.frame, 1)
		if engine.KindOf(err) != c.kind {
			t.Errorf("%s: got %v (%s), want kind %s", c.name, err, engine.KindOf(err), c.kind)
		}
		c.frame.Release()
	}
}

// TestDeterminism checks that fits on 1 and 2 threads give the same model
// file, bit for bit, on data of more than three chunks.
func TestDeterminism(t *testing.T) {
	n := 3*engine.ChunkRows + 1234
	for _, c := range []struct {
		learner estimators.Learner
		target  string
		classes int
		params  map[string]any
	}{
		{Regression{}, "y", 2, map[string]any{}},
		{Regression{}, "y", 2, map[string]any{"l1": 500.0}},
		{Logistic{}, "label", 2, map[string]any{}},
		{Logistic{}, "label", 3, map[string]any{"l1": 2.0}},
	} {
		pr := makeProblem(37, n, 5, c.classes, true)
		f := pr.frame(t)
		var files [][]byte
		var logs []estimators.Log
		for _, threads := range []int{1, 2} {
			params := map[string]any{"n_threads": threads}
			for k, v := range c.params {
				params[k] = v
			}
			m, log := mustFit(t, c.learner, f, pr.spec(c.target), params)
			mf, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			b, err := mf.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			mf.Release()
			files, logs = append(files, b), append(logs, log)
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("%s %v: model files differ between 1 and 2 threads", c.learner.Name(), c.params)
		}
		if logs[0]["final_objective"] != logs[1]["final_objective"] {
			t.Errorf("%s %v: objectives differ: %v vs %v", c.learner.Name(), c.params, logs[0]["final_objective"], logs[1]["final_objective"])
		}
		f.Release()
	}
}

func TestCancellation(t *testing.T) {
	pr := makeProblem(41, 4*engine.ChunkRows, 20, 3, false)
	f := pr.frame(t)
	defer f.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []estimators.Learner{Regression{}, Logistic{}} {
		_, _, err := l.Fit(ctx, f, pr.spec(targetFor(l)), map[string]any{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", l.Name(), err)
		}
	}
	// Cancel during a long fit: it must return promptly.
	ctx, cancel = context.WithCancel(context.Background())
	started := make(chan struct{}, 1)
	spec := pr.spec("label")
	spec.Progress = func(float64) {
		select {
		case started <- struct{}{}:
		default:
		}
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := Logistic{}.Fit(ctx, f, spec, map[string]any{"l2": 0.0, "tol": 1e-12, "max_iter": 100000, "l1": 0.001})
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Skipf("the fit ended before it could be cancelled: %v", err)
	}
	cancel()
	at := time.Now()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled fit: %v", err)
		}
		if d := time.Since(at); d > 2*time.Second {
			t.Errorf("the fit took %v to notice the cancellation", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled fit did not return")
	}
}

func TestLogAndProgress(t *testing.T) {
	pr := makeProblem(43, 300, 3, 2, true)
	f := pr.frame(t)
	defer f.Release()
	for _, l := range []estimators.Learner{Regression{}, Logistic{}} {
		var progress []float64
		spec := pr.spec(targetFor(l))
		spec.Progress = func(p float64) { progress = append(progress, p) }
		_, log, err := l.Fit(context.Background(), f, spec, map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if len(progress) == 0 || progress[len(progress)-1] != 1 {
			t.Errorf("%s: progress %v does not end at 1", l.Name(), progress)
		}
		for _, key := range []string{"learner", "hyperparameters", "features", "target", "weight", "n_rows", "n_features",
			"iterations", "converged", "final_objective", "objective_history", "warnings", "metrics"} {
			if _, ok := log[key]; !ok {
				t.Errorf("%s: log has no %q", l.Name(), key)
			}
		}
		if _, err := json.Marshal(log); err != nil {
			t.Errorf("%s: log is not JSON: %v", l.Name(), err)
		}
		metrics := log["metrics"].(map[string]any)
		want := []string{"rmse", "mae", "r2"}
		if l.Name() == LogisticName {
			want = []string{"log_loss", "accuracy", "auc"}
			if log["classes"] == nil {
				t.Error("no classes in the log")
			}
		}
		for _, k := range want {
			if _, ok := metrics[k].(float64); !ok {
				t.Errorf("%s: metric %q is %v", l.Name(), k, metrics[k])
			}
		}
		h := log["objective_history"].([]float64)
		for i := 1; i < len(h); i++ {
			if h[i] > h[i-1]*(1+1e-12) {
				t.Errorf("%s: objective went up: %v", l.Name(), h)
			}
		}
		if h[len(h)-1] != log["final_objective"] {
			t.Errorf("%s: history %v does not end at the final objective %v", l.Name(), h, log["final_objective"])
		}
	}
}

// TestTargetTypes fits classifiers on every kind of target column and
// checks the prediction column's type and the probability column names.
func TestTargetTypes(t *testing.T) {
	pr := makeProblem(47, 200, 2, 3, false)
	n := len(pr.labels)
	names := []string{"apple", "banana", "cherry"}
	s := make([]string, n)
	fl := make([]float64, n)
	b := make([]bool, n)
	for i, l := range pr.labels {
		s[i] = names[l]
		fl[i] = float64(l) * 2
		b[i] = l == 1
	}
	cases := []struct {
		col   arrow.Array
		typ   string
		probs []string
	}{
		{i64(pr.labels), "int64", []string{"probability_0", "probability_1", "probability_2"}},
		{strs(s), "utf8", []string{"probability_apple", "probability_banana", "probability_cherry"}},
		{dict(s), "utf8", []string{"probability_apple", "probability_banana", "probability_cherry"}},
		{f64(fl), "float64", []string{"probability_0", "probability_2", "probability_4"}},
		{bools(b), "bool", []string{"probability_false", "probability_true"}},
	}
	for _, c := range cases {
		f := frameOf(t, column{"x0", f64(pr.X[0])}, column{"x1", f64(pr.X[1])}, column{"t", c.col})
		m, _ := mustFit(t, Logistic{}, f, estimators.Spec{Target: "t"}, nil)
		out, err := m.Apply(context.Background(), f, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := out.Names()
		want := append([]string{"prediction"}, c.probs...)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s target: outputs %v, want %v", c.typ, got, want)
		}
		if typ := out.Column("prediction").DataType().String(); typ != c.typ {
			t.Errorf("prediction type %s, want %s", typ, c.typ)
		}
		for i, fld := range m.Outputs() {
			if fld.Name != got[i] || fld.Type != out.Columns()[i].DataType().String() {
				t.Errorf("Outputs()[%d] = %v, Apply gives %s %s", i, fld, got[i], out.Columns()[i].DataType())
			}
		}
		// Probabilities sum to one.
		for i := range n {
			sum := 0.0
			for _, p := range c.probs {
				v, _ := engine.Float64s(p, out.Column(p))
				sum += v[i]
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("row %d: probabilities sum to %v", i, sum)
			}
		}
		out.Release()
		f.Release()
	}
}

// TestDegenerate fits separable classes without a penalty and a single
// row: the fits succeed with finite coefficients, warn, and round-trip.
func TestDegenerate(t *testing.T) {
	x := []float64{-3, -2, -1, 1, 2, 3}
	for _, lab := range [][]int64{{0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}} {
		f := frameOf(t, column{"x", f64(x)}, column{"c", i64(lab)})
		cases := []map[string]any{{"l2": 0.0}}
		if lab[5] == 1 {
			// Without an intercept only the binary labels are separable.
			cases = append(cases, map[string]any{"l2": 0.0, "fit_intercept": false})
		}
		for _, params := range cases {
			m, log := mustFit(t, Logistic{}, f, estimators.Spec{Target: "c"}, params)
			if w := log["warnings"].([]string); len(w) == 0 || !strings.Contains(strings.Join(w, " "), "separable") {
				t.Errorf("%v %v: warnings %q", lab, params, w)
			}
			for _, c := range m.coef {
				if !finite(c) {
					t.Errorf("%v %v: coefficients %v", lab, params, c)
				}
			}
			roundTrip(t, m)
		}
		f.Release()
	}
	one := frameOf(t, column{"x", f64(x[:1])}, column{"y", f64(x[:1])})
	defer one.Release()
	m, log := mustFit(t, Regression{}, one, estimators.Spec{Target: "y"}, nil)
	if m.intercept[0] != -3 || m.coef[0][0] != 0 || len(log["warnings"].([]string)) != 1 {
		t.Errorf("one row: %v %v", m.Summary(), log["warnings"])
	}
	if _, err := json.Marshal(log); err != nil {
		t.Errorf("one row: log is not JSON: %v", err)
	}
}

// TestNoCopyOfFeatures checks that a fit allocates far less than the
// feature matrix: features are read in place, and only vectors of one value
// per row and matrices of features×features are allocated.
func TestNoCopyOfFeatures(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	n, p := 100_000, 50
	f := benchFrame(t, n, p)
	defer f.Release()
	table := float64(n * p * 8)
	for _, c := range []struct {
		l      estimators.Learner
		target string
	}{{Regression{}, "y"}, {Logistic{}, "c"}} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, _, err := c.l.Fit(context.Background(), f, estimators.Spec{Target: c.target, Features: f.Names()[:p]}, map[string]any{"n_threads": 2})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		alloc := float64(after.TotalAlloc - before.TotalAlloc)
		t.Logf("%s allocated %.1f MB for a %.1f MB table", c.l.Name(), alloc/1e6, table/1e6)
		if alloc > 0.25*table {
			t.Errorf("%s allocated %.1f MB, more than a quarter of the %.1f MB of features", c.l.Name(), alloc/1e6, table/1e6)
		}
	}
}
