// Package export turns a fitted model or pipeline into the Go source of a
// standalone scorer: a package whose Scorer function returns the model as
// a runtime.Scorer, compiled from the model's own Compile method (trees
// as branches, weights as constants), plus the main package of an
// executable or C shared library around it. Building it needs only the Go
// toolchain and the runtime's sources, not the engine or the training
// code.
package export
