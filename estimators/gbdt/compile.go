package gbdt

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/quiver-ml/quiver/estimators"
)

// Compile writes the model as Go source whose scores are Apply's, bit for
// bit: every tree's leaf value summed in boosting order from the initial
// score. Only the default outputs are compiled (no raw scores or
// contributions).
//
// The trees become functions that each run a group of trees as nested
// branches over a block of rows (see declareGroups), reading each row's
// features as small integers (see quantize). Where the Gen allows blocks
// (the model is the scorer, or a pipeline's last step), row code writes
// the features of up to estimators.BlockRows rows into a buffer and block
// code runs every group over them; otherwise each row is a block of one.
func (m *Model) Compile(g *estimators.Gen) error {
	q, err := m.quantize()
	if err != nil {
		return err
	}
	width, slot := 2*q.nf, q.slot
	K := m.treesPerIter
	raw := make([]string, K)
	for k := range raw {
		raw[k] = g.Local("raw")
	}
	xs, x := g.Local("xs"), g.Local("x")
	row := "0"
	var call func(group string)
	if g.Blocks() {
		row = g.BlockRow()
		g.Buffer(xs, slot, width)
		for k := range raw {
			g.Buffer(raw[k], "float64", 1)
		}
		args := fmt.Sprintf("%s, %s, %s", xs, g.BlockLen(), strings.Join(raw, ", "))
		call = func(group string) { g.BlockLine("%s(%s)", group, args) }
	} else {
		g.Line("var %s [%d]%s", xs, width, slot)
		for k := range raw {
			g.Line("var %s [1]float64", raw[k])
		}
		args := xs + "[:], 1"
		for k := range raw {
			args += ", " + raw[k] + "[:]"
		}
		call = func(group string) { g.Line("%s(%s)", group, args) }
	}
	if err := m.readInputs(g, q, xs, x); err != nil {
		return err
	}
	out := make([]string, K)
	for k := range raw {
		g.Line("%s[%s] = %s", raw[k], row, estimators.GoFloat(m.initScore[k]))
		out[k] = raw[k] + "[" + row + "]"
	}
	for _, group := range m.declareGroups(g, q) {
		call(group)
	}
	return m.outputs(g, out)
}

// quantized holds, for every numeric feature, the distinct thresholds its
// splits use, sorted: the trees read a value v as the number of them below
// v, so that a split "v <= t" becomes "that number <= t's index", an
// integer compared with a constant (one instruction, where a float64 takes
// a load, a compare and a wait).
//
// A categorical feature is read as its category's code, or as the number
// of categories (ncat) when missing or unseen.
type quantized struct {
	nf         int
	names      []string // the features
	thresholds [][]float64
	ncat       []int
	// slot is the narrowest unsigned type that holds every feature's
	// reading: usually uint8, as trees split a feature at most at 254
	// bins' edges, so that a block's rows take a quarter of the cache
	// int32 would.
	slot string
}

// quantize collects the thresholds. It fails for a NaN threshold, which a
// trained model does not hold.
func (m *Model) quantize() (*quantized, error) {
	nf := len(m.features)
	q := &quantized{nf: max(nf, 1), names: m.features, thresholds: make([][]float64, nf), ncat: make([]int, nf)}
	for j, mp := range m.mappers {
		if mp.categorical {
			q.ncat[j] = len(mp.categories)
		}
	}
	for _, t := range m.trees {
		for c, f := range t.Feature {
			if t.CatLeft[c] != nil {
				continue
			}
			thr := t.Threshold[c] + 0 // -0 and +0 are one threshold
			if thr != thr {
				return nil, fmt.Errorf("tree split on %q has a NaN threshold", m.features[f])
			}
			q.thresholds[f] = append(q.thresholds[f], thr)
		}
	}
	most := 0
	for f, ts := range q.thresholds {
		slices.Sort(ts)
		q.thresholds[f] = slices.Compact(ts)
		most = max(most, len(q.thresholds[f]), q.ncat[f])
	}
	switch {
	case most <= math.MaxUint8:
		q.slot = "uint8"
	case most <= math.MaxUint16:
		q.slot = "uint16"
	default:
		q.slot = "uint32"
	}
	return q, nil
}

// keySource declares orderKey (bins.go) in the scorer as function name,
// without a branch.
const keySource = "func %s(v float64) uint64 {\nb := math.Float64bits(v + 0)\nreturn b ^ (uint64(int64(b)>>63) | 1<<63)\n}"

