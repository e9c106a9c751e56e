package runtime

import (
	"encoding/json"
	"sync"
)

// Kind is what an input or output column holds.
type Kind int

const (
	// Number is a numeric input read as float64; a missing value is NaN.
	Number Kind = iota
	// Boolean is a boolean input read as float64 0 or 1, missing as NaN;
	// as an output, the scorer writes float64 0 or 1 (NaN for missing) and
	// the runtime writes a bool.
	Boolean
	// Category is a string or categorical input, read as a code: the
	// index of its value in Column.Categories, Missing for a missing value
	// and Unseen for a value not among the categories.
	Category
	// Float is a float64 output (a prediction, a probability, a feature).
	Float
	// Label is a class output: the scorer writes a code, the index of the
	// class in Column.Labels, which the runtime writes as the label itself
	// with the Arrow type Column.LabelType.
	Label
	// Text is a string input read as it is, for text feature steps: the
	// batch holds its values in Strings and a code per row, the index of
	// the row's value there or Missing. As an output (a text column a
	// pipeline passes on), the scorer writes the codes and sets the
	// values in Result.Strings.
	Text
	// Vector is a fixed-size list of Column.Width numbers per row, read
	// as Width float64 values per row, row after row; a missing list or
	// element is NaN.
	Vector
)

// Codes a Category input takes besides the index of a known category.
const (
	Missing int32 = -1
	Unseen  int32 = -2
)

// Column describes one input or output column of a scorer.
type Column struct {
	Name string `json:"name"`
	Kind Kind   `json:"-"`
	// Type is the Arrow type the column had in training ("float64",
	// "int64", "bool", "utf8", "dictionary<...>"), shown by the schema.
	Type string `json:"type"`
	// Categories are the known values of a Category input, in code order.
	Categories []string `json:"categories,omitempty"`
	// Labels are the classes of a Label output, in code order, written as
	// text; LabelType is their Arrow type: "utf8", "int64", "bool" or
	// "float64".
	Labels    []string `json:"labels,omitempty"`
	LabelType string   `json:"label_type,omitempty"`
	// Width is the length of a Vector input's lists.
	Width int `json:"width,omitempty"`
}

// Batch is a batch of input rows, one slice per input column of the
// scorer, in the order of Scorer.Inputs: Floats[j] for a Number or Boolean
// input, and for a Vector input of width w its N·w values (row i's at
// Floats[j][i·w:(i+1)·w]); Codes[j] for a Category or Text input; and for
// a Text input the values its codes index in Strings[j]. Other entries
// are nil.
type Batch struct {
	N       int
	Floats  [][]float64
	Codes   [][]int32
	Strings [][]string
}

// Result holds a batch's outputs, one slice of N values per output column
// of the scorer, in the order of Scorer.Outputs: Floats[j] for a Float or
// Boolean output, Codes[j] for a Label or Text output. The runtime
// allocates them; for a Text output the scorer sets Strings[j], the
// values its codes index.
type Result struct {
	N       int
	Floats  [][]float64
	Codes   [][]int32
	Strings [][]string
}

// Scorer is a compiled model: what generated code provides and every
// interface of an exported artifact (command line, HTTP, stream, C ABI,
// Go package) serves.
type Scorer struct {
	// Name is the learner or pipeline's name, such as "gbdt" or "pipeline".
	Name string
	// Inputs are the columns the model reads; an input frame may hold
	// others, which are passed through to the output.
	Inputs []Column
	// Outputs are the columns the model adds.
	Outputs []Column
	// Metadata is a JSON object describing the training (the log's
	// summary), served as is by GET /metadata.
	Metadata json.RawMessage
	// Score computes out's rows from in's. It keeps no state between
	// calls and starts no goroutines, so the runtime may call it on
	// disjoint batches at once. It returns an error only for input the
	// model cannot score; the runtime has already checked column kinds.
	Score func(in *Batch, out *Result) error

	// prep holds what the runtime derives from the columns once, on first
	// use (category dictionaries, parsed labels); see prepare.go.
	prep struct {
		once sync.Once
		p    *prepared
		err  error
	}
}
