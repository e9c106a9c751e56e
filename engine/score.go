package engine

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Scoring a frame.
//
// Score computes a metric from a frame that a predictor has scored: the true
// target column next to the columns models output, "prediction" and, for
// classifiers, "probability_<class>" for every class in class order.

// PredictionColumn is the name of the column that holds a model's
// prediction: a value for a regression, a class label for a classifier.
const PredictionColumn = "prediction"

// ProbabilityPrefix starts the name of every probability column:
// "probability_<label>".
const ProbabilityPrefix = "probability_"

// The tasks a metric belongs to.
const (
	// TaskClassification metrics compare class labels or class
	// probabilities with the true classes.
	TaskClassification = "classification"
	// TaskRegression metrics compare predicted numbers with true numbers.
	TaskRegression = "regression"
)

// What a metric reads from the scored frame.
const (
	// NeedsProbabilities metrics read the probability_<class> columns.
	NeedsProbabilities = "probabilities"
	// NeedsLabels metrics read predicted class labels in the prediction
	// column.
	NeedsLabels = "labels"
	// NeedsValues metrics read predicted numbers in the prediction column.
	NeedsValues = "values"
)

// A Metric describes a metric that Score computes.
type Metric struct {
	// Name is the metric's name, such as "auc".
	Name string `json:"name"`
	// Task is TaskClassification or TaskRegression.
	Task string `json:"task"`
	// Needs is what the metric reads: NeedsProbabilities, NeedsLabels or
	// NeedsValues.
	Needs string `json:"needs"`
	// GreaterIsBetter is true for scores (AUC, accuracy) and false for
	// losses and errors (log loss, RMSE).
	GreaterIsBetter bool `json:"greater_is_better"`
	// Doc says in one line what the metric is.
	Doc string `json:"doc"`
}

var metricList = []Metric{
	{"auc", TaskClassification, NeedsProbabilities, true,
		"area under the ROC curve of the second class's probability; for more classes the unweighted mean of one-vs-rest AUCs"},
	{"log_loss", TaskClassification, NeedsProbabilities, false,
		"mean negative log-likelihood of the true classes under the predicted probabilities"},
	{"accuracy", TaskClassification, NeedsLabels, true,
		"share of rows whose predicted class is the true one"},
	{"balanced_accuracy", TaskClassification, NeedsLabels, true,
		"mean over the true classes of the share of their rows predicted right"},
	{"f1", TaskClassification, NeedsLabels, true,
		"F1 of the second class for two classes; the unweighted mean of every class's F1 for more"},
	{"rmse", TaskRegression, NeedsValues, false, "root mean squared error"},
	{"mae", TaskRegression, NeedsValues, false, "mean absolute error"},
	{"r2", TaskRegression, NeedsValues, true,
		"coefficient of determination: 1 minus the squared error over the target's variance"},
}

// Metrics returns every metric Score knows, classification metrics first.
func Metrics() []Metric { return slices.Clone(metricList) }

// LookupMetric returns the metric called name, or a KindValue error that
// lists the metrics.
func LookupMetric(name string) (Metric, error) {
	for _, m := range metricList {
		if m.Name == name {
			return m, nil
		}
	}
	names := make([]string, len(metricList))
	for i, m := range metricList {
		names[i] = m.Name
	}
	return Metric{}, Errorf(KindValue, "unknown metric %q; the metrics are %s", name, strings.Join(names, ", "))
}

// ScoreSpec says where Score finds what it compares.
type ScoreSpec struct {
	// Target is the column of true labels or values.
	Target string
	// Weight is an optional column of non-negative row weights.
	Weight string
	// Classes optionally gives the class labels in class order, written as
	// EncodeClasses writes them ("0", "1.5", "true", "cat"); labels of the
	// target or predictions that it leaves out come after it. By default
	// the classes are the labels of the probability columns, the target and
	// the predictions, in class order (numbers numerically, strings in byte
	// order, false before true). The order decides which class is positive
	// for a binary AUC or F1: the second.
	Classes []string
}

