package hyperspace_test

import (
	"encoding/json"
	"fmt"

	"github.com/quiver-ml/quiver/hyperspace"
)

// A learner declares its space once; Validate then checks what users pass,
// fills in defaults and turns JSON numbers into the declared kinds.
func ExampleSpace_Validate() {
	space := hyperspace.Space{
		Learner: "linear",
		Doc:     "Linear model fitted by coordinate descent.",
		Params: []hyperspace.Param{
			{Name: "l2", Kind: hyperspace.Float, Low: 0, High: 1e6, Default: 1.0, Doc: "L2 penalty."},
			{Name: "max_iter", Kind: hyperspace.Int, Low: 1, High: 100000, Default: 1000, Doc: "Solver iterations."},
			{Name: "fit_intercept", Kind: hyperspace.Bool, Default: true, Doc: "Fit a bias term."},
			{Name: "solver", Kind: hyperspace.Categorical, Choices: []string{"cd", "lbfgs"}, Default: "cd", Doc: "Optimiser."},
		},
	}
	if err := space.Check(); err != nil {
		panic(err)
	}

	var given map[string]any // as it arrives from Python
	_ = json.Unmarshal([]byte(`{"max_iter": 50, "solver": "lbfgs"}`), &given)
	values, err := space.Validate(given)
	if err != nil {
		panic(err)
	}
	for _, name := range space.Names() {
		fmt.Printf("%s = %v (%T)\n", name, values[name], values[name])
	}

	_, err = space.Validate(map[string]any{"max_iter": 2.5})
	fmt.Println(err)
	_, err = space.Validate(map[string]any{"alpha": 0.1})
	fmt.Println(err)
	// Output:
	// l2 = 1 (float64)
	// max_iter = 50 (int)
	// fit_intercept = true (bool)
	// solver = lbfgs (string)
	// linear: hyperparameter "max_iter" must be a whole number, got 2.5
	// linear: hyperparameter "alpha" is unknown; known hyperparameters are l2, max_iter, fit_intercept, solver
}

// MarshalSpaces gives the versioned JSON from which the Python package
// derives signatures, docstrings and tuner adapters.
func ExampleMarshalSpaces() {
	space := hyperspace.Space{
		Learner: "fft",
		Doc:     "Fast-and-frugal tree.",
		Params: []hyperspace.Param{
			{Name: "max_levels", Kind: hyperspace.Int, Low: 1, High: 8, Default: 4, Doc: "Most cues the tree asks."},
		},
	}
	b, err := hyperspace.MarshalSpaces(space)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"version":1,"spaces":[{"learner":"fft","doc":"Fast-and-frugal tree.","params":[{"name":"max_levels","kind":"int","low":1,"high":8,"default":4,"doc":"Most cues the tree asks."}]}]}
}
