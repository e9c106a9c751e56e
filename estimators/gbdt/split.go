package gbdt

import (
	"slices"
)

// splitConfig holds the hyperparameters that decide splits.
type splitConfig struct {
	minData                    int64
	minHess, minGain, l1, l2   float64
	maxCatOneHot, maxCatThresh int
	minDataPerGroup            int64
	catSmooth, catL2           float64
}

// split is the best split found for a leaf. gain <= 0 means none.
type split struct {
	feature     int
	gain        float64
	threshold   int    // numeric: bins 1..threshold go left
	catLeft     []bool // categorical: per bin, whether it goes left (bin 0 is default)
	defaultLeft bool
	left, right hbin
}

// thresholdL1 soft-thresholds a gradient sum by the L1 penalty.
func thresholdL1(g, l1 float64) float64 {
	switch {
	case g > l1:
		return g - l1
	case g < -l1:
		return g + l1
	}
	return 0
}

// leafScore is the loss reduction of a leaf with sums g, h at its optimal
// value: T(g)²/(h+l2) (twice the reduction, as is customary).
func leafScore(g, h, l1, l2 float64) float64 {
	t := thresholdL1(g, l1)
	return t * t / (h + l2)
}

// leafOutput is the optimal value of a leaf: -T(g)/(h+l2).
func leafOutput(g, h, l1, l2 float64) float64 {
	if h+l2 <= 0 {
		return 0
	}
	return -thresholdL1(g, l1) / (h + l2)
}

// rowsPerHessian is the factor that estimates row counts from hessian sums
// in a node.
func rowsPerHessian(total hbin) float64 {
	if total.h <= 0 {
		return 0
	}
	return float64(total.n) / total.h
}

// estimate returns a histogram slot's sums with its estimated row count.
func estimate(s slot, perHess float64) hbin {
	return hbin{g: s.g, h: s.h, n: int64(s.h*perHess + 0.5)}
}

// admissible reports whether a child meets the size constraints.
func (c *splitConfig) admissible(s hbin) bool {
	return s.n >= c.minData && s.h >= c.minHess
}

// numericSplit finds the best threshold of a numeric feature whose
// histogram (bins 0..B-1, bin 0 missing) is hist. Missing values are tried
// on both sides when the node has some; otherwise they go to the side with
// more rows.
func (c *splitConfig) numericSplit(f int, hist []slot, total hbin, best *split) {
	parent := leafScore(total.g, total.h, c.l1, c.l2)
	perHess := rowsPerHessian(total)
	miss := estimate(hist[0], perHess)
	l1, l2 := c.l1, c.l2
	bestGain, bestT, bestMissLeft := max(best.gain, c.minGain), -1, false
	for pass := range 2 {
		missLeft := pass == 1
		if missLeft && miss.n == 0 {
			break
		}
		var gl, hl float64
		var nl int64
		if missLeft {
			gl, hl, nl = miss.g, miss.h, miss.n
		}
		for t := 1; t < len(hist)-1; t++ {
			b := &hist[t]
			if b.h == 0 {
				continue // an empty bin moves no row: same split as the last
			}
			gl += b.g
			hl += b.h
			nl = int64(hl*perHess + 0.5)
			if nl < c.minData || hl < c.minHess {
				continue
			}
			nr, hr := total.n-nl, total.h-hl
			if nr < c.minData {
				break
			}
			if hr < c.minHess {
				continue
			}
			var gain float64
			if l1 == 0 {
				gr := total.g - gl
				gain = gl*gl/(hl+l2) + gr*gr/(hr+l2) - parent
			} else {
				gain = leafScore(gl, hl, l1, l2) + leafScore(total.g-gl, hr, l1, l2) - parent
			}
			if gain > bestGain {
				bestGain, bestT, bestMissLeft = gain, t, missLeft
			}
		}
	}
	if bestT < 0 {
		return
	}
	var left hbin
	if bestMissLeft {
		left = miss
	}
	for _, b := range hist[1 : bestT+1] {
		left.g += b.g
		left.h += b.h
	}
	left.n = int64(left.h*perHess + 0.5)
	right := total
	right.sub(left)
	dl := bestMissLeft
	if miss.n == 0 {
		dl = left.n >= right.n
	}
	*best = split{feature: f, gain: bestGain, threshold: bestT, defaultLeft: dl, left: left, right: right}
}

// catSplit finds the best split of a categorical feature: one category
// against the rest when the node has few categories, otherwise a prefix
// of the categories ordered by gradient ratio (from either end), with the
// categorical penalty and minimum group sizes. Missing values and
// categories too rare to rank go with the rest, and then are tried on the
// other side: the better side becomes the default for missing values and
// unseen categories.
func (c *splitConfig) catSplit(f int, slots []slot, total hbin, best *split) {
	parent := leafScore(total.g, total.h, c.l1, c.l2)
	perHess := rowsPerHessian(total)
	hist := make([]hbin, len(slots))
	var used []int
	for b, s := range slots {
		hist[b] = estimate(s, perHess)
		if b > 0 && s.h > 0 {
			used = append(used, b)
		}
	}
	if len(used) < 2 && hist[0].n == 0 {
		return
	}
	consider := func(set []int, l2 float64) {
		var left hbin
		for _, b := range set {
			left.add(hist[b])
		}
		for _, missLeft := range []bool{false, true} {
			l := left
			if missLeft {
				if hist[0].n == 0 {
					break
				}
				l.add(hist[0])
			}
			r := total
			r.sub(l)
			if !c.admissible(l) || !c.admissible(r) {
				continue
			}
			gain := leafScore(l.g, l.h, c.l1, l2) + leafScore(r.g, r.h, c.l1, l2) - parent
			if gain > best.gain && gain > c.minGain {
				cats := make([]bool, len(hist))
				for _, b := range set {
					cats[b] = true
				}
				*best = split{feature: f, gain: gain, catLeft: cats, defaultLeft: missLeft, left: l, right: r}
			}
		}
	}
	if len(used) <= c.maxCatOneHot {
		for _, b := range used {
			consider([]int{b}, c.l2)
		}
		return
	}
	var ranked []int
	for _, b := range used {
		if hist[b].n >= c.minDataPerGroup {
			ranked = append(ranked, b)
		}
	}
	ratio := func(b int) float64 { return hist[b].g / (hist[b].h + c.catSmooth) }
	slices.SortStableFunc(ranked, func(a, b int) int {
		ra, rb := ratio(a), ratio(b)
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return a - b
	})
	maxCats := min(c.maxCatThresh, (len(ranked)+1)/2)
	l2 := c.l2 + c.catL2
	for _, fromEnd := range []bool{false, true} {
		set := make([]int, 0, maxCats)
		var left hbin
		for i := 0; i < maxCats && i < len(ranked)-1; i++ {
			b := ranked[i]
			if fromEnd {
				b = ranked[len(ranked)-1-i]
			}
			set = append(set, b)
			left.add(hist[b])
			if left.n < c.minDataPerGroup || total.n-left.n < c.minDataPerGroup {
				continue
			}
			consider(set, l2)
		}
	}
}
