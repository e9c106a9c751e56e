package gbdt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// oneHotColumns returns n rows of: the one-hot columns of a category of
// `levels` levels (some rows in none of them), a feature missing in 95% of
// rows, a dense feature, and the two one-hot columns of a category whose
// first level holds 70% of rows (so its column is away from 0 too often to
// be bundled).
func oneHotColumns(n, levels int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	cols := make([][]float64, levels+4)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	for r := range n {
		if k := rng.IntN(levels + 1); k < levels {
			cols[k][r] = 1
		}
		cols[levels][r] = math.NaN()
		if rng.Float64() < 0.05 {
			cols[levels][r] = rng.NormFloat64()
		}
		cols[levels+1][r] = rng.NormFloat64()
		if rng.Float64() < 0.7 {
			cols[levels+2][r] = 1
		} else {
			cols[levels+3][r] = 1
		}
	}
	return cols
}

func binned(t *testing.T, cols [][]float64) (*binMatrix[uint8], []*mapper) {
	t.Helper()
	cs := make([]column, len(cols))
	mappers := make([]*mapper, len(cols))
	for j, v := range cols {
		cs[j] = column{name: fmt.Sprint("x", j), arr: floats(v, false)}
		mappers[j] = numericMapper(v, 255)
	}
	bm, err := binFrame[uint8](context.Background(), 2, cs, mappers)
	if err != nil {
		t.Fatal(err)
	}
	return bm, mappers
}

func TestBundleKeepsEveryBin(t *testing.T) {
	for _, levels := range []int{2, 12, 200} { // 200 levels overflow one byte of stored values
		t.Run(fmt.Sprint(levels, " levels"), func(t *testing.T) {
			const n = 20000
			bm, mappers := binned(t, oneHotColumns(n, levels, uint64(levels)))
			b, err := bundle(context.Background(), 2, bm, mappers)
			if err != nil {
				t.Fatal(err)
			}
			if b.ng >= bm.nf {
				t.Fatalf("%d features in %d stored columns: nothing bundled", bm.nf, b.ng)
			}
			// The dense feature and the 70% one-hot columns stay alone.
			for _, f := range []int{levels + 1, levels + 2, levels + 3} {
				if len(b.members[b.column[f]]) != 1 {
					t.Errorf("feature %d bundled with %v", f, b.members[b.column[f]])
				}
			}
			for c := range b.ng {
				if b.slots[c+1]-b.slots[c] > 256 {
					t.Fatalf("stored column %d has %d values", c, b.slots[c+1]-b.slots[c])
				}
			}
			for r := range n {
				for f := range bm.nf {
					if got, want := b.binOf(r, f), bm.binOf(r, f); got != want {
						t.Fatalf("row %d feature %d: bin %d bundled, %d alone", r, f, got, want)
					}
				}
			}
		})
	}
}

func TestBundledHistogramsMatch(t *testing.T) {
	const n = 50000
	bm, mappers := binned(t, oneHotColumns(n, 12, 7))
	b, err := bundle(context.Background(), 2, bm, mappers)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	gh := make([]gradPair, n)
	for i := range gh {
		gh[i] = gradPair{rng.NormFloat64(), rng.Float64()}
	}
	var rows []int32
	for r := range n {
		if rng.IntN(3) == 0 {
			rows = append(rows, int32(r))
		}
	}
	for _, all := range []bool{true, false} {
		plain := newGrower(context.Background(), bm, mappers, splitConfig{}, 31, 0, 2)
		packed := newGrower(context.Background(), b, mappers, splitConfig{}, 31, 0, 2)
		defer plain.close()
		defer packed.close()
		want, got := plain.takeHist(), packed.takeHist()
		if err := plain.buildHist(context.Background(), want, rows, all, gh); err != nil {
			t.Fatal(err)
		}
		if err := packed.buildHist(context.Background(), got, rows, all, gh); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(got[i].g-want[i].g) > 1e-9*float64(n) || math.Abs(got[i].h-want[i].h) > 1e-9*float64(n) {
				t.Fatalf("all=%v slot %d: %+v bundled, %+v alone", all, i, got[i], want[i])
			}
		}
	}
}
