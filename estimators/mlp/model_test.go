package mlp

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// vectorFrame has a fixed-size list "v" of x0..x2, the scalar x3 and the
// targets of d.
func vectorFrame(t testing.TB, d data) *engine.Frame {
	rows := make([][]float64, len(d.reg))
	for i := range rows {
		rows[i] = []float64{d.x[0][i], d.x[1][i], d.x[2][i]}
	}
	return frame(t, []string{"v", "x3", "reg", "bin", "cls"}, fixedList(rows, 3), floats(d.x[3], false),
		floats(d.reg, false), bools(d.bin), strs(d.cls))
}

// fittedModels returns a model of every kind with the frame it scores.
func fittedModels(t testing.TB) map[string]struct {
	m *Model
	f *engine.Frame
} {
	d := makeData(300, 31)
	f, vf := d.frame(t), vectorFrame(t, d)
	out := map[string]struct {
		m *Model
		f *engine.Frame
	}{}
	for name, c := range map[string]struct {
		f      *engine.Frame
		target string
		params map[string]any
	}{
		"regression":       {f, "reg", map[string]any{"activation": actTanh}},
		"binary":           {f, "bin", map[string]any{"activation": actGELU, "hidden_layers": "[6]"}},
		"multiclass":       {f, "cls", map[string]any{"activation": actSigmoid, "hidden_layers": "[5, 4, 3]"}},
		"linear":           {f, "cls", map[string]any{"hidden_layers": "[]"}},
		"fixed-size list":  {vf, "cls", nil},
		"integer classes":  {frame(t, []string{"x0", "k"}, floats(d.x[0], false), int64s(intClasses(d.cls))), "k", map[string]any{"objective": objLogLoss}},
		"squared, dropout": {f, "reg", map[string]any{"dropout": 0.3, "optimizer": optSGD}},
	} {
		spec := estimators.Spec{Target: c.target, Features: nil}
		if c.f == f {
			spec.Features = features
		}
		m, _ := fitModel(t, c.f, spec, withDefaults(c.params))
		out[name] = struct {
			m *Model
			f *engine.Frame
		}{m, c.f}
	}
	return out
}

func intClasses(labels []string) []int64 {
	out := make([]int64, len(labels))
	for i, l := range labels {
		out[i] = map[string]int64{"ant": -4, "bee": 0, "cat": 9}[l]
	}
	return out
}

// TestModelFileRoundTrip: encode, marshal, unmarshal and decode give a
// model with the same predictions bit for bit, the same summary and
// hyperparameters, and the same file again.
func TestModelFileRoundTrip(t *testing.T) {
	for name, c := range fittedModels(t) {
		t.Run(name, func(t *testing.T) {
			back, b := roundTrip(t, c.m)
			sameParams(t, "decoded", c.m, back)
			sameColumns(t, "predictions", predict(t, c.m, c.f, 2), predict(t, back, c.f, 1))
			if !reflect.DeepEqual(c.m.Summary(), back.Summary()) {
				t.Errorf("summary %v, decoded %v", c.m.Summary(), back.Summary())
			}
			if !reflect.DeepEqual(c.m.Inputs(), back.Inputs()) || !reflect.DeepEqual(c.m.Outputs(), back.Outputs()) {
				t.Errorf("inputs %v → %v, outputs %v → %v", c.m.Inputs(), back.Inputs(), c.m.Outputs(), back.Outputs())
			}
			want := c.m.Params()
			want["n_threads"] = int64(0) // a runtime parameter: not in the file
			if got := back.Params(); !reflect.DeepEqual(normalise(got), normalise(want)) {
				t.Errorf("params %v, decoded %v", want, got)
			}
			if again := encodeBytes(t, back); !bytes.Equal(again, b) {
				t.Error("the decoded model encodes to other bytes")
			}
			if back.Learner() != Name || back.target != c.m.target {
				t.Errorf("learner %q, target %q", back.Learner(), back.target)
			}
		})
	}
}

// normalise turns numbers into float64 for comparing hyperparameters.
func normalise(v map[string]any) map[string]any {
	out := maps.Clone(v)
	for k, x := range out {
		switch n := x.(type) {
		case int:
			out[k] = float64(n)
		case int64:
			out[k] = float64(n)
		}
	}
	return out
}

