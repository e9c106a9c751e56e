package runtime_test

import (
	"os"
	"strings"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// A generated scorer's main is runtime.Main(scorer); Run is the same with
// explicit arguments and streams. Here the stream command scores JSON
// lines, answering a bad line with an error and going on.
func ExampleRun() {
	rows := `{"x": 1, "flag": true, "color": "blue"}
{"x": "one", "flag": true, "color": "blue"}
{"x": -3, "flag": false, "color": "green"}
`
	runtime.Run(toy.Scorer(), []string{"stream"}, strings.NewReader(rows), os.Stdout, os.Stderr)
	// Output:
	// {"score":5,"probability_yes":0.9933071490757153,"prediction":"yes"}
	// {"error":"line 2: row 0: column \"x\": want a number, got a string \"one\""}
	// {"score":-2,"probability_yes":0.11920292202211755,"prediction":"no"}
}
