package estimators

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/engine"
)

// A Compiler is a Model that can write Go source computing its outputs
// row by row (or over blocks of rows, where its Gen allows), for export as
// a standalone scorer. The source must give
// the same outputs as Apply: bit for bit where Apply's arithmetic is a
// fixed sequence of float64 operations.
type Compiler interface {
	Model
	// Compile reads the model's inputs from g, writes the statements that
	// compute its outputs for the row g.Row(), and declares them with
	// g.Output. It fails with a KindValue error for a model it cannot
	// compile and with g's errors for inputs it cannot read.
	Compile(g *Gen) error
}

// Value is a column as generated code sees it in one row.
type Value struct {
	// Expr is a Go expression: a float64 for numbers and booleans (0 or 1),
	// NaN when missing; an int32 code for categories.
	Expr string
	// Categorical marks Expr as a code: the index of the row's value in
	// Categories, or -1 when it is missing and -2 when it is not among
	// them.
	Categorical bool
	Categories  []string
	// LabelType is, for a categorical output that holds class labels, the
	// Arrow type of the labels ("utf8", "int64", "bool", "float64").
	LabelType string
	// Bool marks a float64 0 or 1 (NaN when missing) that Apply holds as
	// a bool column: a scorer writes it as bool.
	Bool bool
	// Strings marks a text value, a string column that text steps read as
	// it is: a Go expression of the []string that Expr, an int32 code,
	// indexes, CodeMissing when the value is missing.
	Strings string
	// Width marks a vector, a fixed-size list of Width numbers per row:
	// Expr is then a []float64 expression of the row's numbers.
	Width int
	// Raw is, for a categorical value the scorer reads as text (because
	// a text step reads the same column), the text: what TextInput
	// gives.
	Raw *Value
	// Input names the scorer's input column the value comes from value
	// for value (renamed, or missing values filled), whose text the
	// scorer can read for text steps; empty for other computed values.
	Input string
	// Column marks an Expr that reads the scorer's input batch at row
	// Row() and nothing else, so that EachRow code may evaluate it.
	Column bool
}

// Codes a categorical Value takes besides a category's index.
const (
	CodeMissing = -1
	CodeUnseen  = -2
)

// Gen collects the Go source of a scorer: statements run once per row, in
// order, block code run once per block of rows between them, and
// top-level declarations. Models read their inputs by name from
// the columns the scorer (or an earlier pipeline step) provides.
type Gen struct {
	env    map[string]Value
	segs   []segment
	vars   strings.Builder // declared once per batch, before its blocks
	decls  strings.Builder
	outs   []string
	vals   map[string]Value
	seq    map[string]int
	prefix string
	// text collects the input columns a text step asked for as text
	// but found as category codes; shared with the Gen's Subs.
	text map[string]bool
	// imports are packages the declarations use beyond the scorer's own.
	imports map[string]bool
	// blocks reports whether the model may write block code: false for
	// a pipeline step whose outputs later steps read, since values of an
	// earlier row segment are out of scope after a block.
	blocks bool
}

// A segment is code run once per row (the rows of a block one after the
// other) or, for a block segment, once per block of rows.
type segment struct {
	block bool
	code  strings.Builder
}

// BlockRows is the most rows a block holds: block code runs once for up
// to this many rows, which row code before it has prepared. Large, since
// block code that runs one piece of code over many rows in a row lets
// the branch predictor learn it.
const BlockRows = 4096

// NewGen returns a Gen whose models read the given columns.
func NewGen(columns map[string]Value) *Gen {
	env := make(map[string]Value, len(columns))
	for k, v := range columns {
		env[k] = v
	}
	return &Gen{env: env, vals: map[string]Value{}, seq: map[string]int{}, prefix: "q", blocks: true, text: map[string]bool{}}
}

// SetColumn makes the column name read as v by the models compiled after.
func (g *Gen) SetColumn(name string, v Value) { g.env[name] = v }

// TextNeeded returns, sorted, the scorer's input columns that a text step
// failed to read as text because the scorer reads them as category codes
// for other steps: compiled again with each given as a Value that is
// categorical and holds its text in Raw, the text steps find it.
func (g *Gen) TextNeeded() []string { return slices.Sorted(maps.Keys(g.text)) }

// Row is the name of the variable holding the row's index in the batch.
func (g *Gen) Row() string { return "i" }

// BlockRow is the name of the variable holding the row's index in its
// block, in row code; block code reads per-row values at it.
func (g *Gen) BlockRow() string { return "r" }

