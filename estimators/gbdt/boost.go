package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// hyper are the validated hyperparameters of a fit.
type hyper struct {
	objective, metric                string
	maxIter, numLeaves, maxDepth     int
	learningRate, subsample, colsamp float64
	maxBin, binSample, esr, threads  int
	seed                             uint64
	delta                            float64
	split                            splitConfig
}

func readHyper(v hyperspace.Values) hyper {
	return hyper{
		objective: v.String("objective"), metric: v.String("metric"),
		maxIter: v.Int("max_iter"), numLeaves: v.Int("num_leaves"), maxDepth: v.Int("max_depth"),
		learningRate: v.Float("learning_rate"), subsample: v.Float("subsample"), colsamp: v.Float("colsample"),
		maxBin: v.Int("max_bin"), binSample: v.Int("bin_sample"), esr: v.Int("early_stopping_rounds"),
		threads: v.Int("n_threads"), seed: uint64(v.Int("seed")), delta: v.Float("huber_delta"),
		split: splitConfig{
			minData: int64(v.Int("min_data_in_leaf")), minHess: v.Float("min_sum_hessian_in_leaf"),
			minGain: v.Float("min_gain_to_split"), l1: v.Float("l1"), l2: v.Float("l2"),
			maxCatOneHot: v.Int("max_cat_to_onehot"), maxCatThresh: v.Int("max_cat_threshold"),
			minDataPerGroup: int64(v.Int("min_data_per_group")), catSmooth: v.Float("cat_smooth"), catL2: v.Float("cat_l2"),
		},
	}
}

// target is the training or validation target as the objective reads it.
type target struct {
	y     []float64 // regression values, or 0/1 for binary
	codes []int32   // class codes
}

// readTarget reads the target column of a fit. For classifiers, classes is
// nil for the training frame (the classes are found) and the training
// classes for a validation frame.
func readTarget(name string, col arrow.Array, classify bool, classes *engine.Classes, poisson bool) (*engine.Classes, target, error) {
	if classify {
		cl, codes, err := engine.EncodeClasses(name, col)
		if err != nil {
			return nil, target{}, err
		}
		if classes != nil {
			remap := make([]int32, cl.Len())
			for k, label := range cl.Labels() {
				i := slices.Index(classes.Labels(), label)
				if i < 0 {
					return nil, target{}, engine.Errorf(engine.KindValue, "validation target %q has the class %q, which the training target does not have", name, label)
				}
				remap[k] = int32(i)
			}
			for i, c := range codes {
				codes[i] = remap[c]
			}
			cl = classes
		}
		t := target{codes: codes}
		if cl.Len() == 2 {
			t.y = make([]float64, len(codes))
			for i, c := range codes {
				t.y[i] = float64(c)
			}
		}
		return cl, t, nil
	}
	if !engine.IsNumeric(col.DataType()) {
		return nil, target{}, engine.Errorf(engine.KindType, "target column %q has type %s; a regression target must be numeric (use objective=\"log_loss\" for class labels)", name, col.DataType())
	}
	y, err := engine.Float64s(name, col)
	if err != nil {
		return nil, target{}, err
	}
	nulls, nans, infs := engine.CountBad(col, y)
	if nulls+nans > 0 {
		return nil, target{}, engine.Errorf(engine.KindValue, "target column %q has %d missing values (%d null, %d NaN); drop those rows or fill them in before fitting", name, nulls+nans, nulls, nans)
	}
	if infs > 0 {
		return nil, target{}, engine.Errorf(engine.KindValue, "target column %q has %d infinite values", name, infs)
	}
	if poisson {
		for _, v := range y {
			if v < 0 {
				return nil, target{}, engine.Errorf(engine.KindValue, "target column %q has the negative value %v; the poisson objective needs counts or rates >= 0", name, v)
			}
		}
	}
	return nil, target{y: y}, nil
}

