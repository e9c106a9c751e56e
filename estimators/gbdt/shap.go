package gbdt

// This file computes exact SHAP values of a tree with the path-dependent
// TreeSHAP algorithm (Lundberg, Erion & Lee 2018, "Consistent individualized
// feature attribution for tree ensembles", Algorithm 2).
//
// The value of a set S of features for a row x is the tree's expected
// output when the features in S are fixed to x's values and the others are
// unknown: at a split on a feature in S the row follows its own branch, and
// at any other split it goes both ways, each child weighted by its share of
// the node's training rows (its cover). For one leaf that value is a
// product, over the distinct features on the leaf's path, of a factor that
// depends only on whether the feature is in S: its "one" fraction (1 if x
// follows the path at every split on the feature, else 0) when it is, its
// "zero" fraction (the product of the cover ratios along the path at those
// splits) when it is not. The Shapley value of such a product is a weighted
// sum over subset sizes that can be updated one feature at a time, so a
// single descent of the tree gives every feature's value in O(L·D²) time for
// L leaves and depth D, instead of the 2^F evaluations of the definition.

// shapPathElem is one distinct feature on the path from the root to the node
// being visited.
type shapPathElem struct {
	feature int32   // feature index; -1 for the placeholder at the root
	zero    float64 // fraction of cover that reaches here when the feature is unknown
	one     float64 // 1 if x follows the path at every split on the feature, else 0
	// weight is, for the subsets of size equal to the element's position,
	// the sum over such subsets of the path's product of fractions, times
	// the Shapley weight |S|!(n-|S|)!/(n+1)!. It is indexed by subset size,
	// not by feature, and so is not moved when an element is removed.
	weight float64
}

// shapScratch holds the working memory of Tree.contributions so that a
// call allocates nothing once the scratch has grown to the tree's depth.
// The zero value is ready to use. A shapScratch must not be used by more
// than one goroutine at a time.
type shapScratch struct {
	// path holds the path of every level of the current descent, each
	// level's after its parent's: a level at depth d has at most d+1
	// elements, so depth D needs (D+1)(D+2)/2 elements in all.
	path []shapPathElem

	// recip[i] is 1/i, so that the inner loops multiply instead of divide.
	recip []float64

	// The call being served; cleared on return so that the scratch does
	// not keep the tree or the caller's slices alive.
	t      *Tree
	x, phi []float64
}

// newShapScratch returns a scratch sized for trees whose leaves are at most
// maxDepth splits below the root. Deeper trees still work: the scratch grows
// as needed. A tree with L leaves is at most L-1 deep.
func newShapScratch(maxDepth int) *shapScratch {
	if maxDepth < 0 {
		maxDepth = 0
	}
	s := &shapScratch{path: make([]shapPathElem, (maxDepth+1)*(maxDepth+2)/2)}
	s.growRecip(maxDepth + 2)
	return s
}

// contributions adds the tree's SHAP values for row x to phi: the
// contribution of feature j to phi[j] and the tree's expected output, the
// value when no feature is known, to phi[len(phi)-1]. Adding rather than
// storing lets the caller sum an ensemble tree by tree. The values add up to
// t.Predict(x), up to rounding.
//
// The expected output is Σ LeafValue·LeafCount / Count[root] when every
// node's Count is the sum of its children's covers, the cover of a child
// being its Count or its LeafCount. A child of a node with no rows gets
// weight 0, so empty subtrees contribute nothing rather than NaN.
//
// The row follows the same branches as in Predict, missing values and
// categorical splits included; len(x) must cover every feature the tree
// splits on and len(phi) must be the number of features plus one.
func (t *Tree) contributions(x []float64, phi []float64, s *shapScratch) {
	s.t, s.x, s.phi = t, x, phi
	s.recurse(t.root(), 0, 0, 1, 1, -1)
	s.t, s.x, s.phi = nil, nil, nil
}

