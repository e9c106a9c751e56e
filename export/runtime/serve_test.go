//go:build !wasip1 && !noserve

package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// startServer serves s on a loopback port until the test ends, and
// returns its URL.
func startServer(t *testing.T, s *runtime.Scorer, maxBody int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, runtime.ServeConfig{MaxBodyBytes: maxBody}, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func post(t testing.TB, url, contentType string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestServeJSON(t *testing.T) {
	s := toy.Scorer()
	url := startServer(t, s, 4096)
	good := `[{"x": 1, "flag": true, "color": "blue"}, {"x": null, "flag": 0, "color": "mauve"}]`
	goodOut := `[{"score":5,"probability_yes":0.9933071490757153,"prediction":"yes"},{"score":10,"probability_yes":0.9999546021312976,"prediction":"yes"}]` + "\n"
	for _, c := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"array", good, 200, goodOut},
		{"rows object", `{"rows": ` + good + `}`, 200, goodOut},
		{"empty", `[]`, 200, "[]\n"},
		{"malformed", `[{"x": 1,`, 400, `"error":"malformed JSON`},
		{"not rows", `{"data": []}`, 400, `no \"rows\"`},
		{"missing column", `[{"x": 1, "flag": true}]`, 400, `row 0: column \"color\" is missing`},
		{"number as string", `[{"x": "1", "flag": true, "color": "red"}]`, 400, `column \"x\": want a number, got a string`},
		{"bad boolean", `[{"x": 1, "flag": "yes", "color": "red"}]`, 400, `column \"flag\": want true, false, 0 or 1`},
		{"model error", `[{"x": null, "flag": true, "color": null}]`, 400, `x and color are both missing`},
		{"too large", `[` + strings.Repeat(`{"x":1,"flag":true,"color":"red"},`, 200) + `]`, 413, `larger than 4096 bytes`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := post(t, url+"/predict", "application/json", []byte(c.body))
			if status != c.status || !strings.Contains(string(out), c.want) {
				t.Errorf("%d %s, want %d with %s", status, out, c.status, c.want)
			}
			if status != 200 && !json.Valid(out) {
				t.Errorf("error body %q is not JSON", out)
			}
		})
	}
	// After all those errors the server still answers.
	if status, out := post(t, url+"/predict", "", []byte(good)); status != 200 || string(out) != goodOut {
		t.Errorf("after errors: %d %s", status, out)
	}
}

func TestServeEndpoints(t *testing.T) {
	url := startServer(t, toy.Scorer(), 0)
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/health", 200, `{"status":"ok"}`},
		{"GET", "/schema", 200, `"categories": [`},
		{"GET", "/metadata", 200, `{"learner":"toy","rows":3}`},
		{"GET", "/predict", 405, `use POST`},
		{"DELETE", "/schema", 405, `use GET`},
		{"GET", "/nope", 404, `no such endpoint`},
	} {
		req, _ := http.NewRequest(c.method, url+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", c.method, c.path, resp.StatusCode, body, c.status, c.want)
		}
	}
}