// goesLeft is the Go condition of numeric split c of t: the row's count
// of thresholds below its value at most the split's threshold's index,
// read from slot f (where a missing value counts 0, so goes left) when
// missing values go left and from slot nf+f (where it counts them all, so
// goes right) when they go right.
func (q *quantized) goesLeft(t *Tree, c int32) string {
	f := int(t.Feature[c])
	slot := f
	if !t.DefaultLeft[c] {
		slot += q.nf
	}
	index, _ := slices.BinarySearch(q.thresholds[f], t.Threshold[c])
	return fmt.Sprintf("x[%d] <= %d", slot, index)
}

// split is the comment that says split c of t in the model's terms.
func (q *quantized) split(t *Tree, c int32) string {
	missing := "right"
	if t.DefaultLeft[c] {
		missing = "left"
	}
	return fmt.Sprintf("// %q <= %s, missing %s", q.names[t.Feature[c]], estimators.GoFloat(t.Threshold[c]), missing)
}

// readInputs writes each row's features into its row of the buffer xs,
// seen as the array x: for a numeric feature its count of thresholds
// below the value, in slots f and nf+f (a missing value counting none and
// all of them), for a categorical one its index among the training
// categories in slot f (their number for a missing or unseen one), as
// goesLeft and the categorical splits read them. With blocks, a feature
// read straight from the batch is done for the whole block at once, one
// feature after another, so that its thresholds stay in cache; others are
// done row by row, in the row code of the steps that computed them, before
// any block code ends its rows' scope.
func (m *Model) readInputs(g *estimators.Gen, q *quantized, xs, x string) error {
	width := 2 * q.nf
	view := fmt.Sprintf("%s := &%s", x, xs)
	if g.Blocks() {
		view = fmt.Sprintf("%s := (*[%d]%s)(%s[%s*%d:])", x, width, q.slot, xs, g.BlockRow(), width)
	}
	var colCode []string
	viewed := false
	bins := map[int]string{} // the count function of each table size
	key := ""
	for j, f := range m.features {
		v, err := g.Pass(f)
		if err != nil {
			return err
		}
		var stmt string
		switch {
		case m.mappers[j].categorical:
			code, ok := g.Code(v, m.mappers[j].categories)
			if !ok {
				return fmt.Errorf("feature %q was categorical in training but is numeric here", f)
			}
			// Missing (-1) and unseen (-2) both read as ncat; the
			// variable lets a constant code convert.
			stmt = fmt.Sprintf("{\nc := int32(%s)\n%s[%d] = %s(min(uint32(c), %d))\n}", code, x, j, q.slot, q.ncat[j])
		case v.Categorical || v.Strings != "":
			return fmt.Errorf("feature %q was numeric in training but is categorical here", f)
		case len(q.thresholds[j]) == 0:
			continue // no split reads it
		default:
			ts := q.thresholds[j]
			// A table of 2^k keys, padded with the largest, so that the
			// count takes k steps without a branch.
			size := 1 << bits.Len(uint(len(ts)))
			if key == "" {
				key = g.Local("key")
				g.Import("math/bits")
				g.Decl("// %s maps v, not NaN, to a key whose unsigned order is the floats' order.\n"+keySource, key, key)
			}
			bin, ok := bins[size]
			if !ok {
				bin = g.Local("count")
				bins[size] = bin
				g.Decl("// %s returns how many of the sorted keys t are below v's.\n"+
					"func %s(v float64, t *[%d]uint64) %s {\nk := %s(v)\nbase := 0\nfor half := %d; half >= 1; half >>= 1 {\n"+
					"_, below := bits.Sub64(t[base+half-1], k, 0)\nbase += half & -int(below)\n}\nreturn %s(base)\n}",
					bin, bin, size, q.slot, key, size/2, q.slot)
			}
			table := g.Local("thresholds")
			var tb strings.Builder
			for i := range size {
				if i < len(ts) {
					fmt.Fprintf(&tb, "%#x, // %s\n", orderKey(ts[i]), estimators.GoFloat(ts[i]))
				} else {
					tb.WriteString("math.MaxUint64,\n")
				}
			}
			g.Decl("// %s are the keys of feature %s's thresholds.\nvar %s = [%d]uint64{\n%s}", table, strconv.Quote(f), table, size, tb.String())
			stmt = fmt.Sprintf("if v := %[1]s; v == v {\nb := %[2]s(v, &%[3]s)\n%[4]s[%[5]d], %[4]s[%[6]d] = b, b\n} else {\n%[4]s[%[5]d], %[4]s[%[6]d] = 0, %[7]d\n}",
				v.Expr, bin, table, x, j, q.nf+j, len(ts))
		}
		if g.Blocks() && v.Column {
			colCode = append(colCode, stmt)
			continue
		}
		if !viewed {
			g.Line("%s", view)
			viewed = true
		}
		g.Line("%s", stmt)
	}
	if !viewed && !g.Blocks() {
		g.Line("%s\n_ = %s", view, x)
	}
	for _, stmt := range colCode {
		g.EachRow("%s\n%s", view, stmt)
	}
	return nil
}

