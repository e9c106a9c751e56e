package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// Name is the registered name of the pipeline learner.
const Name = "pipeline"

// Sep joins a step's name and one of its hyperparameters' names in the
// pipeline's namespace, as in "gbdt__num_leaves". Step names may not
// contain it, so a namespaced name splits back unambiguously.
const Sep = "__"

// Step is one named, fitted step of a pipeline.
type Step struct {
	// Name identifies the step: non-empty, unique within the pipeline and
	// free of Sep.
	Name string
	// Model is the step's fitted model. Pipelines share their steps'
	// models rather than copy them: fitted models are never changed.
	Model estimators.Model
}

// Pipeline is a fitted chain of models. New returns it as an
// estimators.Model whose dynamic type also implements estimators.Explainer
// or estimators.Transformer where the last step allows; Of recovers the
// *Pipeline from it.
type Pipeline struct {
	steps   []Step
	inputs  []engine.Field
	outputs []engine.Field
	// replaces are the caller's columns the chain drops; set only for a
	// pipeline whose last step is a Transformer.
	replaces []string
	// features is true when the last step is a Transformer.
	features bool
}

// explainer is a predictive pipeline whose last step is an Explainer.
type explainer struct{ *Pipeline }

// transformer is a pipeline whose last step is a Transformer.
type transformer struct{ *Pipeline }

// New checks the steps and chains them into one model. It fails with a
// KindValue error for no steps, a step without a model, a name that is
// empty, repeated or contains Sep, a step whose outputs repeat a name, and
// a step that reads a column an earlier step replaces (the chain would
// never give it that column).
func New(steps []Step) (estimators.Model, error) {
	if len(steps) == 0 {
		return nil, engine.Errorf(engine.KindValue, "a pipeline needs at least one step")
	}
	seen := map[string]bool{}
	for i, s := range steps {
		switch {
		case s.Name == "":
			return nil, engine.Errorf(engine.KindValue, "pipeline step %d has an empty name; every step needs a name", i)
		case strings.Contains(s.Name, Sep):
			return nil, engine.Errorf(engine.KindValue, "pipeline step name %q contains %q, which separates step and hyperparameter names (%s%shyperparameter)", s.Name, Sep, s.Name, Sep)
		case seen[s.Name]:
			return nil, engine.Errorf(engine.KindValue, "pipeline step name %q is used twice; step names must be unique", s.Name)
		case s.Model == nil:
			return nil, engine.Errorf(engine.KindValue, "pipeline step %q has no model", s.Name)
		}
		seen[s.Name] = true
	}
	p := &Pipeline{steps: slices.Clone(steps)}
	if err := p.link(); err != nil {
		return nil, err
	}
	// The dynamic type tells callers (pybridge, an enclosing pipeline)
	// what the pipeline offers, as it does for any model.
	switch steps[len(steps)-1].Model.(type) {
	case estimators.Transformer:
		return transformer{p}, nil
	case estimators.Explainer:
		return explainer{p}, nil
	}
	return p, nil
}

// Of returns the *Pipeline inside a model that New or the pipeline
// learner's Decode returned.
func Of(m estimators.Model) (*Pipeline, bool) {
	switch p := m.(type) {
	case *Pipeline:
		return p, true
	case explainer:
		return p.Pipeline, true
	case transformer:
		return p.Pipeline, true
	}
	return nil, false
}

