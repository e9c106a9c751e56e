package linear

import (
	"fmt"
	"strings"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// Compile writes the model as Go source: the coefficients as constant
// tables and each margin summed as Apply's kernel sums it on amd64 with
// AVX2 and FMA (a fused multiply-add per feature, in feature order, from
// zero, then the intercept), so the compiled outputs are Apply's bit for
// bit there and within rounding elsewhere. As Apply does, a row with a
// missing or infinite feature fails, naming the column. Regression,
// binary (sigmoid) and multinomial (softmax) models all compile.
func (m *Model) Compile(g *estimators.Gen) error {
	if len(m.coef) == 0 || len(m.coef) != len(m.intercept) {
		return engine.Errorf(engine.KindValue, "%s: the model has no coefficients to compile", m.learner)
	}
	x, err := g.FiniteInputs(m.features, false)
	if err != nil {
		return err
	}
	p := len(m.features)
	coef, intercept, margin := g.Local("coef"), g.Local("intercept"), g.Local("margin")
	var rows strings.Builder
	for _, c := range m.coef {
		fmt.Fprintf(&rows, "{%s},\n", estimators.Float64Table(c))
	}
	g.Decl("// %s holds the coefficients of the features %q, one vector per row.\nvar %s = [...][%d]float64{\n%s}",
		coef, m.features, coef, p, rows.String())
	g.Decl("// %s holds the intercept of each coefficient vector.\nvar %s = [...]float64{%s}", intercept, intercept, estimators.Float64Table(m.intercept))
	// Apply multiplies the features block by block with a SIMD kernel that
	// adds one feature at a time with a fused multiply-add: the same sum,
	// in the same order, keeps the margins bit for bit.
	g.Decl(`// %s is the intercept plus the features weighted by coef, summed in
// feature order with fused multiply-adds as the engine's kernel sums them.
func %s(x, coef *[%d]float64, intercept float64) float64 {
	s := 0.0
	for j, c := range coef {
		s = math.FMA(c, x[j], s)
	}
	return s + intercept
}`, margin, margin, p)
	if m.classes == nil {
		eta := g.Local("eta")
		g.Line("%s := %s(&%s, &%s[0], %s[0])", eta, margin, x, coef, intercept)
		g.Output("prediction", estimators.Value{Expr: eta})
		return nil
	}
	margins := make([]string, len(m.coef))
	for k := range margins {
		margins[k] = fmt.Sprintf("%s(&%s, &%s[%d], %s[%d])", margin, x, coef, k, intercept, k)
	}
	if err := g.ClassOutputs(m.classes, margins); err != nil {
		return engine.Errorf(engine.KindValue, "%s: %v", m.learner, err)
	}
	return nil
}
