// Package ipc reads and writes the Apache Arrow IPC format, the stream
// format and the file format ("Feather V2"), as records of the columnar
// package, without arrow-go: an exported scorer links this instead of
// arrow-go's ipc and array packages, which are most of its size.
//
// NewReader reads a stream: Schema, then Next record by record until
// io.EOF. It also reads streams written before Arrow 0.15 (without the
// continuation marker) and the stream inside a file, read from its
// start. OpenFile reads a file's footer through io.ReaderAt; Record reads
// any of its NumRecords batches. NewWriter and NewFileWriter write the
// two formats to any io.Writer; Close ends them.
//
// Types read and written, with nulls: null, bool, int8 to int64, uint8
// to uint64, float16, float32, float64, utf8, large_utf8, binary,
// large_binary, fixed_size_binary, date32, date64, time32, time64,
// timestamp (with its unit and time zone), duration, decimal128,
// decimal256, list, large_list, fixed_size_list, struct, map, and
// dictionary-encoded fields of any of these, at any depth. Field and
// schema metadata are kept. Unions, run-end encoding, the view types,
// list views, intervals and 32- and 64-bit decimals are refused with an
// error naming the field and the type, as are big-endian data and
// metadata versions before V4.
//
// Dictionaries: the reader applies dictionary batches as they come,
// replacements (in streams) and deltas alike. The writer writes a
// column's dictionary before the first record that uses it and again
// when a later record's differs: as a delta when it only grew, as a
// replacement otherwise, which a file cannot hold (Write then fails).
//
// Reading: bodies compressed with LZ4 (frame) or zstd, buffer by buffer
// as Arrow does, are decompressed; the writer does not compress. Every
// buffer of the arrays read starts at an 8-aligned address, as
// columnar.Values needs: bodies are read, and buffers decompressed, into
// aligned memory, and buffers at misaligned offsets copied. A record's
// arrays are checked with columnar's Array.Validate before it is returned
// (every buffer long enough for its values, null counts that the
// validity bitmaps bear out, offsets rising within their data, struct
// children as long as their parent, dictionary indices within the
// dictionary), so that
// columnar's accessors cannot go out of bounds on what a corrupt or
// hostile input holds. Corrupt and truncated inputs give errors, never
// panics, and memory is allocated only for lengths the input can back:
// a stream's bodies grow as bytes arrive unless the reader knows how
// many are left (bytes.Reader, files), a file's are bounded by its size.
//
// Writing: Write validates each column the same way, so it refuses
// what columnar's accessors could not read, such as a buffer not aligned
// for its values. Columns may be slices (Offset > 0) of larger arrays; their
// bitmaps are shifted, their offsets rebased to 0, and their children
// sliced to what the slice uses. Every buffer and message is padded to 8
// bytes, and the metadata is version V5.
//
// Errors start with "arrow ipc: ".
package ipc