// link follows the column names through the chain, without data, to find
// the pipeline's inputs, outputs and replaced columns, and refuses a step
// that reads a column an earlier step dropped.
func (p *Pipeline) link() error {
	var (
		inputs   []engine.Field
		produced []engine.Field        // columns the chain has made so far, in order
		dropped  = map[string]string{} // caller column -> the step that dropped it
		replaces []string
	)
	has := func(fs []engine.Field, name string) int {
		return slices.IndexFunc(fs, func(f engine.Field) bool { return f.Name == name })
	}
	for _, s := range p.steps {
		for _, in := range s.Model.Inputs() {
			if has(produced, in.Name) >= 0 {
				continue
			}
			if by, ok := dropped[in.Name]; ok {
				return engine.Errorf(engine.KindValue, "pipeline step %q reads column %q, which step %q replaces before it", s.Name, in.Name, by)
			}
			if has(inputs, in.Name) < 0 {
				inputs = append(inputs, in)
			}
		}
		outs := s.Model.Outputs()
		for i, o := range outs {
			if has(outs[:i], o.Name) >= 0 {
				return engine.Errorf(engine.KindValue, "pipeline step %q has two outputs named %q", s.Name, o.Name)
			}
		}
		if t, ok := s.Model.(estimators.Transformer); ok {
			for _, r := range t.Replaces() {
				if j := has(produced, r); j >= 0 {
					if has(outs, r) < 0 {
						produced = slices.Delete(produced, j, j+1)
					}
					continue
				}
				// A caller column: the chain no longer passes it on, unless
				// an output of the same name stands in for it (below).
				if !slices.Contains(replaces, r) {
					replaces = append(replaces, r)
				}
				if has(outs, r) < 0 {
					dropped[r] = s.Name
				}
			}
		}
		for _, o := range outs {
			if j := has(produced, o.Name); j >= 0 {
				produced[j] = o
			} else {
				produced = append(produced, o)
			}
			delete(dropped, o.Name)
		}
	}
	p.inputs = inputs
	if _, ok := p.steps[len(p.steps)-1].Model.(estimators.Transformer); ok {
		p.features = true
		p.outputs = produced
		p.replaces = replaces
	} else {
		p.outputs = p.steps[len(p.steps)-1].Model.Outputs()
	}
	return nil
}

// Steps returns the pipeline's steps in order.
func (p *Pipeline) Steps() []Step { return slices.Clone(p.steps) }

// Learner returns "pipeline".
func (p *Pipeline) Learner() string { return Name }

// Inputs returns the columns the pipeline reads from the caller's frame.
func (p *Pipeline) Inputs() []engine.Field { return slices.Clone(p.inputs) }

// Outputs returns the columns Apply returns: the last step's outputs, or,
// when the last step is a Transformer, every column the chain produces and
// keeps.
func (p *Pipeline) Outputs() []engine.Field { return slices.Clone(p.outputs) }

// Params returns the steps' hyperparameters that shape their models, each
// named step__param (a nested pipeline's are named step__inner__param).
// They describe the pipeline; the pipeline learner's space is empty, as the
// steps are fitted one by one.
func (p *Pipeline) Params() hyperspace.Values {
	out := hyperspace.Values{}
	for _, s := range p.steps {
		params := map[string]any(s.Model.Params())
		if l, err := estimators.Lookup(s.Model.Learner()); err == nil {
			params = l.Space().ModelParams(s.Model.Params())
		}
		for k, v := range params {
			out[s.Name+Sep+k] = v
		}
	}
	return out
}

// Summary returns, for every step, its name, learner, input and output
// column names, the columns it replaces (for transformers) and its own
// summary.
func (p *Pipeline) Summary() map[string]any {
	names := func(fs []engine.Field) []string {
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.Name
		}
		return out
	}
	steps := make([]map[string]any, len(p.steps))
	for i, s := range p.steps {
		d := map[string]any{
			"name":    s.Name,
			"learner": s.Model.Learner(),
			"inputs":  names(s.Model.Inputs()),
			"outputs": names(s.Model.Outputs()),
			"summary": s.Model.Summary(),
		}
		if t, ok := s.Model.(estimators.Transformer); ok {
			d["replaces"] = t.Replaces()
		}
		steps[i] = d
	}
	return map[string]any{"steps": steps}
}

// Apply runs every step in turn and returns the pipeline's outputs, built
// on engine.Allocator by the steps. Errors of a step name the step and keep
// their kind.
func (p *Pipeline) Apply(ctx context.Context, data *engine.Frame, threads int) (*engine.Frame, error) {
	if p.features {
		cur, err := p.run(ctx, data, threads, len(p.steps))
		if err != nil {
			return nil, err
		}
		defer releaseIfOwned(cur, data)
		return pick(cur, p.outputs)
	}
	cur, err := p.run(ctx, data, threads, len(p.steps)-1)
	if err != nil {
		return nil, err
	}
	defer releaseIfOwned(cur, data)
	last := p.steps[len(p.steps)-1]
	out, err := last.Model.Apply(ctx, cur, threads)
	return out, stepError(last.Name, err)
}

