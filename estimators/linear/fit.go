package linear

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// MaxCoefficients bounds the size of the Newton system: the number of
// classes' coefficient vectors times (features + 1). The Hessian of that
// many coefficients is computed on every pass, so larger problems are
// refused with an error that says so rather than run for hours.
const MaxCoefficients = 4096

func init() {
	estimators.Register(Regression{})
	estimators.Register(Logistic{})
}

// Regression is the linear_regression learner: least squares with optional
// L1 and L2 penalties (ordinary least squares, ridge, lasso, elastic net).
type Regression struct{}

// Name returns "linear_regression".
func (Regression) Name() string { return RegressionName }

// Space returns RegressionSpace().
func (Regression) Space() hyperspace.Space { return RegressionSpace() }

// Fit fits a linear regression; see the package documentation for the
// objective.
func (Regression) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	return fit(ctx, RegressionName, data, spec, params)
}

// Decode rebuilds a linear_regression model from its file form.
func (Regression) Decode(file *engine.ModelFile) (estimators.Model, error) {
	return decode(RegressionName, file)
}

// Logistic is the logistic_regression learner: binary logistic regression,
// or multinomial (softmax) regression for three or more classes, with
// optional L1 and L2 penalties.
type Logistic struct{}

// Name returns "logistic_regression".
func (Logistic) Name() string { return LogisticName }

// Space returns LogisticSpace().
func (Logistic) Space() hyperspace.Space { return LogisticSpace() }

// Fit fits a logistic regression; see the package documentation for the
// objective.
func (Logistic) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	return fit(ctx, LogisticName, data, spec, params)
}

// Decode rebuilds a logistic_regression model from its file form.
func (Logistic) Decode(file *engine.ModelFile) (estimators.Model, error) {
	return decode(LogisticName, file)
}

// hyper are the validated hyperparameters of a fit.
type hyper struct {
	l1, l2                    float64
	fitIntercept, standardize bool
	tol                       float64
	maxIter, threads          int
}

func readHyper(learner string, params hyperspace.Values) (hyperspace.Values, hyper, error) {
	sp := spaceOf(learner)
	vals, err := sp.Validate(params)
	if err != nil {
		return nil, hyper{}, engine.Errorf(engine.KindValue, "%v", err)
	}
	return vals, hyper{
		l1: vals.Float("l1"), l2: vals.Float("l2"),
		fitIntercept: vals.Bool("fit_intercept"), standardize: vals.Bool("standardize"),
		tol: vals.Float("tol"), maxIter: vals.Int("max_iter"), threads: vals.Int("n_threads"),
	}, nil
}