// resolveObjective turns "auto" into a loss from the target's type.
func resolveObjective(obj string, t arrow.DataType) string {
	if obj != objAuto {
		return obj
	}
	if t.ID() == arrow.BOOL || engine.IsCategorical(t) {
		return objLogLoss
	}
	return objSquaredError
}

// resolveMetric turns "auto" into the metric of the objective and checks
// that the metric suits it.
func resolveMetric(metric, obj string) (string, error) {
	if metric == metricAuto {
		switch obj {
		case objLogLoss:
			return metricLogLoss, nil
		case objAbsoluteError:
			return metricMAE, nil
		}
		return metricRMSE, nil
	}
	classify := obj == objLogLoss
	if classify != (metric == metricAUC || metric == metricLogLoss) {
		return "", engine.Errorf(engine.KindValue, "metric %q does not suit objective %q", metric, obj)
	}
	return metric, nil
}

// buildMappers bins every feature of the training frame, in parallel over
// features: quantile bins for numeric features from a sample of rows, one
// bin per category for categorical ones.
func buildMappers(ctx context.Context, data *engine.Frame, features []string, hp hyper) ([]*mapper, error) {
	sample := sampleRows(data.NumRows(), hp.binSample, hp.seed)
	mappers := make([]*mapper, len(features))
	errs := make([]error, len(features))
	err := engine.ForTasks(ctx, hp.threads, len(features), func(j int) {
		f := features[j]
		col := data.Column(f)
		switch {
		case engine.IsCategorical(col.DataType()):
			cats, err := engine.ReadCategories(f, col)
			if err != nil {
				errs[j] = err
				return
			}
			if len(cats.Values) > MaxCategories {
				errs[j] = engine.Errorf(engine.KindValue, "categorical feature %q has %d categories; the model format allows at most %d per feature", f, len(cats.Values), MaxCategories)
				return
			}
			mappers[j] = &mapper{categorical: true, categories: cats.Values}
		case engine.IsNumeric(col.DataType()):
			mappers[j] = numericMapper(sampleValues(col, sample), hp.maxBin)
		default:
			errs[j] = engine.Errorf(engine.KindType, "feature %q has type %s; gbdt reads numeric, bool, string and dictionary columns", f, col.DataType())
		}
	})
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	return mappers, nil
}

// sampleValues returns the values of col at the rows of sample (sorted),
// read a block at a time: one value at a time costs a call and a type
// switch per value.
func sampleValues(col arrow.Array, sample []int) []float64 {
	vals := make([]float64, len(sample))
	if len(sample) == col.Len() {
		engine.ReadFloat64s(col, 0, vals)
		return vals
	}
	buf := make([]float64, engine.ChunkRows)
	lo, hi := 0, 0
	for i, r := range sample {
		if r >= hi {
			lo, hi = r, min(r+len(buf), col.Len())
			engine.ReadFloat64s(col, lo, buf[:hi-lo])
		}
		vals[i] = buf[r-lo]
	}
	return vals
}

