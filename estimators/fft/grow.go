package fft

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/quiver-ml/quiver/engine"
)

// nearTie is how close two cues' scores must be for the earlier cue to win,
// as FFTrees compares them, so rounding noise never reorders cues.
const nearTie = 1.5e-8

// grower grows candidate trees on prepared training cues.
type grower struct {
	ctx     context.Context
	data    *engine.Frame
	cues    []*cue
	y       []uint8 // 1 for a positive case
	threads int

	thresh, chase objective // goal_threshold, goal_chase
	rule          thresholdRule
	cueCost       []float64 // per cue
	maxLevels     int
	stopRule      string
	stopPar       float64
	repeat        bool

	// ranks caches dfan's rankings by the exits taken before the level.
	ranks map[string][]ranked
}

// level is a grown level: the cue's question for True and the exit taken.
type level struct {
	r    ranked
	exit exitKind
}

type exitKind uint8

const (
	exitFalse exitKind = iota // cases answering no decide False
	exitTrue                  // cases answering yes decide True
	exitBoth                  // last level
)

// grown is a candidate tree with the answer table of each level over its
// cue's codes, ready to be scored on the training cues.
type grown struct {
	tree    *Tree
	cues    []int     // cue of each level
	answers [][]uint8 // answer of each level by code
	flips   []bool    // whether each level asks the opposite of its cue's question
}

// rank scores every cue's best question on rows (nil: all rows).
func (g *grower) rank(rows []uint32) ([]ranked, error) {
	hists, err := countCues(g.ctx, g.cues, rows, len(g.y), g.y, g.threads)
	if err != nil {
		return nil, err
	}
	out := make([]ranked, len(g.cues))
	err = engine.ForTasks(g.ctx, g.threads, len(g.cues), func(i int) {
		out[i] = rankCue(i, g.cues[i], hists[i], g.thresh, g.chase, g.rule, g.cueCost[i])
	})
	return out, err
}

// best returns the index in rs of the cue with the highest chase score,
// the earliest within nearTie, among those allowed; -1 if none is.
func best(rs []ranked, allowed func(i int) bool) int {
	top := math.Inf(-1)
	for i, r := range rs {
		if allowed(i) && r.ok && r.chase > top {
			top = r.chase
		}
	}
	for i, r := range rs {
		if allowed(i) && r.ok && r.chase >= top-nearTie {
			return i
		}
	}
	return -1
}

// policy chooses the question and exit of a level from the cases left and
// the levels so far; ok is false when no cue is left to ask about.
type policy func(depth int, left []uint32, levels []level) (r ranked, exit exitKind, ok bool, err error)

// fixedPolicy asks qs[depth] at each depth, exiting as exits says (the
// last level decides both ways).
func fixedPolicy(qs []ranked, exits []exitKind) policy {
	return func(depth int, _ []uint32, _ []level) (ranked, exitKind, bool, error) {
		if depth >= len(qs) {
			return ranked{}, 0, false, nil
		}
		return qs[depth], exitAt(exits, depth), true, nil
	}
}

func exitAt(exits []exitKind, depth int) exitKind {
	if depth < len(exits) {
		return exits[depth]
	}
	return exitBoth
}

// dfanPolicy re-ranks the cues on the rows left at each level and asks the
// best, exiting as exits says. Rankings are cached by the exits taken
// before the level, which determine the rows left.
func (g *grower) dfanPolicy(exits []exitKind) policy {
	return func(depth int, left []uint32, levels []level) (ranked, exitKind, bool, error) {
		key := exitKey(exits[:min(depth, len(exits))])
		rs, ok := g.ranks[key]
		if !ok {
			var err error
			if rs, err = g.rank(left); err != nil {
				return ranked{}, 0, false, err
			}
			g.ranks[key] = rs
		}
		i := best(rs, func(i int) bool {
			return g.repeat || !slices.ContainsFunc(levels, func(l level) bool { return l.r.cue == i })
		})
		if i < 0 {
			return ranked{}, 0, false, nil
		}
		rs[i] = rs[i].withAnswer(g.cues[i]) // kept in the cache for the other trees
		return rs[i], exitAt(exits, depth), true, nil
	}
}

