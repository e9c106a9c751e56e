package linear

import (
	"context"
	"fmt"
	"math"

	"github.com/quiver-ml/quiver/engine"
)

// Solver constants.
const (
	armijo        = 1e-4 // the line search's sufficient decrease factor
	maxHalvings   = 50   // the line search's halvings before it gives up
	innerMaxSweep = 1000 // coordinate descent sweeps per proximal Newton step
	// objectiveNoise is the relative rounding error allowed for in
	// comparisons of objective values.
	objectiveNoise = 1e-13
	// reuseStep is the relative step size below which the Newton steps are
	// small enough for the Hessian to be reused (or judged on its rate).
	reuseStep = 1e-2
	// hessSampleRows sizes the row sample of sampled Hessians (see
	// setupSample).
	hessSampleRows = 2048
)

// minSampleRows is the least number of rows a Hessian sample must have (a
// variable so that tests can lower it).
var minSampleRows = 50_000

// glmProblem is a penalised logistic (binary or multinomial) problem in
// standardized coordinates. Coefficient vectors are stored class-major in
// one slice theta of nv·m values: for vector k, theta[k*m] is the intercept
// (when the design has one) and theta[k*m+off+t] the coefficient of active
// feature t.
type glmProblem struct {
	d     *design
	codes []int32
	k     int // number of classes
	nv    int // number of coefficient vectors: 1 for binary, k otherwise
	m     int // columns of the augmented matrix per vector
	pen1  []float64
	pen2  []float64 // per theta entry (zero for intercepts)
	tol   float64
	iters int
	// sample is the number of rows at the start of every chunk on which
	// Hessians are computed (0: every row), and sampleScale the factor that
	// scales them to the whole data.
	sample      int
	sampleScale float64
	sampleRows  int // the rows in the sample
}

// glmResult is the outcome of a logistic fit.
type glmResult struct {
	hessianRows int // rows of the Hessian sample, 0 without sampling
	theta       []float64
	eta         [][]float64
	iterations  int
	converged   bool
	objective   float64
	history     []float64
	warnings    []string
}

func (p *glmProblem) weight(i int) float64 {
	if p.d.w == nil {
		return 1
	}
	return p.d.w[i]
}

// penalty returns the penalty of theta.
func (p *glmProblem) penalty(theta []float64) float64 {
	s1, s2 := 0.0, 0.0
	for i, v := range theta {
		s1 += p.pen1[i] * math.Abs(v)
		s2 += p.pen2[i] * v * v
	}
	return s1 + s2/2
}

// binaryRows returns the per-row function of the binary Hessian pass at
// margins eta.
func (p *glmProblem) binaryRows(eta []float64) func(lo, hi int, s, r []float64) float64 {
	return func(lo, hi int, s, r []float64) float64 {
		loss := 0.0
		logs := newLogSum(2)
		for i := lo; i < hi; i++ {
			w := p.weight(i)
			// With z = ±eta so that the row's loss is softplus(z) and e =
			// exp(-|z|): softplus(z) = max(z, 0) + log(1 + e), and the
			// probabilities of the likelier and the other outcome are
			// 1/(1+e) and e/(1+e).
			z := eta[i]
			y := p.codes[i]
			if y == 1 {
				z = -z
			}
			e := math.Exp(-math.Abs(z))
			big, small := 1/(1+e), e/(1+e)
			p1 := small // probability of class 1
			if eta[i] >= 0 {
				p1 = big
			}
			l := max(z, 0)
			if p.d.w == nil {
				logs.add(1 + e)
			} else {
				l += log1pSmall(e)
			}
			loss += w * l
			r[i-lo] = w * (p1 - float64(y))
			if s != nil {
				s[i-lo] = math.Sqrt(w * big * small)
			}
		}
		return loss + logs.total()
	}
}

// logSum adds up logarithms of factors in [1, limit] with one call to
// math.Log per batch of factors: it multiplies them while the product
// cannot overflow (below 2^1000). The product's rounding error, a few
// hundred units in the last place, is negligible in the log (an absolute
// 1e-13 per batch), and a logarithm costs far more than a multiplication.
type logSum struct {
	prod, sum float64
	n, batch  int
}

func newLogSum(limit float64) logSum {
	return logSum{prod: 1, batch: max(1, int(1000/math.Log2(max(limit, 2))))}
}

func (a *logSum) add(f float64) {
	a.prod *= f
	if a.n++; a.n == a.batch {
		a.sum += math.Log(a.prod)
		a.prod, a.n = 1, 0
	}
}

