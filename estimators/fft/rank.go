package fft

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/engine"
)

// hist holds, for one cue over a set of rows, the negative and positive
// cases at every code (code 0: missing), interleaved: h[2k+y] for outcome y,
// so counting a row is one branch-free increment.
type hist []int32

func newHist(codes int) hist { return make(hist, 2*codes) }

func (h hist) pos(k int) int32 { return h[2*k+1] }
func (h hist) neg(k int) int32 { return h[2*k] }

// codes is the number of codes counted.
func (h hist) codes() int { return len(h) / 2 }

// count adds the rows (all rows when nil) of a cue with the given codes.
func (h hist) count(codes []uint32, y []uint8, rows []uint32, lo, hi int) {
	if rows == nil {
		for r := lo; r < hi; r++ {
			h[2*codes[r]+uint32(y[r])]++
		}
		return
	}
	for _, r := range rows[lo:hi] {
		h[2*codes[r]+uint32(y[r])]++
	}
}

// partRows is the smallest share of rows one counting task takes: below it
// the cost of a task's histogram outweighs splitting the rows.
const partRows = 1 << 16

// countCues builds the histograms of every cue over rows (nil: all rows),
// in parallel over cues and, for large data, over parts of the rows. Counts
// are integers, so the result never depends on the number of threads.
func countCues(ctx context.Context, cues []*cue, rows []uint32, n int, y []uint8, threads int) ([]hist, error) {
	if rows != nil {
		n = len(rows)
	}
	threads = engine.Threads(threads)
	parts := 1
	if len(cues) < threads {
		parts = min((threads+len(cues)-1)/len(cues), max(1, n/partRows))
	}
	partial := make([]hist, len(cues)*parts)
	err := engine.ForTasks(ctx, threads, len(partial), func(task int) {
		c := cues[task/parts]
		p := task % parts
		lo, hi := n*p/parts, n*(p+1)/parts
		h := newHist(c.size())
		h.count(c.codes, y, rows, lo, hi)
		partial[task] = h
	})
	if err != nil {
		return nil, err
	}
	out := make([]hist, len(cues))
	for i := range cues {
		out[i] = partial[i*parts]
		for p := 1; p < parts; p++ {
			for k, v := range partial[i*parts+p] {
				out[i][k] += v
			}
		}
	}
	return out, nil
}

// ranked is a cue's best question for predicting True on a set of rows:
// the node (deciding True when its condition holds), the outcomes of
// using it alone, and the score of those outcomes under the threshold goal
// and under the chase goal.
type ranked struct {
	cue    int
	node   node
	conf   confusion
	thresh float64 // goal_threshold value
	chase  float64 // goal_chase value
	ok     bool    // whether the cue has a question at all (not every value missing)
	// answer maps a code to the question's answer on the training data;
	// it is tabulated only for the questions a tree asks (withAnswer).
	answer []uint8
}

// withAnswer returns r with its answer table, tabulated on first use.
func (r ranked) withAnswer(c *cue) ranked {
	if r.answer == nil {
		r.answer = c.answers(&r.node)
	}
	return r
}

// thresholdRule says which numeric thresholds a cue may use.
type thresholdRule struct {
	method string // exact, o or m
	n      int    // grid size for o
}

