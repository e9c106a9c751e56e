package fft

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quiver-ml/quiver/engine"
)

// ParseWords reads a tree in words, one sentence per level:
//
//	If <cue> <op> <value>, decide <True|False>.
//	...
//	If <cue> <op> <value>, decide <True|False>, otherwise, decide <False|True>.
//
// op is one of >, >=, <, <=, =, !=; value is a number after a comparison,
// and a set {a,b,...} (or a single level) after = or !=, with NA standing
// for a missing value. Keywords are case-insensitive and the last sentence
// may leave out its otherwise clause. kinds gives the kind of every cue the
// tree may name. ParseWords fails with a KindValue error that quotes the
// character position of the first problem.
func ParseWords(text string, kinds map[string]kind) (*Tree, error) {
	p := &parser{text: text}
	t := &Tree{}
	for {
		p.space()
		if p.pos >= len(p.text) {
			break
		}
		if len(t.nodes) == maxTreeLevels {
			return nil, p.fail("a tree has at most %d levels", maxTreeLevels)
		}
		n, final, err := p.sentence(kinds)
		if err != nil {
			return nil, err
		}
		t.nodes = append(t.nodes, n)
		if final {
			p.space()
			if p.pos < len(p.text) {
				return nil, p.fail("text after the sentence with otherwise, which must be the last")
			}
		}
	}
	if len(t.nodes) == 0 {
		return nil, engine.Errorf(engine.KindValue, "tree in words is empty; write sentences such as %q", "If age > 60, decide True, otherwise, decide False.")
	}
	return t, nil
}

type parser struct {
	text string
	pos  int
}

func (p *parser) fail(format string, args ...any) error {
	at := []rune(p.text[p.pos:])
	quote := string(at)
	if len(at) > 24 {
		quote = string(at[:24]) + "..."
	}
	// Positions count characters, not bytes, so names in any script point
	// where the reader looks.
	return engine.Errorf(engine.KindValue, "tree in words, at character %d (%q): %s",
		utf8.RuneCountInString(p.text[:p.pos])+1, quote, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for p.pos < len(p.text) && unicode.IsSpace(rune(p.text[p.pos])) {
		p.pos++
	}
}

// keyword consumes word (case-insensitive) followed by a non-letter.
func (p *parser) keyword(word string) bool {
	p.space()
	end := p.pos + len(word)
	if end > len(p.text) || !strings.EqualFold(p.text[p.pos:end], word) {
		return false
	}
	if end < len(p.text) && unicode.IsLetter(rune(p.text[end])) {
		return false
	}
	p.pos = end
	return true
}

func (p *parser) punct(c byte) bool {
	p.space()
	if p.pos < len(p.text) && p.text[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// sentence parses one level; final reports an otherwise clause.
func (p *parser) sentence(kinds map[string]kind) (n node, final bool, err error) {
	if !p.keyword("if") {
		return n, false, p.fail(`expected "If"`)
	}
	p.space()
	start := p.pos
	opAt, o := findOp(p.text[p.pos:])
	if opAt < 0 {
		return n, false, p.fail("expected a condition such as %q", "age > 60")
	}
	n.cue = strings.TrimSpace(p.text[start : start+opAt])
	k, known := kinds[n.cue]
	if n.cue == "" {
		return n, false, p.fail("expected a cue name before %q", o.String())
	}
	if !known {
		return n, false, p.fail("unknown cue %q; the cues are %s", n.cue, cueList(kinds))
	}
	n.op = o
	p.pos = start + opAt + len(o.String())
	p.space()
	if err := p.value(&n, k); err != nil {
		return n, false, err
	}
	if !p.punct(',') {
		return n, false, p.fail(`expected ", decide True" or ", decide False"`)
	}
	if n.decide, err = p.decision(); err != nil {
		return n, false, err
	}
	if p.punct('.') {
		return n, false, nil
	}
	if p.pos >= len(p.text) {
		return n, true, nil
	}
	if !p.punct(',') || !p.keyword("otherwise") {
		return n, false, p.fail(`expected "." or ", otherwise, decide ..."`)
	}
	p.punct(',')
	other, err := p.decision()
	if err != nil {
		return n, false, err
	}
	if other == n.decide {
		return n, false, p.fail("both exits of the last level decide %s", decision(other))
	}
	p.punct('.')
	return n, true, nil
}

func (p *parser) decision() (bool, error) {
	if !p.keyword("decide") {
		return false, p.fail(`expected "decide"`)
	}
	switch {
	case p.keyword("true"):
		return true, nil
	case p.keyword("false"):
		return false, nil
	}
	return false, p.fail("expected True or False")
}

// value parses the right-hand side of a condition for a cue of kind k.
func (p *parser) value(n *node, k kind) error {
	if !n.op.isSet() {
		if k != numeric {
			return p.fail("cue %q is %s; compare it with = {levels} or != {levels}, not %s", n.cue, k, n.op)
		}
		end := p.pos
		for end < len(p.text) && p.text[end] != ',' && !unicode.IsSpace(rune(p.text[end])) {
			end++
		}
		word := strings.TrimSuffix(p.text[p.pos:end], ".")
		v, err := strconv.ParseFloat(word, 64)
		if err != nil || v != v {
			return p.fail("expected a number after %s", n.op)
		}
		n.threshold = v
		p.pos += len(word)
		return nil
	}
	var items []string
	if p.punct('{') {
		end := strings.IndexByte(p.text[p.pos:], '}')
		if end < 0 {
			return p.fail(`set of levels has no closing "}"`)
		}
		for _, item := range strings.Split(p.text[p.pos:p.pos+end], ",") {
			items = append(items, strings.TrimSpace(item))
		}
		p.pos += end + 1
	} else {
		end := strings.IndexByte(p.text[p.pos:], ',')
		if end < 0 {
			return p.fail("expected a level or a set {a,b} after %s", n.op)
		}
		items = []string{strings.TrimSpace(p.text[p.pos : p.pos+end])}
		if strings.Contains(items[0], "}") { // Words could not print it back
			return p.fail(`a level cannot hold "}"`)
		}
		p.pos += end
	}
	for _, item := range items {
		if item == "" {
			return p.fail("empty level in a set")
		}
		switch k {
		case numeric:
			if item == missingLevel {
				break
			}
			if _, err := strconv.ParseFloat(item, 64); err != nil {
				return p.fail("cue %q is numeric, so its levels must be numbers or NA, not %q", n.cue, item)
			}
		case logical:
			up := strings.ToUpper(item)
			if up != "TRUE" && up != "FALSE" && up != missingLevel {
				return p.fail("cue %q is logical, so its levels are TRUE, FALSE and NA, not %q", n.cue, item)
			}
			item = up
		}
		n.set = append(n.set, item)
	}
	return nil
}

// findOp returns the position and kind of the first comparison operator in s.
func findOp(s string) (int, op) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '>', '<':
			o := opGT
			if s[i] == '<' {
				o = opLT
			}
			if i+1 < len(s) && s[i+1] == '=' {
				o++ // >= and <= follow > and <
			}
			return i, o
		case '!':
			if i+1 < len(s) && s[i+1] == '=' {
				return i, opNotIn
			}
		case '=':
			return i, opIn
		}
	}
	return -1, 0
}

func cueList(kinds map[string]kind) string {
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, strconv.Quote(name))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
