package gbdt

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestMapperBinMatchesSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name   string
		values func() float64
		maxBin int
	}{
		{"normal 255", rng.NormFloat64, 255},
		{"normal 7", rng.NormFloat64, 7},
		{"few distinct", func() float64 { return float64(rng.IntN(5)) }, 255},
		{"ties", func() float64 { return math.Round(rng.NormFloat64() * 3) }, 4},
		{"two bins", rng.Float64, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sample := make([]float64, 5000)
			for i := range sample {
				sample[i] = tc.values()
			}
			m := numericMapper(sample, tc.maxBin)
			if nb := m.numBins() - 1; nb > tc.maxBin || nb < 1 {
				t.Fatalf("%d value bins, max_bin %d", nb, tc.maxBin)
			}
			if !sort.Float64sAreSorted(m.upper) || !math.IsInf(m.upper[len(m.upper)-1], 1) {
				t.Fatalf("bounds not sorted or not ending in +Inf: %v", m.upper)
			}
			probe := append(sample[:200], math.Inf(-1), math.Inf(1), m.upper[0], -1e300)
			for _, v := range probe {
				want := 1 + sort.SearchFloat64s(m.upper, v)
				if got := m.bin(v); got != want {
					t.Fatalf("bin(%v) = %d, want %d", v, got, want)
				}
			}
			if m.bin(math.NaN()) != 0 {
				t.Fatal("NaN is not in the missing bin")
			}
		})
	}
}

func BenchmarkMapperBin(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	sample := make([]float64, 100000)
	for i := range sample {
		sample[i] = rng.NormFloat64()
	}
	m := numericMapper(sample, 255)
	b.ResetTimer()
	s := 0
	for i := range b.N {
		s += m.bin(sample[i%len(sample)])
	}
	_ = s
}

// TestFewDistinctMatchesSorting checks the scan for few distinct values
// against the sort it stands in for: the same bounds.
func TestFewDistinctMatchesSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 2, 3, 7} { // with 0, at most 8 distinct values
		sample := make([]float64, 3000)
		for i := range sample {
			sample[i] = float64(rng.IntN(k)) - 0.5
			if rng.IntN(10) == 0 {
				sample[i] = math.NaN()
			}
		}
		sample[0] = math.Copysign(0, -1) // -0 and +0 are one value
		sample[1] = 0
		got := numericMapper(sample, 255).upper
		d, c, n := fewDistinct(sample)
		if d == nil || len(d) != len(c) || n == 0 {
			t.Fatalf("%d values: not taken by the scan", k)
		}
		// the sorting path, forced by more distinct values than the scan takes
		wide := append(slices.Clone(sample), 1e9, 2e9, 3e9, 4e9, 5e9, 6e9, 7e9, 8e9, 9e9)
		want := numericMapper(wide, 255).upper
		want = want[:len(want)-10] // without the nine extra values' bounds and +Inf
		if !slices.Equal(got[:len(got)-1], want) {
			t.Fatalf("%d values: bounds %v, sorting gives %v", k, got, want)
		}
	}
}
