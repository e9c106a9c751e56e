package mlp

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/viterin/vek/vek32"
)

// network is a multi-layer perceptron: sizes[0] inputs, hidden layers of
// sizes[1:len-1] units and sizes[len-1] outputs. All weights and biases
// live in one flat vector, layer after layer (weights in×out row-major,
// then biases), so the optimiser and the model file see a single array.
type network struct {
	sizes  []int
	act    activation
	params []float32
	wOff   []int // offset of each layer's weights in params
	bOff   []int // offset of each layer's biases
}

func newNetwork(sizes []int, act activation) *network {
	nt := &network{sizes: sizes, act: act}
	off := 0
	for l := 0; l+1 < len(sizes); l++ {
		nt.wOff = append(nt.wOff, off)
		off += sizes[l] * sizes[l+1]
		nt.bOff = append(nt.bOff, off)
		off += sizes[l+1]
	}
	nt.params = make([]float32, off)
	return nt
}

// layers is the number of weight layers.
func (nt *network) layers() int { return len(nt.sizes) - 1 }

func (nt *network) w(p []float32, l int) []float32 {
	return p[nt.wOff[l] : nt.wOff[l]+nt.sizes[l]*nt.sizes[l+1]]
}

func (nt *network) b(p []float32, l int) []float32 {
	return p[nt.bOff[l] : nt.bOff[l]+nt.sizes[l+1]]
}

// init draws weights and biases uniformly in ±1/sqrt(fan_in), PyTorch's
// default for linear layers, except for the weights into tanh units
// (Glorot's ±sqrt(6/(fan_in+fan_out))) and sigmoid units
// (±sqrt(2/(fan_in+fan_out)), as scikit-learn scales them). On the
// benchmark's data, He's wider ±sqrt(6/fan_in) before ReLU units trained
// to a test AUC 0.014 lower in three epochs of Adam.
func (nt *network) init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	uniform := func(x []float32, bound float64) {
		for i := range x {
			x[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	for l := range nt.layers() {
		in, out := float64(nt.sizes[l]), float64(nt.sizes[l+1])
		bound := 1 / math.Sqrt(in)
		if l+1 < nt.layers() {
			switch nt.act.name {
			case actTanh:
				bound = math.Sqrt(6 / (in + out))
			case actSigmoid:
				bound = math.Sqrt(2 / (in + out))
			}
		}
		uniform(nt.w(nt.params, l), bound)
		uniform(nt.b(nt.params, l), 1/math.Sqrt(in))
	}
}

// transpose writes the transpose of a (m×n) into t (n×m).
func transpose(t, a []float32, m, n int) {
	for i := range m {
		row := a[i*n : (i+1)*n]
		for j, v := range row {
			t[j*m+i] = v
		}
	}
}

// work is the scratch space of one chunk of rows: each layer's
// pre-activations z and activations a, dropout scales, deltas and the
// chunk's gradient.
type work struct {
	rows int
	z    [][]float32 // per layer, rows × out
	a    [][]float32 // per hidden layer, rows × out
	keep [][]float32 // per hidden layer with dropout: 0 or 1/(1-p)
	d, e []float32   // deltas, rows × widest layer
	grad []float32
}

// newWork makes the scratch space of a forward pass over rows rows.
func (nt *network) newWork(rows int, dropout bool) *work {
	w := &work{rows: rows}
	for l := range nt.layers() {
		w.z = append(w.z, make([]float32, rows*nt.sizes[l+1]))
		if l+1 < nt.layers() {
			w.a = append(w.a, make([]float32, rows*nt.sizes[l+1]))
			if dropout {
				w.keep = append(w.keep, make([]float32, rows*nt.sizes[l+1]))
			}
		}
	}
	return w
}

// newTrainingWork adds to newWork what a backward pass needs: deltas
// and the chunk's gradient (prediction does without them).
func (nt *network) newTrainingWork(rows int, dropout bool) *work {
	w := nt.newWork(rows, dropout)
	widest := slices.Max(nt.sizes)
	w.d = make([]float32, rows*widest)
	w.e = make([]float32, rows*widest)
	w.grad = make([]float32, len(nt.params))
	return w
}

// forward computes the outputs' pre-activations for the m rows of x
// (m × sizes[0]) into w.z[last]. With drop > 0 it also draws a dropout
// mask per hidden layer from rng (training only).
func (nt *network) forward(p []float32, x []float32, m int, w *work, drop float32, rng *rand.Rand) []float32 {
	in := x
	for l := range nt.layers() {
		n, o := nt.sizes[l], nt.sizes[l+1]
		z := w.z[l][:m*o]
		b := nt.b(p, l)
		for i := range m {
			copy(z[i*o:(i+1)*o], b)
		}
		gemm(z, o, in, n, 1, nt.w(p, l), o, m, n, o, true)
		if l+1 == nt.layers() {
			return z
		}
		a := w.a[l][:m*o]
		nt.act.apply(a, z)
		if drop > 0 {
			keep := w.keep[l][:m*o]
			scale := 1 / (1 - drop)
			for i := range keep {
				keep[i] = 0
				if rng.Float32() >= drop {
					keep[i] = scale
				}
			}
			vek32.Mul_Inplace(a, keep)
		}
		in = a
	}
	return nil
}

// backward adds nothing: it sets w.grad to the gradient of the loss whose
// output deltas are in dz (m × outputs), given the forward pass just made
// on x. wt holds each layer's transposed weights.
func (nt *network) backward(x []float32, m int, w *work, dz []float32, wt [][]float32, dropout bool) {
	L := nt.layers()
	d := dz
	for l := L - 1; l >= 0; l-- {
		n, o := nt.sizes[l], nt.sizes[l+1]
		in := x
		if l > 0 {
			in = w.a[l-1][:m*n]
		}
		// the weights' gradient inᵀ·d, reading in transposed in place
		gemm(nt.w(w.grad, l), o, in, 1, n, d[:m*o], o, n, m, o, false)
		gb := nt.b(w.grad, l)
		clear(gb)
		for i := range m {
			vek32.Add_Inplace(gb, d[i*o:(i+1)*o])
		}
		if l == 0 {
			return
		}
		// delta of the layer below: (d · Wᵀ) ⊙ act'(z) ⊙ dropout scale
		next := w.e[:m*n]
		if &d[0] == &w.e[0] {
			next = w.d[:m*n]
		}
		gemm(next, n, d[:m*o], o, 1, wt[l], n, m, o, n, false)
		nt.act.scaleByDerivative(next, w.z[l-1][:m*n], w.a[l-1][:m*n], !dropout)
		if dropout {
			vek32.Mul_Inplace(next, w.keep[l-1][:m*n])
		}
		d = next
	}
}
