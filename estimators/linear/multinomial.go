package linear

import (
	"context"
	"math"

	"github.com/quiver-ml/quiver/engine"
)

// multiGram makes one pass over the data and returns the Hessian (M×M, M =
// classes·m, full storage), the gradient and the loss of the multinomial
// log-loss at margins eta, on centred (not yet scaled) columns.
//
// With u the augmented row (intercept and centred features), p the class
// probabilities and w the sample weight, the Hessian blocks are
//
//	H_kk = Σ w p_k (1 - p_k) u uᵀ    H_kl = -Σ w p_k p_l u uᵀ  (k ≠ l).
//
// Per block of rows, the buffer D_k holds u·sqrt(w p_k (1 - p_k)) and A_k
// holds u·sqrt(w)·p_k, so that every entry is one SIMD dot product of two
// buffer columns. Chunks are reduced in order.
//
// before, gradOnly and sample work as in gramSpec: with gradOnly the
// Hessian is skipped and h is nil.
func (p *glmProblem) multiGram(ctx context.Context, eta [][]float64, before func(lo, hi int, x []float64), gradOnly bool, sample int) (h, g []float64, loss float64, err error) {
	d := p.d
	K, m := p.k, p.m
	M := K * m
	bs := d.blockRows(m, 2*K+1)
	gm := M * M
	if gradOnly {
		gm = 0
	}
	// Partial sums: the Hessian, the gradient on raw columns, per class the
	// sum of r (to centre the gradient at the end), and the loss.
	size := gm + M + K + 1
	off := d.off()
	q := len(d.active)
	total, err := reduceChunks(ctx, d.threads, d.n, size, func(lo, hi int, acc []float64) {
		// The worker's buffers: the augmented rows u (m×bs), the scaled
		// copies D_k and A_k (K·m×bs each), and per class and row the
		// gradient weight r, sqrt(w p (1-p)) and sqrt(w)·p (K×bs each).
		sizes := []int{m * bs, K * m * bs, K * m * bs, K * bs, K * bs, K * bs, K, K}
		total := 0
		for _, sz := range sizes {
			total += sz
		}
		all := d.bufs.get(total)
		defer d.bufs.put(all)
		parts := make([][]float64, len(sizes))
		for i, sz := range sizes {
			parts[i], all = all[:sz], all[sz:]
		}
		wk := struct{ u, dk, ak, r, sd, so, z, pr []float64 }{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]}
		for a := lo; a < hi; a += bs {
			b := min(hi, a+bs)
			nb := b - a
			// The block's raw features, column c in u[c*nb : (c+1)*nb].
			for t, j := range d.active {
				copy(wk.u[(off+t)*nb:(off+t+1)*nb], d.cols[j][a:b])
			}
			if before != nil {
				before(a, b, wk.u[off*nb:(off+q)*nb])
			}
			hess := !gradOnly && (sample <= 0 || a-lo < sample)
			// Per-row probabilities, loss and weights.
			logs := newLogSum(float64(K))
			for i := a; i < b; i++ {
				for k := range K {
					wk.z[k] = eta[k][i]
				}
				top, arg := wk.z[0], 0
				for k, v := range wk.z {
					if v > top {
						top, arg = v, k
					}
				}
				s, rest := 0.0, 0.0
				for k, v := range wk.z {
					e := math.Exp(v - top)
					wk.pr[k] = e
					s += e
					if k != arg {
						rest += e
					}
				}
				w := p.weight(i)
				y := int(p.codes[i])
				if d.w == nil {
					acc[size-1] += top - wk.z[y]
					logs.add(s)
				} else {
					acc[size-1] += w * (math.Log(s) + top - wk.z[y])
				}
				sw := math.Sqrt(w)
				for k := range K {
					pk := wk.pr[k] / s
					qk := 1 - pk
					if k == arg {
						qk = rest / s
					}
					ind := 0.0
					if k == y {
						ind = 1
					}
					wk.r[k*bs+i-a] = w * (pk - ind)
					wk.sd[k*bs+i-a] = math.Sqrt(w * pk * qk)
					wk.so[k*bs+i-a] = sw * pk
				}
			}
			acc[size-1] += logs.total()
			// The gradient on the raw columns, centred at the end (or
			// first, for columns far from zero next to their spread).
			for t, j := range d.active {
				if d.preCenter[t] {
					engine.AddConst(wk.u[(off+t)*nb:(off+t+1)*nb], -d.center[j])
				}
			}
			for k := range K {
				rk := wk.r[k*bs : k*bs+nb]
				acc[gm+M+k] += engine.Sum(rk)
				for t := range q {
					acc[gm+k*m+off+t] += engine.Dot(rk, wk.u[(off+t)*nb:(off+t+1)*nb])
				}
			}
			if !hess {
				continue
			}
			// Augmented rows, centred, and their scaled copies.
			if d.intercept {
				for i := range nb {
					wk.u[i] = 1
				}
			}
			for t, j := range d.active {
				if c := d.center[j]; c != 0 && !d.preCenter[t] {
					engine.AddConst(wk.u[(off+t)*nb:(off+t+1)*nb], -c)
				}
			}
			for k := range K {
				sdk, sok := wk.sd[k*bs:k*bs+nb], wk.so[k*bs:k*bs+nb]
				for c := range m {
					uc := wk.u[c*nb : (c+1)*nb]
					dc := wk.dk[(k*m+c)*nb : (k*m+c+1)*nb]
					copy(dc, uc)
					engine.Mul(dc, sdk)
					ac := wk.ak[(k*m+c)*nb : (k*m+c+1)*nb]
					copy(ac, uc)
					engine.Mul(ac, sok)
				}
			}
			for k := range K {
				for c := range m {
					row := acc[(k*m+c)*M : (k*m+c+1)*M]
					dc := wk.dk[(k*m+c)*nb : (k*m+c+1)*nb]
					for e := c; e < m; e++ {
						row[k*m+e] += engine.Dot(dc, wk.dk[(k*m+e)*nb:(k*m+e+1)*nb])
					}
					ac := wk.ak[(k*m+c)*nb : (k*m+c+1)*nb]
					for l := k + 1; l < K; l++ {
						for e := range m {
							row[l*m+e] -= engine.Dot(ac, wk.ak[(l*m+e)*nb:(l*m+e+1)*nb])
						}
					}
				}
			}
		}
	})
	if err != nil {
		return nil, nil, 0, err
	}
	g = total[gm : gm+M]
	for k := range K {
		sr := total[gm+M+k]
		if d.intercept {
			g[k*m] = sr
		}
		for t, j := range d.active {
			if !d.preCenter[t] {
				g[k*m+off+t] -= d.center[j] * sr
			}
		}
	}
	if gradOnly {
		return nil, g, total[size-1], nil
	}
	h = total[:M*M]
	mirrorUpper(h, M)
	return h, g, total[size-1], nil
}
