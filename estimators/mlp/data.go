package mlp

import (
	"context"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/engine"
)

// input describes one feature column: a scalar numeric column (width 1) or
// a fixed-size list of numbers (a vector per row).
type input struct {
	name  string
	width int
	typ   string
}

// describeInputs checks the feature columns and returns their widths. It
// fails with KindType for strings and categories (they need encoding
// first) and for lists whose rows differ in length, and with KindValue for
// missing and infinite values.
func describeInputs(data *engine.Frame, names []string) ([]input, error) {
	out := make([]input, len(names))
	for j, name := range names {
		col, err := data.Require(name, "feature")
		if err != nil {
			return nil, err
		}
		t := col.DataType()
		in := input{name: name, width: 1, typ: t.String()}
		switch {
		case engine.IsCategorical(t):
			return nil, engine.Errorf(engine.KindType,
				"feature %q holds strings or categories, which a neural network cannot read; encode it first (one-hot or ordinal encoding) or leave it out with features=", name)
		case t.ID() == arrow.FIXED_SIZE_LIST:
			fl := col.(*array.FixedSizeList)
			if !engine.IsNumeric(fl.ListValues().DataType()) {
				return nil, engine.Errorf(engine.KindType, "feature %q is a list of %s; list features must hold numbers", name, fl.ListValues().DataType())
			}
			in.width = int(t.(*arrow.FixedSizeListType).Len())
			if in.width < 1 {
				return nil, engine.Errorf(engine.KindType, "feature %q is a list of size 0", name)
			}
		case t.ID() == arrow.LIST || t.ID() == arrow.LARGE_LIST || t.ID() == arrow.LIST_VIEW:
			return nil, engine.Errorf(engine.KindType,
				"feature %q is a list whose rows may differ in length; a vector feature must be a fixed-size list (every row the same length)", name)
		case !engine.IsNumeric(t):
			return nil, engine.Errorf(engine.KindType, "feature %q has type %s; features must be numeric or fixed-size lists of numbers", name, t)
		}
		if col.NullN() > 0 {
			return nil, badValues(name, col)
		}
		out[j] = in
	}
	return out, nil
}

// badValues is the error for a feature with missing or infinite values.
func badValues(name string, col arrow.Array) error {
	return engine.Errorf(engine.KindValue,
		"feature %q has %d missing or infinite values (nulls, NaN or ±Inf); impute them first or leave the column out with features=", name, missingIn(col))
}

// missingIn counts nulls, NaN and infinities in a numeric or
// fixed-size-list column.
func missingIn(col arrow.Array) int {
	if fl, ok := col.(*array.FixedSizeList); ok {
		vals := fl.ListValues()
		size := int(fl.DataType().(*arrow.FixedSizeListType).Len())
		off := fl.Offset() * size
		if fl.NullN() == 0 {
			sub := array.NewSlice(vals, int64(off), int64(off+fl.Len()*size))
			defer sub.Release()
			return missingIn(sub)
		}
		// A null row counts once, whatever its values hold (builders
		// fill them with nulls).
		n := 0
		for i := range fl.Len() {
			if fl.IsNull(i) {
				n++
				continue
			}
			sub := array.NewSlice(vals, int64(off+i*size), int64(off+(i+1)*size))
			n += missingIn(sub)
			sub.Release()
		}
		return n
	}
	n := col.NullN()
	if engine.IsFloat(col.DataType()) {
		buf := make([]float64, min(col.Len(), engine.ChunkRows))
		for lo := 0; lo < col.Len(); lo += len(buf) {
			x := buf[:min(len(buf), col.Len()-lo)]
			engine.ReadFloat64s(col, lo, x)
			for i, v := range x {
				if (v != v || math.IsInf(v, 0)) && col.IsValid(lo+i) {
					n++
				}
			}
		}
	}
	return n
}

// totalWidth is the number of network inputs.
func totalWidth(ins []input) int {
	d := 0
	for _, in := range ins {
		d += in.width
	}
	return d
}

// standard holds each network input's mean and scale.
type standard struct{ mean, scale []float64 }

// matrixRows is the number of rows read at a time into the input matrix:
// a block of them stays in cache while every column writes into it.
const matrixRows = 1024

