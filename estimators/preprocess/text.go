package preprocess

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/engine/texthash"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// HashSuffix starts the suffix of hashed_tokens' columns: "<col>_h<k>".
const HashSuffix = "_h"

// textSelection takes string and categorical columns.
var textSelection = selection{
	byDefault: engine.IsCategorical,
	kindOf: func(t arrow.DataType) kind {
		if engine.IsCategorical(t) {
			return kindText
		}
		return 0
	},
	what: "string or categorical columns",
}

// readText reads a text input at predict or fit time as its distinct
// values and a code per row (-1 where missing); a column of the null type
// is all missing.
func readText(name string, c arrow.Array) ([]string, []int32, error) {
	if c.DataType().ID() == arrow.NULL {
		codes := make([]int32, c.Len())
		for i := range codes {
			codes[i] = -1
		}
		return nil, codes, nil
	}
	cats, err := engine.ReadCategories(name, c)
	if err != nil {
		return nil, nil, err
	}
	return cats.Values, cats.Codes, nil
}

// textCopy builds a utf8 copy of a text column read by readText.
func textCopy(values []string, codes []int32) arrow.Array {
	b := array.NewStringBuilder(engine.Allocator)
	defer b.Release()
	b.Reserve(len(codes))
	for _, c := range codes {
		if c >= 0 {
			b.Append(values[c])
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// textModel is what regex_features and hashed_tokens share: text inputs,
// each replaced by its features, and kept before them with keep_input.
type textModel struct {
	base
	// suffixes are the names of every input's features, after "<col>".
	suffixes []string
	// featureType is the type of the features.
	featureType arrow.DataType
}

// keep reports whether the inputs are kept.
func (m *textModel) keep() bool { return m.params.Bool("keep_input") }

// Outputs returns, for every input in order, the input as utf8 with
// keep_input, then its features "<col><suffix>".
func (m *textModel) Outputs() []engine.Field {
	out := make([]engine.Field, 0, len(m.inputs)*(len(m.suffixes)+1))
	for _, in := range m.inputs {
		if m.keep() {
			out = append(out, engine.Field{Name: in.Name, Type: arrow.BinaryTypes.String.String()})
		}
		for _, s := range m.suffixes {
			out = append(out, engine.Field{Name: in.Name + s, Type: m.featureType.String()})
		}
	}
	return out
}

// Replaces returns the input names: the features (and, with keep_input,
// the copy of the input) stand in for each input.
func (m *textModel) Replaces() []string { return m.features() }

// apply reads every input column and builds its output columns with
// build, which returns the features of one column from its distinct values
// and codes.
func (m *textModel) apply(ctx context.Context, data *engine.Frame, threads int, build func(j int, values []string, codes []int32) []arrow.Array) (*engine.Frame, error) {
	cols, err := inputColumns(data, m.inputs, m.kinds)
	if err != nil {
		return nil, err
	}
	p := len(cols)
	per := make([][]arrow.Array, p)
	errs := make([]error, p)
	err = engine.ForTasks(ctx, threads, p, func(j int) {
		values, codes, err := readText(m.inputs[j].Name, cols[j])
		if err != nil {
			errs[j] = err
			return
		}
		if m.keep() {
			per[j] = append(per[j], textCopy(values, codes))
		}
		per[j] = append(per[j], build(j, values, codes)...)
	})
	var all []arrow.Array
	for _, cs := range per {
		all = append(all, cs...)
	}
	if err == nil {
		err = firstError(errs)
	}
	if err != nil {
		for _, c := range all {
			c.Release()
		}
		return nil, err
	}
	return newFrame(fieldNames(m.Outputs()), all)
}

// fitText prepares the fit of a text step and returns its model's base.
func fitText(learner string, sp hyperspace.Space, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (*fitData, base, error) {
	d, err := prepare(learner, sp, data, spec, params, textSelection)
	if err != nil {
		return nil, base{}, err
	}
	b := base{learner: learner, params: d.vals, inputs: make([]engine.Field, len(d.names)), kinds: d.kinds, nRows: d.n}
	for j := range d.names {
		b.inputs[j] = d.input(j, nil)
	}
	return d, b, nil
}

// checkTextInputs checks the inputs of a decoded text step.
func checkTextInputs(learner string, b *base) error {
	for j, in := range b.inputs {
		if b.kinds[j] != kindText || len(in.Categories) > 0 {
			return corrupt(learner, "input %q is not a text input without categories", in.Name)
		}
	}
	return nil
}

// namedPattern is one of regex_features' expressions.
type namedPattern struct {
	name string
	re   *regexp.Regexp
}

// parsePatterns reads regex_features' patterns: a JSON object of names to
// expressions, returned in sorted order of the names.
func parsePatterns(text string) ([]namedPattern, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(text), &raw); err != nil || raw == nil {
		why := "it is null"
		if err != nil {
			why = err.Error()
		}
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"patterns\" must be a JSON object mapping names to regular expressions, such as {\"digits\": \"[0-9]\"}; %s (got %s)", RegexFeaturesName, why, clipText(text))
	}
	if len(raw) == 0 {
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"patterns\" is empty; give at least one name and regular expression, such as {\"digits\": \"[0-9]\"}", RegexFeaturesName)
	}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]namedPattern, len(names))
	for i, name := range names {
		expr, ok := raw[name].(string)
		switch {
		case name == "":
			return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"patterns\" has an empty name; names end the output columns' names, <col>_<name>", RegexFeaturesName)
		case !ok:
			b, _ := json.Marshal(raw[name])
			return nil, engine.Errorf(engine.KindValue, "%s: pattern %q is %s, not a string holding a regular expression", RegexFeaturesName, name, b)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, engine.Errorf(engine.KindValue, "%s: pattern %q (%s) is not a valid RE2 regular expression: %v", RegexFeaturesName, name, strconv.Quote(expr), err)
		}
		out[i] = namedPattern{name, re}
	}
	return out, nil
}

