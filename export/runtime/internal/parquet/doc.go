// Package parquet reads and writes flat Parquet files as records of the
// columnar package, small enough to go inside every exported scorer: it
// depends on no Arrow library, only on Snappy, zstd and LZ4 codecs.
//
// The reader takes a file through io.ReaderAt: Open reads the footer,
// Columns lists the top-level columns, and File.Records yields the named
// columns row group by row group, in records of at most a given number of
// rows, reading only those columns' chunks, and those a page at a time as
// records need them. Memory is bounded by a page and a record of each
// wanted column, not by the row group or the file.
//
// Columns are read when they are top-level, REQUIRED or OPTIONAL, and of
// these types:
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
// Nested and repeated columns, INT96, FIXED_LEN_BYTE_ARRAY, DECIMAL, TIME
// and other annotations are not read; a file holding them still opens, and
// only asking for such a column fails, with an error naming it.
// Dictionary-encoded strings are returned as plain utf8 arrays; a record
// of more than 2 GiB of one column's strings is an error, so chunks of
// rows must be small enough for that.
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
// large_utf8 and dictionary-encoded utf8 or large_utf8, in arrays that
// may be slices of others (Offset > 0).
package parquet
