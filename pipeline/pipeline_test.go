package pipeline

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/gbdt"   // registers gbdt
	_ "github.com/quiver-ml/quiver/estimators/linear" // registers linear_regression
)

func names(fs []engine.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func TestLink(t *testing.T) {
	for _, c := range []struct {
		name          string
		steps         []Step
		inputs        []string
		outputs       []string
		replaces      []string // nil for a predictive pipeline
		explainer     bool
		wantTransform bool
	}{
		{
			name:    "one model",
			steps:   []Step{{"sum", newSum("a", "b")}},
			inputs:  []string{"a", "b"},
			outputs: []string{"prediction"},
		},
		{
			name: "in-place transformer then a model",
			steps: []Step{
				{"scale", newAffine([]string{"a"}, "", 2, 0)},
				{"sum", newSum("a", "b")},
			},
			inputs:  []string{"a", "b"},
			outputs: []string{"prediction"},
		},
		{
			name: "renaming transformer: later steps read the new name, and a caller column the chain did not touch",
			steps: []Step{
				{"rename", newAffine([]string{"a", "b"}, "_s", 1, 1)},
				{"sum", newSum("a_s", "c")},
			},
			inputs:  []string{"a", "b", "c"},
			outputs: []string{"prediction"},
		},
		{
			name: "feature pipeline: outputs are every column made and kept",
			steps: []Step{
				{"first", newAffine([]string{"a", "b"}, "", 2, 0)},
				{"second", newAffine([]string{"b", "c"}, "_x", 1, 1)},
				{"third", newAffine([]string{"a"}, "", 1, 5)},
			},
			inputs:        []string{"a", "b", "c"},
			outputs:       []string{"a", "b_x", "c_x"},
			replaces:      []string{"a", "b", "c"},
			wantTransform: true,
		},
		{
			name: "a model's output read by a later step",
			steps: []Step{
				{"sum", newSum("a", "b")},
				{"shift", newAffine([]string{"prediction"}, "", 1, 1)},
				{"again", newSum("prediction", "c")},
			},
			inputs:  []string{"a", "b", "c"},
			outputs: []string{"prediction"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := mustNew(t, c.steps...)
			p, ok := Of(m)
			if !ok {
				t.Fatalf("Of(%T) failed", m)
			}
			if got := names(m.Inputs()); !slices.Equal(got, c.inputs) {
				t.Errorf("inputs %q, want %q", got, c.inputs)
			}
			if got := names(m.Outputs()); !slices.Equal(got, c.outputs) {
				t.Errorf("outputs %q, want %q", got, c.outputs)
			}
			tr, isT := m.(estimators.Transformer)
			if isT != c.wantTransform {
				t.Fatalf("Transformer: %v, want %v", isT, c.wantTransform)
			}
			if isT && !slices.Equal(tr.Replaces(), c.replaces) {
				t.Errorf("replaces %q, want %q", tr.Replaces(), c.replaces)
			}
			if m.Learner() != Name || len(p.Steps()) != len(c.steps) {
				t.Errorf("learner %q with %d steps", m.Learner(), len(p.Steps()))
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	s := newSum("a")
	for _, c := range []struct {
		name  string
		steps []Step
		want  string
	}{
		{"no steps", nil, "at least one step"},
		{"empty name", []Step{{"", s}}, "empty name"},
		{"duplicate", []Step{{"x", newAffine([]string{"a"}, "", 1, 0)}, {"x", s}}, "used twice"},
		{"separator", []Step{{"a__b", s}}, `contains "__"`},
		{"no model", []Step{{"x", nil}}, "has no model"},
		{"dropped column", []Step{{"rename", newAffine([]string{"a"}, "_s", 1, 0)}, {"sum", s}}, `step "sum" reads column "a", which step "rename" replaces`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.steps)
			if err == nil || !strings.Contains(err.Error(), c.want) || engine.KindOf(err) != engine.KindValue {
				t.Fatalf("got %v (%s), want a ValueError containing %q", err, engine.KindOf(err), c.want)
			}
		})
	}
}

// applyByHand chains the steps the way the package documentation says, one
// step at a time with merge, for comparison with Apply.
func applyByHand(t *testing.T, data *engine.Frame, steps []Step) *engine.Frame {
	t.Helper()
	cur := data
	for _, s := range steps {
		out, err := s.Model.Apply(context.Background(), cur, 1)
		if err != nil {
			t.Fatal(err)
		}
		var rep []string
		if tr, ok := s.Model.(estimators.Transformer); ok {
			rep = tr.Replaces()
		}
		next, err := merge(cur, out, rep)
		out.Release()
		if err != nil {
			t.Fatal(err)
		}
		if cur != data {
			cur.Release()
		}
		cur = next
	}
	return cur
}

func TestApplyChains(t *testing.T) {
	data := frameOf(t, map[string][]float64{"a": {1, 2, 3}, "b": {10, 20, 30}, "c": {-1, 0, 1}, "y": {0, 0, 0}}, "a", "b", "c", "y")
	defer data.Release()
	steps := []Step{
		{"scale", newAffine([]string{"a", "b"}, "", 2, 0)},
		{"rename", newAffine([]string{"b"}, "_s", 1, 1)},
		{"sum", newSum("a", "b_s", "c")},
	}
	m := mustNew(t, steps...)
	out, err := m.Apply(context.Background(), data, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	// (2a) + (2b + 1) + c
	want := []float64{2 + 21 - 1, 4 + 41, 6 + 61 + 1}
	if got := values(t, out, "prediction"); !slices.Equal(got, want) || !slices.Equal(out.Names(), []string{"prediction"}) {
		t.Fatalf("got %v %v, want prediction %v", out.Names(), got, want)
	}
	// The caller's frame is untouched and still usable.
	if got := values(t, data, "a"); !slices.Equal(got, []float64{1, 2, 3}) {
		t.Fatalf("caller's column a changed to %v", got)
	}

	// A feature pipeline returns the columns the chain made, which merged
	// onto the caller's frame give the frame the chain ends with.
	fm := mustNew(t, steps[:2]...)
	fout, err := fm.Apply(context.Background(), data, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fout.Release()
	if !slices.Equal(fout.Names(), []string{"a", "b_s"}) {
		t.Fatalf("feature pipeline outputs %q", fout.Names())
	}
	merged, err := merge(data, fout, fm.(estimators.Transformer).Replaces())
	if err != nil {
		t.Fatal(err)
	}
	defer merged.Release()
	byHand := applyByHand(t, data, steps[:2])
	defer byHand.Release()
	if !slices.Equal(merged.Names(), byHand.Names()) {
		t.Fatalf("merged %q, by hand %q", merged.Names(), byHand.Names())
	}
	for _, n := range merged.Names() {
		if !slices.Equal(values(t, merged, n), values(t, byHand, n)) {
			t.Errorf("column %q: %v by the pipeline, %v by hand", n, values(t, merged, n), values(t, byHand, n))
		}
	}
}

func TestApplyErrors(t *testing.T) {
	data := frameOf(t, map[string][]float64{"a": {1, 2}}, "a")
	defer data.Release()
	m := mustNew(t, Step{"scale", newAffine([]string{"a"}, "", 2, 0)}, Step{"sum", newSum("a", "b")})
	_, err := m.Apply(context.Background(), data, 1)
	if err == nil || engine.KindOf(err) != engine.KindColumn || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("missing input: got %v (%s)", err, engine.KindOf(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	two := frameOf(t, map[string][]float64{"a": {1, 2}, "b": {3, 4}}, "a", "b")
	defer two.Release()
	if _, err := m.Apply(ctx, two, 1); engine.KindOf(err) != engine.KindCancelled {
		t.Fatalf("cancelled: got %v", err)
	}
	// An error inside a step names the step and keeps its kind.
	bad := mustNew(t, Step{"sum", newSum("a")}, Step{"last", newSum("prediction", "z")})
	_, err = bad.Apply(context.Background(), data, 1)
	if err == nil || !strings.Contains(err.Error(), `"z"`) {
		t.Fatalf("got %v", err)
	}
}

// problem is a small regression problem: y depends on x0 and x1, and x2 is
// noise.
func problem(t testing.TB, n int, seed uint64) *engine.Frame {
	rng := rand.New(rand.NewPCG(seed, 1))
	cols := map[string][]float64{}
	for _, c := range []string{"x0", "x1", "x2", "y"} {
		cols[c] = make([]float64, n)
	}
	for i := range n {
		x0, x1, x2 := rng.NormFloat64(), 3+2*rng.NormFloat64(), rng.NormFloat64()
		cols["x0"][i], cols["x1"][i], cols["x2"][i] = x0, x1, x2
		cols["y"][i] = 1 + 2*x0 - x1 + 0.5*x0*x1 + 0.1*rng.NormFloat64()
	}
	return frameOf(t, cols, "x0", "x1", "x2", "y")
}

// realSteps fits a scaling stand-in, then gbdt and linear_regression on its
// output, as Python would: each step on the frame the one before leaves.
func realSteps(t testing.TB, train *engine.Frame) []Step {
	scale := newAffine([]string{"x1"}, "_c", 0.5, -1.5)
	out, err := scale.Apply(context.Background(), train, 1)
	if err != nil {
		t.Fatal(err)
	}
	scaled, err := merge(train, out, scale.Replaces())
	out.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer scaled.Release()
	gb := fitLearner(t, "gbdt", scaled, estimators.Spec{Target: "y"}, map[string]any{"max_iter": 20, "num_leaves": 7, "min_data_in_leaf": 5, "n_threads": 1})
	lin := fitLearner(t, "linear_regression", scaled, estimators.Spec{Target: "y"}, map[string]any{"n_threads": 1})
	return []Step{{"scale", scale}, {"gbdt", gb}, {"linear", lin}}
}

func TestRealLearners(t *testing.T) {
	train := problem(t, 300, 1)
	defer train.Release()
	test := problem(t, 50, 2)
	defer test.Release()
	steps := realSteps(t, train)
	for _, last := range []string{"gbdt", "linear"} {
		t.Run(last, func(t *testing.T) {
			chosen := []Step{steps[0], steps[slices.IndexFunc(steps, func(s Step) bool { return s.Name == last })]}
			m := mustNew(t, chosen...)
			if got := names(m.Inputs()); !slices.Equal(got, []string{"x1", "x0", "x2"}) {
				t.Errorf("inputs %q", got)
			}
			out, err := m.Apply(context.Background(), test, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			byHand := applyByHand(t, test, chosen)
			defer byHand.Release()
			if !slices.Equal(values(t, out, "prediction"), values(t, byHand, "prediction")) {
				t.Fatal("the pipeline's predictions differ from the steps' applied by hand")
			}

			m2, b := roundTrip(t, m)
			out2, err := m2.Apply(context.Background(), test, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer out2.Release()
			if !slices.Equal(values(t, out, "prediction"), values(t, out2, "prediction")) {
				t.Fatal("predictions changed in the round trip")
			}
			_, b2 := roundTrip(t, m2)
			if !bytes.Equal(b, b2) {
				t.Fatal("encoding a decoded pipeline gives other bytes")
			}
			if p := m2.Params(); p["scale__a"] != 0.5 || p["scale__n_threads"] != nil {
				t.Errorf("params %v: want scale__a 0.5 and no runtime parameters", p)
			}
			if _, ok := m2.(estimators.Explainer); ok != (last == "gbdt") {
				t.Errorf("Explainer %v for a pipeline ending in %s", ok, last)
			}
		})
	}
}

func TestExplainForwards(t *testing.T) {
	train := problem(t, 300, 1)
	defer train.Release()
	steps := realSteps(t, train)
	m := mustNew(t, steps[0], steps[1])
	ex, ok := m.(estimators.Explainer)
	if !ok {
		t.Fatalf("%T is not an Explainer", m)
	}
	out, err := ex.Explain(context.Background(), train, estimators.ApplyOptions{Threads: 1, RawScore: true, Contributions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	// The contributions are over the last step's features, the columns
	// the chain hands it, and sum to the raw score.
	if out.Column("contribution_x1_c") == nil || out.Column("raw_score") == nil {
		t.Fatalf("columns %q", out.Names())
	}
	raw := values(t, out, "raw_score")
	total := values(t, out, "contribution_bias")
	for _, f := range []string{"x0", "x2", "x1_c"} {
		for i, v := range values(t, out, "contribution_"+f) {
			total[i] += v
		}
	}
	for i := range raw {
		if math.Abs(raw[i]-total[i]) > 1e-9*math.Max(1, math.Abs(raw[i])) {
			t.Fatalf("row %d: contributions sum to %v, raw score %v", i, total[i], raw[i])
		}
	}
	if _, err := ex.Explain(context.Background(), train, estimators.ApplyOptions{ExitLevel: true}); err == nil || !strings.Contains(err.Error(), `pipeline step "gbdt"`) {
		t.Fatalf("exit levels of gbdt: got %v", err)
	}
}

func TestNested(t *testing.T) {
	train := problem(t, 300, 3)
	defer train.Release()
	steps := realSteps(t, train)
	// A feature pipeline nested as one step gives what its steps give
	// inline.
	inner := mustNew(t, steps[0], Step{"noop", newAffine([]string{"x2"}, "", 1, 0)})
	if _, ok := inner.(estimators.Transformer); !ok {
		t.Fatalf("a pipeline ending in a transformer is a %T, not a Transformer", inner)
	}
	nested := mustNew(t, Step{"features", inner}, Step{"model", steps[2].Model})
	flat := mustNew(t, steps[0], Step{"noop", newAffine([]string{"x2"}, "", 1, 0)}, Step{"model", steps[2].Model})
	a, err := nested.Apply(context.Background(), train, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := flat.Apply(context.Background(), train, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if !slices.Equal(values(t, a, "prediction"), values(t, b, "prediction")) {
		t.Fatal("nested and flat pipelines disagree")
	}
	back, _ := roundTrip(t, nested)
	c, err := back.Apply(context.Background(), train, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if !slices.Equal(values(t, a, "prediction"), values(t, c, "prediction")) {
		t.Fatal("the nested pipeline changed in the round trip")
	}
	if _, ok := back.Params()["features__scale__a"]; !ok {
		t.Errorf("nested params are not namespaced twice: %v", back.Params())
	}
	summary := back.Summary()["steps"].([]map[string]any)
	if summary[0]["name"] != "features" || summary[0]["replaces"] == nil {
		t.Errorf("summary %v", summary[0])
	}
}

func TestLearnerRefusesToFit(t *testing.T) {
	l, err := estimators.Lookup(Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Space().Check(); err != nil || len(l.Space().Params) != 0 {
		t.Fatalf("space %v: %v", l.Space(), err)
	}
	_, _, err = l.Fit(context.Background(), nil, estimators.Spec{}, nil)
	if engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), "step by step from Python") {
		t.Fatalf("got %v", err)
	}
}
