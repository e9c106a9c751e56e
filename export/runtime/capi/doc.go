// Package capi is the C interface of a model exported as a C shared
// library: generated code registers its scorer with this package from a
// main package and builds it with go build -buildmode=c-shared.
//
//	package main
//
//	import (
//		"github.com/quiver-ml/quiver/export/runtime/capi"
//		"example.com/model"
//	)
//
//	func init() { capi.Register(model.Scorer()) }
//
//	func main() {}
//
// The C functions (quiver_predict_matrix, quiver_predict_arrow,
// quiver_schema_json, ...) are cgo //export functions of this package. Go
// exports such functions from any package of a c-shared build, not only
// from main, so they are in the library's dynamic symbol table; but the
// header go build writes next to the library declares only main's exports,
// so this package carries its own, Header (quiver_scorer.h), which the
// exporter writes next to the library and which documents the interface
// for C callers.
//
// Every function scores on the caller's thread, starts no goroutines, keeps
// no state between calls but the registered scorer, and turns a Go panic
// into QUIVER_ERR_INTERNAL rather than letting it abort the caller's
// process.
package capi

import _ "embed"

// Header is the C header of the library, quiver_scorer.h, to be written
// next to it.
//
//go:embed quiver_scorer.h
var Header string
