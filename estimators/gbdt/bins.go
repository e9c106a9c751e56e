package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
)

// binType is the storage of bin indices: one byte when every feature has
// at most 256 bins, two otherwise.
type binType interface{ ~uint8 | ~uint16 }

// mapper turns the values of one feature into bins. Bin 0 holds missing
// values (and, for categorical features, unseen categories). A numeric
// value v falls in bin b >= 1 when upper[b-2] < v <= upper[b-1]; the last
// upper bound is +Inf. A category falls in bin 1 + its index.
type mapper struct {
	categorical bool
	upper       []float64
	keys        []uint64 // orderKey of upper, for the search in bin
	categories  []string
}

// orderKey maps a float64 to a uint64 of the same order (for non-NaN
// values), so that bin compares integers, which compile to conditional
// moves where float comparisons compile to branches.
func orderKey(v float64) uint64 {
	if v == 0 {
		v = 0 // -0 and +0 are equal, as the trees compare them
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// numBins returns the number of bins, missing bin included.
func (m *mapper) numBins() int {
	if m.categorical {
		return 1 + len(m.categories)
	}
	return 1 + len(m.upper)
}

// bin returns the bin of a numeric value.
func (m *mapper) bin(v float64) int {
	if v != v {
		return 0
	}
	// A branch-free lower bound: the last bound is +Inf, so the first bound
	// >= v exists; data-dependent branches would mispredict on every level.
	u := m.keys
	k := orderKey(v)
	base := 0
	for n := len(u); n > 1; {
		half := n >> 1
		if u[base+half-1] < k {
			base += half
		}
		n -= half
	}
	return 1 + base
}

// numericMapper cuts a numeric feature into at most maxBin bins from a
// sample of its values. With few distinct values every value gets a bin of
// its own; otherwise bins hold about equal numbers of sampled values, and
// a value is never split across two bins. Bounds sit halfway between
// neighbouring distinct values.
func numericMapper(sample []float64, maxBin int) *mapper {
	distinct, counts, n := fewDistinct(sample)
	if distinct == nil {
		vals := make([]float64, 0, len(sample))
		for _, v := range sample {
			if v == v {
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		for i, v := range vals {
			if i == 0 || v != vals[i-1] {
				distinct = append(distinct, v)
				counts = append(counts, 0)
			}
			counts[len(counts)-1]++
		}
		n = len(vals)
	}
	var upper []float64
	if len(distinct) <= maxBin {
		for i := 0; i+1 < len(distinct); i++ {
			upper = append(upper, midpoint(distinct[i], distinct[i+1]))
		}
	} else {
		left := n
		bins := 0
		acc := 0
		target := float64(left) / float64(maxBin)
		for i := 0; i+1 < len(distinct) && bins < maxBin-1; i++ {
			acc += counts[i]
			left -= counts[i]
			// Cut once the bin is full, or when a cut is needed for every
			// remaining distinct value to keep the bins in budget.
			if float64(acc) >= target || len(distinct)-1-i <= maxBin-1-bins-1 {
				upper = append(upper, midpoint(distinct[i], distinct[i+1]))
				bins++
				acc = 0
				target = float64(left) / float64(maxBin-bins)
			}
		}
	}
	return newNumericMapper(append(upper, math.Inf(1)))
}

// fewDistinct returns the sorted distinct non-NaN values of sample, their
// counts and how many values are not NaN, when there are at most 8
// distinct values (one-hot columns, flags, small codes), found by one scan
// without sorting the sample; otherwise it returns nil.
func fewDistinct(sample []float64) ([]float64, []int, int) {
	var distinct [8]float64
	var counts [8]int
	k, n := 0, 0
	for _, v := range sample {
		if v != v {
			continue
		}
		n++
		j := 0
		for j < k && distinct[j] != v {
			j++
		}
		if j == k {
			if k == len(distinct) {
				return nil, nil, 0
			}
			distinct[k] = v
			k++
		}
		counts[j]++
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmpFloat(distinct[a], distinct[b]) })
	d, c := make([]float64, k), make([]int, k)
	for i, o := range order {
		d[i], c[i] = distinct[o], counts[o]
	}
	return d, c, n
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// newNumericMapper returns the mapper of the given bin bounds.
func newNumericMapper(upper []float64) *mapper {
	keys := make([]uint64, len(upper))
	for i, u := range upper {
		keys[i] = orderKey(u)
	}
	return &mapper{upper: upper, keys: keys}
}

// midpoint returns a bound between a < b that keeps a below or on it and b
// above it.
func midpoint(a, b float64) float64 {
	m := a + (b-a)/2
	if m >= b || math.IsInf(m, 0) || m != m { // m is NaN when a is -Inf
		m = a
	}
	return m
}

// sampleRows returns at most k row indices of n in increasing order, drawn
// without replacement with a generator seeded by seed.
func sampleRows(n, k int, seed uint64) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	// Floyd's algorithm draws k distinct rows without a permutation of n.
	chosen := make(map[int]struct{}, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, ok := chosen[t]; ok {
			t = j
		}
		chosen[t] = struct{}{}
	}
	out := make([]int, 0, k)
	for r := range chosen {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// column is one feature column of a frame as the binning reads it.
type column struct {
	name  string
	arr   arrow.Array
	codes []int32 // categorical: training category code per row, -1 missing or unseen
}

// readColumns prepares the feature columns of a frame for binning with the
// mappers. Categorical columns are read as codes of the mappers' categories.
func readColumns(data *engine.Frame, features []string, mappers []*mapper) ([]column, error) {
	cols := make([]column, len(features))
	for j, f := range features {
		arr, err := data.Require(f, "feature")
		if err != nil {
			return nil, err
		}
		cols[j] = column{name: f, arr: arr}
		m := mappers[j]
		switch {
		case m.categorical && !engine.IsCategorical(arr.DataType()):
			return nil, engine.Errorf(engine.KindType, "feature %q was categorical in training but has type %s here", f, arr.DataType())
		case !m.categorical && !engine.IsNumeric(arr.DataType()):
			return nil, engine.Errorf(engine.KindType, "feature %q was numeric in training but has type %s here", f, arr.DataType())
		case m.categorical:
			cats, err := engine.ReadCategories(f, arr)
			if err != nil {
				return nil, err
			}
			cols[j].codes = remapCodes(cats, m.categories)
		}
	}
	return cols, nil
}

// remapCodes turns a column's own category codes into codes of the known
// categories (sorted), with -1 for nulls and categories not known.
func remapCodes(cats *engine.Categories, known []string) []int32 {
	remap := make([]int32, len(cats.Values))
	for k, v := range cats.Values {
		i, ok := slices.BinarySearch(known, v)
		remap[k] = -1
		if ok {
			remap[k] = int32(i)
		}
	}
	codes := cats.Codes
	for i, c := range codes {
		if c >= 0 {
			codes[i] = remap[c]
		}
	}
	return codes
}

// values fills dst with the feature values of rows [lo, lo+len(dst)) as
// trees read them: numbers, or category codes, NaN for missing.
func (c *column) values(lo int, dst []float64) {
	if c.codes == nil {
		engine.ReadFloat64s(c.arr, lo, dst)
		return
	}
	for i, code := range c.codes[lo : lo+len(dst)] {
		dst[i] = float64(code)
		if code < 0 {
			dst[i] = math.NaN()
		}
	}
}

// binMatrix is the binned feature matrix. Its features are stored in
// columns, row-major: the stored values of row r are bins[r*ng : (r+1)*ng].
// A column holds one feature's bins as they are, or a bundle of features
// that are never away from their most frequent bin in the same row (the
// one-hot columns of one category, say): the bundle stores which feature
// is away and in which bin, so a histogram pass reads one column for all
// of them (LightGBM's exclusive feature bundling, without conflicts).
//
// offsets[j] is the first histogram slot of feature j and offsets[nf] the
// histogram's size; slots[c] is the first slot of stored column c in the
// histogram of stored values, which buildHist expands into features.
type binMatrix[B binType] struct {
	n, nf, ng int
	bins      []B
	offsets   []int
	slots     []int
	column    []int      // stored column of each feature
	decode    [][]uint16 // per feature, its bin for each value of its column; nil when the column is its own
	common    []int      // per bundled feature, its most frequent bin, which the column does not store
	members   [][]int    // features of each stored column
	owner     [][]int32  // per stored column of a bundle, the feature each stored value belongs to (-1 for 0)
	// byColumn holds the stored columns again, column by column, for
	// partitioning rows, which reads one column at scattered rows: a
	// column is 1/ng of the matrix and stays in cache (see columnMajor).
	byColumn [][]B
}

// columnMajor fills bm.byColumn, in parallel over row chunks.
func (bm *binMatrix[B]) columnMajor(ctx context.Context, threads int) error {
	bm.byColumn = make([][]B, bm.ng)
	for c := range bm.byColumn {
		bm.byColumn[c] = make([]B, bm.n)
	}
	return engine.ForChunks(ctx, threads, bm.n, func(_, lo, hi int) {
		for c, col := range bm.byColumn {
			for r := lo; r < hi; r++ {
				col[r] = bm.bins[r*bm.ng+c]
			}
		}
	})
}

// binOf returns the bin of feature f in row r.
func (bm *binMatrix[B]) binOf(r, f int) int {
	v := int(bm.bins[r*bm.ng+bm.column[f]])
	if d := bm.decode[f]; d != nil {
		return int(d[v])
	}
	return v
}

// identityLayout gives every feature a stored column of its own.
func (bm *binMatrix[B]) identityLayout(mappers []*mapper) {
	bm.ng = bm.nf
	bm.offsets = make([]int, bm.nf+1)
	bm.column = make([]int, bm.nf)
	bm.decode = make([][]uint16, bm.nf)
	bm.members = make([][]int, bm.nf)
	for j, m := range mappers {
		bm.offsets[j+1] = bm.offsets[j] + m.numBins()
		bm.column[j] = j
		bm.members[j] = []int{j}
	}
	bm.slots = bm.offsets
}

// binFrame bins every row of cols with the mappers, in parallel over row
// chunks, one stored column per feature.
func binFrame[B binType](ctx context.Context, threads int, cols []column, mappers []*mapper) (*binMatrix[B], error) {
	nf := len(cols)
	n := 0
	if nf > 0 {
		n = cols[0].arr.Len()
	}
	bm := &binMatrix[B]{n: n, nf: nf, bins: make([]B, n*nf)}
	bm.identityLayout(mappers)
	err := engine.ForChunks(ctx, threads, n, func(_, lo, hi int) {
		buf := make([]float64, hi-lo)
		for j, c := range cols {
			m := mappers[j]
			if c.codes != nil {
				for i, code := range c.codes[lo:hi] {
					bm.bins[(lo+i)*nf+j] = B(code + 1)
				}
				continue
			}
			engine.ReadFloat64s(c.arr, lo, buf)
			for i, v := range buf {
				bm.bins[(lo+i)*nf+j] = B(m.bin(v))
			}
		}
	})
	return bm, err
}

// bundle returns bm with its mutually exclusive sparse features stored in
// shared columns, or bm itself when no two features can share one. A
// feature is a candidate when at most half the rows leave its most
// frequent bin; candidates, the sparsest last, join the first bundle none
// of whose rows they share and whose stored values stay within B.
func bundle[B binType](ctx context.Context, threads int, bm *binMatrix[B], mappers []*mapper) (*binMatrix[B], error) {
	n, nf := bm.n, bm.nf
	if nf < 2 || n == 0 {
		return bm, nil
	}
	// Bin counts of every feature, per row chunk, then added.
	chunks := engine.NumChunks(n)
	counts := make([][]int64, chunks)
	err := engine.ForChunks(ctx, threads, n, func(c, lo, hi int) {
		cnt := make([]int64, bm.offsets[nf])
		for r := lo; r < hi; r++ {
			for j, b := range bm.bins[r*nf : (r+1)*nf] {
				cnt[bm.offsets[j]+int(b)]++
			}
		}
		counts[c] = cnt
	})
	if err != nil {
		return nil, err
	}
	common := make([]int, nf)
	away := make([]int, nf) // rows not in the most frequent bin
	var candidates []int
	for j := range nf {
		best := int64(-1)
		for b := range mappers[j].numBins() {
			var k int64
			for _, cnt := range counts {
				k += cnt[bm.offsets[j]+b]
			}
			if k > best {
				best, common[j] = k, b
			}
		}
		away[j] = n - int(best)
		if away[j] <= n/2 {
			candidates = append(candidates, j)
		}
	}
	if len(candidates) < 2 {
		return bm, nil
	}
	// The rows where each candidate leaves its common bin, in one pass.
	rows := make([][]int32, nf)
	for _, j := range candidates {
		rows[j] = make([]int32, 0, away[j])
	}
	for r := range n {
		row := bm.bins[r*nf : (r+1)*nf]
		for _, j := range candidates {
			if int(row[j]) != common[j] {
				rows[j] = append(rows[j], int32(r))
			}
		}
	}
	slices.SortStableFunc(candidates, func(a, b int) int { return away[b] - away[a] })
	limit := 1 << (8 * unsafe.Sizeof(B(0)))
	type pack struct {
		features []int
		values   int // stored values used, 0 (every feature common) included
		taken    []uint64
		away     int
	}
	var packs []*pack
	bundled := make([]int, nf) // 1 + pack of each bundled feature
	for _, j := range candidates {
		size := mappers[j].numBins() - 1
		placed := false
		for pi, p := range packs {
			if p.values+size > limit || p.away+away[j] > n {
				continue
			}
			clash := false
			for _, r := range rows[j] {
				if p.taken[r>>6]&(1<<(r&63)) != 0 {
					clash = true
					break
				}
			}
			if clash {
				continue
			}
			p.features = append(p.features, j)
			p.values += size
			p.away += away[j]
			for _, r := range rows[j] {
				p.taken[r>>6] |= 1 << (r & 63)
			}
			bundled[j] = pi + 1
			placed = true
			break
		}
		if !placed && 1+size <= limit {
			p := &pack{features: []int{j}, values: 1 + size, taken: make([]uint64, (n+63)/64), away: away[j]}
			for _, r := range rows[j] {
				p.taken[r>>6] |= 1 << (r & 63)
			}
			packs = append(packs, p)
			bundled[j] = len(packs)
		}
	}
	// Features left in a pack of their own keep a column of their own.
	for _, p := range packs {
		if len(p.features) == 1 {
			bundled[p.features[0]] = 0
		}
	}
	// Stored columns in the order of their first feature.
	out := &binMatrix[B]{n: n, nf: nf, offsets: bm.offsets, column: make([]int, nf), decode: make([][]uint16, nf),
		common: make([]int, nf)}
	base := make([]int, nf) // stored value of a bundled feature's first bin away from its common one, minus 1
	seen := make(map[int]int)
	for j := range nf {
		if bundled[j] == 0 {
			out.column[j] = len(out.members)
			out.members = append(out.members, []int{j})
			continue
		}
		c, ok := seen[bundled[j]]
		if !ok {
			c = len(out.members)
			seen[bundled[j]] = c
			out.members = append(out.members, nil)
		}
		out.column[j] = c
		out.members[c] = append(out.members[c], j)
	}
	out.ng = len(out.members)
	if out.ng == nf {
		return bm, nil
	}
	out.slots = make([]int, out.ng+1)
	out.owner = make([][]int32, out.ng)
	for c, fs := range out.members {
		values := mappers[fs[0]].numBins()
		if len(fs) > 1 {
			values = 1
			for _, j := range fs {
				base[j] = values - 1
				values += mappers[j].numBins() - 1
			}
			for _, j := range fs {
				d := make([]uint16, values)
				for v := range d {
					d[v] = uint16(common[j])
				}
				for b := range mappers[j].numBins() {
					if b != common[j] {
						d[base[j]+rank(b, common[j])] = uint16(b)
					}
				}
				out.decode[j], out.common[j] = d, common[j]
			}
			own := make([]int32, values)
			own[0] = -1
			for _, j := range fs {
				for v := base[j] + 1; v < base[j]+mappers[j].numBins(); v++ {
					own[v] = int32(j)
				}
			}
			out.owner[c] = own
		}
		out.slots[c+1] = out.slots[c] + values
	}
	out.bins = make([]B, n*out.ng)
	err = engine.ForChunks(ctx, threads, n, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			src, dst := bm.bins[r*nf:(r+1)*nf], out.bins[r*out.ng:(r+1)*out.ng]
			for j, b := range src {
				c := out.column[j]
				switch {
				case out.decode[j] == nil:
					dst[c] = b
				case int(b) != common[j]:
					dst[c] = B(base[j] + rank(int(b), common[j]))
				}
			}
		}
	})
	return out, err
}

// rank numbers the bins of a bundled feature other than its common one
// from 1, in bin order.
func rank(b, common int) int {
	if b < common {
		return b + 1
	}
	return b
}
