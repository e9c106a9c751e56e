package preprocess

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// textFrame has a string column t with a missing value, a dictionary d and
// a number n.
func textFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"t", strs("Order 66 shipped", "call me@home.org", nullStr, "NO DIGITS", "")},
		col{"d", dict("red", "green", "red", nullStr, "blue")},
		col{"n", f64(1, 2, 3, 4, 5)},
	)
}

func TestRegexFeatures(t *testing.T) {
	f := textFrame(t)
	defer f.Release()
	patterns := `{"digit": "[0-9]", "email": "\\w+@\\w+\\.\\w+", "upper": "^[A-Z ]+$", "r": "r"}`
	for _, c := range []struct {
		name     string
		features []string
		params   map[string]any
		outputs  []string
		want     map[string]string
	}{
		{"default columns", nil, map[string]any{"patterns": patterns},
			[]string{"t_digit", "t_email", "t_r", "t_upper", "d_digit", "d_email", "d_r", "d_upper"},
			map[string]string{"t_digit": "tffff", "t_email": "ftfff", "t_r": "ttfff", "t_upper": "ffftf", "d_r": "tttff", "d_upper": "fffff"}},
		{"keep input", []string{"t"}, map[string]any{"patterns": `{"upper": "^[A-Z ]+$"}`, "keep_input": true},
			[]string{"t", "t_upper"}, map[string]string{"t_upper": "ffftf"}},
		{"case-insensitive flag", []string{"d"}, map[string]any{"patterns": `{"e": "(?i)E{2}"}`},
			[]string{"d_e"}, map[string]string{"d_e": "ftfff"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, RegexFeatures{}, f, estimators.Spec{Features: c.features}, c.params)
			if got := fieldNames(m.Outputs()); !slices.Equal(got, c.outputs) {
				t.Fatalf("outputs %q, want %q", got, c.outputs)
			}
			out := mustApply(t, m, f)
			if !slices.Equal(out.Names(), c.outputs) {
				t.Fatalf("apply gives %q", out.Names())
			}
			for name, want := range c.want {
				if got := strings.Join(boolStrings(t, out, name), ""); got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
				}
			}
			if c.params["keep_input"] == true {
				if got := stringsOf(t, out, "t"); !slices.Equal(got, []string{"Order 66 shipped", "call me@home.org", nullStr, "NO DIGITS", ""}) {
					t.Errorf("kept input %q", got)
				}
			}
			if got := m.(estimators.Transformer).Replaces(); !slices.Equal(got, fieldNames(m.Inputs())) {
				t.Errorf("replaces %q", got)
			}
		})
	}
	m, _ := mustFit(t, RegexFeatures{}, f, estimators.Spec{Features: []string{"t"}}, map[string]any{"patterns": `{"b": "x", "a": "y"}`})
	if s := m.Summary(); !slices.Equal(s["names"].([]string), []string{"a", "b"}) || !slices.Equal(s["patterns"].([]string), []string{"y", "x"}) {
		t.Errorf("summary %v", s)
	}
}

func TestRegexFeaturesErrors(t *testing.T) {
	f := textFrame(t)
	defer f.Release()
	for _, c := range []struct {
		name     string
		patterns string
		features []string
		want     string // in the message
		kind     engine.Kind
	}{
		{"bad expression", `{"ok": "a", "broken": "[0-9"}`, nil, `pattern "broken"`, engine.KindValue},
		{"lookahead", `{"ahead": "a(?=b)"}`, nil, `pattern "ahead"`, engine.KindValue},
		{"not JSON", `{digit: "[0-9]"}`, nil, `"patterns"`, engine.KindValue},
		{"a list", `["[0-9]"]`, nil, `"patterns"`, engine.KindValue},
		{"null", `null`, nil, `"patterns"`, engine.KindValue},
		{"empty", `{}`, nil, `"patterns" is empty`, engine.KindValue},
		{"empty name", `{"": "a"}`, nil, "empty name", engine.KindValue},
		{"not a string", `{"n": 3}`, nil, `pattern "n"`, engine.KindValue},
		{"numeric column", `{"a": "a"}`, []string{"n"}, `"n"`, engine.KindType},
		{"unknown column", `{"a": "a"}`, []string{"nope"}, `"nope"`, engine.KindColumn},
	} {
		_, _, err := RegexFeatures{}.Fit(context.Background(), f, estimators.Spec{Features: c.features}, map[string]any{"patterns": c.patterns})
		wantKind(t, c.name, err, c.kind)
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q does not say %s", c.name, err, c.want)
		}
	}
	clash := frameOf(t, col{"t", strs("a")}, col{"t_a", f64(1)})
	defer clash.Release()
	_, _, err := RegexFeatures{}.Fit(context.Background(), clash, estimators.Spec{}, map[string]any{"patterns": `{"a": "a"}`})
	wantKind(t, "output over a column", err, engine.KindValue)
}

