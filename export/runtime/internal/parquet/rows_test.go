package parquet

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// TestRowCountMismatch checks that column chunks holding more or fewer
// rows than their row group are refused, though pages are read only as
// records need them.
func TestRowCountMismatch(t *testing.T) {
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "x", Type: columnar.Float64Type, Nullable: true}}}
	vals := make([]float64, 1000)
	for i := range vals {
		vals[i] = float64(i)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, schema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&columnar.Record{Schema: schema, Len: 1000, Cols: []*columnar.Array{columnar.Float64s(vals)}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for _, c := range []struct {
		rows int64
		want string
	}{
		{1001, "pages hold 1000 of the row group's 1001 rows"},
		{999, "pages hold more than the row group's 999 rows"},
	} {
		f, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		f.meta.rowGroups[0].numRows = c.rows
		r, err := f.Records([]string{"x"}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = r.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d rows: err = %v, want one containing %q", c.rows, err, c.want)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%d rows: Next after an error returned %v", c.rows, again)
		}
		r.Close()
	}
}
