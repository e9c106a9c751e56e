package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// A column of lists is one level of repetition over a primitive leaf.
// Each value in its pages has a repetition level, 0 where a row starts
// and 1 where a list goes on, and a definition level, which says how far
// down the schema the value is defined: below listDef the row's list is
// null, at listDef it is empty, and above it the value is an element,
// null below maxDef.

// listShape is how a column read as lists lies in the file.
type listShape struct {
	name     string        // the column's
	leaf     schemaElement // the elements' primitive
	nullable bool          // whether a row's list may be null: the column is OPTIONAL
	elemNull bool          // whether an element may be null: the leaf is OPTIONAL
	large    bool          // whether the lists read as large_list
	listDef  uint8         // the definition level of an empty list
	maxDef   uint8         // the definition level of an element with a value
}

// shapeOf is the shape of the column whose schema elements, depth first,
// are s, when it is a list of a primitive; otherwise the error says why
// it cannot be read. It takes the standard three-level LIST,
//
//	<optional|required> group <name> (LIST) {
//	  repeated group list { <optional|required> <primitive> element; }
//	}
//
// and the older forms the format's backward-compatibility rules allow: a
// repeated primitive as the column itself (a list never null, of
// required elements) or as the LIST group's child (a list of required
// elements). A repeated group of one field named "array" or
// "<name>_tuple" is, by those rules, a list of one-field structs; it is
// read as a list of that field's values, which are laid out as the
// standard form's elements are.
func shapeOf(s []schemaElement) (*listShape, error) {
	e := s[0]
	nested := fmt.Errorf("column %q is nested, which is not supported", e.name)
	sh := &listShape{name: e.name}
	if e.numChildren == 0 {
		// A repeated primitive: a list of required elements.
		sh.leaf, sh.maxDef = e, 1
		return sh, nil
	}
	isList := e.logical.kind == logList || e.logical.kind == 0 && e.converted == convList
	if !isList || e.numChildren != 1 || len(s) < 2 {
		return nil, nested
	}
	switch e.repetition {
	case repOptional:
		sh.nullable, sh.listDef = true, 1
	case repRequired:
	default:
		return nil, nested
	}
	r := s[1]
	switch {
	case r.repetition != repRepeated:
		return nil, nested
	case r.numChildren == 0:
		// Two levels: the repeated primitive is the element.
		sh.leaf, sh.maxDef = r, sh.listDef+1
		return sh, nil
	case r.numChildren != 1 || len(s) != 3:
		return nil, nested // a list of structs, or of lists
	}
	x := s[2]
	switch x.repetition {
	case repOptional:
		sh.elemNull = true
	case repRequired:
	default:
		return nil, nested
	}
	sh.leaf, sh.maxDef = x, sh.listDef+1
	if sh.elemNull {
		sh.maxDef++
	}
	return sh, nil
}

// columnType is the Arrow type the lists read as: list, or large_list,
// of the leaf's type, the child field named as the leaf is.
func (sh *listShape) columnType() (*columnar.Type, error) {
	leaf := sh.leaf
	leaf.name = sh.name // errors name the column
	t, err := columnType(leaf)
	if err != nil {
		return nil, err
	}
	id := columnar.List
	if sh.large {
		id = columnar.LargeList
	}
	return &columnar.Type{ID: id, Fields: []columnar.Field{{Name: sh.leaf.name, Type: t, Nullable: sh.elemNull}}}, nil
}

// levelWidth is the bit width of levels up to max.
func levelWidth(max uint8) int {
	w := 0
	for ; max > 0; max >>= 1 {
		w++
	}
	return w
}

