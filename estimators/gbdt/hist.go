package gbdt

// hbin accumulates the gradients, hessians and rows that fall in one bin.
type hbin struct {
	g, h float64
	n    int64
}

func (a *hbin) add(b hbin) {
	a.g += b.g
	a.h += b.h
	a.n += b.n
}

func (a *hbin) sub(b hbin) {
	a.g -= b.g
	a.h -= b.h
	a.n -= b.n
}

// accumulate adds the rows of rows to the histogram slots of the features
// [f0, f1), hist being indexed by slot - offsets[f0]. Each feature's bins
// are summed in row order whatever the split of the work, which keeps
// histograms, and so the trees, independent of the thread count.
func accumulate[B binType](hist []hbin, bm *binMatrix[B], rows []int32, grad, hess []float64, f0, f1 int) {
	nf := bm.nf
	offs := bm.offsets[f0:f1]
	base := bm.offsets[f0]
	for _, r := range rows {
		g, h := grad[r], hess[r]
		row := bm.bins[int(r)*nf+f0 : int(r)*nf+f1]
		for k, b := range row {
			e := &hist[offs[k]-base+int(b)]
			e.g += g
			e.h += h
			e.n++
		}
	}
}

// accumulateAll is accumulate over the rows [lo, hi) of the matrix, for the
// root of a tree grown on every row.
func accumulateAll[B binType](hist []hbin, bm *binMatrix[B], lo, hi int, grad, hess []float64, f0, f1 int) {
	nf := bm.nf
	offs := bm.offsets[f0:f1]
	base := bm.offsets[f0]
	for r := lo; r < hi; r++ {
		g, h := grad[r], hess[r]
		row := bm.bins[r*nf+f0 : r*nf+f1]
		for k, b := range row {
			e := &hist[offs[k]-base+int(b)]
			e.g += g
			e.h += h
			e.n++
		}
	}
}
