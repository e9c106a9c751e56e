package ipc

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// TestOverlappingDictionaryBlocks lists a delta dictionary's block twice
// in a file's footer: applied twice, deltas would let a small file make
// a large dictionary.
func TestOverlappingDictionaryBlocks(t *testing.T) {
	dt := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int8Type, Value: columnar.StringType}
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "d", Type: dt}}}
	var buf bytes.Buffer
	w, err := NewFileWriter(&buf, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, words := range [][]string{{"a", "b"}, {"a", "b", "c"}} {
		sb := columnar.NewStringBuilder(len(words))
		for _, s := range words {
			sb.Append(s)
		}
		a := columnar.FromValues(dt, []int8{int8(len(words) - 1)}, nil, 0)
		a.Dict = sb.Array()
		if err := w.Write(&columnar.Record{Schema: schema, Len: 1, Cols: []*columnar.Array{a}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	end := len(data) - 10
	start := end - int(binary.LittleEndian.Uint32(data[end:]))
	ft := (&fbuf{b: data[start:end]}).root()
	dicts, batches := blocks(ft.vector(2, 24)), blocks(ft.vector(3, 24))
	if len(dicts) != 2 || len(batches) != 2 {
		t.Fatalf("%d dictionary and %d record blocks", len(dicts), len(batches))
	}
	refooter := func(dicts []block) []byte {
		nodes, err := newNodes(schema.Fields)
		if err != nil {
			t.Fatal(err)
		}
		b := newBuilder(256)
		s := encodeSchema(b, schema, nodes)
		dv, bv := blockVector(b, dicts), blockVector(b, batches)
		b.startTable(4)
		b.addOffset(1, s)
		b.addOffset(2, dv)
		b.addOffset(3, bv)
		footer := b.finish(b.endTable())
		out := append(append([]byte{}, data[:start]...), footer...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
		return append(out, magic...)
	}
	good := refooter(dicts)
	f, err := OpenFile(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := f.Record(1); err != nil || rec.Cols[0].Dict.Len != 3 {
		t.Fatalf("%v", err)
	}
	bad := refooter(append(dicts, dicts[1]))
	if _, err := OpenFile(bytes.NewReader(bad), int64(len(bad))); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Fatalf("got %v, want an error about overlapping blocks", err)
	}
}