// readLists decodes a data page of lists: its levels, and the values of
// the elements that have one, packed.
func (c *cursor) readLists(h pageHeader, body []byte) error {
	n := int(h.numValues)
	if n < 0 || int64(n) > c.limit {
		return fmt.Errorf("page of %d values is implausible for the file's size", h.numValues)
	}
	var reps, defs, values []byte
	if h.typ == pageData {
		b, err := c.dec.decompress(c.codec, body, int(h.uncompressedSize))
		if err != nil {
			return err
		}
		if h.repEncoding != encRLE {
			return fmt.Errorf("repetition levels encoded %s", encodingName(h.repEncoding))
		}
		if h.defEncoding != encRLE {
			return fmt.Errorf("definition levels encoded %s", encodingName(h.defEncoding))
		}
		for _, l := range []*[]byte{&reps, &defs} {
			if len(b) < 4 || uint64(binary.LittleEndian.Uint32(b)) > uint64(len(b)-4) {
				return errShort
			}
			m := 4 + int(binary.LittleEndian.Uint32(b))
			*l, b = b[4:m], b[m:]
		}
		values = b
	} else {
		if h.repLength < 0 || h.defLength < 0 || int64(h.repLength)+int64(h.defLength) > int64(len(body)) {
			return errShort
		}
		reps = body[:h.repLength]
		defs = body[h.repLength : h.repLength+h.defLength]
		values = body[h.repLength+h.defLength:]
		if h.compressed {
			var err error
			if values, err = c.dec.decompress(c.codec, values, int(h.uncompressedSize-h.repLength-h.defLength)); err != nil {
				return err
			}
		}
	}
	sh := c.list
	c.reps = slices.Grow(c.reps[:0], n)[:n]
	if err := hybrid(reps, 1, c.reps); err != nil {
		return fmt.Errorf("repetition levels: %w", err)
	}
	c.ldefs = slices.Grow(c.ldefs[:0], n)[:n]
	if err := hybrid(defs, levelWidth(sh.maxDef), c.ldefs); err != nil {
		return fmt.Errorf("definition levels: %w", err)
	}
	present := 0
	for _, d := range c.ldefs {
		if d == sh.maxDef {
			present++
		} else if d > sh.maxDef {
			return fmt.Errorf("definition level %d over %d", d, sh.maxDef)
		}
	}
	rows := int64(bytes.Count(c.reps, []byte{0}))
	if rows > c.rows-c.done {
		return fmt.Errorf("pages hold more than the row group's %d rows", c.rows)
	}
	c.done += rows
	if err := c.readValues(h.encoding, values, present, present); err != nil {
		return err
	}
	c.n, c.present, c.next, c.nextBin = n, present, 0, 0
	return nil
}

// takeLists returns the column's next k rows of lists. A row's values
// may run on over pages, so the k rows end where a page holds the next
// row's first value, or where the column chunk ends.
func (c *cursor) takeLists(k int) (*columnar.Array, error) {
	sh := c.list
	var (
		off32 []int32
		off64 []int64
		valid []byte // of the lists, allocated at the first null
		nulls int
		rows  int  // rows started
		open  bool // whether the last row started has elements, so may have more
	)
	if sh.large {
		off64 = columnar.MakeAligned[int64](k + 1)
	} else {
		off32 = columnar.MakeAligned[int32](k + 1)
	}
	el := newElems(c)
	for {
		if c.next == c.n {
			ok, err := c.nextPage()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			continue
		}
		// The page's values from c.next up to the row after the k-th, or
		// to the page's end.
		end, started := c.n, rows
		for i, r := range c.reps[c.next:] {
			if r == 0 {
				if started == k {
					end = c.next + i
					break
				}
				started++
			}
		}
		el.reserve(end - c.next)
		slot, segNulls, vals := el.n, el.nulls, 0
		i := c.next
		for ; i < end; i++ {
			d := c.ldefs[i]
			if c.reps[i] == 0 {
				if sh.large {
					off64[rows] = int64(el.n)
				} else {
					off32[rows] = int32(el.n)
				}
				open = d > sh.listDef
				if d < sh.listDef {
					if valid == nil {
						valid = make([]byte, columnar.BitmapBytes(k))
						columnar.SetBits(valid, 0, rows)
					}
					nulls++
					rows++
					continue
				}
				if valid != nil {
					columnar.SetBit(valid, rows)
				}
				rows++
				if d == sh.listDef {
					continue // an empty list
				}
			} else if !open || d <= sh.listDef {
				// A list goes on only after an element.
				return nil, errors.New("corrupt repetition levels")
			}
			if d == sh.maxDef {
				if el.valid != nil {
					columnar.SetBit(el.valid, el.n)
				}
				vals++
			} else {
				el.null()
			}
			el.n++
		}
		if !sh.large && el.n > math.MaxInt32 {
			return nil, fmt.Errorf("over 2^31 list elements in %d rows", k)
		}
		if err := el.fill(c, slot, el.nulls > segNulls, vals); err != nil {
			return nil, err
		}
		c.next, c.nextBin = i, c.nextBin+vals
		if end < c.n {
			break
		}
	}
	if rows < k {
		return nil, fmt.Errorf("pages hold %d of the row group's %d rows", c.done, c.rows)
	}
	if sh.large {
		off64[k] = int64(el.n)
	} else {
		off32[k] = int32(el.n)
	}
	a := &columnar.Array{Type: c.typ, Len: k, Nulls: nulls, Children: []*columnar.Array{el.array(c)}}
	if nulls == 0 {
		valid = nil
	}
	if sh.large {
		a.Buffers = [][]byte{valid, columnar.AsBytes(off64)}
	} else {
		a.Buffers = [][]byte{valid, columnar.AsBytes(off32)}
	}
	return a, nil
}

