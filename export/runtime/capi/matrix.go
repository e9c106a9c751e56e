package capi

import (
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"unsafe"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// chunkRows is how many rows of a matrix are scored at once, so that the
// columnar copy of a large matrix stays small and in cache.
const chunkRows = 4096

// predictMatrix is quiver_predict_matrix: it scores the row-major rows×cols
// matrix at x into the row-major rows×outputs matrix at out, which holds
// outLen values. The pointers are C memory (or pinned Go memory in tests).
// On failure it fills what it may of out with NaN.
func predictMatrix(s *runtime.Scorer, x *float64, rows, cols int64, out *float64, outLen int64) (err error) {
	nin, nout := int64(len(s.Inputs)), int64(len(s.Outputs))
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = panicked(r)
		}
		if err != nil && out != nil && outLen > 0 && rows > 0 {
			n := outLen
			if rows <= math.MaxInt64/max(nout, 1) {
				n = min(n, rows*nout)
			}
			if n <= math.MaxInt/8 {
				fill(unsafe.Slice(out, n), math.NaN())
			}
		}
	}()
	if err := checkMatrix(x, rows, cols, out, outLen, nin, nout); err != nil {
		return err
	}
	for j, c := range s.Inputs {
		switch c.Kind {
		case runtime.Text:
			return fail(StatusInput, "input %d %q is text, which a matrix cannot hold; score through quiver_predict_arrow", j, c.Name)
		case runtime.Vector:
			return fail(StatusInput, "input %d %q is a vector of %d numbers, which a matrix cannot hold; score through quiver_predict_arrow", j, c.Name, c.Width)
		}
	}
	for j, c := range s.Outputs {
		if c.Kind == runtime.Text {
			return fail(StatusInput, "output %d %q is text, which a matrix cannot hold; score through quiver_predict_arrow", j, c.Name)
		}
	}
	if rows == 0 {
		return nil
	}
	xs := unsafe.Slice(x, rows*cols)
	os := unsafe.Slice(out, rows*nout)

	n := int(min(rows, chunkRows))
	sc := scratchOf(s, n)
	defer sc.put()
	b, res := &sc.batch, sc.res
	for lo := 0; lo < int(rows); lo += n {
		hi := min(lo+n, int(rows))
		b.N, res.N = hi-lo, hi-lo
		if err := readRows(s, b, xs, lo, hi); err != nil {
			return err
		}
		if err := s.Score(b, res); err != nil {
			if lo == 0 && hi == int(rows) {
				return fail(StatusModel, "%v", err)
			}
			// The model numbers rows within its batch.
			return fail(StatusModel, "rows %d to %d: %v", lo, hi-1, err)
		}
		if err := writeRows(s, res, os, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// scratch is a call's columnar copy of its rows and its outputs, kept for
// the next call (per scorer), so that a warm library does not ask the
// garbage collector for a chunk's worth of memory on every call.
type scratch struct {
	pool  *sync.Pool
	rows  int // the capacity of every slice
	batch runtime.Batch
	res   *runtime.Result
}

var scratchPools sync.Map // *runtime.Scorer to *sync.Pool of *scratch

// scratchOf returns buffers for n rows of s's inputs and outputs.
func scratchOf(s *runtime.Scorer, n int) *scratch {
	p, ok := scratchPools.Load(s)
	if !ok {
		p, _ = scratchPools.LoadOrStore(s, &sync.Pool{})
	}
	pool := p.(*sync.Pool)
	if sc, ok := pool.Get().(*scratch); ok && sc.rows >= n {
		return sc
	}
	sc := &scratch{pool: pool, rows: n, res: s.NewResult(n)}
	sc.batch.Floats, sc.batch.Codes = make([][]float64, len(s.Inputs)), make([][]int32, len(s.Inputs))
	for j, c := range s.Inputs {
		if c.Kind == runtime.Category {
			sc.batch.Codes[j] = make([]int32, n)
		} else {
			sc.batch.Floats[j] = make([]float64, n)
		}
	}
	return sc
}

func (sc *scratch) put() { sc.pool.Put(sc) }

// checkMatrix checks quiver_predict_matrix's arguments.
func checkMatrix(x *float64, rows, cols int64, out *float64, outLen, nin, nout int64) error {
	switch {
	case rows < 0:
		return fail(StatusArgument, "rows is %d, negative", rows)
	case cols != nin:
		return fail(StatusArgument, "cols is %d, but the model has %d inputs", cols, nin)
	case rows == 0:
		return nil
	case x == nil:
		return fail(StatusArgument, "x is NULL")
	case out == nil:
		return fail(StatusArgument, "out is NULL")
	}
	// unsafe.Slice's length must fit an int and the slice's bytes the
	// address space.
	limit := int64(math.MaxInt / 8)
	if nin > 0 && rows > limit/nin {
		return fail(StatusArgument, "rows %d × cols %d is too large", rows, cols)
	}
	if nout > 0 && rows > limit/nout {
		return fail(StatusArgument, "rows %d × %d outputs is too large", rows, nout)
	}
	if outLen < rows*nout {
		return fail(StatusArgument, "out_len is %d, but %d rows × %d outputs need %d", outLen, rows, nout, rows*nout)
	}
	return nil
}

// readRows copies rows lo to hi of the row-major x into b, checking
// boolean and category values.
func readRows(s *runtime.Scorer, b *runtime.Batch, x []float64, lo, hi int) error {
	cols := len(s.Inputs)
	for j, c := range s.Inputs {
		switch c.Kind {
		case runtime.Number:
			dst := b.Floats[j]
			for i := lo; i < hi; i++ {
				dst[i-lo] = x[i*cols+j]
			}
		case runtime.Boolean:
			dst := b.Floats[j]
			for i := lo; i < hi; i++ {
				v := x[i*cols+j]
				if v != 0 && v != 1 && !math.IsNaN(v) {
					return fail(StatusInput, "row %d, input %d %q (boolean): %v is not 0, 1 or NaN", i, j, c.Name, v)
				}
				dst[i-lo] = v
			}
		case runtime.Category:
			dst := b.Codes[j]
			for i := lo; i < hi; i++ {
				code, ok := categoryCode(x[i*cols+j], len(c.Categories))
				if !ok {
					return fail(StatusInput, "row %d, input %d %q (category): %v is not a category code "+
						"(0 to %d, -1 or NaN for missing, -2 for unseen)", i, j, c.Name, x[i*cols+j], len(c.Categories)-1)
				}
				dst[i-lo] = code
			}
		default:
			return fail(StatusInternal, "input %d %q has kind %v, which is not an input kind", j, c.Name, c.Kind)
		}
	}
	return nil
}

// categoryCode returns the code of the matrix value v of a category input
// of n categories, and whether v is valid.
func categoryCode(v float64, n int) (int32, bool) {
	switch {
	case math.IsNaN(v) || v == float64(runtime.Missing):
		return runtime.Missing, true
	case v == float64(runtime.Unseen):
		return runtime.Unseen, true
	case v >= 0 && v < float64(n) && v == math.Trunc(v):
		return int32(v), true
	}
	return 0, false
}

// writeRows copies res, rows lo to hi of the call, into the row-major out.
func writeRows(s *runtime.Scorer, res *runtime.Result, out []float64, lo, hi int) error {
	cols := len(s.Outputs)
	for j, c := range s.Outputs {
		switch c.Kind {
		case runtime.Float, runtime.Boolean:
			src := res.Floats[j]
			for i := lo; i < hi; i++ {
				out[i*cols+j] = src[i-lo]
			}
		case runtime.Label:
			src := res.Codes[j]
			for i := lo; i < hi; i++ {
				code := src[i-lo]
				if code == runtime.Missing {
					// No class for this row, as the Arrow path's null.
					out[i*cols+j] = math.NaN()
					continue
				}
				if code < 0 || int(code) >= len(c.Labels) {
					return fail(StatusModel, "row %d, output %d %q: the model wrote class code %d, but there are %d labels", i, j, c.Name, code, len(c.Labels))
				}
				out[i*cols+j] = float64(code)
			}
		default:
			return fail(StatusInternal, "output %d %q has kind %v, which is not an output kind", j, c.Name, c.Kind)
		}
	}
	return nil
}

func fill(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}

// checkScorer checks what Register needs of a scorer.
func checkScorer(s *runtime.Scorer) error {
	if s == nil {
		return fmt.Errorf("nil scorer")
	}
	// Preparing s checks the rest: its Score function, its columns'
	// kinds, duplicate categories, labels that do not parse as their
	// type.
	if _, err := s.OutputSchema(&columnar.Schema{}); err != nil {
		return fmt.Errorf("scorer %q: %w", s.Name, err)
	}
	return nil
}