// outputs declares the prediction (and class probabilities) from the
// margins raw, one per tree of an iteration.
func (m *Model) outputs(g *estimators.Gen, raw []string) error {
	if m.classes == nil {
		pred := raw[0]
		if m.objective == objPoisson {
			pred = "math.Exp(" + pred + ")"
		}
		g.Output("prediction", estimators.Value{Expr: pred})
		return nil
	}
	return g.ClassOutputs(m.classes, raw)
}

// declareGroups declares the trees, in groups of about blockSplits splits,
// as functions that add each group's leaf values to the margins of a
// block's rows (raw0, raw1... one per tree of an iteration) in boosting
// order, as Apply adds them, and returns their names in order.
//
// A tree's splits are data-dependent branches. Run over many rows in a
// row, a group's few hundred branches stay in the instruction cache and
// the branch predictor, which learns how they go (a row's way through one
// tree foretells its way through the next, as consecutive trees split
// alike); run row by row through hundreds of trees, they would miss both.
// A group is a function, not each tree: a call per tree and row costs as
// much as the tree.
func (m *Model) declareGroups(g *estimators.Gen, q *quantized) []string {
	width, slot, K := 2*q.nf, q.slot, m.treesPerIter
	params := "xs []" + slot + ", n int"
	for k := range K {
		params += fmt.Sprintf(", raw%d", k)
	}
	params += " []float64"
	var names []string
	for lo := 0; lo < len(m.trees); {
		hi, splits := lo, 0
		for hi < len(m.trees) && (hi == lo || splits+len(m.trees[hi].Feature) <= blockSplits) {
			splits += len(m.trees[hi].Feature)
			hi++
		}
		name := g.Local("trees")
		var b strings.Builder
		fmt.Fprintf(&b, "// %s adds trees %d to %d.\nfunc %s(%s) {\nfor r := range n {\nx := (*[%d]%s)(xs[r*%d:])\n", name, lo, hi-1, name, params, width, slot, width)
		for k := range K {
			fmt.Fprintf(&b, "s%d := raw%d[r]\n", k, k)
		}
		b.WriteString("var v float64\n")
		for ti := lo; ti < hi; ti++ {
			// Braces keep a tree's declarations out of the label's
			// scope, which a goto may not jump into.
			label := fmt.Sprintf("tree%d", ti)
			b.WriteString("{\n")
			t := m.trees[ti]
			writeNode(&b, q, t, t.root(), selected(t), label)
			fmt.Fprintf(&b, "}\n%s:\ns%d += v\n", label, ti%K)
		}
		for k := range K {
			fmt.Fprintf(&b, "raw%d[r] = s%d\n", k, k)
		}
		b.WriteString("}\n}")
		g.Decl("%s", b.String())
		names = append(names, name)
		lo = hi
	}
	return names
}

// blockSplits is about how many splits a group of declareGroups holds:
// enough to make its call cheap, few enough that its branches stay in the
// predictor and the Go compiler, whose time grows faster than a
// function's size, compiles it quickly.
const blockSplits = 240

