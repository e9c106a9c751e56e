package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/quiver-ml/quiver/engine"
)

// withSIMD runs f with the SIMD kernels on or off and restores the setting.
// Tests that call it must not run in parallel.
func withSIMD(on bool, f func()) {
	prev := engine.SetSIMD(on)
	defer engine.SetSIMD(prev)
	f()
}

func randVec(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * 100
	}
	return x
}

// near reports whether a and b differ by at most 1e-12 relative to scale.
func near(a, b, scale float64) bool {
	return math.Abs(a-b) <= 1e-12*max(scale, math.SmallestNonzeroFloat64)
}

func TestKernelsSIMDMatchesPureGo(t *testing.T) {
	if !withSIMDAvailable() {
		t.Log("this CPU lacks AVX2/FMA: both paths are pure Go")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	lengths := []int{0, 1, 3, 17, 1000}
	for range 10 {
		lengths = append(lengths, rng.IntN(300))
	}
	for _, n := range lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			// Offset by one element so SIMD loads are unaligned.
			x, y := randVec(rng, n+1)[1:], randVec(rng, n+1)[1:]
			a := rng.NormFloat64()
			type result struct {
				dot, sum         float64
				add, axpy, scale []float64
			}
			run := func() result {
				var r result
				r.dot = engine.Dot(x, y)
				r.sum = engine.Sum(x)
				r.add = append([]float64(nil), x...)
				engine.Add(r.add, y)
				r.axpy = append([]float64(nil), x...)
				engine.Axpy(r.axpy, a, y, make([]float64, n))
				r.scale = append([]float64(nil), x...)
				engine.Scale(r.scale, a)
				return r
			}
			var on, off result
			withSIMD(true, func() { on = run() })
			withSIMD(false, func() { off = run() })

			var dotScale, sumScale, dot, sum float64
			for i := range x {
				dotScale += math.Abs(x[i] * y[i])
				sumScale += math.Abs(x[i])
				dot += x[i] * y[i]
				sum += x[i]
			}
			for _, r := range []result{on, off} {
				if !near(r.dot, dot, dotScale) {
					t.Errorf("Dot = %v, want %v", r.dot, dot)
				}
				if !near(r.sum, sum, sumScale) {
					t.Errorf("Sum = %v, want %v", r.sum, sum)
				}
			}
			if !near(on.dot, off.dot, dotScale) {
				t.Errorf("Dot: SIMD %v, pure Go %v", on.dot, off.dot)
			}
			if !near(on.sum, off.sum, sumScale) {
				t.Errorf("Sum: SIMD %v, pure Go %v", on.sum, off.sum)
			}
			for i := range x {
				for _, c := range []struct {
					name          string
					on, off, want float64
				}{
					{"Add", on.add[i], off.add[i], x[i] + y[i]},
					{"Axpy", on.axpy[i], off.axpy[i], x[i] + a*y[i]},
					{"Scale", on.scale[i], off.scale[i], a * x[i]},
				} {
					scale := math.Abs(c.want)
					if !near(c.on, c.want, scale) || !near(c.off, c.want, scale) {
						t.Fatalf("%s[%d]: SIMD %v, pure Go %v, want %v", c.name, i, c.on, c.off, c.want)
					}
				}
			}
		})
	}
}

func withSIMDAvailable() bool {
	prev := engine.SetSIMD(true)
	defer engine.SetSIMD(prev)
	return engine.SIMD()
}

func TestSetSIMDReturnsPrevious(t *testing.T) {
	prev := engine.SetSIMD(false)
	defer engine.SetSIMD(prev)
	if engine.SIMD() {
		t.Error("SIMD() is true after SetSIMD(false)")
	}
	if engine.SetSIMD(false) {
		t.Error("SetSIMD did not return the previous setting, false")
	}
}

func BenchmarkDot(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1000, 100_000} {
		x, y := randVec(rng, n), randVec(rng, n)
		for _, on := range []bool{true, false} {
			b.Run(fmt.Sprintf("n=%d/simd=%v", n, on), func(b *testing.B) {
				prev := engine.SetSIMD(on)
				defer engine.SetSIMD(prev)
				b.SetBytes(int64(16 * n))
				var s float64
				for b.Loop() {
					s += engine.Dot(x, y)
				}
				_ = s
			})
		}
	}
}
