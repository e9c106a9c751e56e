package gbdt

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// TestRoundTrip checks that a decoded model gives the same outputs, bit for
// bit, as the fitted one, and encodes to the same bytes.
func TestRoundTrip(t *testing.T) {
	d := makeMixed(2000, 31)
	train := d.frame(t, false)
	probe := makeMixed(500, 32).frame(t, true)
	cases := []struct {
		name   string
		spec   estimators.Spec
		params map[string]any
		K      int
	}{
		{"regression", estimators.Spec{Target: "reg", Features: mixedFeatures}, map[string]any{"max_iter": 20}, 1},
		{"huber, weighted", estimators.Spec{Target: "reg", Features: mixedFeatures, Weight: "w"}, map[string]any{"objective": "huber", "max_iter": 10}, 1},
		{"poisson", estimators.Spec{Target: "cnt", Features: mixedFeatures}, map[string]any{"objective": "poisson", "max_iter": 10}, 1},
		{"binary", estimators.Spec{Target: "bin", Features: mixedFeatures}, map[string]any{"objective": "log_loss", "max_iter": 20, "subsample": 0.7}, 1},
		{"three string classes", estimators.Spec{Target: "cls", Features: mixedFeatures}, map[string]any{"max_iter": 10, "colsample": 0.5}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := fitModel(t, train, c.spec, c.params)
			if m.treesPerIter != c.K {
				t.Fatalf("%d trees per iteration, want %d", m.treesPerIter, c.K)
			}
			cat := 0
			for _, tr := range m.trees {
				for _, cl := range tr.CatLeft {
					if cl != nil {
						cat++
					}
				}
			}
			if cat == 0 {
				t.Error("no categorical split: the test does not cover them")
			}
			m2, b := roundTrip(t, m)
			_, b2 := roundTrip(t, m2)
			if string(b) != string(b2) {
				t.Error("re-encoding the decoded model gives different bytes")
			}
			opts := estimators.ApplyOptions{Threads: 2, RawScore: true, Contributions: true}
			for _, f := range []*engine.Frame{train, probe} {
				sameColumns(t, "decoded model", apply(t, m, f, opts), apply(t, m2, f, opts))
			}
			p1, err := m.Apply(context.Background(), probe, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer p1.Release()
			p2, err := m2.Apply(context.Background(), probe, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer p2.Release()
			sameColumns(t, "Apply", p1, p2)
			s1, err1 := json.Marshal(m.Summary())
			s2, err2 := json.Marshal(m2.Summary())
			if err1 != nil || err2 != nil {
				t.Errorf("summaries are not JSON: %v, %v", err1, err2)
			}
			if string(s1) != string(s2) {
				t.Errorf("summaries differ:\n%s\n%s", s1, s2)
			}
			if !slices.EqualFunc(m.Outputs(), m2.Outputs(), func(a, b engine.Field) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("outputs %v, decoded %v", m.Outputs(), m2.Outputs())
			}
			// Through the registry too.
			file, err := engine.UnmarshalModelFile(b)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Release()
			if m3, err := estimators.Decode(file); err != nil || m3.Learner() != Name {
				t.Errorf("estimators.Decode: %v", err)
			}
		})
	}
}

// TestCategoryEncodings checks that predictions do not depend on how a
// categorical column arrives (strings, large strings, or a dictionary in
// any order with unused entries) and that unseen categories are missing.
func TestCategoryEncodings(t *testing.T) {
	d := makeMixed(2000, 33)
	for _, trainDict := range []bool{false, true} {
		t.Run(fmt.Sprintf("trained on a dictionary %v", trainDict), func(t *testing.T) {
			train := d.frame(t, trainDict)
			m, _ := fitModel(t, train, estimators.Spec{Target: "cls", Features: mixedFeatures}, map[string]any{"max_iter": 10})
			j := slices.Index(m.features, "cat")
			if got := m.Inputs()[j].Categories; !slices.Equal(got, mixedCats) {
				t.Fatalf("categories %q, want %q", got, mixedCats)
			}
			p := makeMixed(400, 34)
			// Rows 0..99 take an unseen category, rows 100..199 a null.
			for i := range 200 {
				p.cat[i], p.catValid[i] = "never seen", i >= 100
			}
			num, ints, noise := floatsValid(p.num, p.numValid), int64s(p.ints), floats(p.noise, false)
			defer num.Release()
			defer ints.Release()
			defer noise.Release()
			probe := func(cat arrow.Array) *engine.Frame {
				num.Retain()
				ints.Retain()
				noise.Retain()
				return frame(t, []string{"noise", "cat", "ints", "num"}, noise, cat, ints, num)
			}
			opts := estimators.ApplyOptions{RawScore: true, Contributions: true}
			ref := apply(t, m, probe(strsValid(p.cat, p.catValid)), opts)
			for name, cat := range map[string]arrow.Array{
				"dictionary":                 dictOf(p.cat, []string{"never seen", "e", "zzz", "d", "c", "b", "a", "f"}, p.catValid),
				"other dictionary order":     dictOf(p.cat, []string{"f", "a", "b", "never seen", "c", "d", "e"}, p.catValid),
				"large strings":              strsLarge(p.cat, p.catValid),
				"dictionary in sorted order": dictOf(p.cat, []string{"a", "b", "c", "d", "e", "f", "never seen"}, p.catValid),
			} {
				sameColumns(t, name, ref, apply(t, m, probe(cat), opts))
			}
			// Unseen categories take the missing values' branches.
			unseen := probe(strsValid(slices.Repeat([]string{"never seen"}, 400), nil))
			null := probe(strsValid(slices.Repeat([]string{"a"}, 400), make([]bool, 400)))
			sameColumns(t, "unseen vs null", apply(t, m, unseen, opts), apply(t, m, null, opts))
		})
	}
}

// TestContributions checks the names and order of Explain's columns and
// that every class's contributions add up to its raw score.
func TestContributions(t *testing.T) {
	d := makeMixed(1500, 41)
	train := d.frame(t, false)
	probe := makeMixed(300, 42).frame(t, true)
	contribs := func(sfx string) []string {
		var out []string
		for _, f := range mixedFeatures {
			out = append(out, "contribution_"+f+sfx)
		}
		return append(out, "contribution_bias"+sfx)
	}
	cases := []struct {
		name     string
		spec     estimators.Spec
		params   map[string]any
		outputs  []string // default outputs
		suffixes []string
	}{
		{"regression", estimators.Spec{Target: "reg", Features: mixedFeatures}, map[string]any{"max_iter": 15},
			[]string{"prediction"}, []string{""}},
		{"poisson", estimators.Spec{Target: "cnt", Features: mixedFeatures}, map[string]any{"objective": "poisson", "max_iter": 15},
			[]string{"prediction"}, []string{""}},
		{"binary", estimators.Spec{Target: "bin", Features: mixedFeatures}, map[string]any{"objective": "log_loss", "max_iter": 15},
			[]string{"prediction", "probability_0", "probability_1"}, []string{""}},
		{"three classes", estimators.Spec{Target: "cls", Features: mixedFeatures}, map[string]any{"max_iter": 15},
			[]string{"prediction", "probability_hi", "probability_lo", "probability_mid"}, []string{"_hi", "_lo", "_mid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := fitModel(t, train, c.spec, c.params)
			var raws, all []string
			for _, s := range c.suffixes {
				raws = append(raws, "raw_score"+s)
				all = append(all, contribs(s)...)
			}
			for _, o := range []struct {
				opts estimators.ApplyOptions
				want []string
			}{
				{estimators.ApplyOptions{}, c.outputs},
				{estimators.ApplyOptions{RawScore: true}, slices.Concat(c.outputs, raws)},
				{estimators.ApplyOptions{Contributions: true}, slices.Concat(c.outputs, all)},
				{estimators.ApplyOptions{RawScore: true, Contributions: true, Threads: 2}, slices.Concat(c.outputs, raws, all)},
			} {
				out := apply(t, m, probe, o.opts)
				if !slices.Equal(out.Names(), o.want) {
					t.Errorf("%+v: columns %q, want %q", o.opts, out.Names(), o.want)
				}
			}
			var outNames []string
			for _, f := range m.Outputs() {
				outNames = append(outNames, f.Name)
			}
			if !slices.Equal(outNames, c.outputs) {
				t.Errorf("Outputs() %q, want %q", outNames, c.outputs)
			}
			out := apply(t, m, probe, estimators.ApplyOptions{RawScore: true, Contributions: true})
			for _, s := range c.suffixes {
				raw := column0(t, out, "raw_score"+s)
				sum := make([]float64, len(raw))
				for _, name := range contribs(s) {
					for i, v := range column0(t, out, name) {
						sum[i] += v
					}
				}
				for i := range raw {
					if math.Abs(sum[i]-raw[i]) > 1e-9 {
						t.Fatalf("row %d: contributions%s add up to %v, raw score %v", i, s, sum[i], raw[i])
					}
				}
			}
		})
	}
}

// TestContributionNames fits features whose contribution columns could
// clash: Explain must either name them apart or fail with an error of
// kind KindValue that names the culprit, never panic.
func TestContributionNames(t *testing.T) {
	n := 300
	x, y := make([]float64, n), make([]float64, n)
	labels := make([]string, n)
	for i := range n {
		x[i], y[i] = float64(i%13), float64(i%13%4)
		labels[i] = []string{"c", "b_c", "d"}[i%13%3]
	}
	for _, c := range []struct {
		name     string
		features []string
		target   string
		culprit  string
	}{
		{"a feature named bias", []string{"bias"}, "y", "bias"},
		{"feature plus class suffix", []string{"x", "x_b"}, "label", "x_b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cols := []arrow.Array{floats(y, false), strs(labels)}
			for range c.features {
				cols = append(cols, floats(x, false))
			}
			f := frame(t, append([]string{"y", "label"}, c.features...), cols...)
			m, _ := fitModel(t, f, estimators.Spec{Target: c.target, Features: c.features}, map[string]any{"max_iter": 3, "min_data_in_leaf": 5})
			out, err := m.Explain(context.Background(), f, estimators.ApplyOptions{Contributions: true})
			if err != nil {
				if engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), c.culprit) {
					t.Errorf("%v (%s): want a ValueError naming %q", err, engine.KindOf(err), c.culprit)
				}
				return
			}
			defer out.Release()
			t.Logf("columns %q", out.Names())
		})
	}
}

