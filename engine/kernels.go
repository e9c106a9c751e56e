package engine

import (
	"github.com/viterin/vek"
	"golang.org/x/sys/cpu"
)

// simd reports whether the vek kernels run with AVX2 and FMA. vek falls back
// to pure Go where the CPU lacks them.
var simd = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// SetSIMD turns the SIMD kernels on or off and returns the previous setting.
// Turning them on where the CPU lacks AVX2 and FMA does nothing. It is meant
// for tests and benchmarks that compare the two paths, and is not safe to
// call while kernels run.
func SetSIMD(on bool) bool {
	prev := simd
	simd = on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	vek.SetAcceleration(simd)
	return prev
}

// SIMD reports whether the SIMD kernels are in use.
func SIMD() bool { return simd }

// Dot returns the inner product of x and y, which have the same length.
func Dot(x, y []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return vek.Dot(x, y)
}

// Add adds y into dst element-wise; they have the same length.
func Add(dst, y []float64) {
	if len(dst) == 0 {
		return
	}
	vek.Add_Inplace(dst, y)
}

// Axpy adds a*x into dst element-wise, using tmp (of the same length) as
// scratch space so the SIMD kernels need not allocate.
func Axpy(dst []float64, a float64, x, tmp []float64) {
	if len(dst) == 0 {
		return
	}
	vek.MulNumber_Into(tmp, x, a)
	vek.Add_Inplace(dst, tmp)
}

// Scale multiplies x by a in place.
func Scale(x []float64, a float64) {
	if len(x) == 0 {
		return
	}
	vek.MulNumber_Inplace(x, a)
}

// Sum returns the sum of x.
func Sum(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return vek.Sum(x)
}

// Mul multiplies dst by y element-wise, in place; they have the same length.
func Mul(dst, y []float64) {
	if len(dst) == 0 {
		return
	}
	vek.Mul_Inplace(dst, y)
}

// SubConstInto sets dst[i] = x[i] - a; dst and x have the same length and do
// not overlap.
func SubConstInto(dst, x []float64, a float64) {
	if len(dst) == 0 {
		return
	}
	vek.SubNumber_Into(dst, x, a)
}

// AddConst adds a to every element of dst, in place.
func AddConst(dst []float64, a float64) {
	if len(dst) == 0 {
		return
	}
	vek.AddNumber_Inplace(dst, a)
}

// VecMat sets dst to the product of the row vector x and the matrix a of
// len(x) rows and len(dst) columns, stored row by row: dst[j] =
// Σ_i x[i]·a[i*len(dst)+j], a linear combination of a's rows. It runs on
// the calling goroutine.
func VecMat(dst, x, a []float64) {
	if len(dst) == 0 {
		return
	}
	if len(x) == 0 {
		clear(dst)
		return
	}
	if len(a) != len(x)*len(dst) {
		panic("engine.VecMat: matrix size does not match the vectors")
	}
	// One output row: vek multiplies it serially, with fused multiply-adds
	// on the SIMD path.
	vek.MatMul_Into(dst, x, a, len(x))
}

// SubInto sets dst = x - y element-wise.
func SubInto(dst, x, y []float64) {
	if len(dst) == 0 {
		return
	}
	vek.Sub_Into(dst, x, y)
}
