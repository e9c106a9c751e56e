package mlp

import (
	"fmt"
	"strings"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// Compile writes the network as Go source: the standardisation and every
// layer's weights and biases as constant tables, and a forward pass in
// float32 that sums each unit as Apply's kernels do on amd64 with AVX2 and
// FMA (see the generated dense function), so that the compiled outputs are
// Apply's bit for bit there and within float32 rounding elsewhere. As
// Apply does, a row with a missing or infinite feature fails, naming the
// column. A vector (fixed-size list) feature feeds as many network inputs
// as its width.
func (m *Model) Compile(g *estimators.Gen) error {
	names := make([]string, len(m.inputs))
	width := 0
	for j, in := range m.inputs {
		names[j] = in.name
		width += in.width
		if v, err := g.Pass(in.name); err == nil && v.Width != 0 && v.Width != in.width {
			return engine.Errorf(engine.KindType, "mlp: feature %q is a vector of %d numbers here, of %d in training", in.name, v.Width, in.width)
		}
	}
	nt := m.nt
	d := nt.sizes[0]
	if d != width || len(m.standard.mean) != d || len(m.standard.scale) != d {
		return engine.Errorf(engine.KindValue, "mlp: %d network inputs for %d feature values", d, width)
	}
	act, ok := activationSource[nt.act.name]
	if !ok {
		return engine.Errorf(engine.KindValue, "mlp: activation %q cannot be compiled", nt.act.name)
	}
	x, err := g.FiniteInputs(names, true)
	if err != nil {
		return err
	}

	// The standardisation, as readMatrix computes it: (x - mean) times the
	// inverse of the scale, in float64, rounded once to float32.
	inv := make([]float64, d)
	for f, sd := range m.standard.scale {
		inv[f] = 1 / sd
	}
	mean, scale := g.Local("mean"), g.Local("invScale")
	g.Decl("// %s and %s standardise the inputs: (x - mean) · invScale.\nvar %s = [...]float64{%s}\n\nvar %s = [...]float64{%s}",
		mean, scale, mean, estimators.Float64Table(m.standard.mean), scale, estimators.Float64Table(inv))

	fma, dot, dense, activate := g.Local("fma"), g.Local("dot"), g.Local("dense"), g.Local("activate")
	declareKernels(g, fma, dot, dense)
	g.Decl("// %s is the hidden layers' activation, %s, as the engine computes it.\nfunc %s(z float32) float32 {\n%s\n}", activate, nt.act.name, activate, act)

	// Per layer: its weights (inputs × units, row-major) and biases.
	L := nt.layers()
	weights, biases := make([]string, L), make([]string, L)
	for l := range L {
		weights[l], biases[l] = g.Local("w"), g.Local("b")
		g.Decl("// %s and %s are the weights (%d inputs × %d units, row-major) and biases of layer %d.\nvar %s = [...]float32{%s}\n\nvar %s = [...]float32{%s}",
			weights[l], biases[l], nt.sizes[l], nt.sizes[l+1], l+1,
			weights[l], estimators.Float32Table(nt.w(nt.params, l)), biases[l], estimators.Float32Table(nt.b(nt.params, l)))
	}
	outs := nt.sizes[L]
	net := g.Local("net")
	var b strings.Builder
	fmt.Fprintf(&b, "// %s runs the network on one row of standardised inputs and returns its\n// output units' pre-activations.\n", net)
	fmt.Fprintf(&b, "func %s(x *[%d]float32) (z [%d]float32) {\n", net, d, outs)
	in := "x"
	for l := range L {
		if l+1 == L {
			fmt.Fprintf(&b, "%s(z[:], %s[:], %s[:], %s[:])\nreturn z\n}", dense, in, weights[l], biases[l])
			break
		}
		h := fmt.Sprintf("h%d", l+1)
		fmt.Fprintf(&b, "var %s [%d]float32\n%s(%s[:], %s[:], %s[:], %s[:])\n", h, nt.sizes[l+1], dense, h, in, weights[l], biases[l])
		fmt.Fprintf(&b, "for j, v := range %s {\n%s[j] = %s(v)\n}\n", h, h, activate)
		in = h
	}
	g.Decl("%s", b.String())

	xs, z := g.Local("xs"), g.Local("z")
	g.Line("var %s [%d]float32", xs, d)
	g.Line("for j, v := range %s {\n%s[j] = float32((v - %s[j]) * %s[j])\n}", x, xs, mean, scale)
	g.Line("%s := %s(&%s)", z, net, xs)
	if m.classes == nil {
		g.Output("prediction", estimators.Value{Expr: fmt.Sprintf("float64(%s[0])", z)})
		return nil
	}
	margins := make([]string, outs)
	for k := range margins {
		margins[k] = fmt.Sprintf("float64(%s[%d])", z, k)
	}
	if err := g.ClassOutputs(m.classes, margins); err != nil {
		return engine.Errorf(engine.KindValue, "mlp: %v", err)
	}
	return nil
}

// activationSource is the body of each activation as activation.apply
// computes it, of a float32 z.
var activationSource = map[string]string{
	actReLU:    "if z < 0 {\nreturn 0\n}\nreturn z",
	actTanh:    "return float32(math.Tanh(float64(z)))",
	actSigmoid: "return float32(1 / (1 + math.Exp(-float64(z))))",
	actGELU:    "v := float64(z)\nreturn float32(0.5 * v * (1 + math.Erf(v/math.Sqrt2)))",
}

// declareKernels declares the float32 arithmetic of a layer under the
// names fma, dot and dense. Each reproduces the order and the rounding of
// the engine's kernels on amd64 with AVX2 and FMA (gemm's register-blocked
// panels, gemmGo's remainder, vek32.Dot for a single unit), which is what
// makes the compiled network's outputs Apply's own.
func declareKernels(g *estimators.Gen, fma, dot, dense string) {
	g.Decl(`// %s returns a·b+c rounded once to float32, as a float32 fused
// multiply-add does: the product is exact in float64, and the sum is
// rounded to odd there so that rounding it again to float32 is exact.
func %s(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	t := s - p
	if e := (p - (s - t)) + (float64(c) - t); e != 0 && math.Float64bits(s)&1 == 0 {
		s = math.Nextafter(s, math.Copysign(math.Inf(1), e))
	}
	return float32(s)
}`, fma, fma)
	g.Decl(`// %s is the dot product of x and y summed as the engine's SIMD dot
// product sums it: 32 running sums of fused multiply-adds over whole
// blocks of 32, added in a fixed tree, then the rest one at a time.
func %s(x, y []float32) float32 {
	var s float32
	k := 0
	if len(x) >= 32 {
		var acc [32]float32
		for ; k+32 <= len(x); k += 32 {
			for l := range acc {
				acc[l] = %s(x[k+l], y[k+l], acc[l])
			}
		}
		var v [8]float32
		for l := range v {
			v[l] = acc[l] + acc[8+l] + acc[16+l] + acc[24+l]
		}
		w0, w1, w2, w3 := v[0]+v[4], v[1]+v[5], v[2]+v[6], v[3]+v[7]
		s = (w0 + w2) + (w1 + w3)
	}
	for ; k < len(x); k++ {
		s = %s(x[k], y[k], s)
	}
	return s
}`, dot, dot, fma, fma)
	g.Decl(`// %s sets out to b + in·w, w holding len(in) rows of len(out) weights.
// As the engine's kernels compute a layer: a single unit is a dot product
// plus the bias; units in whole panels of 8 are fused multiply-adds from
// zero, plus the bias; the units left over add one product at a time to
// the bias.
func %s(out, in, w, b []float32) {
	o := len(out)
	if o == 1 {
		out[0] = %s(in, w) + b[0]
		return
	}
	fused := o / 8 * 8
	for j := range out {
		if j < fused {
			var s float32
			for k, a := range in {
				s = %s(a, w[k*o+j], s)
			}
			out[j] = s + b[j]
			continue
		}
		s := b[j]
		for k, a := range in {
			s += a * w[k*o+j]
		}
		out[j] = s
	}
}`, dense, dense, dot, fma)
}
