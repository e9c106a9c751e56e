package fft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/engine"
)

var testKinds = map[string]kind{
	"age":    numeric,
	"chol":   numeric,
	"max hr": numeric,
	"thal":   categorical,
	"sex":    categorical,
	"fbs":    logical,
}

// TestWordsRoundTrip parses trees in words, checks the tree read and its
// words as Words prints them, and parses those words again.
func TestWordsRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		nodes []node
		words string
	}{
		{"numeric, categorical and the otherwise clause",
			"If thal = {rd,fd}, decide True. If age > 58.5, decide True. If sex != {f,NA}, decide False, otherwise, decide True.",
			[]node{
				{cue: "thal", op: opIn, set: []string{"rd", "fd"}, decide: true},
				{cue: "age", op: opGT, threshold: 58.5, decide: true},
				{cue: "sex", op: opNotIn, set: []string{"f", "NA"}},
			},
			"If thal = {rd,fd}, decide True. If age > 58.5, decide True. If sex != {f,NA}, decide False, otherwise, decide True."},
		{"keywords in any case, spaces, no otherwise, logical levels upper-cased",
			"  if age >= 60 ,  DECIDE true.\n if fbs = {true, na} , Decide FALSE  ",
			[]node{
				{cue: "age", op: opGE, threshold: 60, decide: true},
				{cue: "fbs", op: opIn, set: []string{"TRUE", "NA"}},
			},
			"If age >= 60, decide True. If fbs = {TRUE,NA}, decide False, otherwise, decide True."},
		{"a single level without braces",
			"If sex = m, decide True. If fbs != FALSE, decide False",
			[]node{
				{cue: "sex", op: opIn, set: []string{"m"}, decide: true},
				{cue: "fbs", op: opNotIn, set: []string{"FALSE"}},
			},
			"If sex = {m}, decide True. If fbs != {FALSE}, decide False, otherwise, decide True."},
		{"a set on a numeric cue, a cue name with a space, exponents",
			"If age = {1.5, NA}, decide True. If max hr < -1e3, decide False. If chol <= 2.5e-7, decide True, otherwise decide False.",
			[]node{
				{cue: "age", op: opIn, set: []string{"1.5", "NA"}, decide: true},
				{cue: "max hr", op: opLT, threshold: -1000},
				{cue: "chol", op: opLE, threshold: 2.5e-7, decide: true},
			},
			"If age = {1.5,NA}, decide True. If max hr < -1000, decide False. If chol <= 0.00000025, decide True, otherwise, decide False."},
		{"infinite thresholds",
			"If age > -Inf, decide False. If chol <= +inf, decide True.",
			[]node{
				{cue: "age", op: opGT, threshold: math.Inf(-1)},
				{cue: "chol", op: opLE, threshold: math.Inf(1), decide: true},
			},
			"If age > -Inf, decide False. If chol <= Inf, decide True, otherwise, decide False."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := ParseWords(c.text, testKinds)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tr.nodes, c.nodes) {
				t.Fatalf("parsed\n%+v\nwant\n%+v", tr.nodes, c.nodes)
			}
			if got := tr.Words(); got != c.words {
				t.Fatalf("words\n%s\nwant\n%s", got, c.words)
			}
			checkReparse(t, tr)
		})
	}
}

// checkReparse checks that a tree's words parse to the same tree and print
// the same words again.
func checkReparse(t *testing.T, tr *Tree) {
	t.Helper()
	w := tr.Words()
	back, err := ParseWords(w, testKinds)
	if err != nil {
		t.Fatalf("the words %q do not parse: %v", w, err)
	}
	if !reflect.DeepEqual(back, tr) {
		t.Fatalf("the words %q parse to\n%+v\nnot\n%+v", w, back.nodes, tr.nodes)
	}
	if w2 := back.Words(); w2 != w {
		t.Fatalf("words %q print as %q", w, w2)
	}
}

