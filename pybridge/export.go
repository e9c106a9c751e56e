package pybridge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/export"
)

// exportRequest is the JSON Python sends to Export.
type exportRequest struct {
	Target   string          `json:"target"`
	Path     string          `json:"path"`
	Package  string          `json:"package"`
	GOOS     string          `json:"goos"`
	GOARCH   string          `json:"goarch"`
	Source   string          `json:"source"`   // quiver's Go sources (go.mod, engine/prob, export/runtime)
	Metadata json.RawMessage `json:"metadata"` // served by the scorer
	Keep     bool            `json:"keep_source"`
}

// Export compiles the model h into a standalone scorer at the request's
// path: an executable, a C shared library with its header, or (target
// "go") a Go module directory holding the scorer package. It returns JSON
// {"path": ..., "source": <the generated module's directory, or "">}. A
// model that cannot be compiled, a missing Go toolchain and a failed build
// are ValueErrors.
func Export(h int64, request string) (out string, err error) {
	defer guard(&err)
	m, err := get[estimators.Model](h, "model")
	if err != nil {
		return "", err
	}
	var req exportRequest
	if err := json.Unmarshal([]byte(request), &req); err != nil {
		return "", engine.Errorf(engine.KindValue, "malformed export request: %v", err)
	}
	files, err := export.Generate(m, req.Target, req.Package, req.Metadata)
	if err != nil {
		return "", err
	}
	result := map[string]string{"path": req.Path, "source": ""}
	if req.Target == export.TargetGo {
		if err := export.WriteModule(req.Path, files, req.Source); err != nil {
			return "", err
		}
		result["source"] = req.Path
		b, err := json.Marshal(result)
		return string(b), err
	}
	dir, err := os.MkdirTemp("", "quiver-export-")
	if err != nil {
		return "", err
	}
	if req.Keep {
		result["source"] = dir
	} else {
		defer os.RemoveAll(dir)
	}
	if err := export.WriteModule(dir, files, req.Source); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(req.Path), 0o755); err != nil {
		return "", err
	}
	if err := export.Build(context.Background(), dir, req.Target, req.Path, req.GOOS, req.GOARCH, req.Source); err != nil {
		return "", err
	}
	b, err := json.Marshal(result)
	return string(b), err
}

// ExportBlocker returns why the model h cannot be compiled into a scorer,
// or "" when it can. It generates the source without building it.
func ExportBlocker(h int64) (reason string, err error) {
	defer guard(&err)
	m, err := get[estimators.Model](h, "model")
	if err != nil {
		return "", err
	}
	if _, err := export.Generate(m, export.TargetExe, "", nil); err != nil {
		return err.Error(), nil
	}
	return "", nil
}
