package pipeline_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/linear"     // registers linear_regression
	_ "github.com/quiver-ml/quiver/estimators/preprocess" // registers standard_scaler
	"github.com/quiver-ml/quiver/pipeline"
)

func floats(vals ...float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// fit fits a registered learner with its default hyperparameters.
func fit(name string, data *engine.Frame, target string) estimators.Model {
	l, err := estimators.Lookup(name)
	if err != nil {
		panic(err)
	}
	params, err := l.Space().Validate(nil)
	if err != nil {
		panic(err)
	}
	m, _, err := l.Fit(context.Background(), data, estimators.Spec{Target: target}, params)
	if err != nil {
		panic(err)
	}
	return m
}

// Chain a scaler and a linear regression, each fitted on the frame the step
// before leaves (as quiver.pipeline does in Python), then use, save and
// reload them as one model.
func Example() {
	train, _ := engine.NewFrame([]string{"x", "y"}, []arrow.Array{floats(0, 1, 2, 3, 4), floats(1, 3, 5, 7, 9)})
	defer train.Release()

	scaler := fit("standard_scaler", train, "y")
	cols, _ := scaler.Apply(context.Background(), train, 1)
	defer cols.Release()
	// The scaler replaces x by its scaled self; y, the target, stays.
	x, y := cols.Column("x"), train.Column("y")
	x.Retain()
	y.Retain()
	scaled, _ := engine.NewFrame([]string{"x", "y"}, []arrow.Array{x, y})
	defer scaled.Release()
	linear := fit("linear_regression", scaled, "y")

	model, err := pipeline.New([]pipeline.Step{{Name: "scale", Model: scaler}, {Name: "linear", Model: linear}})
	if err != nil {
		panic(err)
	}
	file, _ := model.Encode()
	b, _ := file.Marshal()
	file.Release()
	back, _ := engine.UnmarshalModelFile(b)
	model, err = estimators.Decode(back)
	back.Release()
	if err != nil {
		panic(err)
	}

	test, _ := engine.NewFrame([]string{"x"}, []arrow.Array{floats(10)})
	defer test.Release()
	out, err := model.Apply(context.Background(), test, 1)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Printf("%s reads %s\n", model.Learner(), model.Inputs()[0].Name)
	fmt.Printf("prediction at x=10: %.3f\n", out.Column("prediction").(*array.Float64).Value(0))
	// Output:
	// pipeline reads x
	// prediction at x=10: 21.000
}