func (a *logSum) total() float64 { return a.sum + math.Log(a.prod) }

// lossAt returns the loss at margins eta + t·dir.
func (p *glmProblem) lossAt(ctx context.Context, eta, dir [][]float64, t float64) (float64, error) {
	if p.nv == 1 {
		e, dv := eta[0], dir[0]
		return sumRows(ctx, p.d.threads, p.d.n, func(lo, hi int) float64 {
			loss := 0.0
			logs := newLogSum(2)
			for i := lo; i < hi; i++ {
				z := e[i] + t*dv[i]
				if p.codes[i] == 1 {
					z = -z
				}
				if p.d.w == nil {
					// softplus(z) = max(z, 0) + log(1 + exp(-|z|))
					loss += max(z, 0)
					logs.add(1 + math.Exp(-math.Abs(z)))
				} else {
					loss += p.d.w[i] * softplus(z)
				}
			}
			return loss + logs.total()
		})
	}
	return sumRows(ctx, p.d.threads, p.d.n, func(lo, hi int) float64 {
		loss := 0.0
		z := make([]float64, p.k)
		logs := newLogSum(float64(p.k))
		for i := lo; i < hi; i++ {
			for k := range z {
				z[k] = eta[k][i] + t*dir[k][i]
			}
			// log Σ exp(z) - z_y = top - z_y + log Σ exp(z - top)
			top := z[0]
			for _, v := range z[1:] {
				top = max(top, v)
			}
			sum := 0.0
			for _, v := range z {
				sum += math.Exp(v - top)
			}
			if p.d.w == nil {
				loss += top - z[p.codes[i]]
				logs.add(sum)
			} else {
				loss += p.d.w[i] * (top - z[p.codes[i]] + math.Log(sum))
			}
		}
		return loss + logs.total()
	})
}

// betas converts standardized vectors (such as theta or a step) to
// original-scale coefficients over every feature and the constants that
// make margins: margin_k = c0[k] + Σ_j beta[k][j] x_j.
func (p *glmProblem) betas(theta []float64) (c0 []float64, beta [][]float64) {
	return toOriginal(p.d, theta, p.nv)
}

// toOriginal converts nv standardized vectors of d's augmented layout to
// original-scale intercepts and coefficients over every feature.
func toOriginal(d *design, theta []float64, nv int) (c0 []float64, beta [][]float64) {
	m, off := d.m(), d.off()
	c0 = make([]float64, nv)
	beta = make([][]float64, nv)
	for k := range nv {
		beta[k] = make([]float64, len(d.cols))
		v := theta[k*m : (k+1)*m]
		c := 0.0
		if d.intercept {
			c = v[0]
		}
		for t, j := range d.active {
			b := v[off+t] / d.scale[j]
			beta[k][j] = b
			c -= b * d.center[j]
		}
		c0[k] = c
	}
	return c0, beta
}

// hessMode says how a pass computes the Hessian.
type hessMode int

const (
	hessFull   hessMode = iota // on every row
	hessSample                 // on the sample rows, scaled to the whole data
	hessNone                   // not at all: the last one is reused
)

// setupSample decides whether Hessians are computed on a sample of rows:
// the first hessSampleRows rows (rounded up to whole blocks) of every chunk,
// when that sample holds at least minSampleRows rows, 200 per coefficient,
// and at most a quarter of the data. It sets p.sample (0: no sampling) and
// p.sampleScale, the total weight divided by the sample's.
func (p *glmProblem) setupSample() {
	d := p.d
	bs := d.blockRows(p.m, 1)
	if p.nv > 1 {
		bs = d.blockRows(p.m, 2*p.k+1)
	}
	per := (hessSampleRows + bs - 1) / bs * bs
	rows, ws := 0, 0.0
	for lo := 0; lo < d.n; lo += engine.ChunkRows {
		end := min(d.n, lo+per, lo+engine.ChunkRows)
		rows += end - lo
		if d.w == nil {
			ws += float64(end - lo)
		} else {
			for _, w := range d.w[lo:end] {
				ws += w
			}
		}
	}
	if rows < max(minSampleRows, 200*p.nv*p.m) || 4*rows > d.n || ws <= 0 {
		return
	}
	p.sample, p.sampleScale, p.sampleRows = per, d.sumW/ws, rows
}

