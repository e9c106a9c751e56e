package hyperspace

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// SchemaVersion is the version of the JSON form of a Space. It changes
// whenever a field is removed or changes meaning.
const SchemaVersion = 1

// Kind is the type of a hyperparameter's values.
type Kind string

// The kinds of hyperparameter.
const (
	Float       Kind = "float"
	Int         Kind = "int"
	Bool        Kind = "bool"
	Categorical Kind = "categorical"
	// Text is free text that configures a fit, such as a fast-and-frugal
	// tree given in words. Tuners never search it.
	Text Kind = "text"
)

// Param declares one hyperparameter.
//
// Low and High are inclusive bounds for Float and Int parameters. Log marks
// parameters that tuners should sample on a log scale; it requires Low > 0.
// Choices lists the allowed values of a Categorical parameter. Runtime marks
// parameters that change how a fit runs but not the model it gives (such as
// n_threads): they are not recorded in model files, and tuners skip them.
// Step, when positive, restricts a Float or Int parameter to Low + k·Step
// (a hint for tuners; Validate accepts any value in the bounds). Condition
// makes the parameter matter only when another one takes certain values.
// Tuned marks the parameters worth searching by default, and Search, for a
// Float or Int one, the range to search (within Low and High, which bound
// what is valid, not what is sensible to try).
type Param struct {
	Name      string     `json:"name"`
	Kind      Kind       `json:"kind"`
	Low       float64    `json:"low,omitempty"`
	High      float64    `json:"high,omitempty"`
	Log       bool       `json:"log,omitempty"`
	Step      float64    `json:"step,omitempty"`
	Choices   []string   `json:"choices,omitempty"`
	Default   any        `json:"default"`
	Doc       string     `json:"doc"`
	Runtime   bool       `json:"runtime,omitempty"`
	Condition *Condition `json:"condition,omitempty"`
	Tuned     bool       `json:"tuned,omitempty"`
	Search    *Range     `json:"search,omitempty"`
}

// Range is a search range of a numeric parameter.
type Range struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	Log  bool    `json:"log,omitempty"`
}

// Condition makes a parameter active only while the parameter Param has
// one of Values (for example max_depth only when grow_policy is
// "depthwise"). Tuners leave inactive parameters out of their samples.
type Condition struct {
	Param  string `json:"param"`
	Values []any  `json:"values"`
}

// Clause is one equality of a forbidden combination.
type Clause struct {
	Param string `json:"param"`
	Value any    `json:"value"`
}

// MarshalJSON encodes the parameter, always with both bounds for Float and
// Int parameters: a bound of 0 is a bound, not a missing one.
func (p Param) MarshalJSON() ([]byte, error) {
	type plain Param // without this method
	out := struct {
		Name string   `json:"name"`
		Kind Kind     `json:"kind"`
		Low  *float64 `json:"low,omitempty"`
		High *float64 `json:"high,omitempty"`
		plain
	}{Name: p.Name, Kind: p.Kind, plain: plain(p)}
	if p.Kind == Float || p.Kind == Int {
		out.Low, out.High = &p.Low, &p.High
	}
	return json.Marshal(out)
}

// Space is the ordered set of hyperparameters of one learner.
//
// Holdout names the keyword under which the learner takes a second frame
// (estimators.Spec.Valid): "valid" for learners that stop early on it,
// "test" for learners that only report statistics on it, "" for none.
// Transformer marks feature steps (imputers, encoders, scalers), which
// need no target and whose models are estimators.Transformers.
type Space struct {
	Learner     string  `json:"learner"`
	Doc         string  `json:"doc"`
	Holdout     string  `json:"holdout,omitempty"`
	Transformer bool    `json:"transformer,omitempty"`
	Params      []Param `json:"params"`
	// Forbidden lists combinations of values that may not be chosen
	// together: each is a conjunction of clauses.
	Forbidden [][]Clause `json:"forbidden,omitempty"`
}

// Values maps parameter names to validated values: float64 for Float, int
// for Int, bool for Bool and string for Categorical and Text.
type Values map[string]any

// Error reports an invalid hyperparameter. Its message names the parameter,
// the value and what is allowed.
type Error struct {
	Learner string
	Param   string
	Msg     string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: hyperparameter %q %s", e.Learner, e.Param, e.Msg)
}