// TestWordsRandomTrees prints random trees, thresholds of any bits
// included, and parses them back.
func TestWordsRandomTrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	levels := map[kind][]string{
		categorical: {"a", "b b", "NA", "x-1", "Ünïcode", "3.5"},
		logical:     {"TRUE", "FALSE", "NA"},
		numeric:     {"1", "-2.5", "NA", "1e-300", "Inf"},
	}
	names := []string{"age", "chol", "max hr", "thal", "sex", "fbs"}
	for range 2000 {
		tr := &Tree{}
		for range 1 + rng.IntN(5) {
			name := names[rng.IntN(len(names))]
			n := node{cue: name, decide: rng.IntN(2) == 0}
			k := testKinds[name]
			if k == numeric && rng.IntN(4) > 0 {
				n.op = op(rng.IntN(4))
				switch rng.IntN(3) {
				case 0:
					n.threshold = math.Float64frombits(rng.Uint64())
					if math.IsNaN(n.threshold) {
						n.threshold = -0.0
					}
				case 1:
					n.threshold = float64(rng.IntN(200) - 100)
				default:
					n.threshold = rng.NormFloat64()
				}
			} else {
				n.op = opIn + op(rng.IntN(2))
				pool := levels[k]
				for _, i := range rng.Perm(len(pool))[:1+rng.IntN(len(pool))] {
					n.set = append(n.set, pool[i])
				}
			}
			tr.nodes = append(tr.nodes, n)
		}
		checkReparse(t, tr)
	}
}

