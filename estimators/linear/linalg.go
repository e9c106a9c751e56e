package linear

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"
)

// rcond is the relative size below which an eigenvalue of a (scaled)
// Hessian or Gram matrix counts as zero: about a thousand times the rounding
// error with which the matrix itself is summed.
const rcond = 1e-13

// solveSPD solves h x = b for a symmetric positive semi-definite h (m×m,
// row-major, full storage). It uses a Cholesky factorisation when h is
// positive definite and well conditioned; otherwise it returns the
// minimum-norm least-squares solution from an eigendecomposition, dropping
// eigenvalues below rcond times the largest, and reports singular = true.
func solveSPD(h []float64, m int, b []float64) (x []float64, singular bool) {
	if m == 0 {
		return nil, false
	}
	sym := mat.NewSymDense(m, append([]float64(nil), h...))
	var ch mat.Cholesky
	if ch.Factorize(sym) && ch.Cond() < 1/rcond {
		var v mat.VecDense
		if err := ch.SolveVecTo(&v, mat.NewVecDense(m, append([]float64(nil), b...))); err == nil {
			x = make([]float64, m)
			for i := range x {
				x[i] = v.AtVec(i)
			}
			if finite(x) {
				return x, false
			}
		}
	}
	return pinvSolve(sym, m, b), true
}

// pinvSolve returns the minimum-norm solution of h x = b through an
// eigendecomposition of the symmetric matrix h.
func pinvSolve(sym *mat.SymDense, m int, b []float64) []float64 {
	vals, vecs, ok := eigen(sym)
	x := make([]float64, m)
	if !ok {
		return x
	}
	top := 0.0
	for _, v := range vals {
		top = max(top, math.Abs(v))
	}
	for k, lam := range vals {
		if lam <= rcond*top || lam <= 0 {
			continue
		}
		// x += v_k (v_kᵀ b) / λ_k
		dot := 0.0
		for i := range m {
			dot += vecs.At(i, k) * b[i]
		}
		c := dot / lam
		for i := range m {
			x[i] += c * vecs.At(i, k)
		}
	}
	return x
}

// eigen returns the eigenvalues and eigenvectors (as columns) of sym.
func eigen(sym *mat.SymDense) ([]float64, *mat.Dense, bool) {
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, nil, false
	}
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	return es.Values(nil), &vecs, true
}

