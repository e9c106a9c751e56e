package arrowgo

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime"
)

// Predict scores rec with s and returns rec's columns, less any named like
// an output, followed by the outputs, as runtime.Scorer.PredictRecord
// does. rec's columns are passed on as they are (retained); the outputs'
// memory comes from mem (memory.DefaultAllocator when nil). It runs in
// the calling goroutine. The caller releases the result.
//
// A panic in the model is returned as a *runtime.PanicError; the model's
// own error, and outputs the model wrote wrong (a class code out of
// range), as a *runtime.ModelError; any other error is the input's: a
// missing column, a column of the wrong type, or a record this package
// cannot view.
func Predict(s *runtime.Scorer, rec arrow.Record, mem memory.Allocator) (arrow.Record, error) {
	if rec == nil {
		return nil, errors.New("arrowgo: no record")
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	in, err := FromRecord(rec)
	if err != nil {
		return nil, err
	}
	b, err := s.BatchFromRecord(in)
	if err != nil {
		return nil, err
	}
	res, err := s.ScoreBatch(b)
	if err != nil {
		return nil, err
	}
	outs, err := s.OutputColumns(res)
	if err != nil {
		return nil, &runtime.ModelError{Err: err}
	}
	isOutput := make(map[string]bool, len(s.Outputs))
	for _, c := range s.Outputs {
		isOutput[c.Name] = true
	}
	var (
		fields []arrow.Field
		cols   []arrow.Array
	)
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, f := range rec.Schema().Fields() {
		if !isOutput[f.Name] {
			c := rec.Column(i)
			c.Retain()
			fields, cols = append(fields, f), append(cols, c)
		}
	}
	for j, c := range s.Outputs {
		arr, err := ToArray(outs[j], mem)
		if err != nil {
			return nil, fmt.Errorf("arrowgo: output %q: %w", c.Name, err)
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: arr.DataType(), Nullable: true})
		cols = append(cols, arr)
	}
	md := rec.Schema().Metadata()
	return array.NewRecord(arrow.NewSchema(fields, &md), cols, rec.NumRows()), nil
}
