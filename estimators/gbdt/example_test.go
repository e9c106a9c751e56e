package gbdt_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/gbdt" // registers the learner
)

// Fit a classifier on a numeric feature with missing values and a
// categorical one, then score three new rows: a missing value and an
// unseen category take the branches the training rows with missing values
// took.
func Example() {
	mem := memory.DefaultAllocator
	x := array.NewFloat64Builder(mem)
	color := array.NewStringBuilder(mem)
	label := array.NewStringBuilder(mem)
	defer x.Release()
	defer color.Release()
	defer label.Release()
	for i := range 200 {
		v := float64(i%50) / 10 // 0.0 .. 4.9
		c := []string{"red", "green", "blue", "teal"}[i%4]
		switch {
		case i%10 == 0:
			x.AppendNull()
			label.Append("yes")
		case v > 2.5 || c == "blue":
			x.Append(v)
			label.Append("yes")
		default:
			x.Append(v)
			label.Append("no")
		}
		color.Append(c)
	}
	train, err := engine.NewFrame([]string{"x", "color", "label"}, []arrow.Array{x.NewArray(), color.NewArray(), label.NewArray()})
	if err != nil {
		panic(err)
	}
	defer train.Release()

	learner, _ := estimators.Lookup("gbdt")
	model, log, err := learner.Fit(context.Background(), train, estimators.Spec{Target: "label"},
		map[string]any{"max_iter": 30, "min_data_in_leaf": 5, "min_data_per_group": 5, "n_threads": 1})
	if err != nil {
		panic(err)
	}
	s := model.Summary()
	fmt.Println("objective:", log["objective"], "classes:", s["classes"], "categorical:", s["categorical"])
	fmt.Println("trees:", s["num_trees"])
	for _, f := range model.Outputs() {
		fmt.Println("output:", f.Name, f.Type)
	}

	xs := array.NewFloat64Builder(mem)
	xs.AppendValues([]float64{0.5, 4.0, 0}, []bool{true, true, false})
	cs := array.NewStringBuilder(mem)
	defer xs.Release()
	defer cs.Release()
	cs.AppendValues([]string{"red", "purple", "red"}, nil)
	test, _ := engine.NewFrame([]string{"x", "color"}, []arrow.Array{xs.NewArray(), cs.NewArray()})
	defer test.Release()
	out, err := model.Apply(context.Background(), test, 1)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	pred := out.Column("prediction").(*array.String)
	yes := out.Column("probability_yes").(*array.Float64)
	for i := range out.NumRows() {
		fmt.Printf("row %d: %s (P(yes) > 0.9: %v)\n", i, pred.Value(i), yes.Value(i) > 0.9)
	}
	// Output:
	// objective: log_loss classes: [no yes] categorical: [false true]
	// trees: 30
	// output: prediction utf8
	// output: probability_no float64
	// output: probability_yes float64
	// row 0: no (P(yes) > 0.9: false)
	// row 1: yes (P(yes) > 0.9: true)
	// row 2: yes (P(yes) > 0.9: true)
}
