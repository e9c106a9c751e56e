package estimators

import (
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
)

// ResolveFeatures returns the feature names of a fit: spec.Features, or
// every column but the target and the weight.
func ResolveFeatures(data *engine.Frame, spec Spec) ([]string, error) {
	if len(spec.Features) == 0 {
		var out []string
		for _, name := range data.Names() {
			if name != spec.Target && (spec.Weight == "" || name != spec.Weight) {
				out = append(out, name)
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, f := range spec.Features {
		switch {
		case seen[f]:
			return nil, engine.Errorf(engine.KindValue, "feature %q is listed twice", f)
		case f == spec.Target:
			return nil, engine.Errorf(engine.KindValue, "column %q is the target and cannot also be a feature", f)
		case spec.Weight != "" && f == spec.Weight:
			return nil, engine.Errorf(engine.KindValue, "column %q is the weight and cannot also be a feature", f)
		}
		seen[f] = true
	}
	return slices.Clone(spec.Features), nil
}

// ReadWeights reads and checks a weight column: numeric, no missing,
// infinite or negative values, and at least one positive weight.
func ReadWeights(name string, c arrow.Array) ([]float64, error) {
	if !engine.IsNumeric(c.DataType()) {
		return nil, engine.Errorf(engine.KindType, "weight column %q has type %s; sample weights must be numeric", name, c.DataType())
	}
	w, err := engine.Float64s(name, c)
	if err != nil {
		return nil, err
	}
	nulls, nans, infs := engine.CountBad(c, w)
	neg, pos := 0, 0
	for _, v := range w {
		switch {
		case v < 0:
			neg++
		case v > 0:
			pos++
		}
	}
	switch {
	case nulls+nans > 0:
		return nil, engine.Errorf(engine.KindValue, "weight column %q has %d missing values (%d null, %d NaN); every row needs a weight", name, nulls+nans, nulls, nans)
	case infs > 0:
		return nil, engine.Errorf(engine.KindValue, "weight column %q has %d infinite values; weights must be finite", name, infs)
	case neg > 0:
		return nil, engine.Errorf(engine.KindValue, "weight column %q has %d negative values; weights must be non-negative", name, neg)
	case pos == 0:
		return nil, engine.Errorf(engine.KindValue, "weight column %q is zero in every row; at least one row needs a positive weight", name)
	}
	return w, nil
}

// JSONFloat returns v, or nil for NaN and infinities, which JSON cannot
// hold, for metrics in logs.
func JSONFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
