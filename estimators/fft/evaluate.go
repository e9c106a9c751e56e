package fft

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
)

// Answers to a level's question, one byte per row.
const (
	answerNo      uint8 = 0
	answerYes     uint8 = 1
	answerUnknown uint8 = 2 // a numeric cue is missing: the case goes on
)

// answerer fills out with the answers of rows [lo, lo+len(out)).
type answerer func(lo int, out []uint8)

// categoryCache keeps the categories of the string columns of one frame
// read so far, so that many trees scored on the same frame read each
// column once. A nil cache reads every time.
type categoryCache map[string]*engine.Categories

func (cc categoryCache) read(name string, col arrow.Array) (*engine.Categories, error) {
	if c, ok := cc[name]; ok {
		return c, nil
	}
	c, err := engine.ReadCategories(name, col)
	if err == nil && cc != nil {
		cc[name] = c
	}
	return c, err
}

// newAnswerer builds the question of node n over column col of any frame.
// It fails with KindType when the column's kind cannot take the question.
func newAnswerer(n *node, col arrow.Array, cache categoryCache) (answerer, error) {
	t := col.DataType()
	switch {
	case t.ID() == arrow.BOOL:
		if !n.op.isSet() {
			return nil, engine.Errorf(engine.KindType, "cue %q is boolean; it takes = {levels} or != {levels}, not %s", n.cue, n.op)
		}
		for _, level := range n.set {
			if level != "FALSE" && level != "TRUE" && level != missingLevel {
				return nil, engine.Errorf(engine.KindType, "cue %q is boolean, but its question is about the level %q", n.cue, level)
			}
		}
		var member [3]uint8 // FALSE, TRUE, NA
		for i, level := range []string{"FALSE", "TRUE", missingLevel} {
			member[i] = n.answerLevel(level)
		}
		b := col.(*array.Boolean)
		return func(lo int, out []uint8) {
			for i := range out {
				switch {
				case b.IsNull(lo + i):
					out[i] = member[2]
				case b.Value(lo + i):
					out[i] = member[1]
				default:
					out[i] = member[0]
				}
			}
		}, nil
	case engine.IsCategorical(t):
		if !n.op.isSet() {
			return nil, engine.Errorf(engine.KindType, "cue %q holds strings or categories; it takes = {levels} or != {levels}, not %s", n.cue, n.op)
		}
		cats, err := cache.read(n.cue, col)
		if err != nil {
			return nil, err
		}
		member := make([]uint8, len(cats.Values)+1)
		member[0] = n.answerLevel(missingLevel)
		for k, v := range cats.Values {
			member[k+1] = n.answerLevel(v)
		}
		return func(lo int, out []uint8) {
			for i := range out {
				out[i] = member[cats.Codes[lo+i]+1]
			}
		}, nil
	case engine.IsNumeric(t):
		buf := func(m int) []float64 { return make([]float64, m) }
		if n.op.isSet() {
			for _, level := range n.set {
				if _, err := strconv.ParseFloat(level, 64); err != nil && !strings.EqualFold(level, missingLevel) {
					return nil, engine.Errorf(engine.KindType, "cue %q is numeric (%s), but its question is about the level %q", n.cue, t, level)
				}
			}
			set, na := numericSet(n.set)
			return func(lo int, out []uint8) {
				x := buf(len(out))
				engine.ReadFloat64s(col, lo, x)
				for i, v := range x {
					in := na
					if v == v {
						in = set[v]
					}
					out[i] = answerNo
					if in == (n.op == opIn) {
						out[i] = answerYes
					}
				}
			}, nil
		}
		return func(lo int, out []uint8) {
			x := buf(len(out))
			engine.ReadFloat64s(col, lo, x)
			compare(n.op, n.threshold, x, out)
		}, nil
	}
	return nil, engine.Errorf(engine.KindType, "column %q has type %s; cues must be numeric, boolean, string or categorical", n.cue, t)
}

// answerLevel answers the node's set question for one level.
func (n *node) answerLevel(level string) uint8 {
	if n.inSet(level) == (n.op == opIn) {
		return answerYes
	}
	return answerNo
}

