package gbdt

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

func TestBinaryLearns(t *testing.T) {
	train := syntheticFrame(t, 20000, 6, 1)
	test := syntheticFrame(t, 5000, 6, 2)
	m, log := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"objective": "log_loss", "max_iter": 50})
	out, err := m.Apply(context.Background(), test, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	auc := engine.AUC(column0(t, test, "y"), column0(t, out, "probability_1"), nil)
	t.Logf("AUC %.4f, log %v", auc, log["num_trees"])
	if auc < 0.8 {
		t.Fatalf("test AUC %.4f, want > 0.8", auc)
	}
}

func TestRegistered(t *testing.T) {
	l, err := estimators.Lookup(Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Space().Check(); err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Space().Params {
		if p.Doc == "" {
			t.Errorf("%s has no doc", p.Name)
		}
	}
	if p, ok := Space().Param("n_threads"); !ok || !p.Runtime {
		t.Error("n_threads is not a runtime parameter, so model files would depend on it")
	}
}

// TestDeterminism checks that the same data and seed give the same model
// file, bit for bit, and the same outputs on 1, 2 and 4 threads, with row
// and column subsampling, missing values, a categorical feature, the
// two-byte bins, and more rows than two partition blocks so that the
// parallel partition and the multi-block histograms run.
func TestDeterminism(t *testing.T) {
	n := 2*partBlock + 20000
	d := makeMixed(n, 1)
	train := d.frame(t, false)
	valid := makeMixed(5000, 2).frame(t, true)
	probe := makeMixed(2000, 3).frame(t, true)
	cases := []struct {
		name   string
		spec   estimators.Spec
		params map[string]any
	}{
		{"binary, subsampled, early stopping", estimators.Spec{Target: "bin", Features: mixedFeatures, Valid: valid},
			map[string]any{"objective": "log_loss", "subsample": 0.8, "colsample": 0.75, "max_iter": 5, "seed": 7,
				"early_stopping_rounds": 3, "metric": "auc"}},
		{"softmax, weighted, subsampled", estimators.Spec{Target: "cls", Features: mixedFeatures, Weight: "w"},
			map[string]any{"subsample": 0.5, "colsample": 0.5, "max_iter": 3, "num_leaves": 15, "seed": 3}},
		{"absolute error, two-byte bins", estimators.Spec{Target: "reg", Features: mixedFeatures},
			map[string]any{"objective": "absolute_error", "max_bin": 1000, "max_iter": 3, "num_leaves": 63}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var refFile []byte
			var refOut, refTrain *engine.Frame
			var refLog string
			for _, threads := range []int{1, 2, 4} {
				params := map[string]any{"n_threads": threads}
				for k, v := range c.params {
					params[k] = v
				}
				m, log := fitModel(t, train, c.spec, params)
				b := encodeBytes(t, m)
				out := apply(t, m, probe, estimators.ApplyOptions{Threads: threads, RawScore: true, Contributions: true})
				tr := apply(t, m, train, estimators.ApplyOptions{Threads: threads})
				vlog := fmt.Sprint(log["valid_metric"], log["best_iteration"], log["iterations"])
				if threads == 1 {
					refFile, refOut, refTrain, refLog = b, out, tr, vlog
					t.Logf("%d trees, file of %d bytes, %s", len(m.trees), len(b), vlog)
					continue
				}
				if string(b) != string(refFile) {
					t.Errorf("%d threads: the model file differs from the one of 1 thread", threads)
				}
				if vlog != refLog {
					t.Errorf("%d threads: validation log %s, 1 thread %s", threads, vlog, refLog)
				}
				sameColumns(t, fmt.Sprintf("%d threads, probe rows", threads), refOut, out)
				sameColumns(t, fmt.Sprintf("%d threads, training rows", threads), refTrain, tr)
			}
		})
	}
}

// TestMissingValues fits a target that is 1 wherever the feature is
// missing and x > 0 elsewhere: missing rows, NaN or null alike, must land
// with the positive side.
func TestMissingValues(t *testing.T) {
	n := 4000
	rng := rand.New(rand.NewPCG(5, 5))
	x := make([]float64, n)
	valid := make([]bool, n)
	y := make([]int64, n)
	for i := range n {
		x[i], valid[i] = 2*rng.Float64()-1, true
		switch u := rng.Float64(); {
		case u < 0.08:
			x[i] = math.NaN() // a NaN value
		case u < 0.16:
			x[i], valid[i] = math.NaN(), false // a null
		}
		if math.IsNaN(x[i]) || x[i] > 0 {
			y[i] = 1
		}
	}
	train := frame(t, []string{"x", "y"}, floatsValid(x, valid), int64s(y))
	m, _ := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"objective": "log_loss", "max_iter": 30, "n_threads": 2})
	nan := []float64{math.NaN(), math.NaN(), 0.5, -0.5}
	asNaN := frame(t, []string{"x"}, floats(nan, false))
	asNull := frame(t, []string{"x"}, floats(nan, true))
	pNaN := column0(t, apply(t, m, asNaN, estimators.ApplyOptions{}), "probability_1")
	pNull := column0(t, apply(t, m, asNull, estimators.ApplyOptions{}), "probability_1")
	for i := range nan {
		if math.Float64bits(pNaN[i]) != math.Float64bits(pNull[i]) {
			t.Errorf("row %d: P(1) is %v for a NaN and %v for a null", i, pNaN[i], pNull[i])
		}
	}
	if pNaN[0] < 0.9 || pNaN[2] < 0.9 || pNaN[3] > 0.1 {
		t.Errorf("P(1) for missing, 0.5, -0.5 = %v, %v, %v; want > 0.9, > 0.9, < 0.1", pNaN[0], pNaN[2], pNaN[3])
	}
	root := m.trees[0]
	if len(root.Feature) == 0 || root.DefaultLeft[0] != (root.Threshold[0] >= 0.5) {
		t.Errorf("first split: threshold %v, missing values go left: %v", root.Threshold, root.DefaultLeft)
	}
}

