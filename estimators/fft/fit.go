package fft

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// settings are the validated hyperparameters in the form the fit uses.
type settings struct {
	algorithm           string
	goal, chase, thresh objective
	rule                thresholdRule
	maxLevels           int
	stopRule            string
	stopPar             float64
	repeat              bool
	cueCosts            map[string]float64
	tree                string
	threads             int
	progress            func(done float64)
}

func readSettings(p hyperspace.Values) (*settings, error) {
	c := costs{hi: p.Float("cost_hi"), fa: p.Float("cost_fa"), mi: p.Float("cost_mi"), cr: p.Float("cost_cr")}
	obj := func(name string) objective {
		return objective{goal: p.String(name), sensW: p.Float("sens_w"), costs: c}
	}
	s := &settings{
		algorithm: p.String("algorithm"),
		goal:      obj("goal"), chase: obj("goal_chase"), thresh: obj("goal_threshold"),
		rule:      thresholdRule{method: p.String("numthresh_method"), n: p.Int("numthresh_n")},
		maxLevels: p.Int("max_levels"),
		stopRule:  p.String("stopping_rule"),
		stopPar:   p.Float("stopping_par"),
		repeat:    p.Bool("repeat_cues"),
		tree:      strings.TrimSpace(p.String("tree")),
		threads:   p.Int("n_threads"),
	}
	var err error
	if s.cueCosts, err = parseCueCosts(p.String("cue_costs")); err != nil {
		return nil, err
	}
	return s, nil
}

// parseCueCosts reads cue_costs: a JSON object, or "name=cost" pairs
// separated by commas.
func parseCueCosts(text string) (map[string]float64, error) {
	text = strings.TrimSpace(text)
	out := map[string]float64{}
	if text == "" {
		return out, nil
	}
	bad := func(why string) error {
		return engine.Errorf(engine.KindValue, "fft: hyperparameter \"cue_costs\" %s, got %q", why, text)
	}
	if strings.HasPrefix(text, "{") {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, bad("must map cue names to numbers")
		}
	} else {
		for _, pair := range strings.Split(text, ",") {
			name, value, ok := strings.Cut(pair, "=")
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if !ok || err != nil {
				return nil, bad(`must be a JSON object or "cue=cost" pairs separated by commas`)
			}
			out[strings.TrimSpace(name)] = v
		}
	}
	for name, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, bad("needs finite costs; " + strconv.Quote(name) + " is not")
		}
	}
	return out, nil
}

// readCriterion reads the target as 1 (True) and 0 (False): a boolean
// column, or a numeric one holding only 0 and 1, without missing values and
// with both outcomes present.
func readCriterion(name string, col arrow.Array) ([]uint8, error) {
	y := make([]uint8, col.Len())
	missing := col.NullN()
	switch {
	case col.DataType().ID() == arrow.BOOL:
		b := col.(*array.Boolean)
		for i := range y {
			if b.Value(i) {
				y[i] = 1
			}
		}
	case engine.IsNumeric(col.DataType()):
		x := make([]float64, col.Len())
		engine.ReadFloat64s(col, 0, x)
		for i, v := range x {
			switch v {
			case 1:
				y[i] = 1
			case 0:
			default:
				if v != v {
					if col.IsValid(i) {
						missing++ // a NaN; nulls are counted already
					}
					break
				}
				return nil, engine.Errorf(engine.KindValue,
					"criterion %q must be binary (bool, or numbers 0 and 1); it holds the value %v", name, v)
			}
		}
	default:
		return nil, engine.Errorf(engine.KindType,
			"criterion %q has type %s; it must be binary: bool, or numbers 0 and 1 (compare a label column with its positive value first)", name, col.DataType())
	}
	if k := missing; k > 0 {
		return nil, engine.Errorf(engine.KindValue, "criterion %q has %d missing values; drop those rows first", name, k)
	}
	if ones := countOnes(y); ones == 0 || ones == len(y) {
		return nil, engine.Errorf(engine.KindValue, "criterion %q is not binary: every case is %s", name, decision(ones > 0))
	}
	return y, nil
}

func countOnes(y []uint8) int {
	n := 0
	for _, v := range y {
		n += int(v)
	}
	return n
}

// majority is FFTrees' decision for a case whose cue is missing at the last
// level: True when more than half the training cases are (the base rate
// rounded to three decimals).
func majority(y []uint8) bool {
	return math.Round(float64(countOnes(y))/float64(len(y))*1000)/1000 > 0.5
}

// candidate trees with their training and test results.
type scored struct {
	tree  *Tree
	exits []exitCounts
	train Stats
	value float64 // goal value on training data
	test  *Stats
}

func fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (*Model, estimators.Log, error) {
	s, err := readSettings(params)
	if err != nil {
		return nil, nil, err
	}
	in, err := s.inputs(data, spec)
	if err != nil {
		return nil, nil, err
	}
	if spec.Progress != nil {
		s.progress = spec.Progress
		defer spec.Progress(1)
	}
	var cands []*scored
	var cueLog []estimators.Log
	if s.tree != "" {
		cands, err = s.given(ctx, data, in)
	} else {
		cands, cueLog, err = s.grown(ctx, data, in)
	}
	if err != nil {
		return nil, nil, err
	}
	// Best first; ties keep the order in which the trees were grown.
	slices.SortStableFunc(cands, func(a, b *scored) int { return cmp.Compare(b.value, a.value) })
	if spec.Valid != nil {
		cache := categoryCache{}
		for _, c := range cands {
			exits, err := c.tree.route(ctx, spec.Valid, s.threads, cache)
			if err != nil {
				return nil, nil, engine.Errorf(engine.KindOf(err), "test frame: %v", err)
			}
			conf, visited, cost := c.tree.outcomes(countExits(exits, in.testY, c.tree.Levels()), s.cueCosts)
			st := newStats(s.goal, conf, visited, cost, len(in.names))
			c.test = &st
		}
	}
	return newModel(params, spec.Target, cands[0], data), s.log(cands, cueLog), nil
}

// inputs are a fit's checked inputs: the criterion, the cues' names and
// the test frame's criterion.
type inputs struct {
	y, testY []uint8
	names    []string
}

// inputs reads the criterion and checks the cues, the cue costs, max_levels
// and the test frame before any work is done.
func (s *settings) inputs(data *engine.Frame, spec estimators.Spec) (*inputs, error) {
	if spec.Weight != "" {
		return nil, engine.Errorf(engine.KindValue, "fft does not take sample weights (weight=%q)", spec.Weight)
	}
	tcol, err := data.Require(spec.Target, "criterion")
	if err != nil {
		return nil, err
	}
	in := &inputs{}
	if in.y, err = readCriterion(spec.Target, tcol); err != nil {
		return nil, err
	}
	if in.names, err = estimators.ResolveFeatures(data, spec); err != nil {
		return nil, err
	}
	if len(in.names) == 0 {
		return nil, engine.Errorf(engine.KindValue, "fft needs at least one cue besides the criterion %q", spec.Target)
	}
	for _, name := range in.names {
		if _, err := data.Require(name, "cue"); err != nil {
			return nil, err
		}
	}
	for name := range s.cueCosts {
		if !slices.Contains(in.names, name) {
			return nil, engine.Errorf(engine.KindValue, "fft: cue_costs names %q, which is not a cue; the cues are %q", name, in.names)
		}
	}
	if s.tree == "" && !s.repeat && s.maxLevels > len(in.names) {
		return nil, engine.Errorf(engine.KindValue,
			"fft: max_levels is %d but there are only %d cues and repeat_cues is false; lower max_levels", s.maxLevels, len(in.names))
	}
	if spec.Valid != nil {
		col, err := spec.Valid.Require(spec.Target, "criterion of the test frame")
		if err != nil {
			return nil, err
		}
		if in.testY, err = readCriterion(spec.Target, col); err != nil {
			return nil, engine.Errorf(engine.KindOf(err), "test frame: %v", err)
		}
	}
	return in, nil
}

// given evaluates the tree in words on the training data.
func (s *settings) given(ctx context.Context, data *engine.Frame, in *inputs) ([]*scored, error) {
	kinds := map[string]kind{}
	for _, name := range in.names {
		k, err := columnKind(name, data.Column(name))
		if err != nil {
			return nil, err
		}
		kinds[name] = k
	}
	t, err := ParseWords(s.tree, kinds)
	if err != nil {
		return nil, err
	}
	t.missingLast = majority(in.y)
	exits, err := t.route(ctx, data, s.threads, nil)
	if err != nil {
		return nil, err
	}
	return []*scored{s.score(t, countExits(exits, in.y, t.Levels()), len(in.names))}, nil
}