// elems builds the child array of a record's lists.
type elems struct {
	w     int    // bytes a value takes in the array; 0 for strings and booleans
	bits  bool   // whether the values are booleans, a bit each
	n     int    // elements so far
	room  int    // elements there is room for
	vals  []byte // fixed-width values, or the booleans' bitmap
	valid []byte // allocated at the first null element
	nulls int
	offs  []int32 // of strings
	data  []byte
}

func newElems(c *cursor) *elems {
	el := &elems{}
	switch {
	case c.width == 0:
		el.offs = columnar.MakeAligned[int32](1)
	case c.width == 1:
		el.bits = true
	default:
		el.w = c.typ.Fields[0].Type.ByteWidth()
	}
	return el
}

// grow returns b with room for at least size bytes, 8-byte aligned and
// zeroed past its length.
func grow(b []byte, size int) []byte {
	if size <= cap(b) && b != nil {
		return b[:cap(b)]
	}
	nb := columnar.MakeAligned[uint8](max(size, 2*cap(b)))
	copy(nb, b)
	return nb
}

// reserve makes room for m more elements.
func (el *elems) reserve(m int) {
	n := el.n + m
	if n <= el.room {
		return
	}
	n = max(n, 2*el.room)
	switch {
	case el.offs != nil:
		el.offs = slices.Grow(el.offs, n+1-len(el.offs))
	case el.bits:
		el.vals = grow(el.vals, columnar.BitmapBytes(n))
	default:
		el.vals = grow(el.vals, n*el.w)
	}
	if el.valid != nil {
		el.valid = grow(el.valid, columnar.BitmapBytes(n))
	}
	el.room = n
}

// null makes element el.n null.
func (el *elems) null() {
	if el.valid == nil {
		el.valid = grow(nil, columnar.BitmapBytes(el.room))
		columnar.SetBits(el.valid, 0, el.n)
	}
	el.nulls++
}

// fill gives elements slot to el.n their values: vals of the page's
// values from c.nextBin, to those elements that are not null, which
// only some are when nulls is true.
func (el *elems) fill(c *cursor, slot int, nulls bool, vals int) error {
	present := func(j int) bool { return !nulls || columnar.Bit(el.valid, j) }
	switch {
	case c.width == 0:
		v := c.nextBin
		for j := slot; j < el.n; j++ {
			if present(j) {
				el.data = append(el.data, c.bins[v]...)
				v++
			}
			if len(el.data) > math.MaxInt32 {
				return errors.New("over 2 GiB of strings in a record's lists")
			}
			el.offs = append(el.offs, int32(len(el.data)))
		}
	case c.width == 1:
		src := c.fixed[c.nextBin : c.nextBin+vals]
		v := 0
		for j := slot; j < el.n; j++ {
			if present(j) {
				if src[v] == 1 {
					columnar.SetBit(el.vals, j)
				}
				v++
			}
		}
	default:
		cw, w := c.width, el.w
		src := c.fixed[c.nextBin*cw : (c.nextBin+vals)*cw]
		if !nulls && w == cw {
			copy(el.vals[slot*w:], src)
			return nil
		}
		v := 0
		for j := slot; j < el.n; j++ {
			if present(j) {
				copy(el.vals[j*w:(j+1)*w], src[v*cw:]) // narrow integers are stored as INT32
				v++
			}
		}
	}
	return nil
}

// array is the child array of the elements built.
func (el *elems) array(c *cursor) *columnar.Array {
	t := c.typ.Fields[0].Type
	a := &columnar.Array{Type: t, Len: el.n, Nulls: el.nulls}
	var valid []byte
	if el.nulls > 0 {
		valid = el.valid[:columnar.BitmapBytes(el.n)]
	}
	switch {
	case c.width == 0:
		if el.data == nil {
			el.data = []byte{}
		}
		a.Buffers = [][]byte{valid, columnar.AsBytes(el.offs), el.data}
	case el.bits:
		a.Buffers = [][]byte{valid, grow(el.vals, columnar.BitmapBytes(el.n))[:columnar.BitmapBytes(el.n)]}
	default:
		vals := grow(el.vals, el.n*el.w)[:el.n*el.w]
		if !littleEndian && el.w > 1 {
			toNative(vals, el.w)
		}
		a.Buffers = [][]byte{valid, vals}
	}
	return a
}