// fit trains a model; see Learner.Fit.
func fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (*Model, estimators.Log, error) {
	start := time.Now()
	vals, err := Space().Validate(params)
	if err != nil {
		return nil, nil, engine.Errorf(engine.KindValue, "%v", err)
	}
	hp := readHyper(vals)
	if data == nil || data.NumRows() == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "gbdt cannot be fitted on an empty frame (0 rows)")
	}
	tcol, err := data.Require(spec.Target, "target")
	if err != nil {
		return nil, nil, err
	}
	features, err := estimators.ResolveFeatures(data, spec)
	if err != nil {
		return nil, nil, err
	}
	if len(features) == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "gbdt needs at least one feature; the frame has only the target (and weight) columns")
	}
	for _, f := range features {
		if _, err := data.Require(f, "feature"); err != nil {
			return nil, nil, err
		}
	}
	obj := resolveObjective(hp.objective, tcol.DataType())
	metric, err := resolveMetric(hp.metric, obj)
	if err != nil {
		return nil, nil, err
	}
	if hp.esr > 0 && spec.Valid == nil {
		return nil, nil, engine.Errorf(engine.KindValue, "early_stopping_rounds=%d needs a validation frame (valid=)", hp.esr)
	}
	classify := obj == objLogLoss
	classes, tgt, err := readTarget(spec.Target, tcol, classify, nil, obj == objPoisson)
	if err != nil {
		return nil, nil, err
	}
	if classify && classes.Len() < 2 {
		return nil, nil, engine.Errorf(engine.KindValue, "target column %q has a single class (%q); a classifier needs at least two", spec.Target, classes.Labels())
	}
	if metric == metricAUC && classes.Len() > 2 {
		return nil, nil, engine.Errorf(engine.KindValue, "metric \"auc\" is for two classes; target column %q has %d (use log_loss)", spec.Target, classes.Len())
	}
	if obj == objPoisson && weightedMean(tgt.y, nil) <= 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "target column %q is zero in every row; the poisson objective needs some positive counts", spec.Target)
	}
	var w []float64
	if spec.Weight != "" {
		wcol, err := data.Require(spec.Weight, "weight")
		if err != nil {
			return nil, nil, err
		}
		if w, err = estimators.ReadWeights(spec.Weight, wcol); err != nil {
			return nil, nil, err
		}
	}
	mappers, err := buildMappers(ctx, data, features, hp)
	if err != nil {
		return nil, nil, err
	}
	cols, err := readColumns(data, features, mappers)
	if err != nil {
		return nil, nil, err
	}
	var vcols []column
	var vt target
	var vw []float64
	if spec.Valid != nil {
		if vcols, vt, vw, err = readValid(spec, features, mappers, classify, classes, obj == objPoisson); err != nil {
			return nil, nil, err
		}
	}
	m := &Model{
		params: vals, features: features, mappers: mappers, objective: obj, classes: classes,
		target: spec.Target, targetType: tcol.DataType().String(),
	}
	for j, f := range features {
		m.inputs = append(m.inputs, m.field(j, data.Column(f)))
	}
	o := &objective{name: obj, classes: 1, y: tgt.y, codes: tgt.codes, w: w, delta: hp.delta}
	if classify && classes.Len() > 2 {
		o.classes = classes.Len()
	}
	wide := false
	for _, mp := range mappers {
		wide = wide || mp.numBins() > 256
	}
	var log estimators.Log
	if wide {
		log, err = boost[uint16](ctx, m, hp, o, cols, vcols, vt, vw, metric, spec.Progress)
	} else {
		log, err = boost[uint8](ctx, m, hp, o, cols, vcols, vt, vw, metric, spec.Progress)
	}
	if err != nil {
		return nil, nil, err
	}
	log["learner"] = Name
	log["hyperparameters"] = map[string]any(vals)
	log["objective"] = obj
	log["features"] = features
	log["target"] = spec.Target
	log["weight"] = nil
	if spec.Weight != "" {
		log["weight"] = spec.Weight
	}
	log["classes"] = nil
	if classes != nil {
		log["classes"] = classes.Labels()
	}
	log["n_rows"] = data.NumRows()
	log["n_features"] = len(features)
	log["library_version"] = engine.Version
	log["timings"] = map[string]any{"engine_fit_seconds": time.Since(start).Seconds()}
	return m, log, nil
}

