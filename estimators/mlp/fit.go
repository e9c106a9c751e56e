package mlp

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// hyper are the validated hyperparameters in the form training uses.
type hyper struct {
	hidden                []int
	activation, objective string
	optimizer, schedule   string
	lr, gamma             float64
	stepEpochs            int
	momentum              float64
	nesterov              bool
	beta1, beta2, epsilon float64
	batchSize, maxIter    int
	l2, dropout           float64
	shuffle               bool
	seed                  uint64
	earlyStopping         int
	validationFraction    float64
	threads               int
}

func readHyper(p hyperspace.Values) (*hyper, error) {
	hidden, err := parseHidden(p.String("hidden_layers"))
	if err != nil {
		return nil, err
	}
	return &hyper{
		hidden: hidden, activation: p.String("activation"), objective: p.String("objective"),
		optimizer: p.String("optimizer"), schedule: p.String("lr_schedule"),
		lr: p.Float("learning_rate"), gamma: p.Float("lr_gamma"), stepEpochs: p.Int("lr_step_epochs"),
		momentum: p.Float("momentum"), nesterov: p.Bool("nesterov"),
		beta1: p.Float("beta1"), beta2: p.Float("beta2"), epsilon: p.Float("epsilon"),
		batchSize: p.Int("batch_size"), maxIter: p.Int("max_iter"),
		l2: p.Float("l2"), dropout: p.Float("dropout"), shuffle: p.Bool("shuffle"),
		seed: uint64(p.Int("seed")), earlyStopping: p.Int("early_stopping_rounds"),
		validationFraction: p.Float("validation_fraction"), threads: p.Int("n_threads"),
	}, nil
}

// parseHidden reads hidden_layers: a JSON list of widths or widths
// separated by commas. An empty entry or a width outside [1, MaxWidth] is a
// KindValue error naming it.
func parseHidden(text string) ([]int, error) {
	text = strings.TrimSpace(text)
	bad := func(why string) error {
		return engine.Errorf(engine.KindValue, "mlp: hyperparameter \"hidden_layers\" %s, got %q", why, text)
	}
	var widths []int
	if strings.HasPrefix(text, "[") {
		var raw []json.Number
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return nil, bad("must be a list of layer widths such as [64, 64]")
		}
		for i, v := range raw {
			w, err := strconv.Atoi(v.String())
			if err != nil {
				return nil, bad("entry " + strconv.Itoa(i+1) + " is not a whole number")
			}
			widths = append(widths, w)
		}
	} else if text != "" {
		for i, part := range strings.Split(text, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				return nil, bad("entry " + strconv.Itoa(i+1) + " is empty")
			}
			w, err := strconv.Atoi(part)
			if err != nil {
				return nil, bad("entry " + strconv.Itoa(i+1) + " is not a whole number")
			}
			widths = append(widths, w)
		}
	}
	for i, w := range widths {
		if w < 1 || w > MaxWidth {
			return nil, bad("entry " + strconv.Itoa(i+1) + " is " + strconv.Itoa(w) + "; widths must be in [1, " + strconv.Itoa(MaxWidth) + "]")
		}
	}
	return widths, nil
}

// resolveObjective turns "auto" into log_loss for bool, string and
// categorical targets and squared_error for numeric ones.
func resolveObjective(obj string, t arrow.DataType) string {
	if obj != objAuto {
		return obj
	}
	if t.ID() == arrow.BOOL || engine.IsCategorical(t) {
		return objLogLoss
	}
	return objSquared
}

// readTarget reads the target for the objective.
func readTarget(name string, col arrow.Array, obj string) (*target, *engine.Classes, error) {
	if obj == objLogLoss {
		classes, codes, err := engine.EncodeClasses(name, col)
		if err != nil {
			return nil, nil, err
		}
		if classes.Len() < 2 {
			return nil, nil, engine.Errorf(engine.KindValue, "target %q has a single class; a classifier needs two or more", name)
		}
		return &target{codes: codes, k: classes.Len()}, classes, nil
	}
	if !engine.IsNumeric(col.DataType()) || col.DataType().ID() == arrow.BOOL {
		return nil, nil, engine.Errorf(engine.KindType,
			"target %q has type %s; squared_error needs a numeric target (use objective=\"log_loss\" for classes)", name, col.DataType())
	}
	v, err := engine.Float64s(name, col)
	if err != nil {
		return nil, nil, err
	}
	if nulls, nans, infs := engine.CountBad(col, v); nulls+nans+infs > 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "target %q has %d missing and %d infinite values", name, nulls+nans, infs)
	}
	t := &target{values: make([]float32, len(v))}
	for i, x := range v {
		t.values[i] = float32(x)
	}
	return t, nil, nil
}