// Score computes the named metric (see Metrics) on the frame f, which holds
// the target column and a model's output columns. A metric that does not
// fit the frame is a KindValue error that names the metric and says why:
// auc or log_loss without probability columns, accuracy on continuous
// predictions, rmse on class labels. A missing column is a KindColumn
// error, and missing values in the columns a metric reads are a KindValue
// error. A metric that is undefined on valid input (no rows, a single class
// for AUC) is NaN, as the metric functions return it.
func Score(metric string, f *Frame, spec ScoreSpec) (float64, error) {
	m, err := LookupMetric(metric)
	if err != nil {
		return 0, err
	}
	target, err := f.Require(spec.Target, "target")
	if err != nil {
		return 0, err
	}
	var w []float64
	if spec.Weight != "" {
		if w, err = scoreWeights(f, spec.Weight); err != nil {
			return 0, err
		}
	}
	if n := countMissing(target); n > 0 {
		return 0, Errorf(KindValue, "metric %q: target column %q has %d missing values (null or NaN) out of %d; drop those rows before scoring", m.Name, spec.Target, n, target.Len())
	}
	if m.Task == TaskRegression {
		return scoreRegression(m, f, spec, target, w)
	}
	return scoreClassification(m, f, spec, target, w)
}

// countMissing counts the nulls and the NaNs of a column.
func countMissing(c arrow.Array) int {
	n := c.NullN()
	switch a := c.(type) {
	case *array.Float64:
		n += countNaNValid(a, a.Float64Values())
	case *array.Float32:
		for i, v := range a.Float32Values() {
			if v != v && a.IsValid(i) {
				n++
			}
		}
	}
	return n
}

// isLabelType reports whether columns of type t can only hold class labels:
// booleans, strings and dictionaries.
func isLabelType(t arrow.DataType) bool {
	return t.ID() == arrow.BOOL || IsCategorical(t) || t.ID() == arrow.DICTIONARY
}

func scoreWeights(f *Frame, name string) ([]float64, error) {
	c, err := f.Require(name, "weight")
	if err != nil {
		return nil, err
	}
	if !IsNumeric(c.DataType()) || c.DataType().ID() == arrow.BOOL {
		return nil, Errorf(KindType, "weight column %q has type %s; weights must be numbers", name, c.DataType())
	}
	w, err := Float64s(name, c)
	if err != nil {
		return nil, err
	}
	for _, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, Errorf(KindValue, "weight column %q has the value %v; weights must be finite and non-negative (and not missing)", name, v)
		}
	}
	return w, nil
}

func scoreRegression(m Metric, f *Frame, spec ScoreSpec, target arrow.Array, w []float64) (float64, error) {
	if isLabelType(target.DataType()) || !IsNumeric(target.DataType()) {
		return 0, Errorf(KindValue, "metric %q is a regression metric, but target column %q holds class labels (%s); use a classification metric such as accuracy, auc or log_loss", m.Name, spec.Target, target.DataType())
	}
	pred, err := f.Require(PredictionColumn, "prediction")
	if err != nil {
		return 0, err
	}
	if isLabelType(pred.DataType()) || !IsNumeric(pred.DataType()) {
		return 0, Errorf(KindValue, "metric %q is a regression metric, but the prediction column holds class labels (%s) from a classifier; use a classification metric such as accuracy, auc or log_loss", m.Name, pred.DataType())
	}
	if n := countMissing(pred); n > 0 {
		return 0, Errorf(KindValue, "metric %q: the prediction column has %d missing values (null or NaN) out of %d", m.Name, n, pred.Len())
	}
	y, _ := Float64s(spec.Target, target)
	p, _ := Float64s(PredictionColumn, pred)
	switch m.Name {
	case "rmse":
		return RMSE(y, p, w), nil
	case "mae":
		return MAE(y, p, w), nil
	case "r2":
		return R2(y, p, w), nil
	}
	return 0, Errorf(KindInternal, "metric %q has no regression implementation", m.Name)
}