// readValid reads the validation frame's features (binned like the
// training ones), target and weights.
func readValid(spec estimators.Spec, features []string, mappers []*mapper, classify bool, classes *engine.Classes, poisson bool) ([]column, target, []float64, error) {
	v := spec.Valid
	if v.NumRows() == 0 {
		return nil, target{}, nil, engine.Errorf(engine.KindValue, "the validation frame is empty (0 rows)")
	}
	for _, f := range features {
		if v.Column(f) == nil {
			return nil, target{}, nil, engine.Errorf(engine.KindColumn, "the validation frame has no column %q; it needs the same feature columns as the training frame", f)
		}
	}
	cols, err := readColumns(v, features, mappers)
	if err != nil {
		return nil, target{}, nil, engine.Errorf(engine.KindOf(err), "validation frame: %v", err)
	}
	tcol, err := v.Require(spec.Target, "validation target")
	if err != nil {
		return nil, target{}, nil, err
	}
	_, t, err := readTarget(spec.Target, tcol, classify, classes, poisson)
	if err != nil {
		return nil, target{}, nil, engine.Errorf(engine.KindOf(err), "validation frame: %v", err)
	}
	var w []float64
	if spec.Weight != "" {
		wcol, err := v.Require(spec.Weight, "validation weight")
		if err != nil {
			return nil, target{}, nil, err
		}
		if w, err = estimators.ReadWeights(spec.Weight, wcol); err != nil {
			return nil, target{}, nil, err
		}
	}
	return cols, t, w, nil
}

