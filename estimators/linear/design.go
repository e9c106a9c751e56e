package linear

import (
	"context"
	"math"
	"sync"

	"github.com/quiver-ml/quiver/engine"
)

// design is the feature matrix of a fit. Its columns are the frame's own
// float64 buffers, read in place; nothing of size rows×features is ever
// allocated. The solver works in centred and scaled coordinates
// z_ij = (x_ij - center_j) / scale_j, but the passes over the data only
// centre (u_ij = x_ij - center_j): scaling is applied to the small p×p
// results, which is exact up to one rounding.
type design struct {
	names []string    // every feature, in order
	cols  [][]float64 // every feature's values
	n     int
	w     []float64 // sample weights; nil means every weight is 1
	sumW  float64

	intercept bool
	center    []float64 // weighted mean per feature, or 0 without intercept
	scale     []float64 // per feature: weighted standard deviation (see stats); 0 for dropped features
	active    []int     // features in the solve (the others have coefficient 0)
	// preCenter marks the active features whose mean is large next to
	// their spread (over 8 standard deviations): their gradient terms are
	// centred row by row, for precision, rather than once at the end.
	preCenter []bool

	threads int
	bufs    *buffers // scratch space reused by the passes of the fit
}

// buffers is a free list of float64 scratch slices. A fit's passes share
// one, so that every worker reuses its buffers from pass to pass instead of
// allocating them again.
type buffers struct {
	mu   sync.Mutex
	free [][]float64
}

// get returns a slice of n values (not zeroed).
func (b *buffers) get(n int) []float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.free) - 1; i >= 0; i-- {
		if s := b.free[i]; cap(s) >= n {
			b.free = append(b.free[:i], b.free[i+1:]...)
			return s[:n]
		}
	}
	return make([]float64, n)
}

// put gives a slice back.
func (b *buffers) put(s []float64) {
	b.mu.Lock()
	b.free = append(b.free, s)
	b.mu.Unlock()
}

// m returns the number of columns of the augmented matrix: the intercept (if
// any) and the active features.
func (d *design) m() int {
	if d.intercept {
		return 1 + len(d.active)
	}
	return len(d.active)
}

// off returns the index of the first feature in the augmented matrix.
func (d *design) off() int {
	if d.intercept {
		return 1
	}
	return 0
}

// colStats are the weighted statistics of one column.
type colStats struct {
	mean, m2  float64 // weighted mean and sum of weighted squared deviations
	nonFinite bool    // the column holds NaN or ±Inf (or its sum overflows)
}

// stats computes the weighted mean and the sum of weighted squared
// deviations of each column in one pass: per chunk with two passes over the
// chunk's values (which sit in cache), then chunks are merged in chunk order
// with Chan et al.'s formula, so the result does not depend on the number of
// threads.
func stats(ctx context.Context, threads int, bufs *buffers, cols [][]float64, w []float64, n int) ([]colStats, float64, error) {
	nc := engine.NumChunks(n)
	p := len(cols)
	// Per chunk: the weight total, then (mean, m2, finite flag) per column.
	part := make([]float64, nc*(1+3*p))
	err := engine.ForChunks(ctx, threads, n, func(c, lo, hi int) {
		acc := part[c*(1+3*p) : (c+1)*(1+3*p)]
		buf := bufs.get(2 * engine.ChunkRows)
		defer bufs.put(buf)
		a, b := buf[:hi-lo], buf[engine.ChunkRows:engine.ChunkRows+hi-lo]
		var wc []float64
		sw := float64(hi - lo)
		if w != nil {
			wc = w[lo:hi]
			sw = engine.Sum(wc)
		}
		acc[0] = sw
		for j, col := range cols {
			x := col[lo:hi]
			var s float64
			if wc != nil {
				s = engine.Dot(wc, x)
			} else {
				s = engine.Sum(x)
			}
			st := acc[1+3*j : 4+3*j]
			if math.IsNaN(s) || math.IsInf(s, 0) {
				st[2] = 1
				continue
			}
			if sw == 0 {
				continue
			}
			mean := s / sw
			engine.SubConstInto(a, x, mean)
			var m2 float64
			if wc != nil {
				copy(b, a)
				engine.Mul(b, wc)
				m2 = engine.Dot(a, b)
			} else {
				m2 = engine.Dot(a, a)
			}
			if math.IsInf(m2, 0) || math.IsNaN(m2) {
				st[2] = 1
			}
			st[0], st[1] = mean, m2
		}
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]colStats, p)
	total := 0.0
	for c := range nc {
		acc := part[c*(1+3*p) : (c+1)*(1+3*p)]
		sw := acc[0]
		for j := range out {
			st := acc[1+3*j : 4+3*j]
			if st[2] != 0 {
				out[j].nonFinite = true
			}
			if sw == 0 || out[j].nonFinite {
				continue
			}
			o := &out[j]
			if total == 0 {
				o.mean, o.m2 = st[0], st[1]
				continue
			}
			delta := st[0] - o.mean
			all := total + sw
			o.mean += delta * (sw / all)
			o.m2 += st[1] + delta*delta*(total*sw/all)
		}
		total += sw
	}
	for j := range out {
		if math.IsInf(out[j].m2, 0) || math.IsNaN(out[j].m2) {
			out[j].nonFinite = true
		}
	}
	return out, total, nil
}

