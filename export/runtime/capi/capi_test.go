package capi

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// ptr returns the address of s's first value, nil for an empty s.
func ptr(s []float64) *float64 {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// labeller is a scorer whose single label output is the code in its
// single number input, to see how predictMatrix writes any code.
func labeller() *runtime.Scorer {
	return &runtime.Scorer{
		Name:    "labeller",
		Inputs:  []runtime.Column{{Name: "code", Kind: runtime.Number, Type: "float64"}},
		Outputs: []runtime.Column{{Name: "class", Kind: runtime.Label, Type: "utf8", Labels: []string{"a", "b"}, LabelType: "utf8"}},
		Score: func(in *runtime.Batch, out *runtime.Result) error {
			for i := range in.N {
				if in.Floats[0][i] == 99 {
					panic("ninety-nine")
				}
				out.Codes[0][i] = int32(in.Floats[0][i])
			}
			return nil
		},
	}
}

// texter is a scorer with a text input, the length of its value.
func texter() *runtime.Scorer {
	return &runtime.Scorer{
		Name:    "texter",
		Inputs:  []runtime.Column{{Name: "words", Kind: runtime.Text, Type: "utf8"}},
		Outputs: []runtime.Column{{Name: "length", Kind: runtime.Float, Type: "float64"}},
		Score: func(in *runtime.Batch, out *runtime.Result) error {
			for i, c := range in.Codes[0] {
				if c >= 0 {
					out.Floats[0][i] = float64(len(in.Strings[0][c]))
				}
			}
			return nil
		},
	}
}

// In process, the matrix interface's Go half: chunking, class codes and
// panics, which the C test does not reach.
func TestPredictMatrix(t *testing.T) {
	// Rows past a chunk, the last one rejected by the model.
	long := make([]float64, 3*(chunkRows+10))
	for i := range chunkRows + 10 {
		long[3*i], long[3*i+1], long[3*i+2] = float64(i), float64(i%2), float64(i%3)
	}
	longBad := append([]float64{}, long...)
	longBad[3*(chunkRows+5)], longBad[3*(chunkRows+5)+2] = math.NaN(), math.NaN()

	for _, c := range []struct {
		name   string
		s      *runtime.Scorer
		x      []float64
		rows   int64
		out    int
		status Status
		err    string
		want   []float64 // nil: NaN on failure, not checked on success
	}{
		{name: "chunks", s: toy.Scorer(), x: long, rows: chunkRows + 10, out: 3 * (chunkRows + 10)},
		{name: "chunk_model_error", s: toy.Scorer(), x: longBad, rows: chunkRows + 10, out: 3 * (chunkRows + 10),
			status: StatusModel, err: fmt.Sprintf("rows %d to %d: row 5: x and color are both missing", chunkRows, chunkRows+9)},
		{name: "chunk_input_error", s: toy.Scorer(), x: append(append([]float64{}, long[:3*chunkRows]...), 1, 2, 0), rows: chunkRows + 1, out: 3 * (chunkRows + 1),
			status: StatusInput, err: fmt.Sprintf(`row %d, input 1 "flag" (boolean): 2 is not 0, 1 or NaN`, chunkRows)},
		{name: "labels", s: labeller(), x: []float64{0, 1, -1}, rows: 3, out: 3, want: []float64{0, 1, math.NaN()}},
		{name: "label_out_of_range", s: labeller(), x: []float64{0, 2}, rows: 2, out: 2, status: StatusModel,
			err: `row 1, output 0 "class": the model wrote class code 2, but there are 2 labels`},
		{name: "negative_label", s: labeller(), x: []float64{-2}, rows: 1, out: 1, status: StatusModel, err: "class code -2"},
		{name: "panic", s: labeller(), x: []float64{0, 99}, rows: 2, out: 2, status: StatusInternal, err: "internal error: ninety-nine"},
		{name: "too_many_rows", s: toy.Scorer(), x: []float64{0}, rows: math.MaxInt64 / 2, out: 1, status: StatusArgument, err: "too large"},
		{name: "text_input", s: texter(), x: []float64{0}, rows: 1, out: 1, status: StatusInput, err: `input 0 "words" is text, which a matrix cannot hold`},
		{name: "vector_input", s: &runtime.Scorer{
			Name:    "vectors",
			Inputs:  []runtime.Column{{Name: "v", Kind: runtime.Vector, Type: "fixed_size_list<item: float64, nullable>[3]", Width: 3}},
			Outputs: []runtime.Column{{Name: "y", Kind: runtime.Float, Type: "float64"}},
			Score:   func(*runtime.Batch, *runtime.Result) error { return nil },
		}, x: []float64{0}, rows: 1, out: 1, status: StatusInput, err: `input 0 "v" is a vector of 3 numbers, which a matrix cannot hold`},
		{name: "text_output", s: &runtime.Scorer{
			Name:    "echo",
			Inputs:  []runtime.Column{{Name: "x", Kind: runtime.Number, Type: "float64"}},
			Outputs: []runtime.Column{{Name: "w", Kind: runtime.Text, Type: "utf8"}},
			Score:   func(*runtime.Batch, *runtime.Result) error { return nil },
		}, x: []float64{0}, rows: 1, out: 1, status: StatusInput, err: `output 0 "w" is text, which a matrix cannot hold`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := make([]float64, c.out)
			err := predictMatrix(c.s, ptr(c.x), c.rows, int64(len(c.s.Inputs)), ptr(out), int64(len(out)))
			if got := statusOf(err); got != c.status {
				t.Fatalf("status %v, want %v (%v)", got, c.status, err)
			}
			if c.status != StatusOK {
				if !strings.Contains(err.Error(), c.err) {
					t.Errorf("message %q, want it to contain %q", err, c.err)
				}
				if !sameFloats(out, nans(len(out))) {
					t.Errorf("out is not all NaN after a failure: %v", out[:min(len(out), 10)])
				}
				return
			}
			if c.want != nil && !sameFloats(out, c.want) {
				t.Errorf("out %v, want %v", out, c.want)
			}
		})
	}

	// The chunks agree with scoring all rows at once.
	t.Run("chunks_agree", func(t *testing.T) {
		n := chunkRows + 10
		out := make([]float64, 3*n)
		if err := predictMatrix(toy.Scorer(), &long[0], int64(n), 3, &out[0], int64(len(out))); err != nil {
			t.Fatal(err)
		}
		rows := make([]toyRow, n)
		colors := toy.Scorer().Inputs[2].Categories
		for i := range rows {
			rows[i] = toyRow{long[3*i], long[3*i+1], colors[int(long[3*i+2])]}
		}
		if want := toyScores(t, rows); !sameFloats(out, want) {
			t.Error("chunked scores differ from one batch's")
		}
	})
}