// TestCategoricalSplit fits a target that is 1 for the categories b, e and
// g of eight: the first split must send exactly that set one way, and the
// predictions must separate the two groups.
func TestCategoricalSplit(t *testing.T) {
	cats := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	in := map[string]bool{"b": true, "e": true, "g": true}
	n := 4000
	rng := rand.New(rand.NewPCG(6, 6))
	c := make([]string, n)
	z := make([]float64, n)
	y := make([]int64, n)
	for i := range n {
		c[i] = cats[i%len(cats)]
		z[i] = rng.NormFloat64()
		if in[c[i]] {
			y[i] = 1
		}
	}
	rng.Shuffle(n, func(i, j int) { c[i], c[j], y[i], y[j] = c[j], c[i], y[j], y[i] })
	for _, dict := range []bool{false, true} {
		t.Run(fmt.Sprintf("dictionary %v", dict), func(t *testing.T) {
			col := strs(c)
			if dict {
				col.Release()
				col = dictOf(c, []string{"h", "g", "f", "e", "d", "c", "b", "a"}, nil)
			}
			train := frame(t, []string{"z", "c", "y"}, floats(z, false), col, int64s(y))
			m, _ := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"objective": "log_loss", "max_iter": 20, "n_threads": 2})
			j := slices.Index(m.features, "c")
			tr := m.trees[0]
			if len(tr.Feature) == 0 || int(tr.Feature[0]) != j || tr.CatLeft[0] == nil {
				t.Fatalf("the first split is not on the categorical feature: features %v", tr.Feature)
			}
			known := m.Inputs()[j].Categories
			if !slices.Equal(known, cats) {
				t.Fatalf("categories %q, want %q", known, cats)
			}
			var left []string
			for code, name := range known {
				if tr.CatLeft[0][code>>6]&(1<<(code&63)) != 0 {
					left = append(left, name)
				}
			}
			if l := strings.Join(left, ""); l != "beg" && l != "acdfh" {
				t.Errorf("the first split sends %q left, want {b,e,g} or its complement", left)
			}
			p := column0(t, apply(t, m, train, estimators.ApplyOptions{}), "probability_1")
			lo1, hi0 := 1.0, 0.0
			for i := range p {
				if y[i] == 1 {
					lo1 = min(lo1, p[i])
				} else {
					hi0 = max(hi0, p[i])
				}
			}
			if lo1 <= hi0 {
				t.Errorf("P(1) is down to %v in {b,e,g} and up to %v elsewhere", lo1, hi0)
			}
		})
	}
}

// TestNumericThreshold fits y = x > 0.3 without noise: the first split must
// be within one bin of 0.3.
func TestNumericThreshold(t *testing.T) {
	n := 10000
	rng := rand.New(rand.NewPCG(7, 7))
	x, z := make([]float64, n), make([]float64, n)
	y := make([]bool, n)
	for i := range n {
		x[i], z[i] = rng.Float64(), rng.Float64()
		y[i] = x[i] > 0.3
	}
	yb := array.NewBooleanBuilder(memory.DefaultAllocator)
	yb.AppendValues(y, nil)
	train := frame(t, []string{"z", "x", "y"}, floats(z, false), floats(x, false), yb.NewArray())
	yb.Release()
	m, _ := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"max_iter": 5})
	tr := m.trees[0]
	if len(tr.Feature) == 0 || m.features[tr.Feature[0]] != "x" {
		t.Fatalf("the first split is on %v, not x", tr.Feature)
	}
	up := m.mappers[tr.Feature[0]].upper
	b := sort.SearchFloat64s(up, 0.3) // 0.3 is in the bin (up[b-1], up[b]]
	width := up[b] - up[b-1]
	thr := tr.Threshold[0]
	t.Logf("threshold %v, bin width %v", thr, width)
	if math.Abs(thr-0.3) > width {
		t.Errorf("threshold %v, want within the bin width %v of 0.3", thr, width)
	}
	if s := m.Outputs()[0].Type; s != "bool" {
		t.Errorf("prediction type %s for a bool target", s)
	}
}

// losses are the per-row losses of the regression objectives, from the
// target and the raw score.
var losses = map[string]func(y, s float64) float64{
	"squared_error":  func(y, s float64) float64 { return (y - s) * (y - s) },
	"absolute_error": func(y, s float64) float64 { return math.Abs(y - s) },
	"huber": func(y, s float64) float64 {
		if r := math.Abs(y - s); r > 1 {
			return r - 0.5
		}
		return (y - s) * (y - s) / 2
	},
	"poisson": func(y, s float64) float64 { return math.Exp(s) - y*s },
}

func meanLoss(loss func(y, s float64) float64, y, s, w []float64) float64 {
	num, den := 0.0, 0.0
	for i := range y {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		num += wi * loss(y[i], s[i])
		den += wi
	}
	return num / den
}

// TestObjectivesReduceLoss checks that every regression objective starts
// from its optimal constant and lowers its loss on the training data.
func TestObjectivesReduceLoss(t *testing.T) {
	d := makeMixed(3000, 11)
	train := d.frame(t, false)
	for _, obj := range []string{"squared_error", "absolute_error", "huber", "poisson"} {
		for _, weighted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s weighted %v", obj, weighted), func(t *testing.T) {
				target := "reg"
				if obj == "poisson" {
					target = "cnt"
				}
				spec := estimators.Spec{Target: target, Features: mixedFeatures}
				var w []float64
				if weighted {
					spec.Weight, w = "w", d.w
				}
				m, log := fitModel(t, train, spec, map[string]any{"objective": obj, "max_iter": 30})
				y := column0(t, train, target)
				out := apply(t, m, train, estimators.ApplyOptions{RawScore: true})
				raw := column0(t, out, "raw_score")
				pred := column0(t, out, "prediction")
				init := m.initScore[0]
				var want float64
				switch obj {
				case "squared_error":
					want = weightedMean(y, w)
				case "poisson":
					want = math.Log(weightedMean(y, w))
				default:
					want = refWeightedMedian(y, w)
				}
				if math.Abs(init-want) > 1e-12*(1+math.Abs(want)) {
					t.Errorf("initial score %v, want %v", init, want)
				}
				loss := losses[obj]
				before := meanLoss(loss, y, slices.Repeat([]float64{init}, len(y)), w)
				after := meanLoss(loss, y, raw, w)
				t.Logf("loss %.5f -> %.5f, %v trees", before, after, log["num_trees"])
				if !(after < before-0.05*math.Abs(before)) {
					t.Errorf("loss %v after 30 rounds, %v at the initial constant", after, before)
				}
				for i := range raw {
					p := raw[i]
					if obj == "poisson" {
						p = math.Exp(p)
					}
					if math.Float64bits(p) != math.Float64bits(pred[i]) {
						t.Fatalf("row %d: prediction %v, raw score %v", i, pred[i], raw[i])
					}
				}
			})
		}
	}
}

