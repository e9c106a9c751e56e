package runtime

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScanner walks JSON text in place: rows are read straight into a
// batch, without building a map per row (which took most of a request's
// time).
type jsonScanner struct {
	b []byte
	i int
}

// maxJSONDepth bounds the nesting of values the scanner skips, so that a
// hostile body cannot exhaust the stack.
const maxJSONDepth = 1000

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat moves past c after white space, reporting whether it was there.
func (s *jsonScanner) eat(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// fail is the syntax error at the scanner's position.
func (s *jsonScanner) fail(what string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("malformed JSON: %s at the end of the input", what)
	}
	return fmt.Errorf("malformed JSON: %s at offset %d", what, s.i)
}

// skip moves past one value, checking its syntax. When the value is an
// array and each is not nil, it calls each with the position of every
// element (its own, not its elements' elements), so that a caller finds
// them in the same pass.
func (s *jsonScanner) skip(depth int, each func(at int)) error {
	s.ws()
	if s.i >= len(s.b) {
		return s.fail("want a value")
	}
	switch c := s.b[s.i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return s.fail("values nested too deep")
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		if s.eat(end) {
			return nil
		}
		for {
			if c == '{' {
				s.ws()
				if _, _, err := s.str(false); err != nil {
					return err
				}
				if !s.eat(':') {
					return s.fail("want ':'")
				}
			}
			if c == '[' && each != nil {
				s.ws()
				each(s.i)
			}
			if err := s.skip(depth+1, nil); err != nil {
				return err
			}
			if s.eat(',') {
				continue
			}
			if s.eat(end) {
				return nil
			}
			return s.fail("want ',' or '" + string(end) + "'")
		}
	case c == '"':
		_, _, err := s.str(false)
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return s.fail(fmt.Sprintf("unexpected %q", s.b[s.i]))
}

func (s *jsonScanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("invalid literal")
	}
	s.i += len(word)
	return nil
}

// members walks the object at the scanner's position, whose syntax skip
// has checked, calling f with each member's key (raw, escapes and all)
// when the scanner has just moved past the value, which begins at at. It
// stops at f's first error.
func (s *jsonScanner) members(f func(key []byte, at int) error) error {
	s.eat('{')
	for !s.eat('}') {
		s.eat(',')
		s.ws()
		key, _, _ := s.str(false)
		s.eat(':')
		s.ws()
		at := s.i
		s.skip(0, nil)
		if err := f(key, at); err != nil {
			return err
		}
	}
	return nil
}

// number moves past a number of JSON's grammar.
func (s *jsonScanner) number() error {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return s.fail("invalid number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.fail("invalid number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.fail("invalid number")
		}
	}
	return nil
}

// str moves past a string at the scanner's position and returns its
// raw contents (between the quotes) and, when decode is set, its value
// with escapes resolved (the raw contents when there are none).
func (s *jsonScanner) str(decode bool) (raw []byte, value string, err error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, "", s.fail("want a string")
	}
	start := s.i + 1
	escaped := false
	for s.i = start; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			if !decode {
				return raw, "", nil
			}
			if !escaped && utf8.Valid(raw) {
				return raw, string(raw), nil
			}
			return raw, unescape(raw), nil
		case c == '\\':
			escaped = true
			s.i++
			if s.i >= len(s.b) {
				return nil, "", s.fail("unterminated string")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					s.i++
					if s.i >= len(s.b) || !isHex(s.b[s.i]) {
						return nil, "", s.fail("invalid \\u escape")
					}
				}
			default:
				return nil, "", s.fail("invalid escape")
			}
		case c < 0x20:
			return nil, "", s.fail("control character in string")
		}
	}
	return nil, "", s.fail("unterminated string")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unescape resolves the escapes of a string's raw contents, checked by
// str; a lone surrogate or a byte that is not UTF-8 becomes U+FFFD, as
// encoding/json has it.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r)
			i += size - 1
			continue
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(raw[i+3:i+7])); pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, raw[i])
		}
	}
	return string(out)
}

func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b), 16, 32)
	return rune(v)
}
