package fft

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

var nan = math.NaN()

// handFrame is twelve patients: sex (a string, one null), smoker (a
// boolean, one null), age (a number, three missing) and the outcome y.
func handFrame(t testing.TB, y []bool) *engine.Frame {
	return frame(t, []string{"sex", "smoker", "age", "y"},
		strs([]string{"f", "f", "f", "m", "m", "m", "m", "m", "m", "m", "m", ""}),
		bools([]bool{false, true, false, true, true, false, false, false, false, false, false, true},
			[]bool{true, true, true, true, true, true, true, true, true, false, true, true}),
		floats([]float64{70, 30, nan, 40, 65, 55, 45, nan, nan, 80, 20, 60}, true),
		bools(y, nil))
}

var handY = []bool{false, true, false, true, false, true, false, true, false, true, true, true}

const handTree = "If sex = {f}, decide False. If smoker = {TRUE}, decide True. If age > 50, decide True, otherwise, decide False."

// TestFitGivenTree evaluates a tree given in words on a hand-made frame
// and checks every statistic against counts made by hand.
//
// Row by row (sex, smoker, age: y):
//
//	0 f F 70: 0   level 1 (sex = f) decides False: cr
//	1 f T 30: 1   level 1: mi
//	2 f F NA: 0   level 1: cr
//	3 m T 40: 1   level 2 (smoker = TRUE) decides True: hi
//	4 m T 65: 0   level 2: fa
//	5 m F 55: 1   level 3, age > 50: hi
//	6 m F 45: 0   level 3, otherwise: cr
//	7 m F NA: 1   level 3, age missing: the training majority
//	8 m F NA: 0   level 3, age missing: the training majority
//	9 m NA 80: 1  a missing smoker is the level NA, not in {TRUE}; level 3: hi
//	10 m F 20: 1  level 3, otherwise: mi
//	11 NA T 60: 1 a missing sex is NA, not in {f}; level 2: hi
//
// A missing numeric cue passes a level on to the next; at the last level,
// as in FFTrees, the case takes the majority decision of the training
// cases (the base rate rounded to three decimals above 0.5). Here 7 of 12
// cases are positive, so rows 7 and 8 are decided True (hi and fa); with
// the outcomes reversed, 5 of 12 are, and they are decided False.
func TestFitGivenTree(t *testing.T) {
	reversed := make([]bool, len(handY))
	for i, v := range handY {
		reversed[i] = !v
	}
	cases := []struct {
		name        string
		y           []bool
		missingLast bool
		exits       []exitCounts // level 1, level 2, level 3 yes, otherwise
		conf        confusion
	}{
		{"majority True", handY, true,
			[]exitCounts{{1, 2}, {2, 1}, {3, 1}, {1, 1}}, confusion{hi: 5, fa: 2, mi: 2, cr: 3}},
		{"majority False", reversed, false,
			[]exitCounts{{2, 1}, {1, 2}, {0, 2}, {2, 2}}, confusion{hi: 1, fa: 4, mi: 4, cr: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := handFrame(t, c.y)
			m, log := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree, "n_threads": 1})
			if m.tree.missingLast != c.missingLast {
				t.Errorf("missing at the last level decides %v, want %v", m.tree.missingLast, c.missingLast)
			}
			if !slices.Equal(m.exits, c.exits) {
				t.Errorf("exits %v, want %v", m.exits, c.exits)
			}
			hi, fa, mi, cr := float64(c.conf.hi), float64(c.conf.fa), float64(c.conf.mi), float64(c.conf.cr)
			sens, spec := hi/(hi+mi), cr/(cr+fa)
			// 3 cases leave at level 1, 3 at level 2, 6 at level 3: 27 lookups
			mcu := 27.0 / 12
			want := estimators.Log{
				"n": 12, "hi": c.conf.hi, "fa": c.conf.fa, "mi": c.conf.mi, "cr": c.conf.cr,
				"sens": sens, "spec": spec, "ppv": hi / (hi + fa), "npv": cr / (cr + mi),
				"acc": (hi + cr) / 12, "bacc": (sens + spec) / 2, "wacc": 0.5*sens + 0.5*spec,
				"dprime": probit((hi+0.25)/(hi+mi+0.5)) - probit((fa+0.25)/(fa+cr+0.5)),
				"cost":   (fa + mi) / 12, "mcu": mcu, "pci": 1 - mcu/3,
			}
			got := log["train"].(estimators.Log)
			for k, w := range want {
				if wf, ok := w.(float64); ok {
					if gf, _ := got[k].(float64); math.Abs(gf-wf) > 1e-12 {
						t.Errorf("%s = %v, want %v", k, got[k], w)
					}
				} else if got[k] != w {
					t.Errorf("%s = %v, want %v", k, got[k], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("train statistics %v, want the keys of %v", got, want)
			}
			if log["tree"] != handTree || log["goal"] != goalBacc || len(log["trees"].([]estimators.Log)) != 1 {
				t.Errorf("log %v", log)
			}
			if _, ok := log["cues"]; ok {
				t.Error("a given tree has no cue ranking")
			}
			// Apply routes the same way: probabilities are the exits' shares.
			out := apply(t, m, f, estimators.ApplyOptions{ExitLevel: true})
			wantLevel := []int32{1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 2}
			if got := out.Column("exit_level").(*array.Int32).Int32Values(); !slices.Equal(got, wantLevel) {
				t.Errorf("exit levels %v, want %v", got, wantLevel)
			}
			prob := out.Column("probability_true").(*array.Float64).Float64Values()
			if p, q := prob[7], c.exits[2].pos; c.missingLast && p != float64(q)/float64(q+c.exits[2].neg) {
				t.Errorf("row 7 has probability %v", p)
			}
			if got, mcu2 := routedStats(t, m, f, "y"); got != c.conf || mcu2 != mcu {
				t.Errorf("routed: %+v, mcu %v", got, mcu2)
			}
			s := m.Summary()
			lv := s["levels"].([]map[string]any)
			if s["tree"] != handTree || len(lv) != 3 || lv[2]["otherwise_true"] != c.exits[3].pos || lv[0]["exit_false"] != c.exits[0].neg {
				t.Errorf("summary %v", s)
			}
		})
	}
}