// pass makes one pass over the data. If step is not nil, it first applies
// it, block by block: dir = X·step (the change of the margins, step being
// in standardized coordinates) and eta += dir. It then returns the loss,
// the gradient and, as mode says, the Hessian (nil for hessNone) of the
// loss at the new margins, in standardized coordinates.
func (p *glmProblem) pass(ctx context.Context, eta, dir [][]float64, step []float64, mode hessMode) (h, g []float64, loss float64, err error) {
	var before func(lo, hi int, x []float64)
	if step != nil {
		// The step on the original scale, over the active features.
		c0, beta := p.betas(step)
		act := make([][]float64, p.nv)
		for k := range act {
			act[k] = make([]float64, len(p.d.active))
			for t, j := range p.d.active {
				act[k][t] = beta[k][j]
			}
		}
		before = func(lo, hi int, x []float64) {
			for k := range dir {
				db := dir[k][lo:hi]
				engine.VecMat(db, act[k], x)
				engine.AddConst(db, c0[k])
				engine.Add(eta[k][lo:hi], db)
			}
		}
	}
	sample := 0
	if mode == hessSample {
		sample = p.sample
	}
	if p.nv == 1 {
		h, g, loss, err = p.d.gram(ctx, gramSpec{intercept: p.d.intercept, before: before, rows: p.binaryRows(eta[0]),
			gradOnly: mode == hessNone, sample: sample})
	} else {
		h, g, loss, err = p.multiGram(ctx, eta, before, mode == hessNone, sample)
	}
	if err != nil {
		return nil, nil, 0, err
	}
	if mode == hessSample {
		engine.Scale(h, p.sampleScale)
	}
	p.standardizeHG(h, g)
	return h, g, loss, nil
}