// Check reports whether the declaration itself is consistent: unique names,
// finite bounds with Low <= High, a positive Low for log scales, choices for
// categorical parameters, and a default that is valid. Learners call it from
// a test so a broken declaration never ships.
func (s Space) Check() error {
	seen := map[string]bool{}
	for _, p := range s.Params {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("%s: empty or duplicate parameter name %q", s.Learner, p.Name)
		}
		seen[p.Name] = true
		switch p.Kind {
		case Float, Int:
			if math.IsInf(p.Low, 0) || math.IsInf(p.High, 0) || math.IsNaN(p.Low) || math.IsNaN(p.High) {
				return fmt.Errorf("%s: %s has bounds [%v, %v]; bounds must be finite numbers, which JSON can carry", s.Learner, p.Name, p.Low, p.High)
			}
			if p.Low > p.High {
				return fmt.Errorf("%s: %s has low %v above high %v", s.Learner, p.Name, p.Low, p.High)
			}
			if p.Log && p.Low <= 0 {
				return fmt.Errorf("%s: %s is log-scaled but its low bound %v is not positive", s.Learner, p.Name, p.Low)
			}
		case Categorical:
			if len(p.Choices) == 0 {
				return fmt.Errorf("%s: categorical %s has no choices", s.Learner, p.Name)
			}
		case Bool, Text:
		default:
			return fmt.Errorf("%s: %s has unknown kind %q", s.Learner, p.Name, p.Kind)
		}
		if _, err := s.coerce(p, p.Default); err != nil {
			return fmt.Errorf("default: %w", err)
		}
		if r := p.Search; r != nil {
			if (p.Kind != Float && p.Kind != Int) || !(p.Low <= r.Low && r.Low <= r.High && r.High <= p.High) || (r.Log && r.Low <= 0) {
				return fmt.Errorf("%s: %s has search range %+v; it must lie within [%v, %v] (positive for log) on a float or int parameter", s.Learner, p.Name, *r, p.Low, p.High)
			}
		}
		if p.Step < 0 || math.IsNaN(p.Step) || (p.Step > 0 && p.Kind != Float && p.Kind != Int) {
			return fmt.Errorf("%s: %s has step %v; a step must be positive and only on float or int parameters", s.Learner, p.Name, p.Step)
		}
	}
	for _, p := range s.Params {
		for q, hops := p, 0; q.Condition != nil; hops++ {
			if hops > len(s.Params) {
				return fmt.Errorf("%s: the conditions of %s form a cycle", s.Learner, p.Name)
			}
			if q, _ = s.Param(q.Condition.Param); q.Name == "" {
				break
			}
		}
		if c := p.Condition; c != nil {
			on, ok := s.Param(c.Param)
			if !ok || on.Name == p.Name || len(c.Values) == 0 {
				return fmt.Errorf("%s: %s has a condition on %q, which is not another parameter of the space, or lists no values", s.Learner, p.Name, c.Param)
			}
			for _, v := range c.Values {
				if _, err := s.coerce(on, v); err != nil {
					return fmt.Errorf("%s: condition of %s: %w", s.Learner, p.Name, err)
				}
			}
		}
	}
	for i, f := range s.Forbidden {
		if len(f) == 0 {
			return fmt.Errorf("%s: forbidden combination %d is empty", s.Learner, i+1)
		}
		for _, c := range f {
			p, ok := s.Param(c.Param)
			if !ok {
				return fmt.Errorf("%s: forbidden combination %d names unknown parameter %q", s.Learner, i+1, c.Param)
			}
			if _, err := s.coerce(p, c.Value); err != nil {
				return fmt.Errorf("%s: forbidden combination %d: %w", s.Learner, i+1, err)
			}
		}
	}
	return nil
}

// Active reports whether parameter name matters given values v: it has no
// condition, or the parameter its condition names is active and takes one
// of the condition's values.
func (s Space) Active(name string, v Values) bool {
	p, ok := s.Param(name)
	if !ok {
		return false
	}
	for seen := 0; p.Condition != nil; seen++ {
		on, ok := s.Param(p.Condition.Param)
		if !ok || seen > len(s.Params) { // a cycle; Check refuses such spaces
			return false
		}
		got := v[on.Name]
		match := false
		for _, want := range p.Condition.Values {
			if w, err := s.coerce(on, want); err == nil && w == got {
				match = true
				break
			}
		}
		if !match {
			return false
		}
		p = on
	}
	return true
}

// Param returns the declaration of the named parameter.
func (s Space) Param(name string) (Param, bool) {
	i := slices.IndexFunc(s.Params, func(p Param) bool { return p.Name == name })
	if i < 0 {
		return Param{}, false
	}
	return s.Params[i], true
}