// refWeightedMedian is the smallest y at which the cumulative weight of
// the sorted values reaches half the total.
func refWeightedMedian(y, w []float64) float64 {
	idx := make([]int, len(y))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return y[idx[a]] < y[idx[b]] })
	total, acc := 0.0, 0.0
	for i := range y {
		total += weightAt(w, i)
	}
	for _, i := range idx {
		acc += weightAt(w, i)
		if acc >= total/2 {
			return y[i]
		}
	}
	return math.NaN()
}

// TestAbsoluteErrorMedians checks that the leaves of absolute_error trees
// hold weighted medians: of the whole target when the feature cannot
// split, and of each group when it splits the data in two.
func TestAbsoluteErrorMedians(t *testing.T) {
	n := 501
	rng := rand.New(rand.NewPCG(8, 8))
	y, w, same, group := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		group[i] = float64(i % 2)
		y[i] = 10*group[i] + math.Exp(rng.NormFloat64()) // skewed: the mean is not the median
		w[i] = 0.1 + rng.Float64()
		same[i] = 1
	}
	train := frame(t, []string{"same", "group", "y", "w"}, floats(same, false), floats(group, false), floats(y, false), floats(w, false))
	for _, weighted := range []bool{false, true} {
		spec := estimators.Spec{Target: "y", Features: []string{"same"}}
		var ww []float64
		if weighted {
			spec.Weight, ww = "w", w
		}
		m, _ := fitModel(t, train, spec, map[string]any{"objective": "absolute_error", "num_leaves": 2, "max_iter": 3})
		want := refWeightedMedian(y, ww)
		pred := column0(t, apply(t, m, train, estimators.ApplyOptions{}), "prediction")
		for _, tr := range m.trees {
			if tr.NumLeaves() != 1 {
				t.Fatalf("weighted %v: a constant feature split: %+v", weighted, tr)
			}
		}
		if pred[0] != want {
			t.Errorf("weighted %v: prediction %v, weighted median %v (mean %v)", weighted, pred[0], want, weightedMean(y, ww))
		}

		spec.Features = []string{"group"}
		m, _ = fitModel(t, train, spec, map[string]any{"objective": "absolute_error", "num_leaves": 2, "max_iter": 1, "learning_rate": 1.0, "min_data_in_leaf": 1})
		pred = column0(t, apply(t, m, train, estimators.ApplyOptions{}), "prediction")
		for g := range 2 {
			var yg, wg []float64
			for i := range n {
				if group[i] == float64(g) {
					yg = append(yg, y[i])
					if weighted {
						wg = append(wg, w[i])
					}
				}
			}
			want := refWeightedMedian(yg, wg)
			if math.Abs(pred[g]-want) > 1e-12*math.Abs(want) {
				t.Errorf("weighted %v, group %d: prediction %v, weighted median %v", weighted, g, pred[g], want)
			}
		}
	}
}

// TestWeights checks that scaling every weight changes nothing and that
// rows of weight zero are ignored.
func TestWeights(t *testing.T) {
	d := makeMixed(3000, 12)
	train := d.frame(t, false)
	w2 := make([]float64, len(d.w))
	for i, v := range d.w {
		w2[i] = 2 * v
	}
	doubled := frame(t, []string{"num", "cat", "ints", "noise", "reg", "w"},
		floatsValid(d.num, d.numValid), strsValid(d.cat, d.catValid), int64s(d.ints), floats(d.noise, false), floats(d.reg, false), floats(w2, false))
	// cat_l2 and cat_smooth are added to hessian sums, so categorical
	// splits depend on the scale of the weights, as in LightGBM: they are
	// turned off when the categorical feature is in.
	for _, c := range []struct {
		features []string
		params   map[string]any
	}{
		{[]string{"num", "ints", "noise"}, map[string]any{"max_iter": 20}},
		{mixedFeatures, map[string]any{"max_iter": 20, "cat_l2": 0.0, "cat_smooth": 0.0}},
	} {
		spec := estimators.Spec{Target: "reg", Features: c.features, Weight: "w"}
		m1, _ := fitModel(t, train, spec, c.params)
		m2, _ := fitModel(t, doubled, spec, c.params)
		p1 := column0(t, apply(t, m1, train, estimators.ApplyOptions{}), "prediction")
		p2 := column0(t, apply(t, m2, train, estimators.ApplyOptions{}), "prediction")
		for i := range p1 {
			if math.Abs(p1[i]-p2[i]) > 1e-12*(1+math.Abs(p1[i])) {
				t.Errorf("features %v, row %d: prediction %v with the weights, %v with them doubled", c.features, i, p1[i], p2[i])
				break
			}
		}
	}

	// Rows of weight zero, with wild targets, on the features' existing
	// values (so that the bins do not move).
	n, extra := 2000, 600
	rng := rand.New(rand.NewPCG(13, 13))
	a, b, y, w := make([]float64, n+extra), make([]float64, n+extra), make([]float64, n+extra), make([]float64, n+extra)
	for i := range n + extra {
		a[i], b[i] = float64(rng.IntN(20)), float64(rng.IntN(7))
		y[i] = math.Sin(a[i]) + b[i]*b[i]/10 + 0.1*rng.NormFloat64()
		w[i] = 1 + float64(rng.IntN(3))
		if i >= n {
			y[i], w[i] = 1e6*rng.NormFloat64(), 0
		}
	}
	small := frame(t, []string{"a", "b", "y", "w"}, floats(a[:n], false), floats(b[:n], false), floats(y[:n], false), floats(w[:n], false))
	big := frame(t, []string{"a", "b", "y", "w"}, floats(a, false), floats(b, false), floats(y, false), floats(w, false))
	spec := estimators.Spec{Target: "y", Weight: "w"}
	for _, obj := range []string{"squared_error", "huber", "poisson"} {
		if obj == "poisson" {
			for i := range y {
				y[i] = math.Abs(y[i])
			}
			small = frame(t, []string{"a", "b", "y", "w"}, floats(a[:n], false), floats(b[:n], false), floats(y[:n], false), floats(w[:n], false))
			big = frame(t, []string{"a", "b", "y", "w"}, floats(a, false), floats(b, false), floats(y, false), floats(w, false))
		}
		params := map[string]any{"objective": obj, "max_iter": 20, "min_data_in_leaf": 1}
		ms, _ := fitModel(t, small, spec, params)
		mb, _ := fitModel(t, big, spec, params)
		ps := column0(t, apply(t, ms, small, estimators.ApplyOptions{}), "prediction")
		pb := column0(t, apply(t, mb, small, estimators.ApplyOptions{}), "prediction")
		for i := range ps {
			if math.Abs(ps[i]-pb[i]) > 1e-12*(1+math.Abs(ps[i])) {
				t.Errorf("%s, row %d: prediction %v without the zero-weight rows, %v with them", obj, i, ps[i], pb[i])
				break
			}
		}
	}
}

