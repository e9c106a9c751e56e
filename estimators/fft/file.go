package fft

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

// state is the learner-specific metadata of a model file.
type state struct {
	Target      string `json:"target"`
	MissingLast bool   `json:"missing_last"`
	// OtherwiseTrue and OtherwiseFalse count the training cases that left
	// through the last level's otherwise exit.
	OtherwiseTrue  int   `json:"otherwise_true"`
	OtherwiseFalse int   `json:"otherwise_false"`
	Train          Stats `json:"train"`
}

var levelColumns = []string{"cue", "op", "threshold", "levels", "decide", "exit_true", "exit_false"}

// Encode returns the model file: the state and a "levels" table with one
// row per level: the cue, the operator, the threshold (comparisons) or the
// levels (sets), the decision of the cases that meet the condition, and the
// positive and negative training cases that left there.
func (m *Model) Encode() (*engine.ModelFile, error) {
	last := m.exits[len(m.exits)-1]
	raw, err := json.Marshal(state{Target: m.target, MissingLast: m.tree.missingLast,
		OtherwiseTrue: last.pos, OtherwiseFalse: last.neg, Train: m.train})
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	cue := array.NewStringBuilder(mem)
	opb := array.NewStringBuilder(mem)
	threshold := array.NewFloat64Builder(mem)
	levels := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	levelVals := levels.ValueBuilder().(*array.StringBuilder)
	decide := array.NewBooleanBuilder(mem)
	exitTrue := array.NewInt64Builder(mem)
	exitFalse := array.NewInt64Builder(mem)
	for l, n := range m.tree.nodes {
		cue.Append(n.cue)
		opb.Append(n.op.String())
		threshold.Append(n.threshold)
		levels.Append(true)
		levelVals.AppendValues(n.set, nil)
		decide.Append(n.decide)
		exitTrue.Append(int64(m.exits[l].pos))
		exitFalse.Append(int64(m.exits[l].neg))
	}
	tab, err := engine.FrameFromBuilders(levelColumns, cue, opb, threshold, levels, decide, exitTrue, exitFalse)
	if err != nil {
		return nil, err
	}
	return &engine.ModelFile{
		Learner: Name,
		Params:  Space().ModelParams(m.params),
		Inputs:  m.Inputs(),
		Outputs: m.Outputs(),
		State:   raw,
		Tables:  []engine.Table{{Name: "levels", Frame: tab}},
	}, nil
}

func errorf(format string, args ...any) error {
	return engine.Errorf(engine.KindFormat, "fft model file is corrupt: "+format, args...)
}

// decode rebuilds a model from its file form, checking every value.
func decode(file *engine.ModelFile) (model *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, errorf("%v", r)
		}
	}()
	if file == nil || file.Learner != Name {
		return nil, errorf("it was not written by fft")
	}
	vals, err := Space().Validate(file.Params)
	if err != nil {
		return nil, errorf("hyperparameters: %v", err)
	}
	var st state
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, errorf("state: %v", err)
	}
	tab, err := file.Table("levels")
	if err != nil {
		return nil, errorf("%v", err)
	}
	get := func(name string) arrow.Array {
		c := tab.Column(name)
		if c == nil || c.NullN() > 0 {
			panic("the levels table's " + name + " column is missing or has nulls")
		}
		return c
	}
	cue, okCue := get("cue").(*array.String)
	opc, okOp := get("op").(*array.String)
	threshold, okT := get("threshold").(*array.Float64)
	levels, okL := get("levels").(*array.List)
	decide, okD := get("decide").(*array.Boolean)
	exitTrue, okET := get("exit_true").(*array.Int64)
	exitFalse, okEF := get("exit_false").(*array.Int64)
	if !(okCue && okOp && okT && okL && okD && okET && okEF) {
		return nil, errorf("the levels table has a column of the wrong type")
	}
	levelVals, ok := levels.ListValues().(*array.String)
	if !ok || levelVals.NullN() > 0 {
		return nil, errorf("the levels of a set are not strings")
	}
	n := tab.NumRows()
	if n < 1 || n > maxTreeLevels {
		return nil, errorf("a tree has %d levels", n)
	}
	m := &Model{params: vals, target: st.Target, tree: &Tree{missingLast: st.MissingLast}, train: st.Train,
		inputs: slices.Clone(file.Inputs)}
	for l := range n {
		o := slices.Index(opText[:], opc.Value(l))
		if o < 0 {
			return nil, errorf("level %d has unknown operator %q", l+1, opc.Value(l))
		}
		nd := node{cue: cue.Value(l), op: op(o), threshold: threshold.Value(l), decide: decide.Value(l)}
		if !slices.ContainsFunc(m.inputs, func(f engine.Field) bool { return f.Name == nd.cue }) {
			return nil, errorf("level %d asks about %q, which is not an input", l+1, nd.cue)
		}
		lo, hi := levels.ValueOffsets(l)
		for i := lo; i < hi; i++ {
			nd.set = append(nd.set, levelVals.Value(int(i)))
		}
		if nd.op.isSet() != (len(nd.set) > 0) || (!nd.op.isSet() && nd.threshold != nd.threshold) {
			return nil, errorf("level %d's condition %s does not fit its operator", l+1, nd.condition())
		}
		m.tree.nodes = append(m.tree.nodes, nd)
		m.exits = append(m.exits, exitCounts{pos: int(exitTrue.Value(l)), neg: int(exitFalse.Value(l))})
	}
	m.exits = append(m.exits, exitCounts{pos: st.OtherwiseTrue, neg: st.OtherwiseFalse})
	for _, c := range m.exits {
		if c.pos < 0 || c.neg < 0 {
			return nil, errorf("negative case counts")
		}
		if c.pos > math.MaxInt-c.neg { // their sum would overflow
			return nil, errorf("case counts %d and %d are too large", c.pos, c.neg)
		}
	}
	// The inputs are the cues the levels ask about, each once, in the
	// order they are first asked, as newModel writes them.
	var asked []string
	for _, nd := range m.tree.nodes {
		if !slices.Contains(asked, nd.cue) {
			asked = append(asked, nd.cue)
		}
	}
	if len(asked) != len(m.inputs) {
		return nil, errorf("%d inputs for %d cues asked about", len(m.inputs), len(asked))
	}
	for i, f := range m.inputs {
		if f.Name != asked[i] {
			return nil, errorf("input %d is %q, expected %q", i, f.Name, asked[i])
		}
	}
	outs := m.Outputs()
	if len(file.Outputs) != len(outs) {
		return nil, errorf("%d outputs, expected %d", len(file.Outputs), len(outs))
	}
	for i := range outs {
		if outs[i].Name != file.Outputs[i].Name || outs[i].Type != file.Outputs[i].Type {
			return nil, errorf("output %d is %q, expected %q", i, file.Outputs[i].Name, outs[i].Name)
		}
	}
	return m, nil
}
