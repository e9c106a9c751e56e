package linear

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// closedForm solves weighted (ridge) least squares with gonum:
// (XcᵀWXc + l2·P) β = XcᵀW yc, with P the identity or, with standardize,
// the features' variances; Xc and yc are centred with an intercept.
func closedForm(pr problem, l2 float64, intercept, standardize bool) (float64, []float64) {
	n, p := len(pr.y), len(pr.X)
	mu := make([]float64, p)
	sd := make([]float64, p)
	for j := range p {
		mu[j], sd[j] = weightedStats(pr.X[j], pr.w)
	}
	ybar, _ := weightedStats(pr.y, pr.w)
	if !intercept {
		clear(mu)
		ybar = 0
	}
	a := mat.NewDense(p, p, nil)
	b := mat.NewVecDense(p, nil)
	for j := range p {
		for k := range p {
			s := 0.0
			for i := range n {
				s += wt(pr.w, i) * (pr.X[j][i] - mu[j]) * (pr.X[k][i] - mu[k])
			}
			a.Set(j, k, s)
		}
		pj := 1.0
		if standardize {
			pj = sd[j] * sd[j]
		}
		a.Set(j, j, a.At(j, j)+l2*pj)
		s := 0.0
		for i := range n {
			s += wt(pr.w, i) * (pr.X[j][i] - mu[j]) * (pr.y[i] - ybar)
		}
		b.SetVec(j, s)
	}
	var beta mat.VecDense
	if err := beta.SolveVec(a, b); err != nil {
		panic(err)
	}
	out := make([]float64, p)
	b0 := ybar
	for j := range p {
		out[j] = beta.AtVec(j)
		b0 -= out[j] * mu[j]
	}
	return b0, out
}

func TestLeastSquaresClosedForm(t *testing.T) {
	for _, l2 := range []float64{0, 0.5, 50} {
		for _, intercept := range []bool{true, false} {
			for _, standardize := range []bool{true, false} {
				for _, weighted := range []bool{false, true} {
					name := fmt.Sprintf("l2=%v/intercept=%v/standardize=%v/weighted=%v", l2, intercept, standardize, weighted)
					t.Run(name, func(t *testing.T) {
						pr := makeProblem(7, 300, 5, 2, weighted)
						f := pr.frame(t)
						defer f.Release()
						m, log := mustFit(t, Regression{}, f, pr.spec("y"), map[string]any{
							"l2": l2, "fit_intercept": intercept, "standardize": standardize})
						b0, beta := closedForm(pr, l2, intercept, standardize)
						scale := maxAbs(beta)
						for j := range beta {
							if e := relErr(m.coef[0][j], beta[j], scale); e > 1e-10 {
								t.Errorf("coef %d = %v, closed form %v (rel err %g)", j, m.coef[0][j], beta[j], e)
							}
						}
						if e := relErr(m.intercept[0], b0, 1); e > 1e-10 {
							t.Errorf("intercept = %v, closed form %v", m.intercept[0], b0)
						}
						if !log["converged"].(bool) {
							t.Error("not converged")
						}
					})
				}
			}
		}
	}
}

// penaltyFactors returns, per feature, the factors by which l1 and l2
// multiply in the gradient on the original scale.
func penaltyFactors(pr problem, standardize bool) (f1, f2 []float64) {
	p := len(pr.X)
	f1, f2 = make([]float64, p), make([]float64, p)
	for j := range p {
		f1[j], f2[j] = 1, 1
		if standardize {
			_, sd := weightedStats(pr.X[j], pr.w)
			f1[j], f2[j] = sd, sd*sd
		}
	}
	return f1, f2
}

// checkKKT checks the optimality conditions of one coefficient vector:
// grad[j] is the gradient of the summed loss for feature j, mag[j] the sum
// of the absolute values of its terms (the scale of its rounding error).
func checkKKT(t *testing.T, label string, beta, grad, mag, f1, f2 []float64, l1, l2 float64, tol float64) {
	t.Helper()
	for j, b := range beta {
		g := grad[j] + l2*f2[j]*b
		scale := mag[j] + l1*f1[j] + l2*f2[j]*math.Abs(b)
		if b != 0 {
			if r := math.Abs(g + l1*f1[j]*sign(b)); r > tol*scale {
				t.Errorf("%s: nonzero coef %d = %v: stationarity residual %g (scale %g)", label, j, b, r, scale)
			}
		} else if r := math.Abs(g) - l1*f1[j]; r > tol*scale {
			t.Errorf("%s: zero coef %d: |gradient| %v exceeds l1 factor %v", label, j, math.Abs(g), l1*f1[j])
		}
	}
}

