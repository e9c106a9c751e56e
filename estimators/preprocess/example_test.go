package preprocess_test

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/preprocess" // registers the feature steps
)

// Impute a numeric column with its median, adding an indicator, then
// one-hot encode a string column; each step replaces the columns it acts on.
func Example() {
	mem := memory.DefaultAllocator
	xb := array.NewFloat64Builder(mem)
	defer xb.Release()
	xb.AppendValues([]float64{1, math.NaN(), 3, 10}, nil)
	cb := array.NewStringBuilder(mem)
	defer cb.Release()
	cb.AppendValues([]string{"red", "blue", "red", ""}, []bool{true, true, true, false})
	train, err := engine.NewFrame([]string{"x", "color"}, []arrow.Array{xb.NewArray(), cb.NewArray()})
	if err != nil {
		panic(err)
	}
	defer train.Release()

	imputer, _ := estimators.Lookup("imputer")
	m, _, err := imputer.Fit(context.Background(), train, estimators.Spec{},
		map[string]any{"strategy": "median", "add_indicator": true})
	if err != nil {
		panic(err)
	}
	out, _ := m.Apply(context.Background(), train, 1)
	defer out.Release()
	fmt.Println("imputer replaces", m.(estimators.Transformer).Replaces(), "with", out.Names())
	fmt.Println("x:", out.Column("x"), "x_missing:", out.Column("x_missing"))

	oneHot, _ := estimators.Lookup("one_hot")
	m, _, err = oneHot.Fit(context.Background(), train, estimators.Spec{}, nil)
	if err != nil {
		panic(err)
	}
	out, _ = m.Apply(context.Background(), train, 1)
	defer out.Release()
	fmt.Println("one_hot replaces", m.(estimators.Transformer).Replaces(), "with", out.Names())
	for _, name := range out.Names() {
		fmt.Println(name+":", out.Column(name))
	}
	// Output:
	// imputer replaces [x] with [x x_missing]
	// x: [1 3 3 10] x_missing: [false true false false]
	// one_hot replaces [color] with [color_blue color_red color_NA]
	// color_blue: [0 1 0 0]
	// color_red: [1 0 1 0]
	// color_NA: [0 0 0 1]
}

// Encode a city by the share of positive targets among its rows, smoothed
// toward the share among every row (an m-estimate with smooth=1); a city
// unseen in training gets that overall share. The model encodes with every
// training row: quiver.target_encoder, in Python, encodes the training
// frame itself out of fold.
func Example_targetEncoder() {
	mem := memory.DefaultAllocator
	cb := array.NewStringBuilder(mem)
	defer cb.Release()
	cb.AppendValues([]string{"paris", "paris", "rome", "rome", "rome", "oslo"}, nil)
	yb := array.NewInt64Builder(mem)
	defer yb.Release()
	yb.AppendValues([]int64{1, 0, 1, 1, 0, 1}, nil)
	train, err := engine.NewFrame([]string{"city", "y"}, []arrow.Array{cb.NewArray(), yb.NewArray()})
	if err != nil {
		panic(err)
	}
	defer train.Release()

	encoder, _ := estimators.Lookup("target_encoder")
	m, log, err := encoder.Fit(context.Background(), train, estimators.Spec{Target: "y"}, map[string]any{"smooth": 1.0})
	if err != nil {
		panic(err)
	}
	cb.AppendValues([]string{"rome", "oslo", "lima"}, nil)
	test, _ := engine.NewFrame([]string{"city"}, []arrow.Array{cb.NewArray()})
	defer test.Release()
	out, _ := m.Apply(context.Background(), test, 1)
	defer out.Release()
	fmt.Println("target:", log["target_type"], "mean", fmt.Sprintf("%.4f", log["target_mean"]))
	for i, v := range out.Column("city").(*array.Float64).Float64Values() {
		fmt.Printf("%s: %.4f\n", test.Column("city").(*array.String).Value(i), v)
	}
	// Output:
	// target: binary mean 0.6667
	// rome: 0.6667
	// oslo: 0.8333
	// lima: 0.6667
}