// solve runs proximal Newton from theta, which holds the starting point.
//
// Every pass over the data first applies the step chosen after the pass
// before (updating the stored margins) and then computes the loss, gradient
// and Hessian at the new point, so that an iteration reads the features
// once. The step is judged afterwards with Armijo's condition; if it fails,
// a backtracking line search runs on the stored margins (the change of the
// margins is kept), and the next pass computes the gradient at the point
// accepted.
//
// On large data, Hessians are computed on a fixed sample of rows (see
// setupSample) while the gradient covers every row, so the limit is the
// exact optimum; convergence is then linear with a rate of the sample's
// relative error, and full Hessians take over if the steps stop shrinking
// fourfold. Without sampling, once the steps are small the last Hessian is
// reused while it keeps shrinking the steps fourfold.
func (p *glmProblem) solve(ctx context.Context, theta []float64, progress func(float64)) (*glmResult, error) {
	d := p.d
	M := p.nv * p.m
	res := &glmResult{theta: theta}
	eta := make([][]float64, p.nv)
	dir := make([][]float64, p.nv)
	for k := range eta {
		eta[k] = make([]float64, d.n)
		dir[k] = make([]float64, d.n)
	}
	res.eta = eta
	c0, beta := p.betas(theta)
	if err := d.margins(ctx, c0, beta, eta); err != nil {
		return nil, err
	}
	l1 := false
	for _, v := range p.pen1 {
		l1 = l1 || v > 0
	}
	noPenalty := !l1
	for _, v := range p.pen2 {
		noPenalty = noPenalty && v == 0
	}
	p.setupSample()
	sampling := p.sample > 0
	res.hessianRows = p.sampleRows
	var (
		step      []float64 // the step the next pass applies, or nil
		decrease  float64   // its predicted change of the objective (< 0)
		approx    bool      // its direction came from a sampled or reused Hessian
		hLast     []float64 // the last Hessian computed (with penalty and pins)
		reuse     bool      // the next pass reuses hLast
		prevStep  = math.Inf(1)
		firstStep float64
		f         = math.NaN()
	)
	for {
		mode := hessFull
		switch {
		case step != nil && reuse:
			mode = hessNone
		case sampling:
			mode = hessSample
		}
		h, g, loss, err := p.pass(ctx, eta, dir, step, mode)
		if err != nil {
			return nil, err
		}
		if step == nil {
			f = loss + p.penalty(theta)
			if len(res.history) == 0 {
				res.history = append(res.history, f)
			}
		} else {
			// Judge the step the pass applied: Armijo's condition, with a
			// slack for the rounding error of the objective (near the
			// optimum, a step whose predicted decrease is below that error
			// is taken if the objective does not measurably rise: the
			// gradient is more precise than the objective's value).
			noise := objectiveNoise * math.Abs(f)
			trial := make([]float64, M)
			at := func(t float64) float64 {
				for i := range trial {
					trial[i] = theta[i] + t*step[i]
				}
				return p.penalty(trial)
			}
			t := 1.0
			fNew := loss + at(1)
			if fNew > f+armijo*decrease+noise {
				// Backtrack on the stored margins: eta holds the margins at
				// t = 1, so eta + (t-1)·dir are those at t.
				accepted := false
				for range maxHalvings {
					t /= 2
					lt, err := p.lossAt(ctx, eta, dir, t-1)
					if err != nil {
						return nil, err
					}
					if fNew = lt + at(t); fNew <= f+armijo*t*decrease+noise {
						accepted = true
						break
					}
				}
				shift := t - 1
				if !accepted {
					shift = -1 // back to where the step started
				}
				if err := updateMargins(ctx, d, eta, dir, shift); err != nil {
					return nil, err
				}
				if !accepted && approx {
					// The approximate Hessian gave a poor direction: use
					// full Hessians from now on.
					sampling, reuse, step = false, false, nil
					continue
				}
				if !accepted {
					// Nothing measurable left to gain: the predicted
					// decrease is below the rounding error of the objective.
					if -decrease <= noise {
						res.converged = true
					} else {
						res.warnings = append(res.warnings, fmt.Sprintf("the line search failed at iteration %d; the solution may be inaccurate", res.iterations))
					}
					break
				}
			}
			for i := range theta {
				theta[i] += t * step[i]
			}
			res.history = append(res.history, fNew)
			rel := (f - fNew) / math.Max(math.Abs(fNew), math.SmallestNonzeroFloat64)
			f = fNew
			size := 1 + maxAbs(theta)
			taken := t * maxAbs(step)
			if progress != nil {
				progress(iterProgress(res.iterations, p.iters, firstStep, taken, p.tol))
			}
			// Converged when the step is below tol, or when the objective
			// fell by less than tol relative after an exact Newton step
			// below sqrt(tol), which by quadratic convergence leaves an
			// error of the order of tol. (Steps from an approximate Hessian
			// converge linearly: only their size tells.)
			if taken <= p.tol*size || (!approx && rel <= p.tol && taken <= math.Sqrt(p.tol)*size) {
				res.converged = true
				break
			}
			// The Hessian for the next direction. After a small full step
			// the Hessian barely changed (less than a sample's error), so
			// the last one is reused, and the pass computes only the loss
			// and the gradient. Steps from an approximate (sampled or
			// reused) Hessian converge linearly; if, once the steps are
			// small, they stop shrinking fourfold, a fresh full Hessian
			// takes over.
			local := taken <= reuseStep*size
			slow := approx && local && taken > prevStep/4
			if slow {
				sampling = false
			}
			reuse = t == 1 && local && !slow
			prevStep = taken
			if t < 1 {
				// The pass computed the gradient at t = 1: compute it
				// again at the point accepted.
				step = nil
				continue
			}
		}
		// The next direction, at the current point.
		if res.iterations == p.iters {
			break
		}
		res.iterations++
		// Smooth part: loss + ridge.
		for i := range M {
			g[i] += p.pen2[i] * theta[i]
		}
		if h == nil {
			h = append([]float64(nil), hLast...)
		} else {
			for i := range M {
				h[i*M+i] += p.pen2[i]
			}
			if p.nv > 1 {
				p.pinShifts(h, noPenalty)
			}
			hLast = append(hLast[:0], h...)
		}
		delta, dec, singular, err := p.direction(ctx, h, g, theta, l1)
		if err != nil {
			return nil, err
		}
		if singular && res.iterations == 1 {
			res.warnings = append(res.warnings, "the Hessian is singular (collinear features without a penalty): Newton steps use its pseudo-inverse")
		}
		sz := maxAbs(delta)
		if res.iterations == 1 {
			firstStep = sz
		}
		if sz <= p.tol*(1+maxAbs(theta)) || dec >= 0 {
			res.converged = true
			break
		}
		step, decrease, approx = delta, dec, mode != hessFull
	}
	res.objective = f
	if noPenalty && len(res.history) > 0 && f <= 1e-8*res.history[0] {
		res.warnings = append(res.warnings, "the classes are (nearly) perfectly separable and there is no penalty: the coefficients are not determined and grow with the iterations; add an l2 penalty")
	}
	if !res.converged {
		res.warnings = append(res.warnings, fmt.Sprintf("the solver did not converge in %d iterations; raise max_iter or tol, or add an l2 penalty if the classes are separable", res.iterations))
	}
	return res, nil
}