func TestElasticNetKKT(t *testing.T) {
	for _, pen := range [][2]float64{{30, 0}, {30, 5}, {300, 1}, {1e6, 0}} {
		for _, standardize := range []bool{true, false} {
			for _, weighted := range []bool{false, true} {
				for _, intercept := range []bool{true, false} {
					name := fmt.Sprintf("l1=%v,l2=%v/standardize=%v/weighted=%v/intercept=%v", pen[0], pen[1], standardize, weighted, intercept)
					t.Run(name, func(t *testing.T) {
						pr := makeProblem(11, 400, 6, 2, weighted)
						f := pr.frame(t)
						defer f.Release()
						m, log := mustFit(t, Regression{}, f, pr.spec("y"), map[string]any{
							"l1": pen[0], "l2": pen[1], "standardize": standardize, "fit_intercept": intercept})
						if !log["converged"].(bool) {
							t.Fatal("not converged")
						}
						p := len(pr.X)
						grad, mag := make([]float64, p), make([]float64, p)
						g0, m0 := 0.0, 0.0
						for i := range pr.y {
							pred := m.intercept[0]
							for j := range p {
								pred += m.coef[0][j] * pr.X[j][i]
							}
							r := wt(pr.w, i) * (pred - pr.y[i])
							g0 += r
							m0 += math.Abs(r)
							for j := range p {
								grad[j] += r * pr.X[j][i]
								mag[j] += math.Abs(r * pr.X[j][i])
							}
						}
						f1, f2 := penaltyFactors(pr, standardize)
						checkKKT(t, "regression", m.coef[0], grad, mag, f1, f2, pen[0], pen[1], 1e-8)
						if intercept && math.Abs(g0) > 1e-8*m0 {
							t.Errorf("intercept gradient %g", g0)
						}
						zeros := 0
						for _, b := range m.coef[0] {
							if b == 0 {
								zeros++
							}
						}
						t.Logf("%d of %d coefficients are zero, %v sweeps", zeros, p, log["iterations"])
					})
				}
			}
		}
	}
}

// glmGradient returns, per coefficient vector, the gradient of the summed
// log-loss with respect to the intercept (index 0) and the coefficients
// (1..p), and the magnitudes of their terms.
func glmGradient(pr problem, m *Model) (grad, mag [][]float64) {
	p := len(pr.X)
	nv := len(m.coef)
	grad, mag = make([][]float64, nv), make([][]float64, nv)
	for k := range nv {
		grad[k], mag[k] = make([]float64, p+1), make([]float64, p+1)
	}
	eta := make([]float64, nv)
	prob := make([]float64, nv)
	for i := range pr.labels {
		for k := range nv {
			eta[k] = m.intercept[k]
			for j := range p {
				eta[k] += m.coef[k][j] * pr.X[j][i]
			}
		}
		if nv == 1 {
			prob[0] = 1 / (1 + math.Exp(-eta[0]))
		} else {
			engine.Softmax(eta, prob)
		}
		for k := range nv {
			y := 0.0
			if (nv == 1 && pr.labels[i] == 1) || (nv > 1 && int(pr.labels[i]) == k) {
				y = 1
			}
			r := wt(pr.w, i) * (prob[k] - y)
			grad[k][0] += r
			mag[k][0] += math.Abs(r)
			for j := range p {
				grad[k][j+1] += r * pr.X[j][i]
				mag[k][j+1] += math.Abs(r * pr.X[j][i])
			}
		}
	}
	return grad, mag
}