func TestServeConcurrent(t *testing.T) {
	url := startServer(t, toy.Scorer(), 0)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine sends its own x, or a row the model rejects.
			body := fmt.Sprintf(`[{"x": %d, "flag": false, "color": "red"}]`, g)
			want := fmt.Sprintf(`"score":%d,`, g)
			status := 200
			if g%7 == 3 {
				body, want, status = `[{"x": null, "flag": false, "color": null}]`, "both missing", 400
			}
			resp, err := http.Post(url+"/predict", "application/json", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != status || !strings.Contains(string(out), want) {
				errs <- fmt.Errorf("goroutine %d: %d %s, want %d with %s", g, resp.StatusCode, out, status, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestServePanic(t *testing.T) {
	s := toy.Scorer()
	score := s.Score
	s.Score = func(in *runtime.Batch, out *runtime.Result) error {
		if in.Floats[0][0] == 13 {
			panic("unlucky")
		}
		return score(in, out)
	}
	url := startServer(t, s, 0)
	status, out := post(t, url+"/predict", "application/json", []byte(`[{"x": 13, "flag": true, "color": "red"}]`))
	if status != 500 || !strings.Contains(string(out), "model panicked: unlucky") {
		t.Errorf("%d %s, want 500 with the panic", status, out)
	}
	if status, _ := post(t, url+"/predict", "application/json", []byte(`[{"x": 1, "flag": true, "color": "red"}]`)); status != 200 {
		t.Errorf("after a panic: %d", status)
	}
}

func TestServeArrow(t *testing.T) {
	url := startServer(t, toy.Scorer(), 0)
	rec := arrowRecord(t,
		column{"id", i64, []any{1, 2}},
		column{"x", f64, []any{1.0, nil}},
		column{"flag", bln, []any{true, false}},
		column{"color", dict, []any{"blue", "purple"}},
	)
	var body bytes.Buffer
	w := ipc.NewWriter(&body, ipc.WithSchema(rec.Schema()))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	status, out := post(t, url+"/predict", "application/vnd.apache.arrow.stream", body.Bytes())
	if status != 200 {
		t.Fatalf("%d %s", status, out)
	}
	rd, err := ipc.NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if !rd.Next() {
		t.Fatal("no record in the answer")
	}
	got := rd.Record()
	if got.NumCols() != 7 || got.ColumnName(4) != "score" {
		t.Fatalf("answer schema %s", got.Schema())
	}
	if s := got.Column(4).(*array.Float64).Float64Values(); s[0] != 5 || s[1] != 10 {
		t.Errorf("scores %v, want [5 10]", s)
	}
	// A stream missing an input is a 400 too.
	bad := arrowRecord(t, column{"x", f64, []any{1.0}})
	body.Reset()
	w = ipc.NewWriter(&body, ipc.WithSchema(bad.Schema()))
	w.Write(bad)
	w.Close()
	if status, out := post(t, url+"/predict", "application/vnd.apache.arrow.stream", body.Bytes()); status != 400 || !strings.Contains(string(out), `column \"flag\" is missing`) {
		t.Errorf("%d %s, want 400 naming flag", status, out)
	}
	if status, _ := post(t, url+"/predict", "application/vnd.apache.arrow.stream", []byte("not arrow")); status != 400 {
		t.Errorf("garbage Arrow body: %d, want 400", status)
	}
}

func TestServeFlags(t *testing.T) {
	if status, _, errOut := run(t, "", "serve", "--max-body-bytes", "0"); status != 2 || !strings.Contains(errOut, "must be positive") {
		t.Errorf("status %d, stderr %q", status, errOut)
	}
	if status, _, errOut := run(t, "", "serve", "--addr", "256.0.0.1:bad"); status != 1 || strings.Count(errOut, "\n") != 1 {
		t.Errorf("bad address: status %d, stderr %q", status, errOut)
	}
}

// TestServeBoolean checks a Boolean output: JSON true, false and null for
// 1, 0 and NaN, and an Arrow bool column with a null.
func TestServeBoolean(t *testing.T) {
	s := &runtime.Scorer{
		Name:    "sign",
		Inputs:  []runtime.Column{{Name: "x", Kind: runtime.Number, Type: "float64"}},
		Outputs: []runtime.Column{{Name: "positive", Kind: runtime.Boolean, Type: "bool"}},
		Score: func(in *runtime.Batch, out *runtime.Result) error {
			for i, x := range in.Floats[0] {
				switch {
				case x != x:
					out.Floats[0][i] = x
				case x > 0:
					out.Floats[0][i] = 1
				}
			}
			return nil
		},
	}
	url := startServer(t, s, 0)
	code, body := post(t, url+"/predict", "application/json", []byte(`[{"x": 2}, {"x": -1}, {"x": null}]`))
	if code != http.StatusOK || !strings.Contains(string(body), `{"positive":true},{"positive":false},{"positive":null}`) {
		t.Errorf("status %d, body %s", code, body)
	}
	rec := record(t, column{"x", f64, []any{2.0, nil}})
	got, err := predict(t, s, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	b, ok := got.Column(1).(*array.Boolean)
	if !ok || !b.Value(0) || !b.IsNull(1) {
		t.Errorf("Arrow output %v", got.Column(1))
	}
}