// TestParseWordsErrors checks that every parse error is a KindValue error
// naming the character position (from 1) of the problem and its cause.
func TestParseWordsErrors(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		at    string // the problem starts at the first occurrence of at; "$" is the end
		cause string
	}{
		{"unknown cue", "If age > 60, decide True. If z > 1, decide True.", "z > 1", `unknown cue "z"; the cues are "age", "chol", "fbs", "max hr", "sex", "thal"`},
		{"missing decide", "If age > 60, True.", "True", `expected "decide"`},
		{"bad number", "If age > 6O, decide True.", "6O", "expected a number after >"},
		{"NaN threshold", "If age <= NaN, decide True.", "NaN", "expected a number after <="},
		{"no threshold", "If age >, decide True.", ",", "expected a number after >"},
		{"unclosed set", "If thal = {rd,fd, decide True.", "rd,fd", `set of levels has no closing "}"`},
		{"text after the otherwise sentence", "If age > 60, decide True, otherwise, decide False. If chol > 200, decide True.", "If chol", "text after the sentence with otherwise"},
		{"both exits decide the same", "If age > 60, decide True, otherwise, decide True.", ".", "both exits of the last level decide True"},
		{"comparison on a categorical cue", "If thal > 3, decide True.", "3", `cue "thal" is categorical; compare it with = {levels} or != {levels}, not >`},
		{"comparison on a logical cue", "If fbs <= 1, decide True.", "1", `cue "fbs" is logical`},
		{"no If", "age > 60, decide True.", "age", `expected "If"`},
		{"If glued to a word", "Ifage > 60, decide True.", "Ifage", `expected "If"`},
		{"no operator", "If age 60, decide True.", "age", "expected a condition"},
		{"no cue name", "If > 60, decide True.", ">", "expected a cue name"},
		{"no comma", "If age > 60 decide True.", "decide", `expected ", decide True" or ", decide False"`},
		{"no decision", "If age > 60, decide Maybe.", "Maybe", "expected True or False"},
		{"bad end of sentence", "If age > 60, decide True; If chol > 1, decide True.", ";", `expected "." or ", otherwise, decide ..."`},
		{"no level", "If sex = , decide True.", ", decide", "empty level"},
		{"empty level in a set", "If thal = {rd,}, decide True.", ", decide", "empty level"},
		{"level without a comma after", "If sex = m", "m", "expected a level or a set"},
		{"brace in a level", "If thal = a}b, decide True.", "a}b", `a level cannot hold "}"`},
		{"word level on a numeric cue", "If age = {young}, decide True.", ", decide", `cue "age" is numeric, so its levels must be numbers or NA, not "young"`},
		{"bad logical level", "If fbs = {yes}, decide True.", ", decide", `cue "fbs" is logical, so its levels are TRUE, FALSE and NA, not "yes"`},
		{"decide without otherwise", "If age > 60, decide True, decide False.", "decide False", `expected "." or ", otherwise`},
		{"otherwise without a decision", "If age > 60, decide True, otherwise.", ".", `expected "decide"`},
	}
	pos := regexp.MustCompile(`at character (\d+) `)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWords(c.text, testKinds)
			if engine.KindOf(err) != engine.KindValue {
				t.Fatalf("got %v (%s), want a %s", err, engine.KindOf(err), engine.KindValue)
			}
			msg := err.Error()
			m := pos.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("%q names no position", msg)
			}
			want := len(c.text) + 1
			if c.at != "$" {
				want = strings.Index(c.text, c.at) + 1
			}
			if got, _ := strconv.Atoi(m[1]); got != want {
				t.Errorf("%q: position %d, want %d", msg, got, want)
			}
			if !strings.Contains(msg, c.cause) {
				t.Errorf("%q does not say %q", msg, c.cause)
			}
		})
	}
	for _, text := range []string{"", "  \n\t"} {
		if _, err := ParseWords(text, testKinds); engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), "empty") {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// FuzzParseWords parses arbitrary text: it must fail with a KindValue error
// naming a position within the text, or give a tree whose words parse to
// the same tree and print the same words.
func FuzzParseWords(f *testing.F) {
	for _, s := range []string{
		"If thal = {rd,fd}, decide True. If age > 58.5, decide True. If sex != {f,NA}, decide False, otherwise, decide True.",
		"if age >= 60 , DECIDE true. if fbs = {true, na} , Decide FALSE",
		"If sex = m, decide True. If fbs != FALSE, decide False",
		"If age = {1.5, NA}, decide True. If max hr < -1e3, decide False. If chol <= 0x1p-3, decide True, otherwise decide False.",
		"If age > -Inf, decide False. If chol <= +inf, decide True.",
		"If thal = {rd,fd, decide True.",
		"If age > 60, decide True, otherwise, decide True.",
		"If thal = a}b, decide True.",
		"If sex = {Ünïcode, x}, decide True.",
		"",
	} {
		f.Add(s)
	}
	pos := regexp.MustCompile(`at character (\d+) `)
	f.Fuzz(func(t *testing.T, text string) {
		tr, err := ParseWords(text, testKinds)
		if err != nil {
			if engine.KindOf(err) != engine.KindValue {
				t.Fatalf("error of kind %s: %v", engine.KindOf(err), err)
			}
			if m := pos.FindStringSubmatch(err.Error()); m != nil {
				if p, _ := strconv.Atoi(m[1]); p < 1 || p > len(text)+1 {
					t.Fatalf("position %d in a text of %d bytes: %v", p, len(text), err)
				}
			}
			return
		}
		if tr.Levels() == 0 {
			t.Fatal("a tree of no levels")
		}
		checkReparse(t, tr)
	})
}

// ExampleParseWords reads a tree in the words FFTrees prints and prints it
// back in canonical form.
func ExampleParseWords() {
	kinds := map[string]kind{"thal": categorical, "cp": categorical, "ca": numeric}
	tree, err := ParseWords("if thal = {rd, fd}, decide true. If cp != a, decide False. If ca > 0, decide True, otherwise, decide False.", kinds)
	if err != nil {
		panic(err)
	}
	fmt.Println(tree.Levels(), "levels")
	fmt.Println(tree.Words())
	_, err = ParseWords("If thal > 1, decide True.", kinds)
	fmt.Println(err)
	// Output:
	// 3 levels
	// If thal = {rd,fd}, decide True. If cp != {a}, decide False. If ca > 0, decide True, otherwise, decide False.
	// tree in words, at character 11 ("1, decide True."): cue "thal" is categorical; compare it with = {levels} or != {levels}, not >
}
