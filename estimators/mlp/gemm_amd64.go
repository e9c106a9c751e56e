//go:build amd64

package mlp

import "golang.org/x/sys/cpu"

// haveFMA says whether the assembly kernels can run.
var haveFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The kernels compute a block of c (4 or 1 rows by 16 or 8 columns) as the
// sum over k < n of a(i, k)·b[k, j], where a(i, k) = a[i*rs+k*cs]; with add
// the block of c is added to the sums. Strides are in elements.

//go:noescape
func kernel4x16(n int, a *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, add bool)

//go:noescape
func kernel1x16(n int, a *float32, cs int, b *float32, ldb int, c *float32, add bool)

//go:noescape
func kernel4x8(n int, a *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, add bool)

//go:noescape
func kernel1x8(n int, a *float32, cs int, b *float32, ldb int, c *float32, add bool)
