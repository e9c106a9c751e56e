package engine_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/quiver-ml/quiver/engine"
)

// closeTo reports whether got equals want within a relative tolerance, with
// NaN equal to NaN.
func closeTo(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func TestRegressionMetrics(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name          string
		y, pred, w    []float64
		rmse, mae, r2 float64
	}{
		{"empty", nil, nil, nil, nan, nan, nan},
		{"one row", []float64{3}, []float64{1}, nil, 2, 2, nan},
		{"perfect", []float64{1, 2, 3}, []float64{1, 2, 3}, nil, 0, 0, 1},
		{"unweighted", []float64{1, 2, 3, 4}, []float64{1, 2, 3, 5}, nil, 0.5, 0.25, 0.8},
		// mse = 4/3, mae = 2/3; mean 2, tot 2, res 4, r2 = 1-4/2.
		{"worse than mean", []float64{1, 2, 3}, []float64{1, 2, 5}, nil, math.Sqrt(4.0 / 3), 2.0 / 3, -1},
		// weighted mean of y is 3, tot = 4+1+0+3 = 8, res = 3.
		{"weighted", []float64{1, 2, 3, 4}, []float64{1, 2, 3, 5}, []float64{1, 1, 1, 3}, math.Sqrt(3.0 / 6), 3.0 / 6, 1 - 3.0/8},
		// weighted mean of y is 5/3, tot = 2*4/9 + 16/9 = 8/3, res = 6.
		{"weights as repeats", []float64{1, 2, 3}, []float64{0, 2, 5}, []float64{2, 0, 1}, math.Sqrt(6.0 / 3), 4.0 / 3, -1.25},
		{"zero weight", []float64{1, 2}, []float64{2, 3}, []float64{0, 0}, nan, nan, nan},
		{"constant y predicted", []float64{2, 2, 2}, []float64{2, 2, 2}, nil, 0, 0, 1},
		{"constant y missed", []float64{2, 2}, []float64{2, 3}, nil, math.Sqrt(0.5), 0.5, 0},
		{"NaN prediction", []float64{1, 2}, []float64{1, nan}, nil, nan, nan, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.RMSE(tt.y, tt.pred, tt.w); !closeTo(got, tt.rmse, 1e-14) {
				t.Errorf("RMSE = %v, want %v", got, tt.rmse)
			}
			if got := engine.MAE(tt.y, tt.pred, tt.w); !closeTo(got, tt.mae, 1e-14) {
				t.Errorf("MAE = %v, want %v", got, tt.mae)
			}
			if got := engine.R2(tt.y, tt.pred, tt.w); !closeTo(got, tt.r2, 1e-14) {
				t.Errorf("R2 = %v, want %v", got, tt.r2)
			}
		})
	}
}

func TestAUC(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name        string
		y, score, w []float64
		want        float64
	}{
		{"empty", nil, nil, nil, nan},
		{"one class", []float64{1, 1, 1}, []float64{0.1, 0.2, 0.3}, nil, nan},
		{"only negatives", []float64{0, 0}, []float64{0.1, 0.2}, nil, nan},
		{"class with zero weight", []float64{0, 1, 1}, []float64{0.1, 0.2, 0.3}, []float64{0, 1, 1}, nan},
		{"perfect", []float64{0, 0, 1, 1}, []float64{0.1, 0.2, 0.3, 0.4}, nil, 1},
		{"inverted", []float64{1, 1, 0, 0}, []float64{0.1, 0.2, 0.3, 0.4}, nil, 0},
		// scikit-learn's roc_auc_score example.
		{"sklearn example", []float64{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8}, nil, 0.75},
		{"all tied", []float64{0, 1, 0, 1}, []float64{0.5, 0.5, 0.5, 0.5}, nil, 0.5},
		// pairs (pos, neg): (1,0) tie, (1,2) win, (3,0) win, (3,2) win.
		{"ties", []float64{0, 1, 0, 1}, []float64{0.5, 0.5, 0.2, 0.9}, nil, 3.5 / 4},
		// weighted pairs: 2*1/2 + 2*3 + 4*1 + 4*3 = 23 over 6*4.
		{"weighted ties", []float64{0, 1, 0, 1}, []float64{0.5, 0.5, 0.2, 0.9}, []float64{1, 2, 3, 4}, 23.0 / 24},
		{"label not 0/1", []float64{0, 2}, []float64{0.1, 0.2}, nil, nan},
		{"NaN score", []float64{0, 1}, []float64{0.1, nan}, nil, nan},
		{"infinite scores", []float64{0, 1, 1}, []float64{math.Inf(-1), math.Inf(1), 0}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.AUC(tt.y, tt.score, tt.w); !closeTo(got, tt.want, 1e-14) {
				t.Errorf("AUC = %v, want %v", got, tt.want)
			}
		})
	}
}