// TestApplyReleasesMemory checks, with a checked allocator, that Apply and
// Explain leave nothing allocated once their results are released, on
// success and on failure.
func TestApplyReleasesMemory(t *testing.T) {
	d := makeMixed(700, 43)
	train := d.frame(t, false)
	probe := makeMixed(600, 44).frame(t, true)
	noCat := frame(t, []string{"num", "ints", "noise"}, floats(d.noise, false), int64s(d.ints), floats(d.noise, false))
	models := map[string]*Model{}
	for _, target := range []string{"reg", "bin", "cls"} {
		params := map[string]any{"max_iter": 3}
		if target == "bin" {
			params["objective"] = "log_loss"
		}
		models[target], _ = fitModel(t, train, estimators.Spec{Target: target, Features: mixedFeatures}, params)
	}
	old := engine.Allocator
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	engine.Allocator = checked
	defer func() { engine.Allocator = old }()
	for name, m := range models {
		for _, opts := range []estimators.ApplyOptions{{}, {RawScore: true}, {Contributions: true, Threads: 2}, {RawScore: true, Contributions: true}} {
			out, err := m.Explain(context.Background(), probe, opts)
			if err != nil {
				t.Fatal(err)
			}
			out.Release()
			if _, err := m.Explain(context.Background(), noCat, opts); engine.KindOf(err) != engine.KindColumn {
				t.Errorf("%s: a frame without a feature gives %v", name, err)
			}
			if n := checked.CurrentAlloc(); n != 0 {
				t.Fatalf("%s %+v: %d bytes still allocated", name, opts, n)
			}
		}
	}
}

