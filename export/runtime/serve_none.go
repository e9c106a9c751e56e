//go:build wasip1 || noserve

package runtime

import (
	"errors"
	"io"
	goruntime "runtime"
)

// serveCommand reports that serve is unavailable: wasip1 has no listening
// sockets, and the noserve build tag leaves net/http out to save size.
func (s *Scorer) serveCommand([]string, io.Writer, io.Writer) error {
	if goruntime.GOOS == "wasip1" {
		return errors.New("serve is not available on wasip1, which has no listening sockets; use predict or stream")
	}
	return errors.New("this scorer was built without serve (build tag noserve); use predict or stream")
}