// nullSpace returns an orthonormal basis (as columns) of the eigenvectors of
// h whose eigenvalues are below rcond times the largest.
func nullSpace(h []float64, m int) [][]float64 {
	vals, vecs, ok := eigen(mat.NewSymDense(m, append([]float64(nil), h...)))
	if !ok {
		return nil
	}
	top := 0.0
	for _, v := range vals {
		top = max(top, math.Abs(v))
	}
	var out [][]float64
	for k, lam := range vals {
		if lam <= rcond*top {
			v := make([]float64, m)
			for i := range v {
				v[i] = vecs.At(i, k)
			}
			out = append(out, v)
		}
	}
	return out
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// lasso is a quadratic model with an l1 term:
//
//	minimise over x  ½ xᵀ h x − bᵀ x + Σ_i pen1_i |x_i|
//
// with h symmetric positive semi-definite (m×m row-major).
type lasso struct {
	h    []float64
	b    []float64
	pen1 []float64
	m    int
}

// cdResult reports a coordinate descent solve.
type cdResult struct {
	sweeps    int
	converged bool
	polished  bool
}

// solve minimises the model by cyclic coordinate descent from x (updated in
// place), glmnet style: a full sweep, then sweeps over the nonzero
// coordinates until they settle, then a full sweep again, until a full sweep
// changes nothing beyond the tolerance. Finally it tries to polish the
// solution: with the signs and the set of nonzero coordinates fixed, the
// optimality conditions are linear and are solved exactly; the polished
// point is kept only if it keeps the signs and satisfies the optimality
// conditions of the zero coordinates. maxSweeps bounds the number of sweeps
// over coordinates, counting a sweep of the nonzero set as one.
func (q *lasso) solve(ctx context.Context, x []float64, maxSweeps int) (cdResult, error) {
	m := q.m
	// grad = h x − b
	grad := make([]float64, m)
	for i := range m {
		s := -q.b[i]
		row := q.h[i*m : (i+1)*m]
		for k, xk := range x {
			s += row[k] * xk
		}
		grad[i] = s
	}
	scale := 0.0
	for i := range m {
		scale = max(scale, q.h[i*m+i])
	}
	if scale == 0 {
		return cdResult{converged: true}, nil
	}
	// Stop when no coordinate moves by more than this in the h-norm.
	thresh := func(rel float64) float64 {
		xs := 0.0
		for i := range m {
			xs = max(xs, math.Abs(x[i])*math.Sqrt(q.h[i*m+i]))
		}
		return rel * max(xs, math.Sqrt(scale)*1e-8)
	}
	update := func(i int) float64 {
		hii := q.h[i*m+i]
		if hii <= 0 {
			return 0
		}
		u := hii*x[i] - grad[i]
		var nx float64
		switch p := q.pen1[i]; {
		case u > p:
			nx = (u - p) / hii
		case u < -p:
			nx = (u + p) / hii
		}
		dx := nx - x[i]
		if dx == 0 {
			return 0
		}
		x[i] = nx
		row := q.h[i*m : (i+1)*m]
		for k := range grad {
			grad[k] += dx * row[k]
		}
		return math.Abs(dx) * math.Sqrt(hii)
	}
	res := cdResult{}
	active := make([]int, 0, m)
	// Exact solves on the current support are tried whenever the nonzero
	// coordinates have settled to a loose tolerance, and otherwise after
	// 8, 16, 32, ... sweeps, so that slow (ill-conditioned) descents end
	// early too.
	nextPolish := 8
	for res.sweeps < maxSweeps {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Full sweep.
		res.sweeps++
		change := 0.0
		for i := range m {
			change = max(change, update(i))
		}
		if change <= thresh(1e-15) {
			res.converged = true
			break
		}
		active = active[:0]
		for i := range m {
			if x[i] != 0 || q.pen1[i] == 0 {
				active = append(active, i)
			}
		}
		// Sweeps over the nonzero coordinates.
		settled := false
		for res.sweeps < maxSweeps && res.sweeps < nextPolish {
			res.sweeps++
			change := 0.0
			for _, i := range active {
				change = max(change, update(i))
			}
			if change <= thresh(1e-9) {
				settled = true
				break
			}
		}
		if settled || res.sweeps >= nextPolish {
			if res.sweeps >= nextPolish {
				nextPolish *= 2
			}
			if q.polish(x) {
				res.polished, res.converged = true, true
				return res, nil
			}
		}
	}
	if !res.converged && q.polish(x) {
		res.polished, res.converged = true, true
	}
	return res, nil
}

// polish tries to solve the optimality conditions exactly on the current
// support and sign pattern; see solve. It updates x and reports whether it
// did.
func (q *lasso) polish(x []float64) bool {
	m := q.m
	var sup []int
	for i := range m {
		if x[i] != 0 || q.pen1[i] == 0 {
			sup = append(sup, i)
		}
	}
	if len(sup) == 0 {
		return false
	}
	ns := len(sup)
	hs := make([]float64, ns*ns)
	rhs := make([]float64, ns)
	for a, i := range sup {
		for c, k := range sup {
			hs[a*ns+c] = q.h[i*m+k]
		}
		rhs[a] = q.b[i] - q.pen1[i]*sign(x[i])
	}
	sol, singular := solveSPD(hs, ns, rhs)
	if singular {
		return false
	}
	for a, i := range sup {
		if q.pen1[i] != 0 && sign(sol[a]) != sign(x[i]) {
			return false
		}
	}
	// Gradient at the polished point for the zero coordinates.
	for i := range m {
		if x[i] != 0 || q.pen1[i] == 0 {
			continue
		}
		g := -q.b[i]
		for a, k := range sup {
			g += q.h[i*m+k] * sol[a]
		}
		if math.Abs(g) > q.pen1[i]*(1+1e-9) {
			return false
		}
	}
	for a, i := range sup {
		x[i] = sol[a]
	}
	return true
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
