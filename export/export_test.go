package export_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/gbdt"
	"github.com/quiver-ml/quiver/export"
	"github.com/quiver-ml/quiver/pipeline"
)

// repoRoot is the checkout the scorers build against.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func needGo(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds scorers with the Go toolchain: skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain on PATH")
	}
}

// mixedRecord is n rows of a number with missing values, a second number,
// a category (with levels the training rows never saw when unseen is
// set), a boolean, and targets: a float, a two-class string, a
// three-class integer.
func mixedRecord(n int, seed uint64, unseen bool) arrow.Record {
	rng := rand.New(rand.NewPCG(seed, 3))
	mem := memory.DefaultAllocator
	x1, x2 := array.NewFloat64Builder(mem), array.NewFloat32Builder(mem)
	cat, flag := array.NewStringBuilder(mem), array.NewBooleanBuilder(mem)
	yr, yb, ym := array.NewFloat64Builder(mem), array.NewStringBuilder(mem), array.NewInt64Builder(mem)
	levels := []string{"red", "green", "blue", "teal"}
	for range n {
		a := rng.NormFloat64()
		if rng.IntN(10) == 0 {
			x1.AppendNull()
		} else {
			x1.Append(a)
		}
		b := float32(rng.Float64() * 10)
		x2.Append(b)
		c := rng.IntN(len(levels))
		switch {
		case unseen && rng.IntN(8) == 0:
			cat.Append("violet")
		case rng.IntN(12) == 0:
			cat.AppendNull()
		default:
			cat.Append(levels[c])
		}
		f := rng.IntN(2) == 0
		flag.Append(f)
		z := a + 0.3*float64(b) - float64(c) + 2*float64(b2i(f)) + rng.NormFloat64()
		yr.Append(z)
		yb.Append([]string{"no", "yes"}[b2i(z > 1)])
		ym.Append(int64(min(2, max(0, int(z/2)))))
	}
	names := []string{"x1", "x2", "color", "flag", "y_reg", "y_bin", "y_multi"}
	return recordOf(names, []array.Builder{x1, x2, cat, flag, yr, yb, ym}, n)
}

