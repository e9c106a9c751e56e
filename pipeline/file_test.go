package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// stepBytes returns the model file bytes of a model.
func stepBytes(t testing.TB, m estimators.Model) []byte {
	t.Helper()
	f, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// row is one row of a hand-made steps table.
type row struct {
	name, learner string
	model         []byte
}

// handMade builds a pipeline model file from rows, with the inputs and
// outputs given, for the decoder's error paths.
func handMade(t testing.TB, rows []row, inputs, outputs []engine.Field) *engine.ModelFile {
	t.Helper()
	mem := memory.DefaultAllocator
	nb, lb := array.NewStringBuilder(mem), array.NewStringBuilder(mem)
	mb := array.NewBinaryBuilder(mem, arrow.BinaryTypes.LargeBinary)
	defer nb.Release()
	defer lb.Release()
	defer mb.Release()
	for _, r := range rows {
		nb.Append(r.name)
		lb.Append(r.learner)
		mb.Append(r.model)
	}
	f, err := engine.NewFrame([]string{"name", "learner", "model"}, []arrow.Array{nb.NewArray(), lb.NewArray(), mb.NewArray()})
	if err != nil {
		t.Fatal(err)
	}
	return &engine.ModelFile{Learner: Name, Params: map[string]any{}, Inputs: inputs, Outputs: outputs,
		Tables: []engine.Table{{Name: stepsTable, Frame: f}}}
}

func TestDecodeRefuses(t *testing.T) {
	scale := newAffine([]string{"a"}, "_s", 2, 0)
	sm := newSum("a_s")
	good := []row{{"scale", affineName, stepBytes(t, scale)}, {"sum", sumName, stepBytes(t, sm)}}
	in := []engine.Field{{Name: "a", Type: "float64"}}
	out := []engine.Field{{Name: "prediction", Type: "float64"}}
	// The hand-made good file decodes: the cases below differ from it in one
	// thing each.
	f := handMade(t, good, in, out)
	if _, err := decode(f); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	f.Release()
	for _, c := range []struct {
		name    string
		rows    []row
		in, out []engine.Field
		want    string
	}{
		{"no steps", nil, in, out, "at least one step"},
		{"duplicate names", []row{good[0], {"scale", sumName, stepBytes(t, newSum("a_s"))}}, in, out, "used twice"},
		{"empty name", []row{{"", affineName, good[0].model}, good[1]}, in, out, "empty name"},
		{"learner mismatch", []row{{"scale", sumName, good[0].model}, good[1]}, in, out, `listed as "test_sum"`},
		{"corrupt step", []row{{"scale", affineName, good[0].model[:40]}, good[1]}, in, out, `step "scale"`},
		{"unknown learner", []row{good[0], {"sum", "nope", good[1].model}}, in, out, `"nope"`},
		{"broken chain", []row{good[0], {"again", affineName, stepBytes(t, newAffine([]string{"a"}, "", 1, 0))}}, in, []engine.Field{{Name: "a_s", Type: "float64"}, {Name: "a", Type: "float64"}}, `step "again" reads column "a", which step "scale" replaces`},
		{"inputs disagree", good, []engine.Field{{Name: "b", Type: "float64"}}, out, "records inputs"},
		{"outputs disagree", good, in, []engine.Field{{Name: "score", Type: "float64"}}, "records outputs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := handMade(t, c.rows, c.in, c.out)
			defer f.Release()
			_, err := decode(f)
			if err == nil || engine.KindOf(err) != engine.KindFormat || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (%s), want a ModelFileError containing %q", err, engine.KindOf(err), c.want)
			}
		})
	}

	// Files of the wrong shape.
	f = handMade(t, good, in, out)
	defer f.Release()
	wrongLearner := *f
	wrongLearner.Learner = "gbdt"
	extra := *f
	extra.Tables = append(extra.Tables, engine.Table{Name: "more", Frame: f.Tables[0].Frame})
	noTable := *f
	noTable.Tables = []engine.Table{{Name: "stages", Frame: f.Tables[0].Frame}}
	for name, file := range map[string]*engine.ModelFile{"nil": nil, "learner": &wrongLearner, "two tables": &extra, "table name": &noTable} {
		if _, err := decode(file); err == nil || engine.KindOf(err) != engine.KindFormat {
			t.Errorf("%s: got %v", name, err)
		}
	}
	cols, err := engine.NewFrame([]string{"name"}, []arrow.Array{floats(memory.DefaultAllocator, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer cols.Release()
	wrongCols := *f
	wrongCols.Tables = []engine.Table{{Name: stepsTable, Frame: cols}}
	if _, err := decode(&wrongCols); err == nil || !strings.Contains(err.Error(), "columns") {
		t.Errorf("wrong columns: got %v", err)
	}
}

// FuzzDecode feeds corrupt pipeline files to the decoder, which must return
// a ModelFileError or a model that applies and encodes, and never panic.
// The seeds hold stand-in steps, real learners and a nested pipeline.
func FuzzDecode(f *testing.F) {
	train := problem(f, 80, 5)
	defer train.Release()
	steps := realSteps(f, train)
	inner := mustNew(f, steps[0], Step{"noop", newAffine([]string{"x2"}, "", 1, 0)})
	for _, m := range []estimators.Model{
		mustNew(f, Step{"scale", newAffine([]string{"a"}, "_s", 2, 1)}, Step{"sum", newSum("a_s", "b")}),
		mustNew(f, Step{"scale", newAffine([]string{"a", "b"}, "", 2, 1)}),
		mustNew(f, steps...),
		mustNew(f, Step{"features", inner}, Step{"model", steps[2].Model}),
	} {
		f.Add(stepBytes(f, m))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := engine.UnmarshalModelFile(data)
		if err != nil {
			return
		}
		defer file.Release()
		m, err := Learner{}.Decode(file)
		if err != nil {
			if engine.KindOf(err) != engine.KindFormat {
				t.Fatalf("decode error of kind %s: %v", engine.KindOf(err), err)
			}
			return
		}
		cols := map[string][]float64{}
		var order []string
		for _, in := range m.Inputs() {
			cols[in.Name] = []float64{1, -2, 0.5}
			order = append(order, in.Name)
		}
		in := frameOf(t, cols, order...)
		defer in.Release()
		if out, err := m.Apply(context.Background(), in, 1); err == nil {
			out.Release()
		}
		m.Summary()
		if file, err := m.Encode(); err != nil {
			t.Fatalf("a decoded pipeline does not encode: %v", err)
		} else {
			file.Release()
		}
	})
}
