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
		if k := missingIn(col); k > 0 {
			return nil, engine.Errorf(engine.KindValue,
				"feature %q has %d missing or infinite values (nulls, NaN or ±Inf); impute them first or leave the column out with features=", name, k)
		}
		out[j] = in
	}
	return out, nil
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

// readMatrix reads the features of data into a row-major float32 matrix,
// standardised with st, or with statistics of these rows when st is nil
// (and returns them). Columns are read in parallel; each fills its own
// stripe.
func readMatrix(ctx context.Context, data *engine.Frame, ins []input, st *standard, threads int) ([]float32, *standard, error) {
	n, d := data.NumRows(), totalWidth(ins)
	x := make([]float32, n*d)
	fit := st == nil
	if fit {
		st = &standard{mean: make([]float64, d), scale: make([]float64, d)}
	}
	mean, scale := st.mean, st.scale
	offsets := make([]int, len(ins))
	for j := 1; j < len(ins); j++ {
		offsets[j] = offsets[j-1] + ins[j-1].width
	}
	err := engine.ForTasks(ctx, threads, len(ins), func(j int) {
		col := data.Column(ins[j].name)
		w := ins[j].width
		values := col
		if fl, ok := col.(*array.FixedSizeList); ok {
			values = array.NewSlice(fl.ListValues(), int64(fl.Offset()*w), int64((fl.Offset()+n)*w))
			defer values.Release()
		}
		// values holds n*w numbers, row after row.
		v := make([]float64, n*w)
		engine.ReadFloat64s(values, 0, v)
		for k := range w {
			f := offsets[j] + k
			if fit {
				var sum float64
				for i := range n {
					sum += v[i*w+k]
				}
				mu := sum / float64(max(n, 1))
				var ss float64
				for i := range n {
					dv := v[i*w+k] - mu
					ss += dv * dv
				}
				sd := math.Sqrt(ss / float64(max(n, 1)))
				if sd == 0 || math.IsInf(sd, 0) || sd != sd {
					sd = 1 // a constant feature: centred only
				}
				mean[f], scale[f] = mu, sd
			}
			mu, inv := mean[f], 1/scale[f]
			for i := range n {
				x[i*d+f] = float32((v[i*w+k] - mu) * inv)
			}
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return x, st, nil
}