// noiseFrame returns n rows of features that do not predict the targets:
// a coin "coin", a class among three "cls" and a number "y".
func noiseFrame(t testing.TB, n int, seed uint64) *engine.Frame {
	rng := rand.New(rand.NewPCG(seed, 21))
	a, b, y := make([]float64, n), make([]float64, n), make([]float64, n)
	coin := make([]int64, n)
	cls := make([]string, n)
	for i := range n {
		a[i], b[i], y[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		coin[i] = int64(rng.IntN(2))
		cls[i] = []string{"x", "y", "z"}[rng.IntN(3)]
	}
	return frame(t, []string{"a", "b", "coin", "cls", "y"}, floats(a, false), floats(b, false), int64s(coin), strs(cls), floats(y, false))
}

// TestEarlyStopping fits noise, which overfits from the first rounds: the
// fit must stop early, log the metric of every round and keep the trees of
// the best one.
func TestEarlyStopping(t *testing.T) {
	train := noiseFrame(t, 600, 1)
	valid := noiseFrame(t, 600, 2)
	overfit := map[string]any{"max_iter": 300, "num_leaves": 63, "min_data_in_leaf": 2, "learning_rate": 0.5, "early_stopping_rounds": 5}
	for _, c := range []struct {
		target, objective, metric string
		K                         int
	}{
		{"coin", "log_loss", "log_loss", 1},
		{"coin", "log_loss", "auc", 1},
		{"cls", "log_loss", "log_loss", 3},
		{"y", "squared_error", "rmse", 1},
		{"y", "absolute_error", "mae", 1},
	} {
		t.Run(c.target+" "+c.metric, func(t *testing.T) {
			params := map[string]any{"objective": c.objective, "metric": c.metric}
			for k, v := range overfit {
				params[k] = v
			}
			spec := estimators.Spec{Target: c.target, Features: []string{"a", "b"}, Valid: valid}
			m, log := fitModel(t, train, spec, params)
			if _, err := json.Marshal(log); err != nil {
				t.Errorf("the log is not JSON: %v", err)
			}
			vm, _ := log["valid_metric"].(map[string]any)
			values, _ := vm["values"].([]float64)
			best, _ := log["best_iteration"].(int)
			bestScore, _ := log["best_score"].(float64)
			t.Logf("%d rounds, best %d (%v), values %.4f", len(values), best, bestScore, values)
			if vm["name"] != c.metric {
				t.Errorf("metric %v, want %s", vm["name"], c.metric)
			}
			if len(values) == 0 || len(values) >= 300 {
				t.Fatalf("%d rounds of 300 with early stopping on noise", len(values))
			}
			if log["rounds_run"] != len(values) || best < 1 || len(values) != best+5 {
				t.Errorf("%d values, rounds_run %v, best iteration %d: want best+5 values", len(values), log["rounds_run"], best)
			}
			if len(m.trees) != best*c.K || log["num_trees"] != best*c.K || log["iterations"] != best {
				t.Errorf("%d trees (log: %v trees, %v iterations) for best iteration %d and %d scores", len(m.trees), log["num_trees"], log["iterations"], best, c.K)
			}
			top := slices.Min(values)
			if c.metric == "auc" {
				top = slices.Max(values)
			}
			if bestScore != top || values[best-1] != top || slices.Index(values, top) != best-1 {
				t.Errorf("best score %v at %d, but the values are %v", bestScore, best, values)
			}
			if got := validMetric(t, m, valid, c.target, c.metric, nil); math.Abs(got-bestScore) > 1e-9 {
				t.Errorf("the kept model scores %v on the validation frame, the log says %v", got, bestScore)
			}
		})
	}
}

// TestEarlyStoppingTrainMetrics checks that the training metrics logged
// after early stopping are those of the model kept.
func TestEarlyStoppingTrainMetrics(t *testing.T) {
	train := noiseFrame(t, 600, 1)
	valid := noiseFrame(t, 600, 2)
	for _, c := range []struct{ target, objective string }{{"coin", "log_loss"}, {"cls", "log_loss"}, {"y", "squared_error"}} {
		t.Run(c.target, func(t *testing.T) {
			m, log := fitModel(t, train, estimators.Spec{Target: c.target, Features: []string{"a", "b"}, Valid: valid},
				map[string]any{"objective": c.objective, "max_iter": 300, "num_leaves": 63, "min_data_in_leaf": 2, "learning_rate": 0.5, "early_stopping_rounds": 5})
			if log["rounds_run"] == log["iterations"] {
				t.Fatalf("no early stop: %v rounds", log["rounds_run"])
			}
			checkTrainMetrics(t, m, log, train, c.target, nil)
		})
	}
}

// validMetric computes a metric from the model's outputs for frame f, the
// way engine's metric functions do.
func validMetric(t testing.TB, m *Model, f *engine.Frame, target, metric string, w []float64) float64 {
	t.Helper()
	out := apply(t, m, f, estimators.ApplyOptions{Threads: 1})
	if m.classes == nil {
		y := column0(t, f, target)
		pred := column0(t, out, "prediction")
		if metric == "mae" {
			return engine.MAE(y, pred, w)
		}
		return engine.RMSE(y, pred, w)
	}
	_, codes, err := engine.EncodeClasses(target, f.Column(target))
	if err != nil {
		t.Fatal(err)
	}
	// The frame's classes are those of training here, in the same order.
	var probs [][]float64
	for _, name := range m.classes.ProbabilityNames() {
		probs = append(probs, column0(t, out, name))
	}
	if metric == "auc" {
		y := make([]float64, len(codes))
		for i, c := range codes {
			y[i] = float64(c)
		}
		return engine.AUC(y, probs[1], w)
	}
	return engine.LogLoss(codes, probs, w)
}

// TestValidMetric checks the last logged validation metric, without early
// stopping, against the model's own outputs for the validation frame, and
// the training metrics against those for the training frame (with row
// subsampling in the weighted cases).
func TestValidMetric(t *testing.T) {
	d := makeMixed(3000, 14)
	train := d.frame(t, false)
	vd := makeMixed(1500, 15)
	valid := vd.frame(t, true)
	for _, c := range []struct {
		target, objective, metric string
	}{
		{"bin", "log_loss", "auc"},
		{"bin", "log_loss", "log_loss"},
		{"cls", "log_loss", "log_loss"},
		{"reg", "squared_error", "rmse"},
		{"reg", "huber", "mae"},
		{"reg", "absolute_error", "auto"},
		{"cnt", "poisson", "rmse"},
	} {
		for _, weighted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s %s %s weighted %v", c.target, c.objective, c.metric, weighted), func(t *testing.T) {
				spec := estimators.Spec{Target: c.target, Features: mixedFeatures, Valid: valid}
				var w []float64
				if weighted {
					spec.Weight, w = "w", vd.w
				}
				params := map[string]any{"objective": c.objective, "metric": c.metric, "max_iter": 15}
				if weighted {
					params["subsample"] = 0.6
				}
				m, log := fitModel(t, train, spec, params)
				if weighted {
					checkTrainMetrics(t, m, log, train, c.target, d.w)
				} else {
					checkTrainMetrics(t, m, log, train, c.target, nil)
				}
				values := log["valid_metric"].(map[string]any)["values"].([]float64)
				if len(values) != 15 || len(m.trees) != 15*m.treesPerIter {
					t.Fatalf("%d values and %d trees for 15 rounds", len(values), len(m.trees))
				}
				metric := c.metric
				if metric == "auto" {
					metric = "mae"
				}
				want := validMetric(t, m, valid, c.target, metric, w)
				got := values[len(values)-1]
				if math.Abs(got-want) > 1e-9 || math.IsNaN(got) {
					t.Errorf("last validation %s %v, computed from the outputs %v", metric, got, want)
				}
			})
		}
	}
}

