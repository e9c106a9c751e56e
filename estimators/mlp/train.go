package mlp

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/viterin/vek/vek32"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// chunkRows is the number of rows of a mini-batch whose gradient one task
// computes. It is a constant, not a share of the threads, so the chunks and
// the order in which their gradients are added never depend on n_threads.
const chunkRows = 128

// target is what the network learns: numbers (regression) or class codes.
type target struct {
	values []float32 // regression
	codes  []int32   // classification
	k      int       // classes; 0 for regression
}

// outputs is the number of output units: one for regression and two
// classes (sigmoid), one per class for more (softmax).
func (t *target) outputs() int {
	if t.k > 2 {
		return t.k
	}
	return 1
}

// lossGrad sets dz (m × outputs) to the gradient, scaled by inv, of the
// loss of the m rows whose output pre-activations are z and whose targets
// start at row r, and returns their summed loss: half the squared error,
// or the log loss of the sigmoid or softmax output.
func (t *target) lossGrad(z []float32, rows []uint32, dz []float32, inv float32) float64 {
	var loss float64
	switch {
	case t.k == 0:
		for i, r := range rows {
			e := z[i] - t.values[r]
			dz[i] = e * inv
			loss += 0.5 * float64(e) * float64(e)
		}
	case t.k == 2:
		for i, r := range rows {
			v := float64(z[i])
			// One exponential serves both: e = exp(-|v|) gives the
			// sigmoid on either side of 0 and log(1+e^v) - y·v, written
			// to stay finite for large |v|.
			e := math.Exp(-math.Abs(v))
			p := 1 / (1 + e)
			if v < 0 {
				p = e / (1 + e)
			}
			y := float64(t.codes[r])
			dz[i] = float32(p-y) * inv
			loss += math.Max(v, 0) + math.Log1p(e) - y*v
		}
	default:
		k := t.k
		for i, r := range rows {
			zi, di := z[i*k:(i+1)*k], dz[i*k:(i+1)*k]
			top := zi[0]
			for _, v := range zi {
				top = max(top, v)
			}
			var sum float64
			for j, v := range zi {
				e := math.Exp(float64(v - top))
				di[j] = float32(e)
				sum += e
			}
			y := t.codes[r]
			for j := range di {
				di[j] = (di[j]/float32(sum) - b2f(int32(j) == y)) * inv
			}
			loss += math.Log(sum) - float64(zi[y]-top)
		}
	}
	return loss
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// optimizer updates the parameters from a mini-batch's gradient.
type optimizer struct {
	kind              string
	beta1, beta2, eps float64
	momentum          float64
	nesterov          bool
	l2                float64
	m, v, tmp         []float32 // moments, and scratch for the update
	steps             int
	weight            []bool // which parameters are weights (penalised), not biases
}

func newOptimizer(nt *network, h *hyper) *optimizer {
	o := &optimizer{kind: h.optimizer, beta1: h.beta1, beta2: h.beta2, eps: h.epsilon, momentum: h.momentum,
		nesterov: h.nesterov, l2: h.l2, m: make([]float32, len(nt.params)), weight: make([]bool, len(nt.params))}
	if o.kind != optSGD {
		o.v = make([]float32, len(nt.params))
		o.tmp = make([]float32, len(nt.params))
	}
	for l := range nt.layers() {
		for i := range nt.sizes[l] * nt.sizes[l+1] {
			o.weight[nt.wOff[l]+i] = true
		}
	}
	return o
}

// step applies one update with learning rate lr; grad is the mean gradient
// of a batch of the given number of rows. The L2 penalty adds l2·w/batch
// to the weights' gradient, as scikit-learn's alpha does, except for adamw,
// which decays the weights by lr·l2 apart from the gradient.
func (o *optimizer) step(p, grad []float32, lr float64, batch int) {
	if o.l2 > 0 && o.kind != optAdamW {
		c := float32(o.l2 / float64(batch))
		for i, w := range o.weight {
			if w {
				grad[i] += c * p[i]
			}
		}
	}
	switch o.kind {
	case optSGD:
		mu, rate := float32(o.momentum), float32(lr)
		for i, g := range grad {
			o.m[i] = mu*o.m[i] - rate*g
			if o.nesterov {
				p[i] += mu*o.m[i] - rate*g
			} else {
				p[i] += o.m[i]
			}
		}
	default:
		o.steps++
		t := float64(o.steps)
		rate := float32(lr * math.Sqrt(1-math.Pow(o.beta2, t)) / (1 - math.Pow(o.beta1, t)))
		b1, b2 := float32(o.beta1), float32(o.beta2)
		// m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= rate·m/(√v + ε),
		// as whole-vector SIMD passes: the update runs once per batch on
		// the one thread that owns the parameters.
		tmp := o.tmp
		vek32.MulNumber_Inplace(o.m, b1)
		vek32.MulNumber_Into(tmp, grad, 1-b1)
		vek32.Add_Inplace(o.m, tmp)
		vek32.MulNumber_Inplace(o.v, b2)
		vek32.Mul_Into(tmp, grad, grad)
		vek32.MulNumber_Inplace(tmp, 1-b2)
		vek32.Add_Inplace(o.v, tmp)
		vek32.Sqrt_Into(tmp, o.v)
		vek32.AddNumber_Inplace(tmp, float32(o.eps))
		vek32.Inv_Inplace(tmp)
		vek32.Mul_Inplace(tmp, o.m)
		vek32.MulNumber_Inplace(tmp, rate)
		vek32.Sub_Inplace(p, tmp)
		if o.kind == optAdamW && o.l2 > 0 {
			decay := float32(1 - lr*o.l2)
			for i, w := range o.weight {
				if w {
					p[i] *= decay
				}
			}
		}
	}
}

// learningRate is the schedule's rate for an epoch.
func (h *hyper) learningRate(epoch int) float64 {
	switch h.schedule {
	case schStep:
		return h.lr * math.Pow(h.gamma, float64(epoch/h.stepEpochs))
	case schCosine:
		return h.lr * 0.5 * (1 + math.Cos(math.Pi*float64(epoch)/float64(h.maxIter)))
	}
	return h.lr
}

// trainer holds the state of one fit.
type trainer struct {
	ctx     context.Context
	h       *hyper
	nt      *network
	x       []float32 // training rows, standardised, row-major
	d       int
	y       *target
	threads int
	team    *engine.Team // runs the chunks of every batch; close releases it
	works   []*work
	grads   [][]float32 // per chunk, aliases of works[c].grad
	wt      [][]float32 // transposed weights per layer
	losses  []float64
	xb      [][]float32 // per chunk, its rows gathered
}

func newTrainer(ctx context.Context, h *hyper, nt *network, x []float32, d int, y *target, threads int) *trainer {
	tr := &trainer{ctx: ctx, h: h, nt: nt, x: x, d: d, y: y, threads: threads, team: engine.NewTeam(ctx, threads)}
	chunks := (h.batchSize + chunkRows - 1) / chunkRows
	for range chunks {
		w := nt.newTrainingWork(chunkRows, h.dropout > 0)
		tr.works = append(tr.works, w)
		tr.xb = append(tr.xb, make([]float32, chunkRows*d))
	}
	tr.losses = make([]float64, chunks)
	tr.wt = make([][]float32, nt.layers())
	for l := 1; l < nt.layers(); l++ {
		tr.wt[l] = make([]float32, nt.sizes[l]*nt.sizes[l+1])
	}
	return tr
}

// close stops the trainer's team.
func (tr *trainer) close() { tr.team.Close() }

// batch computes the mean gradient of the rows into grad and returns their
// summed loss. Chunks of chunkRows rows run in parallel; their gradients
// are added in chunk order.
func (tr *trainer) batch(rows []uint32, grad []float32, epoch, batch int) (float64, error) {
	nt := tr.nt
	for l := 1; l < nt.layers(); l++ {
		transpose(tr.wt[l], nt.w(nt.params, l), nt.sizes[l], nt.sizes[l+1])
	}
	chunks := (len(rows) + chunkRows - 1) / chunkRows
	inv := 1 / float32(len(rows))
	drop := float32(tr.h.dropout)
	err := tr.team.Run(chunks, func(c int) {
		lo, hi := c*chunkRows, min((c+1)*chunkRows, len(rows))
		m, w, xb := hi-lo, tr.works[c], tr.xb[c]
		for i, r := range rows[lo:hi] {
			copy(xb[i*tr.d:(i+1)*tr.d], tr.x[int(r)*tr.d:(int(r)+1)*tr.d])
		}
		var rng *rand.Rand
		if drop > 0 {
			rng = rand.New(rand.NewPCG(tr.h.seed+1, uint64(epoch)<<40|uint64(batch)<<12|uint64(c)))
		}
		z := nt.forward(nt.params, xb[:m*tr.d], m, w, drop, rng)
		dz := w.d[:len(z)]
		tr.losses[c] = tr.y.lossGrad(z, rows[lo:hi], dz, inv)
		// backward reads dz from w.d and alternates w.e and w.d below it
		nt.backward(xb[:m*tr.d], m, w, dz, tr.wt, drop > 0)
	})
	if err != nil {
		return 0, err
	}
	copy(grad, tr.works[0].grad)
	var loss float64
	for c := range chunks {
		if c > 0 {
			vek32.Add_Inplace(grad, tr.works[c].grad)
		}
		loss += tr.losses[c]
	}
	return loss, nil
}

// predict computes the outputs' pre-activations of the rows of x (n × d),
// in parallel over fixed chunks of rows.
func predictRaw(ctx context.Context, nt *network, x []float32, d int, threads int) ([]float32, error) {
	n := len(x) / max(d, 1)
	if d == 0 {
		n = 0
	}
	k := nt.sizes[len(nt.sizes)-1]
	out := make([]float32, n*k)
	const rows = 256
	chunks := (n + rows - 1) / rows
	err := engine.ForTasks(ctx, threads, chunks, func(c int) {
		lo, hi := c*rows, min((c+1)*rows, n)
		w := nt.newWork(hi-lo, false)
		z := nt.forward(nt.params, x[lo*d:hi*d], hi-lo, w, 0, nil)
		copy(out[lo*k:hi*k], z)
	})
	return out, err
}

// fitLoop trains for max_iter epochs, or until the validation loss stops
// improving for early_stopping_rounds epochs (keeping the best epoch's
// parameters). It fails with KindValue when the loss becomes NaN or
// infinite: the learning rate is too large.
func (tr *trainer) fitLoop(n int, valid *validation, progress func(float64)) (estimators.Log, error) {
	h, nt := tr.h, tr.nt
	opt := newOptimizer(nt, h)
	grad := make([]float32, len(nt.params))
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	rng := rand.New(rand.NewPCG(h.seed, 1))
	var losses, validLosses, epochSeconds []float64
	best, bestEpoch, stale := math.Inf(1), -1, 0
	var bestParams []float32
	for epoch := range h.maxIter {
		started := time.Now()
		if h.shuffle {
			rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		lr := h.learningRate(epoch)
		var total float64
		for b, lo := 0, 0; lo < n; b, lo = b+1, lo+h.batchSize {
			rows := perm[lo:min(lo+h.batchSize, n)]
			loss, err := tr.batch(rows, grad, epoch, b)
			if err != nil {
				return nil, err
			}
			total += loss
			opt.step(nt.params, grad, lr, len(rows))
		}
		mean := total / float64(n)
		if math.IsNaN(mean) || math.IsInf(mean, 0) {
			return nil, engine.Errorf(engine.KindValue,
				"mlp: training diverged at epoch %d (the loss is %v); lower learning_rate (now %g)", epoch+1, mean, h.lr)
		}
		losses = append(losses, mean)
		epochSeconds = append(epochSeconds, time.Since(started).Seconds())
		if valid != nil {
			vl, err := valid.loss(tr.ctx, nt, tr.threads)
			if err != nil {
				return nil, err
			}
			if math.IsNaN(vl) || math.IsInf(vl, 0) {
				return nil, engine.Errorf(engine.KindValue,
					"mlp: the validation loss is %v at epoch %d: the validation rows' features lie far outside the training rows' range, or training diverged (learning_rate is %g)", vl, epoch+1, h.lr)
			}
			validLosses = append(validLosses, vl)
			if vl < best {
				best, bestEpoch, stale = vl, epoch, 0
				bestParams = append(bestParams[:0], nt.params...)
			} else {
				stale++
			}
		}
		if progress != nil {
			progress(float64(epoch+1) / float64(h.maxIter))
		}
		if valid != nil && h.earlyStopping > 0 && stale >= h.earlyStopping {
			break
		}
	}
	log := estimators.Log{"loss": losses, "epochs": len(losses), "epoch_seconds": epochSeconds}
	if valid != nil {
		log["valid_loss"] = validLosses
		log["best_iteration"] = bestEpoch + 1
		log["best_score"] = best
		if h.earlyStopping > 0 {
			copy(nt.params, bestParams)
		}
	}
	return log, nil
}

// validation is the held-out data of early stopping.
type validation struct {
	x []float32
	d int
	y *target
}

// loss is the mean loss of the network on the validation rows.
func (v *validation) loss(ctx context.Context, nt *network, threads int) (float64, error) {
	z, err := predictRaw(ctx, nt, v.x, v.d, threads)
	if err != nil {
		return 0, err
	}
	n := len(z) / nt.sizes[len(nt.sizes)-1]
	rows := make([]uint32, n)
	for i := range rows {
		rows[i] = uint32(i)
	}
	dz := make([]float32, len(z))
	return v.y.lossGrad(z, rows, dz, 1) / float64(max(n, 1)), nil
}