// recurse visits child reference c. The parent's path is the parentLen
// elements at s.path[parentOff:]; the visit extends a copy of it, placed
// right after it, with the split that led here: feature with fractions
// zero and one.
func (s *shapScratch) recurse(c int32, parentOff, parentLen int, zero, one float64, feature int32) {
	off := parentOff + parentLen
	n := parentLen // index of the new element
	if need := off + n + 1; need > len(s.path) {
		s.grow(need)
	}
	if n >= len(s.recip) {
		s.growRecip(n + 1)
	}
	copy(s.path[off:off+n], s.path[parentOff:off])
	m := s.path[off : off+n+1]
	shapExtend(m, zero, one, feature)

	t := s.t
	if c < 0 {
		v := t.LeafValue[^c]
		// With no feature known, the leaf is reached with the product of
		// the cover ratios along the path, which is the product of the
		// zero fractions: this leaf's share of the expected output.
		p := 1.0
		for i := range m {
			p *= m[i].zero
		}
		s.phi[len(s.phi)-1] += p * v
		for i := 1; i <= n; i++ {
			e := &m[i]
			s.phi[e.feature] += shapUnwoundSum(m, i, s.recip) * (e.one - e.zero) * v
		}
		return
	}

	f := t.Feature[c]
	hot, cold := t.Left[c], t.Right[c]
	if !t.goesLeft(c, s.x[f]) {
		hot, cold = cold, hot
	}

	// A feature split on again below enters the path once: the earlier
	// element is removed and its fractions are folded into the new ones.
	iz, io := 1.0, 1.0
	length := n + 1
	for k := 1; k <= n; k++ {
		if m[k].feature == f {
			iz, io = m[k].zero, m[k].one
			shapUnwind(m, k)
			length--
			break
		}
	}

	var hz, cz float64
	if cover := float64(t.Count[c]); cover > 0 {
		hz = iz * float64(t.childCover(hot)) / cover
		cz = iz * float64(t.childCover(cold)) / cover
	}
	// A child with both fractions 0 is reached for no set of known
	// features, and its element could not be unwound (division by zero),
	// so it is skipped.
	if hz != 0 || io != 0 {
		s.recurse(hot, off, length, hz, io, f)
	}
	if cz != 0 {
		s.recurse(cold, off, length, cz, 0, f)
	}
}

// grow makes room for at least need path elements, keeping the contents.
func (s *shapScratch) grow(need int) {
	p := make([]shapPathElem, max(need, 2*len(s.path)))
	copy(p, s.path)
	s.path = p
}

// growRecip extends s.recip to at least n entries.
func (s *shapScratch) growRecip(n int) {
	if len(s.recip) == 0 {
		s.recip = append(s.recip, 0) // never used
	}
	for i := len(s.recip); i < n; i++ {
		s.recip = append(s.recip, 1/float64(i))
	}
}

// childCover returns the training rows that reached child reference c.
func (t *Tree) childCover(c int32) int64 {
	if c < 0 {
		return t.LeafCount[^c]
	}
	return t.Count[c]
}

// shapExtend sets the last element of m to feature with fractions zero and one
// and updates the subset-size weights of the elements before it to account
// for it: a subset of size i of the longer path either leaves the feature
// out (weight times zero) or takes it in with i-1 others (weight times one).
func shapExtend(m []shapPathElem, zero, one float64, feature int32) {
	n := len(m) - 1
	w := 0.0
	if n == 0 {
		w = 1
	}
	m[n] = shapPathElem{feature: feature, zero: zero, one: one, weight: w}
	inv := 1 / float64(n+1)
	for i := n - 1; i >= 0; i-- {
		m[i+1].weight += one * m[i].weight * float64(i+1) * inv
		m[i].weight = zero * m[i].weight * float64(n-i) * inv
	}
}

// shapUnwind undoes shapExtend for element k of m, in place: the weights become
// those of the path without it, in m[:len(m)-1], and the elements after k
// move down one place. The fractions of element k must not both be 0.
func shapUnwind(m []shapPathElem, k int) {
	n := len(m) - 1
	one, zero := m[k].one, m[k].zero
	fn := float64(n + 1)
	if one != 0 {
		// Solve the recurrence of extend from the top: the largest
		// subset size can only have come from taking the feature in.
		next := m[n].weight
		for i := n - 1; i >= 0; i-- {
			w := next * fn / (float64(i+1) * one)
			next = m[i].weight - w*zero*float64(n-i)/fn
			m[i].weight = w
		}
	} else {
		for i := n - 1; i >= 0; i-- {
			m[i].weight = m[i].weight * fn / (zero * float64(n-i))
		}
	}
	for i := k; i < n; i++ {
		m[i].feature, m[i].zero, m[i].one = m[i+1].feature, m[i+1].zero, m[i+1].one
	}
}

// shapUnwoundSum returns the sum of the weights shapUnwind(m, k) would leave,
// without changing m. Times (one-zero) of element k and the leaf value, it
// is the leaf's contribution to the Shapley value of element k's feature.
// recip[i] must be 1/i for 0 < i < len(m).
func shapUnwoundSum(m []shapPathElem, k int, recip []float64) float64 {
	n := len(m) - 1
	one, zero := m[k].one, m[k].zero
	fn := float64(n + 1)
	recip = recip[:n+1]
	total := 0.0
	if one != 0 {
		a, b := fn/one, zero/fn
		next := m[n].weight
		for i := n - 1; i >= 0; i-- {
			w := next * a * recip[i+1]
			total += w
			next = m[i].weight - w*b*float64(n-i)
		}
	} else {
		a := fn / zero
		for i := n - 1; i >= 0; i-- {
			total += m[i].weight * a * recip[n-i]
		}
	}
	return total
}
