package preprocess

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// This file and the other compile_*.go files let the feature steps be
// exported as compiled scorers (estimators.Compiler). Each Compile writes,
// per row, the float64 operations that Apply performs, in the same order
// and with the model's numbers as constants that read back bit for bit, so
// that a scorer's outputs are Apply's.
//
// Conventions of the generated code, as estimators.Value describes them:
// numbers and booleans are float64 (booleans 0 or 1, missing NaN), so a
// bool output (the imputer's bool columns and its "<col>_missing"
// indicators) is declared as a number; string and categorical columns are
// int32 codes into a category list (-1 missing, -2 unseen).

// bind adds a statement giving expr a fresh local name and returns the
// name, so that an input expression is read once per row.
func bind(g *estimators.Gen, prefix, expr string) string {
	name := g.Local(prefix)
	g.Line("%s := %s", name, expr)
	return name
}

// output declares a numeric output held in a local. The blank use keeps
// the generated code legal when no later code reads it (a pipeline step
// after this one may replace it unread).
func output(g *estimators.Gen, name, local string) {
	g.Line("_ = %s", local)
	g.Output(name, estimators.Value{Expr: local})
}

// outputBool declares a bool output held in a local as 0 or 1 (NaN when
// missing), as output does a number.
func outputBool(g *estimators.Gen, name, local string) {
	g.Line("_ = %s", local)
	g.Output(name, estimators.Value{Expr: local, Bool: true})
}

// numberInputs binds every numeric input of m and returns their locals.
func numberInputs(g *estimators.Gen, m *base) ([]string, error) {
	xs := make([]string, len(m.inputs))
	for j, in := range m.inputs {
		if m.kinds[j] != kindNumber {
			return nil, engine.Errorf(engine.KindInternal, "%s: input %q is not numeric", m.learner, in.Name)
		}
		expr, err := g.Float(in.Name)
		if err != nil {
			return nil, err
		}
		xs[j] = bind(g, "x", expr)
	}
	return xs, nil
}

// levelCode binds the code of input in's value among levels (the step's
// sorted training levels): the level's index, codeMissing or codeUnknown,
// as levelCodes gives it to Apply. A text input arrives as a code into the
// scorer's category list, or as its text, and is remapped by name; a bool input arrives as
// 0/1/NaN (or, from a step that keeps it as categories, as a code into
// "false" and "true") and becomes the index of "false" or "true".
func levelCode(g *estimators.Gen, learner string, in engine.Field, k kind, levels []string) (string, error) {
	v, err := g.Pass(in.Name)
	if err != nil {
		return "", err
	}
	if code, ok := g.Code(v, levels); ok {
		return bind(g, "c", code), nil
	}
	if k != kindBool {
		return "", engine.Errorf(engine.KindType, "%s: column %q is numeric here; the model reads it as text (string or categorical)", learner, in.Name)
	}
	idx := func(level string) int32 {
		if i, ok := slices.BinarySearch(levels, level); ok {
			return int32(i)
		}
		return codeUnknown
	}
	fn := g.Local("boolcode")
	g.Decl("func %s(v float64) int32 {\nswitch {\ncase v != v:\nreturn %d\ncase v != 0:\nreturn %d\n}\nreturn %d\n}",
		fn, codeMissing, idx(levelTrue), idx(levelFalse))
	return bind(g, "c", fn+"("+v.Expr+")"), nil
}

