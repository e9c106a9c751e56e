// Package estimators defines the learner contract and the registry through
// which estimator packages make themselves known.
//
// Each estimator lives in its own package under estimators/ and calls
// Register from an init function, the way arrow-go's compute functions
// register themselves: nothing central lists them. Importing the package for
// its side effect is enough to make the learner available by name.
package estimators

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Spec is what a fit needs besides the data and the hyperparameters.
type Spec struct {
	// Target is the name of the column to predict.
	Target string
	// Weight is the name of a column of non-negative sample weights, or "".
	Weight string
	// Features are the input columns; empty means every column but the
	// target and the weight.
	Features []string
	// Progress, if not nil, is called with the fraction of the fit done.
	Progress func(done float64)
	// Valid, if not nil, is a validation frame with the same feature,
	// target and weight columns, for learners that stop early.
	Valid *engine.Frame
}

// Log is a fit's record: hyperparameters, iterations, metrics, timings. It is
// encoded as JSON for Python, so its values are JSON-friendly.
type Log map[string]any

// A Learner fits a Model to a frame. It holds no state between fits.
type Learner interface {
	// Name is the learner's registered name, such as "logistic_regression".
	Name() string
	// Space declares the learner's hyperparameters.
	Space() hyperspace.Space
	// Fit fits a model. params have been validated against Space. Fit
	// returns promptly with ctx's error once ctx is done.
	Fit(ctx context.Context, data *engine.Frame, spec Spec, params hyperspace.Values) (Model, Log, error)
	// Decode rebuilds a model from its file form, checking every size and
	// index; it never panics on bad input.
	Decode(file *engine.ModelFile) (Model, error)
}

// A Model is fitted state. It reads named input columns and returns new
// output columns.
type Model interface {
	// Learner is the name of the learner that fitted the model.
	Learner() string
	// Inputs are the columns the model reads.
	Inputs() []engine.Field
	// Outputs are the columns Apply returns.
	Outputs() []engine.Field
	// Params are the validated hyperparameters of the fit.
	Params() hyperspace.Values
	// Apply computes the output columns for every row of data. The result
	// holds only the new columns, built on engine.Allocator.
	Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error)
	// Encode returns the model's file form.
	Encode() (*engine.ModelFile, error)
	// Summary returns a JSON-friendly description of the fitted state for
	// Python (for example coefficients), small enough to send on every call.
	Summary() map[string]any
}

// A Transformer is a Model whose outputs stand in for some of its inputs:
// feature steps such as imputers and encoders. Where models are chained, as
// in a pipeline, the columns Replaces names are removed from the frame
// before the transformer's outputs are added (an output with the name of a
// kept column takes its place).
type Transformer interface {
	Model
	// Replaces lists the input columns the outputs stand in for.
	Replaces() []string
}

// ApplyOptions asks a model for outputs beyond its default ones.
type ApplyOptions struct {
	// Threads is the number of threads; 0 uses every CPU.
	Threads int
	// RawScore adds the scores before the link function: "raw_score" for
	// one score per row, "raw_score_<class>" for one per class.
	RawScore bool
	// Contributions adds one column per feature, "contribution_<feature>",
	// plus "contribution_bias": per-row additive attributions that sum to
	// the raw score (with several classes, one set per class).
	Contributions bool
	// ExitLevel adds "exit_level": the level (from 1) at which each row
	// leaves a fast-and-frugal tree.
	ExitLevel bool
}

// An Explainer is a Model that can also return some of the columns that
// ApplyOptions asks for.
type Explainer interface {
	Model
	// Explain is Apply with options; the extra columns follow the default
	// outputs. It fails with a KindValue error if asked for a column the
	// model cannot give.
	Explain(ctx context.Context, data *engine.Frame, opts ApplyOptions) (*engine.Frame, error)
}

var (
	mu       sync.RWMutex
	learners = map[string]Learner{}
)

// Register makes a learner available by its name. It panics if the name is
// taken or the learner's space is inconsistent: both are programming errors
// found at start-up.
func Register(l Learner) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := learners[l.Name()]; dup {
		panic(fmt.Sprintf("estimators: learner %q registered twice", l.Name()))
	}
	if err := l.Space().Check(); err != nil {
		panic(fmt.Sprintf("estimators: learner %q: %v", l.Name(), err))
	}
	learners[l.Name()] = l
}

// Lookup returns the learner registered under name.
func Lookup(name string) (Learner, error) {
	mu.RLock()
	defer mu.RUnlock()
	l, ok := learners[name]
	if !ok {
		return nil, engine.Errorf(engine.KindValue, "unknown learner %q; known learners are %q", name, namesLocked())
	}
	return l, nil
}

// Names returns the registered learners' names in sorted order.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(learners))
	for n := range learners {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Decode rebuilds a model from its file form with the learner that wrote it.
func Decode(file *engine.ModelFile) (Model, error) {
	l, err := Lookup(file.Learner)
	if err != nil {
		return nil, engine.Errorf(engine.KindFormat, "model file: %v", err)
	}
	return l.Decode(file)
}
