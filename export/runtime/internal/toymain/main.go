// Command toymain is the toy scorer as an exported artifact would build
// it: generated code's main is this one line.
package main

import (
	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

func main() { runtime.Main(toy.Scorer()) }