// direction solves the (proximal) Newton subproblem at theta for the
// smooth part's gradient g and Hessian h: by Cholesky without l1, by
// coordinate descent with l1. It returns the step, the predicted change of
// the objective and whether h was singular.
func (p *glmProblem) direction(ctx context.Context, h, g, theta []float64, l1 bool) (delta []float64, decrease float64, singular bool, err error) {
	M := len(theta)
	if !l1 {
		neg := make([]float64, M)
		for i := range neg {
			neg[i] = -g[i]
		}
		delta, singular = solveSPD(h, M, neg)
		for i := range M {
			decrease += g[i] * delta[i]
		}
		return delta, decrease, singular, nil
	}
	x := append([]float64(nil), theta...)
	b := make([]float64, M)
	for i := range M {
		s := -g[i]
		for k := range M {
			s += h[i*M+k] * theta[k]
		}
		b[i] = s
	}
	q := lasso{h: h, b: b, pen1: p.pen1, m: M}
	if _, err := q.solve(ctx, x, innerMaxSweep); err != nil {
		return nil, 0, false, err
	}
	delta = make([]float64, M)
	for i := range M {
		delta[i] = x[i] - theta[i]
		decrease += g[i]*delta[i] + p.pen1[i]*(math.Abs(x[i])-math.Abs(theta[i]))
	}
	return delta, decrease, false, nil
}

// pinShifts makes the multinomial Hessian definite along the directions in
// which the objective is flat: a common shift of every class's intercept
// (intercepts are not penalised) and, without any penalty, a common shift
// of every class's coefficient of one feature. The gradient is orthogonal
// to these directions, so adding c·uuᵀ to the Hessian for each does not
// change the Newton step's component elsewhere; it keeps the step from
// moving along them, so the solution stays the one with zero-sum
// coefficients across classes.
func (p *glmProblem) pinShifts(h []float64, all bool) {
	M := p.nv * p.m
	c := 0.0
	for i := range M {
		c += h[i*M+i]
	}
	c /= float64(M)
	if c == 0 {
		c = 1
	}
	cols := []int{}
	if p.d.intercept {
		cols = append(cols, 0)
	}
	if all {
		for a := p.d.off(); a < p.m; a++ {
			cols = append(cols, a)
		}
	}
	add := c / float64(p.nv)
	for _, a := range cols {
		for k := range p.nv {
			for l := range p.nv {
				h[(k*p.m+a)*M+l*p.m+a] += add
			}
		}
	}
}

// standardizeHG rescales a Hessian and gradient computed on centred columns
// to standardized coordinates.
func (p *glmProblem) standardizeHG(h, g []float64) {
	M := p.nv * p.m
	sc := make([]float64, M)
	for k := range p.nv {
		for a := range p.m {
			sc[k*p.m+a] = 1
		}
		for t, j := range p.d.active {
			sc[k*p.m+p.d.off()+t] = 1 / p.d.scale[j]
		}
	}
	for i := range M {
		g[i] *= sc[i]
		if h == nil {
			continue
		}
		row := h[i*M : (i+1)*M]
		for k := range row {
			row[k] *= sc[i] * sc[k]
		}
	}
}

// updateMargins sets eta += t·dir.
func updateMargins(ctx context.Context, d *design, eta, dir [][]float64, t float64) error {
	return engine.ForChunks(ctx, d.threads, d.n, func(_, lo, hi int) {
		tmp := d.bufs.get(hi - lo)
		defer d.bufs.put(tmp)
		for k := range eta {
			engine.Axpy(eta[k][lo:hi], t, dir[k][lo:hi], tmp)
		}
	})
}

// iterProgress estimates the fraction of a Newton fit done: the larger of
// the fraction of iterations used and how far the step size has come down
// from the first step towards the tolerance, on a log scale.
func iterProgress(it, maxIter int, first, step, tol float64) float64 {
	frac := float64(it) / float64(maxIter)
	if first > 0 && step > 0 && tol > 0 && first > tol {
		est := math.Log(first/step) / math.Log(first/tol)
		frac = max(frac, est)
	}
	return min(0.99, max(0, frac))
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}

// softplus returns log(1 + exp(z)) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + log1pSmall(math.Exp(-z))
	}
	return log1pSmall(math.Exp(z))
}

// log1pSmall returns log(1 + e) for 0 <= e <= 1, to within a few units in
// the last place of the result, faster than math.Log1p: math.Log (which has
// an assembly implementation on amd64) above 1e-4, and three terms of the
// series below, where the next term is below 1e-16 relative.
func log1pSmall(e float64) float64 {
	if e > 1e-4 {
		return math.Log(1 + e)
	}
	return e * (1 - e*(0.5-e*(1.0/3)))
}