// Explain runs every step but the last, then the last step's Explain with
// opts.
func (e explainer) Explain(ctx context.Context, data *engine.Frame, opts estimators.ApplyOptions) (*engine.Frame, error) {
	cur, err := e.run(ctx, data, opts.Threads, len(e.steps)-1)
	if err != nil {
		return nil, err
	}
	defer releaseIfOwned(cur, data)
	last := e.steps[len(e.steps)-1]
	out, err := last.Model.(estimators.Explainer).Explain(ctx, cur, opts)
	return out, stepError(last.Name, err)
}

// Replaces returns the caller's columns the chain drops or stands in for.
func (t transformer) Replaces() []string { return slices.Clone(t.replaces) }

// run applies the first n steps to data and returns the frame step n reads,
// which is data itself when n is 0 and otherwise a frame the caller
// releases.
func (p *Pipeline) run(ctx context.Context, data *engine.Frame, threads, n int) (*engine.Frame, error) {
	// Checking the caller's columns first gives an error that lists the
	// caller's frame, not a frame half-way down the chain.
	for _, in := range p.inputs {
		if _, err := data.Require(in.Name, "input"); err != nil {
			return nil, err
		}
	}
	cur := data
	for _, s := range p.steps[:n] {
		if err := ctx.Err(); err != nil {
			releaseIfOwned(cur, data)
			return nil, err
		}
		out, err := s.Model.Apply(ctx, cur, threads)
		if err != nil {
			releaseIfOwned(cur, data)
			return nil, stepError(s.Name, err)
		}
		var replaces []string
		if t, ok := s.Model.(estimators.Transformer); ok {
			replaces = t.Replaces()
		}
		next, err := merge(cur, out, replaces)
		out.Release()
		releaseIfOwned(cur, data)
		if err != nil {
			return nil, stepError(s.Name, err)
		}
		cur = next
	}
	return cur, nil
}

// merge returns the frame after a step: cur without the columns in
// replaces, each output in place of the column of its name, and the other
// outputs after the rest. The new frame holds its own references.
func merge(cur, out *engine.Frame, replaces []string) (*engine.Frame, error) {
	outIdx := make(map[string]int, len(out.Names()))
	for j, n := range out.Names() {
		outIdx[n] = j
	}
	drop := make(map[string]bool, len(replaces))
	for _, r := range replaces {
		drop[r] = true
	}
	var names []string
	var cols []arrow.Array
	used := make(map[string]bool, len(outIdx))
	for i, n := range cur.Names() {
		switch j, ok := outIdx[n]; {
		case ok:
			names, cols = append(names, n), append(cols, out.Columns()[j])
			used[n] = true
		case !drop[n]:
			names, cols = append(names, n), append(cols, cur.Columns()[i])
		}
	}
	for j, n := range out.Names() {
		if !used[n] {
			names, cols = append(names, n), append(cols, out.Columns()[j])
		}
	}
	for _, c := range cols {
		c.Retain()
	}
	f, err := engine.NewFrameOf(names, cols)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// pick returns a frame of the named columns of f, holding its own
// references.
func pick(f *engine.Frame, fields []engine.Field) (*engine.Frame, error) {
	names := make([]string, len(fields))
	cols := make([]arrow.Array, len(fields))
	for i, fld := range fields {
		c := f.Column(fld.Name)
		if c == nil {
			// link guarantees every output is in the final frame unless a
			// step's Apply returned other columns than its Outputs say.
			for _, done := range cols[:i] {
				done.Release()
			}
			return nil, engine.Errorf(engine.KindInternal, "pipeline output %q is missing from the chain's frame %q", fld.Name, f.Names())
		}
		c.Retain()
		names[i], cols[i] = fld.Name, c
	}
	out, err := engine.NewFrameOf(names, cols)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func releaseIfOwned(f, caller *engine.Frame) {
	if f != caller {
		f.Release()
	}
}

// stepError prefixes err with the step's name, keeping its kind.
func stepError(step string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pipeline step %q: %w", step, err)
}