func exitKey(exits []exitKind) string {
	var b strings.Builder
	for _, e := range exits {
		b.WriteByte('0' + byte(e))
	}
	return b.String()
}

// rankOrder returns cue indices by falling chase score, earlier cues first
// within nearTie.
func rankOrder(rs []ranked) []int {
	var order []int
	taken := make([]bool, len(rs))
	for {
		i := best(rs, func(i int) bool { return !taken[i] })
		if i < 0 {
			return order
		}
		taken[i] = true
		order = append(order, i)
	}
}

// predictive returns a question's positive and negative predictive values,
// 0 where undefined.
func predictive(c confusion) (float64, float64) {
	return ratio(float64(c.hi), float64(c.hi+c.fa)), ratio(float64(c.cr), float64(c.cr+c.mi))
}

// martignon orders cues as Martignon et al. (2008) do, each cue with its
// best question on all cases, and returns up to maxLevels questions with
// their exits: max by the larger of a question's positive and negative
// predictive values, exiting on the side of the larger; zigzag starts like
// max, then alternates, choosing for a True exit the cue of highest
// positive predictive value and for a False exit the highest negative one.
// Ties go to the earlier cue.
func martignon(algorithm string, all []ranked, maxLevels int) ([]ranked, []exitKind) {
	var qs []ranked
	var exits []exitKind
	used := make([]bool, len(all))
	for len(qs) < maxLevels {
		want := exitBoth // either side: the larger value decides
		if algorithm == algZigzag && len(exits) > 0 {
			want = exitTrue
			if exits[len(exits)-1] == exitTrue {
				want = exitFalse
			}
		}
		pick, pickExit, top := -1, exitBoth, math.Inf(-1)
		for i := range all {
			if !all[i].ok || used[i] {
				continue
			}
			ppv, npv := predictive(all[i].conf)
			v, e := npv, exitFalse
			if want == exitTrue || (want == exitBoth && ppv >= npv) {
				v, e = ppv, exitTrue
			}
			if v > top {
				pick, pickExit, top = i, e, v
			}
		}
		if pick < 0 {
			break
		}
		used[pick] = true
		qs = append(qs, all[pick])
		exits = append(exits, pickExit)
	}
	return qs, exits
}

// cases are what a tree grows on: training rows, or cells of rows that
// give the same answers to a fixed list of questions, with their counts.
type cases struct {
	ids []uint32
	// counts returns the positive and negative cases of unit u.
	counts func(u uint32) (pos, neg int)
	// answer returns unit u's answer to question r asked at depth.
	answer func(depth int, r *ranked, u uint32) uint8
}

// rowCases are the training rows themselves.
func (g *grower) rowCases() *cases {
	ids := make([]uint32, len(g.y))
	for i := range ids {
		ids[i] = uint32(i)
	}
	return &cases{
		ids:    ids,
		counts: func(u uint32) (int, int) { return int(g.y[u]), 1 - int(g.y[u]) },
		answer: func(_ int, r *ranked, u uint32) uint8 { return r.answer[g.cues[r.cue].codes[u]] },
	}
}

// pow3 returns 3^k.
func pow3(k int) int {
	p := 1
	for range k {
		p *= 3
	}
	return p
}

