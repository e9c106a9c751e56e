// Package prob turns a model's raw scores into probabilities. It imports
// only the standard library so that exported scorers, which must not carry
// the engine, compute probabilities with the very same code as the engine.
package prob

import "math"

// Sigmoid2 returns σ(z) and 1-σ(z), each computed without cancellation.
func Sigmoid2(z float64) (float64, float64) {
	if z >= 0 {
		e := math.Exp(-z)
		return 1 / (1 + e), e / (1 + e)
	}
	e := math.Exp(z)
	return e / (1 + e), 1 / (1 + e)
}

// Softmax writes the class probabilities of margins z into out.
func Softmax(z, out []float64) {
	top := z[0]
	for _, v := range z[1:] {
		top = max(top, v)
	}
	s := 0.0
	for k, v := range z {
		out[k] = math.Exp(v - top)
		s += out[k]
	}
	for k := range out {
		out[k] /= s
	}
}

// Argmax returns the index of the largest of p, the first on ties.
func Argmax(p []float64) int {
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	return best
}
