package gbdt

import "unsafe"

// hbin is the sum of the gradients and hessians of a set of rows, and how
// many there are.
type hbin struct {
	g, h float64
	n    int64
}

// slot is one bin of a histogram: the sums of the gradients and hessians
// of its rows. Rows are not counted, which would cost a third of the
// histogram's work; split finding estimates them from the hessians, as
// LightGBM does (exactly for losses with constant hessians and no weights).
type slot struct{ g, h float64 }

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

// gradPair is the gradient and hessian of one row, side by side so that a
// row's pair costs one memory access.
type gradPair struct{ g, h float64 }

// accumulate adds the rows of rows (every row in [lo, hi) when rows is
// nil) to the histogram slots of the stored columns [c0, c1), hist being
// indexed by slot - slots[c0]. Each column's bins are summed in row order
// whatever the split of the work, which keeps histograms, and so the
// trees, independent of the thread count.
func accumulate[B binType](hist []slot, bm *binMatrix[B], rows []int32, lo, hi int, gh []gradPair, c0, c1 int) {
	ng := bm.ng
	width := c1 - c0
	if width == 0 || len(hist) == 0 {
		return
	}
	rel := make([]int, width)
	for k := range rel {
		rel[k] = bm.slots[c0+k] - bm.slots[c0]
	}
	// Every slot rel[k]+b lies inside hist by construction of the offsets
	// (b < number of values of the column), so the inner loop skips bounds
	// checks through a base pointer.
	base := unsafe.Pointer(unsafe.SliceData(hist))
	add := func(r int) {
		p := gh[r]
		row := bm.bins[r*ng+c0 : r*ng+c1]
		for k, b := range row {
			e := (*slot)(unsafe.Add(base, uintptr(rel[k]+int(b))*unsafe.Sizeof(slot{})))
			e.g += p.g
			e.h += p.h
		}
	}
	if rows == nil {
		for r := lo; r < hi; r++ {
			add(r)
		}
		return
	}
	if bins, ok := any(bm.bins).([]uint8); ok && haveAccRows && hi > lo {
		// Every row index is below bm.n and every slot inside hist, as
		// above; the kernel reads and writes without checks.
		accRowsU8(&hist[0], &bins[c0], ng, &rows[lo], hi-lo, &gh[0], &rel[0], width)
		return
	}
	for _, r := range rows[lo:hi] {
		add(int(r))
	}
}

// expand turns the histogram of stored columns into the histogram of
// features. A bundled feature's common bin, which its column does not
// store, gets the leaf's sums less those of its other bins.
func expand[B binType](hist, stored []slot, bm *binMatrix[B]) {
	var total slot
	for _, b := range stored[bm.slots[0]:bm.slots[1]] {
		total.g += b.g
		total.h += b.h
	}
	for c, fs := range bm.members {
		col := stored[bm.slots[c]:bm.slots[c+1]]
		own := bm.owner[c]
		if own == nil {
			f := fs[0]
			copy(hist[bm.offsets[f]:bm.offsets[f+1]], col)
			continue
		}
		for _, f := range fs {
			hist[bm.offsets[f]+bm.common[f]] = total
		}
		// One pass over the column's values: each belongs to one feature,
		// whose common bin gives up what the value holds.
		for v := 1; v < len(col); v++ {
			f := own[v]
			h := hist[bm.offsets[f]:bm.offsets[f+1]]
			h[bm.decode[f][v]] = col[v]
			rest := &h[bm.common[f]]
			rest.g -= col[v].g
			rest.h -= col[v].h
		}
	}
}