// cellCases counts the training rows by their answers to the questions qs,
// asked at depths 0, 1, ...: cell Σ answer_d 3^d holds table[2·cell+y]
// cases. Trees whose questions are fixed in advance (ifan, max, zigzag)
// then grow and are scored on at most 3^len(qs) cells instead of every row.
// Row parts count in parallel into their own tables, added in order.
func (g *grower) cellCases(qs []ranked) (*cases, error) {
	cells := pow3(len(qs))
	n := len(g.y)
	parts := max(1, min(engine.Threads(g.threads), n/partRows))
	tables := make([][]int64, parts)
	// A cue with codes answers by table lookup; a numeric cue read without
	// them answers from its column.
	ask := make([]answerer, len(qs))
	for d := range qs {
		if c := g.cues[qs[d].cue]; c.codes != nil {
			table := qs[d].answer
			ask[d] = func(lo int, out []uint8) {
				for i, k := range c.codes[lo : lo+len(out)] {
					out[i] = table[k]
				}
			}
			continue
		}
		var err error
		if ask[d], err = newAnswerer(&qs[d].node, g.data.Column(qs[d].node.cue), nil); err != nil {
			return nil, err
		}
	}
	err := engine.ForTasks(g.ctx, g.threads, parts, func(p int) {
		table := make([]int64, 2*cells)
		lo, hi := n*p/parts, n*(p+1)/parts
		cell := make([]uint32, min(hi-lo, engine.ChunkRows))
		answers := make([]uint8, len(cell))
		for start := lo; start < hi; start += len(cell) {
			m := min(len(cell), hi-start)
			clear(cell[:m])
			scale := uint32(1)
			for _, a := range ask {
				a(start, answers[:m])
				for i, v := range answers[:m] {
					cell[i] += uint32(v) * scale
				}
				scale *= 3
			}
			for i, c := range cell[:m] {
				table[2*c+uint32(g.y[start+i])]++
			}
		}
		tables[p] = table
	})
	if err != nil {
		return nil, err
	}
	table := tables[0]
	for _, t := range tables[1:] {
		for i, v := range t {
			table[i] += v
		}
	}
	var ids []uint32
	for c := range cells {
		if table[2*c]+table[2*c+1] > 0 {
			ids = append(ids, uint32(c))
		}
	}
	return &cases{
		ids:    ids,
		counts: func(u uint32) (int, int) { return int(table[2*u+1]), int(table[2*u]) },
		answer: func(depth int, _ *ranked, u uint32) uint8 { return uint8(int(u) / pow3(depth) % 3) },
	}, nil
}

// grow grows one tree level by level with choose, applying FFTrees' stopping
// rules: a level is the last when it reaches max_levels or the number of
// cues, when no case is left, when the cases so far are all classified
// perfectly, when fewer than stopping_par of the cases are left
// (exemplars), when the level improves goal_chase by less than stopping_par
// (statdelta), or, for dfan, when the cases left all have one outcome. The
// last level decides both ways.
func (g *grower) grow(algorithm string, choose policy, cs *cases) (*grown, error) {
	n := len(g.y)
	left := cs.ids
	var levels []level
	var decided confusion
	prev := math.NaN()
	for depth := 0; ; depth++ {
		if err := g.ctx.Err(); err != nil {
			return nil, err
		}
		r, exit, ok, err := choose(depth, left, levels)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		asif := decided // everything so far plus the cases left classified by this question
		var next []uint32
		pos, neg := 0, 0
		for _, u := range left {
			a := cs.answer(depth, &r, u)
			p, q := cs.counts(u)
			if a != answerUnknown {
				asif = asif.add(outcomes(a == answerYes, p, q))
			}
			if (exit == exitTrue && a == answerYes) || (exit == exitFalse && a == answerNo) {
				decided = decided.add(outcomes(exit == exitTrue, p, q))
				continue
			}
			next = append(next, u)
			pos += p
			neg += q
		}
		value := g.chase.value(asif, 0)
		more := exit != exitBoth && pos+neg > 0 && depth+1 < len(g.cues) && depth+1 < g.maxLevels
		switch {
		case g.chase.perfect(value):
			more = false
		case g.stopRule == stopExemplars && float64(pos+neg) < g.stopPar*float64(n):
			more = false
		case g.stopRule == stopStatdelta && depth > 0 && value-prev < g.stopPar:
			more = false
		case algorithm == algDfan && (pos == 0 || neg == 0):
			more = false
		}
		if !more {
			exit = exitBoth
		}
		levels = append(levels, level{r: r, exit: exit})
		if !more {
			break
		}
		left, prev = next, value
	}
	if len(levels) == 0 {
		return nil, engine.Errorf(engine.KindValue, "no cue can tell the cases apart")
	}
	// Out of cues before a stopping rule ended the tree: the level grown
	// last is the last, and decides both ways.
	levels[len(levels)-1].exit = exitBoth
	return build(levels), nil
}

