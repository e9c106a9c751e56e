// Command toylib is what generated code for a C shared library looks like,
// for the toy scorer: capi's tests build it with go build
// -buildmode=c-shared and call it from C.
package main

import (
	"github.com/quiver-ml/quiver/export/runtime/capi"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

func init() { capi.Register(toy.Scorer()) }

// main is never run: a c-shared build only needs it to exist.
func main() {}