// subset returns the target's rows in order.
func (t *target) subset(rows []int) *target {
	out := &target{k: t.k}
	for _, r := range rows {
		if t.k == 0 {
			out.values = append(out.values, t.values[r])
		} else {
			out.codes = append(out.codes, t.codes[r])
		}
	}
	return out
}

func fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (*Model, estimators.Log, error) {
	h, err := readHyper(params)
	if err != nil {
		return nil, nil, err
	}
	if spec.Weight != "" {
		return nil, nil, engine.Errorf(engine.KindValue, "mlp does not take sample weights yet (weight=%q)", spec.Weight)
	}
	tcol, err := data.Require(spec.Target, "target")
	if err != nil {
		return nil, nil, err
	}
	obj := resolveObjective(h.objective, tcol.DataType())
	y, classes, err := readTarget(spec.Target, tcol, obj)
	if err != nil {
		return nil, nil, err
	}
	names, err := estimators.ResolveFeatures(data, spec)
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return nil, nil, engine.Errorf(engine.KindValue, "mlp needs at least one feature besides the target %q", spec.Target)
	}
	ins, err := describeInputs(data, names)
	if err != nil {
		return nil, nil, err
	}
	x, st, err := readMatrix(ctx, data, ins, nil, h.threads)
	if err != nil {
		return nil, nil, err
	}
	d := totalWidth(ins)
	n := data.NumRows()

	var valid *validation
	switch {
	case spec.Valid != nil:
		vcol, err := spec.Valid.Require(spec.Target, "target of the validation frame")
		if err != nil {
			return nil, nil, err
		}
		vy, vclasses, err := readTarget(spec.Target, vcol, obj)
		if err != nil {
			return nil, nil, engine.Errorf(engine.KindOf(err), "validation frame: %v", err)
		}
		if classes != nil {
			if vy, err = recode(vy, vclasses, classes); err != nil {
				return nil, nil, err
			}
		}
		if _, err := describeInputs(spec.Valid, names); err != nil {
			return nil, nil, engine.Errorf(engine.KindOf(err), "validation frame: %v", err)
		}
		vx, _, err := readMatrix(ctx, spec.Valid, ins, st, h.threads)
		if err != nil {
			return nil, nil, engine.Errorf(engine.KindOf(err), "validation frame: %v", err)
		}
		valid = &validation{x: vx, d: d, y: vy}
	case h.validationFraction > 0:
		nv := int(h.validationFraction * float64(n))
		if nv < 1 || nv >= n {
			return nil, nil, engine.Errorf(engine.KindValue, "mlp: validation_fraction %g of %d rows leaves no rows to validate or train on", h.validationFraction, n)
		}
		order := rand.New(rand.NewPCG(h.seed, 2)).Perm(n)
		vrows, trows := order[:nv], order[nv:]
		valid = &validation{x: gatherRows(x, d, vrows), d: d, y: y.subset(vrows)}
		x, y, n = gatherRows(x, d, trows), y.subset(trows), len(trows)
	}
	if h.earlyStopping > 0 && valid == nil {
		return nil, nil, engine.Errorf(engine.KindValue, "mlp: early_stopping_rounds needs a valid frame or a validation_fraction above 0")
	}
	if h.batchSize > n {
		h.batchSize = n
	}
	sizes := append(append([]int{d}, h.hidden...), y.outputs())
	nt := newNetwork(sizes, activation{h.activation})
	nt.init(h.seed)
	tr := newTrainer(ctx, h, nt, x, d, y, h.threads)
	defer tr.close()
	log, err := tr.fitLoop(n, valid, spec.Progress)
	if err != nil {
		return nil, nil, err
	}
	log["objective"] = obj
	log["n_inputs"] = d
	log["n_params"] = len(nt.params)
	m := &Model{params: params, nt: nt, inputs: ins, standard: st, objective: obj, classes: classes,
		target: spec.Target}
	return m, log, nil
}

// gatherRows copies the given rows of a row-major matrix of width d.
func gatherRows(x []float32, d int, rows []int) []float32 {
	out := make([]float32, len(rows)*d)
	for i, r := range rows {
		copy(out[i*d:(i+1)*d], x[r*d:(r+1)*d])
	}
	return out
}

// recode maps the codes of a validation target onto the training classes.
func recode(vy *target, vclasses, classes *engine.Classes) (*target, error) {
	index := map[string]int32{}
	for k, l := range classes.Labels() {
		index[l] = int32(k)
	}
	remap := make([]int32, vclasses.Len())
	for k, l := range vclasses.Labels() {
		c, ok := index[l]
		if !ok {
			return nil, engine.Errorf(engine.KindValue, "validation frame: class %q does not occur in the training target", l)
		}
		remap[k] = c
	}
	out := &target{k: classes.Len(), codes: make([]int32, len(vy.codes))}
	for i, c := range vy.codes {
		out.codes[i] = remap[c]
	}
	return out, nil
}
