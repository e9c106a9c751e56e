package engine

import (
	"fmt"
	"math"
)

// Evaluation metrics.
//
// Every metric takes an optional weight vector w: nil weighs every row 1,
// otherwise w has one non-negative weight per row and each row counts in
// proportion to its weight. The vectors passed to a metric must have the same
// length; a mismatch is a programming error and panics. A metric that is
// undefined for its input (no rows, a total weight of zero, a single class
// for AUC) returns NaN rather than an error, so it can be logged as is.

// checkLens panics unless y and pred, and w when it is not nil, have the
// same length.
func checkLens(metric string, n, m int, w []float64) {
	if n != m {
		panic(fmt.Sprintf("engine.%s: %d labels but %d predictions", metric, n, m))
	}
	if w != nil && len(w) != n {
		panic(fmt.Sprintf("engine.%s: %d labels but %d weights", metric, n, len(w)))
	}
}

// weight returns w[i], or 1 when w is nil.
func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// RMSE returns the root mean squared error of pred against y,
// sqrt(Σ wᵢ(yᵢ-predᵢ)² / Σ wᵢ). It returns NaN for empty input or a total
// weight of zero.
func RMSE(y, pred, w []float64) float64 {
	checkLens("RMSE", len(y), len(pred), w)
	var num, den float64
	for i := range y {
		d := y[i] - pred[i]
		wi := weight(w, i)
		num += wi * d * d
		den += wi
	}
	if den == 0 {
		return math.NaN()
	}
	return math.Sqrt(num / den)
}