// TestBadInputs checks that every kind of bad input is an error of the
// right kind whose message names the column or hyperparameter at fault.
func TestBadInputs(t *testing.T) {
	n := 40
	x, y := make([]float64, n), make([]float64, n)
	labels, three := make([]string, n), make([]string, n)
	for i := range n {
		x[i], y[i] = float64(i), float64(i%5)
		labels[i] = []string{"no", "yes"}[i%2]
		three[i] = []string{"p", "q", "r"}[i%3]
	}
	good := func(extra ...any) *engine.Frame {
		names := []string{"x", "y", "label", "three"}
		cols := []arrow.Array{floats(x, false), floats(y, false), strs(labels), strs(three)}
		for i := 0; i < len(extra); i += 2 {
			names = append(names, extra[i].(string))
			cols = append(cols, extra[i+1].(arrow.Array))
		}
		return frame(t, names, cols...)
	}
	withNaN := func(v []float64, i int) []float64 {
		out := slices.Clone(v)
		out[i] = math.NaN()
		return out
	}
	many := make([]string, MaxCategories+5000)
	for i := range many {
		many[i] = fmt.Sprintf("c%06d", i)
	}
	manyY := make([]float64, len(many))
	for i := range manyY {
		manyY[i] = float64(i % 2)
	}
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	for i := range n {
		lb.Append(true)
		lb.ValueBuilder().(*array.Float64Builder).Append(float64(i))
	}
	list := lb.NewArray()
	lb.Release()
	tb := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: arrow.Second})
	for i := range n {
		tb.Append(arrow.Timestamp(i))
	}
	stamps := tb.NewArray()
	tb.Release()
	validWithout := frame(t, []string{"y"}, floats(y, false))
	validString := frame(t, []string{"x", "y"}, strs(labels), floats(y, false))
	validClass := frame(t, []string{"x", "label"}, floats(x, false), strs(slices.Repeat([]string{"maybe"}, n)))
	cases := []struct {
		name    string
		frame   *engine.Frame
		spec    estimators.Spec
		params  map[string]any
		kind    engine.Kind
		mention string
	}{
		{"empty frame", frame(t, []string{"x", "y"}, floats(nil, false), floats(nil, false)),
			estimators.Spec{Target: "y"}, nil, engine.KindValue, "empty"},
		{"missing target", good(), estimators.Spec{Target: "nope"}, nil, engine.KindColumn, `"nope"`},
		{"missing feature", good(), estimators.Spec{Target: "y", Features: []string{"x", "zz"}}, nil, engine.KindColumn, `"zz"`},
		{"missing weight", good(), estimators.Spec{Target: "y", Features: []string{"x"}, Weight: "ww"}, nil, engine.KindColumn, `"ww"`},
		{"null regression target", good("t", floats(withNaN(y, 3), true)),
			estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, `"t"`},
		{"NaN regression target", good("t", floats(withNaN(y, 3), false)),
			estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, `"t"`},
		{"null class target", good("t", strsValid(labels, append([]bool{false}, slices.Repeat([]bool{true}, n-1)...))),
			estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, `"t"`},
		{"string target with squared_error", good(), estimators.Spec{Target: "label", Features: []string{"x"}},
			map[string]any{"objective": "squared_error"}, engine.KindType, `"label"`},
		{"one class", good("t", strs(slices.Repeat([]string{"only"}, n))),
			estimators.Spec{Target: "t", Features: []string{"x"}}, nil, engine.KindValue, `"t"`},
		{"continuous target with log_loss", good("t", floats(append([]float64{0.5}, y[1:]...), false)),
			estimators.Spec{Target: "t", Features: []string{"x"}}, map[string]any{"objective": "log_loss"}, engine.KindValue, `"t"`},
		{"num_leaves=1", good(), estimators.Spec{Target: "y", Features: []string{"x"}},
			map[string]any{"num_leaves": 1}, engine.KindValue, "num_leaves"},
		{"unknown hyperparameter", good(), estimators.Spec{Target: "y", Features: []string{"x"}},
			map[string]any{"n_estimators": 10}, engine.KindValue, "n_estimators"},
		{"validation frame without a feature", good(), estimators.Spec{Target: "y", Features: []string{"x"}, Valid: validWithout},
			nil, engine.KindColumn, `"x"`},
		{"validation feature of another type", good(), estimators.Spec{Target: "y", Features: []string{"x"}, Valid: validString},
			nil, engine.KindType, `"x"`},
		{"validation class unknown", good(), estimators.Spec{Target: "label", Features: []string{"x"}, Valid: validClass},
			nil, engine.KindValue, "maybe"},
		{"validation frame without the target", good(), estimators.Spec{Target: "label", Features: []string{"x"}, Valid: frame(t, []string{"x"}, floats(x, false))},
			nil, engine.KindColumn, `"label"`},
		{"too many categories", frame(t, []string{"c", "y"}, strs(many), floats(manyY, false)),
			estimators.Spec{Target: "y"}, nil, engine.KindValue, `"c"`},
		{"early stopping without validation", good(), estimators.Spec{Target: "y", Features: []string{"x"}},
			map[string]any{"early_stopping_rounds": 5}, engine.KindValue, "early_stopping_rounds"},
		{"auc for three classes", good(), estimators.Spec{Target: "three", Features: []string{"x"}},
			map[string]any{"metric": "auc"}, engine.KindValue, "auc"},
		{"rmse for a classifier", good(), estimators.Spec{Target: "label", Features: []string{"x"}},
			map[string]any{"metric": "rmse"}, engine.KindValue, "rmse"},
		{"poisson with a negative target", good("t", floats(append([]float64{-1}, y[1:]...), false)),
			estimators.Spec{Target: "t", Features: []string{"x"}}, map[string]any{"objective": "poisson"}, engine.KindValue, `"t"`},
		{"poisson with a zero target", good("t", floats(make([]float64, n), false)),
			estimators.Spec{Target: "t", Features: []string{"x"}}, map[string]any{"objective": "poisson"}, engine.KindValue, `"t"`},
		{"list feature", good("l", list), estimators.Spec{Target: "y"}, nil, engine.KindType, `"l"`},
		{"timestamp feature", good("ts", stamps), estimators.Spec{Target: "y", Features: []string{"x", "ts"}}, nil, engine.KindType, `"ts"`},
		{"negative weight", good("w", floats(append([]float64{-1}, y[1:]...), false)),
			estimators.Spec{Target: "y", Features: []string{"x"}, Weight: "w"}, nil, engine.KindValue, `"w"`},
		{"target as feature", good(), estimators.Spec{Target: "y", Features: []string{"x", "y"}}, nil, engine.KindValue, `"y"`},
		{"no features", frame(t, []string{"y"}, floats(y, false)), estimators.Spec{Target: "y"}, nil, engine.KindValue, "feature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fitErr(c.frame, c.spec, c.params)
			if err == nil {
				t.Fatal("no error")
			}
			if k := engine.KindOf(err); k != c.kind {
				t.Errorf("kind %s, want %s: %v", k, c.kind, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("message %q does not mention %s", err, c.mention)
			}
		})
	}
	// The space itself rejects num_leaves=1, naming it.
	if _, err := Space().Validate(map[string]any{"num_leaves": 1}); err == nil || !strings.Contains(err.Error(), "num_leaves") {
		t.Errorf("Space().Validate(num_leaves=1): %v", err)
	}
}

