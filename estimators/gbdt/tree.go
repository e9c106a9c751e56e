package gbdt

import (
	"fmt"
	"math"
)

// Tree is one regression tree. Split nodes and leaves live in parallel
// arrays; a child reference c is a split node when c >= 0 and the leaf ^c
// when c < 0. A tree with no split has one leaf and its root is leaf 0.
//
// Rows are presented to a tree as one float64 per feature: the value of a
// numeric feature, or the category code of a categorical one (its index in
// the feature's training categories), with NaN for missing values and
// unseen categories.
type Tree struct {
	// Per split node.
	Feature     []int32    // feature index
	Threshold   []float64  // numeric split: x <= Threshold goes left
	CatLeft     [][]uint64 // categorical split: bitset of codes that go left; nil for numeric
	DefaultLeft []bool     // missing values (and unseen categories) go left
	Left, Right []int32    // children
	Gain        []float64  // loss reduction of the split
	Count       []int64    // training rows that reached the node
	Value       []float64  // the node's output had it been a leaf (for contributions)

	// Per leaf.
	LeafValue []float64 // output, learning rate applied
	LeafCount []int64   // training rows in the leaf
}

// NumLeaves returns the number of leaves.
func (t *Tree) NumLeaves() int { return len(t.LeafValue) }

// root returns the child reference of the root.
func (t *Tree) root() int32 {
	if len(t.Feature) == 0 {
		return ^int32(0)
	}
	return 0
}

// goesLeft reports whether a row whose feature value is v takes the left
// branch of split node n.
func (t *Tree) goesLeft(n int32, v float64) bool {
	if v != v {
		return t.DefaultLeft[n]
	}
	if cats := t.CatLeft[n]; cats != nil {
		c := uint64(v)
		return c>>6 < uint64(len(cats)) && cats[c>>6]&(1<<(c&63)) != 0
	}
	return v <= t.Threshold[n]
}

// Leaf returns the leaf index a row reaches.
func (t *Tree) Leaf(x []float64) int {
	c := t.root()
	for c >= 0 {
		if t.goesLeft(c, x[t.Feature[c]]) {
			c = t.Left[c]
		} else {
			c = t.Right[c]
		}
	}
	return int(^c)
}

// Predict returns the leaf value a row reaches.
func (t *Tree) Predict(x []float64) float64 { return t.LeafValue[t.Leaf(x)] }

// validate checks that the arrays agree in length, that every child
// reference is in range and that the nodes form a tree (each node and leaf
// reached exactly once from the root), with features below numFeatures and
// category bitsets only on categorical features.
func (t *Tree) validate(numFeatures int, categorical []bool) error {
	ns := len(t.Feature)
	for _, l := range []int{len(t.Threshold), len(t.CatLeft), len(t.DefaultLeft), len(t.Left), len(t.Right), len(t.Gain), len(t.Count), len(t.Value)} {
		if l != ns {
			return fmt.Errorf("split node arrays differ in length")
		}
	}
	nl := len(t.LeafValue)
	if len(t.LeafCount) != nl || nl != ns+1 {
		return fmt.Errorf("%d leaves for %d split nodes (expected %d)", nl, ns, ns+1)
	}
	for _, v := range t.LeafValue {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("leaf value %v is not finite", v)
		}
	}
	seenNode := make([]bool, ns)
	seenLeaf := make([]bool, nl)
	stack := []int32{t.root()}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c < 0 {
			l := int(^c)
			if l >= nl || seenLeaf[l] {
				return fmt.Errorf("leaf reference %d is out of range or repeated", l)
			}
			seenLeaf[l] = true
			continue
		}
		if int(c) >= ns || seenNode[c] {
			return fmt.Errorf("node reference %d is out of range or repeated", c)
		}
		seenNode[c] = true
		f := t.Feature[c]
		if f < 0 || int(f) >= numFeatures {
			return fmt.Errorf("node %d splits on feature %d of %d", c, f, numFeatures)
		}
		if (t.CatLeft[c] != nil) != categorical[f] {
			return fmt.Errorf("node %d: the split kind does not match feature %d", c, f)
		}
		if t.CatLeft[c] == nil && math.IsNaN(t.Threshold[c]) {
			return fmt.Errorf("node %d has a NaN threshold", c)
		}
		stack = append(stack, t.Left[c], t.Right[c])
	}
	for _, s := range seenLeaf {
		if !s {
			return fmt.Errorf("a leaf is not reachable from the root")
		}
	}
	return nil
}

// expectation returns the mean output of the tree over its training rows,
// Σ LeafValue·LeafCount / Σ LeafCount: the bias of its contributions.
func (t *Tree) expectation() float64 {
	s, n := 0.0, int64(0)
	for l, v := range t.LeafValue {
		s += v * float64(t.LeafCount[l])
		n += t.LeafCount[l]
	}
	if n == 0 {
		return t.LeafValue[0]
	}
	return s / float64(n)
}