// failFormat escapes s for use as literal text in a Fail format.
func failFormat(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// Compile writes (x - mean) / scale per column, as Apply computes it (the
// mean is 0 without with_mean).
func (m *StandardScalerModel) Compile(g *estimators.Gen) error {
	xs, err := numberInputs(g, &m.base)
	if err != nil {
		return err
	}
	withMean := m.params.Bool("with_mean")
	for j, in := range m.inputs {
		c := 0.0
		if withMean {
			c = m.mean[j]
		}
		o := g.Local("o")
		g.Line("%s := (%s - %s) / %s", o, xs[j], estimators.GoFloat(c), estimators.GoFloat(m.scale[j]))
		output(g, in.Name, o)
	}
	return nil
}

// Compile writes x·scale + shift per column, clipped to the feature range
// with clip, as Apply computes it.
func (m *MinMaxScalerModel) Compile(g *estimators.Gen) error {
	xs, err := numberInputs(g, &m.base)
	if err != nil {
		return err
	}
	lo, hi := m.params.Float("feature_range_low"), m.params.Float("feature_range_high")
	clip := m.params.Bool("clip")
	for j, in := range m.inputs {
		o := g.Local("o")
		// The same expression shape as Apply's v*s + t, so that a
		// compiler fusing it into one multiply-add fuses both alike.
		g.Line("%s := %s*%s + %s", o, xs[j], estimators.GoFloat(m.scale[j]), estimators.GoFloat(m.shift[j]))
		if clip {
			clipLines(g, o, lo, hi)
		}
		output(g, in.Name, o)
	}
	return nil
}

// clipLines clips the local o to [lo, hi] as Apply does: NaN stays NaN.
func clipLines(g *estimators.Gen, o string, lo, hi float64) {
	l, h := estimators.GoFloat(lo), estimators.GoFloat(hi)
	g.Line("if %s < %s {\n%s = %s\n} else if %s > %s {\n%s = %s\n}", o, l, o, l, o, h, o, h)
}

// Compile writes log1p(x + offset) or log(x + offset) per column, and a
// row error, worded as Apply's, for a value outside the logarithm's
// domain.
func (m *LogTransformModel) Compile(g *estimators.Gen) error {
	xs, err := numberInputs(g, &m.base)
	if err != nil {
		return err
	}
	offset := m.params.Float("offset")
	fn := m.params.String("function")
	lowest, call := "0.0", "math.Log1p"
	what, need, fix := "negative", ">= 0", "to at least %v"
	if fn == logLog {
		lowest, call = "math.SmallestNonzeroFloat64", "math.Log"
		what, need, fix = "negative or zero", "> 0", "above %v (such as %v)"
	}
	for j, in := range m.inputs {
		s := g.Local("s")
		g.Line("%s := %s + %s", s, xs[j], estimators.GoFloat(offset))
		g.Line("if %s < %s {", s, lowest)
		format := failFormat(fmt.Sprintf("%s: column ", LogTransformName)) + "%q has the value %v, which is " +
			failFormat(fmt.Sprintf("%s once the offset %v is added; %s(x + offset) needs x + offset %s: set hyperparameter \"offset\" ", what, offset, fn, need)) +
			fix + ", or clip the column first"
		args := []string{strconv.Quote(in.Name), xs[j], "0 - " + xs[j]}
		if fn == logLog {
			args = append(args, "1 - "+xs[j])
		}
		g.Fail(format, args...)
		g.Line("}")
		o := bind(g, "o", call+"("+s+")")
		output(g, in.Name, o)
	}
	return nil
}

// Compile clips every column to its bounds, as Apply does.
func (m *ClipModel) Compile(g *estimators.Gen) error {
	xs, err := numberInputs(g, &m.base)
	if err != nil {
		return err
	}
	for j, in := range m.inputs {
		o := bind(g, "o", xs[j])
		clipLines(g, o, m.low[j], m.high[j])
		output(g, in.Name, o)
	}
	return nil
}

// Compile writes, per column, the number of inner edges at or below the
// value (the bucket), counted over a table of the edges: the edges are
// sorted, so the count is the index Apply's binary search finds. Missing
// values stay NaN.
func (m *BucketizeModel) Compile(g *estimators.Gen) error {
	xs, err := numberInputs(g, &m.base)
	if err != nil {
		return err
	}
	for j, in := range m.inputs {
		inner := m.edges[j][1 : len(m.edges[j])-1]
		edges := make([]string, len(inner))
		for i, e := range inner {
			edges[i] = estimators.GoFloat(e)
		}
		tbl, fn := g.Local("edges"), g.Local("bucket")
		g.Decl("var %s = [...]float64{%s}", tbl, strings.Join(edges, ", "))
		g.Decl("func %s(v float64) float64 {\nif v != v {\nreturn v\n}\nn := 0\nfor _, e := range %s {\nif e > v {\nbreak\n}\nn++\n}\nreturn float64(n)\n}", fn, tbl)
		o := bind(g, "o", fn+"("+xs[j]+")")
		output(g, in.Name, o)
	}
	return nil
}
