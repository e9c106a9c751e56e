package fft

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// op is the comparison a level makes.
type op uint8

const (
	opGT    op = iota // x > t
	opGE              // x >= t
	opLT              // x < t
	opLE              // x <= t
	opIn              // x = {levels}
	opNotIn           // x != {levels}
)

var opText = [...]string{">", ">=", "<", "<=", "=", "!="}

func (o op) String() string { return opText[o] }

// negate is the opposite question: x > t is answered no exactly when
// x <= t is answered yes.
func (o op) negate() op { return [...]op{opLE, opLT, opGE, opGT, opNotIn, opIn}[o] }

func (o op) isSet() bool { return o == opIn || o == opNotIn }

// node is one level of a tree: a condition on a cue and the decision for
// the cases that meet it. At the last level the cases that do not meet it
// get the other decision.
type node struct {
	cue       string
	op        op
	threshold float64  // comparison ops
	set       []string // set ops: levels, "NA" for missing; numbers as text on numeric cues
	decide    bool
}

// maxTreeLevels bounds the levels of a tree given in words or read from a
// file: a tree of L levels has L+1 exits, numbered in a byte (see walk).
const maxTreeLevels = 255

// Tree is a fast-and-frugal tree: its levels, and the decision at the last
// level for a case whose numeric cue is missing there.
type Tree struct {
	nodes       []node
	missingLast bool
}

// Levels is the number of levels.
func (t *Tree) Levels() int { return len(t.nodes) }

// condition renders "cue op value" with set levels in the order given.
func (n *node) condition() string {
	if n.op.isSet() {
		return n.cue + " " + n.op.String() + " {" + strings.Join(n.set, ",") + "}"
	}
	return n.cue + " " + n.op.String() + " " + formatNumber(n.threshold)
}

// formatNumber prints a threshold in its shortest exact form, integers
// without a decimal point.
func formatNumber(v float64) string {
	if math.IsInf(v, 1) {
		return "Inf"
	}
	if math.IsInf(v, -1) {
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func decision(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// Words is the tree in words, in the style of FFTrees:
// "If thal = {rd,fd}, decide True. ... If age > 58, decide True, otherwise,
// decide False."
func (t *Tree) Words() string {
	var b strings.Builder
	for i := range t.nodes {
		n := &t.nodes[i]
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("If " + n.condition() + ", decide " + decision(n.decide))
		if i == len(t.nodes)-1 {
			b.WriteString(", otherwise, decide " + decision(!n.decide))
		}
		b.WriteByte('.')
	}
	return b.String()
}

// flipped returns the node that asks the opposite question with the
// opposite decision. At the last level, where both answers exit, that is the
// same level said the other way round; elsewhere it is a different level.
func (n node) flipped() node {
	n.op = n.op.negate()
	n.decide = !n.decide
	return n
}

// inSet reports whether level is in the node's set.
func (n *node) inSet(level string) bool { return slices.Contains(n.set, level) }
