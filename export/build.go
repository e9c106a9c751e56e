package export

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/quiver-ml/quiver/engine"
)

// ModulePath is the module path of a generated scorer's module.
const ModulePath = "quiverscorer"

// WriteModule writes files into dir (created if need be) as a Go module
// that builds against the quiver sources in src: a directory holding
// quiver's go.mod and go.sum, engine/prob and export/runtime, such as a
// checkout or the copy inside the Python package. It fails with a
// KindValue error when src does not hold them.
func WriteModule(dir string, files map[string][]byte, src string) error {
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return engine.Errorf(engine.KindValue, "export: %s does not hold quiver's Go sources (go.sum: %v)", src, err)
	}
	mod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return engine.Errorf(engine.KindValue, "export: %s does not hold quiver's Go sources (go.mod: %v)", src, err)
	}
	qm, err := modfile.ParseLax("go.mod", mod, nil)
	if err != nil || qm.Go == nil {
		return engine.Errorf(engine.KindValue, "export: %s/go.mod does not parse: %v", src, err)
	}
	// The scorer needs quiver's requirements at quiver's versions.
	var b bytes.Buffer
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire github.com/quiver-ml/quiver v0.0.0\n\nrequire (\n", ModulePath, qm.Go.Version)
	for _, r := range qm.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Mod.Path, r.Mod.Version)
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "\nreplace github.com/quiver-ml/quiver => %s\n", src)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	all := map[string][]byte{"go.mod": b.Bytes(), "go.sum": sum}
	for name, content := range files {
		all[name] = content
	}
	for name, content := range all {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Build compiles the module in dir (written by WriteModule with the
// sources src) for target into out: an executable, or a shared library
// with its C header (quiver_scorer.h, named after out) beside it. goos and
// goarch choose the platform ("" for this one). It fails with a KindValue
// error naming what is missing when no Go toolchain is on PATH, and with
// the compiler's output when the build fails.
func Build(ctx context.Context, dir, target, out, goos, goarch, src string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return engine.Errorf(engine.KindValue, "export: building a scorer needs the Go toolchain (1.26 or newer) on PATH, and none was found; install it from https://go.dev/dl")
	}
	out, err = filepath.Abs(out)
	if err != nil {
		return err
	}
	args := []string{"build", "-mod=mod", "-trimpath", "-ldflags=-s -w", "-o", out}
	env := append(os.Environ(), "GOFLAGS=-mod=mod")
	if goos != "" {
		env = append(env, "GOOS="+goos)
	}
	if goarch != "" {
		env = append(env, "GOARCH="+goarch)
	}
	switch target {
	case TargetExe:
		env = append(env, "CGO_ENABLED=0")
	case TargetShared:
		args = append(args, "-buildmode=c-shared")
		env = append(env, "CGO_ENABLED=1")
	default:
		return engine.Errorf(engine.KindValue, "export: target %q is not built; %q and %q are", target, TargetExe, TargetShared)
	}
	cmd := exec.CommandContext(ctx, gobin, append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = env
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		return engine.Errorf(engine.KindValue, "export: go build failed (%v):\n%s", err, strings.TrimSpace(log.String()))
	}
	if target == TargetShared {
		header, err := os.ReadFile(filepath.Join(src, "export", "runtime", "capi", "quiver_scorer.h"))
		if err != nil {
			return err
		}
		h := strings.TrimSuffix(out, filepath.Ext(out)) + ".h"
		if err := os.WriteFile(h, header, 0o644); err != nil {
			return err
		}
	}
	return nil
}
