package pybridge

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/fft"    // registers fft
	_ "github.com/quiver-ml/quiver/estimators/gbdt"   // registers gbdt
	_ "github.com/quiver-ml/quiver/estimators/linear" // registers linear_regression and logistic_regression
	_ "github.com/quiver-ml/quiver/estimators/mlp"    // registers mlp
	_ "github.com/quiver-ml/quiver/estimators/preprocess"
	"github.com/quiver-ml/quiver/hyperspace"
)

// handles maps the integers Python holds to Go objects: jobs and models.
var (
	handleMu sync.Mutex
	handles  = map[int64]any{}
	nextID   int64
)

func put(v any) int64 {
	handleMu.Lock()
	defer handleMu.Unlock()
	nextID++
	handles[nextID] = v
	return nextID
}

func get[T any](h int64, what string) (T, error) {
	handleMu.Lock()
	defer handleMu.Unlock()
	v, ok := handles[h].(T)
	if !ok {
		return v, engine.Errorf(engine.KindValue, "no %s with handle %d (already freed?)", what, h)
	}
	return v, nil
}

func drop(h int64) bool {
	handleMu.Lock()
	defer handleMu.Unlock()
	_, ok := handles[h]
	delete(handles, h)
	return ok
}

// guard turns a panic into an error and prefixes every error with its kind.
// It is deferred by every exported function.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: engine panic: %v\n%s", engine.KindInternal, r, debug.Stack())
		return
	}
	if *err != nil {
		*err = fmt.Errorf("%s: %w", engine.KindOf(*err), *err)
	}
}

// Version returns the engine's version.
func Version() (v string, err error) {
	defer guard(&err)
	return engine.Version, nil
}

// Spaces returns the hyperparameter spaces of every registered learner as
// versioned JSON.
func Spaces() (out string, err error) {
	defer guard(&err)
	var spaces []hyperspace.Space
	for _, name := range estimators.Names() {
		l, err := estimators.Lookup(name)
		if err != nil {
			return "", err
		}
		spaces = append(spaces, l.Space())
	}
	b, err := hyperspace.MarshalSpaces(spaces...)
	return string(b), err
}

// SpaceSchema returns the JSON Schema of the form Spaces returns.
func SpaceSchema() string { return string(hyperspace.Schema()) }

// fitRequest is the JSON that Python sends to Fit.
type fitRequest struct {
	Target   string         `json:"target"`
	Weight   string         `json:"weight"`
	Features []string       `json:"features"`
	Params   map[string]any `json:"params"`
}

type job struct {
	cancel   context.CancelFunc
	done     chan struct{}
	progress atomic.Uint64 // float64 bits
	model    estimators.Model
	log      estimators.Log
	err      error
}

// Fit validates the request, imports the frame from the ArrowArrayStream at
// address stream (taking ownership of it), and the validation frame from
// the stream at address valid unless it is 0, and starts fitting the named
// learner in the background. It returns a job handle for JobWait,
// JobProgress, JobCancel and JobResult. Bad hyperparameters and an unknown
// learner fail here, before any work starts.
func Fit(learner string, stream int64, valid int64, request string) (h int64, err error) {
	defer guard(&err)
	l, err := estimators.Lookup(learner)
	if err != nil {
		return 0, err
	}
	var req fitRequest
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return 0, engine.Errorf(engine.KindValue, "malformed fit request: %v", err)
	}
	params, err := l.Space().Validate(req.Params)
	if err != nil {
		return 0, engine.Errorf(engine.KindValue, "%v", err)
	}
	frame, err := engine.ImportStream(uintptr(stream))
	if err != nil {
		return 0, err
	}
	var validFrame *engine.Frame
	if valid != 0 {
		if validFrame, err = engine.ImportStream(uintptr(valid)); err != nil {
			frame.Release()
			return 0, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{cancel: cancel, done: make(chan struct{})}
	spec := estimators.Spec{
		Target:   req.Target,
		Weight:   req.Weight,
		Features: req.Features,
		Progress: func(p float64) { j.progress.Store(math.Float64bits(p)) },
		Valid:    validFrame,
	}
	go func() {
		defer close(j.done)
		defer frame.Release()
		if validFrame != nil {
			defer validFrame.Release()
		}
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				j.err = engine.Errorf(engine.KindInternal, "engine panic: %v\n%s", r, debug.Stack())
			}
		}()
		j.model, j.log, j.err = l.Fit(ctx, frame, spec, params)
	}()
	return put(j), nil
}

// JobWait waits up to timeoutMs milliseconds for a job to finish and reports
// whether it has. Python calls it in a loop, so Ctrl-C is noticed between
// calls.
func JobWait(h int64, timeoutMs int) (finished bool, err error) {
	defer guard(&err)
	j, err := get[*job](h, "job")
	if err != nil {
		return false, err
	}
	select {
	case <-j.done:
		return true, nil
	case <-time.After(time.Duration(timeoutMs) * time.Millisecond):
		return false, nil
	}
}

// JobProgress returns the fraction of a job done, between 0 and 1.
func JobProgress(h int64) (p float64, err error) {
	defer guard(&err)
	j, err := get[*job](h, "job")
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(j.progress.Load()), nil
}

// JobCancel asks a job to stop. The job finishes promptly with a
// cancellation error; wait for it with JobWait.
func JobCancel(h int64) (ok bool, err error) {
	defer guard(&err)
	j, err := get[*job](h, "job")
	if err != nil {
		return false, err
	}
	j.cancel()
	return true, nil
}

