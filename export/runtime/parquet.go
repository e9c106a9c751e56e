package runtime

import (
	"fmt"
	"io"
	"os"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/parquet"
)

// parquetSource reads a Parquet file's row groups as records of at most
// a chunk's rows, so memory stays bounded by a row group rather than the
// file.
type parquetSource struct{ *parquet.Reader }

// openParquet opens a Parquet file for scoring. Scored outputs carry the
// input's columns along, so every column the reader can read is read;
// a column it cannot read (nested, or of a type such as INT96) is left
// out of the output unless the scorer needs it, in which case it is an
// error naming the column. Inputs the file lacks are reported later, as
// for every format.
func openParquet(f *os.File, chunkRows int, needed []Column) (recordSource, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquet.Open(f, fi.Size())
	if err != nil {
		return nil, err
	}
	need := make(map[string]bool, len(needed))
	for _, c := range needed {
		need[c.Name] = true
	}
	var names []string
	seen := map[string]bool{}
	for _, c := range pf.Columns() {
		switch {
		case seen[c.Name]:
			continue
		case c.Err != nil && need[c.Name]:
			return nil, c.Err
		case c.Err == nil:
			names = append(names, c.Name)
			seen[c.Name] = true
		}
	}
	r, err := pf.Records(names, chunkRows)
	if err != nil {
		return nil, err
	}
	return parquetSource{r}, nil
}

// parquetSink writes each record as a Snappy-compressed row group.
type parquetSink struct{ *parquet.Writer }

func newParquetSink(w io.Writer, schema *columnar.Schema) (recordSink, error) {
	pw, err := parquet.NewWriter(w, schema)
	if err != nil {
		return nil, fmt.Errorf("writing parquet: %v", err)
	}
	return parquetSink{pw}, nil
}
