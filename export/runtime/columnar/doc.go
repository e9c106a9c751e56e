// Package columnar holds tables in the Arrow columnar memory layout without
// depending on an Arrow library: a Type, an Array of buffers laid out as
// the Arrow specification says, and a Record of named columns.
//
// It exists so that an exported scorer can read and write Arrow IPC,
// Parquet and CSV while staying a few megabytes: arrow-go's array, IPC and
// JSON packages would add about four. The engine and the Go and C targets
// use arrow-go; the runtime converts between the two without copying (see
// the arrowgo package).
//
// Arrays are immutable once built and their memory belongs to the garbage
// collector: there is no reference counting. Slicing shares buffers.
//
// Buffer conventions follow the Arrow specification. Buffers[0] is the
// validity bitmap, nil when no value is null. Then:
//
//   - Bool: Buffers[1] is a bitmap of the values;
//   - fixed-width types (integers, floats, dates, times, timestamps,
//     durations, decimals, fixed_size_binary): Buffers[1] holds the values;
//   - String, Binary: Buffers[1] holds Len+1 int32 offsets (from Offset),
//     Buffers[2] the bytes; LargeString, LargeBinary the same with int64
//     offsets. An array of no values still has its one offset (and an
//     empty, non-nil Buffers[2]), as the readers here make it;
//   - List, LargeList, Map: Buffers[1] holds the offsets into Children[0],
//     which is not sliced;
//   - FixedSizeList: row i's values are Children[0]'s (Offset+i)·Size to
//     (Offset+i+1)·Size − 1; the child is not sliced;
//   - Struct: Children are sliced with the parent, so that child row i is
//     row i of the struct, and are exactly as long as it;
//   - Dictionary: Buffers[1] holds the indices, of Type.Index's type, into
//     Dict, an array of Type.Value's type;
//   - Null: no buffers; every value is null.
//
// Offset is the index of the array's first value in its buffers, so a
// slice shares its parent's memory. Bitmaps are least-significant bit
// first. The validity bitmap counts only when Nulls > 0, and then marks
// exactly Nulls values null.
//
// Buffers are read in place through unsafe casts (Values, ValueOffset,
// Index), so each must start at an address aligned for what it holds:
// offsets, indices and values of w bytes at a multiple of w (8 for
// decimals, which are read as 64-bit words). MakeAligned allocates
// buffers 8-byte aligned, as Arrow recommends and as this package's
// builders, the IPC and Parquet readers and arrow-go all align them; a
// Go slice of T passed to FromValues is aligned for T.
//
// Array.Validate checks all of the above, deeply, for arrays from
// outside (files, other libraries); the accessors assume it holds.
package columnar