// writeNode writes the branches below child reference c, as goesLeft
// decides them, reading the features as readInputs writes them; a path
// ends by setting v to its leaf value and jumping to label.
func writeNode(b *strings.Builder, q *quantized, t *Tree, c int32, sel []bool, label string) {
	if c < 0 {
		fmt.Fprintf(b, "v = %s\ngoto %s\n", estimators.GoFloat(t.LeafValue[^c]), label)
		return
	}
	if sel[c] {
		// A small subtree of numeric splits: every split tested and
		// the leaf chosen by conditional moves of its bits, no branch
		// whose direction the predictor could lose.
		var seq int
		leaf := writeSelect(b, q, t, c, &seq)
		fmt.Fprintf(b, "v = math.Float64frombits(%s)\ngoto %s\n", leaf, label)
		return
	}
	f := t.Feature[c]
	switch cats := t.CatLeft[c]; {
	case cats != nil:
		var codes []string
		for w, word := range cats {
			for bit := range 64 {
				if word&(1<<bit) != 0 {
					codes = append(codes, fmt.Sprint(w*64+bit))
				}
			}
		}
		// A function literal keeps the test an expression, so the
		// branches nest as they do for numeric splits.
		fmt.Fprintf(b, "if func(c %s) bool {\nif c == %d {\nreturn %v\n}\n", q.slot, q.ncat[f], t.DefaultLeft[c])
		if len(codes) > 0 {
			fmt.Fprintf(b, "switch c {\ncase %s:\nreturn true\n}\n", strings.Join(codes, ", "))
		}
		fmt.Fprintf(b, "return false\n}(x[%d]) {\n", f)
	default:
		fmt.Fprintf(b, "if %s { %s\n", q.goesLeft(t, c), q.split(t, c))
	}
	writeNode(b, q, t, t.Left[c], sel, label)
	b.WriteString("}\n")
	writeNode(b, q, t, t.Right[c], sel, label)
}

// Costs, in about cycles per row, of a tree's two ways to decide a split:
// a branch, which the predictor loses (at mispredictPenalty) about as
// often as a row takes the rarer way, and conditional moves after testing
// every split of the subtree (selectCost each: the tests of a subtree do
// not wait on one another, so several run in a cycle). selectCost was
// tuned on the export benchmark's models, 31 and 255 leaves, where it
// beat a subtree size limit; from 0.6 to 1 scores about alike.
const (
	branchCost        = 1.0
	mispredictPenalty = 18.0
	selectCost        = 0.8
)

// selected reports for each split of t whether writeNode evaluates its
// subtree without a branch: where that costs less than branching there,
// by the training rows' way through the tree. Categorical splits and the
// subtrees holding them always branch.
func selected(t *Tree) []bool {
	sel := make([]bool, len(t.Feature))
	// cost returns the expected cost of a row reaching c and the
	// number of splits below it (-1 when one is categorical).
	var cost func(c int32) (float64, int)
	share := func(c int32) float64 {
		if c < 0 {
			return float64(t.LeafCount[^c])
		}
		return float64(t.Count[c])
	}
	cost = func(c int32) (float64, int) {
		if c < 0 {
			return 0, 0
		}
		cl, nl := cost(t.Left[c])
		cr, nr := cost(t.Right[c])
		pl := 0.5
		if tot := share(t.Left[c]) + share(t.Right[c]); tot > 0 {
			pl = share(t.Left[c]) / tot
		}
		branch := branchCost + mispredictPenalty*min(pl, 1-pl) + pl*cl + (1-pl)*cr
		if t.CatLeft[c] != nil || nl < 0 || nr < 0 {
			return branch, -1
		}
		n := nl + nr + 1
		if s := selectCost * float64(n); s <= branch {
			sel[c] = true
			return s, n
		}
		return branch, n
	}
	cost(t.root())
	return sel
}

// writeSelect writes statements that leave the bits of the leaf value a
// row reaches below child reference c in a new variable, whose name it
// returns, testing every split on the way and choosing with conditional
// moves.
func writeSelect(b *strings.Builder, q *quantized, t *Tree, c int32, seq *int) string {
	*seq++
	name := fmt.Sprintf("leaf%d", *seq)
	if c < 0 {
		v := t.LeafValue[^c]
		fmt.Fprintf(b, "%s := uint64(%#016x) // %s\n", name, math.Float64bits(v), estimators.GoFloat(v))
		return name
	}
	left := writeSelect(b, q, t, t.Left[c], seq)
	right := writeSelect(b, q, t, t.Right[c], seq)
	fmt.Fprintf(b, "%s := %s\nif %s { %s\n%s = %s\n}\n", name, right, q.goesLeft(t, c), q.split(t, c), name, left)
	return name
}
