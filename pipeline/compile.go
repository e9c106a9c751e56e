package pipeline

import (
	"fmt"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// Compile chains the steps' compiled code as Apply chains the steps: each
// step reads the columns the steps before it leave (a transformer's
// replaced columns dropped, its outputs in their place), and the pipeline's
// outputs are the last step's, or for a chain of feature steps the columns
// it produced. It fails with a KindValue error naming the first step that
// cannot be compiled.
func (p *Pipeline) Compile(g *estimators.Gen) error {
	env := g.Columns()
	last := len(p.steps) - 1
	for i, s := range p.steps {
		c, ok := s.Model.(estimators.Compiler)
		if !ok {
			return engine.Errorf(engine.KindValue, "pipeline step %q (%s) cannot be compiled yet", s.Name, s.Model.Learner())
		}
		// Steps' names need not be Go identifiers; their positions are.
		sub := g.Sub(fmt.Sprintf("s%d", i), env)
		if i != last || p.features {
			// Later steps read this step's row values, which a block
			// would leave out of scope.
			sub.NoBlocks()
		}
		if err := c.Compile(sub); err != nil {
			return stepError(s.Name, err)
		}
		g.Absorb(sub)
		names, vals := sub.Outputs()
		if i == last && !p.features {
			for _, n := range names {
				g.Output(n, vals[n])
			}
			return nil
		}
		if t, ok := s.Model.(estimators.Transformer); ok {
			for _, r := range t.Replaces() {
				delete(env, r)
			}
		}
		for _, n := range names {
			env[n] = vals[n]
		}
	}
	for _, f := range p.outputs {
		v, ok := env[f.Name]
		if !ok {
			return engine.Errorf(engine.KindInternal, "pipeline output %q was not compiled", f.Name)
		}
		g.Output(f.Name, v)
	}
	return nil
}

// InputCategories returns, for every input of the pipeline that some step
// reads as categories, the union of the categories the steps know for a
// column of that name, in the order they first appear: what a scorer's
// dictionary for the column must hold so that no step loses a category it
// knows.
func (p *Pipeline) InputCategories() map[string][]string {
	out := map[string][]string{}
	for _, in := range p.inputs {
		if in.Categories == nil {
			continue
		}
		seen := map[string]bool{}
		var cats []string
		for _, s := range p.steps {
			for _, f := range s.Model.Inputs() {
				if f.Name != in.Name {
					continue
				}
				for _, c := range f.Categories {
					if !seen[c] {
						seen[c] = true
						cats = append(cats, c)
					}
				}
			}
		}
		out[in.Name] = cats
	}
	return out
}
