package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// BatchFromJSON reads the scorer's inputs from a JSON body: an array of
// row objects, or an object whose "rows" member is one. Members that are
// not inputs are ignored. A value is null for missing, a number for a
// Number input, true, false, 0 or 1 for a Boolean, a string for a
// Category or Text (a number or boolean is read as its JSON text, for
// models whose categories are such text), and an array of Width numbers
// or nulls for a Vector. It fails on malformed JSON or another shape,
// and, naming the row and column, when a row lacks an input (send null
// for a missing value) or a value has the wrong JSON type, such as a
// number given as a string.
func (s *Scorer) BatchFromJSON(body []byte) (*Batch, error) {
	return s.decodeJSON(body, false)
}

// decodeJSON is BatchFromJSON, or with one set reads a single row object.
// It checks the whole body's syntax first (finding the rows on the way),
// so that malformed JSON is reported as such whatever the rows hold.
func (s *Scorer) decodeJSON(body []byte, one bool) (*Batch, error) {
	p, err := s.prepare()
	if err != nil {
		return nil, err
	}
	sc := &jsonScanner{b: body}
	sc.ws()
	if sc.i == len(body) {
		if one {
			return nil, errors.New("empty line: want a JSON object")
		}
		return nil, errors.New(`empty body: want a JSON array of row objects or {"rows": [...]}`)
	}
	start := sc.i
	var rows []int // where each row begins
	collect := func(at int) { rows = append(rows, at) }
	if err := sc.skip(0, collect); err != nil {
		return nil, err
	}
	if sc.ws(); sc.i != len(body) {
		return nil, sc.fail("data after the value")
	}
	switch c := body[start]; {
	case one:
		if c != '{' {
			return nil, fmt.Errorf("want a JSON object, got %s", jsonKind(body[start:]))
		}
		rows = []int{start}
	case c == '{':
		member := -1
		sc.i = start
		sc.members(func(key []byte, at int) error {
			if string(key) == "rows" || bytes.IndexByte(key, '\\') >= 0 && unescape(key) == "rows" {
				member = at
			}
			return nil
		})
		if member < 0 {
			return nil, errors.New(`want a JSON array of row objects or {"rows": [...]}; the object has no "rows"`)
		}
		if body[member] != '[' {
			return nil, fmt.Errorf(`want "rows" to be an array of row objects, got %s`, jsonKind(body[member:]))
		}
		// The body's top level was an object; walk its rows.
		rows = nil
		sc.i = member
		sc.skip(0, collect)
	case c != '[':
		return nil, fmt.Errorf("want a JSON array of row objects or {\"rows\": [...]}, got %s", jsonKind(body[start:]))
	}
	for i, at := range rows {
		if body[at] != '{' {
			return nil, fmt.Errorf("row %d: want an object, got %s", i, jsonKind(body[at:]))
		}
	}

	b := newBatch(s, len(rows))
	seen := make([]int, len(s.Inputs)) // the last row that held input j, plus one
	for i, row := range rows {
		sc.i = row
		err := sc.members(func(key []byte, at int) error {
			j, ok := p.inputs[string(key)]
			if bytes.IndexByte(key, '\\') >= 0 {
				j, ok = p.inputs[unescape(key)]
			}
			if !ok {
				return nil
			}
			seen[j] = i + 1
			if err := readJSON(s.Inputs[j], p.codes[j], body[at:sc.i], b, j, i); err != nil {
				return fmt.Errorf("row %d: column %q: %v", i, s.Inputs[j].Name, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for j, c := range s.Inputs {
			if seen[j] != i+1 {
				return nil, fmt.Errorf("row %d: column %q is missing (send null for a missing value)", i, c.Name)
			}
		}
	}
	return b, nil
}

// jsonKind names a JSON value's type by its first byte, for errors.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 'n':
		return "null"
	}
	return "a number"
}

// readJSON stores raw, the value of input c in row i, into b. The JSON
// syntax of raw has been checked.
func readJSON(c Column, codes map[string]int32, raw []byte, b *Batch, j, i int) error {
	isNull := string(raw) == "null"
	switch c.Kind {
	case Number:
		if isNull {
			b.Floats[j][i] = math.NaN()
			return nil
		}
		if kind := jsonKind(raw); kind != "a number" {
			return fmt.Errorf("want a number, got %s %s", kind, raw)
		}
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return fmt.Errorf("%s is not a number", raw)
		}
		b.Floats[j][i] = v
	case Boolean:
		switch string(raw) {
		case "null":
			b.Floats[j][i] = math.NaN()
		case "true", "1":
			b.Floats[j][i] = 1
		case "false", "0":
			b.Floats[j][i] = 0
		default:
			return fmt.Errorf("want true, false, 0 or 1, got %s", raw)
		}
	case Category, Text:
		var text string
		switch jsonKind(raw) {
		case "null":
			b.Codes[j][i] = Missing
			return nil
		case "a string":
			_, text, _ = (&jsonScanner{b: raw}).str(true)
		case "a number", "a boolean":
			text = string(raw)
		default:
			return fmt.Errorf("want a string, got %s", jsonKind(raw))
		}
		if c.Kind == Category {
			b.Codes[j][i] = codeOf(codes, text)
			return nil
		}
		b.Codes[j][i] = int32(len(b.Strings[j]))
		b.Strings[j] = append(b.Strings[j], text)
	case Vector:
		dst := b.Floats[j][i*c.Width : (i+1)*c.Width]
		if isNull {
			for k := range dst {
				dst[k] = math.NaN()
			}
			return nil
		}
		if kind := jsonKind(raw); kind != "an array" {
			return fmt.Errorf("want an array of %d numbers, got %s", c.Width, kind)
		}
		var vals []*float64
		if err := json.Unmarshal(raw, &vals); err != nil {
			return fmt.Errorf("want an array of %d numbers or nulls: %s", c.Width, raw)
		}
		if len(vals) != c.Width {
			return fmt.Errorf("want an array of %d numbers, got %d", c.Width, len(vals))
		}
		for k, v := range vals {
			if v == nil {
				dst[k] = math.NaN()
			} else {
				dst[k] = *v
			}
		}
	}
	return nil
}

// appendJSONRow appends row i of res as a JSON object of the outputs: a
// Float as a number (null for NaN or ±Inf), a Boolean as true or false
// (null for NaN), a Label as its class's typed
// value (null for a Missing code).
func (s *Scorer) appendJSONRow(buf []byte, p *prepared, res *Result, i int) ([]byte, error) {
	buf = append(buf, '{')
	for j, c := range s.Outputs {
		if j > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, p.jsonKeys[j]...)
		switch c.Kind {
		case Float:
			buf = appendJSONFloat(buf, res.Floats[j][i])
		case Boolean:
			switch v := res.Floats[j][i]; {
			case v != v:
				buf = append(buf, "null"...)
			case v != 0:
				buf = append(buf, "true"...)
			default:
				buf = append(buf, "false"...)
			}
		case Label:
			code := res.Codes[j][i]
			switch {
			case code == Missing:
				buf = append(buf, "null"...)
			case code < 0 || int(code) >= len(p.labels[j].json):
				return buf, fmt.Errorf("output %q row %d: class code %d out of range [0, %d)", c.Name, i, code, len(c.Labels))
			default:
				buf = append(buf, p.labels[j].json[code]...)
			}
		case Text:
			v, ok, err := textOutput(c, res.Codes[j], res.Strings[j], i)
			switch {
			case err != nil:
				return buf, err
			case ok:
				buf = appendJSONString(buf, v)
			default:
				buf = append(buf, "null"...)
			}
		}
	}
	return append(buf, '}'), nil
}

