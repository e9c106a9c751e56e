package gbdt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// shapNode describes a tree for shapTree: a leaf when left is nil, else a
// split. A categorical split has a non-nil cats, the codes that go left, and
// numCats, the number of codes the bitset covers.
type shapNode struct {
	value float64 // leaf output
	count int64   // leaf training rows

	feature     int32
	threshold   float64
	cats        []int
	numCats     int
	defaultLeft bool
	left, right *shapNode
}

func shapLeaf(value float64, count int64) *shapNode {
	return &shapNode{value: value, count: count}
}

func shapSplit(feature int32, threshold float64, defaultLeft bool, left, right *shapNode) *shapNode {
	return &shapNode{feature: feature, threshold: threshold, defaultLeft: defaultLeft, left: left, right: right}
}

func shapCatSplit(feature int32, cats []int, numCats int, defaultLeft bool, left, right *shapNode) *shapNode {
	if cats == nil {
		cats = []int{}
	}
	return &shapNode{feature: feature, cats: cats, numCats: numCats, defaultLeft: defaultLeft, left: left, right: right}
}

// shapTree lays out a described tree in Tree's arrays, split nodes and
// leaves in preorder, with every node's Count the sum of its children's
// covers and its Value their cover-weighted mean.
func shapTree(root *shapNode) *Tree {
	t := &Tree{}
	var add func(s *shapNode) (ref int32, count int64, sum float64)
	add = func(s *shapNode) (int32, int64, float64) {
		if s.left == nil {
			l := int32(len(t.LeafValue))
			t.LeafValue = append(t.LeafValue, s.value)
			t.LeafCount = append(t.LeafCount, s.count)
			return ^l, s.count, s.value * float64(s.count)
		}
		n := int32(len(t.Feature))
		var bits []uint64
		if s.cats != nil {
			bits = make([]uint64, max(1, (s.numCats+63)/64))
			for _, c := range s.cats {
				bits[c>>6] |= 1 << (c & 63)
			}
		}
		t.Feature = append(t.Feature, s.feature)
		t.Threshold = append(t.Threshold, s.threshold)
		t.CatLeft = append(t.CatLeft, bits)
		t.DefaultLeft = append(t.DefaultLeft, s.defaultLeft)
		t.Left = append(t.Left, 0)
		t.Right = append(t.Right, 0)
		t.Gain = append(t.Gain, 1)
		t.Count = append(t.Count, 0)
		t.Value = append(t.Value, 0)
		l, lc, ls := add(s.left)
		r, rc, rs := add(s.right)
		t.Left[n], t.Right[n] = l, r
		t.Count[n] = lc + rc
		if t.Count[n] > 0 {
			t.Value[n] = (ls + rs) / float64(t.Count[n])
		}
		return n, lc + rc, ls + rs
	}
	add(root)
	return t
}

// shapGen draws random trees and rows. Feature j is categorical with
// numCats[j] codes when numCats[j] > 0, numeric otherwise. Thresholds and
// numeric values come from a coarse grid so that ties with the threshold
// occur.
type shapGen struct {
	r        *rand.Rand
	numCats  []int
	maxDepth int
	pZero    float64 // probability that a leaf has no rows
	pChain   float64 // probability that a split puts a single leaf on one side
	pNaN     float64 // probability that a row value is missing
}

func (g *shapGen) grid() float64 { return float64(g.r.IntN(9)-4) / 2 }

// node returns a random subtree with the given number of leaves, no deeper
// than g.maxDepth-depth.
func (g *shapGen) node(leaves, depth int) *shapNode {
	r := g.r
	if leaves <= 1 || depth >= g.maxDepth {
		var count int64
		if r.Float64() >= g.pZero {
			count = 1 + r.Int64N(20)
		}
		return shapLeaf(r.NormFloat64(), count)
	}
	k := 1 + r.IntN(leaves-1)
	if r.Float64() < g.pChain {
		if r.IntN(2) == 0 {
			k = 1
		} else {
			k = leaves - 1
		}
	}
	f := int32(r.IntN(len(g.numCats)))
	left, right := g.node(k, depth+1), g.node(leaves-k, depth+1)
	if nc := g.numCats[f]; nc > 0 {
		var cats []int
		for c := range nc {
			if r.IntN(2) == 0 {
				cats = append(cats, c)
			}
		}
		return shapCatSplit(f, cats, nc, r.IntN(2) == 0, left, right)
	}
	return shapSplit(f, g.grid(), r.IntN(2) == 0, left, right)
}

