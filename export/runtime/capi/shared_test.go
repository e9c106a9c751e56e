package capi

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// buildToyProgram builds internal/toylib as a C shared library and
// testdata/scorer_test.c against it and Header, returning the program's
// path. It skips the test when go, a C compiler or cgo is missing.
func buildToyProgram(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("building a c-shared library is slow")
	}
	var suffix string
	switch goruntime.GOOS {
	case "linux":
		suffix = ".so"
	case "darwin":
		suffix = ".dylib"
	default:
		t.Skipf("no shared-library test on %s", goruntime.GOOS)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not on PATH")
	}
	if out, err := exec.Command(goBin, "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is disabled")
	}
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run(goBin, "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "libquivertoy"+suffix), "./internal/toylib")
	// Compile against the embedded header, the one the exporter ships.
	if err := os.WriteFile(filepath.Join(dir, "quiver_scorer.h"), []byte(Header), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "scorer_test")
	run(gcc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-I", dir,
		"-o", prog, filepath.Join("testdata", "scorer_test.c"),
		"-L", dir, "-lquivertoy", "-Wl,-rpath,"+dir, "-lm", "-lpthread")
	return prog
}

// toyRow is a row of the toy scorer's inputs: color "" is missing.
type toyRow struct {
	x, flag float64
	color   string
}

var toyRows = []toyRow{
	{1, 0, "red"},
	{math.NaN(), 1, "blue"},    // a missing number
	{0.5, math.NaN(), "green"}, // a missing boolean
	{2, 1, ""},                 // a missing category
	{-3, 0, "purple"},          // an unseen category
}

// colorCode is the toy's code for color, as the matrix interface takes it.
func colorCode(color string) float64 {
	if color == "" {
		return math.NaN()
	}
	for i, c := range toy.Scorer().Inputs[2].Categories {
		if c == color {
			return float64(i)
		}
	}
	return float64(runtime.Unseen)
}

// matrixOf writes rows as the matrix interface's text.
func matrixOf(rows []toyRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%v %v %v\n", r.x, r.flag, colorCode(r.color))
	}
	return b.String()
}

// toyScores scores rows with the toy scorer in Go, returning the
// row-major outputs with labels as codes.
func toyScores(t *testing.T, rows []toyRow) []float64 {
	t.Helper()
	s := toy.Scorer()
	n := len(rows)
	b := &runtime.Batch{N: n, Floats: [][]float64{make([]float64, n), make([]float64, n), nil}, Codes: [][]int32{nil, nil, make([]int32, n)}}
	for i, r := range rows {
		b.Floats[0][i], b.Floats[1][i] = r.x, r.flag
		if c := colorCode(r.color); math.IsNaN(c) {
			b.Codes[2][i] = runtime.Missing
		} else {
			b.Codes[2][i] = int32(c)
		}
	}
	res := s.NewResult(n)
	if err := s.Score(b, res); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 0, 3*n)
	for i := range n {
		out = append(out, res.Floats[0][i], res.Floats[1][i], float64(res.Codes[2][i]))
	}
	return out
}

// cResult is what the C program printed for one case.
type cResult struct {
	status int
	err    string
	hasErr bool
	// lines are the other lines by their first word.
	lines map[string]string
	// cols are the Arrow output columns: name, format, values.
	cols [][]string
}

// parseOutput splits the C program's output into its cases.
func parseOutput(t *testing.T, out []byte) map[string]*cResult {
	t.Helper()
	cases := map[string]*cResult{}
	var cur *cResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		word, rest, _ := strings.Cut(sc.Text(), " ")
		switch {
		case word == "case":
			name, st, _ := strings.Cut(rest, " ")
			status, err := strconv.Atoi(st)
			if err != nil {
				t.Fatalf("bad line %q", sc.Text())
			}
			cur = &cResult{status: status, lines: map[string]string{}}
			cases[name] = cur
		case cur == nil:
			continue
		case word == "error":
			cur.err, cur.hasErr = rest, true
		case word == "col":
			cur.cols = append(cur.cols, strings.Fields(rest))
		default:
			cur.lines[word] = rest
		}
	}
	return cases
}

// parseFloats reads the C program's numbers ("nan" for NaN).
func parseFloats(t *testing.T, s string) []float64 {
	t.Helper()
	var v []float64
	for _, f := range strings.Fields(s) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("bad number %q", f)
		}
		v = append(v, x)
	}
	return v
}