// TestApplyBadInputs checks the errors of Apply on frames that do not fit
// the model, and that a frame of no rows gives outputs of no rows.
func TestApplyBadInputs(t *testing.T) {
	d := makeMixed(500, 45)
	train := d.frame(t, false)
	m, _ := fitModel(t, train, estimators.Spec{Target: "cls", Features: mixedFeatures}, map[string]any{"max_iter": 3})
	n := 10
	num, cat := make([]float64, n), make([]string, n)
	cases := []struct {
		name    string
		frame   *engine.Frame
		kind    engine.Kind
		mention string
	}{
		{"missing column", frame(t, []string{"num", "cat", "ints"}, floats(num, false), strs(cat), floats(num, false)), engine.KindColumn, `"noise"`},
		{"string for a number", frame(t, []string{"num", "cat", "ints", "noise"}, strs(cat), strs(cat), floats(num, false), floats(num, false)), engine.KindType, `"num"`},
		{"number for a category", frame(t, []string{"num", "cat", "ints", "noise"}, floats(num, false), floats(num, false), floats(num, false), floats(num, false)), engine.KindType, `"cat"`},
	}
	for _, c := range cases {
		_, err := m.Apply(context.Background(), c.frame, 1)
		if engine.KindOf(err) != c.kind || !strings.Contains(fmt.Sprint(err), c.mention) {
			t.Errorf("%s: got %v (%s), want a %s naming %s", c.name, err, engine.KindOf(err), c.kind, c.mention)
		}
	}
	empty := frame(t, []string{"num", "cat", "ints", "noise"}, floats(nil, false), strs(nil), int64s(nil), floats(nil, false))
	out := apply(t, m, empty, estimators.ApplyOptions{RawScore: true, Contributions: true})
	if out.NumRows() != 0 || len(out.Names()) != 4+3+3*5 {
		t.Errorf("no rows: %d rows, columns %q", out.NumRows(), out.Names())
	}
}