// isConstant reports whether a column whose weighted variance is v and mean
// mu over n rows cannot be told apart from a constant, with scikit-learn's
// bound on the rounding error of the variance (Chan, Golub and LeVeque).
func isConstant(v, mu float64, n int) bool {
	eps := 0x1p-52
	nf := float64(n)
	return v <= nf*eps*v+(nf*mu*eps)*(nf*mu*eps)
}

// blockRows returns the block height for an augmented matrix of m columns
// replicated reps times: blocks of about budget bytes stay in the L2 cache,
// and are a multiple of 16 rows, between 16 and 512.
func (d *design) blockRows(m, reps int) int {
	const budget = 512 << 10
	b := budget / (8 * max(1, m*reps))
	b = b / 16 * 16
	return min(512, max(16, b))
}

// gramSpec configures a weighted Gram pass.
type gramSpec struct {
	// intercept puts a column of ones first.
	intercept bool
	// extra, if not nil, is appended as a last column of the augmented
	// matrix, centred by extraShift (the regression target).
	extra      []float64
	extraShift float64
	// before, if not nil, is called for every block of rows [lo, hi) before
	// rows, with the block's raw values of the active features (feature t
	// in x[t*(hi-lo) : (t+1)*(hi-lo)]); it updates the margins that rows
	// reads (applying a Newton step).
	before func(lo, hi int, x []float64)
	// rows fills, for the rows [lo, hi), r with each row's gradient weight
	// and, if s is not nil, s with the square root of its Hessian weight,
	// and returns the rows' loss. If rows is nil, s is the square root of
	// the sample weight (or 1) and there is no gradient or loss.
	rows func(lo, hi int, s, r []float64) float64
	// gradOnly skips the Gram matrix: the pass returns the gradient and
	// the loss only (h is nil).
	gradOnly bool
	// sample, if positive, restricts the Gram matrix to the first sample
	// rows of every chunk (a multiple of the block size, see sampleRows);
	// the gradient and the loss still cover every row.
	sample int
}

// gram makes one pass over the data and returns, for the augmented matrix
// A = [1 | u | extra] (the column of ones when spec.intercept is set, the
// extra column when spec.extra is), Aᵀ diag(s²) A as a full m×m row-major
// matrix (its upper triangle computed, then mirrored), the gradient Aᵀ r
// and the loss.
//
// Rows are processed in blocks. Each block of the features is copied into
// a small buffer, one contiguous column after the other, where it serves
// the margins update (before) and the gradient; for the Gram matrix it is
// then centred and multiplied by s in place, and each entry of the
// triangle is one SIMD dot product over the block. Chunks are reduced in
// order, so the result does not depend on the number of threads.
func (d *design) gram(ctx context.Context, spec gramSpec) (h, g []float64, loss float64, err error) {
	q := len(d.active)
	off := 0
	if spec.intercept {
		off = 1
	}
	m := off + q
	if spec.extra != nil {
		m++
	}
	bs := d.blockRows(m, 1)
	gm := m * m // room for the Gram matrix
	if spec.gradOnly {
		gm = 0
	}
	// Partial sums: the Gram matrix, the gradient on raw columns, the sum
	// of r (to centre the gradient at the end) and the loss.
	size := gm + m + 2
	unit := spec.rows == nil && d.w == nil
	total, err := reduceChunks(ctx, d.threads, d.n, size, func(lo, hi int, acc []float64) {
		// The worker's block of the augmented matrix, and per row the
		// square root of the Hessian weight and the gradient weight.
		all := d.bufs.get((m + 2) * bs)
		defer d.bufs.put(all)
		for a := lo; a < hi; a += bs {
			b := min(hi, a+bs)
			nb := b - a
			buf := all[:m*nb] // column c in buf[c*nb : (c+1)*nb]
			s, r := all[m*bs:m*bs+nb], all[(m+1)*bs:(m+1)*bs+nb]
			for t, j := range d.active {
				copy(buf[(off+t)*nb:(off+t+1)*nb], d.cols[j][a:b])
			}
			if spec.extra != nil {
				copy(buf[(m-1)*nb:], spec.extra[a:b])
			}
			if spec.before != nil {
				spec.before(a, b, buf[off*nb:(off+q)*nb])
			}
			hess := !spec.gradOnly && (spec.sample <= 0 || a-lo < spec.sample)
			switch {
			case spec.rows != nil && hess:
				acc[size-1] += spec.rows(a, b, s, r)
			case spec.rows != nil:
				acc[size-1] += spec.rows(a, b, nil, r)
			case d.w != nil:
				for i, wi := range d.w[a:b] {
					s[i] = math.Sqrt(wi)
				}
			}
			if spec.rows != nil {
				// The gradient on the raw columns, centred once, at the
				// end: Σ r (x - c) = Σ r x - c Σ r; columns far from zero
				// next to their spread are centred first.
				acc[gm+m] += engine.Sum(r)
				for t, j := range d.active {
					bc := buf[(off+t)*nb : (off+t+1)*nb]
					if d.preCenter[t] {
						engine.AddConst(bc, -d.center[j])
					}
					acc[gm+off+t] += engine.Dot(r, bc)
				}
			}
			if !hess {
				continue
			}
			if spec.intercept {
				if unit {
					for i := range nb {
						buf[i] = 1
					}
				} else {
					copy(buf[:nb], s)
				}
			}
			for c := off; c < m; c++ {
				bc := buf[c*nb : (c+1)*nb]
				shift := spec.extraShift
				if c < off+q {
					shift = d.center[d.active[c-off]]
					if spec.rows != nil && d.preCenter[c-off] {
						shift = 0 // centred already
					}
				}
				if shift != 0 {
					engine.AddConst(bc, -shift)
				}
				if !unit {
					engine.Mul(bc, s)
				}
			}
			for i := range m {
				bi := buf[i*nb : (i+1)*nb]
				row := acc[i*m : (i+1)*m]
				for k := i; k < m; k++ {
					row[k] += engine.Dot(bi, buf[k*nb:(k+1)*nb])
				}
			}
		}
	})
	if err != nil {
		return nil, nil, 0, err
	}
	g = total[gm : gm+m]
	if spec.rows != nil {
		sr := total[gm+m]
		if spec.intercept {
			g[0] = sr
		}
		for t, j := range d.active {
			if !d.preCenter[t] {
				g[off+t] -= d.center[j] * sr
			}
		}
	}
	if spec.gradOnly {
		return nil, g, total[size-1], nil
	}
	h = total[:m*m]
	mirrorUpper(h, m)
	return h, g, total[size-1], nil
}

