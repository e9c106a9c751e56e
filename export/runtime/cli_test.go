package runtime_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// toyCSV is n rows for the toy scorer with missing values of every kind
// (empty fields and NA) but never x and color missing together, which
// the model rejects.
func toyCSV(n int) string {
	var b strings.Builder
	b.WriteString("id,x,flag,color\n")
	colors := []string{"red", "green", "blue", "purple", ""}
	for i := range n {
		x := fmt.Sprint(i%13 - 6)
		switch {
		case i%10 == 3:
			x = ""
		case i%17 == 0:
			x = "NA"
		}
		flag := fmt.Sprint(i%2 == 0)
		if i%11 == 5 {
			flag = ""
		}
		color := colors[i%5]
		if color == "" && (x == "" || x == "NA") {
			color = "red"
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s\n", i, x, flag, color)
	}
	return b.String()
}

// run runs the command line and returns its status, stdout and stderr.
func run(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status := runtime.Run(toy.Scorer(), args, strings.NewReader(stdin), &out, &errOut)
	return status, out.String(), errOut.String()
}

// mustRun runs the command line and fails the test unless it succeeds.
func mustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	status, out, errOut := run(t, stdin, args...)
	if status != 0 {
		t.Fatalf("%v: status %d: %s", args, status, errOut)
	}
	return out
}

func writeFile(t testing.TB, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPredictCSVMissing(t *testing.T) {
	in := "id,x,flag,color,extra\n" +
		"a,1,true,blue,e\n" + // 1 + 2 + 2
		"b,,false,red,\n" + // missing x: 0
		"c,NA,1,,\n" + // missing x and color: rejected by the model
		"d,2,NA,,\n" // missing flag, missing color: 2 + 0.5
	status, _, errOut := run(t, in, "predict")
	if status != 1 || !strings.Contains(errOut, "x and color are both missing") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("status %d, stderr %q; want 1 and the model's error on one line", status, errOut)
	}
	in = strings.Replace(in, "c,NA,1,,", "c,NA,1,teal,", 1)
	out := mustRun(t, in, "predict")
	want := "id,x,flag,color,extra,score,probability_yes,prediction\n" +
		"a,1,true,blue,e,5,0.9933071490757153,yes\n" +
		"b,,false,red,,0,0.5,no\n" +
		"c,,true,teal,,12,0.9999938558253978,yes\n" +
		"d,2,,,,2.5,0.9241418199787566,yes\n"
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
}

func TestPredictFormats(t *testing.T) {
	in := writeFile(t, "in.csv", toyCSV(500))
	base := mustRun(t, "", "predict", "-i", in, "--threads", "1")
	if strings.Count(base, "\n") != 501 {
		t.Fatalf("base output has %d lines", strings.Count(base, "\n"))
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, ext, flag string
		stdin           bool // read the intermediate file from stdin
	}{
		{"parquet", ".parquet", "", false},
		{"parquet from stdin", ".parquet", "", true},
		{"arrow file", ".arrow", "", false},
		{"arrow file from stdin", ".arrow", "", true},
		{"arrow stream", ".arrows", "", false},
		{"arrow stream from stdin", ".arrows", "", true},
		{"arrow stream by flag", ".bin", "arrows", false},
		{"csv", ".csv", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			mid := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+c.ext)
			args := []string{"predict", "-i", in, "-o", mid, "--chunk-rows", "64"}
			if c.flag != "" {
				args = append(args, "--output-format", c.flag)
			}
			if status, _, errOut := run(t, "", args...); status != 0 {
				t.Fatalf("%v: status %d: %s", args, status, errOut)
			}
			// Scoring the scored file again replaces its outputs.
			var back string
			if c.stdin {
				data, err := os.ReadFile(mid)
				if err != nil {
					t.Fatal(err)
				}
				back = mustRun(t, string(data), "predict", "--output-format", "csv")
			} else {
				args := []string{"predict", "-i", mid, "--output-format", "csv"}
				if c.flag != "" {
					args = append(args, "--input-format", c.flag)
				}
				back = mustRun(t, "", args...)
			}
			if back != base {
				t.Errorf("round trip through %s differs:\n%.300s\nwant\n%.300s", c.name, back, base)
			}
		})
	}
}

func TestPredictChunksInOrder(t *testing.T) {
	in := writeFile(t, "in.csv", toyCSV(3000))
	one := mustRun(t, "", "predict", "-i", in, "--threads", "1", "--chunk-rows", "100000")
	for _, c := range []struct{ threads, rows string }{
		{"1", "7"}, {"4", "7"}, {"8", "1"}, {"3", "1000"},
	} {
		out := mustRun(t, "", "predict", "-i", in, "--threads", c.threads, "--chunk-rows", c.rows)
		if out != one {
			t.Errorf("threads %s, chunk rows %s: output differs from one batch", c.threads, c.rows)
		}
	}
	// Arrow records larger than a chunk are sliced, in order too.
	arrowIn := filepath.Join(t.TempDir(), "in.arrows")
	mustRun(t, "", "predict", "-i", in, "-o", arrowIn, "--chunk-rows", "3000")
	out := mustRun(t, "", "predict", "-i", arrowIn, "-o", "-", "--output-format", "csv", "--threads", "4", "--chunk-rows", "11")
	if out != one {
		t.Errorf("sliced Arrow records: output differs from one batch")
	}
}

