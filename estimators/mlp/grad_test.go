package mlp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// gradProblem is a small network with random inputs, targets and
// parameters (biases too, so that their gradients are not those of zeros).
type gradProblem struct {
	nt   *network
	x    []float32
	d    int
	y    *target
	rows []uint32
}

func newGradProblem(act string, k, m int, seed uint64) *gradProblem {
	const d = 5
	rng := rand.New(rand.NewPCG(seed, 11))
	y := &target{k: k}
	sizes := []int{d, 7, 6, y.outputs()}
	nt := newNetwork(sizes, activation{act})
	// Parameters of the test's own, independent of the learner's
	// initialisation: pre-activations of about unit scale, biases too.
	for l := range nt.layers() {
		scale := 1.5 / math.Sqrt(float64(sizes[l]))
		for i := range nt.w(nt.params, l) {
			nt.w(nt.params, l)[i] = float32(scale * rng.NormFloat64())
		}
		for i := range nt.b(nt.params, l) {
			nt.b(nt.params, l)[i] = float32(0.3 * rng.NormFloat64())
		}
	}
	n := 3*m + 9 // rows the batch leaves out
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for range n {
		if k == 0 {
			y.values = append(y.values, float32(2*rng.NormFloat64()))
		} else {
			y.codes = append(y.codes, int32(rng.IntN(k)))
		}
	}
	// Under ReLU, rows with a hidden unit near its kink are left out, so
	// that small steps of a parameter rarely move one across.
	w := nt.newWork(n, false)
	nt.forward(nt.params, x, n, w, 0, nil)
	nearKink := func(r int) bool {
		for l := 0; l+1 < nt.layers(); l++ {
			o := nt.sizes[l+1]
			for _, v := range w.z[l][r*o : (r+1)*o] {
				if math.Abs(float64(v)) < 0.05 {
					return true
				}
			}
		}
		return false
	}
	// A shuffled subset of the rows, as a mini-batch is.
	var rows []uint32
	for _, r := range rng.Perm(n) {
		if len(rows) < m && (act != actReLU || !nearKink(r)) {
			rows = append(rows, uint32(r))
		}
	}
	if len(rows) < m {
		panic(fmt.Sprintf("only %d rows away from ReLU's kinks", len(rows)))
	}
	return &gradProblem{nt: nt, x: x, d: d, y: y, rows: rows}
}

// hiddenSigns appends the sign of every hidden pre-activation of the last
// batch the trainer computed, chunk after chunk.
func hiddenSigns(tr *trainer, m int, out []bool) []bool {
	out = out[:0]
	for c := 0; c*chunkRows < m; c++ {
		rows := min(chunkRows, m-c*chunkRows)
		for l := 0; l+1 < tr.nt.layers(); l++ {
			for _, v := range tr.works[c].z[l][:rows*tr.nt.sizes[l+1]] {
				out = append(out, v > 0)
			}
		}
	}
	return out
}

// TestGradientMatchesFiniteDifferences checks the mini-batch gradient
// (forward, target.lossGrad and network.backward over chunks of rows, as
// trainer.batch computes it) against central differences of the objective
// the optimiser minimises: the mean loss of the batch plus, with l2, the
// penalty l2/(2·batch)·Σw² whose gradient optimizer.step adds. It covers
// every activation, the three outputs (identity with squared error,
// sigmoid with binary log loss, softmax with three classes), an L2 penalty
// and dropout (whose mask is drawn from the same seed at every call).
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	m := 2*chunkRows + 22 // three chunks, the last a short one
	outputs := []struct {
		name string
		k    int
	}{{"squared_error", 0}, {"binary_log_loss", 2}, {"softmax_3", 3}}
	extras := []struct {
		name        string
		l2, dropout float64
	}{{"plain", 0, 0}, {"l2", 0.7, 0}, {"dropout", 0, 0.3}}
	for ai, act := range []string{actReLU, actGELU, actTanh, actSigmoid} {
		for oi, out := range outputs {
			for ei, ex := range extras {
				t.Run(act+"/"+out.name+"/"+ex.name, func(t *testing.T) {
					p := newGradProblem(act, out.k, m, uint64(100*ai+10*oi+ei+1))
					checkGradient(t, p, ex.l2, ex.dropout)
				})
			}
		}
	}
}