// fit is the common fit of both learners.
func fit(ctx context.Context, learner string, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (m *Model, log estimators.Log, err error) {
	start := time.Now()
	classify := learner == LogisticName
	if spec.Valid != nil {
		return nil, nil, engine.Errorf(engine.KindValue, "%s does not stop early and takes no validation frame", learner)
	}
	vals, hp, err := readHyper(learner, params)
	if err != nil {
		return nil, nil, err
	}
	if data == nil || data.NumRows() == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "%s cannot be fitted on an empty frame (0 rows)", learner)
	}
	n := data.NumRows()
	tcol, err := data.Require(spec.Target, "target")
	if err != nil {
		return nil, nil, err
	}
	var wcol arrow.Array
	if spec.Weight != "" {
		if wcol, err = data.Require(spec.Weight, "weight"); err != nil {
			return nil, nil, err
		}
	}
	features, err := estimators.ResolveFeatures(data, spec)
	if err != nil {
		return nil, nil, err
	}
	if len(features) == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "%s needs at least one feature; the frame has only the target (and weight) columns", learner)
	}
	fcols := make([]arrow.Array, len(features))
	for j, f := range features {
		if fcols[j], err = data.Require(f, "feature"); err != nil {
			return nil, nil, err
		}
		if !engine.IsNumeric(fcols[j].DataType()) {
			return nil, nil, engine.Errorf(engine.KindType, "feature column %q has type %s: linear models need numeric features; encode the column first (for example one-hot encode it)", f, fcols[j].DataType())
		}
	}
	var w []float64
	if wcol != nil {
		if w, err = estimators.ReadWeights(spec.Weight, wcol); err != nil {
			return nil, nil, err
		}
	}
	// The target.
	var (
		y       []float64
		classes *engine.Classes
		codes   []int32
	)
	if classify {
		if classes, codes, err = engine.EncodeClasses(spec.Target, tcol); err != nil {
			return nil, nil, err
		}
		if classes.Len() < 2 {
			label := ""
			if classes.Len() == 1 {
				label = classes.Label(0)
			}
			return nil, nil, engine.Errorf(engine.KindValue, "target column %q has a single class (%q); a classifier needs at least two", spec.Target, label)
		}
	} else {
		if !engine.IsNumeric(tcol.DataType()) {
			return nil, nil, engine.Errorf(engine.KindType, "target column %q has type %s; linear_regression needs a numeric target", spec.Target, tcol.DataType())
		}
		if y, err = engine.Float64s(spec.Target, tcol); err != nil {
			return nil, nil, err
		}
		if nulls, nans, infs := engine.CountBad(tcol, y); nulls+nans+infs > 0 {
			return nil, nil, engine.Errorf(engine.KindValue, "target column %q has %d missing or non-finite values (%d null, %d NaN, %d infinite); drop those rows before fitting", spec.Target, nulls+nans+infs, nulls, nans, infs)
		}
	}
	nv := 1
	if classify && classes.Len() > 2 {
		nv = classes.Len()
	}
	if size := nv * (len(features) + 1); size > MaxCoefficients {
		return nil, nil, engine.Errorf(engine.KindValue, "%s with %d features and %d coefficient vectors has %d coefficients, more than the %d its Newton solver handles; use fewer features (or classes)", learner, len(features), nv, size, MaxCoefficients)
	}
	// The features, read in place.
	cols := make([][]float64, len(features))
	for j, f := range features {
		if cols[j], err = engine.Float64s(f, fcols[j]); err != nil {
			return nil, nil, err
		}
	}
	statCols := cols
	if y != nil {
		statCols = append(slices.Clone(cols), y)
	}
	bufs := &buffers{}
	st, sumW, err := stats(ctx, hp.threads, bufs, statCols, w, n)
	if err != nil {
		return nil, nil, err
	}
	for j, f := range features {
		if st[j].nonFinite || fcols[j].NullN() > 0 {
			nulls, nans, infs := engine.CountBad(fcols[j], cols[j])
			if nulls+nans+infs == 0 {
				return nil, nil, engine.Errorf(engine.KindValue, "feature column %q has values so large that their sum overflows; rescale it", f)
			}
			return nil, nil, engine.Errorf(engine.KindValue, "feature column %q has %d missing or non-finite values (%d null, %d NaN, %d infinite); linear models need finite features: impute or drop them first", f, nulls+nans+infs, nulls, nans, infs)
		}
	}
	if y != nil && st[len(features)].nonFinite {
		return nil, nil, engine.Errorf(engine.KindValue, "target column %q has values so large that their sum overflows; rescale it", spec.Target)
	}
	d := &design{names: features, cols: cols, n: n, w: w, sumW: sumW, intercept: hp.fitIntercept, threads: hp.threads, bufs: bufs}
	d.center = make([]float64, len(features))
	d.scale = make([]float64, len(features))
	var warnings []string
	for j, f := range features {
		v := st[j].m2 / sumW
		mu := st[j].mean
		switch {
		case !isConstant(v, mu, n):
			d.scale[j] = math.Sqrt(v)
			if hp.fitIntercept {
				d.center[j] = mu
			}
		case !hp.fitIntercept && mu != 0:
			d.scale[j] = math.Abs(mu)
			warnings = append(warnings, fmt.Sprintf("feature %q is constant; without an intercept it is kept (scaled by its absolute value)", f))
		default:
			warnings = append(warnings, fmt.Sprintf("feature %q is constant; its coefficient is 0", f))
			continue
		}
		d.active = append(d.active, j)
	}
	q := len(d.active)
	d.preCenter = make([]bool, q)
	for t, j := range d.active {
		d.preCenter[t] = math.Abs(d.center[j]) > 8*d.scale[j]
	}
	pen1 := make([]float64, q)
	pen2 := make([]float64, q)
	for t, j := range d.active {
		f1, f2 := 1.0, 1.0
		if !hp.standardize {
			f1, f2 = 1/d.scale[j], 1/(d.scale[j]*d.scale[j])
		}
		pen1[t], pen2[t] = hp.l1*f1, hp.l2*f2
	}
	progress := func(f float64) {
		if spec.Progress != nil {
			spec.Progress(f)
		}
	}

	m = &Model{
		learner:  learner,
		params:   vals,
		features: features,
		target:   spec.Target,
		inputs:   make([]engine.Field, len(features)),
	}
	for j, f := range features {
		m.inputs[j] = engine.Field{Name: f, Type: fcols[j].DataType().String()}
	}
	m.targetType = tcol.DataType().String()
	m.coef = make([][]float64, nv)
	m.intercept = make([]float64, nv)
	log = estimators.Log{
		"learner":         learner,
		"hyperparameters": map[string]any(vals),
		"features":        features,
		"target":          spec.Target,
		"weight":          nil,
		"n_rows":          n,
		"n_features":      len(features),
		"library_version": engine.Version,
	}
	if spec.Weight != "" {
		log["weight"] = spec.Weight
	}
	log["classes"] = nil
	progress(0.05) // the statistics pass is done

	if !classify {
		ybar := st[len(features)].mean
		res, err := solveRegression(ctx, d, y, ybar, pen1, pen2, hp.l1, hp.l2, hp.maxIter)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, res.warnings...)
		progress(0.9)
		theta := make([]float64, d.m())
		if d.intercept {
			theta[0] = res.intercept
		}
		copy(theta[d.off():], res.gamma)
		c0, beta := toOriginal(d, theta, 1)
		m.intercept[0], m.coef[0] = c0[0], beta[0]
		pred := make([][]float64, 1)
		pred[0] = make([]float64, n)
		if err := d.margins(ctx, c0, beta, pred); err != nil {
			return nil, nil, err
		}
		rss, err := sumRows(ctx, hp.threads, n, func(lo, hi int) float64 {
			s := 0.0
			for i := lo; i < hi; i++ {
				r := y[i] - pred[0][i]
				if w != nil {
					s += w[i] * r * r
				} else {
					s += r * r
				}
			}
			return s
		})
		if err != nil {
			return nil, nil, err
		}
		f0 := nullRSS(y, w, ybar, hp.fitIntercept) / 2
		obj := rss/2 + penaltyOf(res.gamma, pen1, pen2)
		log["iterations"] = res.iterations
		log["converged"] = res.converged
		log["final_objective"] = obj
		log["objective_history"] = []float64{f0, obj}
		log["metrics"] = map[string]any{
			"rmse": estimators.JSONFloat(engine.RMSE(y, pred[0], w)),
			"mae":  estimators.JSONFloat(engine.MAE(y, pred[0], w)),
			"r2":   estimators.JSONFloat(engine.R2(y, pred[0], w)),
		}
	} else {
		K := classes.Len()
		m.classes = classes
		log["classes"] = classes.Labels()
		// Class weights, for the starting intercepts.
		pk := make([]float64, K)
		for i, c := range codes {
			if w != nil {
				pk[c] += w[i]
			} else {
				pk[c]++
			}
		}
		for k := range pk {
			if pk[k] == 0 {
				return nil, nil, engine.Errorf(engine.KindValue, "class %q of target column %q has zero total weight; drop its rows or give them weight", classes.Label(k), spec.Target)
			}
			pk[k] /= sumW
		}
		dm := d.m()
		prob := &glmProblem{d: d, codes: codes, k: K, nv: nv, m: dm, tol: hp.tol, iters: hp.maxIter}
		prob.pen1 = make([]float64, nv*dm)
		prob.pen2 = make([]float64, nv*dm)
		for k := range nv {
			copy(prob.pen1[k*dm+d.off():], pen1)
			copy(prob.pen2[k*dm+d.off():], pen2)
		}
		theta := make([]float64, nv*dm)
		if d.intercept {
			if nv == 1 {
				theta[0] = math.Log(pk[1] / pk[0])
			} else {
				mean := 0.0
				for k := range K {
					mean += math.Log(pk[k])
				}
				mean /= float64(K)
				for k := range K {
					theta[k*dm] = math.Log(pk[k]) - mean
				}
			}
		}
		res, err := prob.solve(ctx, theta, progress)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, res.warnings...)
		c0, beta := toOriginal(d, res.theta, nv)
		if nv > 1 && d.intercept {
			// Softmax is unchanged by a common shift: report intercepts
			// that sum to zero.
			mean := 0.0
			for _, v := range c0 {
				mean += v
			}
			mean /= float64(nv)
			for k := range c0 {
				c0[k] -= mean
			}
		}
		m.intercept, m.coef = c0, beta
		log["iterations"] = res.iterations
		log["converged"] = res.converged
		log["final_objective"] = res.objective
		log["objective_history"] = res.history
		log["hessian_sample_rows"] = res.hessianRows
		metrics, err := classMetrics(ctx, hp.threads, res.eta, codes, K, w)
		if err != nil {
			return nil, nil, err
		}
		log["metrics"] = metrics
	}
	if warnings == nil {
		warnings = []string{}
	}
	log["warnings"] = warnings
	log["fit_seconds"] = time.Since(start).Seconds()
	progress(1)
	return m, log, nil
}

