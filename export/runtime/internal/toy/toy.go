// Package toy is a hand-written Scorer for the runtime's tests: what
// generated code looks like, without a generator.
package toy

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/quiver-ml/quiver/export/runtime"
)

// Scorer reads a number "x", a boolean "flag" and a category "color"
// (red, green, blue) and writes "score" = x + 2·flag + code of color (0 for
// a missing x, 0.5 for a missing color, 10 for an unseen one), its
// logistic "probability_yes", and the class "prediction" ("yes" when
// score > 1, else "no"). A NaN x together with a missing color is
// rejected, so tests can see a model's own error.
func Scorer() *runtime.Scorer {
	return &runtime.Scorer{
		Name: "toy",
		Inputs: []runtime.Column{
			{Name: "x", Kind: runtime.Number, Type: "float64"},
			{Name: "flag", Kind: runtime.Boolean, Type: "bool"},
			{Name: "color", Kind: runtime.Category, Type: "utf8", Categories: []string{"red", "green", "blue"}},
		},
		Outputs: []runtime.Column{
			{Name: "score", Kind: runtime.Float, Type: "float64"},
			{Name: "probability_yes", Kind: runtime.Float, Type: "float64"},
			{Name: "prediction", Kind: runtime.Label, Type: "utf8", Labels: []string{"no", "yes"}, LabelType: "utf8"},
		},
		Metadata: json.RawMessage(`{"learner":"toy","rows":3}`),
		Score:    score,
	}
}

func score(in *runtime.Batch, out *runtime.Result) error {
	x, flag, color := in.Floats[0], in.Floats[1], in.Codes[2]
	s, p, c := out.Floats[0], out.Floats[1], out.Codes[2]
	for i := range in.N {
		v := x[i]
		if math.IsNaN(v) {
			if color[i] == runtime.Missing {
				return fmt.Errorf("row %d: x and color are both missing", i)
			}
			v = 0
		}
		if flag[i] == 1 {
			v += 2
		}
		switch code := color[i]; code {
		case runtime.Missing:
			v += 0.5
		case runtime.Unseen:
			v += 10
		default:
			v += float64(code)
		}
		s[i] = v
		p[i] = 1 / (1 + math.Exp(-v))
		c[i] = 0
		if v > 1 {
			c[i] = 1
		}
	}
	return nil
}
