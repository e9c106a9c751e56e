package hyperspace_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/hyperspace"
)

// testSpace has one parameter of each kind.
func testSpace() hyperspace.Space {
	return hyperspace.Space{
		Learner: "gbdt",
		Doc:     "Gradient-boosted trees.",
		Params: []hyperspace.Param{
			{Name: "learning_rate", Kind: hyperspace.Float, Low: 1e-4, High: 1, Log: true, Default: 0.1, Doc: "Shrinkage of each tree."},
			{Name: "l2", Kind: hyperspace.Float, Low: 0, High: 100, Default: 0.0, Doc: "L2 penalty on leaf values."},
			{Name: "max_iter", Kind: hyperspace.Int, Low: 1, High: 10000, Default: 100, Doc: "Boosting rounds."},
			{Name: "early_stopping", Kind: hyperspace.Bool, Default: false, Doc: "Stop when validation loss stalls."},
			{Name: "loss", Kind: hyperspace.Categorical, Choices: []string{"squared_error", "absolute_error"}, Default: "squared_error", Doc: "Loss to minimise."},
		},
	}
}

func TestCheckAcceptsValidSpace(t *testing.T) {
	if err := testSpace().Check(); err != nil {
		t.Fatal(err)
	}
	if err := (hyperspace.Space{Learner: "empty"}).Check(); err != nil {
		t.Errorf("empty space: %v", err)
	}
}