// nullRSS returns the weighted residual sum of squares of the constant
// model (the mean with an intercept, zero without).
func nullRSS(y, w []float64, ybar float64, intercept bool) float64 {
	c := 0.0
	if intercept {
		c = ybar
	}
	s := 0.0
	for i, v := range y {
		r := v - c
		if w != nil {
			s += w[i] * r * r
		} else {
			s += r * r
		}
	}
	return s
}

func penaltyOf(gamma, pen1, pen2 []float64) float64 {
	s1, s2 := 0.0, 0.0
	for t, g := range gamma {
		s1 += pen1[t] * math.Abs(g)
		s2 += pen2[t] * g * g
	}
	return s1 + s2/2
}

// classMetrics computes the training metrics of a classifier from its
// margins: log_loss, accuracy and, for two classes, auc.
func classMetrics(ctx context.Context, threads int, eta [][]float64, codes []int32, K int, w []float64) (map[string]any, error) {
	n := len(codes)
	probs := make([][]float64, K)
	for k := range probs {
		probs[k] = make([]float64, n)
	}
	pred := make([]int32, n)
	err := engine.ForChunks(ctx, threads, n, func(_, lo, hi int) {
		engine.Probabilities(engine.Rows(eta, lo, hi), engine.Rows(probs, lo, hi), pred[lo:hi])
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"log_loss": estimators.JSONFloat(engine.LogLoss(codes, probs, w)),
		"accuracy": estimators.JSONFloat(engine.Accuracy(codes, pred, w)),
	}
	if K == 2 {
		y01 := probs[0] // probs[0] is not needed any more
		for i, c := range codes {
			y01[i] = float64(c)
		}
		out["auc"] = estimators.JSONFloat(engine.AUC(y01, probs[1], w))
	}
	return out, nil
}