// outcomes is the confusion of pos positive and neg negative cases
// decided True or not.
func outcomes(decideTrue bool, pos, neg int) confusion {
	if decideTrue {
		return confusion{hi: pos, fa: neg}
	}
	return confusion{mi: pos, cr: neg}
}

// perfect reports a goal value that no tree can beat.
func (o objective) perfect(v float64) bool {
	switch o.goal {
	case goalDprime:
		return v >= 4.65
	case goalCost:
		return v >= -1e-8
	}
	return v >= 1-1e-8
}

// build turns grown levels into a tree: a False exit asks the opposite
// question, so that each level names what makes a case leave.
func build(levels []level) *grown {
	out := &grown{tree: &Tree{}}
	for _, l := range levels {
		nd, ans := l.r.node, l.r.answer
		flip := l.exit == exitFalse
		if flip {
			nd.op, nd.decide = nd.op.negate(), false
			ans = flipAnswers(ans)
		}
		out.tree.nodes = append(out.tree.nodes, nd)
		out.cues = append(out.cues, l.r.cue)
		out.answers = append(out.answers, ans)
		out.flips = append(out.flips, flip)
	}
	return out
}

func flipAnswer(a uint8) uint8 {
	if a == answerUnknown {
		return a
	}
	return 1 - a
}

func flipAnswers(a []uint8) []uint8 {
	out := make([]uint8, len(a))
	for k, v := range a {
		out[k] = flipAnswer(v)
	}
	return out
}

// exitCountsOf routes the cases through a grown tree and counts the
// positive and negative cases leaving by each exit. Rows are routed in
// parallel over row chunks; cells are few.
func (g *grower) exitCountsOf(t *grown, cs *cases, onCells bool) ([]exitCounts, error) {
	L := len(t.cues)
	if onCells {
		answers := make([][]uint8, L)
		for l := range answers {
			answers[l] = make([]uint8, len(cs.ids))
			for i, u := range cs.ids {
				a := cs.answer(l, nil, u)
				if t.flips[l] {
					a = flipAnswer(a)
				}
				answers[l][i] = a
			}
		}
		exits := make([]uint8, len(cs.ids))
		t.tree.walk(answers, exits)
		counts := make([]exitCounts, L+1)
		for i, u := range cs.ids {
			p, q := cs.counts(u)
			counts[exits[i]].pos += p
			counts[exits[i]].neg += q
		}
		return counts, nil
	}
	n := len(g.y)
	exits := make([]uint8, n)
	err := engine.ForChunks(g.ctx, g.threads, n, func(_, lo, hi int) {
		answers := make([][]uint8, L)
		for l, ci := range t.cues {
			codes, table := g.cues[ci].codes[lo:hi], t.answers[l]
			a := make([]uint8, hi-lo)
			for r, k := range codes {
				a[r] = table[k]
			}
			answers[l] = a
		}
		t.tree.walk(answers, exits[lo:hi])
	})
	if err != nil {
		return nil, err
	}
	return countExits(exits, g.y, L), nil
}

// countExits counts the positive and negative rows at each exit of a tree
// of L levels.
func countExits(exits []uint8, y []uint8, L int) []exitCounts {
	counts := make([]exitCounts, L+1)
	for r, e := range exits {
		if y[r] == 1 {
			counts[e].pos++
		} else {
			counts[e].neg++
		}
	}
	return counts
}