// boost runs the boosting rounds on bins of type B and fills m's trees.
func boost[B binType](ctx context.Context, m *Model, hp hyper, o *objective, cols, vcols []column, vt target, vw []float64, metric string, progress func(float64)) (estimators.Log, error) {
	binStart := time.Now()
	bm, err := binFrame[B](ctx, hp.threads, cols, m.mappers)
	if err != nil {
		return nil, err
	}
	if bm, err = bundle(ctx, hp.threads, bm, m.mappers); err != nil {
		return nil, err
	}
	if err = bm.columnMajor(ctx, hp.threads); err != nil {
		return nil, err
	}
	var vbm *binMatrix[B]
	if vcols != nil {
		if vbm, err = binFrame[B](ctx, hp.threads, vcols, m.mappers); err != nil {
			return nil, err
		}
	}
	binSeconds := time.Since(binStart).Seconds()
	n, K, nf := bm.n, o.classes, bm.nf
	m.treesPerIter = K
	m.initScore = o.initScores()
	scores := make([][]float64, K)
	var vscores [][]float64
	for k := range K {
		scores[k] = make([]float64, n)
		fill(scores[k], m.initScore[k])
		if vbm != nil {
			vscores = append(vscores, make([]float64, vbm.n))
			fill(vscores[k], m.initScore[k])
		}
	}
	var probs [][]float64
	var argmax []int32 // unused output of the probabilities
	if K > 1 {
		argmax = make([]int32, n)
		probs = make([][]float64, K)
		for k := range probs {
			probs[k] = make([]float64, n)
		}
	}
	grad, hess := make([]float64, n), make([]float64, n)
	gh := make([]gradPair, n)
	g := newGrower(ctx, bm, m.mappers, hp.split, hp.numLeaves, hp.maxDepth, hp.threads)
	defer g.close()
	rng := rand.New(rand.NewPCG(hp.seed, 0x6a09e667f3bcc908))
	used := make([]bool, nf)
	bag := make([]int32, 0, n)
	inBag := make([]bool, 0)
	var history []float64
	var binThrs [][]int32
	roundsRun := 0
	best, bestRound := math.NaN(), 0
	higherBetter := metric == metricAUC
	growStart := time.Now()
	for round := range hp.maxIter {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		bag = bag[:0]
		if hp.subsample < 1 {
			if len(inBag) == 0 {
				inBag = make([]bool, n)
			}
			for i := range n {
				inBag[i] = rng.Float64() < hp.subsample
				if inBag[i] {
					bag = append(bag, int32(i))
				}
			}
			if len(bag) == 0 {
				// A tree needs rows: a tiny fraction of a small frame
				// still draws one.
				r := rng.IntN(n)
				inBag[r] = true
				bag = append(bag, int32(r))
			}
		}
		if K > 1 {
			err := g.forChunks(n, func(lo, hi int) {
				engine.Probabilities(engine.Rows(scores, lo, hi), engine.Rows(probs, lo, hi), argmax[lo:hi])
			})
			if err != nil {
				return nil, err
			}
		}
		for k := range K {
			pickFeatures(rng, used, hp.colsamp)
			err := g.forChunks(n, func(lo, hi int) {
				o.gradients(k, scores[k], probs, grad, hess, lo, hi)
				for i := lo; i < hi; i++ {
					gh[i] = gradPair{grad[i], hess[i]}
				}
			})
			if err != nil {
				return nil, err
			}
			var rows []int32
			if hp.subsample < 1 {
				rows = bag
			}
			gt, err := g.grow(ctx, rows, gh, used)
			if err != nil {
				return nil, err
			}
			t := gt.tree
			if o.name == objAbsoluteError {
				renewMedians(gt, g, o, scores[k])
			}
			for i := range t.LeafValue {
				t.LeafValue[i] *= hp.learningRate
			}
			// Rows of the bag are in the leaves' ranges; the others are
			// routed through the tree.
			err = g.team.Run(len(gt.leaves), func(l int) {
				ls := gt.leaves[l]
				v := t.LeafValue[l]
				for _, r := range g.idx[ls.buf][ls.begin : ls.begin+ls.count] {
					scores[k][r] += v
				}
			})
			if err != nil {
				return nil, err
			}
			if hp.subsample < 1 {
				err := g.forChunks(n, func(lo, hi int) {
					for r := lo; r < hi; r++ {
						if !inBag[r] {
							scores[k][r] += t.LeafValue[leafOfBins(gt, bm, r)]
						}
					}
				})
				if err != nil {
					return nil, err
				}
			}
			if vbm != nil {
				err := g.forChunks(vbm.n, func(lo, hi int) {
					for r := lo; r < hi; r++ {
						vscores[k][r] += t.LeafValue[leafOfBins(gt, vbm, r)]
					}
				})
				if err != nil {
					return nil, err
				}
			}
			m.trees = append(m.trees, t)
			binThrs = append(binThrs, gt.binThr)
		}
		roundsRun = round + 1
		if progress != nil {
			progress(float64(roundsRun) / float64(hp.maxIter))
		}
		if vbm == nil {
			continue
		}
		v := evalMetric(metric, o, vscores, vt, vw)
		if math.IsNaN(v) {
			return nil, engine.Errorf(engine.KindValue, "the validation metric %s is undefined on the validation frame (for example AUC when it holds a single class)", metric)
		}
		history = append(history, v)
		if math.IsNaN(best) || (higherBetter && v > best) || (!higherBetter && v < best) {
			best, bestRound = v, round+1
		}
		if hp.esr > 0 && round+1-bestRound >= hp.esr {
			break
		}
	}
	if progress != nil {
		progress(1) // also when stopped early
	}
	rounds := len(m.trees) / K
	log := estimators.Log{}
	if vbm != nil {
		log["valid_metric"] = map[string]any{"name": metric, "values": history}
		log["best_iteration"] = bestRound
		log["best_score"] = best
		if hp.esr > 0 {
			// Rescore the training rows with the trees kept, in the order
			// they were added, so the metrics describe the model kept.
			m.trees = m.trees[:bestRound*K]
			err := g.forChunks(n, func(lo, hi int) {
				for k := range K {
					fill(scores[k][lo:hi], m.initScore[k])
				}
				for ti, t := range m.trees {
					gt := &grown{tree: t, binThr: binThrs[ti]}
					sk := scores[ti%K]
					for r := lo; r < hi; r++ {
						sk[r] += t.LeafValue[leafOfBins(gt, bm, r)]
					}
				}
			})
			if err != nil {
				return nil, err
			}
			rounds = bestRound
		}
	}
	log["metrics"] = trainMetrics(o, scores)
	splits, gains := m.importance()
	split, gain := map[string]int{}, map[string]float64{}
	for j, f := range m.features {
		split[f] = splits[j]
		gain[f] = gains[j]
	}
	log["feature_importance"] = map[string]any{"split": split, "gain": gain}
	log["iterations"] = rounds
	log["rounds_run"] = roundsRun
	log["num_trees"] = len(m.trees)
	log["bins"] = bm.offsets[nf]
	log["engine_timings"] = map[string]any{"binning_seconds": binSeconds, "boosting_seconds": time.Since(growStart).Seconds()}
	return log, nil
}

