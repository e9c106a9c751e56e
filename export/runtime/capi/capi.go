package capi

/*
#include <stdlib.h>
#include "quiver_scorer.h"

// cgo writes an exported function's parameters with these names, which
// keep the const of the header's prototypes.
typedef const double quiver_const_double;
typedef const char quiver_const_char;
*/
import "C"

import (
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/cdata"
	"github.com/apache/arrow/go/v17/arrow/memory/mallocator"
	"github.com/quiver-ml/quiver/export/runtime"
)

// The Go statuses are the header's; these fail to compile otherwise.
var (
	_ = [1]struct{}{}[StatusOK-C.QUIVER_OK]
	_ = [1]struct{}{}[StatusArgument-C.QUIVER_ERR_ARGUMENT]
	_ = [1]struct{}{}[StatusInput-C.QUIVER_ERR_INPUT]
	_ = [1]struct{}{}[StatusModel-C.QUIVER_ERR_MODEL]
	_ = [1]struct{}{}[StatusInternal-C.QUIVER_ERR_INTERNAL]
)

// library is the registered model and its static strings.
type library struct {
	s                *runtime.Scorer
	schema, metadata *C.char
}

var (
	registered atomic.Pointer[library]
	// What the schema and metadata functions return without a model.
	nullJSON  = C.CString("null")
	emptyJSON = C.CString("{}")
	// Outputs exported to C live in C memory, outside the Go collector's
	// reach, as cgo's pointer rules ask of memory C holds on to.
	cmem = mallocator.NewMallocator()
)

// Register makes s the model the library's C functions serve. Generated
// code calls it once, from an init function of the library's main
// package, before any C call can be served.
//
// It panics, failing the library's load, if s is nil, malformed (no
// Score function, a column of the wrong kind, labels that do not parse as
// their type, metadata that is not JSON) or a scorer is already
// registered.
func Register(s *runtime.Scorer) {
	if err := checkScorer(s); err != nil {
		panic("capi.Register: " + err.Error())
	}
	md, err := metadataJSON(s)
	if err != nil {
		panic("capi.Register: " + err.Error())
	}
	lib := &library{s: s, schema: C.CString(string(schemaJSON(s))), metadata: C.CString(string(md))}
	if !registered.CompareAndSwap(nil, lib) {
		C.free(unsafe.Pointer(lib.schema))
		C.free(unsafe.Pointer(lib.metadata))
		panic("capi.Register: a scorer is already registered")
	}
}

// registeredScorer returns the registered scorer, failing when there is
// none.
func registeredScorer() (*runtime.Scorer, error) {
	lib := registered.Load()
	if lib == nil {
		return nil, fail(StatusInternal, "internal error: the library holds no model (its main package did not call capi.Register)")
	}
	return lib.s, nil
}

// call runs f for an exported function and returns its status, setting
// *errp to a C copy of the error's message (NULL on success) when errp is
// not NULL. A panic, in f or in reporting, becomes StatusInternal, as Go
// would otherwise abort the caller's process.
func call(errp **C.char, f func() error) (status C.int) {
	defer func() {
		if r := recover(); r != nil {
			status = report(errp, panicked(r))
		}
	}()
	return report(errp, f())
}

func report(errp **C.char, err error) C.int {
	if errp != nil {
		if err == nil {
			*errp = nil
		} else {
			*errp = C.CString(err.Error())
		}
	}
	return C.int(statusOf(err))
}

// quiver_abi_version and the functions below are the C functions of the
// same names, documented in quiver_scorer.h (Header).
//
//export quiver_abi_version
func quiver_abi_version() C.int { return C.QUIVER_ABI_VERSION }

//export quiver_n_inputs
func quiver_n_inputs() C.int64_t {
	lib := registered.Load()
	if lib == nil {
		return -1
	}
	return C.int64_t(len(lib.s.Inputs))
}

//export quiver_n_outputs
func quiver_n_outputs() C.int64_t {
	lib := registered.Load()
	if lib == nil {
		return -1
	}
	return C.int64_t(len(lib.s.Outputs))
}

//export quiver_schema_json
func quiver_schema_json() *C.quiver_const_char {
	lib := registered.Load()
	if lib == nil {
		return (*C.quiver_const_char)(nullJSON)
	}
	return (*C.quiver_const_char)(lib.schema)
}

//export quiver_metadata_json
func quiver_metadata_json() *C.quiver_const_char {
	lib := registered.Load()
	if lib == nil {
		return (*C.quiver_const_char)(emptyJSON)
	}
	return (*C.quiver_const_char)(lib.metadata)
}

//export quiver_free
func quiver_free(p unsafe.Pointer) { C.free(p) }

//export quiver_predict_matrix
func quiver_predict_matrix(x *C.quiver_const_double, rows, cols C.int64_t, out *C.double, outLen C.int64_t, errp **C.char) C.int {
	return call(errp, func() error {
		s, err := registeredScorer()
		if err != nil {
			return err
		}
		return predictMatrix(s, (*float64)(unsafe.Pointer(x)), int64(rows), int64(cols), (*float64)(unsafe.Pointer(out)), int64(outLen))
	})
}

//export quiver_predict_arrow
func quiver_predict_arrow(in *C.struct_ArrowArray, inSchema *C.struct_ArrowSchema, out *C.struct_ArrowArray, outSchema *C.struct_ArrowSchema, errp **C.char) C.int {
	return call(errp, func() error {
		cin := (*cdata.CArrowArray)(unsafe.Pointer(in))
		csc := (*cdata.CArrowSchema)(unsafe.Pointer(inSchema))
		// The library owns in and in_schema whatever happens; importing
		// moves them, so these release only what was not imported.
		defer func() {
			if cin != nil {
				cdata.ReleaseCArrowArray(cin)
			}
			if csc != nil {
				cdata.ReleaseCArrowSchema(csc)
			}
		}()
		// out and out_schema are the caller's storage: zero them so that
		// they read as released on failure, and because the exporter
		// wants them zeroed.
		if out != nil {
			*out = C.struct_ArrowArray{}
		}
		if outSchema != nil {
			*outSchema = C.struct_ArrowSchema{}
		}
		switch {
		case in == nil:
			return fail(StatusArgument, "in is NULL")
		case inSchema == nil:
			return fail(StatusArgument, "in_schema is NULL")
		case out == nil:
			return fail(StatusArgument, "out is NULL")
		case outSchema == nil:
			return fail(StatusArgument, "out_schema is NULL")
		case in.release == nil:
			return fail(StatusArgument, "in is released")
		case inSchema.release == nil:
			return fail(StatusArgument, "in_schema is released")
		}
		s, err := registeredScorer()
		if err != nil {
			return err
		}
		rec, err := cdata.ImportCRecordBatch(cin, csc)
		if err != nil {
			return fail(StatusArgument, "cannot import in: %v", err)
		}
		defer rec.Release()
		res, err := predictRecord(s, rec, cmem)
		if err != nil {
			return err
		}
		defer res.Release()
		cdata.ExportArrowRecordBatch(res, (*cdata.CArrowArray)(unsafe.Pointer(out)), (*cdata.CArrowSchema)(unsafe.Pointer(outSchema)))
		return nil
	})
}
