package mlp

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// activation is a hidden layer's nonlinearity.
type activation struct{ name string }

// apply sets a to act(z).
func (f activation) apply(a, z []float32) {
	switch f.name {
	case actReLU:
		vek32.MaximumNumber_Into(a, z, 0)
	case actTanh:
		for i, v := range z {
			a[i] = float32(math.Tanh(float64(v)))
		}
	case actSigmoid:
		for i, v := range z {
			a[i] = sigmoid(v)
		}
	case actGELU:
		for i, v := range z {
			a[i] = float32(gelu(float64(v)))
		}
	}
}

// scaleByDerivative multiplies d by act'(z). a holds act(z) unless
// dropout scaled it, in which case noDropout is false and z is used.
func (f activation) scaleByDerivative(d, z, a []float32, noDropout bool) {
	switch f.name {
	case actReLU:
		// 1 where z's sign bit is clear, else 0, without a branch: the
		// signs of a layer's units are a coin toss the predictor loses.
		for i, v := range z {
			keep := ^uint32(int32(math.Float32bits(v))>>31) & 0x3f800000
			d[i] *= math.Float32frombits(keep)
		}
	case actTanh:
		for i := range d {
			t := a[i]
			if !noDropout {
				t = float32(math.Tanh(float64(z[i])))
			}
			d[i] *= 1 - t*t
		}
	case actSigmoid:
		for i := range d {
			s := a[i]
			if !noDropout {
				s = sigmoid(z[i])
			}
			d[i] *= s * (1 - s)
		}
	case actGELU:
		for i, v := range z {
			d[i] *= float32(geluDerivative(float64(v)))
		}
	}
}

func sigmoid(v float32) float32 {
	return float32(1 / (1 + math.Exp(-float64(v))))
}

// gelu is the exact Gaussian error linear unit, z·Φ(z).
func gelu(z float64) float64 { return 0.5 * z * (1 + math.Erf(z/math.Sqrt2)) }

// geluDerivative is Φ(z) + z·φ(z).
func geluDerivative(z float64) float64 {
	return 0.5*(1+math.Erf(z/math.Sqrt2)) + z*math.Exp(-0.5*z*z)/math.Sqrt(2*math.Pi)
}
