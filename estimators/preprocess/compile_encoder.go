package preprocess

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// int32List writes v as the elements of a Go array literal.
func int32List(v []int32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(int(x))
	}
	return strings.Join(s, ", ")
}

// floatList writes v as the elements of a Go array literal, each reading
// back bit for bit.
func floatList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = estimators.GoFloat(x)
	}
	return strings.Join(s, ", ")
}

// Compile writes each column's level columns as an array of 0/1 values:
// a 1 in the slot of the row's level (the infrequent slot for an
// infrequent level), in the "<col>_NA" slot for a missing value if
// training had missing values, and otherwise, as Apply does, zeros with
// handle_unknown='ignore' or a row error with 'error'. A level the scorer
// knows but the model does not is unseen.
func (m *OneHotModel) Compile(g *estimators.Gen) error {
	strict := m.params.String("handle_unknown") == unknownError
	outs := m.Outputs()
	k := 0
	for j, in := range m.inputs {
		c, err := levelCode(g, OneHotName, in, m.kinds[j], m.levels[j])
		if err != nil {
			return err
		}
		arr := g.Local("onehot")
		g.Line("var %s [%d]float64", arr, m.width[j])
		g.Line("switch {")
		if len(m.levels[j]) > 0 {
			slots := g.Local("slots")
			g.Decl("var %s = [...]int32{%s}", slots, int32List(m.slot[j]))
			g.Line("case %s >= 0:\n%s[%s[%s]] = 1", c, arr, slots, c)
		}
		if na := m.naSlot[j]; na >= 0 {
			g.Line("case %s == %d:\n%s[%d] = 1", c, codeMissing, arr, na)
		} else if strict {
			g.Line("case %s == %d:", c, codeMissing)
			g.Fail(failFormat(OneHotName+": column ")+"%q has missing values, which it had none of in training (handle_unknown='error')", strconv.Quote(in.Name))
		}
		if strict {
			g.Line("default:")
			g.Fail(failFormat(OneHotName+": column ")+"%q has a level unseen in training (handle_unknown='error'; 'ignore' gives it zeros)", strconv.Quote(in.Name))
		}
		g.Line("}")
		g.Line("_ = %s", arr)
		for s := range m.width[j] {
			g.Output(outs[k].Name, estimators.Value{Expr: fmt.Sprintf("%s[%d]", arr, s)})
			k++
		}
	}
	if k != len(outs) {
		return engine.Errorf(engine.KindInternal, "%s: compiled %d of %d outputs", OneHotName, k, len(outs))
	}
	return nil
}

// Compile writes each column's level index as a float64; missing values
// and unseen levels give NaN or unknown_value as Apply gives them, and an
// unseen level is a row error with handle_unknown='error'.
func (m *OrdinalEncoderModel) Compile(g *estimators.Gen) error {
	mode := m.params.String("handle_unknown")
	missingCode, unknownCode := nan, nan
	if mode == unknownValue {
		missingCode = m.params.Float("unknown_value")
		unknownCode = missingCode
	}
	for j, in := range m.inputs {
		c, err := levelCode(g, OrdinalEncoderName, in, m.kinds[j], m.levels[j])
		if err != nil {
			return err
		}
		o := g.Local("o")
		g.Line("var %s float64", o)
		g.Line("switch {\ncase %s >= 0:\n%s = float64(%s)", c, o, c)
		g.Line("case %s == %d:\n%s = %s", c, codeMissing, o, estimators.GoFloat(missingCode))
		g.Line("default:")
		if mode == unknownError {
			g.Fail(failFormat(OrdinalEncoderName+": column ")+"%q has a level unseen in training (handle_unknown='error')", strconv.Quote(in.Name))
		} else {
			g.Line("%s = %s", o, estimators.GoFloat(unknownCode))
		}
		g.Line("}")
		output(g, in.Name, o)
	}
	return nil
}

