package preprocess

import (
	"fmt"
	"strconv"

	"github.com/quiver-ml/quiver/estimators"
)

// Compile passes the kept (or renamed) inputs on as they reach the step,
// under their new names for rename_columns: Apply returns the input
// columns themselves. The dropped columns need no code; a pipeline drops
// them through Replaces.
func (m *columnStep) Compile(g *estimators.Gen) error {
	outs := m.Outputs()
	for j, in := range m.inputs {
		v, err := g.Pass(in.Name)
		if err != nil {
			return err
		}
		g.Output(outs[j].Name, v)
	}
	return nil
}

// compileText declares, for every input in order, its copy (with
// keep_input) and its features, whose names it hands to features with the
// input's text value, as Outputs lists them.
func (m *textModel) compileText(g *estimators.Gen, features func(v estimators.Value, names []string)) error {
	outs := m.Outputs()
	k := 0
	for _, in := range m.inputs {
		v, err := g.TextInput(in.Name)
		if err != nil {
			return err
		}
		if m.keep() {
			g.Output(outs[k].Name, v)
			k++
		}
		names := make([]string, len(m.suffixes))
		for i := range names {
			names[i] = outs[k].Name
			k++
		}
		features(v, names)
	}
	return nil
}

// Compile writes, for every input and pattern, a bool: whether the pattern
// matches the row's text (false where the text is missing), each pattern
// compiled once from its expression as Apply compiled it.
func (m *RegexFeaturesModel) Compile(g *estimators.Gen) error {
	g.Import("regexp")
	res := make([]string, len(m.patterns))
	for i, p := range m.patterns {
		res[i] = g.Local("re")
		g.Decl("// %s matches pattern %s.\nvar %s = regexp.MustCompile(%s)", res[i], strconv.Quote(p.name), res[i], strconv.Quote(p.re.String()))
	}
	return m.compileText(g, func(v estimators.Value, names []string) {
		c := bind(g, "c", v.Expr)
		for i, name := range names {
			o := g.Local("match")
			g.Line("%s := 0.0\nif %s >= 0 && %s.MatchString(%s[%s]) {\n%s = 1\n}", o, c, res[i], v.Strings, c, o)
			outputBool(g, name, o)
		}
	})
}

// Compile writes, for every input, the counts of its tokens' buckets,
// found and hashed by the step's own code (texthash), zeros where the text
// is missing.
func (m *HashedTokensModel) Compile(g *estimators.Gen) error {
	g.Import("regexp")
	g.Import("github.com/quiver-ml/quiver/engine/texthash")
	re := g.Local("tokens")
	g.Decl("var %s = regexp.MustCompile(%s)", re, strconv.Quote(m.re.String()))
	nf, lower := m.params.Int("n_features"), m.params.Bool("lowercase")
	return m.compileText(g, func(v estimators.Value, names []string) {
		h := g.Local("counts")
		g.Line("var %s [%d]float64\nif c := %s; c >= 0 {\nfor _, t := range texthash.Tokens(%s, %s[c], %v) {\n%s[texthash.Bucket(t, %d)]++\n}\n}",
			h, nf, v.Expr, re, v.Strings, lower, h, nf)
		for b, name := range names {
			g.Output(name, estimators.Value{Expr: fmt.Sprintf("%s[%d]", h, b)})
		}
	})
}

// The feature steps, every one of which compiles.
var (
	_ estimators.Compiler = (*StandardScalerModel)(nil)
	_ estimators.Compiler = (*MinMaxScalerModel)(nil)
	_ estimators.Compiler = (*ImputerModel)(nil)
	_ estimators.Compiler = (*OneHotModel)(nil)
	_ estimators.Compiler = (*OrdinalEncoderModel)(nil)
	_ estimators.Compiler = (*TargetEncoderModel)(nil)
	_ estimators.Compiler = (*LogTransformModel)(nil)
	_ estimators.Compiler = (*ClipModel)(nil)
	_ estimators.Compiler = (*BucketizeModel)(nil)
	_ estimators.Compiler = (*SelectColumnsModel)(nil)
	_ estimators.Compiler = (*DropColumnsModel)(nil)
	_ estimators.Compiler = (*RenameColumnsModel)(nil)
	_ estimators.Compiler = (*RegexFeaturesModel)(nil)
	_ estimators.Compiler = (*HashedTokensModel)(nil)
)
