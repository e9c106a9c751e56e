package fft

import (
	"context"
	"maps"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Learner is the fft learner. It registers itself under Name.
type Learner struct{}

func init() { estimators.Register(Learner{}) }

// Name returns "fft".
func (Learner) Name() string { return Name }

// Space returns the hyperparameter space.
func (Learner) Space() hyperspace.Space { return Space() }

// Fit grows the candidate trees and keeps the best by the goal, or
// evaluates the tree given in words. spec.Valid, if set, is a test frame:
// every candidate's statistics on it go into the log. Fit fails with
// KindColumn for a missing column, KindType for a column that cannot be a
// cue or a criterion that is not boolean or numeric, and KindValue for a
// criterion that is not binary, a cue with a single value, max_levels above
// the number of cues when cues may not repeat, sample weights, or a tree in
// words that cannot be parsed or names an unknown cue.
func (Learner) Fit(ctx context.Context, data *engine.Frame, spec estimators.Spec, params hyperspace.Values) (estimators.Model, estimators.Log, error) {
	m, log, err := fit(ctx, data, spec, params)
	if err != nil {
		return nil, nil, err
	}
	return m, log, nil
}

// Decode rebuilds a model from its file form.
func (Learner) Decode(file *engine.ModelFile) (estimators.Model, error) { return decode(file) }

// Model is a fitted fast-and-frugal tree.
type Model struct {
	params hyperspace.Values
	target string
	tree   *Tree
	// exits holds the training cases that left through each exit (see
	// Tree.walk), whose positive rate is probability_true.
	exits  []exitCounts
	inputs []engine.Field
	train  Stats
}

func newModel(params hyperspace.Values, target string, best *scored, data *engine.Frame) *Model {
	m := &Model{params: params, target: target, tree: best.tree, exits: best.exits, train: best.train}
	for _, n := range best.tree.nodes {
		if !slices.ContainsFunc(m.inputs, func(f engine.Field) bool { return f.Name == n.cue }) {
			m.inputs = append(m.inputs, engine.FieldOf(n.cue, data.Column(n.cue)))
		}
	}
	return m
}

// Learner returns "fft".
func (m *Model) Learner() string { return Name }

// Inputs returns the cues the tree asks about, in the order it first asks.
// A string or categorical cue lists as its categories the levels the
// tree's sets name: the only ones its answers tell apart (any other level
// is in no set), and what an exported scorer's dictionary needs.
func (m *Model) Inputs() []engine.Field {
	out := slices.Clone(m.inputs)
	for i := range out {
		if kindOfType(out[i].Type) == categorical {
			out[i].Categories = m.tree.setLevels(out[i].Name)
		}
	}
	return out
}

// Params returns the hyperparameters of the fit.
func (m *Model) Params() hyperspace.Values { return maps.Clone(m.params) }

// Tree returns the fitted tree.
func (m *Model) Tree() *Tree { return m.tree }

// Outputs lists "prediction" (bool) and "probability_true".
func (m *Model) Outputs() []engine.Field {
	return []engine.Field{{Name: "prediction", Type: "bool"}, {Name: "probability_true", Type: "float64"}}
}

// Apply decides every row of data.
func (m *Model) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	return m.Explain(ctx, data, estimators.ApplyOptions{Threads: threads})
}

// Explain decides every row of data and adds "exit_level" on request. A
// numeric cue's missing value passes a level on to the next; at the last
// level it takes the training majority's decision. A categorical level not
// seen in training is in no set. Explain fails with KindColumn for a
// missing cue, KindType for a cue whose column cannot take the tree's
// question, and KindValue if asked for raw scores or contributions.
func (m *Model) Explain(ctx context.Context, data *engine.Frame, opts estimators.ApplyOptions) (*engine.Frame, error) {
	if opts.RawScore || opts.Contributions {
		return nil, engine.Errorf(engine.KindValue, "fft models have no raw scores or contributions; ask for exit_level to see where each case leaves")
	}
	exits, err := m.tree.route(ctx, data, opts.Threads, nil)
	if err != nil {
		return nil, err
	}
	prob := make([]float64, len(m.exits))
	for e, c := range m.exits {
		if c.pos+c.neg == 0 {
			prob[e] = 0
			if m.tree.exitDecision(e) {
				prob[e] = 1
			}
			continue
		}
		prob[e] = float64(c.pos) / float64(c.pos+c.neg)
	}
	mem := engine.Allocator
	pred := array.NewBooleanBuilder(mem)
	defer pred.Release()
	pred.Reserve(len(exits))
	probBuf, probVals := engine.NewFloat64Buffer(mem, len(exits))
	for r, e := range exits {
		pred.UnsafeAppend(m.tree.exitDecision(int(e)))
		probVals[r] = prob[e]
	}
	names := []string{"prediction", "probability_true"}
	cols := []arrow.Array{pred.NewArray(), engine.FinishFloat64(probBuf, len(exits))}
	if opts.ExitLevel {
		lv := array.NewInt32Builder(mem)
		defer lv.Release()
		lv.Reserve(len(exits))
		for _, e := range exits {
			lv.UnsafeAppend(int32(m.tree.exitLevel(int(e))))
		}
		names = append(names, "exit_level")
		cols = append(cols, lv.NewArray())
	}
	f, err := engine.NewFrameOf(names, cols)
	return f, err
}

// Summary gives the tree in words, its levels and its training statistics.
func (m *Model) Summary() map[string]any {
	levels := make([]map[string]any, len(m.tree.nodes))
	for l, n := range m.tree.nodes {
		entry := map[string]any{"cue": n.cue, "condition": n.condition(), "decide": n.decide}
		c := m.exits[l]
		entry["exit_true"], entry["exit_false"] = c.pos, c.neg
		if l == len(m.tree.nodes)-1 {
			o := m.exits[l+1]
			entry["otherwise_true"], entry["otherwise_false"] = o.pos, o.neg
		}
		levels[l] = entry
	}
	return map[string]any{
		"tree":         m.tree.Words(),
		"levels":       levels,
		"missing_last": m.tree.missingLast,
		"train":        m.train.log(),
		"target":       m.target,
	}
}
