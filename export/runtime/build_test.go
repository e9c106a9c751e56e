package runtime_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildToyMain builds the toy scorer's command as an exporter would
// (stripped), reports its size with and without the optional parts, and
// cross-builds it for linux/arm64 and wasip1/wasm, which must not need
// cgo. The command must not link arrow-go, which would double its size.
func TestBuildToyMain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds take a while")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	deps, err := exec.Command(gobin, "list", "-deps", "./internal/toymain").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if strings.HasPrefix(d, "github.com/apache/arrow") {
			t.Errorf("the scorer command links %s", d)
		}
	}
	out := t.TempDir()
	for _, c := range []struct{ goos, goarch, tags string }{
		{"", "", ""},
		{"", "", "noserve"},
		{"linux", "arm64", ""},
		{"linux", "arm64", "noserve"},
		{"wasip1", "wasm", ""},
	} {
		name := strings.Join([]string{"toy", c.goos, c.goarch, strings.ReplaceAll(c.tags, ",", "_")}, "-")
		bin := filepath.Join(out, name)
		cmd := exec.Command(gobin, "build", "-ldflags=-s -w", "-tags", c.tags, "-o", bin, "./internal/toymain")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if c.goos != "" {
			cmd.Env = append(cmd.Env, "GOOS="+c.goos, "GOARCH="+c.goarch)
		}
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, msg)
			continue
		}
		fi, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-40s %6.2f MB (%d bytes)", name, float64(fi.Size())/(1<<20), fi.Size())
	}
}
