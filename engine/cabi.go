package engine

/*
#include <stdint.h>
#include <stdlib.h>

static void* qv_ptr(uintptr_t p) { return (void*)p; }
*/
import "C"

import (
	"errors"
	"io"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/cdata"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/arrow/memory/mallocator"
)

// Allocator is the C allocator on which output columns are built, so that
// their buffers can be handed to Python without Go's collector moving or
// freeing them.
var Allocator memory.Allocator = mallocator.NewMallocator()

// ImportStream reads every batch of the ArrowArrayStream at address ptr into
// a frame, taking ownership of the stream (the producer's struct is left
// released, as the C Stream Interface prescribes). Buffers are used in
// place; a stream of more than one batch is concatenated. It fails on a nil
// address or when the producer reports an error.
func ImportStream(ptr uintptr) (*Frame, error) {
	if ptr == 0 {
		return nil, Errorf(KindValue, "null ArrowArrayStream pointer")
	}
	stream := (*cdata.CArrowArrayStream)(C.qv_ptr(C.uintptr_t(ptr)))
	rdr, err := cdata.ImportCRecordReader(stream, nil)
	if err != nil {
		return nil, Errorf(KindValue, "cannot import Arrow stream: %v", err)
	}
	var recs []arrow.Record
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for {
		rec, err := rdr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Errorf(KindValue, "cannot read Arrow stream: %v", err)
		}
		// The reader releases each record when it reads the next.
		rec.Retain()
		recs = append(recs, rec)
	}
	// The reader learns the schema on its first read.
	schema := rdr.(interface{ Schema() *arrow.Schema }).Schema()
	return FrameFromRecords(schema, recs, Allocator)
}

// ExportStream exports the frame as an ArrowArrayStream allocated with C's
// malloc and returns its address. The consumer moves the stream out and then
// frees the struct itself with FreeC. The frame's columns stay alive until
// the consumer releases them.
func ExportStream(f *Frame) uintptr {
	rec := f.Record()
	defer rec.Release()
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.Record{rec})
	if err != nil {
		// NewRecordReader only fails on a schema mismatch, which Record rules out.
		panic(err)
	}
	defer rdr.Release()
	out := C.calloc(1, C.size_t(unsafe.Sizeof(cdata.CArrowArrayStream{})))
	cdata.ExportRecordReader(rdr, (*cdata.CArrowArrayStream)(out))
	return uintptr(out)
}

// FreeC frees memory that this package allocated with C's malloc.
func FreeC(ptr uintptr) {
	C.free(C.qv_ptr(C.uintptr_t(ptr)))
}

// CBytes copies b into memory allocated with C's malloc and returns its
// address; the caller frees it with FreeC.
func CBytes(b []byte) uintptr {
	return uintptr(C.CBytes(b))
}

// GoBytes copies n bytes at address ptr into a Go slice.
func GoBytes(ptr uintptr, n int) []byte {
	return C.GoBytes(C.qv_ptr(C.uintptr_t(ptr)), C.int(n))
}