func checkGradient(t *testing.T, p *gradProblem, l2, dropout float64) {
	nt := p.nt
	m := len(p.rows)
	h := &hyper{batchSize: m, dropout: dropout, seed: 9}
	tr := newTrainer(context.Background(), h, nt, p.x, p.d, p.y, 2)
	defer tr.close()
	penalty := func() float64 {
		var s float64
		for l := range nt.layers() {
			for _, w := range nt.w(nt.params, l) {
				s += float64(w) * float64(w)
			}
		}
		return l2 / (2 * float64(m)) * s
	}
	scratch := make([]float32, len(nt.params))
	objective := func() float64 {
		loss, err := tr.batch(p.rows, scratch, 3, 1)
		if err != nil {
			t.Fatal(err)
		}
		return loss/float64(m) + penalty()
	}

	grad := make([]float32, len(nt.params))
	if _, err := tr.batch(p.rows, grad, 3, 1); err != nil {
		t.Fatal(err)
	}
	if l2 > 0 {
		// With a learning rate of 0, sgd leaves the parameters alone and
		// only adds the penalty's gradient to grad.
		before := append([]float32(nil), nt.params...)
		opt := newOptimizer(nt, &hyper{optimizer: optSGD, l2: l2})
		opt.step(nt.params, grad, 0, m)
		for i := range before {
			if before[i] != nt.params[i] {
				t.Fatalf("a step with learning rate 0 moved parameter %d", i)
			}
		}
	}

	var hiSigns, loSigns []bool
	skipped, worst := 0, 0.0
	for i := range nt.params {
		orig := nt.params[i]
		// A step of 1e-2 keeps float32 rounding small against the
		// difference. Under ReLU, a step that moves a hidden unit across
		// its kink is halved (down to 1e-2/32) until none does.
		var hi, lo float32
		var jHi, jLo float64
		crossed := true
		for eps, tries := float32(1e-2), 0; crossed && tries < 6; eps, tries = eps/2, tries+1 {
			hi, lo = orig+eps, orig-eps
			nt.params[i] = hi
			jHi = objective()
			hiSigns = hiddenSigns(tr, m, hiSigns)
			nt.params[i] = lo
			jLo = objective()
			loSigns = hiddenSigns(tr, m, loSigns)
			crossed = nt.act.name == actReLU && !slices.Equal(hiSigns, loSigns)
		}
		nt.params[i] = orig
		if crossed {
			skipped++ // even the smallest step crosses a kink
			continue
		}
		fd := (jHi - jLo) / (float64(hi) - float64(lo))
		g := float64(grad[i])
		err := math.Abs(g - fd)
		scale := max(math.Abs(g), math.Abs(fd))
		if err > 5e-4+1e-2*scale {
			t.Errorf("parameter %d (%s): gradient %.6g, finite difference %.6g", i, describeParam(nt, i), g, fd)
		}
		worst = max(worst, err/(1e-3+scale))
	}
	if skipped > len(nt.params)/10 {
		t.Errorf("%d of %d parameters skipped at a ReLU kink", skipped, len(nt.params))
	}
	t.Logf("%d parameters, %d skipped, worst scaled error %.2g", len(nt.params), skipped, worst)
}

// describeParam names a parameter by layer and role, for failures.
func describeParam(nt *network, i int) string {
	for l := range nt.layers() {
		if i >= nt.wOff[l] && i < nt.bOff[l] {
			k := i - nt.wOff[l]
			return fmt.Sprintf("layer %d weight [%d,%d]", l, k/nt.sizes[l+1], k%nt.sizes[l+1])
		}
		if i >= nt.bOff[l] && i < nt.bOff[l]+nt.sizes[l+1] {
			return fmt.Sprintf("layer %d bias %d", l, i-nt.bOff[l])
		}
	}
	return "?"
}

