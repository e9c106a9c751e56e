package gbdt

import (
	"context"
	"unsafe"

	"github.com/quiver-ml/quiver/engine"
)

// Rows per block of histogram building and row partitioning. Blocks are
// the unit of row parallelism; being fixed, they keep floating-point sums
// independent of the thread count.
const (
	histBlock     = 8192
	maxHistBlocks = 16
	partBlock     = 16384
)

// grower grows trees leaf-wise on one binned matrix; it keeps its buffers
// from tree to tree.
type grower[B binType] struct {
	bm          *binMatrix[B]
	mappers     []*mapper
	cfg         splitConfig
	numLeaves   int
	maxDepth    int
	threads     int
	idx         [2][]int32
	free        [][]slot // histograms not in use
	scratch     [][]slot // per-block histograms beyond the first block
	stored      []slot   // histogram of the stored columns, when features are bundled
	featureUsed []bool
	// team runs the many short parallel steps of growing a tree (a few per
	// split) on goroutines that stay up between them.
	team *engine.Team
}

// leafState is a leaf of the tree being grown: its rows are
// idx[buf][begin:begin+count].
type leafState struct {
	begin, count, buf int
	hist              []slot // nil once the leaf cannot split
	sum               hbin
	depth             int
	best              split
	parent            int32 // split node above, -1 for the root
	isLeft            bool
}

// grown is a tree with what training needs besides: the bin threshold of
// every numeric split (for traversing binned rows) and the rows of every
// leaf.
type grown struct {
	tree   *Tree
	binThr []int32
	leaves []leafState
}

// newGrower returns a grower whose goroutines run until close.
func newGrower[B binType](ctx context.Context, bm *binMatrix[B], mappers []*mapper, cfg splitConfig, numLeaves, maxDepth, threads int) *grower[B] {
	g := &grower[B]{bm: bm, mappers: mappers, cfg: cfg, numLeaves: numLeaves, maxDepth: maxDepth, threads: engine.Threads(threads),
		team: engine.NewTeam(ctx, threads)}
	g.idx[0] = make([]int32, bm.n)
	g.idx[1] = make([]int32, bm.n)
	return g
}

// forChunks calls fn for every chunk [lo, hi) of n rows on the team.
func (g *grower[B]) forChunks(n int, fn func(lo, hi int)) error {
	return g.team.Run(engine.NumChunks(n), func(c int) {
		fn(c*engine.ChunkRows, min(n, (c+1)*engine.ChunkRows))
	})
}

// close stops the grower's goroutines.
func (g *grower[B]) close() { g.team.Close() }

func (g *grower[B]) takeHist() []slot {
	if k := len(g.free); k > 0 {
		h := g.free[k-1]
		g.free = g.free[:k-1]
		return h
	}
	return make([]slot, g.bm.offsets[g.bm.nf])
}

func (g *grower[B]) releaseHist(l *leafState) {
	if l.hist != nil {
		g.free = append(g.free, l.hist)
		l.hist = nil
	}
}

// buildHist fills hist with the histogram of rows (all rows of the matrix
// when all is set), in parallel over fixed row blocks and, when there are
// fewer blocks than threads, over groups of stored columns. With bundled
// features the stored columns' histogram is built first, then expanded.
func (g *grower[B]) buildHist(ctx context.Context, hist []slot, rows []int32, all bool, gh []gradPair) error {
	m := len(rows)
	if all {
		m, rows = g.bm.n, nil
	}
	ng := g.bm.ng
	bundled := ng != g.bm.nf
	out := hist
	if bundled {
		if g.stored == nil {
			g.stored = make([]slot, g.bm.slots[ng])
		}
		out = g.stored
	}
	// Blocks depend on the leaf's size only: at most maxHistBlocks of them,
	// at least histBlock rows each.
	block := max(histBlock, (m+maxHistBlocks-1)/maxHistBlocks)
	nblocks := max(1, (m+block-1)/block)
	ngroups := 1
	if nblocks < g.threads {
		ngroups = min(ng, g.threads)
	}
	for len(g.scratch) < nblocks-1 {
		g.scratch = append(g.scratch, make([]slot, len(out)))
	}
	err := g.team.Run(nblocks*ngroups, func(task int) {
		b, grp := task/ngroups, task%ngroups
		c0, c1 := grp*ng/ngroups, (grp+1)*ng/ngroups
		target := out
		if b > 0 {
			target = g.scratch[b-1]
		}
		part := target[g.bm.slots[c0]:g.bm.slots[c1]]
		clear(part)
		lo, hi := b*block, min(m, (b+1)*block)
		accumulate(part, g.bm, rows, lo, hi, gh, c0, c1)
	})
	if err == nil && nblocks > 1 {
		// Add the blocks in order, in parallel over slices of the histogram.
		size := len(out)
		err = g.team.Run(g.threads, func(t int) {
			lo, hi := t*size/g.threads, (t+1)*size/g.threads
			for b := 1; b < nblocks; b++ {
				src := g.scratch[b-1][lo:hi]
				dst := out[lo:hi]
				for i := range dst {
					dst[i].g += src[i].g
					dst[i].h += src[i].h
				}
			}
		})
	}
	if err != nil {
		return err
	}
	if bundled {
		expand(hist, out, g.bm)
	}
	return nil
}

