package engine_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

// col is a column of a test frame, its values written as a JSON list.
type col struct {
	name string
	typ  arrow.DataType
	json string
}

// scoredFrame builds a frame from columns given as JSON.
func scoredFrame(t *testing.T, mem memory.Allocator, cols ...col) *engine.Frame {
	t.Helper()
	names := make([]string, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		a, _, err := array.FromJSON(mem, c.typ, strings.NewReader(c.json))
		if err != nil {
			t.Fatalf("column %s: %v", c.name, err)
		}
		names[i], arrs[i] = c.name, a
	}
	f, err := engine.NewFrame(names, arrs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Release)
	return f
}

var (
	f64    = arrow.PrimitiveTypes.Float64
	i64    = arrow.PrimitiveTypes.Int64
	i32    = arrow.PrimitiveTypes.Int32
	utf8   = arrow.BinaryTypes.String
	boolT  = arrow.FixedWidthTypes.Boolean
	dictT  = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	binary = []col{
		{"y", i64, "[0, 1, 1, 0, 1]"},
		{"prediction", i64, "[0, 1, 0, 1, 1]"},
		{"probability_0", f64, "[0.9, 0.2, 0.6, 0.4, 0.3]"},
		{"probability_1", f64, "[0.1, 0.8, 0.4, 0.6, 0.7]"},
	}
)

func TestScore(t *testing.T) {
	// The binary frame: positives score .8 .4 .7 against negatives .1 .6,
	// so 5 of 6 pairs; TP 2, FP 1, FN 1; recalls 1/2 and 2/3.
	binaryLogLoss := -(math.Log(0.9) + math.Log(0.8) + math.Log(0.4) + math.Log(0.4) + math.Log(0.7)) / 5
	three := []col{
		{"label", utf8, `["a", "b", "c", "a", "b", "c"]`},
		{"prediction", utf8, `["a", "b", "c", "b", "b", "a"]`},
		{"probability_a", f64, "[0.8, 0.1, 0.1, 0.3, 0.3, 0.2]"},
		{"probability_b", f64, "[0.1, 0.6, 0.2, 0.4, 0.5, 0.3]"},
		{"probability_c", f64, "[0.1, 0.3, 0.7, 0.3, 0.2, 0.5]"},
	}
	regression := []col{
		{"y", f64, "[1, 2, 3, 4]"},
		{"prediction", f64, "[1, 2, 3, 5]"},
		{"w", f64, "[1, 1, 1, 3]"},
	}
	tests := []struct {
		name   string
		cols   []col
		spec   engine.ScoreSpec
		metric string
		want   float64
	}{
		{"rmse", regression, engine.ScoreSpec{Target: "y"}, "rmse", 0.5},
		{"mae", regression, engine.ScoreSpec{Target: "y"}, "mae", 0.25},
		{"r2", regression, engine.ScoreSpec{Target: "y"}, "r2", 0.8},
		{"weighted rmse", regression, engine.ScoreSpec{Target: "y", Weight: "w"}, "rmse", math.Sqrt(3.0 / 6)},
		{"integer target rmse", []col{{"y", i32, "[1, 2, 3]"}, {"prediction", f64, "[1, 2, 5]"}},
			engine.ScoreSpec{Target: "y"}, "rmse", math.Sqrt(4.0 / 3)},
		{"auc", binary, engine.ScoreSpec{Target: "y"}, "auc", 5.0 / 6},
		{"log_loss", binary, engine.ScoreSpec{Target: "y"}, "log_loss", binaryLogLoss},
		{"accuracy", binary, engine.ScoreSpec{Target: "y"}, "accuracy", 0.6},
		{"balanced_accuracy", binary, engine.ScoreSpec{Target: "y"}, "balanced_accuracy", (0.5 + 2.0/3) / 2},
		{"f1", binary, engine.ScoreSpec{Target: "y"}, "f1", 2.0 / 3},
		// class 0 first: F1 of class 1 (TP 2, FP 1, FN 1).
		{"f1 given order", binary, engine.ScoreSpec{Target: "y", Classes: []string{"0", "1"}}, "f1", 2.0 / 3},
		// class 1 first makes 0 the positive class: TP 1, FP 1, FN 1.
		{"f1 reversed order", binary, engine.ScoreSpec{Target: "y", Classes: []string{"1", "0"}}, "f1", 0.5},
		// the AUC of class 0's probability for class 0.
		{"auc reversed order", binary, engine.ScoreSpec{Target: "y", Classes: []string{"1", "0"}}, "auc", 5.0 / 6},
		{"multiclass auc", three, engine.ScoreSpec{Target: "label"}, "auc", (7.5/8 + 1 + 1) / 3},
		{"multiclass accuracy", three, engine.ScoreSpec{Target: "label"}, "accuracy", 4.0 / 6},
		// recalls 1/2, 1, 1/2.
		{"multiclass balanced accuracy", three, engine.ScoreSpec{Target: "label"}, "balanced_accuracy", 2.0 / 3},
		// a: TP 1, FP 1, FN 1 (1/2); b: TP 2, FP 1 (4/5); c: TP 1, FN 1 (2/3).
		{"multiclass f1", three, engine.ScoreSpec{Target: "label"}, "f1", 59.0 / 90},
		{"multiclass log_loss", three, engine.ScoreSpec{Target: "label"}, "log_loss",
			-(math.Log(0.8) + math.Log(0.6) + math.Log(0.7) + math.Log(0.3) + math.Log(0.5) + math.Log(0.5)) / 6},
		{"bool target", []col{
			{"y", boolT, "[false, true, true]"}, {"prediction", boolT, "[false, true, false]"},
			{"probability_false", f64, "[0.7, 0.4, 0.6]"}, {"probability_true", f64, "[0.3, 0.6, 0.4]"}},
			engine.ScoreSpec{Target: "y"}, "auc", 1},
		{"dictionary target", []col{
			{"y", dictT, `["no", "yes", "yes", "no"]`}, {"prediction", utf8, `["no", "yes", "no", "no"]`}},
			engine.ScoreSpec{Target: "y"}, "f1", 2.0 / 3},
		// a class the model never predicted counts as a class of its own.
		{"label only in target", []col{
			{"y", i64, "[0, 1, 2]"}, {"prediction", i64, "[0, 1, 1]"},
			{"probability_0", f64, "[0.6, 0.3, 0.2]"}, {"probability_1", f64, "[0.4, 0.7, 0.8]"}},
			engine.ScoreSpec{Target: "y"}, "balanced_accuracy", 2.0 / 3},
		// a model that saw only class 1 keeps 1 the positive class: TP 2, FP 1.
		{"probabilities of one class", []col{
			{"y", i64, "[0, 1, 1]"}, {"prediction", i64, "[1, 1, 1]"}, {"probability_1", f64, "[1, 1, 1]"}},
			engine.ScoreSpec{Target: "y"}, "f1", 0.8},
		// whole-number floats are class labels.
		{"float labels", []col{{"y", f64, "[0, 1, 1]"}, {"prediction", f64, "[0, 1, 0]"}},
			engine.ScoreSpec{Target: "y"}, "accuracy", 2.0 / 3},
		{"empty", []col{{"y", i64, "[]"}, {"prediction", i64, "[]"}}, engine.ScoreSpec{Target: "y"}, "accuracy", math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			f := scoredFrame(t, mem, tt.cols...)
			got, err := engine.Score(tt.metric, f, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(got, tt.want, 1e-14) {
				t.Errorf("%s = %v, want %v", tt.metric, got, tt.want)
			}
		})
	}
}