func TestPredictErrors(t *testing.T) {
	many := toyCSV(1000)
	lines := strings.Split(many, "\n")
	lines[700] = "699,,true,"              // rejected by the model
	lines[900] = "899,notanumber,true,red" // not a number
	bad := strings.Join(lines, "\n")
	for _, c := range []struct {
		name, stdin string
		args        []string
		status      int
		want        string
	}{
		{"no command", "", nil, 2, "no command"},
		{"unknown command", "", []string{"fit"}, 2, `unknown command "fit"`},
		{"bad flag", "", []string{"predict", "--nope"}, 2, "flag provided but not defined"},
		{"bad format", "", []string{"predict", "--input-format", "xls"}, 2, `unknown format "xls"`},
		{"missing file", "", []string{"predict", "-i", "/nonexistent.csv"}, 1, "no such file"},
		{"missing column", "id,x,flag\n1,2,true\n", []string{"predict"}, 1, `column "color" is missing`},
		{"model error names rows", bad, []string{"predict", "--chunk-rows", "100", "--threads", "3"}, 1, "rows 600 to 699: row 99: x and color are both missing"},
		{"bad number", strings.Replace(bad, "699,,true,", "699,1,true,", 1), []string{"predict", "--chunk-rows", "100"}, 1, `line 901: column "x": "notanumber" is not a number`},
		{"empty input", "", []string{"predict"}, 1, "empty CSV"},
		{"corrupt parquet", "PAR1garbage", []string{"predict"}, 1, "arquet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _, errOut := run(t, c.stdin, c.args...)
			if status != c.status || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("status %d, stderr %q; want %d and one line containing %q", status, errOut, c.status, c.want)
			}
		})
	}
	// A failed output file is removed rather than left half written.
	out := filepath.Join(t.TempDir(), "out.csv")
	if status, _, _ := run(t, bad, "predict", "-o", out); status != 1 {
		t.Errorf("status %d", status)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("partial output left behind: %v", err)
	}
}

func TestStream(t *testing.T) {
	in := `{"x": 1, "flag": true, "color": "blue"}
{"x": 1, "flag": tru
{"x": "1", "flag": true, "color": "blue"}

{"x": null, "flag": false, "color": null}
{"x": 2, "flag": 0, "color": "mauve", "other": [1]}
{"x": 2, "flag": 0}
[1]
{"x": -3, "flag": 1, "color": null}`
	want := []string{
		`{"score":5,"probability_yes":0.9933071490757153,"prediction":"yes"}`,
		`{"error":"line 2: malformed JSON: invalid literal at offset 17"}`,
		`{"error":"line 3: row 0: column \"x\": want a number, got a string \"1\""}`,
		`{"error":"line 5: row 0: x and color are both missing"}`,
		`{"score":12,"probability_yes":0.9999938558253978,"prediction":"yes"}`,
		`{"error":"line 7: row 0: column \"color\" is missing (send null for a missing value)"}`,
		`{"error":"line 8: want a JSON object, got an array"}`,
		`{"score":-0.5,"probability_yes":0.3775406687981454,"prediction":"no"}`,
	}
	out := mustRun(t, in, "stream")
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %s\nwant %s", i+1, got[i], want[i])
		}
	}
}

func TestSchemaMetadataHelp(t *testing.T) {
	schema := mustRun(t, "", "schema")
	for _, want := range []string{`"name": "toy"`, `"kind": "category"`, `"categories": [`, `"label_type": "utf8"`} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %s:\n%s", want, schema)
		}
	}
	if got := mustRun(t, "", "metadata"); got != `{"learner":"toy","rows":3}`+"\n" {
		t.Errorf("metadata %q", got)
	}
	if got := mustRun(t, "", "--help"); !strings.Contains(got, "predict") || !strings.Contains(got, "serve") {
		t.Errorf("help %q", got)
	}
	if got := mustRun(t, "", "predict", "--help"); !strings.Contains(got, "-chunk-rows") {
		t.Errorf("predict help %q", got)
	}
	// A Score that panics is a one-line error, not a trace.
	s := toy.Scorer()
	s.Score = func(*runtime.Batch, *runtime.Result) error { panic("boom") }
	var out, errOut bytes.Buffer
	if status := runtime.Run(s, []string{"predict"}, strings.NewReader(toyCSV(10)), &out, &errOut); status != 1 || !strings.Contains(errOut.String(), "model panicked: boom") {
		t.Errorf("status %d, stderr %q", status, errOut.String())
	}
}