// bruteAUC is the O(n²) definition: the weighted share of (positive,
// negative) pairs in which the positive scores higher, ties counting half.
func bruteAUC(y, score, w []float64) float64 {
	var num, den float64
	for i := range y {
		if y[i] != 1 {
			continue
		}
		for j := range y {
			if y[j] != 0 {
				continue
			}
			ww := weight(w, i) * weight(w, j)
			den += ww
			switch {
			case score[i] > score[j]:
				num += ww
			case score[i] == score[j]:
				num += ww / 2
			}
		}
	}
	return num / den
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

func TestAUCMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 2 + rng.IntN(300)
		y := make([]float64, n)
		score := make([]float64, n)
		var w []float64
		if trial%2 == 1 {
			w = make([]float64, n)
		}
		levels := 1 + rng.IntN(20) // few levels: many ties
		for i := range n {
			y[i] = float64(rng.IntN(2))
			score[i] = float64(rng.IntN(levels)) / 7
			if w != nil {
				w[i] = rng.Float64() * 3
			}
		}
		y[0], y[1] = 0, 1 // both classes present
		got, want := engine.AUC(y, score, w), bruteAUC(y, score, w)
		if !closeTo(got, want, 1e-12) {
			t.Fatalf("trial %d (n=%d, weighted %v): AUC = %v, pairwise %v", trial, n, w != nil, got, want)
		}
	}
}

func TestLogLoss(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		labels []int32
		probs  [][]float64
		w      []float64
		want   float64
	}{
		{"empty", nil, [][]float64{nil, nil}, nil, nan},
		{"binary", []int32{0, 1}, [][]float64{{0.8, 0.3}, {0.2, 0.7}}, nil, -(math.Log(0.8) + math.Log(0.7)) / 2},
		{"weighted", []int32{0, 1}, [][]float64{{0.8, 0.3}, {0.2, 0.7}}, []float64{1, 3}, -(math.Log(0.8) + 3*math.Log(0.7)) / 4},
		{"three classes", []int32{2, 0, 1}, [][]float64{{0.1, 0.5, 0.2}, {0.2, 0.25, 0.6}, {0.7, 0.25, 0.2}}, nil, -(math.Log(0.7) + math.Log(0.5) + math.Log(0.6)) / 3},
		{"clipped at zero", []int32{1}, [][]float64{{1}, {0}}, nil, -math.Log(1e-15)},
		{"clipped at one", []int32{0}, [][]float64{{1}, {0}}, nil, -math.Log(1 - 1e-15)},
		{"zero weight", []int32{0}, [][]float64{{0.5}, {0.5}}, []float64{0}, nan},
		{"label out of range", []int32{0, 2}, [][]float64{{0.5, 0.5}, {0.5, 0.5}}, nil, nan},
		{"negative label", []int32{-1}, [][]float64{{0.5}, {0.5}}, nil, nan},
		{"NaN probability", []int32{0}, [][]float64{{nan}, {0.5}}, nil, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.LogLoss(tt.labels, tt.probs, tt.w); !closeTo(got, tt.want, 1e-14) {
				t.Errorf("LogLoss = %v, want %v", got, tt.want)
			}
		})
	}
	if got := engine.LogLoss([]int32{1}, [][]float64{{1}, {0}}, nil); got < 34.5 || got > 34.6 {
		t.Errorf("a confident miss costs %v, want about 34.54 as in scikit-learn", got)
	}
}

