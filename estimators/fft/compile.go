package fft

import (
	"fmt"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// numericTypes are the Arrow type names of the cues asked about as
// numbers; besides them, "bool" is logical and anything else (strings,
// dictionaries) categorical, as newAnswerer tells them apart.
var numericTypes = map[string]bool{
	"float16": true, "float32": true, "float64": true,
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
}

// kindOfType is the kind of a cue whose column has the Arrow type typ.
func kindOfType(typ string) kind {
	switch {
	case typ == "bool":
		return logical
	case numericTypes[typ]:
		return numeric
	}
	return categorical
}

// setLevels returns the levels the tree's sets name for cue, in the order
// they first appear. A categorical cue's answers depend on nothing else:
// any other level is in no set, as an unseen one is.
func (t *Tree) setLevels(cue string) []string {
	var out []string
	for _, n := range t.nodes {
		if n.cue != cue || !n.op.isSet() {
			continue
		}
		for _, level := range n.set {
			if !slices.Contains(out, level) {
				out = append(out, level)
			}
		}
	}
	return out
}

// Compile writes the tree as Go source: a function that asks the levels'
// questions in order, each under a comment giving it in words, and returns
// the decision and probability_true of the exit it reaches, so that the
// compiled outputs are Apply's bit for bit. A missing numeric cue passes a
// level on, and at the last level takes the training majority's decision;
// a missing categorical or logical cue answers as the level NA; a category
// not seen in training is in no set. Only the default outputs (prediction
// and probability_true) are compiled, not exit_level.
func (m *Model) Compile(g *estimators.Gen) error {
	t := m.tree
	if len(t.nodes) == 0 || len(m.exits) != len(t.nodes)+1 {
		return engine.Errorf(engine.KindValue, "fft: the model's tree has %d levels and %d exits", len(t.nodes), len(m.exits))
	}
	// Each cue is read once, as the function's parameter.
	var params, args []string
	param := map[string]string{}
	vals := map[string]estimators.Value{}
	for _, in := range m.inputs {
		v, err := g.Input(in.Name)
		if err != nil {
			return err
		}
		k := kindOfType(in.Type)
		if v.Categorical != (k == categorical) {
			return engine.Errorf(engine.KindType, "fft: cue %q was %s in training but reaches the model as %s", in.Name, k, map[bool]string{true: "a category", false: "a number"}[v.Categorical])
		}
		p := paramName(in.Name, len(params), param)
		typ := "float64"
		if v.Categorical {
			typ = "int32"
		}
		params = append(params, p+" "+typ)
		args = append(args, v.Expr)
		param[in.Name], vals[in.Name] = p, v
	}
	kinds := map[string]kind{}
	for _, in := range m.inputs {
		kinds[in.Name] = kindOfType(in.Type)
	}

	name := g.Local("fft")
	var b strings.Builder
	fmt.Fprintf(&b, "// %s asks the questions of the fast-and-frugal tree\n//\n//\t%s\n//\n// and returns the decision (1 for True) and probability_true of the exit\n// the case reaches.\n", name, comment(t.Words()))
	fmt.Fprintf(&b, "func %s(%s) (int32, float64) {\n", name, strings.Join(params, ", "))
	exit := func(e int) string {
		d := 0
		if t.exitDecision(e) {
			d = 1
		}
		return fmt.Sprintf("return %d, %s // decide %s\n", d, estimators.GoFloat(m.exitProbability(e)), decision(t.exitDecision(e)))
	}
	last := len(t.nodes) - 1
	for l := range t.nodes {
		n := &t.nodes[l]
		p, v, k := param[n.cue], vals[n.cue], kinds[n.cue]
		if p == "" {
			return engine.Errorf(engine.KindValue, "fft: level %d asks about %q, which is not an input", l+1, n.cue)
		}
		cond, note, err := condition(n, k, p, v)
		if err != nil {
			return err
		}
		if note != "" {
			note = " // " + comment(note)
		}
		fmt.Fprintf(&b, "// Level %d: if %s, decide %s", l+1, comment(n.condition()), decision(n.decide))
		if l == last {
			fmt.Fprintf(&b, ", otherwise, decide %s", decision(!n.decide))
		}
		b.WriteString(".\n")
		if l < last {
			// A missing number fails every comparison, so the case goes on
			// to the next level, as an unknown answer does.
			if cond != "false" {
				fmt.Fprintf(&b, "if %s {%s\n%s}\n", cond, note, exit(l))
			}
			continue
		}
		if k == numeric && !n.op.isSet() {
			missing := last + 1
			if t.missingLast == n.decide {
				missing = last
			}
			fmt.Fprintf(&b, "if %s != %s {\n// The cue is missing: the training majority decides.\n%s}\n", p, p, exit(missing))
		}
		fmt.Fprintf(&b, "if %s {%s\n%s}\n%s}", cond, note, exit(last), exit(last+1))
	}
	g.Decl("%s", b.String())
	decide, probTrue := g.Local("decide"), g.Local("probTrue")
	g.Line("%s, %s := %s(%s)", decide, probTrue, name, strings.Join(args, ", "))
	g.Output("prediction", estimators.Value{Expr: decide, Categorical: true, Categories: []string{"false", "true"}, LabelType: "bool"})
	g.Output("probability_true", estimators.Value{Expr: probTrue})
	return nil
}

// exitProbability is probability_true of exit e, as Explain computes it:
// the training cases' positive rate there, or the exit's decision when
// no training case left through it.
func (m *Model) exitProbability(e int) float64 {
	c := m.exits[e]
	if c.pos+c.neg == 0 {
		if m.tree.exitDecision(e) {
			return 1
		}
		return 0
	}
	return float64(c.pos) / float64(c.pos+c.neg)
}

// condition returns the Go expression, of the cue's parameter p, that is
// true when the case meets the node's condition (answers yes), as
// newAnswerer answers it, and for a categorical cue a note naming the
// codes it tests. It fails with KindType where newAnswerer does.
func condition(n *node, k kind, p string, v estimators.Value) (string, string, error) {
	switch {
	case k == numeric && !n.op.isSet():
		return fmt.Sprintf("%s %s %s", p, n.op, estimators.GoFloat(n.threshold)), "", nil
	case k == numeric:
		for _, level := range n.set {
			if _, err := strconv.ParseFloat(level, 64); err != nil && !strings.EqualFold(level, missingLevel) {
				return "", "", engine.Errorf(engine.KindType, "cue %q is numeric, but its question is about the level %q", n.cue, level)
			}
		}
		set, na := numericSet(n.set)
		values := make([]float64, 0, len(set))
		for x := range set {
			values = append(values, x)
		}
		slices.Sort(values)
		var terms []string
		for _, x := range values {
			terms = append(terms, fmt.Sprintf("%s == %s", p, estimators.GoFloat(x)))
		}
		if na {
			terms = append(terms, fmt.Sprintf("%s != %s", p, p))
		}
		in := strings.Join(terms, " || ")
		switch {
		case n.op == opIn && in == "":
			return "false", "", nil
		case n.op == opIn:
			return in, "", nil
		case in == "":
			return "true", "", nil
		}
		return "!(" + in + ")", "", nil
	case k == logical:
		if !n.op.isSet() {
			return "", "", engine.Errorf(engine.KindType, "cue %q is boolean; it takes = {levels} or != {levels}, not %s", n.cue, n.op)
		}
		for _, level := range n.set {
			if level != "FALSE" && level != "TRUE" && level != missingLevel {
				return "", "", engine.Errorf(engine.KindType, "cue %q is boolean, but its question is about the level %q", n.cue, level)
			}
		}
		var terms []string
		for _, c := range []struct{ level, test string }{{"FALSE", p + " == 0"}, {"TRUE", p + " == 1"}, {missingLevel, p + " != " + p}} {
			if n.answerLevel(c.level) == answerYes {
				terms = append(terms, c.test)
			}
		}
		return orOf(terms), "", nil
	}
	if !n.op.isSet() {
		return "", "", engine.Errorf(engine.KindType, "cue %q holds strings or categories; it takes = {levels} or != {levels}, not %s", n.cue, n.op)
	}
	// The codes that answer yes: the categories by name, a missing value
	// as the level NA, an unseen category as one in no set.
	var codes, names []string
	for c, level := range v.Categories {
		if n.answerLevel(level) == answerYes {
			codes = append(codes, strconv.Itoa(c))
			names = append(names, level)
		}
	}
	if n.answerLevel(missingLevel) == answerYes {
		codes = append(codes, strconv.Itoa(estimators.CodeMissing))
		names = append(names, "missing")
	}
	if n.op == opNotIn {
		codes = append(codes, strconv.Itoa(estimators.CodeUnseen))
		names = append(names, "unseen")
	}
	terms := make([]string, len(codes))
	for i, c := range codes {
		terms[i] = fmt.Sprintf("%s == %s", p, c)
	}
	return orOf(terms), strings.Join(names, ", "), nil
}

// reserved are names a cue's parameter must not shadow in the generated
// function: the packages and types it uses.
var reserved = map[string]bool{"math": true, "fmt": true, "prob": true, "runtime": true,
	"float64": true, "int32": true, "true": true, "false": true, "nil": true}

// paramName names the parameter of the j-th cue after the cue when that is
// a Go identifier free to use, else cue<j>.
func paramName(cue string, j int, taken map[string]string) string {
	name := cue
	if !token.IsIdentifier(name) || reserved[name] || strings.HasPrefix(name, "cue") {
		name = fmt.Sprintf("cue%d", j)
	}
	for _, p := range taken {
		if p == name {
			return fmt.Sprintf("cue%d", j)
		}
	}
	return name
}

// orOf joins tests with ||; none is false.
func orOf(terms []string) string {
	if len(terms) == 0 {
		return "false"
	}
	return strings.Join(terms, " || ")
}

// comment makes text safe inside a // comment: a cue's name may hold a
// line break.
func comment(text string) string {
	q := strconv.Quote(text)
	return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
}
