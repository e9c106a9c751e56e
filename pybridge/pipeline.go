package pybridge

import (
	"encoding/json"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/pipeline" // also registers the "pipeline" learner, so its files decode
)

// pipelineStep is one element of the JSON that Python sends to PipelineNew.
type pipelineStep struct {
	Name  string `json:"name"`
	Model *int64 `json:"model"`
}

// PipelineNew chains fitted models into a pipeline model and returns its
// handle. stepsJSON is [{"name": ..., "model": <model handle>}, ...] in
// order. The pipeline shares the step models rather than copying them
// (fitted models never change), so the step handles stay valid and each
// handle, the pipeline's included, is freed on its own. Bad names, an
// unknown handle and a chain in which a step reads a column an earlier
// step replaces are ValueErrors.
func PipelineNew(stepsJSON string) (h int64, err error) {
	defer guard(&err)
	var req []pipelineStep
	if err := json.Unmarshal([]byte(stepsJSON), &req); err != nil {
		return 0, engine.Errorf(engine.KindValue, "malformed pipeline request: %v", err)
	}
	steps := make([]pipeline.Step, len(req))
	for i, s := range req {
		if s.Model == nil {
			return 0, engine.Errorf(engine.KindValue, "pipeline step %q has no model handle", s.Name)
		}
		m, err := get[estimators.Model](*s.Model, "model")
		if err != nil {
			return 0, err
		}
		steps[i] = pipeline.Step{Name: s.Name, Model: m}
	}
	m, err := pipeline.New(steps)
	if err != nil {
		return 0, err
	}
	return put(m), nil
}
