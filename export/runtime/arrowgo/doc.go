// Package arrowgo converts between arrow-go (github.com/apache/arrow/go)
// and the runtime's columnar package, so that the exported scorer's
// executable, which speaks only columnar, stays free of arrow-go while the
// C library and Go package targets, which hand records to arrow-go code,
// use the same runtime.
//
// Types convert both ways with Type and DataType, schemas with Schema and
// ArrowSchema. Every type columnar has converts, with its fields' names,
// nullability and metadata (a map's entries, key and value fields aside:
// arrow-go names them itself). Arrow types columnar lacks, such as views,
// unions, run-end encoded arrays, intervals and extension types, are an
// error naming the type.
//
// Arrays and records convert both ways, differently:
//
//   - FromArray and FromRecord view arrow-go memory without copying it:
//     the columnar buffers are the arrow-go ones. The arrow-go array or
//     record must stay retained (not Released) while the view is in use,
//     and must not be changed. They cost a few allocations a column,
//     whatever its length.
//   - ToArray and ToRecord copy columnar memory into buffers from an
//     arrow-go allocator (memory.DefaultAllocator for nil), such as a C
//     allocator for results that leave through the C Data Interface. The
//     copy is rebased to offset 0 and holds only the rows the columnar
//     array has (a dictionary is copied whole). The caller releases the
//     result.
//
// The two packages lay arrays out the Arrow way, but differ in a few
// conventions, which the conversions adapt: columnar leaves out the
// validity bitmap of an array without nulls, slices a struct's children
// with it (arrow-go's start where the struct's buffers do), and gives an
// empty array all its buffers.
//
// Malformed input is an error, not a panic: ToArray and ToRecord check a
// columnar array's lengths, buffer sizes, offsets, children and
// dictionary indices before arrow-go sees them, and FromArray checks an
// arrow-go array's buffer sizes and first and last offsets.
package arrowgo