// labelSet is the class labels of a scoring, in class order, with the
// index of each.
type labelSet struct {
	labels []string
	index  map[string]int32
}

func (s *labelSet) add(l string) {
	if _, ok := s.index[l]; !ok {
		s.index[l] = int32(len(s.labels))
		s.labels = append(s.labels, l)
	}
}

// encodeLabels reads a column of class labels for metric m, naming the
// column as what in errors.
func encodeLabels(m Metric, what, name string, c arrow.Array) (*Classes, []int32, error) {
	cl, codes, err := EncodeClasses(name, c)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Kind == KindValue && IsFloat(c.DataType()) {
			return nil, nil, Errorf(KindValue, "metric %q is a classification metric, but %s column %q holds continuous values; use a regression metric such as rmse, mae or r2, or fit a classifier", m.Name, what, name)
		}
		return nil, nil, Errorf(KindOf(err), "metric %q: %v", m.Name, err)
	}
	return cl, codes, nil
}

// labelCompare compares two labels of one kind in class order.
func labelCompare(kind ClassKind) func(a, b string) int {
	switch kind {
	case ClassInt:
		return func(a, b string) int {
			x, _ := strconv.ParseInt(a, 10, 64)
			y, _ := strconv.ParseInt(b, 10, 64)
			return cmp.Compare(x, y)
		}
	case ClassFloat:
		return func(a, b string) int {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return cmp.Compare(x, y)
		}
	}
	return strings.Compare // "false" < "true", strings in byte order
}

func scoreClassification(m Metric, f *Frame, spec ScoreSpec, target arrow.Array, w []float64) (float64, error) {
	truth, trueCodes, err := encodeLabels(m, "target", spec.Target, target)
	if err != nil {
		return 0, err
	}
	// The class order: the given one, or else every label of the
	// probability columns, the target and the predictions, in class order.
	var order []string
	seen := map[string]bool{}
	if len(spec.Classes) > 0 {
		for _, l := range spec.Classes {
			if seen[l] {
				return 0, Errorf(KindValue, "metric %q: class %q is listed twice in the classes", m.Name, l)
			}
			seen[l] = true
			order = append(order, l)
		}
	} else {
		for _, name := range f.Names() {
			if l, ok := strings.CutPrefix(name, ProbabilityPrefix); ok && !seen[l] {
				seen[l] = true
				order = append(order, l)
			}
		}
	}
	if m.Needs == NeedsProbabilities && len(order) == 0 {
		return 0, Errorf(KindValue, "metric %q needs class probabilities (columns %s<class>) from a classifier, and the frame has none; its columns are %q. A regression model cannot be scored by %s; use rmse, mae or r2, or fit a classifier", m.Name, ProbabilityPrefix, f.Names(), m.Name)
	}
	withProbs := len(order)
	extra := func(labels []string) {
		for _, l := range labels {
			if !seen[l] {
				seen[l] = true
				order = append(order, l)
			}
		}
	}
	extra(truth.Labels())
	var predCodes []int32
	var predicted *Classes
	if m.Needs == NeedsLabels {
		pred, err := f.Require(PredictionColumn, "prediction")
		if err != nil {
			return 0, err
		}
		if n := countMissing(pred); n > 0 {
			return 0, Errorf(KindValue, "metric %q: the prediction column has %d missing values (null or NaN) out of %d", m.Name, n, pred.Len())
		}
		if predicted, predCodes, err = encodeLabels(m, "prediction", PredictionColumn, pred); err != nil {
			return 0, err
		}
		extra(predicted.Labels())
	}
	if m.Needs == NeedsProbabilities && len(order) > withProbs {
		if len(spec.Classes) > 0 {
			return 0, Errorf(KindValue, "metric %q: target column %q holds the label %q, which is not among the classes %q", m.Name, spec.Target, order[withProbs], spec.Classes)
		}
		return 0, Errorf(KindValue, "metric %q: target column %q holds the label %q, which has no probability column; the classes with probabilities are %q", m.Name, spec.Target, order[withProbs], order[:withProbs])
	}
	if len(spec.Classes) > 0 {
		slices.SortStableFunc(order[withProbs:], labelCompare(truth.Kind()))
	} else {
		slices.SortStableFunc(order, labelCompare(truth.Kind()))
	}
	set := &labelSet{index: make(map[string]int32, len(order))}
	for _, l := range order {
		set.add(l)
	}
	var probCols []arrow.Array
	if m.Needs == NeedsProbabilities {
		probCols = make([]arrow.Array, len(order))
		for k, l := range order {
			c, err := f.Require(ProbabilityPrefix+l, "probability")
			if err != nil {
				return 0, err
			}
			if !IsNumeric(c.DataType()) || c.DataType().ID() == arrow.BOOL {
				return 0, Errorf(KindType, "metric %q: probability column %q has type %s, which is not a number", m.Name, ProbabilityPrefix+l, c.DataType())
			}
			if n := countMissing(c); n > 0 {
				return 0, Errorf(KindValue, "metric %q: probability column %q has %d missing values (null or NaN)", m.Name, ProbabilityPrefix+l, n)
			}
			probCols[k] = c
		}
	}
	labels := recode(trueCodes, truth, set)
	switch m.Name {
	case "accuracy", "balanced_accuracy", "f1":
		predLabels := recode(predCodes, predicted, set)
		switch m.Name {
		case "accuracy":
			return Accuracy(labels, predLabels, w), nil
		case "balanced_accuracy":
			return BalancedAccuracy(labels, predLabels, w), nil
		}
		return F1(labels, predLabels, len(set.labels), w), nil
	case "auc", "log_loss":
		probs := make([][]float64, len(probCols))
		for k, c := range probCols {
			probs[k], _ = Float64s(ProbabilityPrefix+set.labels[k], c)
		}
		if m.Name == "log_loss" {
			return LogLoss(labels, probs, w), nil
		}
		if len(probs) == 2 {
			y01 := make([]float64, len(labels))
			for i, c := range labels {
				y01[i] = float64(c)
			}
			return AUC(y01, probs[1], w), nil
		}
		return AUCOneVsRest(labels, probs, w), nil
	}
	return 0, Errorf(KindInternal, "metric %q has no classification implementation", m.Name)
}