func (g *shapGen) row() []float64 {
	x := make([]float64, len(g.numCats))
	for j, nc := range g.numCats {
		switch {
		case g.r.Float64() < g.pNaN:
			x[j] = math.NaN()
		case nc > 0:
			x[j] = float64(g.r.IntN(nc))
		default:
			x[j] = g.grid()
		}
	}
	return x
}

// bruteCover returns the training rows of child reference c.
func bruteCover(t *Tree, c int32) float64 {
	if c < 0 {
		return float64(t.LeafCount[^c])
	}
	return float64(t.Count[c])
}

// bruteValue returns E[f(x) | x_S] for the subtree at c, S given as a bit
// set of features: a split on a known feature sends the row down its own
// branch, any other split averages its children weighted by cover.
func bruteValue(t *Tree, c int32, x []float64, known uint) float64 {
	if c < 0 {
		return t.LeafValue[^c]
	}
	f := t.Feature[c]
	if known>>f&1 != 0 {
		if t.goesLeft(c, x[f]) {
			return bruteValue(t, t.Left[c], x, known)
		}
		return bruteValue(t, t.Right[c], x, known)
	}
	n := float64(t.Count[c])
	if n == 0 {
		return 0
	}
	l, r := t.Left[c], t.Right[c]
	return (bruteCover(t, l)*bruteValue(t, l, x, known) + bruteCover(t, r)*bruteValue(t, r, x, known)) / n
}

// bruteShap returns the Shapley values of bruteValue over the len(x)
// features by their definition, with v(∅) last.
func bruteShap(t *Tree, x []float64) []float64 {
	nf := len(x)
	v := make([]float64, 1<<nf)
	for s := range v {
		v[s] = bruteValue(t, t.root(), x, uint(s))
	}
	fact := func(n int) float64 {
		p := 1.0
		for i := 2; i <= n; i++ {
			p *= float64(i)
		}
		return p
	}
	phi := make([]float64, nf+1)
	for j := range nf {
		for s := range v {
			if s>>j&1 != 0 {
				continue
			}
			k := 0
			for b := s; b != 0; b &= b - 1 {
				k++
			}
			w := fact(k) * fact(nf-k-1) / fact(nf)
			phi[j] += w * (v[s|1<<j] - v[s])
		}
	}
	phi[nf] = v[0]
	return phi
}

// checkContributions compares t.contributions with the brute force and
// with t.Predict for row x.
func checkContributions(tb testing.TB, t *Tree, x []float64, s *shapScratch) {
	tb.Helper()
	const tol = 1e-9
	got := make([]float64, len(x)+1)
	t.contributions(x, got, s)
	want := bruteShap(t, x)
	sum := 0.0
	for j := range got {
		if d := math.Abs(got[j] - want[j]); !(d <= tol) {
			tb.Errorf("x=%v: phi[%d] = %v, brute force %v", x, j, got[j], want[j])
		}
		sum += got[j]
	}
	if p := t.Predict(x); !(math.Abs(sum-p) <= tol) {
		tb.Errorf("x=%v: sum of contributions %v, prediction %v", x, sum, p)
	}
}

func TestShapBruteForceByHand(t *testing.T) {
	// A stump with equal covers: knowing x0 moves the output from the mean
	// 0.5 to the right leaf's 1.
	stump := shapTree(shapSplit(0, 0, true, shapLeaf(0, 5), shapLeaf(1, 5)))
	got := bruteShap(stump, []float64{1, 7})
	if want := []float64{0.5, 0, 0.5}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stump: brute force %v, want %v", got, want)
	}
	// x0 AND x1 with uniform covers, both true: each gets half of
	// 1 - 1/4.
	and := shapTree(shapSplit(0, 0, true,
		shapLeaf(0, 2),
		shapSplit(1, 0, true, shapLeaf(0, 1), shapLeaf(1, 1))))
	got = bruteShap(and, []float64{1, 1})
	if want := []float64{0.375, 0.375, 0.25}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("and: brute force %v, want %v", got, want)
	}
}

