package linear

import (
	"github.com/quiver-ml/quiver/hyperspace"
)

// The names of the two learners.
const (
	// RegressionName is the registered name of the linear regression learner.
	RegressionName = "linear_regression"
	// LogisticName is the registered name of the logistic regression learner.
	LogisticName = "logistic_regression"
)

// Defaults of the solver.
const (
	// DefaultTol is the default convergence tolerance.
	DefaultTol = 1e-8
	// DefaultMaxIter is the default limit of logistic_regression's Newton
	// iterations.
	DefaultMaxIter = 100
	// DefaultMaxSweeps is the default limit of linear_regression's
	// coordinate descent sweeps (used with l1 only).
	DefaultMaxSweeps = 1000
)

// space declares the hyperparameters shared by both learners; only the
// defaults of l2 and max_iter, and what max_iter counts, differ.
func space(learner, doc string, defaultL2 float64, defaultMaxIter int, maxIterDoc string) hyperspace.Space {
	return hyperspace.Space{
		Learner: learner,
		Doc:     doc,
		Params: []hyperspace.Param{
			{Name: "l1", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: 0.0,
				Doc:   "L1 (lasso) penalty weight: adds l1*sum|coef| to the summed loss; the intercept is never penalised",
				Tuned: true, Search: &hyperspace.Range{Low: 0.0001, High: 100.0, Log: true}},
			{Name: "l2", Kind: hyperspace.Float, Low: 0, High: 1e12, Default: defaultL2,
				Doc:   "L2 (ridge) penalty weight: adds (l2/2)*sum(coef^2) to the summed loss; the intercept is never penalised",
				Tuned: true, Search: &hyperspace.Range{Low: 0.0001, High: 100.0, Log: true}},
			{Name: "fit_intercept", Kind: hyperspace.Bool, Default: true,
				Doc: "fit an unpenalised intercept; otherwise the model passes through the origin"},
			{Name: "standardize", Kind: hyperspace.Bool, Default: true,
				Doc: "penalise the coefficients of features scaled to unit standard deviation (glmnet); coefficients are always reported on the original scale"},
			{Name: "tol", Kind: hyperspace.Float, Low: 1e-12, High: 1, Log: true, Default: DefaultTol,
				Doc: "stop when a step changes no standardized coefficient by more than tol*(1+largest coefficient), or lowers the objective by less than tol relative"},
			{Name: "max_iter", Kind: hyperspace.Int, Low: 1, High: 100000, Default: defaultMaxIter,
				Doc: maxIterDoc},
			{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 1024, Default: 0,
				Doc: "number of threads; 0 uses every CPU (the result does not depend on it)", Runtime: true},
		},
	}
}

// RegressionSpace is the hyperparameter space of linear_regression.
func RegressionSpace() hyperspace.Space {
	return space(RegressionName,
		"Least squares linear regression with optional L1/L2 (elastic net) penalties.",
		0, DefaultMaxSweeps,
		"maximum coordinate-descent sweeps over the features when l1 > 0; without l1 the problem is solved directly in one pass")
}

// LogisticSpace is the hyperparameter space of logistic_regression.
func LogisticSpace() hyperspace.Space {
	return space(LogisticName,
		"Logistic regression (binary, or multinomial softmax for three or more classes) with optional L1/L2 penalties.",
		1.0, DefaultMaxIter,
		"maximum (proximal) Newton iterations; each makes one pass over the data for the Hessian and one for the line search")
}

// spaceOf returns the space of the named learner of this package.
func spaceOf(learner string) hyperspace.Space {
	if learner == LogisticName {
		return LogisticSpace()
	}
	return RegressionSpace()
}
