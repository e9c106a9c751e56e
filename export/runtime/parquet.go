//go:build !noparquet

package runtime

import (
	"context"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// parquetSupported says whether this build reads and writes Parquet; the
// noparquet build tag leaves it out to save binary size.
const parquetSupported = true

// parquetSource reads a Parquet file's row groups as records of at most
// a chunk's rows, one column chunk at a time, so memory stays bounded by
// the chunk rather than the file.
type parquetSource struct {
	rr pqarrow.RecordReader
}

func openParquet(f *os.File, chunkRows int) (recordSource, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.BufferedStreamEnabled = true
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, err
	}
	// Parallel column reads would start goroutines the pipeline does not
	// own; the pipeline already scores chunks in parallel.
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(chunkRows)}, memory.DefaultAllocator)
	if err != nil {
		pf.Close()
		return nil, err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		pf.Close()
		return nil, err
	}
	return &parquetSource{rr: rr}, nil
}

func (s *parquetSource) Schema() *arrow.Schema { return s.rr.Schema() }

func (s *parquetSource) Next() (arrow.Record, error) {
	if !s.rr.Next() {
		if err := s.rr.Err(); err != nil && err != io.EOF {
			return nil, err
		}
		return nil, io.EOF
	}
	rec := s.rr.Record()
	rec.Retain()
	return rec, nil
}

func (s *parquetSource) Close() error { s.rr.Release(); return nil }

// parquetSink writes each record as a Snappy-compressed row group.
type parquetSink struct{ w *pqarrow.FileWriter }

func newParquetSink(w io.Writer, schema *arrow.Schema) (recordSink, error) {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &parquetSink{fw}, nil
}

func (s *parquetSink) Write(rec arrow.Record) error { return s.w.Write(rec) }
func (s *parquetSink) Close() error                 { return s.w.Close() }
