package parquet

import (
	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// validity is a's validity bitmap, from the start of its buffers, or nil
// when no value is null.
func validity(a *columnar.Array) []byte {
	if a.Nulls == 0 || len(a.Buffers) == 0 {
		return nil
	}
	return a.Buffers[0]
}
