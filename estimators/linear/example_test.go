package linear_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/linear" // registers the learners
)

func floats(vals ...float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// Fit an ordinary least squares line through y = 1 + 2x and predict a new
// point.
func Example() {
	train, err := engine.NewFrame([]string{"x", "y"}, []arrow.Array{
		floats(0, 1, 2, 3, 4),
		floats(1, 3, 5, 7, 9),
	})
	if err != nil {
		panic(err)
	}
	defer train.Release()
	learner, _ := estimators.Lookup("linear_regression")
	model, log, err := learner.Fit(context.Background(), train, estimators.Spec{Target: "y"}, nil)
	if err != nil {
		panic(err)
	}
	s := model.Summary()
	fmt.Printf("intercept %.3f, slope %.3f, r2 %.3f\n",
		s["intercept"].([]float64)[0], s["coef"].([][]float64)[0][0], log["metrics"].(map[string]any)["r2"])

	test, _ := engine.NewFrame([]string{"x"}, []arrow.Array{floats(10)})
	defer test.Release()
	out, err := model.Apply(context.Background(), test, 1)
	if err != nil {
		panic(err)
	}
	defer out.Release()
	fmt.Printf("%s at x=10: %.3f\n", out.Names()[0], out.Column("prediction").(*array.Float64).Value(0))
	// Output:
	// intercept 1.000, slope 2.000, r2 1.000
	// prediction at x=10: 21.000
}

// A logistic regression with the L2 penalty of scikit-learn's
// LogisticRegression(C=0.5), that is l2 = 1/C, on features used as they are.
func Example_logistic() {
	train, _ := engine.NewFrame([]string{"hours", "passed"}, []arrow.Array{
		floats(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5),
		floats(0, 0, 0, 1, 0, 1, 0, 1, 1, 1),
	})
	defer train.Release()
	learner, _ := estimators.Lookup("logistic_regression")
	model, log, err := learner.Fit(context.Background(), train,
		estimators.Spec{Target: "passed"}, map[string]any{"l2": 2.0, "standardize": false})
	if err != nil {
		panic(err)
	}
	fmt.Println("classes:", model.Summary()["classes"])
	fmt.Println("outputs:", model.Outputs())
	fmt.Println("converged:", log["converged"])
	// Output:
	// classes: [0 1]
	// outputs: [{prediction float64 []} {probability_0 float64 []} {probability_1 float64 []}]
	// converged: true
}