// pickFeatures marks a fraction of the features as used (all of them for
// fraction 1), drawn with rng.
func pickFeatures(rng *rand.Rand, used []bool, fraction float64) {
	if fraction >= 1 {
		for f := range used {
			used[f] = true
		}
		return
	}
	k := max(1, int(math.Round(fraction*float64(len(used)))))
	clear(used)
	for _, f := range rng.Perm(len(used))[:k] {
		used[f] = true
	}
}

// renewMedians replaces every leaf's value by the weighted median of the
// residuals of its rows, the optimal constant of the absolute error, which
// a Newton step on sign gradients does not find.
func renewMedians[B binType](gt *grown, g *grower[B], o *objective, scores []float64) {
	var res, w []float64
	for l, ls := range gt.leaves {
		rows := g.idx[ls.buf][ls.begin : ls.begin+ls.count]
		if len(rows) == 0 {
			continue
		}
		res, w = res[:0], nil
		for _, r := range rows {
			res = append(res, o.y[r]-scores[r])
		}
		if o.w != nil {
			w = make([]float64, len(rows))
			for i, r := range rows {
				w[i] = o.w[r]
			}
		}
		gt.tree.LeafValue[l] = weightedMedian(res, w)
	}
}

// trainMetrics returns the metrics of the training scores: log loss,
// accuracy and (for two classes) AUC for classifiers; RMSE, MAE and R² of
// the predictions for regressions.
func trainMetrics(o *objective, scores [][]float64) map[string]any {
	if o.name == objLogLoss {
		probs, pred := classProbabilities(scores)
		out := map[string]any{
			"log_loss": estimators.JSONFloat(engine.LogLoss(o.codes, probs, o.w)),
			"accuracy": estimators.JSONFloat(engine.Accuracy(o.codes, pred, o.w)),
		}
		if len(scores) == 1 {
			out["auc"] = estimators.JSONFloat(engine.AUC(o.y, scores[0], o.w))
		}
		return out
	}
	pred := predictions(o, scores[0])
	return map[string]any{
		"rmse": estimators.JSONFloat(engine.RMSE(o.y, pred, o.w)),
		"mae":  estimators.JSONFloat(engine.MAE(o.y, pred, o.w)),
		"r2":   estimators.JSONFloat(engine.R2(o.y, pred, o.w)),
	}
}

// predictions turns raw regression scores into predictions.
func predictions(o *objective, s []float64) []float64 {
	if o.name != objPoisson {
		return s
	}
	pred := make([]float64, len(s))
	for i, v := range s {
		pred[i] = math.Exp(v)
	}
	return pred
}

// classProbabilities turns raw scores (one vector for two classes, one per
// class otherwise) into class probabilities and most probable classes.
func classProbabilities(scores [][]float64) ([][]float64, []int32) {
	n := len(scores[0])
	probs := make([][]float64, max(2, len(scores)))
	for k := range probs {
		probs[k] = make([]float64, n)
	}
	pred := make([]int32, n)
	engine.Probabilities(scores, probs, pred)
	return probs, pred
}

// evalMetric computes the validation metric from the raw scores.
func evalMetric(metric string, o *objective, scores [][]float64, t target, w []float64) float64 {
	switch metric {
	case metricAUC:
		if len(scores) > 1 {
			return math.NaN()
		}
		return engine.AUC(t.y, scores[0], w)
	case metricLogLoss:
		probs, _ := classProbabilities(scores)
		return engine.LogLoss(t.codes, probs, w)
	}
	pred := predictions(o, scores[0])
	if metric == metricMAE {
		return engine.MAE(t.y, pred, w)
	}
	return engine.RMSE(t.y, pred, w)
}