func TestContributionsHandBuilt(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		root *shapNode
		rows [][]float64
	}{
		{"single leaf", shapLeaf(3.5, 10),
			[][]float64{{1, 2}, {nan, nan}}},
		{"single empty leaf", shapLeaf(-2, 0),
			[][]float64{{1}}},
		{"stump", shapSplit(0, 0.5, false, shapLeaf(-1, 3), shapLeaf(2, 7)),
			[][]float64{{0.5, 9}, {0.6, 9}, {nan, 9}}},
		{"missing goes left", shapSplit(1, 0, true,
			shapSplit(0, 1, false, shapLeaf(1, 4), shapLeaf(2, 6)),
			shapSplit(0, -1, true, shapLeaf(3, 5), shapLeaf(4, 5))),
			[][]float64{{nan, nan}, {0, nan}, {2, nan}, {nan, 1}, {-2, 1}}},
		{"categorical", shapCatSplit(0, []int{0, 2, 65}, 70, false,
			shapSplit(1, 0, true, shapLeaf(1, 2), shapLeaf(-1, 3)),
			shapCatSplit(2, []int{1}, 3, true, shapLeaf(5, 1), shapLeaf(0.5, 9))),
			[][]float64{{0, 0, 0}, {1, 1, 1}, {65, nan, 2}, {64, -1, nan}, {nan, nan, nan}, {3, 0, 1}}},
		{"same feature twice", shapSplit(0, 0, false,
			shapSplit(1, 0, true,
				shapSplit(0, -1, true, shapLeaf(1, 3), shapLeaf(2, 4)),
				shapLeaf(3, 2)),
			shapSplit(0, 1, false, shapLeaf(4, 6), shapSplit(1, 1, false, shapLeaf(5, 1), shapLeaf(6, 8)))),
			[][]float64{{-2, -1}, {-0.5, 0}, {-0.5, 2}, {0.5, 0}, {2, 0.5}, {2, 3}, {nan, nan}}},
		{"same feature three times in a chain", shapSplit(0, 2, true,
			shapSplit(0, 1, true,
				shapSplit(0, 0, true, shapLeaf(1, 1), shapLeaf(2, 2)),
				shapLeaf(3, 3)),
			shapLeaf(4, 4)),
			[][]float64{{-1}, {0.5}, {1.5}, {3}, {nan}}},
		{"zero-count leaves", shapSplit(0, 0, false,
			shapLeaf(7, 0),
			shapSplit(1, 0, true, shapLeaf(1, 5), shapLeaf(9, 0))),
			[][]float64{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}, {nan, nan}}},
		{"zero-count subtree on a repeated feature", shapSplit(0, 0, true,
			shapSplit(1, 0, true,
				shapSplit(0, -1, false, shapLeaf(1, 0), shapLeaf(2, 0)),
				shapLeaf(3, 4)),
			shapSplit(0, 1, true, shapLeaf(4, 0), shapLeaf(5, 6))),
			[][]float64{{-2, -1}, {-0.5, -1}, {-0.5, 1}, {0.5, 0}, {2, 0}, {nan, nan}}},
		{"no rows at all", shapSplit(0, 0, true,
			shapSplit(1, 0, false, shapLeaf(1, 0), shapLeaf(2, 0)),
			shapLeaf(3, 0)),
			[][]float64{{-1, -1}, {-1, 1}, {1, 1}, {nan, nan}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := shapTree(tc.root)
			if err := tr.validate(len(tc.rows[0]), catFeatures(tc.root, len(tc.rows[0]))); err != nil {
				t.Fatal(err)
			}
			var s shapScratch // zero value, grows on demand
			for _, x := range tc.rows {
				checkContributions(t, tr, x, &s)
			}
		})
	}
}

// catFeatures reports which features the described tree splits on
// categorically.
func catFeatures(s *shapNode, nf int) []bool {
	cat := make([]bool, nf)
	var walk func(*shapNode)
	walk = func(s *shapNode) {
		if s.left == nil {
			return
		}
		if s.cats != nil {
			cat[s.feature] = true
		}
		walk(s.left)
		walk(s.right)
	}
	walk(s)
	return cat
}

