package gbdt

import (
	"encoding/json"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

// state is the learner-specific metadata of a model file.
type state struct {
	Objective    string          `json:"objective"`
	Target       string          `json:"target"`
	TargetType   string          `json:"target_type"`
	Features     []string        `json:"features"`
	Categorical  []bool          `json:"categorical"`
	Classes      *engine.Classes `json:"classes,omitempty"`
	InitScore    []float64       `json:"init_score"`
	TreesPerIter int             `json:"trees_per_iteration"`
	NumTrees     int             `json:"num_trees"`
}

// Encode returns the model file: the state, and two tables, "nodes" (one
// row per split node: tree, feature, threshold, categories going left,
// default_left, left, right, gain, count, value) and "leaves" (one row per
// leaf: tree, value, count). Node and leaf numbers are local to a tree;
// children use the Tree convention (^leaf for leaves).
func (m *Model) Encode() (*engine.ModelFile, error) {
	st := state{
		Objective: m.objective, Target: m.target, TargetType: m.targetType, Features: m.features,
		Classes: m.classes, InitScore: m.initScore, TreesPerIter: m.treesPerIter, NumTrees: len(m.trees),
		Categorical: categoricalFlags(m.mappers),
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	tree := array.NewInt32Builder(mem)
	feature := array.NewInt32Builder(mem)
	threshold := array.NewFloat64Builder(mem)
	cats := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
	catVals := cats.ValueBuilder().(*array.Int32Builder)
	defLeft := array.NewBooleanBuilder(mem)
	left := array.NewInt32Builder(mem)
	right := array.NewInt32Builder(mem)
	gain := array.NewFloat64Builder(mem)
	count := array.NewInt64Builder(mem)
	value := array.NewFloat64Builder(mem)
	leafTree := array.NewInt32Builder(mem)
	leafValue := array.NewFloat64Builder(mem)
	leafCount := array.NewInt64Builder(mem)
	for ti, t := range m.trees {
		for i := range t.Feature {
			tree.Append(int32(ti))
			cats.Append(true)
			for w, word := range t.CatLeft[i] {
				for bit := range 64 {
					if word&(1<<bit) != 0 {
						catVals.Append(int32(w*64 + bit))
					}
				}
			}
		}
		feature.AppendValues(t.Feature, nil)
		threshold.AppendValues(t.Threshold, nil)
		defLeft.AppendValues(t.DefaultLeft, nil)
		left.AppendValues(t.Left, nil)
		right.AppendValues(t.Right, nil)
		gain.AppendValues(t.Gain, nil)
		count.AppendValues(t.Count, nil)
		value.AppendValues(t.Value, nil)
		for range t.LeafValue {
			leafTree.Append(int32(ti))
		}
		leafValue.AppendValues(t.LeafValue, nil)
		leafCount.AppendValues(t.LeafCount, nil)
	}
	nodes, err := engine.FrameFromBuilders([]string{"tree", "feature", "threshold", "categories", "default_left", "left", "right", "gain", "count", "value"},
		tree, feature, threshold, cats, defLeft, left, right, gain, count, value)
	if err != nil {
		return nil, err
	}
	leaves, err := engine.FrameFromBuilders([]string{"tree", "value", "count"}, leafTree, leafValue, leafCount)
	if err != nil {
		nodes.Release()
		return nil, err
	}
	return &engine.ModelFile{
		Learner: Name,
		Params:  Space().ModelParams(m.params),
		Inputs:  m.Inputs(),
		Outputs: m.Outputs(),
		State:   raw,
		Tables:  []engine.Table{{Name: "nodes", Frame: nodes}, {Name: "leaves", Frame: leaves}},
	}, nil
}

// tableColumn returns the named column of a table as type T, with no nulls.
func tableColumn[T arrow.Array](tab *engine.Frame, tname, name string) (T, error) {
	var zero T
	c, ok := tab.Column(name).(T)
	if !ok || c.NullN() > 0 {
		return zero, errorf("the %s table's %q column is missing, of the wrong type or has nulls", tname, name)
	}
	return c, nil
}

// decode rebuilds a model from its file form, checking every size and
// index.
func decode(file *engine.ModelFile) (model *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			model, err = nil, errorf("%v", r)
		}
	}()
	if file == nil || file.Learner != Name {
		return nil, errorf("it was not written by gbdt")
	}
	vals, err := Space().Validate(file.Params)
	if err != nil {
		return nil, errorf("hyperparameters: %v", err)
	}
	var st state
	if err := json.Unmarshal(file.State, &st); err != nil {
		return nil, errorf("state: %v", err)
	}
	nf := len(st.Features)
	switch {
	case nf == 0 || len(st.Categorical) != nf || len(file.Inputs) != nf:
		return nil, errorf("%d features, %d categorical flags, %d inputs", nf, len(st.Categorical), len(file.Inputs))
	case st.Objective == objLogLoss && (st.Classes == nil || st.Classes.Len() < 2):
		return nil, errorf("a classifier needs at least two classes")
	case st.Objective != objLogLoss && st.Classes != nil:
		return nil, errorf("objective %q has no classes", st.Objective)
	case !slices.Contains([]string{objSquaredError, objAbsoluteError, objHuber, objLogLoss, objPoisson}, st.Objective):
		return nil, errorf("unknown objective %q", st.Objective)
	}
	K := 1
	if st.Classes != nil && st.Classes.Len() > 2 {
		K = st.Classes.Len()
	}
	if st.TreesPerIter != K || len(st.InitScore) != K || st.NumTrees < 0 || st.NumTrees%K != 0 {
		return nil, errorf("%d trees per iteration, %d initial scores, %d trees for %d scores", st.TreesPerIter, len(st.InitScore), st.NumTrees, K)
	}
	m := &Model{
		params: vals, features: st.Features, inputs: slices.Clone(file.Inputs), objective: st.Objective,
		classes: st.Classes, target: st.Target, targetType: st.TargetType, initScore: st.InitScore, treesPerIter: K,
	}
	seen := map[string]bool{}
	for j, in := range file.Inputs {
		if in.Name != st.Features[j] || seen[in.Name] {
			return nil, errorf("input %d is %q, expected feature %q once", j, in.Name, st.Features[j])
		}
		seen[in.Name] = true
		mp := &mapper{categorical: st.Categorical[j]}
		if mp.categorical {
			if len(in.Categories) > MaxCategories || !slices.IsSorted(in.Categories) {
				return nil, errorf("the categories of feature %q are not sorted or too many", in.Name)
			}
			mp.categories = in.Categories
		} else if len(in.Categories) > 0 {
			return nil, errorf("numeric feature %q has categories", in.Name)
		}
		m.mappers = append(m.mappers, mp)
	}
	outs := m.Outputs()
	if len(outs) != len(file.Outputs) {
		return nil, errorf("%d outputs, expected %d", len(file.Outputs), len(outs))
	}
	for i := range outs {
		if outs[i].Name != file.Outputs[i].Name || outs[i].Type != file.Outputs[i].Type {
			return nil, errorf("output %d is %q, expected %q", i, file.Outputs[i].Name, outs[i].Name)
		}
	}
	if m.trees, err = decodeTrees(file, st.NumTrees, m.mappers); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeTrees reads the nodes and leaves tables into numTrees trees.
func decodeTrees(file *engine.ModelFile, numTrees int, mappers []*mapper) ([]*Tree, error) {
	nodes, err := file.Table("nodes")
	if err != nil {
		return nil, err
	}
	leaves, err := file.Table("leaves")
	if err != nil {
		return nil, err
	}
	if leaves == nil {
		return nil, errorf("the leaves table is empty")
	}
	ns := 0
	if nodes != nil {
		ns = nodes.NumRows()
	}
	// Every tree has a leaf: a count beyond the leaves is a lie that must
	// not size an allocation.
	if numTrees > leaves.NumRows() {
		return nil, errorf("%d trees but %d leaves", numTrees, leaves.NumRows())
	}
	trees := make([]*Tree, numTrees)
	for i := range trees {
		trees[i] = &Tree{}
	}
	treeOf := func(col *array.Int32, i int) (*Tree, error) {
		ti := col.Value(i)
		if ti < 0 || int(ti) >= numTrees || (i > 0 && col.Value(i-1) > ti) {
			return nil, errorf("tree number %d at row %d is out of range or order", ti, i)
		}
		return trees[ti], nil
	}
	if ns > 0 {
		tree, err := tableColumn[*array.Int32](nodes, "nodes", "tree")
		if err != nil {
			return nil, err
		}
		feature, err := tableColumn[*array.Int32](nodes, "nodes", "feature")
		if err != nil {
			return nil, err
		}
		threshold, err := tableColumn[*array.Float64](nodes, "nodes", "threshold")
		if err != nil {
			return nil, err
		}
		cats, err := tableColumn[*array.List](nodes, "nodes", "categories")
		if err != nil {
			return nil, err
		}
		catVals, ok := cats.ListValues().(*array.Int32)
		if !ok || catVals.NullN() > 0 {
			return nil, errorf("the categories column does not hold int32 codes")
		}
		defLeft, err := tableColumn[*array.Boolean](nodes, "nodes", "default_left")
		if err != nil {
			return nil, err
		}
		left, err := tableColumn[*array.Int32](nodes, "nodes", "left")
		if err != nil {
			return nil, err
		}
		right, err := tableColumn[*array.Int32](nodes, "nodes", "right")
		if err != nil {
			return nil, err
		}
		gain, err := tableColumn[*array.Float64](nodes, "nodes", "gain")
		if err != nil {
			return nil, err
		}
		count, err := tableColumn[*array.Int64](nodes, "nodes", "count")
		if err != nil {
			return nil, err
		}
		value, err := tableColumn[*array.Float64](nodes, "nodes", "value")
		if err != nil {
			return nil, err
		}
		for i := range ns {
			t, err := treeOf(tree, i)
			if err != nil {
				return nil, err
			}
			f := feature.Value(i)
			if f < 0 || int(f) >= len(mappers) {
				return nil, errorf("node row %d splits on feature %d of %d", i, f, len(mappers))
			}
			var bits []uint64
			if mp := mappers[f]; mp.categorical {
				bits = make([]uint64, (len(mp.categories)+63)/64)
				lo, hi := cats.ValueOffsets(i)
				for _, c := range catVals.Int32Values()[lo:hi] {
					if c < 0 || int(c) >= len(mp.categories) {
						return nil, errorf("node row %d sends category %d of %d left", i, c, len(mp.categories))
					}
					bits[c>>6] |= 1 << (c & 63)
				}
			}
			t.Feature = append(t.Feature, f)
			t.Threshold = append(t.Threshold, threshold.Value(i))
			t.CatLeft = append(t.CatLeft, bits)
			t.DefaultLeft = append(t.DefaultLeft, defLeft.Value(i))
			t.Left = append(t.Left, left.Value(i))
			t.Right = append(t.Right, right.Value(i))
			t.Gain = append(t.Gain, gain.Value(i))
			t.Count = append(t.Count, count.Value(i))
			t.Value = append(t.Value, value.Value(i))
		}
	}
	lt, err := tableColumn[*array.Int32](leaves, "leaves", "tree")
	if err != nil {
		return nil, err
	}
	lv, err := tableColumn[*array.Float64](leaves, "leaves", "value")
	if err != nil {
		return nil, err
	}
	lc, err := tableColumn[*array.Int64](leaves, "leaves", "count")
	if err != nil {
		return nil, err
	}
	for i := range leaves.NumRows() {
		t, err := treeOf(lt, i)
		if err != nil {
			return nil, err
		}
		t.LeafValue = append(t.LeafValue, lv.Value(i))
		t.LeafCount = append(t.LeafCount, lc.Value(i))
	}
	categorical := categoricalFlags(mappers)
	for ti, t := range trees {
		if err := t.validate(len(mappers), categorical); err != nil {
			return nil, errorf("tree %d: %v", ti, err)
		}
	}
	return trees, nil
}

// Summary returns the features, which are categorical, the classes, the
// number of trees and the feature importances (split counts and total
// gains, in feature order).
func (m *Model) Summary() map[string]any {
	splits, gains := m.importance()
	out := map[string]any{
		"features":            m.features,
		"categorical":         categoricalFlags(m.mappers),
		"objective":           m.objective,
		"num_trees":           len(m.trees),
		"trees_per_iteration": m.treesPerIter,
		"iterations":          len(m.trees) / m.treesPerIter,
		"init_score":          m.initScore,
		"feature_importance":  map[string]any{"split": splits, "gain": gains},
	}
	if m.classes != nil {
		out["classes"] = m.classes.Labels()
	}
	return out
}

// categoricalFlags reports which features are categorical.
func categoricalFlags(mappers []*mapper) []bool {
	out := make([]bool, len(mappers))
	for j, mp := range mappers {
		out[j] = mp.categorical
	}
	return out
}

// importance returns, per feature, the number of splits on it and their
// total gain over all trees.
func (m *Model) importance() ([]int, []float64) {
	splits := make([]int, len(m.features))
	gains := make([]float64, len(m.features))
	for _, t := range m.trees {
		for i, f := range t.Feature {
			splits[f]++
			gains[f] += t.Gain[i]
		}
	}
	return splits, gains
}
