package fft

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// numericCue reads x (NaN missing) as a cue with its histogram over y.
func numericCue(t testing.TB, x []float64, y []uint8) (*cue, hist) {
	t.Helper()
	col := floats(x, false)
	defer col.Release()
	c, h, err := readCue("x", col, y, true)
	if err != nil {
		t.Fatal(err)
	}
	return c, h
}

var testObjectives = []objective{
	{goal: goalBacc},
	{goal: goalWacc, sensW: 0.3},
	{goal: goalAcc},
	{goal: goalDprime},
	{goal: goalCost, costs: costs{hi: -1, fa: 2, mi: 5, cr: 0}},
}

// TestRankCueExact checks that with numthresh_method "exact" a numeric
// cue's question is the best of every threshold in both directions, found
// by brute force on the rows themselves, with ties to ">", then to the
// smaller threshold; missing values take no part. With "o" it is the best
// of the thresholds at R's positions among the distinct values.
func TestRankCueExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gens := []struct {
		name string
		gen  func() float64
	}{
		{"continuous", func() float64 { return rng.NormFloat64() }},
		{"small integers", func() float64 { return float64(rng.IntN(7)) }},
		{"two values", func() float64 { return float64(rng.IntN(2)) * 10 }},
	}
	for _, g := range gens {
		name, gen := g.name, g.gen
		for _, n := range []int{5, 40, 600} {
			for trial := range 5 {
				x := make([]float64, n)
				y := make([]uint8, n)
				for i := range x {
					x[i] = gen()
					// the outcome leans on x, in a direction that varies
					p := 1 / (1 + math.Exp(-x[i]*float64(trial-2)))
					if rng.Float64() < p {
						y[i] = 1
					}
					if rng.IntN(10) == 0 {
						x[i] = math.NaN()
					}
				}
				x[0], x[1] = 0, 1 // two values at least
				c, h := numericCue(t, x, y)
				distinct := distinctValues(x)
				// numthresh_method o with 5 thresholds: R's positions among
				// the distinct values
				var grid []float64
				for _, k := range rSeqRound(len(distinct), 5) {
					grid = append(grid, distinct[k-1])
				}
				if len(distinct) <= 5 {
					grid = distinct
				}
				for _, obj := range testObjectives {
					for _, rule := range []thresholdRule{{method: threshExact}, {method: threshOptim, n: 5}} {
						t.Run(fmt.Sprintf("%s/n=%d/%d/%s/%s", name, n, trial, obj.goal, rule.method), func(t *testing.T) {
							ts := distinct
							if rule.method == threshOptim {
								ts = grid
							}
							got := rankCue(3, c, h, obj, objective{goal: goalAcc}, rule, 0.25)
							want, wantNode, wantConf := bruteForce(x, y, obj, 0.25, ts)
							// The written threshold is the shortest decimal that splits
							// the values as the data value does: at or above it, below
							// the next distinct value.
							k := slices.Index(distinct, wantNode.threshold)
							next := math.Inf(1)
							if k+1 < len(distinct) {
								next = distinct[k+1]
							}
							inGap := wantNode.threshold <= got.node.threshold && got.node.threshold < next
							if got.thresh != want || got.node.op != wantNode.op || !inGap || got.conf != wantConf {
								t.Fatalf("got %s (%v, %+v), brute force %s (%v, %+v)", got.node.condition(), got.thresh, got.conf,
									wantNode.condition(), want, wantConf)
							}
							if len(formatNumber(got.node.threshold)) > len(formatNumber(wantNode.threshold)) {
								t.Errorf("threshold %s is longer than the data value %s", formatNumber(got.node.threshold),
									formatNumber(wantNode.threshold))
							}
							if !got.node.decide || got.cue != 3 || got.node.cue != "x" {
								t.Errorf("node %+v of cue %d", got.node, got.cue)
							}
							if chase := (objective{goal: goalAcc}).value(got.conf, 0.25); got.chase != chase {
								t.Errorf("chase score %v, want %v", got.chase, chase)
							}
							checkAnswers(t, c, got)
						})
					}
				}
			}
		}
	}
}