func TestLogisticKKT(t *testing.T) {
	type tc struct {
		classes int
		l1, l2  float64
	}
	var cases []tc
	for _, k := range []int{2, 3, 4} {
		cases = append(cases, tc{k, 0, 1}, tc{k, 0, 0.01}, tc{k, 5, 0}, tc{k, 20, 2})
	}
	cases = append(cases, tc{2, 0, 0}, tc{3, 0, 0})
	for _, c := range cases {
		for _, standardize := range []bool{true, false} {
			for _, weighted := range []bool{false, true} {
				name := fmt.Sprintf("k=%d/l1=%v/l2=%v/standardize=%v/weighted=%v", c.classes, c.l1, c.l2, standardize, weighted)
				t.Run(name, func(t *testing.T) {
					pr := makeProblem(13, 600, 5, c.classes, weighted)
					f := pr.frame(t)
					defer f.Release()
					m, log := mustFit(t, Logistic{}, f, pr.spec("label"), map[string]any{
						"l1": c.l1, "l2": c.l2, "standardize": standardize, "tol": 1e-10})
					if !log["converged"].(bool) {
						t.Fatalf("not converged: %v", log["warnings"])
					}
					grad, mag := glmGradient(pr, m)
					f1, f2 := penaltyFactors(pr, standardize)
					for k := range m.coef {
						if r := math.Abs(grad[k][0]); r > 1e-8*mag[k][0] {
							t.Errorf("class %d: intercept gradient %g (scale %g)", k, r, mag[k][0])
						}
						checkKKT(t, fmt.Sprintf("vector %d", k), m.coef[k], grad[k][1:], mag[k][1:], f1, f2, c.l1, c.l2, 1e-8)
					}
					if len(m.coef) > 1 {
						s := 0.0
						for _, b := range m.intercept {
							s += b
						}
						if math.Abs(s) > 1e-12*maxAbs(m.intercept) {
							t.Errorf("intercepts %v do not sum to zero", m.intercept)
						}
						if c.l1 == 0 {
							for j := range m.coef[0] {
								s := 0.0
								for k := range m.coef {
									s += m.coef[k][j]
								}
								if math.Abs(s) > 1e-9 {
									t.Errorf("feature %d: coefficients sum to %g across classes", j, s)
								}
							}
						}
					}
					t.Logf("iterations %v objective %v", log["iterations"], log["final_objective"])
				})
			}
		}
	}
}

// TestStandardizeOnScaledData checks that on features already centred and
// scaled to unit weighted standard deviation, standardize=true and false
// give the same fit.
func TestStandardizeOnScaledData(t *testing.T) {
	for _, weighted := range []bool{false, true} {
		pr := makeProblem(17, 500, 5, 3, weighted)
		for j, x := range pr.X {
			mu, sd := weightedStats(x, pr.w)
			for i := range x {
				pr.X[j][i] = (x[i] - mu) / sd
			}
		}
		f := pr.frame(t)
		for _, c := range []struct {
			l      estimators.Learner
			target string
			params map[string]any
		}{
			{Regression{}, "y", map[string]any{"l2": 20.0}},
			{Regression{}, "y", map[string]any{"l1": 40.0, "l2": 3.0}},
			{Logistic{}, "label", map[string]any{"l2": 3.0}},
			{Logistic{}, "label", map[string]any{"l1": 8.0, "l2": 0.0}},
		} {
			on := map[string]any{"standardize": true, "tol": 1e-12}
			off := map[string]any{"standardize": false, "tol": 1e-12}
			for k, v := range c.params {
				on[k], off[k] = v, v
			}
			a, _ := mustFit(t, c.l, f, pr.spec(c.target), on)
			b, _ := mustFit(t, c.l, f, pr.spec(c.target), off)
			for k := range a.coef {
				scale := maxAbs(a.coef[k])
				for j := range a.coef[k] {
					if e := relErr(a.coef[k][j], b.coef[k][j], scale); e > 1e-8 {
						t.Errorf("%s %v weighted=%v: coef[%d][%d] %v vs %v", c.l.Name(), c.params, weighted, k, j, a.coef[k][j], b.coef[k][j])
					}
				}
				if e := relErr(a.intercept[k], b.intercept[k], 1); e > 1e-8 {
					t.Errorf("%s %v: intercept %v vs %v", c.l.Name(), c.params, a.intercept[k], b.intercept[k])
				}
			}
		}
		f.Release()
	}
}