func TestHashedTokens(t *testing.T) {
	f := textFrame(t)
	defer f.Release()
	for _, c := range []struct {
		name   string
		params map[string]any
		tokens [][]string // per row of t
	}{
		{"default", nil, [][]string{{"order", "66", "shipped"}, {"call", "me", "home", "org"}, nil, {"no", "digits"}, nil}},
		{"no lowercase", map[string]any{"lowercase": false, "n_features": 3},
			[][]string{{"Order", "66", "shipped"}, {"call", "me", "home", "org"}, nil, {"NO", "DIGITS"}, nil}},
		{"group", map[string]any{"token_pattern": `(\w+)@`, "n_features": 5}, [][]string{nil, {"me"}, nil, nil, nil}},
		{"single characters", map[string]any{"token_pattern": `\S`, "n_features": 1},
			[][]string{strings.Split("order66shipped", ""), strings.Split("callme@home.org", ""), nil, strings.Split("nodigits", ""), nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := mustFit(t, HashedTokens{}, f, estimators.Spec{Features: []string{"t"}}, c.params)
			hm := m.(*HashedTokensModel)
			nf := hm.params.Int("n_features")
			if outs := fieldNames(m.Outputs()); len(outs) != nf || outs[0] != "t_h0" || outs[nf-1] != "t_h"+strconv.Itoa(nf-1) {
				t.Fatalf("outputs %q", outs)
			}
			out := mustApply(t, m, f)
			vals := textValues(t, f, "t")
			for i, want := range c.tokens {
				if got := hm.Tokens(vals[i]); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
					t.Errorf("row %d: tokens %q, want %q", i, got, want)
				}
				counts := make([]float64, nf)
				for _, tok := range want {
					counts[hm.Bucket(tok)]++
				}
				for k := range nf {
					if got := floatsOf(t, out, "t_h"+strconv.Itoa(k))[i]; got != counts[k] {
						t.Errorf("row %d, bucket %d: %v, want %v", i, k, got, counts[k])
					}
				}
			}
		})
	}
	// The counts do not depend on the column's type or on row order.
	m, _ := mustFit(t, HashedTokens{}, f, estimators.Spec{Features: []string{"d"}}, map[string]any{"n_features": 4, "keep_input": true})
	other := frameOf(t, col{"d", strs("blue", "red", "red")})
	defer other.Release()
	out := mustApply(t, m, other)
	if got := stringsOf(t, out, "d"); !slices.Equal(got, []string{"blue", "red", "red"}) {
		t.Errorf("kept %q", got)
	}
	for k := range 4 {
		v := floatsOf(t, out, "d_h"+strconv.Itoa(k))
		if v[1] != v[2] || v[0]+v[1] > 2 {
			t.Errorf("bucket %d: %v", k, v)
		}
	}
	for _, c := range []struct {
		name, pattern, want string
	}{
		{"Python's flag", `(?u)\b\w\w+\b`, "(?u)"},
		{"two groups", `(a)(b)`, "capturing groups"},
	} {
		_, _, err := HashedTokens{}.Fit(context.Background(), f, estimators.Spec{}, map[string]any{"token_pattern": c.pattern})
		wantKind(t, c.name, err, engine.KindValue)
		if err != nil && (!strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "token_pattern")) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	nulls := frameOf(t, col{"t", array.NewNull(2)})
	defer nulls.Release()
	m, _ = mustFit(t, HashedTokens{}, f, estimators.Spec{Features: []string{"t"}}, map[string]any{"n_features": 2})
	if got := floatsOf(t, mustApply(t, m, nulls), "t_h1"); !slices.Equal(got, []float64{0, 0}) {
		t.Errorf("null column: %v", got)
	}
}

// textValues returns a text column's values, "" for missing ones.
func textValues(t testing.TB, f *engine.Frame, name string) []string {
	t.Helper()
	cats, err := engine.ReadCategories(name, f.Column(name))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(cats.Codes))
	for i, c := range cats.Codes {
		if c >= 0 {
			out[i] = cats.Values[c]
		}
	}
	return out
}