func distinctValues(x []float64) []float64 {
	var ts []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			ts = append(ts, v)
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// bruteForce tries x > t and then x <= t for every threshold t of ts in
// ascending order, on the rows where x is not missing, and returns the
// first best score with its question and outcomes.
func bruteForce(x []float64, y []uint8, obj objective, cost float64, ts []float64) (float64, node, confusion) {
	best, bestNode, bestConf := math.Inf(-1), node{}, confusion{}
	for _, o := range []op{opGT, opLE} {
		for _, th := range ts {
			var c confusion
			for i, v := range x {
				if math.IsNaN(v) {
					continue
				}
				yes := v > th
				if o == opLE {
					yes = v <= th
				}
				c = c.add(outcomes(yes, int(y[i]), 1-int(y[i])))
			}
			if v := obj.value(c, cost); v > best {
				best, bestNode, bestConf = v, node{cue: "x", op: o, threshold: th, decide: true}, c
			}
		}
	}
	return best, bestNode, bestConf
}

// checkAnswers checks a ranked question's answer table against its node
// asked of every code's value.
func checkAnswers(t *testing.T, c *cue, r ranked) {
	t.Helper()
	r = r.withAnswer(c)
	if len(r.answer) != c.size() {
		t.Fatalf("%d answers for %d codes", len(r.answer), c.size())
	}
	for k := range c.size() {
		var want uint8
		switch {
		case c.kind == numeric && k == 0:
			want = answerUnknown
		case c.kind == numeric:
			out := []uint8{0}
			compare(r.node.op, r.node.threshold, c.values[k-1:k], out)
			want = out[0]
		default:
			want = r.node.answerLevel(c.level(k))
		}
		if r.answer[k] != want {
			t.Fatalf("code %d: answer %d, want %d", k, r.answer[k], want)
		}
	}
}

// TestRankCueTies checks the documented tie rules on hand-made cues.
func TestRankCueTies(t *testing.T) {
	rows := func(v float64, pos, neg int) ([]float64, []uint8) {
		x := slices.Repeat([]float64{v}, pos+neg)
		y := make([]uint8, pos+neg)
		for i := range pos {
			y[i] = 1
		}
		return x, y
	}
	build := func(groups ...[3]float64) ([]float64, []uint8) {
		var x []float64
		var y []uint8
		for _, g := range groups {
			gx, gy := rows(g[0], int(g[1]), int(g[2]))
			x, y = append(x, gx...), append(y, gy...)
		}
		return x, y
	}
	cases := []struct {
		name   string
		groups [][3]float64 // value, positive cases, negative cases
		want   string
		score  confusion // of the question wanted
	}{
		// x > 2 and x <= 1 both score 0.75: ">" first.
		{"> before <=", [][3]float64{{1, 2, 0}, {2, 0, 4}, {3, 2, 0}}, "x > 2", confusion{hi: 2, fa: 0, mi: 2, cr: 4}},
		// x > 1 and x > 2 both score 5/6: the smaller threshold.
		{"smaller threshold", [][3]float64{{1, 0, 2}, {2, 1, 1}, {3, 2, 0}}, "x > 1", confusion{hi: 3, fa: 1, mi: 0, cr: 2}},
		// Only x <= 1 scores 1.
		{"<= when better", [][3]float64{{1, 3, 0}, {2, 0, 3}, {3, 0, 2}}, "x <= 1", confusion{hi: 3, fa: 0, mi: 0, cr: 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, y := build(c.groups...)
			cu, h := numericCue(t, x, y)
			obj := objective{goal: goalBacc}
			for _, method := range []string{threshExact, threshOptim} {
				r := rankCue(0, cu, h, obj, obj, thresholdRule{method: method, n: 10}, 0)
				if got := r.node.condition(); got != c.want || r.conf != c.score || r.thresh != obj.value(c.score, 0) {
					t.Errorf("%s: %s scoring %v (%+v), want %s scoring %v (%+v)", method, got, r.thresh, r.conf, c.want, obj.value(c.score, 0), c.score)
				}
			}
		})
	}
}

// TestRankCueCategorical checks a categorical cue on a hand-made example:
// levels (missing among them, as "NA") are ordered by their score alone,
// and the best prefix of that order wins, the smaller of two that tie.
func TestRankCueCategorical(t *testing.T) {
	// level: positive and negative cases. Alone, by bacc: a .65, d .625,
	// c .5, NA .425, b .3. Prefixes: {a} .65, {a,d} .775, {a,d,c} .775,
	// {a,d,c,NA} .7, all .5.
	counts := []struct {
		level    string
		pos, neg int
	}{{"a", 8, 2}, {"b", 1, 9}, {"c", 5, 5}, {"d", 6, 1}, {"", 0, 3}}
	var levels []string
	var y []uint8
	for _, c := range counts {
		for i := range c.pos + c.neg {
			levels = append(levels, c.level)
			y = append(y, uint8(b2i(i < c.pos)))
		}
	}
	col := strs(levels)
	defer col.Release()
	cu, h, err := readCue("grade", col, y, true)
	if err != nil {
		t.Fatal(err)
	}
	obj := objective{goal: goalBacc}
	tie1 := obj.value(confusion{hi: 14, fa: 3, mi: 6, cr: 17}, 0)
	tie2 := obj.value(confusion{hi: 19, fa: 8, mi: 1, cr: 12}, 0)
	if tie1 != tie2 {
		t.Fatalf("the example does not tie: %v vs %v", tie1, tie2)
	}
	order := cu.levelOrder(h, func(k int) float64 {
		return obj.value(confusion{hi: int(h.pos(k)), fa: int(h.neg(k)), mi: 20 - int(h.pos(k)), cr: 20 - int(h.neg(k))}, 0)
	})
	var names []string
	for _, k := range order {
		names = append(names, cu.level(k))
	}
	if want := []string{"a", "d", "c", "NA", "b"}; !slices.Equal(names, want) {
		t.Errorf("level order %q, want %q", names, want)
	}
	r := rankCue(0, cu, h, obj, obj, thresholdRule{method: threshExact}, 0)
	if got := r.node.condition(); got != "grade = {a,d}" || r.thresh != tie1 || r.conf != (confusion{hi: 14, fa: 3, mi: 6, cr: 17}) {
		t.Errorf("%s scoring %v with %+v, want grade = {a,d} scoring %v", got, r.thresh, r.conf, tie1)
	}
	checkAnswers(t, cu, r)

	// Levels that tie alone keep the order of their names.
	col2 := strs([]string{"z", "y", "x", "z", "y", "x"})
	defer col2.Release()
	cu2, h2, err := readCue("g", col2, []uint8{1, 1, 1, 0, 0, 0}, true)
	if err != nil {
		t.Fatal(err)
	}
	order = cu2.levelOrder(h2, func(int) float64 { return 0.5 })
	if !slices.Equal(order, []int{1, 2, 3}) {
		t.Errorf("tied levels in order %v, want by name", order)
	}
}

// TestRankCueLogical checks that a logical cue's sets are named TRUE,
// FALSE and NA.
func TestRankCueLogical(t *testing.T) {
	col := bools([]bool{true, true, true, false, false, false, false, true}, []bool{true, true, true, true, true, true, false, false})
	defer col.Release()
	y := []uint8{1, 1, 0, 0, 0, 0, 1, 1}
	cu, h, err := readCue("flag", col, y, true)
	if err != nil {
		t.Fatal(err)
	}
	r := rankCue(0, cu, h, objective{goal: goalBacc}, objective{goal: goalBacc}, thresholdRule{method: threshExact}, 0)
	// NA alone: sens .5, spec 1; TRUE alone: sens .5, spec .75; both: 1, .75.
	if got := r.node.condition(); got != "flag = {NA,TRUE}" {
		t.Errorf("question %s, want flag = {NA,TRUE}", got)
	}
	checkAnswers(t, cu, r)
}

// rSeqRound is R's round(seq(1, L, length.out = n)): from + (1..n-2)*by
// with by = (L-1)/(n-1), the ends exact, rounded half to even.
func rSeqRound(L, n int) []int {
	by := float64(L-1) / float64(n-1)
	out := make([]int, n)
	for j := range n {
		v := 1 + float64(j)*by
		switch j {
		case 0:
			v = 1
		case n - 1:
			v = float64(L)
		}
		out[j] = int(math.RoundToEven(v))
	}
	return slices.Compact(out)
}

// TestThresholdCandidates checks the candidate thresholds of each
// numthresh_method on cues whose values are 1..L, all present or only
// some.
func TestThresholdCandidates(t *testing.T) {
	cueOf := func(L int, present func(v int) bool) (*cue, hist) {
		c := &cue{name: "x", kind: numeric}
		h := newHist(L + 1)
		for v := 1; v <= L; v++ {
			c.values = append(c.values, float64(v))
			if present(v) {
				h[2*v] += int32(v) // v cases of value v
			}
		}
		return c, h
	}
	all := func(int) bool { return true }
	thresholds := func(cands []candidate) []float64 {
		out := make([]float64, len(cands))
		for i, c := range cands {
			out[i] = c.t
		}
		return out
	}
	ks := func(cands []candidate) []int {
		out := make([]int, len(cands))
		for i, c := range cands {
			out[i] = c.k
		}
		return out
	}
	cases := []struct {
		name    string
		L       int
		present func(int) bool
		rule    thresholdRule
		want    []float64
	}{
		{"o: seq(1, 10, length.out=5) is 1 3.25 5.5 7.75 10", 10, all, thresholdRule{threshOptim, 5}, []float64{1, 3, 6, 8, 10}},
		{"o: 2.5 rounds to 2", 4, all, thresholdRule{threshOptim, 3}, []float64{1, 2, 4}},
		{"o: 1 + 7*(61/14) is just below 31.5", 62, all, thresholdRule{threshOptim, 15},
			[]float64{1, 5, 10, 14, 18, 23, 27, 31, 36, 40, 45, 49, 53, 58, 62}},
		{"o: two of many", 100, all, thresholdRule{threshOptim, 2}, []float64{1, 100}},
		{"o: fewer values than n", 6, all, thresholdRule{threshOptim, 10}, []float64{1, 2, 3, 4, 5, 6}},
		{"o: among the values present", 20, func(v int) bool { return v%2 == 0 }, thresholdRule{threshOptim, 4},
			[]float64{2, 8, 14, 20}},
		{"exact", 5, func(v int) bool { return v != 3 }, thresholdRule{method: threshExact}, []float64{1, 2, 4, 5}},
		// values 1..3 with 1..3 cases each: the 6 cases' middle two are 2 and 3
		{"m: median between values", 3, all, thresholdRule{method: threshMedian}, []float64{2.5}},
		// values 1..4 with 1..4 cases: the 10 cases' middle two are both 3
		{"m: median at a value", 4, all, thresholdRule{method: threshMedian}, []float64{3}},
		{"m: two values", 5, func(v int) bool { return v == 2 || v == 5 }, thresholdRule{method: threshMedian}, []float64{2, 5}},
		{"none present", 5, func(int) bool { return false }, thresholdRule{method: threshExact}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cu, h := cueOf(c.L, c.present)
			cands := collectCandidates(cu, h, c.rule)
			if got := thresholds(cands); !slices.Equal(got, c.want) {
				t.Errorf("thresholds %v, want %v", got, c.want)
			}
			for _, cand := range cands {
				// k counts the values at or below t
				if want := int(math.Floor(cand.t)); cand.k != want {
					t.Errorf("threshold %v with k %d, want %d", cand.t, cand.k, want)
				}
			}
		})
	}
	// R's positions for every small L and n.
	for n := 2; n <= 30; n++ {
		for L := n + 1; L <= 300; L++ {
			cu, h := cueOf(L, all)
			got := ks(collectCandidates(cu, h, thresholdRule{threshOptim, n}))
			if want := rSeqRound(L, n); !slices.Equal(got, want) {
				t.Fatalf("L=%d, n=%d: positions %v, R's round(seq(1, L, length.out = n)) is %v", L, n, got, want)
			}
		}
	}
}