// AppendJSON appends res's rows to buf as a JSON array of objects of the
// outputs, as POST /predict answers. It fails when a label code is out of
// range or the Scorer is malformed.
func (s *Scorer) AppendJSON(buf []byte, res *Result) ([]byte, error) {
	p, err := s.prepare()
	if err != nil {
		return buf, err
	}
	buf = append(buf, '[')
	for i := range res.N {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, err = s.appendJSONRow(buf, p, res, i); err != nil {
			return buf, err
		}
	}
	return append(buf, ']'), nil
}

// errorJSON is {"error": msg} as one line of JSON.
func errorJSON(msg string) []byte {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return b
}

// schemaColumn is a column as the schema shows it.
type schemaColumn struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Type       string   `json:"type"`
	Categories []string `json:"categories,omitempty"`
	Labels     []string `json:"labels,omitempty"`
	LabelType  string   `json:"label_type,omitempty"`
	Width      int      `json:"width,omitempty"`
}

// SchemaJSON returns the scorer's name, inputs and outputs as JSON (what
// GET /schema and the schema command show): each column's name, kind,
// training Arrow type, and categories, labels or a vector's width.
func (s *Scorer) SchemaJSON() []byte {
	conv := func(cols []Column) []schemaColumn {
		out := make([]schemaColumn, len(cols))
		for i, c := range cols {
			out[i] = schemaColumn{c.Name, c.Kind.String(), c.Type, c.Categories, c.Labels, c.LabelType, c.Width}
		}
		return out
	}
	b, _ := json.MarshalIndent(struct {
		Name    string         `json:"name"`
		Inputs  []schemaColumn `json:"inputs"`
		Outputs []schemaColumn `json:"outputs"`
	}{s.Name, conv(s.Inputs), conv(s.Outputs)}, "", "  ")
	return b
}

// MetadataJSON returns s.Metadata, or {} when it is empty.
func (s *Scorer) MetadataJSON() []byte {
	if len(bytes.TrimSpace(s.Metadata)) == 0 {
		return []byte("{}")
	}
	return s.Metadata
}
