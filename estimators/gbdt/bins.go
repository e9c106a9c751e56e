package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"

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
	vals := make([]float64, 0, len(sample))
	for _, v := range sample {
		if v == v {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	var distinct []float64
	var counts []int
	for i, v := range vals {
		if i == 0 || v != vals[i-1] {
			distinct = append(distinct, v)
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	var upper []float64
	if len(distinct) <= maxBin {
		for i := 0; i+1 < len(distinct); i++ {
			upper = append(upper, midpoint(distinct[i], distinct[i+1]))
		}
	} else {
		left := len(vals)
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

// binMatrix is the binned feature matrix, row-major: the bins of row r are
// bins[r*nf : (r+1)*nf]. offsets[j] is the first histogram slot of feature
// j; offsets[nf] is the histogram's size.
type binMatrix[B binType] struct {
	n, nf   int
	bins    []B
	offsets []int
}

// binFrame bins every row of cols with the mappers, in parallel over row
// chunks.
func binFrame[B binType](ctx context.Context, threads int, cols []column, mappers []*mapper) (*binMatrix[B], error) {
	nf := len(cols)
	n := 0
	if nf > 0 {
		n = cols[0].arr.Len()
	}
	bm := &binMatrix[B]{n: n, nf: nf, bins: make([]B, n*nf), offsets: make([]int, nf+1)}
	for j, m := range mappers {
		bm.offsets[j+1] = bm.offsets[j] + m.numBins()
	}
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