// Compile writes each column's encoding from a table of the levels'
// encodings, with the missing values' encoding and the target's mean for
// unseen levels, the numbers Apply reads.
func (m *TargetEncoderModel) Compile(g *estimators.Gen) error {
	for j, in := range m.inputs {
		c, err := levelCode(g, TargetEncoderName, in, m.kinds[j], m.levels[j])
		if err != nil {
			return err
		}
		o := g.Local("o")
		g.Line("var %s float64", o)
		g.Line("switch {")
		if len(m.levels[j]) > 0 {
			tbl := g.Local("enc")
			g.Decl("var %s = [...]float64{%s}", tbl, floatList(m.enc[j]))
			g.Line("case %s >= 0:\n%s = %s[%s]", c, o, tbl, c)
		}
		g.Line("case %s == %d:\n%s = %s", c, codeMissing, o, estimators.GoFloat(m.missingEnc[j]))
		g.Line("default:\n%s = %s\n}", o, estimators.GoFloat(m.target.Mean))
		output(g, in.Name, o)
	}
	return nil
}

// Compile fills each column's missing values, then writes the
// "<col>_missing" indicators (1 where the value was missing) after the
// filled columns, as Apply orders them. A number or bool stays a number
// (a bool as 0/1, filled with 0 or 1); a string or categorical column
// stays a code into the scorer's categories, with the fill value's code
// for a missing value (the fill value joins the categories if it is not
// among them) and an unseen value passed on as unseen, since it is a value
// and Apply keeps it.
func (m *ImputerModel) Compile(g *estimators.Gen) error {
	flags := make([]string, len(m.inputs))
	for j, in := range m.inputs {
		v, err := g.Input(in.Name)
		if err != nil {
			return err
		}
		if v.Categorical {
			fill := m.fillText[j]
			switch m.kinds[j] {
			case kindBool:
				fill = levelFalse
				if m.fillBool[j] {
					fill = levelTrue
				}
			case kindNumber:
				return engine.Errorf(engine.KindType, "%s: column %q is categorical here; the model reads it as a number", ImputerName, in.Name)
			}
			cats := slices.Clone(v.Categories)
			fc := slices.Index(cats, fill)
			if fc < 0 {
				fc = len(cats)
				cats = append(cats, fill)
			}
			c := bind(g, "c", v.Expr)
			o := bind(g, "o", c)
			g.Line("if %s == %d {\n%s = %d\n}", o, codeMissing, o, fc)
			g.Line("_ = %s", o)
			out := estimators.Value{Expr: o, Categorical: true, Categories: cats, LabelType: v.LabelType, Input: v.Input}
			if v.Raw != nil {
				// The text, filled: the batch's values and the fill
				// value after them.
				texts := g.Local("texts")
				g.Batch("%[1]s := append(%[2]s[:len(%[2]s):len(%[2]s)], %[3]q)", texts, v.Raw.Strings, fill)
				tc := bind(g, "t", v.Raw.Expr)
				g.Line("if %s < 0 {\n%s = int32(len(%s) - 1)\n}", tc, tc, texts)
				out.Raw = &estimators.Value{Expr: tc, Strings: texts}
			}
			g.Output(in.Name, out)
			flags[j] = fmt.Sprintf("%s == %d", c, codeMissing)
			continue
		}
		var fill float64
		switch m.kinds[j] {
		case kindNumber:
			fill = m.fillNum[j]
		case kindBool:
			if m.fillBool[j] {
				fill = 1
			}
		default:
			return engine.Errorf(engine.KindType, "%s: column %q is numeric here; the model reads it as text (string or categorical)", ImputerName, in.Name)
		}
		x := bind(g, "x", v.Expr)
		o := bind(g, "o", x)
		g.Line("if %s != %s {\n%s = %s\n}", o, o, o, estimators.GoFloat(fill))
		if m.kinds[j] == kindBool {
			outputBool(g, in.Name, o)
		} else {
			output(g, in.Name, o)
		}
		flags[j] = fmt.Sprintf("%s != %s", x, x)
	}
	for j, in := range m.inputs {
		if !m.indicator(j) {
			continue
		}
		f := g.Local("missing")
		g.Line("%s := 0.0\nif %s {\n%s = 1\n}", f, flags[j], f)
		outputBool(g, in.Name+IndicatorSuffix, f)
	}
	return nil
}
