package parquet_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// stringsSchema has a plain, a large and two dictionary-encoded string
// columns.
var stringsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "d8", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "d32", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.LargeString}, Nullable: true},
}, nil)

// stringsRecord has n rows of stringsSchema, every 7th null.
func stringsRecord(n int) arrow.Record {
	mem := memory.DefaultAllocator
	words := []string{"", "x", "yy", "zebra", "ü"}
	s, ls := array.NewStringBuilder(mem), array.NewLargeStringBuilder(mem)
	i8, i32 := array.NewInt8Builder(mem), array.NewInt32Builder(mem)
	for i := range n {
		if i%7 == 3 {
			s.AppendNull()
			ls.AppendNull()
			i8.AppendNull()
			i32.AppendNull()
			continue
		}
		w := words[i%len(words)]
		s.Append(fmt.Sprint(w, i))
		ls.Append(fmt.Sprint(i, w))
		i8.Append(int8(i % len(words)))
		i32.Append(int32(i * i % len(words)))
	}
	dict, ldict := array.NewStringBuilder(mem), array.NewLargeStringBuilder(mem)
	dict.AppendValues(words, nil)
	ldict.AppendValues(words, nil)
	cols := []arrow.Array{
		s.NewArray(), ls.NewArray(),
		array.NewDictionaryArray(stringsSchema.Field(2).Type, i8.NewArray(), dict.NewArray()),
		array.NewDictionaryArray(stringsSchema.Field(3).Type, i32.NewArray(), ldict.NewArray()),
	}
	return array.NewRecord(stringsSchema, cols, int64(n))
}

// pinnedRecords are records whose files TestOutputPinned pins: sliced at
// offsets that are not multiples of 8, spanning pages, with and without
// nulls, and with dictionary and large strings.
func pinnedRecords() map[string][]arrow.Record {
	return map[string][]arrow.Record{
		"sliced":   {testRecord(3000, 0.2, 11).NewSlice(13, 2989), testRecord(100, 0, 2).NewSlice(3, 50), testRecord(100, 1, 3).NewSlice(5, 6)},
		"pages":    {testRecord(300_000, 0.05, 12).NewSlice(5, 299_999)},
		"no nulls": {testRecord(1000, 0, 13)},
		"strings":  {stringsRecord(500).NewSlice(11, 490), stringsRecord(300_000)},
	}
}

// pinned are the SHA-256 of the files the writer wrote for pinnedRecords
// when it took arrow-go records; it must still write the same bytes.
var pinned = map[string]string{
	"no nulls": "bf78020103c3d3663d5c7752132051bfcc051c0a7affcd84b17e3c60193e08e2",
	"pages":    "c1c61c503f5bc609cc0e22ae7f0937a37431fff7f90d094575ccf4d624dc32cf",
	"sliced":   "fe8b18ac5f3e4e547b0fd0c71944c995a896f1217cd7216a5a63b9ffa25cf686",
	"strings":  "6af2a92bfda0c6f42dce74dba3527da5864ff932253a14bd2c2b3905c84be408",
}

func TestOutputPinned(t *testing.T) {
	for name, recs := range pinnedRecords() {
		data := ownFile(t, recs[0].Schema(), recs...)
		sum := sha256.Sum256(data)
		got := hex.EncodeToString(sum[:])
		if got != pinned[name] {
			t.Errorf("%s: file of %d bytes has SHA-256 %s, want %s", name, len(data), got, pinned[name])
		}
	}
}
