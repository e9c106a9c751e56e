package export_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sys/cpu"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/fft"
	_ "github.com/quiver-ml/quiver/estimators/linear"
	_ "github.com/quiver-ml/quiver/estimators/mlp"
)

// cueRecord is n rows of numbers and cues: x1 (float64), x2 (float32), x3
// (int64 from 0 to 4), color (a string) and flag (bool), and targets y_reg
// (float64), y_bin (a two-class string), y_multi (three int64 classes) and
// y_bool. With holes set, x1, x3, color and flag have missing values; with
// novel set, color has levels training never saw ("violet", and "NA"
// spelled out).
func cueRecord(n int, seed uint64, holes, novel bool) arrow.Record {
	rng := rand.New(rand.NewPCG(seed, 7))
	mem := memory.DefaultAllocator
	x1, x2, x3 := array.NewFloat64Builder(mem), array.NewFloat32Builder(mem), array.NewInt64Builder(mem)
	color, flag := array.NewStringBuilder(mem), array.NewBooleanBuilder(mem)
	yr, yb, ym, yt := array.NewFloat64Builder(mem), array.NewStringBuilder(mem), array.NewInt64Builder(mem), array.NewBooleanBuilder(mem)
	levels := []string{"red", "green", "blue", "teal"}
	hole := func() bool { return holes && rng.IntN(9) == 0 }
	for range n {
		a, b, c, k := rng.NormFloat64(), float32(rng.Float64()*10), rng.Int64N(5), rng.IntN(len(levels))
		f := rng.IntN(2) == 0
		if hole() {
			x1.AppendNull()
		} else {
			x1.Append(a)
		}
		x2.Append(b)
		if hole() {
			x3.AppendNull()
		} else {
			x3.Append(c)
		}
		switch {
		case hole():
			color.AppendNull()
		case novel && rng.IntN(10) == 0:
			color.Append([]string{"violet", "NA"}[rng.IntN(2)])
		default:
			color.Append(levels[k])
		}
		if hole() {
			flag.AppendNull()
		} else {
			flag.Append(f)
		}
		z := a + 0.3*float64(b) - 0.5*float64(c) + float64(b2i(f)) - 0.7*float64(k) + rng.NormFloat64()
		yr.Append(z)
		yb.Append([]string{"no", "yes"}[b2i(z > 1)])
		ym.Append(int64(min(2, max(0, int(z/1.5)))))
		yt.Append(z > 0.5)
	}
	names := []string{"x1", "x2", "x3", "color", "flag", "y_reg", "y_bin", "y_multi", "y_bool"}
	return recordOf(names, []array.Builder{x1, x2, x3, color, flag, yr, yb, ym, yt}, n)
}

// fitOn fits learner on data with the given features.
func fitOn(t *testing.T, learner string, data *engine.Frame, target string, features []string, params map[string]any) estimators.Model {
	t.Helper()
	return fitSpec(t, learner, data, estimators.Spec{Target: target, Features: features}, params)
}

// simdFMA reports whether Apply's kernels run with AVX2 and FMA here: the
// arithmetic the compiled linear models and networks reproduce bit for
// bit.
func simdFMA() bool {
	return goruntime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA && engine.SIMD()
}

// closeOutputs checks that the scorer's outputs agree with the model's
// Apply: labels exactly, numbers within rel relative error, or bit for bit
// when exact is set. It returns how many numbers were bit-identical, of
// how many.
func closeOutputs(t *testing.T, m estimators.Model, rec, got arrow.Record, rel float64, exact bool) (same, total int) {
	t.Helper()
	eachOutput(t, m, rec, got, func(name string, w, g arrow.Array) {
		wf, isFloat := w.(*array.Float64)
		for i := range w.Len() {
			if !isFloat {
				if ws, gs := w.ValueStr(i), g.ValueStr(i); ws != gs {
					t.Fatalf("%s row %d: %q, want %q", name, i, gs, ws)
				}
				continue
			}
			a, b := g.(*array.Float64).Value(i), wf.Value(i)
			total++
			if math.Float64bits(a) == math.Float64bits(b) {
				same++
				continue
			}
			if exact || !(math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))) {
				t.Fatalf("%s row %d: %v, want %v (%s)", name, i, a, b, map[bool]string{true: "bit for bit", false: fmt.Sprintf("within %g relative", rel)}[exact])
			}
		}
	})
	return same, total
}

// checkRefusesMissing checks that Apply and the scorer both refuse rows
// with a missing value in column, and that the scorer's error names it.
func checkRefusesMissing(t *testing.T, m estimators.Model, exe string, holes arrow.Record, column string) {
	t.Helper()
	f := frameOf(t, holes)
	defer f.Release()
	if out, err := m.Apply(context.Background(), f, 2); err == nil {
		out.Release()
		t.Fatal("Apply accepted rows with missing values")
	}
	if msg := scoreRefused(t, exe, holes); !strings.Contains(msg, strconv.Quote(column)) {
		t.Errorf("the scorer's error does not name the column %s: %s", column, msg)
	}
}

