package fft

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
)

// kind is how a cue is asked about.
type kind uint8

const (
	numeric     kind = iota // thresholds: x > t, x <= t, ...
	categorical             // sets of levels: x = {a,b}, x != {a,b}
	logical                 // sets of TRUE, FALSE and NA
)

func (k kind) String() string {
	return [...]string{"numeric", "categorical", "logical"}[k]
}

// missingLevel names the missing value of a categorical or logical cue in a
// set of levels, as FFTrees does.
const missingLevel = "NA"

// cue is one input column prepared for counting: every row carries a code,
// 0 for a missing value and k+1 for the k-th value of the cue's sorted
// distinct values (numeric cues) or levels (the others).
type cue struct {
	name   string
	kind   kind
	values []float64 // numeric: distinct finite-or-infinite values, ascending
	levels []string  // categorical and logical: distinct levels, sorted
	codes  []uint32
}

// size is the number of codes, missing included.
func (c *cue) size() int {
	if c.kind == numeric {
		return len(c.values) + 1
	}
	return len(c.levels) + 1
}

// readCues prepares the feature columns of data as cues, in parallel over
// columns, and hands each cue's histogram over all rows (y: 1 for a
// positive case) to seen, which may keep what it needs of it: built while
// the cue is read, it costs no further pass. It fails naming the column for
// a type that cannot be a cue or a column with fewer than two distinct
// values.
//
// Numeric cues get per-row codes only when needCodes is set: learners that
// ask only fixed questions read the column itself instead.
func readCues(ctx context.Context, data *engine.Frame, names []string, y []uint8, needCodes bool, threads int, seen func(i int, c *cue, h hist)) ([]*cue, error) {
	cues := make([]*cue, len(names))
	errs := make([]error, len(names))
	err := engine.ForTasks(ctx, threads, len(names), func(i int) {
		var h hist
		cues[i], h, errs[i] = readCue(names[i], data.Column(names[i]), y, needCodes)
		if errs[i] == nil {
			seen(i, cues[i], h)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return cues, nil
}

func readCue(name string, col arrow.Array, y []uint8, needCodes bool) (*cue, hist, error) {
	c := &cue{name: name}
	var h hist
	switch t := col.DataType(); {
	case t.ID() == arrow.BOOL:
		c.kind = logical
		c.levels = []string{"FALSE", "TRUE"}
		c.codes = make([]uint32, col.Len())
		b := col.(*array.Boolean)
		for i := range c.codes {
			switch {
			case b.IsNull(i):
			case b.Value(i):
				c.codes[i] = 2
			default:
				c.codes[i] = 1
			}
		}
	case engine.IsCategorical(t):
		c.kind = categorical
		cats, err := engine.ReadCategories(name, col)
		if err != nil {
			return nil, h, err
		}
		c.levels = cats.Values
		// A set names missing values "NA", so a level spelled "NA" and a
		// missing value are one level: they are counted as one.
		missing := uint32(0)
		if k, found := slices.BinarySearch(c.levels, missingLevel); found {
			missing = uint32(k + 1)
		}
		c.codes = make([]uint32, len(cats.Codes))
		for i, k := range cats.Codes {
			c.codes[i] = uint32(k + 1)
			if k < 0 {
				c.codes[i] = missing
			}
		}
	case engine.IsNumeric(t):
		c.kind = numeric
		raw := make([]float64, col.Len())
		engine.ReadFloat64s(col, 0, raw)
		c.values, c.codes, h = rankValues(raw, y, needCodes)
	default:
		return nil, h, engine.Errorf(engine.KindType,
			"column %q has type %s; cues must be numeric, boolean, string or categorical", name, t)
	}
	distinct := len(c.levels)
	if c.kind == numeric {
		distinct = len(c.values)
	}
	if c.kind == logical { // FALSE and TRUE are levels even when absent
		distinct = 0
		for _, k := range []uint32{1, 2} {
			if slices.Contains(c.codes, k) {
				distinct++
			}
		}
	}
	if c.kind != numeric && slices.Contains(c.codes, 0) {
		distinct++ // missing is a level of its own
	}
	if distinct < 2 {
		return nil, h, engine.Errorf(engine.KindValue,
			"cue %q has a single value, so it cannot tell cases apart; leave it out with features=", name)
	}
	if c.kind != numeric {
		h = newHist(c.size())
		h.count(c.codes, y, nil, 0, len(y))
	}
	return c, h, nil
}

// rankValues returns the distinct values of x (NaN excluded) in ascending
// order, the histogram of y over their ranks (from 1; 0 for NaN) and, if
// needCodes, every row's rank. It sorts once, by radix on the leading
// 32 bits in which the values differ, packed with the row into one word,
// then orders the (short) runs that agree on those bits by full value: a
// few passes over the data rather than n log n comparisons.
func rankValues(x []float64, y []uint8, needCodes bool) ([]float64, []uint32, hist) {
	// Values that float32 holds exactly (from float32 columns, or small
	// integers) sort on their exact 32-bit key, recovered from the sorted
	// words without touching x again.
	exact32 := true
	for _, v := range x {
		if v == v && float64(float32(v)) != v {
			exact32 = false
			break
		}
	}
	packed := make([]uint64, 0, len(x))
	if exact32 {
		for i, v := range x {
			if v == v {
				packed = append(packed, uint64(orderKey32(float32(v)))<<32|uint64(i))
			}
		}
		radixSortHigh(packed)
	} else {
		packed = sortFloat64(x, packed)
	}
	distinct := 0
	for i, p := range packed {
		if i == 0 || p>>32 != packed[i-1]>>32 || (!exact32 && x[uint32(p)] != x[uint32(packed[i-1])]) {
			distinct++
		}
	}
	var codes []uint32
	if needCodes {
		codes = make([]uint32, len(x))
	}
	values := make([]float64, 0, distinct)
	h := newHist(distinct + 1)
	for i, p := range packed {
		r := uint32(p)
		if i == 0 || p>>32 != packed[i-1]>>32 || (!exact32 && x[r] != x[uint32(packed[i-1])]) {
			if exact32 {
				values = append(values, float64(fromOrderKey32(uint32(p>>32))))
			} else {
				values = append(values, x[r]+0) // +0 turns -0 into 0
			}
		}
		k := uint32(len(values))
		if needCodes {
			codes[r] = k
		}
		h[2*k+uint32(y[r])]++
	}
	for r, v := range x {
		if v != v {
			h[y[r]]++
		}
	}
	return values, codes, h
}

// sortFloat64 returns the non-NaN rows of x ordered by value, each packed
// under the leading 32 bits in which the values differ; runs that agree
// on those bits are then ordered by full value.
func sortFloat64(x []float64, packed []uint64) []uint64 {
	// Mantissa bits that are zero in every value carry no order.
	var used uint64
	for _, v := range x {
		if v == v {
			used |= math.Float64bits(v) &^ (1 << 63)
		}
	}
	shift := min(bits.TrailingZeros64(used), 63)
	kmin, kmax := uint64(math.MaxUint64), uint64(0)
	for _, v := range x {
		if v == v {
			k := orderKey(v) >> shift
			kmin, kmax = min(kmin, k), max(kmax, k)
		}
	}
	drop := max(0, bits.Len64(kmax-kmin)-32)
	for i, v := range x {
		if v == v {
			packed = append(packed, (orderKey(v)>>shift-kmin)>>drop<<32|uint64(i))
		}
	}
	radixSortHigh(packed)
	if drop == 0 {
		return packed
	}
	for lo := 0; lo < len(packed); {
		hi := lo + 1
		for hi < len(packed) && packed[hi]>>32 == packed[lo]>>32 {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(packed[lo:hi], func(a, b uint64) int {
				return cmp.Or(cmp.Compare(x[uint32(a)], x[uint32(b)]), cmp.Compare(uint32(a), uint32(b)))
			})
		}
		lo = hi
	}
	return packed
}

// orderKey32 maps a float32 to a uint32 whose unsigned order is the
// float's order, with -0 and +0 made equal.
func orderKey32(v float32) uint32 {
	if v == 0 {
		v = 0
	}
	b := math.Float32bits(v)
	if b>>31 != 0 {
		return ^b
	}
	return b | 1<<31
}

func fromOrderKey32(k uint32) float32 {
	if k>>31 != 0 {
		return math.Float32frombits(k &^ (1 << 31))
	}
	return math.Float32frombits(^k)
}

// orderKey maps a float64 to a uint64 whose unsigned order is the float's
// order, with -0 and +0 made equal.
func orderKey(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// radixSortHigh sorts a by its high 32 bits, stably: a
// least-significant-digit radix sort over only the bits in which the keys
// differ, in as few passes of at most 16 bits as cover them (two for
// 32-bit keys: on large data each pass is a trip through memory).
func radixSortHigh(a []uint64) {
	n := len(a)
	if n < 256 {
		slices.SortStableFunc(a, func(p, q uint64) int { return cmp.Compare(p>>32, q>>32) })
		return
	}
	var differ uint64
	for _, k := range a {
		differ |= (k ^ a[0]) >> 32
	}
	if differ == 0 {
		return
	}
	lo := 32 + bits.TrailingZeros64(differ)
	width := 64 - bits.LeadingZeros64(differ) + 32 - lo
	passes := (width + 15) / 16
	digit := (width + passes - 1) / passes
	mask := uint64(1)<<digit - 1
	counts := make([]uint32, passes<<digit)
	for _, k := range a {
		for p := range passes {
			counts[p<<digit+int(k>>(lo+p*digit)&mask)]++
		}
	}
	src, dst := a, make([]uint64, n)
	for p := range passes {
		cnt := counts[p<<digit : (p+1)<<digit]
		var sum uint32
		for i, c := range cnt {
			cnt[i] = sum
			sum += c
		}
		shift := lo + p*digit
		for _, k := range src {
			b := k >> shift & mask
			dst[cnt[b]] = k
			cnt[b]++
		}
		src, dst = dst, src
	}
	if passes%2 == 1 {
		copy(a, src)
	}
}