// numbers returns the numbers of a feature column, row after row (w per
// row for a fixed-size list), as an array the caller releases.
func numbers(col arrow.Array, w int) arrow.Array {
	if fl, ok := col.(*array.FixedSizeList); ok {
		return array.NewSlice(fl.ListValues(), int64(fl.Offset()*w), int64((fl.Offset()+fl.Len())*w))
	}
	col.Retain()
	return col
}

// readMatrix reads the features of data into a row-major float32 matrix,
// standardised with st, or with statistics of these rows when st is nil
// (and returns them). Statistics are computed per column (in float64, in
// row order); the matrix is filled in blocks of rows in parallel.
func readMatrix(ctx context.Context, data *engine.Frame, ins []input, st *standard, threads int) ([]float32, *standard, error) {
	n, d := data.NumRows(), totalWidth(ins)
	cols := make([]arrow.Array, len(ins))
	offsets := make([]int, len(ins))
	for j, in := range ins {
		cols[j] = numbers(data.Column(in.name), in.width)
		defer cols[j].Release()
		if j > 0 {
			offsets[j] = offsets[j-1] + ins[j-1].width
		}
	}
	if st == nil {
		st = &standard{mean: make([]float64, d), scale: make([]float64, d)}
		err := engine.ForTasks(ctx, threads, len(ins), func(j int) {
			// One pass of sums shifted by the first value, in float64:
			// exact enough for a scale, and half the reads of two passes.
			w := ins[j].width
			shift, sum, sq := make([]float64, w), make([]float64, w), make([]float64, w)
			buf := make([]float64, matrixRows*w)
			for lo := 0; lo < n; lo += matrixRows {
				v := buf[:(min(lo+matrixRows, n)-lo)*w]
				engine.ReadFloat64s(cols[j], lo*w, v)
				if lo == 0 {
					copy(shift, v)
				}
				if w == 1 {
					s, q, c := sum[0], sq[0], shift[0]
					for _, x := range v {
						e := x - c
						s += e
						q += e * e
					}
					sum[0], sq[0] = s, q
					continue
				}
				for i := 0; i < len(v); i += w {
					for k := range w {
						e := v[i+k] - shift[k]
						sum[k] += e
						sq[k] += e * e
					}
				}
			}
			for k := range w {
				m := sum[k] / float64(max(n, 1))
				sd := math.Sqrt(max(sq[k]/float64(max(n, 1))-m*m, 0))
				if sd == 0 || math.IsInf(sd, 0) || sd != sd {
					sd = 1 // a constant feature: centred only
				}
				st.mean[offsets[j]+k], st.scale[offsets[j]+k] = shift[k]+m, sd
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	widest := 0
	for _, in := range ins {
		widest = max(widest, in.width)
	}
	inv := make([]float64, d)
	for f, sd := range st.scale {
		inv[f] = 1 / sd
	}
	x := make([]float32, n*d)
	blocks := (n + matrixRows - 1) / matrixRows
	bad := make([]bool, blocks*len(ins)) // NaN or ±Inf seen, by block and column
	err := engine.ForTasks(ctx, threads, blocks, func(b int) {
		lo, hi := b*matrixRows, min((b+1)*matrixRows, n)
		buf := make([]float64, (hi-lo)*widest)
		for j, in := range ins {
			w, off := in.width, offsets[j]
			v := buf[:(hi-lo)*w]
			engine.ReadFloat64s(cols[j], lo*w, v)
			var nonFinite float64
			if w == 1 {
				// The common case, without a slice per row.
				mean, scale := st.mean[off], inv[off]
				out := x[lo*d+off : (hi-1)*d+off+1]
				for i, e := range v {
					nonFinite += e - e // 0 for finite values, NaN otherwise
					out[i*d] = float32((e - mean) * scale)
				}
			} else {
				for i := range hi - lo {
					row := x[(lo+i)*d+off : (lo+i)*d+off+w]
					for k := range row {
						e := v[i*w+k]
						nonFinite += e - e
						row[k] = float32((e - st.mean[off+k]) * inv[off+k])
					}
				}
			}
			bad[b*len(ins)+j] = nonFinite != 0
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for k, b := range bad {
		if b {
			name := ins[k%len(ins)].name
			return nil, nil, badValues(name, data.Column(name))
		}
	}
	return x, st, nil
}
