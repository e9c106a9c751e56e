package linear

import (
	"context"
	"fmt"
	"math"
)

// regResult is the outcome of a least squares fit.
type regResult struct {
	gamma      []float64 // standardized coefficients of the active features
	intercept  float64   // in centred coordinates (the target's mean with an intercept)
	iterations int
	converged  bool
	warnings   []string
}

// solveRegression fits penalised least squares exactly. One pass computes
// the weighted Gram matrix of the centred features augmented with the
// centred target; the intercept decouples (it is the target's weighted
// mean), and the p×p problem is solved by Cholesky without l1, or by
// coordinate descent with l1 (max_iter bounds its sweeps). Without any
// penalty and with collinear features, the minimum-norm solution (in the
// original coefficients, as scikit-learn's lstsq) is returned.
func solveRegression(ctx context.Context, d *design, y []float64, ybar float64, pen1, pen2 []float64, l1, l2 float64, maxIter int) (*regResult, error) {
	q := len(d.active)
	shift := 0.0
	if d.intercept {
		shift = ybar
	}
	res := &regResult{intercept: shift, iterations: 1, converged: true}
	if q == 0 {
		return res, nil
	}
	g, _, _, err := d.gram(ctx, gramSpec{extra: y, extraShift: shift})
	if err != nil {
		return nil, err
	}
	m := q + 1
	h := make([]float64, q*q)
	c := make([]float64, q)
	for t, j := range d.active {
		st := d.scale[j]
		for u, k := range d.active {
			h[t*q+u] = g[t*m+u] / (st * d.scale[k])
		}
		h[t*q+t] += pen2[t]
		c[t] = g[t*m+q] / st
	}
	if l1 == 0 {
		gamma, singular := solveSPD(h, q, c)
		if singular && l2 == 0 {
			gamma = minNormOriginal(d, h, q, gamma)
			res.warnings = append(res.warnings, "the features are collinear: returning the minimum-norm least squares solution")
		} else if singular {
			res.warnings = append(res.warnings, "the penalised Gram matrix is numerically singular: returning its pseudo-inverse solution")
		}
		res.gamma = gamma
		return res, nil
	}
	gamma := make([]float64, q)
	prob := lasso{h: h, b: c, pen1: pen1, m: q}
	cd, err := prob.solve(ctx, gamma, maxIter)
	if err != nil {
		return nil, err
	}
	res.gamma, res.iterations, res.converged = gamma, cd.sweeps, cd.converged
	if !cd.converged {
		res.warnings = append(res.warnings, fmt.Sprintf("coordinate descent did not converge in %d sweeps; raise max_iter", maxIter))
	}
	return res, nil
}

// minNormOriginal moves a solution gamma of the singular system h γ = c
// (standardized coordinates) along h's null space to the solution whose
// original-scale coefficients β = γ/scale have the least Euclidean norm.
func minNormOriginal(d *design, h []float64, q int, gamma []float64) []float64 {
	null := nullSpace(h, q)
	r := len(null)
	if r == 0 {
		return gamma
	}
	// β = β_p + M a with M = D⁻¹N; minimise |β| over a:
	// (MᵀM) a = -Mᵀ β_p.
	inv := make([]float64, q)
	bp := make([]float64, q)
	for t, j := range d.active {
		inv[t] = 1 / d.scale[j]
		bp[t] = gamma[t] * inv[t]
	}
	mtm := make([]float64, r*r)
	rhs := make([]float64, r)
	for a := range r {
		for b := range r {
			s := 0.0
			for t := range q {
				s += null[a][t] * null[b][t] * inv[t] * inv[t]
			}
			mtm[a*r+b] = s
		}
		s := 0.0
		for t := range q {
			s += null[a][t] * inv[t] * bp[t]
		}
		rhs[a] = -s
	}
	coef, _ := solveSPD(mtm, r, rhs)
	out := make([]float64, q)
	for t := range q {
		beta := bp[t]
		for a := range r {
			beta += null[a][t] * inv[t] * coef[a]
		}
		out[t] = beta / inv[t]
		if math.IsNaN(out[t]) {
			return gamma
		}
	}
	return out
}