// BlockLen is the name of the variable holding, in block code, how many
// rows the block holds (1 to BlockRows).
func (g *Gen) BlockLen() string { return "n" }

// Blocks reports whether the model may write block code (BlockLine): a
// scorer's model may, and the last step of a pipeline whose outputs are
// that step's.
func (g *Gen) Blocks() bool { return g.blocks }

// NoBlocks forbids block code to the model of g and its steps.
func (g *Gen) NoBlocks() { g.blocks = false }

// Batch adds a statement run once per batch, before its rows: a variable
// that row code reads, computed from the batch's inputs (such as a text
// input's values).
func (g *Gen) Batch(format string, args ...any) {
	fmt.Fprintf(&g.vars, format, args...)
	g.vars.WriteByte('\n')
}

// Buffer declares name, once per batch before its first block, as a
// zeroed []elem of perRow values for each row of a block: a buffer that
// row code fills at index BlockRow and block code reads. Its memory is
// kept between batches (runtime.Buffers).
func (g *Gen) Buffer(name, elem string, perRow int) {
	pool := g.Local("pool")
	g.Decl("// %s keeps %s's memory between batches.\nvar %s runtime.Buffers[%s]", pool, name, pool, elem)
	fmt.Fprintf(&g.vars, "%s := %s.Get(min(rows, %d)*%d)\ndefer %s.Put(%s)\n", name, pool, BlockRows, perRow, pool, name)
}

// BlockLine adds a statement run once per block of rows, after the row
// code written before it has run for each of them and before the row code
// written after it. Values computed by earlier row code reach it, and
// later row code, only through buffers declared with Buffer. Only a model
// whose Gen allows Blocks may call it.
func (g *Gen) BlockLine(format string, args ...any) {
	if !g.blocks {
		panic("estimators: BlockLine on a Gen that does not allow blocks")
	}
	g.write(true, format, args...)
}

// EachRow adds block code that runs a statement for every row of the
// block in turn, with Row() and BlockRow() set as row code sees them: a
// statement that reads only Values marked Column and writes buffers, run
// over the whole block before the next one so that what it reads stays in
// cache. Only a model whose Gen allows Blocks may call it.
func (g *Gen) EachRow(format string, args ...any) {
	g.BlockLine("for %s := 0; %s < %s; %s++ {\n%s := lo + %s\n%s\n}", g.BlockRow(), g.BlockRow(), g.BlockLen(), g.BlockRow(),
		g.Row(), g.BlockRow(), fmt.Sprintf(format, args...))
}

func (g *Gen) write(block bool, format string, args ...any) {
	if len(g.segs) == 0 || g.segs[len(g.segs)-1].block != block {
		g.segs = append(g.segs, segment{block: block})
	}
	c := &g.segs[len(g.segs)-1].code
	fmt.Fprintf(c, format, args...)
	c.WriteByte('\n')
}

// Input returns the column name as the model reads it: numbers or
// categories. It fails with a KindColumn error when no such column
// reaches the model and a KindType error when the column is text or a
// vector.
func (g *Gen) Input(name string) (Value, error) {
	v, err := g.Pass(name)
	switch {
	case err != nil:
	case v.Strings != "":
		err = engine.Errorf(engine.KindType, "column %q reaches the model as text, which only text steps read; encode it first", name)
	case v.Width > 0:
		err = engine.Errorf(engine.KindType, "column %q is a vector of %d numbers per row, which this step cannot compile", name, v.Width)
	}
	return v, err
}

// TextInput returns the text column name, for a text step. It fails with
// a KindColumn error when no such column reaches the model and a KindType
// error when it is not text. A column the scorer reads as category codes
// for other steps has lost unseen values' text: the failure then notes
// the input column for TextNeeded.
func (g *Gen) TextInput(name string) (Value, error) {
	v, err := g.Pass(name)
	switch {
	case err != nil, v.Strings != "":
	case v.Raw != nil:
		return *v.Raw, nil
	default:
		if v.Categorical && v.Input != "" {
			g.text[v.Input] = true
		}
		err = engine.Errorf(engine.KindType, "column %q reaches the text step as numbers or category codes, not as its text", name)
	}
	return v, err
}

// Pass returns the column name as it reaches the model, whatever it
// holds, for steps that pass columns on. It fails with a KindColumn error
// when no such column reaches the model.
func (g *Gen) Pass(name string) (Value, error) {
	v, ok := g.env[name]
	if !ok {
		return Value{}, engine.Errorf(engine.KindColumn, "column %q does not reach the model", name)
	}
	return v, nil
}