// numericSet reads the levels of a set question on a numeric cue.
func numericSet(levels []string) (map[float64]bool, bool) {
	set := map[float64]bool{}
	na := false
	for _, s := range levels {
		if strings.EqualFold(s, missingLevel) {
			na = true
			continue
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			set[v] = true
		}
	}
	return set, na
}

// compare answers x op t for every value; NaN is unknown.
func compare(o op, t float64, x []float64, out []uint8) {
	for i, v := range x {
		var yes bool
		switch o {
		case opGT:
			yes = v > t
		case opGE:
			yes = v >= t
		case opLT:
			yes = v < t
		default:
			yes = v <= t
		}
		switch {
		case math.IsNaN(v):
			out[i] = answerUnknown
		case yes:
			out[i] = answerYes
		default:
			out[i] = answerNo
		}
	}
}

// walk sends rows [lo, hi) down the tree given every level's answers
// (answers[l][r-lo]) and stores each row's exit: e < L-1 for an exit at
// level e, L-1 for the last level's question answered yes and L for its
// otherwise exit. A missing numeric cue at the last level takes the exit
// that decides t.missingLast.
func (t *Tree) walk(answers [][]uint8, exits []uint8) {
	last := len(t.nodes) - 1
	missingExit := uint8(last + 1)
	if t.missingLast == t.nodes[last].decide {
		missingExit = uint8(last)
	}
	for r := range exits {
		e := uint8(last)
		for l := 0; l < last; l++ {
			if answers[l][r] == answerYes {
				e = uint8(l)
				break
			}
		}
		if int(e) == last {
			switch answers[last][r] {
			case answerNo:
				e = uint8(last + 1)
			case answerUnknown:
				e = missingExit
			}
		}
		exits[r] = e
	}
}

// exitDecision is the decision of exit e (see walk).
func (t *Tree) exitDecision(e int) bool {
	if e < len(t.nodes) {
		return t.nodes[e].decide
	}
	return !t.nodes[len(t.nodes)-1].decide
}

// exitLevel is the level (from 1) of exit e.
func (t *Tree) exitLevel(e int) int { return min(e, len(t.nodes)-1) + 1 }

// route computes every row's exit on any frame holding the tree's cues, in
// parallel over row chunks.
func (t *Tree) route(ctx context.Context, data *engine.Frame, threads int, cache categoryCache) ([]uint8, error) {
	ask := make([]answerer, len(t.nodes))
	for l := range t.nodes {
		col, err := data.Require(t.nodes[l].cue, "cue")
		if err != nil {
			return nil, err
		}
		if ask[l], err = newAnswerer(&t.nodes[l], col, cache); err != nil {
			return nil, err
		}
	}
	n := data.NumRows()
	exits := make([]uint8, n)
	err := engine.ForChunks(ctx, threads, n, func(_, lo, hi int) {
		answers := make([][]uint8, len(ask))
		for l, a := range ask {
			answers[l] = make([]uint8, hi-lo)
			a(lo, answers[l])
		}
		t.walk(answers, exits[lo:hi])
	})
	return exits, err
}

// exitCounts are the training cases that left through one exit.
type exitCounts struct{ pos, neg int }

// outcomes turns the cases at each exit into the tree's outcomes, the
// levels visited in total and the total cost of the cues looked up.
func (t *Tree) outcomes(counts []exitCounts, costs map[string]float64) (confusion, int, float64) {
	var c confusion
	visited := 0
	var cost float64
	upTo := make([]float64, len(t.nodes)) // cost of the cues of levels 1..l+1
	for l, n := range t.nodes {
		upTo[l] = costs[n.cue]
		if l > 0 {
			upTo[l] += upTo[l-1]
		}
	}
	for e, k := range counts {
		c = c.add(outcomes(t.exitDecision(e), k.pos, k.neg))
		level := t.exitLevel(e)
		visited += level * (k.pos + k.neg)
		cost += upTo[level-1] * float64(k.pos+k.neg)
	}
	return c, visited, cost
}
