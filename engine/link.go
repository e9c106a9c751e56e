package engine

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine/prob"
)

// Sigmoid2 returns σ(z) and 1-σ(z) (see prob.Sigmoid2).
func Sigmoid2(z float64) (float64, float64) { return prob.Sigmoid2(z) }

// Softmax writes the class probabilities of margins z into out (see
// prob.Softmax).
func Softmax(z, out []float64) { prob.Softmax(z, out) }

// Probabilities turns margins into class probabilities and sets codes to
// the most probable class of every row (the first on ties; class 1 of two
// only when its margin is positive). eta holds the log-odds of class 1 for
// two classes, or one margin vector per class; probs holds one vector per
// class and may share memory with eta.
func Probabilities(eta, probs [][]float64, codes []int32) {
	if len(eta) == 1 {
		for i, e := range eta[0] {
			probs[1][i], probs[0][i] = Sigmoid2(e)
			codes[i] = 0
			if e > 0 {
				codes[i] = 1
			}
		}
		return
	}
	K := len(eta)
	z, pr := make([]float64, K), make([]float64, K)
	for i := range codes {
		for k := range K {
			z[k] = eta[k][i]
		}
		prob.Softmax(z, pr)
		for k := range K {
			probs[k][i] = pr[k]
		}
		codes[i] = int32(prob.Argmax(pr))
	}
}

// Rows returns the rows [lo, hi) of every vector.
func Rows(vs [][]float64, lo, hi int) [][]float64 {
	out := make([][]float64, len(vs))
	for k, v := range vs {
		out[k] = v[lo:hi]
	}
	return out
}

// NewFloat64Buffer allocates a buffer of n float64 values on mem and
// returns it with the values as a slice.
func NewFloat64Buffer(mem memory.Allocator, n int) (*memory.Buffer, []float64) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * 8)
	if n == 0 {
		return buf, nil
	}
	return buf, arrow.Float64Traits.CastFromBytes(buf.Bytes())[:n]
}

// FinishFloat64 wraps buf as a float64 array of n values, taking over the
// caller's reference.
func FinishFloat64(buf *memory.Buffer, n int) arrow.Array {
	d := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer d.Release()
	return array.MakeFromData(d)
}
