package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestScoreOrder checks the radix sort behind AUC: increasing order, ties
// kept in row order, negative zero and wide exponents handled.
func TestScoreOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 1000, 70_000} {
		score := make([]float64, n)
		for i := range score {
			switch rng.IntN(5) {
			case 0:
				score[i] = float64(rng.IntN(5)) - 2 // ties, negatives, zeros
			case 1:
				score[i] = math.Copysign(0, -1)
			default:
				score[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
			}
		}
		order := scoreOrder(score)
		if len(order) != n {
			t.Fatalf("n=%d: order has %d entries", n, len(order))
		}
		for r := 1; r < n; r++ {
			a, b := score[order[r-1]], score[order[r]]
			if a > b || (a == b && order[r-1] > order[r] && math.Signbit(a) == math.Signbit(b)) {
				t.Fatalf("n=%d: rows %d and %d out of order: %v, %v", n, order[r-1], order[r], a, b)
			}
		}
	}
}
