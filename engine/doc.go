// Package engine is the data model and shared machinery of quiver's
// estimators.
//
// A Frame is a set of named Arrow columns of equal length. Frames arrive from
// Python through the Arrow C Stream Interface (ImportStream) and numeric
// columns are read in place, without copying. Prediction columns are built on
// the C allocator (Allocator) and leave through the same interface
// (ExportStream), so Python receives them without a copy either.
//
// Work over rows is split into chunks of fixed size (ChunkRows) that do not
// depend on the number of threads; partial results are reduced in chunk
// order, so a computation gives the same bits on 1 thread or 16 (see
// ForChunks and SumChunks).
//
// Errors meant for users are *Error values whose Kind tells the Python layer
// which exception to raise.
package engine