func TestContributionsRandom(t *testing.T) {
	tests := []struct {
		features, cats int // features in all, the first cats of them categorical
		leaves         int
		maxDepth       int
		pZero, pChain  float64
		pNaN           float64
	}{
		{1, 0, 8, 6, 0, 0.5, 0.2},
		{2, 0, 12, 10, 0.1, 0.8, 0.2},
		{2, 1, 20, 10, 0.2, 0.3, 0.3},
		{3, 1, 30, 10, 0.1, 0, 0.2},
		{4, 2, 40, 8, 0, 0, 0.1},
		{5, 0, 25, 10, 0.3, 0.5, 0.2},
		{6, 3, 50, 10, 0.2, 0.2, 0.3},
		{8, 0, 64, 10, 0.1, 0, 0.1},
		{8, 4, 64, 10, 0.1, 0.3, 0.2},
		{8, 8, 11, 10, 0.2, 1, 0.2},
		{8, 2, 100, 7, 0.5, 0, 0.2},
		{8, 1, 40, 10, 0.9, 0.5, 0.5},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("F=%d/cat=%d/L=%d/D=%d", tc.features, tc.cats, tc.leaves, tc.maxDepth), func(t *testing.T) {
			g := &shapGen{
				r:        rand.New(rand.NewPCG(uint64(i), 42)),
				numCats:  make([]int, tc.features),
				maxDepth: tc.maxDepth,
				pZero:    tc.pZero,
				pChain:   tc.pChain,
				pNaN:     tc.pNaN,
			}
			cat := make([]bool, tc.features)
			for j := range tc.cats {
				g.numCats[j] = 2 + g.r.IntN(80)
				cat[j] = true
			}
			s := newShapScratch(2) // too small on purpose: it must grow
			for range 25 {
				tr := shapTree(g.node(1+g.r.IntN(tc.leaves), 0))
				if err := tr.validate(tc.features, cat); err != nil {
					t.Fatal(err)
				}
				for range 8 {
					checkContributions(t, tr, g.row(), s)
				}
				if t.Failed() {
					return
				}
			}
		})
	}
}

func TestContributionsAdds(t *testing.T) {
	g := &shapGen{r: rand.New(rand.NewPCG(7, 7)), numCats: []int{0, 5, 0}, maxDepth: 6, pNaN: 0.2}
	tr := shapTree(g.node(20, 0))
	x := g.row()
	s := newShapScratch(6)
	once := make([]float64, 4)
	tr.contributions(x, once, s)
	twice := []float64{1, 2, 3, 4}
	tr.contributions(x, twice, s)
	tr.contributions(x, twice, s)
	for j := range once {
		if want := float64(j+1) + 2*once[j]; math.Abs(twice[j]-want) > 1e-12 {
			t.Errorf("phi[%d] = %v after two calls on %d, want %v", j, twice[j], j+1, want)
		}
	}
}

func TestContributionsAllocs(t *testing.T) {
	g := &shapGen{r: rand.New(rand.NewPCG(3, 3)), numCats: make([]int, 8), maxDepth: 20, pChain: 0.3, pNaN: 0.1}
	tr := shapTree(g.node(100, 0))
	x := g.row()
	phi := make([]float64, len(x)+1)
	var s shapScratch
	tr.contributions(x, phi, &s) // grows the scratch
	if n := testing.AllocsPerRun(100, func() { tr.contributions(x, phi, &s) }); n != 0 {
		t.Errorf("contributions allocates %v times per call with a grown scratch", n)
	}
}

func BenchmarkContributions(b *testing.B) {
	const features = 28
	g := &shapGen{r: rand.New(rand.NewPCG(1, 2)), numCats: make([]int, features), maxDepth: 1 << 30, pZero: 0.02, pNaN: 0.05}
	for j := range 4 {
		g.numCats[j] = 10
	}
	tr := shapTree(g.node(255, 0))
	rows := make([][]float64, 256)
	for i := range rows {
		rows[i] = g.row()
	}
	phi := make([]float64, features+1)
	s := newShapScratch(tr.NumLeaves() - 1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.contributions(rows[i&255], phi, s)
		i++
	}
}