func TestScoreErrors(t *testing.T) {
	regression := []col{{"y", f64, "[1.5, 2, 3]"}, {"prediction", f64, "[1, 2, 3]"}}
	tests := []struct {
		name   string
		cols   []col
		spec   engine.ScoreSpec
		metric string
		kind   engine.Kind
		words  []string
	}{
		{"unknown metric", binary, engine.ScoreSpec{Target: "y"}, "auroc", engine.KindValue, []string{"auroc", "auc, log_loss"}},
		{"auc of a regression", regression, engine.ScoreSpec{Target: "y"}, "auc", engine.KindValue, []string{`"auc"`, "continuous", "regression metric"}},
		{"log_loss without probabilities", []col{{"y", i64, "[0, 1]"}, {"prediction", i64, "[0, 1]"}},
			engine.ScoreSpec{Target: "y"}, "log_loss", engine.KindValue, []string{`"log_loss"`, "probabilit"}},
		{"accuracy of continuous values", regression, engine.ScoreSpec{Target: "y"}, "accuracy", engine.KindValue,
			[]string{`"accuracy"`, "continuous", `"y"`}},
		{"accuracy of continuous predictions", []col{{"y", i64, "[0, 1]"}, {"prediction", f64, "[0.2, 0.7]"}},
			engine.ScoreSpec{Target: "y"}, "accuracy", engine.KindValue, []string{`"accuracy"`, "continuous", "prediction"}},
		{"rmse of string labels", []col{{"y", utf8, `["a", "b"]`}, {"prediction", utf8, `["a", "a"]`}},
			engine.ScoreSpec{Target: "y"}, "rmse", engine.KindValue, []string{`"rmse"`, "class labels"}},
		{"rmse of bool labels", []col{{"y", boolT, "[true, false]"}, {"prediction", f64, "[1, 0]"}},
			engine.ScoreSpec{Target: "y"}, "rmse", engine.KindValue, []string{`"rmse"`, "class labels"}},
		{"r2 of predicted labels", []col{{"y", f64, "[1, 2]"}, {"prediction", utf8, `["a", "b"]`}},
			engine.ScoreSpec{Target: "y"}, "r2", engine.KindValue, []string{`"r2"`, "classifier"}},
		{"missing target", binary, engine.ScoreSpec{Target: "label"}, "auc", engine.KindColumn, []string{`"label"`}},
		{"missing prediction", []col{{"y", f64, "[1, 2]"}}, engine.ScoreSpec{Target: "y"}, "mae", engine.KindColumn, []string{"prediction"}},
		{"missing probability", binary, engine.ScoreSpec{Target: "y", Classes: []string{"0", "1", "2"}}, "auc", engine.KindColumn,
			[]string{"probability_2"}},
		{"label without probability", []col{{"y", i64, "[0, 2]"}, {"probability_0", f64, "[1, 0]"}},
			engine.ScoreSpec{Target: "y"}, "log_loss", engine.KindValue, []string{`"2"`, "no probability column"}},
		{"label not among the classes", binary, engine.ScoreSpec{Target: "y", Classes: []string{"0"}}, "auc",
			engine.KindValue, []string{`"1"`, "not among the classes"}},
		{"null target", []col{{"y", f64, "[1, null]"}, {"prediction", f64, "[1, 2]"}},
			engine.ScoreSpec{Target: "y"}, "rmse", engine.KindValue, []string{`"y"`, "1 missing"}},
		{"NaN prediction", []col{{"y", f64, "[1, 2]"}, {"prediction", f64, "[1, null]"}},
			engine.ScoreSpec{Target: "y"}, "rmse", engine.KindValue, []string{"prediction", "1 missing"}},
		{"null probability", []col{{"y", i64, "[0, 1]"}, {"probability_0", f64, "[null, 0.5]"}, {"probability_1", f64, "[0.5, 0.5]"}},
			engine.ScoreSpec{Target: "y"}, "auc", engine.KindValue, []string{"probability_0", "missing"}},
		{"class listed twice", binary, engine.ScoreSpec{Target: "y", Classes: []string{"1", "1"}}, "f1", engine.KindValue,
			[]string{`"1"`, "twice"}},
		{"negative weight", append(regression, col{"w", f64, "[1, -1, 1]"}), engine.ScoreSpec{Target: "y", Weight: "w"}, "rmse",
			engine.KindValue, []string{`"w"`, "non-negative"}},
		{"string weight", append(regression, col{"w", utf8, `["a", "b", "c"]`}), engine.ScoreSpec{Target: "y", Weight: "w"}, "rmse",
			engine.KindType, []string{`"w"`}},
		{"missing weight", regression, engine.ScoreSpec{Target: "y", Weight: "w"}, "rmse", engine.KindColumn, []string{`"w"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			f := scoredFrame(t, mem, tt.cols...)
			_, err := engine.Score(tt.metric, f, tt.spec)
			if err == nil {
				t.Fatal("no error")
			}
			wantKind(t, err, tt.kind, tt.words...)
		})
	}
}

func TestMetricsAreScored(t *testing.T) {
	ms := engine.Metrics()
	if len(ms) != 8 {
		t.Fatalf("%d metrics, want 8", len(ms))
	}
	for _, m := range ms {
		got, err := engine.LookupMetric(m.Name)
		if err != nil || got != m {
			t.Errorf("LookupMetric(%q) = %v, %v", m.Name, got, err)
		}
		if m.Task != engine.TaskClassification && m.Task != engine.TaskRegression {
			t.Errorf("metric %q has task %q", m.Name, m.Task)
		}
		if m.Doc == "" {
			t.Errorf("metric %q has no doc", m.Name)
		}
	}
}

func TestParseClassLabels(t *testing.T) {
	raw := []string{`"cat"`, `3`, `-2`, `2.0`, `1.5`, `true`, `false`, `1e6`}
	in := make([]json.RawMessage, len(raw))
	for i, r := range raw {
		in[i] = json.RawMessage(r)
	}
	got, err := engine.ParseClassLabels(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cat", "3", "-2", "2", "1.5", "true", "false", "1e+06"}
	if !slices.Equal(got, want) {
		t.Errorf("ParseClassLabels = %q, want %q", got, want)
	}
	for _, bad := range []string{`null`, `[1]`, `{"a": 1}`} {
		if _, err := engine.ParseClassLabels([]json.RawMessage{json.RawMessage(bad)}); err == nil {
			t.Errorf("ParseClassLabels(%s) did not fail", bad)
		}
	}
}

// On an imbalanced sample, always predicting the majority class looks good
// by accuracy but not by balanced accuracy or F1 of the rare class.
func ExampleBalancedAccuracy() {
	labels := []int32{0, 0, 0, 0, 0, 0, 0, 0, 1, 1}
	majority := make([]int32, len(labels))
	fmt.Println(engine.Accuracy(labels, majority, nil))
	fmt.Println(engine.BalancedAccuracy(labels, majority, nil))
	fmt.Println(engine.F1(labels, majority, 2, nil))
	// Output:
	// 0.8
	// 0.5
	// 0
}
