// Package pipeline is where sequences of named steps that are themselves
// learners will live: fit each step on the output of the one before, chain
// their models, namespace their spaces as step__param, and write them as one
// model file. It has no code yet; learners are used one at a time.
package pipeline