// TestTinySubsample draws bags of about 0.2 rows of 200: a tree must grow
// on its bag, however small, and the training scores must follow the trees
// (checked through a validation frame equal to the training one, whose
// metric comes from the trees alone).
func TestTinySubsample(t *testing.T) {
	n := 200
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i], y[i] = float64(i), float64(i%17)
	}
	train := frame(t, []string{"x", "y"}, floats(x, false), floats(y, false))
	m, log := fitModel(t, train, estimators.Spec{Target: "y", Valid: train},
		map[string]any{"subsample": 0.001, "max_iter": 4, "learning_rate": 1.0, "min_data_in_leaf": 1, "seed": 1})
	for i, tr := range m.trees {
		rows := int64(0)
		for _, c := range tr.LeafCount {
			rows += c
		}
		if rows > 10 {
			t.Errorf("tree %d grew on %d rows with subsample=0.001 of %d rows", i, rows, n)
		}
	}
	t.Logf("valid rmse %v", log["valid_metric"])
}

// TestLogIsJSON checks that the log can be encoded as JSON, which the
// Python bridge does, even when the validation metric is undefined (AUC
// on a validation frame of one class): the fit must then either fail,
// naming the metric, or log something JSON can hold.
func TestLogIsJSON(t *testing.T) {
	train := noiseFrame(t, 200, 3)
	n := 50
	oneClass := frame(t, []string{"a", "b", "coin"}, floats(make([]float64, n), false), floats(make([]float64, n), false), int64s(make([]int64, n)))
	for _, c := range []struct {
		name  string
		valid *engine.Frame
		esr   int
	}{{"no validation", nil, 0}, {"validation", noiseFrame(t, 100, 4), 3}, {"one-class validation", oneClass, 0}, {"one-class validation, early stopping", oneClass, 3}} {
		t.Run(c.name, func(t *testing.T) {
			_, log, err := Learner{}.Fit(context.Background(), train, estimators.Spec{Target: "coin", Features: []string{"a", "b"}, Valid: c.valid},
				map[string]any{"objective": "log_loss", "metric": "auc", "max_iter": 10, "early_stopping_rounds": c.esr})
			if err != nil {
				if c.valid != oneClass || engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), "auc") {
					t.Fatalf("%v (%s)", err, engine.KindOf(err))
				}
				return
			}
			if _, err := json.Marshal(log); err != nil {
				t.Errorf("the log is not JSON: %v; best_score %v, valid_metric %v", err, log["best_score"], log["valid_metric"])
			}
		})
	}
}