// grown grows the candidate trees of the algorithm, scores them on the
// training data, and returns them with the cue ranking. Trees whose
// questions are fixed in advance grow on cells of rows that answer those
// questions alike; dfan's questions depend on the rows left, so it grows
// on the rows.
func (s *settings) grown(ctx context.Context, data *engine.Frame, in *inputs) ([]*scored, []estimators.Log, error) {
	g := &grower{ctx: ctx, data: data, y: in.y, threads: s.threads, thresh: s.thresh, chase: s.chase,
		rule: s.rule, maxLevels: s.maxLevels, stopRule: s.stopRule, stopPar: s.stopPar, repeat: s.repeat,
		ranks: map[string][]ranked{}}
	g.cueCost = make([]float64, len(in.names))
	for i, name := range in.names {
		g.cueCost[i] = s.cueCosts[name]
	}
	all := make([]ranked, len(in.names))
	var err error
	g.cues, err = readCues(ctx, data, in.names, in.y, s.algorithm == algDfan, s.threads, func(i int, c *cue, h hist) {
		all[i] = rankCue(i, c, h, g.thresh, g.chase, g.rule, g.cueCost[i])
	})
	if err != nil {
		return nil, nil, err
	}
	var structures [][]exitKind
	var qs []ranked
	switch s.algorithm {
	case algIfan, algDfan:
		for k := range 1 << (s.maxLevels - 1) {
			exits := make([]exitKind, s.maxLevels-1)
			for j := range exits {
				exits[j] = exitKind(k >> j & 1)
			}
			structures = append(structures, exits)
		}
		order := rankOrder(all)
		for _, i := range order[:min(s.maxLevels, len(order))] {
			qs = append(qs, all[i])
		}
	default:
		var exits []exitKind
		qs, exits = martignon(s.algorithm, all, s.maxLevels)
		structures = [][]exitKind{exits}
	}
	for d := range qs {
		qs[d] = qs[d].withAnswer(g.cues[qs[d].cue])
	}
	onCells := s.algorithm != algDfan
	var cs *cases
	if onCells {
		if cs, err = g.cellCases(qs); err != nil {
			return nil, nil, err
		}
	} else {
		g.ranks[""] = all
		cs = g.rowCases()
	}
	missingLast := majority(in.y)
	var cands []*scored
	seen := map[string]bool{}
	for i, exits := range structures {
		if s.progress != nil {
			s.progress(float64(i) / float64(len(structures)))
		}
		choose := fixedPolicy(qs, exits)
		if !onCells {
			choose = g.dfanPolicy(exits)
		}
		t, err := g.grow(s.algorithm, choose, cs)
		if err != nil {
			return nil, nil, err
		}
		t.tree.missingLast = missingLast
		words := t.tree.Words()
		if seen[words] {
			continue
		}
		seen[words] = true
		counts, err := g.exitCountsOf(t, cs, onCells)
		if err != nil {
			return nil, nil, err
		}
		cands = append(cands, s.score(t.tree, counts, len(in.names)))
	}
	return cands, cueRanking(all, s.thresh), nil
}

// score computes a tree's training results from the cases at each exit.
func (s *settings) score(t *Tree, counts []exitCounts, nCues int) *scored {
	conf, visited, cost := t.outcomes(counts, s.cueCosts)
	st := newStats(s.goal, conf, visited, cost, nCues)
	return &scored{tree: t, exits: counts, train: st, value: s.goal.value(conf, ratio(cost, float64(conf.n())))}
}

// columnKind is the kind of cue a column makes.
func columnKind(name string, col arrow.Array) (kind, error) {
	switch t := col.DataType(); {
	case t.ID() == arrow.BOOL:
		return logical, nil
	case engine.IsCategorical(t):
		return categorical, nil
	case engine.IsNumeric(t):
		return numeric, nil
	default:
		return 0, engine.Errorf(engine.KindType,
			"column %q has type %s; cues must be numeric, boolean, string or categorical", name, t)
	}
}

// cueRanking describes every cue's best question on all training cases, best
// first by the threshold goal.
func cueRanking(all []ranked, thresh objective) []estimators.Log {
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case all[a].thresh > all[b].thresh:
			return -1
		case all[a].thresh < all[b].thresh:
			return 1
		}
		return 0
	})
	var out []estimators.Log
	for _, i := range order {
		r := all[i]
		if !r.ok {
			continue
		}
		st := newStats(thresh, r.conf, r.conf.n(), 0, 0)
		out = append(out, estimators.Log{
			"cue": r.node.cue, "question": r.node.condition(),
			"hi": st.Hi, "fa": st.Fa, "mi": st.Mi, "cr": st.Cr,
			"sens": st.Sens, "spec": st.Spec, "acc": st.Acc, "bacc": st.Bacc, "wacc": st.Wacc, "dprime": st.Dprime,
		})
	}
	return out
}

// log is the fit's record: the best tree in words, every candidate ranked
// by the goal with its statistics, and the cue ranking.
func (s *settings) log(cands []*scored, cues []estimators.Log) estimators.Log {
	trees := make([]estimators.Log, len(cands))
	for i, c := range cands {
		entry := estimators.Log{"rank": i + 1, "tree": c.tree.Words(), "levels": c.tree.Levels(), "train": c.train.log()}
		if c.test != nil {
			entry["test"] = c.test.log()
		}
		trees[i] = entry
	}
	out := estimators.Log{
		"tree":  cands[0].tree.Words(),
		"goal":  s.goal.goal,
		"trees": trees,
		"train": cands[0].train.log(),
	}
	if cands[0].test != nil {
		out["test"] = cands[0].test.log()
	}
	if cues != nil {
		out["cues"] = cues
	}
	return out
}