// rankCue finds the best question of cue c given its histogram on the rows
// at hand, the way FFTrees does. Numeric cues drop their missing cases and
// try x > t for every candidate t in ascending order, then x <= t likewise;
// categorical and logical cues (missing is the level "NA") order their
// levels by the score of each level alone and try every prefix of that
// order as a set. The first best candidate wins, so ties go to >, to the
// smaller threshold and to the smaller set.
func rankCue(i int, c *cue, h hist, obj, chase objective, rule thresholdRule, costOf float64) ranked {
	best := ranked{cue: i, thresh: negInf}
	found := false
	try := func(conf confusion, build func() node) {
		v := obj.value(conf, costOf)
		if !found || v > best.thresh {
			found = true
			best.thresh, best.conf, best.node = v, conf, build()
		}
	}
	if c.kind == numeric {
		var totPos, totNeg int
		for k := 1; k < h.codes(); k++ {
			totPos += int(h.pos(k))
			totNeg += int(h.neg(k))
		}
		// One pass: the best x > t and the best x <= t, each the first
		// maximum in ascending t; > wins ties, as if tried first.
		var gt, le struct {
			v    float64
			conf confusion
			cand candidate
			seen bool
		}
		forCandidates(c, h, rule, func(cand candidate, pos, neg int) {
			above := confusion{hi: totPos - pos, fa: totNeg - neg, mi: pos, cr: neg}
			if v := obj.value(above, costOf); !gt.seen || v > gt.v {
				gt.v, gt.conf, gt.cand, gt.seen = v, above, cand, true
			}
			below := confusion{hi: pos, fa: neg, mi: totPos - pos, cr: totNeg - neg}
			if v := obj.value(below, costOf); !le.seen || v > le.v {
				le.v, le.conf, le.cand, le.seen = v, below, cand, true
			}
		})
		if gt.seen {
			try(gt.conf, func() node { return node{cue: c.name, op: opGT, threshold: c.readable(gt.cand), decide: true} })
			try(le.conf, func() node { return node{cue: c.name, op: opLE, threshold: c.readable(le.cand), decide: true} })
		}
	} else {
		var totPos, totNeg int32
		for k := range h.codes() {
			totPos += h.pos(k)
			totNeg += h.neg(k)
		}
		single := func(k int) confusion {
			return confusion{hi: int(h.pos(k)), fa: int(h.neg(k)), mi: int(totPos - h.pos(k)), cr: int(totNeg - h.neg(k))}
		}
		order := c.levelOrder(h, func(k int) float64 { return obj.value(single(k), costOf) })
		var conf confusion
		for j, k := range order {
			conf.hi += int(h.pos(k))
			conf.fa += int(h.neg(k))
			conf.mi, conf.cr = int(totPos)-conf.hi, int(totNeg)-conf.fa
			try(conf, func() node {
				set := make([]string, j+1)
				for s, kk := range order[:j+1] {
					set[s] = c.level(kk)
				}
				return node{cue: c.name, op: opIn, set: set, decide: true}
			})
		}
	}
	best.chase = chase.value(best.conf, costOf)
	best.ok = found
	return best
}

// level names code k of a categorical or logical cue.
func (c *cue) level(k int) string {
	if k == 0 {
		return missingLevel
	}
	return c.levels[k-1]
}

// levelOrder returns the codes that occur in h, missing included, by
// falling score; ties keep the order of the levels' names (with missing
// named "NA").
func (c *cue) levelOrder(h hist, score func(k int) float64) []int {
	var order []int
	for k := range h.codes() {
		if h.pos(k)+h.neg(k) > 0 {
			order = append(order, k)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(c.level(a), c.level(b)) })
	scores := make([]float64, h.codes())
	for _, k := range order {
		scores[k] = score(k)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	return order
}

// answers tabulates node n's answer for every code of the cue.
func (c *cue) answers(n *node) []uint8 {
	out := make([]uint8, c.size())
	if c.kind == numeric && !n.op.isSet() {
		compare(n.op, n.threshold, c.values, out[1:])
		out[0] = answerUnknown
		return out
	}
	if c.kind == numeric {
		set, na := numericSet(n.set)
		for k := range out {
			in := na
			if k > 0 {
				in = set[c.values[k-1]]
			}
			out[k] = answerNo
			if in == (n.op == opIn) {
				out[k] = answerYes
			}
		}
		return out
	}
	for k := range out {
		out[k] = n.answerLevel(c.level(k))
	}
	return out
}

// candidate is a numeric threshold t and k, the number of the cue's
// distinct values at or below it.
type candidate struct {
	k int
	t float64
}

// readable returns the threshold to write for a candidate: the shortest
// decimal from the candidate up to (not including) the cue's next distinct
// value, which splits the training values exactly as the candidate does
// but reads "age > 58" rather than "age > 57.99999809265137".
func (c *cue) readable(cand candidate) float64 {
	lo, hi := cand.t, math.Inf(1)
	if cand.k < len(c.values) {
		hi = c.values[cand.k]
	}
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return lo
	}
	for digits := 1; digits <= 17; digits++ {
		s := strconv.FormatFloat(lo, 'e', digits-1, 64)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			break
		}
		if v < lo { // rounded down: one unit of the last digit up
			exp, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
			v, err = strconv.ParseFloat(strconv.FormatFloat(v+math.Pow10(exp-digits+1), 'e', digits-1, 64), 64)
			if err != nil {
				break
			}
		}
		if lo <= v && v < hi {
			return v
		}
	}
	return lo
}

