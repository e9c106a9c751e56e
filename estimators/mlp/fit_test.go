package mlp

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

func TestFitsEveryKindOfTarget(t *testing.T) {
	d := makeData(1200, 1)
	train := d.frame(t)
	test := makeData(600, 2)
	testFrame := test.frame(t)
	params := map[string]any{"hidden_layers": "[32, 16]", "max_iter": 60, "batch_size": 100,
		"learning_rate": 3e-3, "n_threads": 2}
	cases := []struct {
		target    string
		objective string
		outputs   []string
		check     func(t *testing.T, out *engine.Frame)
	}{
		{"reg", objSquared, []string{"prediction"}, func(t *testing.T, out *engine.Frame) {
			pred := values(t, out, "prediction")
			var ss, st, mean float64
			for _, v := range test.reg {
				mean += v / float64(len(test.reg))
			}
			for i, v := range test.reg {
				ss += (v - pred[i]) * (v - pred[i])
				st += (v - mean) * (v - mean)
			}
			if r2 := 1 - ss/st; r2 < 0.9 {
				t.Errorf("test R² %.3f", r2)
			}
		}},
		{"bin", objLogLoss, []string{"prediction", "probability_false", "probability_true"}, func(t *testing.T, out *engine.Frame) {
			pred := out.Column("prediction").(*array.Boolean)
			p0, p1 := values(t, out, "probability_false"), values(t, out, "probability_true")
			hit := 0
			for i, y := range test.bin {
				if math.Abs(p0[i]+p1[i]-1) > 1e-12 || pred.Value(i) != (p1[i] > 0.5) {
					t.Fatalf("row %d: probabilities %v, %v and prediction %v", i, p0[i], p1[i], pred.Value(i))
				}
				if pred.Value(i) == y {
					hit++
				}
			}
			if acc := float64(hit) / float64(len(test.bin)); acc < 0.8 {
				t.Errorf("test accuracy %.3f", acc)
			}
		}},
		{"cls", objLogLoss, []string{"prediction", "probability_ant", "probability_bee", "probability_cat"}, func(t *testing.T, out *engine.Frame) {
			if acc := accuracy(t, out, test.cls); acc < 0.7 {
				t.Errorf("test accuracy %.3f", acc)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.target, func(t *testing.T) {
			m, log := fitModel(t, train, estimators.Spec{Target: c.target, Features: features}, params)
			if log["objective"] != c.objective || m.objective != c.objective {
				t.Errorf("objective %v", log["objective"])
			}
			losses := log["loss"].([]float64)
			if len(losses) != 60 || log["epochs"] != 60 || losses[59] >= losses[0] {
				t.Errorf("%d losses from %v to %v, epochs %v", len(losses), losses[0], losses[len(losses)-1], log["epochs"])
			}
			wantSizes := []int{4, 32, 16, (&target{k: map[string]int{"reg": 0, "bin": 2, "cls": 3}[c.target]}).outputs()}
			if !slices.Equal(m.nt.sizes, wantSizes) || log["n_params"] != len(m.nt.params) || log["n_inputs"] != 4 {
				t.Errorf("sizes %v, log %v params, %v inputs", m.nt.sizes, log["n_params"], log["n_inputs"])
			}
			var got []string
			for _, f := range m.Outputs() {
				got = append(got, f.Name)
			}
			if !slices.Equal(got, c.outputs) {
				t.Errorf("outputs %q", got)
			}
			out := predict(t, m, testFrame, 2)
			if !slices.Equal(out.Names(), c.outputs) {
				t.Errorf("columns %q", out.Names())
			}
			c.check(t, out)
		})
	}
}

// TestStandardisation: the model standardises its inputs with the training
// rows' means and population standard deviations (a constant column is
// only centred), so rescaling a feature changes nothing but the stored
// statistics.
func TestStandardisation(t *testing.T) {
	d := makeData(300, 3)
	konst := make([]float64, 300)
	for i := range konst {
		konst[i] = 7
	}
	f := frame(t, []string{"x0", "x1", "k", "reg"}, floats(d.x[0], false), floats(d.x[1], false), floats(konst, false),
		floats(d.reg, false))
	params := withDefaults(map[string]any{"seed": 4})
	m, _ := fitModel(t, f, estimators.Spec{Target: "reg"}, params)
	for j, col := range [][]float64{d.x[0], d.x[1], konst} {
		var mean, ss float64
		for _, v := range col {
			mean += v
		}
		mean /= float64(len(col))
		for _, v := range col {
			ss += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(ss / float64(len(col)))
		if sd == 0 {
			sd = 1
		}
		if math.Abs(m.standard.mean[j]-mean) > 1e-9*math.Abs(mean)+1e-12 || math.Abs(m.standard.scale[j]-sd) > 1e-9*sd {
			t.Errorf("input %d: mean %v scale %v, want %v and %v", j, m.standard.mean[j], m.standard.scale[j], mean, sd)
		}
	}
	// x0 in other units, shifted: the same network.
	scaled := make([]float64, len(d.x[0]))
	for i, v := range d.x[0] {
		scaled[i] = 1000*v - 5
	}
	g := frame(t, []string{"x0", "x1", "k", "reg"}, floats(scaled, false), floats(d.x[1], false), floats(konst, false),
		floats(d.reg, false))
	m2, _ := fitModel(t, g, estimators.Spec{Target: "reg"}, params)
	for i, v := range m.nt.params {
		if math.Abs(float64(v-m2.nt.params[i])) > 1e-4 {
			t.Fatalf("parameter %d: %v vs %v after rescaling a feature", i, v, m2.nt.params[i])
		}
	}
}

// TestThreadsDoNotChangeTheModel: chunks of a mini-batch are fixed and their
// gradients added in order, so any n_threads gives the same parameters, bit
// for bit, dropout included.
func TestThreadsDoNotChangeTheModel(t *testing.T) {
	d := makeData(900, 5)
	f := d.frame(t)
	for _, target := range []string{"reg", "bin", "cls"} {
		t.Run(target, func(t *testing.T) {
			params := map[string]any{"hidden_layers": "[24, 12]", "max_iter": 4, "batch_size": 3*chunkRows + 5,
				"dropout": 0.2, "seed": 11}
			var first *Model
			var firstOut *engine.Frame
			for _, threads := range []int{1, 2, 4} {
				params["n_threads"] = threads
				m, _ := fitModel(t, f, estimators.Spec{Target: target, Features: features}, params)
				out := predict(t, m, f, threads)
				if first == nil {
					first, firstOut = m, out
					continue
				}
				sameParams(t, "n_threads", first, m)
				sameColumns(t, "n_threads", firstOut, out)
			}
			params["seed"] = 12
			other, _ := fitModel(t, f, estimators.Spec{Target: target, Features: features}, params)
			if slices.Equal(other.nt.params, first.nt.params) {
				t.Error("another seed gave the same parameters")
			}
		})
	}
}

// TestFixedSizeListEqualsScalarColumns: a fixed-size-list column is the
// same as its values spread over scalar columns, in training and scoring,
// sliced arrays included.
func TestFixedSizeListEqualsScalarColumns(t *testing.T) {
	const n = 500
	d := makeData(n, 6)
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{d.x[0][i], d.x[1][i], d.x[2][i]}
	}
	vec := frame(t, []string{"v", "x3", "cls"}, fixedList(rows, 3), floats(d.x[3], false), strs(d.cls))
	flat := frame(t, []string{"x0", "x1", "x2", "x3", "cls"}, floats(d.x[0], false), floats(d.x[1], false),
		floats(d.x[2], false), floats(d.x[3], false), strs(d.cls))
	params := withDefaults(map[string]any{"max_iter": 8, "seed": 2})
	mv, logV := fitModel(t, vec, estimators.Spec{Target: "cls"}, params)
	mf, _ := fitModel(t, flat, estimators.Spec{Target: "cls"}, params)
	sameParams(t, "fixed-size list vs scalars", mv, mf)
	if logV["n_inputs"] != 4 || !slices.Equal(mv.Summary()["input_widths"].([]int), []int{3, 1}) {
		t.Errorf("n_inputs %v, widths %v", logV["n_inputs"], mv.Summary()["input_widths"])
	}
	if got := mv.Inputs(); len(got) != 2 || got[0].Name != "v" || !strings.Contains(got[0].Type, "fixed_size_list") {
		t.Errorf("inputs %+v", got)
	}
	sameColumns(t, "predictions", predict(t, mv, vec, 2), predict(t, mf, flat, 2))

	// A slice of the frame (the list's values start at an offset) scores
	// its rows as the whole frame does.
	lo, hi := 123, 301
	var cols []arrow.Array
	for _, c := range vec.Columns()[:2] {
		cols = append(cols, array.NewSlice(c, int64(lo), int64(hi)))
	}
	part := frame(t, []string{"v", "x3"}, cols...)
	whole := predict(t, mv, vec, 1)
	sliced := predict(t, mv, part, 1)
	for _, name := range whole.Names()[1:] {
		w, s := values(t, whole, name), values(t, sliced, name)
		for i := range s {
			if math.Float64bits(s[i]) != math.Float64bits(w[lo+i]) {
				t.Fatalf("%s row %d of the slice: %v, whole frame %v", name, i, s[i], w[lo+i])
			}
		}
	}

	// Float32 values in the list read as float64 ones of the same value.
	b := array.NewFixedSizeListBuilder(memory.DefaultAllocator, 3, arrow.PrimitiveTypes.Float32)
	vb := b.ValueBuilder().(*array.Float32Builder)
	for _, r := range rows {
		b.Append(true)
		for _, v := range r {
			vb.Append(float32(v))
		}
	}
	f32 := b.NewArray()
	b.Release()
	x3 := make([]float64, n)
	copy(x3, d.x[3])
	single := frame(t, []string{"v", "x3"}, f32, floats(x3, false))
	if _, err := mv.Apply(context.Background(), single, 1); err != nil {
		t.Errorf("a float32 list: %v", err)
	}
}

// TestEarlyStoppingKeepsTheBestEpoch fits a wide network on few noisy rows
// so that the validation loss turns up, and checks that training stops
// early_stopping_rounds epochs after the best epoch and keeps that epoch's
// parameters: those of a fit of exactly best_iteration epochs.
func TestEarlyStoppingKeepsTheBestEpoch(t *testing.T) {
	train := makeData(150, 7)
	valid := makeData(400, 8)
	trainFrame, validFrame := train.frame(t), valid.frame(t)
	for _, target := range []string{"bin", "reg"} {
		t.Run(target, func(t *testing.T) {
			const rounds, maxIter = 5, 400
			params := map[string]any{"hidden_layers": "[64, 64]", "max_iter": maxIter, "batch_size": 32,
				"learning_rate": 0.01, "l2": 0.0, "early_stopping_rounds": rounds, "n_threads": 2, "seed": 1}
			spec := estimators.Spec{Target: target, Features: features, Valid: validFrame}
			m, log := fitModel(t, trainFrame, spec, params)
			best := log["best_iteration"].(int)
			vl := log["valid_loss"].([]float64)
			t.Logf("best epoch %d of %v", best, log["epochs"])
			if log["epochs"] != best+rounds || len(vl) != best+rounds || best+rounds >= maxIter {
				t.Fatalf("best %d of %v epochs, %d validation losses", best, log["epochs"], len(vl))
			}
			if vl[best-1] != slices.Min(vl) || log["best_score"] != vl[best-1] {
				t.Errorf("best epoch %d with %v, the least validation loss is %v, best_score %v", best, vl[best-1],
					slices.Min(vl), log["best_score"])
			}
			if len(log["loss"].([]float64)) != best+rounds {
				t.Errorf("%d training losses", len(log["loss"].([]float64)))
			}
			// Exactly best epochs with the validation frame and no early
			// stopping give the same parameters.
			again := map[string]any{}
			for k, v := range params {
				again[k] = v
			}
			again["max_iter"], again["early_stopping_rounds"] = best, 0
			mb, logB := fitModel(t, trainFrame, spec, again)
			sameParams(t, "best epoch", m, mb)
			if logB["epochs"] != best || len(logB["valid_loss"].([]float64)) != best {
				t.Errorf("without early stopping: %v epochs", logB["epochs"])
			}
			// The kept model's validation loss is the best one.
			out := predict(t, m, validFrame, 2)
			var loss float64
			if target == "reg" {
				pred := values(t, out, "prediction")
				for i, v := range valid.reg {
					loss += 0.5 * (pred[i] - v) * (pred[i] - v)
				}
			} else {
				p := values(t, out, "probability_true")
				for i, y := range valid.bin {
					if y {
						loss -= math.Log(p[i])
					} else {
						loss -= math.Log(1 - p[i])
					}
				}
			}
			loss /= float64(len(valid.reg))
			if math.Abs(loss-vl[best-1]) > 1e-5*(1+loss) {
				t.Errorf("the model's validation loss is %v, the best epoch's %v", loss, vl[best-1])
			}
		})
	}
}

// TestValidationFrameDoesNotChangeTraining: without early stopping, a
// validation frame is only scored.
func TestValidationFrameDoesNotChangeTraining(t *testing.T) {
	d := makeData(400, 9)
	f := d.frame(t)
	v := makeData(100, 10).frame(t)
	params := withDefaults(map[string]any{"max_iter": 6, "dropout": 0.1})
	plain, logP := fitModel(t, f, estimators.Spec{Target: "cls", Features: features}, params)
	scored, logS := fitModel(t, f, estimators.Spec{Target: "cls", Features: features, Valid: v}, params)
	sameParams(t, "with a validation frame", plain, scored)
	if _, ok := logP["valid_loss"]; ok {
		t.Error("a valid_loss without a validation frame")
	}
	if vl := logS["valid_loss"].([]float64); len(vl) != 6 || logS["best_iteration"].(int) < 1 {
		t.Errorf("valid_loss %v, best_iteration %v", vl, logS["best_iteration"])
	}
}

func TestValidationFraction(t *testing.T) {
	d := makeData(300, 11)
	f := d.frame(t)
	params := map[string]any{"hidden_layers": "[64, 64]", "max_iter": 400, "batch_size": 32, "learning_rate": 0.01,
		"l2": 0.0, "early_stopping_rounds": 4, "validation_fraction": 0.3, "n_threads": 2}
	m, log := fitModel(t, f, estimators.Spec{Target: "bin", Features: features}, params)
	best := log["best_iteration"].(int)
	vl := log["valid_loss"].([]float64)
	t.Logf("best epoch %d of %v", best, log["epochs"])
	if log["epochs"] != best+4 || len(vl) != best+4 || vl[best-1] != slices.Min(vl) {
		t.Fatalf("best %d of %v epochs, validation losses %v", best, log["epochs"], vl)
	}
	// The same split, the same model, with the same seed; another seed
	// holds out other rows.
	m2, _ := fitModel(t, f, estimators.Spec{Target: "bin", Features: features}, params)
	sameParams(t, "validation_fraction", m, m2)
	params["seed"] = 1
	_, log3 := fitModel(t, f, estimators.Spec{Target: "bin", Features: features}, params)
	if slices.Equal(log3["valid_loss"].([]float64)[:3], vl[:3]) {
		t.Error("another seed validated on the same rows")
	}
	// A frame too small to split.
	small := makeData(3, 1).frame(t)
	_, _, err := fitErr(small, estimators.Spec{Target: "reg", Features: features},
		map[string]any{"validation_fraction": 0.2, "early_stopping_rounds": 2})
	wantErr(t, err, engine.KindValue, "validation_fraction")
}

func TestSchedules(t *testing.T) {
	h := &hyper{lr: 0.1, gamma: 0.5, stepEpochs: 3, maxIter: 10}
	for _, c := range []struct {
		schedule string
		epoch    int
		want     float64
	}{
		{schConstant, 0, 0.1}, {schConstant, 9, 0.1},
		{schStep, 0, 0.1}, {schStep, 2, 0.1}, {schStep, 3, 0.05}, {schStep, 8, 0.025}, {schStep, 9, 0.0125},
		{schCosine, 0, 0.1}, {schCosine, 5, 0.05}, {schCosine, 9, 0.1 * 0.5 * (1 + math.Cos(math.Pi*0.9))},
	} {
		h.schedule = c.schedule
		if got := h.learningRate(c.epoch); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s at epoch %d: %v, want %v", c.schedule, c.epoch, got, c.want)
		}
	}
	// In a fit: a step schedule with a factor of 1 is the constant one;
	// a cosine schedule and steps that shrink are not.
	d := makeData(300, 12)
	f := d.frame(t)
	spec := estimators.Spec{Target: "reg", Features: features}
	base := withDefaults(map[string]any{"max_iter": 6, "learning_rate": 0.01})
	with := func(extra map[string]any) *Model {
		p := map[string]any{}
		for k, v := range base {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		m, _ := fitModel(t, f, spec, p)
		return m
	}
	constant := with(map[string]any{"lr_schedule": schConstant})
	sameParams(t, "step with lr_gamma 1", constant, with(map[string]any{"lr_schedule": schStep, "lr_gamma": 1.0, "lr_step_epochs": 2}))
	for _, extra := range []map[string]any{{"lr_schedule": schStep, "lr_step_epochs": 2}, {"lr_schedule": schCosine}} {
		if slices.Equal(constant.nt.params, with(extra).nt.params) {
			t.Errorf("%v gave the constant schedule's model", extra)
		}
	}
}

// TestOptimizers: each optimiser lowers the loss; the variants that must
// coincide do (adamw without weight decay is adam; sgd without momentum
// is the same with or without Nesterov), and adamw's decay differs from
// adam's L2 penalty.
func TestOptimizers(t *testing.T) {
	d := makeData(400, 13)
	f := d.frame(t)
	spec := estimators.Spec{Target: "cls", Features: features}
	fitWith := func(extra map[string]any) (*Model, estimators.Log) {
		return fitModel(t, f, spec, withDefaults(extra))
	}
	for opt, lr := range map[string]float64{optAdam: 0.01, optAdamW: 0.01, optSGD: 0.1} {
		_, log := fitWith(map[string]any{"optimizer": opt, "learning_rate": lr, "max_iter": 10})
		losses := log["loss"].([]float64)
		if losses[len(losses)-1] >= 0.9*losses[0] {
			t.Errorf("%s: loss from %v to %v", opt, losses[0], losses[len(losses)-1])
		}
	}
	adam, _ := fitWith(map[string]any{"optimizer": optAdam, "l2": 0.0})
	adamw, _ := fitWith(map[string]any{"optimizer": optAdamW, "l2": 0.0})
	sameParams(t, "adamw without decay", adam, adamw)
	a, _ := fitWith(map[string]any{"optimizer": optSGD, "momentum": 0.0, "nesterov": true, "learning_rate": 0.05})
	b, _ := fitWith(map[string]any{"optimizer": optSGD, "momentum": 0.0, "nesterov": false, "learning_rate": 0.05})
	sameParams(t, "sgd without momentum", a, b)
	c, _ := fitWith(map[string]any{"optimizer": optSGD, "momentum": 0.9, "nesterov": false, "learning_rate": 0.05})
	if slices.Equal(a.nt.params, c.nt.params) {
		t.Error("momentum changed nothing")
	}
	adamL2, _ := fitWith(map[string]any{"optimizer": optAdam, "l2": 0.5})
	adamwL2, _ := fitWith(map[string]any{"optimizer": optAdamW, "l2": 0.5})
	if slices.Equal(adamL2.nt.params, adamwL2.nt.params) {
		t.Error("adamw's decay is adam's L2 penalty")
	}
}

func TestLinearModelWithoutHiddenLayers(t *testing.T) {
	d := makeData(300, 14)
	f := d.frame(t)
	for _, text := range []string{"[]", ""} {
		m, _ := fitModel(t, f, estimators.Spec{Target: "cls", Features: features},
			withDefaults(map[string]any{"hidden_layers": text}))
		if !slices.Equal(m.nt.sizes, []int{4, 3}) || len(m.nt.params) != 15 {
			t.Errorf("%q: sizes %v", text, m.nt.sizes)
		}
	}
	for text, want := range map[string][]int{"64,32": {64, 32}, " [ 5 ] ": {5}, "7": {7}} {
		got, err := parseHidden(text)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseHidden(%q) = %v, %v", text, got, err)
		}
	}
}

func TestProgressIsReported(t *testing.T) {
	d := makeData(200, 15)
	var seen []float64
	spec := estimators.Spec{Target: "reg", Features: features, Progress: func(v float64) { seen = append(seen, v) }}
	fitModel(t, d.frame(t), spec, withDefaults(map[string]any{"max_iter": 4}))
	if !slices.Equal(seen, []float64{0.25, 0.5, 0.75, 1}) {
		t.Errorf("progress %v", seen)
	}
}

func TestCancelledFitStops(t *testing.T) {
	d := makeData(2000, 16)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vals, _ := Space().Validate(withDefaults(map[string]any{"max_iter": 1000}))
	_, _, err := Learner{}.Fit(ctx, d.frame(t), estimators.Spec{Target: "reg", Features: features}, vals)
	if err == nil {
		t.Fatal("a cancelled fit succeeded")
	}
}

// wantErr fails unless err is of the kind and its message holds every
// fragment.
func wantErr(t testing.TB, err error, kind engine.Kind, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want a %s mentioning %q", kind, fragments)
	}
	if engine.KindOf(err) != kind {
		t.Errorf("error of kind %s, want %s: %v", engine.KindOf(err), kind, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestBadInput(t *testing.T) {
	const n = 120
	d := makeData(n, 17)
	base := func(extra ...any) *engine.Frame {
		names := []string{"x0", "x1", "reg", "bin", "cls"}
		cols := []arrow.Array{floats(d.x[0], false), floats(d.x[1], false), floats(d.reg, false), bools(d.bin),
			strs(d.cls)}
		for i := 0; i < len(extra); i += 2 {
			names = append(names, extra[i].(string))
			cols = append(cols, extra[i+1].(arrow.Array))
		}
		return frame(t, names, cols...)
	}
	withNaN := append([]float64(nil), d.x[2]...)
	withNaN[17] = math.NaN()
	withInf := slices.Clone(d.x[2])
	withInf[3], withInf[40] = math.Inf(1), math.Inf(-1)
	ragged := make([][]float64, n)
	fixed := make([][]float64, n)
	for i := range ragged {
		ragged[i] = make([]float64, 2+i%2)
		fixed[i] = []float64{float64(i), 1}
	}
	nullRow := slices.Clone(fixed)
	nullRow[5] = nil
	nanInList := slices.Clone(fixed)
	nanInList[9] = []float64{math.NaN(), 1}
	cats := make([]string, n)
	for i := range cats {
		cats[i] = []string{"red", "green"}[i%2]
	}
	xs := []string{"x0", "x1"}
	cases := []struct {
		name     string
		f        *engine.Frame
		spec     estimators.Spec
		params   map[string]any
		kind     engine.Kind
		mentions []string
	}{
		{"zero width", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "[64, 0]"},
			engine.KindValue, []string{"hidden_layers", "entry 2", "[64, 0]"}},
		{"negative width", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "[-3]"},
			engine.KindValue, []string{"hidden_layers", "entry 1"}},
		{"width too large", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "[70000]"},
			engine.KindValue, []string{"hidden_layers", "65536"}},
		{"empty entry", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "64,,32"},
			engine.KindValue, []string{"hidden_layers", "entry 2 is empty"}},
		{"trailing comma", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "64,"},
			engine.KindValue, []string{"hidden_layers", "entry 2 is empty"}},
		{"JSON trailing comma", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "[64,]"},
			engine.KindValue, []string{"hidden_layers", "[64,]"}},
		{"fractional width", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "[1.5]"},
			engine.KindValue, []string{"hidden_layers", "entry 1 is not a whole number"}},
		{"word width", base(), estimators.Spec{Target: "reg", Features: xs}, map[string]any{"hidden_layers": "wide"},
			engine.KindValue, []string{"hidden_layers", "entry 1 is not a whole number"}},
		{"null in a feature", base("x2", floats(withNaN, true)), estimators.Spec{Target: "reg", Features: []string{"x0", "x2"}}, nil,
			engine.KindValue, []string{`"x2"`, "1 missing"}},
		{"NaN in a feature", base("x2", floats(withNaN, false)), estimators.Spec{Target: "reg", Features: []string{"x0", "x2"}}, nil,
			engine.KindValue, []string{`"x2"`, "1 missing"}},
		{"infinite values in a feature", base("x2", floats(withInf, false)), estimators.Spec{Target: "reg", Features: []string{"x0", "x2"}}, nil,
			engine.KindValue, []string{`"x2"`, "2 missing or infinite"}},
		{"null list row", base("v", fixedList(nullRow, 2)), estimators.Spec{Target: "reg", Features: []string{"x0", "v"}}, nil,
			engine.KindValue, []string{`"v"`, "1 missing"}},
		{"NaN in a list", base("v", fixedList(nanInList, 2)), estimators.Spec{Target: "reg", Features: []string{"x0", "v"}}, nil,
			engine.KindValue, []string{`"v"`, "1 missing"}},
		{"string feature", base("color", strs(cats)), estimators.Spec{Target: "reg", Features: []string{"x0", "color"}}, nil,
			engine.KindType, []string{`"color"`, "encode", "one-hot"}},
		{"categorical feature", base("color", dict(cats)), estimators.Spec{Target: "reg", Features: []string{"x0", "color"}}, nil,
			engine.KindType, []string{`"color"`, "encode", "one-hot"}},
		{"every other column, a string one among them", base(), estimators.Spec{Target: "reg"}, nil,
			engine.KindType, []string{`"cls"`, "encode"}},
		{"ragged list", base("v", varList(ragged)), estimators.Spec{Target: "reg", Features: []string{"x0", "v"}}, nil,
			engine.KindType, []string{`"v"`, "differ in length", "fixed-size list"}},
		{"string target for squared error", base(), estimators.Spec{Target: "cls", Features: xs},
			map[string]any{"objective": objSquared}, engine.KindType, []string{`"cls"`, "squared_error", "log_loss"}},
		{"bool target for squared error", base(), estimators.Spec{Target: "bin", Features: xs},
			map[string]any{"objective": objSquared}, engine.KindType, []string{`"bin"`, "squared_error"}},
		{"continuous target for log loss", base(), estimators.Spec{Target: "reg", Features: xs},
			map[string]any{"objective": objLogLoss}, engine.KindValue, []string{`"reg"`, "continuous"}},
		{"one class", base("one", strs(slices.Repeat([]string{"a"}, n))), estimators.Spec{Target: "one", Features: xs},
			nil, engine.KindValue, []string{`"one"`, "single class"}},
		{"missing target", base("t", floats(withNaN, true)), estimators.Spec{Target: "t", Features: xs}, nil,
			engine.KindValue, []string{`"t"`, "missing"}},
		{"NaN target", base("t", floats(withNaN, false)), estimators.Spec{Target: "t", Features: xs}, nil,
			engine.KindValue, []string{`"t"`, "missing"}},
		{"no target column", base(), estimators.Spec{Target: "nope", Features: xs}, nil,
			engine.KindColumn, []string{"nope"}},
		{"no feature column", base(), estimators.Spec{Target: "reg", Features: []string{"x0", "x9"}}, nil,
			engine.KindColumn, []string{"x9"}},
		{"no features", frame(t, []string{"reg"}, floats(d.reg, false)), estimators.Spec{Target: "reg"}, nil,
			engine.KindValue, []string{"feature"}},
		{"weights", base("w", floats(d.x[0], false)), estimators.Spec{Target: "reg", Features: xs, Weight: "w"}, nil,
			engine.KindValue, []string{"weight", `"w"`}},
		{"early stopping without validation", base(), estimators.Spec{Target: "reg", Features: xs},
			map[string]any{"early_stopping_rounds": 3}, engine.KindValue, []string{"early_stopping_rounds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := fitErr(c.f, c.spec, withDefaults(c.params))
			wantErr(t, err, c.kind, c.mentions...)
		})
	}
}

