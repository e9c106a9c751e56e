package gbdt

import (
	"slices"
	"testing"
)

// comb returns a tree whose root sends common rows to a leaf (left) and
// rare rows to a complete subtree of depth 3 (right): splits 1 to 7 in
// depth-first order (1; 2 with 3 and 4 below it; 5 with 6 and 7), each
// sending its rows evenly both ways.
func comb(common, rare int64, cat bool) *Tree {
	t := &Tree{}
	leaf := func(n int64) int32 {
		t.LeafValue = append(t.LeafValue, float64(len(t.LeafValue)))
		t.LeafCount = append(t.LeafCount, n)
		return ^int32(len(t.LeafValue) - 1)
	}
	split := func(n int64) int32 {
		t.Feature = append(t.Feature, int32(len(t.Feature)%3))
		t.Threshold = append(t.Threshold, 0.5)
		t.CatLeft = append(t.CatLeft, nil)
		t.DefaultLeft = append(t.DefaultLeft, len(t.Feature)%2 == 0)
		t.Left, t.Right = append(t.Left, 0), append(t.Right, 0)
		t.Count = append(t.Count, n)
		return int32(len(t.Feature) - 1)
	}
	root := split(common + rare)
	t.Left[root] = leaf(common)
	var grow func(n int64, depth int) int32
	grow = func(n int64, depth int) int32 {
		if depth == 0 {
			return leaf(n)
		}
		c := split(n)
		l, r := grow(n/2, depth-1), grow(n-n/2, depth-1)
		t.Left[c], t.Right[c] = l, r
		return c
	}
	t.Right[root] = grow(rare, 3)
	if cat {
		t.CatLeft[2] = []uint64{1}
	}
	return t
}

// TestSelected checks which splits the compiled code decides without a
// branch: a subtree whose rows split evenly (a branch the predictor would
// often lose), not the root of one where almost every row takes a cheap
// way, and never a subtree holding a categorical split.
func TestSelected(t *testing.T) {
	all := []bool{true, true, true, true, true, true, true, true}
	for _, tc := range []struct {
		name string
		tree *Tree
		want []bool
	}{
		{"even", comb(1000, 1000, false), all},
		{"skewed root", comb(1_000_000, 10, false), []bool{false, true, true, true, true, true, true, true}},
		{"categorical", comb(1000, 1000, true), []bool{false, false, false, true, true, true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := selected(tc.tree); !slices.Equal(got, tc.want) {
				t.Errorf("selected = %v, want %v", got, tc.want)
			}
		})
	}
}