func TestCategoryCode(t *testing.T) {
	for _, c := range []struct {
		v    float64
		code int32
		ok   bool
	}{
		{0, 0, true}, {2, 2, true}, {math.NaN(), runtime.Missing, true}, {-1, runtime.Missing, true},
		{-2, runtime.Unseen, true}, {3, 0, false}, {0.5, 0, false}, {-3, 0, false},
		{math.Inf(1), 0, false}, {math.Inf(-1), 0, false}, {math.Copysign(0, -1), 0, true},
	} {
		code, ok := categoryCode(c.v, 3)
		if code != c.code || ok != c.ok {
			t.Errorf("categoryCode(%v, 3) = %d, %v; want %d, %v", c.v, code, ok, c.code, c.ok)
		}
	}
}

func TestSchemaJSON(t *testing.T) {
	var got struct {
		Name    string
		Inputs  []map[string]any
		Outputs []map[string]any
	}
	if err := json.Unmarshal(schemaJSON(toy.Scorer()), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "toy" || len(got.Inputs) != 3 || len(got.Outputs) != 3 {
		t.Fatalf("got %+v", got)
	}
	for i, kind := range []string{"number", "boolean", "category"} {
		if got.Inputs[i]["kind"] != kind {
			t.Errorf("input %d kind %v, want %s", i, got.Inputs[i]["kind"], kind)
		}
	}
	if cats, _ := got.Inputs[2]["categories"].([]any); len(cats) != 3 || cats[2] != "blue" {
		t.Errorf("categories %v", got.Inputs[2]["categories"])
	}
	if got.Outputs[2]["kind"] != "label" || got.Outputs[2]["label_type"] != "utf8" {
		t.Errorf("label output %v", got.Outputs[2])
	}
}

func TestMetadataJSON(t *testing.T) {
	for _, c := range []struct {
		in, want string
		fails    bool
	}{
		{"", "{}", false},
		{"  ", "{}", false},
		{"{\n  \"a\": 1\n}", `{"a":1}`, false},
		{"{", "", true},
	} {
		got, err := metadataJSON(&runtime.Scorer{Metadata: json.RawMessage(c.in)})
		if (err != nil) != c.fails || string(got) != c.want {
			t.Errorf("metadataJSON(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestCheckScorer(t *testing.T) {
	bad := func(f func(s *runtime.Scorer)) *runtime.Scorer {
		s := toy.Scorer()
		f(s)
		return s
	}
	for _, c := range []struct {
		name string
		s    *runtime.Scorer
		err  string
	}{
		{"nil", nil, "nil scorer"},
		{"no_score", bad(func(s *runtime.Scorer) { s.Score = nil }), "no Score function"},
		{"output_kind_input", bad(func(s *runtime.Scorer) { s.Inputs[0].Kind = runtime.Float }), "not an input kind"},
		{"input_kind_output", bad(func(s *runtime.Scorer) { s.Outputs[0].Kind = runtime.Number }), "not an output kind"},
		{"duplicate_category", bad(func(s *runtime.Scorer) { s.Inputs[2].Categories = []string{"a", "a"} }), "twice"},
		{"bad_label", bad(func(s *runtime.Scorer) { s.Outputs[2].LabelType = "int64" }), "does not parse"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkScorer(c.s)
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("got %v, want an error containing %q", err, c.err)
			}
		})
	}
	if err := checkScorer(toy.Scorer()); err != nil {
		t.Errorf("toy: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Register(nil) did not panic")
		}
	}()
	Register(nil)
}

// The Arrow interface's Go half maps each failure to its status.
func TestPredictRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	record := func(fields []arrow.Field, build func(b *array.RecordBuilder)) arrow.Record {
		b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
		defer b.Release()
		build(b)
		return b.NewRecord()
	}
	fields := []arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "color", Type: arrow.BinaryTypes.String, Nullable: true},
	}
	good := func(b *array.RecordBuilder) {
		b.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 0}, []bool{true, false})
		b.Field(1).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
		b.Field(2).(*array.StringBuilder).AppendValues([]string{"red", ""}, []bool{true, false})
	}
	for _, c := range []struct {
		name   string
		s      *runtime.Scorer
		fields []arrow.Field
		build  func(b *array.RecordBuilder)
		status Status
		err    string
	}{
		{name: "model_error", s: toy.Scorer(), fields: fields, build: good, status: StatusModel, err: "row 1: x and color are both missing"},
		{name: "missing", s: toy.Scorer(), fields: fields[:2], build: func(b *array.RecordBuilder) {
			b.Field(0).(*array.Float64Builder).Append(1)
			b.Field(1).(*array.BooleanBuilder).Append(true)
		}, status: StatusInput, err: `column "color" is missing`},
		{name: "panic", s: labeller(), fields: []arrow.Field{{Name: "code", Type: arrow.PrimitiveTypes.Float64}}, build: func(b *array.RecordBuilder) {
			b.Field(0).(*array.Float64Builder).Append(99)
		}, status: StatusInternal, err: "ninety-nine"},
		{name: "bad_label", s: labeller(), fields: []arrow.Field{{Name: "code", Type: arrow.PrimitiveTypes.Float64}}, build: func(b *array.RecordBuilder) {
			b.Field(0).(*array.Float64Builder).Append(5)
		}, status: StatusModel, err: "class code 5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := record(c.fields, c.build)
			defer rec.Release()
			out, err := predictRecord(c.s, rec, mem)
			if out != nil {
				out.Release()
			}
			var f *failure
			if !errors.As(err, &f) || f.status != c.status || !strings.Contains(f.msg, c.err) {
				t.Errorf("got %v (%v), want %v containing %q", err, statusOf(err), c.status, c.err)
			}
		})
	}
	t.Run("ok", func(t *testing.T) {
		rec := record(fields, func(b *array.RecordBuilder) {
			b.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 0}, []bool{true, false})
			b.Field(1).(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
			b.Field(2).(*array.StringBuilder).AppendValues([]string{"red", "mauve"}, nil)
		})
		defer rec.Release()
		out, err := predictRecord(toy.Scorer(), rec, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		if out.NumCols() != 6 || out.Schema().Field(5).Name != "prediction" {
			t.Fatalf("schema %v", out.Schema())
		}
		// An unseen color scores 10.
		if got := out.Column(3).(*array.Float64).Value(1); got != 10 {
			t.Errorf("score of the unseen row %v, want 10", got)
		}
	})
}

// TestPredictMatrixReusesBuffers checks that a warm call takes its
// buffers from the previous calls rather than allocating a chunk's worth.
func TestPredictMatrixReusesBuffers(t *testing.T) {
	s := toy.Scorer()
	rows := 3 * chunkRows / 2
	x := make([]float64, 3*rows)
	out := make([]float64, 3*rows)
	call := func() {
		if err := predictMatrix(s, ptr(x), int64(rows), 3, ptr(out), int64(len(out))); err != nil {
			t.Fatal(err)
		}
	}
	call()
	if n := testing.AllocsPerRun(20, call); n > 2 {
		t.Errorf("a warm call makes %v allocations", n)
	}
}
