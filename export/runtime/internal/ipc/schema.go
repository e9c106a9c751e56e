package ipc

import (
	"errors"
	"fmt"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// maxDepth bounds how deeply types may nest, so that hostile metadata
// cannot exhaust the stack.
const maxDepth = 64

// Members of the Type union of Schema.fbs.
const (
	fbNull = iota + 1
	fbInt
	fbFloatingPoint
	fbBinary
	fbUtf8
	fbBool
	fbDecimal
	fbDate
	fbTime
	fbTimestamp
	fbInterval
	fbList
	fbStruct
	fbUnion
	fbFixedSizeBinary
	fbFixedSizeList
	fbMap
	fbDuration
	fbLargeBinary
	fbLargeUtf8
	fbLargeList
	fbRunEndEncoded
	fbBinaryView
	fbUtf8View
	fbListView
	fbLargeListView
)

// unsupportedTypes names the members of the Type union this package does
// not read, for errors.
var unsupportedTypes = map[uint8]string{
	fbInterval: "interval", fbUnion: "union", fbRunEndEncoded: "run_end_encoded",
	fbBinaryView: "binary_view", fbUtf8View: "utf8_view", fbListView: "list_view", fbLargeListView: "large_list_view",
}

// fieldNode is a field of a schema as this package walks it: its type,
// its dictionary's id when dictionary-encoded, and the fields of its
// type (of the dictionary's value type when dictionary-encoded).
type fieldNode struct {
	path     string // the field's name and its parents', for errors
	typ      *columnar.Type
	dictID   int64
	children []*fieldNode
}

// valueType is t, or its value type when t is a dictionary.
func valueType(t *columnar.Type) *columnar.Type {
	if t.ID == columnar.Dictionary {
		return t.Value
	}
	return t
}

// valueNode is n as the field of a dictionary batch: the node of its
// dictionary's values.
func (n *fieldNode) valueNode() *fieldNode {
	return &fieldNode{path: n.path, typ: n.typ.Value, children: n.children}
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// decodeSchema reads a Schema table.
func decodeSchema(t table) (*columnar.Schema, []*fieldNode, error) {
	if t.int16(0, 0) != 0 {
		return nil, nil, errors.New("arrow ipc: big-endian data is not supported")
	}
	fv := t.vector(1, 4)
	s := &columnar.Schema{Fields: make([]columnar.Field, 0, min(fv.n, 1024))}
	var nodes []*fieldNode
	for i := range fv.n {
		f, n, err := decodeField(fv.table(i), "", 0)
		if err != nil {
			return nil, nil, err
		}
		s.Fields = append(s.Fields, f)
		nodes = append(nodes, n)
	}
	s.Metadata = decodeMetadata(t.vector(2, 4))
	if t.f.err != nil {
		return nil, nil, t.f.err
	}
	return s, nodes, nil
}

func decodeMetadata(v vector) columnar.Metadata {
	var md columnar.Metadata
	for i := range v.n {
		kv := v.table(i)
		md.Keys = append(md.Keys, kv.str(0))
		md.Values = append(md.Values, kv.str(1))
	}
	return md
}

// decodeField reads a Field table.
func decodeField(t table, parent string, depth int) (columnar.Field, *fieldNode, error) {
	if depth >= maxDepth {
		return columnar.Field{}, nil, fmt.Errorf("arrow ipc: field %q nests types more than %d deep", parent, maxDepth)
	}
	f := columnar.Field{Name: t.str(0), Nullable: t.bool(1)}
	path := joinPath(parent, f.Name)
	cv := t.vector(5, 4)
	children := make([]columnar.Field, 0, min(cv.n, 1024))
	node := &fieldNode{path: path}
	for i := range cv.n {
		c, cn, err := decodeField(cv.table(i), path, depth+1)
		if err != nil {
			return f, nil, err
		}
		children = append(children, c)
		node.children = append(node.children, cn)
	}
	tt, _ := t.table(3)
	typ, err := decodeType(t.uint8(2, 0), tt, children, path)
	if err != nil {
		return f, nil, err
	}
	if dt, ok := t.table(4); ok {
		index := columnar.Int32Type
		if it, ok := dt.table(1); ok {
			if index, err = intType(it, path); err != nil {
				return f, nil, err
			}
		}
		if dt.int16(3, 0) != 0 {
			return f, nil, fmt.Errorf("arrow ipc: field %q: dictionary kind %d is not supported", path, dt.int16(3, 0))
		}
		node.dictID = dt.int64(0, 0)
		typ = &columnar.Type{ID: columnar.Dictionary, Index: index, Value: typ, Ordered: dt.bool(2)}
	}
	node.typ = typ
	f.Type = typ
	f.Metadata = decodeMetadata(t.vector(6, 4))
	return f, node, t.f.err
}

func intType(t table, path string) (*columnar.Type, error) {
	signed := t.bool(1)
	switch t.int32(0, 0) {
	case 8:
		return pick(signed, columnar.Int8Type, columnar.Uint8Type), nil
	case 16:
		return pick(signed, columnar.Int16Type, columnar.Uint16Type), nil
	case 32:
		return pick(signed, columnar.Int32Type, columnar.Uint32Type), nil
	case 64:
		return pick(signed, columnar.Int64Type, columnar.Uint64Type), nil
	}
	return nil, fmt.Errorf("arrow ipc: field %q: integers of %d bits are not supported", path, t.int32(0, 0))
}

func pick[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// maxPrecision is the most decimal digits a decimal type holds.
func maxPrecision(t *columnar.Type) int32 {
	if t.ID == columnar.Decimal256 {
		return 76
	}
	return 38
}

// decimalPrecisionOK reports whether a decimal's precision is one Arrow
// allows. (Its scale may be any int32, even beyond the precision.)
func decimalPrecisionOK(t *columnar.Type) bool {
	return t.Precision >= 1 && t.Precision <= maxPrecision(t)
}

func timeUnit(u int16, path string) (columnar.TimeUnit, error) {
	if u < 0 || u > 3 {
		return 0, fmt.Errorf("arrow ipc: field %q: unknown time unit %d", path, u)
	}
	return columnar.TimeUnit(u), nil
}

// decodeType makes the type of a field from its Type union member and
// its children.
func decodeType(kind uint8, t table, children []columnar.Field, path string) (*columnar.Type, error) {
	nchild := -1 // how many children the type has; -1 for any
	var typ *columnar.Type
	var err error
	switch kind {
	case fbNull:
		typ, nchild = columnar.NullType, 0
	case fbInt:
		typ, err = intType(t, path)
		nchild = 0
	case fbFloatingPoint:
		nchild = 0
		switch t.int16(0, 0) {
		case 0:
			typ = columnar.Float16Type
		case 1:
			typ = columnar.Float32Type
		case 2:
			typ = columnar.Float64Type
		default:
			err = fmt.Errorf("arrow ipc: field %q: unknown floating-point precision %d", path, t.int16(0, 0))
		}
	case fbBinary:
		typ, nchild = columnar.BinaryType, 0
	case fbUtf8:
		typ, nchild = columnar.StringType, 0
	case fbLargeBinary:
		typ, nchild = columnar.LargeBinaryType, 0
	case fbLargeUtf8:
		typ, nchild = columnar.LargeStringType, 0
	case fbBool:
		typ, nchild = columnar.BoolType, 0
	case fbDecimal:
		nchild = 0
		typ = &columnar.Type{Precision: t.int32(0, 0), Scale: t.int32(1, 0)}
		switch w := t.int32(2, 128); w {
		case 128:
			typ.ID = columnar.Decimal128
		case 256:
			typ.ID = columnar.Decimal256
		default:
			err = fmt.Errorf("arrow ipc: field %q: type decimal%d is not supported", path, w)
		}
		if err == nil && !decimalPrecisionOK(typ) {
			err = fmt.Errorf("arrow ipc: field %q: %s has a precision outside 1 to %d", path, typ, maxPrecision(typ))
		}
	case fbDate:
		nchild = 0
		switch u := t.int16(0, 1); u {
		case 0:
			typ = columnar.Date32Type
		case 1:
			typ = columnar.Date64Type
		default:
			err = fmt.Errorf("arrow ipc: field %q: unknown date unit %d", path, u)
		}
	case fbTime:
		nchild = 0
		var u columnar.TimeUnit
		if u, err = timeUnit(t.int16(0, 1), path); err == nil {
			typ = &columnar.Type{ID: columnar.Time32, Unit: u}
			width := t.int32(1, 32)
			if u >= columnar.Microsecond {
				typ.ID = columnar.Time64
			}
			if (typ.ID == columnar.Time32) != (width == 32) || width != 32 && width != 64 {
				err = fmt.Errorf("arrow ipc: field %q: a time in %s of %d bits", path, u, width)
			}
		}
	case fbTimestamp:
		nchild = 0
		var u columnar.TimeUnit
		if u, err = timeUnit(t.int16(0, 0), path); err == nil {
			typ = &columnar.Type{ID: columnar.Timestamp, Unit: u, TimeZone: t.str(1)}
		}
	case fbDuration:
		nchild = 0
		var u columnar.TimeUnit
		if u, err = timeUnit(t.int16(0, 1), path); err == nil {
			typ = &columnar.Type{ID: columnar.Duration, Unit: u}
		}
	case fbFixedSizeBinary:
		nchild = 0
		typ = &columnar.Type{ID: columnar.FixedSizeBinary, Size: int(t.int32(0, 0))}
		if typ.Size < 0 {
			err = fmt.Errorf("arrow ipc: field %q: fixed_size_binary of %d bytes", path, typ.Size)
		}
	case fbList:
		typ, nchild = &columnar.Type{ID: columnar.List, Fields: children}, 1
	case fbLargeList:
		typ, nchild = &columnar.Type{ID: columnar.LargeList, Fields: children}, 1
	case fbFixedSizeList:
		nchild = 1
		typ = &columnar.Type{ID: columnar.FixedSizeList, Size: int(t.int32(0, 0)), Fields: children}
		if typ.Size < 0 {
			err = fmt.Errorf("arrow ipc: field %q: fixed_size_list of %d values", path, typ.Size)
		}
	case fbStruct:
		typ = &columnar.Type{ID: columnar.Struct, Fields: children}
	case fbMap:
		nchild = 1
		typ = &columnar.Type{ID: columnar.Map, KeysSorted: t.bool(0), Fields: children}
		if len(children) == 1 && (children[0].Type.ID != columnar.Struct || len(children[0].Type.Fields) != 2) {
			err = fmt.Errorf("arrow ipc: field %q: a map's entries must be a struct of a key and a value, not %s", path, children[0].Type)
		}
	case 0:
		err = fmt.Errorf("arrow ipc: field %q has no type", path)
	default:
		name := unsupportedTypes[kind]
		if name == "" {
			name = fmt.Sprintf("number %d", kind)
		}
		err = fmt.Errorf("arrow ipc: field %q: type %s is not supported", path, name)
	}
	if err == nil && nchild >= 0 && len(children) != nchild {
		err = fmt.Errorf("arrow ipc: field %q: type %s with %d children", path, typ, len(children))
	}
	return typ, err
}

// newNodes makes the nodes of a schema to be written, numbering its
// dictionary-encoded fields from 0 in depth-first order, and checks that
// every type can be written.
func newNodes(fields []columnar.Field) ([]*fieldNode, error) {
	var next int64
	var walk func(f columnar.Field, parent string, depth int) (*fieldNode, error)
	walk = func(f columnar.Field, parent string, depth int) (*fieldNode, error) {
		path := joinPath(parent, f.Name)
		if depth >= maxDepth {
			return nil, fmt.Errorf("arrow ipc: field %q nests types more than %d deep", path, maxDepth)
		}
		if err := checkType(f.Type, path); err != nil {
			return nil, err
		}
		n := &fieldNode{path: path, typ: f.Type}
		if f.Type.ID == columnar.Dictionary {
			n.dictID = next
			next++
		}
		for _, c := range valueType(f.Type).Fields {
			cn, err := walk(c, path, depth+1)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, cn)
		}
		return n, nil
	}
	nodes := make([]*fieldNode, len(fields))
	for i, f := range fields {
		var err error
		if nodes[i], err = walk(f, "", 0); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// checkType checks that this package can write a type, but not its
// children's types.
func checkType(t *columnar.Type, path string) error {
	if t == nil {
		return fmt.Errorf("arrow ipc: field %q has no type", path)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("arrow ipc: field %q of type %s: %s", path, t, fmt.Sprintf(format, args...))
	}
	switch t.ID {
	case columnar.Null, columnar.Bool, columnar.Int8, columnar.Int16, columnar.Int32, columnar.Int64,
		columnar.Uint8, columnar.Uint16, columnar.Uint32, columnar.Uint64,
		columnar.Float16, columnar.Float32, columnar.Float64,
		columnar.String, columnar.LargeString, columnar.Binary, columnar.LargeBinary,
		columnar.Date32, columnar.Date64, columnar.Timestamp, columnar.Duration, columnar.Struct:
	case columnar.Decimal128, columnar.Decimal256:
		if !decimalPrecisionOK(t) {
			return bad("precision outside 1 to %d", maxPrecision(t))
		}
	case columnar.Time32:
		if t.Unit != columnar.Second && t.Unit != columnar.Millisecond {
			return bad("time32 is in seconds or milliseconds")
		}
	case columnar.Time64:
		if t.Unit != columnar.Microsecond && t.Unit != columnar.Nanosecond {
			return bad("time64 is in microseconds or nanoseconds")
		}
	case columnar.FixedSizeBinary:
		if t.Size < 0 || !fitsInt32(t.Size) {
			return bad("size %d", t.Size)
		}
	case columnar.List, columnar.LargeList, columnar.FixedSizeList, columnar.Map:
		if len(t.Fields) != 1 {
			return bad("%d child fields, not 1", len(t.Fields))
		}
		if t.ID == columnar.FixedSizeList && (t.Size < 0 || !fitsInt32(t.Size)) {
			return bad("size %d", t.Size)
		}
		if e := t.Fields[0].Type; t.ID == columnar.Map && (e == nil || e.ID != columnar.Struct || len(e.Fields) != 2) {
			return bad("a map's entries must be a struct of a key and a value")
		}
	case columnar.Dictionary:
		if t.Index == nil || !t.Index.IsInteger() {
			return bad("dictionary indices must be integers")
		}
		if t.Value == nil || t.Value.ID == columnar.Dictionary {
			return bad("a dictionary's values must be of a type other than dictionary")
		}
		return checkType(t.Value, path)
	default:
		return bad("the type is not supported")
	}
	if t.Unit > columnar.Nanosecond {
		return bad("unknown time unit")
	}
	for _, f := range t.Fields {
		if f.Type == nil {
			return fmt.Errorf("arrow ipc: field %q has no type", joinPath(path, f.Name))
		}
	}
	return nil
}

// encodeSchema builds a Schema table.
func encodeSchema(b *builder, s *columnar.Schema, nodes []*fieldNode) int {
	fields := make([]int, len(s.Fields))
	for i, f := range s.Fields {
		fields[i] = encodeField(b, f, nodes[i])
	}
	fv := b.createOffsets(fields)
	md := encodeMetadata(b, s.Metadata)
	b.startTable(4)
	b.addInt16(0, 0) // little-endian
	b.addOffset(1, fv)
	if md != 0 {
		b.addOffset(2, md)
	}
	return b.endTable()
}

// encodeMetadata builds a vector of KeyValue tables; 0 when md is empty.
func encodeMetadata(b *builder, md columnar.Metadata) int {
	if len(md.Keys) == 0 {
		return 0
	}
	kvs := make([]int, len(md.Keys))
	for i, k := range md.Keys {
		var v string
		if i < len(md.Values) {
			v = md.Values[i]
		}
		ko, vo := b.createString(k), b.createString(v)
		b.startTable(2)
		b.addOffset(0, ko)
		b.addOffset(1, vo)
		kvs[i] = b.endTable()
	}
	return b.createOffsets(kvs)
}

// encodeField builds a Field table.
func encodeField(b *builder, f columnar.Field, n *fieldNode) int {
	vt := valueType(f.Type)
	children := make([]int, len(vt.Fields))
	for i, c := range vt.Fields {
		children[i] = encodeField(b, c, n.children[i])
	}
	cv := b.createOffsets(children)
	name := b.createString(f.Name)
	md := encodeMetadata(b, f.Metadata)
	kind, typ := encodeType(b, vt)
	dict := 0
	if f.Type.ID == columnar.Dictionary {
		index := encodeInt(b, f.Type.Index)
		b.startTable(4)
		b.addInt64(0, n.dictID)
		b.addOffset(1, index)
		b.addBool(2, f.Type.Ordered)
		dict = b.endTable()
	}
	b.startTable(7)
	b.addOffset(0, name)
	b.addBool(1, f.Nullable)
	b.addUint8(2, kind)
	b.addOffset(3, typ)
	if dict != 0 {
		b.addOffset(4, dict)
	}
	b.addOffset(5, cv)
	if md != 0 {
		b.addOffset(6, md)
	}
	return b.endTable()
}

func encodeInt(b *builder, t *columnar.Type) int {
	width := t.ByteWidth() * 8
	signed := t.ID <= columnar.Int64
	b.startTable(2)
	b.addInt32(0, int32(width))
	b.addBool(1, signed)
	return b.endTable()
}

// encodeType builds the Type union member of a type that checkType
// accepted, other than a dictionary.
func encodeType(b *builder, t *columnar.Type) (uint8, int) {
	switch t.ID {
	case columnar.Int8, columnar.Int16, columnar.Int32, columnar.Int64,
		columnar.Uint8, columnar.Uint16, columnar.Uint32, columnar.Uint64:
		return fbInt, encodeInt(b, t)
	case columnar.Timestamp:
		tz := 0
		if t.TimeZone != "" {
			tz = b.createString(t.TimeZone)
		}
		b.startTable(2)
		b.addInt16(0, int16(t.Unit))
		if tz != 0 {
			b.addOffset(1, tz)
		}
		return fbTimestamp, b.endTable()
	}
	var kind uint8
	b.startTable(3)
	switch t.ID {
	case columnar.Null:
		kind = fbNull
	case columnar.Bool:
		kind = fbBool
	case columnar.Float16, columnar.Float32, columnar.Float64:
		kind = fbFloatingPoint
		b.addInt16(0, int16(t.ID-columnar.Float16))
	case columnar.String:
		kind = fbUtf8
	case columnar.LargeString:
		kind = fbLargeUtf8
	case columnar.Binary:
		kind = fbBinary
	case columnar.LargeBinary:
		kind = fbLargeBinary
	case columnar.FixedSizeBinary:
		kind = fbFixedSizeBinary
		b.addInt32(0, int32(t.Size))
	case columnar.Date32, columnar.Date64:
		kind = fbDate
		b.addInt16(0, int16(t.ID-columnar.Date32))
	case columnar.Time32, columnar.Time64:
		kind = fbTime
		b.addInt32(1, int32(t.ByteWidth()*8))
		b.addInt16(0, int16(t.Unit))
	case columnar.Duration:
		kind = fbDuration
		b.addInt16(0, int16(t.Unit))
	case columnar.Decimal128, columnar.Decimal256:
		kind = fbDecimal
		b.addInt32(0, t.Precision)
		b.addInt32(1, t.Scale)
		b.addInt32(2, int32(t.ByteWidth()*8))
	case columnar.List:
		kind = fbList
	case columnar.LargeList:
		kind = fbLargeList
	case columnar.FixedSizeList:
		kind = fbFixedSizeList
		b.addInt32(0, int32(t.Size))
	case columnar.Struct:
		kind = fbStruct
	case columnar.Map:
		kind = fbMap
		b.addBool(0, t.KeysSorted)
	}
	return kind, b.endTable()
}