// TestDivergenceStops: a learning rate far too large makes the loss
// overflow; the fit stops with a KindValue error that gives the epoch and
// the learning rate.
func TestDivergenceStops(t *testing.T) {
	d := makeData(300, 18)
	big := make([]float64, len(d.reg))
	for i, v := range d.reg {
		big[i] = 1e4 * v
	}
	f := frame(t, []string{"x0", "x1", "y"}, floats(d.x[0], false), floats(d.x[1], false), floats(big, false))
	_, _, err := fitErr(f, estimators.Spec{Target: "y"},
		withDefaults(map[string]any{"optimizer": optSGD, "learning_rate": 5.0, "max_iter": 50}))
	wantErr(t, err, engine.KindValue, "diverged at epoch ", "learning_rate", "5")
	t.Logf("%v", err)
}

func TestBadValidationFrame(t *testing.T) {
	d := makeData(100, 19)
	f := d.frame(t)
	v := makeData(50, 20)
	withNaN := slices.Clone(v.x[1])
	withNaN[3] = math.NaN()
	otherClass := slices.Clone(v.cls)
	otherClass[0] = "dog"
	spec := func(valid *engine.Frame, target string) estimators.Spec {
		return estimators.Spec{Target: target, Features: []string{"x0", "x1"}, Valid: valid}
	}
	cases := []struct {
		name     string
		valid    *engine.Frame
		target   string
		kind     engine.Kind
		mentions []string
	}{
		{"missing feature", frame(t, []string{"x0", "cls"}, floats(v.x[0], false), strs(v.cls)), "cls",
			engine.KindColumn, []string{"x1"}},
		{"missing target", frame(t, []string{"x0", "x1"}, floats(v.x[0], false), floats(v.x[1], false)), "cls",
			engine.KindColumn, []string{"cls"}},
		{"NaN feature", frame(t, []string{"x0", "x1", "cls"}, floats(v.x[0], false), floats(withNaN, false), strs(v.cls)),
			"cls", engine.KindValue, []string{"validation frame", `"x1"`}},
		{"string feature", frame(t, []string{"x0", "x1", "cls"}, floats(v.x[0], false), strs(v.cls), strs(v.cls)),
			"cls", engine.KindType, []string{"validation frame", `"x1"`}},
		{"unknown class", frame(t, []string{"x0", "x1", "cls"}, floats(v.x[0], false), floats(v.x[1], false),
			strs(otherClass)), "cls", engine.KindValue, []string{"validation frame", `"dog"`}},
		{"string target for regression", frame(t, []string{"x0", "x1", "reg"}, floats(v.x[0], false),
			floats(v.x[1], false), strs(v.cls)), "reg", engine.KindType, []string{"validation frame", `"reg"`}},
		{"infinite feature", frame(t, []string{"x0", "x1", "cls"}, floats(v.x[0], false), floats(infAt(v.x[1], 2), false),
			strs(v.cls)), "cls", engine.KindValue, []string{"validation frame", `"x1"`, "infinite"}},
		// Finite values that overflow float32 once standardised with the
		// training rows' statistics make the validation loss infinite or NaN.
		{"feature far outside the training range", frame(t, []string{"x0", "x1", "reg"}, floats(scaled(v.x[0], 1e300), false),
			floats(v.x[1], false), floats(v.reg, false)), "reg", engine.KindValue, []string{"validation loss is ", "at epoch 1", "far outside"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := fitErr(f, spec(c.valid, c.target), withDefaults(nil))
			wantErr(t, err, c.kind, c.mentions...)
		})
	}
}