// findBest sets l.best to the best split of the leaf over the features in
// use, or to no split when the leaf is too small or too deep.
func (g *grower[B]) findBest(l *leafState) {
	l.best = split{}
	if (g.maxDepth > 0 && l.depth >= g.maxDepth) || int64(l.count) < 2*g.cfg.minData || l.sum.h < 2*g.cfg.minHess {
		return
	}
	for f := range g.bm.nf {
		if !g.featureUsed[f] {
			continue
		}
		h := l.hist[g.bm.offsets[f]:g.bm.offsets[f+1]]
		if g.mappers[f].categorical {
			g.cfg.catSplit(f, h, l.sum, &l.best)
		} else {
			g.cfg.numericSplit(f, h, l.sum, &l.best)
		}
	}
}

// partition reorders the rows of a leaf so that those going left come
// first, keeping row order on each side, and returns how many go left and
// the buffer that now holds them. Large leaves are partitioned in parallel
// blocks and gathered into the other buffer; the result is the same.
func (g *grower[B]) partition(ctx context.Context, l *leafState, f int, goLeft []bool) (int, int, error) {
	bins := g.bm.byColumn[g.bm.column[f]]
	if d := g.bm.decode[f]; d != nil {
		// The side of each value of the feature's stored column.
		stored := make([]bool, len(d))
		for v, b := range d {
			stored[v] = goLeft[b]
		}
		goLeft = stored
	}
	src := g.idx[l.buf][l.begin : l.begin+l.count]
	dst := g.idx[1-l.buf][l.begin : l.begin+l.count]
	part := func(seg, scratch []int32) int {
		// Branch-free: every row is written to both sides and kept by
		// one, since which side a row takes is a coin toss the branch
		// predictor loses. seg[nl] is safe to write as nl never passes
		// the row being read.
		nl, nr := 0, 0
		for _, r := range seg {
			left := int(b2i(goLeft[bins[r]]))
			seg[nl] = r
			scratch[nr] = r
			nl += left
			nr += 1 - left
		}
		copy(seg[nl:], scratch[:nr])
		return nl
	}
	nblocks := (l.count + partBlock - 1) / partBlock
	if nblocks <= 1 || g.threads == 1 {
		return part(src, dst), l.buf, nil
	}
	lefts := make([]int, nblocks)
	err := g.team.Run(nblocks, func(b int) {
		lo, hi := b*partBlock, min(l.count, (b+1)*partBlock)
		lefts[b] = part(src[lo:hi], dst[lo:hi])
	})
	if err != nil {
		return 0, 0, err
	}
	totalLeft := 0
	for _, n := range lefts {
		totalLeft += n
	}
	err = g.team.Run(nblocks, func(b int) {
		lo, hi := b*partBlock, min(l.count, (b+1)*partBlock)
		leftAt, rightAt := 0, totalLeft
		for k := range b {
			leftAt += lefts[k]
			rightAt += min(l.count, (k+1)*partBlock) - k*partBlock - lefts[k]
		}
		copy(dst[leftAt:], src[lo:lo+lefts[b]])
		copy(dst[rightAt:], src[lo+lefts[b]:hi])
	})
	return totalLeft, 1 - l.buf, err
}

