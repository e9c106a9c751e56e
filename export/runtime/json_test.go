package runtime_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime"
)

// jsonScorer reads one input of every kind JSON can carry.
func jsonScorer() *runtime.Scorer {
	return &runtime.Scorer{
		Name: "json",
		Inputs: []runtime.Column{
			{Name: "x", Kind: runtime.Number, Type: "float64"},
			{Name: "flag", Kind: runtime.Boolean, Type: "bool"},
			{Name: "color", Kind: runtime.Category, Type: "utf8", Categories: []string{"red", "é\n"}},
			{Name: "w", Kind: runtime.Text, Type: "utf8"},
			{Name: "v", Kind: runtime.Vector, Type: "fixed_size_list<item: float64, nullable>[2]", Width: 2},
		},
		Outputs: []runtime.Column{{Name: "y", Kind: runtime.Float, Type: "float64"}},
		Score:   func(*runtime.Batch, *runtime.Result) error { return nil },
	}
}

func TestBatchFromJSON(t *testing.T) {
	s := jsonScorer()
	row := `{"x": -1.5e2, "flag": 1, "color": "\u00e9\n", "w": "a\"b\ud83d\ude00", "v": [1, null], "other": {"deep": [1, {"a": null}]}}`
	for _, body := range []string{"[" + row + "]", ` {"meta": 1, "rows": [` + row + `]} `} {
		b, err := s.BatchFromJSON([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if b.N != 1 || b.Floats[0][0] != -150 || b.Floats[1][0] != 1 || b.Codes[2][0] != 1 ||
			b.Strings[3][b.Codes[3][0]] != "a\"b😀" || b.Floats[4][0] != 1 || !math.IsNaN(b.Floats[4][1]) {
			t.Errorf("%s: read %+v", body, b)
		}
	}
	for _, tc := range []struct{ body, err string }{
		{``, "empty body"},
		{`[{"x": 1,]`, "malformed JSON: want a string at offset 9"},
		{`[{"x": 01}]`, "malformed JSON"},
		{`[{"x": "a\q"}]`, "malformed JSON: invalid escape"},
		{"[{\"x\": \"a\x01\"}]", "malformed JSON: control character"},
		{`[] []`, "malformed JSON: data after the value"},
		{strings.Repeat("[", 2000), "nested too deep"},
		{`{"data": []}`, `the object has no "rows"`},
		{`{"rows": {}}`, `want "rows" to be an array of row objects, got an object`},
		{`"rows"`, "got a string"},
		{`[1]`, "row 0: want an object, got a number"},
		{`[{"x": 1, "flag": true, "color": null, "w": null}]`, `row 0: column "v" is missing`},
		{`[{"x": true, "flag": true, "color": null, "w": null, "v": null}]`, `row 0: column "x": want a number, got a boolean`},
		{`[{"x": 1, "flag": 2, "color": null, "w": null, "v": null}]`, `column "flag": want true, false, 0 or 1, got 2`},
		{`[{"x": 1, "flag": 1, "color": [], "w": null, "v": null}]`, `column "color": want a string, got an array`},
		{`[{"x": 1e999, "flag": 1, "color": null, "w": null, "v": null}]`, `column "x": 1e999 is not a number`},
	} {
		if _, err := s.BatchFromJSON([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%.40q: %v, want %q", tc.body, err, tc.err)
		}
	}
}

// FuzzBatchFromJSON checks the scanner against encoding/json: the same
// bodies are malformed, and the rows both read hold the same values.
func FuzzBatchFromJSON(f *testing.F) {
	for _, seed := range []string{
		`[{"x": 1, "flag": true, "color": "red", "w": "hi", "v": [1, 2]}]`,
		`{"rows": [{"x": null, "flag": 0, "color": "\u00e9\n", "w": "a\\b\ud800", "v": null, "z": {"q": [true]}}]}`,
		`[{"x": -0.5e-3, "flag": null, "color": 7, "w": false, "v": [null, 3]}, {}]`,
	} {
		f.Add([]byte(seed))
	}
	s := jsonScorer()
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := s.BatchFromJSON(body)
		malformed := err != nil && (strings.Contains(err.Error(), "malformed JSON") || strings.Contains(err.Error(), "empty body"))
		if valid := json.Valid(body); valid == malformed {
			t.Fatalf("json.Valid says %v; BatchFromJSON: %v", valid, err)
		}
		if err != nil {
			return
		}
		// The reference: encoding/json's reading of the same rows.
		var rows []map[string]json.RawMessage
		if json.Unmarshal(body, &rows) != nil {
			var wrapped struct{ Rows []map[string]json.RawMessage }
			if err := json.Unmarshal(body, &wrapped); err != nil {
				t.Fatalf("BatchFromJSON read what encoding/json cannot: %v", err)
			}
			rows = wrapped.Rows
		}
		if len(rows) != b.N {
			t.Fatalf("%d rows, encoding/json reads %d", b.N, len(rows))
		}
		for i, row := range rows {
			var x any
			json.Unmarshal(row["x"], &x)
			if got := b.Floats[0][i]; x == nil && !math.IsNaN(got) || x != nil && fmt.Sprint(x) != fmt.Sprint(got) {
				t.Errorf("row %d: x %v, encoding/json %v", i, got, x)
			}
			var w any
			json.Unmarshal(row["w"], &w)
			if str, ok := w.(string); ok && b.Strings[3][b.Codes[3][i]] != str {
				t.Errorf("row %d: w %q, encoding/json %q", i, b.Strings[3][b.Codes[3][i]], str)
			}
		}
	})
}

// BenchmarkBatchFromJSON reads a request of 100 rows of 28 numbers, the
// serve benchmark's shape.
func BenchmarkBatchFromJSON(b *testing.B) {
	s := &runtime.Scorer{Name: "wide", Outputs: []runtime.Column{{Name: "y", Kind: runtime.Float, Type: "float64"}},
		Score: func(*runtime.Batch, *runtime.Result) error { return nil }}
	var row []string
	for j := range 28 {
		name := fmt.Sprintf("feature_%d", j)
		s.Inputs = append(s.Inputs, runtime.Column{Name: name, Kind: runtime.Number, Type: "float64"})
		row = append(row, fmt.Sprintf("%q: %v", name, 0.123456789*float64(j+1)))
	}
	one := "{" + strings.Join(row, ", ") + "}"
	body := []byte("[" + strings.Repeat(one+",", 99) + one + "]")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := s.BatchFromJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