func TestApplyChecksTheFrame(t *testing.T) {
	const n = 200
	d := makeData(n, 21)
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = []float64{d.x[0][i], d.x[1][i]}
	}
	f := frame(t, []string{"v", "x2", "cls"}, fixedList(rows, 2), floats(d.x[2], false), strs(d.cls))
	m, _ := fitModel(t, f, estimators.Spec{Target: "cls"}, withDefaults(nil))
	wide := make([][]float64, n)
	for i := range wide {
		wide[i] = []float64{1, 2, 3}
	}
	withNaN := slices.Clone(d.x[2])
	withNaN[0] = math.NaN()
	for _, c := range []struct {
		name     string
		f        *engine.Frame
		kind     engine.Kind
		mentions []string
	}{
		{"missing column", frame(t, []string{"v"}, fixedList(rows, 2)), engine.KindColumn, []string{"x2"}},
		{"list of another length", frame(t, []string{"v", "x2"}, fixedList(wide, 3), floats(d.x[2], false)),
			engine.KindType, []string{`"v"`, "3 values", "trained on 2"}},
		{"scalar for a list", frame(t, []string{"v", "x2"}, floats(d.x[0], false), floats(d.x[2], false)),
			engine.KindType, []string{`"v"`, "1 values", "trained on 2"}},
		{"string column", frame(t, []string{"v", "x2"}, fixedList(rows, 2), strs(d.cls)),
			engine.KindType, []string{`"x2"`}},
		{"NaN", frame(t, []string{"v", "x2"}, fixedList(rows, 2), floats(withNaN, false)),
			engine.KindValue, []string{`"x2"`, "missing"}},
		{"infinity", frame(t, []string{"v", "x2"}, fixedList(rows, 2), floats(infAt(d.x[2], 9), false)),
			engine.KindValue, []string{`"x2"`, "1 missing or infinite"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.Apply(context.Background(), c.f, 1)
			wantErr(t, err, c.kind, c.mentions...)
		})
	}
	// No rows: no predictions, no error.
	empty := frame(t, []string{"v", "x2"}, fixedList(nil, 2), floats(nil, false))
	out := predict(t, m, empty, 1)
	if out.NumRows() != 0 || len(out.Names()) != 4 {
		t.Errorf("%d rows, columns %q", out.NumRows(), out.Names())
	}
}

// infAt returns v with +Inf at row i.
func infAt(v []float64, i int) []float64 {
	out := slices.Clone(v)
	out[i] = math.Inf(1)
	return out
}

// scaled returns v times c.
func scaled(v []float64, c float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = c * x
	}
	return out
}
