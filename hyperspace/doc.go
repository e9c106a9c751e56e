// Package hyperspace declares typed hyperparameter spaces.
//
// Every learner declares its space once, next to its code, as a Space: an
// ordered list of Params, each with a name, a kind (float, int, bool or
// categorical), inclusive bounds, an optional log scale, a default and a
// one-line doc. The space is the single source of truth for a learner's
// hyperparameters: it validates user input (an unknown name or an
// out-of-range value is an error naming the parameter, the value and what is
// allowed), fills in defaults, and travels to Python as versioned JSON from
// which the Python signatures, docstrings and tuner adapters are derived.
package hyperspace
