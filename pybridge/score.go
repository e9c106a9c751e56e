package pybridge

import (
	"encoding/json"

	"github.com/quiver-ml/quiver/engine"
)

// scoreRequest is the JSON that Python sends to Score.
type scoreRequest struct {
	Target  string            `json:"target"`
	Weight  string            `json:"weight"`
	Classes []json.RawMessage `json:"classes"`
}

// Score computes a metric on the frame in the ArrowArrayStream at address
// stream (taking ownership of it): the true target column next to a model's
// output columns, "prediction" and, for classifiers, "probability_<class>".
// request is JSON {"target": name, "weight": name or "", "classes": [labels
// in class order] or null}. The metrics are those Metrics lists; an unknown
// metric, or one that does not fit the frame (auc without probability
// columns, rmse on class labels), is a ValueError that names it.
func Score(metric string, stream int64, request string) (v float64, err error) {
	defer guard(&err)
	if _, err := engine.LookupMetric(metric); err != nil {
		return 0, err
	}
	var req scoreRequest
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return 0, engine.Errorf(engine.KindValue, "malformed score request: %v", err)
	}
	if req.Target == "" {
		return 0, engine.Errorf(engine.KindValue, "score request names no target column")
	}
	classes, err := engine.ParseClassLabels(req.Classes)
	if err != nil {
		return 0, err
	}
	frame, err := engine.ImportStream(uintptr(stream))
	if err != nil {
		return 0, err
	}
	defer frame.Release()
	return engine.Score(metric, frame, engine.ScoreSpec{Target: req.Target, Weight: req.Weight, Classes: classes})
}

// Metrics describes the metrics Score knows as a JSON list of {"name",
// "task" ("classification" or "regression"), "needs" ("probabilities",
// "labels" or "values"), "greater_is_better", "doc"}.
func Metrics() (out string, err error) {
	defer guard(&err)
	b, err := json.Marshal(engine.Metrics())
	return string(b), err
}
