package mlp_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/mlp" // registers the learner
)

// Fit a network with two hidden layers on points of a grid labelled by
// whether they lie inside a circle, the two coordinates given as one
// fixed-size-list column, then classify three new points.
func Example() {
	mem := memory.DefaultAllocator
	point := array.NewFixedSizeListBuilder(mem, 2, arrow.PrimitiveTypes.Float64)
	coords := point.ValueBuilder().(*array.Float64Builder)
	where := array.NewStringBuilder(mem)
	defer point.Release()
	defer where.Release()
	var labels []string
	for i := range 20 {
		for j := range 20 {
			x, y := float64(i)/9.5-1, float64(j)/9.5-1 // -1 .. 1
			point.Append(true)
			coords.AppendValues([]float64{x, y}, nil)
			label := "outside"
			if x*x+y*y < 0.5 {
				label = "inside"
			}
			where.Append(label)
			labels = append(labels, label)
		}
	}
	train, err := engine.NewFrame([]string{"point", "where"}, []arrow.Array{point.NewArray(), where.NewArray()})
	if err != nil {
		panic(err)
	}
	defer train.Release()

	learner, _ := estimators.Lookup("mlp")
	params, err := learner.Space().Validate(map[string]any{"hidden_layers": "[16, 16]", "activation": "tanh",
		"learning_rate": 0.01, "batch_size": 50, "max_iter": 300, "n_threads": 1})
	if err != nil {
		panic(err)
	}
	model, log, err := learner.Fit(context.Background(), train, estimators.Spec{Target: "where"}, params)
	if err != nil {
		panic(err)
	}
	s := model.Summary()
	fmt.Println("layer sizes:", s["sizes"], "activation:", s["activation"], "objective:", log["objective"])
	fmt.Println("parameters:", s["n_params"], "epochs:", log["epochs"])
	for _, f := range model.Outputs() {
		fmt.Println("output:", f.Name, f.Type)
	}

	scored, err := model.Apply(context.Background(), train, 1)
	if err != nil {
		panic(err)
	}
	defer scored.Release()
	pred := scored.Column("prediction").(*array.String)
	hits := 0
	for i, l := range labels {
		if pred.Value(i) == l {
			hits++
		}
	}
	fmt.Println("training accuracy at least 0.97:", float64(hits)/float64(len(labels)) >= 0.97)

	fresh := array.NewFixedSizeListBuilder(mem, 2, arrow.PrimitiveTypes.Float64)
	defer fresh.Release()
	for _, p := range [][]float64{{0, 0}, {0.9, -0.9}, {-0.2, 0.3}} {
		fresh.Append(true)
		fresh.ValueBuilder().(*array.Float64Builder).AppendValues(p, nil)
	}
	test, _ := engine.NewFrame([]string{"point"}, []arrow.Array{fresh.NewArray()})
	defer test.Release()
	out, err := model.Apply(context.Background(), test, 1)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	for i := range out.NumRows() {
		fmt.Println("point", i, out.Column("prediction").(*array.String).Value(i))
	}
	// Output:
	// layer sizes: [2 16 16 1] activation: tanh objective: log_loss
	// parameters: 337 epochs: 300
	// output: prediction utf8
	// output: probability_inside float64
	// output: probability_outside float64
	// training accuracy at least 0.97: true
	// point 0 inside
	// point 1 outside
	// point 2 inside
}