// TestFitCueCosts checks the cost statistic with cue costs: every case
// pays for the cues of the levels it visits.
func TestFitCueCosts(t *testing.T) {
	f := handFrame(t, handY)
	for _, cc := range []string{`{"sex": 1, "age": 10}`, "sex=1, age = 10"} {
		_, log := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree, "cue_costs": cc,
			"cost_fa": 2.0, "cost_mi": 3.0, "goal": goalCost})
		// outcomes: fa 2 × 2 + mi 2 × 3; cues: 12 × sex + 6 × age
		want := (2.0*2+2*3)/12 + (12*1+6*10.0)/12
		if got := log["train"].(estimators.Log)["cost"].(float64); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: cost %v, want %v", cc, got, want)
		}
	}
}

// TestFitErrors checks that bad data and settings fail with the right kind
// of error, naming the column or hyperparameter.
func TestFitErrors(t *testing.T) {
	n := 8
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	yb := []bool{true, false, true, false, true, false, true, true}
	mk := func(names []string, cols ...arrow.Array) *engine.Frame { return frame(t, names, cols...) }
	withY := func(y arrow.Array) *engine.Frame {
		return mk([]string{"x", "c", "y"}, floats(x, false), strs(slices.Repeat([]string{"p", "q"}, n/2)), y)
	}
	good := func() *engine.Frame { return withY(bools(yb, nil)) }
	binary := func() arrow.Array {
		b := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
		defer b.Release()
		for range n {
			b.Append([]byte("z"))
		}
		return b.NewArray()
	}
	cases := []struct {
		name    string
		frame   *engine.Frame
		spec    estimators.Spec
		params  map[string]any
		kind    engine.Kind
		mention []string
	}{
		{"criterion of 0, 1 and 2", withY(floats([]float64{0, 1, 2, 0, 1, 0, 1, 0}, false)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{`"y"`, "binary", "2"}},
		{"criterion all True", withY(bools(slices.Repeat([]bool{true}, n), nil)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{`"y"`, "every case is True"}},
		{"criterion all 0", withY(floats(make([]float64, n), false)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{`"y"`, "every case is False"}},
		{"string criterion", withY(strs(slices.Repeat([]string{"yes", "no"}, n/2))), estimators.Spec{Target: "y"}, nil,
			engine.KindType, []string{`"y"`, "binary"}},
		{"criterion with a null", withY(floats([]float64{0, 1, nan, 0, 1, 0, 1, 0}, true)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{`"y"`, "missing"}},
		{"criterion with a NaN", withY(floats([]float64{0, 1, nan, 0, 1, 0, 1, 0}, false)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{`"y"`, "missing"}},
		{"no criterion column", good(), estimators.Spec{Target: "label"}, nil,
			engine.KindColumn, []string{`"label"`}},
		{"no cue column", good(), estimators.Spec{Target: "y", Features: []string{"x", "w"}}, nil,
			engine.KindColumn, []string{`"w"`}},
		{"no cues", mk([]string{"y"}, bools(yb, nil)), estimators.Spec{Target: "y"}, nil,
			engine.KindValue, []string{"at least one cue"}},
		{"a cue with a single value", mk([]string{"x", "one", "y"}, floats(x, false), floats([]float64{3, 3, 3, nan, 3, 3, 3, 3}, true), bools(yb, nil)),
			estimators.Spec{Target: "y"}, nil, engine.KindValue, []string{`"one"`, "single value"}},
		{"a boolean cue always True", mk([]string{"x", "flag", "y"}, floats(x, false), bools(slices.Repeat([]bool{true}, n), nil), bools(yb, nil)),
			estimators.Spec{Target: "y"}, nil, engine.KindValue, []string{`"flag"`, "single value"}},
		{"a cue of bytes", mk([]string{"x", "raw", "y"}, floats(x, false), binary(), bools(yb, nil)),
			estimators.Spec{Target: "y"}, nil, engine.KindType, []string{`"raw"`, "binary"}},
		{"a cue of bytes with a tree in words", mk([]string{"x", "raw", "y"}, floats(x, false), binary(), bools(yb, nil)),
			estimators.Spec{Target: "y"}, map[string]any{"tree": "If x > 3, decide True."}, engine.KindType, []string{`"raw"`}},
		{"max_levels above the cues", good(), estimators.Spec{Target: "y"}, map[string]any{"max_levels": 3, "repeat_cues": false},
			engine.KindValue, []string{"max_levels", "3", "2 cues"}},
		{"sample weights", mk([]string{"x", "w", "y"}, floats(x, false), floats(x, false), bools(yb, nil)),
			estimators.Spec{Target: "y", Weight: "w"}, nil, engine.KindValue, []string{"weight", `"w"`}},
		{"unknown cue in words", good(), estimators.Spec{Target: "y"}, map[string]any{"tree": "If x > 3, decide True. If z = {a}, decide False."},
			engine.KindValue, []string{`unknown cue "z"`, "at character 27"}},
		{"words that do not parse", good(), estimators.Spec{Target: "y"}, map[string]any{"tree": "If c > 3, decide True."},
			engine.KindValue, []string{`"c"`, "categorical"}},
		{"words naming the criterion", good(), estimators.Spec{Target: "y"}, map[string]any{"tree": "If y = {TRUE}, decide True."},
			engine.KindValue, []string{`unknown cue "y"`}},
		{"cue_costs naming an unknown cue", good(), estimators.Spec{Target: "y"}, map[string]any{"cue_costs": `{"x": 1, "age": 2}`},
			engine.KindValue, []string{"cue_costs", `"age"`}},
		{"cue_costs not a mapping", good(), estimators.Spec{Target: "y"}, map[string]any{"cue_costs": "x: 1"},
			engine.KindValue, []string{"cue_costs"}},
		{"cue_costs not JSON", good(), estimators.Spec{Target: "y"}, map[string]any{"cue_costs": `{"x": "a lot"}`},
			engine.KindValue, []string{"cue_costs"}},
		{"test frame without the criterion", good(), estimators.Spec{Target: "y", Valid: mk([]string{"x", "c"}, floats(x, false), strs(slices.Repeat([]string{"p", "q"}, n/2)))}, nil,
			engine.KindColumn, []string{`"y"`}},
		{"test frame with a bad criterion", good(), estimators.Spec{Target: "y", Valid: withY(floats([]float64{0, 1, 2, 0, 1, 0, 1, 0}, false))}, nil,
			engine.KindValue, []string{"test frame", `"y"`}},
		{"test frame with a cue of another type", good(), estimators.Spec{Target: "y", Valid: mk([]string{"x", "c", "y"}, strs(slices.Repeat([]string{"p", "q"}, n/2)), strs(slices.Repeat([]string{"p", "q"}, n/2)), bools(yb, nil))},
			map[string]any{"tree": "If x > 3, decide True."}, engine.KindType, []string{"test frame", `"x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := fitErr(c.frame, c.spec, c.params)
			if engine.KindOf(err) != c.kind {
				t.Fatalf("got %v (%s), want a %s", err, engine.KindOf(err), c.kind)
			}
			for _, m := range c.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("%q does not mention %s", err, m)
				}
			}
		})
	}
}

// TestFitCancelled checks that a fit stops with KindCancelled once its
// context is done.
func TestFitCancelled(t *testing.T) {
	f := mixedFrame(t, 5000, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vals, err := Space().Validate(map[string]any{"algorithm": algDfan})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := (Learner{}).Fit(ctx, f, estimators.Spec{Target: "y"}, vals); err == nil {
		t.Error("a cancelled fit succeeded")
	} else if k := engine.KindOf(err); k != engine.KindCancelled {
		t.Errorf("a cancelled fit fails with %v (%s), want a %s", err, k, engine.KindCancelled)
	}
}

// TestFitDeterministic fits the same data with 1, 2 and 4 threads: the
// trees, their statistics and the whole log must be identical. The frame is
// large enough that counting splits rows into parts, and holds NaNs,
// nulls and a string cue.
func TestFitDeterministic(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 3 * partRows
	}
	f := mixedFrame(t, n, 2)
	for _, alg := range []string{algIfan, algDfan} {
		for _, method := range []string{threshExact, threshOptim} {
			t.Run(alg+"/"+method, func(t *testing.T) {
				var ref estimators.Log
				var refWords string
				for _, threads := range []int{1, 2, 4} {
					params := map[string]any{"algorithm": alg, "numthresh_method": method, "max_levels": 3,
						"stopping_rule": stopLevels, "n_threads": threads}
					m, log := fitModel(t, f, estimators.Spec{Target: "y"}, params)
					if threads == 1 {
						ref, refWords = log, m.tree.Words()
						if m.tree.Levels() < 2 {
							t.Errorf("a tree of %d levels: %s", m.tree.Levels(), refWords)
						}
						continue
					}
					if w := m.tree.Words(); w != refWords {
						t.Fatalf("%d threads: tree %s, with one thread %s", threads, w, refWords)
					}
					if !reflect.DeepEqual(log, ref) {
						t.Fatalf("%d threads: log\n%v\nwith one thread\n%v", threads, log, ref)
					}
				}
				t.Logf("%s", refWords)
			})
		}
	}
}

// TestFitCellsMatchRows checks that the statistics of every candidate tree
// that ifan, max and zigzag grow and score on cells of rows equal those of
// the same tree evaluated row by row, given in words, and that the chosen
// tree's statistics equal those of routing the training frame through the
// model.
func TestFitCellsMatchRows(t *testing.T) {
	f := mixedFrame(t, 20000, 3)
	for _, alg := range []string{algIfan, algMax, algZigzag, algDfan} {
		t.Run(alg, func(t *testing.T) {
			m, log := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"algorithm": alg, "max_levels": 3, "numthresh_method": threshExact})
			conf, mcu := routedStats(t, m, f, "y")
			wantConf, wantMCU := logStats(t, log["train"])
			if conf != wantConf || math.Abs(mcu-wantMCU) > 1e-12 {
				t.Errorf("routed through the model: %+v, mcu %v; the log says %+v, mcu %v", conf, mcu, wantConf, wantMCU)
			}
			checkExitShares(t, m, f)
			for _, entry := range log["trees"].([]estimators.Log) {
				words := entry["tree"].(string)
				_, given := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"tree": words})
				if !reflect.DeepEqual(given["train"], entry["train"]) {
					t.Errorf("%s\non cells: %v\non rows:   %v", words, entry["train"], given["train"])
				}
			}
		})
	}
}

// checkExitShares checks that each row's probability is the share of
// positive training rows among those leaving by its exit.
func checkExitShares(t *testing.T, m *Model, f *engine.Frame) {
	t.Helper()
	out := apply(t, m, f, estimators.ApplyOptions{ExitLevel: true})
	pred := boolsOf(t, out.Column("prediction"))
	y := boolsOf(t, f.Column("y"))
	prob := out.Column("probability_true").(*array.Float64).Float64Values()
	levels := out.Column("exit_level").(*array.Int32).Int32Values()
	type exit struct {
		level int32
		pred  bool
	}
	pos, all := map[exit]int{}, map[exit]int{}
	for i := range pred {
		e := exit{levels[i], pred[i]}
		pos[e] += b2i(y[i])
		all[e]++
	}
	for i := range pred {
		e := exit{levels[i], pred[i]}
		if want := float64(pos[e]) / float64(all[e]); prob[i] != want {
			t.Fatalf("row %d leaves at level %d deciding %v with probability %v; the exit's share is %v", i, e.level, e.pred, prob[i], want)
		}
	}
}

// TestFitMartignon checks that max and zigzag grow one tree each, with
// exits as Martignon et al. define them: max exits on the side of the
// larger predictive value, zigzag alternates after the first level; the
// last level decides both ways.
func TestFitMartignon(t *testing.T) {
	f := mixedFrame(t, 20000, 4)
	for _, alg := range []string{algMax, algZigzag} {
		t.Run(alg, func(t *testing.T) {
			m, log := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"algorithm": alg, "max_levels": 3,
				"stopping_rule": stopLevels, "numthresh_method": threshExact})
			if trees := log["trees"].([]estimators.Log); len(trees) != 1 {
				t.Fatalf("%d trees", len(trees))
			}
			if m.tree.Levels() != 3 {
				t.Fatalf("%d levels: %s", m.tree.Levels(), m.tree.Words())
			}
			// Recompute the order from the cues' questions on all cases.
			bacc := objective{goal: goalBacc}
			all := make([]ranked, 3)
			_, err := readCues(context.Background(), f, []string{"num", "cat", "small"}, readY(t, f), false, 1, func(i int, c *cue, h hist) {
				all[i] = rankCue(i, c, h, bacc, bacc, thresholdRule{method: threshExact}, 0)
			})
			if err != nil {
				t.Fatal(err)
			}
			used := make([]bool, 3)
			side := func(r ranked, decideTrue bool) float64 {
				ppv, npv := predictive(r.conf)
				if decideTrue {
					return ppv
				}
				return npv
			}
			prevExit := false
			for l, nd := range m.tree.nodes {
				// the level asks its cue's question, or at a False exit
				// the opposite one
				i := slices.IndexFunc(all, func(r ranked) bool { return r.node.cue == nd.cue })
				if i < 0 || used[i] {
					t.Fatalf("level %d asks about %s again", l+1, nd.cue)
				}
				q := all[i].node
				if !nd.decide {
					q = q.flipped()
				}
				if !reflect.DeepEqual(q, nd) {
					t.Fatalf("level %d asks %s; its cue's question is %s", l+1, nd.condition(), all[i].node.condition())
				}
				ppv, npv := predictive(all[i].conf)
				wantTrue := ppv >= npv // max, and zigzag's first level
				if alg == algZigzag && l > 0 {
					wantTrue = !prevExit
				}
				if l == len(m.tree.nodes)-1 {
					if !nd.decide {
						t.Errorf("the last level decides %v", nd.decide)
					}
				} else if nd.decide != wantTrue {
					t.Errorf("level %d decides %v (ppv %v, npv %v)", l+1, nd.decide, ppv, npv)
				}
				// no cue left is better on the side the level wants
				for j := range all {
					if used[j] || j == i {
						continue
					}
					better := side(all[j], wantTrue) > side(all[i], wantTrue)
					if alg == algMax || l == 0 {
						better = max(predictive(all[j].conf)) > max(ppv, npv)
					}
					if better {
						t.Errorf("level %d: %s is better than %s", l+1, all[j].node.condition(), all[i].node.condition())
					}
				}
				used[i], prevExit = true, wantTrue
			}
			t.Logf("%s", m.tree.Words())
		})
	}
}

func readY(t testing.TB, f *engine.Frame) []uint8 {
	t.Helper()
	y, err := readCriterion("y", f.Column("y"))
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// TestFitAlgorithms runs every algorithm and goal on a mixed frame with a
// test frame, and checks the log's shape: candidates ranked by the goal,
// the best first, with test statistics routed on the test frame.
func TestFitAlgorithms(t *testing.T) {
	train := mixedFrame(t, 6000, 5)
	test := mixedFrame(t, 3000, 6)
	for _, alg := range []string{algIfan, algDfan, algMax, algZigzag} {
		for _, goal := range goals {
			t.Run(alg+"/"+goal, func(t *testing.T) {
				m, log := fitModel(t, train, estimators.Spec{Target: "y", Valid: test}, map[string]any{"algorithm": alg, "goal": goal,
					"goal_chase": goal, "max_levels": 3, "cue_costs": "num=0.01", "repeat_cues": alg != algDfan || goal != goalAcc})
				trees := log["trees"].([]estimators.Log)
				if alg == algIfan || alg == algDfan {
					if len(trees) < 2 {
						t.Errorf("%d candidate trees", len(trees))
					}
				}
				if log["tree"] != m.tree.Words() || trees[0]["tree"] != log["tree"] || !reflect.DeepEqual(trees[0]["train"], log["train"]) {
					t.Errorf("the log's tree is not the model's: %v", log["tree"])
				}
				obj := objective{goal: goal, sensW: 0.5, costs: costs{fa: 1, mi: 1}}
				prev := math.Inf(1)
				seen := map[string]bool{}
				for i, e := range trees {
					if e["rank"] != i+1 || seen[e["tree"].(string)] {
						t.Errorf("tree %d: rank %v, repeated %v", i, e["rank"], seen[e["tree"].(string)])
					}
					seen[e["tree"].(string)] = true
					tr := e["train"].(estimators.Log)
					c, _ := logStats(t, tr)
					v := obj.value(c, 0)
					if goal == goalCost {
						v = -tr["cost"].(float64)
					}
					if v > prev+1e-12 {
						t.Errorf("tree %d scores %v after %v", i+1, v, prev)
					}
					prev = v
					if _, ok := e["test"]; !ok {
						t.Errorf("tree %d has no test statistics", i+1)
					}
				}
				conf, mcu := routedStats(t, m, test, "y")
				wantConf, wantMCU := logStats(t, log["test"])
				if conf != wantConf || math.Abs(mcu-wantMCU) > 1e-12 {
					t.Errorf("on the test frame: routed %+v, mcu %v; the log says %+v, mcu %v", conf, mcu, wantConf, wantMCU)
				}
				if cues := log["cues"].([]estimators.Log); len(cues) != 3 {
					t.Errorf("cue ranking %v", cues)
				}
			})
		}
	}
}

// TestFitDfanRepeatCues checks that dfan asks about a cue at most once
// when cues may not repeat, and re-fits thresholds on the cases left when
// they may.
func TestFitDfanRepeatCues(t *testing.T) {
	f := mixedFrame(t, 20000, 8)
	for _, repeat := range []bool{false, true} {
		m, _ := fitModel(t, f, estimators.Spec{Target: "y"}, map[string]any{"algorithm": algDfan, "max_levels": 3,
			"repeat_cues": repeat, "stopping_rule": stopLevels, "goal": goalAcc})
		cues := map[string]int{}
		for _, nd := range m.tree.nodes {
			cues[nd.cue]++
		}
		for cue, k := range cues {
			if k > 1 && !repeat {
				t.Errorf("repeat_cues false: %s asked %d times in %s", cue, k, m.tree.Words())
			}
		}
		t.Logf("repeat_cues %v: %s", repeat, m.tree.Words())
	}
}

// TestFitStoppingRules checks that exemplars stops once few cases are left
// and levels grows every tree to max_levels when cues allow.
func TestFitStoppingRules(t *testing.T) {
	f := mixedFrame(t, 20000, 9)
	for _, c := range []struct {
		params map[string]any
		check  func(levels []int) bool
	}{
		{map[string]any{"stopping_rule": stopLevels, "max_levels": 3}, func(l []int) bool { return !slices.ContainsFunc(l, func(n int) bool { return n != 3 }) }},
		{map[string]any{"stopping_rule": stopExemplars, "stopping_par": 1.0, "max_levels": 3}, func(l []int) bool {
			return !slices.ContainsFunc(l, func(n int) bool { return n != 1 })
		}},
		{map[string]any{"stopping_rule": stopStatdelta, "stopping_par": 1.0, "max_levels": 3}, func(l []int) bool {
			return !slices.ContainsFunc(l, func(n int) bool { return n > 2 })
		}},
	} {
		_, log := fitModel(t, f, estimators.Spec{Target: "y"}, c.params)
		var levels []int
		for _, e := range log["trees"].([]estimators.Log) {
			levels = append(levels, e["levels"].(int))
		}
		if !c.check(levels) {
			t.Errorf("%v: levels %v", c.params, levels)
		}
	}
}

// TestMajority checks the base rate rounding of the missing-last decision.
func TestMajority(t *testing.T) {
	for _, c := range []struct {
		ones, n int
		want    bool
	}{{1, 2, false}, {2, 3, true}, {5001, 10000, false}, {5005, 10000, false}, {5006, 10000, true}, {0, 1, false}} {
		y := make([]uint8, c.n)
		for i := range c.ones {
			y[i] = 1
		}
		if got := majority(y); got != c.want {
			t.Errorf("%d of %d: %v", c.ones, c.n, got)
		}
	}
}

func TestParseCueCosts(t *testing.T) {
	for _, c := range []struct {
		text string
		want map[string]float64
		ok   bool
	}{
		{"", map[string]float64{}, true},
		{`{"a": 1.5, "b c": 0}`, map[string]float64{"a": 1.5, "b c": 0}, true},
		{" a = 1 , b=2e-3", map[string]float64{"a": 1, "b": 0.002}, true},
		{"a=NaN", nil, false},
		{"a=Inf", nil, false},
		{"a", nil, false},
		{`{"a": [1]}`, nil, false},
	} {
		got, err := parseCueCosts(c.text)
		if (err == nil) != c.ok || (c.ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%q: %v, %v", c.text, got, err)
		}
		if err != nil && (engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), "cue_costs")) {
			t.Errorf("%q: %v", c.text, err)
		}
	}
}

// TestFitLongTree evaluates trees in words of many levels: exits are
// counted in bytes, so a tree must either be evaluated correctly or be
// refused.
func TestFitLongTree(t *testing.T) {
	f := handFrame(t, handY)
	for _, levels := range []int{12, 254, 255, 256, 300} {
		words := strings.Repeat("If age > 1000, decide False. ", levels-1) + "If age > 50, decide True, otherwise, decide False."
		m, log, err := fitErr(f, estimators.Spec{Target: "y"}, map[string]any{"tree": words})
		if err != nil {
			if engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), "levels") {
				t.Errorf("%d levels: %v (%s)", levels, err, engine.KindOf(err))
			}
			if levels <= 255 {
				t.Errorf("%d levels refused: %v", levels, err)
			}
			continue
		}
		// Rows reach the last level unless age is missing there (rows 2,
		// 7, 8: the majority, True); ages above 50: rows 0, 4, 5, 9, 11.
		want := []bool{true, false, true, false, true, true, false, true, true, true, false, true}
		out := apply(t, m, f, estimators.ApplyOptions{ExitLevel: true})
		if got := boolsOf(t, out.Column("prediction")); !slices.Equal(got, want) {
			t.Errorf("%d levels: predictions %v, want %v", levels, got, want)
		}
		for i, l := range out.Column("exit_level").(*array.Int32).Int32Values() {
			if int(l) != levels {
				t.Fatalf("%d levels: row %d leaves at level %d", levels, i, l)
			}
		}
		if mcu := log["train"].(estimators.Log)["mcu"]; mcu != float64(levels) {
			t.Errorf("%d levels: mcu %v", levels, mcu)
		}
		if _, err := m.Encode(); err != nil {
			t.Errorf("%d levels: %v", levels, err)
		}
		if levels <= 255 {
			roundTrip(t, m)
		}
	}
}

// TestFitColumnEncodings fits the same cues and criterion held in columns
// of different types: strings, large strings or dictionaries in any order;
// float64, float32 or int64 numbers; a boolean criterion or one of 0 and 1.
// The trees and their statistics must not change.
func TestFitColumnEncodings(t *testing.T) {
	n := 3000
	base := mixedFrame(t, n, 30)
	num := base.Column("num").(*array.Float64)
	num32 := make([]float32, n)
	numAsFloat := make([]float64, n)
	for i := range n {
		num32[i] = float32(num.Value(i))
		numAsFloat[i] = float64(num32[i])
	}
	cat := base.Column("cat").(*array.String)
	catVals := make([]string, n)
	for i := range n {
		if cat.IsValid(i) {
			catVals[i] = cat.Value(i)
		}
	}
	large := func() arrow.Array {
		b := array.NewLargeStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		for _, v := range catVals {
			if v == "" {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		return b.NewArray()
	}
	small := base.Column("small").(*array.Int64).Int64Values()
	smallF := make([]float64, n)
	for i, v := range small {
		smallF[i] = float64(v)
	}
	y := boolsOf(t, base.Column("y"))
	y01 := make([]int64, n)
	for i, v := range y {
		y01[i] = int64(b2i(v))
	}
	numNulls := func() []bool {
		v := make([]bool, n)
		for i := range v {
			v[i] = num.IsValid(i) && !math.IsNaN(num.Value(i))
		}
		return v
	}
	f64 := func(v []float64) arrow.Array {
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues(v, numNulls())
		return b.NewArray()
	}
	f32 := func() arrow.Array {
		b := array.NewFloat32Builder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues(num32, numNulls())
		return b.NewArray()
	}
	names := []string{"num", "cat", "small", "flag", "y"}
	flag := func() arrow.Array {
		v := make([]bool, n)
		for i := range v {
			v[i] = small[i] > 1
		}
		return bools(v, nil)
	}
	frames := map[string]*engine.Frame{
		"reference":              frame(t, names, f64(numAsFloat), strs(catVals), int64s(small), flag(), bools(y, nil)),
		"float32 and dictionary": frame(t, names, f32(), dictOf(catVals, []string{"e", "zz", "d", "c", "b", "a"}), floats(smallF, false), flag(), bools(y, nil)),
		"large strings, 0 and 1": frame(t, names, f64(numAsFloat), large(), int64s(small), flag(), int64s(y01)),
	}
	for _, alg := range []string{algIfan, algDfan} {
		var ref estimators.Log
		for _, name := range []string{"reference", "float32 and dictionary", "large strings, 0 and 1"} {
			_, log := fitModel(t, frames[name], estimators.Spec{Target: "y"}, map[string]any{"algorithm": alg, "numthresh_method": threshExact, "max_levels": 4})
			if ref == nil {
				ref = log
				t.Logf("%s: %s", alg, log["tree"])
				continue
			}
			if !reflect.DeepEqual(log, ref) {
				t.Errorf("%s, %s: tree %s\nreference %s", alg, name, log["tree"], ref["tree"])
			}
		}
	}
}