func TestCheckRejectsBrokenDeclarations(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(ps []hyperspace.Param) []hyperspace.Param
		words []string
	}{
		{"duplicate name", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[1].Name = "learning_rate"
			return ps
		}, []string{"duplicate", `"learning_rate"`}},
		{"empty name", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[0].Name = ""
			return ps
		}, []string{"empty"}},
		{"low above high", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[2].Low, ps[2].High = 10, 5
			return ps
		}, []string{"max_iter", "low 10 above high 5"}},
		{"log with zero low", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[0].Low = 0
			return ps
		}, []string{"learning_rate", "log-scaled", "not positive"}},
		{"log with negative low", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[0].Low = -1
			return ps
		}, []string{"learning_rate", "log-scaled"}},
		{"infinite bound", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[1].High = math.Inf(1)
			return ps
		}, []string{"l2", "finite"}},
		{"categorical without choices", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[4].Choices = nil
			return ps
		}, []string{"loss", "no choices"}},
		{"unknown kind", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[3].Kind = "complex"
			return ps
		}, []string{"early_stopping", `unknown kind "complex"`}},
		{"default out of range", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[2].Default = 0
			return ps
		}, []string{"default", "max_iter", "[1, 10000]"}},
		{"default not whole", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[2].Default = 2.5
			return ps
		}, []string{"default", "max_iter", "whole number"}},
		{"default of wrong kind", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[3].Default = "no"
			return ps
		}, []string{"default", "early_stopping", "bool"}},
		{"default not a choice", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[4].Default = "huber"
			return ps
		}, []string{"default", "loss", "huber"}},
		{"missing default", func(ps []hyperspace.Param) []hyperspace.Param {
			ps[0].Default = nil
			return ps
		}, []string{"default", "learning_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpace()
			s.Params = tt.edit(s.Params)
			err := s.Check()
			if err == nil {
				t.Fatal("Check accepted a broken space")
			}
			for _, w := range tt.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestValidateFillsDefaults(t *testing.T) {
	got, err := testSpace().Validate(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := hyperspace.Values{"learning_rate": 0.1, "l2": 0.0, "max_iter": 100, "early_stopping": false, "loss": "squared_error"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate(nil) = %#v, want %#v", got, want)
	}
	got, err = testSpace().Validate(map[string]any{"max_iter": 7, "loss": "absolute_error"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Int("max_iter") != 7 || got.String("loss") != "absolute_error" || got.Float("learning_rate") != 0.1 || got.Bool("early_stopping") {
		t.Errorf("Validate = %#v", got)
	}
}

func TestValidateCoercesNumbers(t *testing.T) {
	tests := []struct {
		name  string
		param string
		in    any
		want  any
	}{
		{"float from float64", "l2", 2.5, 2.5},
		{"float from int", "l2", 3, 3.0},
		{"float from int64", "l2", int64(4), 4.0},
		{"float from int32", "l2", int32(5), 5.0},
		{"float from float32", "l2", float32(0.5), 0.5},
		{"float from json.Number", "l2", json.Number("1.5"), 1.5},
		{"float at low bound", "l2", 0.0, 0.0},
		{"float at high bound", "l2", 100.0, 100.0},
		{"int from int", "max_iter", 2, 2},
		{"int from JSON float64", "max_iter", 2.0, 2},
		{"int from json.Number", "max_iter", json.Number("10000"), 10000},
		{"bool", "early_stopping", true, true},
		{"categorical", "loss", "absolute_error", "absolute_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testSpace().Validate(map[string]any{tt.param: tt.in})
			if err != nil {
				t.Fatal(err)
			}
			if v := got[tt.param]; v != tt.want {
				t.Errorf("%s = %#v (%T), want %#v (%T)", tt.param, v, v, tt.want, tt.want)
			}
		})
	}
}

func TestValidateFromJSON(t *testing.T) {
	var given map[string]any
	if err := json.Unmarshal([]byte(`{"max_iter": 2, "l2": 1, "early_stopping": true}`), &given); err != nil {
		t.Fatal(err)
	}
	got, err := testSpace().Validate(given)
	if err != nil {
		t.Fatal(err)
	}
	if got["max_iter"] != 2 || got["l2"] != 1.0 || got["early_stopping"] != true {
		t.Errorf("Validate = %#v", got)
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name  string
		given map[string]any
		param string
		words []string
	}{
		{"unknown name", map[string]any{"learning_rat": 0.1}, "learning_rat",
			[]string{"unknown", "learning_rate, l2, max_iter, early_stopping, loss"}},
		{"float above high", map[string]any{"learning_rate": 2.0}, "learning_rate", []string{"[0.0001, 1]", "got 2"}},
		{"float below low", map[string]any{"l2": -0.5}, "l2", []string{"[0, 100]", "got -0.5"}},
		{"NaN", map[string]any{"l2": math.NaN()}, "l2", []string{"[0, 100]", "NaN"}},
		{"int out of range", map[string]any{"max_iter": 0}, "max_iter", []string{"[1, 10000]", "got 0"}},
		{"int not whole", map[string]any{"max_iter": 2.5}, "max_iter", []string{"whole number", "2.5"}},
		{"number as string", map[string]any{"max_iter": "10"}, "max_iter", []string{"must be a number", "string"}},
		{"bad json.Number", map[string]any{"l2": json.Number("x")}, "l2", []string{"must be a number"}},
		{"bool from int", map[string]any{"early_stopping": 1}, "early_stopping", []string{"must be a bool", "got 1 (int)"}},
		{"bool from string", map[string]any{"early_stopping": "true"}, "early_stopping", []string{"must be a bool"}},
		{"categorical not a choice", map[string]any{"loss": "huber"}, "loss", []string{`["squared_error" "absolute_error"]`, "got huber"}},
		{"categorical not a string", map[string]any{"loss": 1}, "loss", []string{"must be one of", "got 1"}},
		{"nil value", map[string]any{"l2": nil}, "l2", []string{"must be a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testSpace().Validate(tt.given)
			if err == nil {
				t.Fatalf("Validate accepted %v: %v", tt.given, got)
			}
			var e *hyperspace.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *hyperspace.Error", err, err)
			}
			if e.Learner != "gbdt" || e.Param != tt.param {
				t.Errorf("error names learner %q, param %q; want gbdt, %q", e.Learner, e.Param, tt.param)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, `gbdt: hyperparameter "`+tt.param+`" `) {
				t.Errorf("error %q does not start with the learner and parameter", msg)
			}
			for _, w := range tt.words {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

// With several bad names, the error is about the first in sorted order, so
// it does not change from run to run.
func TestValidateErrorIsDeterministic(t *testing.T) {
	given := map[string]any{"zeta": 1, "alpha": 1, "max_iter": -1, "beta": 1}
	for range 20 {
		_, err := testSpace().Validate(given)
		var e *hyperspace.Error
		if !errors.As(err, &e) || e.Param != "alpha" {
			t.Fatalf("error %v, want one about alpha", err)
		}
	}
}

func TestParamAndNames(t *testing.T) {
	s := testSpace()
	if p, ok := s.Param("max_iter"); !ok || p.Kind != hyperspace.Int || p.High != 10000 {
		t.Errorf("Param(max_iter) = %+v, %v", p, ok)
	}
	if _, ok := s.Param("nope"); ok {
		t.Error("Param found a missing parameter")
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"learning_rate", "l2", "max_iter", "early_stopping", "loss"}) {
		t.Errorf("Names() = %v", got)
	}
}

func TestMarshalSpaces(t *testing.T) {
	other := hyperspace.Space{Learner: "linear", Doc: "Linear model.", Params: []hyperspace.Param{
		{Name: "fit_intercept", Kind: hyperspace.Bool, Default: true, Doc: "Fit a bias."},
	}}
	b, err := hyperspace.MarshalSpaces(testSpace(), other)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int `json:"version"`
		Spaces  []struct {
			Learner string           `json:"learner"`
			Doc     string           `json:"doc"`
			Params  []map[string]any `json:"params"`
		} `json:"spaces"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	if doc.Version != hyperspace.SchemaVersion {
		t.Errorf("version = %d, want %d", doc.Version, hyperspace.SchemaVersion)
	}
	if len(doc.Spaces) != 2 || doc.Spaces[0].Learner != "gbdt" || doc.Spaces[1].Learner != "linear" || doc.Spaces[0].Doc != "Gradient-boosted trees." {
		t.Fatalf("spaces = %+v", doc.Spaces)
	}
	params := doc.Spaces[0].Params
	want := []map[string]any{
		{"name": "learning_rate", "kind": "float", "low": 1e-4, "high": 1.0, "log": true, "default": 0.1, "doc": "Shrinkage of each tree."},
		// A bound of 0 is written out, not left for the reader to guess.
		{"name": "l2", "kind": "float", "low": 0.0, "high": 100.0, "default": 0.0, "doc": "L2 penalty on leaf values."},
		{"name": "max_iter", "kind": "int", "low": 1.0, "high": 10000.0, "default": 100.0, "doc": "Boosting rounds."},
		{"name": "early_stopping", "kind": "bool", "default": false, "doc": "Stop when validation loss stalls."},
		{"name": "loss", "kind": "categorical", "choices": []any{"squared_error", "absolute_error"}, "default": "squared_error", "doc": "Loss to minimise."},
	}
	if !reflect.DeepEqual(params, want) {
		got, _ := json.MarshalIndent(params, "", "  ")
		t.Errorf("params =\n%s", got)
	}

	// The JSON form decodes back to the same space.
	var back struct {
		Spaces []hyperspace.Space `json:"spaces"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Spaces[0].Check(); err != nil {
		t.Errorf("decoded space: %v", err)
	}
	if p, _ := back.Spaces[0].Param("l2"); p.Low != 0 || p.High != 100 || p.Kind != hyperspace.Float {
		t.Errorf("decoded l2 = %+v", p)
	}

	if b, err := hyperspace.MarshalSpaces(); err != nil || string(b) != `{"version":1,"spaces":[]}` {
		t.Errorf("MarshalSpaces() = %s, %v", b, err)
	}
}

func TestModelParamsDropsRuntimeParams(t *testing.T) {
	sp := hyperspace.Space{Learner: "demo", Params: []hyperspace.Param{
		{Name: "alpha", Kind: hyperspace.Float, Low: 0, High: 1, Default: 0.5},
		{Name: "n_threads", Kind: hyperspace.Int, Low: 0, High: 8, Default: 0, Runtime: true},
	}}
	vals, err := sp.Validate(map[string]any{"n_threads": 2})
	if err != nil {
		t.Fatal(err)
	}
	got := sp.ModelParams(vals)
	if len(got) != 1 || got["alpha"] != 0.5 {
		t.Fatalf("ModelParams = %v, want only alpha", got)
	}
}

func conditionalSpace() hyperspace.Space {
	return hyperspace.Space{Learner: "toy", Params: []hyperspace.Param{
		{Name: "grow_policy", Kind: hyperspace.Categorical, Choices: []string{"lossguide", "depthwise"}, Default: "lossguide"},
		{Name: "max_depth", Kind: hyperspace.Int, Low: 1, High: 32, Step: 1, Default: 6,
			Condition: &hyperspace.Condition{Param: "grow_policy", Values: []any{"depthwise"}}},
		{Name: "optimizer", Kind: hyperspace.Categorical, Choices: []string{"adam", "sgd"}, Default: "adam"},
		{Name: "nesterov", Kind: hyperspace.Bool, Default: false},
	}, Forbidden: [][]hyperspace.Clause{{{Param: "optimizer", Value: "adam"}, {Param: "nesterov", Value: true}}}}
}

func TestConditionsAndForbiddenCombinations(t *testing.T) {
	s := conditionalSpace()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		given map[string]any
		err   string // "" for valid
	}{
		{"defaults", map[string]any{}, ""},
		{"active condition", map[string]any{"grow_policy": "depthwise", "max_depth": 3}, ""},
		{"inactive at its default", map[string]any{"max_depth": 6}, ""},
		{"inactive set", map[string]any{"max_depth": 3}, `"max_depth" only applies when "grow_policy" is one of [depthwise]`},
		{"forbidden", map[string]any{"nesterov": true}, "optimizer=adam with nesterov=true is forbidden"},
		{"allowed combination", map[string]any{"optimizer": "sgd", "nesterov": true}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Validate(c.given)
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("error %v, want one containing %q", err, c.err)
			}
		})
	}
	v, _ := s.Validate(map[string]any{"grow_policy": "depthwise"})
	if !s.Active("max_depth", v) || s.Active("nope", v) {
		t.Fatal("Active disagrees with the condition")
	}
}

func TestCheckRefusesBrokenConditions(t *testing.T) {
	for name, mutate := range map[string]func(*hyperspace.Space){
		"unknown parent": func(s *hyperspace.Space) { s.Params[1].Condition.Param = "nope" },
		"bad value":      func(s *hyperspace.Space) { s.Params[1].Condition.Values = []any{"sideways"} },
		"no values":      func(s *hyperspace.Space) { s.Params[1].Condition.Values = nil },
		"cycle": func(s *hyperspace.Space) {
			s.Params[0].Condition = &hyperspace.Condition{Param: "max_depth", Values: []any{6}}
		},
		"negative step":   func(s *hyperspace.Space) { s.Params[1].Step = -1 },
		"step on a bool":  func(s *hyperspace.Space) { s.Params[3].Step = 1 },
		"empty forbidden": func(s *hyperspace.Space) { s.Forbidden = append(s.Forbidden, nil) },
		"forbidden value": func(s *hyperspace.Space) { s.Forbidden[0][0].Value = "rmsprop" },
	} {
		t.Run(name, func(t *testing.T) {
			s := conditionalSpace()
			mutate(&s)
			if s.Check() == nil {
				t.Fatal("Check accepted the space")
			}
		})
	}
}

func TestConditionsSurviveJSON(t *testing.T) {
	b, err := hyperspace.MarshalSpaces(conditionalSpace())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"step":1`, `"condition":{"param":"grow_policy","values":["depthwise"]}`, `"forbidden":[[{"param":"optimizer","value":"adam"},{"param":"nesterov","value":true}]]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

// TestSchemaDeclaresEveryField walks the JSON of a space that uses every
// field and checks that the published schema declares each key it meets.
func TestSchemaDeclaresEveryField(t *testing.T) {
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(hyperspace.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	s := conditionalSpace()
	s.Holdout, s.Transformer = "valid", true
	s.Params = append(s.Params, hyperspace.Param{Name: "lr", Kind: hyperspace.Float, Low: 1e-3, High: 1, Log: true,
		Default: 0.1, Runtime: true, Tuned: true, Search: &hyperspace.Range{Low: 0.01, High: 0.3, Log: true}})
	b, err := hyperspace.MarshalSpaces(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int                          `json:"version"`
		Spaces  []map[string]json.RawMessage `json:"spaces"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	declared := func(def, key string) {
		if _, ok := schema.Defs[def].Properties[key]; !ok {
			t.Errorf("the schema's %s does not declare %q", def, key)
		}
	}
	for key, raw := range doc.Spaces[0] {
		declared("space", key)
		if key == "params" {
			var params []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &params); err != nil {
				t.Fatal(err)
			}
			for _, p := range params {
				for k := range p {
					declared("param", k)
				}
			}
		}
	}
	if _, ok := schema.Properties["version"]; !ok || doc.Version != hyperspace.SchemaVersion {
		t.Error("version missing from the schema or the document")
	}
}