// clipText shortens text for an error message.
func clipText(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

// RegexFeatures is the regex_features learner: for every string or
// categorical column and every named regular expression of patterns, a bool
// column "<col>_<name>" that is true where the expression matches somewhere
// in the value (as Python's re.search), false where it does not or the
// value is missing. Expressions use Go's RE2 syntax, which lacks
// backreferences and lookaround, and whose \w, \d and \b are ASCII only
// (\pL and friends match Unicode classes). Outputs follow the names'
// sorted order, and replace the text column unless keep_input is set.
// Nothing is learnt from the data beyond its columns.
type RegexFeatures struct{}

// Name returns "regex_features".
func (RegexFeatures) Name() string { return RegexFeaturesName }

// Space returns RegexFeaturesSpace().
func (RegexFeatures) Space() hyperspace.Space { return RegexFeaturesSpace() }

// Fit checks the patterns and picks the columns.
func (RegexFeatures) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, b, err := fitText(RegexFeaturesName, RegexFeaturesSpace(), data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	m, err := newRegexModel(b)
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, engine.Errorf(engine.KindCancelled, "%s: %v", RegexFeaturesName, err)
	}
	if err := checkOutputs(RegexFeaturesName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	return m, d.log(m.Outputs()), nil
}

func newRegexModel(b base) (*RegexFeaturesModel, error) {
	pats, err := parsePatterns(b.params.String("patterns"))
	if err != nil {
		return nil, err
	}
	m := &RegexFeaturesModel{textModel: textModel{base: b, featureType: arrow.FixedWidthTypes.Boolean}, patterns: pats}
	for _, p := range pats {
		m.suffixes = append(m.suffixes, "_"+p.name)
	}
	return m, nil
}

// Decode rebuilds a regex_features model from its file form.
func (RegexFeatures) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(RegexFeaturesName, &model, &err)
	b, _, err := decodeBase(RegexFeaturesName, RegexFeaturesSpace(), file)
	if err != nil {
		return nil, err
	}
	if err := checkTextInputs(RegexFeaturesName, b); err != nil {
		return nil, err
	}
	m, err := newRegexModel(*b)
	if err != nil {
		return nil, corrupt(RegexFeaturesName, "%v", err)
	}
	if err := checkOutputsMatch(RegexFeaturesName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// RegexFeaturesModel is a fitted regex_features.
type RegexFeaturesModel struct {
	textModel
	patterns []namedPattern
}

// Patterns returns the names and expressions, in output order.
func (m *RegexFeaturesModel) Patterns() ([]string, []string) {
	names, exprs := make([]string, len(m.patterns)), make([]string, len(m.patterns))
	for i, p := range m.patterns {
		names[i], exprs[i] = p.name, p.re.String()
	}
	return names, exprs
}

// Apply matches every pattern against every input column.
func (m *RegexFeaturesModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	return m.apply(ctx, data, threads, func(j int, values []string, codes []int32) []arrow.Array {
		out := make([]arrow.Array, len(m.patterns))
		hit := make([]bool, len(values))
		b := array.NewBooleanBuilder(engine.Allocator)
		defer b.Release()
		for k, p := range m.patterns {
			for v, s := range values {
				hit[v] = p.re.MatchString(s)
			}
			b.Reserve(len(codes))
			for _, c := range codes {
				b.UnsafeAppend(c >= 0 && hit[c])
			}
			out[k] = b.NewArray()
		}
		return out
	})
}

// Encode returns the model file: a "columns" table with the name and kind
// of every input; the patterns are among the hyperparameters.
func (m *RegexFeaturesModel) Encode() (*engine.ModelFile, error) {
	return newTableWriter(&m.base).file(&m.base, RegexFeaturesSpace(), m.Outputs())
}

// Summary returns the features, the pattern names and expressions, and
// the output columns.
func (m *RegexFeaturesModel) Summary() map[string]any {
	names, exprs := m.Patterns()
	return map[string]any{"features": m.features(), "names": names, "patterns": exprs,
		"outputs": fieldNames(m.Outputs()), "n_rows": m.nRows}
}

// String describes the model.
func (m *RegexFeaturesModel) String() string {
	return fmt.Sprintf("%s(%d columns, %d patterns)", m.learner, len(m.inputs), len(m.patterns))
}

// HashedTokens is the hashed_tokens learner: it counts the tokens of every
// string or categorical column into n_features float64 columns
// "<col>_h0" to "<col>_h<n_features-1>", as scikit-learn's
// HashingVectorizer(alternate_sign=False, norm=None) with its default
// analyzer: the text is lower-cased (with lowercase; Go's Unicode case
// mapping, which differs from Python's str.lower for a few characters such
// as 'İ'), tokens are the matches of token_pattern (the text of its
// capturing group, if it has one), and each token adds 1 to the column of
// its bucket, |h| mod n_features where h is the signed 32-bit MurmurHash3
// (x86, seed 0) of its UTF-8 bytes, as scikit-learn's murmurhash3_32. The
// default token_pattern finds maximal runs of two or more Unicode letters,
// digits and underscores, which is what scikit-learn's default
// (?u)\b\w\w+\b finds; patterns use Go's RE2 syntax, which has no (?u) flag
// and whose \w and \b are ASCII only. Missing values give zeros. The counts
// replace the text column unless keep_input is set.
type HashedTokens struct{}

// Name returns "hashed_tokens".
func (HashedTokens) Name() string { return HashedTokensName }

// Space returns HashedTokensSpace().
func (HashedTokens) Space() hyperspace.Space { return HashedTokensSpace() }

// Fit checks the token pattern and picks the columns.
func (HashedTokens) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	d, b, err := fitText(HashedTokensName, HashedTokensSpace(), data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	m, err := newHashedModel(b)
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, engine.Errorf(engine.KindCancelled, "%s: %v", HashedTokensName, err)
	}
	if err := checkOutputs(HashedTokensName, data, m.Outputs(), m.Replaces()); err != nil {
		return nil, nil, err
	}
	return m, d.log(m.Outputs()), nil
}

// compileTokenPattern compiles hashed_tokens' token_pattern, which may
// have at most one capturing group, as in scikit-learn.
func compileTokenPattern(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		hint := ""
		if strings.Contains(expr, "(?u)") {
			hint = "; RE2 has no (?u) flag: write \\pL or [\\p{L}\\p{N}_] for Unicode letters and word characters"
		}
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"token_pattern\" (%s) is not a valid RE2 regular expression: %v%s", HashedTokensName, strconv.Quote(expr), err, hint)
	}
	if n := re.NumSubexp(); n > 1 {
		return nil, engine.Errorf(engine.KindValue, "%s: hyperparameter \"token_pattern\" (%s) has %d capturing groups; it may have one at most, whose text is the token (use (?:...) for the others)", HashedTokensName, strconv.Quote(expr), n)
	}
	return re, nil
}

