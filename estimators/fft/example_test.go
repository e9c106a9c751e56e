package fft_test

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/fft" // registers the learner
)

// Fit a fast-and-frugal tree on a small frame of a numeric cue with a
// missing value and a categorical one, print it in words, and decide three
// new cases. The third misses its age, so the first level passes it on.
func Example() {
	mem := memory.DefaultAllocator
	age := array.NewFloat64Builder(mem)
	pain := array.NewStringBuilder(mem)
	sick := array.NewBooleanBuilder(mem)
	defer age.Release()
	defer pain.Release()
	defer sick.Release()
	for i := range 60 {
		a := float64(30 + i%40)
		p := []string{"typical", "atypical", "none"}[i%3]
		s := a > 55 || (p == "typical" && i%2 == 0)
		if i == 7 {
			age.AppendNull()
		} else {
			age.Append(a)
		}
		pain.Append(p)
		sick.Append(s)
	}
	train, err := engine.NewFrame([]string{"age", "pain", "sick"}, []arrow.Array{age.NewArray(), pain.NewArray(), sick.NewArray()})
	if err != nil {
		panic(err)
	}
	defer train.Release()

	learner, _ := estimators.Lookup("fft")
	params, err := learner.Space().Validate(map[string]any{"max_levels": 3, "n_threads": 1})
	if err != nil {
		panic(err)
	}
	model, log, err := learner.Fit(context.Background(), train, estimators.Spec{Target: "sick"}, params)
	if err != nil {
		panic(err)
	}
	fmt.Println(log["tree"])
	st := log["train"].(estimators.Log)
	fmt.Printf("hits %v, false alarms %v, misses %v, correct rejections %v\n", st["hi"], st["fa"], st["mi"], st["cr"])

	ages := array.NewFloat64Builder(mem)
	ages.AppendValues([]float64{62, 40, 0}, []bool{true, true, false})
	pains := array.NewStringBuilder(mem)
	pains.AppendValues([]string{"none", "typical", "atypical"}, nil)
	defer ages.Release()
	defer pains.Release()
	test, _ := engine.NewFrame([]string{"age", "pain"}, []arrow.Array{ages.NewArray(), pains.NewArray()})
	defer test.Release()
	out, err := model.(estimators.Explainer).Explain(context.Background(), test, estimators.ApplyOptions{ExitLevel: true})
	if err != nil {
		panic(err)
	}
	defer out.Release()
	pred := out.Column("prediction").(*array.Boolean)
	level := out.Column("exit_level").(*array.Int32)
	for i := range out.NumRows() {
		fmt.Printf("case %d: %v at level %d\n", i, pred.Value(i), level.Value(i))
	}
	// Output:
	// If age > 52, decide True. If pain = {typical}, decide True, otherwise, decide False.
	// hits 22, false alarms 9, misses 0, correct rejections 29
	// case 0: true at level 1
	// case 1: true at level 2
	// case 2: false at level 2
}