// grow grows one tree on rows (every row when rows is nil) with the given
// gradients and hessians, using only the features marked in used.
func (g *grower[B]) grow(ctx context.Context, rows []int32, gh []gradPair, used []bool) (*grown, error) {
	g.featureUsed = used
	all := rows == nil
	n := g.bm.n
	if all {
		for i := range n {
			g.idx[0][i] = int32(i)
		}
	} else {
		n = len(rows)
		copy(g.idx[0], rows)
	}
	root := leafState{count: n, parent: -1, hist: g.takeHist()}
	if err := g.buildHist(ctx, root.hist, g.idx[0][:n], all, gh); err != nil {
		return nil, err
	}
	for _, b := range root.hist[g.bm.offsets[0]:g.bm.offsets[1]] {
		root.sum.g += b.g
		root.sum.h += b.h
	}
	root.sum.n = int64(n)
	g.findBest(&root)
	leaves := []leafState{root}
	t := &Tree{}
	var binThr []int32
	defer func() {
		for i := range leaves {
			g.releaseHist(&leaves[i])
		}
	}()
	for len(leaves) < g.numLeaves {
		bestLeaf := -1
		for i := range leaves {
			if leaves[i].best.gain > 0 && (bestLeaf < 0 || leaves[i].best.gain > leaves[bestLeaf].best.gain) {
				bestLeaf = i
			}
		}
		if bestLeaf < 0 {
			break
		}
		l := leaves[bestLeaf]
		s := l.best
		m := g.mappers[s.feature]
		node := int32(len(t.Feature))
		goLeft := make([]bool, m.numBins())
		goLeft[0] = s.defaultLeft
		var thr float64
		var cats []uint64
		if m.categorical {
			cats = make([]uint64, (len(m.categories)+63)/64)
			for b := 1; b < len(goLeft); b++ {
				if s.catLeft[b] {
					goLeft[b] = true
					cats[(b-1)>>6] |= 1 << ((b - 1) & 63)
				}
			}
		} else {
			for b := 1; b <= s.threshold; b++ {
				goLeft[b] = true
			}
			thr = m.upper[s.threshold-1]
		}
		t.Feature = append(t.Feature, int32(s.feature))
		t.Threshold = append(t.Threshold, thr)
		t.CatLeft = append(t.CatLeft, cats)
		t.DefaultLeft = append(t.DefaultLeft, s.defaultLeft)
		t.Left = append(t.Left, ^int32(bestLeaf))
		t.Right = append(t.Right, ^int32(len(leaves)))
		t.Gain = append(t.Gain, s.gain)
		t.Count = append(t.Count, int64(l.count))
		t.Value = append(t.Value, leafOutput(l.sum.g, l.sum.h, g.cfg.l1, g.cfg.l2))
		binThr = append(binThr, int32(s.threshold))
		if l.parent >= 0 {
			if l.isLeft {
				t.Left[l.parent] = node
			} else {
				t.Right[l.parent] = node
			}
		}
		nl, buf, err := g.partition(ctx, &l, s.feature, goLeft)
		if err != nil {
			return nil, err
		}
		left := leafState{begin: l.begin, count: nl, buf: buf, sum: s.left, depth: l.depth + 1, parent: node, isLeft: true}
		right := leafState{begin: l.begin + nl, count: l.count - nl, buf: buf, sum: s.right, depth: l.depth + 1, parent: node}
		// Build the smaller child's histogram; the larger one's is the
		// parent's minus it, computed in place.
		small, large := &left, &right
		if right.count < left.count {
			small, large = &right, &left
		}
		small.hist = g.takeHist()
		if err := g.buildHist(ctx, small.hist, g.idx[buf][small.begin:small.begin+small.count], false, gh); err != nil {
			return nil, err
		}
		large.hist = l.hist
		for i, b := range small.hist {
			large.hist[i].g -= b.g
			large.hist[i].h -= b.h
		}
		// The children's true sizes replace the split's estimates.
		leftSum, rightSum := s.left, s.right
		leftSum.n, rightSum.n = int64(left.count), int64(right.count)
		left.sum, right.sum = leftSum, rightSum
		leaves[bestLeaf] = left
		leaves = append(leaves, right)
		pair := [2]*leafState{&leaves[bestLeaf], &leaves[len(leaves)-1]}
		if err := g.team.Run(2, func(i int) { g.findBest(pair[i]) }); err != nil {
			return nil, err
		}
		for _, p := range pair {
			if p.best.gain <= 0 {
				g.releaseHist(p)
			}
		}
	}
	for _, l := range leaves {
		t.LeafValue = append(t.LeafValue, leafOutput(l.sum.g, l.sum.h, g.cfg.l1, g.cfg.l2))
		t.LeafCount = append(t.LeafCount, int64(l.count))
	}
	return &grown{tree: t, binThr: binThr, leaves: leaves}, nil
}

// leafOfBins returns the leaf of gt that row r of bm reaches.
func leafOfBins[B binType](gt *grown, bm *binMatrix[B], r int) int {
	t := gt.tree
	c := t.root()
	for c >= 0 {
		b := bm.binOf(r, int(t.Feature[c]))
		var left bool
		switch {
		case b == 0:
			left = t.DefaultLeft[c]
		case t.CatLeft[c] != nil:
			code := uint32(b - 1)
			left = t.CatLeft[c][code>>6]&(1<<(code&63)) != 0
		default:
			left = int32(b) <= gt.binThr[c]
		}
		if left {
			c = t.Left[c]
		} else {
			c = t.Right[c]
		}
	}
	return int(^c)
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) uint8 {
	return *(*uint8)(unsafe.Pointer(&b))
}