// TestDecodeRejectsCorruption changes one thing at a time in a valid model
// file; decode must refuse each with a KindFormat error and never panic.
func TestDecodeRejectsCorruption(t *testing.T) {
	models := fittedModels(t)
	m := models["multiclass"].m
	reg := models["regression"].m
	editState := func(mf *engine.ModelFile, edit func(s map[string]any)) {
		var s map[string]any
		if err := json.Unmarshal(mf.State, &s); err != nil {
			t.Fatal(err)
		}
		edit(s)
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		mf.State = raw
	}
	paramsTable := func(mf *engine.ModelFile, v []float32, nulls []bool) {
		b := array.NewFloat32Builder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues(v, nulls)
		tab, err := engine.NewFrame([]string{"value"}, []arrow.Array{b.NewArray()})
		if err != nil {
			t.Fatal(err)
		}
		mf.Tables[0].Frame.Release()
		mf.Tables[0].Frame = tab
	}
	for _, c := range []struct {
		name  string
		model *Model
		edit  func(mf *engine.ModelFile)
	}{
		{"another learner", m, func(mf *engine.ModelFile) { mf.Learner = "gbdt" }},
		{"bad hyperparameter", m, func(mf *engine.ModelFile) { mf.Params["activation"] = "swish" }},
		{"state not JSON", m, func(mf *engine.ModelFile) { mf.State = json.RawMessage("{") }},
		{"unknown activation", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["activation"] = "swish" })
		}},
		{"unknown objective", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["objective"] = "hinge" })
		}},
		{"sizes short", m, func(mf *engine.ModelFile) { editState(mf, func(s map[string]any) { s["sizes"] = []int{4} }) }},
		{"inputs differ", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["sizes"] = []int{5, 5, 4, 3, 3} })
		}},
		{"zero width layer", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["sizes"] = []int{4, 0, 4, 3, 3} })
		}},
		{"huge layer", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["sizes"] = []int{4, 1 << 40, 3} })
		}},
		{"outputs for other classes", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["sizes"] = []int{4, 5, 4, 3, 1} })
		}},
		{"regression with classes", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["objective"] = objSquared })
		}},
		{"classifier without classes", reg, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["objective"] = objLogLoss })
		}},
		{"zero scale", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["scale"] = []float64{1, 0, 1, 1} })
		}},
		{"negative scale", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["scale"] = []float64{1, -2, 1, 1} })
		}},
		{"means short", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["mean"] = []float64{1, 2, 3} })
		}},
		{"widths short", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["input_widths"] = []int{1, 1, 1} })
		}},
		{"zero input width", m, func(mf *engine.ModelFile) {
			editState(mf, func(s map[string]any) { s["input_widths"] = []int{1, 0, 2, 1} })
		}},
		{"no inputs", m, func(mf *engine.ModelFile) { mf.Inputs = nil }},
		{"outputs missing", m, func(mf *engine.ModelFile) { mf.Outputs = mf.Outputs[:2] }},
		{"params short", m, func(mf *engine.ModelFile) { paramsTable(mf, make([]float32, len(m.nt.params)-1), nil) }},
		{"params long", m, func(mf *engine.ModelFile) { paramsTable(mf, make([]float32, len(m.nt.params)+1), nil) }},
		{"null param", m, func(mf *engine.ModelFile) {
			nulls := make([]bool, len(m.nt.params))
			for i := range nulls {
				nulls[i] = i != 3
			}
			paramsTable(mf, make([]float32, len(m.nt.params)), nulls)
		}},
		{"params of another type", m, func(mf *engine.ModelFile) {
			b := array.NewFloat64Builder(memory.DefaultAllocator)
			defer b.Release()
			b.AppendValues(make([]float64, len(m.nt.params)), nil)
			tab, _ := engine.NewFrame([]string{"value"}, []arrow.Array{b.NewArray()})
			mf.Tables[0].Frame.Release()
			mf.Tables[0].Frame = tab
		}},
		{"no params table", m, func(mf *engine.ModelFile) { mf.Tables[0].Name = "weights" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			mf, err := c.model.Encode()
			if err != nil {
				t.Fatal(err)
			}
			defer mf.Release()
			c.edit(mf)
			_, err = Learner{}.Decode(mf)
			wantErr(t, err, engine.KindFormat, "mlp model file is corrupt")
		})
	}
	if _, err := (Learner{}).Decode(nil); engine.KindOf(err) != engine.KindFormat {
		t.Errorf("nil file: %v", err)
	}
}

func TestSummary(t *testing.T) {
	d := makeData(200, 32)
	m, _ := fitModel(t, vectorFrame(t, d), estimators.Spec{Target: "bin", Features: []string{"v", "x3"}},
		withDefaults(map[string]any{"hidden_layers": "[5]", "activation": actGELU}))
	s := m.Summary()
	if !reflect.DeepEqual(s["sizes"], []int{4, 5, 1}) || s["activation"] != actGELU || s["objective"] != objLogLoss ||
		s["n_params"] != 4*5+5+5+1 || !reflect.DeepEqual(s["input_widths"], []int{3, 1}) ||
		len(s["mean"].([]float64)) != 4 || len(s["scale"].([]float64)) != 4 {
		t.Errorf("summary %v", s)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Error(err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range fittedModels(f) {
		f.Add(encodeBytes(f, c.m))
	}
	f.Fuzz(decodeAny)
}

// decodeAny decodes model file bytes and, when they make a model, applies,
// summarises and encodes it again: nothing may panic, and decode fails
// only with KindFormat.
func decodeAny(t *testing.T, b []byte) {
	file, err := engine.UnmarshalModelFile(b)
	if err != nil {
		return
	}
	defer file.Release()
	model, err := Learner{}.Decode(file)
	if err != nil {
		if engine.KindOf(err) != engine.KindFormat {
			t.Fatalf("decode error of kind %s: %v", engine.KindOf(err), err)
		}
		return
	}
	m := model.(*Model)
	var names []string
	var cols []arrow.Array
	for _, in := range m.inputs {
		names = append(names, in.name)
		if in.width == 1 {
			cols = append(cols, floats([]float64{1, -2, 0.5}, false))
			continue
		}
		if in.width > 1<<12 {
			return // too wide to build a frame for
		}
		row := make([]float64, in.width)
		cols = append(cols, fixedList([][]float64{row, row, row}, in.width))
	}
	in, err := engine.NewFrame(names, cols)
	if err != nil {
		for _, c := range cols {
			c.Release()
		}
		return
	}
	defer in.Release()
	if out, err := m.Apply(context.Background(), in, 1); err == nil {
		out.Release()
	}
	m.Summary()
	if mf, err := m.Encode(); err == nil {
		if _, err := mf.Marshal(); err != nil {
			t.Errorf("marshalling a decoded model: %v", err)
		}
		mf.Release()
	}
}
