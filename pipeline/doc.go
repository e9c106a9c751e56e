// Package pipeline chains fitted models into one model: a sequence of named
// steps, each applied to the frame the step before it leaves.
//
// Pipelines are fitted step by step in Python (quiver.pipeline), where a
// step may be any Python function; when every step is a model of the
// engine, Python hands the fitted step models to New and gets back one
// model that applies, explains, encodes and exports like any other. The
// registered learner "pipeline" exists so that such a model can be decoded
// from its file and described; its Fit refuses, with a message that says
// how pipelines are fitted.
//
// # The chain
//
// Step i reads the frame step i-1 leaves. After a step is applied, the
// columns it Replaces (when it is an estimators.Transformer) are dropped and
// its outputs are added, each output taking the place of a column of the
// same name. The pipeline's inputs are the columns the chain needs from the
// caller: the first step's inputs, then every later input that no earlier
// step produces. New refuses a chain in which a step reads a column an
// earlier step has replaced.
//
// A pipeline whose last step is a model (not a Transformer) is predictive:
// its outputs are the last step's outputs, and it is an
// estimators.Explainer when the last step is one, passing ApplyOptions on.
// A pipeline whose last step is a Transformer is itself a Transformer, so
// that feature pipelines nest as single steps: its outputs are every column
// the chain produces and keeps, and it replaces the caller's columns that
// the chain drops.
//
// # The file
//
// A pipeline's model file holds one table, "steps", with a row per step:
// its name (utf8), its learner (utf8) and its own model file's bytes
// (large_binary). Decoding reads every step with the learner that wrote it
// and checks the names and the chain as New does.
package pipeline