func TestAccuracy(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name              string
		labels, predicted []int32
		w                 []float64
		want              float64
	}{
		{"empty", nil, nil, nil, nan},
		{"unweighted", []int32{0, 1, 2, 1}, []int32{0, 2, 2, 1}, nil, 0.75},
		{"weighted", []int32{0, 1, 2, 1}, []int32{0, 2, 2, 1}, []float64{1, 5, 1, 1}, 3.0 / 8},
		{"all wrong", []int32{0, 1}, []int32{1, 0}, nil, 0},
		{"zero weight", []int32{0}, []int32{0}, []float64{0}, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.Accuracy(tt.labels, tt.predicted, tt.w); !closeTo(got, tt.want, 1e-15) {
				t.Errorf("Accuracy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBalancedAccuracy(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name              string
		labels, predicted []int32
		w                 []float64
		want              float64
	}{
		{"empty", nil, nil, nil, nan},
		{"perfect", []int32{0, 1, 2}, []int32{0, 1, 2}, nil, 1},
		// recall 1 for class 0, 0 for class 1 (accuracy would be 0.75).
		{"majority class", []int32{0, 0, 0, 1}, []int32{0, 0, 0, 0}, nil, 0.5},
		// recalls 1/2, 1 and 0.
		{"three classes", []int32{0, 0, 1, 1, 2}, []int32{0, 1, 1, 1, 0}, nil, 0.5},
		// class 2 is only predicted: it is not averaged, recalls 1/2 and 1.
		{"class only predicted", []int32{0, 0, 1}, []int32{2, 0, 1}, nil, 0.75},
		// recall of class 0 is 3/4 by weight, of class 1 is 1.
		{"weighted", []int32{0, 0, 1}, []int32{0, 1, 1}, []float64{3, 1, 2}, 0.875},
		{"class with zero weight", []int32{0, 1, 1}, []int32{1, 1, 1}, []float64{0, 1, 1}, 1},
		{"zero weight", []int32{0, 1}, []int32{0, 1}, []float64{0, 0}, nan},
		{"negative label", []int32{-1, 0}, []int32{0, 0}, nil, nan},
		{"negative prediction", []int32{1, 0}, []int32{-1, 0}, nil, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.BalancedAccuracy(tt.labels, tt.predicted, tt.w); !closeTo(got, tt.want, 1e-15) {
				t.Errorf("BalancedAccuracy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestF1(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name              string
		labels, predicted []int32
		classes           int
		w                 []float64
		want              float64
	}{
		{"empty", nil, nil, 2, nil, nan},
		{"no classes", []int32{0}, []int32{0}, 0, nil, nan},
		// TP 2, FP 1, FN 1 for class 1: 4/6.
		{"binary", []int32{0, 1, 1, 0, 1}, []int32{0, 1, 0, 1, 1}, 2, nil, 2.0 / 3},
		// weighted: TP 2+1, FN 3, FP 4: 6/13.
		{"binary weighted", []int32{0, 1, 1, 0, 1}, []int32{0, 1, 0, 1, 1}, 2, []float64{1, 2, 3, 4, 1}, 6.0 / 13},
		// class 0 right everywhere, but binary F1 is about class 1.
		{"binary all wrong", []int32{1, 1, 0}, []int32{0, 0, 0}, 2, nil, 0},
		{"binary perfect", []int32{0, 1}, []int32{0, 1}, 2, nil, 1},
		{"binary no positives", []int32{0, 0}, []int32{0, 0}, 2, nil, nan},
		// F1 per class: 2/4, 4/5 and 2/3.
		{"macro", []int32{0, 0, 1, 1, 2, 2}, []int32{0, 1, 1, 1, 2, 0}, 3, nil, 59.0 / 90},
		// a class that occurs nowhere is not averaged.
		{"macro unseen class", []int32{0, 0, 1, 1, 2, 2}, []int32{0, 1, 1, 1, 2, 0}, 4, nil, 59.0 / 90},
		// class 2 is only predicted and counts with F1 0; class 0 has TP 1,
		// FN 1 (2/3), class 1 TP 1 (1).
		{"macro class only predicted", []int32{0, 0, 1}, []int32{0, 2, 1}, 3, nil, (2.0/3 + 1) / 3},
		{"one class", []int32{0, 0}, []int32{0, 0}, 1, nil, 1},
		{"zero weight", []int32{0, 1}, []int32{0, 1}, 2, []float64{0, 0}, nan},
		{"label out of range", []int32{0, 2}, []int32{0, 1}, 2, nil, nan},
		{"prediction out of range", []int32{0, 1}, []int32{0, 5}, 3, nil, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.F1(tt.labels, tt.predicted, tt.classes, tt.w); !closeTo(got, tt.want, 1e-15) {
				t.Errorf("F1 = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAUCOneVsRest(t *testing.T) {
	nan := math.NaN()
	// Class 0's positives score .8 and .3 against negatives .1 .1 .3 .2:
	// 4 + 3.5 of 8 pairs; classes 1 and 2 separate perfectly.
	three := [][]float64{
		{.8, .1, .1, .3, .3, .2},
		{.1, .6, .2, .4, .5, .3},
		{.1, .3, .7, .3, .2, .5},
	}
	tests := []struct {
		name   string
		labels []int32
		probs  [][]float64
		w      []float64
		want   float64
	}{
		{"empty", nil, [][]float64{nil, nil, nil}, nil, nan},
		{"three classes", []int32{0, 1, 2, 0, 1, 2}, three, nil, (7.5/8 + 1 + 1) / 3},
		// weight 3 on row 3 (class 0 at .3): class 0's positives weigh 1 and
		// 3 against four negatives of weight 1, so 4 + 3*3.5 of 16.
		{"weighted", []int32{0, 1, 2, 0, 1, 2}, three, []float64{1, 1, 1, 3, 1, 1}, ((4+3*3.5)/16 + 1 + 1) / 3},
		// class 2 never occurs and is left out: AUCs 1 and 2/4.
		{"absent class", []int32{0, 1, 0, 1}, [][]float64{{.6, .3, .5, .4}, {.3, .2, .4, .5}, {.1, .1, .3, .1}}, nil, 0.75},
		{"one class", []int32{0, 0}, [][]float64{{.5, .6}, {.5, .4}}, nil, nan},
		{"label out of range", []int32{0, 3}, [][]float64{{.5, .6}, {.5, .4}}, nil, nan},
		{"NaN probability", []int32{0, 1}, [][]float64{{.5, nan}, {.5, .4}}, nil, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engine.AUCOneVsRest(tt.labels, tt.probs, tt.w); !closeTo(got, tt.want, 1e-14) {
				t.Errorf("AUCOneVsRest = %v, want %v", got, tt.want)
			}
		})
	}
}

// With two classes, one-vs-rest averages the AUC of class 1 and that of
// class 0 on the complementary probability, which are equal.
func TestAUCOneVsRestBinaryIsAUC(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 200
	labels := make([]int32, n)
	y := make([]float64, n)
	p0, p1 := make([]float64, n), make([]float64, n)
	for i := range n {
		labels[i] = int32(rng.IntN(2))
		y[i] = float64(labels[i])
		p1[i] = float64(rng.IntN(16)) / 16 // exact complements, with ties
		p0[i] = 1 - p1[i]
	}
	got, want := engine.AUCOneVsRest(labels, [][]float64{p0, p1}, nil), engine.AUC(y, p1, nil)
	if !closeTo(got, want, 1e-14) {
		t.Errorf("AUCOneVsRest = %v, AUC = %v", got, want)
	}
}

func TestMetricLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"RMSE pred":        func() { engine.RMSE([]float64{1, 2}, []float64{1}, nil) },
		"MAE weights":      func() { engine.MAE([]float64{1}, []float64{1}, []float64{1, 2}) },
		"R2 pred":          func() { engine.R2([]float64{1, 2, 3}, []float64{1, 2}, nil) },
		"AUC weights":      func() { engine.AUC([]float64{0, 1}, []float64{0, 1}, []float64{1}) },
		"LogLoss probs":    func() { engine.LogLoss([]int32{0, 1}, [][]float64{{0.5}, {0.5, 0.5}}, nil) },
		"LogLoss weights":  func() { engine.LogLoss([]int32{0}, [][]float64{{0.5}}, []float64{}) },
		"Accuracy":         func() { engine.Accuracy([]int32{0}, []int32{0, 1}, nil) },
		"BalancedAccuracy": func() { engine.BalancedAccuracy([]int32{0, 1}, []int32{0}, nil) },
		"F1 weights":       func() { engine.F1([]int32{0}, []int32{0}, 2, []float64{1, 1}) },
		"AUCOneVsRest":     func() { engine.AUCOneVsRest([]int32{0, 1}, [][]float64{{0.5, 0.5}, {0.5}}, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func BenchmarkAUC(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 100_000
	y, score := make([]float64, n), make([]float64, n)
	for i := range n {
		y[i] = float64(rng.IntN(2))
		score[i] = rng.Float64() + y[i]/4
	}
	for b.Loop() {
		engine.AUC(y, score, nil)
	}
}