// TestLinearAndMLPScorersMatchApply builds a scorer of every linear model
// and of networks for every task, scores held-out rows with it and checks
// its outputs against Apply's: within 1e-6 relative, and bit for bit
// where Apply's kernels run with AVX2 and FMA (the arithmetic the
// generated code reproduces). Rows with a missing value are refused by
// both.
func TestLinearAndMLPScorersMatchApply(t *testing.T) {
	needGo(t)
	train := cueRecord(2000, 11, false, false)
	defer train.Release()
	test := cueRecord(700, 12, false, false)
	defer test.Release()
	holes := cueRecord(300, 13, true, true)
	defer holes.Release()
	data := frameOf(t, train)
	defer data.Release()
	features := []string{"x1", "x2", "x3", "flag"}
	exact := simdFMA()
	for _, tc := range []struct {
		learner, target string
		params          map[string]any
	}{
		{"linear_regression", "y_reg", map[string]any{"l2": 0.1}},
		{"logistic_regression", "y_bin", map[string]any{}},
		{"logistic_regression", "y_multi", map[string]any{"l1": 0.01}},
		// 37 units: panels of 16 and 8 and a remainder; 33 inputs to the
		// single output unit: a dot product of a block of 32 and a tail.
		{"mlp", "y_reg", map[string]any{"hidden_layers": "[37, 33]", "max_iter": 5, "activation": "gelu"}},
		{"mlp", "y_bin", map[string]any{"hidden_layers": "[24]", "max_iter": 5, "activation": "tanh"}},
		{"mlp", "y_multi", map[string]any{"hidden_layers": "[9, 40]", "max_iter": 5, "objective": "log_loss"}},
	} {
		t.Run(tc.learner+"/"+tc.target, func(t *testing.T) {
			m := fitOn(t, tc.learner, data, tc.target, features, tc.params)
			exe := buildExe(t, m)
			got := scoreWithExe(t, exe, test)
			defer got.Release()
			same, total := closeOutputs(t, m, test, got, 1e-6, exact)
			t.Logf("%d of %d numbers bit-identical (bit for bit required: %v)", same, total, exact)
			checkRefusesMissing(t, m, exe, holes, "x1")
		})
	}
}

// TestFFTScorerMatchesApply builds scorers of a fitted fast-and-frugal
// tree and of one given in words that asks every kind of question
// (thresholds, numeric sets with NA, logical and categorical sets, a
// numeric last level), and checks them bit for bit against Apply on
// held-out rows with missing values and unseen categories.
func TestFFTScorerMatchesApply(t *testing.T) {
	needGo(t)
	train := cueRecord(2000, 21, true, false)
	defer train.Release()
	test := cueRecord(700, 22, true, true)
	defer test.Release()
	data := frameOf(t, train)
	defer data.Release()
	features := []string{"x1", "x2", "x3", "color", "flag"}
	for _, tc := range []struct {
		name   string
		params map[string]any
	}{
		{"fitted", map[string]any{"max_levels": 5}},
		{"words", map[string]any{"tree": "If color = {red,NA}, decide True. If x1 > 0.5, decide False. If flag = {FALSE,NA}, decide False. " +
			"If x3 = {1,3,NA}, decide True. If color != {blue,teal}, decide False. If x1 <= -0.25, decide True, otherwise, decide False."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fitOn(t, "fft", data, "y_bool", features, tc.params)
			exe := buildExe(t, m)
			got := scoreWithExe(t, exe, test)
			defer got.Release()
			sameOutputs(t, m, test, got)
		})
	}
}

// vectorRecord is n rows of a vector column v (a fixed_size_list of three
// float32s), a number x and a target y. With holes set, a few lists are
// null and a few hold a null element.
func vectorRecord(n int, seed uint64, holes bool) arrow.Record {
	rng := rand.New(rand.NewPCG(seed, 9))
	mem := memory.DefaultAllocator
	lb := array.NewFixedSizeListBuilder(mem, 3, arrow.PrimitiveTypes.Float32)
	vb := lb.ValueBuilder().(*array.Float32Builder)
	xb, yb := array.NewFloat64Builder(mem), array.NewFloat64Builder(mem)
	for i := range n {
		a, b, c, x := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		switch {
		case holes && i%7 == 3:
			lb.AppendNull()
		case holes && i%7 == 5:
			lb.Append(true)
			vb.AppendValues([]float32{float32(a), 0, float32(c)}, []bool{true, false, true})
		default:
			lb.Append(true)
			vb.AppendValues([]float32{float32(a), float32(b), float32(c)}, nil)
		}
		xb.Append(x)
		yb.Append(a - 2*b + c*x)
	}
	return recordOf([]string{"v", "x", "y"}, []array.Builder{lb, xb, yb}, n)
}

// TestVectorFeatureScorerMatchesApply exports a network that reads a
// fixed-size list and a number, and checks the scorer against Apply on
// held-out rows (also a slice of them, at an offset), that it refuses
// null lists and elements naming the column, and that JSON rows give
// the same outputs as Arrow.
func TestVectorFeatureScorerMatchesApply(t *testing.T) {
	needGo(t)
	train := vectorRecord(1500, 5, false)
	defer train.Release()
	test := vectorRecord(400, 6, false)
	defer test.Release()
	holes := vectorRecord(50, 7, true)
	defer holes.Release()
	data := frameOf(t, train)
	defer data.Release()
	m := fitOn(t, "mlp", data, "y", []string{"v", "x"}, map[string]any{"hidden_layers": "[8]", "max_iter": 5})
	exe := buildExe(t, m)
	slice := test.NewSlice(13, 301)
	defer slice.Release()
	for name, rec := range map[string]arrow.Record{"whole": test, "slice": slice} {
		t.Run(name, func(t *testing.T) {
			got := scoreWithExe(t, exe, rec)
			defer got.Release()
			same, total := closeOutputs(t, m, rec, got, 1e-6, simdFMA())
			t.Logf("%d of %d numbers bit-identical", same, total)
		})
	}
	checkRefusesMissing(t, m, exe, holes, "v")
}