// JobResult returns a finished job's outcome and frees the job. On success
// it returns JSON {"model": handle, "log": {...}}; a failed fit returns its
// error. It fails if the job has not finished.
func JobResult(h int64) (out string, err error) {
	defer guard(&err)
	j, err := get[*job](h, "job")
	if err != nil {
		return "", err
	}
	select {
	case <-j.done:
	default:
		return "", engine.Errorf(engine.KindValue, "job %d has not finished", h)
	}
	drop(h)
	if j.err != nil {
		return "", j.err
	}
	b, err := json.Marshal(map[string]any{"model": put(j.model), "log": j.log})
	return string(b), err
}

// applyRequest is the JSON that Python sends to ModelApply.
type applyRequest struct {
	Threads       int  `json:"n_threads"`
	RawScore      bool `json:"raw_score"`
	Contributions bool `json:"contributions"`
	ExitLevel     bool `json:"exit_level"`
}

// ModelApply runs a model on the frame in the ArrowArrayStream at address
// stream (taking ownership of it) and returns the address of a malloc'd
// ArrowArrayStream holding the output columns. Python moves the stream out
// and frees the struct with FreeC. request is JSON {"n_threads": ...,
// "raw_score": ..., "contributions": ..., "exit_level": ...}; asking a
// model for columns it cannot give is an error.
func ModelApply(h int64, stream int64, request string) (out int64, err error) {
	defer guard(&err)
	m, err := get[estimators.Model](h, "model")
	if err != nil {
		return 0, err
	}
	var req applyRequest
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return 0, engine.Errorf(engine.KindValue, "malformed predict request: %v", err)
	}
	frame, err := engine.ImportStream(uintptr(stream))
	if err != nil {
		return 0, err
	}
	defer frame.Release()
	var res *engine.Frame
	if req.RawScore || req.Contributions || req.ExitLevel {
		ex, ok := m.(estimators.Explainer)
		if !ok {
			return 0, engine.Errorf(engine.KindValue, "%s models offer none of raw_score, contributions and exit_level", m.Learner())
		}
		res, err = ex.Explain(context.Background(), frame, estimators.ApplyOptions{
			Threads: req.Threads, RawScore: req.RawScore, Contributions: req.Contributions, ExitLevel: req.ExitLevel})
	} else {
		res, err = m.Apply(context.Background(), frame, req.Threads)
	}
	if err != nil {
		return 0, err
	}
	defer res.Release()
	return int64(engine.ExportStream(res)), nil
}

// ModelInfo describes a model as JSON: learner, hyperparameters, inputs,
// outputs, a summary of its fitted state and, for transformers, the input
// columns their outputs replace ("replaces").
func ModelInfo(h int64) (out string, err error) {
	defer guard(&err)
	m, err := get[estimators.Model](h, "model")
	if err != nil {
		return "", err
	}
	l, err := estimators.Lookup(m.Learner())
	if err != nil {
		return "", err
	}
	info := map[string]any{
		"learner": m.Learner(),
		"params":  l.Space().ModelParams(m.Params()),
		"inputs":  m.Inputs(),
		"outputs": m.Outputs(),
		"summary": m.Summary(),
	}
	if t, ok := m.(estimators.Transformer); ok {
		info["replaces"] = t.Replaces()
	}
	b, err := json.Marshal(info)
	return string(b), err
}

// ModelEncode writes a model in its file form into memory allocated with C's
// malloc and returns JSON {"addr": ..., "size": ...}. Python copies the bytes
// and frees them with FreeC.
func ModelEncode(h int64) (out string, err error) {
	defer guard(&err)
	m, err := get[estimators.Model](h, "model")
	if err != nil {
		return "", err
	}
	file, err := m.Encode()
	if err != nil {
		return "", err
	}
	defer file.Release()
	b, err := file.Marshal()
	if err != nil {
		return "", err
	}
	res, err := json.Marshal(map[string]int64{"addr": int64(engine.CBytes(b)), "size": int64(len(b))})
	return string(res), err
}

// ModelDecode reads a model from size bytes at address addr (owned by the
// caller) and returns its handle. Corrupt bytes give a ModelFileError.
func ModelDecode(addr int64, size int64) (h int64, err error) {
	defer guard(&err)
	if addr == 0 || size < 0 {
		return 0, engine.Errorf(engine.KindFormat, "model file is empty")
	}
	file, err := engine.UnmarshalModelFile(engine.GoBytes(uintptr(addr), int(size)))
	if err != nil {
		return 0, err
	}
	defer file.Release()
	m, err := estimators.Decode(file)
	if err != nil {
		return 0, err
	}
	return put(m), nil
}

// ModelFree releases a model handle. It reports whether the handle existed.
func ModelFree(h int64) (ok bool, err error) {
	defer guard(&err)
	return drop(h), nil
}

// FreeC frees memory that the engine allocated with C's malloc and handed to
// Python (output streams' structs, encoded models).
func FreeC(addr int64) (ok bool, err error) {
	defer guard(&err)
	engine.FreeC(uintptr(addr))
	return true, nil
}

// ColumnAddress imports the frame at address stream (taking ownership) and
// returns the address of the float64 values the engine reads for the named
// column, exactly as a learner reads them. Tests use it to prove that
// columns cross without a copy.
func ColumnAddress(stream int64, column string) (addr int64, err error) {
	defer guard(&err)
	frame, err := engine.ImportStream(uintptr(stream))
	if err != nil {
		return 0, err
	}
	defer frame.Release()
	c, err := frame.Require(column, "requested")
	if err != nil {
		return 0, err
	}
	vals, err := engine.Float64s(column, c)
	if err != nil || len(vals) == 0 {
		return 0, err
	}
	return int64(uintptr(unsafe.Pointer(&vals[0]))), nil
}
