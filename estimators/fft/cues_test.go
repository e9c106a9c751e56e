package fft

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

// TestRadixSortHigh checks radixSortHigh against a stable comparison sort
// on the high 32 bits, with the row in the low bits so that stability
// shows, for keys that differ in few, many or all bits, below and above
// the size at which it switches to radix passes.
func TestRadixSortHigh(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []struct {
		name string
		key  func() uint32
	}{
		{"all equal", func() uint32 { return 0xdeadbeef }},
		{"full 32 bits", func() uint32 { return rng.Uint32() }},
		{"low 3 bits", func() uint32 { return 0xabc00000 | rng.Uint32N(8) }},
		{"high 5 bits", func() uint32 { return rng.Uint32N(32)<<27 | 0x1234 }},
		{"middle 17 bits", func() uint32 { return rng.Uint32N(1<<17) << 9 }},
		{"middle 31 bits", func() uint32 { return rng.Uint32N(1<<31) << 1 }},
		{"two values", func() uint32 { return []uint32{7, 1 << 30}[rng.IntN(2)] }},
		{"sparse top and bottom", func() uint32 { return rng.Uint32N(2)<<31 | rng.Uint32N(2) }},
	}
	for _, k := range keys {
		for _, n := range []int{0, 1, 2, 255, 256, 257, 1000, 70000} {
			t.Run(fmt.Sprintf("%s/n=%d", k.name, n), func(t *testing.T) {
				a := make([]uint64, n)
				for i := range a {
					a[i] = uint64(k.key())<<32 | uint64(i)
				}
				want := slices.Clone(a)
				slices.SortStableFunc(want, func(p, q uint64) int { return cmp.Compare(p>>32, q>>32) })
				radixSortHigh(a)
				if i := firstDiff(a, want); i >= 0 {
					t.Fatalf("element %d is %#x, want %#x", i, a[i], want[i])
				}
			})
		}
	}
}

func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// valueCase is a kind of numeric data for rankValues.
type valueCase struct {
	name string
	gen  func(rng *rand.Rand) float64
}

// withSpecials draws from gen but mixes in NaN, -0, +0, ±Inf and repeats
// of a few values.
func withSpecials(gen func(rng *rand.Rand) float64) func(rng *rand.Rand) float64 {
	return func(rng *rand.Rand) float64 {
		switch rng.IntN(16) {
		case 0:
			return math.NaN()
		case 1:
			return math.Copysign(0, -1)
		case 2:
			return 0
		case 3:
			return math.Inf(1)
		case 4:
			return math.Inf(-1)
		case 5:
			return []float64{1.5, -2.25, 1e-300}[rng.IntN(3)]
		}
		return gen(rng)
	}
}

var valueCases = []valueCase{
	{"float64 full mantissa", func(rng *rand.Rand) float64 { return rng.NormFloat64() * 1e3 }},
	{"float64 wide exponents", func(rng *rand.Rand) float64 {
		return math.Ldexp(rng.Float64()+0.5, rng.IntN(2000)-1000) * float64(1-2*rng.IntN(2))
	}},
	{"float64 in [1,2)", func(rng *rand.Rand) float64 { return 1 + rng.Float64() }},
	{"float64 on a fine grid", func(rng *rand.Rand) float64 { return 1 + float64(rng.IntN(5000))*0x1p-40 }},
	{"large integers", func(rng *rand.Rand) float64 { return float64(1<<40 + rng.Int64N(1000)) }},
	{"float32 origin", func(rng *rand.Rand) float64 { return float64(float32(rng.NormFloat64())) }},
	{"float32 subnormals", func(rng *rand.Rand) float64 {
		return float64(math.Float32frombits(rng.Uint32N(1 << 10)))
	}},
	{"small integers", func(rng *rand.Rand) float64 { return float64(rng.IntN(21) - 10) }},
	{"two values", func(rng *rand.Rand) float64 { return float64(rng.IntN(2)) }},
}