// Import adds a package to the scorer's imports, for declarations that use
// it: the standard library's, or one of quiver's that imports only it (as
// engine/texthash).
func (g *Gen) Import(path string) {
	if g.imports == nil {
		g.imports = map[string]bool{}
	}
	g.imports[path] = true
}

// Imports returns the packages added by Import, sorted.
func (g *Gen) Imports() []string { return slices.Sorted(maps.Keys(g.imports)) }

// Float returns the numeric column name as a float64 expression. It fails
// with a KindColumn error for a missing column and a KindType error for a
// categorical one.
func (g *Gen) Float(name string) (string, error) {
	v, err := g.Input(name)
	if err != nil {
		return "", err
	}
	if v.Categorical {
		return "", engine.Errorf(engine.KindType, "column %q is categorical; the model reads it as a number", name)
	}
	return v.Expr, nil
}

// Local returns a fresh variable name starting with prefix.
func (g *Gen) Local(prefix string) string {
	prefix = g.prefix + prefix
	g.seq[prefix]++
	return prefix + strconv.Itoa(g.seq[prefix])
}

// Line adds a statement to the row's code.
func (g *Gen) Line(format string, args ...any) { g.write(false, format, args...) }

// Decl adds a top-level declaration (a function, a table).
func (g *Gen) Decl(format string, args ...any) {
	fmt.Fprintf(&g.decls, format, args...)
	g.decls.WriteString("\n\n")
}

// Fail adds a statement that stops scoring with an error for the row,
// whose message is built from format and args as in fmt.Errorf (args are Go
// expressions).
func (g *Gen) Fail(format string, args ...string) {
	g.Line("return fmt.Errorf(%s)", strings.Join(append([]string{strconv.Quote("row %d: " + format), g.Row()}, args...), ", "))
}

// Output declares an output column of the model; a later Output of the
// same name replaces it.
func (g *Gen) Output(name string, v Value) {
	if _, ok := g.vals[name]; !ok {
		g.outs = append(g.outs, name)
	}
	g.vals[name] = v
}

// Columns returns the columns the model reads, by name.
func (g *Gen) Columns() map[string]Value {
	out := make(map[string]Value, len(g.env))
	for k, v := range g.env {
		out[k] = v
	}
	return out
}

// Outputs returns the declared outputs in order.
func (g *Gen) Outputs() ([]string, map[string]Value) { return g.outs, g.vals }

// Decls returns the top-level declarations.
func (g *Gen) Decls() string { return g.decls.String() }

