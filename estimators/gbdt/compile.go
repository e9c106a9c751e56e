package gbdt

import (
	"fmt"
	"math"
	"strings"

	"github.com/quiver-ml/quiver/estimators"
)

// Compile writes the model as Go source: every tree a function of nested
// branches with its thresholds and leaf values as constants, summed in
// boosting order as Apply sums them, so the compiled scores are the
// model's, bit for bit. Only the default outputs are compiled (no raw
// scores or contributions).
func (m *Model) Compile(g *estimators.Gen) error {
	nf := len(m.features)
	x := g.Local("x")
	g.Line("var %s [%d]float64", x, max(nf, 1))
	for j, f := range m.features {
		v, err := g.Input(f)
		if err != nil {
			return err
		}
		if !m.mappers[j].categorical {
			if v.Categorical {
				return fmt.Errorf("feature %q was numeric in training but is categorical here", f)
			}
			g.Line("%s[%d] = %s", x, j, v.Expr)
			continue
		}
		if !v.Categorical {
			return fmt.Errorf("feature %q was categorical in training but is numeric here", f)
		}
		// Trees read a category as its index among the training
		// categories, and a missing or unseen one as NaN.
		code := g.CodeMap(v.Expr, v.Categories, m.mappers[j].categories)
		g.Line("if c := %s; c >= 0 {\n%s[%d] = float64(c)\n} else {\n%s[%d] = math.NaN()\n}", code, x, j, x, j)
	}
	K := m.treesPerIter
	raw := make([]string, K)
	for k := range raw {
		raw[k] = g.Local("raw")
		g.Line("%s := %s", raw[k], estimators.GoFloat(m.initScore[k]))
	}
	for ti, t := range m.trees {
		name := g.Local("tree")
		var b strings.Builder
		fmt.Fprintf(&b, "func %s(x *[%d]float64) float64 {\n", name, max(nf, 1))
		writeNode(&b, t, t.root())
		b.WriteString("}")
		g.Decl("%s", b.String())
		g.Line("%s += %s(&%s)", raw[ti%K], name, x)
	}
	if m.classes == nil {
		pred := raw[0]
		if m.objective == objPoisson {
			pred = "math.Exp(" + pred + ")"
		}
		g.Output("prediction", estimators.Value{Expr: pred})
		return nil
	}
	return g.ClassOutputs(m.classes, raw)
}

// writeNode writes the branches below child reference c, as goesLeft
// decides them.
func writeNode(b *strings.Builder, t *Tree, c int32) {
	if c < 0 {
		fmt.Fprintf(b, "return %s\n", estimators.GoFloat(t.LeafValue[^c]))
		return
	}
	f := t.Feature[c]
	if l, r := t.Left[c], t.Right[c]; l < 0 && r < 0 && t.CatLeft[c] == nil {
		// Two leaves under a numeric split: a conditional move of their
		// bits rather than a branch, whose direction is a coin toss the
		// predictor loses about half the time.
		cond := fmt.Sprintf("x[%d] <= %s", f, estimators.GoFloat(t.Threshold[c]))
		if t.DefaultLeft[c] {
			cond = fmt.Sprintf("!(x[%d] > %s)", f, estimators.GoFloat(t.Threshold[c]))
		}
		left, right := t.LeafValue[^l], t.LeafValue[^r]
		fmt.Fprintf(b, "leaf := uint64(%#016x) // %s\nif %s {\nleaf = %#016x // %s\n}\nreturn math.Float64frombits(leaf)\n",
			math.Float64bits(right), estimators.GoFloat(right), cond, math.Float64bits(left), estimators.GoFloat(left))
		return
	}
	switch cats := t.CatLeft[c]; {
	case cats != nil:
		var codes []string
		for w, word := range cats {
			for bit := range 64 {
				if word&(1<<bit) != 0 {
					codes = append(codes, fmt.Sprint(w*64+bit))
				}
			}
		}
		// A function literal keeps the test an expression, so the
		// branches nest as they do for numeric splits.
		fmt.Fprintf(b, "if func(v float64) bool {\nif v != v {\nreturn %v\n}\n", t.DefaultLeft[c])
		if len(codes) > 0 {
			fmt.Fprintf(b, "switch int64(v) {\ncase %s:\nreturn true\n}\n", strings.Join(codes, ", "))
		}
		fmt.Fprintf(b, "return false\n}(x[%d]) {\n", f)
	case t.DefaultLeft[c]:
		// One comparison: !(v > t) holds for v <= t and for NaN.
		fmt.Fprintf(b, "if !(x[%d] > %s) {\n", f, estimators.GoFloat(t.Threshold[c]))
	default:
		fmt.Fprintf(b, "if x[%d] <= %s {\n", f, estimators.GoFloat(t.Threshold[c]))
	}
	writeNode(b, t, t.Left[c])
	b.WriteString("}\n")
	writeNode(b, t, t.Right[c])
}
