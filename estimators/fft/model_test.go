package fft

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// roundTripModels fits the models the file tests use: grown trees of every
// algorithm on the mixed frame, and a given tree with a numeric set and a
// logical cue on the hand-made frame.
func roundTripModels(t testing.TB) map[string]*Model {
	mixed := mixedFrame(t, 5000, 20)
	hand := handFrame(t, handY)
	models := map[string]*Model{}
	for _, alg := range []string{algIfan, algDfan, algMax, algZigzag} {
		models[alg], _ = fitModel(t, mixed, estimators.Spec{Target: "y"}, map[string]any{"algorithm": alg, "max_levels": 4})
	}
	models["given"], _ = fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	models["given, sets"], _ = fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{
		"tree": "If age = {70, NA}, decide False. If smoker != {FALSE}, decide True. If sex = {m, NA}, decide True, otherwise, decide False."})
	return models
}

// TestRoundTrip checks that a model decoded from its file gives the same
// predictions, probabilities and exit levels as the fitted one, the same
// summary, and encodes to the same bytes.
func TestRoundTrip(t *testing.T) {
	probe := mixedFrame(t, 3000, 21)
	hand := handFrame(t, handY)
	for name, m := range roundTripModels(t) {
		t.Run(name, func(t *testing.T) {
			m2, b := roundTrip(t, m)
			if _, b2 := roundTrip(t, m2); string(b) != string(b2) {
				t.Error("re-encoding the decoded model gives different bytes")
			}
			if m2.tree.Words() != m.tree.Words() || m2.tree.missingLast != m.tree.missingLast || !slices.Equal(m2.exits, m.exits) || m2.train != m.train {
				t.Errorf("decoded %s (%v, %v), fitted %s (%v, %v)", m2.tree.Words(), m2.tree.missingLast, m2.exits, m.tree.Words(), m.tree.missingLast, m.exits)
			}
			f := probe
			if strings.HasPrefix(name, "given") {
				f = hand
			}
			for _, threads := range []int{1, 3} {
				opts := estimators.ApplyOptions{ExitLevel: true, Threads: threads}
				sameColumns(t, "decoded model", apply(t, m, f, opts), apply(t, m2, f, opts))
			}
			s1, err1 := json.Marshal(m.Summary())
			s2, err2 := json.Marshal(m2.Summary())
			if err1 != nil || err2 != nil || string(s1) != string(s2) {
				t.Errorf("summaries differ (%v, %v):\n%s\n%s", err1, err2, s1, s2)
			}
			if fmt.Sprint(m.Inputs()) != fmt.Sprint(m2.Inputs()) {
				t.Errorf("inputs %v, decoded %v", m.Inputs(), m2.Inputs())
			}
			if fmt.Sprint(m.Params()) != fmt.Sprint(m2.Params()) {
				t.Errorf("params %v, decoded %v", m.Params(), m2.Params())
			}
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

// TestInputs checks that a model's inputs are the cues its tree asks
// about, in the order it first asks, with their training types (and for a
// string cue, the levels its sets name as its categories).
func TestInputs(t *testing.T) {
	hand := handFrame(t, handY)
	m, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": "If age > 60, decide True. If sex = {f}, decide False. If age > 30, decide True."})
	want := []engine.Field{{Name: "age", Type: "float64"}, {Name: "sex", Type: "utf8", Categories: []string{"f"}}}
	if got := m.Inputs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inputs %v, want %v", got, want)
	}
	// A frame without the unused cue smoker will do.
	f := frame(t, []string{"sex", "age"}, strs([]string{"f", "m"}), floats([]float64{70, 50}, false))
	out := apply(t, m, f, estimators.ApplyOptions{})
	if got := boolsOf(t, out.Column("prediction")); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("predictions %v", got)
	}
}

// TestExplain checks Explain's columns: prediction and probability_true,
// exit_level on request, and a KindValue error for raw scores and
// contributions, which fft models do not have.
func TestExplain(t *testing.T) {
	hand := handFrame(t, handY)
	m, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	for _, c := range []struct {
		opts estimators.ApplyOptions
		want []string
	}{
		{estimators.ApplyOptions{}, []string{"prediction", "probability_true"}},
		{estimators.ApplyOptions{ExitLevel: true, Threads: 2}, []string{"prediction", "probability_true", "exit_level"}},
	} {
		out := apply(t, m, hand, c.opts)
		if !slices.Equal(out.Names(), c.want) {
			t.Errorf("%+v: columns %q, want %q", c.opts, out.Names(), c.want)
		}
		if typ := out.Column("prediction").DataType().ID(); typ != arrow.BOOL {
			t.Errorf("prediction of type %s", typ)
		}
	}
	var names []string
	for _, f := range m.Outputs() {
		names = append(names, f.Name+" "+f.Type)
	}
	if want := []string{"prediction bool", "probability_true float64"}; !slices.Equal(names, want) {
		t.Errorf("outputs %q, want %q", names, want)
	}
	for _, opts := range []estimators.ApplyOptions{{RawScore: true}, {Contributions: true}, {RawScore: true, ExitLevel: true}} {
		if _, err := m.Explain(context.Background(), hand, opts); engine.KindOf(err) != engine.KindValue {
			t.Errorf("%+v: %v (%s), want a %s", opts, err, engine.KindOf(err), engine.KindValue)
		}
	}
	var _ estimators.Explainer = m
	// No rows in, no rows out.
	empty := frame(t, []string{"sex", "smoker", "age"}, strs(nil), bools(nil, nil), floats(nil, false))
	if out := apply(t, m, empty, estimators.ApplyOptions{ExitLevel: true}); out.NumRows() != 0 || len(out.Names()) != 3 {
		t.Errorf("no rows: %d rows, columns %q", out.NumRows(), out.Names())
	}
}

// dictOf builds a dictionary column of vals over the dictionary order
// (which may hold values that never occur); "" is null.
func dictOf(vals, order []string) arrow.Array {
	dict := strs(order)
	defer dict.Release()
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	defer ib.Release()
	for _, v := range vals {
		if v == "" {
			ib.AppendNull()
		} else {
			ib.Append(int32(slices.Index(order, v)))
		}
	}
	idx := ib.NewArray()
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, idx, dict)
}

// TestUnseenCategory checks that a level not seen in training is in no
// set, like any level the set does not name, while a null is the level NA;
// and that a dictionary column gives what strings give.
func TestUnseenCategory(t *testing.T) {
	train := frame(t, []string{"cat", "y"}, strs([]string{"a", "b", "c", "a", "b", "c"}), bools([]bool{true, false, true, true, false, false}, nil))
	m, _ := fitModel(t, train, estimators.Spec{Target: "y"}, map[string]any{
		"tree": "If cat = {a}, decide True. If cat != {b, NA}, decide True, otherwise, decide False."})
	vals := []string{"a", "b", "c", "zzz", ""}
	wantPred := []bool{true, false, true, true, false}
	wantLevel := []int32{1, 2, 2, 2, 2}
	for name, col := range map[string]arrow.Array{
		"strings":    strs(vals),
		"dictionary": dictOf(vals, []string{"unused", "zzz", "c", "b", "a"}),
	} {
		f := frame(t, []string{"cat"}, col)
		out := apply(t, m, f, estimators.ApplyOptions{ExitLevel: true})
		if got := boolsOf(t, out.Column("prediction")); !slices.Equal(got, wantPred) {
			t.Errorf("%s: predictions %v, want %v", name, got, wantPred)
		}
		if got := out.Column("exit_level").(*array.Int32).Int32Values(); !slices.Equal(got, wantLevel) {
			t.Errorf("%s: exit levels %v, want %v", name, got, wantLevel)
		}
	}
}

// TestApplyBadInputs checks the errors of Apply on frames that do not fit
// the model: a missing cue is a KindColumn error, a cue whose column cannot
// take the tree's question a KindType error, both naming the cue.
func TestApplyBadInputs(t *testing.T) {
	hand := handFrame(t, handY)
	m, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	n := 3
	num := func() arrow.Array { return floats(make([]float64, n), false) }
	str := func() arrow.Array { return strs(slices.Repeat([]string{"TRUE"}, n)) }
	bl := func() arrow.Array { return bools(make([]bool, n), nil) }
	cases := []struct {
		name    string
		frame   *engine.Frame
		kind    engine.Kind
		mention string
	}{
		{"missing cue", frame(t, []string{"sex", "age"}, str(), num()), engine.KindColumn, `"smoker"`},
		{"string for a number", frame(t, []string{"sex", "smoker", "age"}, str(), bl(), str()), engine.KindType, `"age"`},
		{"boolean for a number", frame(t, []string{"sex", "smoker", "age"}, str(), bl(), bl()), engine.KindType, `"age"`},
		{"number for a category", frame(t, []string{"sex", "smoker", "age"}, num(), bl(), num()), engine.KindType, `"sex"`},
		{"number for a boolean", frame(t, []string{"sex", "smoker", "age"}, str(), num(), num()), engine.KindType, `"smoker"`},
	}
	for _, c := range cases {
		_, err := m.Apply(context.Background(), c.frame, 1)
		if engine.KindOf(err) != c.kind || !strings.Contains(fmt.Sprint(err), c.mention) {
			t.Errorf("%s: got %v (%s), want a %s naming %s", c.name, err, engine.KindOf(err), c.kind, c.mention)
		}
	}
	// A tree whose numeric cue takes a set of numbers still takes numbers.
	m2, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": "If age = {70, 65}, decide True."})
	f := frame(t, []string{"age"}, int64s([]int64{70, 1, 65}))
	if got := boolsOf(t, apply(t, m2, f, estimators.ApplyOptions{}).Column("prediction")); !slices.Equal(got, []bool{true, false, true}) {
		t.Errorf("a set of numbers on int64: %v", got)
	}
}

// TestApplyReleasesMemory checks, with a checked allocator, that Explain
// leaves nothing allocated once its result is released, on success and on
// failure.
func TestApplyReleasesMemory(t *testing.T) {
	hand := handFrame(t, handY)
	m, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	noAge := frame(t, []string{"sex", "smoker"}, strs([]string{"f"}), bools([]bool{true}, nil))
	old := engine.Allocator
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	engine.Allocator = checked
	defer func() { engine.Allocator = old }()
	for _, opts := range []estimators.ApplyOptions{{}, {ExitLevel: true, Threads: 2}} {
		out, err := m.Explain(context.Background(), hand, opts)
		if err != nil {
			t.Fatal(err)
		}
		out.Release()
		if _, err := m.Explain(context.Background(), noAge, opts); engine.KindOf(err) != engine.KindColumn {
			t.Errorf("a frame without a cue gives %v", err)
		}
		if n := checked.CurrentAlloc(); n != 0 {
			t.Fatalf("%+v: %d bytes still allocated", opts, n)
		}
	}
}

// editTable returns a copy of a model file table with column name
// replaced by col.
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

func strsOf(c arrow.Array) []string {
	s := c.(*array.String)
	out := make([]string, s.Len())
	for i := range out {
		out[i] = s.Value(i)
	}
	return out
}

// TestDecodeRejects edits a good model file in every way that breaks it:
// Decode must fail with KindFormat, never by recovering from a runtime
// error.
func TestDecodeRejects(t *testing.T) {
	hand := handFrame(t, handY)
	m, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	good, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer good.Release()
	levels, err := good.Table("levels")
	if err != nil {
		t.Fatal(err)
	}
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
	column := func(name string, col func(tab *engine.Frame) arrow.Array) func(mf *engine.ModelFile) {
		return func(mf *engine.ModelFile) {
			mf.Tables = []engine.Table{{Name: "levels", Frame: editTable(t, levels, name, col(levels))}}
		}
	}
	editStrings := func(name string, row int, v string) func(mf *engine.ModelFile) {
		return column(name, func(tab *engine.Frame) arrow.Array {
			s := strsOf(tab.Column(name))
			s[row] = v
			b := array.NewStringBuilder(memory.DefaultAllocator)
			defer b.Release()
			b.AppendValues(s, nil)
			return b.NewArray()
		})
	}
	thresholds := func(row int, v float64, null bool) func(mf *engine.ModelFile) {
		return column("threshold", func(tab *engine.Frame) arrow.Array {
			x := slices.Clone(tab.Column("threshold").(*array.Float64).Float64Values())
			x[row] = v
			return floats(x, null)
		})
	}
	counts := func(name string, row int, v int64) func(mf *engine.ModelFile) {
		return column(name, func(tab *engine.Frame) arrow.Array {
			x := slices.Clone(tab.Column(name).(*array.Int64).Int64Values())
			x[row] = v
			return int64s(x)
		})
	}
	sets := func(sets [][]string) func(mf *engine.ModelFile) {
		return column("levels", func(*engine.Frame) arrow.Array {
			lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
			defer lb.Release()
			vb := lb.ValueBuilder().(*array.StringBuilder)
			for _, s := range sets {
				lb.Append(true)
				vb.AppendValues(s, nil)
			}
			return lb.NewArray()
		})
	}
	edits := map[string]func(mf *engine.ModelFile){
		"learner":              func(mf *engine.ModelFile) { mf.Learner = "gbdt" },
		"params":               func(mf *engine.ModelFile) { mf.Params = map[string]any{"max_levels": 99.0} },
		"unknown param":        func(mf *engine.ModelFile) { mf.Params = map[string]any{"depth": 3.0} },
		"state not JSON":       func(mf *engine.ModelFile) { mf.State = []byte(`{"target":`) },
		"state of wrong types": state("missing_last", "yes"),
		"negative otherwise":   state("otherwise_true", -1),
		"no tables":            func(mf *engine.ModelFile) { mf.Tables = nil },
		"table renamed":        func(mf *engine.ModelFile) { mf.Tables = []engine.Table{{Name: "nodes", Frame: levels}} },
		"unknown operator":     editStrings("op", 1, "=="),
		"empty operator":       editStrings("op", 0, ""),
		"cue not an input":     editStrings("cue", 2, "weight"),
		"input missing": func(mf *engine.ModelFile) {
			mf.Inputs = slices.DeleteFunc(slices.Clone(mf.Inputs), func(f engine.Field) bool { return f.Name == "smoker" })
		},
		"no inputs": func(mf *engine.ModelFile) { mf.Inputs = nil },
		"more inputs": func(mf *engine.ModelFile) {
			mf.Inputs = append(slices.Clone(mf.Inputs), engine.Field{Name: "x"}, engine.Field{Name: "z"})
		},
		"no outputs": func(mf *engine.ModelFile) { mf.Outputs = nil },
		"one output": func(mf *engine.ModelFile) { mf.Outputs = mf.Outputs[:1] },
		"outputs renamed": func(mf *engine.ModelFile) {
			mf.Outputs = []engine.Field{{Name: "prediction", Type: "bool"}, {Name: "probability_1", Type: "float64"}}
		},
		"output type": func(mf *engine.ModelFile) {
			mf.Outputs = []engine.Field{{Name: "prediction", Type: "utf8"}, mf.Outputs[1]}
		},
		"NaN threshold":          thresholds(2, math.NaN(), false),
		"null threshold":         thresholds(2, math.NaN(), true),
		"negative exit count":    counts("exit_false", 0, -3),
		"set without levels":     sets([][]string{{}, {"TRUE"}, {}}),
		"comparison with levels": sets([][]string{{"f"}, {"TRUE"}, {"50"}}),
		"column of another type": column("decide", func(tab *engine.Frame) arrow.Array {
			return strs(slices.Repeat([]string{"True"}, tab.NumRows()))
		}),
		"column missing": func(mf *engine.ModelFile) {
			var names []string
			var cols []arrow.Array
			for i, c := range levels.Columns() {
				if levels.Names()[i] != "exit_true" {
					c.Retain()
					names, cols = append(names, levels.Names()[i]), append(cols, c)
				}
			}
			mf.Tables = []engine.Table{{Name: "levels", Frame: frame(t, names, cols...)}}
		},
		"no levels": func(mf *engine.ModelFile) {
			var cols []arrow.Array
			for _, c := range levels.Columns() {
				cols = append(cols, array.NewSlice(c, 0, 0))
			}
			mf.Tables = []engine.Table{{Name: "levels", Frame: frame(t, slices.Clone(levels.Names()), cols...)}}
		},
	}
	// A file of 256 levels, one more than any tree may have.
	long, _ := fitModel(t, hand, estimators.Spec{Target: "y"}, map[string]any{
		"tree": strings.Repeat("If age > 1000, decide False. ", 254) + "If age > 50, decide True."})
	longFile, err := long.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer longFile.Release()
	if _, err := (Learner{}).Decode(longFile); err != nil {
		t.Fatalf("255 levels: %v", err)
	}
	edits["256 levels"] = func(mf *engine.ModelFile) {
		tab, _ := longFile.Table("levels")
		cols := make([]arrow.Array, len(tab.Columns()))
		for i, c := range tab.Columns() {
			first := array.NewSlice(c, 0, 1)
			defer first.Release()
			if cols[i], err = array.Concatenate([]arrow.Array{c, first}, memory.DefaultAllocator); err != nil {
				t.Fatal(err)
			}
		}
		*mf = *longFile
		mf.Tables = []engine.Table{{Name: "levels", Frame: frame(t, slices.Clone(tab.Names()), cols...)}}
	}
	for name, edit := range edits {
		mf := *good
		edit(&mf)
		if _, err := (Learner{}).Decode(&mf); engine.KindOf(err) != engine.KindFormat {
			t.Errorf("%s: got %v (%s), want a %s", name, err, engine.KindOf(err), engine.KindFormat)
		} else if strings.Contains(err.Error(), "runtime error") {
			t.Errorf("%s: decode recovered from a panic: %v", name, err)
		} else if testing.Verbose() {
			t.Logf("%s: %v", name, err)
		}
	}
	if _, err := (Learner{}).Decode(good); err != nil {
		t.Errorf("the unedited file: %v", err)
	}
	if _, err := (Learner{}).Decode(nil); engine.KindOf(err) != engine.KindFormat {
		t.Errorf("a nil file: %v", err)
	}
}

// FuzzDecode feeds corrupt model files to the decoder, which must return an
// error of kind KindFormat or a model that can be applied, explained,
// summarised and encoded again, and never panic.
func FuzzDecode(f *testing.F) {
	for _, m := range roundTripModels(f) {
		f.Add(encodeBytes(f, m))
	}
	f.Fuzz(decodeAny)
}

// FuzzDecodeFields edits one level of a good model file, its state and its
// first input, and decodes it: the decoder must return a KindFormat error
// or a model that can be applied, and never panic.
func FuzzDecodeFields(f *testing.F) {
	hand := handFrame(f, handY)
	m, _ := fitModel(f, hand, estimators.Spec{Target: "y"}, map[string]any{"tree": handTree})
	good, err := m.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(good.Release)
	levels, _ := good.Table("levels")
	f.Add(string(good.State), uint8(0), "=", "sex", 0.0, "f", false, int64(1), int64(2), "sex")
	f.Add(string(good.State), uint8(2), ">", "age", 50.0, "", true, int64(3), int64(1), "sex")
	f.Add(`{"target":"y","missing_last":true,"otherwise_true":-1}`, uint8(1), "!=", "smoker", math.NaN(), "TRUE,NA", true, int64(0), int64(0), "smoker")
	f.Add(`{}`, uint8(1), "<=", "age", math.Inf(1), "1,2", false, int64(-1), int64(1<<62), "age")
	f.Add(string(good.State), uint8(1), "=", "smoker", 0.0, "TRUE", true, int64(1<<62), int64(1<<62), "sex")
	f.Fuzz(func(t *testing.T, st string, row uint8, opText, cue string, threshold float64, set string, decide bool, exitTrue, exitFalse int64, input string) {
		r := int(row) % levels.NumRows()
		var cols []arrow.Array
		for i, c := range levels.Columns() {
			name := levels.Names()[i]
			switch name {
			case "cue", "op":
				v := strsOf(c)
				v[r] = map[string]string{"cue": cue, "op": opText}[name]
				b := array.NewStringBuilder(memory.DefaultAllocator)
				b.AppendValues(v, nil)
				cols = append(cols, b.NewArray())
				b.Release()
			case "threshold":
				x := slices.Clone(c.(*array.Float64).Float64Values())
				x[r] = threshold
				cols = append(cols, floats(x, false))
			case "levels":
				lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
				vb := lb.ValueBuilder().(*array.StringBuilder)
				list := c.(*array.List)
				vals := list.ListValues().(*array.String)
				for l := range list.Len() {
					lb.Append(true)
					if l == r {
						if set != "" {
							vb.AppendValues(strings.Split(set, ","), nil)
						}
						continue
					}
					lo, hi := list.ValueOffsets(l)
					for j := lo; j < hi; j++ {
						vb.Append(vals.Value(int(j)))
					}
				}
				cols = append(cols, lb.NewArray())
				lb.Release()
			case "decide":
				v := make([]bool, c.Len())
				for l := range v {
					v[l] = c.(*array.Boolean).Value(l)
				}
				v[r] = decide
				cols = append(cols, bools(v, nil))
			case "exit_true", "exit_false":
				x := slices.Clone(c.(*array.Int64).Int64Values())
				x[r] = map[string]int64{"exit_true": exitTrue, "exit_false": exitFalse}[name]
				cols = append(cols, int64s(x))
			default:
				t.Fatalf("column %q", name)
			}
		}
		tab, err := engine.NewFrame(slices.Clone(levels.Names()), cols)
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Release()
		mf := *good
		mf.State = []byte(st)
		mf.Inputs = slices.Clone(mf.Inputs)
		mf.Inputs[0].Name = input
		mf.Tables = []engine.Table{{Name: "levels", Frame: tab}}
		model, err := Learner{}.Decode(&mf)
		if err != nil {
			if engine.KindOf(err) != engine.KindFormat || strings.Contains(err.Error(), "runtime error") {
				t.Fatalf("%v (%s)", err, engine.KindOf(err))
			}
			return
		}
		dm := model.(*Model)
		var names []string
		var in []arrow.Array
		for _, fld := range dm.Inputs() {
			if slices.Contains(names, fld.Name) {
				continue
			}
			names = append(names, fld.Name)
			// the hand frame's column of that name; age for any other name
			col := hand.Column(fld.Name)
			if col == nil || fld.Name == "y" {
				col = hand.Column("age")
			}
			in = append(in, col)
		}
		for _, c := range in {
			c.Retain()
		}
		data, err := engine.NewFrame(names, in)
		if err != nil {
			for _, c := range in {
				c.Release()
			}
			return
		}
		defer data.Release()
		out, err := dm.Explain(context.Background(), data, estimators.ApplyOptions{ExitLevel: true})
		if err != nil {
			if k := engine.KindOf(err); k != engine.KindType && k != engine.KindValue {
				t.Fatalf("Explain: %v (%s)", err, k)
			}
			return
		}
		checkOutputs(t, dm, out)
		out.Release()
		dm.Summary()
	})
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
		if strings.Contains(err.Error(), "runtime error") {
			t.Fatalf("decode recovered from a panic: %v", err)
		}
		return
	}
	m := model.(*Model)
	// Every input as numbers, then every input as strings: one of the two
	// fits each level, and the other must fail cleanly.
	for _, asStrings := range []bool{false, true} {
		var names []string
		var cols []arrow.Array
		for _, in := range m.Inputs() {
			if slices.Contains(names, in.Name) {
				continue
			}
			names = append(names, in.Name)
			if asStrings {
				cols = append(cols, strs([]string{"a", "TRUE", "", "unseen"}))
			} else {
				cols = append(cols, floats([]float64{1, -2, math.NaN(), 70}, true))
			}
		}
		in, err := engine.NewFrame(names, cols)
		if err != nil {
			for _, c := range cols {
				c.Release()
			}
			return
		}
		out, err := m.Explain(context.Background(), in, estimators.ApplyOptions{Threads: 1, ExitLevel: true})
		if err == nil {
			checkOutputs(t, m, out)
			out.Release()
		} else if k := engine.KindOf(err); k != engine.KindType && k != engine.KindValue {
			t.Errorf("Explain on a decoded model: %v (%s)", err, k)
		}
		in.Release()
	}
	m.Summary()
	m.tree.Words()
	if mf, err := m.Encode(); err == nil {
		if _, err := mf.Marshal(); err != nil {
			t.Errorf("a decoded model does not marshal: %v", err)
		}
		mf.Release()
	}
}

// checkOutputs checks that probabilities are probabilities and exit levels
// are levels of the tree.
func checkOutputs(t *testing.T, m *Model, out *engine.Frame) {
	t.Helper()
	for i, p := range out.Column("probability_true").(*array.Float64).Float64Values() {
		if !(p >= 0 && p <= 1) {
			t.Fatalf("row %d: probability %v", i, p)
		}
	}
	for i, l := range out.Column("exit_level").(*array.Int32).Int32Values() {
		if l < 1 || int(l) > m.tree.Levels() {
			t.Fatalf("row %d: exit level %d of %d", i, l, m.tree.Levels())
		}
	}
}