// TestInfiniteFeatures fits features holding infinities, which are values
// like any other for trees (below or above every threshold): the bins must
// stay ordered, the infinite rows must be told apart from the finite ones,
// and the model must round-trip.
func TestInfiniteFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct {
		name   string
		value  func(i int) float64
		maxBin int
	}{
		{"four values", func(i int) float64 { return []float64{math.Inf(-1), 0, 1, 2, math.Inf(1)}[i%5] }, 255},
		{"normal, 255 bins", func(i int) float64 { return []float64{math.Inf(-1), math.Inf(1)}[i%2] + rng.NormFloat64() }, 255},
		{"normal, 16 bins", func(i int) float64 { return []float64{math.Inf(-1), math.Inf(1)}[i%2] + rng.NormFloat64() }, 16},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 1000
			x, y := make([]float64, n), make([]float64, n)
			for i := range n {
				x[i] = c.value(i)
				if i%5 > 1 {
					x[i] = rng.NormFloat64() // the other rows are finite
					if c.name == "four values" {
						x[i] = float64(i % 5)
					}
				}
				switch {
				case math.IsInf(x[i], -1):
					y[i] = 10
				case math.IsInf(x[i], 1):
					y[i] = -10
				default:
					y[i] = math.Max(-2, math.Min(2, x[i]))
				}
			}
			train := frame(t, []string{"x", "y"}, floats(x, false), floats(y, false))
			m, _ := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{"max_iter": 100, "max_bin": c.maxBin, "min_data_in_leaf": 5})
			up := m.mappers[0].upper
			for i, u := range up {
				if math.IsNaN(u) || (i > 0 && u <= up[i-1]) {
					t.Errorf("bin bounds %.3g... are not increasing", up[:min(4, len(up))])
					break
				}
			}
			pred := column0(t, apply(t, m, train, estimators.ApplyOptions{}), "prediction")
			for i := range n {
				if math.Abs(pred[i]-y[i]) > 0.5 && (math.IsInf(x[i], 0) || math.Abs(x[i]) < 1.5) {
					t.Errorf("x = %v: prediction %v, want about %v", x[i], pred[i], y[i])
					break
				}
			}
			b := encodeBytes(t, m)
			file, err := engine.UnmarshalModelFile(b)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Release()
			if _, err := (Learner{}).Decode(file); err != nil {
				t.Errorf("the model's own file does not decode: %v", err)
			}
		})
	}
}

// checkTrainMetrics compares the training metrics of a fit's log, which
// come from the scores kept during training, with the metrics of the
// model's outputs for the training frame: they differ if the training
// scores drift from the trees (rows out of the bag, early stopping).
func checkTrainMetrics(t testing.TB, m *Model, log estimators.Log, train *engine.Frame, target string, w []float64) {
	t.Helper()
	got, ok := log["metrics"].(map[string]any)
	if !ok {
		t.Fatalf("the log has no training metrics: %v", log["metrics"])
	}
	out := apply(t, m, train, estimators.ApplyOptions{})
	want := map[string]float64{}
	if m.classes == nil {
		y := column0(t, train, target)
		pred := column0(t, out, "prediction")
		want["rmse"], want["mae"], want["r2"] = engine.RMSE(y, pred, w), engine.MAE(y, pred, w), engine.R2(y, pred, w)
	} else {
		want["log_loss"] = validMetric(t, m, train, target, "log_loss", w)
		if m.classes.Len() == 2 {
			want["auc"] = validMetric(t, m, train, target, "auc", w)
		}
		tc, pc := train.Column(target), out.Column("prediction")
		num, den := 0.0, 0.0
		for i := range tc.Len() {
			if tc.ValueStr(i) == pc.ValueStr(i) {
				num += weightAt(w, i)
			}
			den += weightAt(w, i)
		}
		want["accuracy"] = num / den
	}
	if len(got) != len(want) {
		t.Errorf("training metrics %v, want the keys of %v", got, want)
	}
	for k, v := range want {
		g, _ := got[k].(float64)
		if math.Abs(g-v) > 1e-9 {
			t.Errorf("training %s %v in the log, %v from the model's outputs", k, got[k], v)
		}
	}
}

// TestProgressEarlyStop checks that a fit that stops early reports that it
// is done, as a fit that runs every round does.
func TestProgressEarlyStop(t *testing.T) {
	train := noiseFrame(t, 600, 5)
	valid := noiseFrame(t, 300, 6)
	var progress []float64
	spec := estimators.Spec{Target: "y", Features: []string{"a", "b"}, Valid: valid, Progress: func(p float64) { progress = append(progress, p) }}
	_, log := fitModel(t, train, spec, map[string]any{"max_iter": 50, "early_stopping_rounds": 3, "learning_rate": 0.5})
	if last := progress[len(progress)-1]; last != 1 {
		t.Errorf("progress ends at %v after %v rounds of 50", last, log["rounds_run"])
	}
}

// depths returns the depth of every leaf of a tree.
func depths(tr *Tree) []int {
	out := make([]int, tr.NumLeaves())
	var walk func(c int32, d int)
	walk = func(c int32, d int) {
		if c < 0 {
			out[^c] = d
			return
		}
		walk(tr.Left[c], d+1)
		walk(tr.Right[c], d+1)
	}
	walk(tr.root(), 0)
	return out
}