// TestWeightsAreDuplication checks that an integer weight is the same as
// repeating the row that many times (zero: dropping it).
func TestWeightsAreDuplication(t *testing.T) {
	pr := makeProblem(19, 400, 4, 3, true)
	var dup problem
	dup.X = make([][]float64, len(pr.X))
	for i, w := range pr.w {
		for range int(w) {
			for j := range pr.X {
				dup.X[j] = append(dup.X[j], pr.X[j][i])
			}
			dup.y = append(dup.y, pr.y[i])
			dup.labels = append(dup.labels, pr.labels[i])
		}
	}
	fw, fd := pr.frame(t), dup.frame(t)
	defer fw.Release()
	defer fd.Release()
	for _, c := range []struct {
		l      estimators.Learner
		target string
		params map[string]any
	}{
		{Regression{}, "y", map[string]any{}},
		{Regression{}, "y", map[string]any{"l1": 50.0, "l2": 2.0}},
		{Logistic{}, "label", map[string]any{"l2": 1.0}},
		{Logistic{}, "label", map[string]any{"l1": 3.0, "l2": 0.0, "standardize": false}},
	} {
		c.params["tol"] = 1e-12
		a, _ := mustFit(t, c.l, fw, pr.spec(c.target), c.params)
		b, _ := mustFit(t, c.l, fd, dup.spec(c.target), c.params)
		for k := range a.coef {
			scale := maxAbs(a.coef[k])
			for j := range a.coef[k] {
				if e := relErr(a.coef[k][j], b.coef[k][j], scale); e > 1e-8 {
					t.Errorf("%s %v: coef[%d][%d] weighted %v, duplicated %v", c.l.Name(), c.params, k, j, a.coef[k][j], b.coef[k][j])
				}
			}
		}
	}
}

// TestCollinearOLS checks that collinear features without a penalty give
// the minimum-norm least squares solution.
func TestCollinearOLS(t *testing.T) {
	pr := makeProblem(23, 300, 3, 2, false)
	// x3 = 2·x0 - x1, x4 = x0: rank 3 in five columns.
	x3 := make([]float64, len(pr.y))
	for i := range x3 {
		x3[i] = 2*pr.X[0][i] - pr.X[1][i]
	}
	pr.X = append(pr.X, x3, append([]float64(nil), pr.X[0]...))
	f := pr.frame(t)
	defer f.Release()
	m, log := mustFit(t, Regression{}, f, pr.spec("y"), map[string]any{})
	t.Log(log["warnings"])
	// Reference: pseudo-inverse of the centred design via gonum's SVD.
	n, p := len(pr.y), len(pr.X)
	xc := mat.NewDense(n, p, nil)
	yc := mat.NewVecDense(n, nil)
	ybar, _ := weightedStats(pr.y, nil)
	for j := range p {
		mu, _ := weightedStats(pr.X[j], nil)
		for i := range n {
			xc.Set(i, j, pr.X[j][i]-mu)
		}
	}
	for i := range n {
		yc.SetVec(i, pr.y[i]-ybar)
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThin) {
		t.Fatal("svd failed")
	}
	var beta mat.Dense
	svd.SolveTo(&beta, yc.T().T(), svd.Rank(1e-12))
	for j := range p {
		if e := relErr(m.coef[0][j], beta.At(j, 0), 1); e > 1e-7 {
			t.Errorf("coef %d = %v, minimum-norm %v", j, m.coef[0][j], beta.At(j, 0))
		}
	}
}

func TestConstantFeature(t *testing.T) {
	pr := makeProblem(29, 200, 3, 2, false)
	c := make([]float64, len(pr.y))
	for i := range c {
		c[i] = 0.1
	}
	pr.X = append(pr.X, c)
	f := pr.frame(t)
	defer f.Release()
	for _, l := range []estimators.Learner{Regression{}, Logistic{}} {
		m, log := mustFit(t, l, f, pr.spec(targetFor(l)), map[string]any{})
		if m.coef[0][3] != 0 {
			t.Errorf("%s: constant feature has coefficient %v", l.Name(), m.coef[0][3])
		}
		if w := log["warnings"].([]string); len(w) == 0 {
			t.Errorf("%s: no warning for the constant feature", l.Name())
		}
		// Without an intercept the constant acts as one.
		m2, _ := mustFit(t, l, f, pr.spec(targetFor(l)), map[string]any{"fit_intercept": false, "l2": 0.0})
		m1, _ := mustFit(t, l, f, pr.spec(targetFor(l)), map[string]any{"l2": 0.0})
		if e := relErr(m2.coef[0][3]*0.1, m1.intercept[0], 1); e > 1e-8 {
			t.Errorf("%s: constant without intercept gives %v, intercept %v", l.Name(), m2.coef[0][3]*0.1, m1.intercept[0])
		}
	}
}

