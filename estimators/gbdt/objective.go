package gbdt

import (
	"math"
	"slices"

	"github.com/quiver-ml/quiver/engine"
)

// poissonMaxDelta damps the first Newton steps of the Poisson loss, whose
// hessian exp(score) is tiny where counts are small.
const poissonMaxDelta = 0.7

// objective computes gradients and hessians of a loss, per class, over
// rows [lo, hi).
type objective struct {
	name    string
	classes int       // 1 for regression and binary, K for softmax
	y       []float64 // regression target, or 0/1 for binary
	codes   []int32   // class codes for softmax
	w       []float64 // weights, or nil
	delta   float64   // huber
}

// initScores returns the starting score of every class: the constant that
// minimises the loss.
func (o *objective) initScores() []float64 {
	switch o.name {
	case objSquaredError:
		return []float64{weightedMean(o.y, o.w)}
	case objAbsoluteError, objHuber:
		return []float64{weightedMedian(o.y, o.w)}
	case objPoisson:
		return []float64{math.Log(max(weightedMean(o.y, o.w), 1e-12))}
	}
	if o.classes == 1 {
		p := min(max(weightedMean(o.y, o.w), 1e-12), 1-1e-12)
		return []float64{math.Log(p / (1 - p))}
	}
	counts := make([]float64, o.classes)
	total := 0.0
	for i, c := range o.codes {
		w := 1.0
		if o.w != nil {
			w = o.w[i]
		}
		counts[c] += w
		total += w
	}
	out := make([]float64, o.classes)
	for k := range out {
		out[k] = math.Log(max(counts[k]/total, 1e-12))
	}
	return out
}

// gradients fills g and h for class k on rows [lo, hi) from the scores of
// that class (s) or, for softmax, the class probabilities (probs).
func (o *objective) gradients(k int, s []float64, probs [][]float64, g, h []float64, lo, hi int) {
	g, h = g[lo:hi], h[lo:hi]
	switch o.name {
	case objSquaredError:
		engine.SubInto(g, s[lo:hi], o.y[lo:hi])
		fill(h, 1)
	case objAbsoluteError:
		for i, v := range s[lo:hi] {
			g[i] = sign(v - o.y[lo+i])
		}
		fill(h, 1)
	case objHuber:
		for i, v := range s[lo:hi] {
			g[i] = min(max(v-o.y[lo+i], -o.delta), o.delta)
		}
		fill(h, 1)
	case objPoisson:
		for i, v := range s[lo:hi] {
			g[i] = math.Exp(v) - o.y[lo+i]
			h[i] = math.Exp(v + poissonMaxDelta)
		}
	default:
		if o.classes == 1 {
			for i, v := range s[lo:hi] {
				p, q := engine.Sigmoid2(v)
				g[i] = p - o.y[lo+i]
				h[i] = max(p*q, 1e-16)
			}
			break
		}
		// LightGBM's scaling of the softmax hessian, K/(K-1), makes a
		// two-class softmax take the same steps as the binary loss.
		f := float64(o.classes) / float64(o.classes-1)
		for i, p := range probs[k][lo:hi] {
			g[i] = p
			if o.codes[lo+i] == int32(k) {
				g[i] = p - 1
			}
			h[i] = max(f*p*(1-p), 1e-16)
		}
	}
	if o.w != nil {
		engine.Mul(g, o.w[lo:hi])
		engine.Mul(h, o.w[lo:hi])
	}
}

func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func weightedMean(y, w []float64) float64 {
	s, sw := 0.0, 0.0
	for i, v := range y {
		s += weightAt(w, i) * v
		sw += weightAt(w, i)
	}
	return s / sw
}

// weightedMedian returns the smallest value at which the cumulative weight
// of the sorted values reaches half the total.
func weightedMedian(y, w []float64) float64 {
	order := make([]int, len(y))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case y[a] < y[b]:
			return -1
		case y[a] > y[b]:
			return 1
		}
		return 0
	})
	total := 0.0
	for i := range y {
		total += weightAt(w, i)
	}
	acc := 0.0
	for _, i := range order {
		acc += weightAt(w, i)
		if acc >= total/2 {
			return y[i]
		}
	}
	return 0
}

func weightAt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}
