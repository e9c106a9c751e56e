package linear

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// roundTrip encodes, marshals, unmarshals and decodes a model.
func roundTrip(t testing.TB, m estimators.Model) (estimators.Model, []byte) {
	t.Helper()
	mf, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := mf.Marshal()
	mf.Release()
	if err != nil {
		t.Fatal(err)
	}
	back, err := engine.UnmarshalModelFile(b)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	m2, err := estimators.Decode(back)
	if err != nil {
		t.Fatal(err)
	}
	return m2, b
}

// sameColumns fails unless two frames hold the same columns, bit for bit.
func sameColumns(t *testing.T, a, b *engine.Frame) {
	t.Helper()
	if fmt.Sprint(a.Names()) != fmt.Sprint(b.Names()) {
		t.Fatalf("columns %v vs %v", a.Names(), b.Names())
	}
	for i, ca := range a.Columns() {
		if !array.Equal(ca, b.Columns()[i]) {
			t.Errorf("column %q differs", a.Names()[i])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	pr := makeProblem(53, 500, 4, 4, true)
	f := pr.frame(t)
	defer f.Release()
	s := make([]string, len(pr.labels))
	for i, l := range pr.labels {
		s[i] = []string{"term", "b", "c", "d"}[l]
	}
	fs := frameOf(t, column{"x0", f64(pr.X[0])}, column{"x1", f64(pr.X[1])}, column{"x2", f64(pr.X[2])}, column{"x3", f64(pr.X[3])}, column{"s", strs(s)})
	defer fs.Release()
	binary := make([]int64, len(pr.labels))
	for i, l := range pr.labels {
		binary[i] = l % 2
	}
	fb := frameOf(t, column{"x0", f64(pr.X[0])}, column{"x1", f64(pr.X[1])}, column{"b", i64(binary)})
	defer fb.Release()
	cases := []struct {
		name    string
		learner estimators.Learner
		frame   *engine.Frame
		spec    estimators.Spec
		params  map[string]any
	}{
		{"ols", Regression{}, f, pr.spec("y"), nil},
		{"lasso without intercept", Regression{}, f, pr.spec("y"), map[string]any{"l1": 100.0, "fit_intercept": false}},
		{"binary", Logistic{}, fb, estimators.Spec{Target: "b"}, nil},
		{"multinomial", Logistic{}, f, pr.spec("label"), map[string]any{"l1": 1.0}},
		{"string labels with a class named term", Logistic{}, fs, estimators.Spec{Target: "s"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _, err := c.learner.Fit(context.Background(), c.frame, c.spec, c.params)
			if err != nil {
				t.Fatal(err)
			}
			m2, b := roundTrip(t, m)
			_, b2 := roundTrip(t, m2)
			if string(b) != string(b2) {
				t.Error("re-encoding the decoded model gives different bytes")
			}
			p1, err := m.Apply(context.Background(), c.frame, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer p1.Release()
			p2, err := m2.Apply(context.Background(), c.frame, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer p2.Release()
			sameColumns(t, p1, p2)
			if fmt.Sprint(m.Summary()) != fmt.Sprint(m2.Summary()) {
				t.Errorf("summaries differ:\n%v\n%v", m.Summary(), m2.Summary())
			}
		})
	}
}

// TestApplyMatchesCoefficients checks Apply against a direct computation
// from the coefficients.
func TestApplyMatchesCoefficients(t *testing.T) {
	pr := makeProblem(59, 3*engine.ChunkRows/2, 3, 3, false)
	f := pr.frame(t)
	defer f.Release()
	m, _ := mustFit(t, Regression{}, f, pr.spec("y"), map[string]any{"l2": 1.0})
	out, err := m.Apply(context.Background(), f, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := engine.Float64s("prediction", out.Column("prediction"))
	for i := range pr.y {
		want := m.intercept[0]
		for j := range pr.X {
			want += m.coef[0][j] * pr.X[j][i]
		}
		if math.Abs(pred[i]-want) > 1e-12*(1+math.Abs(want)) {
			t.Fatalf("row %d: prediction %v, want %v", i, pred[i], want)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	pr := makeProblem(61, 100, 2, 3, false)
	f := pr.frame(t)
	defer f.Release()
	m, _ := mustFit(t, Logistic{}, f, pr.spec("label"), nil)
	good, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer good.Release()
	edits := map[string]func(mf *engine.ModelFile){
		"learner": func(mf *engine.ModelFile) { mf.Learner = RegressionName },
		"params":  func(mf *engine.ModelFile) { mf.Params = map[string]any{"l2": -3.0} },
		"state":   func(mf *engine.ModelFile) { mf.State = []byte(`{"task":"binary"}`) },
		"bad classes": func(mf *engine.ModelFile) {
			mf.State = []byte(`{"task":"multinomial","features":["x0","x1"],"classes":{"kind":"int","labels":["2","1","0"]}}`)
		},
		"inputs":     func(mf *engine.ModelFile) { mf.Inputs = mf.Inputs[:1] },
		"input type": func(mf *engine.ModelFile) { mf.Inputs = []engine.Field{{Name: "x0", Type: "utf8"}, mf.Inputs[1]} },
		"outputs":    func(mf *engine.ModelFile) { mf.Outputs = mf.Outputs[1:] },
		"no table":   func(mf *engine.ModelFile) { mf.Tables = nil },
		"short table": func(mf *engine.ModelFile) {
			mf.Tables = []engine.Table{{Name: "coefficients", Frame: frameOf(t, column{"term", strs([]string{InterceptTerm})})}}
		},
		"nan coef": func(mf *engine.ModelFile) {
			cols := []column{{"term", strs([]string{InterceptTerm, "x0", "x1"})}}
			for _, l := range []string{"0", "1", "2"} {
				cols = append(cols, column{l, f64([]float64{0, math.NaN(), 1})})
			}
			mf.Tables = []engine.Table{{Name: "coefficients", Frame: frameOf(t, cols...)}}
		},
		"wrong terms": func(mf *engine.ModelFile) {
			cols := []column{{"term", strs([]string{InterceptTerm, "x1", "x0"})}}
			for _, l := range []string{"0", "1", "2"} {
				cols = append(cols, column{l, f64([]float64{0, 0, 1})})
			}
			mf.Tables = []engine.Table{{Name: "coefficients", Frame: frameOf(t, cols...)}}
		},
	}
	for name, edit := range edits {
		mf := *good
		edit(&mf)
		if _, err := (Logistic{}).Decode(&mf); engine.KindOf(err) != engine.KindFormat {
			t.Errorf("%s: got %v (%s), want a %s", name, err, engine.KindOf(err), engine.KindFormat)
		}
	}
	if _, err := (Logistic{}).Decode(good); err != nil {
		t.Errorf("the unedited file: %v", err)
	}
}

// FuzzDecode feeds corrupt model files to the decoder, which must return an
// error or a model that can be applied, and never panic.
func FuzzDecode(f *testing.F) {
	pr := makeProblem(67, 100, 2, 3, false)
	frame := pr.frame(f)
	defer frame.Release()
	for _, c := range []struct {
		l      estimators.Learner
		target string
	}{{Regression{}, "y"}, {Logistic{}, "label"}} {
		m, _ := mustFit(f, c.l, frame, pr.spec(c.target), nil)
		mf, _ := m.Encode()
		b, _ := mf.Marshal()
		f.Add(b)
	}
	binary := make([]int64, len(pr.labels))
	for i, l := range pr.labels {
		binary[i] = l % 2
	}
	fb := frameOf(f, column{"x0", f64(pr.X[0])}, column{"x1", f64(pr.X[1])}, column{"b", i64(binary)})
	defer fb.Release()
	m, _ := mustFit(f, Logistic{}, fb, estimators.Spec{Target: "b"}, nil)
	mf, _ := m.Encode()
	b, _ := mf.Marshal()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := engine.UnmarshalModelFile(data)
		if err != nil {
			return
		}
		defer file.Release()
		for _, l := range []estimators.Learner{Regression{}, Logistic{}} {
			model, err := l.Decode(file)
			if err != nil {
				if engine.KindOf(err) != engine.KindFormat {
					t.Fatalf("decode error of kind %s: %v", engine.KindOf(err), err)
				}
				continue
			}
			var cols []column
			for _, in := range model.Inputs() {
				cols = append(cols, column{in.Name, f64([]float64{1, -2, 0.5})})
			}
			in, err := engine.NewFrame(nil, nil)
			if len(cols) > 0 {
				in = frameOf(t, cols...)
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := model.Apply(context.Background(), in, 1)
			if err == nil {
				out.Release()
			}
			in.Release()
			model.Summary()
		}
	})
}
