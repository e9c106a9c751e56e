// Package parquet reads and writes Parquet files of flat columns and
// columns of lists as records of the columnar package, small enough to go
// inside every exported scorer: it depends on no Arrow library, only on
// Snappy, zstd and LZ4 codecs.
//
// The reader takes a file through io.ReaderAt: Open reads the footer,
// Columns lists the top-level columns, and File.Records yields the named
// columns row group by row group, in records of at most a given number of
// rows, reading only those columns' chunks, and those a page at a time as
// records need them. Memory is bounded by a page and a record of each
// wanted column, not by the row group or the file.
//
// Flat columns are read when they are top-level, REQUIRED or OPTIONAL,
// and of these types:
//
//	BOOLEAN                     bool
//	INT32                       int32; int8, int16, uint8, uint16, uint32 by
//	                            their INTEGER or INT_n/UINT_n annotation;
//	                            date32 for DATE
//	INT64                       int64; uint64 if unsigned; timestamp for
//	                            TIMESTAMP in ms, us or ns (UTC when adjusted)
//	FLOAT, DOUBLE               float32, float64
//	BYTE_ARRAY                  utf8, unannotated or STRING, ENUM, JSON
//
// A column of lists of one of these types reads as a list array (a
// large_list when a column chunk holds over 2^31 values) whose child
// field is named as the file's element and is nullable when the element
// is OPTIONAL; a null list is null, an empty one empty, and a null
// element null in the child. Lists are read in the standard three-level
// LIST layout and in the older layouts the format's backward-compatibility
// rules allow: a repeated primitive, as the column itself (lists never
// null, of required elements) or as the LIST group's child; and a
// repeated group of one field named "array" or "<name>_tuple", which
// those rules make a list of one-field structs and which reads as a list
// of that field's values. Fixed-size lists are written as lists, and
// read as lists; the Arrow schema pyarrow and arrow-go store in the
// file's metadata is not consulted. Records hold whole rows: a row's list
// may run over pages, and a record ends where the next row starts.
//
// Deeper nesting (lists of lists or of structs, maps, structs), INT96,
// FIXED_LEN_BYTE_ARRAY, DECIMAL, TIME and other annotations are not read;
// a file holding them still opens, and only asking for such a column
// fails, with an error naming it.
//
// Dictionary-encoded strings are returned as plain utf8 arrays; a record
// of more than 2 GiB of one column's strings, or of its lists' strings,
// is an error, so chunks of rows must be small enough for that.
//
// Arrays follow the columnar package's conventions: values buffers are
// 8-byte aligned, and the validity bitmap is nil when no value is null.
// Each record's arrays are newly allocated and the caller's to keep.
//
// Pages may be dictionary pages, data pages of version 1 or 2 (index
// pages are skipped) in the encodings PLAIN, PLAIN_DICTIONARY,
// RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT, compressed with Snappy, gzip,
// zstd, LZ4_RAW or the older LZ4 (Hadoop-framed or raw). Brotli and LZO
// are refused. Corrupt or hostile files give errors, not panics: every
// length is checked against the bytes that hold it, and row counts and
// page sizes that the file's size cannot plausibly back are refused
// before memory is allocated for them.
//
// Writer writes each record as a row group of OPTIONAL columns, PLAIN
// encoded in version 1 data pages of about a megabyte, Snappy compressed,
// with no statistics; other Parquet readers (pyarrow, arrow-go, DuckDB,
// polars) read its files. It takes the types the reader returns and also
// large_utf8 and dictionary-encoded utf8 or large_utf8, and list,
// large_list and fixed_size_list of any of those, in arrays that may be
// slices of others (Offset > 0). Lists are written in the standard
// three-level LIST layout, an OPTIONAL group of a repeated group "list"
// of an OPTIONAL "element", so a fixed_size_list reads back as a list
// of lists that size; a null list's values in the child are skipped.
package parquet