// recode maps the codes of cl to the indexes of its labels in set.
func recode(codes []int32, cl *Classes, set *labelSet) []int32 {
	to := make([]int32, cl.Len())
	for k, l := range cl.Labels() {
		to[k] = set.index[l]
	}
	out := make([]int32, len(codes))
	for i, c := range codes {
		out[i] = to[c]
	}
	return out
}

// ParseClassLabels turns class labels given as JSON values (strings,
// numbers, booleans) into labels written as EncodeClasses writes them:
// integers in decimal, other numbers in the shortest 'g' form (2.0 is "2",
// as a float target writes it), booleans as
// "true" and "false". It fails, naming the value, for anything else.
func ParseClassLabels(raw []json.RawMessage) ([]string, error) {
	out := make([]string, len(raw))
	for i, r := range raw {
		var v any
		dec := json.NewDecoder(strings.NewReader(string(r)))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, Errorf(KindValue, "class label %s is not a JSON value: %v", r, err)
		}
		switch x := v.(type) {
		case string:
			out[i] = x
		case bool:
			out[i] = strconv.FormatBool(x)
		case json.Number:
			if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
				out[i] = strconv.FormatInt(n, 10)
				break
			}
			fl, err := x.Float64()
			if err != nil || math.IsInf(fl, 0) {
				return nil, Errorf(KindValue, "class label %s is not a number this library can read", x)
			}
			out[i] = strconv.FormatFloat(fl, 'g', -1, 64)
		default:
			return nil, Errorf(KindValue, "class label %s must be a string, a number or a bool", r)
		}
	}
	return out, nil
}
