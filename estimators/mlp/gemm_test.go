package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refGemm is gemm's definition in float64.
func refGemm(c []float32, ldc int, a []float32, rs, cs int, b []float32, ldb int, m, n, p int, add bool) []float64 {
	out := make([]float64, m*p)
	for i := range m {
		for j := range p {
			var s float64
			for k := range n {
				s += float64(a[i*rs+k*cs]) * float64(b[k*ldb+j])
			}
			if add {
				s += float64(c[i*ldc+j])
			}
			out[i*p+j] = s
		}
	}
	return out
}

func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	// Shapes cover whole 16- and 8-column panels, every tail of rows and
	// columns, one-column products (the output unit) and sums of one term.
	shapes := [][3]int{{1, 1, 1}, {4, 28, 64}, {128, 28, 64}, {128, 64, 64}, {128, 64, 1}, {64, 128, 1},
		{7, 5, 3}, {5, 9, 24}, {3, 1, 17}, {130, 64, 10}, {9, 13, 31}, {128, 1, 64}, {2, 3, 8}, {13, 7, 1}}
	for _, sh := range shapes {
		m, n, p := sh[0], sh[1], sh[2]
		for _, transposed := range []bool{false, true} {
			for _, add := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%dx%d/transposed=%v/add=%v", m, n, p, transposed, add), func(t *testing.T) {
					a := fill(m * n)
					rs, cs := n, 1
					if transposed {
						rs, cs = 1, m // a holds the n×m matrix whose transpose is multiplied
					}
					// b and c with row strides wider than p, as views into wider matrices.
					ldb, ldc := p+3, p+5
					b, c := fill(n*ldb), fill(m*ldc)
					want := refGemm(c, ldc, a, rs, cs, b, ldb, m, n, p, add)
					for _, kernels := range []bool{true, false} {
						got := append([]float32(nil), c...)
						if kernels {
							gemm(got, ldc, a, rs, cs, b, ldb, m, n, p, add)
						} else {
							gemmGo(got, ldc, a, rs, cs, b, ldb, m, n, p, add)
						}
						for i := range m {
							for j := range ldc {
								g := float64(got[i*ldc+j])
								if j >= p {
									if got[i*ldc+j] != c[i*ldc+j] {
										t.Fatalf("kernels=%v: c[%d, %d] outside the product changed", kernels, i, j)
									}
									continue
								}
								w := want[i*p+j]
								if math.Abs(g-w) > 1e-5*(1+math.Abs(w))*math.Sqrt(float64(n+1)) {
									t.Fatalf("kernels=%v: c[%d, %d] = %g, want %g", kernels, i, j, g, w)
								}
							}
						}
					}
				})
			}
		}
	}
}

// TestGemmRowsAlike checks that a row's result does not depend on which
// block of rows it falls in (the kernels for 4 rows and for 1 row sum
// alike), so prediction in chunks of any size matches training's.
func TestGemmRowsAlike(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n, p = 11, 37, 40
	a, b := make([]float32, m*n), make([]float32, n*p)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	all := make([]float32, m*p)
	gemm(all, p, a, n, 1, b, p, m, n, p, false)
	for i := range m {
		one := make([]float32, p)
		gemm(one, p, a[i*n:], n, 1, b, p, 1, n, p, false)
		for j := range p {
			if one[j] != all[i*p+j] {
				t.Fatalf("row %d column %d: %g alone, %g in a block", i, j, one[j], all[i*p+j])
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, sh := range [][4]int{{128, 28, 64, 0}, {128, 64, 64, 0}, {64, 128, 64, 1}, {28, 128, 64, 1}} {
		m, n, p, tr := sh[0], sh[1], sh[2], sh[3] == 1
		b.Run(fmt.Sprintf("%dx%dx%d/transposed=%v", m, n, p, tr), func(b *testing.B) {
			x, y, c := make([]float32, m*n), make([]float32, n*p), make([]float32, m*p)
			for i := range x {
				x[i] = float32(i%7) - 3
			}
			rs, cs := n, 1
			if tr {
				rs, cs = 1, m
			}
			for b.Loop() {
				gemm(c, p, x, rs, cs, y, p, m, n, p, false)
			}
			b.ReportMetric(float64(m*n*p)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}