// editTable returns a copy of a model file table with column name
// replaced by col (the table keeps its other columns).
func editTable(t testing.TB, tab *engine.Frame, name string, col arrow.Array) *engine.Frame {
	t.Helper()
	var cols []arrow.Array
	for i, c := range tab.Columns() {
		if tab.Names()[i] == name {
			cols = append(cols, col)
			continue
		}
		c.Retain()
		cols = append(cols, c)
	}
	return frame(t, slices.Clone(tab.Names()), cols...)
}

func int32s(v []int32) arrow.Array {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// TestDecodeRejects edits a good model file in every way that breaks it:
// Decode must fail with KindFormat.
func TestDecodeRejects(t *testing.T) {
	d := makeMixed(800, 46)
	train := d.frame(t, false)
	m, _ := fitModel(t, train, estimators.Spec{Target: "cls", Features: mixedFeatures},
		map[string]any{"max_iter": 4, "min_data_per_group": 10, "max_cat_to_onehot": 8})
	good, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer good.Release()
	nodes, _ := good.Table("nodes")
	leaves, _ := good.Table("leaves")
	var st map[string]any
	if err := json.Unmarshal(good.State, &st); err != nil {
		t.Fatal(err)
	}
	state := func(key string, v any) func(mf *engine.ModelFile) {
		return func(mf *engine.ModelFile) {
			s := map[string]any{}
			for k, v := range st {
				s[k] = v
			}
			s[key] = v
			mf.State, _ = json.Marshal(s)
		}
	}
	nodeCol := func(name string) []int32 {
		return slices.Clone(nodes.Column(name).(*array.Int32).Int32Values())
	}
	catIdx := slices.Index(m.features, "cat")
	numIdx := slices.Index(m.features, "num")
	// The first node splitting on the category, and the first on num.
	catNode, numNode := -1, -1
	for i, f := range nodeCol("feature") {
		if int(f) == catIdx && catNode < 0 {
			catNode = i
		}
		if int(f) == numIdx && numNode < 0 {
			numNode = i
		}
	}
	if catNode < 0 || numNode < 0 {
		t.Fatalf("no split on the category (%d) or on num (%d)", catNode, numNode)
	}
	edits := map[string]func(mf *engine.ModelFile){
		"learner":            func(mf *engine.ModelFile) { mf.Learner = "linear_regression" },
		"params":             func(mf *engine.ModelFile) { mf.Params = map[string]any{"num_leaves": 1.0} },
		"state not JSON":     func(mf *engine.ModelFile) { mf.State = []byte(`{"objective":`) },
		"unknown objective":  state("objective", "quantile"),
		"no features":        state("features", []string{}),
		"features renamed":   state("features", []string{"num", "cat", "ints", "other"}),
		"categorical flags":  state("categorical", []bool{false, true}),
		"trees per iter":     state("trees_per_iteration", 1),
		"init scores":        state("init_score", []float64{0}),
		"num_trees":          state("num_trees", 13),
		"negative num_trees": state("num_trees", -3),
		"regression classes": state("objective", "squared_error"),
		"one class":          state("classes", map[string]any{"kind": "string", "labels": []string{"hi"}}),
		"inputs":             func(mf *engine.ModelFile) { mf.Inputs = mf.Inputs[:3] },
		"inputs order": func(mf *engine.ModelFile) {
			mf.Inputs = slices.Clone(mf.Inputs)
			mf.Inputs[0], mf.Inputs[1] = mf.Inputs[1], mf.Inputs[0]
		},
		"unsorted categories": func(mf *engine.ModelFile) {
			mf.Inputs = slices.Clone(mf.Inputs)
			mf.Inputs[catIdx].Categories = []string{"b", "a", "c", "d", "e", "f"}
		},
		"numeric with categories": func(mf *engine.ModelFile) {
			mf.Inputs = slices.Clone(mf.Inputs)
			mf.Inputs[numIdx].Categories = []string{"x"}
		},
		"fewer categories": func(mf *engine.ModelFile) {
			mf.Inputs = slices.Clone(mf.Inputs)
			mf.Inputs[catIdx].Categories = []string{"a"}
		},
		"outputs": func(mf *engine.ModelFile) { mf.Outputs = mf.Outputs[:2] },
		"output type": func(mf *engine.ModelFile) {
			mf.Outputs = append([]engine.Field{{Name: "prediction", Type: "int64"}}, mf.Outputs[1:]...)
		},
		"no tables":     func(mf *engine.ModelFile) { mf.Tables = nil },
		"no leaves":     func(mf *engine.ModelFile) { mf.Tables = mf.Tables[:1] },
		"no node table": func(mf *engine.ModelFile) { mf.Tables = mf.Tables[1:] },
		"feature out of range": func(mf *engine.ModelFile) {
			f := nodeCol("feature")
			f[0] = 4
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "feature", int32s(f))}, mf.Tables[1]}
		},
		"negative feature": func(mf *engine.ModelFile) {
			f := nodeCol("feature")
			f[0] = -1
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "feature", int32s(f))}, mf.Tables[1]}
		},
		"child out of range": func(mf *engine.ModelFile) {
			l := nodeCol("left")
			l[0] = 1000
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "left", int32s(l))}, mf.Tables[1]}
		},
		"cycle": func(mf *engine.ModelFile) {
			l := nodeCol("left")
			l[1] = 0
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "left", int32s(l))}, mf.Tables[1]}
		},
		"child twice": func(mf *engine.ModelFile) {
			l, r := nodeCol("left"), nodeCol("right")
			r[0] = l[0]
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "right", int32s(r))}, mf.Tables[1]}
		},
		"tree numbers out of order": func(mf *engine.ModelFile) {
			tr := nodeCol("tree")
			tr[0] = 2
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "tree", int32s(tr))}, mf.Tables[1]}
		},
		"leaf tree out of range": func(mf *engine.ModelFile) {
			tr := slices.Clone(leaves.Column("tree").(*array.Int32).Int32Values())
			tr[len(tr)-1] = 12
			mf.Tables = []engine.Table{mf.Tables[0], {Name: "leaves", Frame: editTable(t, leaves, "tree", int32s(tr))}}
		},
		"NaN leaf": func(mf *engine.ModelFile) {
			v := slices.Clone(leaves.Column("value").(*array.Float64).Float64Values())
			v[3] = math.NaN()
			mf.Tables = []engine.Table{mf.Tables[0], {Name: "leaves", Frame: editTable(t, leaves, "value", floats(v, false))}}
		},
		"null leaf": func(mf *engine.ModelFile) {
			v := slices.Clone(leaves.Column("value").(*array.Float64).Float64Values())
			v[3] = math.NaN()
			mf.Tables = []engine.Table{mf.Tables[0], {Name: "leaves", Frame: editTable(t, leaves, "value", floats(v, true))}}
		},
		"NaN threshold": func(mf *engine.ModelFile) {
			v := slices.Clone(nodes.Column("threshold").(*array.Float64).Float64Values())
			v[numNode] = math.NaN()
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "threshold", floats(v, false))}, mf.Tables[1]}
		},
		"threshold of another type": func(mf *engine.ModelFile) {
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "threshold", int32s(make([]int32, nodes.NumRows())))}, mf.Tables[1]}
		},
		"category code out of range": func(mf *engine.ModelFile) {
			lb := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Int32)
			defer lb.Release()
			vb := lb.ValueBuilder().(*array.Int32Builder)
			for i := range nodes.NumRows() {
				lb.Append(true)
				if i == catNode {
					vb.Append(6)
				}
			}
			mf.Tables = []engine.Table{{Name: "nodes", Frame: editTable(t, nodes, "categories", lb.NewArray())}, mf.Tables[1]}
		},
	}
	for name, edit := range edits {
		mf := *good
		edit(&mf)
		if _, err := (Learner{}).Decode(&mf); engine.KindOf(err) != engine.KindFormat {
			t.Errorf("%s: got %v (%s), want a %s", name, err, engine.KindOf(err), engine.KindFormat)
		} else if strings.Contains(err.Error(), "runtime error") {
			t.Errorf("%s: decode recovered from a panic: %v", name, err)
		}
	}
	if _, err := (Learner{}).Decode(good); err != nil {
		t.Errorf("the unedited file: %v", err)
	}
	if _, err := (Learner{}).Decode(nil); engine.KindOf(err) != engine.KindFormat {
		t.Errorf("a nil file: %v", err)
	}
}