// TestCountCues checks that histograms counted in parallel over cues and
// parts of the rows equal those counted on one thread, for all rows and a
// subset.
func TestCountCues(t *testing.T) {
	n := 3*partRows + 17
	rng := rand.New(rand.NewPCG(8, 9))
	y := make([]uint8, n)
	cues := []*cue{{kind: numeric, values: make([]float64, 40)}, {kind: categorical, levels: []string{"a", "b", "c"}}}
	for _, c := range cues {
		c.codes = make([]uint32, n)
		for i := range c.codes {
			c.codes[i] = rng.Uint32N(uint32(c.size()))
		}
	}
	for i := range y {
		y[i] = uint8(rng.IntN(2))
	}
	var rows []uint32
	for i := range n {
		if rng.IntN(3) > 0 {
			rows = append(rows, uint32(i))
		}
	}
	for _, rs := range [][]uint32{nil, rows} {
		want := make([]hist, len(cues))
		for i, c := range cues {
			want[i] = newHist(c.size())
			m := n
			if rs != nil {
				m = len(rs)
			}
			want[i].count(c.codes, y, rs, 0, m)
		}
		for _, threads := range []int{1, 2, 3, 8} {
			got, err := countCues(context.Background(), cues, rs, n, y, threads)
			if err != nil {
				t.Fatal(err)
			}
			for i := range cues {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("threads %d, subset %v: cue %d's histogram differs", threads, rs != nil, i)
				}
			}
		}
	}
}

// collectCandidates lists the candidates forCandidates visits.
func collectCandidates(c *cue, h hist, rule thresholdRule) []candidate {
	var out []candidate
	forCandidates(c, h, rule, func(cand candidate, _, _ int) { out = append(out, cand) })
	return out
}
