package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// String returns the kind's name as the schema shows it: "number",
// "boolean", "category", "text", "vector", "float" or "label".
func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case Boolean:
		return "boolean"
	case Category:
		return "category"
	case Float:
		return "float"
	case Label:
		return "label"
	case Text:
		return "text"
	case Vector:
		return "vector"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// prepared is what the runtime derives once from a Scorer's columns, so
// that each batch only looks things up.
type prepared struct {
	// inputs maps an input's name to its index.
	inputs map[string]int
	// codes[j] maps a category of input j to its code; nil unless input j
	// is a Category.
	codes []map[string]int32
	// labels[j] are output j's classes as values of their type; nil unless output
	// j is a Label.
	labels []labelSet
	// outputFields are the fields of the outputs, in order.
	outputFields []columnar.Field
	// outputNames holds the outputs' names, to drop input columns of the
	// same name from the output.
	outputNames map[string]bool
	// jsonKeys[j] is output j's name encoded as a JSON object key with
	// its colon, so rows are written without re-encoding names.
	jsonKeys [][]byte
}

// labelSet holds a Label output's classes parsed from their text once.
type labelSet struct {
	typ     *columnar.Type
	strings []string
	ints    []int64
	bools   []bool
	floats  []float64
	// json[c] is class c encoded as a JSON value.
	json [][]byte
}

// prepare returns what the runtime derives from s's columns, building it
// on the first call; concurrent callers wait for that one. It fails when
// the Scorer itself is malformed (no Score function, a Category input
// listing a value twice, a label that does not parse as its LabelType),
// and then fails the same way on every call.
func (s *Scorer) prepare() (*prepared, error) {
	s.prep.once.Do(func() {
		s.prep.p, s.prep.err = s.build()
	})
	return s.prep.p, s.prep.err
}

func (s *Scorer) build() (*prepared, error) {
	if s.Score == nil {
		return nil, errors.New("scorer has no Score function")
	}
	p := &prepared{
		inputs:      make(map[string]int, len(s.Inputs)),
		codes:       make([]map[string]int32, len(s.Inputs)),
		labels:      make([]labelSet, len(s.Outputs)),
		outputNames: make(map[string]bool, len(s.Outputs)),
	}
	for j, c := range s.Inputs {
		if _, dup := p.inputs[c.Name]; dup {
			return nil, fmt.Errorf("input %q is listed twice", c.Name)
		}
		p.inputs[c.Name] = j
		switch c.Kind {
		case Number, Boolean, Text:
		case Vector:
			if c.Width < 1 {
				return nil, fmt.Errorf("vector input %q has width %d", c.Name, c.Width)
			}
		case Category:
			m := make(map[string]int32, len(c.Categories))
			for code, v := range c.Categories {
				if _, dup := m[v]; dup {
					return nil, fmt.Errorf("input %q lists category %q twice", c.Name, v)
				}
				m[v] = int32(code)
			}
			p.codes[j] = m
		default:
			return nil, fmt.Errorf("input %q has kind %v, which is not an input kind", c.Name, c.Kind)
		}
	}
	for j, c := range s.Outputs {
		key, _ := json.Marshal(c.Name)
		p.jsonKeys = append(p.jsonKeys, append(key, ':'))
		p.outputNames[c.Name] = true
		switch c.Kind {
		case Float:
			p.outputFields = append(p.outputFields, columnar.Field{Name: c.Name, Type: columnar.Float64Type, Nullable: true})
		case Boolean:
			p.outputFields = append(p.outputFields, columnar.Field{Name: c.Name, Type: columnar.BoolType, Nullable: true})
		case Label:
			ls, err := parseLabels(c)
			if err != nil {
				return nil, err
			}
			p.labels[j] = ls
			p.outputFields = append(p.outputFields, columnar.Field{Name: c.Name, Type: ls.typ, Nullable: true})
		case Text:
			p.outputFields = append(p.outputFields, columnar.Field{Name: c.Name, Type: columnar.StringType, Nullable: true})
		default:
			return nil, fmt.Errorf("output %q has kind %v, which is not an output kind", c.Name, c.Kind)
		}
	}
	return p, nil
}

// parseLabels reads a Label output's classes as values of its LabelType.
func parseLabels(c Column) (labelSet, error) {
	var ls labelSet
	bad := func(v string, err error) (labelSet, error) {
		return labelSet{}, fmt.Errorf("output %q: label %q does not parse as %s: %v", c.Name, v, c.LabelType, err)
	}
	switch c.LabelType {
	case "utf8", "":
		ls.typ = columnar.StringType
		ls.strings = c.Labels
		for _, v := range c.Labels {
			b, _ := json.Marshal(v)
			ls.json = append(ls.json, b)
		}
	case "int64":
		ls.typ = columnar.Int64Type
		for _, v := range c.Labels {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return bad(v, err)
			}
			ls.ints = append(ls.ints, x)
			ls.json = append(ls.json, strconv.AppendInt(nil, x, 10))
		}
	case "bool":
		ls.typ = columnar.BoolType
		for _, v := range c.Labels {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return bad(v, err)
			}
			ls.bools = append(ls.bools, x)
			ls.json = append(ls.json, strconv.AppendBool(nil, x))
		}
	case "float64":
		ls.typ = columnar.Float64Type
		for _, v := range c.Labels {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return bad(v, err)
			}
			ls.floats = append(ls.floats, x)
			ls.json = append(ls.json, appendJSONFloat(nil, x))
		}
	default:
		return labelSet{}, fmt.Errorf("output %q has label type %q; want utf8, int64, bool or float64", c.Name, c.LabelType)
	}
	return ls, nil
}

// appendJSONString appends s as a JSON string; a byte that is not UTF-8
// becomes U+FFFD, as JSON text must be UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, r)
		i += size
	}
	return append(b, '"')
}

// appendJSONFloat appends v as a JSON number, or null when JSON cannot
// represent it (NaN, ±Inf).
func appendJSONFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