// recordOf finishes the builders into a record whose columns are named by
// names, releasing the builders.
func recordOf(names []string, bs []array.Builder, n int) arrow.Record {
	fields := make([]arrow.Field, len(bs))
	cols := make([]arrow.Array, len(bs))
	for i, b := range bs {
		cols[i] = b.NewArray()
		fields[i] = arrow.Field{Name: names[i], Type: cols[i].DataType(), Nullable: true}
		b.Release()
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func frameOf(t *testing.T, rec arrow.Record) *engine.Frame {
	t.Helper()
	names := make([]string, rec.NumCols())
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		names[i] = rec.ColumnName(i)
		cols[i] = rec.Column(i)
		cols[i].Retain()
	}
	f, err := engine.NewFrame(names, cols)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fitSpec fits learner on data as spec says.
func fitSpec(t *testing.T, learner string, data *engine.Frame, spec estimators.Spec, params map[string]any) estimators.Model {
	t.Helper()
	l, err := estimators.Lookup(learner)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := l.Space().Validate(params)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := l.Fit(context.Background(), data, spec, vals)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fit fits learner on the features x1, x2, color and flag of data.
func fit(t *testing.T, learner string, data *engine.Frame, target string, params map[string]any) estimators.Model {
	t.Helper()
	return fitSpec(t, learner, data, estimators.Spec{Target: target, Features: []string{"x1", "x2", "color", "flag"}}, params)
}

// buildExe generates and builds m's executable scorer.
func buildExe(t *testing.T, m estimators.Model) string {
	t.Helper()
	files, err := export.Generate(m, export.TargetExe, "", []byte(`{"test": true}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := export.WriteModule(dir, files, repoRoot(t)); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "scorer")
	if err := export.Build(context.Background(), dir, export.TargetExe, exe, "", "", repoRoot(t)); err != nil {
		t.Fatal(err)
	}
	return exe
}

// goHarness is a command that scores an Arrow IPC stream on stdin through
// the go target's Predict and writes the scored stream, as the
// executable's predict does with arrows in and out.
const goHarness = `package main

import (
	"fmt"
	"os"

	"github.com/apache/arrow/go/v17/arrow/ipc"

	scorer "quiverscorer"
)

func main() {
	r, err := ipc.NewReader(os.Stdin)
	if err != nil {
		fail(err)
	}
	var w *ipc.Writer
	for r.Next() {
		out, err := scorer.Predict(r.Record())
		if err != nil {
			fail(err)
		}
		if w == nil {
			w = ipc.NewWriter(os.Stdout, ipc.WithSchema(out.Schema()))
		}
		if err := w.Write(out); err != nil {
			fail(err)
		}
		out.Release()
	}
	if err := r.Err(); err != nil {
		fail(err)
	}
	if w != nil {
		w.Close()
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
`

// buildGoHarness generates m's go target and builds goHarness over it,
// returning a command that scoreWithExe can run.
func buildGoHarness(t *testing.T, m estimators.Model) string {
	t.Helper()
	files, err := export.Generate(m, export.TargetGo, "scorer", []byte(`{"test": true}`))
	if err != nil {
		t.Fatal(err)
	}
	files["cmd/harness/main.go"] = []byte(goHarness)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cmd", "harness"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteModule(dir, files, repoRoot(t)); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "harness")
	cmd := exec.Command("go", "build", "-mod=mod", "-o", exe, "./cmd/harness")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the go target's harness: %v\n%s", err, out)
	}
	return exe
}

// ipcStream writes rec as an Arrow IPC stream.
func ipcStream(t *testing.T, rec arrow.Record) *bytes.Buffer {
	t.Helper()
	var in bytes.Buffer
	w := ipc.NewWriter(&in, ipc.WithSchema(rec.Schema()))
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return &in
}

// scoreRefused runs the scorer's predict on rec and returns its error
// output, failing the test if the scorer accepts the rows.
func scoreRefused(t *testing.T, exe string, rec arrow.Record) string {
	t.Helper()
	cmd := exec.Command(exe, "predict", "--input-format", "arrows", "--output-format", "arrows")
	cmd.Stdin = ipcStream(t, rec)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	if err := cmd.Run(); err == nil {
		t.Fatal("the scorer accepted rows that Apply refuses")
	}
	return stderr.String()
}

// scoreWithExe runs the scorer's predict on rec as Arrow IPC and returns
// its output.
func scoreWithExe(t *testing.T, exe string, rec arrow.Record) arrow.Record {
	t.Helper()
	cmd := exec.Command(exe, "predict", "--input-format", "arrows", "--output-format", "arrows", "--chunk-rows", "100")
	cmd.Stdin = ipcStream(t, rec)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scorer: %v: %s", err, stderr.String())
	}
	r, err := ipc.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var recs []arrow.Record
	for r.Next() {
		rec := r.Record()
		rec.Retain()
		defer rec.Release()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// The scorer answers chunk by chunk: join the chunks' columns.
	cols := make([]arrow.Array, r.Schema().NumFields())
	rows := int64(0)
	for j := range cols {
		parts := make([]arrow.Array, len(recs))
		for k, rec := range recs {
			parts[k] = rec.Column(j)
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
		cols[j], rows = c, int64(c.Len())
	}
	return array.NewRecord(r.Schema(), cols, rows)
}

// eachOutput applies m to rec and calls check with every output column of
// Apply and the scorer's column of the same name in got.
func eachOutput(t *testing.T, m estimators.Model, rec, got arrow.Record, check func(name string, want, got arrow.Array)) {
	t.Helper()
	f := frameOf(t, rec)
	defer f.Release()
	want, err := m.Apply(context.Background(), f, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	for j, name := range want.Names() {
		idx := got.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("the scorer's output has no column %q: %v", name, got.Schema())
		}
		w, g := want.Columns()[j], got.Column(idx[0])
		if w.Len() != g.Len() {
			t.Fatalf("%s: %d rows, want %d", name, g.Len(), w.Len())
		}
		check(name, w, g)
	}
}

// sameOutputs checks that the scorer's output columns equal the model's
// Apply, bit for bit; a float null of Apply's is the scorer's NaN.
func sameOutputs(t *testing.T, m estimators.Model, rec arrow.Record, got arrow.Record) {
	t.Helper()
	eachOutput(t, m, rec, got, func(name string, w, g arrow.Array) {
		for i := range w.Len() {
			if wf, ok := w.(*array.Float64); ok {
				gf := g.(*array.Float64)
				if wf.IsNull(i) {
					if !math.IsNaN(gf.Value(i)) {
						t.Fatalf("%s row %d: %v, want NaN (a null)", name, i, gf.Value(i))
					}
					continue
				}
				if math.Float64bits(wf.Value(i)) != math.Float64bits(gf.Value(i)) {
					t.Fatalf("%s row %d: %v, want %v (bit for bit)", name, i, gf.Value(i), wf.Value(i))
				}
				continue
			}
			if ws, gs := w.ValueStr(i), g.ValueStr(i); ws != gs {
				t.Fatalf("%s row %d: %q, want %q", name, i, gs, ws)
			}
		}
	})
}

// mixedData returns a training frame of n rows and held-out rows of the
// mixed record (unseen categories among them), released at the test's end.
func mixedData(t *testing.T, n, held int, seed uint64) (*engine.Frame, arrow.Record) {
	train := mixedRecord(n, seed, false)
	defer train.Release()
	test := mixedRecord(held, seed+1, true)
	t.Cleanup(test.Release)
	data := frameOf(t, train)
	t.Cleanup(data.Release)
	return data, test
}

func TestGBDTScorerMatchesApply(t *testing.T) {
	needGo(t)
	data, test := mixedData(t, 3000, 700, 1)
	for _, tc := range []struct {
		target string
		params map[string]any
		slot   string // the type the scorer reads features as
	}{
		{"y_bin", map[string]any{"objective": "log_loss", "max_iter": 30, "num_leaves": 15}, "uint8"},
		{"y_reg", map[string]any{"max_iter": 20, "num_leaves": 31}, "uint8"},
		{"y_multi", map[string]any{"objective": "log_loss", "max_iter": 10, "num_leaves": 7}, "uint8"},
		// More than 255 thresholds on x1.
		{"y_reg", map[string]any{"max_iter": 40, "num_leaves": 63, "max_bin": 1023, "min_data_in_leaf": 2}, "uint16"},
	} {
		t.Run(fmt.Sprintf("%s/%v/%s", tc.target, tc.params["objective"], tc.slot), func(t *testing.T) {
			m := fit(t, "gbdt", data, tc.target, tc.params)
			files, err := export.Generate(m, export.TargetExe, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := "runtime.Buffers[" + tc.slot + "]"; !bytes.Contains(files["model.go"], []byte(want)) {
				t.Errorf("the scorer does not read its features as %s", tc.slot)
			}
			for _, exe := range []string{buildExe(t, m), buildGoHarness(t, m)} {
				got := scoreWithExe(t, exe, test)
				sameOutputs(t, m, test, got)
				got.Release()
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	train := mixedRecord(200, 1, false)
	defer train.Release()
	data := frameOf(t, train)
	defer data.Release()
	m := fit(t, "gbdt", data, "y_reg", map[string]any{"max_iter": 2})
	for _, tc := range []struct{ target, pkg, want string }{
		{"dll", "", `unknown target "dll"`},
		{export.TargetGo, "main", "is not a Go identifier (or is main)"},
		{export.TargetGo, "9lives", "is not a Go identifier"},
	} {
		_, err := export.Generate(m, tc.target, tc.pkg, nil)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("Generate(%q, %q): %v, want an error containing %q", tc.target, tc.pkg, err, tc.want)
		}
	}
	if _, err := export.Generate(m, export.TargetExe, "", []byte("{not json")); err == nil {
		t.Error("bad metadata accepted")
	}
	_ = os.Remove
}

// TestGBDTStepScorerMatchesApply exports a pipeline whose gbdt feeds a
// later step, so that the trees run row by row rather than over blocks of
// rows (a later step reads the gbdt's prediction in row code).
func TestGBDTStepScorerMatchesApply(t *testing.T) {
	needGo(t)
	data, test := mixedData(t, 2000, 500, 3)
	for _, tc := range []struct {
		target string
		params map[string]any
	}{
		{"y_reg", map[string]any{"max_iter": 12, "num_leaves": 15}},
		{"y_multi", map[string]any{"objective": "log_loss", "max_iter": 6, "num_leaves": 7}},
	} {
		t.Run(tc.target, func(t *testing.T) {
			trees := fit(t, "gbdt", data, tc.target, tc.params)
			first, err := pipeline.New([]pipeline.Step{{Name: "trees", Model: trees}})
			if err != nil {
				t.Fatal(err)
			}
			scored, err := first.Apply(context.Background(), data, 2)
			if err != nil {
				t.Fatal(err)
			}
			names, cols := append(data.Names(), scored.Names()...), append(data.Columns(), scored.Columns()...)
			for _, c := range cols {
				c.Retain()
			}
			scored.Release()
			both, err := engine.NewFrame(names, cols)
			if err != nil {
				t.Fatal(err)
			}
			defer both.Release()
			// The last float output: the regression's prediction, or the
			// last class's probability.
			outs := trees.Outputs()
			feature := outs[len(outs)-1].Name
			last := fitSpec(t, "linear_regression", both, estimators.Spec{Target: "y_reg", Features: []string{feature}}, nil)
			p, err := pipeline.New([]pipeline.Step{{Name: "trees", Model: trees}, {Name: "linear", Model: last}})
			if err != nil {
				t.Fatal(err)
			}
			exe := buildExe(t, p)
			got := scoreWithExe(t, exe, test)
			defer got.Release()
			sameOutputs(t, p, test, got)
		})
	}
}