// TestTreeShape checks the limits on trees (num_leaves, max_depth,
// min_data_in_leaf) and that every tree's counts add up.
func TestTreeShape(t *testing.T) {
	d := makeMixed(3000, 61)
	train := d.frame(t, false)
	for _, c := range []struct {
		leaves, depth, minData int
	}{{31, 0, 20}, {64, 3, 1}, {7, 0, 200}, {2, 1, 1}, {1000, 0, 5}} {
		t.Run(fmt.Sprintf("num_leaves %d max_depth %d min_data_in_leaf %d", c.leaves, c.depth, c.minData), func(t *testing.T) {
			m, _ := fitModel(t, train, estimators.Spec{Target: "reg", Features: mixedFeatures},
				map[string]any{"max_iter": 5, "num_leaves": c.leaves, "max_depth": c.depth, "min_data_in_leaf": c.minData})
			categorical := []bool{false, true, false, false}
			for i, tr := range m.trees {
				if err := tr.validate(4, categorical); err != nil {
					t.Fatalf("tree %d: %v", i, err)
				}
				if tr.NumLeaves() > c.leaves || (c.leaves < 100 && tr.NumLeaves() < min(c.leaves, 3)) {
					t.Errorf("tree %d has %d leaves for num_leaves %d", i, tr.NumLeaves(), c.leaves)
				}
				if c.depth > 0 && slices.Max(depths(tr)) > c.depth {
					t.Errorf("tree %d is %d deep for max_depth %d", i, slices.Max(depths(tr)), c.depth)
				}
				total := int64(0)
				for _, n := range tr.LeafCount {
					total += n
					// Counts estimated from hessians are exact for the
					// squared error without weights.
					if n < int64(c.minData) {
						t.Errorf("tree %d has a leaf of %d rows for min_data_in_leaf %d", i, n, c.minData)
					}
				}
				if total != 3000 {
					t.Errorf("tree %d: leaves hold %d rows of 3000", i, total)
				}
				for n := range tr.Feature {
					if got := tr.childCover(tr.Left[n]) + tr.childCover(tr.Right[n]); got != tr.Count[n] {
						t.Errorf("tree %d node %d: %d rows, children %d", i, n, tr.Count[n], got)
					}
					if tr.Gain[n] <= 0 {
						t.Errorf("tree %d node %d: gain %v", i, n, tr.Gain[n])
					}
				}
			}
		})
	}
}

// TestProgressAndCancel checks the progress reports and that a cancelled
// fit stops with the context's error.
func TestProgressAndCancel(t *testing.T) {
	train := noiseFrame(t, 600, 5)
	valid := noiseFrame(t, 300, 6)
	var progress []float64
	spec := estimators.Spec{Target: "y", Features: []string{"a", "b"}, Valid: valid, Progress: func(p float64) { progress = append(progress, p) }}
	fitModel(t, train, spec, map[string]any{"max_iter": 50, "learning_rate": 0.5})
	if !slices.IsSorted(progress) || len(progress) == 0 || progress[0] <= 0 || progress[len(progress)-1] != 1 {
		t.Errorf("progress %v", progress)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	spec = estimators.Spec{Target: "y", Features: []string{"a", "b"}, Progress: func(float64) {
		calls++
		if calls == 2 {
			cancel()
		}
	}}
	m, _, err := Learner{}.Fit(ctx, train, spec, map[string]any{"max_iter": 1000})
	if engine.KindOf(err) != engine.KindCancelled || m != nil {
		t.Errorf("cancelled fit: model %v, error %v (%s)", m, err, engine.KindOf(err))
	}
	if calls > 3 {
		t.Errorf("%d rounds ran after the cancellation", calls-2)
	}
	if _, _, err := (Learner{}).Fit(ctx, train, estimators.Spec{Target: "y"}, nil); engine.KindOf(err) != engine.KindCancelled {
		t.Errorf("fit with a done context: %v", err)
	}
}

// TestManyCategories fits a category of 300 levels (two-byte bins, bitsets
// of several words) whose effect depends on the level: the fit must find
// it, the binned scores of training must match the model's own, and the
// model must round-trip.
func TestManyCategories(t *testing.T) {
	levels, per := 300, 20
	n := levels * per
	rng := rand.New(rand.NewPCG(62, 62))
	c := make([]string, n)
	z := make([]float64, n)
	y := make([]int64, n)
	for i := range n {
		l := i % levels
		c[i] = fmt.Sprintf("level%03d", l)
		z[i] = rng.NormFloat64()
		if l%7 == 0 || l > 250 {
			y[i] = 1
		}
	}
	train := frame(t, []string{"c", "z", "y"}, strs(c), floats(z, false), int64s(y))
	m, log := fitModel(t, train, estimators.Spec{Target: "y", Valid: train},
		map[string]any{"objective": "log_loss", "max_iter": 40, "min_data_per_group": 10, "max_cat_threshold": 128, "max_bin": 1000})
	if log["bins"] == nil || len(m.Inputs()[0].Categories) != levels {
		t.Fatalf("bins %v, %d categories", log["bins"], len(m.Inputs()[0].Categories))
	}
	high := 0
	for _, tr := range m.trees {
		for i, cl := range tr.CatLeft {
			if cl == nil {
				continue
			}
			if len(cl) != (levels+63)/64 {
				t.Fatalf("node %d: a bitset of %d words for %d categories", i, len(cl), levels)
			}
			for w := 1; w < len(cl); w++ {
				if cl[w] != 0 {
					high++
				}
			}
		}
	}
	if high == 0 {
		t.Error("no split sends a category above the first 64 left")
	}
	p := column0(t, apply(t, m, train, estimators.ApplyOptions{}), "probability_1")
	lo1, hi0 := 1.0, 0.0
	for i := range p {
		if y[i] == 1 {
			lo1 = min(lo1, p[i])
		} else {
			hi0 = max(hi0, p[i])
		}
	}
	if lo1 <= hi0 {
		t.Errorf("P(1) is down to %v for the positive levels and up to %v for the others", lo1, hi0)
	}
	values := log["valid_metric"].(map[string]any)["values"].([]float64)
	if got, want := values[len(values)-1], validMetric(t, m, train, "y", "log_loss", nil); math.Abs(got-want) > 1e-9 {
		t.Errorf("log loss %v from the binned rows, %v from the model", got, want)
	}
	m2, _ := roundTrip(t, m)
	sameColumns(t, "decoded", apply(t, m, train, estimators.ApplyOptions{}), apply(t, m2, train, estimators.ApplyOptions{}))
}