// TestRankValues checks rankValues against a plain sort: the distinct
// values in ascending order (-0 and +0 one value, +0; NaN left out), every
// row's code, and the histogram of the outcomes by code.
func TestRankValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []valueCase
	for _, c := range valueCases {
		cases = append(cases, c, valueCase{c.name + " with specials", withSpecials(c.gen)})
	}
	cases = append(cases,
		valueCase{"only NaN and zeros", func(rng *rand.Rand) float64 {
			return []float64{math.NaN(), 0, math.Copysign(0, -1)}[rng.IntN(3)]
		}},
		valueCase{"only infinities", func(rng *rand.Rand) float64 { return math.Inf(1 - 2*rng.IntN(2)) }},
	)
	for _, c := range cases {
		for _, n := range []int{1, 7, 255, 256, 300, 5000} {
			t.Run(fmt.Sprintf("%s/n=%d", c.name, n), func(t *testing.T) {
				x := make([]float64, n)
				y := make([]uint8, n)
				for i := range x {
					x[i] = c.gen(rng)
					y[i] = uint8(rng.IntN(2))
				}
				checkRankValues(t, x, y)
			})
		}
	}
}

func checkRankValues(t *testing.T, x []float64, y []uint8) {
	t.Helper()
	var want []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			want = append(want, v+0)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	wantHist := newHist(len(want) + 1)
	wantCodes := make([]uint32, len(x))
	for r, v := range x {
		if !math.IsNaN(v) {
			k, found := slices.BinarySearch(want, v)
			if !found {
				t.Fatalf("%v not among the sorted values", v)
			}
			wantCodes[r] = uint32(k + 1)
		}
		wantHist[2*wantCodes[r]+uint32(y[r])]++
	}
	for _, needCodes := range []bool{false, true} {
		values, codes, h := rankValues(x, y, needCodes)
		if len(values) != len(want) {
			t.Fatalf("%d distinct values, want %d", len(values), len(want))
		}
		for i, v := range values {
			if math.Float64bits(v) != math.Float64bits(want[i]) {
				t.Fatalf("value %d is %v (bits %#x), want %v (bits %#x)", i, v, math.Float64bits(v), want[i], math.Float64bits(want[i]))
			}
		}
		if i := firstDiff(h, wantHist); i >= 0 {
			t.Fatalf("histogram entry %d is %d, want %d", i, h[i], wantHist[i])
		}
		if !needCodes {
			if codes != nil {
				t.Fatal("codes returned without being asked for")
			}
			continue
		}
		if i := firstDiff(codes, wantCodes); i >= 0 {
			t.Fatalf("row %d (%v): code %d, want %d", i, x[i], codes[i], wantCodes[i])
		}
	}
}

// TestRankValuesNoValues checks that a column of no rows or only NaN gives
// no values and counts the NaN rows at code 0.
func TestRankValuesNoValues(t *testing.T) {
	for _, n := range []int{0, 3, 400} {
		x := slices.Repeat([]float64{math.NaN()}, n)
		y := make([]uint8, n)
		for i := range y {
			y[i] = uint8(i % 2)
		}
		values, codes, h := rankValues(x, y, true)
		if len(values) != 0 || len(codes) != n || h.codes() != 1 || int(h.neg(0)+h.pos(0)) != n || int(h.pos(0)) != n/2 {
			t.Errorf("n=%d: values %v, %d codes, histogram %v", n, values, len(codes), h)
		}
	}
}

// FuzzRankValues checks rankValues against a plain sort on values made of
// arbitrary bits, read as float64 or as float32.
func FuzzRankValues(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0}, false)
	f.Add([]byte{0, 0, 0xc0, 0x7f, 1, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff}, true)
	f.Add(make([]byte, 8*300), false)
	f.Fuzz(func(t *testing.T, data []byte, as32 bool) {
		var x []float64
		if as32 {
			for i := 0; i+4 <= len(data); i += 4 {
				x = append(x, float64(math.Float32frombits(uint32(data[i])|uint32(data[i+1])<<8|uint32(data[i+2])<<16|uint32(data[i+3])<<24)))
			}
		} else {
			for i := 0; i+8 <= len(data); i += 8 {
				var b uint64
				for j := range 8 {
					b |= uint64(data[i+j]) << (8 * j)
				}
				x = append(x, math.Float64frombits(b))
			}
		}
		y := make([]uint8, len(x))
		for i := range y {
			y[i] = uint8(i % 2)
		}
		checkRankValues(t, x, y)
	})
}