// Validate checks the given values against the space and returns a complete
// set of values with defaults filled in. Numbers may arrive as any numeric Go
// type (JSON decoding gives float64); an Int parameter accepts only whole
// numbers. It fails on an unknown name, a value of the wrong kind, or a value
// outside the bounds or choices.
func (s Space) Validate(given map[string]any) (Values, error) {
	out := make(Values, len(s.Params))
	names := make([]string, 0, len(given))
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, ok := s.Param(name)
		if !ok {
			return nil, &Error{s.Learner, name, "is unknown; known hyperparameters are " + strings.Join(s.Names(), ", ")}
		}
		v, err := s.coerce(p, given[name])
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	for _, p := range s.Params {
		if _, ok := out[p.Name]; !ok {
			v, err := s.coerce(p, p.Default)
			if err != nil {
				return nil, err
			}
			out[p.Name] = v
		}
	}
	// An inactive parameter set to its default says nothing (scikit-learn
	// wrappers pass every parameter); set to anything else it is a mistake.
	for _, name := range names {
		p, _ := s.Param(name)
		if p.Condition == nil || s.Active(name, out) {
			continue
		}
		if def, err := s.coerce(p, p.Default); err == nil && def == out[name] {
			continue
		}
		return nil, &Error{s.Learner, name, fmt.Sprintf("only applies when %q is one of %v, and it is %v",
			p.Condition.Param, p.Condition.Values, out[p.Condition.Param])}
	}
	for _, f := range s.Forbidden {
		all := true
		for _, c := range f {
			p, _ := s.Param(c.Param)
			want, err := s.coerce(p, c.Value)
			if err != nil || out[c.Param] != want {
				all = false
				break
			}
		}
		if all {
			parts := make([]string, len(f))
			for i, c := range f {
				parts[i] = fmt.Sprintf("%s=%v", c.Param, c.Value)
			}
			return nil, &Error{s.Learner, f[0].Param, "may not be combined so: " + strings.Join(parts, " with ") + " is forbidden"}
		}
	}
	return out, nil
}

// ModelParams returns the values that shape the model: all but the Runtime
// parameters. Model files record these, so fits that differ only in, say,
// their thread count give identical files.
func (s Space) ModelParams(v Values) map[string]any {
	out := make(map[string]any, len(v))
	for name, val := range v {
		if p, ok := s.Param(name); !ok || !p.Runtime {
			out[name] = val
		}
	}
	return out
}

// Names returns the parameter names in declaration order.
func (s Space) Names() []string {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	return names
}

func (s Space) coerce(p Param, v any) (any, error) {
	bad := func(format string, args ...any) error {
		return &Error{s.Learner, p.Name, fmt.Sprintf(format, args...)}
	}
	switch p.Kind {
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, bad("must be a bool, got %v (%T)", v, v)
		}
		return b, nil
	case Categorical:
		str, ok := v.(string)
		if !ok || !slices.Contains(p.Choices, str) {
			return nil, bad("must be one of %q, got %v", p.Choices, v)
		}
		return str, nil
	case Text:
		str, ok := v.(string)
		if !ok {
			return nil, bad("must be a string, got %v (%T)", v, v)
		}
		return str, nil
	}
	f, ok := toFloat(v)
	if !ok {
		return nil, bad("must be a number, got %v (%T)", v, v)
	}
	if math.IsNaN(f) || f < p.Low || f > p.High {
		return nil, bad("must be in [%v, %v], got %v", p.Low, p.High, v)
	}
	if p.Kind == Int {
		if f != math.Trunc(f) {
			return nil, bad("must be a whole number, got %v", v)
		}
		return int(f), nil
	}
	return f, nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// Float returns the value of a Float parameter. It panics if name is not a
// Float parameter of the space the values were validated against, which is
// a programming error in the learner, not a user error.
func (v Values) Float(name string) float64 { return v[name].(float64) }

// Int returns the value of an Int parameter; see Float.
func (v Values) Int(name string) int { return v[name].(int) }

// Bool returns the value of a Bool parameter; see Float.
func (v Values) Bool(name string) bool { return v[name].(bool) }

// String returns the value of a Categorical or Text parameter; see Float.
func (v Values) String(name string) string { return v[name].(string) }

// schema is the JSON Schema of the versioned form, published with the code.
//
//go:embed space.schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the form MarshalSpaces
// writes.
func Schema() []byte { return slices.Clone(schema) }

// document is the versioned JSON form of a set of spaces.
type document struct {
	Version int     `json:"version"`
	Spaces  []Space `json:"spaces"`
}

// MarshalSpaces encodes spaces in the versioned JSON form read by the Python
// package. Empty lists are written as [], never null.
func MarshalSpaces(spaces ...Space) ([]byte, error) {
	out := make([]Space, len(spaces))
	for i, s := range spaces {
		if s.Params == nil {
			s.Params = []Param{}
		}
		out[i] = s
	}
	return json.Marshal(document{Version: SchemaVersion, Spaces: out})
}
