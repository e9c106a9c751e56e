package mlp

import "github.com/viterin/vek/vek32"

// gemm sets c (m×p, row stride ldc) to a·b, or adds a·b to it when add is
// true. a is m×n with element (i, k) at a[i*rs+k*cs], so a row-major
// matrix (rs = n, cs = 1) and the transpose of one (rs = 1, cs = m) are
// both read in place; b is n×p row-major with row stride ldb.
//
// Panels of 16 and 8 columns go to register-blocked FMA kernels where the
// CPU has them (amd64 with AVX2 and FMA); the columns left over, and every
// column elsewhere, are computed in Go. Each element's sum runs over k in
// increasing order on either path, so a given machine gives the same
// result for the same inputs whatever the blocking of the caller.
func gemm(c []float32, ldc int, a []float32, rs, cs int, b []float32, ldb int, m, n, p int, add bool) {
	if m == 0 || p == 0 {
		return
	}
	if n == 0 {
		if !add {
			for i := range m {
				clear(c[i*ldc : i*ldc+p])
			}
		}
		return
	}
	// Bounds checked once here: the kernels read and write without checks.
	_ = c[(m-1)*ldc+p-1]
	_ = a[(m-1)*rs+(n-1)*cs]
	_ = b[(n-1)*ldb+p-1]
	if p == 1 && ldc == 1 && rs == 1 && m >= 8 {
		// One output column of a transposed a (a layer's weight gradient
		// into a single unit): the same sums as the row of bᵀ·aᵀ, whose
		// m entries are contiguous, so the kernels take it as one row.
		gemm(c, m, b, 1, ldb, a, cs, 1, n, m, add)
		return
	}
	j := 0
	if haveFMA {
		for ; j+16 <= p; j += 16 {
			i := 0
			for ; i+4 <= m; i += 4 {
				kernel4x16(n, &a[i*rs], rs, cs, &b[j], ldb, &c[i*ldc+j], ldc, add)
			}
			for ; i < m; i++ {
				kernel1x16(n, &a[i*rs], cs, &b[j], ldb, &c[i*ldc+j], add)
			}
		}
		for ; j+8 <= p; j += 8 {
			i := 0
			for ; i+4 <= m; i += 4 {
				kernel4x8(n, &a[i*rs], rs, cs, &b[j], ldb, &c[i*ldc+j], ldc, add)
			}
			for ; i < m; i++ {
				kernel1x8(n, &a[i*rs], cs, &b[j], ldb, &c[i*ldc+j], add)
			}
		}
	}
	if j < p {
		gemmGo(c[j:], ldc, a, rs, cs, b[j:], ldb, m, n, p-j, add)
	}
}

// gemmGo is gemm without SIMD kernels. A single column of b that is
// contiguous (p = 1) against contiguous rows of a is a dot product per
// row, which vek computes with SIMD where it can.
func gemmGo(c []float32, ldc int, a []float32, rs, cs int, b []float32, ldb int, m, n, p int, add bool) {
	if p == 1 && ldb == 1 && cs == 1 {
		for i := range m {
			s := vek32.Dot(a[i*rs:i*rs+n], b[:n])
			if add {
				s += c[i*ldc]
			}
			c[i*ldc] = s
		}
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+p]
		if !add {
			clear(row)
		}
		for k := range n {
			v := a[i*rs+k*cs]
			bk := b[k*ldb : k*ldb+p]
			for j := range row {
				row[j] += v * bk[j]
			}
		}
	}
}
