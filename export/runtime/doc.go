// Package runtime is what goes inside an exported scorer: the code that
// reads rows, hands them to a compiled model and writes its outputs, for
// every interface of an artifact. It holds no training code and imports
// nothing of the engine or the estimators, so that scorers stay small and
// build for any GOOS/GOARCH.
//
// A generated model provides a Scorer: its input and output columns and a
// Score function over columnar batches (numbers as float64 with NaN for
// missing, categories as codes into the model's dictionary).
package runtime