// MAE returns the mean absolute error of pred against y,
// Σ wᵢ|yᵢ-predᵢ| / Σ wᵢ. It returns NaN for empty input or a total weight
// of zero.
func MAE(y, pred, w []float64) float64 {
	checkLens("MAE", len(y), len(pred), w)
	var num, den float64
	for i := range y {
		wi := weight(w, i)
		num += wi * math.Abs(y[i]-pred[i])
		den += wi
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// R2 returns the coefficient of determination of pred against y,
// 1 - Σ wᵢ(yᵢ-predᵢ)² / Σ wᵢ(yᵢ-ȳ)², where ȳ is the weighted mean of y.
// As scikit-learn's r2_score does, it returns 1 when y is constant and
// predicted exactly, 0 when y is constant and not predicted exactly, and NaN
// for fewer than two rows or a total weight of zero. It can be negative:
// a model worse than predicting the mean scores below 0.
func R2(y, pred, w []float64) float64 {
	checkLens("R2", len(y), len(pred), w)
	if len(y) < 2 {
		return math.NaN()
	}
	var sum, den float64
	for i := range y {
		wi := weight(w, i)
		sum += wi * y[i]
		den += wi
	}
	if den == 0 {
		return math.NaN()
	}
	mean := sum / den
	var res, tot float64
	for i := range y {
		wi := weight(w, i)
		d, e := y[i]-pred[i], y[i]-mean
		res += wi * d * d
		tot += wi * e * e
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}

// AUC returns the area under the ROC curve of score for the binary labels
// y01 (1 positive, 0 negative): the weighted probability that a random
// positive scores above a random negative, with tied scores counting one
// half (the Mann–Whitney statistic, or the trapezoid rule over the ROC
// curve). It sorts the rows once, in O(n log n).
//
// It returns NaN when there are no positives or no negatives (counting
// weight: a class whose weights are all zero is absent), when a label is
// neither 0 nor 1, or when a score is NaN.
func AUC(y01, score, w []float64) float64 {
	checkLens("AUC", len(y01), len(score), w)
	for i := range score {
		if y01[i] != 0 && y01[i] != 1 || math.IsNaN(score[i]) {
			return math.NaN()
		}
	}
	order := scoreOrder(score)
	// Walk groups of tied scores from the lowest up. Each positive in a group
	// beats every negative below the group and ties with the negatives in it.
	var area, negBelow, pos float64
	for lo := 0; lo < len(order); {
		hi := lo
		var gpos, gneg float64
		for ; hi < len(order) && score[order[hi]] == score[order[lo]]; hi++ {
			i := int(order[hi])
			if y01[i] == 1 {
				gpos += weight(w, i)
			} else {
				gneg += weight(w, i)
			}
		}
		area += gpos * (negBelow + gneg/2)
		negBelow += gneg
		pos += gpos
		lo = hi
	}
	if pos == 0 || negBelow == 0 {
		return math.NaN()
	}
	return area / (pos * negBelow)
}

// LogLossEps is the clipping bound of LogLoss: probabilities are clipped to
// [LogLossEps, 1-LogLossEps], as scikit-learn's log_loss did with its
// default eps=1e-15, so a confident wrong prediction costs about 34.5 rather
// than infinity.
const LogLossEps = 1e-15

// LogLoss returns the mean negative log-likelihood (cross-entropy) of the
// class labels under the predicted probabilities,
// -Σ wᵢ log(probs[labels[i]][i]) / Σ wᵢ, where probs[k][i] is the probability
// of class k for row i and probabilities are clipped to
// [LogLossEps, 1-LogLossEps]. Rows are not renormalised. Every probs[k] has
// one value per label.
//
// It returns NaN for empty input, a total weight of zero, a label outside
// [0, len(probs)), or a NaN probability of a true class.
func LogLoss(labels []int32, probs [][]float64, w []float64) float64 {
	for k, p := range probs {
		if len(p) != len(labels) {
			panic(fmt.Sprintf("engine.LogLoss: %d labels but %d probabilities for class %d", len(labels), len(p), k))
		}
	}
	checkLens("LogLoss", len(labels), len(labels), w)
	var num, den float64
	for i, k := range labels {
		if k < 0 || int(k) >= len(probs) {
			return math.NaN()
		}
		if math.IsNaN(probs[k][i]) {
			return math.NaN()
		}
		p := min(max(probs[k][i], LogLossEps), 1-LogLossEps)
		wi := weight(w, i)
		num -= wi * math.Log(p)
		den += wi
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// Accuracy returns the weighted fraction of rows whose predicted label
// equals the true one, Σ wᵢ[labelsᵢ = predictedᵢ] / Σ wᵢ. It returns NaN for
// empty input or a total weight of zero.
func Accuracy(labels, predicted []int32, w []float64) float64 {
	checkLens("Accuracy", len(labels), len(predicted), w)
	var num, den float64
	for i := range labels {
		wi := weight(w, i)
		if labels[i] == predicted[i] {
			num += wi
		}
		den += wi
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// scoreOrder returns the permutation that sorts score (without NaN) in
// increasing order, several times faster than a comparison sort on large
// data: a stable least-significant-digit radix sort on the
// float64 bits, mapped to integers of the same order, 8 bits per pass;
// passes in which every key has the same digit are skipped.
func scoreOrder(score []float64) []int32 {
	n := len(score)
	if n == 0 {
		return nil
	}
	keys, keys2 := make([]uint64, n), make([]uint64, n)
	idx, idx2 := make([]int32, n), make([]int32, n)
	for i, v := range score {
		b := math.Float64bits(v)
		if b>>63 != 0 {
			b = ^b // negative: reverse the order
		} else {
			b |= 1 << 63
		}
		keys[i], idx[i] = b, int32(i)
	}
	const bits = 8
	var count [1 << bits]int
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&(1<<bits-1)]++
		}
		if count[(keys[0]>>shift)&(1<<bits-1)] == n {
			continue
		}
		pos := 0
		for d, c := range count {
			count[d] = pos
			pos += c
		}
		for i, k := range keys {
			d := (k >> shift) & (1<<bits - 1)
			keys2[count[d]], idx2[count[d]] = k, idx[i]
			count[d]++
		}
		keys, keys2 = keys2, keys
		idx, idx2 = idx2, idx
	}
	return idx
}

// BalancedAccuracy returns the mean over classes of the recall of each class,
// the weighted share of its rows predicted as it. labels and predicted hold
// class codes (0, 1, ...). Only classes that occur in labels with a positive
// total weight are averaged, as in scikit-learn's balanced_accuracy_score; a
// class that is only ever predicted lowers the recall of the classes it
// takes rows from. On a balanced sample it equals Accuracy; on an
// imbalanced one, always predicting the majority class scores 1/k for k
// classes.
//
// It returns NaN for empty input, a total weight of zero, or a negative
// code.
func BalancedAccuracy(labels, predicted []int32, w []float64) float64 {
	checkLens("BalancedAccuracy", len(labels), len(predicted), w)
	k := int32(0)
	for i, c := range labels {
		if c < 0 || predicted[i] < 0 {
			return math.NaN()
		}
		k = max(k, c+1)
	}
	total := make([]float64, k)
	hit := make([]float64, k)
	for i, c := range labels {
		wi := weight(w, i)
		total[c] += wi
		if predicted[i] == c {
			hit[c] += wi
		}
	}
	var sum float64
	var present int
	for c := range total {
		if total[c] > 0 {
			sum += hit[c] / total[c]
			present++
		}
	}
	if present == 0 {
		return math.NaN()
	}
	return sum / float64(present)
}

// F1 returns the F1 score, the harmonic mean of precision and recall,
// 2·TP / (2·TP + FP + FN) with weighted counts. labels and predicted hold
// class codes in [0, nClasses).
//
// With two classes it is the F1 of the positive class, class 1 (the second
// class), as scikit-learn's f1_score with average="binary"; it is then NaN
// when class 1 occurs neither in labels nor in predicted (with a positive
// weight). With any other number of classes it is the macro average: the
// unweighted mean of every class's F1 over the classes that occur in labels
// or in predicted, as f1_score with average="macro" and no explicit labels.
//
// It returns NaN for empty input, a total weight of zero, or a code outside
// [0, nClasses).
func F1(labels, predicted []int32, nClasses int, w []float64) float64 {
	checkLens("F1", len(labels), len(predicted), w)
	if nClasses <= 0 {
		return math.NaN()
	}
	tp := make([]float64, nClasses)
	fp := make([]float64, nClasses)
	fn := make([]float64, nClasses)
	seen := make([]bool, nClasses)
	var den float64
	for i, c := range labels {
		p := predicted[i]
		if c < 0 || int(c) >= nClasses || p < 0 || int(p) >= nClasses {
			return math.NaN()
		}
		seen[c], seen[p] = true, true
		wi := weight(w, i)
		den += wi
		if c == p {
			tp[c] += wi
		} else {
			fn[c] += wi
			fp[p] += wi
		}
	}
	if den == 0 {
		return math.NaN()
	}
	f1 := func(c int) float64 {
		d := 2*tp[c] + fp[c] + fn[c]
		if d == 0 {
			return math.NaN()
		}
		return 2 * tp[c] / d
	}
	if nClasses == 2 {
		return f1(1)
	}
	var sum float64
	var present int
	for c := range nClasses {
		if seen[c] {
			// A class seen only in rows of zero weight has no F1; as
			// scikit-learn's zero_division default, it counts 0.
			if v := f1(c); !math.IsNaN(v) {
				sum += v
			}
			present++
		}
	}
	return sum / float64(present)
}

// AUCOneVsRest returns the macro-averaged one-vs-rest AUC of a multiclass
// model: for every class k, the AUC of probs[k] as a score of class k
// against all others (see AUC), averaged without weights over the classes
// for which it is defined, that is that occur in labels and do not make up
// all of them. labels holds class codes in [0, len(probs)) and every
// probs[k] has one value per label. It equals scikit-learn's roc_auc_score
// with multi_class="ovr" and average="macro" when every class occurs.
//
// It returns NaN when no class has a defined AUC, when a label is outside
// [0, len(probs)), or when a probability is NaN.
func AUCOneVsRest(labels []int32, probs [][]float64, w []float64) float64 {
	for k, p := range probs {
		if len(p) != len(labels) {
			panic(fmt.Sprintf("engine.AUCOneVsRest: %d labels but %d probabilities for class %d", len(labels), len(p), k))
		}
	}
	checkLens("AUCOneVsRest", len(labels), len(labels), w)
	for _, c := range labels {
		if c < 0 || int(c) >= len(probs) {
			return math.NaN()
		}
	}
	for _, p := range probs {
		for _, v := range p {
			if math.IsNaN(v) {
				return math.NaN()
			}
		}
	}
	y01 := make([]float64, len(labels))
	var sum float64
	var defined int
	for k, p := range probs {
		for i, c := range labels {
			y01[i] = 0
			if int(c) == k {
				y01[i] = 1
			}
		}
		if a := AUC(y01, p, w); !math.IsNaN(a) {
			sum += a
			defined++
		}
	}
	if defined == 0 {
		return math.NaN()
	}
	return sum / float64(defined)
}