// TestDecodeBoundsNumTrees checks that the number of trees a file's state
// claims is checked against its tables before anything is allocated for
// them: a few bytes of JSON must not make Decode allocate gigabytes.
func TestDecodeBoundsNumTrees(t *testing.T) {
	d := makeMixed(300, 47)
	m, _ := fitModel(t, d.frame(t, false), estimators.Spec{Target: "reg", Features: mixedFeatures}, map[string]any{"max_iter": 2})
	mf, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Release()
	var st map[string]any
	json.Unmarshal(mf.State, &st)
	st["num_trees"] = 1 << 20
	mf.State, _ = json.Marshal(st)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = (Learner{}).Decode(mf)
	runtime.ReadMemStats(&after)
	if engine.KindOf(err) != engine.KindFormat {
		t.Fatalf("a file claiming 2^20 trees of 2: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("decoding a file that claims 2^20 trees allocated %d MB before failing (%v)", alloc>>20, err)
	}
}

// FuzzDecode feeds corrupt model files to the decoder, which must return an
// error of kind KindFormat or a model that can be applied, explained,
// summarised and encoded again, and never panic.
func FuzzDecode(f *testing.F) {
	d := makeMixed(400, 51)
	train := d.frame(f, false)
	for _, c := range []struct {
		target string
		params map[string]any
	}{
		{"reg", map[string]any{"max_iter": 2, "num_leaves": 4}},
		{"bin", map[string]any{"objective": "log_loss", "max_iter": 2, "num_leaves": 4, "min_data_per_group": 10}},
		{"cls", map[string]any{"max_iter": 1, "num_leaves": 3, "max_cat_to_onehot": 8}},
		{"cnt", map[string]any{"objective": "poisson", "max_iter": 1, "num_leaves": 3}},
	} {
		m, _ := fitModel(f, train, estimators.Spec{Target: c.target, Features: mixedFeatures}, c.params)
		f.Add(encodeBytes(f, m))
	}
	f.Fuzz(decodeAny)
}

// decodeAny decodes model file bytes and, when they make a model, applies,
// explains, summarises and encodes it again.
func decodeAny(t *testing.T, data []byte) {
	file, err := engine.UnmarshalModelFile(data)
	if err != nil {
		return
	}
	defer file.Release()
	model, err := Learner{}.Decode(file)
	if err != nil {
		if engine.KindOf(err) != engine.KindFormat {
			t.Fatalf("decode error of kind %s: %v", engine.KindOf(err), err)
		}
		return
	}
	m := model.(*Model)
	var names []string
	var cols []arrow.Array
	for _, in := range m.Inputs() {
		names = append(names, in.Name)
		if len(in.Categories) > 0 || slices.Contains([]string{"utf8", "large_utf8"}, in.Type) || strings.HasPrefix(in.Type, "dictionary") {
			known := "?"
			if len(in.Categories) > 0 {
				known = in.Categories[0]
			}
			cols = append(cols, strsValid([]string{known, "unseen", ""}, []bool{true, true, false}))
		} else {
			cols = append(cols, floats([]float64{1, -2, math.NaN()}, false))
		}
	}
	in, err := engine.NewFrame(names, cols)
	if err != nil {
		for _, c := range cols {
			c.Release()
		}
		return
	}
	defer in.Release()
	if out, err := m.Explain(context.Background(), in, estimators.ApplyOptions{Threads: 1, RawScore: true, Contributions: true}); err == nil {
		out.Release()
	}
	m.Summary()
	if mf, err := m.Encode(); err == nil {
		if _, err := mf.Marshal(); err != nil {
			t.Errorf("a decoded model does not marshal: %v", err)
		}
		mf.Release()
	}
}

// TestTargetTypes fits classifiers on every kind of label column and checks
// that predictions are labels of the target's kind, before and after a
// round trip.
func TestTargetTypes(t *testing.T) {
	n := 400
	x := make([]float64, n)
	flags := make([]bool, n)
	ints := make([]int64, n)
	fl := make([]float64, n)
	names := make([]string, n)
	for i := range n {
		x[i] = float64(i % 40)
		k := i % 40 / 10 // 0..3 by x
		flags[i] = k >= 2
		ints[i] = []int64{-5, 7, 7, 100}[k]
		fl[i] = []float64{2, 2, -1, 0.0}[k]
		names[i] = []string{"b", "a", "c", "a"}[k]
	}
	bb := array.NewBooleanBuilder(memory.DefaultAllocator)
	bb.AppendValues(flags, nil)
	bools := bb.NewArray()
	bb.Release()
	f := frame(t, []string{"x", "flag", "int", "float", "str", "dict", "large"},
		floats(x, false), bools, int64s(ints), floats(fl, false), strs(names), dictOf(names, []string{"c", "b", "a"}, nil), strsLarge(names, nil))
	probe := frame(t, []string{"x"}, floats([]float64{5, 15, 25, 35}, false))
	for _, c := range []struct {
		target, typ string
		want        []string
	}{
		{"flag", "bool", []string{"false", "false", "true", "true"}},
		{"int", "int64", []string{"-5", "7", "7", "100"}},
		{"float", "float64", []string{"2", "2", "-1", "0"}},
		{"str", "utf8", []string{"b", "a", "c", "a"}},
		{"dict", "utf8", []string{"b", "a", "c", "a"}},
		{"large", "utf8", []string{"b", "a", "c", "a"}},
	} {
		t.Run(c.target, func(t *testing.T) {
			m, _ := fitModel(t, f, estimators.Spec{Target: c.target, Features: []string{"x"}},
				map[string]any{"objective": "log_loss", "max_iter": 20, "min_data_in_leaf": 5, "min_data_per_group": 5})
			m2, _ := roundTrip(t, m)
			for _, model := range []*Model{m, m2} {
				if typ := model.Outputs()[0].Type; typ != c.typ {
					t.Errorf("prediction type %s, want %s", typ, c.typ)
				}
				out := apply(t, model, probe, estimators.ApplyOptions{})
				pred := out.Column("prediction")
				if pred.DataType().String() != c.typ {
					t.Errorf("prediction column of type %s, want %s", pred.DataType(), c.typ)
				}
				for i, w := range c.want {
					if got := pred.ValueStr(i); got != w {
						t.Errorf("x = %v: predicted %q, want %q", 10*i+5, got, w)
					}
				}
			}
		})
	}
}
