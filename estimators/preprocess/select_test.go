package preprocess

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// merged applies a transformer to f as a pipeline does: f without the
// columns it replaces, each output in place of the column of its name and
// the others after.
func merged(t *testing.T, m estimators.Model, f *engine.Frame) []string {
	t.Helper()
	out := mustApply(t, m, f)
	replaces := m.(estimators.Transformer).Replaces()
	var names []string
	for _, n := range f.Names() {
		if slices.Contains(out.Names(), n) || !slices.Contains(replaces, n) {
			names = append(names, n)
		}
	}
	for _, n := range out.Names() {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range out.Names() {
		if out.Column(n).Len() != f.NumRows() {
			t.Errorf("output %q has %d rows, not %d", n, out.Column(n).Len(), f.NumRows())
		}
	}
	return names
}

func TestColumnSteps(t *testing.T) {
	f := numericFrame(t) // x c k s b y w
	defer f.Release()
	for _, c := range []struct {
		name       string
		l          estimators.Learner
		spec       estimators.Spec
		columns    string
		inputs     []string
		outputs    []string
		replaces   []string
		after      []string // the frame's columns after the step
		afterOther []string // those of a frame of columns x, y, z
	}{
		{"select", SelectColumns{}, estimators.Spec{Target: "y", Weight: "w"}, `["k", "s"]`,
			[]string{"k", "s"}, []string{"k", "s"}, []string{"k", "s", "x", "c", "b"}, []string{"k", "s", "y", "w"}, nil},
		{"select naming the target", SelectColumns{}, estimators.Spec{Target: "y"}, `["y", "x"]`,
			[]string{"x"}, []string{"x"}, []string{"x", "c", "k", "s", "b", "w"}, []string{"x", "y"}, []string{"x", "y", "z"}},
		{"drop", DropColumns{}, estimators.Spec{Target: "y", Weight: "w"}, `["s", "c"]`,
			[]string{"x", "k", "b"}, []string{"x", "k", "b"}, []string{"x", "k", "b", "s", "c"}, []string{"x", "k", "b", "y", "w"}, nil},
		{"drop without a target", DropColumns{}, estimators.Spec{}, `["y", "w", "b", "s", "c"]`,
			[]string{"x", "k"}, []string{"x", "k"}, []string{"x", "k", "y", "w", "b", "s", "c"}, []string{"x", "k"}, nil},
		{"rename", RenameColumns{}, estimators.Spec{Target: "y"}, `{"x": "age", "s": "name"}`,
			[]string{"x", "s"}, []string{"age", "name"}, []string{"x", "s"}, []string{"c", "k", "b", "y", "w", "age", "name"}, nil},
		{"swap", RenameColumns{}, estimators.Spec{}, `{"x": "k", "k": "x"}`,
			[]string{"x", "k"}, []string{"k", "x"}, []string{"x", "k"}, []string{"x", "c", "k", "s", "b", "y", "w"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, log := mustFit(t, c.l, f, c.spec, map[string]any{"columns": c.columns})
			tr := m.(estimators.Transformer)
			if got := fieldNames(m.Inputs()); !slices.Equal(got, c.inputs) {
				t.Errorf("inputs %q, want %q", got, c.inputs)
			}
			if got := fieldNames(m.Outputs()); !slices.Equal(got, c.outputs) {
				t.Errorf("outputs %q, want %q", got, c.outputs)
			}
			if got := tr.Replaces(); !slices.Equal(got, c.replaces) {
				t.Errorf("replaces %q, want %q", got, c.replaces)
			}
			if got := merged(t, m, f); !slices.Equal(got, c.after) {
				t.Errorf("after the step %q, want %q", got, c.after)
			}
			if log["n_outputs"] != len(c.outputs) {
				t.Errorf("log %v", log)
			}
			// The outputs are the input columns themselves.
			out := mustApply(t, m, f)
			for j, in := range m.Inputs() {
				if out.Columns()[j] != f.Column(in.Name) || m.Outputs()[j].Type != in.Type {
					t.Errorf("output %q is not input %q", out.Names()[j], in.Name)
				}
			}
			if c.afterOther != nil {
				other := frameOf(t, col{"x", f64(1)}, col{"y", f64(2)}, col{"z", f64(3)})
				defer other.Release()
				if got := merged(t, m, other); !slices.Equal(got, c.afterOther) {
					t.Errorf("on another frame %q, want %q", got, c.afterOther)
				}
			}
		})
	}
	m, _ := mustFit(t, RenameColumns{}, f, estimators.Spec{}, map[string]any{"columns": `{"x": "age"}`})
	if got := m.(*RenameColumnsModel).Renames(); len(got) != 1 || got["x"] != "age" {
		t.Errorf("renames %v", got)
	}
	// A frame without an input is refused; one without a dropped column
	// is not.
	m, _ = mustFit(t, DropColumns{}, f, estimators.Spec{Target: "y"}, map[string]any{"columns": `["s", "b", "w"]`})
	small := frameOf(t, col{"x", f64(1)}, col{"c", f64(1)}, col{"k", f64(1)})
	defer small.Release()
	mustApply(t, m, small)
	only := frameOf(t, col{"x", f64(1)})
	defer only.Release()
	_, err := m.Apply(context.Background(), only, 1)
	wantKind(t, "a frame without a kept column", err, engine.KindColumn)
}

func TestColumnStepErrors(t *testing.T) {
	f := numericFrame(t)
	defer f.Release()
	for _, c := range []struct {
		name    string
		l       estimators.Learner
		spec    estimators.Spec
		columns string
		kind    engine.Kind
		want    string
	}{
		{"unknown column", SelectColumns{}, estimators.Spec{}, `["x", "nope"]`, engine.KindColumn, `"nope"`},
		{"unknown column to drop", DropColumns{}, estimators.Spec{}, `["nope"]`, engine.KindColumn, `"nope"`},
		{"unknown column to rename", RenameColumns{}, estimators.Spec{}, `{"nope": "x2"}`, engine.KindColumn, `"nope"`},
		{"invalid JSON", SelectColumns{}, estimators.Spec{}, `["x"`, engine.KindValue, `"columns"`},
		{"an object for a list", DropColumns{}, estimators.Spec{}, `{"x": 1}`, engine.KindValue, `"columns"`},
		{"a list for an object", RenameColumns{}, estimators.Spec{}, `["x"]`, engine.KindValue, `"columns"`},
		{"numbers", SelectColumns{}, estimators.Spec{}, `[1, 2]`, engine.KindValue, `"columns"`},
		{"empty list", DropColumns{}, estimators.Spec{}, `[]`, engine.KindValue, "empty"},
		{"empty object", RenameColumns{}, estimators.Spec{}, `{}`, engine.KindValue, "empty"},
		{"repeated", SelectColumns{}, estimators.Spec{}, `["x", "x"]`, engine.KindValue, `"x" twice`},
		{"empty name", DropColumns{}, estimators.Spec{}, `[""]`, engine.KindValue, "empty name"},
		{"only the target", SelectColumns{}, estimators.Spec{Target: "y"}, `["y"]`, engine.KindValue, "target"},
		{"drop the target", DropColumns{}, estimators.Spec{Target: "y"}, `["y"]`, engine.KindValue, `"y", the target`},
		{"drop the weight", DropColumns{}, estimators.Spec{Weight: "w"}, `["w"]`, engine.KindValue, `"w", the weight`},
		{"drop everything", DropColumns{}, estimators.Spec{Target: "y"}, `["x", "c", "k", "s", "b", "w"]`, engine.KindValue, "every column"},
		{"rename the target", RenameColumns{}, estimators.Spec{Target: "y"}, `{"y": "label"}`, engine.KindValue, `"y", the target`},
		{"rename onto a column", RenameColumns{}, estimators.Spec{}, `{"x": "k"}`, engine.KindValue, `"k"`},
		{"rename onto the target", RenameColumns{}, estimators.Spec{Target: "y"}, `{"x": "y"}`, engine.KindValue, `"y"`},
		{"two onto one", RenameColumns{}, estimators.Spec{}, `{"x": "z", "k": "z"}`, engine.KindValue, `"z"`},
		{"features", SelectColumns{}, estimators.Spec{Features: []string{"x"}}, `["x"]`, engine.KindValue, "features"},
	} {
		_, _, err := c.l.Fit(context.Background(), f, c.spec, map[string]any{"columns": c.columns})
		wantKind(t, c.name, err, c.kind)
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q does not say %s", c.name, err, c.want)
		}
	}
	empty := frameOf(t, col{"x", f64()})
	defer empty.Release()
	_, _, err := DropColumns{}.Fit(context.Background(), empty, estimators.Spec{}, map[string]any{"columns": `["x"]`})
	wantKind(t, "empty frame", err, engine.KindValue)
}
