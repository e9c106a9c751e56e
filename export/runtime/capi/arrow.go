package capi

import (
	"errors"
	"runtime/debug"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/arrowgo"
)

// predictRecord is quiver_predict_arrow's scoring: it returns rec's
// columns followed by s's outputs, whose memory comes from mem. It fails
// with StatusInput when rec lacks an input or holds one of the wrong type,
// StatusModel when the model rejects a row or writes an invalid class, and
// StatusInternal when the model panics.
func predictRecord(s *runtime.Scorer, rec arrow.Record, mem memory.Allocator) (out arrow.Record, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, panicked(r)
		}
	}()
	out, err = arrowgo.Predict(s, rec, mem)
	var (
		pe *runtime.PanicError
		me *runtime.ModelError
	)
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &pe):
		return nil, fail(StatusInternal, "internal error: %v", err)
	case errors.As(err, &me):
		return nil, fail(StatusModel, "%v", err)
	}
	// Register checked the scorer, so it is the record that is wrong.
	return nil, fail(StatusInput, "%v", err)
}