// forCandidates calls visit, in ascending order, with a numeric cue's
// candidate thresholds on the cases counted in h and the positive and
// negative cases at or below each: every value present (exact); FFTrees'
// grid of numthresh_n values evenly spaced in rank among them, ends
// included (o); or their median, both values of a two-valued cue (m). It
// streams over the cue's codes, so exact search on a million distinct
// values allocates nothing.
func forCandidates(c *cue, h hist, rule thresholdRule, visit func(cand candidate, pos, neg int)) {
	L, total := 0, 0
	for k := 1; k < h.codes(); k++ {
		if m := int(h.pos(k) + h.neg(k)); m > 0 {
			L++
			total += m
		}
	}
	if L == 0 {
		return
	}
	// want reports whether the r-th value present (from 1) is a candidate.
	var want func(r int) bool
	switch {
	case rule.method == threshExact || (rule.method == threshOptim && L <= rule.n) ||
		(rule.method == threshMedian && L == 2):
		want = func(int) bool { return true }
	case rule.method == threshOptim:
		// R's round(seq(1, L, length.out = n)), halves to even: seq
		// computes 1 + j*by with by rounded first (so 1 + 7*(61/14) falls
		// just below 31.5) and ends exactly at L.
		by := float64(L-1) / float64(rule.n-1)
		targets := make([]int, 0, rule.n) // ascending, without repeats
		for j := range rule.n {
			r := L
			if j < rule.n-1 {
				r = int(math.RoundToEven(1 + float64(j)*by))
			}
			if len(targets) == 0 || targets[len(targets)-1] != r {
				targets = append(targets, r)
			}
		}
		want = func(r int) bool {
			if len(targets) > 0 && targets[0] == r {
				targets = targets[1:]
				return true
			}
			return false
		}
	default:
		visitMedian(c, h, total, visit)
		return
	}
	pos, neg, r := 0, 0, 0
	for k := 1; k < h.codes(); k++ {
		p, q := int(h.pos(k)), int(h.neg(k))
		if p+q == 0 {
			continue
		}
		pos, neg, r = pos+p, neg+q, r+1
		if want(r) {
			visit(candidate{k: k, t: c.values[k-1]}, pos, neg)
		}
	}
}

// visitMedian visits the median of the total cases counted in h, which
// need not be a value of the cue.
func visitMedian(c *cue, h hist, total int, visit func(cand candidate, pos, neg int)) {
	lo, hi := (total-1)/2, total/2 // 0-based ranks of the middle case(s)
	seen := 0
	var vlo, vhi float64
	for k := 1; k < h.codes(); k++ {
		m := int(h.pos(k) + h.neg(k))
		if seen <= lo && lo < seen+m {
			vlo = c.values[k-1]
		}
		if seen <= hi && hi < seen+m {
			vhi = c.values[k-1]
		}
		seen += m
	}
	t := (vlo + vhi) / 2
	k, _ := slices.BinarySearch(c.values, t)
	if k < len(c.values) && c.values[k] == t {
		k++
	}
	pos, neg := 0, 0
	for j := 1; j <= k; j++ {
		pos += int(h.pos(j))
		neg += int(h.neg(j))
	}
	visit(candidate{k: k, t: t}, pos, neg)
}

var negInf = math.Inf(-1)