// margins sets out[k] (one slice of n rows per coefficient vector) to
// c0[k] + Σ_j beta[k][j]·x_j over every feature j, in one pass that reads
// each feature column once.
func (d *design) margins(ctx context.Context, c0 []float64, beta [][]float64, out [][]float64) error {
	return engine.ForChunks(ctx, d.threads, d.n, func(_, lo, hi int) {
		tmp := d.bufs.get(hi - lo)
		defer d.bufs.put(tmp)
		for k := range out {
			o := out[k][lo:hi]
			for i := range o {
				o[i] = c0[k]
			}
		}
		for j, col := range d.cols {
			x := col[lo:hi]
			for k := range out {
				if b := beta[k][j]; b != 0 {
					engine.Axpy(out[k][lo:hi], b, x, tmp)
				}
			}
		}
	})
}

// maxPartialBytes bounds the memory that reduceChunks holds in partial sums,
// unless one partial per thread needs more.
const maxPartialBytes = 64 << 20

// reduceChunks is engine.SumChunks with bounded memory: it processes the
// chunks in groups, holding the partial sums of one group at a time, and
// adds every chunk's partial to the total in chunk order. The result is
// therefore the same, bit for bit, as SumChunks's and as on any number of
// threads.
func reduceChunks(ctx context.Context, threads, n, m int, fn func(lo, hi int, acc []float64)) ([]float64, error) {
	nc := engine.NumChunks(n)
	group := min(nc, max(engine.Threads(threads), maxPartialBytes/(8*m)))
	group = max(group, 1)
	partial := make([]float64, group*m)
	total := make([]float64, m)
	for c0 := 0; c0 < nc; c0 += group {
		c1 := min(nc, c0+group)
		clear(partial[:(c1-c0)*m])
		base := c0 * engine.ChunkRows
		end := min(n, c1*engine.ChunkRows)
		err := engine.ForChunks(ctx, threads, end-base, func(c, lo, hi int) {
			fn(base+lo, base+hi, partial[c*m:(c+1)*m])
		})
		if err != nil {
			return nil, err
		}
		for c := range c1 - c0 {
			engine.Add(total, partial[c*m:(c+1)*m])
		}
	}
	return total, nil
}

// sumRows adds up f over every row, chunk by chunk in chunk order.
func sumRows(ctx context.Context, threads, n int, f func(lo, hi int) float64) (float64, error) {
	t, err := engine.SumChunks(ctx, threads, n, 1, func(lo, hi int, acc []float64) {
		acc[0] += f(lo, hi)
	})
	if err != nil {
		return 0, err
	}
	return t[0], nil
}

// mirrorUpper copies the upper triangle of the m×m row-major matrix h into
// its lower triangle: passes accumulate only the upper one.
func mirrorUpper(h []float64, m int) {
	for i := range m {
		for k := i + 1; k < m; k++ {
			h[k*m+i] = h[i*m+k]
		}
	}
}