// writeLists writes the column of lists col as data pages of about
// pageSize bytes of values, in the standard layout: the definition
// levels are 0 for a null list, 1 for an empty one, 2 for a null element
// and 3 for an element with a value. str reads the elements when they
// are strings.
func (w *Writer) writeLists(cm *columnMeta, col *columnar.Array, str *strs) error {
	cm.numValues = 0
	child := col.Children[0]
	bools := child.Type.ID == columnar.Bool
	var reps, defs []uint8
	for lo := 0; lo < col.Len; {
		hi := listPageEnd(col, str, lo)
		reps, defs = reps[:0], defs[:0]
		var vals, bm []byte
		k := 0 // booleans in bm
		// The values of consecutive lists, which usually follow one
		// another in the child, are appended a run at a time.
		runLo, runHi := 0, 0
		flush := func() {
			switch {
			case runHi == runLo || bools:
			case str != nil:
				vals = appendStrings(vals, str, runLo, runHi)
			default:
				vals = appendFixed(vals, child, runLo, runHi)
			}
		}
		for i := lo; i < hi; i++ {
			if col.IsNull(i) {
				reps, defs = append(reps, 0), append(defs, 0)
				continue
			}
			l, h := col.ListRange(i)
			if l == h {
				reps, defs = append(reps, 0), append(defs, 1)
				continue
			}
			if l != runHi {
				flush()
				runLo = l
			}
			runHi = h
			for j := l; j < h; j++ {
				r := uint8(1)
				if j == l {
					r = 0
				}
				reps = append(reps, r)
				if child.IsNull(j) {
					defs = append(defs, 2)
					continue
				}
				defs = append(defs, 3)
				if bools {
					if k == 8*len(bm) {
						bm = append(bm, 0)
					}
					if child.Bool(j) {
						columnar.SetBit(bm, k)
					}
					k++
				}
			}
		}
		flush()
		if bools {
			vals = bm
		}
		if len(reps) > math.MaxInt32 {
			return fmt.Errorf("parquet: a page of %d list values", len(reps))
		}
		raw := make([]byte, 0, 16+len(reps)/2+len(vals))
		raw = appendLevels(raw, reps, 1)
		raw = appendLevels(raw, defs, 2)
		raw = append(raw, vals...)
		cm.numValues += int64(len(reps))
		if err := w.page(cm, raw, len(reps)); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// listPageEnd is where the page of lists starting at row lo of col ends:
// after about pageSize bytes of values.
func listPageEnd(col *columnar.Array, str *strs, lo int) int {
	size := 0
	for i := lo; i < col.Len; i++ {
		if size >= pageSize {
			return i
		}
		size++
		if col.IsNull(i) {
			continue
		}
		l, h := col.ListRange(i)
		if str == nil {
			size += 8 * (h - l)
			continue
		}
		for j := l; j < h; j++ {
			if str.isValid(j) {
				size += 4 + len(str.value(j))
			}
		}
	}
	return col.Len
}

// appendLevels appends levels of bw bits in the RLE/bit-packed hybrid
// encoding, after their length in 4 bytes, as data pages of version 1
// hold them: a run of eight or more equal levels is run-length encoded,
// the others bit-packed in groups of eight.
func appendLevels(b []byte, levels []uint8, bw int) []byte {
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	run := func(i int) int {
		j := i + 1
		for j < len(levels) && levels[j] == levels[i] {
			j++
		}
		return j - i
	}
	for i := 0; i < len(levels); {
		if r := run(i); r >= 8 {
			b = binary.AppendUvarint(b, uint64(r)<<1)
			b = append(b, levels[i])
			i += r
			continue
		}
		// Groups of eight up to the next long run; only the last group
		// of all may be cut short, and is padded with zeros.
		j := i + 8
		for j < len(levels) && run(j) < 8 {
			j += 8
		}
		groups := (j - i) / 8
		b = binary.AppendUvarint(b, uint64(groups)<<1|1)
		var acc uint64
		nb := 0
		for k := i; k < j; k++ {
			if k < len(levels) {
				acc |= uint64(levels[k]) << nb
			}
			nb += bw
			for nb >= 8 {
				b = append(b, byte(acc))
				acc >>= 8
				nb -= 8
			}
		}
		i = j
	}
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}