// Loop returns the statements that run the row and block code over the
// rows 0 to n-1 (n a Go expression): one loop over the rows when there is
// no block code, else a loop over blocks of up to BlockRows rows, each
// running its segments in turn.
func (g *Gen) Loop(n string) string {
	var b strings.Builder
	if !slices.ContainsFunc(g.segs, func(s segment) bool { return s.block }) {
		b.WriteString(g.vars.String())
		fmt.Fprintf(&b, "for i := 0; i < %s; i++ {\n", n)
		for _, s := range g.segs {
			b.WriteString(s.code.String())
		}
		b.WriteString("}\n")
		return b.String()
	}
	fmt.Fprintf(&b, "rows := %s\n", n)
	b.WriteString(g.vars.String())
	fmt.Fprintf(&b, "for lo := 0; lo < rows; lo += %[1]d {\nn := min(%[1]d, rows-lo)\n", BlockRows)
	for _, s := range g.segs {
		if s.block {
			b.WriteString(s.code.String())
			continue
		}
		b.WriteString("for r := 0; r < n; r++ {\ni := lo + r\n_ = i\n")
		b.WriteString(s.code.String())
		b.WriteString("}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Sub returns a Gen for a model that reads columns and shares g's source:
// a step of a pipeline. Its locals and declarations are prefixed so that
// steps do not collide.
func (g *Gen) Sub(prefix string, columns map[string]Value) *Gen {
	s := NewGen(columns)
	s.prefix = g.prefix + prefix
	s.blocks = g.blocks
	s.text = g.text
	return s
}

// Absorb appends a sub-generator's source to g's.
func (g *Gen) Absorb(s *Gen) {
	for i := range s.segs {
		g.write(s.segs[i].block, "%s", strings.TrimSuffix(s.segs[i].code.String(), "\n"))
	}
	g.vars.WriteString(s.vars.String())
	g.decls.WriteString(s.decls.String())
	for p := range s.imports {
		g.Import(p)
	}
}

// GoFloat writes v as a Go float64 expression that reads back to the same
// bits.
func GoFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "math.NaN()"
	case math.IsInf(v, 1):
		return "math.Inf(1)"
	case math.IsInf(v, -1):
		return "math.Inf(-1)"
	case v == 0 && math.Signbit(v):
		return "math.Copysign(0, -1)"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// Code returns a Go expression of the code among to of v, a categorical
// or text value: a category's index in to, CodeMissing for a missing value
// and CodeUnseen for one not in to. It reports false for a numeric value.
func (g *Gen) Code(v Value, to []string) (string, bool) {
	switch {
	case v.Categorical:
		return g.CodeMap(v.Expr, v.Categories, to), true
	case v.Strings != "":
		var b strings.Builder
		for i, c := range to {
			fmt.Fprintf(&b, "%s: %d,\n", strconv.Quote(c), i)
		}
		index := g.Local("index")
		g.Decl("var %s = map[string]int32{\n%s}", index, b.String())
		fn := g.Local("textcode")
		g.Decl("func %s(c int32, s []string) int32 {\n\tif c < 0 {\n\t\treturn c\n\t}\n\tif k, ok := %s[s[c]]; ok {\n\t\treturn k\n\t}\n\treturn %d\n}", fn, index, CodeUnseen)
		return fmt.Sprintf("%s(%s, %s)", fn, v.Expr, v.Strings), true
	}
	return "", false
}

// CodeMap returns a Go expression mapping the code expr of a value with
// categories from onto the index of the same category in to: a table
// declared once, with CodeMissing kept and every category not in to (or
// CodeUnseen) mapped to unseen.
func (g *Gen) CodeMap(expr string, from, to []string) string {
	index := make(map[string]int, len(to))
	for i, c := range to {
		index[c] = i
	}
	identity := len(from) == len(to)
	var b strings.Builder
	for i, c := range from {
		j, ok := index[c]
		if !ok {
			j = CodeUnseen
		}
		identity = identity && j == i
		fmt.Fprintf(&b, "%d, ", j)
	}
	if identity {
		return expr
	}
	name := g.Local("codes")
	g.Decl("var %s = [...]int32{%s}", name, b.String())
	fn := g.Local("recode")
	g.Decl("func %s(c int32) int32 {\n\tif c < 0 {\n\t\treturn c\n\t}\n\treturn %s[c]\n}", fn, name)
	return fmt.Sprintf("%s(%s)", fn, expr)
}

// ClassOutputs declares a classifier's outputs from its margins as
// engine.Probabilities computes them: one margin is the log-odds of the
// second of two classes (a sigmoid; that class wins only when the margin
// is positive), several are one per class (a softmax; the first most
// probable class wins). margins are Go expressions of float64 values. It
// declares "prediction" and the probability of every class, and fails
// with a KindValue error when the margins do not fit the classes.
func (g *Gen) ClassOutputs(classes *engine.Classes, margins []string) error {
	labels := classes.Labels()
	probs := make([]string, len(labels))
	code := g.Local("class")
	switch {
	case len(margins) == 1 && len(labels) == 2:
		eta, p1, p0 := g.Local("eta"), g.Local("p"), g.Local("p")
		g.Line("%s := %s", eta, margins[0])
		g.Line("%s, %s := prob.Sigmoid2(%s)", p1, p0, eta)
		g.Line("%s := int32(0)\nif %s > 0 {\n%s = 1\n}", code, eta, code)
		probs[0], probs[1] = p0, p1
	case len(margins) == len(labels) && len(labels) > 1:
		z, p := g.Local("z"), g.Local("p")
		g.Line("%s := [...]float64{%s}", z, strings.Join(margins, ", "))
		g.Line("var %s [%d]float64", p, len(labels))
		g.Line("prob.Softmax(%s[:], %s[:])", z, p)
		g.Line("%s := int32(prob.Argmax(%s[:]))", code, p)
		for k := range probs {
			probs[k] = fmt.Sprintf("%s[%d]", p, k)
		}
	default:
		return engine.Errorf(engine.KindValue, "%d margins for %d classes", len(margins), len(labels))
	}
	// A later pipeline step may read only some of the outputs.
	g.Line("_ = %s", code)
	for _, p := range probs {
		g.Line("_ = %s", p)
	}
	g.Output("prediction", Value{Expr: code, Categorical: true, Categories: labels, LabelType: classes.DataType().String()})
	for k, name := range classes.ProbabilityNames() {
		g.Output(name, Value{Expr: probs[k]})
	}
	return nil
}