// TestReadCue checks the kinds, levels and codes of cues read from every
// column type, and the errors for columns that cannot be cues.
func TestReadCue(t *testing.T) {
	y := []uint8{0, 1, 0, 1, 1}
	dict := func() arrow.Array {
		b := array.NewDictionaryBuilder(memory.DefaultAllocator, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, s := range []string{"z", "b", "", "z", "b"} {
			if s == "" {
				b.AppendNull()
			} else if err := b.AppendString(s); err != nil {
				t.Fatal(err)
			}
		}
		return b.NewArray()
	}
	binary := func() arrow.Array {
		b := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
		defer b.Release()
		b.AppendValues([][]byte{{1}, {2}, {1}, {2}, {1}}, nil)
		return b.NewArray()
	}
	cases := []struct {
		name   string
		col    arrow.Array
		kind   kind
		values []float64
		levels []string
		codes  []uint32
		err    engine.Kind
	}{
		{"float64 with null", floats([]float64{2.5, math.NaN(), -1, 2.5, 7}, true), numeric, []float64{-1, 2.5, 7}, nil, []uint32{2, 0, 1, 2, 3}, ""},
		{"float32", float32s([]float32{0.1, 0.2, 0.1, 0.3, 0.2}), numeric, []float64{float64(float32(0.1)), float64(float32(0.2)), float64(float32(0.3))}, nil, []uint32{1, 2, 1, 3, 2}, ""},
		{"int64", int64s([]int64{5, -3, 5, 5, 0}), numeric, []float64{-3, 0, 5}, nil, []uint32{3, 1, 3, 3, 2}, ""},
		{"bool with null", bools([]bool{true, false, false, true, true}, []bool{true, true, false, true, true}), logical, nil, []string{"FALSE", "TRUE"}, []uint32{2, 1, 0, 2, 2}, ""},
		{"strings with null", strs([]string{"b", "a", "", "b", "c"}), categorical, nil, []string{"a", "b", "c"}, []uint32{2, 1, 0, 2, 3}, ""},
		{"dictionary", dict(), categorical, nil, []string{"b", "z"}, []uint32{2, 1, 0, 2, 1}, ""},
		{"one level and missing", strs([]string{"a", "", "a", "a", "a"}), categorical, nil, []string{"a"}, []uint32{1, 0, 1, 1, 1}, ""},
		{"one number and missing", floats([]float64{4, math.NaN(), 4, 4, 4}, true), numeric, nil, nil, nil, engine.KindValue},
		{"one level", strs([]string{"a", "a", "a", "a", "a"}), categorical, nil, nil, nil, engine.KindValue},
		{"all true", bools([]bool{true, true, true, true, true}, nil), logical, nil, nil, nil, engine.KindValue},
		{"binary", binary(), 0, nil, nil, nil, engine.KindType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer c.col.Release()
			cu, h, err := readCue("the cue", c.col, y, true)
			if c.err != "" {
				if engine.KindOf(err) != c.err || !strings.Contains(fmt.Sprint(err), `"the cue"`) {
					t.Fatalf("got %v (%s), want a %s naming the cue", err, engine.KindOf(err), c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cu.kind != c.kind || !slices.Equal(cu.values, c.values) || !slices.Equal(cu.levels, c.levels) || !slices.Equal(cu.codes, c.codes) {
				t.Fatalf("cue %s values %v levels %q codes %v, want %s %v %q %v", cu.kind, cu.values, cu.levels, cu.codes, c.kind, c.values, c.levels, c.codes)
			}
			want := newHist(cu.size())
			for r, k := range c.codes {
				want[2*k+uint32(y[r])]++
			}
			if !slices.Equal(h, want) {
				t.Errorf("histogram %v, want %v", h, want)
			}
		})
	}
}