// TestSampledHessian forces Hessians on a row sample and checks that the
// fit reaches the same optimum as with full Hessians, bit-identically on 1
// and 2 threads.
func TestSampledHessian(t *testing.T) {
	defer func(v int) { minSampleRows = v }(minSampleRows)
	n := 3*engine.ChunkRows + 1234
	for _, c := range []struct {
		classes int
		params  map[string]any
	}{
		{2, map[string]any{"l2": 1.0}},
		{2, map[string]any{"l1": 20.0, "l2": 0.0}},
		{3, map[string]any{"l2": 0.5}},
		{3, map[string]any{"l1": 5.0, "l2": 1.0, "standardize": false}},
	} {
		pr := makeProblem(71, n, 5, c.classes, true)
		f := pr.frame(t)
		c.params["tol"] = 1e-10
		minSampleRows = 50_000
		full, flog := mustFit(t, Logistic{}, f, pr.spec("label"), c.params)
		minSampleRows = 1000
		var files [][]byte
		for _, threads := range []int{1, 2} {
			c.params["n_threads"] = threads
			m, log := mustFit(t, Logistic{}, f, pr.spec("label"), c.params)
			if log["hessian_sample_rows"].(int) == 0 || flog["hessian_sample_rows"].(int) != 0 {
				t.Fatalf("%v: sample rows %v (full fit %v)", c.params, log["hessian_sample_rows"], flog["hessian_sample_rows"])
			}
			if !log["converged"].(bool) {
				t.Errorf("%v: not converged: %v", c.params, log["warnings"])
			}
			for k := range m.coef {
				scale := maxAbs(full.coef[k])
				for j := range m.coef[k] {
					if e := relErr(m.coef[k][j], full.coef[k][j], scale); e > 1e-7 {
						t.Errorf("%v: coef[%d][%d] sampled %v, full %v", c.params, k, j, m.coef[k][j], full.coef[k][j])
					}
				}
			}
			t.Logf("%v: %v iterations (full Hessians: %v)", c.params, log["iterations"], flog["iterations"])
			mf, _ := m.Encode()
			b, _ := mf.Marshal()
			files = append(files, b)
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("%v: sampled fits differ between 1 and 2 threads", c.params)
		}
		f.Release()
	}
}

// TestLargeOffsets checks that features far from zero next to their spread
// give the same slopes as the same features centred.
func TestLargeOffsets(t *testing.T) {
	for _, c := range []struct {
		l       estimators.Learner
		target  string
		classes int
		params  map[string]any
	}{
		{Regression{}, "y", 2, map[string]any{"l2": 1.0}},
		{Logistic{}, "label", 2, map[string]any{"l2": 1.0}},
		{Logistic{}, "label", 3, map[string]any{"l1": 2.0}},
	} {
		pr := makeProblem(73, 2000, 4, c.classes, false)
		far := problem{y: pr.y, labels: pr.labels}
		for j, x := range pr.X {
			shifted := make([]float64, len(x))
			for i, v := range x {
				shifted[i] = v + 1e6*float64(j+1)
			}
			far.X = append(far.X, shifted)
		}
		f, ff := pr.frame(t), far.frame(t)
		c.params["tol"] = 1e-10
		a, _ := mustFit(t, c.l, f, pr.spec(c.target), c.params)
		b, log := mustFit(t, c.l, ff, far.spec(c.target), c.params)
		if !log["converged"].(bool) {
			t.Errorf("%s %v: not converged", c.l.Name(), c.params)
		}
		// Intercepts shifted back to the centred features; multinomial
		// intercepts are only defined up to a common constant.
		back := make([]float64, len(a.coef))
		mean := 0.0
		for k := range a.coef {
			back[k] = b.intercept[k]
			for j := range a.coef[k] {
				if e := relErr(b.coef[k][j], a.coef[k][j], maxAbs(a.coef[k])); e > 1e-7 {
					t.Errorf("%s %v: coef[%d][%d] %v with offsets, %v without", c.l.Name(), c.params, k, j, b.coef[k][j], a.coef[k][j])
				}
				back[k] += b.coef[k][j] * 1e6 * float64(j+1)
			}
			mean += back[k] / float64(len(back))
		}
		for k := range back {
			if len(back) > 1 {
				back[k] -= mean
			}
			if e := math.Abs(back[k] - a.intercept[k]); e > 1e-4*(1+math.Abs(b.intercept[k])*1e-6) {
				t.Errorf("%s %v: intercept %v with offsets (%v shifted back), %v without", c.l.Name(), c.params, b.intercept[k], back[k], a.intercept[k])
			}
		}
		f.Release()
		ff.Release()
	}
}