func newHashedModel(b base) (*HashedTokensModel, error) {
	re, err := compileTokenPattern(b.params.String("token_pattern"))
	if err != nil {
		return nil, err
	}
	n := b.params.Int("n_features")
	m := &HashedTokensModel{textModel: textModel{base: b, featureType: arrow.PrimitiveTypes.Float64}, re: re}
	m.suffixes = make([]string, n)
	for k := range n {
		m.suffixes[k] = HashSuffix + strconv.Itoa(k)
	}
	return m, nil
}

// Decode rebuilds a hashed_tokens model from its file form.
func (HashedTokens) Decode(file *engine.ModelFile) (model estimators.Model, err error) {
	defer recoverCorrupt(HashedTokensName, &model, &err)
	b, _, err := decodeBase(HashedTokensName, HashedTokensSpace(), file)
	if err != nil {
		return nil, err
	}
	if err := checkTextInputs(HashedTokensName, b); err != nil {
		return nil, err
	}
	m, err := newHashedModel(*b)
	if err != nil {
		return nil, corrupt(HashedTokensName, "%v", err)
	}
	if err := checkOutputsMatch(HashedTokensName, m.Outputs(), file.Outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// HashedTokensModel is a fitted hashed_tokens.
type HashedTokensModel struct {
	textModel
	re *regexp.Regexp
}

// Tokens returns the tokens of s, as the model finds them.
func (m *HashedTokensModel) Tokens(s string) []string {
	return texthash.Tokens(m.re, s, m.params.Bool("lowercase"))
}

// Bucket returns the column (0 to n_features-1) that token counts in.
func (m *HashedTokensModel) Bucket(token string) int {
	return texthash.Bucket(token, m.params.Int("n_features"))
}

// Apply counts the tokens of every input column.
func (m *HashedTokensModel) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	nf := m.params.Int("n_features")
	return m.apply(ctx, data, threads, func(j int, values []string, codes []int32) []arrow.Array {
		buckets := make([][]int32, len(values))
		for v, s := range values {
			for _, tok := range m.Tokens(s) {
				buckets[v] = append(buckets[v], int32(texthash.Bucket(tok, nf)))
			}
		}
		outs := newFloatOuts(nf, len(codes))
		for _, x := range outs.vals {
			clear(x)
		}
		for i, c := range codes {
			if c >= 0 {
				for _, k := range buckets[c] {
					outs.vals[k][i]++
				}
			}
		}
		return outs.arrays()
	})
}

// Encode returns the model file: a "columns" table with the name and kind
// of every input; n_features, lowercase and token_pattern are among the
// hyperparameters.
func (m *HashedTokensModel) Encode() (*engine.ModelFile, error) {
	return newTableWriter(&m.base).file(&m.base, HashedTokensSpace(), m.Outputs())
}

// Summary returns the features, the number of buckets and the token
// pattern.
func (m *HashedTokensModel) Summary() map[string]any {
	return map[string]any{"features": m.features(), "n_features": m.params.Int("n_features"),
		"token_pattern": m.re.String(), "lowercase": m.params.Bool("lowercase"), "n_rows": m.nRows}
}

// String describes the model.
func (m *HashedTokensModel) String() string {
	return fmt.Sprintf("%s(%d columns into %d buckets each)", m.learner, len(m.inputs), m.params.Int("n_features"))
}
