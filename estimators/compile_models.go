package estimators

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FiniteInputs reads the numeric columns names, in order, into a new local
// array of float64 and adds the check that fails the row, naming the
// column, when one of them is missing (NaN) or infinite: the rule of
// models whose Apply refuses such values (linear models, neural networks).
// A vector column (when vectors is true) takes as many places as its
// width. It returns the array's name. It fails as Float does for a column
// that does not reach the model or is categorical, and for a vector
// unless vectors is true.
func (g *Gen) FiniteInputs(names []string, vectors bool) (string, error) {
	var exprs, quoted []string
	for _, name := range names {
		if v, err := g.Pass(name); err == nil && v.Width > 0 && vectors {
			for k := range v.Width {
				exprs = append(exprs, fmt.Sprintf("%s[%d]", v.Expr, k))
				quoted = append(quoted, strconv.Quote(name))
			}
			continue
		}
		e, err := g.Float(name)
		if err != nil {
			return "", err
		}
		exprs = append(exprs, e)
		quoted = append(quoted, strconv.Quote(name))
	}
	x, cols := g.Local("x"), g.Local("columns")
	g.Decl("// %s names the columns of %s, for error messages.\nvar %s = [...]string{%s}", cols, x, cols, strings.Join(quoted, ", "))
	g.Line("%s := [...]float64{%s}", x, strings.Join(exprs, ", "))
	g.Line("for j, v := range %s {\nif v != v || math.IsInf(v, 0) {", x)
	g.Fail("input column %q is missing or infinite; impute it before predicting", cols+"[j]")
	g.Line("}\n}")
	return x, nil
}

// GoFloat32 writes v as a Go float32 expression that reads back to the
// same bits.
func GoFloat32(v float32) string {
	f := float64(v)
	switch {
	case math.IsNaN(f), math.IsInf(f, 0), f == 0 && math.Signbit(f):
		return "float32(" + GoFloat(f) + ")"
	}
	s := strconv.FormatFloat(f, 'g', -1, 32)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// floatList writes values as the elements of a Go array literal, a few
// to a line so that large tables stay readable.
func floatList(values []string, perLine int) string {
	var b strings.Builder
	for i, v := range values {
		if i%perLine == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s,", v)
		if i%perLine != perLine-1 && i != len(values)-1 {
			b.WriteString(" ")
		}
	}
	if len(values) > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// Float64Table returns the elements of a Go array literal of float64
// constants, bit for bit, laid out a few to a line.
func Float64Table(values []float64) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = GoFloat(v)
	}
	return floatList(s, 6)
}

// Float32Table returns the elements of a Go array literal of float32
// constants, bit for bit, laid out a few to a line.
func Float32Table(values []float32) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = GoFloat32(v)
	}
	return floatList(s, 8)
}
