//go:build noparquet

package runtime

import (
	"errors"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
)

// parquetSupported says whether this build reads and writes Parquet; the
// noparquet build tag leaves it out to save binary size.
const parquetSupported = false

var errNoParquet = errors.New("this scorer was built without Parquet support (build tag noparquet); use csv or arrow")

func openParquet(*os.File, int) (recordSource, error) { return nil, errNoParquet }

func newParquetSink(io.Writer, *arrow.Schema) (recordSink, error) { return nil, errNoParquet }