// TestForwardMatchesReference compares the float32 forward pass (through
// vek's kernel, in blocks) and the loss with a plain float64 computation of
// act(x·W + b) layer by layer and the loss of the outputs.
func TestForwardMatchesReference(t *testing.T) {
	for _, act := range []string{actReLU, actGELU, actTanh, actSigmoid} {
		for _, k := range []int{0, 2, 3} {
			p := newGradProblem(act, k, 100, 7)
			nt := p.nt
			n := len(p.x) / p.d
			got, err := predictRaw(context.Background(), nt, p.x, p.d, 2)
			if err != nil {
				t.Fatal(err)
			}
			outs := nt.sizes[len(nt.sizes)-1]
			var refLoss float64
			for i := range n {
				a := make([]float64, p.d)
				for j := range a {
					a[j] = float64(p.x[i*p.d+j])
				}
				for l := range nt.layers() {
					in, o := nt.sizes[l], nt.sizes[l+1]
					w, b := nt.w(nt.params, l), nt.b(nt.params, l)
					z := make([]float64, o)
					for q := range o {
						z[q] = float64(b[q])
						for j := range in {
							z[q] += a[j] * float64(w[j*o+q])
						}
						if l+1 < nt.layers() {
							z[q] = refActivation(act, z[q])
						}
					}
					a = z
				}
				for q := range outs {
					if diff := math.Abs(a[q] - float64(got[i*outs+q])); diff > 1e-5*(1+math.Abs(a[q])) {
						t.Fatalf("%s k=%d row %d output %d: %v, reference %v", act, k, i, q, got[i*outs+q], a[q])
					}
				}
				if i < len(p.rows) {
					refLoss += refLossOf(p.y, int(p.rows[i]), a)
				}
			}
			// lossGrad on the first rows of the outputs, paired with p.rows.
			m := len(p.rows)
			z := make([]float32, m*outs)
			copy(z, got[:m*outs])
			dz := make([]float32, len(z))
			loss := p.y.lossGrad(z, p.rows, dz, 1)
			if math.Abs(loss-refLoss) > 1e-5*(1+math.Abs(refLoss)) {
				t.Errorf("%s k=%d: loss %v, reference %v", act, k, loss, refLoss)
			}
		}
	}
}

func refActivation(act string, z float64) float64 {
	switch act {
	case actReLU:
		return math.Max(z, 0)
	case actTanh:
		return math.Tanh(z)
	case actSigmoid:
		return 1 / (1 + math.Exp(-z))
	default: // gelu: z·Φ(z)
		return z * 0.5 * math.Erfc(-z/math.Sqrt2)
	}
}

// refLossOf is the loss of one row with outputs z and target row r.
func refLossOf(y *target, r int, z []float64) float64 {
	switch y.k {
	case 0:
		e := z[0] - float64(y.values[r])
		return 0.5 * e * e
	case 2:
		p := 1 / (1 + math.Exp(-z[0]))
		if y.codes[r] == 1 {
			return -math.Log(p)
		}
		return -math.Log(1 - p)
	default:
		var s float64
		for _, v := range z {
			s += math.Exp(v)
		}
		return math.Log(s) - z[y.codes[r]]
	}
}

// TestLossGradStaysFiniteForLargeMargins: the log losses of a confident
// output stay finite and their gradients bounded.
func TestLossGradStaysFiniteForLargeMargins(t *testing.T) {
	for _, k := range []int{2, 3} {
		y := &target{k: k, codes: []int32{0, 1}}
		outs := y.outputs()
		z := make([]float32, 2*outs)
		for i := range z {
			z[i] = float32(200 * (1 - 2*float64(i%2)))
		}
		dz := make([]float32, len(z))
		loss := y.lossGrad(z, []uint32{0, 1}, dz, 0.5)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			t.Errorf("k=%d: loss %v", k, loss)
		}
		for i, g := range dz {
			if g != g || math.Abs(float64(g)) > 0.5+1e-6 {
				t.Errorf("k=%d: gradient %d is %v", k, i, g)
			}
		}
	}
}