// sameFloats compares with NaN equal to NaN; the C program prints values
// with 17 digits, so equal means bit for bit.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func nans(n int) []float64 {
	v := make([]float64, n)
	fill(v, math.NaN())
	return v
}

func repeat(v float64, n int) []float64 {
	s := make([]float64, n)
	fill(s, v)
	return s
}

// TestSharedLibrary builds the toy scorer as a C shared library and calls
// it from C in a separate process (a process holds one Go runtime), for
// both interfaces, their error paths and concurrent calls.
func TestSharedLibrary(t *testing.T) {
	prog := buildToyProgram(t)
	n := len(toyRows)
	want := toyScores(t, toyRows)
	modelRows := []toyRow{{1, 0, "red"}, {math.NaN(), 0, ""}}

	type matrixCase struct {
		name         string
		rows, cols   int
		outLen       int
		flags, input string
		status       Status
		err          string // a part of the message
		out          []float64
	}
	matrixCases := []matrixCase{
		{name: "ok", rows: n, cols: 3, outLen: 3 * n, input: matrixOf(toyRows), out: want},
		{name: "long_out", rows: n, cols: 3, outLen: 3*n + 2, input: matrixOf(toyRows), out: append(append([]float64{}, want...), -7, -7)},
		{name: "missing_code", rows: 1, cols: 3, outLen: 3, input: "2 1 -1", out: toyScores(t, []toyRow{{2, 1, ""}})},
		{name: "no_message", rows: n, cols: 3, outLen: 3 * n, flags: "nullerr", input: matrixOf(toyRows), out: want},
		{name: "no_rows", rows: 0, cols: 3, outLen: 0, flags: "nullx,nullout"},
		{name: "wrong_cols", rows: 1, cols: 2, outLen: 3, input: "1 0", status: StatusArgument, err: "cols is 2, but the model has 3 inputs", out: nans(3)},
		{name: "wrong_cols_no_rows", rows: 0, cols: 4, outLen: 0, status: StatusArgument, err: "cols is 4"},
		{name: "negative_rows", rows: -1, cols: 3, outLen: 3, status: StatusArgument, err: "rows is -1, negative", out: repeat(-7, 3)},
		{name: "null_x", rows: 1, cols: 3, outLen: 3, flags: "nullx", input: "1 0 0", status: StatusArgument, err: "x is NULL", out: nans(3)},
		{name: "null_out", rows: 1, cols: 3, outLen: 3, flags: "nullout", input: "1 0 0", status: StatusArgument, err: "out is NULL", out: repeat(-7, 3)},
		{name: "short_out", rows: 2, cols: 3, outLen: 5, input: "1 0 0 1 0 0", status: StatusArgument, err: "out_len is 5, but 2 rows × 3 outputs need 6", out: nans(5)},
		{name: "bad_boolean", rows: 2, cols: 3, outLen: 6, input: "1 0 0 1 0.5 0", status: StatusInput, err: `row 1, input 1 "flag" (boolean): 0.5 is not 0, 1 or NaN`, out: nans(6)},
		{name: "code_past_end", rows: 1, cols: 3, outLen: 3, input: "1 0 3", status: StatusInput, err: `row 0, input 2 "color" (category): 3 is not a category code`, out: nans(3)},
		{name: "fractional_code", rows: 1, cols: 3, outLen: 3, input: "1 0 1.5", status: StatusInput, err: "1.5 is not a category code", out: nans(3)},
		{name: "negative_code", rows: 1, cols: 3, outLen: 3, input: "1 0 -3", status: StatusInput, err: "-3 is not a category code", out: nans(3)},
		{name: "model_error", rows: 2, cols: 3, outLen: 6, input: matrixOf(modelRows), status: StatusModel, err: "row 1: x and color are both missing", out: nans(6)},
		{name: "model_error_no_message", rows: 2, cols: 3, outLen: 6, flags: "nullerr", input: matrixOf(modelRows), status: StatusModel, out: nans(6)},
	}

	// Arrow input columns: name, type and values.
	arrowCols := func(rows []toyRow) [][]string {
		x, flag, color := []string{"x", "f64"}, []string{"flag", "bool"}, []string{"color", "utf8"}
		for _, r := range rows {
			x = append(x, strings.Replace(fmt.Sprint(r.x), "NaN", "null", 1))
			flag = append(flag, strings.Replace(fmt.Sprint(r.flag), "NaN", "null", 1))
			if r.color == "" {
				color = append(color, "null")
			} else {
				color = append(color, r.color)
			}
		}
		return [][]string{x, flag, color}
	}
	good := arrowCols(toyRows)
	id := []string{"id", "i64"}
	for i := range n {
		id = append(id, strconv.Itoa(100+i))
	}
	type arrowCase struct {
		name    string
		rows    int
		flags   string
		cols    [][]string
		status  Status
		err     string
		inputs  [][]string // the columns expected passed through
		scored  []toyRow   // the rows expected scored
		inFreed string     // in_released line
		outZero bool       // out and out_schema left released
	}
	arrowCases := []arrowCase{
		{name: "ok", rows: n, cols: good, inputs: good, scored: toyRows, inFreed: "1 1"},
		// Another column is passed through, and the inputs are read by name.
		{name: "reordered", rows: n, cols: [][]string{good[2], id, good[0], good[1]}, inputs: [][]string{good[2], id, good[0], good[1]}, scored: toyRows, inFreed: "1 1"},
		{name: "no_rows", rows: 0, cols: [][]string{{"x", "f64"}, {"flag", "bool"}, {"color", "utf8"}}, inputs: [][]string{{"x", "f64"}, {"flag", "bool"}, {"color", "utf8"}}, inFreed: "1 1"},
		{name: "missing_column", rows: n, cols: [][]string{good[0], good[2]}, status: StatusInput, err: `column "flag" is missing`, inFreed: "1 1", outZero: true},
		{name: "wrong_type", rows: n, cols: [][]string{{"x", "utf8", "a", "b", "c", "d", "e"}, good[1], good[2]}, status: StatusInput, err: `column "x" has type utf8`, inFreed: "1 1", outZero: true},
		{name: "model_error", rows: 2, cols: arrowCols(modelRows), status: StatusModel, err: "row 1: x and color are both missing", inFreed: "1 1", outZero: true},
		{name: "model_error_no_message", rows: 2, flags: "nullerr", cols: arrowCols(modelRows), status: StatusModel, inFreed: "1 1", outZero: true},
		{name: "null_in", rows: n, flags: "nullin", cols: good, status: StatusArgument, err: "in is NULL", inFreed: "0 1", outZero: true},
		{name: "null_schema", rows: n, flags: "nullschema", cols: good, status: StatusArgument, err: "in_schema is NULL", inFreed: "1 0", outZero: true},
		{name: "null_out", rows: n, flags: "nullout", cols: good, status: StatusArgument, err: "out is NULL", inFreed: "1 1"},
		{name: "released_in", rows: n, flags: "released", cols: good, status: StatusArgument, err: "in is released", inFreed: "1 1", outZero: true},
		{name: "not_struct", rows: n, flags: "notstruct", cols: good, status: StatusArgument, err: "cannot import in: recordbatch array import must be of struct type", inFreed: "1 1", outZero: true},
	}

	var script strings.Builder
	script.WriteString("info\n")
	for _, c := range matrixCases {
		flags := c.flags
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(&script, "matrix m_%s %d %d %d %s\n%s\n", c.name, c.rows, c.cols, c.outLen, flags, c.input)
	}
	for _, c := range arrowCases {
		flags := c.flags
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(&script, "arrow a_%s %d %d %s\n", c.name, c.rows, len(c.cols), flags)
		for _, col := range c.cols {
			fmt.Fprintln(&script, strings.Join(col, " "))
		}
	}
	// More rows than a chunk, so that threads share no buffers.
	script.WriteString("threads 4 3000\n")

	cmd := exec.Command(prog)
	cmd.Stdin = strings.NewReader(script.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s\n%s", prog, err, out, stderr.Bytes())
	}
	cases := parseOutput(t, out)

	t.Run("info", func(t *testing.T) {
		lines := map[string]string{}
		for _, l := range strings.Split(string(out), "\n") {
			if w, rest, ok := strings.Cut(l, " "); ok {
				if _, seen := lines[w]; !seen {
					lines[w] = rest
				}
			}
		}
		s := toy.Scorer()
		md, _ := metadataJSON(s)
		for key, want := range map[string]string{
			"abi":      "1",
			"inputs":   "3",
			"outputs":  "3",
			"schema":   string(schemaJSON(s)),
			"metadata": string(md),
		} {
			if lines[key] != want {
				t.Errorf("%s: got %q, want %q", key, lines[key], want)
			}
		}
	})

	check := func(t *testing.T, got *cResult, status Status, msg string, nullErr bool) {
		t.Helper()
		if Status(got.status) != status {
			t.Errorf("status %v, want %v (message %q)", Status(got.status), status, got.err)
		}
		switch {
		case status == StatusOK && got.hasErr:
			t.Errorf("message %q on success", got.err)
		case status != StatusOK && !nullErr && !strings.Contains(got.err, msg):
			t.Errorf("message %q, want it to contain %q", got.err, msg)
		case nullErr && got.hasErr:
			t.Errorf("message %q with a NULL error argument", got.err)
		}
	}
	for _, c := range matrixCases {
		t.Run("matrix/"+c.name, func(t *testing.T) {
			got := cases["m_"+c.name]
			if got == nil {
				t.Fatal("no output")
			}
			check(t, got, c.status, c.err, strings.Contains(c.flags, "nullerr"))
			if o := parseFloats(t, got.lines["out"]); !sameFloats(o, c.out) {
				t.Errorf("out\n got %v\nwant %v", o, c.out)
			}
		})
	}
	for _, c := range arrowCases {
		t.Run("arrow/"+c.name, func(t *testing.T) {
			got := cases["a_"+c.name]
			if got == nil {
				t.Fatal("no output")
			}
			check(t, got, c.status, c.err, strings.Contains(c.flags, "nullerr"))
			if got.lines["in_released"] != c.inFreed {
				t.Errorf("in_released %q, want %q", got.lines["in_released"], c.inFreed)
			}
			if c.outZero && got.lines["out_released"] != "1 1" {
				t.Errorf("out_released %q after a failure, want 1 1", got.lines["out_released"])
			}
			// The caller's input struct array is released exactly once by
			// then (or not at all when it was released before the call).
			wantFreed := "1"
			if strings.Contains(c.flags, "released") {
				wantFreed = "0"
			}
			if got.lines["parent_releases"] != wantFreed {
				t.Errorf("parent_releases %q, want %s", got.lines["parent_releases"], wantFreed)
			}
			if c.status != StatusOK {
				return
			}
			if want := fmt.Sprintf("%d +s", c.rows); got.lines["rows"] != want {
				t.Errorf("rows %q, want %q", got.lines["rows"], want)
			}
			formats := map[string]string{"f64": "g", "i64": "l", "bool": "b", "utf8": "u"}
			var want [][]string
			for _, col := range c.inputs {
				w := append([]string{col[0], formats[col[1]]}, col[2:]...)
				if col[1] == "f64" {
					// The C program prints numbers with 17 digits.
					for i, v := range w[2:] {
						if x, err := strconv.ParseFloat(v, 64); err == nil {
							w[2+i] = strconv.FormatFloat(x, 'g', 17, 64)
						}
					}
				}
				want = append(want, w)
			}
			scores := toyScores(t, c.scored)
			score, prob, pred := []string{"score", "g"}, []string{"probability_yes", "g"}, []string{"prediction", "u"}
			for i := range c.scored {
				score = append(score, strconv.FormatFloat(scores[3*i], 'g', 17, 64))
				prob = append(prob, strconv.FormatFloat(scores[3*i+1], 'g', 17, 64))
				pred = append(pred, toy.Scorer().Outputs[2].Labels[int(scores[3*i+2])])
			}
			want = append(want, score, prob, pred)
			if len(got.cols) != len(want) {
				t.Fatalf("columns\n got %v\nwant %v", got.cols, want)
			}
			for j := range want {
				g, w := got.cols[j], want[j]
				if len(g) != len(w) {
					t.Errorf("column %d\n got %v\nwant %v", j, g, w)
					continue
				}
				for i := range w {
					if g[i] != w[i] && !sameNumberText(g[i], w[i]) {
						t.Errorf("column %d\n got %v\nwant %v", j, g, w)
						break
					}
				}
			}
		})
	}
	t.Run("threads", func(t *testing.T) {
		got := cases["threads"]
		if got == nil {
			t.Fatal("no output")
		}
		check(t, got, StatusOK, "", false)
		if got.lines["threads_agree"] != "1" {
			t.Error("concurrent calls disagree with a serial one")
		}
	})
}

// sameNumberText reports whether two numbers printed differently (%.17g
// by C, 'g' with 17 digits by Go) are the same float64.
func sameNumberText(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}
